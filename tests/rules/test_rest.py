"""Rest between shifts on the absolute clock: min rest, rest after a night, history, DST nights."""

from __future__ import annotations

import datetime as dt

from scheduler.instance import build_instance
from scheduler.rules import rest
from tests import factory
from tests.rules.conftest import FRI, MON, SAT, SUN, missing, roster, scenario, solve_checked, violations, worked

EARLY_UTC = {"id": "early", "label": "early", "start": "08:00", "end": "16:00", "timezone": "UTC", "kind": "day"}
NIGHT_FRI_DAY_SAT = [{"shift_type": "night", "days": ["fri"]}, {"shift_type": "day", "days": ["sat"]}]


def _rules(min_rest: float = 0, after_night: float = 0) -> dict:
    return {"id": "std", "min_rest_hours": min_rest, "rest_after_night_hours": after_night}


def _history(*shifts: tuple[str, str]) -> dict:
    return {"shifts": [{"shift_type": t, "date": d} for t, d in shifts]}


# ---- rest after a night ------------------------------------------------------------------


def test_rest_after_night_splits_night_and_next_morning():
    """With 11 h rest after a night, a lone reader cannot work Friday's night and Saturday's 08:30 day shift."""
    result = solve_checked(scenario(rules=_rules(after_night=11), coverage=NIGHT_FRI_DAY_SAT))
    assert missing(result) == 1
    assert len(worked(result, "r1")) == 1


def test_night_then_morning_allowed_without_rest_after_night():
    """With no rest required after a night the lone reader works both, even when min rest is 11 h."""
    result = solve_checked(scenario(rules=_rules(min_rest=11, after_night=0), coverage=NIGHT_FRI_DAY_SAT))
    assert missing(result) == 0
    assert worked(result, "r1") == {("night", FRI), ("day", SAT)}


def test_rest_after_night_forbids_consecutive_nights():
    """Nights 10 h apart with 11 h rest after a night: a lone reader works at most every other night."""
    result = solve_checked(scenario(rules=_rules(after_night=11)))
    assert missing(result) == 3
    assert worked(result, "r1") == {("night", MON + dt.timedelta(days=k)) for k in (0, 2, 4, 6)}


def test_ten_hours_after_night_allow_consecutive_nights():
    """With exactly 10 h rest after a night (the gap between nights) every night is covered."""
    assert missing(solve_checked(scenario(rules=_rules(after_night=10)))) == 0


# ---- min rest after other shifts ---------------------------------------------------------


def test_min_rest_between_day_shifts():
    """Weekend day shifts are 14 h apart: 15 h min rest leaves one open for a lone reader."""
    result = solve_checked(scenario(rules=_rules(min_rest=15), coverage=[{"shift_type": "day"}]))
    assert missing(result) == 1


def test_min_rest_met_exactly():
    """14 h min rest is met by the 14 h gap, and rest after nights (72 h) does not apply to day shifts."""
    result = solve_checked(scenario(rules=_rules(min_rest=14, after_night=72), coverage=[{"shift_type": "day"}]))
    assert missing(result) == 0
    assert worked(result, "r1") == {("day", SAT), ("day", SUN)}


# ---- history before the horizon ----------------------------------------------------------


def test_history_night_blocks_monday_morning():
    """A history night on Sunday 1 March ends Monday 08:30, so Monday's 08:30 day shift is out of reach."""
    r1 = factory.reader("r1", history=_history(("night", "2026-03-01")))
    s = scenario(rules=_rules(after_night=11), readers=[r1], coverage=[{"shift_type": "day", "days": ["mon"]}])
    result = solve_checked(s)
    assert worked(result, "r1") == set()
    assert missing(result) == 1


def test_without_history_monday_morning_is_covered():
    """The same reader without the history night covers Monday's day shift."""
    s = scenario(rules=_rules(after_night=11), coverage=[{"shift_type": "day", "days": ["mon"]}])
    assert worked(solve_checked(s), "r1") == {("day", MON)}


def test_history_day_shift_uses_min_rest():
    """A history day shift on Sunday 1 March is 14 h before Monday's: 15 h min rest forbids it, 14 h allows it."""
    r1 = factory.reader("r1", history=_history(("day", "2026-03-01")))
    cover = [{"shift_type": "day", "days": ["mon"]}]
    assert missing(solve_checked(scenario(rules=_rules(min_rest=15), readers=[r1], coverage=cover))) == 1
    assert missing(solve_checked(scenario(rules=_rules(min_rest=14), readers=[r1], coverage=cover))) == 0


def test_conflicting_history_shifts_are_not_the_solver_business():
    """Two history shifts that broke rest among themselves neither crash the model nor count as a violation."""
    r1 = factory.reader("r1", history=_history(("night", "2026-02-27"), ("day", "2026-02-28")))
    result = solve_checked(scenario(rules=_rules(after_night=11), readers=[r1]))
    assert missing(result) == 3


# ---- DST: the 18:30-08:30 night lasts 13 h in spring and 15 h in autumn ------------------


def _night_then_early(start: str, end: str):
    """A Paris night on Saturday and a UTC 08:00 early shift on Sunday; 1 h rest after a night; one reader."""
    d = factory.data(horizon={"start": start, "end": end, "timezone": "Europe/Paris"})
    d["shift_types"] = [d["shift_types"][0], EARLY_UTC]
    d["rule_sets"] = [_rules(after_night=1)]
    d["sites"][0]["coverage"] = [{"shift_type": "night", "days": ["sat"]}, {"shift_type": "early", "days": ["sun"]}]
    d["radiologists"] = [factory.reader("r1")]
    return factory.build(d)


def test_spring_dst_night_ends_early_enough():
    """The 13 h night of 28 March 2026 ends 06:30 UTC: 1.5 h before the 08:00 UTC shift, so one reader takes both."""
    s = _night_then_early("2026-03-23", "2026-03-29")
    night = build_instance(s).shift_by_key[("night", dt.date(2026, 3, 28))]
    assert night.minutes == 13 * 60
    result = solve_checked(s)
    assert missing(result) == 0
    assert worked(result, "r1") == {("night", dt.date(2026, 3, 28)), ("early", dt.date(2026, 3, 29))}


def test_winter_night_ends_too_late():
    """A week earlier the 14 h night ends 07:30 UTC, 0.5 h before the early shift: one stays open."""
    assert missing(solve_checked(_night_then_early("2026-03-16", "2026-03-22"))) == 1


def test_autumn_dst_night_ends_too_late():
    """The 15 h night of 24 October 2026 ends 07:30 UTC, 0.5 h before the early shift: one stays open."""
    s = _night_then_early("2026-10-19", "2026-10-25")
    night = build_instance(s).shift_by_key[("night", dt.date(2026, 10, 24))]
    assert night.minutes == 15 * 60
    assert missing(solve_checked(s)) == 1


def test_summer_night_ends_early_enough():
    """A week earlier the 14 h summer night ends 06:30 UTC, leaving 1.5 h: one reader takes both."""
    assert missing(solve_checked(_night_then_early("2026-10-12", "2026-10-18"))) == 0


def test_rest_spanning_spring_forward_is_an_hour_shorter():
    """Friday night 27 March to Sunday 08:30 is 23 h on the clock: 23.5 h rest after a night forbids it."""
    cover = [{"shift_type": "night", "days": ["fri"]}, {"shift_type": "day", "days": ["sun"]}]
    dst = scenario(rules=_rules(after_night=23.5), coverage=cover,
                   horizon={"start": "2026-03-23", "end": "2026-03-29", "timezone": "Europe/Paris"})
    assert missing(solve_checked(dst)) == 1
    ordinary = scenario(rules=_rules(after_night=23.5), coverage=cover,
                        horizon={"start": "2026-03-16", "end": "2026-03-22", "timezone": "Europe/Paris"})
    assert missing(solve_checked(ordinary)) == 0


# ---- checker -----------------------------------------------------------------------------


def test_check_flags_short_rest_after_night():
    """Friday's night then Saturday's 08:30 day shift is 11 h short of rest, flagged on Saturday."""
    s = scenario(rules=_rules(after_night=11), coverage=NIGHT_FRI_DAY_SAT)
    vs = violations(s, roster(("r1", "night", FRI), ("r1", "day", SAT)), rest.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", SAT, 11)]


def test_check_flags_short_min_rest():
    """Saturday's and Sunday's day shifts 14 h apart break a 15 h min rest by 1 h, flagged on Sunday."""
    s = scenario(rules=_rules(min_rest=15), coverage=[{"shift_type": "day"}])
    vs = violations(s, roster(("r1", "day", SAT), ("r1", "day", SUN)), rest.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", SUN, 1)]


def test_check_counts_history():
    """A history night on 1 March then Monday's day shift is flagged on Monday."""
    r1 = factory.reader("r1", history=_history(("night", "2026-03-01")))
    s = scenario(rules=_rules(after_night=11), readers=[r1], coverage=[{"shift_type": "day", "days": ["mon"]}])
    vs = violations(s, roster(("r1", "day", MON)), rest.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", MON, 11)]


def test_check_ignores_conflicts_inside_history():
    """Two history shifts too close together are not a violation of this roster."""
    r1 = factory.reader("r1", history=_history(("night", "2026-02-27"), ("day", "2026-02-28")))
    s = scenario(rules=_rules(after_night=11), readers=[r1])
    assert violations(s, roster(("r1", "night", MON)), rest.NAME) == []


def test_check_uses_the_true_end_of_a_dst_night():
    """After the 15 h autumn night the UTC early shift is 0.5 h short of 1 h rest; after the 13 h spring one, fine."""
    autumn = _night_then_early("2026-10-19", "2026-10-25")
    r = roster(("r1", "night", dt.date(2026, 10, 24)), ("r1", "early", dt.date(2026, 10, 25)))
    vs = violations(autumn, r, rest.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", dt.date(2026, 10, 25), 0.5)]
    spring = _night_then_early("2026-03-23", "2026-03-29")
    r = roster(("r1", "night", dt.date(2026, 3, 28)), ("r1", "early", dt.date(2026, 3, 29)))
    assert violations(spring, r, rest.NAME) == []


def test_check_flags_overlap():
    """A 07:00 UTC shift 0.5 h before the winter night ends overlaps it: flagged, and avoided by the solver."""
    d = _night_then_early("2026-03-16", "2026-03-22").model_dump(mode="json")
    d["rule_sets"] = [_rules()]
    d["shift_types"][1]["start"] = "07:00"
    s = factory.build(d)
    vs = violations(s, roster(("r1", "night", dt.date(2026, 3, 21)), ("r1", "early", dt.date(2026, 3, 22))),
                    rest.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", dt.date(2026, 3, 22), 0.5)]
    assert "overlaps" in vs[0].message
    assert missing(solve_checked(s)) == 1


def test_check_accepts_enough_rest():
    """Nights two days apart with 11 h rest after a night break nothing."""
    s = scenario(rules=_rules(min_rest=11, after_night=11))
    assert violations(s, roster(*[("r1", "night", MON + dt.timedelta(days=k)) for k in (0, 2, 4, 6)]), rest.NAME) == []


def test_check_message_gives_the_end_on_the_reader_own_clock():
    """The message says when the first shift ends, in the reader's own time zone (New York: 02:30)."""
    s = scenario(rules=_rules(after_night=11), readers=[factory.reader("r1", timezone="America/New_York")],
                 coverage=NIGHT_FRI_DAY_SAT)
    vs = violations(s, roster(("r1", "night", FRI), ("r1", "day", SAT)), rest.NAME)
    assert [v.message for v in vs] == ["Dr r1: the day shift of 7 Mar 2026 starts 0.0 h after the night of 6 Mar 2026 "
                                       "ends at 02:30 (America/New_York); 11 h rest required"]
