"""Continuity: a site read by the same reader on consecutive nights. Each reader who covers a site
on a night shift without having covered it the night before (same shift type, the site needing
both nights) counts one change."""

from __future__ import annotations

from scheduler.rules.base import ModelVars, RosterView

NAME = "continuity"


def night_pairs(inst):
    """(site, shift i, shift j): consecutive nights of one type that the site needs both of."""
    for (site, j), _ in inst.demands.items():
        sj = inst.shifts[j]
        if not sj.is_night:
            continue
        prev = inst.shift_by_key.get((sj.type_id, sj.date.fromordinal(sj.date.toordinal() - 1)))
        if prev is not None and (site, prev.index) in inst.demands:
            yield site, prev.index, j


def term(v: ModelVars):
    m = v.model
    terms = []
    for site, i, j in night_pairs(v.inst):
        for r in v.inst.readers:
            now = v.y.get((r.id, j, site))
            if now is None:
                continue
            before = v.y.get((r.id, i, site))
            if before is None:
                terms.append(now)
                continue
            new = m.new_bool_var(f"new:{r.id}:{site}:{j}")
            m.add_bool_and([now, before.Not()]).only_enforce_if(new)
            m.add_bool_or([now.Not(), before, new])
            terms.append(new)
    return sum(terms)


def evaluate(view: RosterView) -> int:
    total = 0
    for site, i, j in night_pairs(view.inst):
        before = set(view.covers.get((site, i), []))
        total += len(set(view.covers.get((site, j), [])) - before)
    return total
