"""The solve facade: build, solve with progress and stop, extract the roster, check it, explain."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.instance import Instance, build_instance
from scheduler.result import Assignment, Progress, Roster, SolveResult
from scheduler.scenario import Scenario
from scheduler.solver.model import BuiltModel, build_model

ProgressCallback = Callable[[Progress], None]


class _Progress(cp_model.CpSolverSolutionCallback):
    """Records each improving solution and bound; forwards them to the caller's callback."""

    def __init__(self, started: float, sink: ProgressCallback | None) -> None:
        super().__init__()
        self.started = started
        self.sink = sink
        self.points: list[Progress] = []
        self.bound: float | None = None
        self.objective: float | None = None
        self.lock = threading.Lock()

    def _push(self) -> None:
        point = Progress(time.perf_counter() - self.started, self.objective, self.bound)
        with self.lock:
            self.points.append(point)
        if self.sink is not None:
            self.sink(point)

    def on_solution_callback(self) -> None:
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
    for (rid, i), var in v.x.items():
        built.model.add_hint(var, (rid, (shifts[i].type_id, shifts[i].date)) in on_x)
    for (rid, i, site), var in v.y.items():
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
) -> SolveResult:
    """Solve a scenario and check the roster found.

    `initial` is used as a hint; `on_progress` receives (elapsed, objective, bound) on each
    improvement, from solver threads (keep it short, never call a UI from it); setting `stop`
    from another thread ends the search cleanly with the best roster so far. When needs stay
    uncovered or the rules conflict, `explanation` says why (set `explain=False` to skip).
    """
    t0 = time.perf_counter()
    inst = scenario if isinstance(scenario, Instance) else build_instance(scenario)
    t_inst = time.perf_counter()
    built = build_model(inst)
    if initial is not None:
        _hint(built, initial)
    t_build = time.perf_counter()

    solver = cp_model.CpSolver()
    p = solver.parameters
    p.max_time_in_seconds = float(time_limit)
    p.num_workers = int(workers)
    p.random_seed = int(seed)
    p.log_search_progress = log
    if relative_gap_limit is not None:
        p.relative_gap_limit = relative_gap_limit
    progress = _Progress(t_build, on_progress)
    solver.best_bound_callback = progress.on_bound
    done = threading.Event()
    watcher = None
    if stop is not None:
        def watch() -> None:
            while not done.wait(0.05):
                if stop.is_set():
                    solver.stop_search()
                    return
        watcher = threading.Thread(target=watch, name="solve-stop-watcher", daemon=True)
        watcher.start()
    try:
        status = solver.solve(built.model, progress)
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    t_solve = time.perf_counter()

    status_name = solver.status_name(status)
    has_solution = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    roster = extract_roster(built, solver) if has_solution else Roster()
    terms: dict[str, int] = {}
    weighted: dict[str, int] = {}
    objective = bound = None
    if has_solution:
        weights = inst.scenario.objective
        terms = {name: int(solver.value(expr)) for name, expr in built.terms.items()}
        weighted = {name: value * getattr(weights, name) for name, value in terms.items()}
        objective = int(round(solver.objective_value))
        bound = float(solver.best_objective_bound)
    report = check(inst, roster) if has_solution else None
    t_check = time.perf_counter()
    result = SolveResult(
        status=status_name,
        roster=roster,
        objective=objective,
        bound=bound,
        terms=terms,
        weighted=weighted,
        check=report,
        timings={
            "instance_s": t_inst - t0,
            "build_s": t_build - t_inst,
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
            "stopped": bool(stop is not None and stop.is_set()),
        },
        progress=list(progress.points),
    )
    if explain and (status == cp_model.INFEASIBLE or (report is not None and report.uncovered)):
        from scheduler.solver.explain import explain as run_explain

        result.explanation = run_explain(inst, result, budget_s=explain_budget_s)
    result.timings["explain_s"] = time.perf_counter() - t_check
    result.timings["wall_s"] = time.perf_counter() - t0
    return result
