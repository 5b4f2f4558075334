"""Time: DST-correct shift lengths, absolute-clock rest, true-length capacity, day-by-day
credentials in the site's zone, and weekend/holiday burden from national and local calendars."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scheduler.check import check
from scheduler.instance import Instance, ShiftInstance, build_instance, shift_interval
from scheduler.result import Assignment, Roster, SolveResult
from scheduler.scenario import Scenario, ShiftType
from scheduler.solver.solve import solve
from tests.factory import build, data, reader

UTC = dt.UTC
D = dt.date.fromisoformat
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


# ---- helpers ------------------------------------------------------------------------------------


def scenario(start: str, end: str, **top: Any) -> Scenario:
    """The factory scenario over another horizon (Paris planning zone, FR holidays)."""
    d = data(**top)
    d["horizon"]["start"], d["horizon"]["end"] = start, end
    return build(d)


def night(inst: Instance, day: str, type_id: str = "night") -> ShiftInstance:
    return inst.shift_by_key[(type_id, D(day))]


def solve_checked(s: Scenario | Instance) -> SolveResult:
    """Solve to optimality; the roster must pass the checker with the solver's objective."""
    res = solve(s, time_limit=60, workers=2, explain=False)
    assert res.status == "OPTIMAL", res.status
    assert res.check is not None
    assert res.check.violations == [], [v.message for v in res.check.violations]
    assert res.check.objective == res.objective
    assert res.check.terms == res.terms
    return res


def roster(*items: tuple[str, str, str, tuple[str, ...]]) -> Roster:
    return Roster(assignments=tuple(Assignment(reader=r, shift_type=t, date=D(day), sites=sites)
                                    for r, t, day, sites in items))


def rule_violations(s: Scenario | Instance, r: Roster, rule: str) -> list:
    return [v for v in check(s, r).violations if v.rule == rule]


def assert_utc(t: dt.datetime) -> None:
    assert t.tzinfo is not None
    assert t.utcoffset() == dt.timedelta(0)


# ---- DST lengths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "day", "hours", "utc_start", "utc_end"),
    [
        # spring forward on Sunday 29 March 2026: the night of Saturday 28 lasts 13 h
        ("2026-03-23", "2026-03-29", "2026-03-28", 13, "2026-03-28T17:30", "2026-03-29T06:30"),
        ("2026-03-23", "2026-03-29", "2026-03-27", 14, "2026-03-27T17:30", "2026-03-28T07:30"),
        ("2026-03-23", "2026-03-29", "2026-03-29", 14, "2026-03-29T16:30", "2026-03-30T06:30"),
        # fall back on Sunday 25 October 2026: the night of Saturday 24 lasts 15 h
        ("2026-10-19", "2026-10-25", "2026-10-24", 15, "2026-10-24T16:30", "2026-10-25T07:30"),
        ("2026-10-19", "2026-10-25", "2026-10-23", 14, "2026-10-23T16:30", "2026-10-24T06:30"),
        ("2026-10-19", "2026-10-25", "2026-10-25", 14, "2026-10-25T17:30", "2026-10-26T07:30"),
    ],
)
def test_paris_night_length_across_dst(start, end, day, hours, utc_start, utc_end):
    inst = build_instance(scenario(start, end))
    s = night(inst, day)
    assert s.end - s.start == dt.timedelta(hours=hours)
    assert s.minutes == hours * 60
    assert s.work_minutes == hours * 60
    assert s.start == dt.datetime.fromisoformat(utc_start).replace(tzinfo=UTC)
    assert s.end == dt.datetime.fromisoformat(utc_end).replace(tzinfo=UTC)
    # the local wall clock still reads 18:30 to 08:30
    assert s.start.astimezone(PARIS).time() == dt.time(18, 30)
    assert s.end.astimezone(PARIS).time() == dt.time(8, 30)


def test_work_minutes_follow_the_true_length():
    d = data()
    d["horizon"].update(start="2026-03-23", end="2026-03-29")
    d["shift_types"][0]["work_fraction"] = 0.5  # on-call: half the time counts as work
    inst = build_instance(build(d))
    assert night(inst, "2026-03-28").work_minutes == 13 * 30
    assert night(inst, "2026-03-27").work_minutes == 14 * 30


def _new_york_scenario(start: str, end: str) -> Scenario:
    return build(data(
        horizon={"start": start, "end": end, "timezone": "America/New_York",
                 "holidays": {"country": "US", "subdivision": "NY"}},
        jurisdictions=[{"id": "US-NY"}],
        shift_types=[{"id": "night", "start": "22:00", "end": "08:00", "kind": "night"}],
        sites=[{"id": "NY", "jurisdiction": "US-NY", "timezone": "America/New_York",
                "coverage": [{"shift_type": "night"}]}],
        radiologists=[{"id": f"r{k}", "rule_set": "std", "timezone": "America/New_York",
                       "licenses": [{"jurisdiction": "US-NY"}], "privileges": [{"site": "NY"}]}
                      for k in range(1, 4)],
    ))


@pytest.mark.parametrize(
    ("start", "end", "day", "hours"),
    [
        # US spring forward on Sunday 8 March 2026 at 02:00
        ("2026-03-02", "2026-03-08", "2026-03-07", 9),
        ("2026-03-02", "2026-03-08", "2026-03-06", 10),
        ("2026-03-02", "2026-03-08", "2026-03-08", 10),
        # US fall back on Sunday 1 November 2026 at 02:00
        ("2026-10-26", "2026-11-01", "2026-10-31", 11),
        ("2026-10-26", "2026-11-01", "2026-10-30", 10),
        ("2026-10-26", "2026-11-01", "2026-11-01", 10),
    ],
)
def test_new_york_night_length_across_dst(start, end, day, hours):
    inst = build_instance(_new_york_scenario(start, end))
    s = night(inst, day)
    assert s.minutes == hours * 60
    assert s.end - s.start == dt.timedelta(hours=hours)
    st = inst.scenario.shift_type_by_id["night"]
    assert shift_interval(st, D(day), NEW_YORK) == (s.start, s.end)
    assert s.start.astimezone(NEW_YORK).time() == dt.time(22, 0)
    assert s.end.astimezone(NEW_YORK).time() == dt.time(8, 0)


def test_new_york_dst_nights_solve_and_check():
    for start, end in (("2026-03-02", "2026-03-08"), ("2026-10-26", "2026-11-01")):
        res = solve_checked(_new_york_scenario(start, end))
        assert res.uncovered == []


def test_shift_type_in_another_zone_than_the_horizon():
    """A shift type stated in New York time inside a Paris-planned horizon keeps its own clock."""
    d = data()
    d["shift_types"].append({"id": "ny_night", "start": "22:00", "end": "08:00", "timezone": "America/New_York",
                             "kind": "night"})
    d["sites"][0]["coverage"].append({"shift_type": "ny_night"})
    inst = build_instance(build(d))  # horizon 2-8 March 2026, US DST starts on the 8th
    ny = night(inst, "2026-03-07", "ny_night")
    assert ny.start == dt.datetime(2026, 3, 8, 3, 0, tzinfo=UTC)
    assert ny.minutes == 9 * 60
    assert night(inst, "2026-03-06", "ny_night").minutes == 10 * 60
    assert night(inst, "2026-03-07").minutes == 14 * 60  # Paris has not changed yet


@pytest.mark.parametrize("start,end", [("2026-03-23", "2026-03-29"), ("2026-10-19", "2026-10-25")])
def test_instants_are_aware_utc(start, end):
    d = data()
    d["horizon"].update(start=start, end=end)
    d["shift_types"][1]["days"] = ["all"]
    d["sites"][0]["coverage"].append({"shift_type": "day"})
    d["radiologists"][0]["history"] = {"shifts": [{"shift_type": "night", "date": (D(start) - dt.timedelta(1))
                                                   .isoformat()}]}
    inst = build_instance(build(d))
    assert len(inst.shifts) == 14
    for s in inst.shifts + inst.history["r1"]:
        assert_utc(s.start)
        assert_utc(s.end)
        assert s.end > s.start
    starts = [s.start for s in inst.shifts]
    assert starts == sorted(starts)  # index order is time order


def test_shift_in_the_spring_forward_gap_has_no_negative_length():
    """02:15-03:00 on 29 March 2026 in Paris: 02:15 does not exist (clocks jump 02:00 -> 03:00).

    Whatever instant the start is mapped to, the shift must not end before it starts."""
    st = ShiftType(id="x", start="02:15", end="03:00")
    start, end = shift_interval(st, D("2026-03-29"), PARIS)
    assert end >= start, f"{start} -> {end}"


# ---- rest on the absolute clock -----------------------------------------------------------------


def _sydney(rest_after_night: float, readers: list[dict[str, Any]] | None = None) -> Scenario:
    """Paris nights, 30 March - 5 April 2026; Sydney leaves DST at 03:00 on 5 April (16:00 UTC on the 4th)."""
    d = data(radiologists=readers or [reader("syd", timezone="Australia/Sydney")])
    d["horizon"].update(start="2026-03-30", end="2026-04-05")
    d["rule_sets"][0]["rest_after_night_hours"] = rest_after_night
    return build(d)


def test_rest_uses_the_absolute_clock_not_the_readers_zone():
    """Between the nights of 3 and 4 April the Paris gap is 10 h; Sydney's wall clock jumps back an hour
    inside that gap (it reads 17:30 -> 02:30, 9 h), which must not matter."""
    inst = build_instance(_sydney(10))
    a, b = night(inst, "2026-04-03"), night(inst, "2026-04-04")
    assert b.start - a.end == dt.timedelta(hours=10)
    sydney = ZoneInfo("Australia/Sydney")
    wall = dt.datetime.combine(dt.date(2000, 1, 2), b.start.astimezone(sydney).time()) - dt.datetime.combine(
        dt.date(2000, 1, 1), a.end.astimezone(sydney).time())
    assert wall == dt.timedelta(hours=9)  # the trap the rule must not fall into
    two = roster(("syd", "night", "2026-04-03", ("A",)), ("syd", "night", "2026-04-04", ("A",)))
    assert rule_violations(inst, two, "rest") == []
    strict = build_instance(_sydney(10.5))
    found = rule_violations(strict, two, "rest")
    assert len(found) == 1
    assert found[0].reader == "syd" and found[0].date == D("2026-04-04")
    assert found[0].amount == pytest.approx(0.5)


def test_rest_is_the_same_for_readers_in_any_zone():
    readers = [reader("syd", timezone="Australia/Sydney"), reader("par", timezone="Europe/Paris"),
               reader("ny", timezone="America/New_York")]
    inst = build_instance(_sydney(11, readers))
    for rid in ("syd", "par", "ny"):
        back_to_back = roster((rid, "night", "2026-04-03", ("A",)), (rid, "night", "2026-04-04", ("A",)))
        found = rule_violations(inst, back_to_back, "rest")
        assert [(v.reader, v.date, v.amount) for v in found] == [(rid, D("2026-04-04"), 1.0)]
        apart = roster((rid, "night", "2026-04-02", ("A",)), (rid, "night", "2026-04-04", ("A",)))
        assert rule_violations(inst, apart, "rest") == []


@pytest.mark.parametrize(("rest", "covered"), [(10, 7), (10.5, 4)])
def test_sydney_reader_solved_on_the_absolute_clock(rest, covered):
    res = solve_checked(_sydney(rest))
    nights = sorted(a.date for a in res.roster.assignments)
    assert len(nights) == covered
    assert len(res.uncovered) == 7 - covered
    if rest > 10:
        assert all((b - a).days >= 2 for a, b in zip(nights, nights[1:], strict=False))


def _two_zones(readers: int) -> Scenario:
    """A New York late shift on Monday 2 March (19:00-23:00 EST) and a Paris early shift on Tuesday
    3 March (01:00-05:00 CET) are the same absolute hours, 00:00-04:00 UTC on 3 March."""
    return build(data(
        jurisdictions=[{"id": "FR"}, {"id": "US-NY"}],
        shift_types=[
            {"id": "ny_late", "start": "19:00", "end": "23:00", "timezone": "America/New_York", "days": ["mon"]},
            {"id": "paris_early", "start": "01:00", "end": "05:00", "timezone": "Europe/Paris", "days": ["tue"]},
        ],
        rule_sets=[{"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 0}],
        sites=[
            {"id": "A", "jurisdiction": "FR", "timezone": "Europe/Paris", "coverage": [{"shift_type": "paris_early"}]},
            {"id": "NY", "jurisdiction": "US-NY", "timezone": "America/New_York",
             "coverage": [{"shift_type": "ny_late"}]},
        ],
        radiologists=[{"id": f"r{k}", "rule_set": "std",
                       "licenses": [{"jurisdiction": "FR"}, {"jurisdiction": "US-NY"}],
                       "privileges": [{"site": "A"}, {"site": "NY"}]} for k in range(1, readers + 1)],
    ))


def test_overlap_across_zones_is_a_rest_violation():
    inst = build_instance(_two_zones(1))
    ny, paris = night(inst, "2026-03-02", "ny_late"), night(inst, "2026-03-03", "paris_early")
    assert (ny.start, ny.end) == (paris.start, paris.end) == (
        dt.datetime(2026, 3, 3, 0, tzinfo=UTC), dt.datetime(2026, 3, 3, 4, tzinfo=UTC))
    assert ny.date != paris.date  # different working days, so only rest can catch it
    both = roster(("r1", "ny_late", "2026-03-02", ("NY",)), ("r1", "paris_early", "2026-03-03", ("A",)))
    report = check(inst, both)
    assert [v.rule for v in report.violations] == ["rest"]
    assert "overlaps" in report.violations[0].message
    assert report.uncovered == []


def test_overlap_across_zones_is_never_rostered():
    one = solve_checked(_two_zones(1))
    assert len(one.roster.assignments) == 1
    assert len(one.uncovered) == 1
    two = solve_checked(_two_zones(2))
    assert two.uncovered == []
    assert len({a.reader for a in two.roster.assignments}) == 2


# ---- capacity uses the true length --------------------------------------------------------------


def _saturday_night(start: str, end: str, studies: float) -> Scenario:
    """One reader needed on Saturday nights only, with `studies` to read (12 per hour each)."""
    d = data()
    d["horizon"].update(start=start, end=end)
    d["sites"][0]["coverage"] = [{"shift_type": "night", "days": ["sat"], "studies": studies}]
    return build(d)


@pytest.mark.parametrize(
    ("start", "end", "studies", "fits"),
    [
        ("2026-03-16", "2026-03-22", 168, True),  # Saturday 21 March: 14 h x 12 = 168
        ("2026-03-23", "2026-03-29", 168, False),  # Saturday 28 March: 13 h x 12 = 156
        ("2026-03-23", "2026-03-29", 156, True),
        ("2026-10-19", "2026-10-25", 180, True),  # Saturday 24 October: 15 h x 12 = 180
        ("2026-10-12", "2026-10-18", 180, False),  # Saturday 17 October: 14 h
    ],
)
def test_capacity_uses_the_true_night_length(start, end, studies, fits):
    res = solve_checked(_saturday_night(start, end, studies))
    if fits:
        assert res.uncovered == []
        assert len(res.roster.assignments) == 1
    else:
        assert [(u.site, u.shift_type, u.date.weekday(), u.missing) for u in res.uncovered] == [("A", "night", 5, 1)]
        assert res.roster.assignments == ()


def test_checker_flags_capacity_on_the_short_night():
    inst = build_instance(_saturday_night("2026-03-23", "2026-03-29", 168))
    report = check(inst, roster(("r1", "night", "2026-03-28", ("A",))))
    cap = [v for v in report.violations if v.rule == "capacity"]
    assert len(cap) == 1
    assert cap[0].amount == 12
    assert "168" in cap[0].message and "156" in cap[0].message
    normal = build_instance(_saturday_night("2026-03-16", "2026-03-22", 168))
    assert check(normal, roster(("r1", "night", "2026-03-21", ("A",)))).violations == []


# ---- credentials day by day ---------------------------------------------------------------------


def _credentials(**r1: Any) -> Scenario:
    """2-8 March 2026; site A needs a day shift and a night every day; six readers, r1 with the given
    credentials."""
    d = data()
    d["shift_types"][1]["days"] = ["all"]
    d["sites"][0]["coverage"] = [{"shift_type": "night"}, {"shift_type": "day"}]
    d["radiologists"] = [reader(f"r{k}") for k in range(1, 7)]
    d["radiologists"][0].update(r1)
    return build(d)


def _eligible(inst: Instance, rid: str, type_id: str, day: str) -> bool:
    return "A" in inst.eligible.get((rid, night(inst, day, type_id).index), ())


def _reasons(inst: Instance, rid: str, type_id: str, day: str, site: str = "A") -> list[str]:
    s = night(inst, day, type_id)
    return inst.ineligibility_reasons(inst.scenario.radiologist_by_id[rid], s, inst.demands[(site, s.index)])


def test_license_expiring_mid_horizon():
    inst = build_instance(_credentials(licenses=[{"jurisdiction": "FR", "valid_until": "2026-03-04"}]))
    assert _eligible(inst, "r1", "day", "2026-03-04")
    assert not _eligible(inst, "r1", "day", "2026-03-05")
    assert _reasons(inst, "r1", "day", "2026-03-05") == ["has no FR license valid on 5 Mar 2026"]
    # the night of the 3rd ends on the 4th: fine; the night of the 4th ends on the 5th: not
    assert _eligible(inst, "r1", "night", "2026-03-03")
    assert not _eligible(inst, "r1", "night", "2026-03-04")
    assert _reasons(inst, "r1", "night", "2026-03-04") == ["has no FR license valid on 4 Mar 2026 and 5 Mar 2026"]
    for day in ("2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"):
        assert not _eligible(inst, "r1", "night", day)
        assert not _eligible(inst, "r1", "day", day)
    assert _eligible(inst, "r2", "night", "2026-03-04")


def test_license_starting_mid_horizon():
    inst = build_instance(_credentials(licenses=[{"jurisdiction": "FR", "valid_from": "2026-03-05"}]))
    assert not _eligible(inst, "r1", "night", "2026-03-04")  # starts on the 4th
    assert "has no FR license valid on 4 Mar 2026 and 5 Mar 2026" in _reasons(inst, "r1", "night", "2026-03-04")
    assert not _eligible(inst, "r1", "day", "2026-03-04")
    assert _eligible(inst, "r1", "day", "2026-03-05")
    assert _eligible(inst, "r1", "night", "2026-03-05")


def test_a_gap_between_licenses_is_honoured():
    """A renewal starting two days after the old license ends leaves the night in between uncovered."""
    inst = build_instance(_credentials(licenses=[
        {"jurisdiction": "FR", "valid_until": "2026-03-04"},
        {"jurisdiction": "FR", "valid_from": "2026-03-06"},
    ]))
    assert not _eligible(inst, "r1", "night", "2026-03-04")
    assert not _eligible(inst, "r1", "night", "2026-03-05")
    assert _eligible(inst, "r1", "night", "2026-03-06")


def test_a_second_license_takes_over():
    """A renewal recorded as a second license from the next day keeps the reader eligible."""
    inst = build_instance(_credentials(licenses=[
        {"jurisdiction": "FR", "valid_until": "2026-03-04"},
        {"jurisdiction": "FR", "valid_from": "2026-03-05"},
    ]))
    # a renewal taking over the next day leaves no gap: the night of the 4th is covered too
    assert _eligible(inst, "r1", "day", "2026-03-04") and _eligible(inst, "r1", "day", "2026-03-05")
    assert _eligible(inst, "r1", "night", "2026-03-04")
    assert _eligible(inst, "r1", "night", "2026-03-03") and _eligible(inst, "r1", "night", "2026-03-05")


def test_privileges_expiring_mid_horizon():
    inst = build_instance(_credentials(privileges=[{"site": "A", "valid_until": "2026-03-06"}]))
    assert _eligible(inst, "r1", "night", "2026-03-05")
    assert not _eligible(inst, "r1", "night", "2026-03-06")
    assert _reasons(inst, "r1", "night", "2026-03-06") == [
        "has no privileges at Site A valid on 6 Mar 2026 and 7 Mar 2026"
    ]
    assert _eligible(inst, "r1", "day", "2026-03-06")
    assert not _eligible(inst, "r1", "day", "2026-03-07")


def test_credentials_are_dated_in_the_sites_zone():
    """A Paris day shift (08:30-18:30) at a Tokyo site runs 16:30-02:30 Tokyo time: two Tokyo dates."""
    d = data(jurisdictions=[{"id": "FR"}, {"id": "JP"}])
    d["shift_types"][1]["days"] = ["all"]
    d["sites"][0]["coverage"] = [{"shift_type": "day"}]
    d["sites"].append({"id": "T", "name": "Tokyo", "jurisdiction": "JP", "timezone": "Asia/Tokyo",
                       "coverage": [{"shift_type": "day"}]})
    d["radiologists"][0].update(
        licenses=[{"jurisdiction": "FR", "valid_until": "2026-03-04"},
                  {"jurisdiction": "JP", "valid_until": "2026-03-04"}],
        privileges=[{"site": "A"}, {"site": "T"}])
    inst = build_instance(build(d))
    s = night(inst, "2026-03-04", "day")
    assert inst.eligible[("r1", s.index)] == ("A",)
    r1 = inst.scenario.radiologist_by_id["r1"]
    assert inst.ineligibility_reasons(r1, s, inst.demands[("T", s.index)]) == [
        "has no JP license valid on 4 Mar 2026 and 5 Mar 2026"]
    assert inst.eligible[("r1", night(inst, "2026-03-03", "day").index)] == ("A", "T")


def test_shift_ending_at_midnight_does_not_need_the_next_day():
    """A 16:00-24:00 evening ends at the first instant of the next date; a license valid until the
    evening's own date covers it."""
    d = data()
    d["shift_types"].append({"id": "evening", "start": "16:00", "end": "00:00", "kind": "evening"})
    d["sites"][0]["coverage"] = [{"shift_type": "evening"}]
    d["radiologists"][0]["licenses"] = [{"jurisdiction": "FR", "valid_until": "2026-03-04"}]
    inst = build_instance(build(d))
    assert night(inst, "2026-03-04", "evening").minutes == 8 * 60
    assert _reasons(inst, "r1", "evening", "2026-03-04") == []
    assert _eligible(inst, "r1", "evening", "2026-03-04")


def test_expiring_license_is_respected_by_solve():
    d = data(radiologists=[reader(f"r{k}") for k in range(1, 5)])
    d["sites"][0]["coverage"].append({"shift_type": "day"})  # weekends and holidays
    d["radiologists"][0].update(licenses=[{"jurisdiction": "FR", "valid_until": "2026-03-04"}],
                                privileges=[{"site": "A", "valid_from": "2026-03-03"}])
    s = build(d)
    res = solve_checked(s)
    assert res.uncovered == []
    inst = build_instance(s)
    assert any(a.reader == "r1" for a in res.roster.assignments)  # fairness gives r1 their share
    for a in res.roster.assignments:
        if a.reader == "r1":
            sh = inst.shift_by_key[(a.shift_type, a.date)]
            first, last = sh.start.astimezone(PARIS).date(), sh.end.astimezone(PARIS).date()
            assert D("2026-03-03") <= first and last <= D("2026-03-04")


def test_checker_flags_an_expired_license():
    s = _credentials(licenses=[{"jurisdiction": "FR", "valid_until": "2026-03-04"}])
    found = rule_violations(s, roster(("r1", "night", "2026-03-04", ("A",))), "eligibility")
    assert len(found) == 1
    assert "license valid on 4 Mar 2026 and 5 Mar 2026" in found[0].message


# ---- weekend and holiday burden -----------------------------------------------------------------


def _burden(start: str, end: str) -> Instance:
    d = data()
    d["horizon"].update(start=start, end=end)
    d["shift_types"][0].update(burden_points=3, weekend_burden_points=4, holiday_burden_points=5)
    return build_instance(build(d))


@pytest.mark.parametrize(
    ("start", "end", "holiday"),
    [
        ("2026-04-27", "2026-05-03", "2026-05-01"),  # Fête du Travail, a Friday
        ("2026-11-09", "2026-11-15", "2026-11-11"),  # Armistice, a Wednesday
        ("2026-04-06", "2026-04-12", "2026-04-06"),  # Easter Monday
        ("2026-10-26", "2026-11-01", "2026-11-01"),  # All Saints', a Sunday: holiday beats weekend
    ],
)
def test_french_public_holiday_is_a_holiday_shift(start, end, holiday):
    inst = _burden(start, end)
    assert D(holiday) in inst.planning_holidays
    for s in inst.shifts:
        if s.date == D(holiday):
            assert s.is_holiday and s.burden == 5
        elif s.date.weekday() >= 5:
            assert s.is_weekend and not s.is_holiday and s.burden == 4
        else:
            assert not s.is_holiday and not s.is_weekend and s.burden == 3


def test_holiday_burden_counts_in_a_solved_roster():
    inst = _burden("2026-04-27", "2026-05-03")
    res = solve_checked(inst)
    assert res.uncovered == []
    burdens = {a.date: inst.shift_by_key[(a.shift_type, a.date)].burden for a in res.roster.assignments}
    assert burdens[D("2026-05-01")] == 5
    assert sum(burdens.values()) == 3 * 4 + 5 + 4 * 2


def _alsace(subdivision: str, start: str, end: str, types: tuple[str, ...] = ("day", "office", "holiday_cover"),
            readers: int = 6) -> Scenario:
    """Paris (national calendar, from the horizon) and Metz/Strasbourg (its own calendar)."""
    d = data()
    d["horizon"].update(start=start, end=end)
    d["shift_types"].append({"id": "office", "start": "09:00", "end": "17:00", "days": ["weekdays"]})
    d["shift_types"].append({"id": "holiday_cover", "start": "08:00", "end": "12:00", "days": ["holidays"]})
    cover = [{"shift_type": t} for t in types]
    d["sites"] = [
        {"id": "A", "name": "Paris", "jurisdiction": "FR", "timezone": "Europe/Paris", "coverage": cover},
        {"id": "M", "name": "Metz", "jurisdiction": "FR", "timezone": "Europe/Paris", "coverage": cover,
         "holidays": {"country": "FR", "subdivision": subdivision}},
    ]
    d["radiologists"] = [reader(f"r{k}", sites=("A", "M")) for k in range(1, readers + 1)]
    return build(d)


def _sites_needing(inst: Instance, type_id: str, day: str) -> set[str]:
    s = inst.shift_by_key.get((type_id, D(day)))
    return set() if s is None else {d.site for d in inst.demands_by_shift[s.index]}


@pytest.mark.parametrize("subdivision", ["57", "6AE"])  # Moselle; Alsace (Bas-Rhin and Haut-Rhin)
def test_local_holiday_calendar_activates_only_that_sites_holiday_needs(subdivision):
    inst = build_instance(_alsace(subdivision, "2026-03-30", "2026-04-05"))
    good_friday = D("2026-04-03")
    assert good_friday in inst.site_holidays["M"]
    assert good_friday not in inst.site_holidays["A"]
    # weekend-and-holiday day shift and holiday-only cover: Metz only on Good Friday
    assert _sites_needing(inst, "day", "2026-04-03") == {"M"}
    assert _sites_needing(inst, "holiday_cover", "2026-04-03") == {"M"}
    # weekday office shift: Paris works Good Friday, Metz does not
    assert _sites_needing(inst, "office", "2026-04-03") == {"A"}
    assert _sites_needing(inst, "office", "2026-04-02") == {"A", "M"}
    # the weekend is the same for both
    assert _sites_needing(inst, "day", "2026-04-04") == {"A", "M"}
    assert _sites_needing(inst, "holiday_cover", "2026-04-04") == set()
    # burden follows the planning (national) calendar
    assert not inst.shift_by_key[("day", good_friday)].is_holiday


def test_easter_monday_and_saint_stephen():
    inst = build_instance(_alsace("57", "2026-04-06", "2026-04-12"))
    assert _sites_needing(inst, "holiday_cover", "2026-04-06") == {"A", "M"}  # national
    assert _sites_needing(inst, "office", "2026-04-06") == set()
    assert inst.shift_by_key[("day", D("2026-04-06"))].is_holiday
    dec = build_instance(_alsace("57", "2026-12-21", "2026-12-27"))
    assert _sites_needing(dec, "holiday_cover", "2026-12-25") == {"A", "M"}
    assert _sites_needing(dec, "holiday_cover", "2026-12-26") == {"M"}  # Saint Stephen: Alsace-Moselle only


def test_local_holidays_solve_and_check():
    res = solve_checked(_alsace("57", "2026-03-30", "2026-04-05", types=("day", "office"), readers=4))
    assert res.uncovered == []
    covered = {(a.shift_type, a.date, s) for a in res.roster.assignments for s in a.sites}
    assert ("day", D("2026-04-03"), "M") in covered
    assert ("day", D("2026-04-03"), "A") not in covered
    assert ("office", D("2026-04-03"), "A") in covered
    assert ("office", D("2026-04-03"), "M") not in covered


def test_equal_start_and_end_make_a_24_hour_shift():
    """08:00-08:00 is a 24-hour garde (25 h on the autumn DST day), not an error."""
    d = data()
    d["shift_types"][0].update({"start": "08:00", "end": "08:00"})
    d["horizon"].update({"start": "2026-10-20", "end": "2026-10-26"})
    inst = build_instance(build(d))
    lengths = {s.date.isoformat(): s.minutes / 60 for s in inst.shifts if s.type_id == "night"}
    assert lengths["2026-10-20"] == 24
    assert lengths["2026-10-24"] == 25
