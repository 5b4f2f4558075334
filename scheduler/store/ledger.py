"""The fairness ledger: per reader and month, what the published rosters gave them.

Each published version stores one row of facts per reader-shift (night, weekend, holiday, working
minutes, burden points, as the scenario it was planned from defines them). The ledger adds up,
for every period, its *latest* published version: publishing a new version replaces that period's
contribution, and nothing needs recomputing by hand. A weekend counts once for the month of its
Saturday however many shifts fall in it (as the weekends rule counts it).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from scheduler.instance import Instance, build_instance
from scheduler.result import Roster

LATEST_VERSIONS = """
    SELECT v.id FROM published_versions v
    WHERE v.number = (SELECT MAX(w.number) FROM published_versions w
                      WHERE w.period_start = v.period_start AND w.period_end = v.period_end)
"""


@dataclass(frozen=True)
class LedgerRow:
    """What one reader worked in one month, across every period's latest published version."""

    reader: str
    month: str  # "YYYY-MM"
    shifts: int
    nights: int
    weekends: int
    holidays: int
    hours: float
    burden_points: int


def shift_facts(inst: Instance, roster: Roster) -> list[tuple]:
    """(reader, shift_type, date, night, weekend_of, holiday, work_minutes, burden) per assignment."""
    rows = []
    for a in roster.assignments:
        s = inst.shift_by_key[(a.shift_type, a.date)]
        saturday = a.date - dt.timedelta(days=a.date.weekday() - 5) if a.date.weekday() >= 5 else None
        rows.append(
            (
                a.reader,
                a.shift_type,
                a.date.isoformat(),
                int(s.is_night),
                saturday.isoformat() if saturday else None,
                int(s.is_holiday),
                s.work_minutes,
                s.burden,
            )
        )
    return rows


def insert_shift_facts(conn: sqlite3.Connection, version_id: int, inst: Instance, roster: Roster) -> None:
    conn.executemany(
        "INSERT INTO published_shifts (version_id, reader, shift_type, date, night, weekend_of, holiday,"
        " work_minutes, burden_points) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(version_id, *row) for row in shift_facts(inst, roster)],
    )


def backfill_shift_facts(conn: sqlite3.Connection) -> None:
    """Fill `published_shifts` for versions published before the ledger existed (migration 3)."""
    from scheduler.io.scenario_yaml import scenario_from_yaml_text

    rows = conn.execute(
        "SELECT v.id, v.roster_json, s.yaml FROM published_versions v"
        " JOIN scenario_versions s ON s.id = v.scenario_version ORDER BY v.id"
    ).fetchall()
    instances: dict[str, Instance] = {}
    for version_id, roster_json, yaml_text in rows:
        if yaml_text not in instances:
            instances[yaml_text] = build_instance(scenario_from_yaml_text(yaml_text))
        insert_shift_facts(conn, version_id, instances[yaml_text], Roster.model_validate(json.loads(roster_json)))


def ledger(
    conn: sqlite3.Connection,
    *,
    readers: list[str] | None = None,
    first_month: str | None = None,
    last_month: str | None = None,
) -> list[LedgerRow]:
    """Ledger rows per (reader, month), optionally for some readers and a range of months."""
    totals = {}
    for r in conn.execute(
        f"SELECT reader, substr(date, 1, 7) AS month, COUNT(*), SUM(night), SUM(holiday), SUM(work_minutes),"
        f" SUM(burden_points) FROM published_shifts WHERE version_id IN ({LATEST_VERSIONS})"
        " GROUP BY reader, month"
    ):
        totals[(r[0], r[1])] = [r[2], r[3], 0, r[4], r[5], r[6]]
    for r in conn.execute(
        f"SELECT reader, substr(weekend_of, 1, 7) AS month, COUNT(DISTINCT weekend_of) FROM published_shifts"
        f" WHERE weekend_of IS NOT NULL AND version_id IN ({LATEST_VERSIONS}) GROUP BY reader, month"
    ):
        totals.setdefault((r[0], r[1]), [0, 0, 0, 0, 0, 0])[2] = r[2]
    out = []
    for (reader, month), (shifts, nights, weekends, holidays, minutes, burden) in sorted(totals.items()):
        if readers is not None and reader not in readers:
            continue
        if (first_month and month < first_month) or (last_month and month > last_month):
            continue
        out.append(LedgerRow(reader, month, shifts, nights, weekends, holidays, round(minutes / 60, 2), burden))
    return out


def published_shifts_between(conn: sqlite3.Connection, first: dt.date, last: dt.date) -> list[tuple[str, str, str]]:
    """(reader, shift_type, date) worked from `first` to `last` in the latest published versions."""
    return [
        tuple(r)
        for r in conn.execute(
            f"SELECT reader, shift_type, date FROM published_shifts WHERE version_id IN ({LATEST_VERSIONS})"
            " AND date BETWEEN ? AND ? ORDER BY date, reader",
            (first.isoformat(), last.isoformat()),
        )
    ]


def totals_between(conn: sqlite3.Connection, first: dt.date, last: dt.date) -> dict[str, LedgerRow]:
    """Per reader, what the latest published versions gave them from `first` to `last` (dates inclusive)."""
    span = (first.isoformat(), last.isoformat())
    weekends = {
        r[0]: r[1]
        for r in conn.execute(
            f"SELECT reader, COUNT(DISTINCT weekend_of) FROM published_shifts WHERE weekend_of IS NOT NULL"
            f" AND version_id IN ({LATEST_VERSIONS}) AND date BETWEEN ? AND ? GROUP BY reader",
            span,
        )
    }
    out = {}
    for r in conn.execute(
        f"SELECT reader, COUNT(*), SUM(night), SUM(holiday), SUM(work_minutes), SUM(burden_points)"
        f" FROM published_shifts WHERE version_id IN ({LATEST_VERSIONS}) AND date BETWEEN ? AND ? GROUP BY reader",
        span,
    ):
        out[r[0]] = LedgerRow(r[0], "", r[1], r[2], weekends.get(r[0], 0), r[3], round(r[4] / 60, 2), r[5])
    return out
