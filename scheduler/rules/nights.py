"""Night blocks: at most `max_consecutive_nights` nights in a row, and after the last night of a
block no shift may start on the next `min_days_off_after_nights` dates. History counts."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView, day_of, fmt_day, runs

NAME = "max_consecutive_nights"
OFF = "days_off_after_nights"


def encode(v: ModelVars) -> None:
    n = len(v.inst.days)
    for r in v.inst.readers:
        rules = v.rules(r)
        k = rules.max_consecutive_nights
        reach = max((-s.day for s in v.inst.history.get(r.id, [])), default=0)
        if k is not None and k < n + reach:  # history nights count: a block may start before the horizon
            for start in range(-k, n - k):
                window = [v.nights_day(r.id, d) for d in range(start, start + k + 1)]
                v.model.add(sum(window) <= k).only_enforce_if(v.enforce(NAME, r.id, start + k))
        m = rules.min_days_off_after_nights
        for d in range(-m, n - 1):
            for j in range(1, m + 1):
                if 0 <= d + j < n:
                    expr = v.nights_day(r.id, d) - v.nights_day(r.id, d + 1) + v.works_day(r.id, d + j)
                    v.model.add(expr <= 1).only_enforce_if(v.enforce(OFF, r.id, d + j))


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    n = len(inst.days)
    out = []
    for r in inst.readers:
        rules = view.rules(r)
        nights = view.night_days(r.id)
        worked = view.worked_days(r.id)
        k = rules.max_consecutive_nights
        if k is not None:
            for first, last in runs(nights, -k - 1, n - 1):
                length = last - first + 1
                if length > k and last >= 0:
                    out.append(Violation(
                        NAME, f"{r.display} works {length} nights in a row ending {fmt_day(inst, last)}; "
                        f"at most {k} allowed", r.id, day_of(inst, last), amount=length - k))
        m = rules.min_days_off_after_nights
        for d in sorted(nights):
            if d + 1 in nights or d + 1 >= n:
                continue
            for j in range(1, m + 1):
                if 0 <= d + j < n and d + j in worked:
                    out.append(Violation(
                        OFF, f"{r.display} works on {fmt_day(inst, d + j)}, {j} day(s) after a block of nights "
                        f"ending the night of {fmt_day(inst, d)}; {m} day(s) off required",
                        r.id, day_of(inst, d + j)))
    return out
