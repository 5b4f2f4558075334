"""Per-type limits: a reader works between `min` and `max` shifts of each limited type over the
horizon; the reader's own `shift_limits` override their rule set's."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView

NAME = "shift_limits"


def encode(v: ModelVars) -> None:
    inst = v.inst
    for r in inst.readers:
        for st in inst.scenario.shift_types:
            limit = inst.type_limit(r, st.id)
            if limit is None:
                continue
            count = sum(v.x[(r.id, s.index)] for s in v.shifts_of[r.id] if s.type_id == st.id)
            lits = v.enforce(NAME, r.id)
            if limit.min:
                v.model.add(count >= limit.min).only_enforce_if(lits)
            if limit.max is not None:
                v.model.add(count <= limit.max).only_enforce_if(lits)


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    out = []
    for r in inst.readers:
        for st in inst.scenario.shift_types:
            limit = inst.type_limit(r, st.id)
            if limit is None:
                continue
            count = sum(1 for s in view.shifts(r.id) if s.type_id == st.id)
            noun = inst.shifts_noun(st.id)
            if limit.min and count < limit.min:
                out.append(Violation(NAME, f"{r.display} works {count} {noun}; at least {limit.min} required",
                                     r.id, amount=limit.min - count))
            if limit.max is not None and count > limit.max:
                out.append(Violation(NAME, f"{r.display} works {count} {noun}; at most {limit.max} allowed",
                                     r.id, amount=count - limit.max))
    return out
