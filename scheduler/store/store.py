"""The store: scenario versions, solve results, published rosters, audit log, ledger, feed tokens.

One SQLite file (see `db.py` for why that is crash-safe). Published versions are immutable and
numbered per period; publishing is one transaction that checks the publisher's base version
(optimistic concurrency: a second coordinator who started from an older version is refused, not
silently overwritten), stores the roster and its calendar events, computes the diff against the
previous version and appends it to the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scheduler.check import check
from scheduler.instance import Instance, build_instance
from scheduler.io.roster_io import roster_from_data, roster_to_data
from scheduler.io.scenario_yaml import scenario_from_yaml_text, scenario_to_yaml
from scheduler.result import CheckReport, Roster, SolveResult
from scheduler.scenario import Scenario
from scheduler.store import audit, ledger, swaps, tokens
from scheduler.store.db import StoreError, connect, from_text, migrate, now_utc, to_text, write_transaction
from scheduler.store.diff import RosterDiff, diff_rosters
from scheduler.store.events import carry_identity, roster_events
from scheduler.store.migrations import MIGRATIONS
from scheduler.store.records import FeedKind, FeedTarget, FeedToken, Period, PublishedEvent, PublishedVersion
from scheduler.store.swaps import ShiftRequestRef, SwapKind, SwapRequest, SwapStatus, mismatches

DEFAULT_LOOKBACK_MONTHS = 12
DEFAULT_RECENT_DAYS = 14


class ConcurrencyError(StoreError):
    """Someone else published the same period since the publisher's base version."""


class PublishRefused(StoreError):
    """The roster may not be published (hard violations, or a period that overlaps another)."""


@dataclass(frozen=True)
class ScenarioVersion:
    id: int
    name: str
    number: int
    saved_at: dt.datetime
    saved_by: str
    note: str


@dataclass(frozen=True)
class SolveRecord:
    """A kept solve result: what the solver reported, with its roster."""

    id: int
    scenario_version: int
    created_at: dt.datetime
    status: str
    objective: int | None
    bound: int | None
    summary: dict
    roster: Roster


@dataclass(frozen=True)
class PublishOutcome:
    version: PublishedVersion
    diff: RosterDiff
    report: CheckReport  # the checker's verdict on the published roster (uncovered needs are allowed)


@dataclass(frozen=True)
class FeedState:
    """What feeds show: the events of every period's latest version, and the newest version."""

    version: PublishedVersion
    scenario: Scenario
    events: list[PublishedEvent]


def _version(r: sqlite3.Row) -> PublishedVersion:
    return PublishedVersion(
        id=r["id"],
        period=Period(dt.date.fromisoformat(r["period_start"]), dt.date.fromisoformat(r["period_end"])),
        number=r["number"],
        scenario_version=r["scenario_version"],
        published_at=from_text(r["published_at"]),
        published_by=r["published_by"],
        note=r["note"],
        base_number=r["base_number"],
    )


def _event(r: sqlite3.Row) -> PublishedEvent:
    return PublishedEvent(
        uid_key=r["uid_key"],
        reader=r["reader"],
        shift_type=r["shift_type"],
        date=dt.date.fromisoformat(r["date"]),
        sites=tuple(json.loads(r["sites_json"])),
        subspecialties=tuple(json.loads(r["subspecialties_json"])),
        start=from_text(r["start_utc"]),
        end=from_text(r["end_utc"]),
        sequence=r["sequence"],
        cancelled=bool(r["cancelled"]),
    )


def period_of(scenario: Scenario) -> Period:
    return Period(scenario.horizon.start, scenario.horizon.end)


class Store:
    """A store file, opened (created and migrated if needed)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory; give the path of a store file (e.g. scheduler.sqlite3)")
        try:
            self.conn = connect(self.path)
            migrate(self.conn, MIGRATIONS, self.path)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable store file ({exc})") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- scenarios and results ---------------------------------------------------------
    def save_scenario(
        self, scenario: Scenario, *, by: str, note: str = "", now: dt.datetime | None = None
    ) -> ScenarioVersion:
        """Store the scenario as the next version of its name (or return the latest one if unchanged)."""
        with write_transaction(self.conn):
            return self._save_scenario(scenario, by, note, now or now_utc())

    def _save_scenario(self, scenario: Scenario, by: str, note: str, now: dt.datetime) -> ScenarioVersion:
        text = scenario_to_yaml(scenario)
        sha = hashlib.sha256(text.encode()).hexdigest()
        last = self.conn.execute(
            "SELECT * FROM scenario_versions WHERE name = ? ORDER BY number DESC LIMIT 1", (scenario.name,)
        ).fetchone()
        if last is not None and last["sha256"] == sha:
            return self._scenario_version(last)
        number = 1 if last is None else last["number"] + 1
        cur = self.conn.execute(
            "INSERT INTO scenario_versions (name, number, yaml, sha256, saved_at, saved_by, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (scenario.name, number, text, sha, to_text(now), by, note),
        )
        return ScenarioVersion(int(cur.lastrowid), scenario.name, number, now, by, note)

    @staticmethod
    def _scenario_version(r: sqlite3.Row) -> ScenarioVersion:
        return ScenarioVersion(r["id"], r["name"], r["number"], from_text(r["saved_at"]), r["saved_by"], r["note"])

    def scenario_versions(self, name: str | None = None) -> list[ScenarioVersion]:
        sql, args = "SELECT * FROM scenario_versions", ()
        if name is not None:
            sql, args = sql + " WHERE name = ?", (name,)
        return [self._scenario_version(r) for r in self.conn.execute(sql + " ORDER BY name, number", args)]

    def scenario(self, scenario_version: int) -> Scenario:
        r = self.conn.execute("SELECT yaml FROM scenario_versions WHERE id = ?", (scenario_version,)).fetchone()
        if r is None:
            raise StoreError(f"{self.path}: no scenario version {scenario_version}")
        return scenario_from_yaml_text(r["yaml"], f"{self.path} (scenario version {scenario_version})")

    def save_result(self, scenario: Scenario, result: SolveResult, *, by: str = "solver") -> int:
        """Keep a solve result (status, figures, roster) with the scenario version it solved."""
        with write_transaction(self.conn):
            sv = self._save_scenario(scenario, by, "", now_utc())
            summary = {"objective": result.objective, "bound": result.bound, "gap": result.gap, "terms": result.terms}
            cur = self.conn.execute(
                "INSERT INTO solve_results (scenario_version, created_at, status, objective, bound, summary_json,"
                " roster_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    sv.id,
                    to_text(now_utc()),
                    result.status,
                    result.objective,
                    result.bound,
                    json.dumps(summary, default=str),
                    json.dumps(roster_to_data(result.roster or Roster(), scenario.name), default=str),
                ),
            )
            return int(cur.lastrowid)

    def results(self, scenario_version: int | None = None) -> list[SolveRecord]:
        """Kept solve results, oldest first (optionally of one scenario version)."""
        sql, args = "SELECT * FROM solve_results", ()
        if scenario_version is not None:
            sql, args = sql + " WHERE scenario_version = ?", (scenario_version,)
        return [
            SolveRecord(
                id=r["id"],
                scenario_version=r["scenario_version"],
                created_at=from_text(r["created_at"]),
                status=r["status"],
                objective=r["objective"],
                bound=r["bound"],
                summary=json.loads(r["summary_json"]),
                roster=roster_from_data(json.loads(r["roster_json"])),
            )
            for r in self.conn.execute(sql + " ORDER BY id", args)
        ]

    # ---- publishing --------------------------------------------------------------------
    def publish(
        self,
        scenario: Scenario,
        roster: Roster,
        *,
        by: str,
        base_number: int | None,
        note: str = "",
        now: dt.datetime | None = None,
        on_published: Callable[[PublishedVersion], None] | None = None,
    ) -> PublishOutcome:
        """Publish `roster` as the next version of the scenario's period.

        `base_number` is the version the publisher started from (None: they believe nothing is
        published yet). If another version was published since, nothing is written and
        ConcurrencyError says who published what. A roster breaking a hard rule is refused;
        one leaving needs uncovered is published (the report lists them). `on_published` runs
        inside the publishing transaction once the version is stored: what it writes commits
        with the version, and if it raises, nothing is published (an approved swap uses it).
        """
        inst = build_instance(scenario)
        report = check(inst, roster)
        if report.violations:
            listed = "; ".join(v.message for v in report.violations[:5])
            more = f" (and {len(report.violations) - 5} more)" if len(report.violations) > 5 else ""
            raise PublishRefused(
                f"the roster breaks {len(report.violations)} hard rule(s), so it was not published: {listed}{more}. "
                "Fix them (`scheduler check` lists them all) and publish again."
            )
        period = period_of(scenario)
        if now is not None and now.tzinfo is None:
            raise ValueError("naive datetime given to publish; times are UTC inside")
        now = (now or now_utc()).astimezone(dt.UTC).replace(microsecond=0)
        with write_transaction(self.conn):
            self._refuse_overlap(period)
            latest = self._latest(period)
            latest_number = latest.number if latest else None
            if base_number != latest_number:
                raise ConcurrencyError(self._conflict_message(period, base_number, latest))
            sv = self._save_scenario(scenario, by, f"published for {period}", now)
            previous_roster = self.roster(latest.id) if latest else None
            previous_events = self.events(latest.id) if latest else []
            cancelled_at = self._cancelled_at(latest.id) if latest else {}
            events = carry_identity(roster_events(inst, roster), previous_events, now, cancelled_at)
            diff = diff_rosters(previous_roster, roster)
            number = (latest_number or 0) + 1
            roster_json = json.dumps(roster.sorted().model_dump(mode="json"))
            cur = self.conn.execute(
                "INSERT INTO published_versions (period_start, period_end, number, base_number, scenario_version,"
                " roster_json, diff_json, published_at, published_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    period.start.isoformat(),
                    period.end.isoformat(),
                    number,
                    base_number,
                    sv.id,
                    roster_json,
                    json.dumps(diff.to_dict()),
                    to_text(now),
                    by,
                    note,
                ),
            )
            version_id = int(cur.lastrowid)
            self.conn.executemany(
                "INSERT INTO published_events (version_id, uid_key, reader, shift_type, date, sites_json,"
                " subspecialties_json, start_utc, end_utc, sequence, cancelled, cancelled_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        version_id,
                        e.uid_key,
                        e.reader,
                        e.shift_type,
                        e.date.isoformat(),
                        json.dumps(list(e.sites)),
                        json.dumps(list(e.subspecialties)),
                        to_text(e.start),
                        to_text(e.end),
                        e.sequence,
                        int(e.cancelled),
                        to_text(cancelled_at.get(e.uid_key, now)) if e.cancelled else None,
                    )
                    for e in events
                ],
            )
            ledger.insert_shift_facts(self.conn, version_id, inst, roster)
            audit.append(
                self.conn,
                now,
                by,
                "publish",
                f"period {period.key}",
                {
                    "version": number,
                    "base_version": base_number,
                    "scenario": {"name": sv.name, "version": sv.number},
                    "note": note,
                    "uncovered": len(report.uncovered),
                    "roster_sha256": hashlib.sha256(roster_json.encode()).hexdigest(),
                    "diff": diff.to_dict(),
                },
            )
            version = self.version(version_id)
            if on_published is not None:
                on_published(version)
            self._supersede_stale_swaps(inst, roster, version, by)
        return PublishOutcome(version=version, diff=diff, report=report)

    def _supersede_stale_swaps(self, inst: Instance, roster: Roster, version: PublishedVersion, by: str) -> None:
        """Inside a publish: every request of the period still proposed whose shifts the new version no
        longer holds as proposed is closed as superseded, with the reason, so that nobody approves
        (or volunteers for) what no longer exists."""
        if self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'swap_requests'").fetchone() is None:
            return  # a store still being brought up to date (schema before swaps) has no proposals
        at = version.published_at
        for request in swaps.listing(self.conn, statuses=[SwapStatus.proposed], period=version.period):
            problems = mismatches(inst, roster, request)
            if not problems:
                continue
            reason = f"version {version.number} no longer has the shifts as proposed: " + "; ".join(problems)
            swaps.decide(self.conn, request.id, SwapStatus.superseded, by=by, at=at, reason=reason)
            audit.append(self.conn, at, by, "swap.supersede", request.subject,
                         {"status": SwapStatus.superseded.value, "reason": reason, "version": version.number})

    def _refuse_overlap(self, period: Period) -> None:
        for p in self.periods():
            if p != period and p.overlaps(period):
                raise PublishRefused(
                    f"the period {period} overlaps the published period {p}; a period is re-published with "
                    "exactly the same dates. Plan the dates outside it, or re-plan that period."
                )

    def _conflict_message(self, period: Period, base: int | None, latest: PublishedVersion | None) -> str:
        if latest is None:
            return (
                f"{period}: you started from version {base}, but nothing is published for this period; "
                "publish without a base version."
            )
        started = "from nothing" if base is None else f"from version {base}"
        return (
            f"{period}: version {latest.number} was published by {latest.published_by} at "
            f"{to_text(latest.published_at)} ({latest.note or 'no note'}), but you started {started}. Your roster "
            f"was NOT published. Review what changed in version {latest.number} (`scheduler history`), merge "
            f"your changes into it, and publish with base version {latest.number}."
        )

    def _cancelled_at(self, version_id: int) -> dict[str, dt.datetime]:
        return {
            r["uid_key"]: from_text(r["cancelled_at"])
            for r in self.conn.execute(
                "SELECT uid_key, cancelled_at FROM published_events WHERE version_id = ? AND cancelled = 1",
                (version_id,),
            )
        }

    # ---- reading published versions ----------------------------------------------------
    def periods(self) -> list[Period]:
        return [
            Period(dt.date.fromisoformat(r[0]), dt.date.fromisoformat(r[1]))
            for r in self.conn.execute(
                "SELECT DISTINCT period_start, period_end FROM published_versions ORDER BY period_start"
            )
        ]

    def _latest(self, period: Period) -> PublishedVersion | None:
        r = self.conn.execute(
            "SELECT * FROM published_versions WHERE period_start = ? AND period_end = ? ORDER BY number DESC LIMIT 1",
            (period.start.isoformat(), period.end.isoformat()),
        ).fetchone()
        return _version(r) if r else None

    def latest_version(self, period: Period) -> PublishedVersion | None:
        """The period's newest published version (None if none)."""
        return self._latest(period)

    def versions(self, period: Period | None = None) -> list[PublishedVersion]:
        sql, args = "SELECT * FROM published_versions", ()
        if period is not None:
            sql += " WHERE period_start = ? AND period_end = ?"
            args = (period.start.isoformat(), period.end.isoformat())
        return [_version(r) for r in self.conn.execute(sql + " ORDER BY period_start, number", args)]

    def version(self, version_id: int) -> PublishedVersion:
        r = self.conn.execute("SELECT * FROM published_versions WHERE id = ?", (version_id,)).fetchone()
        if r is None:
            raise StoreError(f"{self.path}: no published version with id {version_id}")
        return _version(r)

    def find_version(self, period: Period, number: int) -> PublishedVersion:
        r = self.conn.execute(
            "SELECT * FROM published_versions WHERE period_start = ? AND period_end = ? AND number = ?",
            (period.start.isoformat(), period.end.isoformat(), number),
        ).fetchone()
        if r is None:
            known = [v.number for v in self.versions(period)]
            raise StoreError(f"{period}: no version {number}; published versions are {known or 'none'}")
        return _version(r)

    def roster(self, version_id: int) -> Roster:
        r = self.conn.execute("SELECT roster_json FROM published_versions WHERE id = ?", (version_id,)).fetchone()
        if r is None:
            raise StoreError(f"{self.path}: no published version with id {version_id}")
        return Roster.model_validate(json.loads(r[0]))

    def diff(self, version_id: int) -> RosterDiff:
        """The diff recorded when the version was published (against the version before it)."""
        r = self.conn.execute("SELECT diff_json FROM published_versions WHERE id = ?", (version_id,)).fetchone()
        if r is None:
            raise StoreError(f"{self.path}: no published version with id {version_id}")
        return RosterDiff.from_dict(json.loads(r[0]))

    def events(self, version_id: int) -> list[PublishedEvent]:
        rows = self.conn.execute(
            "SELECT * FROM published_events WHERE version_id = ? ORDER BY start_utc, uid_key", (version_id,)
        )
        return [_event(r) for r in rows]

    def newest_published_scenario(self) -> Scenario | None:
        """The scenario of the most recently published version (None: nothing published)."""
        r = self.conn.execute("SELECT scenario_version FROM published_versions ORDER BY id DESC LIMIT 1").fetchone()
        return self.scenario(r[0]) if r else None

    def feed_state(self) -> FeedState | None:
        """Every period's latest events, with the newest version and its scenario (None: nothing published)."""
        latest = [self._latest(p) for p in self.periods()]
        if not latest:
            return None
        newest = max(latest, key=lambda v: v.id)
        events = sorted((e for v in latest for e in self.events(v.id)), key=lambda e: (e.start, e.uid_key))
        return FeedState(version=newest, scenario=self.scenario(newest.scenario_version), events=events)

    # ---- audit and ledger --------------------------------------------------------------
    def audit(self, *, subject: str | None = None, limit: int | None = None) -> list[audit.AuditEntry]:
        return audit.entries(self.conn, subject=subject, limit=limit)

    def verify_audit(self) -> list[str]:
        """Problems in the audit chain, or a published roster that differs from what its entry recorded."""
        problems = audit.verify(self.conn)
        recorded = {
            (e.subject, e.details.get("version")): e.details.get("roster_sha256")
            for e in self.audit()
            if e.action == "publish"
        }
        for v in self.versions():
            (text,) = self.conn.execute("SELECT roster_json FROM published_versions WHERE id = ?", (v.id,)).fetchone()
            expected = recorded.get((f"period {v.period.key}", v.number))
            if expected is None:
                problems.append(f"{v.period} version {v.number}: no publish entry in the audit log")
            elif expected != hashlib.sha256(text.encode()).hexdigest():
                problems.append(f"{v.period} version {v.number}: the stored roster differs from the one published")
        return problems

    def ledger(
        self, *, readers: list[str] | None = None, first_month: str | None = None, last_month: str | None = None
    ) -> list[ledger.LedgerRow]:
        return ledger.ledger(self.conn, readers=readers, first_month=first_month, last_month=last_month)

    def with_history(
        self,
        scenario: Scenario,
        *,
        lookback_months: int = DEFAULT_LOOKBACK_MONTHS,
        recent_days: int = DEFAULT_RECENT_DAYS,
    ) -> Scenario:
        """The scenario with each reader's history taken from what was published before its horizon.

        Carried totals (burden points, hours, nights, weekends, holidays) add up the latest published
        versions over the `lookback_months` whole months before the horizon's month plus that month's
        days before the start; history shifts are the published shifts of the last `recent_days`
        days, so rest and run rules at the border see the real last days. Readers with nothing
        published keep the history the scenario gives them.
        """
        start = scenario.horizon.start
        first, last = ledger.history_window(start, lookback_months)
        totals = ledger.totals_between(self.conn, first, last)
        recent = ledger.published_shifts_between(self.conn, start - dt.timedelta(days=recent_days), last)
        return ledger.apply_history(scenario, totals, recent)

    # ---- swap and give-away requests ---------------------------------------------------
    def propose_swap(
        self,
        *,
        period: Period,
        base_number: int,
        kind: SwapKind,
        reader_a: str,
        shift_a: ShiftRequestRef,
        reader_b: str | None,
        shift_b: ShiftRequestRef | None,
        by: str,
        now: dt.datetime | None = None,
    ) -> SwapRequest:
        """Record a proposal made against the period's version `base_number`, which must still be the latest.

        What it asks is checked by `scheduler.replan.swaps.propose`, which calls this; the store
        keeps the record and its audit entry in one transaction.
        """
        now = now or now_utc()
        with write_transaction(self.conn):
            latest = self._latest(period)
            if latest is None or latest.number != base_number:
                now_at = f"version {latest.number} is now the latest" if latest else "nothing is published"
                raise ConcurrencyError(f"{period}: the proposal was made on version {base_number}, but {now_at}; "
                                       "nothing was recorded. Propose again on the latest version.")
            request_id = swaps.insert(
                self.conn, period=period, base_number=base_number, kind=kind, reader_a=reader_a, shift_a=shift_a,
                reader_b=reader_b, shift_b=shift_b, by=by, at=now,
            )
            request = swaps.get(self.conn, request_id)
            audit.append(self.conn, now, by, "swap.propose", request.subject, request.to_dict())
        return request

    def swap_request(self, request_id: int) -> SwapRequest:
        request = swaps.get(self.conn, request_id)
        if request is None:
            raise StoreError(f"no swap request #{request_id}; `scheduler swap list` shows them")
        return request

    def swap_requests(
        self, *, statuses: list[SwapStatus] | None = None, period: Period | None = None, reader: str | None = None
    ) -> list[SwapRequest]:
        """Swap requests oldest first, filtered by status, period, or a reader taking part."""
        return swaps.listing(self.conn, statuses=statuses, period=period, reader=reader)

    def pending_swap_request(self, request_id: int) -> SwapRequest:
        """The request, refused in words unless it is still proposed (inside a transaction, race-free)."""
        request = self.swap_request(request_id)
        if not request.pending:
            when = f" at {to_text(request.decided_at)}" if request.decided_at else ""
            version = f", published as version {request.published_number}" if request.published_number else ""
            why = f" ({request.reason})" if request.reason else ""
            raise StoreError(
                f"swap #{request_id} is already {request.status.value} by {request.decided_by}{when}{version}{why}; "
                "only a proposed request can change"
            )
        return request

    def volunteer_for_swap(
        self, request_id: int, reader: str, *, by: str, now: dt.datetime | None = None
    ) -> SwapRequest:
        """`reader` takes an open give-away: it becomes a proposal to give the shift to them."""
        now = now or now_utc()
        with write_transaction(self.conn):
            request = self.pending_swap_request(request_id)
            if not request.is_open:
                taker = f"it is given to {request.reader_b}" if request.reader_b else "it is a swap"
                raise StoreError(f"swap #{request_id} is not an open give-away ({taker}); nobody can volunteer")
            if reader == request.reader_a:
                raise StoreError(f"swap #{request_id}: {reader} is giving this shift away and cannot take it")
            swaps.set_volunteer(self.conn, request_id, reader)
            audit.append(self.conn, now, by, "swap.volunteer", request.subject, {"reader_b": reader})
            return swaps.get(self.conn, request_id)

    def _decide_swap(
        self, request_id: int, status: SwapStatus, action: str, *, by: str, reason: str, now: dt.datetime | None
    ) -> SwapRequest:
        now = now or now_utc()
        with write_transaction(self.conn):
            request = self.pending_swap_request(request_id)
            swaps.decide(self.conn, request_id, status, by=by, at=now, reason=reason)
            audit.append(self.conn, now, by, action, request.subject, {"status": status.value, "reason": reason})
            return swaps.get(self.conn, request_id)

    def withdraw_swap(
        self, request_id: int, *, by: str, reason: str = "", now: dt.datetime | None = None
    ) -> SwapRequest:
        """The proposer (or reader) takes a pending request back."""
        return self._decide_swap(request_id, SwapStatus.withdrawn, "swap.withdraw", by=by, reason=reason.strip(),
                                 now=now)

    def reject_swap(self, request_id: int, *, by: str, reason: str, now: dt.datetime | None = None) -> SwapRequest:
        """A coordinator turns a pending request down; the reason is required and kept."""
        if not reason or not reason.strip():
            raise StoreError(f"swap #{request_id}: give a reason for rejecting it (the readers see it)")
        return self._decide_swap(request_id, SwapStatus.rejected, "swap.reject", by=by, reason=reason.strip(),
                                 now=now)

    def supersede_swap(self, request_id: int, *, by: str, reason: str, now: dt.datetime | None = None) -> SwapRequest:
        """Close a pending request whose shifts are no longer as proposed in the latest version."""
        return self._decide_swap(request_id, SwapStatus.superseded, "swap.supersede", by=by, reason=reason,
                                 now=now)

    def publish_swap(
        self,
        request_id: int,
        scenario: Scenario,
        roster: Roster,
        *,
        by: str,
        base_number: int,
        note: str,
        now: dt.datetime | None = None,
    ) -> PublishOutcome:
        """Publish the roster an approved request produces and record the approval, in one transaction.

        Refused (nothing written) if another version was published since `base_number`
        (ConcurrencyError), or if the request stopped being pending meanwhile (StoreError): two
        coordinators approving at once publish once.
        """

        def record(version: PublishedVersion) -> None:
            request = self.pending_swap_request(request_id)
            at = version.published_at
            swaps.decide(self.conn, request_id, SwapStatus.approved, by=by, at=at, reason="",
                         published_number=version.number)
            audit.append(self.conn, at, by, "swap.approve", request.subject,
                         {"status": SwapStatus.approved.value, "period": version.period.key,
                          "version": version.number, "base_version": base_number})

        return self.publish(scenario, roster, by=by, base_number=base_number, note=note, now=now,
                            on_published=record)

    # ---- feed tokens -------------------------------------------------------------------
    def issue_token(self, target: FeedTarget, *, by: str, now: dt.datetime | None = None) -> tuple[str, FeedToken]:
        """A new token for `target`; the token itself is returned once and never stored."""
        now = now or now_utc()
        self._check_target(target)
        with write_transaction(self.conn):
            token, record = tokens.insert(self.conn, target, now, by)
            audit.append(self.conn, now, by, "token.issue", f"feed {target}", {"token": record.id})
        return token, record

    def _check_target(self, target: FeedTarget) -> None:
        """A feed opens a calendar that exists: a reader or site of some stored scenario, or the group."""
        if target.kind is FeedKind.group:
            if target.subject:
                raise StoreError("the group feed takes no reader or site id")
            return
        known: set[str] = set()
        for (text,) in self.conn.execute("SELECT yaml FROM scenario_versions"):
            sc = scenario_from_yaml_text(text)
            known |= {x.id for x in (sc.radiologists if target.kind is FeedKind.reader else sc.sites)}
        if target.subject not in known:
            sample = ", ".join(sorted(known)[:10]) or "none stored yet (publish a roster first)"
            raise StoreError(f"no {target.kind.value} '{target.subject}' in any stored scenario; known: {sample}")

    def _revoke(self, token_id: int, now: dt.datetime, hint: str) -> FeedToken:
        """Revoke inside the caller's transaction; refuses unknown and already revoked tokens."""
        record = tokens.get(self.conn, token_id)
        if record is None:
            raise StoreError(f"no feed token #{token_id}; `scheduler tokens list` shows them")
        if not tokens.revoke(self.conn, token_id, now):
            raise StoreError(f"feed token #{token_id} ({record.target}) is already revoked{hint}")
        return record

    def revoke_token(self, token_id: int, *, by: str, now: dt.datetime | None = None) -> FeedToken:
        now = now or now_utc()
        with write_transaction(self.conn):
            record = self._revoke(token_id, now, "")
            audit.append(self.conn, now, by, "token.revoke", f"feed {record.target}", {"token": token_id})
            return tokens.get(self.conn, token_id)

    def rotate_token(self, token_id: int, *, by: str, now: dt.datetime | None = None) -> tuple[str, FeedToken]:
        """Revoke a token and issue its replacement for the same calendar, in one transaction."""
        now = now or now_utc()
        with write_transaction(self.conn):
            record = self._revoke(token_id, now, "; issue a new one")
            token, new = tokens.insert(self.conn, record.target, now, by)
            audit.append(
                self.conn, now, by, "token.rotate", f"feed {record.target}", {"token": token_id, "replaced_by": new.id}
            )
        return token, new

    def tokens(self, target: FeedTarget | None = None, *, active_only: bool = False) -> list[FeedToken]:
        return tokens.listing(self.conn, target, active_only=active_only)

    def lookup_token(self, token: str) -> FeedTarget | None:
        return tokens.lookup(self.conn, token)
