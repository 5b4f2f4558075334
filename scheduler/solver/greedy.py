"""A greedy roster built from the Instance: the default hint and fallback of every solve.

Date by date, each date's shifts are staffed by a weighted set cover (scheduler.solver.greedy_cover)
over the readers who may still take them without breaking a rule: eligibility, one shift a date,
rest after every shift (history included), maximum runs of days and nights, days off after a block
of nights, hours in any 7 days and in the horizon, weekends (their number, and a Sunday only after
the Saturday when weekends are complete), per-type maxima, forbidden successions, and the minimum
run of days off. Readers below a per-type minimum come first; then those furthest below their FTE
share of burden points and hours (history included), those with less of their month used, those
who asked for the shift, and readers carrying on a block of nights or a run they must lengthen.

What a date-by-date construction cannot promise (minimum runs of working days, complete weekends
it could not finish, minimum hours or shift counts) is settled by the independent checker: the
assignments its violations name are dropped, repeatedly, until it finds none (a need may then be
left short: the roster is a hint). Only minimums that dropping cannot reach may remain, when no
roster of this construction meets them; `GreedyResult.report` says so.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from scheduler.check import check
from scheduler.instance import Instance, ShiftInstance
from scheduler.result import Assignment, CheckReport, Roster, Violation
from scheduler.rules import hours, runs, shift_limits, weekends
from scheduler.rules.share import fte_weights
from scheduler.scenario import RuleSet
from scheduler.solver.greedy_cover import cover_date
from scheduler.solver.greedy_repair import fill

MAX_CLEANUP_ROUNDS = 50
REST_LOOKBACK_DAYS = 7  # rest is at most 72 h and a shift at most 48 h: older shifts cannot clash


@dataclass
class GreedyResult:
    """The greedy roster, the reader slots it leaves unfilled, and the checker's report on it."""

    roster: Roster
    unfilled: int  # reader slots missing, counted as the checker counts them
    report: CheckReport
    dropped: int  # assignments dropped to clear the checker's violations
    seconds: float
    check_s: float = 0.0  # one check of the roster: what checking a final roster will cost

    @property
    def ok(self) -> bool:
        """True when the roster breaks no hard rule (a fallback as well as a hint)."""
        return not self.report.violations


@dataclass
class _Booked:
    """What a reader works so far (history included)."""

    spans: list[tuple[int, dt.datetime, dt.datetime, bool]] = field(default_factory=list)  # day, start, end, night
    days: set[int] = field(default_factory=set)
    nights: set[int] = field(default_factory=set)
    types_on: dict[int, set[str]] = field(default_factory=dict)  # day -> shift types started
    minutes_by_day: Counter = field(default_factory=Counter)
    weekends: set[int] = field(default_factory=set)
    per_type: Counter = field(default_factory=Counter)
    minutes: int = 0  # in the horizon
    shifts: int = 0  # in the horizon
    last: int = -1  # the last horizon day worked
    burden: int = 0  # history included
    work: int = 0  # minutes, history included

    def book(self, s: ShiftInstance, saturday_of: int | None) -> None:
        self.spans.append((s.day, s.start, s.end, s.is_night))
        self.days.add(s.day)
        if s.is_night:
            self.nights.add(s.day)
        self.types_on.setdefault(s.day, set()).add(s.type_id)
        self.minutes_by_day[s.day] += s.work_minutes
        if s.day >= 0:
            self.minutes += s.work_minutes
            self.shifts += 1
            self.per_type[s.type_id] += 1
            self.last = max(self.last, s.day)
            self.burden += s.burden
            self.work += s.work_minutes
            if saturday_of is not None:
                self.weekends.add(saturday_of)


class _Builder:
    """The rule checks and preferences of the construction, over the readers' bookings."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        scen = inst.scenario
        self.n = len(inst.days)
        self.rules: dict[str, RuleSet] = {r.id: scen.rules_for(r) for r in inst.readers}
        self.subs = {r.id: frozenset(r.subspecialties) for r in inst.readers}
        self.by_id = scen.radiologist_by_id
        self.limit = {(r.id, t): inst.type_limit(r, t) for r in inst.readers for t in scen.shift_type_by_id}
        self.booked = {r.id: _Booked(burden=r.history.burden_points, work=round(r.history.work_hours * 60))
                       for r in inst.readers}
        self.saturday: dict[int, int] = {}  # day -> the index of its weekend (its Saturday, maybe -1)
        for sat, sun in weekends.weekends(inst):
            for d in (sat, sun):
                if d is not None:
                    self.saturday[d] = sun - 1 if sat is None else sat
        for rid, past in inst.history.items():
            for s in past:
                self.booked[rid].book(s, None)
        for b in self.booked.values():
            b.spans.sort(key=lambda x: x[1])
        self.before: dict[str, dict[str, frozenset[str]]] = {}  # reader -> type b -> types a that may not precede it
        for rid, rs in self.rules.items():
            pairs: dict[str, set[str]] = {}
            for a, b in rs.forbidden_successions:
                pairs.setdefault(b, set()).add(a)
            self.before[rid] = {b: frozenset(a) for b, a in pairs.items()}
        self.wants: dict[tuple[str, int], list[tuple[str | None, str, int]]] = {}  # (reader, day) -> requests
        for r in inst.readers:
            for req in r.requests:
                for d in req.dates:
                    k = (d - inst.days[0]).days
                    if 0 <= k < self.n:
                        self.wants.setdefault((r.id, k), []).append((req.shift_type, req.kind, req.weight))
        # months: how much of their month each reader has used (to keep capped readers for later)
        types = scen.shift_type_by_id
        self.budget: dict[str, float] = {}
        for r in inst.readers:
            caps = [lim.max for t in types if (lim := self.limit[(r.id, t)]) and lim.max is not None]
            total = self.rules[r.id].max_total_hours
            self.budget[r.id] = min([self.n, *([sum(caps)] if len(caps) == len(types) else []),
                                     *([total / 10] if total else [])])
        # fairness: FTE shares of burden points and hours, as the objective counts them
        self.fte, self.fte_sum = fte_weights(inst)
        self.total_burden = sum(b.burden for b in self.booked.values())
        self.total_work = sum(b.work for b in self.booked.values())
        shifts = inst.shifts or []
        self.unit_burden = max(1.0, sum(s.burden for s in shifts) / max(1, len(shifts)))
        self.unit_work = max(60.0, sum(s.work_minutes for s in shifts) / max(1, len(shifts)))
        w = scen.objective
        cost_b = w.fairness * 10 * self.unit_burden  # a shift's worth of burden off the share, in objective units
        cost_h = w.workload * self.unit_work / 6  # a shift's worth of hours off the share
        self.mix = (cost_b / (cost_b + cost_h)) if cost_b + cost_h > 0 else None
        self.previous_sites: dict[tuple[str, int], set[str]] = {}  # (reader, day) -> sites read on a night
        self._dates: dict[tuple[str, int], tuple[bool, bool, float]] = {}
        self.rest = {rid: (dt.timedelta(hours=rs.min_rest_hours), dt.timedelta(hours=rs.rest_after_night_hours))
                     for rid, rs in self.rules.items()}

    # ---- rules -------------------------------------------------------------------------------------
    def can(self, rid: str, i: int) -> bool:
        """Taking shift `i` keeps every rule the construction checks, given what `rid` works so far."""
        s = self.inst.shifts[i]
        b, rs, day = self.booked[rid], self.rules[rid], s.day
        day_ok, night_ok, room = self._date(rid, day)
        if not (night_ok if s.is_night else day_ok) or s.work_minutes > room:
            return False
        lim = self.limit[(rid, s.type_id)]
        if lim is not None and lim.max is not None and b.per_type[s.type_id] >= lim.max:
            return False
        if rs.max_total_hours is not None and b.minutes + s.work_minutes > round(rs.max_total_hours * 60):
            return False
        banned = self.before[rid].get(s.type_id)
        if banned and not banned.isdisjoint(b.types_on.get(day - 1, ())):
            return False  # a forbidden succession
        rest_day, rest_night = self.rest[rid]
        rest_new = rest_night if s.is_night else rest_day
        for d0, s0, e0, night0 in reversed(b.spans):
            if d0 < day - REST_LOOKBACK_DAYS:
                break
            if s0 <= s.start:
                if s.start < e0 + (rest_night if night0 else rest_day):
                    return False
            elif s0 < s.end + rest_new:
                return False
        return True

    def start_date(self) -> None:
        """Forget the per-date verdicts of the date before (its bookings changed them)."""
        self._dates.clear()

    def _date(self, rid: str, day: int) -> tuple[bool, bool, float]:
        """What does not depend on the shift, once per reader and date: may they start a shift other
        than a night, may they start a night, and the minutes left in their fullest 7-day window."""
        hit = self._dates.get((rid, day))
        if hit is not None:
            return hit
        b, rs = self.booked[rid], self.rules[rid]
        ok = day not in b.days
        if ok and rs.max_consecutive_days is not None:
            ok = _run_before(b.days, day) + 1 <= rs.max_consecutive_days
        wk = self.saturday.get(day)
        if ok and rs.max_weekends is not None and wk is not None and wk not in b.weekends:
            ok = len(b.weekends) < rs.max_weekends
        if ok and rs.complete_weekends and wk is not None and day == wk + 1 and wk >= 0:
            ok = wk in b.days  # a Sunday only after its Saturday
        k_off = rs.min_consecutive_days_off
        if ok and k_off and 0 <= b.last < day - 1:
            ok = day - 1 - b.last >= k_off  # a run of days off no shorter than the minimum
        day_ok = night_ok = ok
        for j in range(1, rs.min_days_off_after_nights + 1):  # days off after a block of nights
            d0 = day - j
            if d0 in b.nights and d0 + 1 not in b.nights:
                day_ok = False
                night_ok = night_ok and d0 + 1 == day  # a night carries the block on
        if night_ok and rs.max_consecutive_nights is not None:
            night_ok = _run_before(b.nights, day) + 1 <= rs.max_consecutive_nights
        room = math.inf
        if rs.max_hours_rolling_7_days is not None:
            by_day = b.minutes_by_day
            week = [by_day.get(x, 0) for x in range(day - 6, day + 7)]
            room = round(rs.max_hours_rolling_7_days * 60) - max(sum(week[k:k + 7]) for k in range(7))
        out = self._dates[(rid, day)] = (day_ok, night_ok, room)
        return out

    def capacity(self, rid: str, i: int) -> int:
        return self.inst.capacity(self.by_id[rid], self.inst.shifts[i])

    # ---- preferences ---------------------------------------------------------------------------------
    def weight(self, rid: str, i: int) -> float:
        """How much the construction prefers `rid` on shift `i` (1 neutral)."""
        s = self.inst.shifts[i]
        b, rs, day = self.booked[rid], self.rules[rid], s.day
        lim = self.limit[(rid, s.type_id)]
        if lim is not None and lim.min is not None and b.per_type[s.type_id] < lim.min:
            return 4.0  # below a per-type minimum: first
        w = 1 - 0.3 * min(1.0, b.shifts / max(1.0, self.budget[rid]))  # spread the month's work a little
        if rs.min_total_hours is not None and b.minutes < round(rs.min_total_hours * 60):
            w *= 2.0
        if s.is_night and day - 1 in b.nights and rs.min_days_off_after_nights > 1:
            w *= 1.5  # carry on a block of nights: stopping it costs the days off after it
        wk = self.saturday.get(day)
        if wk is not None:
            if rs.complete_weekends and day == wk + 1 and wk in b.days:
                w *= 4.0  # the Sunday after a Saturday worked, or the Saturday is lost
            elif rs.max_weekends:
                w *= 1.3 if wk in b.weekends else 1 - 0.3 * len(b.weekends) / rs.max_weekends
        k = rs.min_consecutive_days
        if k and day - 1 in b.days and day - 1 >= 0:
            run = _run_before(b.days, day)
            if run < k and day - run > 0:
                w *= 3.0  # lengthen a run still shorter than the minimum
        for type_id, kind, weight in self.wants.get((rid, day), ()):
            if type_id is None or type_id == s.type_id:
                w *= (1 + 0.25 * min(weight, 4)) if kind == "want" else max(0.2, 1 - 0.2 * weight)
        return w * self._fairness(rid)

    def _fairness(self, rid: str) -> float:
        """Above 1 for a reader below their FTE share of burden and hours so far, below 1 above it."""
        if self.mix is None or not self.fte_sum:
            return 1.0
        b, f = self.booked[rid], self.fte.get(rid, 0) / self.fte_sum
        below_b = (f * self.total_burden - b.burden) / self.unit_burden
        below_h = (f * self.total_work - b.work) / self.unit_work
        return 1 + 0.5 * math.tanh((self.mix * below_b + (1 - self.mix) * below_h) / 2)

    def kept(self, rid: str, i: int) -> set[str]:
        """The sites the reader read the night before, on a night (continuity)."""
        s = self.inst.shifts[i]
        return self.previous_sites.get((rid, s.day - 1), set()) if s.is_night else set()

    def book(self, rid: str, i: int, sites: list[str]) -> None:
        s = self.inst.shifts[i]
        b = self.booked[rid]
        burden0, work0 = b.burden, b.work
        b.book(s, self.saturday.get(s.day))
        self.total_burden += b.burden - burden0
        self.total_work += b.work - work0
        if s.is_night:
            self.previous_sites[(rid, s.day)] = set(sites)


def _run_before(days: set[int], day: int) -> int:
    """How many days in a row right before `day` are in `days`."""
    k = 0
    while day - 1 - k in days:
        k += 1
    return k


def construct(inst: Instance, stop: threading.Event | None = None) -> tuple[Roster, int]:
    """The date-by-date construction alone: the roster and the reader slots its cover left open
    (the dates before `stop` was set, when it is)."""
    builder = _Builder(inst)
    eligible = inst.eligible_readers
    assignments: list[Assignment] = []
    unfilled = 0
    for day in range(len(inst.days)):
        if stop is not None and stop.is_set():
            break
        shifts = inst.shifts_by_day.get(day, [])
        groups = {s.index: [(d, eligible.get((d.site, s.index), ())) for d in inst.demands_by_shift[s.index]]
                  for s in shifts}
        groups = {i: items for i, items in groups.items() if items}
        if not groups:
            continue
        builder.start_date()
        cover = cover_date(groups, builder.subs, builder.capacity, builder.can, builder.weight, builder.kept)
        unfilled += cover.open_slots
        for rid, (i, sites) in sorted(cover.called.items()):
            builder.book(rid, i, sites)
            s = inst.shifts[i]
            assignments.append(Assignment(reader=rid, shift_type=s.type_id, date=s.date, sites=tuple(sorted(sites))))
    return Roster(assignments=tuple(assignments)), unfilled


def greedy_roster(inst: Instance, repair_s: float = 2.0, stop: threading.Event | None = None) -> GreedyResult:
    """Build the greedy roster of `inst`, drop what the checker finds against the rules, then fill
    what is short by calls and swaps for at most `repair_s` seconds (see the module docstring).
    Once `stop` is set, no further date is staffed and nothing is filled."""
    t0 = time.perf_counter()
    roster, _open = construct(inst, stop)
    t_check = time.perf_counter()
    report = check(inst, roster)
    check_s = time.perf_counter() - t_check
    roster, report, dropped = _clean(inst, roster, report)
    if report.uncovered and repair_s > 0 and not (stop is not None and stop.is_set()):
        roster, added = fill(inst, roster, report.uncovered, time.perf_counter() + repair_s)
        if added:
            roster = roster.sorted()
            roster, report, more = _clean(inst, roster, check(inst, roster))
            dropped += more
    unfilled = sum(u.missing for u in report.uncovered)
    return GreedyResult(roster, unfilled, report, dropped, time.perf_counter() - t0, check_s)


def _clean(inst: Instance, roster: Roster, report: CheckReport) -> tuple[Roster, CheckReport, int]:
    """Drop the assignments the checker's violations (`report`, on `roster`) name until it finds
    none (or none can go)."""
    dropped = 0
    for _ in range(MAX_CLEANUP_ROUNDS):
        if not report.violations:
            break
        drop = _to_drop(inst, roster, report.violations)
        if not drop:
            break  # only minimums no dropping reaches are left
        roster = Roster(assignments=tuple(a for a in roster.assignments if (a.reader, a.date) not in drop))
        dropped += len(drop)
        report = check(inst, roster)
    return roster, report, dropped


def _to_drop(inst: Instance, roster: Roster, violations: list[Violation]) -> set[tuple[str, dt.date]]:
    """(reader, date) of the assignments to drop so that these violations go (none for a minimum
    that only more work could meet)."""
    mine: dict[str, list[Assignment]] = {}
    for a in roster.assignments:
        mine.setdefault(a.reader, []).append(a)
    for lst in mine.values():
        lst.sort(key=lambda a: a.date)
    scen = inst.scenario
    out: set[tuple[str, dt.date]] = set()
    for v in violations:
        worked = mine.get(v.reader or "", [])
        dates = {a.date for a in worked}
        if v.reader is None:
            if v.site is not None and v.date is not None:  # a staffing cap: the last reader over it goes
                over = [a for lst in mine.values() for a in lst if a.date == v.date and v.site in a.sites]
                out |= {(a.reader, a.date) for a in sorted(over, key=lambda a: a.reader)[-max(1, int(v.amount)):]}
            continue
        rules = scen.rules_for(scen.radiologist_by_id[v.reader])
        if v.rule in (runs.NAME, runs.OFF) and v.date is not None:
            k = rules.min_consecutive_days if v.rule == runs.NAME else rules.min_consecutive_days_off
            length = (k or 0) - int(v.amount)
            span = [v.date + dt.timedelta(days=j) for j in range(length)]
            if v.rule == runs.NAME:  # the short run of working days goes
                out |= {(v.reader, d) for d in span if d in dates}
            else:  # the shorter of the working runs around the short run of days off goes
                before = _run_of(dates, v.date - dt.timedelta(days=1), -1)
                after = _run_of(dates, v.date + dt.timedelta(days=length), 1)
                pick = min((r for r in (before, after) if r), key=len, default=[])
                out |= {(v.reader, d) for d in pick}
        elif v.rule == weekends.COMPLETE and v.date is not None:
            out |= {(v.reader, d) for d in (v.date, v.date + dt.timedelta(days=1)) if d in dates}
        elif v.rule == weekends.NAME:
            sat = max((inst.days[0] + dt.timedelta(days=k) for d in dates
                       if (k := _saturday(inst, d)) is not None), default=None)
            if sat is not None:
                out |= {(v.reader, d) for d in (sat, sat + dt.timedelta(days=1)) if d in dates}
        elif v.rule == hours.TOTAL:
            total = sum(inst.shift_by_key[(a.shift_type, a.date)].work_minutes for a in worked
                        if (a.shift_type, a.date) in inst.shift_by_key)
            if rules.max_total_hours is not None and total > round(rules.max_total_hours * 60) and worked:
                out.add((v.reader, worked[-1].date))
        elif v.rule == shift_limits.NAME:
            r = scen.radiologist_by_id[v.reader]
            for st in scen.shift_types:
                limit = inst.type_limit(r, st.id)
                of_type = [a for a in worked if a.shift_type == st.id]
                if limit is not None and limit.max is not None and len(of_type) > limit.max:
                    out |= {(v.reader, a.date) for a in of_type[limit.max:]}
        elif v.date is not None:
            if v.date in dates:
                out.add((v.reader, v.date))
            else:  # a window rule dated at its end (hours in 7 days): the reader's last shift in it
                last = [d for d in dates if v.date - dt.timedelta(days=6) <= d <= v.date]
                if last:
                    out.add((v.reader, max(last)))
        elif worked:
            out.add((v.reader, worked[-1].date))  # an undated rule not known here: the latest shift goes
    return out


def _run_of(dates: set[dt.date], start: dt.date, step: int) -> list[dt.date]:
    """The run of consecutive members of `dates` from `start` going `step` (+1 or -1) days."""
    out, d = [], start
    while d in dates:
        out.append(d)
        d += dt.timedelta(days=step)
    return out


def _saturday(inst: Instance, day: dt.date) -> int | None:
    """The day index of the Saturday of the weekend `day` falls in (None on weekdays)."""
    if day.weekday() < 5:
        return None
    return (day - inst.days[0]).days - (day.weekday() - 5)
