"""Decomposed solve for national-scale scenarios: who works which shift, then which sites each covers.

Only coverage, studies capacity, the staffing cap, over-staffing and continuity look at the sites
a reader covers; every other rule and term (rest, runs, nights, hours, weekends, requests,
fairness, workload, reader-shifts) looks only at who works which shift. So:

1. The **master** model has one Boolean per eligible (reader, shift) and every reader-level rule
   and term, exactly as the full model has them. The site variables are replaced by conditions
   every covering roster meets (`add_coverage_conditions`): per need, enough working readers able
   to take it; per shift and per jurisdiction, enough reading capacity for the studies. It is a
   relaxation of the full model, and the site-only terms are never negative, so its bound is a
   bound of the whole problem.
2. Per shift, in time order, a small **site assignment** model places the sites on that shift's
   working readers within their capacity (`assign_sites`), charging continuity against the
   previous night's assignment, already fixed.
3. If a shift's working readers cannot cover its sites (proven by an assumption core over the
   sites), a cut asks the master for one more reader eligible for those sites, and the master is
   solved again from its last roster.

The roster is then checked by the independent checker; the result is the better of it and the
given roster (when that one breaks no rule). The naive model has a Boolean per reader x site x
shift; the master has one per reader x shift, and each site assignment only the working readers'.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.instance import Demand, Instance
from scheduler.result import Assignment, CheckReport, Progress, Roster, SolveResult
from scheduler.rules.coverage import shortfalls
from scheduler.solver import lns
from scheduler.solver.locks import mark_locked
from scheduler.solver.model import BuiltModel, build_model
from scheduler.solver.params import new_solver

# Above this many reader x site x shift triples `solve(method="auto")` decomposes. Below, the one
# model is small enough to search whole and prove; from the French example up (10k triples) the
# decomposed solve with its LNS finds better rosters in the same time (10 s, seeds 0 and 1: French
# example 213,590-214,050 against 254,810-258,000; US example 891,390-922,100 against 1,087,210;
# tier S 314,770-324,510 against 385,020-399,520)
AUTO_TRIPLES = 2_000
MIN_ASSIGN_S = 0.5  # least time for one shift's site assignment
# the master's CP-SAT search gets at least LNS_MAIN_SHARE of its time, then hands over to the LNS
# once it has not improved for LNS_PATIENCE of it, and by LNS_MAIN_MAX at the latest
LNS_MAIN_SHARE, LNS_MAIN_MAX, LNS_PATIENCE = 0.15, 0.5, 0.05
CHECK_RESERVE_S = 0.02  # time kept for checking the roster, per shift (at most 5% of the limit)
# time kept for the site assignments and the repair after the master: per shift and per reader x
# site x shift triple, at most a third of the limit (measured: tier S 0.3 s for 13k triples over 40
# shifts, the US example 0.5 s for 16k triples over 180 shifts, tier M 4.9 s for 417k triples; a
# fixed 0.55 s per shift kept 40 s of M's 120 s idle).
# After a round, twice what its site phase took (plus ASSIGN_RESERVE_S) is kept for the next.
ASSIGN_RESERVE_S, ASSIGN_RESERVE_PER_SHIFT_S, ASSIGN_RESERVE_PER_TRIPLE_S = 0.25, 0.005, 30e-6


def triples(inst: Instance) -> int:
    """The naive formulation's site variables: one per eligible reader x site x shift instance."""
    return sum(len(sites) for sites in inst.eligible.values())


@dataclass
class ShiftPlan:
    """One shift's site assignment: the sites each working reader covers, and what stays short."""

    covers: dict[str, tuple[str, ...]]
    short: dict[str, int]  # site -> readers missing
    proven: bool  # the assignment model was solved to optimality
    core: tuple[str, ...] = ()  # sites its readers provably cannot all cover together


@dataclass
class DecomposeStats:
    rounds: int = 0
    cuts: int = 0
    master_s: float = 0.0
    assign_s: float = 0.0
    master_variables: int = 0
    master_status: str = ""
    hint_complete: bool = False
    repaired: int = 0
    lns_iterations: int = 0
    repair_s: float = 0.0
    notes: list[str] = field(default_factory=list)


# ---- the master ----------------------------------------------------------------------------------
def _capacities(inst: Instance) -> dict[tuple[str, int], int]:
    by_id = inst.scenario.radiologist_by_id
    return {(rid, i): inst.capacity(by_id[rid], inst.shifts[i]) for rid, i in inst.eligible}


def add_coverage_conditions(built: BuiltModel, hard: bool) -> object:
    """Conditions on who works that every covering roster meets; returns the shortfall expression.

    Per need: working readers able to take its load (eligible, capacity at least its per-reader
    studies) number at least the readers it asks for, per subspecialty too. With `hard` the needs
    must be met and, per shift and per jurisdiction, the capacity of the working readers (each
    counted up to the studies of the sites they may take) must reach the studies to place.
    Otherwise each missing reader is a shortfall weighted by the need's priority, a lower bound of
    the `uncovered` term.
    """
    v, m, inst = built.vars, built.model, built.vars.inst
    by_id = inst.scenario.radiologist_by_id
    cap = _capacities(inst)
    readers = inst.eligible_readers
    loads = inst.loads
    shortfall = []
    for (site, i), demand in inst.demands.items():
        load = loads[(site, i)]
        able = [r for r in readers.get((site, i), ()) if cap[(r, i)] >= load]
        count = cp_model.LinearExpr.sum([v.x[(r, i)] for r in able])
        subs = []
        for sub, need in demand.required_by_subspecialty.items():
            with_sub = cp_model.LinearExpr.sum([v.x[(r, i)] for r in able if sub in by_id[r].subspecialties])
            if hard:
                m.add(with_sub >= need)
            else:
                u = m.new_int_var(0, need, f"mshort:{site}:{i}:{sub}")
                m.add(u >= need - with_sub)
                subs.append(u)
        if hard:
            m.add(count >= demand.required)
        else:
            u_any = m.new_int_var(0, demand.required, f"mshort:{site}:{i}")
            m.add(u_any >= demand.required - count - sum(subs))
            shortfall.append(demand.priority * (u_any + sum(subs)))
    if hard:
        _add_capacity_conditions(built, cap)
    return sum(shortfall)


def _add_capacity_conditions(built: BuiltModel, cap: dict[tuple[str, int], int]) -> None:
    v, m, inst = built.vars, built.model, built.vars.inst
    jurisdiction = {s.id: s.jurisdiction for s in inst.scenario.sites}
    loads = inst.loads
    to_place: dict[tuple[int, str | None], int] = {}
    for (site, i), demand in inst.demands.items():
        for group in (None, jurisdiction[site]):
            to_place[(i, group)] = to_place.get((i, group), 0) + loads[(site, i)] * demand.required
    # per (shift, group): reader literal and the studies it can take there (capped by its capacity)
    takes: dict[tuple[int, str | None], list[tuple[object, int]]] = {}
    for (rid, i), sites in inst.eligible.items():
        per_group: dict[str | None, int] = {}
        total = 0
        for site in sites:
            load = loads[(site, i)]
            total += load
            per_group[jurisdiction[site]] = per_group.get(jurisdiction[site], 0) + load
        per_group[None] = total
        for group, load in per_group.items():
            if load:
                takes.setdefault((i, group), []).append((v.x[(rid, i)], min(cap[(rid, i)], load)))
    groups_of_shift: dict[int, int] = {}
    for i, _group in to_place:
        groups_of_shift[i] = groups_of_shift.get(i, 0) + 1
    for (i, group), needed in to_place.items():
        if not needed or (group is not None and groups_of_shift[i] == 2):
            continue  # nothing to place, or one jurisdiction: the same condition as the shift's
        pairs = takes.get((i, group), [])
        m.add(cp_model.LinearExpr.weighted_sum([x for x, _ in pairs], [c for _, c in pairs]) >= needed)


def build_master(inst: Instance, hard: bool) -> tuple[BuiltModel, object]:
    """The reader-level model plus coverage conditions; returns it and its shortfall expression."""
    built = build_model(inst, soft_needs=frozenset() if hard else None, sites=False)
    shortfall = add_coverage_conditions(built, hard)
    if not hard:
        built.terms["uncovered"] = shortfall
    weights = inst.scenario.objective
    built.model.minimize(sum(getattr(weights, name) * expr for name, expr in built.terms.items()))
    return built, shortfall


# ---- one shift's site assignment ------------------------------------------------------------------
def assign_sites(
    inst: Instance,
    i: int,
    working: list[str],
    *,
    previous: dict[str, set[str]] | None = None,
    locked: dict[str, tuple[str, ...]] | None = None,
    hint: dict[str, tuple[str, ...]] | None = None,
    time_limit: float = 5.0,
    workers: int = 1,
    seed: int = 0,
) -> ShiftPlan:
    """Place shift `i`'s sites on its `working` readers within their studies capacity.

    Minimises, in this order of weight: readers missing (by need priority), working readers left
    with no site, continuity changes against `previous` (site -> readers who covered it the night
    before), over-staffing. `locked` sites (reader -> sites) are imposed; `hint` (reader -> sites,
    e.g. the given roster's) starts the search. When readers are missing,
    an assumption core names sites that these readers provably cannot all cover together.
    """
    weights = inst.scenario.objective
    by_id = inst.scenario.radiologist_by_id
    on = {(rid, site) for rid, sites in (hint or {}).items() if rid in working for site in sites}
    m = cp_model.CpModel()
    y: dict[tuple[str, str], cp_model.IntVar] = {}
    mine: dict[str, list[str]] = {rid: [] for rid in working}
    by_site: dict[str, list[str]] = {}
    for rid in working:
        for site in inst.eligible.get((rid, i), ()):
            y[(rid, site)] = var = m.new_bool_var(f"y:{rid}:{site}")
            m.add_hint(var, (rid, site) in on)
            mine[rid].append(site)
            by_site.setdefault(site, []).append(rid)

    def aux(lo: int, hi: int, name: str, hinted: int) -> cp_model.IntVar:
        # every auxiliary gets its hinted value too: CP-SAT takes a complete feasible hint at once
        var = m.new_int_var(lo, hi, name)
        m.add_hint(var, max(lo, min(hi, hinted)))
        return var

    big = max(1, weights.uncovered) * 1000
    objective = []
    full: dict[str, cp_model.IntVar] = {}  # site -> literal: this need met in full
    for demand in inst.demands_by_shift[i]:
        site = demand.site
        rids = by_site.get(site, [])
        count = cp_model.LinearExpr.sum([y[(r, site)] for r in rids])
        n_on = sum(1 for r in rids if (r, site) in on)
        if len(rids) > demand.max_readers:
            m.add(count <= demand.max_readers)
        subs, short_hint = [], 0
        for sub, need in demand.required_by_subspecialty.items():
            with_sub = [r for r in rids if sub in by_id[r].subspecialties]
            missing = max(0, need - sum(1 for r in with_sub if (r, site) in on))
            u = aux(0, need, f"short:{site}:{sub}", missing)
            m.add(u >= need - cp_model.LinearExpr.sum([y[(r, site)] for r in with_sub]))
            subs.append(u)
            short_hint += missing
        rest = max(0, demand.required - n_on - short_hint)
        u_any = aux(0, demand.required, f"short:{site}", rest)
        m.add(u_any >= demand.required - count - sum(subs))
        lit = full[site] = m.new_bool_var(f"full:{site}")
        m.add_hint(lit, short_hint + rest == 0)
        m.add(u_any + sum(subs) == 0).only_enforce_if(lit)
        objective.append(big * demand.priority * (u_any + sum(subs)))
        if demand.max_readers > demand.required and len(rids) > demand.required:
            over = aux(0, len(rids), f"over:{site}", n_on - demand.required)
            m.add(over >= count - demand.required)
            objective.append(weights.overstaffing * demand.over_weight * over)
        before = (previous or {}).get(site)
        if before:
            kept = [r for r in rids if r in before]
            changes = aux(0, demand.required, f"changes:{site}",
                          demand.required - sum(1 for r in kept if (r, site) in on))
            m.add(changes >= demand.required - cp_model.LinearExpr.sum([y[(r, site)] for r in kept]))
            objective.append(weights.continuity * changes)
    shift = inst.shifts[i]
    for rid in working:
        sites = mine[rid]
        load = [inst.loads[(site, i)] for site in sites]
        cap = inst.capacity(by_id[rid], shift)
        if sum(load) > cap:
            m.add(cp_model.LinearExpr.weighted_sum([y[(rid, site)] for site in sites], load) <= cap)
        idle = m.new_bool_var(f"idle:{rid}")
        m.add_hint(idle, not any((rid, site) in on for site in sites))
        m.add(cp_model.LinearExpr.sum([y[(rid, site)] for site in sites]) + idle >= 1)
        objective.append(big // 10 * idle)
        for site in (locked or {}).get(rid, ()):
            if (rid, site) in y:
                m.add(y[(rid, site)] == 1)
    m.minimize(sum(objective))
    solver = new_solver(time_limit, workers, seed)
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # no assignment in time: the hint's, for the readers it shares with this shift (it comes
        # from a roster that keeps every rule, so it fits their capacity); the rest stays short
        covers = {rid: [site for site in sites if (rid, site) in y] for rid, sites in (hint or {}).items()
                  if rid in mine}
        for rid, sites in (locked or {}).items():
            covers[rid] = sorted(set(covers.get(rid, [])) | {site for site in sites if (rid, site) in y})
        covers = {rid: sites for rid, sites in covers.items() if sites}
        status = cp_model.UNKNOWN
    else:
        covers = {}
        for (rid, site), var in y.items():
            if solver.boolean_value(var):
                covers.setdefault(rid, []).append(site)
    short = {site: missing for site in full
             if (missing := _missing(inst, inst.demands[(site, i)], covers))}
    plan = ShiftPlan({r: tuple(sorted(s)) for r, s in covers.items()}, short, status == cp_model.OPTIMAL)
    if short and plan.proven:  # the least shortfall is proven above zero: name the sites at fault
        plan.core = _core(m, full, time_limit, workers, seed)
    return plan


def _missing(inst: Instance, demand: Demand, covers: dict[str, list[str]]) -> int:
    readers = [r for r, sites in covers.items() if demand.site in sites]
    subs, rest = shortfalls(inst, demand, readers)
    return sum(subs.values()) + rest


def _core(m: cp_model.CpModel, full: dict[str, cp_model.IntVar], time_limit: float, workers: int,
          seed: int) -> tuple[str, ...]:
    """Sites whose needs cannot all be met together by these readers (empty if not proven)."""
    m.clear_objective()
    m.clear_assumptions()
    m.add_assumptions(list(full.values()))
    solver = new_solver(time_limit, workers, seed)
    if solver.solve(m) != cp_model.INFEASIBLE:
        return ()
    by_index = {lit.index: site for site, lit in full.items()}
    return tuple(sorted(by_index[k] for k in solver.sufficient_assumptions_for_infeasibility() if k in by_index))


def repair(inst: Instance, roster: Roster, uncovered: list, deadline: float | None = None) -> tuple[Roster, int]:
    """Cover what the site assignments left short: for each missing reader, call in the cheapest
    eligible reader who breaks no rule by taking it (the ranking of scheduler.replan.candidates),
    or add the site to a reader already working that shift, capacity permitting. Stops at
    `deadline` (a perf_counter instant), leaving the rest short."""
    from scheduler.replan.candidates import open_shift, rank

    by_id = inst.scenario.radiologist_by_id
    readers = inst.eligible_readers
    added = 0
    for u in uncovered:
        if deadline is not None and time.perf_counter() >= deadline:
            break
        i = inst.shift_by_key[(u.shift_type, u.date)].index
        pool = {r for r in readers.get((u.site, i), [])
                if u.subspecialty is None or u.subspecialty in by_id[r].subspecialties}
        for _ in range(u.missing):
            ranked = rank(open_shift(inst, roster, u.site, u.shift_type, u.date), only=pool)
            pick = next((c for c in ranked if c.ok and c.cost < 0), None)  # cheaper than the gap left
            if pick is None:
                break
            key = (pick.reader, u.shift_type, u.date)
            kept = tuple(a for a in roster.assignments if (a.reader, a.shift_type, a.date) != key)
            locked = any(a.locked for a in roster.assignments if (a.reader, a.shift_type, a.date) == key)
            new = Assignment(reader=pick.reader, shift_type=u.shift_type, date=u.date,
                             sites=tuple(sorted(pick.sites)), locked=locked)
            roster = Roster(assignments=(*kept, new)).sorted()
            pool.discard(pick.reader)
            added += 1
    return roster, added


# ---- the loop ------------------------------------------------------------------------------------
def _working(built: BuiltModel, solver: cp_model.CpSolver) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for (rid, i), var in built.vars.x.items():
        if solver.boolean_value(var):
            out.setdefault(i, []).append(rid)
    return out


def _hint_master(built: BuiltModel, on: set[tuple[str, int]], complete_within: float = 0.0) -> bool:
    """Hint who works (`on`); with `complete_within` seconds, complete the hint to every variable.

    CP-SAT takes a complete, feasible hint as its first solution at once; a partial one (the
    fairness and workload variables unset) it may fail to complete on a large model. Completing it
    is a solve with every reader-shift fixed, which presolve settles. Returns whether it was.
    """
    model = built.model
    model.clear_hints()
    if complete_within > 0:
        fixed = model.clone()
        for key, var in built.vars.x.items():
            fixed.add(fixed.get_bool_var_from_proto_index(var.index) == (key in on))
        solver = new_solver(complete_within, 2, 0)
        if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            for k in range(len(model.proto.variables)):
                var = model.get_int_var_from_proto_index(k)
                model.add_hint(var, solver.value(var))
            return True
    for key, var in built.vars.x.items():
        model.add_hint(var, key in on)
    return False


def plan_sites(
    inst: Instance,
    working: dict[int, list[str]],
    locked: tuple[Assignment, ...],
    deadline: float,
    workers: int,
    seed: int,
    hint: Roster | None = None,
) -> tuple[Roster, dict[int, ShiftPlan]]:
    """Assign every shift's sites in time order; continuity is charged against the night before.

    Each shift gets an equal share of the time left (at least MIN_ASSIGN_S); `hint`'s sites for
    the readers it shares with a shift start that shift's search."""
    hinted: dict[int, dict[str, tuple[str, ...]]] = {}
    for a in hint.assignments if hint is not None else ():
        shift = inst.shift_by_key.get((a.shift_type, a.date))
        if shift is not None:
            hinted.setdefault(shift.index, {})[a.reader] = tuple(a.sites)
    locked_sites: dict[tuple[str, int], tuple[str, ...]] = {}
    for a in locked:
        locked_sites[(a.reader, inst.shift_by_key[(a.shift_type, a.date)].index)] = tuple(a.sites)
    plans: dict[int, ShiftPlan] = {}
    assignments = []
    order = sorted(working, key=lambda k: (inst.shifts[k].start, k))
    for n, i in enumerate(order):
        shift = inst.shifts[i]
        previous = None
        if shift.is_night:
            prev = inst.shift_by_key.get((shift.type_id, shift.date - dt.timedelta(days=1)))
            if prev is not None and prev.index in plans:
                previous = {}
                for rid, sites in plans[prev.index].covers.items():
                    for site in sites:
                        previous.setdefault(site, set()).add(rid)
        left = max(MIN_ASSIGN_S, (deadline - time.perf_counter()) / max(1, len(order) - n))
        plan = assign_sites(
            inst, i, working[i], previous=previous,
            locked={r: s for (r, j), s in locked_sites.items() if j == i}, hint=hinted.get(i),
            time_limit=min(10.0, left), workers=workers, seed=seed,
        )
        plans[i] = plan
        for rid, sites in plan.covers.items():
            assignments.append(Assignment(reader=rid, shift_type=shift.type_id, date=shift.date, sites=sites))
    return Roster(assignments=tuple(assignments)).sorted(), plans


def solve_decomposed(
    inst: Instance,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    initial: Roster | None,
    locked: tuple[Assignment, ...],
    on_progress: Callable[[Progress], None] | None,
    stop: threading.Event | None,
    log: bool,
    started: float,
    initial_report: CheckReport | None = None,
) -> SolveResult:
    """Solve `inst` by the master / site-assignment decomposition (see the module docstring).

    `initial_report`, the checker's report on `initial` when the caller has it (the greedy
    roster's), saves checking it again."""
    from scheduler.solver.solve import _Progress, _status_name, _Stopper

    t0 = time.perf_counter()
    # the final check and the choice of roster come after the deadline: keep their time
    deadline = started + time_limit - min(0.05 * time_limit, 1.0 + CHECK_RESERVE_S * len(inst.shifts))
    if initial is not None and initial_report is None:
        initial_report = check(inst, initial)
    initial_ok = initial_report is not None and not initial_report.violations
    # needs are met in full, unless the master proves it impossible: then it is rebuilt with
    # shortfalls traded by weight
    hard = True
    hint = {(a.reader, inst.shift_by_key[(a.shift_type, a.date)].index)
            for a in (initial.assignments if initial is not None else ())
            if (a.shift_type, a.date) in inst.shift_by_key}

    def master(hard: bool) -> BuiltModel:
        built, _ = build_master(inst, hard)
        for a in locked:
            built.model.add(built.vars.x[(a.reader, inst.shift_by_key[(a.shift_type, a.date)].index)] == 1)
        stats.hint_complete = _hint_master(built, hint & set(built.vars.x),
                                           complete_within=max(1.0, 0.2 * time_limit) if hint else 0.0)
        return built

    stats = DecomposeStats()
    built = master(hard)
    stats.master_variables = len(built.model.proto.variables)
    t_build = time.perf_counter()
    reserve = min(time_limit / 3, ASSIGN_RESERVE_S + ASSIGN_RESERVE_PER_SHIFT_S * len(inst.shifts)
                  + ASSIGN_RESERVE_PER_TRIPLE_S * triples(inst))
    progress = _Progress(started, on_progress)
    stopper = _Stopper(stop)
    best: tuple[Roster, object] | None = None
    bound: float | None = None
    status_name = "UNKNOWN"
    def improved(objective: int) -> None:  # the LNS's master objectives, on the progress chart
        progress.objective = objective
        progress._push()

    try:
        while True:
            stats.rounds += 1
            master_limit = max(0.5, deadline - reserve - time.perf_counter())
            solver = new_solver(master_limit, workers, seed, log)
            solver.best_bound_callback = progress.on_bound
            t_m = time.perf_counter()
            # CP-SAT's own search until it stalls, then large-neighbourhood search with the LP in its
            # sub-solves (tier S, 10 s: 314,770-324,510 against 385,020-399,520 for CP-SAT alone;
            # the bound stays CP-SAT's, slightly lower for its shorter search). The handover waits for
            # this round's own first roster: an earlier round's is not a solution of the master with
            # its new cuts, and stopping without one ends the rounds.
            found_before = progress.solutions
            handover = lns.Handover(solver, t_m + master_limit * LNS_MAIN_SHARE, t_m + master_limit * LNS_MAIN_MAX,
                                    master_limit * LNS_PATIENCE,
                                    lambda n=found_before: progress.objective if progress.solutions > n else None,
                                    False)
            status = stopper.run(solver, built.model, progress)
            handover.close()
            values = solver
            if (status == cp_model.FEASIBLE and not stopper.stopped
                    and t_m + master_limit - time.perf_counter() > 1):
                out = lns.improve(built, solver, deadline=t_m + master_limit, seed=seed, stop=stop, workers=workers,
                                  on_improve=improved)
                stats.lns_iterations += out.iterations
                if out.solver is not None and out.objective < out.start_objective:
                    values = out.solver
            stats.master_s += time.perf_counter() - t_m
            stats.master_status = _status_name(status)
            if status == cp_model.INFEASIBLE and hard:
                # no roster meets every need (the cuts are proofs): trade shortfalls by weight instead
                stats.notes.append("the needs cannot all be met in full: shortfalls traded by weight")
                hard, bound = False, None
                built = master(False)
                continue
            if status == cp_model.INFEASIBLE:
                status_name = "INFEASIBLE"
                stats.notes.append("the reader-level rules and coverage conditions cannot all hold")
                break
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                stats.notes.append(f"master found no roster in {master_limit:.1f} s")
                break
            bound = float(solver.best_objective_bound) if bound is None else max(bound, solver.best_objective_bound)
            working = _working(built, values)
            t_a = time.perf_counter()
            roster, plans = plan_sites(inst, working, locked, max(time.perf_counter() + 1.0, deadline),
                                       workers, seed, hint=best[0] if best is not None else initial)
            stats.assign_s += time.perf_counter() - t_a
            report = check(inst, roster)
            if report.uncovered and not report.violations:
                t_r = time.perf_counter()
                roster, called = repair(inst, roster, report.uncovered, deadline)
                stats.repaired += called
                stats.repair_s += time.perf_counter() - t_r
                report = check(inst, roster)
            if not report.violations and (best is None or report.objective < best[1].objective):
                best = (roster, report)
            reserve = min(reserve, ASSIGN_RESERVE_S + 2 * (time.perf_counter() - t_a))
            cuts = 0
            if hard:
                for i, plan in plans.items():
                    if plan.short and plan.core:
                        sites = set(plan.core)
                        helpers = [var for (rid, j), var in built.vars.x.items()
                                   if j == i and rid not in working[i] and sites & set(inst.eligible[(rid, j)])]
                        built.model.add(sum(helpers) >= 1)
                        cuts += 1
            stats.cuts += cuts
            if not cuts or stopper.stopped or time.perf_counter() >= deadline - 1.0:
                break
            _hint_master(built, {(rid, i) for i, rids in working.items() for rid in rids})
    finally:
        stopper.close()
    # the given roster stays the answer when it is valid and no better roster was found
    if initial_ok and (best is None or initial_report.objective <= best[1].objective):
        best = (initial, initial_report)
    t_end = time.perf_counter()
    if hard and best is not None and best[1].uncovered:
        bound = None  # the master's bound holds for rosters that meet every need, and none was found
    if best is None:
        roster, report = Roster(), None
        status_name = status_name if status_name == "INFEASIBLE" else "UNKNOWN"
        objective = None
    else:
        roster, report = best
        roster = mark_locked(roster, locked)
        objective = report.objective
        status_name = "OPTIMAL" if bound is not None and objective <= bound else "FEASIBLE"
        if status_name == "OPTIMAL":
            bound = float(objective)  # CP-SAT's float bound may pass the integer optimum by a rounding error
    terms = dict(report.terms) if report else {}
    weights = inst.scenario.objective
    return SolveResult(
        status=status_name,
        roster=roster,
        objective=objective,
        bound=None if objective is None else bound,
        terms=terms,
        weighted={name: value * getattr(weights, name) for name, value in terms.items()},
        check=report,
        timings={
            "instance_s": t0 - started,
            "probe_s": 0.0,
            "build_s": t_build - t0,
            "solve_s": stats.master_s + stats.assign_s,
            "check_s": max(0.0, t_end - t_build - stats.master_s - stats.assign_s),
            "wall_s": time.perf_counter() - started,
        },
        stats={
            "method": "decomposed",
            "variables": stats.master_variables,
            "constraints": len(built.model.proto.constraints),
            "naive_booleans": triples(inst) + len(inst.eligible),
            "workers": workers,
            "seed": seed,
            "probe_status": "SKIPPED",
            "needs": len(inst.demands),
            "soft_needs": 0 if hard else len(inst.demands),
            "stopped": stopper.stopped,
            "master_status": stats.master_status,
            "rounds": stats.rounds,
            "cuts": stats.cuts,
            "hint_complete": stats.hint_complete,
            "repaired": stats.repaired,
            "lns_iterations": stats.lns_iterations,
            "repair_s": round(stats.repair_s, 3),
            "master_s": round(stats.master_s, 3),
            "assign_s": round(stats.assign_s, 3),
            "notes": stats.notes,
            "from_initial": best is not None and best[0] is initial,
        },
        progress=list(progress.points),
    )


def use_decomposition(method: str, inst: Instance) -> bool:
    """`method`: "full" (one model), "decomposed", or "auto" (decomposed above AUTO_TRIPLES triples)."""
    if method not in ("auto", "full", "decomposed"):
        raise ValueError(f"method must be auto, full or decomposed (got {method!r})")
    return method == "decomposed" or (method == "auto" and triples(inst) > AUTO_TRIPLES)
