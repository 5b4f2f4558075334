"""Feed tokens: random, stored only as hashes, revocable and rotatable, every change audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import string

import pytest

from scheduler.store import Store, StoreError
from scheduler.store.records import FeedKind, FeedTarget
from tests import factory

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
R1 = FeedTarget(FeedKind.reader, "r1")
SITE_A = FeedTarget(FeedKind.site, "A")
GROUP = FeedTarget(FeedKind.group, "")
URLSAFE = re.compile(r"[A-Za-z0-9_-]+")


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store.sqlite3") as s:
        s.save_scenario(factory.build(), by="alice", now=T0)  # readers r1..r3, site A
        yield s


def file_bytes(store: Store) -> bytes:
    """The database file and its write-ahead log, as they are on disk now."""
    out = store.path.read_bytes()
    wal = store.path.with_name(store.path.name + "-wal")
    if wal.exists():
        out += wal.read_bytes()
    return out


def other_char(c: str) -> str:
    return "A" if c != "A" else "B"


def test_issued_token_is_43_urlsafe_chars_and_opens_its_target(store):
    token, record = store.issue_token(R1, by="alice", now=T0)
    assert len(token) == 43 and URLSAFE.fullmatch(token)
    assert len(token) * 6 >= 256  # 43 base64 characters carry 256 random bits
    assert record.target == R1 and record.active and record.created_at == T0
    assert store.lookup_token(token) == R1
    other, _ = store.issue_token(R1, by="alice", now=T0)
    assert other != token and store.lookup_token(other) == R1


def test_token_is_not_stored_in_clear(store):
    tokens = [store.issue_token(t, by="alice", now=T0)[0] for t in (R1, SITE_A, GROUP)]
    rotated, _ = store.rotate_token(1, by="alice", now=T0)
    tokens.append(rotated)
    raw = file_bytes(store)
    for token in tokens:
        assert token.encode() not in raw
        assert hashlib.sha256(token.encode()).hexdigest().encode() in raw  # what is stored instead
    path = store.path
    store.close()  # the last close checkpoints the log into the main file
    raw = path.read_bytes()
    for token in tokens:
        assert token.encode() not in raw
        assert hashlib.sha256(token.encode()).hexdigest().encode() in raw


def test_altered_malformed_or_empty_tokens_open_nothing(store):
    token, _ = store.issue_token(R1, by="alice", now=T0)
    for k in (0, 20, 42):
        altered = token[:k] + other_char(token[k]) + token[k + 1 :]
        assert altered != token and store.lookup_token(altered) is None
    for bad in ("", token[:-1], token + "A", token[:-1] + "!", token[:-1] + "=", " " + token[1:],
                "é" * 43, token.upper() if token.upper() != token else token.lower()):
        assert store.lookup_token(bad) is None, bad
    assert store.lookup_token(token) == R1


def test_revoked_token_opens_nothing_at_once(store):
    token, record = store.issue_token(R1, by="alice", now=T0)
    keep, _ = store.issue_token(R1, by="alice", now=T0)
    revoked = store.revoke_token(record.id, by="bob", now=T0 + dt.timedelta(hours=1))
    assert store.lookup_token(token) is None
    assert store.lookup_token(keep) == R1
    assert not revoked.active and revoked.revoked_at == T0 + dt.timedelta(hours=1)
    assert [t.id for t in store.tokens(active_only=True)] == [2]
    assert [t.id for t in store.tokens()] == [1, 2]


def test_rotate_replaces_the_token_for_the_same_target(store):
    old, record = store.issue_token(SITE_A, by="alice", now=T0)
    new, replacement = store.rotate_token(record.id, by="bob", now=T0 + dt.timedelta(days=1))
    assert new != old
    assert store.lookup_token(old) is None
    assert store.lookup_token(new) == SITE_A
    assert replacement.target == SITE_A and replacement.id != record.id and replacement.active
    assert [(t.id, t.active) for t in store.tokens(SITE_A)] == [(record.id, False), (replacement.id, True)]


def test_revoking_twice_or_an_unknown_token_is_refused(store):
    _, record = store.issue_token(R1, by="alice", now=T0)
    store.revoke_token(record.id, by="alice", now=T0)
    audit_before = store.audit()
    with pytest.raises(StoreError, match=r"feed token #1 \(reader r1\) is already revoked"):
        store.revoke_token(record.id, by="alice", now=T0)
    with pytest.raises(StoreError, match="already revoked; issue a new one"):
        store.rotate_token(record.id, by="alice", now=T0)
    with pytest.raises(StoreError, match="no feed token #99; `scheduler tokens list` shows them"):
        store.revoke_token(99, by="alice", now=T0)
    assert store.audit() == audit_before
    assert len(store.tokens()) == 1  # the refused rotation issued nothing


def test_unknown_reader_or_site_is_refused_with_the_known_ids(store):
    with pytest.raises(StoreError, match=r"no reader 'r9' in any stored scenario; known: r1, r2, r3"):
        store.issue_token(FeedTarget(FeedKind.reader, "r9"), by="alice", now=T0)
    with pytest.raises(StoreError, match=r"no site 'r1' in any stored scenario; known: A$"):
        store.issue_token(FeedTarget(FeedKind.site, "r1"), by="alice", now=T0)
    assert store.tokens() == [] and store.audit() == []


def test_empty_store_says_nothing_is_stored_yet(tmp_path):
    with Store(tmp_path / "empty.sqlite3") as store:
        with pytest.raises(StoreError, match=r"known: none stored yet \(publish a roster first\)"):
            store.issue_token(R1, by="alice", now=T0)
        token, _ = store.issue_token(GROUP, by="alice", now=T0)  # the group needs no scenario
        assert store.lookup_token(token) == GROUP


def test_group_token_takes_no_subject(store):
    with pytest.raises(StoreError, match="the group feed takes no reader or site id"):
        store.issue_token(FeedTarget(FeedKind.group, "r1"), by="alice", now=T0)
    token, record = store.issue_token(GROUP, by="alice", now=T0)
    assert store.lookup_token(token) == GROUP and str(record.target) == "group"


def test_listing_shows_no_token_text(store):
    issued = [store.issue_token(t, by="alice", now=T0)[0] for t in (R1, SITE_A, GROUP)]
    listed = store.tokens()
    assert [str(t.target) for t in listed] == ["reader r1", "site A", "group"]
    text = repr(listed) + "".join(t.label for t in listed)
    for token in issued:
        assert token not in text
        assert not any(token[k : k + 12] in text for k in range(0, 32))
    assert [t.label.split()[0] for t in listed] == ["#1", "#2", "#3"]
    assert all(set(t.label.split()[1].strip("()")) <= set(string.hexdigits) for t in listed)


def test_every_token_change_is_audited(store):
    t1, r1 = store.issue_token(R1, by="alice", now=T0)
    _, g = store.issue_token(GROUP, by="alice", now=T0 + dt.timedelta(minutes=1))
    t3, r3 = store.rotate_token(r1.id, by="bob", now=T0 + dt.timedelta(minutes=2))
    store.revoke_token(g.id, by="carol", now=T0 + dt.timedelta(minutes=3))
    entries = store.audit()
    assert [(e.actor, e.action, e.subject, e.details) for e in entries] == [
        ("alice", "token.issue", "feed reader r1", {"token": r1.id}),
        ("alice", "token.issue", "feed group", {"token": g.id}),
        ("bob", "token.rotate", "feed reader r1", {"token": r1.id, "replaced_by": r3.id}),
        ("carol", "token.revoke", "feed group", {"token": g.id}),
    ]
    assert [e.at for e in entries] == [T0 + dt.timedelta(minutes=k) for k in range(4)]
    assert store.verify_audit() == []
    assert store.audit(subject="feed group", limit=1)[0].action == "token.revoke"
    for token in (t1, t3):
        assert token not in repr(entries)
