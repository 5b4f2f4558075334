"""How re-planning finds the fewest changes and proves it: windows, relaxations, the lower bound.

Used by scheduler.replan.replan (read its docstring first for what counts as a change and what is
fixed). The whole CP-SAT model of a month is too big to prove a minimum in seconds, but a change
disturbs only a few shifts: those where a published assignment cannot stay, or a need lost
readers. So the search frees a *window* of shifts around them and proves optimality with a
*relaxation* of the whole problem on the same window (see WindowSearch); when the best roster of
the window meets the relaxation's bound it is optimal for the whole month. Otherwise the window
grows (RADII days around the disturbed shifts), and last comes the whole model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from scheduler.errors import InputError, Issue
from scheduler.instance import Instance, make_shift
from scheduler.result import Assignment, Roster
from scheduler.rules import (
    HARD,
    capacity,
    consecutive,
    coverage,
    eligibility,
    hours,
    nights,
    one_shift_per_day,
    rest,
    shift_limits,
    successions,
    weekends,
)
from scheduler.rules.coverage import shortfalls
from scheduler.scenario import Radiologist
from scheduler.solver.locks import LockError, lock_problems
from scheduler.solver.model import BuiltModel
from scheduler.solver.params import new_solver

SOURCE = "re-plan"


# ---- what is fixed, what may change --------------------------------------------------------------
@dataclass
class Plan:
    """The published roster sorted against the changed scenario and `now`."""

    inst: Instance  # the changed scenario's
    model_inst: Instance  # the same, with past assignments it no longer allows made representable
    now: dt.datetime
    near_end: dt.datetime
    near_weight: int
    past: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)  # kept in the model
    constants: list[Assignment] = field(default_factory=list)  # past, kept outside the model
    locked: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)  # future locked
    open: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)  # future, may change
    forced: dict[tuple[str, str, dt.date], int] = field(default_factory=dict)  # must change: weight
    past_shifts: set[int] = field(default_factory=set)  # indices of shifts starting before now
    notes: list[str] = field(default_factory=list)

    def is_near(self, start: dt.datetime) -> bool:
        return self.now <= start < self.near_end

    def weight_of(self, start: dt.datetime) -> int:
        return self.near_weight if self.is_near(start) else 1


def aware_utc(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime (UTC inside); got a naive one")
    return now.astimezone(dt.UTC)


def make_plan(inst: Instance, published: Roster, now: dt.datetime, near_hours: float, near_weight: int) -> Plan:
    scen = inst.scenario
    issues = []
    for k, a in enumerate(published.assignments):
        if a.reader not in scen.radiologist_by_id:
            issues.append(Issue(f"published.assignments[{k}].reader",
                                f"reader {a.reader!r} is not in the changed scenario; re-planning keeps the readers"))
        elif a.shift_type not in scen.shift_type_by_id:
            issues.append(Issue(f"published.assignments[{k}].shift_type",
                                f"shift type {a.shift_type!r} is not in the changed scenario"))
    if issues:
        raise InputError(issues, SOURCE)

    plan = Plan(inst, inst, now, now + dt.timedelta(hours=near_hours), near_weight)
    plan.past_shifts = {s.index for s in inst.shifts if s.start < now}
    patched: dict[tuple[str, int], tuple[str, ...]] = {}
    locked: list[Assignment] = []
    for a in published.assignments:
        shift = inst.shift_by_key.get((a.shift_type, a.date))
        start = shift.start if shift else unneeded_start(inst, a.shift_type, a.date)
        sites = tuple(sorted(a.sites))
        if start < now:
            eligible = set(inst.eligible.get((a.reader, shift.index), ())) if shift else set()
            missing = [s for s in sites if s not in eligible]
            if shift is not None and all((s, shift.index) in inst.demands for s in missing):
                plan.past[(a.reader, shift.index)] = sites
                if missing:
                    patched[(a.reader, shift.index)] = tuple(sorted(eligible | set(missing)))
                    plan.notes.append(past_words(inst, a, shift, missing))
            else:
                plan.constants.append(a)
                plan.notes.append(f"{inst.reader_name(a.reader)}'s {inst.shift_words(a.shift_type, a.date, sites)} "
                                  "started before now and is kept as published, though the changed scenario has no "
                                  "such need any more")
        elif a.locked:
            locked.append(a)
        else:
            eligible = set(inst.eligible.get((a.reader, shift.index), ())) if shift else set()
            if shift is None or not set(sites) <= eligible:
                plan.forced[(a.reader, a.shift_type, a.date)] = plan.weight_of(start)
            if shift is not None:
                plan.open[(a.reader, shift.index)] = sites
    problems = lock_problems(inst, locked)
    if problems:
        raise LockError([f"{p}; unlock it to re-plan around it" for p in problems])
    for a in locked:
        plan.locked[(a.reader, inst.shift_by_key[(a.shift_type, a.date)].index)] = tuple(sorted(a.sites))
    if patched:
        model_inst = dataclasses.replace(inst)
        model_inst.__dict__["eligible"] = {**inst.eligible, **patched}
        plan.model_inst = model_inst
    return plan


def unneeded_start(inst: Instance, shift_type: str, day: dt.date) -> dt.datetime:
    """The UTC start of a shift instance no site needs any more."""
    scen = inst.scenario
    return make_shift(scen, scen.shift_type_by_id[shift_type], day, -1, inst.planning_holidays).start


def changed_shifts(plan: Plan, old: Roster, new: Roster) -> list[tuple[str, str, dt.date, tuple, tuple, dt.datetime]]:
    """Every reader-shift whose sites differ between the two rosters: (reader, shift type, date,
    sites before, sites after, UTC start); a reader-shift one of them lacks has no sites there."""
    before = {(a.reader, a.shift_type, a.date): tuple(sorted(a.sites)) for a in old.assignments}
    after = {(a.reader, a.shift_type, a.date): tuple(sorted(a.sites)) for a in new.assignments}
    out = []
    for key in set(before) | set(after):
        b, a = before.get(key, ()), after.get(key, ())
        if a != b:
            reader, shift_type, day = key
            shift = plan.inst.shift_by_key.get((shift_type, day))
            out.append((reader, shift_type, day, b, a,
                        shift.start if shift else unneeded_start(plan.inst, shift_type, day)))
    return out


def weighted_changes(plan: Plan, old: Roster, new: Roster) -> int:
    """The weighted changes from `old` to `new`: each changed reader-shift weighs `plan.weight_of` its start."""
    return sum(plan.weight_of(start) for *_, start in changed_shifts(plan, old, new))


def past_words(inst: Instance, a: Assignment, shift, missing: list[str]) -> str:
    reader = inst.scenario.radiologist_by_id[a.reader]
    demands = [inst.demands[(s, shift.index)] for s in missing]
    reasons = sorted({r for d in demands for r in inst.ineligibility_reasons(reader, shift, d)})
    what = inst.shift_words(a.shift_type, a.date, tuple(sorted(a.sites)))
    return (f"{reader.display}'s {what} started before now and is kept as published, though the changed scenario "
            f"would not allow it: {reader.display} {'; '.join(reasons)}")


# ---- the model -----------------------------------------------------------------------------------
@dataclass
class ChangeCount:
    expr: Any  # weighted changes that depend on the roster (a linear expression)
    span: int  # the largest value `expr` can take
    forced: int  # weighted changes no roster can avoid


def fix_past_and_locked(built: BuiltModel, plan: Plan) -> None:
    """Past shifts exactly as published (worked or not), locked assignments exactly as published."""
    v, m = built.vars, built.model
    for (rid, i), x in v.x.items():
        if i in plan.past_shifts:
            m.add(x == int((rid, i) in plan.past))
        elif (rid, i) in plan.locked:
            m.add(x == 1)
    for (rid, i, site), y in v.y.items():
        if i in plan.past_shifts:
            m.add(y == int(site in plan.past.get((rid, i), ())))
        elif (rid, i) in plan.locked:
            m.add(y == int(site in plan.locked[(rid, i)]))


def sites_by_shift(built: BuiltModel) -> dict[tuple[str, int], list[tuple[str, Any]]]:
    out: dict[tuple[str, int], list[tuple[str, Any]]] = {}
    for (rid, i, site), y in built.vars.y.items():
        out.setdefault((rid, i), []).append((site, y))
    return out


def count_changes(built: BuiltModel, plan: Plan) -> ChangeCount:
    """The weighted number of changed reader-shifts, as a linear expression over the model.

    A reader-shift not published costs its weight when worked (x). A published one that may stay
    gets a literal c forced to 1 when a published site is dropped or another site added; c is only
    bounded from below, so a minimum of the sum counts exactly the changes. One that cannot stay
    as published (its reader or a site no longer eligible) is a constant.
    """
    v, m, inst = built.vars, built.model, plan.model_inst
    sites_of = sites_by_shift(built)
    terms, span = [], 0
    for (rid, i), x in v.x.items():
        if i in plan.past_shifts or (rid, i) in plan.locked:
            continue
        shift = inst.shifts[i]
        w = plan.weight_of(shift.start)
        published = plan.open.get((rid, i))
        if published is None:
            terms.append(w * x)
        elif (rid, shift.type_id, shift.date) in plan.forced:
            continue
        else:
            c = m.new_bool_var(f"change:{rid}:{i}")
            for site, y in sites_of[(rid, i)]:
                if site in published:
                    m.add(c + y >= 1)
                else:
                    m.add(c >= y)
            terms.append(w * c)
        span += w
    return ChangeCount(sum(terms), span, sum(plan.forced.values()))


# ---- where the change bites ----------------------------------------------------------------------
@dataclass
class Disturbance:
    shifts: set[int]  # future shifts the change disturbs
    least: dict[tuple[str, int], int]  # per future need: the least shortfall any roster can have


def disturbed(built: BuiltModel, plan: Plan) -> Disturbance:
    """The future shifts the change disturbs: one of their published assignments cannot stay or
    breaks a rule of the shift (capacity, staffing cap), or the published readers who may stay
    leave one of their needs shorter than it has to be.

    A need of R readers (R_s with subspecialty s) that E readers may cover (E_s with s) is short of
    at least max(R - E, sum_s max(0, R_s - E_s)) readers in any roster: its *least* shortfall.
    """
    inst, v = plan.model_inst, built.vars
    out = Disturbance(set(), {})
    forced_at: dict[int, set[str]] = {}
    for (rid, type_id, day) in plan.forced:
        shift = inst.shift_by_key.get((type_id, day))
        if shift is not None:
            forced_at.setdefault(shift.index, set()).add(rid)
            out.shifts.add(shift.index)
    published = {**plan.locked, **plan.open}
    covering: dict[tuple[str, int], list[str]] = {}
    for (rid, i), sites in published.items():
        for site in sites:
            covering.setdefault((site, i), []).append(rid)
        reader = inst.scenario.radiologist_by_id[rid]
        if sum(inst.demands[(site, i)].load_per_reader for site in sites if (site, i) in inst.demands) > \
                inst.capacity(reader, inst.shifts[i]):
            out.shifts.add(i)
    can_cover: dict[tuple[str, int], list[str]] = {}
    for (rid, i, site) in v.y:
        locked = plan.locked.get((rid, i))
        if locked is None or site in locked:
            can_cover.setdefault((site, i), []).append(rid)
    by_id = inst.scenario.radiologist_by_id
    for (site, i), d in inst.demands.items():
        if i in plan.past_shifts:
            continue
        readers = can_cover.get((site, i), [])
        subs = d.required_by_subspecialty
        out.least[(site, i)] = max(d.required - len(readers), 0, sum(
            max(0, need - sum(1 for r in readers if sub in by_id[r].subspecialties)) for sub, need in subs.items()))
        there = covering.get((site, i), [])
        kept = [r for r in there if r not in forced_at.get(i, ())]
        short, rest_ = shortfalls(inst, d, kept)
        if sum(short.values()) + rest_ > out.least[(site, i)] or len(there) > d.max_readers:
            out.shifts.add(i)
    return out


# ---- the search ----------------------------------------------------------------------------------
RADII = (0, 1, 3, 7)  # days around the disturbed shifts freed at each step, before the whole model
STEP_SHARE = 0.6  # the most of the time left one windowed step may take (the whole model takes the rest)
# the rules that hold on every subset of a schedule that keeps them (dropping shifts never breaks them)
SUBSET_CLOSED = frozenset({one_shift_per_day.NAME, rest.NAME, consecutive.NAME, nights.NAME, hours.NAME,
                           weekends.NAME, successions.NAME})


def reader_rules() -> frozenset[str]:
    """The names under which the hard rules linking a reader's shifts state their constraints
    (every hard rule but eligibility, capacity and the staffing cap, which concern one shift)."""
    local = {coverage, capacity, eligibility}
    return frozenset(value for module in HARD if module not in local
                     for name, value in vars(module).items() if name.isupper() and isinstance(value, str))


def subset_closed(inst: Instance, reader: Radiologist) -> frozenset[str]:
    """The reader's rules that dropping shifts from a schedule keeping them can never break.

    Per-type limits and total hours are when no minimum applies to the reader; the days off after
    nights are when blocks have at most two nights (dropping a night then never splits a block).
    Complete weekends and minimum runs never are.
    """
    rules = inst.scenario.rules_for(reader)
    out = set(SUBSET_CLOSED)
    if not any((limit := inst.type_limit(reader, st.id)) is not None and limit.min
               for st in inst.scenario.shift_types):
        out.add(shift_limits.NAME)
    if not rules.min_total_hours:
        out.add(hours.TOTAL)
    if rules.max_consecutive_nights is not None and rules.max_consecutive_nights <= 2:
        out.add(nights.OFF)
    return frozenset(out)


def region(inst: Instance, disturbed: set[int], radius: int) -> frozenset[int]:
    """The shifts starting within `radius` days of a disturbed shift's date."""
    days = {inst.shifts[i].day for i in disturbed}
    return frozenset(s.index for s in inst.shifts if any(abs(s.day - d) <= radius for d in days))


@dataclass
class Step:
    """One search: the window, how it is relaxed, and what it found and proved."""

    free: frozenset[int] | None  # None: the whole model
    relaxed: int  # 0 restricted (real rosters), 1 relaxed, 2 relaxed with the rules of readers adding shifts kept
    status: Any = None
    short: int | None = None  # of the roster found (restricted and whole searches)
    moved: int | None = None
    values: list[int] | None = None  # the base model's variables in that roster
    solver: cp_model.CpSolver | None = None
    bound: int = 0  # proven lower bound on big x shortfall + changes (relaxed and whole searches)
    wall_s: float = 0.0

    def to_dict(self, forced: int) -> dict[str, Any]:
        out: dict[str, Any] = {"window": "whole" if self.free is None else len(self.free),
                               "relaxed": self.relaxed, "status": status_name(self.status),
                               "wall_s": round(self.wall_s, 3)}
        if self.moved is not None:
            out.update(shortfall=self.short, changes=forced + self.moved)
        return out


class WindowSearch:
    """The windowed searches of steps 1-2 and the polish of step 3, on copies of one built model.

    A *window* frees the shifts within some days of the disturbed ones. The *restricted* search
    pins every other shift as published: its rosters are real (upper bounds). The *relaxed* search
    is a relaxation of the whole problem (its optimum is a lower bound). Outside the window a
    reader may drop published shifts (each drop is a change, counted as such) but not take new
    ones. The other outside changes of a roster (shifts taken, sites changed) are not modelled,
    only counted from below: a need that drops leave short of what it had costs one change at its
    shift (a *repair*: someone must take it), or its shortfall; a reader who may take a shift
    outside is freed, at one change, from their rules that taking shifts could help keep (those
    that dropping shifts can break: minimums, complete weekends, days off after long night
    blocks); those outside changes are at least one per repaired shift and at least one per
    freed reader, so they cost at least the larger of the two sums. (The first relaxed search frees
    such readers at no cost: weaker, but a smaller model that proves most cases faster.)

    Any roster R of the whole problem maps to a relaxed solution costing no more: R in the window,
    outside R's drops only. A reader who takes no shift outside has R's schedule there; one who
    does keeps a subset of R's schedule, on which the rules that dropping shifts never breaks
    still hold. Every need outside keeps at least its least shortfall. So a roster meeting the
    relaxed optimum is optimal for the whole problem.
    """

    def __init__(self, built: BuiltModel, plan: Plan, changes: ChangeCount, disturbance: Disturbance, big: int,
                 solver_args: dict[str, Any], stops: Stops, deadline: float) -> None:
        self.built, self.plan, self.changes, self.big = built, plan, changes, big
        self.disturbance = disturbance
        self.solver_args, self.stops, self.deadline = solver_args, stops, deadline
        self.objective = big * built.terms["uncovered"] + changes.expr
        self.published = {**plan.past, **plan.locked, **plan.open}
        self.size = len(built.model.proto.variables)
        self.sites_of = sites_by_shift(built)
        inst = plan.model_inst
        self.closed = {r.id: subset_closed(inst, r) for r in inst.readers}
        self.capacity: dict[int, int] = {}  # shift -> the largest capacity of a reader who may work it
        for (rid, i) in built.vars.x:
            cap = inst.capacity(inst.scenario.radiologist_by_id[rid], inst.shifts[i])
            self.capacity[i] = max(cap, self.capacity.get(i, 0))
        self.held: dict[tuple[str, int], list[str]] = {}  # (site, shift) -> readers fixed on it (past, locked)
        for (rid, i), sites in {**plan.past, **plan.locked}.items():
            for site in sites:
                self.held.setdefault((site, i), []).append(rid)
        self.past_short = 0  # the shortfall of the past, as published (it cannot change)
        for (site, i), d in inst.demands.items():
            if i in plan.past_shifts:
                subs, rest_ = shortfalls(inst, d, self.held.get((site, i), []))
                self.past_short += d.priority * (rest_ + sum(subs.values()))

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    @staticmethod
    def _pin(m: cp_model.CpModel, var, value: int) -> None:
        domain = m.proto.variables[var.index].domain
        domain.clear()
        domain.extend([value, value])

    def model(self, free: frozenset[int] | None, relaxed: int) -> cp_model.CpModel:
        """A copy of the base model for one search (see the class docstring)."""
        m, v, plan = self.built.model.clone(), self.built.vars, self.plan
        adds: dict[str, int] = {}  # reader -> weight of the cheapest shift they could add outside the window
        drops: dict[int, list[tuple[str, Any]]] = {}  # outside shift -> (reader, x) that may be dropped
        for (rid, i), x in v.x.items():
            if free is None or i in free:
                continue
            sites = self.published.get((rid, i))
            changeable = i not in plan.past_shifts and (rid, i) not in plan.locked
            if relaxed and changeable and sites is not None:
                drops.setdefault(i, []).append((rid, x))
                for site, y in self.sites_of[(rid, i)]:
                    if y is not x:
                        m.add(y == x) if site in sites else self._pin(m, y, 0)
                continue
            if relaxed and changeable:
                w = plan.weight_of(plan.model_inst.shifts[i].start)
                adds[rid] = min(w, adds.get(rid, w))
            self._pin(m, x, int(sites is not None))
            for site, y in self.sites_of[(rid, i)]:
                if y is not x:
                    self._pin(m, y, int(sites is not None and site in sites))
        adding: dict[str, Any] = {}  # reader -> literal: they add a shift outside (their other rules may bend)
        for (rule, reader, _day), lit in v.literals.items():
            if reader not in adds or rule in self.closed[reader]:
                self._pin(m, lit, 1)
            elif relaxed == 2:
                if reader not in adding:
                    adding[reader] = m.new_bool_var(f"adds_outside:{reader}")
                m.add_bool_or([lit, adding[reader]])
            # relaxed == 1: left free, the rule is dropped for that reader (weaker, but a smaller model)
        if relaxed and free is not None:
            # the outside changes other than drops: at least one at each repaired shift, and at least one
            # for each reader adding a shift; so at least the larger of the two sums
            other = m.new_int_var(0, self.big, "outside_other_changes")
            m.add(other >= self._repairs(m, drops))
            if adding:
                m.add(other >= sum(adds[r] * lit for r, lit in adding.items()))
            m.minimize(self.big * self._shortfall(m, free) + self.changes.expr + other)
        return m

    def _shortfall(self, m: cp_model.CpModel, free: frozenset[int]):
        """The shortfall of the window's needs, plus the least one of every other need."""
        inst, by_id = self.plan.model_inst, self.plan.model_inst.scenario.radiologist_by_id
        terms, const = [], self.past_short
        covers: dict[tuple[str, int], list[tuple[str, Any]]] = {}
        for (rid, i, site), y in self.built.vars.y.items():
            if i in free:
                covers.setdefault((site, i), []).append((rid, y))
        for (site, i), d in inst.demands.items():
            if i in self.plan.past_shifts:
                continue
            if i not in free:
                const += d.priority * self.disturbance.least[(site, i)]
                continue
            pairs = covers.get((site, i), [])
            subs = []
            for sub, need in d.required_by_subspecialty.items():
                u = m.new_int_var(0, need, f"window_short:{site}:{i}:{sub}")
                m.add(u >= need - sum(y for rid, y in pairs if sub in by_id[rid].subspecialties))
                subs.append(u)
            u_any = m.new_int_var(0, d.required, f"window_short:{site}:{i}")
            m.add(u_any >= d.required - sum(y for _, y in pairs) - sum(subs))
            terms.append(d.priority * (u_any + sum(subs)))
        return sum(terms) + const

    def _repairs(self, m: cp_model.CpModel, drops: dict[int, list[tuple[str, Any]]]):
        """The changes outside shifts need after drops: readers who take the covers the drops left short.

        At shift i, a need kept below R - least (R_s - least with s) by the drops needs that many new
        covers; each comes from a reader who takes the shift or a site in it (a change at i), who
        covers a site at most once and takes on at most the largest capacity at i: so at least
        max(new covers of a need) and at least (load of the new covers) / (largest capacity) readers.
        """
        inst, plan = self.plan.model_inst, self.plan
        by_id = inst.scenario.radiologist_by_id
        out = []
        for i, dropping in drops.items():
            shift = inst.shifts[i]
            capacity = self.capacity[i]
            readers = m.new_int_var(0, len(inst.readers), f"repairs:{i}")
            load = []
            for d in inst.demands_by_shift[i]:
                least = self.disturbance.least[(d.site, i)]
                stay = [(rid, x) for rid, x in dropping if d.site in self.published[(rid, i)]]
                held = self.held.get((d.site, i), [])
                needs = [(d.required - least, [x for _, x in stay], len(held))]
                needs += [(need - least, [x for rid, x in stay if sub in by_id[rid].subspecialties],
                           sum(1 for rid in held if sub in by_id[rid].subspecialties))
                          for sub, need in d.required_by_subspecialty.items()]
                needs = [(wanted - constant, xs) for wanted, xs, constant in needs if wanted - constant > 0 and xs]
                if not needs:
                    continue
                new = m.new_int_var(0, d.required, f"new_covers:{d.site}:{i}")
                for wanted, xs in needs:
                    m.add(new >= wanted - sum(xs))
                m.add(readers >= new)
                load.append(d.load_per_reader * new)
            if load and capacity > 0:
                m.add(capacity * readers >= sum(load))
            out.append(plan.weight_of(shift.start) * readers)
        return sum(out)

    def _window_solver(self, limit: float) -> cp_model.CpSolver:
        """One worker with the strongest LP relaxation: what proves these small models fastest (measured)."""
        solver = new_solver(limit, 1, self.solver_args["seed"], self.solver_args["log"])
        solver.parameters.linearization_level = 2
        return solver

    def run(self, free: frozenset[int] | None, relaxed: int, hint: list[int] | None, share: float) -> Step:
        """One search; the whole model (free None) uses every worker and the time left."""
        step = Step(free, relaxed)
        m = self.model(free, relaxed)
        if hint is not None:
            hint_solution(m, hint)
        if free is None:
            solver = new_solver(self.left(), **self.solver_args)
        else:
            solver = self._window_solver(self.left() * share)
        step.status = self.stops.run(solver, m)
        step.wall_s = solver.wall_time
        if step.status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            step.bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))
            if not relaxed:
                uncovered = self.built.terms["uncovered"]
                step.short = int(solver.value(uncovered)) if not isinstance(uncovered, int) else 0
                step.moved = int(solver.value(self.changes.expr)) if not isinstance(self.changes.expr, int) else 0
                step.values = list(solver.response_proto.solution)[: self.size]
                step.solver = solver
        return step

    def pair(self, free: frozenset[int], hint: list[int] | None, share: float) -> tuple[Step, Step]:
        """The restricted and the relaxed search of one window, side by side when two workers are allowed."""
        if self.solver_args["workers"] < 2:
            restricted = self.run(free, 0, hint, share)
            return restricted, self.run(free, 1, restricted.values or hint, share)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="replan-window") as pool:
            restricted = pool.submit(self.run, free, 0, hint, share)
            relaxed = pool.submit(self.run, free, 1, hint, share)
            return restricted.result(), relaxed.result()

    def polish(self, free: frozenset[int] | None, best: Step, usual) -> Step:
        """Step 3: the usual objective on the window, at no more changes and shortfall than `best`."""
        step = Step(free, 0)
        m = self.model(free, 0)
        if not isinstance(self.changes.expr, int):
            m.add(self.changes.expr <= best.moved)
        uncovered = self.built.terms["uncovered"]
        if not isinstance(uncovered, int):
            m.add(uncovered <= best.short)
        m.minimize(usual)
        hint_solution(m, best.values)
        solver = new_solver(self.left(), **self.solver_args) if free is None else self._window_solver(self.left())
        step.status = self.stops.run(solver, m)
        step.wall_s = solver.wall_time
        if step.status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            step.solver, step.short, step.moved = solver, best.short, best.moved
            step.bound = math.floor(solver.best_objective_bound + 1e-6)
        return step


class Stops:
    """Relays a stop event from another thread to every CP-SAT search running (there may be two)."""

    def __init__(self, stop: threading.Event | None) -> None:
        self.stop = stop
        self.running: set[cp_model.CpSolver] = set()
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.thread = None
        if stop is not None:
            self.thread = threading.Thread(target=self._watch, name="replan-stop-watcher", daemon=True)
            self.thread.start()

    def _watch(self) -> None:
        while not self.done.wait(0.05):
            if self.stopped:
                with self.lock:
                    for solver in self.running:
                        solver.stop_search()

    @property
    def stopped(self) -> bool:
        return bool(self.stop is not None and self.stop.is_set())

    def run(self, solver: cp_model.CpSolver, model: cp_model.CpModel):
        with self.lock:
            self.running.add(solver)
        if self.stopped:
            solver.parameters.max_time_in_seconds = 0.01
        try:
            return solver.solve(model)
        finally:
            with self.lock:
                self.running.discard(solver)

    def close(self) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join()


def hint_solution(m: cp_model.CpModel, values: list[int]) -> None:
    """Hint the first variables with a complete solution of the base model (its copies share them)."""
    m.clear_hints()
    for k, value in enumerate(values):
        m.add_hint(m.get_int_var_from_proto_index(k), value)


def status_name(status) -> str:
    return getattr(status, "name", str(status))
