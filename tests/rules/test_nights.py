"""Night blocks: at most `max_consecutive_nights` in a row, then `min_days_off_after_nights` days off."""

from __future__ import annotations

from scheduler.rules import nights
from tests import factory
from tests.rules.conftest import (
    FRI,
    MON,
    SAT,
    SUN,
    THU,
    TUE,
    WED,
    missing,
    roster,
    scenario,
    solve_checked,
    uncovered,
    violations,
    worked,
)


def _rules(k: int | None = None, off: int = 0) -> dict:
    return {"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 0,
            "max_consecutive_nights": k, "min_days_off_after_nights": off}


def _history(*shifts: tuple[str, str]) -> dict:
    return {"shifts": [{"shift_type": t, "date": d} for t, d in shifts]}


# ---- max consecutive nights --------------------------------------------------------------


def test_three_nights_max_leaves_thursday_open():
    """At most 3 nights in a row: a lone reader covers 6 of 7 nights, and the only way is Thursday off."""
    result = solve_checked(scenario(rules=_rules(k=3)))
    assert uncovered(result) == [("A", "night", THU, 1)]


def test_no_night_limit_covers_the_week():
    """Without the limit the lone reader covers all seven nights."""
    assert missing(solve_checked(scenario(rules=_rules()))) == 0


def test_a_day_shift_breaks_a_night_block():
    """Nights Mon, Tue, Thu, Fri and a day shift Wed: 2 nights max still lets one reader cover all five."""
    cover = [{"shift_type": "night", "days": ["mon", "tue", "thu", "fri"]}, {"shift_type": "day", "days": ["wed"]}]
    result = solve_checked(scenario(rules=_rules(k=2), coverage=cover))
    assert missing(result) == 0
    assert worked(result, "r1") == {("night", MON), ("night", TUE), ("day", WED), ("night", THU), ("night", FRI)}


def test_a_night_on_wednesday_instead_is_left_open():
    """With a night on Wed instead, five nights in a row against a max of 2: Wednesday's is the one left open."""
    cover = [{"shift_type": "night", "days": ["mon", "tue", "wed", "thu", "fri"]}]
    result = solve_checked(scenario(rules=_rules(k=2), coverage=cover))
    assert uncovered(result) == [("A", "night", WED, 1)]


def test_history_nights_count_toward_the_block():
    """Two history nights before the horizon with a max of 2: Monday's night is out, and 3 nights stay open."""
    r1 = factory.reader("r1", history=_history(("night", "2026-02-28"), ("night", "2026-03-01")))
    result = solve_checked(scenario(rules=_rules(k=2), readers=[r1]))
    gaps = [d for _s, _t, d, _m in uncovered(result)]
    assert MON in gaps and len(gaps) == 3
    assert missing(solve_checked(scenario(rules=_rules(k=2)))) == 2


def test_history_nights_count_even_when_the_limit_exceeds_the_horizon():
    """A max of 7 nights with one history night before a 7-day horizon: one of the week's nights stays open."""
    r1 = factory.reader("r1", history=_history(("night", "2026-03-01")))
    assert missing(solve_checked(scenario(rules=_rules(k=7), readers=[r1]))) == 1
    assert missing(solve_checked(scenario(rules=_rules(k=7)))) == 0


# ---- days off after a block of nights ----------------------------------------------------


def _night_mon_days_wed_thu(off: int):
    cover = [{"shift_type": "night", "days": ["mon"]}, {"shift_type": "day", "days": ["wed", "thu"]}]
    return scenario(rules=_rules(off=off), coverage=cover)


def test_days_off_after_nights_drop_the_night():
    """Two days off after a night: Monday's night would rule out Wed and Thu, so a lone reader skips the night."""
    result = solve_checked(_night_mon_days_wed_thu(2))
    assert uncovered(result) == [("A", "night", MON, 1)]
    assert worked(result, "r1") == {("day", WED), ("day", THU)}


def test_one_day_off_after_nights_fits():
    """With one day off after nights, Tuesday is the day off and the lone reader covers all three."""
    result = solve_checked(_night_mon_days_wed_thu(1))
    assert missing(result) == 0


def test_a_following_night_continues_the_block():
    """A night followed by a night is not the end of the block: two days off do not stop Tuesday's night."""
    result = solve_checked(scenario(rules=_rules(off=2), coverage=[{"shift_type": "night", "days": ["mon", "tue"]}]))
    assert worked(result, "r1") == {("night", MON), ("night", TUE)}


def test_history_night_block_needs_its_days_off():
    """A block ending with a history night on 1 March and 2 days off: Monday's and Tuesday's day shifts stay open."""
    r1 = factory.reader("r1", history=_history(("night", "2026-03-01")))
    cover = [{"shift_type": "day", "days": ["mon", "tue", "wed"]}]
    result = solve_checked(scenario(rules=_rules(off=2), readers=[r1], coverage=cover))
    assert worked(result, "r1") == {("day", WED)}
    assert [d for _s, _t, d, _m in uncovered(result)] == [MON, TUE]
    assert missing(solve_checked(scenario(rules=_rules(off=2), coverage=cover))) == 0


# ---- checker -----------------------------------------------------------------------------


def test_check_flags_too_many_nights():
    """Four nights in a row with a max of 3 is flagged on the last night, one over."""
    s = scenario(rules=_rules(k=3))
    vs = violations(s, roster(*[("r1", "night", d) for d in (TUE, WED, THU, FRI)]), nights.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", FRI, 1)]


def test_check_counts_history_nights():
    """Two history nights then Monday's and Tuesday's make four in a row, flagged on Tuesday."""
    r1 = factory.reader("r1", history=_history(("night", "2026-02-28"), ("night", "2026-03-01")))
    s = scenario(rules=_rules(k=3), readers=[r1])
    vs = violations(s, roster(("r1", "night", MON), ("r1", "night", TUE)), nights.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", TUE, 1)]


def test_check_flags_work_too_soon_after_nights():
    """A day shift two days after Monday's night with 2 days off required is flagged on that date."""
    s = _night_mon_days_wed_thu(2)
    vs = violations(s, roster(("r1", "night", MON), ("r1", "day", WED)), nights.OFF)
    assert [(v.reader, v.date) for v in vs] == [("r1", WED)]


def test_check_flags_work_too_soon_after_history_nights():
    """Monday's day shift right after a history night on 1 March is flagged on Monday."""
    r1 = factory.reader("r1", history=_history(("night", "2026-03-01")))
    s = scenario(rules=_rules(off=1), readers=[r1], coverage=[{"shift_type": "day", "days": ["mon"]}])
    vs = violations(s, roster(("r1", "day", MON)), nights.OFF)
    assert [(v.reader, v.date) for v in vs] == [("r1", MON)]


def test_check_accepts_blocks_and_rest_days():
    """Three nights, two days off, then a day shift and a night: no night-block violation."""
    s = scenario(rules=_rules(k=3, off=2), coverage=[{"shift_type": "night"}, {"shift_type": "day"}])
    r = roster(("r1", "night", MON), ("r1", "night", TUE), ("r1", "night", WED), ("r1", "day", SAT),
               ("r1", "night", SUN))
    assert violations(s, r, nights.NAME) == []
    assert violations(s, r, nights.OFF) == []
