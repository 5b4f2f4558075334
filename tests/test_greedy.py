"""The greedy construction (scheduler.solver.greedy): rule-safe on random scenarios, full coverage on
the examples, forbidden successions honoured, and the default hint and fallback of `solve`."""

from __future__ import annotations

import datetime as dt
import importlib
import threading
import time
from typing import Any

import pytest
from hypothesis import given

from benchmarks.tiers import tier_s, validate
from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io.scenario_yaml import load_scenario, scenario_from_data
from scheduler.result import Roster
from scheduler.solver import solve
from scheduler.solver.greedy import construct, greedy_roster
from tests import factory
from tests.strategies import property_settings, scenario_data

PROPERTY = property_settings(100)


@pytest.fixture(scope="module")
def s_instance():
    return build_instance(validate(tier_s()))


@PROPERTY
@given(scenario_data())
def test_the_greedy_roster_breaks_no_hard_rule_on_random_scenarios(data: dict[str, Any]) -> None:
    """Every rule kind (complete weekends, minimum runs, successions, history...) is drawn. What the
    construction cannot promise is dropped until the checker is clean; only a minimum that the
    empty roster breaks too (hours or shifts a reader must work) may remain."""
    inst = build_instance(scenario_from_data(data))
    out = greedy_roster(inst)
    again = check(inst, out.roster)
    assert again.objective == out.report.objective
    assert [v.message for v in again.violations] == [v.message for v in out.report.violations]
    assert out.unfilled == sum(u.missing for u in again.uncovered)
    empty = {(v.rule, v.reader) for v in check(inst, Roster()).violations}
    left = [(v.rule, v.reader, v.message) for v in again.violations if (v.rule, v.reader) not in empty]
    assert left == []
    assert out.ok == (not again.violations)


def test_the_french_example_is_covered_in_full() -> None:
    """One peds slot of the last weekend is only reachable by a swap (the peds readers' weekends
    are used up by then): the repair frees one."""
    inst = build_instance(load_scenario("scenarios/fr_regional.yaml"))
    out = greedy_roster(inst)
    assert out.ok and out.unfilled == 0
    assert out.report.uncovered == []


def test_tier_s_is_covered_in_full(s_instance) -> None:
    out = greedy_roster(s_instance)
    assert out.ok and out.unfilled == 0 and out.dropped == 0
    assert out.report.uncovered == []
    assert out.seconds < 5


# ---- forbidden successions -------------------------------------------------------------------------
def _succession_case(*, forbidden: bool, history: bool = False) -> dict[str, Any]:
    """A night on Monday at site N (only r1 may read it), a day shift on Tuesday at site D (r1 and
    r2 may). r1 asked for that day shift, so the naive choice is r1: night then day, which the rule
    set forbids. No rest rule stands in the way, so only the succession rule can say no."""
    d = factory.data()
    d["shift_types"] = [
        {"id": "night", "label": "night", "start": "20:00", "end": "08:00", "kind": "night", "burden_points": 1},
        {"id": "day", "label": "day shift", "start": "09:00", "end": "17:00", "kind": "day", "burden_points": 1},
    ]
    d["rule_sets"] = [{"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 0,
                       "forbidden_successions": [["night", "day"]] if forbidden else []}]
    d["sites"] = [
        {"id": "N", "name": "Site N", "jurisdiction": "FR", "timezone": "Europe/Paris",
         "coverage": [{"shift_type": "night", "readers": 1, "dates": ["2026-03-02"]}]},
        {"id": "D", "name": "Site D", "jurisdiction": "FR", "timezone": "Europe/Paris",
         "coverage": [{"shift_type": "day", "readers": 1, "dates": ["2026-03-03"]}]},
    ]
    r1 = factory.reader("r1", sites=("N", "D"),
                        requests=[{"kind": "want", "shift_type": "day", "dates": ["2026-03-03"], "weight": 5}])
    if history:  # a night just before the horizon forbids a day shift on its first date
        r1["history"] = {"shifts": [{"shift_type": "night", "date": "2026-03-01"}]}
        d["sites"][1]["coverage"][0]["dates"] = ["2026-03-02"]
        d["sites"][0]["coverage"][0]["dates"] = ["2026-03-04"]
    d["radiologists"] = [r1, factory.reader("r2", sites=("D",))]
    return d


def _who(roster: Roster, shift_type: str) -> list[tuple[str, dt.date]]:
    return sorted((a.reader, a.date) for a in roster.assignments if a.shift_type == shift_type)


def test_without_the_rule_the_naive_choice_is_night_then_day() -> None:
    """The case is a trap: with the succession allowed, r1 (who asked for it) takes the day shift."""
    roster, _ = construct(build_instance(factory.build(_succession_case(forbidden=False))))
    assert _who(roster, "day") == [("r1", dt.date(2026, 3, 3))]


@pytest.mark.parametrize("history", [False, True])
def test_forbidden_successions_are_honoured(history: bool) -> None:
    inst = build_instance(factory.build(_succession_case(forbidden=True, history=history)))
    raw, _ = construct(inst)  # by the construction itself, not by the checker's clean-up
    day = dt.date(2026, 3, 2) if history else dt.date(2026, 3, 3)
    assert _who(raw, "day") == [("r2", day)]
    out = greedy_roster(inst)
    assert out.ok and out.unfilled == 0 and out.dropped == 0


# ---- the default hint of solve ---------------------------------------------------------------------
@pytest.mark.parametrize("method", ["full", "decomposed"])
def test_solve_falls_back_on_the_greedy_roster_when_out_of_time(s_instance, method: str) -> None:
    """With almost no time CP-SAT finds nothing better to return: the greedy roster is the answer,
    fully covered and within the rules, and the stats say so."""
    result = solve(s_instance, time_limit=0.01, workers=1, explain=False, method=method)
    assert result.has_solution
    assert result.check.uncovered == [] and result.check.violations == []
    stats = result.stats
    assert stats["greedy"] is True and stats["greedy_unfilled"] == 0 and stats["greedy_violations"] == 0
    assert stats["greedy_objective"] == greedy_roster(s_instance).report.objective
    assert stats["greedy_s"] > 0 and result.timings["greedy_s"] == pytest.approx(stats["greedy_s"], abs=0.01)
    assert result.objective <= stats["greedy_objective"]
    if method == "full":
        assert stats["probe_status"] == "SKIPPED"  # the greedy roster certified full coverage


def test_solve_without_the_greedy_hint_or_with_a_given_roster_builds_none() -> None:
    scenario = factory.build()
    off = solve(scenario, time_limit=5, workers=1, explain=False, greedy_hint=False)
    assert off.stats["greedy"] is False and "greedy_s" not in off.stats
    given_roster = solve(scenario, time_limit=5, workers=1, explain=False, initial=off.roster)
    assert given_roster.stats["greedy"] is False
    on = solve(scenario, time_limit=5, workers=1, explain=False)
    assert on.stats["greedy"] is True
    assert on.objective == off.objective == given_roster.objective  # a 7-night week: optimal either way


def test_a_stop_set_before_the_greedy_leaves_it_empty_and_the_solve_ends_at_once(s_instance) -> None:
    inst = s_instance
    stop = threading.Event()
    stop.set()
    assert greedy_roster(inst, stop=stop).roster.assignments == ()
    started = time.perf_counter()
    solve(inst, time_limit=30, stop=stop)
    assert time.perf_counter() - started < 10


def test_the_valid_greedy_roster_is_the_first_progress_point() -> None:
    inst = build_instance(factory.build())
    points = []
    result = solve(inst, time_limit=5, on_progress=points.append, method="full")
    assert result.stats["greedy"] and result.stats["greedy_violations"] == 0
    assert points and points[0].objective == result.stats["greedy_objective"]
    assert points[0].bound is None  # pushed before any search (a CP-SAT point carries its bound)
    assert result.progress[0].objective == result.stats["greedy_objective"]


def test_a_start_returned_because_the_search_found_nothing_keeps_the_search_bound(monkeypatch) -> None:
    """CP-SAT stopped before any solution: the valid greedy roster is returned with CP-SAT's bound."""
    solve_module = importlib.import_module("scheduler.solver.solve")
    original = solve_module._Stopper.run

    def no_time(self, solver, model, callback=None):
        solver.parameters.max_time_in_seconds = 1e-6
        solver.parameters.stop_after_first_solution = True
        return original(self, solver, model, None)

    monkeypatch.setattr(solve_module._Stopper, "run", no_time)
    inst = build_instance(factory.build())
    result = solve(inst, time_limit=5, method="full")
    assert result.stats["greedy"] and result.stats["greedy_violations"] == 0
    assert result.objective == result.stats["greedy_objective"] and result.check.violations == []
    assert result.bound is not None and result.bound <= result.objective
