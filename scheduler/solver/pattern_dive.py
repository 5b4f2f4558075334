"""A roster by diving through the column generation of scheduler.solver.pattern_bound.

The master's optimum is fractional (a reader's week split over several schedules), but it knows
which schedules fit together. Diving fixes readers one batch at a time: every reader whose master
value puts one schedule at FIX_AT or more gets it, else the few readers with the largest values;
the column generation then re-prices the readers still free (until it converges or the batch's
share of the time left is spent) so that they adapt, and the dive goes on until every reader holds
one schedule. Each schedule keeps its reader's hard rules, so only staffing caps can break; the
caller checks the roster anyway (it is a start for the search, which keeps it only as a hint when
it breaks a rule).

It applies where the bound does (no term compares readers). On the Curtois instances it reaches,
within 60 s, rosters that the search alone reaches rarely or not at all (BENCHMARKS.md): it is the
search's start in `scheduler bench curtois` (by default within 0.6 of the time limit).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from scheduler.instance import Instance
from scheduler.result import Assignment, Roster
from scheduler.solver.pattern_bound import Generation, not_applicable

# a master value at least FIX_AT is taken as the reader's schedule; when no reader has one, the
# BATCH_SHARE of free readers with the largest values are fixed; then column generation until it
# converges or the batch's share of the time left is spent. Against 3 rounds a batch: Instance8
# 1,316 in 13 s (was 1,406-1,515), Instance12 4,816 in 36 s (5,097), Instance18 4,671 in 180 s
# (5,231 in 27 s)
FIX_AT, BATCH_SHARE = 0.9, 0.1
# the first round of pricing may take at most this share of the time limit (see dive)
FIRST_ROUND_SHARE = 1 / 30


@dataclass
class Dived:
    """The dive's roster (None: see `dive`) and the best lower bound its root column generation
    proved on the way (scheduler.solver.pattern_bound: valid whether or not it converged; None when
    no round priced every reader)."""

    roster: Roster | None = None
    bound: float | None = None
    converged: bool = False


def dive(inst: Instance, *, time_limit: float, workers: int = 2, seed: int = 0,
         stop: threading.Event | None = None) -> Dived:
    """A roster with one generated schedule per reader, and the root's bound. The roster is None
    when the scenario is out of scope, a reader has no valid schedule, or the first round does not
    fit in FIRST_ROUND_SHARE of `time_limit` (seconds). When the time limit or `stop` comes before
    the dive ends, each reader still free takes their schedule of the largest master value (a start
    that the search repairs: Instance12's 60 s went from 4,710-5,358 to 4,264-4,680 from such a
    start).
    """
    out = Dived()
    if not_applicable(inst) is not None:
        return out
    started = time.perf_counter()
    deadline = started + time_limit
    # the first round prices every reader once; when building the pricing models and that round
    # take more than FIRST_ROUND_SHARE of the time, the column generation cannot come near
    # convergence in it (with CP-SAT pricing, Instance20's first round took 9.4 s and Instance24's
    # 150 pricing models 46 s to build; the path over days prices Instance20's in 2.5 s, and a
    # year's horizon still takes too long)
    first = started + time_limit * FIRST_ROUND_SHARE
    try:
        gen = Generation(inst, workers, build_deadline=first)
    except TimeoutError:
        return out

    def out_of_time() -> bool:
        return time.perf_counter() >= deadline - 0.05 or (stop is not None and stop.is_set())

    def keep(step) -> None:
        """The root's rounds price every reader: each proves a bound (the best one is kept)."""
        if step.bound is not None and (out.bound is None or step.bound > out.bound):
            out.bound = step.bound
        out.converged = out.converged or step.converged

    def generate(fixed: dict[str, int], until: float = float("inf")) -> bool:
        """Column generation over the free readers until it converges, starting no round after the
        first past `until`; False when it cannot go on (no master, infeasible)."""
        done = 0
        while not out_of_time() and (not done or time.perf_counter() < until):
            step = gen.step(deadline, seed + done, stop, skip=frozenset(fixed))
            if step is None or step.infeasible:
                return False
            if not fixed:
                keep(step)
            done += 1
            if step.converged or not step.added:
                break
        return gen.master.solve() is not None

    try:
        step = gen.step(first, seed, stop)
        if step is None or step.infeasible:
            return out
        keep(step)
        if time.perf_counter() >= first:
            return out
        fixed: dict[str, int] = {}
        if not out.converged and not generate(fixed):
            return out
        while len(fixed) < len(gen.ids):
            if out_of_time():
                out.roster = _rounded(inst, gen, fixed)
                return out
            batch = _batch(gen, fixed)
            if not batch:
                return out
            for rid, column in batch.items():
                gen.master.fix(rid, column)
                fixed[rid] = column
            now = time.perf_counter()
            if not generate(fixed, now + (deadline - now) / _batches(len(gen.ids) - len(fixed))):
                return out
        out.roster = _roster(inst, gen, fixed)
        return out
    finally:
        gen.close()


def _batch(gen: Generation, fixed: dict[str, int]) -> dict[str, int]:
    """The readers to fix next and their schedules: every free reader whose largest master value is
    FIX_AT or more, else the BATCH_SHARE of free readers with the largest values (at least one)."""
    best: list[tuple[float, str, int]] = []
    for rid in gen.ids:
        if rid in fixed or not gen.master.of[rid]:
            continue
        value, column = _likeliest(gen, rid)
        best.append((value, rid, column))
    batch = {rid: column for value, rid, column in best if value >= FIX_AT}
    if not batch and best:
        best.sort(key=lambda t: -t[0])
        batch = {rid: column for _v, rid, column in best[: max(1, round(BATCH_SHARE * len(best)))]}
    return batch


def _batches(free: int) -> int:
    """How many batches fix `free` readers at most (BATCH_SHARE of them, at least one, at a time)."""
    count = 0
    while free > 0:
        free -= max(1, round(BATCH_SHARE * free))
        count += 1
    return max(1, count)


def _likeliest(gen: Generation, rid: str) -> tuple[float, int]:
    """The reader's largest master value and the index of its schedule (the master just solved)."""
    return max((var.solution_value(), j) for j, (var, _used) in enumerate(gen.master.of[rid]))


def _rounded(inst: Instance, gen: Generation, fixed: dict[str, int]) -> Roster | None:
    """Out of time: every free reader takes their schedule of the largest master value (None when
    some reader has none yet)."""
    if gen.master.solve() is None:
        return None
    rest = {}
    for rid in gen.ids:
        if rid not in fixed:
            if not gen.master.of[rid]:
                return None
            rest[rid] = _likeliest(gen, rid)[1]
    return _roster(inst, gen, {**fixed, **rest})


def _roster(inst: Instance, gen: Generation, fixed: dict[str, int]) -> Roster:
    out = []
    for rid, column in fixed.items():
        _var, used = gen.master.of[rid][column]
        sites: dict[int, list[str]] = {}
        for site, i in used:
            sites.setdefault(i, []).append(site)
        for i, covered in sites.items():
            s = inst.shifts[i]
            out.append(Assignment(reader=rid, shift_type=s.type_id, date=s.date, sites=tuple(sorted(covered))))
    return Roster(assignments=tuple(out)).sorted()
