"""Forbidden successions: pairs [a, b] in the rule set mean a shift of type a on one date may not
be followed by a shift of type b on the next date (history included)."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView, day_of

NAME = "forbidden_succession"


def encode(v: ModelVars) -> None:
    inst = v.inst
    for r in inst.readers:
        pairs = set(v.rules(r).forbidden_successions)
        if not pairs:
            continue
        mine = {(s.type_id, s.day): v.x[(r.id, s.index)] for s in v.shifts_of[r.id]}
        mine.update({(s.type_id, s.day): 1 for s in inst.history.get(r.id, [])})
        for (t, d), first in mine.items():
            for a, b in pairs:
                if a == t and (b, d + 1) in mine and d + 1 >= 0:
                    v.model.add(first + mine[(b, d + 1)] <= 1).only_enforce_if(v.enforce(NAME, r.id, d + 1))


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    out = []
    for r in inst.readers:
        pairs = set(view.rules(r).forbidden_successions)
        worked = {(s.type_id, s.day) for s in view.with_history(r.id)}
        for a, b in sorted(pairs):
            for t, d in sorted(worked):
                if t == a and (b, d + 1) in worked and d + 1 >= 0:
                    out.append(Violation(
                        NAME, f"{r.display} works {inst.shift_label(b)} on {day_of(inst, d + 1)} right after "
                        f"{inst.shift_label(a)} on {day_of(inst, d)}; this succession is forbidden",
                        r.id, day_of(inst, d + 1)))
    return out
