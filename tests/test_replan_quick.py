"""The quick re-plan (scheduler/replan/quick.py): a valid roster from the open-shift ranking, with few
changes, that never moves the past or a lock; and replan() answering with it when its model does
not fit in the time given (national scale)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.replan import replan as replan_module
from scheduler.replan.changes import with_absence
from scheduler.replan.quick import quick_replan
from scheduler.replan.replan import replan
from scheduler.replan.windows import make_plan
from scheduler.result import Assignment, Roster
from tests import factory
from tests.swap_helpers import HORIZON, day

MONDAY = dt.datetime(2037, 3, 2, 0, 0, tzinfo=dt.UTC)


def _scenario():
    """Sites A and B, one reader each night; four readers with privileges at both."""
    d = factory.data(horizon=HORIZON)
    d["shift_types"] = d["shift_types"][:1]
    d["sites"].append({"id": "B", "name": "Site B", "jurisdiction": "FR", "timezone": "Europe/Paris",
                       "coverage": [{"shift_type": "night", "readers": 1, "studies": 10}]})
    d["radiologists"] = [factory.reader(f"r{k}", sites=("A", "B")) for k in range(1, 5)]
    return factory.build(d)


def _published(locked_day: int | None = None) -> Roster:
    """r1 reads A and B on nights 2, 4, 6 and 8; r2 on 3 and 5; r3 on 7."""
    nights = {"r1": (2, 4, 6, 8), "r2": (3, 5), "r3": (7,)}
    return Roster(assignments=tuple(
        Assignment(reader=r, shift_type="night", date=day(n), sites=("A", "B"), locked=n == locked_day)
        for r, days in nights.items() for n in days)).sorted()


def _plan(changed, published, now=MONDAY):
    return make_plan(build_instance(changed), published, now, 72, 3)


def test_the_absent_readers_sites_go_to_one_reader_and_the_roster_keeps_every_rule():
    changed = with_absence(_scenario(), "r1", day(4), day(4))
    published = _published()
    quick = quick_replan(_plan(changed, published), published)
    assert quick is not None and quick.filled == 2
    report = check(changed, quick.roster)
    assert report.violations == [] and report.uncovered == []
    night4 = [a for a in quick.roster.assignments if a.date == day(4)]
    # the second site joins the reader who took the first: one changed reader-shift, not two
    assert len(night4) == 1 and night4[0].reader != "r1" and night4[0].sites == ("A", "B")
    assert {a for a in quick.roster.assignments if a.date != day(4)} == \
        {a for a in published.assignments if a.date != day(4)}
    # r1 off the night and another reader on it: two changes, each weighing 3 (within 72 h of now); the
    # model proves that the fewest, and the quick roster has just those
    result = replan(changed, published, now=MONDAY, time_limit=20)
    assert result.status == "OPTIMAL" and result.weighted_changes == 2 * 3
    plan = _plan(changed, published)
    assert sum(c.weight for c in replan_module._changed(plan.inst, published, quick.roster, plan)) == 2 * 3


def test_the_past_and_locked_assignments_never_move():
    changed = with_absence(_scenario(), "r1", day(4), day(6))
    published = _published(locked_day=8)
    now = dt.datetime(2037, 3, 3, 12, 0, tzinfo=dt.UTC)  # nights 2 and 3 have started
    quick = quick_replan(_plan(changed, published, now), published)
    assert quick is not None and check(changed, quick.roster).violations == []
    kept = {(a.reader, a.date, a.sites) for a in quick.roster.assignments}
    assert {("r1", day(2), ("A", "B")), ("r2", day(3), ("A", "B")), ("r1", day(8), ("A", "B"))} <= kept
    assert not any(a.reader == "r1" and day(4) <= a.date <= day(6) for a in quick.roster.assignments)
    assert check(changed, quick.roster).uncovered == []


def test_a_stop_gives_no_quick_roster():
    changed = with_absence(_scenario(), "r1", day(4), day(4))
    stop = threading.Event()
    stop.set()
    assert quick_replan(_plan(changed, _published()), _published(), stop=stop) is None


def test_when_the_model_cannot_be_built_in_time_replan_answers_with_the_quick_roster(monkeypatch):
    monkeypatch.setattr(replan_module, "BUILD_S_PER_TRIPLE", 10.0)  # as if every scenario were national
    changed = with_absence(_scenario(), "r1", day(4), day(6))
    result = replan(changed, _published(), now=MONDAY, time_limit=5)
    assert result.status == "FEASIBLE" and result.stats["model_skipped"] and result.stats["steps"] == []
    assert result.check.violations == [] and result.check.uncovered == []
    # r1 must leave nights 4 (within 72 h: weight 3) and 6 (weight 1): what no roster can avoid
    assert result.weighted_changes == sum(c.weight for c in result.changes) >= result.bound == 3 + 1
    assert any("open-shift ranking alone" in note for note in result.notes)
    assert result.timings["wall_s"] < 5


@pytest.mark.parametrize("limit", [2, 20])
def test_replan_never_returns_more_changes_than_the_quick_roster(limit):
    changed = with_absence(_scenario(), "r1", day(4), day(6))
    published = _published()
    quick = quick_replan(_plan(changed, published), published)
    result = replan(changed, published, now=MONDAY, time_limit=limit)
    quick_changes = replan_module._changed(result.inst, published, quick.roster, _plan(changed, published))
    assert result.has_solution and result.check.uncovered == []
    assert result.weighted_changes <= sum(c.weight for c in quick_changes)
