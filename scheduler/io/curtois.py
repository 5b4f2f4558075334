"""The Curtois & Qu staff-rostering benchmark: read an instance, map it onto a Scenario, score a roster.

The mapping uses the scenario model's general rules, not a separate solver: one ward (a site) with
a coverage need per day and shift type (`dates`, `priority` = under weight, `overstaffing_weight` =
over weight); per staff member a rule set (max consecutive shifts, min consecutive shifts and days
off with the border exemption, max weekends, min/max total minutes), per-type `shift_limits`, days
off as leave, on/off requests, and the instance's forbidden successions. Rest rules are off (the
instance states its rotations explicitly). The objective weights keep only coverage (1 per unit of
under weight), requests (1 per unit) and over-staffing (1 per unit), so the checker's objective is
the instance's own. `evaluate` scores an assignment straight from the published definition, with
no scenario in between, to prove that equality.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.errors import InputError, Issue
from scheduler.io.scenario_yaml import scenario_from_data
from scheduler.result import Assignment, Roster
from scheduler.scenario import Scenario

FIRST_MONDAY = dt.date(2024, 1, 1)  # day 0 of every instance is a Monday
WARD = "ward"
SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


@dataclass(frozen=True)
class Staff:
    id: str
    max_shifts: dict[str, int]
    max_minutes: int
    min_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int


@dataclass
class CurtoisInstance:
    name: str
    days: int
    shifts: dict[str, int]  # shift id -> length in minutes
    forbidden_next: dict[str, set[str]]
    staff: list[Staff]
    days_off: dict[str, set[int]] = field(default_factory=dict)
    on_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    off_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: dict[tuple[int, str], tuple[int, int, int]] = field(default_factory=dict)  # req, under, over

    def date(self, day: int) -> dt.date:
        return FIRST_MONDAY + dt.timedelta(days=day)


# ---- reading ---------------------------------------------------------------------------------
def _rows(text: str, source: str) -> dict[str, list[tuple[int, list[str]]]]:
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InputError([Issue(f"line {number}", f"unknown section {line}; known: {', '.join(SECTIONS)}")],
                                 source)
            current = line
            sections.setdefault(current, [])
            continue
        if current is None:
            raise InputError([Issue(f"line {number}", "data before the first SECTION_ line")], source)
        sections[current].append((number, [c.strip() for c in line.split(",")]))
    return sections


def _int(cell: str, where: str, what: str, source: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise InputError([Issue(where, f"{what} must be a whole number (got {cell!r})")], source) from None


def parse(text: str, name: str = "curtois", source: str | None = None) -> CurtoisInstance:
    """Parse an instance file's text; errors name the line and what was expected."""
    src = source or name
    sections = _rows(text, src)
    for required in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER"):
        if required not in sections:
            raise InputError([Issue("", f"missing {required}")], src)
    (line, cells), *_ = sections["SECTION_HORIZON"]
    days = _int(cells[0], f"line {line}", "the horizon", src)
    shifts: dict[str, int] = {}
    forbidden: dict[str, set[str]] = {}
    for line, cells in sections["SECTION_SHIFTS"]:
        if len(cells) < 2:
            raise InputError([Issue(f"line {line}", "expected ShiftID, LengthInMinutes, ForbiddenNext")], src)
        shifts[cells[0]] = _int(cells[1], f"line {line}", "the shift length", src)
        forbidden[cells[0]] = {s for s in (cells[2].split("|") if len(cells) > 2 else []) if s}
    staff = []
    for line, cells in sections["SECTION_STAFF"]:
        if len(cells) < 8:
            raise InputError([Issue(f"line {line}", "expected 8 fields: ID, MaxShifts, MaxTotalMinutes, "
                                    "MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts, "
                                    "MinConsecutiveDaysOff, MaxWeekends")], src)
        limits = {}
        for part in filter(None, cells[1].split("|")):
            shift, _, value = part.partition("=")
            limits[shift] = _int(value, f"line {line}", f"MaxShifts for {shift}", src)
        n = [_int(c, f"line {line}", "a staff limit", src) for c in cells[2:8]]
        staff.append(Staff(cells[0], limits, *n))
    inst = CurtoisInstance(name, days, shifts, forbidden, staff)
    for line, cells in sections.get("SECTION_DAYS_OFF", []):
        inst.days_off.setdefault(cells[0], set()).update(
            _int(c, f"line {line}", "a day", src) for c in cells[1:] if c
        )
    for key, target in (("SECTION_SHIFT_ON_REQUESTS", inst.on_requests),
                        ("SECTION_SHIFT_OFF_REQUESTS", inst.off_requests)):
        for line, cells in sections.get(key, []):
            target.append((cells[0], _int(cells[1], f"line {line}", "the day", src), cells[2],
                           _int(cells[3], f"line {line}", "the weight", src)))
    for line, cells in sections["SECTION_COVER"]:
        day = _int(cells[0], f"line {line}", "the day", src)
        inst.cover[(day, cells[1])] = tuple(_int(c, f"line {line}", "a cover figure", src) for c in cells[2:5])
    return inst


def load(path: str | Path) -> CurtoisInstance:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Issue("", f"cannot read the file: {exc.strerror or exc}")], str(p)) from None
    return parse(text, name=p.stem, source=str(p))


def best_known(path: str | Path) -> int | None:
    """The best known value from a `best_known.csv` beside the instance file, if there is one."""
    p = Path(path)
    table = p.with_name("best_known.csv")
    if not table.exists():
        return None
    with table.open(newline="") as f:
        for row in csv.DictReader(f):
            if row.get("instance") == p.stem:
                return int(row["best_known"])
    return None


# ---- mapping ---------------------------------------------------------------------------------
def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def to_scenario(inst: CurtoisInstance) -> Scenario:
    """The instance as a Scenario whose checker objective is the instance's objective."""
    for sid, minutes in inst.shifts.items():
        if not 0 < minutes <= 1440:
            raise InputError([Issue(f"shift {sid}", f"lengths of 1 to 1440 minutes are supported (got {minutes})")],
                             inst.name)
    n = len(inst.staff)
    dates = [inst.date(d) for d in range(inst.days)]
    coverage = []
    for day in range(inst.days):
        for sid in inst.shifts:
            req, under, over = inst.cover.get((day, sid), (0, 0, 0))
            need = {"shift_type": sid, "dates": [dates[day].isoformat()], "readers": req, "max_readers": max(n, req),
                    "overstaffing_weight": over}
            if req:
                need["priority"] = max(1, under)  # a zero under weight on a required need cannot be expressed
            coverage.append(need)
    rule_sets, radiologists = [], []
    for s in inst.staff:
        rule_sets.append({
            "id": f"rules_{s.id}", "min_rest_hours": 0, "rest_after_night_hours": 0,
            "max_consecutive_days": s.max_consecutive or None, "min_consecutive_days": s.min_consecutive or None,
            "min_consecutive_days_off": s.min_days_off or None, "max_weekends": s.max_weekends,
            "min_total_hours": s.min_minutes / 60, "max_total_hours": s.max_minutes / 60,
        })
        allowed = [sid for sid in inst.shifts if s.max_shifts.get(sid, inst.days) > 0]
        requests = [
            {"kind": "want", "shift_type": sid, "dates": [dates[d].isoformat()], "weight": w}
            for e, d, sid, w in inst.on_requests if e == s.id
        ] + [
            {"kind": "avoid", "shift_type": sid, "dates": [dates[d].isoformat()], "weight": w}
            for e, d, sid, w in inst.off_requests if e == s.id
        ]
        radiologists.append({
            "id": s.id, "rule_set": f"rules_{s.id}", "licenses": [{"jurisdiction": "X"}],
            "privileges": [{"site": WARD}], "timezone": "UTC", "allowed_shift_types": allowed,
            "shift_limits": {sid: {"max": m} for sid, m in s.max_shifts.items() if 0 < m < inst.days},
            "leave": [{"start": dates[d].isoformat(), "end": dates[d].isoformat(), "reason": "day off"}
                      for d in sorted(inst.days_off.get(s.id, ())) if 0 <= d < inst.days],
            "requests": requests,
        })
    data = {
        "name": inst.name,
        "horizon": {"start": dates[0].isoformat(), "end": dates[-1].isoformat(), "timezone": "UTC"},
        "jurisdictions": [{"id": "X"}],
        "shift_types": [
            {"id": sid, "start": "00:00", "end": _hhmm(minutes), "kind": "day", "burden_points": 0}
            for sid, minutes in inst.shifts.items()
        ],
        "rule_sets": [
            {**rs, "forbidden_successions": [[a, b] for a, nexts in inst.forbidden_next.items() for b in sorted(nexts)]}
            for rs in rule_sets
        ],
        "sites": [{"id": WARD, "jurisdiction": "X", "timezone": "UTC", "coverage": coverage}],
        "radiologists": radiologists,
        "objective": {"uncovered": 1, "reader_shifts": 0, "fairness": 0, "requests": 1, "workload": 0,
                      "continuity": 0, "overstaffing": 1},
    }
    return scenario_from_data(data, inst.name)


def assignment_of(inst: CurtoisInstance, roster: Roster) -> dict[tuple[str, int], str]:
    """(staff, day) -> shift, from a roster of the mapped scenario."""
    return {(a.reader, (a.date - FIRST_MONDAY).days): a.shift_type for a in roster.assignments}


def roster_of(inst: CurtoisInstance, assignment: dict[tuple[str, int], str]) -> Roster:
    return Roster(assignments=tuple(
        Assignment(reader=e, shift_type=s, date=inst.date(d), sites=(WARD,)) for (e, d), s in sorted(assignment.items())
    ))


# ---- the published definition, evaluated directly -------------------------------------------
def _runs(worked: list[bool], value: bool) -> list[tuple[int, int]]:
    out, start = [], None
    for d, w in enumerate([*worked, not value]):
        if w == value and start is None:
            start = d
        elif w != value and start is not None:
            out.append((start, d - start))
            start = None
    return out


def evaluate(inst: CurtoisInstance, assignment: dict[tuple[str, int], str]) -> tuple[list[str], int]:
    """(hard violations in words, objective) of an assignment, per the instance definition."""
    bad: list[str] = []
    h = inst.days
    for s in inst.staff:
        shifts = [assignment.get((s.id, d)) for d in range(h)]
        worked = [x is not None for x in shifts]
        for d in range(h - 1):
            if shifts[d] and shifts[d + 1] and shifts[d + 1] in inst.forbidden_next.get(shifts[d], ()):
                bad.append(f"{s.id}: {shifts[d]} on day {d} then {shifts[d + 1]}")
        for sid in inst.shifts:
            count = sum(1 for x in shifts if x == sid)
            if count > s.max_shifts.get(sid, h):
                bad.append(f"{s.id}: {count} {sid} shifts, max {s.max_shifts.get(sid)}")
        minutes = sum(inst.shifts[x] for x in shifts if x)
        if not s.min_minutes <= minutes <= s.max_minutes:
            bad.append(f"{s.id}: {minutes} minutes, allowed {s.min_minutes}-{s.max_minutes}")
        for start, length in _runs(worked, True):
            if length > s.max_consecutive:
                bad.append(f"{s.id}: {length} consecutive shifts from day {start}")
            if length < s.min_consecutive and start > 0 and start + length < h:
                bad.append(f"{s.id}: only {length} consecutive shifts from day {start}")
        for start, length in _runs(worked, False):
            if length < s.min_days_off and start > 0 and start + length < h:
                bad.append(f"{s.id}: only {length} days off from day {start}")
        weekends = sum(1 for k in range(h // 7) if worked[7 * k + 5] or worked[7 * k + 6])
        if weekends > s.max_weekends:
            bad.append(f"{s.id}: {weekends} weekends, max {s.max_weekends}")
        for d in inst.days_off.get(s.id, ()):
            if 0 <= d < h and worked[d]:
                bad.append(f"{s.id}: works on day off {d}")
    objective = 0
    for e, d, sid, w in inst.on_requests:
        objective += w if assignment.get((e, d)) != sid else 0
    for e, d, sid, w in inst.off_requests:
        objective += w if assignment.get((e, d)) == sid else 0
    for (d, sid), (req, under, over) in inst.cover.items():
        n = sum(1 for (e, dd), x in assignment.items() if dd == d and x == sid)
        objective += under * max(0, req - n) + over * max(0, n - req)
    return bad, objective
