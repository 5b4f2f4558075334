"""Calendar events of a published version: UTC times, subspecialties, and identity across versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from scheduler.instance import build_instance
from scheduler.result import Assignment, Roster
from scheduler.store import Store
from scheduler.store.events import CANCEL_KEEP, CANCEL_WINDOW, carry_identity, roster_events
from tests import factory

UTC = dt.UTC
MON, TUE, WED, THU, FRI, SAT, SUN = (dt.date(2026, 3, 2) + dt.timedelta(days=k) for k in range(7))


def roster(*rows: tuple) -> Roster:
    """Rows (reader, shift_type, date) or (reader, shift_type, date, sites); sites default to ("A",)."""
    return Roster(
        assignments=tuple(
            Assignment(reader=r[0], shift_type=r[1], date=r[2], sites=tuple(r[3] if len(r) > 3 else ("A",)))
            for r in rows
        )
    )


def two_site_scenario():
    """The factory week (nights 18:30-08:30 Paris, UTC+1 in March) with nights at sites A and B."""
    d = factory.data()
    d["sites"].append({"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris",
                       "coverage": [{"shift_type": "night", "readers": 1}]})
    d["radiologists"] = [factory.reader(f"r{k}", sites=("A", "B")) for k in range(1, 4)]
    return factory.build(d)


@pytest.fixture(scope="module")
def inst():
    return build_instance(two_site_scenario())


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def by_uid(events):
    return {e.uid_key: e for e in events}


# ---- roster_events ---------------------------------------------------------------------------
def test_roster_events_have_utc_times_of_the_shift(inst):
    events = roster_events(inst, roster(("r2", "night", TUE, ["B", "A"]), ("r1", "night", MON)))
    assert [e.uid_key for e in events] == ["r1/night/2026-03-02", "r2/night/2026-03-03"]
    e = events[1]
    assert (e.reader, e.shift_type, e.date, e.sites) == ("r2", "night", TUE, ("A", "B"))
    assert e.start == dt.datetime(2026, 3, 3, 17, 30, tzinfo=UTC)  # 18:30 Paris (UTC+1)
    assert e.end == dt.datetime(2026, 3, 4, 7, 30, tzinfo=UTC)
    assert e.sequence == 0 and not e.cancelled
    shift = inst.shift_by_key[("night", TUE)]
    assert (e.start, e.end) == (shift.start, shift.end)


def test_roster_events_refuse_a_shift_the_scenario_does_not_have(inst):
    with pytest.raises(ValueError, match="no night shift on 2026-03-20"):
        roster_events(inst, roster(("r1", "night", dt.date(2026, 3, 20))))


def test_dst_night_lasts_13_hours():
    """Clocks go back on 25 Oct 2026 in Paris: the 20:00-08:00 night of Saturday 24 Oct is 13 h long."""
    d = factory.data(
        horizon={"start": "2026-10-19", "end": "2026-10-25", "timezone": "Europe/Paris"},
        shift_types=[{"id": "night", "start": "20:00", "end": "08:00", "kind": "night"}],
    )
    inst = build_instance(factory.build(d))
    events = by_uid(roster_events(inst, roster(("r1", "night", dt.date(2026, 10, 23)),
                                               ("r2", "night", dt.date(2026, 10, 24)))))
    friday, saturday = events["r1/night/2026-10-23"], events["r2/night/2026-10-24"]
    assert friday.start == dt.datetime(2026, 10, 23, 18, 0, tzinfo=UTC)  # 20:00 CEST
    assert friday.end - friday.start == dt.timedelta(hours=12)
    assert saturday.start == dt.datetime(2026, 10, 24, 18, 0, tzinfo=UTC)  # 20:00 CEST
    assert saturday.end == dt.datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 08:00 CET
    assert saturday.end - saturday.start == dt.timedelta(hours=13)


def test_subspecialties_are_those_of_the_covered_needs_the_reader_holds():
    d = factory.data(subspecialties=[{"id": "neuro"}, {"id": "msk"}, {"id": "body"}])
    d["sites"] = [
        {"id": "A", "jurisdiction": "FR", "timezone": "Europe/Paris",
         "coverage": [{"shift_type": "night", "subspecialty": "neuro"},
                      {"shift_type": "night", "subspecialty": "msk"}]},
        {"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris",
         "coverage": [{"shift_type": "night", "subspecialty": "body"}]},
        {"id": "C", "jurisdiction": "FR", "timezone": "Europe/Paris", "coverage": [{"shift_type": "night"}]},
    ]
    d["radiologists"] = [
        factory.reader("r1", sites=("A", "B", "C"), subspecialties=["neuro", "body"]),
        factory.reader("r2", sites=("A", "B", "C"), subspecialties=["msk", "body"]),
        factory.reader("r3", sites=("A", "B", "C"), subspecialties=["neuro", "body"]),
    ]
    inst = build_instance(factory.build(d))
    events = by_uid(roster_events(inst, roster(
        ("r1", "night", MON, ["A", "B"]),  # neuro at A, body at B; not msk (not held)
        ("r2", "night", MON, ["A"]),  # msk at A; body is held but not needed at A
        ("r3", "night", MON, ["C"]),  # C asks for no subspecialty
    )))
    assert events["r1/night/2026-03-02"].subspecialties == ("body", "neuro")
    assert events["r2/night/2026-03-02"].subspecialties == ("msk",)
    assert events["r3/night/2026-03-02"].subspecialties == ()


# ---- carry_identity --------------------------------------------------------------------------
def first_version(inst, r: Roster, published_at: dt.datetime):
    return carry_identity(roster_events(inst, r), [], published_at)


def test_unchanged_event_keeps_its_sequence(inst):
    r = roster(("r1", "night", MON), ("r2", "night", TUE))
    v1 = first_version(inst, r, at(MON - dt.timedelta(days=20)))
    assert [e.sequence for e in v1] == [0, 0]
    bumped = [replace(e, sequence=4) for e in v1]  # as if several versions had changed them
    v2 = carry_identity(roster_events(inst, r), bumped, at(MON - dt.timedelta(days=10)))
    assert [(e.uid_key, e.sequence, e.cancelled) for e in v2] == [(e.uid_key, 4, False) for e in v1]


def test_changed_sites_bump_the_sequence(inst):
    v1 = first_version(inst, roster(("r1", "night", MON), ("r2", "night", TUE)), at(MON - dt.timedelta(days=20)))
    v2 = carry_identity(roster_events(inst, roster(("r1", "night", MON, ["A", "B"]), ("r2", "night", TUE))),
                        v1, at(MON - dt.timedelta(days=10)))
    seq = {e.uid_key: e.sequence for e in v2}
    assert seq == {"r1/night/2026-03-02": 1, "r2/night/2026-03-03": 0}
    assert by_uid(v2)["r1/night/2026-03-02"].sites == ("A", "B")


def test_new_event_starts_at_sequence_zero(inst):
    v1 = first_version(inst, roster(("r1", "night", MON)), at(MON - dt.timedelta(days=20)))
    v2 = carry_identity(roster_events(inst, roster(("r1", "night", MON), ("r3", "night", WED))), v1,
                        at(MON - dt.timedelta(days=10)))
    assert by_uid(v2)["r3/night/2026-03-04"].sequence == 0


def test_removed_event_starting_soon_is_kept_cancelled(inst):
    v1 = first_version(inst, roster(("r1", "night", THU), ("r2", "night", FRI)), at(MON - dt.timedelta(days=20)))
    published = at(MON, 0)  # Thursday's night starts 3.7 days later
    assert by_uid(v1)["r1/night/2026-03-05"].start - published < CANCEL_WINDOW
    v2 = carry_identity(roster_events(inst, roster(("r2", "night", FRI))), v1, published)
    e = by_uid(v2)["r1/night/2026-03-05"]
    assert e.cancelled
    assert e.sequence == 1
    assert (e.start, e.sites) == (by_uid(v1)["r1/night/2026-03-05"].start, ("A",))
    assert not by_uid(v2)["r2/night/2026-03-06"].cancelled


def test_removed_event_starting_now_but_not_ended_is_kept_cancelled(inst):
    v1 = first_version(inst, roster(("r1", "night", MON)), at(MON - dt.timedelta(days=20)))
    v2 = carry_identity([], v1, dt.datetime(2026, 3, 2, 23, 0, tzinfo=UTC))  # mid-shift
    assert [(e.uid_key, e.cancelled, e.sequence) for e in v2] == [("r1/night/2026-03-02", True, 1)]


def test_removed_far_off_event_is_dropped(inst):
    v1 = first_version(inst, roster(("r1", "night", SUN), ("r2", "night", MON)), at(MON - dt.timedelta(days=30)))
    published = at(MON - dt.timedelta(days=9))  # Sunday's night is 15 days away
    v2 = carry_identity(roster_events(inst, roster(("r2", "night", MON))), v1, published)
    assert [e.uid_key for e in v2] == ["r2/night/2026-03-02"]


def test_removed_event_already_ended_is_dropped(inst):
    v1 = first_version(inst, roster(("r1", "night", MON), ("r2", "night", SAT)), at(MON - dt.timedelta(days=5)))
    published = at(WED)  # Monday's night ended on Tuesday morning; Saturday's starts within 7 days
    v2 = carry_identity([], v1, published)
    assert [(e.uid_key, e.cancelled) for e in v2] == [("r2/night/2026-03-07", True)]


def test_cancelled_event_kept_until_it_ends_then_dropped(inst):
    v1 = first_version(inst, roster(("r1", "night", FRI)), at(MON - dt.timedelta(days=20)))
    cancelled_when = at(MON)
    v2 = carry_identity([], v1, cancelled_when)
    (cancelled,) = v2
    assert cancelled.cancelled and cancelled.sequence == 1
    marks = {cancelled.uid_key: cancelled_when}
    # a later version still without the shift, before it ends: the cancellation stays as it was
    v3 = carry_identity([], v2, at(THU), marks)
    assert v3 == [cancelled]
    # once the shift is over, the cancellation leaves the feeds
    assert carry_identity([], v3, cancelled.end, marks) == []
    assert carry_identity([], v3, cancelled.end + dt.timedelta(hours=1), marks) == []


def test_cancelled_event_dropped_14_days_after_its_cancellation():
    """A 24-hour shift cancelled long before it could end is dropped CANCEL_KEEP after the cancellation."""
    d = factory.data(horizon={"start": "2026-03-02", "end": "2026-03-31", "timezone": "Europe/Paris"},
                     shift_types=[{"id": "garde", "start": "08:00", "end": "08:00", "kind": "on_call"}])
    d["sites"][0]["coverage"] = [{"shift_type": "garde"}]
    inst = build_instance(factory.build(d))
    (old,) = roster_events(inst, roster(("r1", "garde", dt.date(2026, 3, 25))))
    cancelled = replace(old, sequence=3, cancelled=True)
    cancelled_when = dt.datetime(2026, 3, 10, tzinfo=UTC)  # as the store could have it from older data
    marks = {old.uid_key: cancelled_when}
    just_before = cancelled_when + CANCEL_KEEP - dt.timedelta(seconds=1)
    assert carry_identity([], [cancelled], just_before, marks) == [cancelled]
    assert carry_identity([], [cancelled], cancelled_when + CANCEL_KEEP, marks) == []
    # without a recorded cancellation time it counts from now, so it is kept
    assert carry_identity([], [cancelled], cancelled_when + CANCEL_KEEP) == [cancelled]


def test_cancelled_event_that_comes_back_is_active_with_a_higher_sequence(inst):
    r = roster(("r1", "night", THU))
    v1 = first_version(inst, r, at(MON - dt.timedelta(days=20)))
    v2 = carry_identity([], v1, at(MON))
    assert v2[0].cancelled and v2[0].sequence == 1
    v3 = carry_identity(roster_events(inst, r), v2, at(TUE), {v2[0].uid_key: at(MON)})
    (back,) = v3
    assert not back.cancelled
    assert back.sequence == 2
    assert (back.start, back.end, back.sites) == (v1[0].start, v1[0].end, v1[0].sites)


# ---- through the store -----------------------------------------------------------------------
def test_store_keeps_a_cancellation_with_its_time_across_versions(tmp_path):
    scenario = two_site_scenario()
    with Store(tmp_path / "s.sqlite3") as store:
        full = roster(("r1", "night", MON), ("r2", "night", TUE), ("r3", "night", THU))
        store.publish(scenario, full, by="a", base_number=None, now=at(MON - dt.timedelta(days=20)))
        # Thursday's night is removed on Monday: within the window, so it shows as cancelled
        v2 = store.publish(scenario, roster(("r1", "night", MON), ("r2", "night", TUE)), by="a", base_number=1,
                           now=at(MON, 0)).version
        e = by_uid(store.events(v2.id))["r3/night/2026-03-05"]
        assert e.cancelled and e.sequence == 1
        # a third version on Wednesday (r2's night resited) keeps it, unchanged
        v3 = store.publish(scenario, roster(("r1", "night", MON), ("r2", "night", TUE, ["A", "B"])), by="a",
                           base_number=2, now=at(WED, 0)).version
        events3 = by_uid(store.events(v3.id))
        assert events3["r3/night/2026-03-05"] == e
        assert events3["r2/night/2026-03-03"].sequence == 1
        assert store.conn.execute(
            "SELECT cancelled_at FROM published_events WHERE version_id = ? AND uid_key = ?",
            (v3.id, "r3/night/2026-03-05"),
        ).fetchone()[0] == "2026-03-02T00:00:00Z"
        # after the night is over, the next version drops it
        v4 = store.publish(scenario, roster(("r1", "night", MON)), by="a", base_number=3, now=at(SAT)).version
        assert "r3/night/2026-03-05" not in by_uid(store.events(v4.id))
