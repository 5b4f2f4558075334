"""Calendar content: zones, local times, DST, UIDs, sequences, cancellations, determinism, layout."""

from __future__ import annotations

import dataclasses
import datetime as dt

import icalendar
import pytest

from scheduler.calendars.ical import (
    CalendarContext,
    event_uid,
    feed_targets,
    render,
    render_all,
    uid_part,
    write_calendars,
)
from scheduler.result import Assignment, Roster
from scheduler.store.events import carry_identity
from scheduler.store.records import FeedKind, FeedTarget, Period, PublishedEvent
from tests import factory
from tests.calendars import (
    PUBLISHED,
    context,
    events,
    new_york_2006_context,
    roster,
    scenario,
    utc,
    version,
    vevents,
)

READER = lambda rid: FeedTarget(FeedKind.reader, rid)  # noqa: E731
SITE = lambda sid: FeedTarget(FeedKind.site, sid)  # noqa: E731
GROUP = FeedTarget(FeedKind.group, "")


def by_uid(data: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in vevents(data)}


def lines(data: bytes) -> list[str]:
    """Unfolded content lines."""
    return data.decode().replace("\r\n ", "").split("\r\n")


def times(ev: icalendar.Event) -> tuple[str | None, str, str]:
    """The TZID and the DTSTART and DTEND values as written."""
    return ev["DTSTART"].params.get("TZID"), ev["DTSTART"].to_ical().decode(), ev["DTEND"].to_ical().decode()


def test_reader_calendar_in_reader_zone_with_tzid_and_vtimezone() -> None:
    data = render(context(), READER("martin"))
    cal = icalendar.Calendar.from_ical(data)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    evs = by_uid(data)
    assert sorted(evs) == [
        "martin.night.20261020@radiology-scheduler.local",
        "martin.night.20261024@radiology-scheduler.local",
        "martin.night.20261028@radiology-scheduler.local",
    ]
    text = lines(data)
    assert "DTSTART;TZID=Europe/Paris:20261020T200000" in text
    assert "DTEND;TZID=Europe/Paris:20261021T080000" in text
    assert "DTSTART;TZID=Europe/Paris:20261028T200000" in text
    for e in evs.values():
        assert e["DTSTART"].params["TZID"] == e["DTEND"].params["TZID"] == "Europe/Paris"


def test_night_across_dst_change_lasts_13_hours() -> None:
    ev = by_uid(render(context(), READER("martin")))["martin.night.20261024@radiology-scheduler.local"]
    assert times(ev) == ("Europe/Paris", "20261024T200000", "20261025T080000")
    start, end = ev["DTSTART"].dt, ev["DTEND"].dt
    assert (start.astimezone(dt.UTC), end.astimezone(dt.UTC)) == (utc(2026, 10, 24, 18), utc(2026, 10, 25, 7))
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=13)
    assert "(13 h)" in str(ev["DESCRIPTION"])


def test_sydney_reader_sees_paris_nights_at_sydney_hours() -> None:
    data = render(context(), READER("lee"))
    assert [str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(data).walk("VTIMEZONE")] == ["Australia/Sydney"]
    evs = by_uid(data)
    # Paris 20:00 CEST on 21 Oct is 18:00 UTC, 05:00 AEDT on the 22nd; 08:00 CEST is 17:00 AEDT.
    assert times(evs["lee.night.20261021@radiology-scheduler.local"]) == (
        "Australia/Sydney", "20261022T050000", "20261022T170000"
    )
    # After Paris falls back: 20:00 CET is 19:00 UTC, 06:00 AEDT; 08:00 CET is 07:00 UTC, 18:00 AEDT.
    assert times(evs["lee.night.20261025@radiology-scheduler.local"]) == (
        "Australia/Sydney", "20261026T060000", "20261026T180000"
    )
    assert str(evs["lee.night.20261021@radiology-scheduler.local"]["SUMMARY"]) == "Night \u2014 CHU Reims"
    description = str(evs["lee.night.20261021@radiology-scheduler.local"]["DESCRIPTION"])
    assert "CHU Reims: Wed 21 Oct 20:00 CEST to Thu 22 Oct 08:00 CEST (Europe/Paris)" in description


def test_new_york_reader_across_both_changes() -> None:
    evs = by_uid(render(context(), READER("cole")))
    assert times(evs["cole.weekend_day.20261024@radiology-scheduler.local"]) == (
        "America/New_York", "20261024T020000", "20261024T140000"
    )
    # 19:00 UTC on 31 Oct is 15:00 EDT; 07:00 UTC on 1 Nov, after New York falls back, is 02:00 EST.
    assert times(evs["cole.night.20261031@radiology-scheduler.local"]) == (
        "America/New_York", "20261031T150000", "20261101T020000"
    )


def test_reader_summary_and_description() -> None:
    ev = by_uid(render(context(), READER("martin")))["martin.night.20261024@radiology-scheduler.local"]
    assert str(ev["SUMMARY"]) == "Night \u2014 CHU Reims, CH Troyes"
    description = str(ev["DESCRIPTION"])
    assert "Shift: night, Sat 24 Oct 2026 (13 h)" in description
    assert "CHU Reims: Sat 24 Oct 20:00 CEST to Sun 25 Oct 08:00 CET (Europe/Paris)" in description
    assert "CH Troyes: Sat 24 Oct 20:00 CEST to Sun 25 Oct 08:00 CET (Europe/Paris)" in description
    assert "Subspecialties: Neuroradiologie" in description
    assert str(ev["LOCATION"]) == "CHU Reims, CH Troyes"


def test_site_calendar_in_site_zone() -> None:
    data = render(context(), SITE("cht_noumea"))
    assert [str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(data).walk("VTIMEZONE")] == ["Pacific/Noumea"]
    (ev,) = vevents(data)
    assert str(ev["UID"]) == "site-cht_noumea.cole.night.20261026@radiology-scheduler.local"
    assert str(ev["SUMMARY"]) == "Dr Cole \u2014 Night"
    assert times(ev) == ("Pacific/Noumea", "20261027T060000", "20261027T180000")
    assert "CHT Nouméa: Tue 27 Oct 06:00 +11 to Tue 27 Oct 18:00 +11 (Pacific/Noumea)" in str(ev["DESCRIPTION"])


def test_site_calendar_lists_every_reader_covering_the_site() -> None:
    evs = vevents(render(context(), SITE("chu_reims")))
    summaries = [str(e["SUMMARY"]) for e in evs]
    assert summaries == [
        "Dr Martin \u2014 Night (neuro)",
        "Dr Lee \u2014 Night (neuro)",
        "Dr Cole \u2014 Weekend day",
        "Dr Martin \u2014 Night (neuro)",
        "Dr Lee \u2014 Night (neuro)",
        "Dr Martin \u2014 Night (neuro)",
    ]
    assert str(evs[0]["UID"]) == "site-chu_reims.martin.night.20261020@radiology-scheduler.local"


def test_group_calendar_has_every_event_in_planning_zone() -> None:
    data = render(context(), GROUP)
    evs = vevents(data)
    assert len(evs) == len(roster().assignments)
    assert {e["DTSTART"].params["TZID"] for e in evs} == {"Europe/Paris"}
    assert str(evs[0]["UID"]) == "group.martin.night.20261020@radiology-scheduler.local"
    assert str(evs[0]["SUMMARY"]) == "Dr Martin \u2014 Night \u2014 CHU Reims, CH Troyes"
    assert "X-WR-CALNAME:grand-est-test \u2014 all shifts" in lines(data)


def test_reader_without_shifts_gets_a_valid_calendar() -> None:
    data = render(context(), READER("idle"))
    cal = icalendar.Calendar.from_ical(data)
    assert list(cal.walk("VEVENT")) == []
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]  # RFC 5545: one component
    assert "X-WR-CALNAME:Dr Idle \u2014 shifts" in lines(data)


def test_calendar_properties() -> None:
    text = lines(render(context(), READER("martin")))
    assert text[0] == "BEGIN:VCALENDAR" and text[-2:] == ["END:VCALENDAR", ""]
    for line in (
        "VERSION:2.0",
        "PRODID:-//Radiology Scheduler//Shift calendars//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Dr Martin \u2014 shifts",
        "X-WR-TIMEZONE:Europe/Paris",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ):
        assert line in text, line


def test_refresh_interval_follows_context() -> None:
    ctx = dataclasses.replace(context(), refresh=dt.timedelta(minutes=30))
    text = lines(render(ctx, GROUP))
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT30M" in text and "X-PUBLISHED-TTL:PT30M" in text


def test_every_event_is_stamped_with_the_publish_time_confirmed_and_opaque() -> None:
    for ev in vevents(render(context(), GROUP)):
        assert ev["DTSTAMP"].dt == PUBLISHED
        assert ev["DTSTAMP"].to_ical() == b"20261015T093000Z"
        assert str(ev["STATUS"]) == "CONFIRMED"
        assert str(ev["TRANSP"]) == "OPAQUE"
        assert ev["SEQUENCE"] == 0


def second_version() -> tuple[list[PublishedEvent], list[PublishedEvent]]:
    """Version 2 a day later: Martin's 28 Oct night adds Troyes, Lee's 21 Oct night is removed."""
    sc = scenario()
    first = events(sc)
    changed = [
        Assignment(reader=a.reader, shift_type=a.shift_type, date=a.date, sites=("chu_reims", "ch_troyes"))
        if (a.reader, a.date) == ("martin", dt.date(2026, 10, 28))
        else a
        for a in roster().assignments
        if (a.reader, a.date) != ("lee", dt.date(2026, 10, 21))
    ]
    return first, carry_identity(events(sc, Roster(assignments=tuple(changed))), first, utc(2026, 10, 16, 12))


def test_uids_stable_across_versions_with_sequence_and_cancellation() -> None:
    first, second = second_version()
    v2 = version(2, utc(2026, 10, 16, 12))
    for target in (READER("martin"), READER("lee"), SITE("chu_reims"), GROUP):
        old = by_uid(render(context(first), target))
        new = by_uid(render(context(second, v2), target))
        assert set(old) == set(new)  # the cancelled event stays, under the same UID
        for ev in new.values():
            assert ev["DTSTAMP"].dt == utc(2026, 10, 16, 12)
    new = by_uid(render(context(second, v2), READER("lee")))
    cancelled = new["lee.night.20261021@radiology-scheduler.local"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Cancelled: Night \u2014 CHU Reims"
    assert cancelled["SEQUENCE"] == 1
    assert str(new["lee.night.20261025@radiology-scheduler.local"]["STATUS"]) == "CONFIRMED"
    martin = by_uid(render(context(second, v2), READER("martin")))
    changed = martin["martin.night.20261028@radiology-scheduler.local"]
    assert changed["SEQUENCE"] == 1
    assert str(changed["SUMMARY"]) == "Night \u2014 CHU Reims, CH Troyes"
    assert martin["martin.night.20261024@radiology-scheduler.local"]["SEQUENCE"] == 0


def test_uid_families_are_distinct() -> None:
    ctx = context()
    families = [set(by_uid(render(ctx, t))) for t in (READER("martin"), SITE("chu_reims"), SITE("ch_troyes"), GROUP)]
    for i, a in enumerate(families):
        for b in families[i + 1 :]:
            assert not a & b


def test_uid_sanitising_is_safe_and_injective() -> None:
    assert uid_part("dr_martin-2") == "dr_martin-2"
    assert uid_part("a.b:c") == "a%2Eb%3Ac"
    assert uid_part("é/%") == "%C3%A9%2F%25"
    e = next(iter(events()))
    one = dataclasses.replace(e, uid_key="a.b/c/2026-10-20")
    two = dataclasses.replace(e, uid_key="a/b.c/2026-10-20")
    assert event_uid(one, "", "x.org") == "a%2Eb.c.20261020@x.org"
    assert event_uid(two, "", "x.org") == "a.b%2Ec.20261020@x.org"
    assert event_uid(one, "site-s.", "x.org") == "site-s.a%2Eb.c.20261020@x.org"
    ctx = dataclasses.replace(context(), domain="rota.example.org")
    assert "martin.night.20261020@rota.example.org" in by_uid(render(ctx, READER("martin")))


def test_same_context_same_bytes() -> None:
    ctx = context()
    assert render_all(ctx) == render_all(context())
    shuffled = dataclasses.replace(ctx, events=list(reversed(ctx.events)))
    assert render(shuffled, GROUP) == render(ctx, GROUP)


def test_content_lines_are_folded_crlf_utf8() -> None:
    ctx = context()
    for name, data in render_all(ctx).items():
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), name
        physical = data.split(b"\r\n")
        assert all(len(line) <= 75 for line in physical), name
        for line in physical:
            line.decode("utf-8")  # folding never splits a multi-byte character
    assert any(line.startswith(b" ") for line in render(ctx, GROUP).split(b"\r\n"))


def test_historical_rule_change_falls_back_to_utc() -> None:
    """New York's 2006 rules (DST ended 29 October) differ from today's (first Sunday of November)."""
    ctx = new_york_2006_context()
    group = render(ctx, GROUP)
    assert list(icalendar.Calendar.from_ical(group).walk("VTIMEZONE")) == []
    assert "X-WR-TIMEZONE:America/New_York" in lines(group)
    first = by_uid(group)["group.ny.night.20061028@radiology-scheduler.local"]
    # 20:00 EDT on 28 Oct is 00:00 UTC; 08:00 EST on 29 Oct (the old rule's change night) is 13:00 UTC.
    assert first["DTSTART"].to_ical() == b"20061029T000000Z" and first["DTEND"].to_ical() == b"20061029T130000Z"
    assert "TZID" not in first["DTSTART"].params
    # Paris kept its rules since 1996: the Paris reader still gets local times.
    paris = by_uid(render(ctx, READER("paris")))["paris.night.20061030@radiology-scheduler.local"]
    assert times(paris) == ("Europe/Paris", "20061031T020000", "20061031T140000")


def test_empty_calendar_without_usable_vtimezone_is_still_valid() -> None:
    data = render(new_york_2006_context(), READER("quiet"))
    cal = icalendar.Calendar.from_ical(data)
    assert cal.subcomponents == []
    assert "X-WR-CALNAME:Dr quiet \u2014 shifts" in lines(data)
    assert icalendar.Calendar.from_ical(data).to_ical() == data


@pytest.mark.parametrize(
    ("zone", "start", "end", "observances"),
    [
        ("UTC", "20260302T173000Z", "20260303T073000Z", None),  # UTC needs no VTIMEZONE
        ("Asia/Kolkata", "20260302T230000", "20260303T130000", ["STANDARD"]),
        ("America/Phoenix", "20260302T103000", "20260303T003000", ["STANDARD"]),
    ],
)
def test_zones_without_daylight_time(zone: str, start: str, end: str, observances: list[str] | None) -> None:
    sc = factory.build(radiologists=[factory.reader("r1", timezone=zone)])
    r = Roster(assignments=(Assignment(reader="r1", shift_type="night", date=dt.date(2026, 3, 2), sites=("A",)),))
    ctx = CalendarContext(sc, version(period=Period(sc.horizon.start, sc.horizon.end)), events(sc, r))
    data = render(ctx, READER("r1"))
    (ev,) = vevents(data)
    assert (ev["DTSTART"].to_ical().decode(), ev["DTEND"].to_ical().decode()) == (start, end)
    vtzs = list(icalendar.Calendar.from_ical(data).walk("VTIMEZONE"))
    if observances is None:
        assert vtzs == [] and "TZID" not in ev["DTSTART"].params
    else:
        assert [str(v["TZID"]) for v in vtzs] == [zone] == [ev["DTSTART"].params["TZID"]]
        assert [o.name for o in vtzs[0].subcomponents] == observances


def test_second_pass_of_repeated_hour_is_written_in_utc() -> None:
    base = next(e for e in events() if e.reader == "martin")
    first_pass = dataclasses.replace(base, uid_key="martin/late/2026-10-24", shift_type="late",
                                     start=utc(2026, 10, 24, 22), end=utc(2026, 10, 25, 0, 30))
    second_pass = dataclasses.replace(base, uid_key="martin/later/2026-10-24", shift_type="later",
                                      start=utc(2026, 10, 24, 22), end=utc(2026, 10, 25, 1, 30))
    evs = by_uid(render(context([first_pass, second_pass]), READER("martin")))
    # 00:30 UTC is 02:30 CEST (first pass): local time is exact.
    assert times(evs["martin.late.20261024@radiology-scheduler.local"]) == (
        "Europe/Paris", "20261025T000000", "20261025T023000"
    )
    # 01:30 UTC is 02:30 CET (second pass), which a TZID time would read as 00:30 UTC: use UTC.
    later = evs["martin.later.20261024@radiology-scheduler.local"]
    assert (later["DTSTART"].to_ical(), later["DTEND"].to_ical()) == (b"20261024T220000Z", b"20261025T013000Z")


def test_unknown_subject_is_an_error() -> None:
    with pytest.raises(ValueError, match="no reader"):
        render(context(), READER("nobody"))
    with pytest.raises(ValueError, match="no site"):
        render(context(), SITE("nowhere"))


def test_render_all_and_write_calendars(tmp_path) -> None:
    ctx = context()
    files = render_all(ctx)
    assert sorted(files) == sorted(
        ["group.ics"]
        + [f"readers/{r}.ics" for r in ("martin", "lee", "cole", "idle")]
        + [f"sites/{s}.ics" for s in ("chu_reims", "ch_troyes", "cht_noumea")]
    )
    assert files == {name: render(ctx, t) for name, t in feed_targets(ctx.scenario).items()}
    paths = write_calendars(ctx, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in paths) == sorted(files)
    for p in paths:
        assert p.read_bytes() == files[p.relative_to(tmp_path / "out").as_posix()]
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name.endswith(".tmp")]
    write_calendars(ctx, tmp_path / "out")  # overwrites in place
    assert (tmp_path / "out" / "group.ics").read_bytes() == files["group.ics"]
