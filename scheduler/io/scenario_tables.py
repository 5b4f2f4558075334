"""A scenario as spreadsheet tables, both ways: for table editors, .xlsx workbooks and zipped CSV files.

`to_tables` flattens a Scenario into one DataFrame per table (`TABLES` gives the names and column
order); `scenario_from_tables` reads such tables back, as a table editor or a spreadsheet user left
them: blank cells mean "default / none", numbers may come as text, dates as text, datetimes or Excel
serial numbers. Every problem is reported as `table row N, column C: what is wrong; what is valid`,
with rows counted as a spreadsheet user counts data rows (the first row under the header is row 1).
Errors found by the scenario model itself (`radiologists[3].fte`) are mapped back to the cell the
value came from through a provenance map kept while the scenario dict is built.

Lists in one cell are separated by ";" (also "," or spaces); "(none)" states an empty list where a
blank cell would mean the default (a reader allowed no shift type, a need on no day). Forbidden
successions are written `a>b; c>d`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import operator
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from scheduler.errors import InputError, Issue
from scheduler.io.atomic import write_atomic
from scheduler.io.scenario_yaml import scenario_from_data
from scheduler.scenario import (
    CoverageNeed,
    DaySelector,
    History,
    Limit,
    ObjectiveWeights,
    Radiologist,
    Request,
    RuleSet,
    Scenario,
    ShiftKind,
    ShiftType,
    Site,
)

NONE_MARK = "(none)"  # an explicitly empty list, where a blank cell means the default
LIST_SEPARATOR = "; "
SUFFIXES = (".xlsx", ".zip")
IGNORED_SHEETS = frozenset({"readme", "read_me", "notes", "note"})  # documentation sheets/files, skipped
README_SHEET = "README"
MAX_ISSUES = 100
EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIAL_RANGE = (18264, 73415)  # 1950-01-01 .. 2100-12-31 as Excel day numbers
ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
_TRUE = {"true", "yes", "y", "1", "x", "oui", "vrai"}
_FALSE = {"false", "no", "n", "0", "non", "faux"}


# ---- layout ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column: how its cells parse (`kind`), where the value goes in the scenario (`field`, a dotted
    path inside the row's object; None for the parent-id column), where range bounds come from."""

    name: str
    kind: str  # id ids text code zone country choice choices int float bool date dates time pairs raw note
    help: str
    required: bool = False
    field: str | None = ""  # "" means the column name
    model: type[BaseModel] | None = None
    choices: tuple[str, ...] = ()
    ref: str | None = None  # the table whose ids this column names

    @property
    def path(self) -> str | None:
        return self.name if self.field == "" else self.field


@dataclass(frozen=True)
class Setting:
    """One row of the settings table: a key, how its value parses, and where it goes."""

    key: str
    kind: str
    path: str
    help: str
    required: bool = False
    model: type[BaseModel] | None = None
    model_field: str | None = None


DAYS = tuple(d.value for d in DaySelector)
KINDS = tuple(k.value for k in ShiftKind)
OWNER_KINDS = ("rule_set", "radiologist")
_DAYS_HELP = f"days it runs, separated by ';': {', '.join(DAYS)}"


def _c(name: str, kind: str, help: str, **kw: Any) -> Column:
    return Column(name, kind, help, **kw)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "settings": (
        _c("key", "code", "setting name (see the list of keys)", required=True, field=None),
        _c("value", "raw", "its value; blank means the default", required=True, field=None),
        _c("description", "note", "what the setting means (ignored on import)", field=None),
    ),
    "jurisdictions": (
        _c("id", "id", "license domain id, e.g. FR or US-TX", required=True),
        _c("name", "text", "display name"),
    ),
    "subspecialties": (
        _c("id", "id", "subspecialty id, e.g. neuro", required=True),
        _c("name", "text", "display name"),
    ),
    "shift_types": (
        _c("id", "id", "shift type id, e.g. night", required=True),
        _c("label", "text", "display label"),
        _c("start", "time", "local start time HH:MM", required=True),
        _c("end", "time", "local end time HH:MM; at or before start means the next day", required=True),
        _c("timezone", "zone", "zone of start/end; blank: the planning time zone"),
        _c("days", "choices", _DAYS_HELP + "; blank: all", choices=DAYS),
        _c("kind", "choice", f"one of {', '.join(KINDS)}; blank: day", choices=KINDS),
        _c("burden_points", "int", "fairness points per shift", model=ShiftType),
        _c("weekend_burden_points", "int", "points on a weekend; blank: as burden_points", model=ShiftType),
        _c("holiday_burden_points", "int", "points on a public holiday; blank: as burden_points", model=ShiftType),
        _c("work_fraction", "float", "share of the shift counted as working time (0-1]", model=ShiftType),
    ),
    "rule_sets": (
        _c("id", "id", "rule set id, e.g. fr_ph", required=True),
        _c("label", "text", "display label"),
        _c("min_rest_hours", "float", "minimum rest between shifts (hours)", model=RuleSet),
        _c("rest_after_night_hours", "float", "minimum rest after a night (hours)", model=RuleSet),
        _c("max_consecutive_days", "int", "longest run of working days; blank: no limit", model=RuleSet),
        _c("max_consecutive_nights", "int", "longest run of nights; blank: no limit", model=RuleSet),
        _c("min_days_off_after_nights", "int", "days off after a run of nights", model=RuleSet),
        _c("max_hours_rolling_7_days", "float", "hours in any 7 days; blank: no limit", model=RuleSet),
        _c("max_weekends", "int", "weekends worked in the horizon; blank: no limit", model=RuleSet),
        _c("complete_weekends", "bool", "true: Saturday and Sunday go together"),
        _c("forbidden_successions", "pairs", "shift a then b the next day is forbidden: 'a>b; c>d'"),
        _c("min_total_hours", "float", "minimum hours in the horizon; blank: none", model=RuleSet),
        _c("max_total_hours", "float", "maximum hours in the horizon; blank: none", model=RuleSet),
        _c("min_consecutive_days", "int", "shortest run of working days; blank: none", model=RuleSet),
        _c("min_consecutive_days_off", "int", "shortest run of days off; blank: none", model=RuleSet),
    ),
    "sites": (
        _c("id", "id", "site id", required=True),
        _c("name", "text", "display name"),
        _c("jurisdiction", "id", "jurisdiction whose license a reader needs here", required=True,
           ref="jurisdictions"),
        _c("timezone", "zone", "the site's IANA time zone, e.g. Europe/Paris", required=True),
        _c("holidays_country", "country", "public-holiday calendar (country code); blank: the horizon's",
           field="holidays.country"),
        _c("holidays_subdivision", "code", "region of that calendar, e.g. 57 or TX", field="holidays.subdivision"),
        _c("priority", "int", "cost weight of a missing reader here", model=Site),
    ),
    "coverage": (
        _c("site", "id", "site that needs readers", required=True, field=None, ref="sites"),
        _c("shift_type", "id", "on which shift type", required=True, ref="shift_types"),
        _c("days", "choices", _DAYS_HELP + "; blank: the shift type's days", choices=DAYS),
        _c("dates", "dates", "only on these dates, separated by ';'; blank: every day selected by days"),
        _c("subspecialty", "id", "required subspecialty; blank: any reader", ref="subspecialties"),
        _c("readers", "int", "readers needed", model=CoverageNeed),
        _c("max_readers", "int", "over-staffing allowed up to; blank: readers", model=CoverageNeed),
        _c("studies", "float", "expected studies per shift", model=CoverageNeed),
        _c("priority", "int", "cost weight of a missing reader for this need; blank: the site's", model=CoverageNeed),
        _c("overstaffing_weight", "int", "cost per reader beyond readers", model=CoverageNeed),
    ),
    "radiologists": (
        _c("id", "id", "reader id", required=True),
        _c("name", "text", "display name"),
        _c("email", "code", "email address"),
        _c("timezone", "zone", "the reader's time zone"),
        _c("rule_set", "id", "working-time rule set", required=True, ref="rule_sets"),
        _c("fte", "float", "full-time equivalent (0-1], for fair shares", model=Radiologist),
        _c("subspecialties", "ids", "subspecialties, separated by ';'", ref="subspecialties"),
        _c("allowed_shift_types", "ids", f"shift types allowed, separated by ';'; blank: all; {NONE_MARK}: none",
           ref="shift_types"),
        _c("studies_per_hour", "float", "reading speed", model=Radiologist),
        _c("history_burden_points", "int", "burden points from earlier months", field="history.burden_points",
           model=History),
        _c("history_work_hours", "float", "hours from earlier months", field="history.work_hours", model=History),
        _c("history_nights", "int", "nights from earlier months", field="history.nights", model=History),
        _c("history_weekends", "int", "weekends from earlier months", field="history.weekends", model=History),
        _c("history_holidays", "int", "holidays from earlier months", field="history.holidays", model=History),
    ),
    "licenses": (
        _c("radiologist", "id", "reader id", required=True, field=None, ref="radiologists"),
        _c("jurisdiction", "id", "jurisdiction licensed in", required=True, ref="jurisdictions"),
        _c("valid_from", "date", "first valid date; blank: open"),
        _c("valid_until", "date", "last valid date; blank: open"),
    ),
    "privileges": (
        _c("radiologist", "id", "reader id", required=True, field=None, ref="radiologists"),
        _c("site", "id", "site privileged at", required=True, ref="sites"),
        _c("valid_from", "date", "first valid date; blank: open"),
        _c("valid_until", "date", "last valid date; blank: open"),
    ),
    "leave": (
        _c("radiologist", "id", "reader id", required=True, field=None, ref="radiologists"),
        _c("start", "date", "first date off", required=True),
        _c("end", "date", "last date off", required=True),
        _c("reason", "text", "reason; blank: leave"),
    ),
    "requests": (
        _c("radiologist", "id", "reader id", required=True, field=None, ref="radiologists"),
        _c("kind", "choice", "want or avoid", required=True, choices=("want", "avoid")),
        _c("shift_type", "id", "shift type; blank: any shift", ref="shift_types"),
        _c("dates", "dates", "dates, separated by ';'", required=True),
        _c("weight", "int", "importance 1-100", model=Request),
    ),
    "limits": (
        _c("owner_kind", "choice", "rule_set or radiologist", required=True, field=None, choices=OWNER_KINDS),
        _c("owner", "id", "id of that rule set or radiologist", required=True, field=None),
        _c("shift_type", "id", "shift type counted", required=True, field=None, ref="shift_types"),
        _c("min", "int", "minimum count; blank: none", model=Limit),
        _c("max", "int", "maximum count; blank: none", model=Limit),
    ),
    "history": (
        _c("radiologist", "id", "reader id", required=True, field=None, ref="radiologists"),
        _c("shift_type", "id", "shift type worked", required=True, ref="shift_types"),
        _c("date", "date", "date the shift started (before the horizon)", required=True),
    ),
}

TABLES: dict[str, list[str]] = {name: [c.name for c in cols] for name, cols in COLUMNS.items()}
REQUIRED_TABLES = ("settings", "jurisdictions", "shift_types", "rule_sets", "sites", "radiologists")
COLUMN_HELP: dict[str, dict[str, str]] = {name: {c.name: c.help for c in cols} for name, cols in COLUMNS.items()}

SETTINGS: tuple[Setting, ...] = (
    Setting("name", "text", "name", "scenario name"),
    Setting("horizon_start", "date", "horizon.start", "first planned date (YYYY-MM-DD)", required=True),
    Setting("horizon_end", "date", "horizon.end", "last planned date (YYYY-MM-DD)", required=True),
    Setting("timezone", "zone", "horizon.timezone", "planning time zone of shift times, e.g. Europe/Paris"),
    Setting("holidays_country", "country", "horizon.holidays.country",
            "public-holiday calendar (country code, e.g. FR); blank: none"),
    Setting("holidays_subdivision", "code", "horizon.holidays.subdivision", "region of that calendar; blank: none"),
) + tuple(
    Setting(f"weight_{name}", "int", f"objective.{name}", f"objective weight {info.description}",
            model=ObjectiveWeights, model_field=name)
    for name, info in ObjectiveWeights.model_fields.items()
)
SETTING_BY_KEY = {s.key: s for s in SETTINGS}

_LISTS = {  # top-level scenario lists filled from one table each
    "jurisdictions": "jurisdictions", "subspecialties": "subspecialties", "shift_types": "shift_types",
    "rule_sets": "rule_sets", "sites": "sites", "radiologists": "radiologists",
}
_CHILDREN = {  # table -> (parent table, key column, list field in the parent)
    "coverage": ("sites", "site", "coverage"),
    "licenses": ("radiologists", "radiologist", "licenses"),
    "privileges": ("radiologists", "radiologist", "privileges"),
    "leave": ("radiologists", "radiologist", "leave"),
    "requests": ("radiologists", "radiologist", "requests"),
    "history": ("radiologists", "radiologist", "history.shifts"),
}


# ---- scenario -> tables ------------------------------------------------------------------------
def _hhmm(t: dt.time) -> str:
    return t.strftime("%H:%M") if not (t.second or t.microsecond) else t.isoformat()


def _joined(items: Any) -> str | None:
    """A list as one cell: None stays blank, an empty list is `(none)`."""
    if items is None:
        return None
    return LIST_SEPARATOR.join(str(getattr(i, "value", i)) for i in items) if items else NONE_MARK


def _settings_rows(sc: Scenario) -> list[dict[str, Any]]:
    hol = sc.horizon.holidays
    values: dict[str, Any] = {
        "name": sc.name,
        "horizon_start": sc.horizon.start.isoformat(),
        "horizon_end": sc.horizon.end.isoformat(),
        "timezone": sc.horizon.timezone,
        "holidays_country": hol.country if hol else None,
        "holidays_subdivision": hol.subdivision if hol else None,
    }
    for name in ObjectiveWeights.model_fields:
        values[f"weight_{name}"] = str(getattr(sc.objective, name))
    return [{"key": s.key, "value": values[s.key], "description": s.help} for s in SETTINGS]


def _validity(v: Any) -> dict[str, Any]:
    return {"valid_from": v.valid_from, "valid_until": v.valid_until}


def _limit_rows(kind: str, owner: str, limits: Mapping[str, Limit]) -> list[dict[str, Any]]:
    return [{"owner_kind": kind, "owner": owner, "shift_type": t, "min": lim.min, "max": lim.max}
            for t, lim in limits.items()]


def _frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame with the table's columns and editor-friendly dtypes (nullable ints, str text)."""
    data: dict[str, pd.Series] = {}
    for col in COLUMNS[name]:
        values = [row.get(col.name) for row in rows]
        if col.kind == "int":
            data[col.name] = pd.Series(values, dtype="Int64")
        elif col.kind == "float":
            data[col.name] = pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
        elif col.kind == "bool":
            data[col.name] = pd.Series([bool(v) for v in values], dtype="bool")
        elif col.kind in ("date", "time"):
            data[col.name] = pd.Series(values, dtype=object)
        else:
            data[col.name] = pd.Series(values, dtype="str")
    return pd.DataFrame(data, columns=TABLES[name])


def to_tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Every table of `TABLES` (empty ones too) holding the whole scenario; `scenario_from_tables` inverts it."""
    sc = scenario
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    rows["settings"] = _settings_rows(sc)
    rows["jurisdictions"] = [{"id": j.id, "name": j.name} for j in sc.jurisdictions]
    rows["subspecialties"] = [{"id": s.id, "name": s.name} for s in sc.subspecialties]
    for t in sc.shift_types:
        rows["shift_types"].append({
            "id": t.id, "label": t.label, "start": t.start, "end": t.end, "timezone": t.timezone,
            "days": _joined(t.days), "kind": t.kind.value, "burden_points": t.burden_points,
            "weekend_burden_points": t.weekend_burden_points, "holiday_burden_points": t.holiday_burden_points,
            "work_fraction": t.work_fraction,
        })
    for rs in sc.rule_sets:
        row = {c.name: getattr(rs, c.name) for c in COLUMNS["rule_sets"] if c.name != "forbidden_successions"}
        row["forbidden_successions"] = LIST_SEPARATOR.join(f"{a}>{b}" for a, b in rs.forbidden_successions)
        rows["rule_sets"].append(row)
        rows["limits"] += _limit_rows("rule_set", rs.id, rs.shift_limits)
    for site in sc.sites:
        rows["sites"].append({
            "id": site.id, "name": site.name, "jurisdiction": site.jurisdiction, "timezone": site.timezone,
            "holidays_country": site.holidays.country if site.holidays else None,
            "holidays_subdivision": site.holidays.subdivision if site.holidays else None,
            "priority": site.priority,
        })
        for need in site.coverage:
            rows["coverage"].append({
                "site": site.id, "shift_type": need.shift_type, "days": _joined(need.days),
                "dates": LIST_SEPARATOR.join(d.isoformat() for d in need.dates) if need.dates else None,
                "subspecialty": need.subspecialty, "readers": need.readers, "max_readers": need.max_readers,
                "studies": need.studies, "priority": need.priority, "overstaffing_weight": need.overstaffing_weight,
            })
    for r in sc.radiologists:
        h = r.history
        rows["radiologists"].append({
            "id": r.id, "name": r.name, "email": r.email, "timezone": r.timezone, "rule_set": r.rule_set,
            "fte": r.fte, "subspecialties": LIST_SEPARATOR.join(r.subspecialties),
            "allowed_shift_types": _joined(r.allowed_shift_types), "studies_per_hour": r.studies_per_hour,
            "history_burden_points": h.burden_points, "history_work_hours": h.work_hours,
            "history_nights": h.nights, "history_weekends": h.weekends, "history_holidays": h.holidays,
        })
        rows["licenses"] += [{"radiologist": r.id, "jurisdiction": x.jurisdiction, **_validity(x)} for x in r.licenses]
        rows["privileges"] += [{"radiologist": r.id, "site": x.site, **_validity(x)} for x in r.privileges]
        rows["leave"] += [{"radiologist": r.id, "start": x.start, "end": x.end, "reason": x.reason} for x in r.leave]
        rows["requests"] += [
            {"radiologist": r.id, "kind": q.kind, "shift_type": q.shift_type,
             "dates": LIST_SEPARATOR.join(d.isoformat() for d in q.dates), "weight": q.weight}
            for q in r.requests
        ]
        rows["limits"] += _limit_rows("radiologist", r.id, r.shift_limits)
        rows["history"] += [{"radiologist": r.id, "shift_type": x.shift_type, "date": x.date} for x in h.shifts]
    return {name: _frame(name, rows[name]) for name in TABLES}


# ---- cells ---------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """numpy scalars as Python values; pandas Timestamps as datetimes."""
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _missing(value: Any) -> bool:
    """None, NaN, NA, NaT, blank text or an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | np.ndarray):
        return len(value) == 0
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    """Any cell as text: whole floats lose their '.0', dates are ISO, times HH:MM."""
    value = _plain(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _hhmm(value)
    return str(value)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _range_text(bounds: list[tuple[str, Any]]) -> str:
    words = {"gt": "greater than", "ge": "at least", "lt": "less than", "le": "at most"}
    return " and ".join(f"{words[op]} {_num(v)}" for op, v in bounds)


def _bounds(model: type[BaseModel] | None, name: str | None) -> list[tuple[str, Any]]:
    """The numeric bounds (gt/ge/lt/le) a model field declares."""
    if model is None or name is None or name not in model.model_fields:
        return []
    out = []
    for meta in model.model_fields[name].metadata:
        for op in ("gt", "ge", "lt", "le"):
            bound = getattr(meta, op, None)
            if bound is not None:
                out.append((op, bound))
    return out


_COMPARE = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


def _check_range(x: float, bounds: list[tuple[str, Any]]) -> None:
    if not all(_COMPARE[op](x, b) for op, b in bounds):
        raise ValueError(f"must be {_range_text(bounds)} (got {_num(x)})")


def _number_text(value: Any) -> str:
    text = _text(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("_", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as French spreadsheets write it
    return text


def _expect(what: str, bounds: list[tuple[str, Any]]) -> str:
    return f"write {what}" + (f" {_range_text(bounds)}" if bounds else "")


def parse_int(value: Any, bounds: list[tuple[str, Any]] | None = None) -> int:
    """A whole number from an int, a whole float or text such as '3' or '3.0'."""
    bounds = bounds or []
    value = _plain(value)
    hint = _expect("a whole number", bounds)
    if isinstance(value, bool):
        raise ValueError(f"not a whole number (got {value}); {hint}")
    if isinstance(value, int):
        n = value
    else:
        try:
            x = float(value) if isinstance(value, float) else float(_number_text(value))
        except ValueError:
            raise ValueError(f"not a whole number (got {_text(value)!r}); {hint}") from None
        if not math.isfinite(x) or not x.is_integer():
            raise ValueError(f"not a whole number (got {_text(value)}); {hint}")
        n = int(x)
    _check_range(n, bounds)
    return n


def parse_float(value: Any, bounds: list[tuple[str, Any]] | None = None) -> float:
    """A number from an int, a float or text such as '0.5' or '0,5'."""
    bounds = bounds or []
    value = _plain(value)
    hint = _expect("a number", bounds)
    if isinstance(value, bool):
        raise ValueError(f"not a number (got {value}); {hint}")
    if isinstance(value, int | float):
        x = float(value)
    else:
        try:
            x = float(_number_text(value))
        except ValueError:
            raise ValueError(f"not a number (got {_text(value)!r}); {hint}") from None
    if not math.isfinite(x):
        raise ValueError(f"not a finite number (got {_text(value)!r}); {hint}")
    _check_range(x, bounds)
    return x


def parse_bool(value: Any) -> bool:
    """true/false from a bool, 1/0, or text such as yes/no, true/false, x."""
    value = _plain(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _text(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not true or false (got {_text(value)!r}); write true or false (yes/no and 1/0 work too)")


_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_date(value: Any) -> dt.date:
    """A date from a date, a midnight datetime or Timestamp, an Excel day number or YYYY-MM-DD text."""
    value = _plain(value)
    hint = "write the date as YYYY-MM-DD, e.g. 2026-03-02"
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise ValueError(f"a date and time (got {value.isoformat(sep=' ')}); {hint} without a time of day")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        lo, hi = EXCEL_SERIAL_RANGE
        if float(value).is_integer() and lo <= value <= hi:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(f"not a date (got {_text(value)}); {hint}")
    text = _text(value).strip()
    match = _DATE_RE.match(text)
    try:
        if match:
            return dt.date(*(int(g) for g in match.groups()))
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date (got {text!r}); {hint}") from None
    if moment.time() != dt.time():
        raise ValueError(f"a date and time (got {text!r}); {hint} without a time of day")
    return moment.date()


_TIME_RE = re.compile(r"^(\d{1,2})\s*[:hH.]\s*(\d{2})(?::(\d{2}))?$")


def parse_time(value: Any) -> dt.time:
    """A time of day from a time, an Excel day fraction or text such as 08:30, 8:30, 8h30 or 18:30:00."""
    value = _plain(value)
    hint = "write the time as HH:MM, e.g. 08:30 (00:00 for midnight)"
    if isinstance(value, dt.datetime):
        if value.date() in (EXCEL_EPOCH, dt.date(1899, 12, 31), dt.date(1900, 1, 1)):
            return value.time()
        raise ValueError(f"a date and time (got {value.isoformat(sep=' ')}); {hint}")
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.timedelta) and dt.timedelta(0) <= value < dt.timedelta(days=1):
        return (dt.datetime.min + value).time()
    if isinstance(value, float) and 0 <= value < 1:  # Excel stores a time of day as a fraction of a day
        seconds = round(value * 86400)
        if seconds < 86400:
            return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    text = _text(value).strip()
    match = _TIME_RE.match(text)
    if match:
        h, m, s = int(match[1]), int(match[2]), int(match[3] or 0)
        if h < 24 and m < 60 and s < 60:
            return dt.time(h, m, s)
        if (h, m, s) == (24, 0, 0):
            raise ValueError(f"24:00 is not a time of day; {hint}")
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time of day (got {text!r}); {hint}") from None


def parse_id(value: Any) -> str:
    """An id: 1-80 letters, digits or _ . : - (ids are case-sensitive)."""
    text = _text(value).strip()
    if not ID_RE.match(text):
        raise ValueError(f"not a valid id (got {text!r}); use 1 to 80 letters, digits or _ . : - without spaces")
    return text


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    text = re.sub(r"[\s-]+", "_", _text(value).strip().lower())
    if text not in choices:
        raise ValueError(f"unknown value {_text(value).strip()!r}; use one of {', '.join(choices)}")
    return text


def _items(value: Any) -> list[Any]:
    """The items of a list cell; [] for `(none)`; a list value (from a list editor column) as is."""
    value = _plain(value)
    if isinstance(value, list | tuple | np.ndarray):
        return [v for v in value if not _missing(v)]
    if isinstance(value, str):
        if value.strip().lower() == NONE_MARK:
            return []
        return [part for part in re.split(r"[;,\s]+", value.strip()) if part]
    return [value]


def _each(items: list[Any], parse: Callable[[Any], Any]) -> list[Any]:
    out = []
    for k, item in enumerate(items, start=1):
        try:
            out.append(parse(item))
        except ValueError as exc:
            raise ValueError(f"item {k}: {exc}" if len(items) > 1 else str(exc)) from None
    return out


def _pairs(value: Any) -> list[list[str]]:
    text = re.sub(r"\s*(?:->|→|>)\s*", ">", _text(value).strip())
    if text.lower() == NONE_MARK:
        return []
    out = []
    for k, item in enumerate(p for p in re.split(r"[;,\s]+", text) if p):
        parts = item.split(">")
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"item {k + 1} ({item!r}) is not a pair; write pairs as 'a>b; c>d'")
        out.append([parse_id(parts[0]), parse_id(parts[1])])
    return out


def parse_cell(value: Any, kind: str, *, bounds: list[tuple[str, Any]] | None = None,
               choices: tuple[str, ...] = ()) -> Any:
    """Parse one non-blank cell of the given column kind; ValueError says what is wrong and what is valid."""
    if kind == "raw":
        return value
    if kind == "text":
        return _text(value)
    if kind in ("code", "zone"):
        return _text(value).strip()
    if kind == "country":
        return _text(value).strip().upper()
    if kind == "id":
        return parse_id(value)
    if kind == "int":
        return parse_int(value, bounds)
    if kind == "float":
        return parse_float(value, bounds)
    if kind == "bool":
        return parse_bool(value)
    if kind == "date":
        return parse_date(value)
    if kind == "time":
        return parse_time(value)
    if kind == "choice":
        return _choice(value, choices)
    if kind == "choices":
        return _each(_items(value), lambda v: _choice(v, choices))
    if kind == "ids":
        return _each(_items(value), parse_id)
    if kind == "dates":
        return _each(_items(value), parse_date)
    if kind == "pairs":
        return _pairs(value)
    raise AssertionError(f"unknown column kind {kind}")


def _hint(kind: str, choices: tuple[str, ...] = ()) -> str:
    return {
        "id": "give an id (letters, digits, _ . : -)",
        "date": "give a date as YYYY-MM-DD",
        "dates": "give one or more dates as YYYY-MM-DD, separated by ';'",
        "time": "give a time as HH:MM",
        "zone": "give an IANA time zone such as Europe/Paris",
        "choice": f"give one of {', '.join(choices)}",
    }.get(kind, "give a value")


# ---- tables -> scenario ----------------------------------------------------------------------------
def _norm(name: Any) -> str:
    """A table or column name as compared: trimmed, lower case, spaces and hyphens as '_'."""
    return re.sub(r"[\s-]+", "_", str(name).strip().lower())


def _unnamed(name: Any) -> bool:
    """A header cell left blank (or pandas' 'Unnamed: 3' for one)."""
    return _missing(name) or str(name).startswith("Unnamed:")


def _listing(ids: list[str]) -> str:
    shown = ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "")
    return shown or "none defined"


def _suggest(name: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}? " if close else ""


@dataclass(frozen=True)
class Loc:
    """Where a value came from: table, data row (1-based), column, and a settings key."""

    table: str
    row: int | None = None
    column: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        out = self.table
        if self.row is not None:
            out += f" row {self.row}" + (f" ({self.key})" if self.key else "")
        if self.column is not None:
            out += f", column {self.column}"
        return out


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


_PATH_TOKEN = re.compile(r"\[[^\]]*\]|[^.\[]+")


@dataclass
class _Builder:
    """Parses tables into a scenario dict, keeping where each value came from (model path -> Loc)."""

    issues: list[tuple[Loc | str, str]] = field(default_factory=list)
    prov: dict[str, Loc] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)

    def problem(self, where: Loc | str, message: str) -> None:
        self.issues.append((where, message))

    # -- structure
    def check_structure(self, tables: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
        """Known tables by normalized name; problems with table names and columns."""
        found: dict[str, pd.DataFrame] = {}
        names = list(TABLES)
        for raw, df in tables.items():
            name = _norm(raw)
            if name not in TABLES:
                self.problem(str(raw), f"unknown table; {_suggest(name, names)}the tables are {', '.join(names)}")
            elif name in found:
                self.problem(str(raw), f"table {name} is given twice; merge the two")
            elif not isinstance(df, pd.DataFrame):
                self.problem(name, f"not a table (got {type(df).__name__}); give a pandas DataFrame")
            else:
                found[name] = df
                self._check_columns(name, df)
                if name in _LISTS:
                    ids = [_text(v).strip() for v in _column(df, "id") if not _missing(v)]
                    ids = [i for i in ids if ID_RE.match(i)]
                    self.ids[name] = list(dict.fromkeys(ids))
        for name in REQUIRED_TABLES:
            if name not in found and name not in {_norm(r) for r in tables}:
                self.problem(name, "required table is missing; a scenario needs the tables "
                                   f"{', '.join(REQUIRED_TABLES)} (sheets of a workbook or <table>.csv files)")
        return found

    def _check_columns(self, name: str, df: pd.DataFrame) -> None:
        valid = TABLES[name]
        if len(df.columns) == 0 and len(df) == 0:
            return  # an empty sheet or file: an empty table
        seen: set[str] = set()
        for pos, raw in enumerate(df.columns):
            if _unnamed(raw):
                if not all(_missing(v) for v in df.iloc[:, pos]):
                    self.problem(Loc(name, column=f"#{pos + 1}"),
                                 f"the column has values but no header; name it one of {', '.join(valid)}")
                continue
            col = _norm(raw)
            if col not in valid:
                self.problem(Loc(name, column=str(raw)),
                             f"unknown column; {_suggest(col, valid)}the columns of {name} are {', '.join(valid)}")
            elif col in seen:
                self.problem(Loc(name, column=str(raw)), "the column appears twice; keep one")
            seen.add(col)
        for col in COLUMNS[name]:
            if col.required and col.name not in seen:
                self.problem(Loc(name, column=col.name),
                             f"required column is missing; add a column named {col.name!r} ({col.help})")

    # -- cells
    def rows(self, name: str, df: pd.DataFrame | None) -> list[_Row]:
        """The non-blank rows of a table with their parsed cells; unparsable cells are reported and left out."""
        if df is None:
            return []
        cols = {c.name: c for c in COLUMNS[name]}
        header = [None if _unnamed(c) else _norm(c) for c in df.columns]
        out = []
        for pos, record in enumerate(df.itertuples(index=False, name=None)):
            cells = {h: v for h, v in zip(header, record, strict=True) if h in cols and cols[h].kind != "note"}
            if all(_missing(v) for v in cells.values()):
                continue  # a blank row (an editor's new row left empty, a spacer line)
            row = _Row(pos + 1, {})
            for col_name, value in cells.items():
                col = cols[col_name]
                loc = Loc(name, row.number, col_name)
                if _missing(value):
                    if col.required and name != "settings":  # settings keys and values are checked per key
                        self.problem(loc, f"required; the cell is empty ({self._need(col)})")
                    continue
                try:
                    row.values[col_name] = parse_cell(value, col.kind, bounds=_bounds(col.model, col.name),
                                                      choices=col.choices)
                except ValueError as exc:
                    self.problem(loc, str(exc))
            out.append(row)
        return out

    def _need(self, col: Column) -> str:
        if col.ref:
            return f"give one of the ids in the {col.ref} table: {_listing(self.ids.get(col.ref, []))}"
        return _hint(col.kind, col.choices)

    # -- building
    def settings(self, rows: list[_Row], data: dict[str, Any]) -> None:
        keys = [s.key for s in SETTINGS]
        seen: dict[str, int] = {}
        self.prov["horizon"] = Loc("settings")
        for row in rows:
            key = _norm(row.values.get("key", ""))
            if not key:
                self.problem(Loc("settings", row.number, "key"), f"the key is empty; use one of {', '.join(keys)}")
                continue
            if key not in SETTING_BY_KEY:
                self.problem(Loc("settings", row.number, "key"),
                             f"unknown setting {key!r}; {_suggest(key, keys)}the settings are {', '.join(keys)}")
                continue
            if key in seen:
                self.problem(Loc("settings", row.number, "key"),
                             f"setting {key} is given twice (also in row {seen[key]}); keep one")
                continue
            seen[key] = row.number
            s = SETTING_BY_KEY[key]
            loc = Loc("settings", row.number, "value", key)
            self.prov[s.path] = loc
            raw = row.values.get("value")
            if _missing(raw):
                if s.required:
                    self.problem(loc, f"required; the value is empty ({s.help})")
                continue
            try:
                value = parse_cell(raw, s.kind, bounds=_bounds(s.model, s.model_field))
            except ValueError as exc:
                self.problem(loc, str(exc))
                continue
            _put(data, s.path, value)
        for s in SETTINGS:
            if s.required and s.key not in seen:
                where = Loc("settings", column="key")
                self.problem(where, f"required setting {s.key!r} is missing; add a row with key {s.key} and "
                                    f"value: {s.help}")
                self.prov[s.path] = self.prov[s.path.split(".")[0]] = where
        hol = data.get("horizon", {}).get("holidays")
        if hol is not None and "country" not in hol:
            self.problem(self.prov["horizon.holidays.subdivision"],
                         "a subdivision needs a calendar; set holidays_country too (e.g. FR)")
            del data["horizon"]["holidays"]

    def item(self, table: str, row: _Row, path: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """The object a row describes, registering where each of its fields came from."""
        self.prov[path] = Loc(table, row.number)
        out: dict[str, Any] = {}
        for col in COLUMNS[table]:
            if col.path is None or col.name in skip:
                continue
            self.prov[f"{path}.{col.path}"] = Loc(table, row.number, col.name)
            if col.name in row.values:
                _put(out, col.path, row.values[col.name])
        if "holidays" in out and "country" not in out["holidays"]:
            self.problem(Loc(table, row.number, "holidays_subdivision"),
                         "a subdivision needs a calendar; fill holidays_country too (e.g. FR)")
            del out["holidays"]
        return out

    def entities(self, table: str, rows: list[_Row], data: dict[str, Any]) -> dict[str, int]:
        """A top-level list (sites, radiologists...): index of each id's first row; duplicates reported."""
        key = _LISTS[table]
        self.prov[key] = Loc(table)
        items: list[dict[str, Any]] = []
        first: dict[str, int] = {}
        index: dict[str, int] = {}
        for row in rows:
            obj = self.item(table, row, f"{key}[{len(items)}]")
            rid = obj.get("id")
            if rid is not None:
                if rid in first:
                    self.problem(Loc(table, row.number, "id"),
                                 f"duplicate id {rid!r} (first in row {first[rid]}); ids must be unique")
                else:
                    first[rid] = row.number
                    index[rid] = len(items)
            items.append(obj)
        data[key] = items
        return index

    def parent(self, table: str, row: _Row, column: str, parent_table: str, index: dict[str, int]) -> int | None:
        """The index of the parent a child row names; None (reported) when it names no known parent."""
        pid = row.values.get(column)
        if pid is None:
            return None  # empty or invalid: already reported
        if pid not in index:
            what = parent_table.rstrip("s").replace("_", " ")
            defined = _listing(self.ids.get(parent_table, []))
            self.problem(Loc(table, row.number, column),
                         f"unknown {what} {pid!r}; defined in the {parent_table} table: {defined}")
            return None
        return index[pid]

    def children(self, table: str, rows: list[_Row], data: dict[str, Any], index: dict[str, int]) -> None:
        parent_table, column, list_field = _CHILDREN[table]
        for row in rows:
            k = self.parent(table, row, column, parent_table, index)
            if k is None:
                continue
            owner = data[_LISTS[parent_table]][k]
            target = owner
            for part in list_field.split(".")[:-1]:
                target = target.setdefault(part, {})
            items = target.setdefault(list_field.split(".")[-1], [])
            items.append(self.item(table, row, f"{_LISTS[parent_table]}[{k}].{list_field}[{len(items)}]"))

    def limits(self, rows: list[_Row], data: dict[str, Any], owners: dict[str, dict[str, int]]) -> None:
        seen: dict[tuple[str, str, str], int] = {}
        for row in rows:
            kind, t = row.values.get("owner_kind"), row.values.get("shift_type")
            if kind is None or t is None:
                continue
            table = "rule_sets" if kind == "rule_set" else "radiologists"
            k = self.parent("limits", row, "owner", table, owners[table])
            if k is None:
                continue
            dup = (kind, row.values["owner"], t)
            if dup in seen:
                self.problem(Loc("limits", row.number, "shift_type"),
                             f"a second limit for {t} of {kind} {dup[1]} (first in row {seen[dup]}); "
                             "give one row per shift type")
                continue
            seen[dup] = row.number
            path = f"{table}[{k}].shift_limits.{t}"
            self.prov[path] = Loc("limits", row.number, "shift_type")
            limit = {}
            for col in ("min", "max"):
                self.prov[f"{path}.{col}"] = Loc("limits", row.number, col)
                if col in row.values:
                    limit[col] = row.values[col]
            data[table][k].setdefault("shift_limits", {})[t] = limit

    def locate(self, path: str) -> Loc | None:
        """The Loc of a model path, or of its nearest registered ancestor."""
        tokens = _PATH_TOKEN.findall(path)
        while tokens:
            candidate = "".join(t if t.startswith("[") or i == 0 else f".{t}" for i, t in enumerate(tokens))
            if candidate in self.prov:
                return self.prov[candidate]
            tokens.pop()
        return None


def _column(df: pd.DataFrame, name: str) -> list[Any]:
    """The cells of the column whose normalized name is `name` (none if absent)."""
    for pos, raw in enumerate(df.columns):
        if not _unnamed(raw) and _norm(raw) == name:
            return list(df.iloc[:, pos])
    return []


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _reword(message: str, loc: Loc | None) -> str:
    """Pydantic's wording made into a spreadsheet user's."""
    if message == "required field is missing":
        return "required; the cell is empty"
    if re.match(r"(List|Tuple) should have at least 1 item", message):
        return "the table has no rows; add at least one" if loc and loc.row is None else "empty; give at least one"
    if message.startswith("String should match pattern"):
        return "not a valid id; use 1 to 80 letters, digits or _ . : - without spaces"
    return message


def scenario_from_tables(tables: Mapping[str, pd.DataFrame], source: str | None = None) -> Scenario:
    """Build and validate a Scenario from tables shaped like `to_tables` output (as edited by a person).

    Raises InputError (with `source`) whose issues read `table row N, column C: what is wrong; what is
    valid`; row N counts data rows from 1. Model errors are mapped back to the cell they came from.
    """
    b = _Builder()
    found = b.check_structure(tables)
    if b.issues:
        raise InputError([Issue(str(w), m) for w, m in b.issues], source)
    parsed = {name: b.rows(name, found.get(name)) for name in TABLES if name != "settings"}
    data: dict[str, Any] = {}
    b.settings(b.rows("settings", found.get("settings")), data)
    index = {name: b.entities(name, parsed[name], data) for name in _LISTS}
    for name in _CHILDREN:
        b.children(name, parsed[name], data, index[_CHILDREN[name][0]])
    b.limits(parsed["limits"], data, index)
    try:
        scenario = scenario_from_data(data, source)
    except InputError as err:
        reported = {str(w) for w, _ in b.issues}
        for issue in err.issues:
            loc = b.locate(issue.path)
            where = str(loc) if loc is not None else issue.path
            if where in reported:
                continue  # the cell's own problem is already said
            b.problem(where, _reword(issue.message, loc))
        scenario = None
    if b.issues:
        issues = [Issue(str(w), m) for w, m in b.issues]
        if len(issues) > MAX_ISSUES:
            issues = issues[:MAX_ISSUES] + [Issue("", f"... and {len(issues) - MAX_ISSUES} more problems")]
        raise InputError(issues, source)
    assert scenario is not None
    return scenario


# ---- files ---------------------------------------------------------------------------------------
def _fail(path: Path | str, message: str, where: str = "") -> InputError:
    return InputError([Issue(where, message)], str(path))


def _ignored(stem: str) -> bool:
    return _norm(stem) in IGNORED_SHEETS or stem.startswith(".")


def _csv_frame(text: str, path: Path, member: str) -> pd.DataFrame:
    """A CSV text as a DataFrame of strings, keeping blank lines so row numbers match the file."""
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _fail(path, f"not valid CSV: {exc}", member) from None
    if not lines:
        return pd.DataFrame()
    header = [h.strip() for h in lines[0]]
    rows = []
    for number, cells in enumerate(lines[1:], start=1):
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            raise _fail(path, f"row {number} has {len(cells)} cells but the header names {len(header)} columns; "
                              "quote cells that contain commas", member)
        rows.append((cells + [""] * len(header))[: len(header)])
    return pd.DataFrame(rows, columns=header, dtype=object)


def _decode(raw: bytes, path: Path, member: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8 text; save it as CSV UTF-8", member) from None


def _read_xlsx(p: Path) -> dict[str, pd.DataFrame]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, EOFError, ValueError):
        raise _fail(p, "not a readable .xlsx workbook; save it from your spreadsheet program as .xlsx") from None
    except OSError as exc:
        raise _fail(p, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        out = {}
        for sheet in book.worksheets:
            if _ignored(sheet.title):
                continue
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            while rows and all(_missing(v) for v in rows[-1]):
                rows.pop()
            if not rows:
                if _norm(sheet.title) in TABLES:
                    out[sheet.title] = pd.DataFrame()
                continue  # an empty sheet such as a new workbook's Sheet1 is nothing
            width = max(len(r) for r in rows)
            rows = [r + [None] * (width - len(r)) for r in rows]
            while width and all(_missing(r[width - 1]) for r in rows):
                width -= 1
            header = [("" if h is None else str(h)) for h in rows[0][:width]]
            out[sheet.title] = pd.DataFrame([r[:width] for r in rows[1:]], columns=header, dtype=object)
        return out
    finally:
        book.close()


def _read_zip(p: Path) -> dict[str, pd.DataFrame]:
    try:
        with zipfile.ZipFile(p) as zf:
            members = [i for i in zf.infolist() if not i.is_dir()]
            out: dict[str, pd.DataFrame] = {}
            for info in members:
                parts = Path(info.filename).parts
                if any(part.startswith(("__MACOSX", ".")) for part in parts) or not info.filename.lower().endswith(
                        ".csv"):
                    continue
                stem = Path(info.filename).stem
                if _ignored(stem):
                    continue
                if stem in out:
                    raise _fail(p, f"two files for table {stem}; keep one", info.filename)
                out[stem] = _csv_frame(_decode(zf.read(info), p, info.filename), p, info.filename)
    except (zipfile.BadZipFile, EOFError):
        raise _fail(p, "not a readable .zip archive") from None
    except OSError as exc:
        raise _fail(p, f"cannot read the file: {exc.strerror or exc}") from None
    if not out:
        raise _fail(p, f"no .csv files inside; expected files named <table>.csv: {', '.join(TABLES)}")
    return out


def _read_dir(p: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for f in sorted(p.iterdir()):
        if f.is_file() and f.suffix.lower() == ".csv" and not _ignored(f.stem):
            try:
                raw = f.read_bytes()
            except OSError as exc:
                raise _fail(p, f"cannot read the file: {exc.strerror or exc}", f.name) from None
            out[f.stem] = _csv_frame(_decode(raw, p, f.name), p, f.name)
    if not out:
        raise _fail(p, f"no .csv files in the folder; expected files named <table>.csv: {', '.join(TABLES)}")
    return out


def read_tables(path: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of an .xlsx workbook (a sheet each), a .zip of CSV files or a folder of CSV files.

    Sheets or files named README or Notes, and empty sheets that are not tables, are skipped; any other
    name is returned as is, so that `scenario_from_tables` reports it if it is not a table. InputError
    names the file on failure.
    """
    p = Path(path)
    if not p.exists():
        raise _fail(p, "file not found")
    if p.is_dir():
        return _read_dir(p)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p)
    if suffix == ".zip":
        return _read_zip(p)
    shown = suffix or "no suffix"
    raise _fail(p, f"unsupported file type ({shown}); use an .xlsx workbook, a .zip of CSV files or a folder of "
                   "CSV files (an .xls or .ods workbook: save it as .xlsx)")


def _excel_value(value: Any) -> Any:
    value = _plain(value)
    if _missing(value):
        return None
    if isinstance(value, dt.time):
        return _hhmm(value)  # as text: a time cell would read back as a day fraction in some programs
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(_text(v) for v in value)
    if isinstance(value, bool | int | float | str | dt.date):
        return dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value
    return str(value)


def _csv_value(value: Any) -> str:
    value = _plain(value)
    if _missing(value):
        return ""
    if isinstance(value, float):
        return _num(value) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(_text(v) for v in value)
    return _text(value)


def _ordered(tables: Mapping[str, pd.DataFrame]) -> list[tuple[str, pd.DataFrame]]:
    order = {name: k for k, name in enumerate(TABLES)}
    return sorted(tables.items(), key=lambda kv: order.get(_norm(kv[0]), len(order)))


def _write_xlsx(tmp: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, df in _ordered(tables):
        sheet = book.create_sheet(str(name)[:31])
        sheet.append([str(c) for c in df.columns])
        for record in df.itertuples(index=False, name=None):
            sheet.append([_excel_value(v) for v in record])
        _format_sheet(sheet, Font)
    readme = book.create_sheet(README_SHEET)
    readme.append(["table", "column", "required", "meaning"])
    for name, cols in COLUMNS.items():
        for col in cols:
            readme.append([name, col.name, "yes" if col.required else "", col.help])
    for s in SETTINGS:
        readme.append(["settings", f"key {s.key}", "yes" if s.required else "", s.help])
    readme.append(["", "", "", f"Blank cells mean the default; lists are separated by ';'; {NONE_MARK} is an "
                               "empty list. This sheet is ignored on import."])
    _format_sheet(readme, Font)
    book.save(tmp)


def _format_sheet(sheet: Any, font: Any) -> None:
    for cell in sheet[1]:
        cell.font = font(bold=True)
    for column in sheet.columns:
        for cell in column:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd"
            elif cell.data_type == "f":  # text starting with '=' stays text, not a formula
                cell.data_type = "s"
        width = max((len(_text(c.value)) for c in column if c.value is not None), default=0)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    sheet.freeze_panes = "A2"


def _write_zip(tmp: Path, tables: Mapping[str, pd.DataFrame]) -> None:
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, df in _ordered(tables):
            buffer = io.StringIO(newline="")
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow([str(c) for c in df.columns])
            for record in df.itertuples(index=False, name=None):
                writer.writerow([_csv_value(v) for v in record])
            # with a BOM, so that a spreadsheet program opening the CSV reads it as UTF-8
            zf.writestr(f"{name}.csv", buffer.getvalue().encode("utf-8-sig"))


def write_tables(path: str | Path, tables: Mapping[str, pd.DataFrame]) -> None:
    """Write tables atomically as an .xlsx workbook (a sheet each, plus a README sheet) or a .zip of CSVs."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise _fail(path, f"unsupported file type ({suffix or 'no suffix'}); use {' or '.join(SUFFIXES)}")
    writer = _write_xlsx if suffix == ".xlsx" else _write_zip
    write_atomic(path, lambda tmp: writer(tmp, tables))


def load_scenario_tables(path: str | Path) -> Scenario:
    """Read and validate a scenario from a workbook, a .zip of CSVs or a folder of CSVs."""
    return scenario_from_tables(read_tables(path), source=str(path))


def save_scenario_tables(scenario: Scenario, path: str | Path) -> None:
    """Write the scenario as an .xlsx workbook or a .zip of CSV files, atomically."""
    write_tables(path, to_tables(scenario))
