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
    for k, a in enumerate(ordered):
        limit = a.end + required_rest(rules, a)
        for b in ordered[k + 1 :]:
            if b.start >= limit:
                break  # the rest ordered by start: none of them starts within a's rest either
            yield a, b


def _pairs(rules: RuleSet, shifts: list[ShiftInstance], skip_same_day: bool) -> list[tuple[ShiftInstance, ...]]:
    """The conflicting pairs a model must forbid (two history shifts left out, and same-date pairs
    when one-shift-per-day already keeps them apart)."""
    return [(a, b) for a, b in conflicts(rules, shifts)
            if not (a.day < 0 and b.day < 0) and not (skip_same_day and a.day == b.day)]


def encode(v: ModelVars) -> None:
    inst = v.inst
    # two shifts starting on one date are already kept apart by one-shift-per-day, unless that rule
    # may be relaxed (explaining): leaving those pairs out keeps benchmark models with many
    # shift types a day small (every pair of them conflicts)
    same_day_covered = not (v.explain or one_shift_per_day.NAME in v.guarded)
    # readers with no history, the same rest rules and the same shifts share their pairs (every
    # staff member of a benchmark instance): computed once
    shared: dict[tuple, list] = {}
    for r in inst.readers:
        rules = v.rules(r)
        past = inst.history.get(r.id, [])
        mine = v.shifts_of[r.id]
        if past:
            pairs = _pairs(rules, past + mine, same_day_covered)
        else:
            key = (rules.min_rest_hours, rules.rest_after_night_hours, tuple(s.index for s in mine))
            if key not in shared:
                shared[key] = _pairs(rules, mine, same_day_covered)
            pairs = shared[key]
        for a, b in pairs:
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
