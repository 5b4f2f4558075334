"""SQLite plumbing for the store: connection settings, UTC timestamps, and schema migrations.

The store is one SQLite file, the embedded default (no server to start). WAL journaling with
`synchronous=FULL` makes each transaction atomic and durable: a writer killed mid-publish leaves
the file as it was before that publish. The schema version lives in `PRAGMA user_version`; each
migration runs in the same transaction as the version bump, so a store is never half-migrated.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

UTC = dt.UTC
BUSY_TIMEOUT_MS = 15_000


class StoreError(Exception):
    """A store operation was refused; the message says why and what to do."""


class SchemaTooNewError(StoreError):
    """The file was written by a newer release than this one."""


Migration = Callable[[sqlite3.Connection], None]


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) the SQLite file with the settings every store connection uses."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock first, so read-then-write is race-free."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration], path: str | Path) -> int:
    """Bring the schema up to date, one migration per transaction; returns the version reached."""
    known = len(migrations)
    current = schema_version(conn)
    if current > known:
        raise SchemaTooNewError(
            f"{path}: the store has schema version {current}, written by a newer release; this release "
            f"reads versions up to {known}. Upgrade radiology-scheduler to open it."
        )
    while current < known:
        with write_transaction(conn):
            current = schema_version(conn)  # another process may have migrated meanwhile
            if current >= known:
                break
            migrations[current](conn)
            current += 1
            conn.execute(f"PRAGMA user_version = {current}")
    return current


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one inside the current transaction.

    (`executescript` would COMMIT the open transaction first, breaking a migration's atomicity.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:80]}")


def now_utc() -> dt.datetime:
    """The current time in UTC, to the whole second (what published versions record)."""
    return dt.datetime.now(UTC).replace(microsecond=0)


def to_text(t: dt.datetime) -> str:
    """A UTC timestamp as stored: '2026-10-01T08:30:00Z'."""
    if t.tzinfo is None:
        raise ValueError("naive datetime given to the store; times are UTC inside")
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_text(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
