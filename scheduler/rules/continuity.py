"""Continuity: a site read by the same readers on consecutive nights. For each pair of consecutive
nights of one shift type that a site needs, each of the readers it needs on the second night who
did not also cover it on the first counts one change: max(0, required - readers kept). Extra
readers never reduce the count, so continuity cannot be bought with over-staffing."""

from __future__ import annotations

import datetime as dt

from scheduler.rules.base import ModelVars, RosterView

NAME = "continuity"


def night_pairs(inst):
    """(site, shift i, shift j): consecutive nights of one type that the site needs both of."""
    for (site, j), _ in inst.demands.items():
        sj = inst.shifts[j]
        if not sj.is_night:
            continue
        prev = inst.shift_by_key.get((sj.type_id, sj.date - dt.timedelta(days=1)))
        if prev is not None and (site, prev.index) in inst.demands:
            yield site, prev.index, j


def term(v: ModelVars):
    m = v.model
    terms = []
    for site, i, j in night_pairs(v.inst):
        required = v.inst.demands[(site, j)].required
        kept = []
        for r in v.inst.readers:
            before, now = v.y.get((r.id, i, site)), v.y.get((r.id, j, site))
            if before is None or now is None:
                continue
            both = m.new_bool_var(f"kept:{r.id}:{site}:{j}")
            m.add_multiplication_equality(both, [before, now])
            kept.append(both)
        changes = m.new_int_var(0, required, f"changes:{site}:{j}")
        m.add_max_equality(changes, [0, required - sum(kept)])
        terms.append(changes)
    return sum(terms)


def evaluate(view: RosterView) -> int:
    total = 0
    for site, i, j in night_pairs(view.inst):
        kept = set(view.covers.get((site, i), [])) & set(view.covers.get((site, j), []))
        total += max(0, view.inst.demands[(site, j)].required - len(kept))
    return total
