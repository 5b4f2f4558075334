"""One shift per day: a reader starts at most one shift on any date."""

from __future__ import annotations

from collections import Counter

from scheduler.rules import one_shift_per_day
from tests import factory
from tests.rules.conftest import FRI, SAT, SUN, roster, scenario, solve_checked, uncovered, violations, worked

NIGHT_AND_WEEKEND_DAYS = [{"shift_type": "night"}, {"shift_type": "day"}]


def test_lone_reader_cannot_take_day_and_night_on_the_same_date():
    """With no rest rule, a lone reader still works one shift a date: one weekend need per day stays open."""
    result = solve_checked(scenario(coverage=NIGHT_AND_WEEKEND_DAYS))
    gaps = uncovered(result)
    assert [(d, m) for _site, _type, d, m in gaps] == [(SAT, 1), (SUN, 1)]
    dates = Counter(d for _t, d in worked(result, "r1"))
    assert len(dates) == 7 and set(dates.values()) == {1}


def test_second_reader_covers_both_weekend_shifts():
    """With a second reader the same needs are fully covered, still one shift per reader per date."""
    readers = [factory.reader("r1"), factory.reader("r2")]
    result = solve_checked(scenario(readers=readers, coverage=NIGHT_AND_WEEKEND_DAYS))
    assert uncovered(result) == []
    for rid in ("r1", "r2"):
        dates = Counter(d for _t, d in worked(result, rid))
        assert set(dates.values()) <= {1}


def test_shifts_on_following_dates_are_allowed_back_to_back():
    """Friday's night then Saturday's day shift start on different dates, so a lone reader takes both."""
    s = scenario(coverage=[{"shift_type": "night", "days": ["fri"]}, {"shift_type": "day", "days": ["sat"]}])
    result = solve_checked(s)
    assert uncovered(result) == []
    assert worked(result, "r1") == {("night", FRI), ("day", SAT)}


def test_check_flags_two_shifts_starting_on_one_date():
    """A day shift and a night both starting Saturday is a violation for that reader on Saturday."""
    s = scenario(coverage=NIGHT_AND_WEEKEND_DAYS)
    vs = violations(s, roster(("r1", "day", SAT), ("r1", "night", SAT)), one_shift_per_day.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", SAT, 1)]


def test_check_accepts_one_shift_per_date():
    """Friday's night followed by Saturday's day shift, and two readers on Sunday, break nothing."""
    s = scenario(readers=[factory.reader("r1"), factory.reader("r2")], coverage=NIGHT_AND_WEEKEND_DAYS)
    r = roster(("r1", "night", FRI), ("r1", "day", SAT), ("r1", "night", SUN), ("r2", "day", SUN))
    assert violations(s, r, one_shift_per_day.NAME) == []
