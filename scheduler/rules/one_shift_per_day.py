"""One shift per day: a reader starts at most one shift on any date (their working day)."""

from __future__ import annotations

from collections import Counter

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView, day_of, fmt_day

NAME = "one_shift_per_day"


def encode(v: ModelVars) -> None:
    for r in v.inst.readers:
        for day, shifts in v.inst.shifts_by_day.items():
            xs = [v.x[(r.id, s.index)] for s in shifts if (r.id, s.index) in v.x]
            if len(xs) > 1:
                v.model.add(sum(xs) <= 1).only_enforce_if(v.enforce(NAME, r.id, day))


def check(view: RosterView) -> list[Violation]:
    out = []
    for r in view.inst.readers:
        counts = Counter(s.day for s in view.shifts(r.id))
        for day, n in sorted(counts.items()):
            if n > 1:
                out.append(Violation(NAME, f"{r.display} has {n} shifts starting on {fmt_day(view.inst, day)}",
                                     r.id, day_of(view.inst, day), amount=n - 1))
    return out
