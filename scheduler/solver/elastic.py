"""A first roster that keeps every hard rule when minimum hours make one hard to find.

A rule set's `min_total_hours` makes an empty roster invalid, and on long horizons (the 364-day
Curtois instances: 50-150 staff, 1,800 h each) CP-SAT's own first dive finds no valid roster in
minutes. The greedy roster keeps every other rule but leaves readers short of their minimum.
Here the minimum is made elastic: `total + short >= minimum`, every other rule (maximum hours
included) hard, needs soft and the objective the total shortfall in minutes. The greedy roster
is a solution of that model as it is; the large-neighbourhood search (scheduler.solver.lns) then
drives the shortfall down, reader by reader and week by week, and stops at zero: a roster of the
real model, handed to the main search as its start and fallback.
"""

from __future__ import annotations

import threading

from scheduler.instance import Instance
from scheduler.result import CheckReport, Roster
from scheduler.rules import hours
from scheduler.solver import lns
from scheduler.solver.model import BuiltModel, build_model

RULES = (hours.TOTAL,)  # the rules whose violations this stage can repair


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
    rule), or None when the deadline comes first."""
    from scheduler.solver.solve import extract_roster

    built, shorts = elastic_model(inst)
    solver = lns.complete(built, start, deadline=deadline)
    if solver is None:
        return None
    if solver.objective_value == 0:
        return start
    done = threading.Event()

    def relay() -> None:  # the caller's stop ends this stage too
        while not done.wait(0.05):
            if stop is not None and stop.is_set():
                done.set()

    watcher = threading.Thread(target=relay, name="elastic-stop", daemon=True)
    watcher.start()
    try:
        result = lns.improve(built, solver, deadline=deadline, seed=seed, stop=done, workers=workers,
                             on_improve=lambda objective: done.set() if objective == 0 else None)
    finally:
        done.set()
        watcher.join()
    if result.solver is None or result.objective != 0:
        return None
    return extract_roster(built, result.solver)
