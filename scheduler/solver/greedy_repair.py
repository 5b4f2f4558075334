"""Filling what the greedy construction left short, by calls and one-step swaps (scheduler.solver.greedy).

Each missing reader goes, in order of need priority, to the cheapest reader who can take it without
breaking a rule (the open-shift ranking of scheduler.replan.candidates, which judges with the
checker's own rules). When nobody can, a swap is tried: a blocked reader gives up one of their other
shifts, which frees them for this one (a weekend, a per-type maximum, hours, rest...), and others
take over the sites of the shift they gave up. Every roster this produces breaks no rule the roster
it started from did not.
"""

from __future__ import annotations

import time

from scheduler.check import added_violations
from scheduler.instance import Instance, reader_instance
from scheduler.result import Assignment, Roster, Uncovered
from scheduler.rules import PER_READER_RULES
from scheduler.rules.base import RosterView
from scheduler.rules.coverage import shortfalls

MAX_SWAPS_TRIED = 400  # swap attempts per missing reader


def fill(inst: Instance, roster: Roster, uncovered: list[Uncovered], deadline: float) -> tuple[Roster, int]:
    """`roster` with as many of the `uncovered` readers called in as calls and swaps allow before
    `deadline` (a perf_counter instant); returns it and the readers added."""
    from scheduler.replan.candidates import open_shift, rank

    if not uncovered:
        return roster, 0
    by_id = inst.scenario.radiologist_by_id
    eligible = inst.eligible_readers
    added = 0

    def pool(site: str, i: int, sub: str | None) -> set[str]:
        return {r for r in eligible.get((site, i), ()) if sub is None or sub in by_id[r].subspecialties}

    def call(base: Roster, site: str, i: int, sub: str | None, exclude: set[str]) -> Roster | None:
        s = inst.shifts[i]
        ranked = rank(open_shift(inst, base, site, s.type_id, s.date), only=pool(site, i, sub) - exclude)
        pick = next((c for c in ranked if c.ok), None)
        return None if pick is None else _put(base, pick.reader, s.type_id, s.date, pick.sites)

    for u in sorted(uncovered, key=lambda u: (-u.priority, u.date, u.site, u.subspecialty or "")):
        i = inst.shift_by_key[(u.shift_type, u.date)].index
        for _ in range(u.missing):
            if time.perf_counter() >= deadline:
                return roster, added
            done = call(roster, u.site, i, u.subspecialty, set())
            if done is None:
                done = _swap(inst, roster, u.site, i, u.subspecialty, pool(u.site, i, u.subspecialty), call,
                             deadline)
            if done is None:
                break
            roster = done
            added += 1
    return roster, added


def _swap(inst: Instance, roster: Roster, site: str, i: int, sub: str | None, readers: set[str], call,
          deadline: float) -> Roster | None:
    """A reader of `readers` gives up another shift to take this one; others cover what they gave up."""
    from scheduler.replan.candidates import open_shift, rank

    shift = inst.shifts[i]
    ranked = rank(open_shift(inst, roster, site, shift.type_id, shift.date), only=readers)
    mine: dict[str, list[Assignment]] = {}
    for a in roster.assignments:
        mine.setdefault(a.reader, []).append(a)
    tried = 0
    for cand in sorted((c for c in ranked if not c.ok), key=lambda c: (len(c.violations), c.cost, c.reader)):
        rid = cand.reader
        # the shifts nearest this one first: they are the likeliest to be in its way
        for give in sorted(mine.get(rid, []), key=lambda a: (abs((a.date - shift.date).days), a.shift_type)):
            if (give.shift_type, give.date) == (shift.type_id, shift.date):
                continue
            tried += 1
            if tried > MAX_SWAPS_TRIED or time.perf_counter() >= deadline:
                return None
            freed = Roster(assignments=tuple(a for a in roster.assignments if a is not give))
            again = rank(open_shift(inst, freed, site, shift.type_id, shift.date), only={rid})
            if not again or not again[0].ok:
                continue
            out: Roster | None = _put(freed, rid, shift.type_id, shift.date, again[0].sites)
            j = inst.shift_by_key[(give.shift_type, give.date)].index
            for s in give.sites:  # others take over the sites given up
                demand = inst.demands[(s, j)]
                while out is not None:
                    covering = sorted({a.reader for a in out.assignments
                                       if (a.shift_type, a.date) == (give.shift_type, give.date) and s in a.sites})
                    subs, rest = shortfalls(inst, demand, covering)
                    short = next((x for x, n in subs.items() if n), None)
                    if short is None and not rest:
                        break
                    out = call(out, s, j, short, {rid})
                if out is None:
                    break
            if out is not None and _no_new_break(inst, roster, out, rid):
                return out
    return None


def _put(roster: Roster, rid: str, type_id: str, date, sites: tuple[str, ...]) -> Roster:
    """`roster` with `rid` working `type_id` on `date` at `sites` (replacing their assignment there)."""
    kept = tuple(a for a in roster.assignments if (a.reader, a.shift_type, a.date) != (rid, type_id, date))
    return Roster(assignments=(*kept, Assignment(reader=rid, shift_type=type_id, date=date,
                                                 sites=tuple(sorted(sites)))))


def _no_new_break(inst: Instance, before: Roster, after: Roster, rid: str) -> bool:
    """`rid` breaks no per-reader rule in `after` that they did not in `before` (giving a shift up
    may leave a minimum unmet, or a weekend half worked)."""
    local = reader_instance(inst, inst.scenario.radiologist_by_id[rid])

    def broken(roster: Roster) -> list:
        view = RosterView(local, Roster(assignments=tuple(a for a in roster.assignments if a.reader == rid)))
        return [v for m in PER_READER_RULES for v in m.check(view)]

    return not added_violations(broken(before), broken(after))
