"""The solve facade: build, solve with progress and stop, extract the roster, check it, explain."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.instance import Instance, build_instance
from scheduler.result import Assignment, CheckReport, Progress, Roster, SolveResult
from scheduler.rules.coverage import NEED
from scheduler.scenario import Scenario
from scheduler.solver import elastic
from scheduler.solver.decompose import solve_decomposed, use_decomposition
from scheduler.solver.greedy import greedy_roster
from scheduler.solver.locks import LockError, impose, lock_problems, locked_of, mark_locked
from scheduler.solver.model import BuiltModel, build_model
from scheduler.solver.params import new_solver
from scheduler.solver.shift_bound import shift_bound

ProgressCallback = Callable[[Progress], None]
# the greedy hint's repair (calls and swaps for what its construction left short) gets this share of
# the time limit, at most GREEDY_REPAIR_MAX_S
GREEDY_REPAIR_SHARE, GREEDY_REPAIR_MAX_S = 0.05, 3.0


class _Progress(cp_model.CpSolverSolutionCallback):
    """Records each improving solution and bound; forwards them to the caller's callback."""

    def __init__(self, started: float, sink: ProgressCallback | None) -> None:
        super().__init__()
        self.started = started
        self.sink = sink
        self.points: list[Progress] = []
        self.bound: float | None = None
        self.objective: float | None = None
        self.solutions = 0  # solutions reported by the searches so far
        self.lock = threading.Lock()

    def _push(self) -> None:
        point = Progress(time.perf_counter() - self.started, self.objective, self.bound)
        with self.lock:
            self.points.append(point)
        if self.sink is not None:
            self.sink(point)

    def on_solution_callback(self) -> None:
        self.solutions += 1
        self.objective = self.objective_value
        self.bound = self.best_objective_bound
        self._push()

    def on_bound(self, bound: float) -> None:
        self.bound = bound
        self._push()


def _hint(built: BuiltModel, roster: Roster) -> None:
    """Hint every variable from `roster` (assignments outside the model are ignored)."""
    v = built.vars
    on_x = {(a.reader, (a.shift_type, a.date)) for a in roster.assignments}
    on_y = {(a.reader, (a.shift_type, a.date), s) for a in roster.assignments for s in a.sites}
    shifts = v.inst.shifts
    hinted: set[int] = set()  # a single-site reader-shift's x and y are one literal: hint it once
    for (rid, i), var in v.x.items():
        built.model.add_hint(var, (rid, (shifts[i].type_id, shifts[i].date)) in on_x)
        hinted.add(var.index)
    for (rid, i, site), var in v.y.items():
        if var.index not in hinted:
            built.model.add_hint(var, (rid, (shifts[i].type_id, shifts[i].date), site) in on_y)


def extract_roster(built: BuiltModel, solver: cp_model.CpSolver) -> Roster:
    """Read the assignments (and the sites covered in each) from a solved model."""
    v = built.vars
    sites: dict[tuple[str, int], list[str]] = {}
    for (rid, i, site), var in v.y.items():
        if solver.boolean_value(var):
            sites.setdefault((rid, i), []).append(site)
    out = [
        Assignment(reader=rid, shift_type=v.inst.shifts[i].type_id, date=v.inst.shifts[i].date, sites=tuple(sorted(s)))
        for (rid, i), s in sites.items()
    ]
    return Roster(assignments=tuple(out)).sorted()


class _Stopper:
    """Relays a stop event from another thread to whichever CP-SAT solver is running."""

    def __init__(self, stop: threading.Event | None) -> None:
        self.stop = stop
        self.current: cp_model.CpSolver | None = None
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread: threading.Thread | None = None
        if stop is not None:
            self.thread = threading.Thread(target=self._watch, name="solve-stop-watcher", daemon=True)
            self.thread.start()

    def _watch(self) -> None:
        assert self.stop is not None
        while not self.done.wait(0.05):
            if self.stop.is_set():
                with self.lock:
                    if self.current is not None:
                        self.current.stop_search()

    @property
    def stopped(self) -> bool:
        return bool(self.stop is not None and self.stop.is_set())

    def run(self, solver: cp_model.CpSolver, model: cp_model.CpModel, callback=None) -> int:
        with self.lock:
            self.current = solver
        if self.stopped:
            solver.parameters.max_time_in_seconds = 0.01
        try:
            return solver.solve(model, callback) if callback is not None else solver.solve(model)
        finally:
            with self.lock:
                self.current = None

    def close(self) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


def _probe(inst, initial, deadline, workers, seed, log, stopper):
    """Find needs that can all be met in full together.

    First every need is required outright (fast: presolve sees plain constraints). If that is
    infeasible, every need gets an assumption literal and, while CP-SAT reports a conflict, the
    needs in it are relaxed, until a roster exists (FEASIBLE), the rules alone conflict
    (INFEASIBLE), or time runs out (UNKNOWN). Returns the model, its solver, the status and the
    relaxed needs.
    """
    plain = build_model(inst, soft_needs=frozenset(), objective=False)
    impose(plain, locked_of(initial))
    if initial is not None:
        _hint(plain, initial)
    solver = new_solver(deadline - time.perf_counter(), workers, seed, log)
    status = stopper.run(solver, plain.model)
    if status != cp_model.INFEASIBLE or time.perf_counter() >= deadline or stopper.stopped:
        return plain, solver, status, frozenset()
    probe = build_model(inst, soft_needs=frozenset(), guarded=frozenset({NEED}), objective=False)
    impose(probe, locked_of(initial))
    lits = {key: lit for key, lit in probe.vars.literals.items() if key[0] == NEED}
    by_index = {lit.index: (key[1], key[2]) for key, lit in lits.items()}
    relaxed: set[tuple[str, int]] = set()
    while True:
        solver = new_solver(deadline - time.perf_counter(), workers, seed, log)
        probe.model.clear_assumptions()
        probe.model.add_assumptions([lit for key, lit in lits.items() if (key[1], key[2]) not in relaxed])
        status = stopper.run(solver, probe.model)
        if status != cp_model.INFEASIBLE or time.perf_counter() >= deadline or stopper.stopped:
            return probe, solver, status, frozenset(relaxed)
        core = {by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index}
        if not core - relaxed:
            return probe, solver, status, frozenset(relaxed)  # the rules alone conflict
        relaxed |= core


def _feasible(inst, initial, deadline, workers, seed, log, stopper):
    """A roster that keeps every hard rule, with every need soft and no objective (a starting point)."""
    model = build_model(inst, soft_needs=None, objective=False)
    impose(model, locked_of(initial))
    if initial is not None:
        _hint(model, initial)
    solver = new_solver(deadline - time.perf_counter(), workers, seed, log)
    solver.parameters.stop_after_first_solution = True
    return model, solver, stopper.run(solver, model.model)


def solve(
    scenario: Scenario | Instance,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    initial: Roster | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    explain: bool = True,
    explain_budget_s: float = 30.0,
    log: bool = False,
    relative_gap_limit: float | None = None,
    probe_share: float = 0.5,
    coverage_first: bool = True,
    lns: bool | None = None,
    method: str = "auto",
    greedy_hint: bool = True,
) -> SolveResult:
    """Solve a scenario and check the roster found.

    Coverage comes first: a probe (at most `probe_share` of the time, no objective) assumes every
    need met and, while CP-SAT reports a conflict, relaxes the needs in it. The optimisation then
    keeps every other need met in full and starts from the probe's roster, so the `uncovered`
    term is non-zero only when full coverage is impossible (or the probe ran out of time, in
    which case every need is soft). The bound and gap are those of that optimisation model, or the
    shifts' own bound (scheduler.solver.shift_bound) where that is higher.
    `initial` is used as a hint, and its assignments marked `locked` are kept as they are (a
    LockError says which cannot hold before any search); a valid `initial` is never lost: when the
    search's solutions are worse (CP-SAT does not always take a hint), it is the answer, or the
    LNS's start; `on_progress` receives (elapsed, objective, bound) on each
    improvement, from solver threads (keep it short, never call a UI from it); setting `stop`
    from another thread ends the search cleanly with the best roster so far. When needs stay
    uncovered or the rules conflict, `explanation` says why (set `explain=False` to skip).
    With `coverage_first=False` there is no probe: every need is soft and its shortfall is traded
    against the other terms by weight alone (what staff-rostering benchmarks define); the objective
    is then a sum of linear penalties, so the full search and the LNS's sub-solves lead with
    CP-SAT's strongest LP relaxation (`lp_first` in scheduler.solver.params).
    `lns` (default: on when `coverage_first=False`) gives the full search only part of the time
    and then improves its roster by large-neighbourhood search (scheduler.solver.lns); the bound
    stays the full search's. `method` "decomposed" solves who works which shift first and then
    each shift's sites (scheduler.solver.decompose), its master always improved by the LNS;
    "auto" does so above AUTO_TRIPLES site variables when coverage comes first (from the French
    example up: better rosters in the same time), and searches smaller scenarios whole.
    `probe_share`, `relative_gap_limit` and `lns` apply to the one-model search only.
    Without `initial`, the greedy roster (scheduler.solver.greedy) stands in for it, built inside
    the time limit (`greedy_hint=False` starts from no roster); `stats` say whether it was used, its
    time, the reader slots it left unfilled and its objective.
    """
    t0 = time.perf_counter()
    inst = scenario if isinstance(scenario, Instance) else build_instance(scenario)
    locked = locked_of(initial)
    problems = lock_problems(inst, locked)
    if problems:
        raise LockError(problems)
    t_inst = time.perf_counter()
    initial_report, check_s, greedy = _greedy_start(inst, initial, greedy_hint, time_limit, stop)
    if greedy["greedy"]:
        initial = greedy.pop("roster")
    if coverage_first and use_decomposition(method, inst):
        result = solve_decomposed(inst, time_limit=time_limit, workers=workers, seed=seed, initial=initial,
                                  locked=locked, on_progress=on_progress, stop=stop, log=log, started=t0,
                                  initial_report=initial_report)
        result.stats.update(greedy)
        result.timings["instance_s"] = t_inst - t0  # the decomposed solve's own count includes the greedy
        result.timings["greedy_s"] = greedy.get("greedy_s", 0.0)
        return _explained(inst, with_shift_bound(inst, result), locked, explain, explain_budget_s, t0)
    t_greedy = time.perf_counter()
    stopper = _Stopper(stop)
    try:
        # 0. an initial roster that breaks no hard rule is a fallback, and if it also covers every
        #    need it certifies full coverage: no probe needed (on national-scale models the
        #    probe's presolve alone can take a minute)
        if initial is not None and initial_report is None:
            t_check = time.perf_counter()
            initial_report = check(inst, initial)
            check_s = time.perf_counter() - t_check
        # every deadline counts from the call (building the instance and the greedy included), and
        # the searches end early enough to leave the final extraction and check their time
        end = t0 + time_limit - min(FINISH_MAX_SHARE * time_limit, FINISH_CHECKS * check_s)
        initial_ok = initial_report is not None and not initial_report.violations
        grown: dict = {}  # the elastic stage's figures, when it ran
        if initial is not None and not initial_ok and not locked and elastic.applies(initial_report):
            # the start falls short of minimum hours only: grow it until it meets them, into a valid
            # start and fallback (CP-SAT's own first dive finds none in minutes on a year's horizon)
            # leave the probe its time; with every need soft there is no probe, and without a valid
            # start the search has nothing to return (Instance24: none in 180 s), so it may take more
            share = probe_share / 2 if coverage_first else max(probe_share, ELASTIC_SOLE_SHARE)
            repaired = _grow(inst, initial, t0 + max(1.0, time_limit * share), seed, workers, stop, grown)
            if repaired is not None:
                initial, initial_report = repaired, check(inst, repaired)
                initial_ok = not initial_report.violations
        if coverage_first and initial_ok and not initial_report.uncovered:
            probe, probe_solver, probe_status, soft, covered = None, None, cp_model.FEASIBLE, frozenset(), True
        # 1. coverage probe: which needs can be met in full together? (no objective: fast)
        elif coverage_first:
            probe_deadline = t0 + max(1.0, time_limit * probe_share)
            probe, probe_solver, probe_status, soft = _probe(
                inst, initial, probe_deadline, workers, seed, log, stopper
            )
            covered = probe_status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        elif initial_ok:
            probe, probe_solver, probe_status, soft, covered = None, None, cp_model.UNKNOWN, frozenset(), False
        else:
            # every need soft: first any roster that keeps the hard rules (no objective: fast), as a hint
            probe, probe_solver, probe_status = _feasible(inst, initial, t0 + max(1.0, time_limit * probe_share),
                                                          workers, seed, log, stopper)
            soft, covered = frozenset(), False
        t_probe = time.perf_counter()
        if covered and probe is not None:
            start_from = extract_roster(probe, probe_solver)
        elif probe is not None and probe_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            start_from = extract_roster(probe, probe_solver)  # keeps the hard rules: also a fallback
            initial_ok = True
        else:
            start_from = initial

        # 2. optimisation: needs outside every conflict stay met in full; the rest are soft
        progress = _Progress(t_inst, on_progress)
        if start_from is initial and initial_ok and initial_report is not None:
            progress.objective = initial_report.objective  # the start is the first point of the curve
            progress._push()
        lns_stats = None
        lns_checked = None  # the LNS's better roster and the checker's report on it (not extracted and checked twice)
        keep_start = False  # the valid start is better than anything the search found
        if probe_status == cp_model.INFEASIBLE:
            # the hard rules conflict whatever the coverage: nothing to optimise
            built, solver, status = probe, probe_solver, cp_model.INFEASIBLE
            t_build = time.perf_counter()
        else:
            built = build_model(inst, soft_needs=soft if covered else None)
            impose(built, locked)
            if start_from is not None:
                _hint(built, start_from)
            t_build = time.perf_counter()
            use_lns = (not coverage_first) if lns is None else lns
            main_limit = end - t_build
            # every need soft, the objective a sum of linear penalties: the LP bound leads in the full
            # search (scheduler.solver.params.new_solver), as it does in every LNS sub-solve
            lp_first = not coverage_first
            solver = new_solver(main_limit, workers, seed, log, lp_first=lp_first)
            if relative_gap_limit is not None:
                solver.parameters.relative_gap_limit = relative_gap_limit
            solver.best_bound_callback = progress.on_bound
            fallback = start_from if start_from is not None and (covered or initial_ok) else None
            handover = _handover(solver, progress, t_build, main_limit, fallback is not None) if use_lns else None
            status = stopper.run(solver, built.model, progress)
            if handover is not None:
                handover.close()
            # a valid start better than the search's first solutions (a hint is not always taken:
            # Instance8's dived start of 1,308 against the search's 2,918) is kept, and the LNS starts from it
            start_objective = initial_report.objective if fallback is initial and initial_ok else None
            keep_start = status == cp_model.FEASIBLE and start_objective is not None and (
                start_objective < _objective_of(inst, built, solver))
            if use_lns and not stopper.stopped and (status == cp_model.FEASIBLE or (
                    status == cp_model.UNKNOWN and fallback is not None)):
                lns_start = solver if status == cp_model.FEASIBLE and not keep_start else fallback
                lns_stats, lns_checked = _improve(inst, built, lns_start, end, seed, workers, log, stop, progress)
                if lns_checked is not None:
                    status, keep_start = cp_model.FEASIBLE, False
                if lns_stats.get("proven"):
                    status, keep_start = cp_model.OPTIMAL, False
        t_solve = time.perf_counter()
    finally:
        stopper.close()

    has_solution = status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and not keep_start
    if not has_solution and status != cp_model.INFEASIBLE and (covered or initial_ok):
        # the probe's (or the given) roster is valid; the optimisation merely had no time to improve it
        status = cp_model.FEASIBLE
    roster = Roster()
    terms: dict[str, int] = {}
    weighted: dict[str, int] = {}
    objective = bound = None
    report = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if has_solution:
            found = lns_checked[0] if lns_checked is not None else extract_roster(built, solver)
            roster = mark_locked(found, locked)
            if lns_checked is not None:  # the checker's count of the LNS's roster (the model's, exactly)
                terms = dict(lns_checked[1].terms)
            else:
                terms = _terms_of(built, solver)
            # the objective of the roster returned, from its own values (CP-SAT's objective_value
            # was seen to drift from them by a few hundred on large models)
            objective = sum(getattr(inst.scenario.objective, name) * value for name, value in terms.items())
            bound = float(solver.best_objective_bound)
            if lns_stats and lns_stats.get("proven"):
                bound = float(objective)  # the LNS solved the whole model to optimality
        else:
            roster = mark_locked(start_from, locked) if start_from is not None else Roster()
        report = lns_checked[1] if lns_checked is not None and not locked else check(inst, roster)
        if not has_solution:
            terms, objective = dict(report.terms), report.objective
            if built is not probe:  # the search ran on the objective's model: its bound holds without a solution
                found = float(solver.best_objective_bound)
                bound = found if math.isfinite(found) and found <= objective else None
        weights = inst.scenario.objective
        weighted = {name: value * getattr(weights, name) for name, value in terms.items()}
    t_check = time.perf_counter()
    result = SolveResult(
        status=_status_name(status),
        roster=roster,
        objective=objective,
        bound=bound,
        terms=terms,
        weighted=weighted,
        check=report,
        timings={
            "instance_s": t_inst - t0,
            "greedy_s": t_greedy - t_inst,
            "probe_s": t_probe - t_greedy,
            "build_s": t_build - t_probe,
            "solve_s": t_solve - t_build,
            "check_s": t_check - t_solve,
        },
        stats={
            "booleans": solver.num_booleans,
            "conflicts": solver.num_conflicts,
            "branches": solver.num_branches,
            "variables": len(built.model.proto.variables),
            "constraints": len(built.model.proto.constraints),
            "workers": workers,
            "seed": seed,
            "solver_wall_s": solver.wall_time,
            "probe_status": ("SKIPPED" if coverage_first else "OFF") if probe is None else _status_name(probe_status),
            "needs": len(inst.demands),
            "soft_needs": len(soft) if covered else len(inst.demands),
            "stopped": stopper.stopped,
            **({"lns": lns_stats} if lns_stats is not None else {}),
            **greedy,
            **grown,
        },
        progress=list(progress.points),
    )
    return _explained(inst, with_shift_bound(inst, result), locked, explain, explain_budget_s, t0)


def _explained(inst: Instance, result: SolveResult, locked: tuple, wanted: bool, budget_s: float,
               t0: float) -> SolveResult:
    """`result` with the reasons its needs stay short or its rules conflict, when `wanted` (or
    the locked assignments that cannot hold), and its explain and wall times."""
    t = time.perf_counter()
    infeasible = result.status == "INFEASIBLE"
    if infeasible and locked:
        clash = check(inst, Roster(assignments=locked)).violations
        result.explanation = ["the locked assignments cannot all hold with the hard rules"] + [
            v.message for v in clash
        ]
    elif wanted and (infeasible or (result.check is not None and result.check.uncovered)):
        from scheduler.solver.explain import explain as run_explain

        result.explanation = run_explain(inst, result, budget_s=budget_s)
    result.timings["explain_s"] = time.perf_counter() - t
    result.timings["wall_s"] = time.perf_counter() - t0
    return result


def with_shift_bound(inst: Instance, result: SolveResult) -> SolveResult:
    """Raise the result's bound to the shifts' own (scheduler.solver.shift_bound) where it is higher:
    both bound every valid roster, so the higher one holds; a valid roster meeting it is optimal."""
    if result.objective is None or result.check is None or result.check.violations:
        return result
    t = time.perf_counter()
    floor = shift_bound(inst)
    result.stats["shift_bound"] = floor
    result.stats["bound_from"] = "search"
    result.timings["shift_bound_s"] = time.perf_counter() - t
    if result.bound is None or floor > result.bound:
        result.bound = float(floor)
        result.stats["bound_from"] = "shifts"
        if result.objective <= floor:
            result.status = "OPTIMAL"
    return result


def _greedy_start(inst: Instance, initial: Roster | None, wanted: bool, time_limit: float,
                  stop: threading.Event | None) -> tuple[CheckReport | None, float, dict]:
    """The greedy roster as the start when no `initial` is given (and `wanted`): the checker's report
    on it, the seconds one check of it took, and the stats to record (with the roster under
    "roster", for the caller to take)."""
    if initial is not None or not wanted:
        return None, 0.0, {"greedy": False}
    g = greedy_roster(inst, repair_s=min(GREEDY_REPAIR_MAX_S, GREEDY_REPAIR_SHARE * time_limit), stop=stop)
    return g.report, g.check_s, {
        "greedy": True, "roster": g.roster, "greedy_s": round(g.seconds, 3), "greedy_unfilled": g.unfilled,
        "greedy_objective": g.report.objective, "greedy_violations": len(g.report.violations),
    }


# with every need soft, the elastic stage may take this share of the time to make the start valid
ELASTIC_SOLE_SHARE = 0.8
# the searches stop FINISH_CHECKS times one check of the start before the time limit (for extracting
# and checking the roster), but never more than FINISH_MAX_SHARE of it
FINISH_CHECKS, FINISH_MAX_SHARE = 3, 0.05

# with LNS on, the full search gets at least LNS_MAIN_SHARE of the optimisation time, then stops
# once it has not improved for LNS_PATIENCE of it, and by LNS_MAIN_MAX at the latest. The LNS
# improves faster than the full search from the first valid roster on (Curtois Instance12, 60 s: the
# full search took 30 s to reach 10,093, the LNS from the same start 17 s to reach 5,604), so the
# full search keeps only what it does best: small proofs and the LP bound (BENCHMARKS.md, issue 5)
LNS_MAIN_SHARE, LNS_MAIN_MAX, LNS_PATIENCE = 0.05, 0.1, 0.02


def _grow(inst, start, deadline, seed, workers, stop, stats: dict) -> Roster | None:
    """Grow `start`, short of minimum hours only, into a roster that meets them
    (scheduler.solver.elastic); its outcome and time go into `stats`."""
    t = time.perf_counter()
    roster = elastic.first_roster(inst, start, deadline=deadline, seed=seed, workers=workers, stop=stop)
    stats.update(elastic=roster is not None, elastic_s=round(time.perf_counter() - t, 3))
    return roster


def _handover(solver, progress, started, limit, fallback: bool):
    """Hand the full search over to the LNS: after LNS_MAIN_SHARE of its time once it stalls, by
    LNS_MAIN_MAX at the latest (with a roster, its own or a valid `fallback` one)."""
    from scheduler.solver import lns

    return lns.Handover(solver, started + limit * LNS_MAIN_SHARE, started + limit * LNS_MAIN_MAX,
                        limit * LNS_PATIENCE, lambda: progress.objective, fallback, lambda: progress.bound)


def _improve(inst, built, start, deadline, seed, workers, log, stop, progress):
    """Run the LNS from the full search's solution (or from a valid roster when the full search
    found none); return (stats, (a better roster, the checker's report on it) or None).

    A roster the LNS returns must pass the checker, or it is dropped (the full search's stands).
    """
    from scheduler.solver import lns

    if isinstance(start, Roster):
        start = lns.complete(built, start, deadline=deadline)
        if start is None:
            dropped = "the fallback roster could not be completed"
            return {"iterations": 0, "proven": False, "dropped": dropped}, None
        progress.objective = start.objective_value
        progress._push()

    def on_improve(objective: int) -> None:
        progress.objective = objective
        progress._push()

    out = lns.improve(built, start, deadline=deadline, seed=seed, stop=stop, workers=workers,
                      on_improve=on_improve, log=log)
    stats = {"iterations": out.iterations, "improvements": out.improvements, "start": out.start_objective,
             "objective": out.objective, "by_kind": out.by_kind, "proven": out.proven}
    if out.solver is None or (out.objective >= out.start_objective and not out.proven):
        return stats, None
    roster = extract_roster(built, out.solver)
    report = check(inst, roster)
    if report.violations:
        stats["dropped"] = "the checker found hard violations"
        stats["proven"] = False
        return stats, None
    return stats, (roster, report)


def _terms_of(built: BuiltModel, solver: cp_model.CpSolver) -> dict[str, int]:
    """Each objective term's value in the solver's solution."""
    return {name: int(solver.value(expr)) if not isinstance(expr, int) else expr for name, expr in built.terms.items()}


def _objective_of(inst: Instance, built: BuiltModel, solver: cp_model.CpSolver) -> int:
    """The objective of the solver's solution, from its terms' values (as the result reports it)."""
    weights = inst.scenario.objective
    return sum(getattr(weights, name) * value for name, value in _terms_of(built, solver).items())


def _status_name(status) -> str:
    return getattr(status, "name", str(status))
