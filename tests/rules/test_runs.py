"""Minimum run lengths of working days and of days off; runs touching the horizon ends are exempt."""

from __future__ import annotations

from scheduler.rules import runs
from tests import factory
from tests.rules.helpers_b import (
    checked,
    counts,
    dates_of,
    day,
    rule_set,
    run,
    scenario,
    site,
    uncovered_dates,
    violations,
)

RULES = [rule_set(), rule_set("min3", min_consecutive_days=3), rule_set("off2", min_consecutive_days_off=2)]


def day_site(*days: str) -> list[dict]:
    """Site A needing a day shift on these weekdays only (no other shift exists on other dates)."""
    return [site("d", days=list(days))]


def lone(rule: str, *days: str):
    return scenario([factory.reader("r1", rule_set=rule)], rule_sets=RULES, sites=day_site(*days))


def test_min_run_forbids_isolated_working_day():
    """A lone Wednesday cannot be a run of three working days: it stays uncovered; relaxed, it is covered."""
    result = run(lone("min3", "wed"))
    assert counts(result) == {}
    assert uncovered_dates(result) == [day(2)]
    relaxed = run(lone("std", "wed"))
    assert dates_of(relaxed, "r1") == {day(2)}


def test_min_run_allows_a_long_enough_run():
    """Tuesday to Thursday is a run of three: the lone reader covers all three."""
    result = run(lone("min3", "tue", "wed", "thu"))
    assert dates_of(result, "r1") == {day(1), day(2), day(3)}


def test_min_run_exempt_at_horizon_ends():
    """A single working day on the first (Monday) or last (Sunday) date is exempt: both are covered."""
    result = run(lone("min3", "mon", "sun"))
    assert dates_of(result, "r1") == {day(0), day(6)}


def test_min_days_off_forbids_single_day_off():
    """Mon, Tue, Thu, Fri with two days off required: the lone reader drops Tuesday or Thursday."""
    result = run(lone("off2", "mon", "tue", "thu", "fri"))
    assert counts(result) == {"r1": 3}
    assert uncovered_dates(result) in ([day(1)], [day(3)])
    relaxed = run(lone("std", "mon", "tue", "thu", "fri"))
    assert counts(relaxed) == {"r1": 4}


def test_min_days_off_shared_with_a_second_reader():
    """With a second such reader, every need is covered and neither has a lone day off inside the week."""
    readers = [factory.reader("r1", rule_set="off2"), factory.reader("r2", rule_set="off2")]
    result = run(scenario(readers, rule_sets=RULES, sites=day_site("mon", "tue", "thu", "fri")))
    assert result.check.uncovered == []


def test_min_days_off_exempt_at_horizon_ends():
    """Single days off on Monday (first date) and Sunday (last date) are exempt: Tuesday-Saturday all covered."""
    result = run(lone("off2", "tue", "wed", "thu", "fri", "sat"))
    assert counts(result) == {"r1": 5}


def test_check_short_working_run():
    """A lone Wednesday against a minimum of three is flagged on that Wednesday, two days short."""
    scen = lone("min3", "all")
    found = violations(checked(scen, ("r1", "d", 2)), runs.NAME)
    assert [(v.reader, v.date, v.amount) for v in found] == [("r1", day(2), 2)]
    assert checked(scen, ("r1", "d", 2), ("r1", "d", 3), ("r1", "d", 4)).violations == []


def test_check_short_runs_at_the_ends_are_exempt():
    """One working day on the first and on the last date breaks no minimum run."""
    scen = lone("min3", "all")
    assert checked(scen, ("r1", "d", 0), ("r1", "d", 6)).violations == []


def test_check_short_run_of_days_off():
    """A single day off on Wednesday between worked days is flagged on Wednesday; two days off are fine."""
    scen = lone("off2", "all")
    found = violations(checked(scen, *[("r1", "d", k) for k in (0, 1, 3, 4)]), runs.OFF)
    assert [(v.reader, v.date, v.amount) for v in found] == [("r1", day(2), 1)]
    assert checked(scen, *[("r1", "d", k) for k in (0, 1, 4, 5)]).violations == []


def test_check_days_off_at_the_ends_are_exempt():
    """Off on the first and the last date only: no violation."""
    scen = lone("off2", "all")
    assert checked(scen, *[("r1", "d", k) for k in range(1, 6)]).violations == []


def test_history_does_not_extend_a_run():
    """A history day before the horizon does not lengthen a short run inside it (the start is exempt anyway)."""
    hist = {"shifts": [{"shift_type": "d", "date": day(-1).isoformat()}]}
    scen = scenario([factory.reader("r1", rule_set="min3", history=hist)], rule_sets=RULES, sites=day_site("all"))
    found = violations(checked(scen, ("r1", "d", 2)), runs.NAME)
    assert [(v.reader, v.date) for v in found] == [("r1", day(2))]
    assert checked(scen, ("r1", "d", 0)).violations == []
