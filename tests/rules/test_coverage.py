"""Coverage: the `uncovered` soft term (priority-weighted shortfall) and the hard staffing cap."""

from __future__ import annotations

from scheduler.check import check
from scheduler.rules import coverage
from tests import factory
from tests.rules.conftest import (
    MON,
    PLAIN_OBJECTIVE,
    TUE,
    WED,
    WEEK,
    missing,
    roster,
    scenario,
    solve_checked,
    uncovered,
    violations,
    worked,
)


def _two_sites(priority_b: int, *, r1_sites: tuple[str, ...] = ("A", "B")):
    """Site A needs a night and priority-`priority_b` site B a day shift, every date; one reader."""
    d = factory.data()
    d["rule_sets"] = [{"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 0}]
    d["sites"].append({"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris", "priority": priority_b,
                       "coverage": [{"shift_type": "day", "days": ["all"]}]})
    d["radiologists"] = [factory.reader("r1", sites=r1_sites)]
    return factory.build(d)


# ---- the `uncovered` soft term -----------------------------------------------------------


def test_shortfall_counts_each_missing_reader():
    """Two readers needed each night and one reader available: seven readers missing, term 7."""
    result = solve_checked(scenario(coverage=[{"shift_type": "night", "readers": 2}]))
    assert len(uncovered(result)) == 7
    assert all(m == 1 for *_, m in uncovered(result))
    assert result.terms[coverage.NAME] == 7
    assert result.weighted[coverage.NAME] == 7 * 1_000_000


def test_higher_priority_site_wins_the_lone_reader():
    """One reader, one shift a date: they cover priority-5 site B every day and site A's nights stay open."""
    result = solve_checked(_two_sites(priority_b=5))
    assert worked(result, "r1") == {("day", d) for d in WEEK}
    assert {(u.site, u.shift_type, u.priority) for u in result.check.uncovered} == {("A", "night", 1)}
    assert missing(result) == 7
    assert result.terms[coverage.NAME] == 7


def test_priority_weights_the_term():
    """When the lone reader cannot cover priority-5 site B, each reader missing there costs 5."""
    result = solve_checked(_two_sites(priority_b=5, r1_sites=("A",)))
    assert {(u.site, u.priority) for u in result.check.uncovered} == {("B", 5)}
    assert result.terms[coverage.NAME] == 7 * 5


def test_subspecialty_shortfall_is_reported_as_such():
    """Two readers, one of whom must be neuro, and no neuro reader: one neuro reader short each night."""
    readers = [factory.reader("r1"), factory.reader("r2")]
    needs = [{"shift_type": "night", "subspecialty": "neuro"}, {"shift_type": "night"}]
    result = solve_checked(scenario(readers=readers, coverage=needs))
    assert {(u.subspecialty, u.missing) for u in result.check.uncovered} == {("neuro", 1)}
    assert result.terms[coverage.NAME] == 7


def test_subspecialty_need_met_when_a_reader_has_it():
    """With r1 neuro the same needs are fully covered, and r1 works every night."""
    readers = [factory.reader("r1", subspecialties=["neuro"]), factory.reader("r2")]
    needs = [{"shift_type": "night", "subspecialty": "neuro"}, {"shift_type": "night"}]
    result = solve_checked(scenario(readers=readers, coverage=needs))
    assert uncovered(result) == []
    assert result.terms[coverage.NAME] == 0
    assert len(worked(result, "r1")) == 7 and len(worked(result, "r2")) == 7


def test_enough_readers_leave_nothing_uncovered():
    """Two readers for a two-reader need: the term is zero."""
    readers = [factory.reader("r1"), factory.reader("r2")]
    result = solve_checked(scenario(readers=readers, coverage=[{"shift_type": "night", "readers": 2}]))
    assert uncovered(result) == []
    assert result.terms[coverage.NAME] == 0


# ---- the staffing cap (hard) -------------------------------------------------------------


def _wanted_monday(max_readers: int | None):
    need = {"shift_type": "night", "readers": 1}
    if max_readers is not None:
        need["max_readers"] = max_readers
    want = [{"kind": "want", "shift_type": "night", "dates": ["2026-03-02"]}]
    readers = [factory.reader("r1", requests=want), factory.reader("r2", requests=want)]
    return scenario(readers=readers, coverage=[need], objective=PLAIN_OBJECTIVE)


def test_cap_keeps_a_second_reader_off_a_full_night():
    """Both readers want Monday's night but the site takes one: exactly one gets it, one request unmet."""
    result = solve_checked(_wanted_monday(None))
    on_monday = [rid for rid in ("r1", "r2") if ("night", MON) in worked(result, rid)]
    assert len(on_monday) == 1
    assert result.terms["requests"] == 1
    assert result.terms["overstaffing"] == 0


def test_raised_cap_lets_both_readers_in():
    """With max_readers 2 both readers work Monday's night: no request unmet, one reader of overstaffing."""
    result = solve_checked(_wanted_monday(2))
    assert ("night", MON) in worked(result, "r1") and ("night", MON) in worked(result, "r2")
    assert result.terms["requests"] == 0
    assert result.terms["overstaffing"] == 1


def test_check_flags_staffing_over_the_cap():
    """Two readers on a one-reader night is a staffing_cap violation for site A on that date."""
    s = scenario(readers=[factory.reader("r1"), factory.reader("r2")])
    vs = violations(s, roster(("r1", "night", TUE), ("r2", "night", TUE)), coverage.CAP)
    assert [(v.reader, v.date, v.site, v.amount) for v in vs] == [(None, TUE, "A", 1)]


def test_check_accepts_staffing_within_the_cap():
    """Two readers where max_readers is 2 is no staffing_cap violation."""
    s = scenario(readers=[factory.reader("r1"), factory.reader("r2")],
                 coverage=[{"shift_type": "night", "max_readers": 2}])
    assert violations(s, roster(("r1", "night", TUE), ("r2", "night", TUE)), coverage.CAP) == []


def test_check_reports_the_uncovered_nights():
    """A roster covering only Monday to Wednesday leaves four nights uncovered, one reader each."""
    s = scenario()
    report = check(s, roster(*[("r1", "night", d) for d in (MON, TUE, WED)]))
    assert report.violations == []
    assert [(u.site, u.date, u.missing) for u in report.uncovered] == [("A", d, 1) for d in WEEK[3:]]
    assert report.terms[coverage.NAME] == 4
