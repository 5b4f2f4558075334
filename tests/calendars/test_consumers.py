"""What real consumers read from the feeds: icalendar, recurring-ical-events, vobject, and khal.

vobject and icalendar's `to_tz(lookup_tzid=False)` build their zones from the VTIMEZONE text
(dateutil's tzical), so they check the rules themselves, not just the TZID name. khal is a real
calendar client, run as a subprocess with its own configuration in two local zones.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import vobject

from scheduler.calendars.ical import CalendarContext, render, render_all
from scheduler.store.events import carry_identity
from scheduler.store.records import FeedKind, FeedTarget, PublishedEvent
from tests.calendars import context, events, new_york_2006_context, utc, version

UTC = dt.UTC
KHAL = Path(sys.executable).parent / "khal"
WINDOW = (utc(2026, 10, 1), utc(2026, 12, 1))


def second_version() -> tuple[list[PublishedEvent], CalendarContext]:
    """Version 2 a day later without Lee's 21 October night, which becomes CANCELLED."""
    first = events()
    kept = [e for e in first if e.uid_key != "lee/night/2026-10-21"]
    published = utc(2026, 10, 16, 12)
    evs = carry_identity(kept, first, published)
    return evs, context(evs, version(2, published))


def expanded(data: bytes) -> list[icalendar.Event]:
    return list(recurring_ical_events.of(icalendar.Calendar.from_ical(data)).between(*WINDOW))


def instants(ev) -> tuple[dt.datetime, dt.datetime]:
    return ev["DTSTART"].dt.astimezone(UTC), ev["DTEND"].dt.astimezone(UTC)


def test_icalendar_round_trip_is_byte_identical() -> None:
    _, ctx = second_version()
    for name, data in render_all(ctx).items():
        assert icalendar.Calendar.from_ical(data).to_ical() == data, name


def test_recurring_ical_events_expansion_equals_the_roster_for_a_reader() -> None:
    evs, ctx = second_version()
    got = expanded(render(ctx, FeedTarget(FeedKind.reader, "lee")))
    confirmed = {instants(e) for e in got if str(e["STATUS"]) == "CONFIRMED"}
    cancelled = {instants(e) for e in got if str(e["STATUS"]) == "CANCELLED"}
    assert confirmed == {(e.start, e.end) for e in evs if e.reader == "lee" and not e.cancelled}
    assert cancelled == {(utc(2026, 10, 21, 18), utc(2026, 10, 22, 6))}
    assert len(got) == len(confirmed) + len(cancelled)


def test_recurring_ical_events_expansion_equals_the_roster_for_the_group() -> None:
    evs, ctx = second_version()
    names = {r.display: r.id for r in ctx.scenario.radiologists}
    got = expanded(render(ctx, FeedTarget(FeedKind.group, "")))

    def reader(ev) -> str:
        return names[str(ev["SUMMARY"]).removeprefix("Cancelled: ").split(" \u2014 ")[0]]

    confirmed = {(reader(e), *instants(e)) for e in got if str(e["STATUS"]) == "CONFIRMED"}
    assert confirmed == {(e.reader, e.start, e.end) for e in evs if not e.cancelled}
    assert len(confirmed) == len(evs) - 1
    cancelled = {(reader(e), *instants(e)) for e in got if str(e["STATUS"]) == "CANCELLED"}
    assert cancelled == {(e.reader, e.start, e.end) for e in evs if e.cancelled}
    assert len(got) == len(evs)


def test_vobject_parses_every_file_and_reads_the_vtimezone_rules() -> None:
    evs, ctx = second_version()
    truth = {(e.start, e.end) for e in evs}
    for name, data in render_all(ctx).items():
        cal = vobject.readOne(data.decode("utf-8"))
        assert cal.name == "VCALENDAR", name
        for ev in getattr(cal, "vevent_list", []):
            start, end = ev.dtstart.value, ev.dtend.value
            assert type(start.tzinfo).__module__.startswith("dateutil"), name  # built from our VTIMEZONE
            assert (start.astimezone(UTC), end.astimezone(UTC)) in truth, name
    empty = vobject.readOne(render(ctx, FeedTarget(FeedKind.reader, "idle")).decode())
    assert not hasattr(empty, "vevent")


def test_vobject_parses_utc_fallback_and_empty_calendars() -> None:
    ctx = new_york_2006_context()
    truth = {(e.start, e.end) for e in ctx.events}
    for name, data in render_all(ctx).items():
        cal = vobject.readOne(data.decode("utf-8"))
        for ev in getattr(cal, "vevent_list", []):
            assert (ev.dtstart.value.astimezone(UTC), ev.dtend.value.astimezone(UTC)) in truth, name
    quiet = vobject.readOne(render(ctx, FeedTarget(FeedKind.reader, "quiet")).decode())
    assert quiet.name == "VCALENDAR" and not hasattr(quiet, "vevent") and not hasattr(quiet, "vtimezone")


def test_icalendar_reads_the_vtimezone_rules_like_zoneinfo() -> None:
    for target in (FeedTarget(FeedKind.reader, "lee"), FeedTarget(FeedKind.reader, "cole"),
                   FeedTarget(FeedKind.site, "chu_reims"), FeedTarget(FeedKind.site, "cht_noumea")):
        (vtz,) = icalendar.Calendar.from_ical(render(context(), target)).walk("VTIMEZONE")
        from_rules = vtz.to_tz(lookup_tzid=False)  # not the zone named by TZID: the rules as written
        zone = ZoneInfo(str(vtz["TZID"]))
        t = utc(2026, 1, 1)
        while t < utc(2027, 1, 1):
            assert t.astimezone(from_rules).utcoffset() == t.astimezone(zone).utcoffset(), (vtz["TZID"], t)
            t += dt.timedelta(hours=1)


# ---- khal -------------------------------------------------------------------------------------

KHAL_CONFIG = """\
[calendars]
[[shifts]]
path = {vdir}
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = {zone}
default_timezone = {zone}

[sqlite]
path = {db}
"""


def khal(root: Path, *args: str) -> str:
    assert KHAL.is_file(), f"khal is not installed in the venv ({KHAL}); pip install khal"
    env = {
        **os.environ,
        "HOME": str(root),
        "XDG_CONFIG_HOME": str(root / "config"),
        "XDG_DATA_HOME": str(root / "data"),
        "PYTHONIOENCODING": "utf-8",
        "LC_ALL": "C.UTF-8",
    }
    done = subprocess.run(
        [str(KHAL), "-c", str(root / "khal.conf"), *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def khal_list(tmp_path: Path, zone: str, feed: bytes, first: str, last: str) -> list[tuple[str, str, str]]:
    """Import `feed` into a fresh khal calendar with local zone `zone`; list (start, end, uid)."""
    root = tmp_path / zone.replace("/", "-")
    (root / "cal").mkdir(parents=True)
    (root / "khal.conf").write_text(KHAL_CONFIG.format(vdir=root / "cal", db=root / "khal.db", zone=zone))
    (root / "feed.ics").write_bytes(feed)
    khal(root, "import", "--batch", "-a", "shifts", str(root / "feed.ics"))
    out = khal(root, "list", "--once", "--day-format", "", "--format", "{start}|{end}|{uid}", first, last)
    return sorted(tuple(line.split("|")) for line in out.splitlines() if line.strip())


def test_khal_shows_shifts_at_local_hours_in_two_zones_across_dst(tmp_path: Path) -> None:
    ctx = context()
    feed = render(ctx, FeedTarget(FeedKind.reader, "martin"))
    uid = "martin.night.{}@radiology-scheduler.local".format
    expected = {
        # Paris nights 20:00-08:00; the night of 24 October lasts 13 hours.
        "Australia/Sydney": [
            ("2026-10-21 05:00", "2026-10-21 17:00", uid("20261020")),
            ("2026-10-25 05:00", "2026-10-25 18:00", uid("20261024")),
            ("2026-10-29 06:00", "2026-10-29 18:00", uid("20261028")),
        ],
        "America/New_York": [
            ("2026-10-20 14:00", "2026-10-21 02:00", uid("20261020")),
            ("2026-10-24 14:00", "2026-10-25 03:00", uid("20261024")),
            ("2026-10-28 15:00", "2026-10-29 03:00", uid("20261028")),
        ],
    }
    for zone, rows in expected.items():
        tz = ZoneInfo(zone)
        fmt = "%Y-%m-%d %H:%M"
        from_roster = sorted(
            (e.start.astimezone(tz).strftime(fmt), e.end.astimezone(tz).strftime(fmt), uid(f"{e.date:%Y%m%d}"))
            for e in ctx.events
            if e.reader == "martin"
        )
        assert rows == from_roster
        assert khal_list(tmp_path, zone, feed, "2026-10-19", "2026-11-02") == rows, zone


def test_khal_reads_the_utc_fallback(tmp_path: Path) -> None:
    """A calendar whose times fell back to UTC still shows the right local hours in khal."""
    feed = render(new_york_2006_context(), FeedTarget(FeedKind.group, ""))
    assert b"DTSTART:20061029T000000Z" in feed and b"VTIMEZONE" not in feed
    uid = "group.ny.night.20061028@radiology-scheduler.local"
    # 00:00-13:00 UTC: 20:00 EDT to 08:00 EST in New York, 02:00 CEST to 14:00 CET in Paris.
    assert ("2006-10-28 20:00", "2006-10-29 08:00", uid) in khal_list(
        tmp_path, "America/New_York", feed, "2006-10-20", "2006-11-10"
    )
    assert ("2006-10-29 02:00", "2006-10-29 14:00", uid) in khal_list(
        tmp_path, "Europe/Paris", feed, "2006-10-20", "2006-11-10"
    )
