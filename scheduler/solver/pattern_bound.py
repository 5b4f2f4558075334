"""A lower bound on the objective by column generation over each reader's own schedules.

When no objective term couples readers except through the needs (fairness, workload and continuity
weigh zero, and no need asks for subspecialties), the objective with every need soft is each
reader's own cost (requests, reader-shifts) plus, for each need k with R_k readers required and n_k
covering it, `under_k * max(0, R_k - n_k) + over_k * max(0, n_k - R_k)`. Pricing the needs with
multipliers d_k in [-over_k, under_k] splits it into one problem per reader (Lagrangian relaxation):

    every valid roster costs at least  sum_k d_k R_k + sum_r min over r's valid schedules of
                                        (own cost of the schedule - sum of d_k over the needs it covers)

Column generation finds multipliers that make this tight: a linear master (GLOP) chooses a convex
combination of the schedules found so far for each reader, its duals are the multipliers, and each
reader is priced, adding the schedules that would improve the master: by a shortest path over days
(scheduler.solver.day_pricing, exact for day-based rules: 5 ms a reader on Instance12 against
CP-SAT's 30) where it can represent the reader's rules, else by one CP-SAT model per reader (the
reader alone, every hard rule of theirs, needs soft). Every round's bound is valid on its own: it
uses each pricing's proven bound, whether or not it was solved to optimality (and a
weak bound without search when CP-SAT found no schedule in its time), and accounts for rounding the
multipliers to integer coefficients. So the best bound so far is returned
whenever time runs out; once no reader has an improving schedule it equals the master's optimum.

Staffing caps couple readers too; leaving them out only lowers the bound, so it stays valid. It is
a bound on the objective of `solve(..., coverage_first=False)` (the staff-rostering benchmarks'),
found without CP-SAT's search: on the Curtois instances it converges up to Instance18 and proves the
best known values of Instances 2-4, 10, 12 and 14 optimal, where CP-SAT's own bound stays far below
(Instance12: 0 against 4,040; BENCHMARKS.md, section curtois-bounds).
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.instance import Instance, reader_instance
from scheduler.rules import reader_shifts, requests
from scheduler.solver.day_pricing import DayPricing, unsupported
from scheduler.solver.model import build_model

OWN_TERMS = (("requests", requests), ("reader_shifts", reader_shifts))  # each a sum over readers
COUPLING_TERMS = ("fairness", "workload", "continuity")  # each compares readers with one another
SCALE = 100_000  # multipliers become integer coefficients of the pricing models at this scale
# one reader's pricing model gets PRICE_S a round, doubled after each round it is not proven, up to
# PRICE_MAX_S (long horizons: a reader's 84 days may need more than a second to find any schedule)
PRICE_S, PRICE_MAX_S = 1.0, 16.0
TOLERANCE = 1e-6
PATH_ERROR = 1e-9  # relative floating-point margin on the path's bound (sums of float multipliers)


@dataclass
class PatternBound:
    """The outcome. `bound` is the best valid lower bound found (None when none was, or when the
    method does not apply: `reason` says why); `converged` means no reader had an improving
    schedule, so `bound` is the master's optimum; `infeasible` that some reader has no valid
    schedule at all (then no roster keeps the hard rules)."""

    bound: float | None = None
    lp: float | None = None
    rounds: int = 0
    columns: int = 0
    converged: bool = False
    infeasible: bool = False
    seconds: float = 0.0
    reason: str | None = None
    history: list[tuple[float, float]] = field(default_factory=list)  # (seconds, bound) on each gain

    def rounded(self) -> int | None:
        """The bound rounded up (objectives are integers), None without a bound."""
        return None if self.bound is None else math.ceil(self.bound - TOLERANCE)

    def proves(self, objective: int) -> bool:
        """True when a valid roster of this integer `objective` is optimal: at most the bound rounded up."""
        return self.bound is not None and objective <= self.rounded()

    def meets(self, value: int | None) -> bool:
        """True when `value` (a known roster's, such as a best known value) is the bound rounded up:
        that value is optimal."""
        return value is not None and self.bound is not None and value == self.rounded()

    def above(self, value: int | None) -> bool:
        """True when the bound rounded up exceeds `value`, a roster's: impossible for a valid roster
        of this model, so the value was scored under other rules."""
        return value is not None and self.bound is not None and value < self.rounded()


def not_applicable(inst: Instance) -> str | None:
    """Why the bound does not apply to this scenario, or None when it does."""
    weights = inst.scenario.objective
    coupled = [name for name in COUPLING_TERMS if getattr(weights, name)]
    if coupled:
        return f"the objective weighs {', '.join(coupled)}, which compare readers with one another"
    if any(d.required_by_subspecialty for d in inst.demands.values()):
        return "some needs ask for subspecialties"
    return None


class _Reader:
    """One reader's pricing model: the reader alone, every need soft, no objective of its own yet."""

    def __init__(self, inst: Instance, reader) -> None:
        alone = reader_instance(inst, reader)
        self.built = build_model(alone, soft_needs=None, objective=False)
        weights = inst.scenario.objective
        v = self.built.vars
        self.own = sum(getattr(weights, name) * module.term(v) for name, module in OWN_TERMS)
        # every site the reader may cover on every shift (a schedule is all of them; the needs among
        # them are priced, a site-shift without a need has no multiplier)
        self.covers = [((site, i), y) for (_rid, i, site), y in v.y.items()]
        self.day_of = {key: inst.shifts[key[1]].day for key, _y in self.covers}
        self.time_limit = PRICE_S  # doubled after each round that does not prove its schedule best
        self.hint: list = []  # (literal, value) of the last schedule found: the next round's feasible start

    def floor(self, multipliers: dict) -> float:
        """A weak but always valid lower bound of the reduced cost, without any search: the own
        cost is never negative, and a reader works one shift a day, so each day gives at most its
        best shift's positive multipliers."""
        per_shift: dict[tuple[int, int], float] = {}
        for key, _y in self.covers:
            per_shift[(self.day_of[key], key[1])] = per_shift.get((self.day_of[key], key[1]), 0.0) + max(
                0.0, multipliers.get(key, 0.0))
        per_day: dict[int, float] = {}
        for (day, _i), gain in per_shift.items():
            per_day[day] = max(per_day.get(day, 0.0), gain)
        return -sum(per_day.values())

    def price(self, multipliers: dict, deadline: float, seed: int, stop: threading.Event | None,
              dual: float = math.inf):
        """(schedules found as (needs covered, own cost), proven lower bound of the reduced cost
        without the reader's convexity dual, CP-SAT status), searching until `deadline` at the latest."""
        time_limit = min(self.time_limit, deadline - time.perf_counter())
        coefficients = [(key, y, round(SCALE * multipliers.get(key, 0.0))) for key, y in self.covers]
        # rounding a multiplier down lowers the true reduced cost by up to its remainder: count it
        error = sum(max(0.0, SCALE * multipliers.get(key, 0.0) - c) for key, _y, c in coefficients) / SCALE
        model = self.built.model
        model.minimize(SCALE * self.own - sum(c * y for _key, y, c in coefficients if c))
        model.clear_hints()
        for y, value in self.hint:
            model.add_hint(y, value)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers, p.max_time_in_seconds, p.random_seed = 1, max(0.01, time_limit), seed
        p.catch_sigint_signal = False
        # the LP with cuts proves a reader's best schedule (Instance18: in 0.1-0.3 s, none in 4 s without)
        p.linearization_level = 2
        found: list[tuple[frozenset, int]] = []
        own, covers, hint = self.own, self.covers, self.hint

        class Collect(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                if stop is not None and stop.is_set():
                    self.stop_search()
                used = frozenset(key for key, y in covers if self.boolean_value(y))
                hint[:] = [(y, self.boolean_value(y)) for _key, y in covers]
                found.append((used, int(self.value(own)) if not isinstance(own, int) else own))

        status = solver.solve(model, Collect())
        lower = self.floor(multipliers)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            lower = max(lower, solver.best_objective_bound / SCALE - error)
        elif status == cp_model.INFEASIBLE:
            lower = math.inf
        self.time_limit = PRICE_S if status == cp_model.OPTIMAL else min(self.time_limit * 2, PRICE_MAX_S)
        return found, lower, status


class _PathReader:
    """A reader priced by the path over days (scheduler.solver.day_pricing), and by CP-SAT in the
    rounds where the path's per-type limit prices give no valid schedule (that model built then)."""

    def __init__(self, inst: Instance, reader) -> None:
        self.inst, self.reader = inst, reader
        self.path = DayPricing(inst, reader)
        self.fallback: _Reader | None = None

    def price(self, multipliers: dict, deadline: float, seed: int, stop: threading.Event | None,
              dual: float = math.inf):
        """As _Reader.price; `dual` is the reader's convexity dual (an unproven path schedule is
        kept only when it improves on it). Past `deadline` (or `stop`) it prices nothing and
        proves no bound: a round of 364-day paths must not run on for a minute after its time."""
        if time.perf_counter() >= deadline or (stop is not None and stop.is_set()):
            return [], -math.inf, cp_model.UNKNOWN
        got = self.path.price(multipliers, dual)
        if got is not None:
            found, lower, optimal = got
            if lower == math.inf:
                return [], math.inf, cp_model.INFEASIBLE
            return found, lower - PATH_ERROR * (1 + abs(lower)), cp_model.OPTIMAL if optimal else cp_model.FEASIBLE
        if self.fallback is None:
            self.fallback = _Reader(self.inst, self.reader)
        found, lower, status = self.fallback.price(multipliers, deadline, seed, stop)
        lagrangian = self.path.last_bound - PATH_ERROR * (1 + abs(self.path.last_bound))
        return found, max(lower, lagrangian), status


class _Master:
    """The linear master: a convex combination of known schedules per reader, and each need's
    shortfall and over-staffing at their weights, in one row a need. Columns are added in place
    (GLOP re-solves from its last basis; its presolve is off, as it dropped the singleton columns
    and left a basis that GLOP could not restart from: ABNORMAL on Instances 12 and 18). A reader's
    artificial column, at a cost above any roster's, keeps the master feasible until their first
    schedule comes; then it is fixed at zero."""

    def __init__(self, demands: dict, readers: list[str], under: dict, over: dict, big: float) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.lp.SetSolverSpecificParametersAsString("use_preprocessing: false")
        self.under, self.over = under, over
        self.objective = self.lp.Objective()
        self.objective.SetMinimization()
        self.convexity, self.artificial = {}, {}
        for rid in readers:
            self.convexity[rid] = self.lp.Constraint(1, 1)
            artificial = self.lp.NumVar(0, 1, "")  # keeps the master feasible before any schedule is known
            self.convexity[rid].SetCoefficient(artificial, 1)
            self.objective.SetCoefficient(artificial, big)
            self.artificial[rid] = artificial
        self.cover = {}
        for key, demand in demands.items():
            # n + short - extra = R: one row a need (the shortfall and the over-staffing never both
            # pay at an optimum), so its dual is the need's multiplier, within [-over, under]
            upper = demand.required if over[key] else self.lp.infinity()
            self.cover[key] = self.lp.Constraint(demand.required, upper)
            short = self.lp.NumVar(0, self.lp.infinity(), "")
            self.cover[key].SetCoefficient(short, 1)
            self.objective.SetCoefficient(short, under[key])
            if over[key]:
                extra = self.lp.NumVar(0, self.lp.infinity(), "")
                self.cover[key].SetCoefficient(extra, -1)
                self.objective.SetCoefficient(extra, over[key])
        self.known: dict[str, set[frozenset]] = {rid: set() for rid in readers}
        self.of: dict[str, list] = {rid: [] for rid in readers}  # reader -> [(variable, needs covered)]
        self.columns = 0

    def add(self, rid: str, used: frozenset, cost: int) -> bool:
        if used in self.known[rid]:
            return False
        self.known[rid].add(used)
        var = self.lp.NumVar(0, 1, "")
        self.convexity[rid].SetCoefficient(var, 1)
        self.objective.SetCoefficient(var, cost)
        self.of[rid].append((var, used))
        self.artificial[rid].SetUb(0)  # the reader's schedules keep the master feasible now
        for key in used:
            if key not in self.cover:  # a site-shift without a need
                continue
            self.cover[key].SetCoefficient(var, 1)
        self.columns += 1
        return True

    def fix(self, rid: str, column: int) -> None:
        """Keep only the reader's `column`-th schedule (and none of the others) in the master."""
        self.artificial[rid].SetUb(0)
        for j, (var, _used) in enumerate(self.of[rid]):
            if j != column:
                var.SetUb(0)

    def solve(self) -> tuple[float, dict, dict] | None:
        """(master value, need multipliers clipped to where the bound holds, convexity duals)."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        multipliers = {}
        for key, row in self.cover.items():
            multipliers[key] = min(max(row.dual_value(), -self.over[key]), self.under[key])
        duals = {rid: row.dual_value() for rid, row in self.convexity.items()}
        return self.lp.Objective().Value(), multipliers, duals


_FORK = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
_FORKED: list = []  # the readers a pricing process inherits when it forks


def _price_forked(call: tuple) -> tuple:
    """In a forked process: price reader `index` of _FORKED with the limit multipliers given."""
    index, multipliers, deadline, seed, dual, lam, mu = call
    reader = _FORKED[index]
    reader.path.lam, reader.path.mu = lam, mu
    found, lower, status = reader.price(multipliers, deadline, seed, None, dual)
    return found, lower, int(status), reader.path.lam, reader.path.mu


class _Smoothing:
    """Wentges smoothing of the root's multipliers, its factor set automatically (Pessoa, Sadykov,
    Uchoa and Vanderbeck, 2018): the readers are priced at a point between the multipliers of the
    best bound so far (the centre) and the master's own, which keeps the duals from swinging from
    round to round. The factor drops when the pricing's subgradient points towards the master's
    multipliers and grows otherwise. Instance20's root: at 170 s, master 4,795 and bound 4,555
    (best known 4,769), against 5,491 and 2,208 without it."""

    def __init__(self, alpha: float = 0.5) -> None:
        self.alpha = alpha
        self.centre: dict | None = None
        self.best = -math.inf

    def point(self, master: dict) -> dict | None:
        """The multipliers to price at, None while there is no centre (or no smoothing)."""
        if self.centre is None or self.alpha <= 0:
            return None
        a = self.alpha
        return {k: a * self.centre[k] + (1 - a) * d for k, d in master.items()}

    def observe(self, multipliers: dict, bound: float | None) -> None:
        """A bound proved at `multipliers`: the centre moves there when it is the best so far."""
        if bound is not None and math.isfinite(bound) and bound > self.best:
            self.best, self.centre = bound, dict(multipliers)

    def adapt(self, point: dict, master: dict, required: dict, found: list) -> None:
        """Adjust the factor by the subgradient at `point`: each need's required count less the
        readers covering it in their best schedule at `point` (`found`: each reader's schedules)."""
        covered: dict = {}
        for schedules in found:
            if schedules:
                _reduced, used = min((cost - sum(point.get(k, 0.0) for k in used), used) for used, cost in schedules)
                for k in used:
                    covered[k] = covered.get(k, 0) + 1
        slope = sum((required[k] - covered.get(k, 0)) * (master[k] - point[k]) for k in required)
        self.alpha = max(0.0, self.alpha - 0.1) if slope > 0 else min(0.99, self.alpha + (1 - self.alpha) * 0.1)


@dataclass
class Round:
    """One round of column generation: the master's value, the bound it proves (None when readers
    were skipped or one had no bound), schedules added, and whether it converged."""

    lp: float
    bound: float | None
    added: int
    converged: bool
    infeasible: bool


class Generation:
    """Column generation over the readers' schedules: the pricing models, the master, and a pool of
    `workers` threads that price readers side by side (one CP-SAT worker each), or of `workers`
    processes when the path over days prices every reader."""

    def __init__(self, inst: Instance, workers: int, build_deadline: float | None = None, path: bool = True,
                 smoothing: bool = True) -> None:
        """Raises TimeoutError when building the pricing models passes `build_deadline`
        (time.perf_counter()): on a year's horizon CP-SAT's take tens of seconds (Instance24: 150
        people). With `path`, readers the path over days can price are priced by it; with
        `smoothing`, the root's multipliers are smoothed (_Smoothing)."""
        self.smoothing = _Smoothing() if smoothing else None
        weights = inst.scenario.objective
        self.demands = demands = inst.demands
        self.required = {k: d.required for k, d in demands.items()}
        under = {k: weights.uncovered * d.priority for k, d in demands.items()}
        over = {k: weights.overstaffing * d.over_weight if d.max_readers > d.required else 0
                for k, d in demands.items()}
        constant = sum(under[k] * d.required for k, d in demands.items())  # every need wholly short
        self.readers = []
        for r in inst.readers:
            if build_deadline is not None and time.perf_counter() >= build_deadline:
                raise TimeoutError("building the pricing models ran out of time")
            self.readers.append(_PathReader(inst, r) if path and unsupported(inst, r) is None else _Reader(inst, r))
        self.ids = [r.id for r in inst.readers]
        self.master = _Master(demands, self.ids, under, over, big=constant + 1.0)
        self.pool = ThreadPoolExecutor(max_workers=max(1, int(workers)), thread_name_prefix="pricing")
        # the path is Python and numpy: threads hold each other up on the interpreter lock, so
        # `workers` processes price the readers when the path takes them all (forked: each
        # inherits the readers; the per-type limit multipliers travel with each call)
        self.procs, self.workers = None, max(1, int(workers))
        if workers > 1 and all(isinstance(r, _PathReader) for r in self.readers) and _FORK is not None:
            global _FORKED
            _FORKED = self.readers
            self.procs = ProcessPoolExecutor(max_workers=int(workers), mp_context=_FORK)
            list(self.procs.map(int, range(int(workers))))  # fork now, while _FORKED holds these readers

    def close(self) -> None:
        self.pool.shutdown()
        if self.procs is not None:
            self.procs.shutdown()

    def _price(self, active: list, multipliers: dict, duals: dict, deadline: float, seed: int,
               stop: threading.Event | None) -> list[tuple]:
        """(schedules found, lower bound, status) of each active (reader id, reader)."""
        n = len(active)
        if self.procs is None or n < 2:
            return list(self.pool.map(lambda r, *a: r.price(*a), [r for _rid, r in active], [multipliers] * n,
                                      [deadline] * n, [seed] * n, [stop] * n, [duals[rid] for rid, _r in active]))
        index = {rid: k for k, rid in enumerate(self.ids)}
        calls = [(index[rid], multipliers, deadline, seed, duals[rid], r.path.lam, r.path.mu) for rid, r in active]
        out = []
        for (_rid, r), (found, lower, status, lam, mu) in zip(
                active, self.procs.map(_price_forked, calls, chunksize=-(-n // self.workers)), strict=True):
            r.path.lam, r.path.mu = lam, mu
            out.append((found, lower, cp_model.CpSolverStatus(status)))
        return out

    def step(self, deadline: float, seed: int, stop: threading.Event | None = None,
             skip: frozenset[str] = frozenset()) -> Round | None:
        """Solve the master, price every reader outside `skip`, add the improving schedules. At the
        root (nobody skipped) the readers are first priced at the smoothed multipliers; when that
        adds no schedule (a mis-pricing), they are priced again at the master's own."""
        solved = self.master.solve()
        if solved is None:
            return None
        lp, multipliers, duals = solved
        active = [(rid, r) for rid, r in zip(self.ids, self.readers, strict=True) if rid not in skip]
        best = None
        point = None if skip or self.smoothing is None else self.smoothing.point(multipliers)
        for prices in ([point] if point is not None else []) + [multipliers]:
            priced = self._price(active, prices, duals, deadline, seed, stop)
            if any(status == cp_model.INFEASIBLE for _f, _lower, status in priced):
                return Round(lp, None, 0, False, True)
            if not skip:
                bound = sum(prices[k] * r for k, r in self.required.items()) + sum(lower for _f, lower, _s in priced)
                if math.isfinite(bound):
                    best = bound if best is None else max(best, bound)
                    if self.smoothing is not None:
                        self.smoothing.observe(prices, bound)
            added = 0
            for (rid, _r), (found, _lower, _status) in zip(active, priced, strict=True):
                for used, cost in found:
                    reduced = cost - sum(multipliers.get(k, 0.0) for k in used) - duals[rid]
                    if reduced < -TOLERANCE and self.master.add(rid, used, cost):
                        added += 1
            if prices is point:
                self.smoothing.adapt(point, multipliers, self.required, [found for found, _l, _s in priced])
                if added:
                    return Round(lp, best, added, False, False)
        converged = not added and all(status == cp_model.OPTIMAL for _f, _lower, status in priced)
        return Round(lp, best, added, converged, False)


def pattern_bound(inst: Instance, *, time_limit: float, workers: int = 2, seed: int = 0,
                  stop: threading.Event | None = None, max_rounds: int | None = None) -> PatternBound:
    """The best lower bound found within `time_limit` seconds (and `max_rounds` rounds), pricing
    `workers` readers side by side (one CP-SAT worker each); setting `stop` ends it early with the
    best bound so far."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    out = PatternBound(reason=not_applicable(inst))
    if out.reason is not None:
        return out
    gen = Generation(inst, workers)
    try:
        while time.perf_counter() < deadline - 0.05 and not (stop is not None and stop.is_set()):
            if max_rounds is not None and out.rounds >= max_rounds:
                break
            step = gen.step(deadline, seed + out.rounds, stop)
            if step is None:
                break
            out.rounds += 1
            out.lp = step.lp
            if step.infeasible:
                out.infeasible, out.bound = True, None
                break
            if step.bound is not None and (out.bound is None or step.bound > out.bound):
                out.bound = step.bound
                out.history.append((round(time.perf_counter() - t0, 3), step.bound))
            if step.converged:
                out.converged = True
                break
    finally:
        gen.close()
    out.columns = gen.master.columns
    out.seconds = time.perf_counter() - t0
    return out
