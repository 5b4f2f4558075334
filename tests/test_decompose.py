"""The decomposed solve (who works which shift, then each shift's sites) against the checker and the full model."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io.scenario_yaml import load_scenario, scenario_from_data
from scheduler.result import Roster
from scheduler.solver import solve
from scheduler.solver.decompose import assign_sites, use_decomposition
from tests import factory
from tests.strategies import scenario_data

SOLVED = ("OPTIMAL", "FEASIBLE")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_data())
def test_decomposed_rosters_keep_every_rule_and_their_bound_holds(data: dict[str, Any]) -> None:
    scenario = scenario_from_data(data)
    result = solve(scenario, time_limit=5, method="decomposed", explain=False)
    if result.status not in SOLVED:
        return
    report = check(scenario, result.roster)
    assert report.violations == [], [v.message for v in report.violations]
    assert report.objective == result.objective and report.terms == result.terms
    if result.bound is not None:
        assert result.bound <= result.objective
    full = solve(scenario, time_limit=10, method="full", explain=False)
    if full.status == "OPTIMAL" and not full.check.uncovered and result.bound is not None:
        # the master is a relaxation: its bound never exceeds a proven optimum (the full model's
        # OPTIMAL is a global optimum only when every need is met: its probe picks which needs to relax)
        assert result.bound <= full.objective <= result.objective


def _packing_scenario():
    """Three sites of 5 studies on one night; readers read 8 studies a night, so each takes one site.

    Per need and in total (3 x 8 >= 15, and even 2 x 8 >= 15) the capacity looks sufficient, so the
    master first calls in two readers; only the site assignment finds that two cannot take three
    sites, and its cut asks for a third.
    """
    d = factory.data()
    d["horizon"] = {"start": "2026-03-02", "end": "2026-03-08", "timezone": "Europe/Paris"}
    d["shift_types"] = [{"id": "night", "label": "night", "start": "20:00", "end": "04:00", "kind": "night",
                         "burden_points": 1}]
    d["sites"] = [{"id": s, "name": f"Site {s}", "jurisdiction": "FR", "timezone": "Europe/Paris",
                   "coverage": [{"shift_type": "night", "readers": 1, "studies": 5, "dates": ["2026-03-04"]}]}
                  for s in "ABC"]
    d["radiologists"] = [factory.reader(f"r{k}", sites=("A", "B", "C"), studies_per_hour=1) for k in range(1, 5)]
    d["objective"] = {"fairness": 0, "workload": 0}  # so the fewest readers is what the master wants
    return factory.build(d)


def test_a_shift_whose_sites_do_not_fit_its_readers_gets_a_cut_and_a_repair() -> None:
    scenario = _packing_scenario()
    result = solve(scenario, time_limit=10, method="decomposed", explain=False)
    assert result.status in SOLVED
    # the site assignment of round 1 proves two readers too few: a cut, and a third reader is
    # called in (by the repair at once, and by the master in round 2)
    assert result.stats["cuts"] >= 1 and result.stats["repaired"] >= 1
    assert result.check.uncovered == [] and result.check.violations == []
    assert len(result.roster.assignments) == 3
    assert result.timings["wall_s"] >= result.timings["solve_s"] > 0
    full = solve(scenario, time_limit=10, method="full", explain=False)
    assert full.status == "OPTIMAL" and result.objective == full.objective


def test_site_assignment_names_the_sites_its_readers_cannot_cover_together() -> None:
    inst = build_instance(_packing_scenario())
    plan = assign_sites(inst, 0, ["r1", "r2"])
    assert sum(plan.short.values()) == 1
    assert set(plan.core) == {"A", "B", "C"}  # any two fit, all three do not
    assert all(len(sites) == 1 for sites in plan.covers.values())
    fits = assign_sites(inst, 0, ["r1", "r2", "r3"])
    assert fits.short == {} and fits.core == ()


def test_locked_assignments_are_kept_by_the_decomposed_solve() -> None:
    scenario = _packing_scenario()
    free = solve(scenario, time_limit=10, method="decomposed", explain=False)
    idle = sorted({r.id for r in scenario.radiologists} - {a.reader for a in free.roster.assignments})[0]
    lock = free.roster.assignments[0].model_copy(update={"reader": idle, "sites": ("B",), "locked": True})
    result = solve(scenario, time_limit=10, method="decomposed", initial=Roster(assignments=(lock,)),
                   explain=False)
    kept = [a for a in result.roster.assignments if a.reader == idle]
    assert kept and "B" in kept[0].sites and kept[0].locked
    assert result.check.violations == [] and result.check.uncovered == []


def test_needs_that_cannot_all_be_met_are_traded_by_weight() -> None:
    d = factory.data()
    d["radiologists"] = [factory.reader("r1")]  # one reader, seven nights: rest forbids most of them
    scenario = factory.build(d)
    result = solve(scenario, time_limit=10, method="decomposed", explain=False)
    assert result.status in SOLVED
    assert result.check.violations == [] and result.check.uncovered
    full = solve(scenario, time_limit=10, method="full", explain=False)
    assert result.objective == full.objective


def test_the_decomposed_solve_explains_why_needs_stay_short() -> None:
    d = factory.data()
    d["radiologists"] = [factory.reader("r1")]
    result = solve(factory.build(d), time_limit=10, method="decomposed")
    assert result.check.uncovered
    assert result.explanation and all("must rest 11 h after a night" in line for line in result.explanation)
    assert "explain_s" in result.timings


def test_auto_decomposes_only_large_models() -> None:
    inst = build_instance(_packing_scenario())
    assert not use_decomposition("auto", inst)
    assert use_decomposition("auto", build_instance(load_scenario("scenarios/fr_regional.yaml")))
    assert use_decomposition("decomposed", inst) and not use_decomposition("full", inst)
    with pytest.raises(ValueError, match="auto, full or decomposed"):
        use_decomposition("fastest", inst)
