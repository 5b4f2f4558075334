"""The store's schema, as an append-only list of migrations (index i upgrades version i to i + 1).

Never edit a released migration: add a new one. A later release then opens any older store.
"""

from __future__ import annotations

import sqlite3

from scheduler.store.db import Migration, run_script


def _v1_core(conn: sqlite3.Connection) -> None:
    """Scenarios, solve results, published versions with their calendar events, and the audit log."""
    run_script(
        conn,
        """
        CREATE TABLE scenario_versions (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            number INTEGER NOT NULL,
            yaml TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            saved_at TEXT NOT NULL,
            saved_by TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (name, number)
        );
        CREATE TABLE solve_results (
            id INTEGER PRIMARY KEY,
            scenario_version INTEGER NOT NULL REFERENCES scenario_versions(id),
            created_at TEXT NOT NULL,
            status TEXT NOT NULL,
            objective INTEGER,
            bound INTEGER,
            summary_json TEXT NOT NULL,
            roster_json TEXT NOT NULL
        );
        CREATE TABLE published_versions (
            id INTEGER PRIMARY KEY,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            number INTEGER NOT NULL,
            base_number INTEGER,
            scenario_version INTEGER NOT NULL REFERENCES scenario_versions(id),
            roster_json TEXT NOT NULL,
            diff_json TEXT NOT NULL,
            published_at TEXT NOT NULL,
            published_by TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (period_start, period_end, number)
        );
        CREATE TABLE published_events (
            version_id INTEGER NOT NULL REFERENCES published_versions(id),
            uid_key TEXT NOT NULL,
            reader TEXT NOT NULL,
            shift_type TEXT NOT NULL,
            date TEXT NOT NULL,
            sites_json TEXT NOT NULL,
            subspecialties_json TEXT NOT NULL,
            start_utc TEXT NOT NULL,
            end_utc TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            cancelled INTEGER NOT NULL DEFAULT 0,
            cancelled_at TEXT,
            PRIMARY KEY (version_id, uid_key)
        );
        CREATE INDEX published_events_reader ON published_events (version_id, reader);
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            details_json TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        -- published versions and the audit log are history: nothing rewrites them
        CREATE TRIGGER published_versions_immutable BEFORE UPDATE ON published_versions
            BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
        CREATE TRIGGER published_versions_kept BEFORE DELETE ON published_versions
            BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
        CREATE TRIGGER published_events_immutable BEFORE UPDATE ON published_events
            BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
        CREATE TRIGGER published_events_kept BEFORE DELETE ON published_events
            BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
        CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER audit_log_kept BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """
    )


def _v2_feed_tokens(conn: sqlite3.Connection) -> None:
    """Subscription feed tokens, kept only as SHA-256 hashes."""
    run_script(
        conn,
        """
        CREATE TABLE feed_tokens (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('reader', 'site', 'group')),
            subject TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE INDEX feed_tokens_target ON feed_tokens (kind, subject);
        """
    )


def _v3_ledger(conn: sqlite3.Connection) -> None:
    """Per-shift facts of each published version, which the fairness ledger adds up by month.

    Backfilled from the versions already published, so a store from an older release gets its
    ledger on first open.
    """
    run_script(
        conn,
        """
        CREATE TABLE published_shifts (
            version_id INTEGER NOT NULL REFERENCES published_versions(id),
            reader TEXT NOT NULL,
            shift_type TEXT NOT NULL,
            date TEXT NOT NULL,
            night INTEGER NOT NULL,
            weekend_of TEXT,
            holiday INTEGER NOT NULL,
            work_minutes INTEGER NOT NULL,
            burden_points INTEGER NOT NULL,
            PRIMARY KEY (version_id, reader, shift_type, date)
        );
        CREATE INDEX published_shifts_date ON published_shifts (date);
        CREATE TRIGGER published_shifts_immutable BEFORE UPDATE ON published_shifts
            BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
        CREATE TRIGGER published_shifts_kept BEFORE DELETE ON published_shifts
            BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
        """
    )
    from scheduler.store.ledger import backfill_shift_facts

    backfill_shift_facts(conn)


def _v4_swap_requests(conn: sqlite3.Connection) -> None:
    """Shift swaps and give-aways proposed by readers and decided by a coordinator.

    A request names the period and the published version it was proposed against, reader A's
    shift (type, date, sites) and, for a swap, reader B's; an open give-away has no reader B until
    someone volunteers. Triggers keep it a record of what was asked: after insertion only the
    status moves (once, from 'proposed', with who decided, when and why), and an open give-away
    gets its volunteer; nothing is deleted. Every step is also in the audit log.
    """
    run_script(
        conn,
        """
        CREATE TABLE swap_requests (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            base_number INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('swap', 'give_away')),
            reader_a TEXT NOT NULL,
            a_shift_type TEXT NOT NULL,
            a_date TEXT NOT NULL,
            a_sites_json TEXT NOT NULL,
            reader_b TEXT,
            b_shift_type TEXT,
            b_date TEXT,
            b_sites_json TEXT,
            proposed_by TEXT NOT NULL,
            proposed_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'proposed'
                CHECK (status IN ('proposed', 'approved', 'rejected', 'withdrawn', 'superseded')),
            decided_by TEXT,
            decided_at TEXT,
            reason TEXT NOT NULL DEFAULT '',
            published_number INTEGER,
            CHECK ((kind = 'swap') = (b_shift_type IS NOT NULL AND b_date IS NOT NULL AND b_sites_json IS NOT NULL)),
            CHECK (kind = 'give_away' OR reader_b IS NOT NULL),
            CHECK (reader_b IS NULL OR reader_b != reader_a),
            CHECK ((status = 'proposed') = (decided_at IS NULL AND decided_by IS NULL)),
            CHECK ((status = 'approved') = (published_number IS NOT NULL)),
            CHECK (status != 'rejected' OR length(trim(reason)) > 0)
        );
        CREATE INDEX swap_requests_period ON swap_requests (period_start, period_end, status);
        CREATE TRIGGER swap_requests_what_was_asked BEFORE UPDATE ON swap_requests
            WHEN NEW.id IS NOT OLD.id OR NEW.period_start IS NOT OLD.period_start
                OR NEW.period_end IS NOT OLD.period_end OR NEW.base_number IS NOT OLD.base_number
                OR NEW.kind IS NOT OLD.kind OR NEW.reader_a IS NOT OLD.reader_a
                OR NEW.a_shift_type IS NOT OLD.a_shift_type OR NEW.a_date IS NOT OLD.a_date
                OR NEW.a_sites_json IS NOT OLD.a_sites_json OR NEW.b_shift_type IS NOT OLD.b_shift_type
                OR NEW.b_date IS NOT OLD.b_date OR NEW.b_sites_json IS NOT OLD.b_sites_json
                OR NEW.proposed_by IS NOT OLD.proposed_by OR NEW.proposed_at IS NOT OLD.proposed_at
                OR (NEW.reader_b IS NOT OLD.reader_b
                    AND NOT (OLD.reader_b IS NULL AND OLD.status = 'proposed' AND NEW.status = 'proposed'))
            BEGIN SELECT RAISE(ABORT, 'a swap request changes only by its status (or its volunteer)'); END;
        CREATE TRIGGER swap_requests_decided_is_final BEFORE UPDATE ON swap_requests
            WHEN OLD.status != 'proposed'
            BEGIN SELECT RAISE(ABORT, 'a decided swap request is final'); END;
        CREATE TRIGGER swap_requests_kept BEFORE DELETE ON swap_requests
            BEGIN SELECT RAISE(ABORT, 'swap requests are kept'); END;
        """
    )


MIGRATIONS: tuple[Migration, ...] = (_v1_core, _v2_feed_tokens, _v3_ledger, _v4_swap_requests)
SCHEMA_VERSION = len(MIGRATIONS)
