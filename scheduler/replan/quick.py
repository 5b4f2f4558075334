"""A first re-plan without a model: what cannot stay is taken off the published roster, and each
reader then missing is filled by the candidate adding the fewest changes (then the cheapest).

At national scale, building the re-plan's CP-SAT model alone takes longer than a coordinator
waits after a sick call (tier M, 600 readers: 14 s). This answer needs only the open-shift
ranking (scheduler.replan.candidates) and the checker: seconds. It is a roster, not a proof;
scheduler.replan.replan returns it when its model search finds nothing as good in time (or has
no time to build its model), and says so.

Coverage comes before changes, as in the model: a missing reader is always filled when some
reader can take the need without breaking a rule. Among those, a reader whose assignment on that
shift has already changed adds no change (one reader-shift counts once however many sites it
gains), any other adds the shift's weight (near shifts weigh more); ties go to the candidate with
the smaller change in the usual objective. The reader picked then also takes every other missing
reader of that shift they may (eligible, within capacity): one ranking serves several sites, which
matters when the absent reader covered dozens (tier L).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from scheduler.check import check
from scheduler.replan.candidates import open_shift, rank
from scheduler.replan.windows import Plan
from scheduler.result import Assignment, CheckReport, Roster


@dataclass
class QuickReplan:
    """The roster, the checker's report on it, and the reader slots it filled."""

    roster: Roster
    report: CheckReport
    filled: int
    seconds: float


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
    by_id = inst.scenario.radiologist_by_id
    roster = _start(plan, published)
    report = check(inst, roster)
    if report.violations or (stop is not None and stop.is_set()):
        return None
    # the fills stop early enough for the check of the result (as long as the one just made)
    until = None if deadline is None else deadline - (time.perf_counter() - t0)
    before = {(a.reader, a.shift_type, a.date): tuple(sorted(a.sites)) for a in published.assignments}
    locked = {(a.reader, a.shift_type, a.date) for a in published.assignments if a.locked}
    by_shift: dict[int, list[list]] = {}  # shift -> [uncovered, readers still missing]
    # per site, the subspecialty slots first: a reader with the subspecialty fills those before any other
    for u in sorted(report.uncovered, key=lambda u: (u.date, u.shift_type, u.site, u.subspecialty is None,
                                                     u.subspecialty or "")):
        shift = inst.shift_by_key[(u.shift_type, u.date)]
        if shift.start >= plan.now:  # the past stays as published
            by_shift.setdefault(shift.index, []).append([u, u.missing])
    filled = 0
    for i, slots in by_shift.items():
        shift = inst.shifts[i]
        weight = plan.weight_of(shift.start)
        for slot in slots:
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
    final = check(inst, roster) if filled else report
    if final.violations:  # never expected (each fill keeps every rule); the model decides then
        return None
    return QuickReplan(roster, final, filled, time.perf_counter() - t0)


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
