"""What every rule module works with: the solver's variables and the checker's roster view.

A rule module holds side by side its configuration (in the scenario's RuleSet), `encode(v)` which
adds CP-SAT constraints (hard rules) or returns a penalty expression (soft terms), `check(view)`
which re-evaluates the rule on a concrete roster in plain Python, and a docstring that states the
rule for a coordinator. The checker side (RosterView) imports nothing from OR-Tools.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scheduler.instance import Instance, ShiftInstance, fmt_date, make_shift
from scheduler.result import Assignment, Roster
from scheduler.scenario import Radiologist, RuleSet

if TYPE_CHECKING:  # the solver side only; the checker never imports OR-Tools
    from ortools.sat.python import cp_model


@dataclass
class Worked:
    """One shift a reader works in a concrete roster: the instance and the sites covered."""

    shift: ShiftInstance
    sites: tuple[str, ...]


@dataclass
class RosterView:
    """A roster indexed for checking: per reader, their worked shifts in time order."""

    inst: Instance
    roster: Roster
    unknown: list[tuple[Assignment, str]] = field(default_factory=list)

    @cached_property
    def by_reader(self) -> dict[str, list[Worked]]:
        out: dict[str, list[Worked]] = {r.id: [] for r in self.inst.readers}
        scen = self.inst.scenario
        for a in self.roster.assignments:
            if a.reader not in scen.radiologist_by_id:
                self.unknown.append((a, f"unknown reader {a.reader!r}"))
                continue
            if a.shift_type not in scen.shift_type_by_id:
                self.unknown.append((a, f"unknown shift type {a.shift_type!r}"))
                continue
            shift = self.inst.shift_by_key.get((a.shift_type, a.date))
            if shift is None:
                shift = self._unscheduled_shift(a)
            out[a.reader].append(Worked(shift, tuple(a.sites)))
        for lst in out.values():
            lst.sort(key=lambda w: w.shift.start)
        return out

    def _unscheduled_shift(self, a: Assignment) -> ShiftInstance:
        """An instance no site needs (a manual edit, say): materialised so rest and hours still count."""
        scen = self.inst.scenario
        return make_shift(scen, scen.shift_type_by_id[a.shift_type], a.date, -1, self.inst.planning_holidays)

    def shifts(self, reader_id: str) -> list[ShiftInstance]:
        """The reader's shifts in the horizon, in time order."""
        return [w.shift for w in self.by_reader.get(reader_id, [])]

    def with_history(self, reader_id: str) -> list[ShiftInstance]:
        """History shifts then horizon shifts, in time order."""
        return sorted(self.inst.history.get(reader_id, []) + self.shifts(reader_id), key=lambda s: s.start)

    @cached_property
    def covers(self) -> dict[tuple[str, int], list[str]]:
        """(site, shift index) -> readers covering it."""
        out: dict[tuple[str, int], list[str]] = {}
        for rid, lst in self.by_reader.items():
            for w in lst:
                for site in w.sites:
                    out.setdefault((site, w.shift.index), []).append(rid)
        return out

    def worked_days(self, reader_id: str) -> set[int]:
        """Day indices (negative for history) on which the reader starts a shift."""
        return {s.day for s in self.with_history(reader_id)}

    def night_days(self, reader_id: str) -> set[int]:
        return {s.day for s in self.with_history(reader_id) if s.is_night}

    def rules(self, reader: Radiologist) -> RuleSet:
        return self.inst.scenario.rules_for(reader)


@dataclass
class ModelVars:
    """The CP-SAT model and its decision variables, shared by every rule's `encode`.

    x[(reader, shift)] is 1 when the reader works the shift instance; y[(reader, shift, site)] is
    1 when they cover that site in it. Only eligible pairs get variables, so eligibility is
    structural. Needs in `soft_needs` may stay short at a cost; the others must be met in full.
    In explain mode (and for rules in `guarded`) hard constraints are guarded by named
    enforcement literals, so a caller can assume them and ask CP-SAT which ones conflict.
    """

    model: cp_model.CpModel
    inst: Instance
    explain: bool = False
    soft_needs: frozenset[tuple[str, int]] | None = None  # None: every need soft
    guarded: frozenset[str] = frozenset()  # rules guarded by literals outside explain mode
    x: dict[tuple[str, int], Any] = field(default_factory=dict)
    y: dict[tuple[str, int, str], Any] = field(default_factory=dict)
    literals: dict[tuple[str, str | None, int | None], Any] = field(default_factory=dict)
    day_literals: dict[tuple[str, str, int], Any] = field(default_factory=dict)  # see _day_literal

    def enforce(self, rule: str, reader: str | None = None, day: int | None = None) -> list[Any]:
        """Enforcement literals for a hard constraint of `rule` (empty unless explaining or guarded)."""
        if not (self.explain or rule in self.guarded):
            return []
        key = (rule, reader, day)
        lit = self.literals.get(key)
        if lit is None:
            lit = self.model.new_bool_var(f"assume:{rule}:{reader}:{day}")
            self.literals[key] = lit
        return [lit]

    @cached_property
    def shifts_of(self) -> dict[str, list[ShiftInstance]]:
        """Per reader, the shift instances they could work (those with a variable), in time order."""
        out: dict[str, list[ShiftInstance]] = {r.id: [] for r in self.inst.readers}
        for rid, i in self.x:
            out[rid].append(self.inst.shifts[i])
        for lst in out.values():
            lst.sort(key=lambda s: s.start)
        return out

    def works_day(self, reader_id: str, day: int) -> Any:
        """1 when the reader starts a shift on `day` (a constant for history days)."""
        if day < 0:
            return int(any(s.day == day for s in self.inst.history.get(reader_id, [])))
        return self._day_literal("works", reader_id, day, nights=False)

    def nights_day(self, reader_id: str, day: int) -> Any:
        """1 when the reader starts a night shift on `day`."""
        if day < 0:
            return int(any(s.day == day and s.is_night for s in self.inst.history.get(reader_id, [])))
        return self._day_literal("nights", reader_id, day, nights=True)

    def _day_literal(self, kind: str, reader_id: str, day: int, nights: bool) -> Any:
        """One literal per reader and date for the rules that count days (runs, windows, weekends):
        a window then has one term per date, not one per shift type of the date (32 a day in the
        largest benchmark instances), and a date with two shifts (allowed only while explaining)
        still counts once, as the checker counts it."""
        key = (kind, reader_id, day)
        if key in self.day_literals:
            return self.day_literals[key]
        xs = [self.x[(reader_id, s.index)] for s in self.inst.shifts_by_day.get(day, [])
              if (not nights or s.is_night) and (reader_id, s.index) in self.x]
        if len(xs) <= 1:
            out = xs[0] if xs else 0
        else:
            from scheduler.rules import one_shift_per_day

            out = self.model.new_bool_var(f"{kind}:{reader_id}:{day}")
            if self.explain or one_shift_per_day.NAME in self.guarded:
                # one shift a date may be relaxed here: count the date once
                self.model.add_max_equality(out, xs)
            else:
                self.model.add(out == sum(xs))
        self.day_literals[key] = out
        return out

    def rules(self, reader: Radiologist) -> RuleSet:
        return self.inst.scenario.rules_for(reader)

    def need_is_hard(self, key: tuple[str, int]) -> bool:
        return self.soft_needs is not None and key not in self.soft_needs


def fmt_hours(minutes: float) -> str:
    return f"{minutes / 60:.1f} h"


def day_of(inst: Instance, day: int) -> dt.date:
    return inst.days[0] + dt.timedelta(days=day)


def fmt_day(inst: Instance, day: int) -> str:
    """A day index in words ('14 Jan 2026'), as messages name dates."""
    return fmt_date(day_of(inst, day))


def runs(days: set[int], lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal runs [first, last] of consecutive members of `days` within lo..hi."""
    out: list[tuple[int, int]] = []
    for d in range(lo, hi + 1):
        if d in days:
            if out and out[-1][1] == d - 1:
                out[-1] = (out[-1][0], d)
            else:
                out.append((d, d))
    return out


def history_reach(inst: Instance) -> int:
    """How many days before the horizon the history goes back (0 without history)."""
    days = [s.day for past in inst.history.values() for s in past]
    return -min(days) if days else 0
