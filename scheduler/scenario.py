"""The scenario a coordinator states: readers, sites, shift types, coverage, rules, history.

Pydantic v2 models with `extra="forbid"`, frozen, so a typo in a YAML key is an error and a
validated scenario cannot drift. Cross-references (a need naming an unknown shift type, a reader
with an undefined rule set) are checked after field validation and reported with their paths.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from enum import StrEnum
from functools import cache, cached_property
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import holidays as holidays_lib
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from scheduler.errors import Issue, ScenarioReferenceError

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.:-]+$")]
MAX_HORIZON_DAYS = 366
MIN_HORIZON_DAYS = 7


class Model(BaseModel):
    """Base for every input model: unknown fields are errors; values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@cache
def _known_zones() -> frozenset[str]:
    """The IANA names (listing them reads the whole zone database: about 20 ms, so once)."""
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    """Accept only IANA time-zone names that zoneinfo knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = "use an IANA name such as Europe/Paris, America/New_York or UTC"
        raise ValueError(f"unknown time zone {name!r}; {hint}") from None
    if name not in _known_zones() and name != "UTC":
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Europe/Paris")
    return name


TimeZoneName = Annotated[str, Field(min_length=1)]


def not_before(earlier: str, word: str = "before"):
    """A field validator: this field may not be below the (already validated) field `earlier`."""

    def check(cls, value, info: ValidationInfo):
        first = info.data.get(earlier)
        if value is not None and first is not None and value < first:
            raise ValueError(f"{info.field_name} {value} is {word} {earlier} {first}")
        return value

    return check


class DaySelector(StrEnum):
    """Which dates something runs on. `weekdays` excludes public holidays; `mon`..`sun` do not."""

    all = "all"
    weekdays = "weekdays"
    weekends = "weekends"
    holidays = "holidays"
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def day_matches(selectors: tuple[DaySelector, ...], day: dt.date, is_holiday: bool) -> bool:
    """True when `day` is selected by any of `selectors` (holiday status from the caller's calendar)."""
    for sel in selectors:
        if sel is DaySelector.all:
            return True
        if sel is DaySelector.weekdays and day.weekday() < 5 and not is_holiday:
            return True
        if sel is DaySelector.weekends and day.weekday() >= 5:
            return True
        if sel is DaySelector.holidays and is_holiday:
            return True
        if sel.value == WEEKDAY_NAMES[day.weekday()]:
            return True
    return False


class HolidayCalendar(Model):
    """A public-holiday calendar from the `holidays` package: country code and optional subdivision."""

    country: str = Field(min_length=2, max_length=3)
    subdivision: str | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        supported = holidays_lib.list_supported_countries()
        if v not in supported:
            raise ValueError(
                f"unknown holiday calendar {v!r}; use an ISO country code the `holidays` package supports, "
                "e.g. FR, US, DE, GB"
            )
        return v

    @field_validator("subdivision")
    @classmethod
    def _subdivision(cls, v: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if v is None or country is None:
            return v
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated aliases are still accepted
            try:
                holidays_lib.country_holidays(country, subdiv=v, years=2026)
            except NotImplementedError:
                valid = holidays_lib.list_supported_countries().get(country, [])
                raise ValueError(
                    f"unknown subdivision {v!r} of {country}; valid: {', '.join(valid[:40])}"
                ) from None
        return v

    def dates(self, start: dt.date, end: dt.date) -> dict[dt.date, str]:
        """Public holidays between `start` and `end` inclusive, with their names."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = holidays_lib.country_holidays(
                self.country, subdiv=self.subdivision, years=range(start.year, end.year + 1)
            )
        return {d: name for d, name in sorted(cal.items()) if start <= d <= end}


class Horizon(Model):
    """The planned period (inclusive dates) and the planning time zone."""

    start: dt.date
    end: dt.date
    timezone: TimeZoneName = "Europe/Paris"
    holidays: HolidayCalendar | None = Field(
        default=None, description="Calendar that makes a shift a holiday shift for burden tallies."
    )

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return check_timezone(v)

    @field_validator("end")
    @classmethod
    def _length(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is None:
            return end
        if end < start:
            raise ValueError(f"end {end} is before start {start}; end must be on or after start")
        days = (end - start).days + 1
        if not MIN_HORIZON_DAYS <= days <= MAX_HORIZON_DAYS:
            raise ValueError(f"horizon is {days} days; it must be {MIN_HORIZON_DAYS} to {MAX_HORIZON_DAYS} days")
        return end

    @property
    def days(self) -> list[dt.date]:
        n = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=k) for k in range(n)]


class ShiftKind(StrEnum):
    day = "day"
    evening = "evening"
    night = "night"
    on_call = "on_call"


class ShiftType(Model):
    """A kind of shift stated in local time: 18:30-08:30 crosses midnight and ends the next day;
    equal start and end (08:00-08:00) make a 24-hour shift (a French garde)."""

    id: Id
    label: str = ""
    start: dt.time
    end: dt.time
    timezone: TimeZoneName | None = Field(
        default=None, description="Zone of start/end; defaults to the horizon's planning zone."
    )
    days: tuple[DaySelector, ...] = (DaySelector.all,)
    kind: ShiftKind = ShiftKind.day
    burden_points: int = Field(default=1, ge=0, le=1000)
    weekend_burden_points: int | None = Field(default=None, ge=0, le=1000)
    holiday_burden_points: int | None = Field(default=None, ge=0, le=1000)
    work_fraction: float = Field(
        default=1.0, gt=0, le=1, description="Share of the shift counted as working time."
    )

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        return v if v is None else check_timezone(v)

    @field_validator("days")
    @classmethod
    def _days(cls, v: tuple[DaySelector, ...]) -> tuple[DaySelector, ...]:
        if not v:
            raise ValueError("days is empty; list at least one of all, weekdays, weekends, holidays, mon..sun")
        return v

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


class Jurisdiction(Model):
    """A license domain: a country (FR) or a US state (US-TX)."""

    id: Id
    name: str = ""


class Subspecialty(Model):
    id: Id
    name: str = ""


class CoverageNeed(Model):
    """How many readers a site needs on a shift type, on which days, with which subspecialty."""

    shift_type: Id
    days: tuple[DaySelector, ...] | None = Field(
        default=None, description="Defaults to the shift type's days; holidays from the site's calendar."
    )
    dates: tuple[dt.date, ...] | None = Field(
        default=None, description="Only on these dates (a one-off need); `days` then also applies if given."
    )
    subspecialty: Id | None = None
    readers: int = Field(default=1, ge=0, le=500)
    max_readers: int | None = Field(
        default=None, ge=0, le=500, description="Over-staffing allowed up to this; defaults to `readers`."
    )
    studies: float = Field(default=0, ge=0, le=10000, description="Expected studies per shift.")
    priority: int | None = Field(
        default=None, ge=1, le=10_000, description="Weight of a missing reader for this need; the site's by default."
    )
    overstaffing_weight: int = Field(default=1, ge=0, le=10_000, description="Cost per reader beyond `readers`.")

    @field_validator("max_readers")
    @classmethod
    def _max(cls, v: int | None, info: ValidationInfo) -> int | None:
        readers = info.data.get("readers")
        if v is not None and readers is not None and v < readers:
            raise ValueError(f"max_readers {v} is below readers {readers}")
        return v


class Site(Model):
    """A contracted site: where studies come from; its jurisdiction decides which license is needed."""

    id: Id
    name: str = ""
    jurisdiction: Id
    timezone: TimeZoneName
    holidays: HolidayCalendar | None = None
    priority: int = Field(default=1, ge=1, le=100)
    coverage: tuple[CoverageNeed, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return check_timezone(v)

    @property
    def display(self) -> str:
        return self.name or self.id


class Validity(Model):
    """A credential valid between two dates (inclusive); open-ended when a bound is missing."""

    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    _order = field_validator("valid_until")(not_before("valid_from"))

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class License(Validity):
    """A license in one jurisdiction."""

    jurisdiction: Id


class Privilege(Validity):
    """Privileges (credentials) at one site."""

    site: Id


class Leave(Model):
    """Dates off (inclusive); no shift may start on them."""

    start: dt.date
    end: dt.date
    reason: str = "leave"

    _order = field_validator("end")(not_before("start"))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class Request(Model):
    """A wish to work (`want`) or not to work (`avoid`) a shift type (or any shift) on dates."""

    kind: Literal["want", "avoid"]
    shift_type: Id | None = Field(default=None, description="None means any shift.")
    dates: tuple[dt.date, ...] = Field(min_length=1)
    weight: int = Field(default=1, ge=1, le=100)


class Limit(Model):
    """A minimum and/or maximum count."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    _order = field_validator("max")(not_before("min", "below"))


class HistoryShift(Model):
    """A shift worked just before the horizon, so rest and run limits hold across the border."""

    shift_type: Id
    date: dt.date


class History(Model):
    """What carries into this horizon: recent shifts and burden totals from earlier months."""

    shifts: tuple[HistoryShift, ...] = ()
    burden_points: int = Field(default=0, ge=0)
    work_hours: float = Field(default=0, ge=0)
    nights: int = Field(default=0, ge=0)
    weekends: int = Field(default=0, ge=0)
    holidays: int = Field(default=0, ge=0)


class RuleSet(Model):
    """Hard working-time rules for one employment status (see the rule catalogue in the README).

    A `None` limit is not applied. Minimum run lengths are not applied to runs that touch the
    horizon start or end (they may continue in the neighbouring period); maximum run lengths and
    rest include the history shifts before the horizon.
    """

    id: Id
    label: str = ""
    min_rest_hours: float = Field(default=11, ge=0, le=72)
    rest_after_night_hours: float = Field(default=11, ge=0, le=72)
    max_consecutive_days: int | None = Field(default=None, ge=1, le=366)
    max_consecutive_nights: int | None = Field(default=None, ge=1, le=366)
    min_days_off_after_nights: int = Field(default=0, ge=0, le=14)
    max_hours_rolling_7_days: float | None = Field(default=None, gt=0, le=168)
    max_weekends: int | None = Field(default=None, ge=0, le=53)
    complete_weekends: bool = Field(
        default=False, description="Working Saturday implies working Sunday and vice versa."
    )
    forbidden_successions: tuple[tuple[Id, Id], ...] = Field(
        default=(), description="Pairs [a, b]: shift a on one day may not be followed by b the next day."
    )
    shift_limits: dict[Id, Limit] = Field(default_factory=dict)
    min_total_hours: float | None = Field(default=None, ge=0)
    max_total_hours: float | None = Field(default=None, ge=0)
    min_consecutive_days: int | None = Field(default=None, ge=1, le=14)
    min_consecutive_days_off: int | None = Field(default=None, ge=1, le=14)

    _order = field_validator("max_total_hours")(not_before("min_total_hours", "below"))


class Radiologist(Model):
    """A reader: who they are, what they may read, when they are away, what they would like."""

    id: Id
    name: str = ""
    email: str | None = None
    timezone: TimeZoneName = "Europe/Paris"
    licenses: tuple[License, ...] = ()
    privileges: tuple[Privilege, ...] = ()
    subspecialties: tuple[Id, ...] = ()
    fte: float = Field(default=1.0, gt=0, le=1.0)
    rule_set: Id
    allowed_shift_types: tuple[Id, ...] | None = Field(default=None, description="None: all types.")
    shift_limits: dict[Id, Limit] = Field(
        default_factory=dict, description="Per-type limits; override the rule set's."
    )
    studies_per_hour: float = Field(default=12, gt=0, le=100)
    leave: tuple[Leave, ...] = ()
    requests: tuple[Request, ...] = ()
    history: History = History()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return check_timezone(v)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError(f"{v!r} is not a valid email address; write it as name@example.org")
        return v

    @property
    def display(self) -> str:
        return self.name or self.id


class ObjectiveWeights(Model):
    """Weights of the objective terms, listed in priority order; each is per unit stated."""

    uncovered: int = Field(default=1_000_000, ge=0, description="per missing reader x site priority")
    reader_shifts: int = Field(default=1_000, ge=0, description="per reader called in for a shift")
    fairness: int = Field(default=100, ge=0, description="per tenth of a burden point off the FTE share")
    requests: int = Field(default=300, ge=0, description="per unit of request weight not met")
    workload: int = Field(default=10, ge=0, description="per tenth of an hour off the FTE share")
    continuity: int = Field(default=20, ge=0, description="per new reader at a site on a following night")
    overstaffing: int = Field(default=1, ge=0, description="per reader beyond the need, where allowed")


class Scenario(Model):
    """A whole planning problem; build it from YAML with `scheduler.io.scenario_yaml.load_scenario`."""

    name: str = "scenario"
    horizon: Horizon
    jurisdictions: tuple[Jurisdiction, ...] = Field(min_length=1)
    subspecialties: tuple[Subspecialty, ...] = ()
    shift_types: tuple[ShiftType, ...] = Field(min_length=1)
    rule_sets: tuple[RuleSet, ...] = Field(min_length=1)
    sites: tuple[Site, ...] = Field(min_length=1)
    radiologists: tuple[Radiologist, ...] = Field(min_length=1)
    objective: ObjectiveWeights = ObjectiveWeights()

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        issues = list(reference_issues(self))
        if issues:
            raise ScenarioReferenceError(issues)
        return self

    def replace(self, **update: object) -> Scenario:
        """A copy with whole fields replaced by already-valid parts, without re-validating everything.

        (`model_copy` would also copy the cached id lookups below, which would then be stale.)
        """
        new = self.model_copy(update=update)
        for name in ("shift_type_by_id", "site_by_id", "radiologist_by_id", "rule_set_by_id"):
            new.__dict__.pop(name, None)
        return new

    @cached_property
    def shift_type_by_id(self) -> dict[str, ShiftType]:
        return {s.id: s for s in self.shift_types}

    @cached_property
    def site_by_id(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    @cached_property
    def radiologist_by_id(self) -> dict[str, Radiologist]:
        return {r.id: r for r in self.radiologists}

    @cached_property
    def rule_set_by_id(self) -> dict[str, RuleSet]:
        return {r.id: r for r in self.rule_sets}

    def rules_for(self, reader: Radiologist) -> RuleSet:
        return self.rule_set_by_id[reader.rule_set]

    def planning_tz(self, shift_type: ShiftType) -> ZoneInfo:
        return ZoneInfo(shift_type.timezone or self.horizon.timezone)


def _duplicates(kind: str, ids: list[str]) -> list[Issue]:
    seen: set[str] = set()
    out = []
    for k, i in enumerate(ids):
        if i in seen:
            out.append(Issue(f"{kind}[{k}].id", f"duplicate id {i!r}; ids must be unique"))
        seen.add(i)
    return out


def _unknown(path: str, value: str, known: set[str], what: str) -> Issue:
    options = ", ".join(sorted(known)[:12]) or "none defined"
    return Issue(path, f"unknown {what} {value!r}; defined: {options}")


def reference_issues(s: Scenario) -> list[Issue]:
    """Every reference in `s` that points at nothing, and every duplicate id, with its path."""
    issues: list[Issue] = []
    for kind, items in (
        ("jurisdictions", s.jurisdictions),
        ("subspecialties", s.subspecialties),
        ("shift_types", s.shift_types),
        ("rule_sets", s.rule_sets),
        ("sites", s.sites),
        ("radiologists", s.radiologists),
    ):
        issues += _duplicates(kind, [x.id for x in items])
    juris = {j.id for j in s.jurisdictions}
    subs = {x.id for x in s.subspecialties}
    types = {t.id for t in s.shift_types}
    sites = {x.id for x in s.sites}
    rules = {r.id for r in s.rule_sets}

    def limits(path: str, table: dict[str, Limit]) -> None:
        for t in table:
            if t not in types:
                issues.append(_unknown(f"{path}.{t}", t, types, "shift type"))

    for k, rs in enumerate(s.rule_sets):
        p = f"rule_sets[{k}]"
        for j, pair in enumerate(rs.forbidden_successions):
            for m, t in enumerate(pair):
                if t not in types:
                    issues.append(_unknown(f"{p}.forbidden_successions[{j}][{m}]", t, types, "shift type"))
        limits(f"{p}.shift_limits", rs.shift_limits)
    for k, site in enumerate(s.sites):
        p = f"sites[{k}]"
        if site.jurisdiction not in juris:
            issues.append(_unknown(f"{p}.jurisdiction", site.jurisdiction, juris, "jurisdiction"))
        for j, need in enumerate(site.coverage):
            if need.shift_type not in types:
                issues.append(_unknown(f"{p}.coverage[{j}].shift_type", need.shift_type, types, "shift type"))
            if need.subspecialty is not None and need.subspecialty not in subs:
                issues.append(
                    _unknown(f"{p}.coverage[{j}].subspecialty", need.subspecialty, subs, "subspecialty")
                )
    for k, r in enumerate(s.radiologists):
        p = f"radiologists[{k}]"
        if r.rule_set not in rules:
            issues.append(_unknown(f"{p}.rule_set", r.rule_set, rules, "rule set"))
        for j, lic in enumerate(r.licenses):
            if lic.jurisdiction not in juris:
                issues.append(_unknown(f"{p}.licenses[{j}].jurisdiction", lic.jurisdiction, juris, "jurisdiction"))
        for j, priv in enumerate(r.privileges):
            if priv.site not in sites:
                issues.append(_unknown(f"{p}.privileges[{j}].site", priv.site, sites, "site"))
        for j, sub in enumerate(r.subspecialties):
            if sub not in subs:
                issues.append(_unknown(f"{p}.subspecialties[{j}]", sub, subs, "subspecialty"))
        for j, t in enumerate(r.allowed_shift_types or ()):
            if t not in types:
                issues.append(_unknown(f"{p}.allowed_shift_types[{j}]", t, types, "shift type"))
        limits(f"{p}.shift_limits", r.shift_limits)
        for j, req in enumerate(r.requests):
            if req.shift_type is not None and req.shift_type not in types:
                issues.append(_unknown(f"{p}.requests[{j}].shift_type", req.shift_type, types, "shift type"))
        for j, h in enumerate(r.history.shifts):
            if h.shift_type not in types:
                issues.append(_unknown(f"{p}.history.shifts[{j}].shift_type", h.shift_type, types, "shift type"))
            if h.date >= s.horizon.start:
                issues.append(
                    Issue(
                        f"{p}.history.shifts[{j}].date",
                        f"{h.date} is not before the horizon start {s.horizon.start}; history is what came before",
                    )
                )
    return issues
