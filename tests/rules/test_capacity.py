"""Reading capacity: studies taken on in a shift must fit studies per hour times the shift's true length."""

from __future__ import annotations

import datetime as dt

from scheduler.instance import build_instance
from scheduler.rules import capacity
from tests import factory
from tests.rules.conftest import (
    FREE_RULES,
    MON,
    TUE,
    WEEK,
    roster,
    scenario,
    solve_checked,
    uncovered,
    violations,
    worked,
)


def _two_sites(studies_per_hour: float):
    """Sites A (priority 1) and B (priority 2) each need a night with 80 studies; one reader privileged at both."""
    d = factory.data()
    d["rule_sets"] = [dict(FREE_RULES)]
    d["sites"][0]["coverage"] = [{"shift_type": "night", "studies": 80}]
    d["sites"].append({"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris", "priority": 2,
                       "coverage": [{"shift_type": "night", "studies": 80}]})
    d["radiologists"] = [factory.reader("r1", sites=("A", "B"), studies_per_hour=studies_per_hour)]
    return factory.build(d)


def _dst_week(start: str, end: str, studies: float):
    """A lone reader at 10 studies/h and a night of `studies` studies every date of the given week."""
    return scenario(
        horizon={"start": start, "end": end, "timezone": "Europe/Paris"},
        readers=[factory.reader("r1", studies_per_hour=10)],
        coverage=[{"shift_type": "night", "studies": studies}],
    )


def test_slow_reader_covers_only_the_priority_site():
    """At 10/h (140 per 14 h night) the reader cannot take both sites' 160 studies: B is covered, A is not."""
    result = solve_checked(_two_sites(10))
    assert {a.sites for a in result.roster.assignments} == {("B",)}
    assert worked(result, "r1") == {("night", d) for d in WEEK}
    assert uncovered(result) == [("A", "night", d, 1) for d in WEEK]


def test_faster_reader_covers_both_sites():
    """At 12/h (168 per night) the same reader covers both sites every night."""
    result = solve_checked(_two_sites(12))
    assert uncovered(result) == []
    assert {a.sites for a in result.roster.assignments} == {("A", "B")}


def test_studies_split_over_required_readers():
    """Two readers needed, 280 studies: 140 each fits 10/h exactly; 282 (141 each) does not fit at all."""
    readers = [factory.reader("r1", studies_per_hour=10), factory.reader("r2", studies_per_hour=10)]
    fits = solve_checked(scenario(readers=readers, coverage=[{"shift_type": "night", "readers": 2, "studies": 280}]))
    assert uncovered(fits) == []
    over = solve_checked(scenario(readers=readers, coverage=[{"shift_type": "night", "readers": 2, "studies": 282}]))
    assert over.roster.assignments == ()
    assert len(uncovered(over)) == 7 and all(m == 2 for *_, m in uncovered(over))


def test_spring_dst_night_is_an_hour_short():
    """The 18:30-08:30 night of 28 March 2026 lasts 13 h: 135 studies fit every night but that one."""
    s = _dst_week("2026-03-23", "2026-03-29", studies=135)
    night = build_instance(s).shift_by_key[("night", dt.date(2026, 3, 28))]
    assert night.minutes == 13 * 60
    result = solve_checked(s)
    assert uncovered(result) == [("A", "night", dt.date(2026, 3, 28), 1)]


def test_autumn_dst_night_is_an_hour_long():
    """The night of 24 October 2026 lasts 15 h: 145 studies fit that night only."""
    s = _dst_week("2026-10-19", "2026-10-25", studies=145)
    night = build_instance(s).shift_by_key[("night", dt.date(2026, 10, 24))]
    assert night.minutes == 15 * 60
    result = solve_checked(s)
    assert worked(result, "r1") == {("night", dt.date(2026, 10, 24))}
    assert len(uncovered(result)) == 6


def test_ordinary_week_has_no_capacity_gap():
    """The same 135-study nights in an ordinary week fit every 14 h night."""
    assert uncovered(solve_checked(_dst_week("2026-03-16", "2026-03-22", studies=135))) == []


def test_check_flags_overload():
    """A 10/h reader on a 150-study night is 10 studies over capacity on that date."""
    s = scenario(readers=[factory.reader("r1", studies_per_hour=10)],
                 coverage=[{"shift_type": "night", "studies": 150}])
    vs = violations(s, roster(("r1", "night", TUE)), capacity.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", TUE, 10)]


def test_check_flags_overload_across_sites():
    """Covering both 80-study sites at 10/h is 20 over capacity; covering one is fine."""
    s = _two_sites(10)
    vs = violations(s, roster(("r1", "night", MON, ("A", "B"))), capacity.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", MON, 20)]
    assert violations(s, roster(("r1", "night", MON, ("B",)), ("r1", "night", TUE, ("A",))), capacity.NAME) == []


def test_check_uses_the_true_dst_length():
    """135 studies overload the 13 h spring-forward night but not the 14 h night before it."""
    s = _dst_week("2026-03-23", "2026-03-29", studies=135)
    r = roster(("r1", "night", dt.date(2026, 3, 27)), ("r1", "night", dt.date(2026, 3, 28)))
    vs = violations(s, r, capacity.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", dt.date(2026, 3, 28), 5)]
