"""Eligibility: license, privileges, subspecialty, leave and allowed shift types decide who may cover what."""

from __future__ import annotations

from scheduler.rules import eligibility
from tests import factory
from tests.rules.conftest import (
    FRI,
    MON,
    SAT,
    SUN,
    THU,
    TUE,
    WED,
    roster,
    scenario,
    solve_checked,
    uncovered,
    violations,
    worked,
)

NIGHT_AND_WEEKEND_DAYS = [{"shift_type": "night"}, {"shift_type": "day"}]


def test_leave_leaves_the_night_uncovered():
    """A lone reader on leave on Wednesday cannot cover that night; it is the only gap."""
    s = scenario(readers=[factory.reader("r1", leave=[{"start": "2026-03-04", "end": "2026-03-04"}])])
    result = solve_checked(s)
    assert uncovered(result) == [("A", "night", WED, 1)]
    assert worked(result, "r1") == {("night", d) for d in (MON, TUE, THU, FRI, SAT, SUN)}


def test_without_leave_every_night_is_covered():
    """The same lone reader without leave covers the whole week."""
    result = solve_checked(scenario())
    assert uncovered(result) == []
    assert len(worked(result, "r1")) == 7


def test_license_must_be_valid_on_every_date_the_night_touches():
    """A license valid until Wednesday covers Tuesday's night but not Wednesday's, which ends on Thursday."""
    r1 = factory.reader("r1", licenses=[{"jurisdiction": "FR", "valid_until": "2026-03-04"}])
    result = solve_checked(scenario(readers=[r1]))
    assert worked(result, "r1") == {("night", MON), ("night", TUE)}
    assert [u[2] for u in uncovered(result)] == [WED, THU, FRI, SAT, SUN]


def test_open_ended_license_covers_the_week():
    """The same reader with an open-ended license covers every night."""
    r1 = factory.reader("r1", licenses=[{"jurisdiction": "FR"}])
    assert uncovered(solve_checked(scenario(readers=[r1]))) == []


def test_privileges_decide_who_covers_the_site():
    """Only the reader privileged at site A covers its nights; the other has privileges elsewhere only."""
    d = factory.data()
    d["rule_sets"] = [{"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 0}]
    d["sites"].append({"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris"})
    d["radiologists"] = [factory.reader("r1"), factory.reader("r2", sites=("B",))]
    result = solve_checked(factory.build(d))
    assert uncovered(result) == []
    assert worked(result, "r2") == set()
    assert len(worked(result, "r1")) == 7


def test_subspecialty_need_only_takes_its_subspecialists():
    """A neuro-only need is covered by the one neuro reader; with 11 h rest after nights, every other night."""
    rules = {"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 11}
    readers = [factory.reader("r1", subspecialties=["neuro"]), factory.reader("r2")]
    s = scenario(rules=rules, readers=readers, coverage=[{"shift_type": "night", "subspecialty": "neuro"}])
    result = solve_checked(s)
    assert worked(result, "r1") == {("night", d) for d in (MON, WED, FRI, SUN)}
    assert worked(result, "r2") == set()
    assert uncovered(result) == [("A", "night", d, 1) for d in (TUE, THU, SAT)]


def test_need_open_to_any_reader_is_fully_covered():
    """The same two readers cover every night once the need accepts any subspecialty."""
    rules = {"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 11}
    readers = [factory.reader("r1", subspecialties=["neuro"]), factory.reader("r2")]
    result = solve_checked(scenario(rules=rules, readers=readers, coverage=[{"shift_type": "night"}]))
    assert uncovered(result) == []


def test_allowed_shift_types_force_the_split():
    """A day-only reader takes both weekend day shifts; the other reader must then work all nights."""
    readers = [factory.reader("r1", allowed_shift_types=["day"]), factory.reader("r2")]
    result = solve_checked(scenario(readers=readers, coverage=NIGHT_AND_WEEKEND_DAYS))
    assert uncovered(result) == []
    assert worked(result, "r1") == {("day", SAT), ("day", SUN)}
    assert worked(result, "r2") == {("night", d) for d in (MON, TUE, WED, THU, FRI, SAT, SUN)}


def test_shift_limit_of_zero_makes_a_type_unavailable():
    """A per-type limit of max 0 nights acts like a disallowed type: the reader never works a night."""
    readers = [factory.reader("r1", shift_limits={"night": {"max": 0}}), factory.reader("r2")]
    result = solve_checked(scenario(readers=readers, coverage=NIGHT_AND_WEEKEND_DAYS))
    assert uncovered(result) == []
    assert all(t == "day" for t, _ in worked(result, "r1"))


# ---- checker -----------------------------------------------------------------------------


def _one(vs, reader, date, site="A"):
    assert [(v.reader, v.date, v.site) for v in vs] == [(reader, date, site)], vs


def test_check_flags_missing_privileges():
    """Covering a site without privileges there is an eligibility violation for that reader and date."""
    s = scenario(readers=[factory.reader("r1", sites=())])
    vs = violations(s, roster(("r1", "night", TUE)), eligibility.NAME)
    _one(vs, "r1", TUE)
    assert "privileges" in vs[0].message


def test_check_flags_leave():
    """Working a night on a leave day is an eligibility violation on that date."""
    s = scenario(readers=[factory.reader("r1", leave=[{"start": "2026-03-04", "end": "2026-03-05"}])])
    vs = violations(s, roster(("r1", "night", MON), ("r1", "night", THU)), eligibility.NAME)
    _one(vs, "r1", THU)
    assert "leave" in vs[0].message


def test_check_flags_license_expiring_during_the_night():
    """A license that ends on the night's start date does not cover the night's morning."""
    r1 = factory.reader("r1", licenses=[{"jurisdiction": "FR", "valid_until": "2026-03-04"}])
    s = scenario(readers=[r1])
    assert violations(s, roster(("r1", "night", TUE)), eligibility.NAME) == []
    vs = violations(s, roster(("r1", "night", WED)), eligibility.NAME)
    _one(vs, "r1", WED)
    assert "license" in vs[0].message


def test_check_flags_missing_subspecialty():
    """A non-neuro reader on a neuro-only need is an eligibility violation."""
    s = scenario(readers=[factory.reader("r1")], coverage=[{"shift_type": "night", "subspecialty": "neuro"}])
    vs = violations(s, roster(("r1", "night", FRI)), eligibility.NAME)
    _one(vs, "r1", FRI)
    assert "neuro" in vs[0].message


def test_check_flags_disallowed_shift_type():
    """A day-only reader on a night is an eligibility violation."""
    s = scenario(readers=[factory.reader("r1", allowed_shift_types=["day"])], coverage=NIGHT_AND_WEEKEND_DAYS)
    assert violations(s, roster(("r1", "day", SAT)), eligibility.NAME) == []
    _one(violations(s, roster(("r1", "night", SAT)), eligibility.NAME), "r1", SAT)


def test_check_flags_shift_no_site_needs():
    """A weekday day shift, which no site needs, is flagged against the reader and date."""
    vs = violations(scenario(), roster(("r1", "day", WED)), eligibility.NAME)
    assert [(v.reader, v.date) for v in vs] == [("r1", WED)]
    assert "no site needs" in vs[0].message


def test_check_flags_site_without_need_and_unknown_reader():
    """A site with no need on the shift and an unknown reader are both eligibility violations."""
    d = factory.data()
    d["sites"].append({"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris"})
    s = factory.build(d)
    vs = violations(s, roster(("r1", "night", MON, ("A", "B")), ("ghost", "night", TUE)), eligibility.NAME)
    assert sorted((v.reader, v.date, v.site) for v in vs if v.reader) == [("r1", MON, "B")]
    assert [(v.reader, v.date) for v in vs if v.reader is None] == [(None, TUE)]


def test_check_accepts_an_eligible_roster():
    """A roster where everyone is licensed, privileged, present and allowed has no eligibility violation."""
    s = scenario(
        readers=[factory.reader("r1", leave=[{"start": "2026-03-04", "end": "2026-03-04"}]), factory.reader("r2")],
        coverage=NIGHT_AND_WEEKEND_DAYS,
    )
    r = roster(*[("r1", "night", d) for d in (MON, TUE, THU)], ("r2", "night", WED), ("r2", "day", SAT),
               ("r1", "day", SUN), ("r2", "night", SUN))
    assert violations(s, r, eligibility.NAME) == []
