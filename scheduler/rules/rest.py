"""Rest between shifts, on the absolute clock: after a shift ends, the next may start only after
the rule set's `min_rest_hours`, or `rest_after_night_hours` when the first shift was a night.
Overlapping shifts are never allowed. History shifts before the horizon count."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from scheduler.instance import ShiftInstance
from scheduler.result import Violation
from scheduler.rules import one_shift_per_day
from scheduler.rules.base import ModelVars, RosterView
from scheduler.scenario import RuleSet

NAME = "rest"


def required_rest(rules: RuleSet, first: ShiftInstance) -> dt.timedelta:
    hours = rules.rest_after_night_hours if first.is_night else rules.min_rest_hours
    return dt.timedelta(hours=hours)


def conflicts(rules: RuleSet, shifts: list[ShiftInstance]):
    """Pairs (a, b), a starting no later than b, where b starts before a's end plus its rest."""
    ordered = sorted(shifts, key=lambda s: (s.start, s.index))
    longest = max((required_rest(rules, s) for s in ordered), default=dt.timedelta(0))
    for k, a in enumerate(ordered):
        limit = a.end + required_rest(rules, a)
        for b in ordered[k + 1 :]:
            if b.start >= a.end + longest + dt.timedelta(days=2):
                break
            if b.start < limit:
                yield a, b


def encode(v: ModelVars) -> None:
    inst = v.inst
    # two shifts starting on one date are already kept apart by one-shift-per-day, unless that rule
    # may be relaxed (explaining): leaving those pairs out keeps benchmark models with many
    # shift types a day small (every pair of them conflicts)
    same_day_covered = not (v.explain or one_shift_per_day.NAME in v.guarded)
    for r in inst.readers:
        rules = v.rules(r)
        past = inst.history.get(r.id, [])
        for a, b in conflicts(rules, past + v.shifts_of[r.id]):
            if a.day < 0 and b.day < 0:
                continue  # two history shifts: already worked, nothing to decide
            if same_day_covered and a.day == b.day:
                continue
            xa = v.x[(r.id, a.index)] if a.day >= 0 else 1
            xb = v.x[(r.id, b.index)] if b.day >= 0 else 1
            v.model.add(xa + xb <= 1).only_enforce_if(v.enforce(NAME, r.id, b.day))


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    out = []
    for r in inst.readers:
        rules = view.rules(r)
        for a, b in conflicts(rules, view.with_history(r.id)):
            if a.day < 0 and b.day < 0:
                continue
            gap_h = (b.start - a.end).total_seconds() / 3600
            need_h = required_rest(rules, a).total_seconds() / 3600
            ends = f"{a.end.astimezone(ZoneInfo(r.timezone)):%H:%M} ({r.timezone})"  # the reader's own clock
            what = (f"overlaps the {inst.describe_shift(a)}, which ends at {ends}" if gap_h < 0
                    else f"starts {gap_h:.1f} h after the {inst.describe_shift(a)} ends at {ends}")
            out.append(Violation(
                NAME,
                f"{r.display}: the {inst.describe_shift(b)} {what}; {need_h:g} h rest required",
                r.id, b.date, amount=round(need_h - gap_h, 2)))
    return out
