"""Forbidden successions: pairs [a, b] in the rule set mean a shift of type a on one date may not
be followed by a shift of type b on the next date (history included)."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules import one_shift_per_day
from scheduler.rules.base import ModelVars, RosterView, day_of, fmt_day

NAME = "forbidden_succession"


def encode(v: ModelVars) -> None:
    """Per reader and date, shift types with the same set F of forbidden followers form a group G:
    sum of G on the date + sum of F on the next date <= 1. With at most one shift a day this is
    exactly "no a in G then b in F", in one constraint instead of |G| x |F| pairs. When the
    one-shift-a-day rule may itself be relaxed (explaining, or guarded), the pairs are used."""
    inst = v.inst
    grouped = not v.explain and one_shift_per_day.NAME not in v.guarded
    for r in inst.readers:
        pairs = set(v.rules(r).forbidden_successions)
        if not pairs:
            continue
        mine = {(s.type_id, s.day): v.x[(r.id, s.index)] for s in v.shifts_of[r.id]}
        mine.update({(s.type_id, s.day): 1 for s in inst.history.get(r.id, [])})
        if not grouped:
            for (t, d), first in mine.items():
                for a, b in pairs:
                    if a == t and (b, d + 1) in mine and d + 1 >= 0:
                        v.model.add(first + mine[(b, d + 1)] <= 1).only_enforce_if(v.enforce(NAME, r.id, d + 1))
            continue
        followers: dict[str, frozenset[str]] = {}
        for a, b in pairs:
            followers[a] = followers.get(a, frozenset()) | {b}
        groups: dict[frozenset[str], list[str]] = {}
        for a, bs in sorted(followers.items()):
            groups.setdefault(bs, []).append(a)
        days = sorted({d for _t, d in mine})
        for d in days:
            if d + 1 < 0:
                continue
            for bs, firsts in groups.items():
                before = [mine[(a, d)] for a in firsts if (a, d) in mine]
                after = [mine[(b, d + 1)] for b in sorted(bs) if (b, d + 1) in mine]
                if not (before and after):
                    continue
                lits = v.enforce(NAME, r.id, d + 1)
                if d < 0:  # history: worked (a constant), so none of F the next day
                    v.model.add(sum(after) == 0).only_enforce_if(lits)
                else:
                    v.model.add(sum(before) + sum(after) <= 1).only_enforce_if(lits)


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
                        NAME, f"{r.display} works {inst.shift_label(b)} on {fmt_day(inst, d + 1)} right after "
                        f"{inst.shift_label(a)} on {fmt_day(inst, d)}; this succession is forbidden",
                        r.id, day_of(inst, d + 1)))
    return out
