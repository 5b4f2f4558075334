"""Scenario tables: exact round trips (DataFrames, .xlsx, .zip, folders), editor-style edits, and errors
that name the table, row and column with what would be valid."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from scheduler.errors import InputError
from scheduler.io.scenario_tables import (
    TABLES,
    load_scenario_tables,
    parse_bool,
    parse_date,
    parse_float,
    parse_int,
    parse_time,
    read_tables,
    save_scenario_tables,
    scenario_from_tables,
    to_tables,
    write_tables,
)
from scheduler.io.scenario_yaml import load_scenario
from scheduler.scenario import Scenario
from tests import factory
from tests.strategies import scenarios

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("tiny", "fr_regional", "us_multistate")
_CACHE: dict[str, Scenario] = {}


def example(name: str) -> Scenario:
    if name not in _CACHE:
        _CACHE[name] = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    return _CACHE[name]


def edge_scenario() -> Scenario:
    """Fields the examples leave at their defaults or never use: explicit empty lists, seconds, limits
    without bounds, subdivisions, text that looks like a formula or holds separators."""
    d = factory.data(name="édition =x; y")
    d["horizon"]["holidays"] = {"country": "DE", "subdivision": "BY"}
    d["objective"] = {"fairness": 0, "uncovered": 5}
    d["shift_types"][0].update(timezone="America/New_York", start="18:30:15", weekend_burden_points=0,
                               work_fraction=0.75, label="  padded  ")
    d["rule_sets"][0].update(forbidden_successions=[["night", "day"], ["day", "day"]], complete_weekends=True,
                             shift_limits={"night": {}, "day": {"min": 1, "max": 3}}, max_hours_rolling_7_days=60.5,
                             label="=SUM(A1)")
    d["sites"][0].update(holidays={"country": "US", "subdivision": "TX"}, priority=7)
    d["sites"][0]["coverage"].append({"shift_type": "day", "days": [], "subspecialty": "neuro", "readers": 2,
                                      "max_readers": 3, "studies": 0.5})
    d["radiologists"][0].update(
        email="a@b.org", timezone="UTC", allowed_shift_types=[], subspecialties=["neuro"], fte=0.35,
        studies_per_hour=1.5, shift_limits={"night": {"max": 0}},
        leave=[{"start": "2026-03-03", "end": "2026-03-03", "reason": 'x;y, "z"'}],
        requests=[{"kind": "avoid", "dates": ["2026-03-04", "2026-03-06"], "weight": 3}],
        history={"shifts": [{"shift_type": "night", "date": "2026-03-01"}] * 2, "work_hours": 12.25,
                 "burden_points": 4, "nights": 1, "weekends": 2, "holidays": 3},
    )
    d["radiologists"][1].update(allowed_shift_types=["night", "day"], licenses=[
        {"jurisdiction": "FR", "valid_from": "2026-03-03", "valid_until": "2026-03-05"}])
    return factory.build(d)


def put(tables: dict[str, pd.DataFrame], table: str, row: int, column: str, value: Any) -> None:
    """Set a cell as an editor would (row counted from 1), whatever the column's dtype."""
    df = tables[table]
    df[column] = df[column].astype(object)
    df.iat[row - 1, df.columns.get_loc(column)] = value


def problems(tables: dict[str, pd.DataFrame]) -> list[str]:
    with pytest.raises(InputError) as info:
        scenario_from_tables(tables)
    return [str(i) for i in info.value.issues]


# ---- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_round_trip_via_dataframes(name):
    sc = example(name)
    assert scenario_from_tables(to_tables(sc)) == sc


@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_round_trip_via_files(name, suffix, tmp_path):
    sc = example(name)
    path = tmp_path / f"{name}{suffix}"
    save_scenario_tables(sc, path)
    assert load_scenario_tables(path) == sc
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
def test_rarely_used_fields_round_trip(suffix, tmp_path):
    sc = edge_scenario()
    assert scenario_from_tables(to_tables(sc)) == sc
    save_scenario_tables(sc, tmp_path / f"edge{suffix}")
    assert load_scenario_tables(tmp_path / f"edge{suffix}") == sc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_generated_scenarios_round_trip(sc):
    assert scenario_from_tables(to_tables(sc)) == sc


def test_folder_of_csv_files_round_trips(tmp_path):
    sc = example("tiny")
    save_scenario_tables(sc, tmp_path / "tiny.zip")
    with zipfile.ZipFile(tmp_path / "tiny.zip") as zf:
        zf.extractall(tmp_path / "folder")
    (tmp_path / "folder" / "README.md").write_text("notes for the team\n", encoding="utf-8")
    assert load_scenario_tables(tmp_path / "folder") == sc


def test_every_table_is_present_with_editor_friendly_values():
    tables = to_tables(example("tiny"))
    assert list(tables) == list(TABLES)
    for name, df in tables.items():
        assert list(df.columns) == TABLES[name]
    assert tables["limits"].empty and tables["history"].empty
    leave = tables["leave"].iloc[0]
    assert type(leave["start"]) is dt.date and isinstance(leave["reason"], str)
    assert isinstance(tables["shift_types"].iloc[0]["start"], dt.time)
    assert tables["radiologists"]["fte"].dtype.kind == "f"
    assert tables["coverage"]["readers"].dtype == "Int64"
    assert tables["rule_sets"]["complete_weekends"].dtype == bool


# ---- editing ---------------------------------------------------------------------------------------
def test_rows_edited_like_a_data_editor_parse():
    sc = example("tiny")
    tables = to_tables(sc)
    added = pd.DataFrame([{c: None for c in TABLES["radiologists"]} | {"id": "new_reader", "rule_set": "fr_ph"}],
                         dtype=object)
    tables["radiologists"] = pd.concat([tables["radiologists"].astype(object), added], ignore_index=True)
    put(tables, "radiologists", 2, "fte", "0.5")
    put(tables, "radiologists", 3, "studies_per_hour", "9,5")  # a decimal comma
    put(tables, "coverage", 1, "readers", "2")
    licenses = tables["licenses"]
    licenses.loc[len(licenses)] = ["new_reader", "FR", pd.Timestamp("2026-03-03"), pd.NaT]
    licenses.loc[len(licenses)] = [None, None, None, None]  # an added row left blank
    out = scenario_from_tables(tables)
    new = out.radiologist_by_id["new_reader"]
    assert (new.name, new.fte, new.email, new.allowed_shift_types) == ("", 1.0, None, None)
    assert new.licenses[0].valid_from == dt.date(2026, 3, 3) and new.licenses[0].valid_until is None
    assert out.radiologists[1].fte == 0.5 and out.radiologists[2].studies_per_hour == 9.5
    assert out.sites[0].coverage[0].readers == 2


def test_spreadsheet_typed_cells_parse(tmp_path):
    """A spreadsheet user types a date as a date, numbers as text, a time as a time cell."""
    path = tmp_path / "tiny.xlsx"
    save_scenario_tables(example("tiny"), path)
    book = openpyxl.load_workbook(path)
    book["settings"]["B4"] = dt.datetime(2026, 3, 9)  # horizon_end
    book["radiologists"]["F2"] = "0.9"  # fte of the first reader, as text
    book["shift_types"]["C2"] = dt.time(19, 0)  # night start
    book["requests"]["D2"] = dt.datetime(2026, 3, 6)  # a single date as a date cell
    book.save(path)
    out = load_scenario_tables(path)
    assert out.horizon.end == dt.date(2026, 3, 9)
    assert out.radiologists[0].fte == 0.9
    assert out.shift_types[0].start == dt.time(19, 0)
    assert out.radiologists[4].requests[0].dates == (dt.date(2026, 3, 6),)


@pytest.mark.parametrize("value", [
    "2026-03-02", " 2026/3/2 ", "2026-03-02 00:00:00", dt.date(2026, 3, 2), dt.datetime(2026, 3, 2),
    pd.Timestamp("2026-03-02"), 46083, 46083.0,  # Excel's day number
])
def test_dates_parse(value):
    assert parse_date(value) == dt.date(2026, 3, 2)


@pytest.mark.parametrize(("value", "expected"), [
    ("08:30", dt.time(8, 30)), ("8:30", dt.time(8, 30)), ("8h30", dt.time(8, 30)), ("18:30:00", dt.time(18, 30)),
    (dt.time(7, 0), dt.time(7, 0)), (0.5, dt.time(12, 0)), (dt.datetime(1899, 12, 30, 22, 0), dt.time(22, 0)),
])
def test_times_parse(value, expected):
    assert parse_time(value) == expected


def test_numbers_and_booleans_parse():
    assert parse_int("3") == parse_int("3.0") == parse_int(3.0) == 3
    assert parse_int("1 000 000") == 1_000_000
    assert parse_float("0.5") == parse_float("0,5") == 0.5
    assert [parse_bool(v) for v in ("yes", "TRUE", 1, "x", "no", "false", 0, False)] == [True] * 4 + [False] * 4
    for bad, parse in (("2026-13-01", parse_date), ("24:00", parse_time), ("2.5", parse_int), ("nan", parse_float),
                       ("maybe", parse_bool), (dt.datetime(2026, 3, 2, 8), parse_date)):
        with pytest.raises(ValueError):
            parse(bad)


# ---- errors ----------------------------------------------------------------------------------------
def _drop(table: str, column: str) -> Callable[[dict], None]:
    return lambda t: t.__setitem__(table, t[table].drop(columns=[column]))


ERRORS = [
    ("bad date", lambda t: put(t, "leave", 1, "start", "2026-02-30"),
     "leave row 1, column start: not a date (got '2026-02-30'); write the date as YYYY-MM-DD"),
    ("bad number", lambda t: put(t, "radiologists", 2, "studies_per_hour", "fast"),
     "radiologists row 2, column studies_per_hour: not a number (got 'fast'); write a number greater than 0"),
    ("fte out of range", lambda t: put(t, "radiologists", 4, "fte", 1.5),
     "radiologists row 4, column fte: must be greater than 0 and at most 1 (got 1.5)"),
    ("unknown rule set", lambda t: put(t, "radiologists", 3, "rule_set", "fr_pu"),
     "radiologists row 3, column rule_set: unknown rule set 'fr_pu'; defined: fr_ph"),
    ("unknown radiologist", lambda t: put(t, "licenses", 2, "radiologist", "r99"),
     "licenses row 2, column radiologist: unknown radiologist 'r99'; defined in the radiologists table: claire_martin"),
    ("unknown table", lambda t: t.__setitem__("radiologistes", t["radiologists"]),
     "radiologistes: unknown table; did you mean 'radiologists'? the tables are settings, jurisdictions"),
    ("unknown column", lambda t: t.__setitem__("radiologists", t["radiologists"].rename(columns={"fte": "ftee"})),
     "radiologists, column ftee: unknown column; did you mean 'fte'? the columns of radiologists are id, name"),
    ("missing column", _drop("radiologists", "rule_set"),
     "radiologists, column rule_set: required column is missing; add a column named 'rule_set'"),
    ("missing table", lambda t: t.pop("radiologists"),
     "radiologists: required table is missing; a scenario needs the tables settings, jurisdictions"),
    ("duplicate id", lambda t: put(t, "radiologists", 5, "id", "julien_bernard"),
     "radiologists row 5, column id: duplicate id 'julien_bernard' (first in row 2); ids must be unique"),
    ("empty required cell", lambda t: put(t, "privileges", 3, "site", None),
     "privileges row 3, column site: required; the cell is empty (give one of the ids in the sites table: chr_mercy"),
    ("unknown choice", lambda t: put(t, "shift_types", 1, "days", "mon; fry"),
     "shift_types row 1, column days: item 2: unknown value 'fry'; use one of all, weekdays"),
    ("model check on a child row", lambda t: put(t, "leave", 1, "end", "2026-03-01"),
     "leave row 1, column end: end 2026-03-01 is before start 2026-03-04"),
    ("model check on a setting", lambda t: put(t, "settings", 3, "value", "2026-01-01"),
     "settings row 3 (horizon_end), column value: end 2026-01-01 is before start 2026-03-02"),
    ("time zone", lambda t: put(t, "sites", 2, "timezone", "Europe/Pariss"),
     "sites row 2, column timezone: unknown time zone 'Europe/Pariss'; use an IANA name"),
    ("unknown setting", lambda t: put(t, "settings", 1, "key", "nom"),
     "settings row 1, column key: unknown setting 'nom'; the settings are name, horizon_start"),
    ("empty table", lambda t: t.__setitem__("rule_sets", t["rule_sets"].iloc[0:0]),
     "rule_sets: the table has no rows; add at least one"),
]


@pytest.mark.parametrize(("edit", "expected"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_name_table_row_column_and_what_is_valid(edit, expected):
    tables = to_tables(example("tiny"))
    edit(tables)
    assert expected in "\n".join(problems(tables))


def test_a_model_error_deep_in_a_reader_maps_to_its_row():
    d = factory.data()
    d["radiologists"][1]["history"] = {"shifts": [{"shift_type": "night", "date": "2026-03-01"}]}
    tables = to_tables(factory.build(d))
    put(tables, "history", 1, "date", "2026-03-05")
    assert problems(tables) == [
        "history row 1, column date: 2026-03-05 is not before the horizon start 2026-03-02; "
        "history is what came before",
    ]
    tables = to_tables(factory.build(factory.data()))
    tables["limits"].loc[0] = ["radiologist", "r3", "night", 3, 1]
    tables["limits"].loc[1] = ["radiologist", "r3", "night", 1, 2]
    assert problems(tables) == [
        "limits row 2, column shift_type: a second limit for night of radiologist r3 (first in row 1); "
        "give one row per shift type",
        "limits row 1, column max: max 1 is below min 3",
    ]


def test_every_problem_is_listed_with_the_file_name(tmp_path):
    path = tmp_path / "tiny.zip"
    tables = to_tables(example("tiny"))
    put(tables, "radiologists", 1, "fte", "full")
    put(tables, "licenses", 2, "valid_from", "soon")
    write_tables(path, tables)
    with pytest.raises(InputError) as info:
        load_scenario_tables(path)
    assert info.value.source == str(path)
    text = str(info.value)
    assert text.startswith(f"{path}: 2 problems found")
    assert "radiologists row 1, column fte: not a number (got 'full')" in text
    assert "licenses row 2, column valid_from: not a date (got 'soon')" in text


# ---- files -----------------------------------------------------------------------------------------
def test_a_notes_sheet_is_ignored_but_another_sheet_is_an_error(tmp_path):
    path = tmp_path / "tiny.xlsx"
    save_scenario_tables(example("tiny"), path)  # also writes a README sheet
    book = openpyxl.load_workbook(path)
    book.create_sheet("Notes")["A1"] = "call Claire before changing nights"
    book.create_sheet("Feuil1")  # an empty sheet left by the spreadsheet program
    book.save(path)
    assert load_scenario_tables(path) == example("tiny")
    book.create_sheet("Sheet1")["A1"] = "x"
    book.save(path)
    with pytest.raises(InputError) as info:
        load_scenario_tables(path)
    assert "Sheet1: unknown table; the tables are settings, jurisdictions" in str(info.value)


def test_sheet_and_column_names_are_matched_loosely(tmp_path):
    tables = to_tables(example("tiny"))
    tables = {name.title(): df.rename(columns=lambda c: c.replace("_", " ").upper()) for name, df in tables.items()}
    assert scenario_from_tables(tables) == example("tiny")


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p: None, "file not found"),
    (lambda p: p.write_text("not a workbook", encoding="utf-8"), "not a readable .xlsx workbook"),
])
def test_file_errors_name_the_file(tmp_path, make, expected):
    path = tmp_path / "scenario.xlsx"
    make(path)
    with pytest.raises(InputError) as info:
        load_scenario_tables(path)
    assert info.value.source == str(path)
    assert expected in str(info.value) and str(path) in str(info.value)


def test_bad_archives_and_csv_files_name_the_file(tmp_path):
    bad_zip = tmp_path / "scenario.zip"
    bad_zip.write_bytes(b"PK but not really")
    with pytest.raises(InputError, match="not a readable .zip archive") as info:
        read_tables(bad_zip)
    assert info.value.source == str(bad_zip)
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "jurisdictions.csv").write_text("id,name\nFR,France,extra\n", encoding="utf-8")
    with pytest.raises(InputError, match="jurisdictions.csv: row 1 has 3 cells but the header names 2 columns"):
        read_tables(folder)
    (folder / "jurisdictions.csv").write_bytes("id,name\nFR,Fran\xe7e\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_tables(folder)
    shutil.rmtree(folder)
    folder.mkdir()
    with pytest.raises(InputError, match="no .csv files"):
        read_tables(folder)
    with pytest.raises(InputError, match="unsupported file type"):
        read_tables(ROOT / "scenarios" / "tiny.yaml")
    with pytest.raises(InputError, match="unsupported file type"):
        write_tables(tmp_path / "out.csv", to_tables(example("tiny")))
