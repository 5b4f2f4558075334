"""Working hours: at most `max_hours_rolling_7_days` in any 7 consecutive dates (shifts counted on
their start date, at their true DST length times their work fraction, history included), and
between `min_total_hours` and `max_total_hours` over the horizon."""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView, day_of, fmt_day

NAME = "max_hours_rolling_7_days"
TOTAL = "total_hours"


def _minutes_by_day(shifts) -> dict[int, int]:
    out: dict[int, int] = {}
    for s in shifts:
        out[s.day] = out.get(s.day, 0) + s.work_minutes
    return out


def encode(v: ModelVars) -> None:
    inst = v.inst
    n = len(inst.days)
    for r in inst.readers:
        rules = v.rules(r)
        mine = v.shifts_of[r.id]
        past = _minutes_by_day(inst.history.get(r.id, []))
        if rules.max_hours_rolling_7_days is not None:
            cap = round(rules.max_hours_rolling_7_days * 60)
            for start in range(-6, max(n - 6, 1)):
                terms = [s.work_minutes * v.x[(r.id, s.index)] for s in mine if start <= s.day <= start + 6]
                fixed = sum(m for d, m in past.items() if start <= d <= start + 6)
                if terms and sum(s.work_minutes for s in mine if start <= s.day <= start + 6) + fixed > cap:
                    lits = v.enforce(NAME, r.id, start + 6)
                    if fixed > cap:  # history alone is over: only working in the window breaks the rule
                        xs = [v.x[(r.id, s.index)] for s in mine if start <= s.day <= start + 6]
                        v.model.add(sum(xs) == 0).only_enforce_if(lits)
                    else:
                        v.model.add(sum(terms) + fixed <= cap).only_enforce_if(lits)
        total = sum(s.work_minutes * v.x[(r.id, s.index)] for s in mine)
        if rules.min_total_hours is not None:
            v.model.add(total >= round(rules.min_total_hours * 60)).only_enforce_if(v.enforce(TOTAL, r.id))
        if rules.max_total_hours is not None:
            v.model.add(total <= round(rules.max_total_hours * 60)).only_enforce_if(v.enforce(TOTAL, r.id))


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    n = len(inst.days)
    out = []
    for r in inst.readers:
        rules = view.rules(r)
        by_day = _minutes_by_day(view.with_history(r.id))
        if rules.max_hours_rolling_7_days is not None:
            cap = round(rules.max_hours_rolling_7_days * 60)
            for start in range(-6, max(n - 6, 1)):
                minutes = sum(m for d, m in by_day.items() if start <= d <= start + 6)
                if minutes > cap and any(max(0, start) <= d <= start + 6 for d in by_day):
                    out.append(Violation(
                        NAME, f"{r.display} works {minutes / 60:.1f} h in the 7 days {fmt_day(inst, start)} to "
                        f"{fmt_day(inst, start + 6)}; at most {rules.max_hours_rolling_7_days:g} h",
                        r.id, day_of(inst, start + 6), amount=round((minutes - cap) / 60, 2)))
        total = sum(s.work_minutes for s in view.shifts(r.id))
        lo, hi = rules.min_total_hours, rules.max_total_hours
        if lo is not None and total < round(lo * 60):
            out.append(Violation(TOTAL, f"{r.display} works {total / 60:.1f} h; at least {lo:g} h required",
                                 r.id, amount=round(lo - total / 60, 2)))
        if hi is not None and total > round(hi * 60):
            out.append(Violation(TOTAL, f"{r.display} works {total / 60:.1f} h; at most {hi:g} h allowed",
                                 r.id, amount=round(total / 60 - hi, 2)))
    return out
