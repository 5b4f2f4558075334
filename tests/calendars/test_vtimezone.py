"""VTIMEZONE generation: one STANDARD (+ one DAYLIGHT) with yearly rules, equal to zoneinfo."""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo

import dateutil.rrule
import icalendar
import pytest

from scheduler.calendars.vtimezone import (
    UnsupportedZone,
    build_vtimezone,
    parse_posix_tz,
    posix_footer,
    tzif_bytes,
    verify,
    vtimezone_for,
    vtimezone_from_posix,
)
from tests.calendars import utc

START, END = utc(2026, 1, 1), utc(2028, 1, 1)


def text(prop: object) -> str:
    """A property value as written (icalendar 7's vUTCOffset.to_ical returns str, others bytes)."""
    value = prop.to_ical()
    return value.decode() if isinstance(value, bytes) else value


def observances(vtz: icalendar.Timezone) -> set[tuple[str, str, str, str]]:
    """(kind, RRULE or '', TZOFFSETFROM, TZOFFSETTO) of each observance, as written."""
    return {
        (
            obs.name,
            obs["RRULE"].to_ical().decode() if "RRULE" in obs else "",
            text(obs["TZOFFSETFROM"]),
            text(obs["TZOFFSETTO"]),
        )
        for obs in vtz.subcomponents
    }


EXPECTED = {
    "Europe/Paris": {
        ("STANDARD", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "+0200", "+0100"),
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "+0100", "+0200"),
    },
    "America/New_York": {
        ("STANDARD", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "-0400", "-0500"),
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "-0500", "-0400"),
    },
    "America/Denver": {
        ("STANDARD", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=11", "-0600", "-0700"),
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=2SU;BYMONTH=3", "-0700", "-0600"),
    },
    "Australia/Sydney": {  # southern hemisphere: daylight time spans the new year
        ("STANDARD", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=4", "+1100", "+1000"),
        ("DAYLIGHT", "FREQ=YEARLY;BYDAY=1SU;BYMONTH=10", "+1000", "+1100"),
    },
    "Asia/Kolkata": {("STANDARD", "", "+0530", "+0530")},
    "UTC": {("STANDARD", "", "+0000", "+0000")},
    "America/Phoenix": {("STANDARD", "", "-0700", "-0700")},
}


@pytest.mark.parametrize("zone", sorted(EXPECTED))
def test_two_observances_with_yearly_rules_equal_zoneinfo(zone: str) -> None:
    vtz = vtimezone_for(zone, START, END)
    assert vtz is not None
    assert str(vtz["TZID"]) == zone
    assert observances(vtz) == EXPECTED[zone]
    assert [o.name for o in vtz.subcomponents].count("STANDARD") == 1
    assert verify(vtz, zone, START, END)
    parsed = icalendar.Timezone.from_ical(vtz.to_ical())  # what a client reads back
    assert verify(parsed, zone, START, END)


def test_transition_times_are_local_wall_times() -> None:
    text = vtimezone_for("Europe/Paris", START, END).to_ical().decode()
    assert "DTSTART:19701025T030000" in text  # CEST 03:00 -> CET 02:00, on the rule's own date
    assert "DTSTART:19700329T020000" in text  # CET 02:00 -> CEST 03:00: the wall time before the change
    sydney = vtimezone_for("Australia/Sydney", START, END).to_ical().decode()
    assert "DTSTART:19700405T030000" in sydney and "DTSTART:19701004T020000" in sydney
    assert vtimezone_for("Europe/Paris", utc(2006, 1, 1), utc(2006, 12, 31)).to_ical().decode() == text


@pytest.mark.parametrize(
    ("zone", "start", "end"),
    [
        ("America/New_York", utc(2006, 1, 1), utc(2007, 12, 31)),  # the 2007 US rule change
        ("Europe/Moscow", utc(2011, 1, 1), utc(2014, 12, 31)),  # permanent +04 in 2011, +03 from 2014
        ("Europe/Moscow", utc(2014, 10, 1), utc(2014, 10, 31)),
    ],
)
def test_historical_rule_change_gives_none(zone: str, start: dt.datetime, end: dt.datetime) -> None:
    assert vtimezone_for(zone, start, end) is None


def test_rules_hold_after_the_change() -> None:
    assert vtimezone_for("America/New_York", utc(2007, 1, 1), utc(2008, 12, 31)) is not None
    assert vtimezone_for("Europe/Moscow", utc(2015, 1, 1), utc(2016, 12, 31)) is not None


@pytest.mark.parametrize(
    "zone",
    [
        "America/Nuuk",  # M3.5.0/-1: 23:00 on the Saturday before the last Sunday
        "Asia/Jerusalem",  # M3.4.4/26: the Friday after the fourth Thursday
        "Africa/Cairo",  # M10.5.4/24: the Friday after the last Thursday (may be 1 November)
        "America/Santiago",  # M9.1.6/24, southern hemisphere
        "Australia/Lord_Howe",  # a 30-minute daylight shift
        "Pacific/Chatham",  # transitions at 02:45
    ],
)
def test_unusual_current_rules_verify(zone: str) -> None:
    vtz = vtimezone_for(zone, START, END)
    assert vtz is not None, posix_footer(tzif_bytes(zone))
    assert {o.name for o in vtz.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_verify_is_not_vacuous() -> None:
    good = vtimezone_for("Europe/Paris", START, END).to_ical()
    for wrong in (
        good.replace(b"BYDAY=-1SU;BYMONTH=3", b"BYDAY=4SU;BYMONTH=3"),  # 22-28 March, not 25-31
        good.replace(b"DTSTART:19701025T030000", b"DTSTART:19701025T020000"),  # an hour early
        good.replace(b"TZOFFSETTO:+0200", b"TZOFFSETTO:+0230"),
        good.replace(b"DTSTART:19700329", b"DTSTART:20260329").replace(b"DTSTART:19701025", b"DTSTART:20261025"),
    ):
        assert wrong != good
        assert not verify(icalendar.Timezone.from_ical(wrong), "Europe/Paris", START, END)
    new_york_rules = build_vtimezone("America/New_York", 1970)
    assert not verify(new_york_rules, "America/New_York", utc(2006, 1, 1), utc(2006, 12, 31))
    assert not verify(build_vtimezone("Europe/London", 1970), "Europe/Paris", START, END)


def test_posix_strings() -> None:
    paris = parse_posix_tz("CET-1CEST,M3.5.0,M10.5.0/3")
    assert (paris.std_offset, paris.dst_offset) == (3600, 7200)
    assert (paris.dst_start.time, paris.dst_end.time) == (7200, 10800)
    assert parse_posix_tz("IST-5:30").std_offset == 19800
    assert parse_posix_tz("<-03>3").std_name == "-03"
    nuuk = parse_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0")
    assert (nuuk.std_offset, nuuk.dst_offset, nuuk.dst_start.time) == (-7200, -3600, -3600)
    lord_howe = parse_posix_tz("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0")
    assert lord_howe.dst_offset - lord_howe.std_offset == 1800
    for unsupported in ("EST5EDT,J60/2,J300/2", "EST5EDT,60,300", "EST5EDT", "not a zone", ""):
        with pytest.raises(UnsupportedZone):
            parse_posix_tz(unsupported)


def test_footer_read_like_zoneinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    assert posix_footer(tzif_bytes("Europe/Paris")) == "CET-1CEST,M3.5.0,M10.5.0/3"
    monkeypatch.setattr(zoneinfo, "TZPATH", ())  # the tzdata package, as zoneinfo would fall back to
    assert posix_footer(tzif_bytes("Europe/Paris")) == "CET-1CEST,M3.5.0,M10.5.0/3"
    assert posix_footer(tzif_bytes("Asia/Kolkata")) == "IST-5:30"
    assert posix_footer(b"not a TZif file") == ""
    with pytest.raises(UnsupportedZone):
        tzif_bytes("Nowhere/Atlantis")


def reference_onset(month: int, week: int, weekday: int, seconds: int, year: int) -> dt.datetime:
    """POSIX Mm.w.d/time by brute force: list the month's days with that weekday (0 = Sunday)."""
    days = [dt.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    matching = [d for d in days if d.isoweekday() % 7 == weekday]
    day = matching[-1] if week == 5 else matching[week - 1]
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)


def expand(obs: icalendar.Component, years: range) -> list[dt.datetime]:
    start = obs["DTSTART"].dt
    rule = dateutil.rrule.rrulestr(obs["RRULE"].to_ical().decode(), dtstart=start)
    return rule.between(start, dt.datetime(years.stop, 1, 1), inc=True)


@pytest.mark.parametrize(
    "posix",
    [
        "CET-1CEST,M3.5.0,M10.5.0/3",
        "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",  # Nuuk: the day before
        "IST-2IDT,M3.4.4/26,M10.5.0",  # Jerusalem: two days later
        "EET-2EEST,M4.5.5/0,M10.5.4/24",  # Cairo: window leaves October
        "<-04>4<-03>,M9.1.6/24,M4.1.6/24",  # Santiago
        "EET-2EEST,M3.4.4/50,M10.4.4/50",  # Gaza: 50 hours
        "AAA-1BBB,M2.5.0/24,M2.4.0/25",  # February windows in common and leap years
        "AAA-1BBB,M1.2.0/-1,M11.5.6/-49",  # two days and an hour back
    ],
)
def test_rrules_match_posix_rules_every_year(posix: str) -> None:
    tz = parse_posix_tz(posix)
    years = range(2000, 2041)
    vtz = vtimezone_from_posix("Test/Zone", tz, years.start)
    rules = {"STANDARD": tz.dst_end, "DAYLIGHT": tz.dst_start}
    for obs in vtz.subcomponents:
        r = rules[obs.name]
        expected = [reference_onset(r.month, r.week, r.weekday, r.time, y) for y in years]
        assert expand(obs, years) == expected, obs.name


@pytest.mark.parametrize("posix", ["AAA-1BBB,M3.5.0,M12.5.0/48", "AAA-1BBB,M1.1.0/-1,M10.5.0"])
def test_window_across_year_end_is_unsupported(posix: str) -> None:
    with pytest.raises(UnsupportedZone):
        vtimezone_from_posix("Test/Zone", parse_posix_tz(posix), 2025)
