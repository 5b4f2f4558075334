"""Weekends: at most `max_weekends` weekends worked, and complete weekends (Saturday with Sunday)."""

from __future__ import annotations

from scheduler.rules import weekends
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

WEEKEND_SITE = [site("d", days=["weekends"])]  # a day shift on Saturdays and Sundays only
SAT, SUN, SAT2, SUN2 = day(5), day(6), day(12), day(13)
TWO_WEEKS = "2026-03-15"
RULES = [rule_set(), rule_set("no_we", max_weekends=0), rule_set("one_we", max_weekends=1),
         rule_set("complete", complete_weekends=True)]


def test_max_weekends_zero_hands_the_weekend_to_another_reader():
    """A reader allowed no weekends never works Saturday or Sunday; the other reader takes both."""
    scen = scenario([factory.reader("r1", rule_set="no_we"), factory.reader("r2")], rule_sets=RULES,
                    sites=WEEKEND_SITE)
    result = run(scen)
    assert result.check.uncovered == []
    assert counts(result) == {"r2": 2}


def test_max_weekends_zero_alone_leaves_weekend_uncovered():
    """With only a no-weekend reader, both weekend days stay uncovered; relaxed, both are covered."""
    scen = scenario([factory.reader("r1", rule_set="no_we")], rule_sets=RULES, sites=WEEKEND_SITE)
    result = run(scen)
    assert uncovered_dates(result) == [SAT, SUN]
    relaxed = run(scenario([factory.reader("r1")], rule_sets=RULES, sites=WEEKEND_SITE))
    assert relaxed.check.uncovered == []
    assert dates_of(relaxed, "r1") == {SAT, SUN}


def test_max_weekends_one_over_two_weeks():
    """A lone reader allowed one weekend covers both days of one weekend of two; the other stays open."""
    scen = scenario([factory.reader("r1", rule_set="one_we")], rule_sets=RULES, sites=WEEKEND_SITE,
                    end=TWO_WEEKS)
    result = run(scen)
    assert dates_of(result, "r1") in ({SAT, SUN}, {SAT2, SUN2})
    assert len(uncovered_dates(result)) == 2
    assert result.terms["uncovered"] == 2


def test_complete_weekends_with_sunday_leave_drops_saturday():
    """A complete-weekend reader on leave on Sunday cannot work Saturday either; without the rule they can."""
    leave = [{"start": SUN.isoformat(), "end": SUN.isoformat()}]
    scen = scenario([factory.reader("r1", rule_set="complete", leave=leave)], rule_sets=RULES, sites=WEEKEND_SITE)
    result = run(scen)
    assert counts(result) == {}
    assert uncovered_dates(result) == [SAT, SUN]
    relaxed = run(scenario([factory.reader("r1", leave=leave)], rule_sets=RULES, sites=WEEKEND_SITE))
    assert dates_of(relaxed, "r1") == {SAT}
    assert uncovered_dates(relaxed) == [SUN]


def test_complete_weekends_other_reader_works_both_days():
    """When a complete-weekend reader is off on Sunday, the other reader covers the whole weekend."""
    leave = [{"start": SUN.isoformat(), "end": SUN.isoformat()}]
    scen = scenario([factory.reader("r1", rule_set="complete", leave=leave), factory.reader("r2")],
                    rule_sets=RULES, sites=WEEKEND_SITE)
    result = run(scen)
    assert counts(result) == {"r2": 2}


def test_check_max_weekends():
    """Working one day of each of two weekends counts two weekends against a limit of one."""
    scen = scenario([factory.reader("r1", rule_set="one_we")], rule_sets=RULES, sites=WEEKEND_SITE,
                    end=TWO_WEEKS)
    found = violations(checked(scen, ("r1", "d", SAT), ("r1", "d", SUN2)), weekends.NAME)
    assert [(v.reader, v.amount) for v in found] == [("r1", 1)]
    assert violations(checked(scen, ("r1", "d", SAT), ("r1", "d", SUN)), weekends.NAME) == []


def test_check_max_weekends_zero():
    """One Saturday breaks a limit of zero weekends."""
    scen = scenario([factory.reader("r1", rule_set="no_we")], rule_sets=RULES, sites=WEEKEND_SITE)
    found = violations(checked(scen, ("r1", "d", SUN)), weekends.NAME)
    assert [(v.reader, v.amount) for v in found] == [("r1", 1)]
    assert checked(scen).violations == []


def test_check_complete_weekends():
    """Saturday without Sunday is flagged on the Saturday's date; both days are fine."""
    scen = scenario([factory.reader("r1", rule_set="complete")], rule_sets=RULES, sites=WEEKEND_SITE,
                    end=TWO_WEEKS)
    found = violations(checked(scen, ("r1", "d", SAT), ("r1", "d", SUN2)), weekends.COMPLETE)
    assert [(v.reader, v.date) for v in found] == [("r1", SAT), ("r1", SAT2)]
    report = checked(scen, ("r1", "d", SAT), ("r1", "d", SUN), ("r1", "d", SAT2), ("r1", "d", SUN2))
    assert report.violations == []


def test_weekends_cut_by_the_horizon_count_but_need_not_be_complete():
    """Horizon Sunday-to-Saturday: the edge days are weekends for the limit, but not incomplete weekends."""
    d = factory.data()
    d["horizon"] = {**d["horizon"], "start": day(-1).isoformat(), "end": SAT.isoformat()}
    d["rule_sets"] = [rule_set("rs", complete_weekends=True, max_weekends=1)]
    d["sites"] = WEEKEND_SITE
    d["shift_types"] = [{"id": "d", "start": "08:00", "end": "18:00"}]
    d["radiologists"] = [factory.reader("r1", rule_set="rs")]
    scen = factory.build(d)
    report = checked(scen, ("r1", "d", day(-1)), ("r1", "d", SAT))
    assert violations(report, weekends.COMPLETE) == []
    assert [(v.rule, v.reader) for v in report.violations] == [(weekends.NAME, "r1")]
    result = run(scen)
    assert counts(result) == {"r1": 1}
    assert len(uncovered_dates(result)) == 1
