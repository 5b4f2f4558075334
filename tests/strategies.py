"""Hypothesis strategies for small random but valid scenarios (as plain dicts).

`scenario_data()` draws a scenario dict that `scenario_from_data` accepts: a 7-14 day horizon in
2026 (often straddling an EU or US DST change), 1-3 sites in several time zones, 1-3 shift types
(a night crossing midnight, a day, an evening; on-call at half work fraction; some on weekends and
holidays only), 2-6 readers with licenses, privileges (some valid only part of the horizon),
subspecialties, FTE, leave, requests and history, and 1-2 rule sets drawing every RuleSet field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from scheduler.io.scenario_yaml import scenario_from_data
from scheduler.scenario import Scenario

# EU DST 2026: 29 Mar and 25 Oct; US DST 2026: 8 Mar and 1 Nov.
DST_DATES = (dt.date(2026, 3, 8), dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 11, 1))
YEAR_FIRST = dt.date(2026, 1, 1)
YEAR_LAST_START = dt.date(2026, 12, 31) - dt.timedelta(days=13)

PLANNING_ZONES = ("Europe/Paris", "America/New_York")
SITE_ZONES = ("Europe/Paris", "America/New_York", "Europe/London", "America/Chicago", "Asia/Kolkata",
              "Australia/Sydney")
JURISDICTIONS = ("FR", "US-NY", "US-TX")
SUBSPECIALTIES = ("neuro", "msk")
TYPE_IDS = ("night", "day", "evening")

# Weighted coins (sampled_from rather than integers, so generation is not biased towards 0).
MOSTLY = st.sampled_from((True,) * 9 + (False,))
SOMETIMES = st.sampled_from((False, False, False, True))
RARELY = st.sampled_from((False, False, False, False, False, True))

DAY_CHOICES: tuple[tuple[str, ...] | None, ...] = (
    None, None, None, None, None, ("all",), ("weekdays",), ("weekends", "holidays"), ("sat", "sun"),
    ("mon", "wed", "fri"), ("holidays",),
)
NEED_DAY_CHOICES = (None,) * 6 + DAY_CHOICES[5:]


def _iso(d: dt.date) -> str:
    return d.isoformat()


def _time(h: int, m: int) -> str:
    return f"{h:02d}:{m:02d}"


@st.composite
def horizon_start(draw) -> dt.date:
    """A start date in 2026; half the time a few days before a DST change so the horizon spans it."""
    if draw(st.booleans()):
        change = draw(st.sampled_from(DST_DATES))
        return change - dt.timedelta(days=draw(st.integers(0, 10)))
    return draw(st.dates(YEAR_FIRST, YEAR_LAST_START))


@st.composite
def shift_type(draw, type_id: str) -> dict[str, Any]:
    minutes = st.sampled_from((0, 30))
    if type_id == "night":
        start = _time(draw(st.integers(18, 22)), draw(minutes))
        if draw(RARELY):  # a late night starting after midnight (inside the spring DST gap at 02:30)
            start = draw(st.sampled_from(("00:30", "01:00", "02:30")))
        end = _time(draw(st.integers(6, 9)), draw(minutes))
        kind = draw(st.sampled_from(("night", "night", "on_call")))
    elif type_id == "day":
        start = _time(draw(st.integers(7, 9)), draw(minutes))
        end = _time(draw(st.integers(15, 19)), draw(minutes))
        kind = draw(st.sampled_from(("day", "day", "on_call")))
    else:
        start = _time(draw(st.integers(13, 16)), draw(minutes))
        end = draw(st.sampled_from(("21:00", "22:30", "23:59", "00:00", "01:00", "02:30")))
        kind = "evening"
    out: dict[str, Any] = {"id": type_id, "label": type_id, "start": start, "end": end, "kind": kind,
                           "burden_points": draw(st.integers(0, 5))}
    days = draw(st.sampled_from(DAY_CHOICES))
    if days is not None:
        out["days"] = list(days)
    if draw(st.booleans()):
        out["weekend_burden_points"] = draw(st.integers(0, 6))
    if draw(st.booleans()):
        out["holiday_burden_points"] = draw(st.integers(0, 8))
    if kind == "on_call":
        out["work_fraction"] = 0.5
    else:
        out["work_fraction"] = draw(st.sampled_from((1.0, 1.0, 1.0, 0.75, 0.5)))
    if draw(RARELY):
        out["timezone"] = draw(st.sampled_from(SITE_ZONES))
    return out


@st.composite
def rule_set(draw, rid: str, types: list[str]) -> dict[str, Any]:
    """Every RuleSet field drawn; minimum limits stay loose so most scenarios are feasible."""

    def maybe(strategy):
        return draw(st.one_of(st.none(), strategy))

    out: dict[str, Any] = {
        "id": rid,
        "min_rest_hours": draw(st.sampled_from((0, 8, 11, 11.5, 12, 16))),
        "rest_after_night_hours": draw(st.sampled_from((0, 11, 12, 24, 36))),
        # small limits that bind, and limits as long as the horizon (history may still exceed them)
        "max_consecutive_days": maybe(st.one_of(st.integers(1, 7), st.sampled_from((7, 8, 13, 14)))),
        "max_consecutive_nights": maybe(st.one_of(st.integers(1, 4), st.sampled_from((7, 14)))),
        "min_days_off_after_nights": draw(st.integers(0, 3)),
        "max_hours_rolling_7_days": maybe(st.sampled_from((20, 36, 48, 60.5, 72))),
        "max_weekends": maybe(st.integers(0, 2)),
        "complete_weekends": draw(st.booleans()),
        "forbidden_successions": draw(
            st.lists(st.tuples(st.sampled_from(types), st.sampled_from(types)), max_size=2, unique=True)
        ),
        "min_consecutive_days": draw(st.sampled_from((None, None, 2))),
        "min_consecutive_days_off": draw(st.sampled_from((None, None, 2))),
    }
    limits = {}
    for t in draw(st.lists(st.sampled_from(types), max_size=len(types), unique=True)):
        limit: dict[str, int] = {"max": draw(st.sampled_from((3, 5, 6, 2, 1, 3, 5, 6, 2, 0)))}
        if limit["max"] >= 1 and draw(st.integers(1, 12)) == 12:
            limit["min"] = 1
        limits[t] = limit
    out["shift_limits"] = limits
    lo = draw(st.sampled_from((None,) * 8 + (0, 5)))
    hi = draw(st.sampled_from((None, None, 60, 100, 200)))
    if lo is not None:
        out["min_total_hours"] = lo
    if hi is not None:
        out["max_total_hours"] = hi
    return {k: v for k, v in out.items() if v is not None}


@st.composite
def validity(draw, days: list[dt.date]) -> dict[str, str]:
    """Mostly open-ended; sometimes starting or ending inside the horizon."""
    out: dict[str, str] = {}
    choice = draw(st.sampled_from((0,) * 9 + (1, 2, 3)))
    if choice in (1, 3):
        out["valid_from"] = _iso(draw(st.sampled_from(days)))
    if choice in (2, 3):
        until = draw(st.sampled_from(days))
        if "valid_from" in out and until < dt.date.fromisoformat(out["valid_from"]):
            until = dt.date.fromisoformat(out["valid_from"])
        out["valid_until"] = _iso(until)
    return out


@st.composite
def reader(draw, k: int, start: dt.date, end: dt.date, juris: list[str], sites: list[str], subs: list[str],
           types: list[str], rule_sets: list[str]) -> dict[str, Any]:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    around = st.dates(start - dt.timedelta(days=3), end + dt.timedelta(days=3))
    out: dict[str, Any] = {
        "id": f"r{k}",
        "name": f"Dr {k}",
        "rule_set": draw(st.sampled_from(rule_sets)),
        "fte": draw(st.sampled_from((1.0, 1.0, 0.8, 0.6, 0.5))),
        "studies_per_hour": draw(st.sampled_from((12, 12, 6, 3, 1.5))),
        "licenses": [{"jurisdiction": j, **draw(validity(days))} for j in juris if draw(MOSTLY)],
        "privileges": [{"site": s, **draw(validity(days))} for s in sites if draw(MOSTLY)],
        "subspecialties": [s for s in subs if draw(st.booleans())],
    }
    if draw(RARELY):
        out["allowed_shift_types"] = draw(st.lists(st.sampled_from(types), min_size=1, unique=True))
    if draw(RARELY):
        t = draw(st.sampled_from(types))
        out["shift_limits"] = {t: {"max": draw(st.sampled_from((1, 2, 4, 0)))}}
    leave = []
    for _ in range(draw(st.sampled_from((0, 0, 0, 1, 1, 2)))):
        a, b = sorted((draw(around), draw(around)))
        if (b - a).days > 5:
            b = a + dt.timedelta(days=draw(st.integers(0, 5)))
        leave.append({"start": _iso(a), "end": _iso(b)})
    out["leave"] = leave
    requests = []
    for _ in range(draw(st.sampled_from((0, 1, 2)))):
        req: dict[str, Any] = {
            "kind": draw(st.sampled_from(("want", "avoid"))),
            "dates": [_iso(d) for d in draw(st.lists(around, min_size=1, max_size=3, unique=True))],
            "weight": draw(st.integers(1, 5)),
        }
        if draw(st.booleans()):
            req["shift_type"] = draw(st.sampled_from(types))
        requests.append(req)
    out["requests"] = requests
    history: dict[str, Any] = {}
    past = draw(st.sampled_from(((), (1,), (1, 2), (1, 2, 3), (2, 3), (3,), (1, 1))))  # (1, 1): two on one date
    if past:
        history["shifts"] = [{"shift_type": draw(st.sampled_from(types)), "date": _iso(start - dt.timedelta(days=d))}
                             for d in sorted(past, reverse=True)]
    if draw(SOMETIMES):
        history["burden_points"] = draw(st.integers(0, 40))
        history["work_hours"] = draw(st.sampled_from((0, 12.5, 100, 160)))
    if history:
        out["history"] = history
    return out


@st.composite
def coverage_need(draw, types: list[str], subs: list[str]) -> dict[str, Any]:
    readers = draw(st.integers(1, 2))
    need: dict[str, Any] = {
        "shift_type": draw(st.sampled_from(types)),
        "readers": readers,
        "studies": draw(st.one_of(st.integers(0, 30), st.sampled_from((0.5, 12.5)))),
    }
    if draw(SOMETIMES):
        need["max_readers"] = readers + draw(st.integers(0, 1))
    if subs and draw(SOMETIMES):
        need["subspecialty"] = draw(st.sampled_from(subs))
    days = draw(st.sampled_from(NEED_DAY_CHOICES))
    if days is not None:
        need["days"] = list(days)
    return need


def _holiday_calendar(zone: str) -> dict[str, str]:
    return {"country": "FR"} if zone.startswith("Europe") else {"country": "US"}


@st.composite
def scenario_data(draw) -> dict[str, Any]:
    """A small random scenario dict, valid by construction."""
    start = draw(horizon_start())
    end = start + dt.timedelta(days=draw(st.integers(6, 13)))
    zone = draw(st.sampled_from(PLANNING_ZONES))
    horizon: dict[str, Any] = {"start": _iso(start), "end": _iso(end), "timezone": zone}
    if draw(st.booleans()):
        horizon["holidays"] = _holiday_calendar(zone)
    juris = draw(st.lists(st.sampled_from(JURISDICTIONS), min_size=1, max_size=2, unique=True))
    subs = draw(st.lists(st.sampled_from(SUBSPECIALTIES), min_size=1, max_size=2, unique=True))
    types = draw(st.lists(st.sampled_from(TYPE_IDS), min_size=1, max_size=3, unique=True))
    shift_types = [draw(shift_type(t)) for t in types]
    rule_ids = [f"rs{k}" for k in range(draw(st.integers(1, 2)))]
    rule_sets = [draw(rule_set(rid, types)) for rid in rule_ids]
    sites = []
    for k in range(draw(st.integers(1, 3))):
        site_zone = zone if k == 0 else draw(st.sampled_from(SITE_ZONES))
        site: dict[str, Any] = {
            "id": f"S{k}",
            "name": f"Site {k}",
            "jurisdiction": draw(st.sampled_from(juris)),
            "timezone": site_zone,
            "priority": draw(st.integers(1, 3)),
            "coverage": draw(st.lists(coverage_need(types, subs), min_size=1, max_size=2)),
        }
        if draw(SOMETIMES):
            site["holidays"] = _holiday_calendar(site_zone)
        sites.append(site)
    site_ids = [s["id"] for s in sites]
    readers = [draw(reader(k, start, end, juris, site_ids, subs, types, rule_ids))
               for k in range(draw(st.sampled_from((2, 3, 4, 4, 5, 5, 6, 6))))]
    data: dict[str, Any] = {
        "name": "random",
        "horizon": horizon,
        "jurisdictions": [{"id": j} for j in juris],
        "subspecialties": [{"id": s} for s in subs],
        "shift_types": shift_types,
        "rule_sets": rule_sets,
        "sites": sites,
        "radiologists": readers,
    }
    if draw(SOMETIMES):
        data["objective"] = {
            name: draw(st.sampled_from((0, 1, 7, 100)))
            for name in ("fairness", "requests", "workload", "continuity", "overstaffing")
        }
    return data


def scenarios() -> st.SearchStrategy[Scenario]:
    """Validated Scenario objects (a dict that does not validate is a bug in these strategies)."""
    return scenario_data().map(scenario_from_data)


def property_settings(max_examples: int) -> settings:
    """Deterministic in CI: no example database, examples derived from the test itself."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
