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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scheduler.instance import Instance, build_instance
from scheduler.result import Roster
from scheduler.scenario import History, HistoryShift, Scenario

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


# ---- pure forms: the same ledger without a store (batch planning carries months in memory) ----
def history_window(start: dt.date, lookback_months: int) -> tuple[dt.date, dt.date]:
    """The dates whose totals carry into a horizon starting on `start`: the `lookback_months` whole
    months before its month, plus that month's days before `start`."""
    month0 = start.replace(day=1)
    y, m = divmod(month0.year * 12 + month0.month - 1 - lookback_months, 12)
    return dt.date(y, m + 1, 1), start - dt.timedelta(days=1)


def totals_of_facts(facts: Iterable[tuple], first: dt.date, last: dt.date) -> dict[str, LedgerRow]:
    """`totals_between` over `shift_facts` rows instead of the store (same sums, weekends counted once)."""
    lo, hi = first.isoformat(), last.isoformat()
    sums: dict[str, list] = {}
    weekends: dict[str, set[str]] = {}
    for reader, _type, date, night, weekend_of, holiday, minutes, burden in facts:
        if not lo <= str(date) <= hi:
            continue
        row = sums.setdefault(reader, [0, 0, 0, 0, 0])
        row[0] += 1
        row[1] += night
        row[2] += holiday
        row[3] += minutes
        row[4] += burden
        if weekend_of is not None:
            weekends.setdefault(reader, set()).add(weekend_of)
    return {
        reader: LedgerRow(reader, "", n, nights, len(weekends.get(reader, ())), holidays, round(minutes / 60, 2), b)
        for reader, (n, nights, holidays, minutes, b) in sums.items()
    }


def recent_of_facts(facts: Iterable[tuple], first: dt.date, last: dt.date) -> list[tuple[str, str, str]]:
    """`published_shifts_between` over `shift_facts` rows: (reader, shift_type, date) from `first` to `last`."""
    lo, hi = first.isoformat(), last.isoformat()
    rows = [(f[0], f[1], str(f[2])) for f in facts if lo <= str(f[2]) <= hi]
    return sorted(rows, key=lambda r: (r[2], r[0]))


def apply_history(
    scenario: Scenario,
    totals: Mapping[str, LedgerRow],
    recent: Iterable[tuple[str, str, str | dt.date]],
    *,
    add_to_stated: bool = False,
) -> Scenario:
    """The scenario with each reader's history from ledger `totals` and `recent` (reader, type, date) shifts.

    Recent shifts win over hand-entered history shifts on the same dates; shift types the scenario
    does not define are dropped. Carried totals replace the ones the scenario states, or with
    `add_to_stated` are added to them (the stated totals are then an opening balance from before
    the ledger began). Readers with nothing in the ledger keep the history the scenario gives them.
    """
    types = scenario.shift_type_by_id
    by_reader: dict[str, list[HistoryShift]] = {}
    for reader, shift_type, date in recent:
        if shift_type in types:
            by_reader.setdefault(reader, []).append(HistoryShift(shift_type=shift_type, date=date))
    readers = []
    for r in scenario.radiologists:
        t, shifts = totals.get(r.id), by_reader.get(r.id)
        if t is None and not shifts:
            readers.append(r)
            continue
        given = r.history
        published_days = {h.date for h in shifts or ()}  # what was published wins over hand-entered history
        merged = tuple(shifts or ()) + tuple(h for h in given.shifts if h.date not in published_days)

        def total(carried: float | None, stated: float) -> float:
            if carried is None:
                return stated
            return carried + stated if add_to_stated else carried

        history = History(
            shifts=tuple(sorted(merged, key=lambda h: (h.date, h.shift_type))),
            burden_points=total(t and t.burden_points, given.burden_points),
            work_hours=total(t and t.hours, given.work_hours),
            nights=total(t and t.nights, given.nights),
            weekends=total(t and t.weekends, given.weekends),
            holidays=total(t and t.holidays, given.holidays),
        )
        readers.append(r.model_copy(update={"history": history}))
    # each History was validated on construction, and only known shift types were kept: no re-validation
    return scenario.replace(radiologists=tuple(readers))
