"""The audit log: an append-only record of what was published, issued or revoked, by whom, when.

SQLite triggers refuse UPDATE and DELETE on the table, and each entry carries the SHA-256 of its
content chained to the previous entry's hash, so an edit made behind the store's back (with the
triggers dropped) is detected by `verify`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from scheduler.store.db import from_text, to_text

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]


def _digest(prev_hash: str, at: str, actor: str, action: str, subject: str, details_json: str) -> str:
    payload = json.dumps([prev_hash, at, actor, action, subject, details_json], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def append(
    conn: sqlite3.Connection, at: dt.datetime, actor: str, action: str, subject: str, details: dict[str, Any]
) -> int:
    """Add one entry (inside the caller's transaction); returns its id."""
    row = conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    at_text = to_text(at)
    details_json = json.dumps(details, sort_keys=True, ensure_ascii=False)
    digest = _digest(prev, at_text, actor, action, subject, details_json)
    cur = conn.execute(
        "INSERT INTO audit_log (at, actor, action, subject, details_json, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at_text, actor, action, subject, details_json, prev, digest),
    )
    return int(cur.lastrowid)


def entries(conn: sqlite3.Connection, *, subject: str | None = None, limit: int | None = None) -> list[AuditEntry]:
    """Entries oldest first (the newest `limit` of them), optionally about one subject."""
    sql = "SELECT id, at, actor, action, subject, details_json FROM audit_log"
    args: list[Any] = []
    if subject is not None:
        sql += " WHERE subject = ?"
        args.append(subject)
    sql += " ORDER BY id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    rows = conn.execute(sql, args).fetchall()
    return [AuditEntry(r[0], from_text(r[1]), r[2], r[3], r[4], json.loads(r[5])) for r in reversed(rows)]


def verify(conn: sqlite3.Connection) -> list[str]:
    """Problems in the hash chain (empty when the log is intact)."""
    problems = []
    prev = GENESIS
    for r in conn.execute(
        "SELECT id, at, actor, action, subject, details_json, prev_hash, hash FROM audit_log ORDER BY id"
    ):
        if r[6] != prev:
            problems.append(f"audit entry {r[0]}: does not follow entry before it (an entry was removed)")
        if _digest(r[6], r[1], r[2], r[3], r[4], r[5]) != r[7]:
            problems.append(f"audit entry {r[0]}: its content was altered")
        prev = r[7]
    return problems
