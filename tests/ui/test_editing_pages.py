"""The Team, Sites and Shifts pages: table edits saved as a new scenario version, errors beside the table."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from scheduler.store import Store
from tests.ui.apptest import TINY, edit, flat, goto, open_scenario, texts, working


def _versions(store_path) -> int:
    with Store(store_path) as s:
        return len(s.scenario_versions(TINY))


def _save(at: AppTest, page: str) -> None:
    at.button(key=f"save:{page}").click().run()
    assert not at.exception


def _error_beside(at: AppTest, page: str, table: str, text: str) -> None:
    """`text` is in an error shown between the table's heading and its editor."""
    order = flat(at.main)
    editor = next(i for i, e in enumerate(order) if getattr(e, "key", None) and
                  str(e.key).startswith(f"editor:{page}:{table}:"))
    heading = max(i for i, e in enumerate(order[:editor]) if e.type == "subheader")
    between = [str(e.value) for e in order[heading:editor] if e.type == "error"]
    assert any(text in line for line in between), (text, between)


def test_team_edit_saves_a_new_scenario_version(app: AppTest, store_path):
    """An FTE edit in the radiologists table, saved, is in the working scenario and stored as a new version."""
    open_scenario(app)
    goto(app, "team")
    before_version, before_count = working(app).scenario_version, _versions(store_path)
    edit(app, "team", "radiologists", edited={0: {"fte": 0.5}})
    _save(app, "team")
    w = working(app)
    assert w.scenario.radiologists[0].fte == 0.5
    assert w.scenario_version != before_version and _versions(store_path) == before_count + 1
    assert any(m.startswith(f"Saved {TINY} as version") for m in texts(app.success))
    with Store(store_path) as s:
        assert s.scenario(w.scenario_version).radiologists[0].fte == 0.5


def test_team_invalid_fte_shows_the_cell_and_keeps_the_edit(app: AppTest):
    """FTE 1.5 is refused next to the radiologists table; the scenario is unchanged and the edit is kept."""
    open_scenario(app)
    goto(app, "team")
    before = working(app).scenario
    key = edit(app, "team", "radiologists", edited={0: {"fte": 1.5}})
    _save(app, "team")
    _error_beside(app, "team", "radiologists", "radiologists row 1, column fte")
    assert working(app).scenario == before
    assert app.session_state[key]["edited_rows"] == {0: {"fte": 1.5}}
    app.run()  # the error stays until the next save, and so does the edit
    _error_beside(app, "team", "radiologists", "radiologists row 1, column fte")
    assert app.session_state[key]["edited_rows"] == {0: {"fte": 1.5}}


def test_team_unknown_rule_set_is_named(app: AppTest, store_path):
    """An unknown rule set is refused, naming the cell and the valid rule sets; nothing is stored."""
    open_scenario(app)
    goto(app, "team")
    count = _versions(store_path)
    edit(app, "team", "radiologists", edited={0: {"rule_set": "night_owl"}})
    _save(app, "team")
    _error_beside(app, "team", "radiologists", "radiologists row 1, column rule_set")
    assert any("night_owl" in e and "fr_ph" in e for e in texts(app.error))
    assert _versions(store_path) == count


def test_team_license_for_an_unknown_radiologist_is_named(app: AppTest):
    """A license row added for an unknown radiologist is refused next to the licenses table."""
    open_scenario(app)
    goto(app, "team")
    before = working(app).scenario
    edit(app, "team", "licenses", added=[{"radiologist": "dr_nobody", "jurisdiction": "FR"}])
    _save(app, "team")
    row = len(before.radiologists) + 1  # five licenses, one per reader; the new one is row 6
    _error_beside(app, "team", "licenses", f"licenses row {row}, column radiologist")
    assert any("dr_nobody" in e for e in texts(app.error))
    assert working(app).scenario == before


def test_team_fixed_edit_saves_and_clears_the_error(app: AppTest):
    """After a refused edit, correcting it and saving again stores it and the error goes away."""
    open_scenario(app)
    goto(app, "team")
    key = edit(app, "team", "radiologists", edited={0: {"fte": 1.5}})
    _save(app, "team")
    assert app.error
    app.session_state[key] = {"edited_rows": {0: {"fte": 0.7}}, "added_rows": [], "deleted_rows": []}
    _save(app, "team")
    assert not app.error
    assert working(app).scenario.radiologists[0].fte == 0.7


def test_sites_coverage_edit_is_saved(app: AppTest, store_path):
    """Two readers for the stroke centre's nights, saved from the coverage table."""
    open_scenario(app)
    goto(app, "sites")
    count = _versions(store_path)
    edit(app, "sites", "coverage", edited={0: {"readers": 2}})
    _save(app, "sites")
    sc = working(app).scenario
    assert sc.site_by_id["chr_mercy"].coverage[0].readers == 2
    assert _versions(store_path) == count + 1


def test_sites_unknown_subspecialty_is_named(app: AppTest):
    """A coverage need asking for an undefined subspecialty is refused beside the coverage table."""
    open_scenario(app)
    goto(app, "sites")
    before = working(app).scenario
    edit(app, "sites", "coverage", edited={1: {"subspecialty": "paediatrics"}})
    _save(app, "sites")
    _error_beside(app, "sites", "coverage", "coverage row 2, column subspecialty")
    assert working(app).scenario == before


def test_shifts_rule_set_edit_is_saved(app: AppTest, store_path):
    """A longer minimum rest in the rule set, saved from the rule sets table."""
    open_scenario(app)
    goto(app, "shifts")
    count = _versions(store_path)
    edit(app, "shifts", "rule_sets", edited={0: {"min_rest_hours": 12.0}})
    _save(app, "shifts")
    assert working(app).scenario.rule_sets[0].min_rest_hours == 12
    assert _versions(store_path) == count + 1


def test_shifts_invalid_time_is_named(app: AppTest):
    """A shift start that is not a time of day is refused beside the shift types table."""
    open_scenario(app)
    goto(app, "shifts")
    before = working(app).scenario
    edit(app, "shifts", "shift_types", edited={0: {"start": "25:99"}})
    _save(app, "shifts")
    _error_beside(app, "shifts", "shift_types", "shift_types row 1, column start")
    assert working(app).scenario == before


def test_saving_without_a_change_stores_nothing(app: AppTest, store_path):
    """Save with no edit says so and stores no new version."""
    open_scenario(app)
    goto(app, "shifts")
    count = _versions(store_path)
    _save(app, "shifts")
    assert "No change to save." in texts(app.info)
    assert _versions(store_path) == count


def test_errors_of_one_scenario_are_not_shown_on_another(app: AppTest):
    """A refused edit's errors belong to that scenario: after opening another one they are gone."""
    open_scenario(app)
    goto(app, "team")
    edit(app, "team", "radiologists", edited={0: {"fte": 1.5}})
    _save(app, "team")
    assert app.error
    open_scenario(app, "us-multistate-november-2026")
    goto(app, "team")
    assert not app.error, texts(app.error)
