"""Roster files: JSON/CSV/XLSX round trips, derived columns, clear errors, atomic writes."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from scheduler.errors import InputError
from scheduler.instance import build_instance
from scheduler.io import roster_io
from scheduler.io.roster_io import COLUMNS, read_roster, roster_format, write_roster
from scheduler.result import Assignment, Roster
from tests import factory

D0 = dt.date(2026, 3, 2)


def _scenario():
    d = factory.data()
    d["sites"].append({"id": "B", "name": "Site B", "jurisdiction": "FR", "timezone": "Europe/Paris",
                       "coverage": [{"shift_type": "night", "readers": 1}]})
    d["radiologists"][0]["privileges"].append({"site": "B"})
    return factory.build(d)


def _roster() -> Roster:
    who = ["r1", "r2", "r3", "r2", "r3", "r2", "r3"]
    out = [Assignment(reader=w, shift_type="night", date=D0 + dt.timedelta(days=k), sites=("A",))
           for k, w in enumerate(who)]
    out[0] = Assignment(reader="r1", shift_type="night", date=D0, sites=("A", "B"), locked=True)
    out.append(Assignment(reader="r1", shift_type="day", date=dt.date(2026, 3, 7), sites=("A",)))
    return Roster(assignments=tuple(out))


def _no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_round_trip_gives_an_equal_roster(tmp_path, suffix):
    path = tmp_path / f"roster{suffix}"
    roster = _roster()
    write_roster(path, roster, _scenario())
    assert read_roster(path) == roster
    assert _no_temp_files(tmp_path)


def test_round_trip_of_an_empty_roster(tmp_path):
    for suffix in (".json", ".csv", ".xlsx"):
        path = tmp_path / f"empty{suffix}"
        write_roster(path, Roster(), _scenario())
        assert read_roster(path) == Roster()


def test_json_layout_names_the_scenario(tmp_path):
    path = tmp_path / "r.json"
    write_roster(path, _roster(), _scenario())
    data = json.loads(path.read_text())
    assert data["scenario"] == "test"
    assert data["assignments"][0] == {"reader": "r1", "shift_type": "night", "date": "2026-03-02",
                                      "sites": ["A", "B"], "locked": True}


def test_csv_has_derived_columns_in_utc(tmp_path):
    path = tmp_path / "r.csv"
    write_roster(path, _roster(), build_instance(_scenario()))
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert list(rows[0]) == COLUMNS
    first = rows[0]
    # 18:30-08:30 Paris in winter (UTC+1)
    assert first["reader_name"] == "Dr 1"
    assert (first["start_utc"], first["end_utc"]) == ("2026-03-02T17:30Z", "2026-03-03T07:30Z")
    assert first["sites"] == "A;B"
    assert first["locked"] == "true"


def test_xlsx_has_roster_and_coverage_sheets(tmp_path):
    path = tmp_path / "r.xlsx"
    scenario = _scenario()
    write_roster(path, _roster(), scenario)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["roster", "coverage"]
    header = [c.value for c in book["coverage"][1]]
    assert header[:4] == ["site", "site_name", "shift_type", "date"]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in book["coverage"].iter_rows(min_row=2)]
    assert len(rows) == len(build_instance(scenario).demands)
    b_night = next(r for r in rows if r["site"] == "B" and r["date"].date() == D0)
    assert b_night["readers"] == "r1" and b_night["covered"] == 1 and b_night["missing"] == 0
    b_later = next(r for r in rows if r["site"] == "B" and r["date"].date() == D0 + dt.timedelta(days=1))
    assert b_later["missing"] == 1 and b_later["readers"] is None


def test_unknown_references_are_still_written(tmp_path):
    """A roster naming an unknown reader or shift type is written (blank derived cells), not a crash."""
    roster = Roster(assignments=(Assignment(reader="zz", shift_type="nope", date=D0, sites=("A",)),))
    path = tmp_path / "r.csv"
    write_roster(path, roster, _scenario())
    row = next(csv.DictReader(path.open(encoding="utf-8")))
    assert row["reader_name"] == "" and row["start_utc"] == ""
    assert read_roster(path) == roster


@pytest.mark.parametrize("name", ["roster.txt", "roster", "roster.yaml"])
def test_unsupported_suffix_names_the_valid_ones(tmp_path, name):
    with pytest.raises(InputError) as err:
        roster_format(tmp_path / name)
    assert ".json" in str(err.value) and ".csv" in str(err.value) and ".xlsx" in str(err.value)
    with pytest.raises(InputError):
        write_roster(tmp_path / name, _roster(), _scenario())
    assert not (tmp_path / name).exists()


def test_suffix_is_case_insensitive(tmp_path):
    path = tmp_path / "R.JSON"
    write_roster(path, _roster(), _scenario())
    assert read_roster(path) == _roster()


# ---- bad content -----------------------------------------------------------------------------
def _issue_text(err: InputError) -> str:
    return "\n".join(str(i) for i in err.issues)


def _json_file(tmp_path: Path, data) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


GOOD = {"reader": "r1", "shift_type": "night", "date": "2026-03-02", "sites": ["A"]}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"assignments": [GOOD, {**GOOD, "date": "2026-02-30"}]}, "assignments[1].date"),
        ({"assignments": [GOOD, GOOD, {**GOOD, "sites": []}]}, "assignments[2].sites"),
        ({"assignments": [{k: v for k, v in GOOD.items() if k != "reader"}]}, "assignments[0].reader"),
        ({"assignments": [{**GOOD, "colour": "red"}]}, "assignments[0].colour"),
        ({"assignments": [{**GOOD, "locked": "maybe"}]}, "assignments[0].locked"),
        ({"assignments": "none"}, "assignments"),
        ({"scenario": "x"}, "assignments: required field is missing"),
        ({"assignments": [], "extra": 1}, "extra: unknown field"),
        ([GOOD], "must hold an object"),
        ('{"assignments": [', "not valid JSON: line 1"),
    ],
)
def test_bad_json_names_the_path(tmp_path, content, expected):
    path = _json_file(tmp_path, content)
    with pytest.raises(InputError) as err:
        read_roster(path)
    assert err.value.source == str(path)
    assert expected in _issue_text(err.value), _issue_text(err.value)


def _csv_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "reader,shift_type,date,sites,locked\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEADER + "r1,night,2026-03-02,A,false\nr2,night,03/03/2026,A,false\n", "assignments[1].date"),
        (HEADER + "r1,night,2026-03-02,A,false\nr2,night,03/03/2026,A,false\n", "line 3"),
        (HEADER + "r1,night,2026-03-02,,false\n", "assignments[0].sites"),
        (HEADER + ",night,2026-03-02,A,false\n", "assignments[0].reader"),
        (HEADER + "r1,night,2026-03-02,A,perhaps\n", "assignments[0].locked"),
        ("reader,shift_type,date\nr1,night,2026-03-02\n", "required column 'sites' is missing"),
        ("reader,shift,date,sites\nr1,night,2026-03-02,A\n", "unknown column 'shift'"),
        (HEADER + "r1,night,2026-03-02,A,false,extra\n", "line 2"),
        ("", "the file is empty"),
    ],
)
def test_bad_csv_names_the_path_and_line(tmp_path, text, expected):
    path = _csv_file(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_roster(path)
    assert expected in _issue_text(err.value), _issue_text(err.value)


def test_csv_accepts_minimal_columns_blank_lines_and_a_bom(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("\ufeffreader,shift_type,date,sites\nr1,night,2026-03-02,A; B\n\n", encoding="utf-8")
    assert read_roster(path) == Roster(assignments=(
        Assignment(reader="r1", shift_type="night", date=D0, sites=("A", "B")),))


def test_csv_not_utf8(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(HEADER.encode() + "r1,night,2026-03-02,Hôpital,false\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        read_roster(path)


def test_bad_xlsx_cell_names_the_path_and_row(tmp_path):
    path = tmp_path / "r.xlsx"
    write_roster(path, _roster(), _scenario())
    book = openpyxl.load_workbook(path)
    book["roster"]["D3"] = "next tuesday"  # the date of the second assignment
    book.save(path)
    with pytest.raises(InputError) as err:
        read_roster(path)
    text = _issue_text(err.value)
    assert "assignments[1].date" in text and "row 3" in text


def test_xlsx_without_a_roster_sheet(tmp_path):
    path = tmp_path / "r.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    book.save(path)
    with pytest.raises(InputError, match="no sheet named 'roster'"):
        read_roster(path)


def test_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_text("reader,shift_type\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable .xlsx"):
        read_roster(path)


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_missing_file(tmp_path, suffix):
    with pytest.raises(InputError) as err:
        read_roster(tmp_path / f"absent{suffix}")
    assert "file not found" in str(err.value) and f"absent{suffix}" in str(err.value)


# ---- atomic writes ---------------------------------------------------------------------------
@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()])
@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch, fmt, exc):
    path = tmp_path / f"roster.{fmt}"
    write_roster(path, _roster(), _scenario())
    before = path.read_bytes()
    real = roster_io._WRITERS[fmt]

    def half_then_fail(tmp, inst, roster):
        real(tmp, inst, roster)
        with open(tmp, "r+b") as fh:
            fh.truncate(10)  # half-written
        raise exc

    monkeypatch.setitem(roster_io._WRITERS, fmt, half_then_fail)
    with pytest.raises(type(exc)):
        write_roster(path, Roster(), _scenario())
    assert path.read_bytes() == before
    assert _no_temp_files(tmp_path)


def test_xlsx_failing_while_building_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "roster.xlsx"
    write_roster(path, _roster(), _scenario())
    before = path.read_bytes()

    def boom(*_args):
        raise RuntimeError("coverage failed")

    monkeypatch.setattr(roster_io, "coverage_rows", boom)
    with pytest.raises(RuntimeError):
        write_roster(path, Roster(), _scenario())
    assert path.read_bytes() == before
    assert _no_temp_files(tmp_path)
