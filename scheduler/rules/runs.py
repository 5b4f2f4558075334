"""Minimum run lengths: a run of working dates lasts at least `min_consecutive_days`, and a run of
days off at least `min_consecutive_days_off`. Runs touching the horizon start or end are exempt,
since they may continue in the neighbouring period."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView, day_of, fmt_day, runs

NAME = "min_consecutive_days"
OFF = "min_consecutive_days_off"


def encode(v: ModelVars) -> None:
    n = len(v.inst.days)
    for r in v.inst.readers:
        rules = v.rules(r)
        w = [v.works_day(r.id, d) for d in range(n)]
        for k, name, sign in ((rules.min_consecutive_days, NAME, 1), (rules.min_consecutive_days_off, OFF, -1)):
            if not k or k < 2:
                continue
            for length in range(1, k):
                for d in range(1, n - length):
                    inside = sum(w[d : d + length])
                    # forbid: border day d-1 and d+length in the other state, `length` days inside
                    if sign == 1:
                        expr, rhs = inside - w[d - 1] - w[d + length], length - 1
                    else:
                        expr, rhs = w[d - 1] + w[d + length] - inside, 1
                    v.model.add(expr <= rhs).only_enforce_if(v.enforce(name, r.id, d))


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    n = len(inst.days)
    out = []
    for r in inst.readers:
        rules = view.rules(r)
        worked = {d for d in view.worked_days(r.id) if 0 <= d < n}
        off = set(range(n)) - worked
        for k, name, days, what in ((rules.min_consecutive_days, NAME, worked, "working days"),
                                     (rules.min_consecutive_days_off, OFF, off, "days off")):
            if not k:
                continue
            for first, last in runs(days, 0, n - 1):
                length = last - first + 1
                if length < k and first > 0 and last < n - 1:
                    out.append(Violation(
                        name, f"{r.display} has a run of {length} {what} ({fmt_day(inst, first)} to "
                        f"{fmt_day(inst, last)}); at least {k} required", r.id, day_of(inst, first),
                        amount=k - length))
    return out
