"""Publishing: numbered immutable versions, the audit chain, optimistic concurrency, refusals."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3

import pytest

from scheduler.io.scenario_yaml import scenario_to_yaml
from scheduler.result import Assignment, Roster
from scheduler.store import ConcurrencyError, PublishRefused, Store, StoreError
from scheduler.store.records import Period
from tests import factory

UTC = dt.UTC
WEEK = tuple(dt.date(2026, 3, 2) + dt.timedelta(days=k) for k in range(7))  # Mon 2 - Sun 8 March 2026
T0 = dt.datetime(2026, 2, 1, 9, 0, tzinfo=UTC)  # long before the week: removed shifts are simply dropped


def roster(*rows: tuple) -> Roster:
    """Rows (reader, shift_type, date) or (reader, shift_type, date, sites); sites default to ("A",)."""
    return Roster(
        assignments=tuple(
            Assignment(reader=r[0], shift_type=r[1], date=r[2], sites=tuple(r[3] if len(r) > 3 else ("A",)))
            for r in rows
        )
    )


def week_roster(days=WEEK, readers=("r1", "r2", "r3")) -> Roster:
    """Every night of `days` covered at A, readers in turn (two nights of one reader are 3 days apart)."""
    return roster(*((readers[k % len(readers)], "night", day) for k, day in enumerate(days)))


def scenario(start: str = "2026-03-02", end: str = "2026-03-08", **top):
    d = factory.data(**top)
    d["horizon"] = {**d["horizon"], "start": start, "end": end}
    return factory.build(d)


def snapshot(store: Store) -> tuple:
    """Everything a refused publish must leave as it was."""
    rows = {
        t: store.conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
        for t in ("scenario_versions", "published_versions", "published_events", "published_shifts", "audit_log")
    }
    return tuple((t, [tuple(r) for r in v]) for t, v in rows.items())


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store.sqlite3") as s:
        yield s


def test_first_publish_is_version_1_then_base_1_gives_version_2(store):
    sc = scenario()
    first = store.publish(sc, week_roster(), by="alice", base_number=None, note="first cut", now=T0)
    v1 = first.version
    assert (v1.number, v1.base_number, v1.published_by, v1.note) == (1, None, "alice", "first cut")
    assert v1.period == Period(WEEK[0], WEEK[-1])
    assert v1.published_at == T0
    second = store.publish(sc, week_roster(readers=("r2", "r3", "r1")), by="bob", base_number=1,
                           now=T0 + dt.timedelta(hours=1, microseconds=500))
    v2 = second.version
    assert (v2.number, v2.base_number, v2.published_by) == (2, 1, "bob")
    assert v2.published_at == T0 + dt.timedelta(hours=1)  # whole seconds
    assert [v.number for v in store.versions(v1.period)] == [1, 2]
    assert store.latest_version(v1.period) == v2
    assert store.find_version(v1.period, 1) == v1
    assert second.diff.counts["moved"] == 7  # every night went to another reader
    assert store.diff(v2.id) == second.diff
    with pytest.raises(StoreError, match=r"no version 3; published versions are \[1, 2\]"):
        store.find_version(v1.period, 3)


def test_stored_roster_equals_the_published_one(store):
    r = week_roster()
    shuffled = Roster(assignments=tuple(reversed(r.assignments)))
    v = store.publish(scenario(), shuffled, by="alice", base_number=None, now=T0).version
    stored = store.roster(v.id)
    assert stored == r.sorted() == shuffled.sorted()
    assert {a.reader for a in stored.assignments} == {"r1", "r2", "r3"}


@pytest.mark.parametrize("table", ["published_versions", "published_events", "published_shifts", "audit_log"])
def test_history_tables_refuse_update_and_delete(store, table):
    store.publish(scenario(), week_roster(), by="alice", base_number=None, now=T0)
    before = snapshot(store)
    column = {"published_versions": "note", "published_events": "reader", "published_shifts": "reader",
              "audit_log": "actor"}[table]
    raw = sqlite3.connect(store.path)
    try:
        assert raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0
        with pytest.raises(sqlite3.IntegrityError, match="immutable|append-only"):
            raw.execute(f"UPDATE {table} SET {column} = 'mallory'")
        with pytest.raises(sqlite3.IntegrityError, match="immutable|append-only"):
            raw.execute(f"DELETE FROM {table}")
        raw.commit()
    finally:
        raw.close()
    assert snapshot(store) == before


def test_audit_chain_verifies_and_detects_tampering(tmp_path):
    path = tmp_path / "store.sqlite3"
    with Store(path) as store:
        store.publish(scenario(), week_roster(), by="alice", base_number=None, now=T0)
        store.publish(scenario(), week_roster(readers=("r2", "r3", "r1")), by="bob", base_number=1,
                      now=T0 + dt.timedelta(days=1))
        entries = store.audit()
        assert [(e.actor, e.action, e.subject) for e in entries] == [
            ("alice", "publish", "period 2026-03-02..2026-03-08"),
            ("bob", "publish", "period 2026-03-02..2026-03-08"),
        ]
        assert entries[1].details["version"] == 2 and entries[1].details["base_version"] == 1
        assert entries[1].at == T0 + dt.timedelta(days=1)
        assert store.verify_audit() == []

    edited, removed = tmp_path / "edited.sqlite3", tmp_path / "removed.sqlite3"
    shutil.copy(path, edited)
    shutil.copy(path, removed)
    raw = sqlite3.connect(edited)
    raw.execute("DROP TRIGGER audit_log_append_only")
    raw.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 1")
    raw.commit()
    raw.close()
    raw = sqlite3.connect(removed)
    raw.execute("DROP TRIGGER audit_log_kept")
    raw.execute("DELETE FROM audit_log WHERE id = 1")
    raw.commit()
    raw.close()

    with Store(edited) as store:
        assert store.verify_audit() == ["audit entry 1: its content was altered"]
    with Store(removed) as store:
        assert store.verify_audit() == [
            "audit entry 2: does not follow entry before it (an entry was removed)",
            "2026-03-02 to 2026-03-08 version 1: no publish entry in the audit log",
        ]
    with Store(path) as store:  # the original is untouched
        assert store.verify_audit() == []


def test_a_published_roster_edited_behind_the_store_is_detected(tmp_path):
    path = tmp_path / "store.sqlite3"
    with Store(path) as store:
        store.publish(scenario(), week_roster(), by="alice", base_number=None, now=T0)
    raw = sqlite3.connect(path)
    raw.execute("DROP TRIGGER published_versions_immutable")
    raw.execute("UPDATE published_versions SET roster_json = replace(roster_json, '\"r1\"', '\"r2\"')")
    raw.commit()
    raw.close()
    with Store(path) as store:
        assert store.verify_audit() == [
            "2026-03-02 to 2026-03-08 version 1: the stored roster differs from the one published"
        ]


def test_second_coordinator_from_a_stale_base_is_refused(tmp_path):
    path = tmp_path / "store.sqlite3"
    sc = scenario()
    with Store(path) as setup:
        setup.publish(sc, week_roster(), by="alice", base_number=None, now=T0)
    bob, carol = Store(path), Store(path)  # two coordinators, each with their own connection
    try:
        assert bob.latest_version(Period(WEEK[0], WEEK[-1])).number == 1
        assert carol.latest_version(Period(WEEK[0], WEEK[-1])).number == 1
        v2 = bob.publish(sc, week_roster(readers=("r2", "r3", "r1")), by="bob", base_number=1, note="swap",
                         now=T0 + dt.timedelta(hours=2)).version
        assert v2.number == 2
        before = snapshot(carol)
        audit_before = carol.audit()
        # carol also changed the scenario: even that new scenario version must not be kept
        carol_scenario = scenario(objective={"fairness": 7})
        with pytest.raises(ConcurrencyError) as err:
            carol.publish(carol_scenario, week_roster(readers=("r3", "r1", "r2")), by="carol", base_number=1,
                          now=T0 + dt.timedelta(hours=3))
        message = str(err.value)
        assert "version 2 was published by bob" in message
        assert "2026-02-01T11:00:00Z" in message and "swap" in message
        assert "NOT published" in message and "base version 2" in message
        assert snapshot(carol) == before
        assert carol.audit() == audit_before
        assert [v.number for v in carol.versions()] == [1, 2]
        assert carol.roster(v2.id) == week_roster(readers=("r2", "r3", "r1")).sorted()
        assert len(carol.scenario_versions()) == 1
        # carol re-bases on version 2 and succeeds
        v3 = carol.publish(carol_scenario, week_roster(readers=("r3", "r1", "r2")), by="carol", base_number=2,
                           now=T0 + dt.timedelta(hours=4)).version
        assert (v3.number, v3.base_number) == (3, 2)
    finally:
        bob.close()
        carol.close()


def test_publishing_from_nothing_when_a_version_exists_is_refused(store):
    store.publish(scenario(), week_roster(), by="alice", base_number=None, now=T0)
    with pytest.raises(ConcurrencyError, match="you started from nothing"):
        store.publish(scenario(), week_roster(), by="bob", base_number=None, now=T0)
    assert [v.number for v in store.versions()] == [1]


def test_base_version_when_nothing_is_published_is_refused(store):
    with pytest.raises(ConcurrencyError, match="you started from version 1, but nothing is published"):
        store.publish(scenario(), week_roster(), by="alice", base_number=1, now=T0)
    assert store.versions() == []
    assert store.audit() == []
    assert store.scenario_versions() == []


def test_roster_at_a_site_without_privileges_is_refused(store):
    d = factory.data()
    d["sites"].append({"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris",
                       "coverage": [{"shift_type": "night", "readers": 1}]})
    sc = factory.build(d)  # r1..r3 hold privileges at A only
    rows = [(a.reader, a.shift_type, a.date) for a in week_roster().assignments]
    bad = roster(("r1", "night", WEEK[0], ["A", "B"]), *rows[1:])
    before = snapshot(store)
    with pytest.raises(PublishRefused) as err:
        store.publish(sc, bad, by="alice", base_number=None, now=T0)
    message = str(err.value)
    assert message.startswith("the roster breaks 1 hard rule(s), so it was not published")
    assert "Dr 1 covers B on the night of 2 Mar 2026 but has no privileges at B" in message
    assert snapshot(store) == before
    assert store.versions() == [] and store.ledger() == [] and store.audit() == []


def test_roster_with_two_shifts_on_one_day_is_refused(store):
    d = factory.data()
    d["sites"][0]["coverage"].append({"shift_type": "day", "readers": 1})  # weekend days at A
    sc = factory.build(d)
    store.publish(sc, week_roster(), by="alice", base_number=None, now=T0)
    before = snapshot(store)
    sat = WEEK[5]
    bad = roster(*[(a.reader, a.shift_type, a.date) for a in week_roster().assignments if a.date != sat],
                 ("r1", "day", sat), ("r1", "night", sat))
    with pytest.raises(PublishRefused, match="Dr 1 has 2 shifts starting on") as err:
        store.publish(sc, bad, by="alice", base_number=1, now=T0)
    assert "was not published" in str(err.value)
    assert snapshot(store) == before
    assert [v.number for v in store.versions()] == [1]


def test_roster_with_uncovered_needs_is_published_and_reported(store):
    partial = week_roster(days=WEEK[:3] + WEEK[4:])  # Thursday's night left open
    outcome = store.publish(scenario(), partial, by="alice", base_number=None, now=T0)
    assert outcome.version.number == 1
    assert outcome.report.violations == []
    assert [(u.site, u.shift_type, u.date, u.missing) for u in outcome.report.uncovered] == [("A", "night", WEEK[3], 1)]
    assert store.roster(outcome.version.id) == partial.sorted()
    assert store.audit()[-1].details["uncovered"] == 1


def test_overlapping_different_period_is_refused_adjacent_one_is_not(store):
    store.publish(scenario(), week_roster(), by="alice", base_number=None, now=T0)
    overlapping = scenario("2026-03-05", "2026-03-11")
    days = tuple(dt.date(2026, 3, 5) + dt.timedelta(days=k) for k in range(7))
    before = snapshot(store)
    with pytest.raises(PublishRefused, match="overlaps the published period 2026-03-02 to 2026-03-08"):
        store.publish(overlapping, week_roster(days), by="alice", base_number=None, now=T0)
    assert snapshot(store) == before
    following = scenario("2026-03-09", "2026-03-15")
    days = tuple(dt.date(2026, 3, 9) + dt.timedelta(days=k) for k in range(7))
    v = store.publish(following, week_roster(days), by="alice", base_number=None, now=T0).version
    assert v.number == 1
    assert store.periods() == [Period(WEEK[0], WEEK[-1]), Period(days[0], days[-1])]


def test_publishing_saves_the_scenario_version(store):
    sc = scenario()
    v1 = store.publish(sc, week_roster(), by="alice", base_number=None, now=T0).version
    v2 = store.publish(sc, week_roster(), by="alice", base_number=1, now=T0).version
    assert v1.scenario_version == v2.scenario_version
    (saved,) = store.scenario_versions()
    assert (saved.id, saved.name, saved.number) == (v1.scenario_version, "test", 1)
    assert scenario_to_yaml(store.scenario(v1.scenario_version)) == scenario_to_yaml(sc)
    changed = scenario(objective={"fairness": 7})
    v3 = store.publish(changed, week_roster(), by="alice", base_number=2, now=T0).version
    assert v3.scenario_version != v1.scenario_version
    assert [s.number for s in store.scenario_versions("test")] == [1, 2]
    assert store.scenario(v3.scenario_version).objective.fairness == 7


def test_feed_state_holds_every_periods_latest_events(store):
    assert store.feed_state() is None
    march = scenario()
    v1 = store.publish(march, week_roster(), by="alice", base_number=None, now=T0).version
    next_days = tuple(dt.date(2026, 3, 9) + dt.timedelta(days=k) for k in range(7))
    w2 = store.publish(scenario("2026-03-09", "2026-03-15"), week_roster(next_days), by="alice", base_number=None,
                       now=T0).version
    v2 = store.publish(march, week_roster(readers=("r2", "r3", "r1")), by="alice", base_number=1,
                       now=T0 + dt.timedelta(days=1)).version
    state = store.feed_state()
    assert state.version == v2  # the newest published version
    expected = sorted(store.events(v2.id) + store.events(w2.id), key=lambda e: (e.start, e.uid_key))
    assert state.events == expected
    assert len(state.events) == 14
    stale = {e.uid_key for e in store.events(v1.id)} - {e.uid_key for e in store.events(v2.id)}
    assert stale and not stale & {e.uid_key for e in state.events}
    assert state.scenario.horizon.start == WEEK[0]


def test_solve_results_are_kept_with_their_scenario_version(tmp_path):
    from scheduler.solver import solve

    sc = scenario()
    result = solve(sc, time_limit=10, workers=1, seed=0)
    with Store(tmp_path / "s.sqlite3") as store:
        rid = store.save_result(sc, result)
        [kept] = store.results()
        assert kept.id == rid and kept.status == result.status
        assert (kept.objective, kept.bound) == (result.objective, result.bound)
        assert kept.roster.sorted() == result.roster.sorted()
        assert store.scenario(kept.scenario_version) == sc
        assert store.results(scenario_version=kept.scenario_version + 1) == []
