"""Maximum consecutive working days: a reader starts shifts on at most `max_consecutive_days`
dates in a row, counting history days just before the horizon."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView, day_of, fmt_day, runs

NAME = "max_consecutive_days"


def encode(v: ModelVars) -> None:
    n = len(v.inst.days)
    for r in v.inst.readers:
        k = v.rules(r).max_consecutive_days
        reach = max((-s.day for s in v.inst.history.get(r.id, [])), default=0)
        if k is None or k >= n + reach:  # history days count: a run may start before the horizon
            continue
        for start in range(-k, n - k):
            window = [v.works_day(r.id, d) for d in range(start, start + k + 1)]
            v.model.add(sum(window) <= k).only_enforce_if(v.enforce(NAME, r.id, start + k))


def check(view: RosterView) -> list[Violation]:
    n = len(view.inst.days)
    out = []
    for r in view.inst.readers:
        k = view.rules(r).max_consecutive_days
        if k is None:
            continue
        for first, last in runs(view.worked_days(r.id), -k - 1, n - 1):
            length = last - first + 1
            if length > k and last >= 0:
                out.append(Violation(
                    NAME, f"{r.display} works {length} days in a row ({fmt_day(view.inst, first)} to "
                    f"{fmt_day(view.inst, last)}); at most {k} allowed", r.id, day_of(view.inst, last),
                    amount=length - k))
    return out
