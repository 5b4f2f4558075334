"""Maximum consecutive working days, counting history days just before the horizon."""

from __future__ import annotations

from scheduler.rules import consecutive
from tests import factory
from tests.rules.conftest import (
    FRI,
    MON,
    SAT,
    THU,
    TUE,
    WED,
    WEEK,
    missing,
    roster,
    scenario,
    solve_checked,
    uncovered,
    violations,
)


def _rules(k: int | None) -> dict:
    return {"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 0, "max_consecutive_days": k}


def _history(*dates: str) -> dict:
    return {"shifts": [{"shift_type": "night", "date": d} for d in dates]}


def test_three_days_max_leaves_thursday_open():
    """At most 3 days in a row: a lone reader covers 6 of 7 nights, and the only way is Thursday off."""
    result = solve_checked(scenario(rules=_rules(3)))
    assert uncovered(result) == [("A", "night", THU, 1)]


def test_no_limit_covers_the_week():
    """Without the limit the lone reader covers all seven nights."""
    assert missing(solve_checked(scenario(rules=_rules(None)))) == 0


def test_day_and_night_shifts_both_count():
    """Nights Mon-Fri plus weekend day shifts still make 7 working days: with a max of 6, one stays open."""
    s = scenario(rules=_rules(6), coverage=[{"shift_type": "night", "days": ["weekdays"]}, {"shift_type": "day"}])
    assert missing(solve_checked(s)) == 1


def test_history_days_start_the_run():
    """Three history days before the horizon with a max of 3: Monday must be off, and one more day later."""
    r1 = factory.reader("r1", history=_history("2026-02-27", "2026-02-28", "2026-03-01"))
    result = solve_checked(scenario(rules=_rules(3), readers=[r1]))
    gaps = [d for _s, _t, d, _m in uncovered(result)]
    assert len(gaps) == 2
    assert gaps[0] == MON and gaps[1] in (THU, FRI)


def test_history_with_a_gap_does_not_count():
    """History days ending two days before the horizon leave the run broken: same result as no history."""
    r1 = factory.reader("r1", history=_history("2026-02-26", "2026-02-27", "2026-02-28"))
    result = solve_checked(scenario(rules=_rules(3), readers=[r1]))
    assert uncovered(result) == [("A", "night", THU, 1)]


def test_history_counts_even_when_the_limit_exceeds_the_horizon():
    """A max of 7 days with one history day before a 7-day horizon: the reader cannot work all 7 dates."""
    r1 = factory.reader("r1", history=_history("2026-03-01"))
    assert missing(solve_checked(scenario(rules=_rules(7), readers=[r1]))) == 1
    assert missing(solve_checked(scenario(rules=_rules(7)))) == 0


def test_check_flags_a_run_too_long():
    """Four days in a row with a max of 3 is flagged on the run's last date, one day over."""
    s = scenario(rules=_rules(3))
    vs = violations(s, roster(*[("r1", "night", d) for d in (MON, TUE, WED, THU)]), consecutive.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", THU, 1)]


def test_check_counts_history():
    """Two history days then Monday and Tuesday make four in a row, flagged on Tuesday."""
    r1 = factory.reader("r1", history=_history("2026-02-28", "2026-03-01"))
    s = scenario(rules=_rules(3), readers=[r1])
    vs = violations(s, roster(("r1", "night", MON), ("r1", "night", TUE)), consecutive.NAME)
    assert [(v.reader, v.date, v.amount) for v in vs] == [("r1", TUE, 1)]


def test_check_accepts_runs_within_the_limit():
    """Three on, one off, three on with a max of 3 breaks nothing; nor does history alone."""
    r1 = factory.reader("r1", history=_history("2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28"))
    s = scenario(rules=_rules(3), readers=[r1])
    r = roster(*[("r1", "night", d) for d in WEEK if d != THU])
    assert violations(s, r, consecutive.NAME) == []
    assert violations(s, roster(("r1", "night", FRI), ("r1", "night", SAT)), consecutive.NAME) == []
