"""The Scenarios page: seeding, open, duplicate, create, export."""

from __future__ import annotations

import io

import openpyxl
from streamlit.testing.v1 import AppTest

from scheduler.io.scenario_yaml import scenario_from_yaml_text, scenario_to_yaml
from scheduler.store import Store
from tests.ui.apptest import EXAMPLE_NAMES, TINY, new_app, open_scenario, texts, uncoverable_tiny, working


def _names(store_path) -> set[str]:
    with Store(store_path) as s:
        return {v.name for v in s.scenario_versions()}


def test_first_start_seeds_the_three_examples(empty_store):
    """On an empty store the app stores the examples, and the Open list offers them."""
    at = new_app()
    assert at.selectbox(key="open_name").options == EXAMPLE_NAMES
    assert _names(empty_store) == set(EXAMPLE_NAMES)


def test_a_second_start_does_not_store_the_examples_again(store_path):
    """Seeding happens once: restarting on a seeded store adds no scenario version."""
    with Store(store_path) as s:
        before = len(s.scenario_versions())
    new_app()
    with Store(store_path) as s:
        assert len(s.scenario_versions()) == before == len(EXAMPLE_NAMES)


def test_open_makes_it_the_working_scenario(app: AppTest):
    """Open sets the working scenario and the page says which one it is."""
    open_scenario(app, TINY)
    assert working(app).scenario.name == TINY and working(app).scenario_version is not None
    assert any(f"Working on **{TINY}**" in m for m in texts(app.success))


def test_duplicate_stores_a_new_scenario_under_the_new_name(app: AppTest, store_path):
    """Duplicate under a new name stores it and makes the copy the working scenario."""
    open_scenario(app)
    app.text_input(key="duplicate_name").set_value("tiny copy for April")
    app.button(key="duplicate_button").click().run()
    assert not app.error
    assert "Saved as tiny copy for April." in texts(app.success)
    assert "tiny copy for April" in _names(store_path)
    assert working(app).scenario.name == "tiny copy for April"
    app.run()
    assert "tiny copy for April" in app.selectbox(key="open_name").options


def test_duplicate_refuses_an_existing_name(app: AppTest, store_path):
    """Duplicating onto the name of a stored scenario is refused with an error; nothing is stored."""
    open_scenario(app)
    app.text_input(key="duplicate_name").set_value(EXAMPLE_NAMES[0])
    app.button(key="duplicate_button").click().run()
    assert any("exists already" in e for e in texts(app.error))
    assert working(app).scenario.name == TINY
    with Store(store_path) as s:
        assert len(s.scenario_versions(EXAMPLE_NAMES[0])) == 1


def test_duplicate_refuses_an_empty_name(app: AppTest, store_path):
    """A blank name is refused with an error; nothing is stored."""
    open_scenario(app)
    app.text_input(key="duplicate_name").set_value("   ")
    app.button(key="duplicate_button").click().run()
    assert "The name cannot be empty." in texts(app.error)
    assert _names(store_path) == set(EXAMPLE_NAMES)


def test_create_starts_a_scenario_from_the_tiny_template(app: AppTest, store_path):
    """Create stores a new scenario with the tiny example's structure under the given name."""
    app.text_input(key="create_name").set_value("spring rota")
    app.button(key="create_button").click().run()
    assert "Created spring rota." in texts(app.success)
    w = working(app)
    assert w.scenario.name == "spring rota" and len(w.scenario.radiologists) == 5
    assert "spring rota" in _names(store_path)


def test_create_refuses_a_used_name(app: AppTest, store_path):
    """Create onto an existing name is refused."""
    app.text_input(key="create_name").set_value(TINY)
    app.button(key="create_button").click().run()
    assert "Give a new, unused name." in texts(app.error)
    with Store(store_path) as s:
        assert len(s.scenario_versions(TINY)) == 1


def test_export_offers_yaml_that_reads_back_and_a_workbook(app: AppTest, downloads):
    """The YAML export parses back to the working scenario; the XLSX export is a workbook of its tables."""
    open_scenario(app)
    labels = {b.key: b.label for b in app.download_button}
    assert labels["export_yaml"] == "YAML" and "XLSX" in labels["export_xlsx"]
    text = downloads(app, "export_yaml").decode("utf-8")
    assert scenario_from_yaml_text(text, "export") == working(app).scenario
    book = openpyxl.load_workbook(io.BytesIO(downloads(app, "export_xlsx")))
    assert {"radiologists", "sites", "coverage"} <= set(book.sheetnames)


def test_import_yaml_stores_and_opens_it(app: AppTest, store_path):
    """An uploaded YAML scenario is stored under its name and becomes the working scenario."""
    scenario = uncoverable_tiny()
    app.file_uploader(key="import_file").set_value([("paeds.yaml", scenario_to_yaml(scenario).encode(), "text/yaml")])
    app.run()
    app.button(key="import_button").click().run()
    assert "Imported tiny-paeds." in texts(app.success)
    assert working(app).scenario == scenario
    assert "tiny-paeds" in _names(store_path)


def test_import_of_a_broken_file_lists_its_problems(app: AppTest, store_path):
    """An uploaded YAML with an invalid value is refused with the field named; nothing is stored."""
    text = scenario_to_yaml(uncoverable_tiny()).replace("fte: 0.8", "fte: 3.0", 1)
    app.file_uploader(key="import_file").set_value([("broken.yaml", text.encode(), "text/yaml")])
    app.run()
    app.button(key="import_button").click().run()
    (error,) = texts(app.error)
    assert "problem(s) in broken.yaml" in error and "fte" in error
    assert working(app).scenario is None and "tiny-paeds" not in _names(store_path)


def test_import_of_csv_tables_as_a_spreadsheet_user_has_them(app: AppTest, store_path, tmp_path):
    """Several CSV files (one per table) are read as one scenario."""
    import zipfile

    from scheduler.io.scenario_tables import to_tables, write_tables

    scenario = uncoverable_tiny()
    archive = tmp_path / "tables.zip"
    write_tables(archive, to_tables(scenario))
    with zipfile.ZipFile(archive) as z:
        files = [(n, z.read(n), "text/csv") for n in z.namelist() if n.endswith(".csv")]
    assert len(files) > 5
    app.file_uploader(key="import_file").set_value(files)
    app.run()
    app.button(key="import_button").click().run()
    assert "Imported tiny-paeds." in texts(app.success)
    assert working(app).scenario == scenario
