"""A first re-plan without a month model: what cannot stay is taken off the published roster, and
each shift's missing readers are then filled with the fewest changed reader-shifts.

At national scale, building the re-plan's CP-SAT model alone takes longer than a coordinator
waits after a sick call (tier M, 600 readers: 14 s). This answer needs the open-shift ranking
(scheduler.replan.candidates), one small model per disturbed shift and the checker: seconds. It
is a roster, not a proof of the month; scheduler.replan.replan returns it when its model search
finds nothing as good in time (or has no time to build its model), and says so.

Coverage comes before changes, as in the month model. Shift by shift, in time order: the readers
who may work the shift without breaking a rule (asked once each, at a site they are eligible
for) take the missing covers in a small set cover, within their capacity and the staffing caps,
a reader whose shift is already a change (or a forced one) costing nothing and any other one
change. Where those readers cannot cover the shift, readers are called one missing reader at a
time (the fewest added changes first, then the smaller change in the usual objective), the one
picked also taking the shift's other missing readers they may. Shift by shift is myopic (who
works tonight may block tomorrow), so when needs stay short and time allows, the reader-by-reader
fill is run on its own as well and the better roster kept.

`change_floor` bounds from below the changes of every roster that covers every need, by the same
set cover with the rules linking shifts left out: with it a fully covered quick roster can be
proven to have the fewest changes without the month model.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.replan.candidates import open_shift, rank
from scheduler.replan.windows import Plan, weighted_changes
from scheduler.result import Assignment, CheckReport, Roster


@dataclass
class QuickReplan:
    """The roster, the checker's report on it, and the reader slots it filled."""

    roster: Roster
    report: CheckReport
    filled: int
    seconds: float
    floor: int = 0  # weighted changes beyond the forced ones that every fully covered roster makes


def change_floor(plan: Plan, start: CheckReport, start_roster: Roster, time_limit: float = 1.0,
                 deadline: float | None = None) -> int:
    """Weighted changes, beyond the forced ones, that every roster covering every need makes.

    In `start` (the report on `start_roster`: the published roster with what cannot stay taken
    off) some future needs are short. A roster covering them adds each missing cover on a
    reader-shift of that shift that differs from the published one: a change, unless it is a forced
    reader's (counted already). So per shift, at least as many changed reader-shifts as the fewest
    readers who can supply the missing covers: each eligible for the sites they take (with the
    subspecialty a cover asks for), not covering them already, within their capacity, whatever
    their other shifts (a relaxation: the rules linking shifts are left out). That small set cover
    is solved per shift (its proven bound is used, so a time-out only weakens it); each changed
    reader-shift weighs the shift's weight. Each cover gets at most `time_limit` seconds; past
    `deadline` (a perf_counter instant) the shifts left count nothing (a weaker floor, still one)."""
    inst = plan.inst
    missing: dict[int, list] = {}
    for u in start.uncovered:
        shift = inst.shift_by_key[(u.shift_type, u.date)]
        if shift.start >= plan.now:
            missing.setdefault(shift.index, []).append(u)
    if not missing:
        return 0
    covering: dict[tuple[int, str], set[str]] = {}
    for a in start_roster.assignments:
        shift = inst.shift_by_key.get((a.shift_type, a.date))
        if shift is not None:
            for site in a.sites:
                covering.setdefault((shift.index, site), set()).add(a.reader)
    free: dict[int, set[str]] = {}  # shift -> readers whose change there is forced: more sites cost nothing
    for (rid, type_id, day) in plan.forced:
        shift = inst.shift_by_key.get((type_id, day))
        if shift is not None:
            free.setdefault(shift.index, set()).add(rid)
    total = 0
    for i, short in missing.items():
        left = time_limit if deadline is None else min(time_limit, deadline - time.perf_counter())
        if left <= 0.01:
            break
        need = _fewest_readers(inst, i, short, covering, free.get(i, set()), left)
        total += plan.weight_of(inst.shifts[i].start) * need
    return total


def _fewest_readers(inst, i: int, short: list, covering: dict[tuple[int, str], set[str]], free: set[str],
                    time_limit: float) -> int:
    """A proven lower bound on the readers (other than the `free` ones) who can supply shift `i`'s
    missing covers `short` (see change_floor): any eligible reader not covering the site already,
    within their whole capacity."""
    by_id, shift = inst.scenario.radiologist_by_id, inst.shifts[i]
    m, _ = _cover_model(inst, i, short,
                        lambda site: [r for r in inst.eligible_readers.get((site, i), ())
                                      if r not in covering.get((i, site), set())],
                        lambda rid: inst.capacity(by_id[rid], shift), free, exact=False)
    solver = _solver(time_limit)
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0  # none found in time, or none covers these needs (the caller's roster is then short too)
    return max(0, math.ceil(solver.best_objective_bound - 1e-6))


def _cover_model(inst, i: int, short: list, takers: Callable[[str], Iterable[str]], room: Callable[[str], int],
                 free: set[str], exact: bool) -> tuple[cp_model.CpModel, dict[tuple[str, str], cp_model.IntVar]]:
    """The set cover of shift `i`'s missing covers `short` (Uncovered): y[(reader, site)] a new cover
    by one of `takers(site)`, z a reader taking any; per site the covers missing (`exact`: no more,
    so no staffing cap is passed; else at least), per subspecialty at least those missing; each
    reader's new studies within `room(reader)`; minimise the readers not in `free`."""
    by_id = inst.scenario.radiologist_by_id
    m = cp_model.CpModel()
    y: dict[tuple[str, str], cp_model.IntVar] = {}
    z: dict[str, cp_model.IntVar] = {}
    by_site: dict[str, list] = {}
    for u in short:
        by_site.setdefault(u.site, []).append(u)
    for site, entries in sorted(by_site.items()):
        mine = []
        for rid in takers(site):
            if rid not in z:
                z[rid] = m.new_bool_var(f"z:{rid}")
            y[(rid, site)] = var = m.new_bool_var(f"y:{rid}:{site}")
            m.add_implication(var, z[rid])
            mine.append((rid, var))
        total, wanted = sum(var for _, var in mine), sum(u.missing for u in entries)
        m.add(total == wanted) if exact else m.add(total >= wanted)
        for u in entries:
            if u.subspecialty is not None:
                m.add(sum(var for rid, var in mine if u.subspecialty in by_id[rid].subspecialties) >= u.missing)
    for rid in z:
        mine = [(inst.demands[(site, i)].load_per_reader, var) for (r, site), var in y.items() if r == rid]
        if sum(load for load, _ in mine) > room(rid):
            m.add(sum(load * var for load, var in mine) <= max(0, room(rid)))
    m.minimize(sum(zr for rid, zr in z.items() if rid not in free))
    return m, y


def _solver(time_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    return solver


def _start(plan: Plan, published: Roster) -> Roster:
    """The published roster with each assignment that cannot stay cut to the sites its reader may
    still cover on that shift (dropped when none)."""
    inst = plan.inst
    out = []
    for a in published.assignments:
        if (a.reader, a.shift_type, a.date) not in plan.forced:
            out.append(a)
            continue
        shift = inst.shift_by_key.get((a.shift_type, a.date))
        eligible = set(inst.eligible.get((a.reader, shift.index), ())) if shift is not None else set()
        sites = tuple(s for s in a.sites if s in eligible)
        if sites:
            out.append(Assignment(reader=a.reader, shift_type=a.shift_type, date=a.date, sites=sites))
    return Roster(assignments=tuple(out)).sorted()


def quick_replan(plan: Plan, published: Roster, deadline: float | None = None,
                 stop: threading.Event | None = None) -> QuickReplan | None:
    """The quick re-plan of `published` for `plan` (see the module docstring), or None when the
    roster left after taking off what cannot stay already breaks a hard rule (the model must then
    decide what moves), or when `stop` is set before it ends. Fills stop at `deadline` (a
    perf_counter instant), leaving the rest short."""
    t0 = time.perf_counter()
    inst = plan.inst
    roster = start = _start(plan, published)
    report = check(inst, roster)
    if report.violations or (stop is not None and stop.is_set()):
        return None
    # the fills stop early enough for the check of the result (as long as the one just made)
    until = None if deadline is None else deadline - (time.perf_counter() - t0)
    before = {(a.reader, a.shift_type, a.date): tuple(sorted(a.sites)) for a in published.assignments}
    locked = {(a.reader, a.shift_type, a.date) for a in published.assignments if a.locked}
    best = None
    for cover in (True, False):
        t_pass = time.perf_counter()
        out = _fill(plan, roster, _by_shift(plan, report), before, locked, until, stop, cover)
        if out is None:
            return None  # stopped
        filled_roster, filled = out
        final = check(inst, filled_roster) if filled else report
        if final.violations:  # never expected (each fill keeps every rule)
            continue
        score = (final.terms.get("uncovered", 0), weighted_changes(plan, published, filled_roster))
        if best is None or score < best[0]:
            best = (score, filled_roster, final, filled)
        took = time.perf_counter() - t_pass
        if not _by_shift(plan, final) or (until is not None and until - time.perf_counter() < 1.5 * took):
            break  # the set covers left nothing short, or no time for the reader-by-reader fills as well
    if best is None:
        return None  # the model decides
    _, filled_roster, final, filled = best
    floor = change_floor(plan, report, start, deadline=deadline)
    return QuickReplan(filled_roster, final, filled, time.perf_counter() - t0, floor)


def _by_shift(plan: Plan, report: CheckReport) -> dict[int, list[list]]:
    """Future shift -> its missing readers, [uncovered, readers still missing], the subspecialty
    slots of a site first (a reader with the subspecialty fills those before any other)."""
    inst = plan.inst
    out: dict[int, list[list]] = {}
    for u in sorted(report.uncovered, key=lambda u: (u.date, u.shift_type, u.site, u.subspecialty is None,
                                                     u.subspecialty or "")):
        shift = inst.shift_by_key[(u.shift_type, u.date)]
        if shift.start >= plan.now:  # the past stays as published
            out.setdefault(shift.index, []).append([u, u.missing])
    return out


def _fill(plan: Plan, roster: Roster, by_shift: dict[int, list[list]], before: dict, locked: set,
          until: float | None, stop: threading.Event | None, cover: bool) -> tuple[Roster, int] | None:
    """Fill the missing readers shift by shift: by a set cover of the shift first (`cover`), else
    reader by reader. Returns the roster and the covers added, or None when `stop` is set."""
    inst = plan.inst
    by_id = inst.scenario.radiologist_by_id
    forced_at = set(plan.forced)
    filled = 0
    for i, slots in by_shift.items():
        shift = inst.shifts[i]
        weight = plan.weight_of(shift.start)
        if stop is not None and stop.is_set():
            return None
        if until is not None and time.perf_counter() >= until:
            break
        covered = _cover_shift(inst, roster, i, slots, before, locked, forced_at, until) if cover else None
        if covered is not None:  # the fewest changed readers who keep every rule cover the shift
            roster, n = covered
            filled += n
            continue
        for slot in slots:  # else reader by reader, the fewest added changes first
            u = slot[0]
            pool = {r for r in inst.eligible_readers.get((u.site, i), ())
                    if (u.subspecialty is None or u.subspecialty in by_id[r].subspecialties)
                    and (r, u.shift_type, u.date) not in locked}
            while slot[1] > 0:
                if stop is not None and stop.is_set():
                    return None
                if until is not None and time.perf_counter() >= until:
                    break
                current = {(a.reader, a.shift_type, a.date): tuple(sorted(a.sites)) for a in roster.assignments}
                changed = {r for r in pool if (key := (r, u.shift_type, u.date)) in current
                           and current[key] != before.get(key)}  # already a change: more sites add none
                ok = [c for c in rank(open_shift(inst, roster, u.site, u.shift_type, u.date), only=pool) if c.ok]
                if not ok:
                    break
                pick = min(ok, key=lambda c: (0 if c.reader in changed else weight, c.cost, c.reader))
                slot[1] -= 1
                sites = set(pick.sites)
                filled += 1 + _absorb(inst, pick.reader, i, sites, slots)
                key = (pick.reader, u.shift_type, u.date)
                kept = tuple(a for a in roster.assignments if (a.reader, a.shift_type, a.date) != key)
                new = Assignment(reader=pick.reader, shift_type=u.shift_type, date=u.date, sites=tuple(sorted(sites)))
                roster = Roster(assignments=(*kept, new)).sorted()
                pool.discard(pick.reader)
    return roster, filled


def _cover_shift(inst, roster: Roster, i: int, slots: list[list], before: dict, locked: set, forced: set,
                 until: float | None) -> tuple[Roster, int] | None:
    """Fill every missing reader of shift `i` with the fewest changed reader-shifts: a small set cover
    over the readers who may work the shift without breaking a rule (each asked once, by the
    open-shift ranking, at a site they are eligible for; only capacity depends on the sites, and
    the cover models it), a reader whose shift is a change already (or a forced one) costing
    nothing. Returns the roster and the covers added, or None when these readers cannot cover it
    all (the caller then fills reader by reader)."""
    by_id = inst.scenario.radiologist_by_id
    shift = inst.shifts[i]
    key_of = (shift.type_id, shift.date)
    current = {(a.reader, a.shift_type, a.date): a for a in roster.assignments}
    sites = sorted({slot[0].site for slot in slots})
    able: dict[str, bool] = {}  # reader -> may work the shift (rules other than capacity kept)
    for site in sites:
        ask = {r for r in inst.eligible_readers.get((site, i), ())
               if r not in able and (r, *key_of) not in locked}
        if not ask:
            continue
        if until is not None and time.perf_counter() >= until:
            return None
        for c in rank(open_shift(inst, roster, site, *key_of), only=ask):
            able[c.reader] = all(v.rule == "capacity" for v in c.violations)

    def held(rid: str) -> tuple[str, ...]:
        a = current.get((rid, *key_of))
        return a.sites if a is not None else ()

    def free(rid: str) -> bool:  # a change already (or a forced one): more sites cost nothing
        key = (rid, *key_of)
        return key in forced or (key in current and tuple(sorted(held(rid))) != before.get(key))

    m, y = _cover_model(
        inst, i, [slot[0] for slot in slots],
        lambda site: [r for r in inst.eligible_readers.get((site, i), ()) if able.get(r) and site not in held(r)],
        lambda rid: inst.capacity(by_id[rid], shift) - sum(inst.demands[(s, i)].load_per_reader
                                                         for s in held(rid) if (s, i) in inst.demands),
        {rid for rid in able if free(rid)}, exact=True)
    solver = _solver(1.0 if until is None else min(1.0, until - time.perf_counter()))
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    taken: dict[str, list[str]] = {}
    for (rid, site), var in y.items():
        if solver.boolean_value(var):
            taken.setdefault(rid, []).append(site)
    out = dict(current)
    for rid, new_sites in taken.items():
        a = out.get((rid, *key_of))
        sites_now = tuple(sorted({*(a.sites if a else ()), *new_sites}))
        out[(rid, *key_of)] = Assignment(reader=rid, shift_type=shift.type_id, date=shift.date, sites=sites_now)
    for slot in slots:
        slot[1] = 0
    return Roster(assignments=tuple(out.values())).sorted(), sum(len(v) for v in taken.values())


def _absorb(inst, reader: str, i: int, sites: set[str], slots: list[list]) -> int:
    """Give `reader`, just called onto shift `i` for `sites`, every other missing reader of the shift
    they may take on too: eligible there (with the subspecialty the slot asks for), within their
    capacity. Their shift is a change already, so each costs no further change. Returns how many."""
    by_id = inst.scenario.radiologist_by_id
    r = by_id[reader]
    eligible = set(inst.eligible.get((reader, i), ()))
    room = inst.capacity(r, inst.shifts[i]) - sum(inst.demands[(s, i)].load_per_reader for s in sites)
    taken = 0
    for slot in slots:
        u = slot[0]
        if slot[1] <= 0 or u.site in sites or u.site not in eligible:
            continue
        if u.subspecialty is not None and u.subspecialty not in r.subspecialties:
            continue
        load = inst.demands[(u.site, i)].load_per_reader
        if load > room:
            continue
        sites.add(u.site)
        room -= load
        slot[1] -= 1
        taken += 1
    return taken
