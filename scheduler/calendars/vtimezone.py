"""VTIMEZONE components with one STANDARD and one DAYLIGHT observance and yearly RRULEs.

Outlook, Google and Apple read this compact form reliably, unlike long lists of RDATEs. The
rules come from the POSIX TZ string in the footer of the zone's TZif file (the rule the zone
follows now); `verify` checks them, independently of how they were made, against zoneinfo's
offsets over the span a calendar covers. When they disagree (a rule changed inside the span,
or the footer uses a form this module does not translate), `vtimezone_for` returns None and
callers write times in UTC instead.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
import importlib.resources
import math
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import dateutil.rrule
import icalendar

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
SECOND = dt.timedelta(seconds=1)
ICAL_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")  # indexed by POSIX weekday (0 = Sunday)
DEFAULT_RULE_TIME = 2 * 3600  # POSIX: a transition without /time happens at 02:00 local
FIRST_YEAR = 1970  # observances start here (as tzurl.org's do), so a zone's VTIMEZONE is the same in every file


class UnsupportedZone(ValueError):
    """The zone's current rule cannot be stated as yearly STANDARD/DAYLIGHT RRULEs here."""


@dataclass(frozen=True)
class PosixRule:
    """`Mm.w.d/time`: weekday d (0 = Sunday) of week w (5 = last) of month m, `time` seconds
    after that day's local midnight in the offset in force before the change (may be < 0 or > 24 h)."""

    month: int
    week: int
    weekday: int
    time: int

    def onset(self, year: int) -> dt.datetime:
        """The local wall time (in the offset before the change) of the transition in `year`."""
        py_weekday = (self.weekday - 1) % 7  # Python counts from Monday
        if self.week == 5:
            last = dt.date(year, self.month, calendar.monthrange(year, self.month)[1])
            day = last - dt.timedelta(days=(last.weekday() - py_weekday) % 7)
        else:
            first = dt.date(year, self.month, 1)
            day = first + dt.timedelta(days=(py_weekday - first.weekday()) % 7 + 7 * (self.week - 1))
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=self.time)


@dataclass(frozen=True)
class PosixTZ:
    """A parsed POSIX TZ string; offsets are seconds east of UTC (the iCalendar sign)."""

    std_name: str
    std_offset: int
    dst_name: str | None = None
    dst_offset: int | None = None
    dst_start: PosixRule | None = None
    dst_end: PosixRule | None = None


_NAME = r"(?:<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"[+-]?\d{1,3}(?::\d{2}){0,2}"
_RULE = rf"M\d{{1,2}}\.\d\.\d(?:/{_OFFSET})?"
_TZ = re.compile(rf"^({_NAME})({_OFFSET})(?:({_NAME})({_OFFSET})?(?:,({_RULE}),({_RULE}))?)?$")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")]
    parts += [0] * (3 - len(parts))
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _rule(text: str) -> PosixRule:
    date, _, time = text.partition("/")
    month, week, weekday = (int(x) for x in date[1:].split("."))
    if not (1 <= month <= 12 and 1 <= week <= 5 and 0 <= weekday <= 6):
        raise UnsupportedZone(f"bad POSIX rule {text!r}")
    return PosixRule(month, week, weekday, _seconds(time) if time else DEFAULT_RULE_TIME)


def parse_posix_tz(text: str) -> PosixTZ:
    """Parse a TZif footer such as `CET-1CEST,M3.5.0,M10.5.0/3` (only `Mm.w.d` date rules)."""
    m = _TZ.match(text)
    if m is None:
        raise UnsupportedZone(f"POSIX TZ string {text!r} is not of the form name offset [name [offset],Mm.w.d,...]")
    std_name, std_off, dst_name, dst_off, start, end = m.groups()
    std = -_seconds(std_off)  # POSIX offsets count west of UTC
    if dst_name is None:
        return PosixTZ(std_name.strip("<>"), std)
    if start is None:
        raise UnsupportedZone(f"POSIX TZ string {text!r} has daylight time but no rule")
    dst = -_seconds(dst_off) if dst_off else std + 3600
    return PosixTZ(std_name.strip("<>"), std, dst_name.strip("<>"), dst, _rule(start), _rule(end))


def tzif_bytes(zone: str) -> bytes:
    """The TZif file zoneinfo itself loads for `zone`: TZPATH first, then the tzdata package."""
    if zone.startswith("/") or ".." in zone.split("/"):
        raise UnsupportedZone(f"not an IANA zone name: {zone!r}")
    for root in zoneinfo.TZPATH:
        path = Path(root, zone)
        if path.is_file():
            return path.read_bytes()
    package, _, name = f"tzdata.zoneinfo.{zone.replace('/', '.')}".rpartition(".")
    try:
        return importlib.resources.files(package).joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise UnsupportedZone(f"no TZif file for {zone!r}") from exc


def posix_footer(data: bytes) -> str:
    """The POSIX TZ string at the end of a version 2+ TZif file ('' when it has none)."""
    if data[:4] != b"TZif" or data[4:5] in (b"\0", b""):
        return ""
    body = data.rstrip(b"\n")
    if len(body) == len(data):
        return ""
    return body.rsplit(b"\n", 1)[-1].decode("ascii")  # the footer is NL, TZ string, NL


def _offset(seconds: int) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


def _recur(rule: PosixRule) -> dict[str, object]:
    """A yearly RRULE whose occurrences are the dates of `rule`'s onsets.

    The common case is `BYMONTH=3;BYDAY=-1SU`. A time beyond the day (`/-1`, `/25`, `/50`) moves
    the onset to another weekday inside a fixed 7-day window: say that window with BYMONTHDAY, or
    with BYYEARDAY when it leaves the month (the same in common and leap years, or unsupported).
    """
    days = rule.time // 86400
    if days == 0:
        nth = rule.week if rule.week < 5 else -1
        return {"FREQ": "YEARLY", "BYMONTH": rule.month, "BYDAY": f"{nth}{ICAL_DAYS[rule.weekday]}"}
    weekday = ICAL_DAYS[(rule.weekday + days) % 7]
    if rule.week < 5:
        first = 7 * (rule.week - 1) + 1 + days
        shortest = 28 if rule.month == 2 else calendar.monthrange(2001, rule.month)[1]
        if first >= 1 and first + 6 <= shortest:
            month_days = list(range(first, first + 7))
            return {"FREQ": "YEARLY", "BYMONTH": rule.month, "BYMONTHDAY": month_days, "BYDAY": weekday}
    elif -7 + days >= -28 and days <= 0:
        month_days = list(range(-7 + days, days))  # counted from the month's end: -1 is its last day
        return {"FREQ": "YEARLY", "BYMONTH": rule.month, "BYMONTHDAY": month_days, "BYDAY": weekday}
    for from_end in (True, False):
        common, leap = _year_days(rule, 2001, from_end), _year_days(rule, 2004, from_end)
        if common is not None and common == leap:
            return {"FREQ": "YEARLY", "BYYEARDAY": common, "BYDAY": weekday}
    raise UnsupportedZone(f"rule M{rule.month}.{rule.week}.{rule.weekday}/{rule.time}s has no simple yearly RRULE")


def _year_days(rule: PosixRule, year: int, from_end: bool) -> list[int] | None:
    """Year days of the shifted 7-day window in `year` (negative when counted from the end)."""
    days = rule.time // 86400
    if rule.week < 5:
        first = dt.date(year, rule.month, 1) + dt.timedelta(days=7 * (rule.week - 1) + days)
    else:
        last = dt.date(year, rule.month, calendar.monthrange(year, rule.month)[1])
        first = last - dt.timedelta(days=6 - days)
    window = [first + dt.timedelta(days=k) for k in range(7)]
    if any(d.year != year for d in window):
        return None
    length = 366 if calendar.isleap(year) else 365
    ordinals = [d.timetuple().tm_yday for d in window]
    return [n - length - 1 for n in ordinals] if from_end else ordinals


def _observance(
    kind: type[icalendar.Component], onset: dt.datetime, before: int, after: int, name: str, rule: PosixRule | None
) -> icalendar.Component:
    obs = kind()
    obs.add("dtstart", onset)
    if rule is not None:
        obs.add("rrule", _recur(rule))
    obs.add("tzoffsetfrom", _offset(before))
    obs.add("tzoffsetto", _offset(after))
    obs.add("tzname", name)
    return obs


def vtimezone_from_posix(tzid: str, posix: PosixTZ, first_year: int) -> icalendar.Timezone:
    """A VTIMEZONE stating `posix` as yearly rules whose first onsets fall in `first_year`.

    One STANDARD (and one DAYLIGHT when the zone has daylight time); each DTSTART is the rule's
    own onset in `first_year`, in the offset in force before it, as RFC 5545 wants.
    """
    vtz = icalendar.Timezone()
    vtz.add("tzid", tzid)
    std = posix.std_offset
    if posix.dst_start is None or posix.dst_end is None or posix.dst_offset is None:
        vtz.add_component(
            _observance(icalendar.TimezoneStandard, dt.datetime(first_year, 1, 1), std, std, posix.std_name, None)
        )
        return vtz
    dst, to_std, to_dst = posix.dst_offset, posix.dst_end, posix.dst_start
    name = posix.dst_name or posix.std_name
    vtz.add_component(
        _observance(icalendar.TimezoneStandard, to_std.onset(first_year), dst, std, posix.std_name, to_std)
    )
    vtz.add_component(_observance(icalendar.TimezoneDaylight, to_dst.onset(first_year), std, dst, name, to_dst))
    return vtz


def build_vtimezone(zone: str, first_year: int) -> icalendar.Timezone:
    """The zone's current rule (its TZif footer) as a VTIMEZONE starting in `first_year`.

    Raises UnsupportedZone when the footer is missing or not translatable. The result is not
    checked against the zone's history: `vtimezone_for` does that.
    """
    return vtimezone_from_posix(zone, parse_posix_tz(posix_footer(tzif_bytes(zone))), first_year)


# ---- verification, from the VTIMEZONE text alone --------------------------------------------


def _values(obs: icalendar.Component, name: str) -> list:
    """A property that may appear once or many times, as a list (icalendar 6 and 7 alike)."""
    value = obs.get(name)
    return [] if value is None else value if isinstance(value, list) else [value]


def _listed(obs: icalendar.Component, name: str) -> set[dt.datetime]:
    """The date-times of every RDATE or EXDATE line (each may list several)."""
    return {v.dt for line in _values(obs, name) for v in line.dts if isinstance(v.dt, dt.datetime)}


def _onsets(vtz: icalendar.Timezone, until: dt.datetime) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """Every observance onset up to `until` as (UTC instant, offset before, offset after), sorted.

    DTSTART always counts as an onset (RFC 5545), then RRULE and RDATE occurrences less EXDATEs.
    """
    out = []
    for obs in vtz.walk():
        if obs.name not in ("STANDARD", "DAYLIGHT"):
            continue
        start = obs["DTSTART"].dt
        before, after = obs["TZOFFSETFROM"].td, obs["TZOFFSETTO"].td
        limit = until.replace(tzinfo=None) + after + dt.timedelta(days=1)
        local = {start}
        for recur in _values(obs, "RRULE"):
            rule = dateutil.rrule.rrulestr(recur.to_ical().decode(), dtstart=start)
            local.update(rule.between(start, limit, inc=True))
        local |= _listed(obs, "RDATE")
        local -= _listed(obs, "EXDATE")
        out += [((t - before).replace(tzinfo=UTC), before, after) for t in local]
    return sorted(out, key=lambda o: o[0])


def _zone_transitions(tz: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """zoneinfo's offset changes in [start, end], to the second (assumes at most one per hour)."""

    def offset(ts: int) -> dt.timedelta | None:
        return dt.datetime.fromtimestamp(ts, tz).utcoffset()

    found = []
    t, last = math.floor(start.timestamp()), math.ceil(end.timestamp())
    while t < last:
        nxt = min(t + 3600, last)
        if offset(t) != offset(nxt):
            lo, hi = t, nxt  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == offset(lo) else (lo, mid)
            found.append(dt.datetime.fromtimestamp(hi, UTC))
        t = nxt
    return found


def verify(vtz: icalendar.Timezone, zone: str, start_utc: dt.datetime, end_utc: dt.datetime) -> bool:
    """True when `vtz` gives zoneinfo's UTC offset for `zone` at every instant in [start, end].

    Checks every hour, both sides of each zoneinfo transition and of each VTIMEZONE onset in
    the span, and that each onset's TZOFFSETFROM is the offset in force just before it.
    """
    start, end = start_utc.astimezone(UTC), end_utc.astimezone(UTC)
    if end < start:
        return False
    tz = zoneinfo.ZoneInfo(zone)
    try:
        onsets = _onsets(vtz, end)
    except (ValueError, TypeError, KeyError, AttributeError):  # not a VTIMEZONE this can read
        return False
    times = [t for t, _, _ in onsets]

    def rules_offset(t: dt.datetime) -> dt.timedelta | None:
        i = bisect.bisect_right(times, t) - 1
        return onsets[i][2] if i >= 0 else None

    def zone_offset(t: dt.datetime) -> dt.timedelta | None:
        return t.astimezone(tz).utcoffset()

    points = {start, end}
    t = start.replace(minute=0, second=0, microsecond=0)
    while t <= end:
        points.add(t)
        t += HOUR
    for t in _zone_transitions(tz, start, end):
        points.update((t - SECOND, t))
    for t, before, _ in onsets:
        if start <= t <= end:
            if zone_offset(t - SECOND) != before:
                return False
            points.update((t - SECOND, t))
    return all(rules_offset(p) == zone_offset(p) for p in points if start <= p <= end)


def vtimezone_for(zone: str, start_utc: dt.datetime, end_utc: dt.datetime) -> icalendar.Timezone | None:
    """A verified two-observance VTIMEZONE for `zone` over [start, end], or None (write UTC then).

    The observances start in 1970 whatever the span, so every calendar carries the same VTIMEZONE
    for a zone: clients that keep the first definition of a TZID they meet (vobject does) are
    not misled. Only [start, end] is checked; before it the rules may not be the zone's.
    """
    if start_utc.tzinfo is None or end_utc.tzinfo is None:
        raise ValueError("vtimezone_for needs timezone-aware instants")
    first_year = min(FIRST_YEAR, start_utc.astimezone(UTC).year - 1)
    if not _matches(zone, first_year, start_utc.astimezone(UTC), end_utc.astimezone(UTC)):
        return None
    return build_vtimezone(zone, first_year)


@functools.lru_cache(maxsize=256)
def _matches(zone: str, first_year: int, start: dt.datetime, end: dt.datetime) -> bool:
    try:
        vtz = build_vtimezone(zone, first_year)
    except UnsupportedZone:
        return False
    return verify(vtz, zone, start, end)
