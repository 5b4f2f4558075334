"""A first roster that keeps every hard rule when minimum hours make one hard to find.

A rule set's `min_total_hours` makes an empty roster invalid, and on long horizons (the 364-day
Curtois instances: 50-150 staff, 1,800 h each) CP-SAT's own first dive finds no valid roster in
minutes. The greedy roster keeps every other rule but leaves readers short of their minimum.
Here the minimum is made elastic: `total + short >= minimum`, every other rule (maximum hours
included) hard, needs soft and the objective the total shortfall in minutes. With needs soft,
readers are coupled only by staffing caps, so each reader short of their minimum is first
re-planned alone, in a one-reader model hinted with their greedy shifts (a second each); what the
checker still rejects goes to the large-neighbourhood search (scheduler.solver.lns) on the whole
elastic model, which stops at zero shortfall. The result is a roster of the real model, handed to
the main search as its start and fallback.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.instance import Instance, reader_instance
from scheduler.result import CheckReport, Roster
from scheduler.rules import hours
from scheduler.solver import lns
from scheduler.solver.model import BuiltModel, build_model
from scheduler.solver.params import new_solver

IMPOSSIBLE = object()  # a reader's re-plan proved their minimum out of reach
RULES = (hours.TOTAL,)  # the rules whose violations this stage can repair
READER_S = 2.0  # at most this long for one reader
PORTFOLIO = 8  # CP-SAT workers of each one-reader model (time-sliced: they are small)

# the elastic LNS's sub-solves search without the LP, as measured on the 364-day Curtois instances
SUB_PARAMETERS: dict[str, object] = {"linearization_level": 0}


def applies(report: CheckReport | None) -> bool:
    """True when every hard violation of the roster is of a total-hours rule (a maximum broken
    too makes `first_roster` give up at once: it stays hard)."""
    return report is not None and bool(report.violations) and all(v.rule in RULES for v in report.violations)


def elastic_model(inst: Instance) -> tuple[BuiltModel, list]:
    """The model with every need soft, no objective but the shortfall below each reader's minimum
    total hours, and those minimums elastic (the maximum stays hard)."""
    built = build_model(inst, soft_needs=None, objective=False, guarded=frozenset({hours.TOTAL}))
    v, m = built.vars, built.model
    shorts = []
    for r in inst.readers:
        rules = v.rules(r)
        lit = v.literals.get((hours.TOTAL, r.id, None))
        if lit is None:
            continue
        m.add(lit == 0)  # the hard total-hours constraints are replaced by the two below
        total = sum(s.work_minutes * v.x[(r.id, s.index)] for s in v.shifts_of[r.id])
        if rules.max_total_hours is not None:
            m.add(total <= round(rules.max_total_hours * 60))
        if rules.min_total_hours is not None:
            minimum = round(rules.min_total_hours * 60)
            short = m.new_int_var(0, minimum, f"short:{r.id}")
            m.add(total + short >= minimum)
            shorts.append(short)
    m.minimize(sum(shorts))
    return built, shorts


def first_roster(inst: Instance, start: Roster, *, deadline: float, seed: int = 0, workers: int = 1,
                 stop: threading.Event | None = None) -> Roster | None:
    """A roster that meets every minimum, grown from `start` (which must keep every other hard
    rule), or None when the deadline comes first.

    First each reader short of their minimum is re-planned alone (with needs soft and no other
    objective, readers are coupled only by staffing caps): a model of one reader is small even over
    a year. What the checker still rejects then goes to the LNS over the whole elastic model (from
    `start` again if the readers planned alone broke a cap together)."""
    from scheduler.solver.solve import extract_roster

    roster = _each_reader(inst, start, deadline, seed, workers, stop)
    if roster is None:  # a reader cannot meet their minimum even alone: no roster can
        return None
    report = check(inst, roster)
    if not report.violations:
        return roster
    if not applies(report):  # readers planned alone broke a staffing cap together: start over
        roster = start
    if time.perf_counter() >= deadline or (stop is not None and stop.is_set()):
        return None
    built, _shorts = elastic_model(inst)
    solver = lns.complete(built, roster, deadline=deadline)
    if solver is None:
        return None
    done = threading.Event()

    def relay() -> None:  # the caller's stop ends this stage too
        while not done.wait(0.05):
            if stop is not None and stop.is_set():
                done.set()

    watcher = threading.Thread(target=relay, name="elastic-stop", daemon=True)
    watcher.start()
    try:
        result = lns.improve(built, solver, deadline=deadline, seed=seed, stop=done, workers=workers,
                             on_improve=lambda objective: done.set() if objective == 0 else None,
                             parameters=SUB_PARAMETERS)
    finally:
        done.set()
        watcher.join()
    if result.solver is None or result.objective != 0:
        return None
    return extract_roster(built, result.solver)


def _each_reader(inst: Instance, start: Roster, deadline: float, seed: int, workers: int,
                 stop: threading.Event | None) -> Roster | None:
    """`start` with each reader short of their minimum hours re-planned alone until they meet it,
    hinted with their shifts in `start`. Readers whose model runs out of time are tried again with
    twice the time and another seed, until the deadline; those left keep their shifts. None when a
    reader is proven unable to meet their minimum even alone (then no valid roster exists)."""
    from scheduler.solver.solve import extract_roster

    mine: dict[str, list] = {}
    for a in start.assignments:
        mine.setdefault(a.reader, []).append(a)
    short = sorted({v.reader for v in check(inst, start).violations if v.rule == hours.TOTAL and v.reader})
    scenario = inst.scenario

    def replan(rid: str, limit: float, attempt: int) -> list | None:
        limit = min(limit, deadline - time.perf_counter())
        if limit <= 0.05 or (stop is not None and stop.is_set()):
            return None
        alone = reader_instance(inst, scenario.radiologist_by_id[rid])
        built, shorts = elastic_model(alone)
        worked = {(a.shift_type, a.date) for a in mine.get(rid, [])}
        for (_r, i), x in built.vars.x.items():  # the start's shifts as a hint: kept where they fit
            s = alone.shifts[i]
            built.model.add_hint(x, (s.type_id, s.date) in worked)
        # a portfolio: one reader's year is a tight packing of hours that some strategies solve at once
        solver = new_solver(limit, PORTFOLIO, seed + attempt)
        status = solver.solve(built.model)
        if status == cp_model.INFEASIBLE or (status == cp_model.OPTIMAL and any(solver.value(x) for x in shorts)):
            return IMPOSSIBLE  # proven: even alone, the reader's other rules leave their minimum out of reach
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or any(solver.value(x) for x in shorts):
            return None
        return list(extract_roster(built, solver).assignments)

    lanes = max(1, int(workers))
    limit, attempt = READER_S, 0
    with ThreadPoolExecutor(max_workers=lanes, thread_name_prefix="elastic") as pool:
        while short and time.perf_counter() < deadline and not (stop is not None and stop.is_set()):
            results = list(pool.map(replan, short, [limit] * len(short), [attempt] * len(short)))
            if any(assignments is IMPOSSIBLE for assignments in results):
                return None
            for rid, assignments in zip(short, results, strict=True):
                if assignments is not None:
                    mine[rid] = assignments
            short = [rid for rid, assignments in zip(short, results, strict=True) if assignments is None]
            limit, attempt = limit * 2, attempt + 1
    return Roster(assignments=tuple(a for lst in mine.values() for a in lst)).sorted()
