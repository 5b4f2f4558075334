"""Swap requests in the store: migration 4 on an older store, audit entries for every step, and the
triggers that keep a request a record of what was asked."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

import scheduler.store.store as store_module
from scheduler.store import ConcurrencyError, Store, StoreError
from scheduler.store.db import schema_version
from scheduler.store.migrations import MIGRATIONS, SCHEMA_VERSION
from scheduler.store.records import FeedKind, FeedTarget
from scheduler.store.swaps import ShiftRequestRef, SwapKind, SwapStatus
from tests.swap_helpers import PERIOD, T0, day, published, roster, scenario

A_NIGHT = ShiftRequestRef("night", day(8), ("A",))
B_NIGHT = ShiftRequestRef("night", day(6), ("A",))


def _propose(store: Store, *, kind=SwapKind.swap, reader_b="r2", shift_b=B_NIGHT, by="r4", now=T0):
    return store.propose_swap(period=PERIOD, base_number=1, kind=kind, reader_a="r4", shift_a=A_NIGHT,
                              reader_b=reader_b, shift_b=shift_b, by=by, now=now)


@pytest.fixture
def store(tmp_path):
    s = published(tmp_path / "store.sqlite3")
    yield s
    s.close()


def test_a_schema_3_store_with_data_gains_the_swap_table_and_keeps_everything(tmp_path, monkeypatch):
    """A store written by the release before swaps (schema 3) opens, migrates once, and takes proposals."""
    path = tmp_path / "old.sqlite3"
    with monkeypatch.context() as m:
        m.setattr(store_module, "MIGRATIONS", MIGRATIONS[:3])
        old = published(path)
        old.issue_token(FeedTarget(FeedKind.reader, "r1"), by="alice", now=T0)
        assert schema_version(old.conn) == 3
        assert old.conn.execute("SELECT name FROM sqlite_master WHERE name = 'swap_requests'").fetchone() is None
        audit_before = old.audit()
        old.close()
    with Store(path) as s:
        assert schema_version(s.conn) == SCHEMA_VERSION == 4
        [v] = s.versions()
        assert (v.number, v.published_by) == (1, "alice")
        assert s.roster(v.id) == roster()
        assert s.audit() == audit_before and s.verify_audit() == []
        assert len(s.tokens()) == 1 and sum(r.shifts for r in s.ledger()) == 7
        request = _propose(s)
        assert (request.id, request.status, request.base_number) == (1, SwapStatus.proposed, 1)
    with Store(path) as s:  # opening again migrates nothing twice
        assert schema_version(s.conn) == 4 and [r.id for r in s.swap_requests()] == [1]


def test_a_proposal_is_stored_as_asked_with_its_audit_entry(store):
    """Every field of the proposal comes back, and the audit log says who proposed what, when."""
    request = _propose(store, now=T0 + dt.timedelta(hours=1))
    assert store.swap_request(request.id) == request
    assert (request.kind, request.reader_a, request.shift_a, request.reader_b, request.shift_b) == (
        SwapKind.swap, "r4", A_NIGHT, "r2", B_NIGHT)
    assert (request.proposed_by, request.proposed_at, request.period) == ("r4", T0 + dt.timedelta(hours=1), PERIOD)
    assert (request.decided_by, request.decided_at, request.reason, request.published_number) == (None, None, "", None)
    entry = store.audit()[-1]
    assert (entry.actor, entry.action, entry.subject, entry.at) == (
        "r4", "swap.propose", "swap #1", T0 + dt.timedelta(hours=1))
    assert entry.details["shift_a"] == {"shift_type": "night", "date": "2037-03-08", "sites": ["A"]}
    assert entry.details["reader_b"] == "r2" and entry.details["base_version"] == 1
    assert store.verify_audit() == []


def test_a_proposal_against_an_old_version_is_refused(store):
    """The store records a proposal only against the period's latest version."""
    store.publish(scenario(), roster(), by="alice", base_number=1, now=T0)
    with pytest.raises(ConcurrencyError, match="made on version 1, but version 2 is now the latest; nothing was"):
        _propose(store)
    assert store.swap_requests() == []


def test_every_step_is_audited_in_order(store):
    """Propose, volunteer, withdraw, reject and supersede each append one entry with who, when and what."""
    t = [T0 + dt.timedelta(minutes=k) for k in range(6)]
    open_one = _propose(store, kind=SwapKind.give_away, reader_b=None, shift_b=None, now=t[0])
    assert open_one.is_open
    taken = store.volunteer_for_swap(open_one.id, "r1", by="r1", now=t[1])
    assert (taken.reader_b, taken.status) == ("r1", SwapStatus.proposed)
    store.withdraw_swap(open_one.id, by="r4", reason="found a sitter", now=t[2])
    second = _propose(store, now=t[3])
    store.reject_swap(second.id, by="boss", reason="r2 is on call that week", now=t[4])
    third = _propose(store, now=t[5])
    store.supersede_swap(third.id, by="boss", reason="version 2 moved the night", now=t[5])
    steps = [(e.actor, e.action, e.subject, e.at) for e in store.audit() if e.action.startswith("swap.")]
    assert steps == [
        ("r4", "swap.propose", "swap #1", t[0]),
        ("r1", "swap.volunteer", "swap #1", t[1]),
        ("r4", "swap.withdraw", "swap #1", t[2]),
        ("r4", "swap.propose", "swap #2", t[3]),
        ("boss", "swap.reject", "swap #2", t[4]),
        ("r4", "swap.propose", "swap #3", t[5]),
        ("boss", "swap.supersede", "swap #3", t[5]),
    ]
    assert store.audit()[-3].details == {"status": "rejected", "reason": "r2 is on call that week"}
    decided = {r.id: (r.status, r.decided_by, r.reason) for r in store.swap_requests()}
    assert decided == {
        1: (SwapStatus.withdrawn, "r4", "found a sitter"),
        2: (SwapStatus.rejected, "boss", "r2 is on call that week"),
        3: (SwapStatus.superseded, "boss", "version 2 moved the night"),
    }
    assert store.verify_audit() == []


def test_rejecting_needs_a_reason(store):
    """An empty or blank reason is refused in words and nothing is written."""
    request = _propose(store)
    entries = len(store.audit())
    for reason in ("", "   "):
        with pytest.raises(StoreError, match="give a reason for rejecting it"):
            store.reject_swap(request.id, by="boss", reason=reason)
    assert store.swap_request(request.id).pending and len(store.audit()) == entries


def test_a_decided_request_is_final(store):
    """Once rejected, a request can be neither withdrawn, rejected again nor volunteered for."""
    request = _propose(store)
    store.reject_swap(request.id, by="boss", reason="no", now=T0)
    with pytest.raises(StoreError, match=r"swap #1 is already rejected by boss at 2037-02-01T09:00:00Z \(no\)"):
        store.withdraw_swap(request.id, by="r4")
    with pytest.raises(StoreError, match="already rejected"):
        store.reject_swap(request.id, by="boss", reason="twice")
    with pytest.raises(StoreError, match="no swap request #7"):
        store.swap_request(7)


def test_volunteering_only_for_an_open_give_away(store):
    """A named give-away or a swap takes no volunteer, and the giver cannot take their own shift."""
    named = _propose(store, kind=SwapKind.give_away, reader_b="r2", shift_b=None)
    with pytest.raises(StoreError, match="not an open give-away"):
        store.volunteer_for_swap(named.id, "r1", by="r1")
    open_one = _propose(store, kind=SwapKind.give_away, reader_b=None, shift_b=None)
    with pytest.raises(StoreError, match="r4 is giving this shift away and cannot take it"):
        store.volunteer_for_swap(open_one.id, "r4", by="r4")
    store.volunteer_for_swap(open_one.id, "r1", by="r1")
    with pytest.raises(StoreError, match="not an open give-away"):
        store.volunteer_for_swap(open_one.id, "r3", by="r3")
    assert store.swap_request(open_one.id).reader_b == "r1"


def test_listing_filters_by_status_period_and_reader(store):
    first, second = _propose(store), _propose(store, kind=SwapKind.give_away, reader_b="r1", shift_b=None)
    store.withdraw_swap(first.id, by="r4")
    assert [r.id for r in store.swap_requests(statuses=[SwapStatus.proposed])] == [second.id]
    assert [r.id for r in store.swap_requests(reader="r2")] == [first.id]
    assert [r.id for r in store.swap_requests(reader="r4", period=PERIOD)] == [first.id, second.id]
    assert [r.id for r in store.swap_requests(statuses=[SwapStatus.approved, SwapStatus.withdrawn])] == [first.id]


# ---- the triggers, behind the store's back ----------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE swap_requests SET reader_a = 'r3'", "changes only by its status"),
        ("UPDATE swap_requests SET a_date = '2037-03-07'", "changes only by its status"),
        ("UPDATE swap_requests SET base_number = 2", "changes only by its status"),
        ("UPDATE swap_requests SET proposed_by = 'mallory'", "changes only by its status"),
        ("UPDATE swap_requests SET reader_b = 'r1'", "changes only by its status"),  # a named B stays named
        ("DELETE FROM swap_requests", "swap requests are kept"),
        ("UPDATE swap_requests SET status = 'rejected', decided_by = 'x', decided_at = 'now'", "CHECK"),  # no reason
        ("UPDATE swap_requests SET status = 'approved', decided_by = 'x', decided_at = 'now'", "CHECK"),  # no version
        ("UPDATE swap_requests SET decided_by = 'x'", "CHECK"),  # decided while still proposed
    ],
)
def test_raw_sql_cannot_rewrite_what_was_asked(store, sql, message):
    """Only the status moves; every other change, and any deletion, is refused by SQLite itself."""
    request = _propose(store)
    raw = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match=message):
            raw.execute(sql)
    finally:
        raw.close()
    assert store.swap_request(request.id) == request


def test_raw_sql_cannot_reopen_a_decided_request(store):
    request = _propose(store)
    store.withdraw_swap(request.id, by="r4")
    raw = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="a decided swap request is final"):
            raw.execute("UPDATE swap_requests SET status = 'proposed', decided_by = NULL, decided_at = NULL")
    finally:
        raw.close()
    assert store.swap_request(request.id).status is SwapStatus.withdrawn


def test_raw_sql_status_change_is_allowed(store):
    """The one update the triggers let through: a pending request's status, with who decided and when."""
    request = _propose(store)
    raw = sqlite3.connect(store.path)
    try:
        raw.execute("UPDATE swap_requests SET status = 'withdrawn', decided_by = 'r4', decided_at = "
                    "'2037-02-01T10:00:00Z' WHERE id = ?", (request.id,))
        raw.commit()
    finally:
        raw.close()
    assert store.swap_request(request.id).status is SwapStatus.withdrawn
