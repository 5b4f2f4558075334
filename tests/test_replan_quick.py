"""The quick re-plan (scheduler/replan/quick.py): a valid roster from the open-shift ranking, with few
changes, that never moves the past or a lock; and replan() answering with it when its model does
not fit in the time given (national scale)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io.scenario_yaml import scenario_from_data
from scheduler.replan import replan as replan_module
from scheduler.replan.changes import with_absence
from scheduler.replan.quick import quick_replan
from scheduler.replan.replan import replan
from scheduler.replan.windows import make_plan
from scheduler.result import Assignment, Roster
from scheduler.solver.greedy import greedy_roster
from scheduler.solver.locks import LockError
from tests import factory
from tests.strategies import property_settings, scenario_data
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
    changed = with_absence(_scenario(), "r1", day(4), day(6))
    proven = replan(changed, _published(), now=MONDAY, time_limit=20)  # the model's proven minimum
    monkeypatch.setattr(replan_module, "BUILD_S_PER_TRIPLE", 10.0)  # as if every scenario were national
    result = replan(changed, _published(), now=MONDAY, time_limit=5)
    assert result.stats["model_skipped"] and result.stats["steps"] == []
    assert result.check.violations == [] and result.check.uncovered == []
    assert any("open-shift ranking alone" in note for note in result.notes)
    assert result.timings["wall_s"] < 5
    # r1 must leave nights 4 (within 72 h: weight 3) and 6 (weight 1), and on each another reader must
    # take the sites r1 left: 2 x (3 + 1), proven without the model, and the model's minimum too
    assert result.weighted_changes == sum(c.weight for c in result.changes) == result.bound == 2 * (3 + 1)
    assert result.status == "OPTIMAL" and proven.status == "OPTIMAL" and proven.weighted_changes == result.bound


def test_the_floor_counts_the_readers_the_missing_studies_need():
    scenario = _scenario()
    data = scenario.model_dump(mode="json", exclude_none=True)
    for site in data["sites"]:
        site["coverage"][0]["studies"] = 30
    for r in data["radiologists"]:
        r["studies_per_hour"] = 5  # 70 studies a night: A and B (60) fit one reader, not with a third site
    data["sites"].append({**data["sites"][1], "id": "C", "name": "Site C"})
    for r in data["radiologists"]:
        r["privileges"].append({"site": "C"})
    published = Roster(assignments=(
        Assignment(reader="r1", shift_type="night", date=day(6), sites=("A", "B")),
        Assignment(reader="r2", shift_type="night", date=day(6), sites=("C",)),
    ))
    changed = with_absence(factory.build(data), "r1", day(6), day(6))
    plan = _plan(changed, published)
    quick = quick_replan(plan, published)
    # A and B lost their reader: 60 studies, at most 70 a reader, one changed reader-shift at least; the
    # other nights are short in `published` too (90 studies: 2 readers each), weight 3 within 72 h of now
    nights = {n: plan.weight_of(build_instance(changed).shift_by_key[("night", day(n))].start) for n in range(2, 9)}
    assert quick.floor == 1 * nights[6] + sum(2 * w for n, w in nights.items() if n != 6)


@pytest.mark.parametrize("limit", [2, 20])
def test_replan_never_returns_more_changes_than_the_quick_roster(limit):
    changed = with_absence(_scenario(), "r1", day(4), day(6))
    published = _published()
    quick = quick_replan(_plan(changed, published), published)
    result = replan(changed, published, now=MONDAY, time_limit=limit)
    quick_changes = replan_module._changed(result.inst, published, quick.roster, _plan(changed, published))
    assert result.has_solution and result.check.uncovered == []
    assert result.weighted_changes <= sum(c.weight for c in quick_changes)


def test_a_reader_takes_on_another_missing_site_only_within_their_capacity():
    scenario = _scenario()
    data = scenario.model_dump(mode="json", exclude_none=True)
    for site in data["sites"]:
        site["coverage"][0]["studies"] = 30  # 42 studies in a 14 h night at 3 an hour: one site each
    for r in data["radiologists"]:
        r["studies_per_hour"] = 3
    published = Roster(assignments=(
        Assignment(reader="r1", shift_type="night", date=day(4), sites=("A",)),
        Assignment(reader="r2", shift_type="night", date=day(4), sites=("B",)),
    ))
    changed = with_absence(factory.build(data), "r1", day(4), day(4))
    changed = with_absence(changed, "r2", day(4), day(4))
    quick = quick_replan(_plan(changed, published), published)
    assert quick is not None
    # night 4 lost both readers; one reader cannot take both sites (60 studies), so two are called in
    night4 = sorted((a.reader, a.sites) for a in quick.roster.assignments if a.date == day(4))
    assert len(night4) == 2 and all(len(sites) == 1 for _, sites in night4)
    assert not {"r1", "r2"} & {reader for reader, _ in night4}
    report = check(changed, quick.roster)
    assert report.violations == [] and report.uncovered == []  # the other nights, short in `published`, too


def test_fills_stop_at_the_deadline_and_what_is_left_is_short_not_broken():
    changed = with_absence(_scenario(), "r1", day(4), day(6))
    published = _published()
    quick = quick_replan(_plan(changed, published), published, deadline=0.0)
    assert quick is not None and quick.filled == 0
    report = check(changed, quick.roster)
    assert report.violations == [] and {u.date for u in report.uncovered} == {day(4), day(6)}
    assert not any(a.reader == "r1" and a.date in (day(4), day(6)) for a in quick.roster.assignments)


@property_settings(40)
@given(scenario_data(), st.data())
def test_on_random_scenarios_the_quick_roster_keeps_every_rule_the_past_and_the_locks(data, draw):
    scenario = scenario_from_data(data)
    greedy = greedy_roster(build_instance(scenario))
    assume(greedy.ok and greedy.roster.assignments)
    days = scenario.horizon.days
    reader = draw.draw(st.sampled_from([r.id for r in scenario.radiologists]))
    first = draw.draw(st.integers(0, len(days) - 1))
    last = draw.draw(st.integers(first, min(len(days) - 1, first + 3)))
    lock = draw.draw(st.sampled_from(greedy.roster.assignments))
    # some assignments left out, so that needs are short in the past and the future alike
    dropped = draw.draw(st.sets(st.sampled_from(greedy.roster.assignments), max_size=4))
    published = Roster(assignments=tuple(
        Assignment(reader=a.reader, shift_type=a.shift_type, date=a.date, sites=a.sites, locked=a == lock)
        for a in greedy.roster.assignments if a == lock or a not in dropped))
    changed = with_absence(scenario, reader, days[first], days[last])
    now = dt.datetime.combine(days[draw.draw(st.integers(0, len(days) - 1))], dt.time(12), tzinfo=dt.UTC)
    try:
        plan = _plan(changed, published, now)
    except LockError:
        return  # the absence falls on the locked assignment: refused before any re-plan
    quick = quick_replan(plan, published)
    if quick is None:
        return  # what stays already breaks a rule: the model decides
    assert check(changed, quick.roster).violations == []
    inst = plan.inst

    def started(a: Assignment) -> bool:
        shift = inst.shift_by_key.get((a.shift_type, a.date))
        return shift is not None and shift.start < now

    def past(roster: Roster) -> set:
        return {(a.reader, a.shift_type, a.date, a.sites) for a in roster.assignments if started(a)}

    assert past(quick.roster) == past(published)  # nothing taken off, added to or moved in the past
    after = {(a.reader, a.shift_type, a.date): a.sites for a in quick.roster.assignments}
    assert after.get((lock.reader, lock.shift_type, lock.date)) == lock.sites
