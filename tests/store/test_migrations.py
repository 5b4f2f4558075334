"""A later release opens an older store: migrations run once, in order, keeping every record."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from scheduler.io.scenario_yaml import load_scenario, scenario_to_yaml
from scheduler.solver import solve
from scheduler.store import SchemaTooNewError, Store, StoreError
from scheduler.store.db import connect, migrate, schema_version
from scheduler.store.events import roster_events
from scheduler.store.migrations import MIGRATIONS, SCHEMA_VERSION
from scheduler.store.records import FeedKind, FeedTarget

ROOT = Path(__file__).resolve().parents[2]


def _make_v1_store(path: Path):
    """A store as release 1 (schema version 1) left it: one published version, no tokens, no ledger."""
    from scheduler.instance import build_instance

    scenario = load_scenario(ROOT / "scenarios" / "tiny.yaml")
    roster = solve(scenario, time_limit=20, workers=1, seed=0).roster
    conn = connect(path)
    assert migrate(conn, MIGRATIONS[:1], path) == 1
    conn.execute(
        "INSERT INTO scenario_versions (id, name, number, yaml, sha256, saved_at, saved_by) VALUES (1, ?, 1, ?, 'x',"
        " '2026-02-20T10:00:00Z', 'alice')",
        (scenario.name, scenario_to_yaml(scenario)),
    )
    conn.execute(
        "INSERT INTO published_versions (id, period_start, period_end, number, scenario_version, roster_json,"
        " diff_json, published_at, published_by) VALUES (1, '2026-03-02', '2026-03-08', 1, 1, ?, ?,"
        " '2026-02-20T10:00:00Z', 'alice')",
        (json.dumps(roster.sorted().model_dump(mode="json")), json.dumps({"counts": {}, "readers": {}, "moves": []})),
    )
    for e in roster_events(build_instance(scenario), roster):
        conn.execute(
            "INSERT INTO published_events (version_id, uid_key, reader, shift_type, date, sites_json,"
            " subspecialties_json, start_utc, end_utc, sequence) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            (e.uid_key, e.reader, e.shift_type, e.date.isoformat(), json.dumps(e.sites), json.dumps(e.subspecialties),
             e.start.strftime("%Y-%m-%dT%H:%M:%SZ"), e.end.strftime("%Y-%m-%dT%H:%M:%SZ")),
        )
    conn.close()
    return scenario, roster


@pytest.mark.slow
def test_an_old_store_is_migrated_and_keeps_its_versions(tmp_path):
    path = tmp_path / "old.sqlite3"
    scenario, roster = _make_v1_store(path)
    with Store(path) as store:
        assert schema_version(store.conn) == SCHEMA_VERSION == 4
        [v] = store.versions()
        assert (v.number, v.published_by) == (1, "alice")
        assert store.roster(v.id).sorted() == roster.sorted()
        # migration 3 backfilled the ledger from the version already published
        assert sum(r.shifts for r in store.ledger()) == len(roster.assignments)
        # migration 2 added feed tokens
        token, _ = store.issue_token(FeedTarget(FeedKind.group, ""), by="t")
        assert store.lookup_token(token) is not None
        # and publishing goes on from version 1
        out = store.publish(scenario, roster, by="bob", base_number=1)
        assert out.version.number == 2 and out.diff.empty
    with Store(path) as store:  # opening again runs nothing twice
        assert schema_version(store.conn) == 4
        assert len(store.versions()) == 2


def test_a_store_from_a_newer_release_is_refused_in_words(tmp_path):
    path = tmp_path / "new.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError, match=r"schema version 5.*newer release.*up to 4"):
        Store(path)


def test_a_file_that_is_not_a_store_is_refused_in_words(tmp_path):
    path = tmp_path / "roster.json"
    path.write_text('{"not": "sqlite"}' * 200)
    with pytest.raises(StoreError, match="not a usable store file"):
        Store(path)
    assert path.read_text().startswith('{"not"')  # and left untouched
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path)


def test_a_failing_migration_leaves_the_store_at_its_old_version(tmp_path):
    path = tmp_path / "s.sqlite3"
    conn = connect(path)
    migrate(conn, MIGRATIONS[:1], path)

    def broken(c):
        c.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        migrate(conn, (*MIGRATIONS[:1], broken), path)
    assert schema_version(conn) == 1
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchone() is None
