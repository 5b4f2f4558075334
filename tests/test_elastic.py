"""The elastic first stage: a start short of minimum hours grows into a roster that keeps every rule."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io import curtois
from scheduler.result import Assignment, Roster
from scheduler.rules import hours
from scheduler.solver import elastic, solve
from tests import factory

DATA = Path(__file__).resolve().parent / "data" / "curtois"
EMPTY = Roster(assignments=())


def _week(min_hours: float, max_hours: float | None = None):
    d = factory.data()
    d["rule_sets"][0].update(min_total_hours=min_hours, max_total_hours=max_hours)
    d["sites"][0]["coverage"][0]["readers"] = 1
    return build_instance(factory.build(d))


def test_an_empty_start_breaks_only_the_minimum_and_the_stage_applies():
    inst = _week(28)
    report = check(inst, EMPTY)
    assert report.violations and {v.rule for v in report.violations} == {hours.TOTAL}
    assert elastic.applies(report)
    assert not elastic.applies(None)


def test_a_curtois_instance_grows_from_nothing_into_a_roster_with_no_violation():
    inst = build_instance(curtois.to_scenario(curtois.load(DATA / "Instance2.txt")))
    assert {v.rule for v in check(inst, EMPTY).violations} == {hours.TOTAL}
    roster = elastic.first_roster(inst, EMPTY, deadline=time.perf_counter() + 60, workers=2)
    assert roster is not None
    assert check(inst, roster).violations == []


def test_the_maximum_stays_hard_while_the_minimum_is_met():
    inst = _week(28, 29)  # two 14 h nights: exactly 28 h, a third would break the maximum
    roster = elastic.first_roster(inst, EMPTY, deadline=time.perf_counter() + 20)
    assert roster is not None and check(inst, roster).violations == []
    assert {a.reader for a in roster.assignments} == {"r1", "r2", "r3"}


def test_an_impossible_minimum_gives_up_at_the_deadline():
    inst = _week(24 * 8)  # more hours than a week has
    started = time.perf_counter()
    assert elastic.first_roster(inst, EMPTY, deadline=started + 2) is None
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("coverage_first", [False, True])
def test_solve_grows_a_start_short_of_minimum_hours_and_says_so(coverage_first):
    inst = _week(28)
    result = solve(inst, time_limit=10, initial=EMPTY, coverage_first=coverage_first, method="full")
    assert result.stats.get("elastic") is True
    assert result.check.violations == [] and result.roster.assignments


def test_a_start_with_locked_shifts_is_not_grown():
    inst = _week(28)
    night = next(s for s in inst.shifts if s.type_id == "night")
    locked = Roster(assignments=(Assignment(reader="r1", shift_type="night", date=night.date, sites=("A",),
                                            locked=True),))
    result = solve(inst, time_limit=5, initial=locked, coverage_first=False, method="full")
    assert "elastic" not in result.stats
    assert any(a.reader == "r1" and a.date == night.date for a in result.roster.assignments)


def test_a_minimum_out_of_reach_for_a_reader_alone_ends_the_stage_at_once():
    """A reader who cannot meet their minimum even alone (at most 2 shifts, 2,400 minutes asked) is
    proven so by their own model: the stage gives up at once instead of retrying until its deadline,
    and the solve reports INFEASIBLE (it used to wait out the stage's 16 s share of a 20 s limit)."""
    text = ("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=2,3000,2400,7,1,1,1\n"
            "B,D=7,3000,0,7,1,1,1\n\nSECTION_COVER\n0,D,1,100,1\n")
    scenario = curtois.to_scenario(curtois.parse(text, "out-of-reach"))
    deadline = time.perf_counter() + 30
    assert elastic.first_roster(build_instance(scenario), EMPTY, deadline=deadline) is None
    assert deadline - time.perf_counter() > 20  # it gave up on the proof, not at its deadline
    result = solve(scenario, time_limit=20, workers=2, coverage_first=False, explain=False)
    assert result.status == "INFEASIBLE" and result.stats["elastic"] is False and result.stats["elastic_s"] < 10
