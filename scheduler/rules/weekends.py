"""Weekends: a reader works at most `max_weekends` weekends in the horizon (a weekend is worked
when a shift starts on its Saturday or Sunday), and with `complete_weekends` one who works a
Saturday also works the Sunday after it, and the other way round (weekends wholly inside the
horizon)."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView, day_of

NAME = "max_weekends"
COMPLETE = "complete_weekends"


def weekends(inst) -> list[tuple[int | None, int | None]]:
    """(saturday index, sunday index) for each weekend touching the horizon; None when outside."""
    n = len(inst.days)
    out = []
    for d, day in enumerate(inst.days):
        if day.weekday() == 5:
            out.append((d, d + 1 if d + 1 < n else None))
        elif day.weekday() == 6 and d == 0:
            out.append((None, 0))
    return out


def encode(v: ModelVars) -> None:
    m = v.model
    for r in v.inst.readers:
        rules = v.rules(r)
        worked = []
        for sat, sun in weekends(v.inst):
            days = [d for d in (sat, sun) if d is not None]
            if rules.max_weekends is not None:
                ww = m.new_bool_var(f"weekend:{r.id}:{days[0]}")
                for d in days:
                    m.add(ww >= v.works_day(r.id, d))
                worked.append(ww)
            if rules.complete_weekends and sat is not None and sun is not None:
                m.add(v.works_day(r.id, sat) == v.works_day(r.id, sun)).only_enforce_if(v.enforce(COMPLETE, r.id, sat))
        if rules.max_weekends is not None and len(worked) > rules.max_weekends:
            m.add(sum(worked) <= rules.max_weekends).only_enforce_if(v.enforce(NAME, r.id))


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    out = []
    for r in inst.readers:
        rules = view.rules(r)
        worked_days = view.worked_days(r.id)
        count = 0
        for sat, sun in weekends(inst):
            on = [d in worked_days for d in (sat, sun) if d is not None]
            count += any(on)
            if rules.complete_weekends and sat is not None and sun is not None and on[0] != on[1]:
                out.append(Violation(
                    COMPLETE, f"{r.display} works only one day of the weekend of {day_of(inst, sat)}; "
                    "both days or neither", r.id, day_of(inst, sat)))
        if rules.max_weekends is not None and count > rules.max_weekends:
            out.append(Violation(NAME, f"{r.display} works {count} weekends; at most {rules.max_weekends}",
                                 r.id, amount=count - rules.max_weekends))
    return out
