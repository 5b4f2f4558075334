"""Feed tokens: 256 random bits each, handed out once and kept only as SHA-256 hashes.

A token opens one calendar (a reader's, a site's, or the group's). Lookups hash the presented
token and compare hashes with `hmac.compare_digest`; the hash is what the database indexes, so
timing reveals nothing about stored tokens. Revoked tokens stay listed (for the audit trail) but
open nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3

from scheduler.store.db import from_text, to_text
from scheduler.store.records import FeedKind, FeedTarget, FeedToken

TOKEN_BYTES = 32
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32) is 43 characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _row(r: sqlite3.Row) -> FeedToken:
    return FeedToken(
        id=r["id"],
        target=FeedTarget(FeedKind(r["kind"]), r["subject"]),
        label=f"#{r['id']} ({r['token_hash'][:8]})",
        created_at=from_text(r["created_at"]),
        revoked_at=from_text(r["revoked_at"]),
    )


def insert(conn: sqlite3.Connection, target: FeedTarget, at, by: str) -> tuple[str, FeedToken]:
    token = new_token()
    cur = conn.execute(
        "INSERT INTO feed_tokens (kind, subject, token_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
        (target.kind.value, target.subject, token_hash(token), to_text(at), by),
    )
    return token, get(conn, int(cur.lastrowid))


def get(conn: sqlite3.Connection, token_id: int) -> FeedToken | None:
    r = conn.execute("SELECT * FROM feed_tokens WHERE id = ?", (token_id,)).fetchone()
    return _row(r) if r else None


def listing(
    conn: sqlite3.Connection, target: FeedTarget | None = None, *, active_only: bool = False
) -> list[FeedToken]:
    sql = "SELECT * FROM feed_tokens"
    where, args = [], []
    if target is not None:
        where.append("kind = ? AND subject = ?")
        args += [target.kind.value, target.subject]
    if active_only:
        where.append("revoked_at IS NULL")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [_row(r) for r in conn.execute(sql + " ORDER BY id", args)]


def revoke(conn: sqlite3.Connection, token_id: int, at) -> bool:
    """Revoke one token; False when it was already revoked."""
    cur = conn.execute(
        "UPDATE feed_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (to_text(at), token_id)
    )
    return cur.rowcount == 1


def lookup(conn: sqlite3.Connection, token: str) -> FeedTarget | None:
    """The target an active token opens, or None (unknown, malformed or revoked: all the same)."""
    if not TOKEN_RE.fullmatch(token):
        return None
    wanted = token_hash(token)
    r = conn.execute(
        "SELECT kind, subject, token_hash FROM feed_tokens WHERE token_hash = ? AND revoked_at IS NULL", (wanted,)
    ).fetchone()
    if r is None or not hmac.compare_digest(r["token_hash"], wanted):
        return None
    return FeedTarget(FeedKind(r["kind"]), r["subject"])
