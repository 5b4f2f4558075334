"""Large-neighbourhood search: it improves a poor roster, keeps every hard rule, and is reproducible."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io import curtois
from scheduler.result import Roster
from scheduler.solver import lns, solve
from scheduler.solver.model import build_model
from scheduler.solver.solve import extract_roster

DATA = Path(__file__).resolve().parent / "data" / "curtois"


def _poor_start(built, at_least: int) -> cp_model.CpSolver:
    """A solver holding a solution of `built` whose objective is at least `at_least` (a bad start)."""
    weights = built.vars.inst.scenario.objective
    worse = built.model.clone()  # same variables, same indices: its solutions are solutions of `built`
    worse.add(sum(getattr(weights, name) * expr for name, expr in built.terms.items()) >= at_least)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.stop_after_first_solution = True
    assert solver.solve(worse) in (cp_model.FEASIBLE, cp_model.OPTIMAL)
    return solver


def _instance1():
    inst = curtois.load(DATA / "Instance1.txt")
    return inst, build_instance(curtois.to_scenario(inst))


def test_lns_improves_a_poor_roster_and_keeps_every_hard_rule():
    """From a roster scoring at least 3000 on Instance1 (optimum 607), a few seconds of LNS cut it by half."""
    inst, instance = _instance1()
    built = build_model(instance, soft_needs=None)
    start = _poor_start(built, 3000)
    out = lns.improve(built, start, deadline=time.perf_counter() + 8, seed=1, workers=1, step_dtime=0.5)
    assert out.start_objective >= 3000
    assert out.solver is not None and out.objective < out.start_objective / 2
    roster = extract_roster(built, out.solver)
    report = check(instance, roster)
    assert report.violations == [] and report.objective == out.objective
    violations, objective = curtois.evaluate(inst, curtois.assignment_of(inst, roster))
    assert violations == [] and objective == out.objective


def test_lns_is_reproducible_for_a_seed():
    """Two runs from the same start with the same seed and one worker end on the same roster."""
    _inst, instance = _instance1()
    built = build_model(instance, soft_needs=None)
    start = _poor_start(built, 3000)
    runs = [lns.improve(built, start, deadline=time.perf_counter() + 60, seed=7, workers=1, step_dtime=0.2,
                        max_iterations=6) for _ in range(2)]
    assert runs[0].iterations == runs[1].iterations == 6
    assert runs[0].objective == runs[1].objective
    assert extract_roster(built, runs[0].solver) == extract_roster(built, runs[1].solver)


def test_lns_respects_the_stop_event_and_the_deadline():
    """A set stop event means no sub-solve at all; a deadline in the past likewise."""
    _inst, instance = _instance1()
    built = build_model(instance, soft_needs=None)
    start = _poor_start(built, 3000)
    stop = threading.Event()
    stop.set()
    assert lns.improve(built, start, deadline=time.perf_counter() + 60, stop=stop).iterations == 0
    assert lns.improve(built, start, deadline=time.perf_counter() - 1).iterations == 0


def test_solve_with_lns_returns_a_checked_roster():
    """solve(lns=True) on Instance1: the roster breaks no rule and the checker's objective is the result's."""
    inst, _instance = _instance1()
    scenario = curtois.to_scenario(inst)
    result = solve(scenario, time_limit=6, workers=2, coverage_first=False, explain=False, lns=True)
    assert result.has_solution and result.check.violations == []
    assert result.check.objective == result.objective
    assert result.objective >= 607  # the proven optimum


def test_complete_turns_a_roster_into_a_solution_with_the_checkers_objective():
    """A valid roster fixed into the model gives a solution scoring what the checker says; a broken one none."""
    _inst, instance = _instance1()
    built = build_model(instance, soft_needs=None)
    roster = extract_roster(built, _poor_start(built, 3000))
    solver = lns.complete(built, roster, deadline=time.perf_counter() + 10)
    assert solver is not None and solver.objective_value == check(instance, roster).objective
    who = roster.assignments[0]
    every_day = tuple(who.model_copy(update={"date": day}) for day in instance.days)  # far beyond 5 in a row
    broken = Roster(assignments=tuple(a for a in roster.assignments if a.reader != who.reader) + every_day)
    assert check(instance, broken).violations
    assert lns.complete(built, broken, deadline=time.perf_counter() + 10) is None


def test_lns_proves_optimality_once_a_neighbourhood_frees_everything():
    """On Instance1 (optimum 607) the neighbourhoods grow until one frees every cell and proves 607."""
    _inst, instance = _instance1()
    built = build_model(instance, soft_needs=None)
    out = lns.improve(built, _poor_start(built, 3000), deadline=time.perf_counter() + 30, seed=3, workers=2)
    assert out.proven and out.objective == 607


class _FakeSearch:
    """Stands in for a running CP-SAT solver: records when it was told to stop."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.at: float | None = None

    def stop_search(self) -> None:
        self.at = time.perf_counter()
        self.stopped.set()


def _handover_delay(bound_moves_until: float | None) -> float:
    """Seconds until a Handover (patience 0.3 s) stops a search whose incumbent never changes and
    whose bound rises every 0.05 s until `bound_moves_until` (never, when None)."""
    search = _FakeSearch()
    t0 = time.perf_counter()

    def bound() -> float:
        elapsed = time.perf_counter() - t0
        if bound_moves_until is None:
            return 0.0
        return float(int(min(elapsed, bound_moves_until) / 0.05))

    watch = lns.Handover(search, first=t0, last=t0 + 10, patience=0.3, incumbent=lambda: 100.0,
                         bound=bound if bound_moves_until is not None else None)
    assert search.stopped.wait(10)
    watch.close()
    return search.at - t0


def test_handover_waits_while_the_bound_still_rises():
    """The LNS cannot raise the bound, so a search still raising it is not stalled; once both the
    incumbent and the bound stand still for the patience, it is handed over."""
    assert _handover_delay(None) < 0.6
    assert _handover_delay(1.0) >= 1.25
