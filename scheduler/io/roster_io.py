"""Roster files: JSON, CSV and XLSX, chosen by suffix, written atomically, read with clear errors.

JSON holds `{"scenario": name, "assignments": [{"reader", "shift_type", "date", "sites", "locked"}]}`.
CSV and XLSX hold one row per assignment: reader, reader_name, shift_type, date, start_utc,
end_utc, sites (joined with ";"), locked. reader_name, start_utc and end_utc are derived from the
scenario when writing and ignored when reading. XLSX adds a "coverage" sheet with one row per
(site, shift, date) and the readers covering it.

Reading never shows a traceback for bad content: every problem is an InputError naming the file
and the field path (`assignments[3].date`), with the line or spreadsheet row where it helps.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import zipfile
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scheduler.errors import InputError, Issue
from scheduler.instance import Instance, build_instance, shift_interval
from scheduler.io.atomic import write_atomic
from scheduler.io.scenario_yaml import issues_from_validation
from scheduler.result import Assignment, Roster
from scheduler.scenario import Scenario

SUFFIXES = (".json", ".csv", ".xlsx")
COLUMNS = ["reader", "reader_name", "shift_type", "date", "start_utc", "end_utc", "sites", "locked"]
REQUIRED_COLUMNS = ("reader", "shift_type", "date", "sites")
DERIVED_COLUMNS = ("reader_name", "start_utc", "end_utc")  # written for people, ignored on reading
COVERAGE_COLUMNS = [
    "site", "site_name", "shift_type", "date", "start_utc", "end_utc",
    "required", "max_readers", "covered", "missing", "readers", "reader_names",
]
ROSTER_SHEET = "roster"
COVERAGE_SHEET = "coverage"
SITE_SEPARATOR = ";"
MAX_ISSUES = 50  # stop listing after this many problems in one file

_TRUE = {"true", "1", "yes", "y", "x"}
_FALSE = {"false", "0", "no", "n", ""}


# ---- format ----------------------------------------------------------------------------------
def roster_format(path: str | Path) -> str:
    """'json', 'csv' or 'xlsx' from the file suffix; an InputError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        shown = suffix or "no suffix"
        raise InputError(
            [Issue("", f"unsupported roster file type ({shown}); use one of {', '.join(SUFFIXES)}")], str(path)
        )
    return suffix[1:]


def _instance(scenario: Scenario | Instance) -> Instance:
    return scenario if isinstance(scenario, Instance) else build_instance(scenario)


# ---- tables ----------------------------------------------------------------------------------
def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def _interval(inst: Instance, type_id: str, day: dt.date) -> tuple[str, str]:
    """UTC start and end of a shift instance as text; blank when the shift type is unknown."""
    shift = inst.shift_by_key.get((type_id, day))
    if shift is not None:
        return _utc(shift.start), _utc(shift.end)
    st = inst.scenario.shift_type_by_id.get(type_id)
    if st is None:
        return "", ""
    start, end = shift_interval(st, day, inst.scenario.planning_tz(st))
    return _utc(start), _utc(end)


def roster_rows(inst: Instance, roster: Roster) -> list[dict[str, Any]]:
    """One row per assignment, in roster order, with the derived columns filled in."""
    readers = inst.scenario.radiologist_by_id
    rows = []
    for a in roster.assignments:
        start, end = _interval(inst, a.shift_type, a.date)
        reader = readers.get(a.reader)
        rows.append({
            "reader": a.reader,
            "reader_name": reader.display if reader else "",
            "shift_type": a.shift_type,
            "date": a.date,
            "start_utc": start,
            "end_utc": end,
            "sites": SITE_SEPARATOR.join(a.sites),
            "locked": a.locked,
        })
    return rows


def coverage_rows(inst: Instance, roster: Roster) -> list[dict[str, Any]]:
    """One row per (site, shift, date) some site needs, with the readers covering it."""
    from scheduler.rules.base import RosterView
    from scheduler.rules.coverage import shortfalls

    view = RosterView(inst, roster)
    rows = []
    for (site, i), demand in sorted(inst.demands.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        shift = inst.shifts[i]
        readers = sorted(set(view.covers.get((site, i), [])))
        subs, rest = shortfalls(inst, demand, readers)
        rows.append({
            "site": site,
            "site_name": inst.site_name(site),
            "shift_type": shift.type_id,
            "date": shift.date,
            "start_utc": _utc(shift.start),
            "end_utc": _utc(shift.end),
            "required": demand.required,
            "max_readers": demand.max_readers,
            "covered": len(readers),
            "missing": sum(subs.values()) + rest,
            "readers": SITE_SEPARATOR.join(readers),
            "reader_names": SITE_SEPARATOR.join(inst.reader_name(r) for r in readers),
        })
    return rows


# ---- writing ---------------------------------------------------------------------------------
def roster_to_data(roster: Roster, scenario_name: str) -> dict[str, Any]:
    """The JSON document for `roster`."""
    return {
        "scenario": scenario_name,
        "assignments": [
            {"reader": a.reader, "shift_type": a.shift_type, "date": a.date.isoformat(),
             "sites": list(a.sites), "locked": a.locked}
            for a in roster.assignments
        ],
    }


def _write_json(tmp: Path, inst: Instance, roster: Roster) -> None:
    text = json.dumps(roster_to_data(roster, inst.scenario.name), indent=2, ensure_ascii=False)
    tmp.write_text(text + "\n", encoding="utf-8")


def _write_csv(tmp: Path, inst: Instance, roster: Roster) -> None:
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in roster_rows(inst, roster):
            writer.writerow({**row, "date": row["date"].isoformat(), "locked": "true" if row["locked"] else "false"})


def _write_xlsx(tmp: Path, inst: Instance, roster: Roster) -> None:
    import pandas as pd

    roster_df = pd.DataFrame(roster_rows(inst, roster), columns=COLUMNS)
    coverage_df = pd.DataFrame(coverage_rows(inst, roster), columns=COVERAGE_COLUMNS)
    # the temporary file's suffix is not .xlsx, so the engine is named
    with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
        roster_df.to_excel(xw, sheet_name=ROSTER_SHEET, index=False)
        coverage_df.to_excel(xw, sheet_name=COVERAGE_SHEET, index=False)
        for sheet in xw.sheets.values():
            for column in sheet.columns:
                width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
            sheet.freeze_panes = "A2"


_WRITERS = {"json": _write_json, "csv": _write_csv, "xlsx": _write_xlsx}


def write_roster(path: str | Path, roster: Roster, scenario: Scenario | Instance) -> None:
    """Write `roster` atomically as JSON, CSV or XLSX (by suffix); the scenario gives names and times."""
    fmt = roster_format(path)
    inst = _instance(scenario)
    write_atomic(path, lambda tmp: _WRITERS[fmt](tmp, inst, roster))


# ---- reading ---------------------------------------------------------------------------------
def _read_text(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Issue("", "file not found")], str(p)) from None
    except IsADirectoryError:
        raise InputError([Issue("", "is a directory, not a roster file")], str(p)) from None
    except UnicodeDecodeError:
        raise InputError([Issue("", "not UTF-8 text; save the file as UTF-8")], str(p)) from None
    except OSError as exc:
        raise InputError([Issue("", f"cannot read the file: {exc.strerror or exc}")], str(p)) from None


def roster_from_data(data: Any, source: str | None = None) -> Roster:
    """Validate a parsed JSON roster document; InputError with `assignments[k].field` paths."""
    if not isinstance(data, dict):
        raise InputError([Issue("", "the file must hold an object with an \"assignments\" list")], source)
    issues = []
    unknown = sorted(set(data) - {"scenario", "assignments"})
    for key in unknown:
        issues.append(Issue(str(key), "unknown field; a roster file holds \"scenario\" and \"assignments\""))
    if "scenario" in data and not isinstance(data["scenario"], str | None):
        issues.append(Issue("scenario", "must be the scenario name (text)"))
    if "assignments" not in data:
        issues.append(Issue("assignments", "required field is missing"))
    if issues:
        raise InputError(issues, source)
    try:
        return Roster.model_validate({"assignments": data["assignments"]})
    except ValidationError as err:
        raise InputError(issues_from_validation(err)[:MAX_ISSUES], source) from None


def _read_json(p: Path) -> Roster:
    text = _read_text(p)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Issue("", f"not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}")],
                         str(p)) from None
    return roster_from_data(data, str(p))


def _cell_text(value: Any) -> str:
    """A spreadsheet or CSV cell as text: blanks and NaN are '', whole floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise ValueError(f"expected a date without a time of day (got {value.isoformat()})")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell_text(value)
    if not text:
        raise ValueError("required; give the date as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date (got {text!r}); give the date as YYYY-MM-DD") from None


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "bool_":  # numpy bool from pandas
        return bool(value)
    text = _cell_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not true or false (got {text!r})")


def _rows_to_roster(
    header: list[str], rows: list[tuple[str, dict[str, Any]]], source: str, where: str
) -> Roster:
    """Validate table rows (each with a location like 'line 4') into a Roster."""
    issues: list[Issue] = []
    names = [h.strip() for h in header]
    known = set(COLUMNS)
    for h in names:
        if h and h not in known:
            issues.append(Issue(where, f"unknown column {h!r}; the columns are {', '.join(COLUMNS)}"))
    for col in REQUIRED_COLUMNS:
        if col not in names:
            issues.append(Issue(where, f"required column {col!r} is missing"))
    if issues:
        raise InputError(issues, source)
    out: list[Assignment] = []
    for k, (loc, row) in enumerate(rows):
        path = f"assignments[{k}]"
        fields: dict[str, Any] = {}
        for col in ("reader", "shift_type"):
            text = _cell_text(row.get(col))
            if not text:
                issues.append(Issue(f"{path}.{col}", f"required; the cell is empty ({loc})"))
            fields[col] = text
        try:
            fields["date"] = _parse_date(row.get("date"))
        except ValueError as exc:
            issues.append(Issue(f"{path}.date", f"{exc} ({loc})"))
        sites = tuple(s.strip() for s in _cell_text(row.get("sites")).split(SITE_SEPARATOR) if s.strip())
        if not sites:
            issues.append(Issue(f"{path}.sites", f"required; list the sites covered, separated by ';' ({loc})"))
        fields["sites"] = sites
        try:
            fields["locked"] = _parse_bool(row.get("locked"))
        except ValueError as exc:
            issues.append(Issue(f"{path}.locked", f"{exc}; use true or false ({loc})"))
        if len(issues) >= MAX_ISSUES:
            break
        if any(i.path.startswith(f"{path}.") for i in issues):
            continue
        try:
            out.append(Assignment(**fields))
        except ValidationError as err:
            issues += [Issue(f"{path}.{i.path}" if i.path else path, f"{i.message} ({loc})")
                       for i in issues_from_validation(err)]
    if issues:
        raise InputError(issues[:MAX_ISSUES], source)
    return Roster(assignments=tuple(out))


def _read_csv(p: Path) -> Roster:
    text = _read_text(p)
    try:
        reader = csv.reader(text.splitlines())
        table = list(reader)
    except csv.Error as exc:
        raise InputError([Issue("", f"not valid CSV: {exc}")], str(p)) from None
    if not table:
        raise InputError([Issue("", f"the file is empty; the first line must name the columns: {', '.join(COLUMNS)}")],
                         str(p))
    header = [h.strip() for h in table[0]]
    rows = []
    for line_no, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) > len(header):
            raise InputError([Issue(f"line {line_no}", f"{len(cells)} cells but the header names {len(header)} "
                                                       "columns; quote cells that contain commas")], str(p))
        rows.append((f"line {line_no}", dict(zip(header, cells, strict=False))))
    return _rows_to_roster(header, rows, str(p), "line 1 (header)")


def _read_xlsx(p: Path) -> Roster:
    import pandas as pd
    from openpyxl.utils.exceptions import InvalidFileException

    if not p.exists():
        raise InputError([Issue("", "file not found")], str(p))
    if p.is_dir():
        raise InputError([Issue("", "is a directory, not a roster file")], str(p))
    try:
        with pd.ExcelFile(p, engine="openpyxl") as book:
            if ROSTER_SHEET not in book.sheet_names:
                sheets = ", ".join(book.sheet_names)
                raise InputError([Issue("", f"no sheet named {ROSTER_SHEET!r} (sheets: {sheets})")], str(p))
            df = pd.read_excel(book, sheet_name=ROSTER_SHEET, dtype=object)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, EOFError):
        raise InputError([Issue("", "not a readable .xlsx workbook")], str(p)) from None
    except OSError as exc:
        raise InputError([Issue("", f"cannot read the file: {exc.strerror or exc}")], str(p)) from None
    header = [str(c) for c in df.columns if not str(c).startswith("Unnamed:")]
    rows = []
    for k, record in enumerate(df.to_dict(orient="records")):
        if all(_cell_text(v) == "" for v in record.values()):
            continue
        rows.append((f"sheet {ROSTER_SHEET}, row {k + 2}", {str(c): v for c, v in record.items()}))
    return _rows_to_roster(header, rows, str(p), f"sheet {ROSTER_SHEET}, row 1 (header)")


_READERS = {"json": _read_json, "csv": _read_csv, "xlsx": _read_xlsx}


def read_roster(path: str | Path) -> Roster:
    """Read a roster from JSON, CSV or XLSX (by suffix); InputError with file and path on bad content."""
    fmt = roster_format(path)
    return _READERS[fmt](Path(path))


def roster_bytes(roster: Roster, scenario: Scenario | Instance, suffix: str) -> bytes:
    """The roster file's content for a download (`suffix` one of SUFFIXES), without keeping a file."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"roster{suffix if suffix.startswith('.') else '.' + suffix}"
        write_roster(path, roster, scenario)
        return path.read_bytes()
