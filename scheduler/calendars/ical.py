"""iCalendar feeds of a published version: one per reader, one per site, one for the whole group.

Each calendar is written in its audience's zone (the reader's, the site's, the group's planning
zone) with a verified VTIMEZONE, so clients show local hours while every event keeps its true
UTC start and end (a night across a DST change lasts 13 or 11 hours). When the zone's yearly
rules do not hold over the calendar's span, or a time is the second pass of a repeated hour,
times are written in UTC instead. Output depends only on the context: same input, same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar

from scheduler.calendars.vtimezone import vtimezone_for
from scheduler.io.atomic import write_atomic
from scheduler.scenario import Scenario
from scheduler.store.records import FeedKind, FeedTarget, PublishedEvent, PublishedVersion

UTC = dt.UTC
DEFAULT_DOMAIN = "radiology-scheduler.local"
PRODID = "-//Radiology Scheduler//Shift calendars//EN"
DASH = "\u2014"
UID_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # fixed English, never the locale's
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class CalendarContext:
    """What every calendar of one published version is rendered from."""

    scenario: Scenario
    version: PublishedVersion
    events: Sequence[PublishedEvent]
    domain: str = DEFAULT_DOMAIN  # right-hand side of every UID
    refresh: dt.timedelta = dt.timedelta(hours=1)  # how often subscribers should fetch again


@dataclass(frozen=True)
class _View:
    """One calendar: its name, zone, events, and how an event is titled and identified in it."""

    name: str
    zone: str
    events: list[PublishedEvent]
    summary: Callable[[PublishedEvent], str]
    uid_prefix: str  # distinct per calendar family, so two subscriptions never merge events


# ---- words ----------------------------------------------------------------------------------


def uid_part(text: str) -> str:
    """`text` with every character outside [A-Za-z0-9_-] percent-encoded (UTF-8): safe and injective."""
    return "".join(c if c in UID_SAFE else "".join(f"%{b:02X}" for b in c.encode()) for c in text)


def event_uid(event: PublishedEvent, prefix: str, domain: str) -> str:
    """`<prefix><reader>.<type>.<yyyymmdd>@domain` from the event's stable `uid_key`."""
    parts = []
    for part in event.uid_key.split("/"):
        try:
            parts.append(dt.date.fromisoformat(part).strftime("%Y%m%d"))
        except ValueError:
            parts.append(uid_part(part))
    return f"{prefix}{'.'.join(parts)}@{domain}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _when(t: dt.datetime) -> str:
    return f"{WEEKDAYS[t.weekday()]} {t.day} {MONTHS[t.month - 1]} {t:%H:%M} {t.tzname()}"


def _length(start: dt.datetime, end: dt.datetime) -> str:
    minutes = int((end - start).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if not rest else f"{hours} h {rest:02d} min"


class _Words:
    """Display names from the scenario, falling back to ids for anything it no longer lists."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.subspecialties = {s.id: s.name or s.id for s in scenario.subspecialties}
        self.site_rank = {s.id: k for k, s in enumerate(scenario.sites)}

    def reader(self, rid: str) -> str:
        r = self.scenario.radiologist_by_id.get(rid)
        return r.display if r else rid

    def site(self, sid: str) -> str:
        s = self.scenario.site_by_id.get(sid)
        return s.display if s else sid

    def shift(self, type_id: str) -> str:
        st = self.scenario.shift_type_by_id.get(type_id)
        return (st.label or st.id) if st else type_id

    def site_ids(self, e: PublishedEvent) -> list[str]:
        """The event's sites in the scenario's order (the coordinator's), unknown ones last."""
        return sorted(e.sites, key=lambda s: (self.site_rank.get(s, len(self.site_rank)), s))

    def sites(self, e: PublishedEvent) -> str:
        return ", ".join(self.site(s) for s in self.site_ids(e))

    def description(self, e: PublishedEvent, version: PublishedVersion) -> str:
        day = e.date
        lines = [
            f"Shift: {self.shift(e.shift_type)}, {WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} "
            f"{day.year} ({_length(e.start, e.end)})",
            f"Reader: {self.reader(e.reader)}",
            "Sites covered (local times at the site):",
        ]
        for sid in self.site_ids(e):
            site = self.scenario.site_by_id.get(sid)
            tz = ZoneInfo(site.timezone if site else self.scenario.horizon.timezone)
            lines.append(
                f"- {self.site(sid)}: {_when(e.start.astimezone(tz))} to {_when(e.end.astimezone(tz))} ({tz.key})"
            )
        subs = ", ".join(self.subspecialties.get(s, s) for s in e.subspecialties) or "none"
        lines.append(f"Subspecialties: {subs}")
        if e.cancelled:
            lines.append("This shift has been cancelled.")
        published = version.published_at.astimezone(UTC)
        lines.append(f"Roster {version.period} version {version.number}, published {published:%Y-%m-%d %H:%M} UTC")
        return "\n".join(lines)


# ---- calendars ------------------------------------------------------------------------------


def _view(ctx: CalendarContext, target: FeedTarget, words: _Words) -> _View:
    sc = ctx.scenario
    if target.kind is FeedKind.reader:
        reader = sc.radiologist_by_id.get(target.subject)
        if reader is None:
            raise ValueError(f"no reader {target.subject!r} in scenario {sc.name!r}")
        return _View(
            name=f"{reader.display} {DASH} shifts",
            zone=reader.timezone,
            events=[e for e in ctx.events if e.reader == reader.id],
            summary=lambda e: f"{_capital(words.shift(e.shift_type))} {DASH} {words.sites(e)}",
            uid_prefix="",
        )
    if target.kind is FeedKind.site:
        site = sc.site_by_id.get(target.subject)
        if site is None:
            raise ValueError(f"no site {target.subject!r} in scenario {sc.name!r}")

        def site_summary(e: PublishedEvent) -> str:
            subs = f" ({', '.join(e.subspecialties)})" if e.subspecialties else ""
            return f"{words.reader(e.reader)} {DASH} {_capital(words.shift(e.shift_type))}{subs}"

        return _View(
            name=f"{site.display} {DASH} shifts",
            zone=site.timezone,
            events=[e for e in ctx.events if site.id in e.sites],
            summary=site_summary,
            uid_prefix=f"site-{uid_part(site.id)}.",
        )
    return _View(
        name=f"{sc.name} {DASH} all shifts",
        zone=sc.horizon.timezone,
        events=list(ctx.events),
        summary=lambda e: f"{words.reader(e.reader)} {DASH} {_capital(words.shift(e.shift_type))} {DASH} "
        f"{words.sites(e)}",
        uid_prefix="group.",
    )


def _span(ctx: CalendarContext, events: Sequence[PublishedEvent], zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The instants a calendar covers: the roster period in its zone, widened to its events."""
    tz = ZoneInfo(zone)
    period = ctx.version.period
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=tz).astimezone(UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=tz).astimezone(UTC)
    return min([start, *(e.start for e in events)]), max([end, *(e.end for e in events)])


def _local(t: dt.datetime, tz: ZoneInfo | None) -> dt.datetime | None:
    """`t` as wall time in `tz` when that wall time names `t` unambiguously in iCalendar, else None.

    RFC 5545 reads a repeated wall time as its first pass, so the second pass needs UTC.
    """
    if tz is None:
        return None
    local = t.astimezone(tz).replace(fold=0)
    return local if local.astimezone(UTC) == t else None


def _event(
    ctx: CalendarContext, view: _View, e: PublishedEvent, tz: ZoneInfo | None, words: _Words
) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", event_uid(e, view.uid_prefix, ctx.domain))
    ev.add("dtstamp", ctx.version.published_at.astimezone(UTC))
    start, end = _local(e.start, tz), _local(e.end, tz)
    if start is None or end is None:
        start, end = e.start.astimezone(UTC), e.end.astimezone(UTC)
    ev.add("dtstart", start)
    ev.add("dtend", end)
    ev.add("sequence", e.sequence)
    ev.add("status", "CANCELLED" if e.cancelled else "CONFIRMED")
    ev.add("transp", "OPAQUE")
    ev.add("summary", ("Cancelled: " if e.cancelled else "") + view.summary(e))
    ev.add("location", words.sites(e))
    ev.add("description", words.description(e, ctx.version))
    return ev


def render(ctx: CalendarContext, target: FeedTarget) -> bytes:
    """The iCalendar file (RFC 5545, METHOD:PUBLISH) of one reader, one site, or the group."""
    words = _Words(ctx.scenario)
    view = _view(ctx, target, words)
    events = sorted(view.events, key=lambda e: (e.start, e.end, e.uid_key))
    vtz = vtimezone_for(view.zone, *_span(ctx, events, view.zone))
    tz = ZoneInfo(view.zone) if vtz is not None else None

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", view.name)
    cal.add("x-wr-timezone", view.zone)
    cal.add("refresh-interval", icalendar.vDuration(ctx.refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(ctx.refresh))
    components = [_event(ctx, view, e, tz, words) for e in events]
    used = {str(c[p].params["TZID"]) for c in components for p in ("DTSTART", "DTEND") if "TZID" in c[p].params}
    if used - {view.zone}:
        raise RuntimeError(f"icalendar wrote unexpected TZIDs {sorted(used - {view.zone})}")
    if vtz is not None and (used or not components):  # an empty calendar keeps one component (RFC 5545)
        cal.add_component(vtz)
    for c in components:
        cal.add_component(c)
    return cal.to_ical()


def feed_targets(scenario: Scenario) -> dict[str, FeedTarget]:
    """Every calendar of a scenario by relative file name: readers/<id>.ics, sites/<id>.ics, group.ics."""
    out = {f"readers/{r.id}.ics": FeedTarget(FeedKind.reader, r.id) for r in scenario.radiologists}
    out.update({f"sites/{s.id}.ics": FeedTarget(FeedKind.site, s.id) for s in scenario.sites})
    out["group.ics"] = FeedTarget(FeedKind.group, "")
    return out


def render_all(ctx: CalendarContext) -> dict[str, bytes]:
    """Every reader's, every site's and the group's calendar, by relative file name."""
    return {name: render(ctx, target) for name, target in feed_targets(ctx.scenario).items()}


def write_calendars(ctx: CalendarContext, out_dir: str | Path) -> list[Path]:
    """Write `render_all(ctx)` under `out_dir`, each file atomically; returns the paths written."""
    paths = []
    for name, data in sorted(render_all(ctx).items()):
        path = Path(out_dir) / name
        write_atomic(path, lambda tmp, data=data: tmp.write_bytes(data))
        paths.append(path)
    return paths
