"""Working hours: max hours in any rolling 7 days (history included) and min/max total hours."""

from __future__ import annotations

from scheduler.rules import hours
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

DAY_SITE = [site("d")]  # one 10-hour day shift a day, Monday to Sunday


def with_history(*offsets: int) -> dict:
    return {"shifts": [{"shift_type": "d", "date": day(k).isoformat()} for k in offsets]}


def test_rolling_cap_limits_a_lone_reader():
    """A 30 h cap lets a lone reader cover only three 10 h days of the week; the rest stays uncovered."""
    scen = scenario([factory.reader("r1")], rule_sets=[rule_set(max_hours_rolling_7_days=30)], sites=DAY_SITE)
    result = run(scen)
    assert counts(result)["r1"] == 3
    assert len(uncovered_dates(result)) == 4
    assert result.terms["uncovered"] == 4


def test_rolling_cap_relaxed_lone_reader_covers_all():
    """Without the cap the same lone reader covers all seven days."""
    scen = scenario([factory.reader("r1")], rule_sets=[rule_set()], sites=DAY_SITE)
    result = run(scen)
    assert counts(result)["r1"] == 7
    assert result.check.uncovered == []


def test_rolling_cap_spreads_work_over_two_readers():
    """With two readers capped at 40 h each, everything is covered and neither exceeds four days."""
    scen = scenario(rule_sets=[rule_set(max_hours_rolling_7_days=40)], sites=DAY_SITE)
    result = run(scen)
    assert result.check.uncovered == []
    assert max(counts(result).values()) <= 4


def test_rolling_cap_counts_history():
    """30 h worked on the last three days before the horizon push a capped reader to Friday-Sunday only."""
    r1 = factory.reader("r1", history=with_history(-3, -2, -1))
    scen = scenario([r1], rule_sets=[rule_set(max_hours_rolling_7_days=30)], sites=DAY_SITE)
    result = run(scen)
    assert result.status == "OPTIMAL"
    assert dates_of(result, "r1") == {day(4), day(5), day(6)}


def test_rolling_cap_history_alone_over_the_cap_keeps_reader_off():
    """History already over the cap is no violation by itself; the solver keeps the reader off that window."""
    r1 = factory.reader("r1", history=with_history(-4, -3, -2, -1))
    scen = scenario([r1], rule_sets=[rule_set(max_hours_rolling_7_days=30)], sites=DAY_SITE)
    assert violations(checked(scen), hours.NAME) == []
    result = run(scen)
    assert result.status == "OPTIMAL"
    # windows [-6, 0] .. [-3, 3] hold 30-40 h of history: Monday to Thursday are closed;
    # the windows ending Friday and Saturday leave room for one and two more days
    assert dates_of(result, "r1") == {day(4), day(5), day(6)}


def test_check_flags_every_window_over_the_cap():
    """Four 10 h days in a row against a 30 h cap break each 7-day window holding all four, dated at its end."""
    scen = scenario(rule_sets=[rule_set(max_hours_rolling_7_days=30)], sites=DAY_SITE)
    report = checked(scen, *[("r1", "d", k) for k in range(4)])
    found = violations(report, hours.NAME)
    # windows ending 5, 6, 7 and 8 March hold days 0-3; the one ending 4 March holds only three
    assert sorted(v.date for v in found) == [day(3), day(4), day(5), day(6)]
    assert {v.reader for v in found} == {"r1"}
    assert {v.amount for v in found} == {10.0}


def test_check_respecting_roster_has_no_hours_violation():
    """Three 10 h days each for two readers respect a 30 h rolling cap."""
    scen = scenario(rule_sets=[rule_set(max_hours_rolling_7_days=30)], sites=DAY_SITE)
    report = checked(scen, *[("r1", "d", k) for k in (0, 1, 2)], *[("r2", "d", k) for k in (4, 5, 6)])
    assert report.violations == []


def test_check_history_pushes_window_over_cap():
    """Monday after three history days breaks a 30 h cap in every window holding all four days."""
    r1 = factory.reader("r1", history=with_history(-3, -2, -1))
    scen = scenario([r1], rule_sets=[rule_set(max_hours_rolling_7_days=30)], sites=DAY_SITE)
    found = violations(checked(scen, ("r1", "d", 0)), hours.NAME)
    assert sorted(v.date for v in found) == [day(0), day(1), day(2), day(3)]
    assert violations(checked(scen, ("r1", "d", 4)), hours.NAME) == []


def test_check_counts_work_fraction():
    """A 12 h on-call counted at half is 6 h: seven of them stay under a 42 h cap, a 41 h cap breaks."""
    on_call = {"id": "oc", "start": "20:00", "end": "08:00", "kind": "on_call", "work_fraction": 0.5}
    for cap, broken in ((42, False), (41, True)):
        scen = scenario([factory.reader("r1")], rule_sets=[rule_set(max_hours_rolling_7_days=cap)],
                        sites=[site("oc")], shift_types=[on_call])
        found = violations(checked(scen, *[("r1", "oc", k) for k in range(7)]), hours.NAME)
        assert bool(found) is broken
        if broken:
            assert [(v.reader, v.date, v.amount) for v in found] == [("r1", day(6), 1.0)]


def test_min_total_hours_makes_reader_work_more():
    """A 50 h minimum makes r1 work at least five of seven days, against fairness."""
    scen = scenario(
        [factory.reader("r1", rule_set="min50"), factory.reader("r2"), factory.reader("r3")],
        rule_sets=[rule_set(), rule_set("min50", min_total_hours=50)], sites=DAY_SITE,
    )
    result = run(scen)
    assert counts(result)["r1"] >= 5
    relaxed = run(scenario([factory.reader(f"r{k}") for k in (1, 2, 3)], sites=DAY_SITE))
    assert max(counts(relaxed).values()) == 3


def test_max_total_hours_leaves_needs_uncovered():
    """A 20 h maximum lets a lone reader work two days; five stay uncovered."""
    scen = scenario([factory.reader("r1")], rule_sets=[rule_set(max_total_hours=20)], sites=DAY_SITE)
    result = run(scen)
    assert counts(result)["r1"] == 2
    assert len(uncovered_dates(result)) == 5


def test_check_total_hours_both_ways():
    """Total hours under the minimum or over the maximum are flagged for the reader; in range is fine."""
    scen = scenario([factory.reader("r1")], rule_sets=[rule_set(min_total_hours=20, max_total_hours=30)],
                    sites=DAY_SITE)
    low = violations(checked(scen, ("r1", "d", 0)), hours.TOTAL)
    assert [(v.reader, v.date, v.amount) for v in low] == [("r1", None, 10.0)]
    high = violations(checked(scen, *[("r1", "d", k) for k in range(4)]), hours.TOTAL)
    assert [(v.reader, v.amount) for v in high] == [("r1", 10.0)]
    assert "at most 30" in high[0].message
    assert violations(checked(scen, ("r1", "d", 0), ("r1", "d", 3)), hours.TOTAL) == []
