"""The fairness ledger, and carrying published history into the next period."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.check import check
from scheduler.result import Assignment, Roster
from scheduler.scenario import History, HistoryShift
from scheduler.solver import solve
from scheduler.store import Store
from scheduler.store.ledger import LedgerRow
from tests import factory

UTC = dt.UTC
T0 = dt.datetime(2026, 9, 1, tzinfo=UTC)


def d(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def roster(*rows: tuple) -> Roster:
    """Rows (reader, shift_type, date); nights at site A, day shifts at site D."""
    return Roster(
        assignments=tuple(
            Assignment(reader=r, shift_type=t, date=day, sites=("A",) if t == "night" else ("D",))
            for r, t, day in rows
        )
    )


def scenario(start: dt.date, end: dt.date, *, name: str = "ledger"):
    """Nights 20:00-08:00 at A (2 points, 3 at weekends, 5 on holidays); day shifts 08:00-20:00 at D on
    weekends and holidays, counted as half working time (1 point, 4 on holidays). French holidays
    (1 November is one). r1 may work at A and D; r2 and r3 at A only. 11 h rest after any shift."""
    data = factory.data(
        name=name,
        horizon={"start": start.isoformat(), "end": end.isoformat(), "timezone": "Europe/Paris",
                 "holidays": {"country": "FR"}},
        shift_types=[
            {"id": "night", "start": "20:00", "end": "08:00", "kind": "night", "burden_points": 2,
             "weekend_burden_points": 3, "holiday_burden_points": 5},
            {"id": "day", "start": "08:00", "end": "20:00", "kind": "day", "days": ["weekends", "holidays"],
             "burden_points": 1, "holiday_burden_points": 4, "work_fraction": 0.5},
        ],
        sites=[
            {"id": "A", "jurisdiction": "FR", "timezone": "Europe/Paris", "coverage": [{"shift_type": "night"}]},
            {"id": "D", "jurisdiction": "FR", "timezone": "Europe/Paris", "coverage": [{"shift_type": "day"}]},
        ],
        radiologists=[factory.reader("r1", sites=("A", "D")), factory.reader("r2"), factory.reader("r3")],
        objective={"fairness": 0, "workload": 0, "continuity": 0, "reader_shifts": 0},
    )
    return factory.build(data)


def row(reader, month, shifts, nights, weekends, holidays, hours, burden) -> LedgerRow:
    return LedgerRow(reader, month, shifts, nights, weekends, holidays, hours, burden)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store.sqlite3") as s:
        yield s


# Two weeks from Monday 19 October to Sunday 1 November 2026: clocks go back on Sunday 25 October
# (the night of Saturday 24 lasts 13 h), and the weekend of 31 Oct / 1 Nov straddles the months,
# its Sunday being a public holiday (All Saints).
FORTNIGHT = (d(10, 19), d(11, 1))
FORTNIGHT_ROSTER = roster(
    ("r1", "night", d(10, 19)),  # Monday: 12 h, 2 points
    ("r1", "night", d(10, 24)),  # Saturday, DST: 13 h, 3 points
    ("r1", "night", d(10, 25)),  # Sunday: 12 h, 3 points (same weekend as Saturday)
    ("r1", "day", d(10, 31)),  # Saturday day: 12 h counted as 6 h, 1 point
    ("r1", "day", d(11, 1)),  # Sunday, holiday: 6 h, 4 points; the weekend belongs to October
    ("r2", "night", d(10, 21)),  # Wednesday: 12 h, 2 points
    ("r2", "night", d(10, 31)),  # Saturday: 12 h, 3 points
    ("r3", "night", d(11, 1)),  # Sunday, holiday: 12 h, 5 points; its weekend (Sat 31 Oct) counts in October
)


def test_ledger_counts_exactly(store):
    outcome = store.publish(scenario(*FORTNIGHT), FORTNIGHT_ROSTER, by="alice", base_number=None, now=T0)
    assert outcome.report.violations == []
    assert store.ledger() == [
        row("r1", "2026-10", 4, 3, 2, 0, 43.0, 9),
        row("r1", "2026-11", 1, 0, 0, 1, 6.0, 4),
        row("r2", "2026-10", 2, 2, 1, 0, 24.0, 5),
        row("r3", "2026-10", 0, 0, 1, 0, 0.0, 0),
        row("r3", "2026-11", 1, 1, 0, 1, 12.0, 5),
    ]


def test_ledger_filters_by_reader_and_month(store):
    store.publish(scenario(*FORTNIGHT), FORTNIGHT_ROSTER, by="alice", base_number=None, now=T0)
    assert [(r.reader, r.month) for r in store.ledger(readers=["r1", "r3"], first_month="2026-11")] == [
        ("r1", "2026-11"),
        ("r3", "2026-11"),
    ]
    assert [(r.reader, r.month) for r in store.ledger(last_month="2026-10")] == [
        ("r1", "2026-10"),
        ("r2", "2026-10"),
        ("r3", "2026-10"),
    ]
    assert store.ledger(readers=["nobody"]) == []


def test_republishing_replaces_the_periods_contribution(store):
    sc = scenario(*FORTNIGHT)
    store.publish(sc, FORTNIGHT_ROSTER, by="alice", base_number=None, now=T0)
    # version 2: Monday's night goes from r1 to r3
    moved = roster(*[(a.reader if a.date != d(10, 19) else "r3", a.shift_type, a.date)
                     for a in FORTNIGHT_ROSTER.assignments])
    store.publish(sc, moved, by="alice", base_number=1, now=T0 + dt.timedelta(days=1))
    rows = store.ledger()
    assert rows == [
        row("r1", "2026-10", 3, 2, 2, 0, 31.0, 7),
        row("r1", "2026-11", 1, 0, 0, 1, 6.0, 4),
        row("r2", "2026-10", 2, 2, 1, 0, 24.0, 5),
        row("r3", "2026-10", 1, 1, 1, 0, 12.0, 2),
        row("r3", "2026-11", 1, 1, 0, 1, 12.0, 5),
    ]
    assert sum(r.shifts for r in rows) == len(moved.assignments)
    # publishing the same roster again changes nothing
    store.publish(sc, moved, by="alice", base_number=2, now=T0 + dt.timedelta(days=2))
    assert store.ledger() == rows


OCTOBER = (d(10, 1), d(10, 31))
NOVEMBER = (d(11, 1), d(11, 30))
OCTOBER_ROSTER = roster(
    ("r2", "night", d(10, 1)),  # Thursday: 12 h, 2 points; outside the last 14 days
    ("r3", "night", d(10, 17)),  # Saturday: 12 h, 3 points; 15 days before November: outside
    ("r2", "night", d(10, 18)),  # Sunday: 12 h, 3 points; exactly 14 days before November: inside
    ("r1", "night", d(10, 31)),  # Saturday: 12 h, 3 points; ends 08:00 on 1 November
)
NOVEMBER_ROSTER = roster(
    ("r1", "night", d(11, 1)),  # holiday Sunday: 12 h, 5 points; weekend of 31 Oct, already counted
    ("r1", "day", d(11, 7)),  # Saturday: 6 h, 1 point
    ("r3", "night", d(11, 2)),  # Monday: 12 h, 2 points
)


def test_two_consecutive_months_add_up_per_month(store):
    store.publish(scenario(*OCTOBER), OCTOBER_ROSTER, by="alice", base_number=None, now=T0)
    store.publish(scenario(*NOVEMBER), NOVEMBER_ROSTER, by="alice", base_number=None, now=T0)
    assert store.ledger() == [
        row("r1", "2026-10", 1, 1, 1, 0, 12.0, 3),  # one weekend, though worked in two periods
        row("r1", "2026-11", 2, 1, 1, 1, 18.0, 6),
        row("r2", "2026-10", 2, 2, 1, 0, 24.0, 5),
        row("r3", "2026-10", 1, 1, 1, 0, 12.0, 3),
        row("r3", "2026-11", 1, 1, 0, 0, 12.0, 2),
    ]
    # re-publishing October leaves November's rows alone
    store.publish(scenario(*OCTOBER), roster(("r2", "night", d(10, 1))), by="alice", base_number=1, now=T0)
    assert store.ledger() == [
        row("r1", "2026-10", 0, 0, 1, 0, 0.0, 0),  # Sunday 1 Nov still makes the weekend of 31 Oct
        row("r1", "2026-11", 2, 1, 1, 1, 18.0, 6),
        row("r2", "2026-10", 1, 1, 0, 0, 12.0, 2),
        row("r3", "2026-11", 1, 1, 0, 0, 12.0, 2),
    ]


def test_with_history_carries_the_last_14_days_and_the_totals(store):
    store.publish(scenario(*OCTOBER), OCTOBER_ROSTER, by="alice", base_number=None, now=T0)
    november = scenario(*NOVEMBER)
    carried = store.with_history(november)
    history = {r.id: r.history for r in carried.radiologists}
    assert history["r1"] == History(shifts=(HistoryShift(shift_type="night", date=d(10, 31)),),
                                    burden_points=3, work_hours=12.0, nights=1, weekends=1, holidays=0)
    assert history["r2"] == History(shifts=(HistoryShift(shift_type="night", date=d(10, 18)),),
                                    burden_points=5, work_hours=24.0, nights=2, weekends=1, holidays=0)
    assert history["r3"].shifts == ()  # 17 October is 15 days back
    ledger = store.ledger(last_month="2026-10")
    for reader, h in history.items():
        mine = [r for r in ledger if r.reader == reader]
        assert (h.burden_points, h.work_hours, h.nights, h.weekends, h.holidays) == (
            sum(r.burden_points for r in mine),
            sum(r.hours for r in mine),
            sum(r.nights for r in mine),
            sum(r.weekends for r in mine),
            sum(r.holidays for r in mine),
        )
    assert history["r3"].burden_points == 3
    # the rest of the scenario is as given
    assert carried.model_dump(exclude={"radiologists"}) == november.model_dump(exclude={"radiologists"})


def test_with_history_leaves_readers_without_published_work_alone(store):
    store.publish(scenario(*OCTOBER), roster(("r1", "night", d(10, 31))), by="alice", base_number=None, now=T0)
    november = scenario(*NOVEMBER)
    carried = store.with_history(november)
    assert carried.radiologist_by_id["r2"] == november.radiologist_by_id["r2"]
    assert carried.radiologist_by_id["r1"].history.nights == 1


def test_rest_across_the_border_is_checked_only_with_history(store):
    store.publish(scenario(*OCTOBER), OCTOBER_ROSTER, by="alice", base_number=None, now=T0)
    november = scenario(*NOVEMBER)
    carried = store.with_history(november)
    # r1's night of 31 October ends at 08:00 on 1 November, when the holiday day shift starts
    breaking = roster(("r1", "day", d(11, 1)))
    assert [v for v in check(november, breaking).violations if v.rule == "rest"] == []
    rest = [v for v in check(carried, breaking).violations if v.rule == "rest"]
    assert [(v.reader, v.date) for v in rest] == [("r1", d(11, 1))]
    assert "11 h rest required" in rest[0].message

    # r1 is the only reader for site D: without history they take that day shift, with it they may not
    plain = solve(november, time_limit=10, workers=1, seed=0, explain=False)
    assert plain.has_solution and plain.check.violations == []
    assert ("r1", "day", d(11, 1)) in {(a.reader, a.shift_type, a.date) for a in plain.roster.assignments}
    result = solve(carried, time_limit=10, workers=1, seed=0, explain=False)
    assert result.has_solution and result.check.violations == []
    worked = {(a.reader, a.shift_type, a.date) for a in result.roster.assignments}
    assert ("r1", "day", d(11, 1)) not in worked
    assert ("D", "day", d(11, 1)) in {(u.site, u.shift_type, u.date) for u in result.check.uncovered}
    assert [v for v in check(carried, result.roster).violations if v.rule == "rest"] == []
