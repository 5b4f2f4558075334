"""Shared builders for calendar tests: a small Paris group over the October 2026 DST change.

Clocks in Paris go back at 03:00 on Sunday 25 October 2026 (01:00 UTC), so the 20:00-08:00
night of Saturday 24 October lasts 13 hours. Readers live in Paris, Sydney and New York (where
clocks go back on 1 November); one site is in Nouméa (UTC+11, no DST); one reader has no shifts.
"""

from __future__ import annotations

import datetime as dt

import icalendar

from scheduler.calendars.ical import CalendarContext
from scheduler.instance import build_instance
from scheduler.result import Assignment, Roster
from scheduler.scenario import Scenario
from scheduler.store.events import roster_events
from scheduler.store.records import Period, PublishedEvent, PublishedVersion
from tests import factory

UTC = dt.UTC
PUBLISHED = dt.datetime(2026, 10, 15, 9, 30, tzinfo=UTC)
SITES = ("chu_reims", "ch_troyes", "cht_noumea")
D = dt.date


def scenario() -> Scenario:
    return factory.build(
        factory.data(
            name="grand-est-test",
            horizon={"start": "2026-10-19", "end": "2026-10-31", "timezone": "Europe/Paris",
                     "holidays": {"country": "FR"}},
            subspecialties=[{"id": "neuro", "name": "Neuroradiologie"}, {"id": "msk", "name": "Ostéo-articulaire"}],
            shift_types=[
                {"id": "night", "label": "night", "start": "20:00", "end": "08:00", "kind": "night"},
                {"id": "weekend_day", "label": "weekend day", "start": "08:00", "end": "20:00", "kind": "day",
                 "days": ["weekends"]},
            ],
            sites=[
                {"id": "chu_reims", "name": "CHU Reims", "jurisdiction": "FR", "timezone": "Europe/Paris",
                 "coverage": [{"shift_type": "night", "subspecialty": "neuro"}, {"shift_type": "weekend_day"}]},
                {"id": "ch_troyes", "name": "CH Troyes", "jurisdiction": "FR", "timezone": "Europe/Paris",
                 "coverage": [{"shift_type": "night"}]},
                {"id": "cht_noumea", "name": "CHT Nouméa", "jurisdiction": "FR", "timezone": "Pacific/Noumea",
                 "coverage": [{"shift_type": "night"}]},
            ],
            radiologists=[
                factory.reader("martin", name="Dr Martin", sites=SITES, subspecialties=["neuro"]),
                factory.reader("lee", name="Dr Lee", sites=SITES, subspecialties=["neuro", "msk"],
                               timezone="Australia/Sydney"),
                factory.reader("cole", name="Dr Cole", sites=SITES, timezone="America/New_York"),
                factory.reader("idle", name="Dr Idle", sites=SITES),
            ],
        )
    )


def roster() -> Roster:
    a = lambda reader, shift, day, *sites: Assignment(reader=reader, shift_type=shift, date=day, sites=sites)
    return Roster(
        assignments=(
            a("martin", "night", D(2026, 10, 20), "chu_reims", "ch_troyes"),
            a("martin", "night", D(2026, 10, 24), "chu_reims", "ch_troyes"),  # 13 h: clocks go back
            a("martin", "night", D(2026, 10, 28), "chu_reims"),
            a("lee", "night", D(2026, 10, 21), "chu_reims"),
            a("lee", "night", D(2026, 10, 25), "chu_reims", "ch_troyes"),
            a("cole", "weekend_day", D(2026, 10, 24), "chu_reims"),
            a("cole", "night", D(2026, 10, 26), "cht_noumea"),
            a("cole", "night", D(2026, 10, 31), "ch_troyes"),  # ends 1 Nov, after New York's change
        )
    )


def version(number: int = 1, published: dt.datetime = PUBLISHED, period: Period | None = None) -> PublishedVersion:
    return PublishedVersion(
        id=number, period=period or Period(D(2026, 10, 19), D(2026, 10, 31)), number=number, scenario_version=1,
        published_at=published, published_by="coordinator", note="", base_number=number - 1 or None,
    )


def events(sc: Scenario | None = None, r: Roster | None = None) -> list[PublishedEvent]:
    return roster_events(build_instance(sc or scenario()), r or roster())


def context(evs: list[PublishedEvent] | None = None, v: PublishedVersion | None = None) -> CalendarContext:
    sc = scenario()
    return CalendarContext(scenario=sc, version=v or version(), events=evs if evs is not None else events(sc))


def vevents(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def new_york_2006_context() -> CalendarContext:
    """A group planned in New York over its last fall-back under the old rules (29 October 2006).

    Today's rule (first Sunday of November) does not hold then, so calendars in New York time
    fall back to UTC; a Paris reader's calendar keeps local times (EU rules unchanged since 1996).
    """
    sc = factory.build(
        factory.data(
            horizon={"start": "2006-10-23", "end": "2006-11-05", "timezone": "America/New_York"},
            shift_types=[{"id": "night", "label": "night", "start": "20:00", "end": "08:00", "kind": "night"}],
            radiologists=[
                factory.reader("ny", timezone="America/New_York"),
                factory.reader("paris"),
                factory.reader("quiet", timezone="America/New_York"),
            ],
        )
    )
    r = Roster(
        assignments=(
            Assignment(reader="ny", shift_type="night", date=D(2006, 10, 28), sites=("A",)),
            Assignment(reader="paris", shift_type="night", date=D(2006, 10, 30), sites=("A",)),
        )
    )
    return CalendarContext(sc, version(period=Period(sc.horizon.start, sc.horizon.end)), events(sc, r))
