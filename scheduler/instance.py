"""The scenario materialised into facts shared by the solver and the checker.

Every shift instance becomes an absolute UTC interval (DST handled here, once); every site's need
on every shift instance becomes a Demand; the eligibility table says which sites each reader may
cover on each shift instance, and `ineligibility_reasons` says why not, in words.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from scheduler.scenario import (
    CoverageNeed,
    Limit,
    Radiologist,
    Scenario,
    ShiftKind,
    ShiftType,
    Site,
    day_matches,
)

UTC = dt.UTC
FTE_UNITS = 100  # FTE is counted in hundredths


def shift_interval(
    shift_type: ShiftType, day: dt.date, tz: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """The UTC start and end of `shift_type` starting on local date `day` (DST-correct).

    A local time skipped by a spring-forward jump is read with the offset before the jump (02:15
    becomes 03:15); a shift lying wholly inside the gap has zero length, never a negative one.
    """
    start = dt.datetime.combine(day, shift_type.start, tzinfo=tz).astimezone(UTC)
    end_day = day + dt.timedelta(days=1) if shift_type.crosses_midnight else day
    end = dt.datetime.combine(end_day, shift_type.end, tzinfo=tz).astimezone(UTC)
    return start, max(start, end)


@dataclass(frozen=True)
class ShiftInstance:
    """One shift type on one date, as an absolute interval. It belongs to the date it starts on."""

    index: int
    type_id: str
    kind: ShiftKind
    date: dt.date
    day: int  # days from the horizon start (negative for history)
    start: dt.datetime
    end: dt.datetime
    work_minutes: int
    burden: int
    is_weekend: bool
    is_holiday: bool

    @property
    def key(self) -> str:
        return f"{self.type_id}@{self.date.isoformat()}"

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_night(self) -> bool:
        return self.kind is ShiftKind.night


@dataclass(frozen=True)
class Demand:
    """What one site needs on one shift instance (its active needs added up)."""

    site: str
    shift: int
    required: int
    required_by_subspecialty: dict[str, int]
    max_readers: int
    studies: float
    priority: int = 1  # weight of each missing reader (the needs' own, else the site's)
    over_weight: int = 1  # cost of each reader beyond `required`

    @property
    def load_per_reader(self) -> int:
        """Studies each covering reader takes on: the expected studies split over the required readers."""
        return math.ceil(self.studies / max(1, self.required)) if self.studies else 0

    @property
    def open_to_any(self) -> bool:
        """True when some of the need (or, with no subspecialty asked, any extra reader) takes any reader."""
        return self.required > sum(self.required_by_subspecialty.values()) or not self.required_by_subspecialty


@dataclass
class Instance:
    """Facts derived once from a Scenario; pure and shared by solver, checker and explainer."""

    scenario: Scenario
    days: list[dt.date]
    shifts: list[ShiftInstance]
    demands: dict[tuple[str, int], Demand]
    planning_holidays: dict[dt.date, str]
    site_holidays: dict[str, dict[dt.date, str]]
    history: dict[str, list[ShiftInstance]] = field(default_factory=dict)

    # ---- lookups -------------------------------------------------------------------------
    @cached_property
    def shift_by_key(self) -> dict[tuple[str, dt.date], ShiftInstance]:
        return {(s.type_id, s.date): s for s in self.shifts}

    @cached_property
    def demands_by_shift(self) -> dict[int, list[Demand]]:
        out: dict[int, list[Demand]] = {s.index: [] for s in self.shifts}
        for d in self.demands.values():
            out[d.shift].append(d)
        return out

    @cached_property
    def shifts_by_day(self) -> dict[int, list[ShiftInstance]]:
        out: dict[int, list[ShiftInstance]] = {k: [] for k in range(len(self.days))}
        for s in self.shifts:
            out.setdefault(s.day, []).append(s)
        return out

    @property
    def readers(self) -> tuple[Radiologist, ...]:
        return self.scenario.radiologists

    def day_index(self, day: dt.date) -> int:
        return (day - self.days[0]).days

    # ---- eligibility ---------------------------------------------------------------------
    @cached_property
    def eligible(self) -> dict[tuple[str, int], tuple[str, ...]]:
        """(reader, shift index) -> sites the reader may cover on that shift instance.

        The same verdict as `ineligibility_reasons(...) == []`, computed without building the
        reasons: set lookups first, and date checks only for credentials with validity bounds.
        """
        out: dict[tuple[str, int], tuple[str, ...]] = {}
        sites = self.scenario.site_by_id
        touched: dict[tuple[int, str], tuple[dt.date, dt.date]] = {}  # (shift, zone) -> first, last date

        def dates(shift: ShiftInstance, zone: str) -> tuple[dt.date, dt.date]:
            key = (shift.index, zone)
            if key not in touched:
                tz = ZoneInfo(zone)
                last_instant = max(shift.start, shift.end - dt.timedelta(microseconds=1))
                touched[key] = (shift.start.astimezone(tz).date(), last_instant.astimezone(tz).date())
            return touched[key]

        for r in self.readers:
            lic: dict[str, list] = {}
            for x in r.licenses:
                lic.setdefault(x.jurisdiction, []).append(x)
            priv: dict[str, list] = {}
            for x in r.privileges:
                priv.setdefault(x.site, []).append(x)
            subs = set(r.subspecialties)
            for s in self.shifts:
                if self.availability_reasons(r, s):
                    continue
                ok = []
                for d in self.demands_by_shift[s.index]:
                    site = sites[d.site]
                    lics, privs = lic.get(site.jurisdiction), priv.get(d.site)
                    if not lics or not privs:
                        continue
                    if not d.open_to_any and not set(d.required_by_subspecialty) & subs:
                        continue
                    bounded = [c for c in (*lics, *privs) if c.valid_from is not None or c.valid_until is not None]
                    if bounded:
                        first, last = dates(s, site.timezone)
                        if not (_covered(lics, first, last) and _covered(privs, first, last)):
                            continue
                    ok.append(d.site)
                if ok:
                    out[(r.id, s.index)] = tuple(ok)
        return out

    @cached_property
    def eligible_readers(self) -> dict[tuple[str, int], list[str]]:
        """(site, shift index) -> readers eligible to cover it (the inverse of `eligible`)."""
        out: dict[tuple[str, int], list[str]] = {}
        for (rid, i), sites in self.eligible.items():
            for site in sites:
                out.setdefault((site, i), []).append(rid)
        return out

    @cached_property
    def loads(self) -> dict[tuple[str, int], int]:
        """(site, shift index) -> studies each covering reader takes on there (Demand.load_per_reader)."""
        return {key: d.load_per_reader for key, d in self.demands.items()}

    def type_limit(self, reader: Radiologist, type_id: str) -> Limit | None:
        """The per-type limit in force: the reader's own, else their rule set's."""
        if type_id in reader.shift_limits:
            return reader.shift_limits[type_id]
        return self.scenario.rules_for(reader).shift_limits.get(type_id)

    def availability_reasons(self, reader: Radiologist, shift: ShiftInstance) -> list[str]:
        """Why `reader` cannot work `shift` at all (leave, shift type not allowed); empty if they can."""
        reasons = []
        allowed = reader.allowed_shift_types
        limit = self.type_limit(reader, shift.type_id)
        if (allowed is not None and shift.type_id not in allowed) or (limit and limit.max == 0):
            reasons.append(f"does not work {self.shifts_noun(shift.type_id)}")
        for leave in reader.leave:
            if leave.contains(shift.date):
                reasons.append(f"is on {leave.reason} ({fmt_range(leave.start, leave.end)})")
        return reasons

    def ineligibility_reasons(self, reader: Radiologist, shift: ShiftInstance, demand: Demand) -> list[str]:
        """Why `reader` may not cover `demand` (license, privileges, subspecialty, leave...); empty if eligible."""
        reasons = self.availability_reasons(reader, shift)
        site = self.scenario.site_by_id[demand.site]
        tz = ZoneInfo(site.timezone)
        # the dates the shift touches: one ending at 00:00 does not touch the next date
        last_instant = max(shift.start, shift.end - dt.timedelta(microseconds=1))
        first, last = shift.start.astimezone(tz).date(), last_instant.astimezone(tz).date()
        lic = [x for x in reader.licenses if x.jurisdiction == site.jurisdiction]
        if not lic:
            reasons.append(f"holds no {site.jurisdiction} license")
        elif not _covered(lic, first, last):
            reasons.append(f"has no {site.jurisdiction} license valid on {fmt_span(first, last)}")
        priv = [x for x in reader.privileges if x.site == site.id]
        if not priv:
            reasons.append(f"has no privileges at {site.display}")
        elif not _covered(priv, first, last):
            reasons.append(f"has no privileges at {site.display} valid on {fmt_span(first, last)}")
        if not demand.open_to_any and not set(demand.required_by_subspecialty) & set(reader.subspecialties):
            wanted = " or ".join(sorted(demand.required_by_subspecialty))
            reasons.append(f"is not a {wanted} reader")
        return reasons

    def capacity(self, reader: Radiologist, shift: ShiftInstance) -> int:
        """Studies `reader` can read in `shift`: studies per hour times the true shift length."""
        return math.floor(reader.studies_per_hour * shift.minutes / 60 + 1e-9)

    # ---- fairness bases ------------------------------------------------------------------
    @cached_property
    def fte_units(self) -> dict[str, int]:
        """Each reader's FTE in hundredths, scaled by the share of the horizon they are not on leave."""
        n = len(self.days)
        out = {}
        for r in self.readers:
            off = sum(1 for d in self.days if any(lv.contains(d) for lv in r.leave))
            out[r.id] = round(r.fte * FTE_UNITS * (n - off) / n)
        return out

    # ---- words ---------------------------------------------------------------------------
    def shift_label(self, type_id: str) -> str:
        st = self.scenario.shift_type_by_id[type_id]
        return st.label or st.id

    def shifts_noun(self, type_id: str) -> str:
        """'night shifts', and 'day shifts' for a type labelled 'day shift'."""
        label = self.shift_label(type_id)
        return f"{label}s" if label.endswith("shift") else f"{label} shifts"

    def describe_shift(self, shift: ShiftInstance) -> str:
        """'the night of 14 Jan' / 'the day shift of 3 Oct' style words for a shift instance."""
        return self.shift_words(shift.type_id, shift.date)

    def shift_words(self, type_id: str, day: dt.date, sites: tuple[str, ...] = ()) -> str:
        """'night of 3 Mar 2026 (Site A, Site B)'; ids no longer in the scenario are shown as they are."""
        label = self.shift_label(type_id) if type_id in self.scenario.shift_type_by_id else type_id
        where = ", ".join(self.site_name(s) if s in self.scenario.site_by_id else s for s in sites)
        return f"{label} of {fmt_date(day)}" + (f" ({where})" if where else "")

    def reader_name(self, reader_id: str) -> str:
        """The reader's display name; an id no longer in the scenario is shown as it is."""
        reader = self.scenario.radiologist_by_id.get(reader_id)
        return reader.display if reader is not None else reader_id

    def site_name(self, site_id: str) -> str:
        return self.scenario.site_by_id[site_id].display


def _covered(credentials, first: dt.date, last: dt.date) -> bool:
    """Every date from `first` to `last` falls in some credential (a renewal may take over)."""
    days = (last - first).days
    return all(
        any(c.valid_on(first + dt.timedelta(days=k)) for c in credentials) for k in range(days + 1)
    )


def fmt_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b')} {day.year}"


def fmt_range(start: dt.date, end: dt.date) -> str:
    return fmt_date(start) if start == end else f"{fmt_date(start)} to {fmt_date(end)}"


def fmt_span(first: dt.date, last: dt.date) -> str:
    return fmt_date(first) if first == last else f"{fmt_date(first)} and {fmt_date(last)}"


def _calendar(scenario: Scenario, site: Site | None) -> dict[dt.date, str]:
    h = scenario.horizon
    cal = (site.holidays if site and site.holidays else None) or h.holidays
    if cal is None:
        return {}
    return cal.dates(h.start - dt.timedelta(days=31), h.end + dt.timedelta(days=1))


def make_shift(
    scenario: Scenario, st: ShiftType, day: dt.date, index: int, holidays: dict[dt.date, str]
) -> ShiftInstance:
    """`st` starting on local date `day`: UTC interval, working minutes, burden for that date."""
    start, end = shift_interval(st, day, scenario.planning_tz(st))
    is_holiday = day in holidays
    is_weekend = day.weekday() >= 5
    burden = st.burden_points
    if is_weekend and st.weekend_burden_points is not None:
        burden = st.weekend_burden_points
    if is_holiday and st.holiday_burden_points is not None:
        burden = st.holiday_burden_points
    minutes = (end - start).total_seconds() / 60
    return ShiftInstance(
        index=index,
        type_id=st.id,
        kind=st.kind,
        date=day,
        day=(day - scenario.horizon.start).days,
        start=start,
        end=end,
        work_minutes=round(minutes * st.work_fraction),
        burden=burden,
        is_weekend=is_weekend,
        is_holiday=is_holiday,
    )


def _need_active(need: CoverageNeed, st: ShiftType, day: dt.date, site_cal: dict[dt.date, str]) -> bool:
    if need.dates is not None:
        return day in need.dates and (need.days is None or day_matches(need.days, day, day in site_cal))
    return day_matches(need.days or st.days, day, day in site_cal)


def build_instance(scenario: Scenario) -> Instance:
    """Materialise `scenario`: shift instances that some site needs, demands, history intervals."""
    planning = _calendar(scenario, None)
    site_cals = {s.id: _calendar(scenario, s) for s in scenario.sites}
    days = scenario.horizon.days
    needed: dict[tuple[str, dt.date], list[tuple[Site, CoverageNeed]]] = {}
    for site in scenario.sites:
        for need in site.coverage:
            st = scenario.shift_type_by_id[need.shift_type]
            for day in days if need.dates is None else sorted(set(need.dates) & set(days)):
                if _need_active(need, st, day, site_cals[site.id]):
                    needed.setdefault((st.id, day), []).append((site, need))
    shifts: list[ShiftInstance] = []
    demands: dict[tuple[str, int], Demand] = {}
    for st in scenario.shift_types:
        for day in days:
            pairs = needed.get((st.id, day))
            if not pairs:
                continue
            shift = make_shift(scenario, st, day, len(shifts), planning)
            shifts.append(shift)
            by_site: dict[str, list[CoverageNeed]] = {}
            for site, need in pairs:
                by_site.setdefault(site.id, []).append(need)
            for site_id, needs in by_site.items():
                subs: dict[str, int] = {}
                for n in needs:
                    if n.subspecialty:
                        subs[n.subspecialty] = subs.get(n.subspecialty, 0) + n.readers
                demands[(site_id, shift.index)] = Demand(
                    site=site_id,
                    shift=shift.index,
                    required=sum(n.readers for n in needs),
                    required_by_subspecialty=subs,
                    max_readers=sum(n.readers if n.max_readers is None else n.max_readers for n in needs),
                    studies=sum(n.studies for n in needs),
                    priority=max(n.priority or scenario.site_by_id[site_id].priority for n in needs),
                    over_weight=max(n.overstaffing_weight for n in needs),
                )
    # Sort shifts chronologically and re-index so index order is time order.
    order = sorted(shifts, key=lambda s: (s.start, s.type_id))
    remap = {s.index: k for k, s in enumerate(order)}
    shifts = [_reindex(s, remap[s.index]) for s in order]
    demands = {
        (site, remap[i]): _redemand(d, remap[i]) for (site, i), d in demands.items()
    }
    history: dict[str, list[ShiftInstance]] = {}
    for r in scenario.radiologists:
        past = [
            make_shift(scenario, scenario.shift_type_by_id[h.shift_type], h.date, -1, planning)
            for h in r.history.shifts
        ]
        history[r.id] = sorted(past, key=lambda s: s.start)
    return Instance(
        scenario=scenario,
        days=days,
        shifts=shifts,
        demands=demands,
        planning_holidays=planning,
        site_holidays=site_cals,
        history=history,
    )


def reader_instance(inst: Instance, reader: Radiologist) -> Instance:
    """The instance with `reader` alone: every per-reader rule's check then looks at them only."""
    local = Instance(
        scenario=inst.scenario.replace(radiologists=(reader,)), days=inst.days, shifts=inst.shifts,
        demands=inst.demands, planning_holidays=inst.planning_holidays, site_holidays=inst.site_holidays,
        history={reader.id: inst.history.get(reader.id, [])},
    )
    for name in ("shift_by_key", "demands_by_shift", "shifts_by_day"):  # reader-free lookups: reuse them
        local.__dict__[name] = getattr(inst, name)
    return local


def _reindex(s: ShiftInstance, index: int) -> ShiftInstance:
    return ShiftInstance(**{**s.__dict__, "index": index})


def _redemand(d: Demand, shift: int) -> Demand:
    return Demand(**{**d.__dict__, "shift": shift})
