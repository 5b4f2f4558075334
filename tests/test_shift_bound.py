"""The shifts' own lower bound (scheduler/solver/shift_bound.py): it never passes a proven optimum
or a valid roster's objective, whatever the weights, it is reached where it should be, and solve
reports it where the search's bound is lower."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io.scenario_yaml import scenario_from_data
from scheduler.result import CheckReport, Roster, SolveResult
from scheduler.solver import solve
from scheduler.solver.greedy import greedy_roster
from scheduler.solver.model import build_model
from scheduler.solver.shift_bound import readers_floor, shift_bound
from scheduler.solver.solve import with_shift_bound
from tests import factory
from tests.strategies import property_settings, scenario_data

WEIGHTS = st.fixed_dictionaries({"uncovered": st.sampled_from((0, 1, 400, 1_000_000)),
                                 "reader_shifts": st.sampled_from((0, 1, 1000))})


@property_settings(60)
@given(scenario_data(), WEIGHTS)
def test_the_bound_never_passes_a_proven_optimum_nor_a_valid_roster(data: dict[str, Any], weights: dict) -> None:
    data["objective"] = {**data.get("objective", {}), **weights}
    scenario = scenario_from_data(data)
    inst = build_instance(scenario)
    floor = shift_bound(inst)
    # every need soft: the model's optimum is the least objective of every roster the checker accepts
    built = build_model(inst, soft_needs=None)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 5
    status = solver.solve(built.model)
    if status == cp_model.OPTIMAL:
        assert floor <= round(solver.objective_value)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        assert floor <= round(solver.objective_value)
    for roster in (Roster(), greedy_roster(inst).roster):
        report = check(inst, roster)
        if not report.violations:
            assert floor <= report.objective


def _nights_only(**objective: int) -> dict[str, Any]:
    d = factory.data()
    d["shift_types"] = d["shift_types"][:1]
    d["objective"] = {"fairness": 0, "workload": 0, "continuity": 0, **objective}
    return d


def test_a_shift_whose_studies_need_two_readers_counts_two_and_the_optimum_meets_it() -> None:
    d = _nights_only()
    d["sites"].append({"id": "B", "name": "Site B", "jurisdiction": "FR", "timezone": "Europe/Paris",
                       "coverage": [{"shift_type": "night", "readers": 1, "studies": 30}]})
    d["sites"][0]["coverage"][0]["studies"] = 30
    d["radiologists"] = [factory.reader(f"r{k}") for k in range(6)]  # nights need 11 h rest: every other night
    for r in d["radiologists"]:
        r["privileges"] = [{"site": "A"}, {"site": "B"}]
        r["studies_per_hour"] = 3  # 42 studies in a 14 h night: 60 do not fit one reader
    inst = build_instance(scenario_from_data(d))
    assert all(readers_floor(inst, s.index) == 2 for s in inst.shifts)
    result = solve(inst, time_limit=10, explain=False)
    assert result.status == "OPTIMAL" and not result.check.violations
    assert result.terms["reader_shifts"] == 2 * len(inst.shifts)
    assert shift_bound(inst) == result.objective == 1000 * 2 * len(inst.shifts)


def test_when_a_missing_reader_costs_less_than_one_called_in_the_bound_counts_the_missing_one() -> None:
    d = _nights_only(uncovered=300, reader_shifts=1000)
    d["sites"][0]["coverage"][0]["readers"] = 2
    d["sites"][0]["priority"] = 2
    inst = build_instance(scenario_from_data(d))
    # leaving both readers out costs 2 x 300 x 2 a night, less than 2 x 1000: the empty roster is optimal
    assert shift_bound(inst) == 2 * 600 * len(inst.shifts)
    assert check(inst, Roster()).objective == shift_bound(inst)


def _result(objective: int, bound: float | None, violations: list | None = None) -> SolveResult:
    report = CheckReport(violations=violations or [], uncovered=[], objective=objective, terms={}, weighted={})
    return SolveResult(status="FEASIBLE", roster=Roster(), objective=objective, bound=bound, terms={},
                       weighted={}, check=report, timings={}, stats={})


def test_solve_reports_the_higher_bound_and_optimal_when_the_roster_meets_it() -> None:
    inst = build_instance(scenario_from_data(_nights_only()))
    floor = shift_bound(inst)
    assert floor == 1000 * len(inst.shifts)
    raised = with_shift_bound(inst, _result(floor + 500, 10.0))
    assert raised.bound == floor and raised.stats["bound_from"] == "shifts" and raised.status == "FEASIBLE"
    assert math.isclose(raised.gap, 500 / (floor + 500))
    kept = with_shift_bound(inst, _result(floor + 500, floor + 100.0))
    assert kept.bound == floor + 100 and kept.stats["bound_from"] == "search"
    met = with_shift_bound(inst, _result(floor, None))
    assert met.bound == floor and met.status == "OPTIMAL"
    # a roster that breaks a rule proves nothing about the optimum: left as it is
    broken = with_shift_bound(inst, _result(floor - 1000, None, violations=["x"]))
    assert broken.bound is None and broken.status == "FEASIBLE"


def test_a_decomposed_solve_carries_the_shift_bound_at_least() -> None:
    result = solve(build_instance(scenario_from_data(_nights_only())), time_limit=5, method="decomposed",
                   explain=False)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.bound is not None and result.bound >= result.stats["shift_bound"] > 0
