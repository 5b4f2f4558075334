"""Swap and give-away requests as the store keeps them: records and the SQL behind them.

A request is what a reader asked (reader A's shift to reader B and, for a swap, B's shift to A),
against which published version, and what became of it. The functions here run inside the
caller's transaction; `Store` wraps them with the audit log (see `Store.propose_swap` and friends).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scheduler.instance import Instance
from scheduler.result import Assignment, Roster
from scheduler.store.db import from_text, to_text
from scheduler.store.records import Period


class SwapKind(StrEnum):
    swap = "swap"  # A's shift goes to B and B's shift to A
    give_away = "give_away"  # A's shift goes to B (named, or whoever volunteers)


class SwapStatus(StrEnum):
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    superseded = "superseded"  # the period moved on and the shifts are no longer as proposed


@dataclass(frozen=True)
class ShiftRequestRef:
    """One reader's shift instance as the request names it: type, start date, sites covered."""

    shift_type: str
    date: dt.date
    sites: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"shift_type": self.shift_type, "date": self.date.isoformat(), "sites": list(self.sites)}


@dataclass(frozen=True)
class SwapRequest:
    """A proposed swap or give-away and its outcome. Times are UTC."""

    id: int
    period: Period
    base_number: int  # the published version it was proposed against
    kind: SwapKind
    reader_a: str
    shift_a: ShiftRequestRef
    reader_b: str | None  # None: an open give-away nobody has volunteered for yet
    shift_b: ShiftRequestRef | None  # only for a swap
    proposed_by: str
    proposed_at: dt.datetime
    status: SwapStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str
    published_number: int | None  # the version its approval published

    @property
    def subject(self) -> str:
        """The audit log's subject for every step of this request."""
        return f"swap #{self.id}"

    @property
    def is_open(self) -> bool:
        """A give-away still waiting for a volunteer."""
        return self.kind is SwapKind.give_away and self.reader_b is None

    @property
    def pending(self) -> bool:
        return self.status is SwapStatus.proposed

    def to_dict(self) -> dict[str, Any]:
        """What the audit log records of the request."""
        return {
            "period": self.period.key,
            "base_version": self.base_number,
            "kind": self.kind.value,
            "reader_a": self.reader_a,
            "shift_a": self.shift_a.to_dict(),
            "reader_b": self.reader_b,
            "shift_b": self.shift_b.to_dict() if self.shift_b else None,
        }


def held(roster: Roster, reader: str, shift_type: str, day: dt.date) -> Assignment | None:
    """The reader's assignment to that shift instance in `roster`, or None."""
    return next((a for a in roster.assignments if (a.reader, a.shift_type, a.date) == (reader, shift_type, day)),
                None)


def mismatches(inst: Instance, roster: Roster, request: SwapRequest) -> list[str]:
    """Why `roster` no longer holds the request's shifts as proposed, in words (empty: it does).

    A publish closes every proposed request with mismatches as superseded (`Store.publish`), so this
    lives with the records: it compares a stored request with a roster, and decides nothing else.
    """
    out = []
    for who in (request.reader_a, request.reader_b):
        if who is not None and who not in inst.scenario.radiologist_by_id:
            out.append(f"{who} is no longer a reader of this period's scenario")
    refs = [(request.reader_a, request.shift_a)]
    if request.kind is SwapKind.swap:
        refs.append((request.reader_b, request.shift_b))
    for who, ref in refs:
        current = held(roster, who, ref.shift_type, ref.date)
        if current is None:
            out.append(f"{inst.reader_name(who)} no longer works the {inst.shift_words(ref.shift_type, ref.date)}")
        elif tuple(sorted(current.sites)) != tuple(sorted(ref.sites)):
            out.append(f"{inst.reader_name(who)}'s {inst.shift_words(ref.shift_type, ref.date)} now covers "
                       f"{', '.join(inst.site_name(s) for s in current.sites)} instead of "
                       f"{', '.join(inst.site_name(s) for s in ref.sites)}")
    return out


def _ref(shift_type: str | None, date: str | None, sites_json: str | None) -> ShiftRequestRef | None:
    if shift_type is None or date is None or sites_json is None:
        return None
    return ShiftRequestRef(shift_type, dt.date.fromisoformat(date), tuple(json.loads(sites_json)))


def _record(r: sqlite3.Row) -> SwapRequest:
    return SwapRequest(
        id=r["id"],
        period=Period(dt.date.fromisoformat(r["period_start"]), dt.date.fromisoformat(r["period_end"])),
        base_number=r["base_number"],
        kind=SwapKind(r["kind"]),
        reader_a=r["reader_a"],
        shift_a=_ref(r["a_shift_type"], r["a_date"], r["a_sites_json"]),  # type: ignore[arg-type]
        reader_b=r["reader_b"],
        shift_b=_ref(r["b_shift_type"], r["b_date"], r["b_sites_json"]),
        proposed_by=r["proposed_by"],
        proposed_at=from_text(r["proposed_at"]),  # type: ignore[arg-type]
        status=SwapStatus(r["status"]),
        decided_by=r["decided_by"],
        decided_at=from_text(r["decided_at"]),
        reason=r["reason"],
        published_number=r["published_number"],
    )


def insert(
    conn: sqlite3.Connection,
    *,
    period: Period,
    base_number: int,
    kind: SwapKind,
    reader_a: str,
    shift_a: ShiftRequestRef,
    reader_b: str | None,
    shift_b: ShiftRequestRef | None,
    by: str,
    at: dt.datetime,
) -> int:
    """Store a new request (status 'proposed'); returns its id."""
    b = shift_b.to_dict() if shift_b else None
    cur = conn.execute(
        "INSERT INTO swap_requests (period_start, period_end, base_number, kind, reader_a, a_shift_type, a_date,"
        " a_sites_json, reader_b, b_shift_type, b_date, b_sites_json, proposed_by, proposed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            period.start.isoformat(),
            period.end.isoformat(),
            base_number,
            kind.value,
            reader_a,
            shift_a.shift_type,
            shift_a.date.isoformat(),
            json.dumps(list(shift_a.sites)),
            reader_b,
            b["shift_type"] if b else None,
            b["date"] if b else None,
            json.dumps(b["sites"]) if b else None,
            by,
            to_text(at),
        ),
    )
    return int(cur.lastrowid)


def get(conn: sqlite3.Connection, request_id: int) -> SwapRequest | None:
    r = conn.execute("SELECT * FROM swap_requests WHERE id = ?", (request_id,)).fetchone()
    return _record(r) if r else None


def listing(
    conn: sqlite3.Connection,
    *,
    statuses: list[SwapStatus] | None = None,
    period: Period | None = None,
    reader: str | None = None,
) -> list[SwapRequest]:
    """Requests oldest first, optionally only with these statuses, of one period, or involving one reader."""
    sql, args = "SELECT * FROM swap_requests WHERE 1 = 1", []
    if statuses:
        sql += f" AND status IN ({', '.join('?' * len(statuses))})"
        args += [s.value for s in statuses]
    if period is not None:
        sql += " AND period_start = ? AND period_end = ?"
        args += [period.start.isoformat(), period.end.isoformat()]
    if reader is not None:
        sql += " AND (reader_a = ? OR reader_b = ?)"
        args += [reader, reader]
    return [_record(r) for r in conn.execute(sql + " ORDER BY id", args)]


def set_volunteer(conn: sqlite3.Connection, request_id: int, reader: str) -> bool:
    """Name the reader taking an open give-away; False if it is no longer open and pending."""
    cur = conn.execute(
        "UPDATE swap_requests SET reader_b = ? WHERE id = ? AND reader_b IS NULL AND status = 'proposed'",
        (reader, request_id),
    )
    return cur.rowcount == 1


def decide(
    conn: sqlite3.Connection,
    request_id: int,
    status: SwapStatus,
    *,
    by: str,
    at: dt.datetime,
    reason: str = "",
    published_number: int | None = None,
) -> bool:
    """Move a pending request to its final status; False if it was no longer pending."""
    cur = conn.execute(
        "UPDATE swap_requests SET status = ?, decided_by = ?, decided_at = ?, reason = ?, published_number = ?"
        " WHERE id = ? AND status = 'proposed'",
        (status.value, by, to_text(at), reason, published_number, request_id),
    )
    return cur.rowcount == 1
