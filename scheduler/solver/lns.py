"""Large-neighbourhood search: improve a solved model by re-solving small parts of its roster.

Starting from a solution of the whole model, repeatedly free a neighbourhood (a few readers over
the whole horizon, a window of days for every reader, or a few readers over a window), fix every
other reader-shift variable (x and y) at its incumbent value, solve that small model briefly and
keep the result when it is no worse. Everything else (shortfalls, weekend flags, ...) stays free,
so each sub-solve is a model of the same rules, and every solution it returns is a solution of the
whole model. It knows nothing of any benchmark: only the model's x/y variables and the reader and
day each belongs to.

Fixing narrows the variables' domains in a clone of the model made once (between sub-solves
only the domains that change are rewritten); the free variables are hinted with the incumbent.
Neighbourhood kinds are picked by a small bandit (kinds that improved more get picked more), and
each kind's size adapts: larger after a sub-solve proved its neighbourhood optimal, smaller after
one ran out of time. Sub-solves use one CP-SAT worker each, `workers` of them side by side per
round on the same incumbent (the best is kept). Neighbourhoods come from a generator seeded with
`seed` and each sub-solve is bounded in deterministic time, so the sequence of rounds is
reproducible for a given start and seed; only how many fit before the wall-clock deadline varies.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.result import Roster
from scheduler.solver.model import BuiltModel

KINDS = ("readers", "days", "block")
STEP_DTIME = 0.2  # deterministic-time budget of one sub-solve
STALL_GROWTH, MAX_STEP_FACTOR = 1.1, 25  # a round without improvement: 10% more time next, up to 25x
START_SIZE = 0.1  # first share of readers / days a neighbourhood frees (then adapted per kind)
# sub-solves lead with CP-SAT's strongest LP (linearization level 2, with cuts): with most readers
# fixed, even the FTE-share deviations (whose relaxation is zero over the whole roster) get a useful
# LP, and neighbourhoods are proven optimal that the plain search leaves unimproved (10 of 6 tier S
# readers each: 8 proven in 0.70 s each against 1 in 0.97 s, better rosters on 7; Curtois
# Instance12, 60 s: 4,745 against 7,543)
SUB_PARAMETERS: dict[str, object] = {"linearization_level": 2}


@dataclass
class LnsResult:
    """The outcome: `solver` holds the best solution found (None when nothing beat the start)."""

    solver: cp_model.CpSolver | None
    objective: int
    start_objective: int
    iterations: int = 0
    improvements: int = 0
    proven: bool = False  # a sub-solve with every cell free proved `objective` optimal
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [tries, improvements]


class Handover:
    """Stops a running search so that the LNS can take over from its best solution: once the
    instant `first` (perf_counter) is past and the incumbent (`incumbent()`, None while there is
    none) and the bound (`bound()`, when given) have not changed for `patience` seconds, and in
    any case at `last`. Without an incumbent the search is stopped only if `fallback` (a valid
    roster to start from exists); `close()` ends the watch."""

    def __init__(self, solver: cp_model.CpSolver, first: float, last: float, patience: float,
                 incumbent: Callable[[], float | None], fallback: bool = False,
                 bound: Callable[[], float | None] | None = None) -> None:
        self.solver, self.first, self.last, self.patience = solver, first, last, patience
        self.incumbent, self.fallback = incumbent, fallback
        self.bound = bound if bound is not None else (lambda: None)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="lns-handover", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        seen, changed = None, time.perf_counter()
        while not self.done.wait(0.05):
            now, value, bound = time.perf_counter(), self.incumbent(), self.bound()
            if (value, bound) != seen:  # a rising bound is progress too: the LNS cannot raise it
                seen, changed = (value, bound), now
            if now < self.first or (value is None and not self.fallback):
                continue
            if now >= self.last or now - changed >= self.patience:
                self.solver.stop_search()
                return

    def close(self) -> None:
        self.done.set()
        self.thread.join()


def _var(lit) -> int:
    index = lit.index
    return index if index >= 0 else -index - 1


def _objective(model: cp_model.CpModel, values: list[int]) -> int:
    obj = model.proto.objective
    return int(sum(c * values[v] for v, c in zip(obj.vars, obj.coeffs, strict=True)) + obj.offset)


class _Cells:
    """The model's reader-shift variables, indexed by reader and by day."""

    def __init__(self, built: BuiltModel) -> None:
        v = built.vars
        day_of = {s.index: s.day for s in v.inst.shifts}
        cells: dict[str, dict[int, set[int]]] = {}
        for (rid, i), lit in v.x.items():
            cells.setdefault(rid, {}).setdefault(day_of[i], set()).add(_var(lit))
        for (rid, i, _site), lit in v.y.items():
            cells.setdefault(rid, {}).setdefault(day_of[i], set()).add(_var(lit))
        self.readers = sorted(cells)
        self.by_reader = {rid: {d: sorted(ix) for d, ix in sorted(days.items())} for rid, days in cells.items()}
        self.days = sorted({d for days in cells.values() for d in days})
        self.all = sorted({ix for days in cells.values() for ixs in days.values() for ix in ixs})

    def free(self, readers: list[str], first: int, last: int) -> set[int]:
        out: set[int] = set()
        for rid in readers:
            for d, ixs in self.by_reader[rid].items():
                if first <= d <= last:
                    out.update(ixs)
        return out


def _neighbourhood(cells: _Cells, kind: str, size: float, rng: random.Random) -> set[int]:
    """Variables to free: `size` (0-1) is the share of readers, of days, or of both (block)."""
    n_readers, n_days = len(cells.readers), len(cells.days)
    lo, hi = cells.days[0], cells.days[-1]
    if kind == "readers":
        k = max(1, round(size * n_readers))
        return cells.free(rng.sample(cells.readers, min(k, n_readers)), lo, hi)
    if kind == "days":
        w = max(1, round(size * n_days))
        first = rng.randint(lo, max(lo, hi - w + 1))
        return cells.free(cells.readers, first, first + w - 1)
    share = min(1.0, size**0.5 * 1.5)  # a block: more readers and more days, each a larger share
    k = max(2, round(share * n_readers))
    w = max(2, round(share * n_days))
    first = rng.randint(lo, max(lo, hi - w + 1))
    return cells.free(rng.sample(cells.readers, min(k, n_readers)), first, first + w - 1)


class _Slot:
    """One clone of the model whose x/y domains are narrowed for a sub-solve (one per parallel slot)."""

    def __init__(self, built: BuiltModel, cells: _Cells) -> None:
        self.model = built.model.clone()
        self.model.proto.clear_solution_hint()
        self.domains = self.model.proto.variables
        self.original = {ix: list(self.domains[ix].domain) for ix in cells.all}
        self.pinned: dict[int, int | None] = dict.fromkeys(cells.all)  # fixed value, None when free
        self.cells = cells

    def prepare(self, free: set[int], values: list[int]) -> None:
        """Fix every cell outside `free` at its value in `values`; hint the free ones with theirs."""
        for ix in self.cells.all:
            want = None if ix in free else values[ix]
            if self.pinned[ix] != want:  # rewrite only the domains that change
                domain = self.domains[ix].domain
                domain.clear()
                domain.extend(self.original[ix] if want is None else (want, want))
                self.pinned[ix] = want
        self.model.proto.clear_solution_hint()
        order = sorted(free)
        hint = self.model.proto.solution_hint
        hint.vars.extend(order)
        hint.values.extend(values[ix] for ix in order)


def complete(built: BuiltModel, roster: Roster, *, deadline: float) -> cp_model.CpSolver | None:
    """A solver holding the solution of `built` that works exactly `roster` (the other variables,
    shortfalls and the like, follow from it), or None when the roster breaks the model."""
    v = built.vars
    on = {(a.reader, a.shift_type, a.date) for a in roster.assignments}
    sites = {(a.reader, a.shift_type, a.date, site) for a in roster.assignments for site in a.sites}
    values: dict[int, int] = {}
    for (rid, i), lit in v.x.items():
        s = v.inst.shifts[i]
        values[_var(lit)] = int((rid, s.type_id, s.date) in on)
    for (rid, i, site), lit in v.y.items():
        s = v.inst.shifts[i]
        values[_var(lit)] = int((rid, s.type_id, s.date, site) in sites)
    cells = _Cells(built)
    slot = _Slot(built, cells)
    full = [0] * len(built.model.proto.variables)
    for ix, value in values.items():
        full[ix] = value
    slot.prepare(set(), full)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.01, deadline - time.perf_counter())
    solver.parameters.catch_sigint_signal = False
    status = solver.solve(slot.model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _pick(stats: dict[str, list[int]], rng: random.Random) -> str:
    """A neighbourhood kind, more often the ones that have improved more often (a simple bandit)."""
    weights = [(stats[k][1] + 1) / (stats[k][0] + 2) for k in KINDS]
    return rng.choices(KINDS, weights=weights)[0]


def improve(
    built: BuiltModel,
    start: cp_model.CpSolver,
    *,
    deadline: float,
    seed: int = 0,
    stop: threading.Event | None = None,
    workers: int = 1,
    step_dtime: float = STEP_DTIME,
    max_iterations: int | None = None,
    parameters: dict[str, object] | None = None,
    on_improve: Callable[[int], None] | None = None,
    log: bool = False,
) -> LnsResult:
    """Improve the solution held by `start` (a solver that solved `built`) until `deadline`
    (a `time.perf_counter()` instant) or `stop` is set.

    Each round runs `workers` sub-solves side by side (one CP-SAT worker each) on different
    neighbourhoods of the same incumbent, then keeps the best of them if it is no worse: rounds are
    synchronous, so the outcome does not depend on thread timing. `on_improve(objective)` is called
    on each strict improvement; `max_iterations` caps the number of sub-solves; `parameters` are
    CP-SAT parameters for every sub-solve (default SUB_PARAMETERS).
    """
    values = list(start.response_proto.solution)
    best = _objective(built.model, values)
    result = LnsResult(solver=None, objective=best, start_objective=best)
    if not built.model.proto.has_objective() or not values:
        return result
    cells = _Cells(built)
    if not cells.all:
        return result
    lanes = max(1, int(workers))
    slots = [_Slot(built, cells) for _ in range(lanes)]
    rng = random.Random(seed)
    size = dict.fromkeys(KINDS, START_SIZE)
    result.by_kind = {k: [0, 0] for k in KINDS}
    step = step_dtime  # grows while rounds stall (bigger neighbourhoods can then be solved), reset on success
    running: list[cp_model.CpSolver] = []
    watch_done = threading.Event()

    def watch() -> None:  # relay the stop event to the running sub-solves
        while not watch_done.wait(0.05):
            if stop is not None and stop.is_set():
                for solver in list(running):
                    solver.stop_search()

    watcher = threading.Thread(target=watch, name="lns-stop", daemon=True)
    watcher.start()
    pool = ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="lns") if lanes > 1 else None
    try:
        while time.perf_counter() < deadline - 0.05 and not (stop is not None and stop.is_set()):
            if max_iterations is not None and result.iterations >= max_iterations:
                break
            jobs = []
            for slot in slots[: lanes if max_iterations is None else min(lanes, max_iterations - result.iterations)]:
                kind = _pick(result.by_kind, rng)
                free = _neighbourhood(cells, kind, size[kind], rng)
                slot.prepare(free, values)
                solver = cp_model.CpSolver()
                p = solver.parameters
                p.num_workers = 1
                p.random_seed = rng.randrange(1 << 30)
                p.max_deterministic_time = step
                p.max_time_in_seconds = max(0.01, deadline - time.perf_counter())
                p.log_search_progress = log
                p.catch_sigint_signal = False
                for key, value in {**SUB_PARAMETERS, **(parameters or {})}.items():
                    setattr(p, key, value)
                jobs.append((kind, slot, solver, len(free) == len(cells.all)))
            running[:] = [job[2] for job in jobs]
            if stop is not None and stop.is_set():
                break
            if pool is None:
                statuses = [solver.solve(slot.model) for _kind, slot, solver, _whole in jobs]
            else:
                statuses = list(pool.map(lambda job: job[2].solve(job[1].model), jobs))
            running.clear()
            round_best = None
            for (kind, _slot, solver, whole), status in zip(jobs, statuses, strict=True):
                result.iterations += 1
                result.by_kind[kind][0] += 1
                # exhausted: free more next time; cut short: free less
                size[kind] = min(1.0, size[kind] * 1.25) if status == cp_model.OPTIMAL else max(0.01, size[kind] * 0.8)
                if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    continue
                candidate = list(solver.response_proto.solution)
                objective = _objective(built.model, candidate)
                if objective < best:
                    result.by_kind[kind][1] += 1
                if round_best is None or objective < round_best[0]:
                    round_best = (objective, candidate, solver)
                if whole and status == cp_model.OPTIMAL:  # everything was free: a proof for the whole model
                    result.proven = True
            improved = round_best is not None and round_best[0] < best
            if round_best is not None and round_best[0] <= best:  # equal moves too: they let the search drift
                objective, values, solver = round_best
                if improved:
                    result.improvements += 1
                    if on_improve is not None:
                        on_improve(objective)
                best = objective
                result.solver, result.objective = solver, objective
            if result.proven:
                break
            step = step_dtime if improved else min(step * STALL_GROWTH, MAX_STEP_FACTOR * step_dtime)
    finally:
        watch_done.set()
        watcher.join()
        if pool is not None:
            pool.shutdown()
    return result
