"""What the store hands out: published versions, their calendar events, feed tokens, ledger rows.

Plain frozen dataclasses, so calendars and feeds depend on these records and not on SQLite.
Every datetime here is timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Period:
    """The dates one roster plans, first and last inclusive (a scenario's horizon)."""

    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class PublishedVersion:
    """An immutable published roster: number N of its period, who published it, when and why."""

    id: int
    period: Period
    number: int  # 1, 2, ... within the period
    scenario_version: int  # id of the stored scenario it was planned from
    published_at: dt.datetime  # UTC, whole seconds; the DTSTAMP of every calendar event
    published_by: str
    note: str
    base_number: int | None  # the version the publisher started from (None for the first)


@dataclass(frozen=True)
class PublishedEvent:
    """One reader's shift instance as calendars show it in a published version.

    `uid_key` ("reader/shift_type/YYYY-MM-DD") never changes for the same reader and shift
    instance; `sequence` grows each time what the event says changes; a shift removed shortly
    before it starts stays for a while as `cancelled`.
    """

    uid_key: str
    reader: str
    shift_type: str
    date: dt.date
    sites: tuple[str, ...]
    subspecialties: tuple[str, ...]  # the needs' subspecialties this reader covers in the shift
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC
    sequence: int
    cancelled: bool = False


def uid_key(reader: str, shift_type: str, date: dt.date) -> str:
    """The stable identity of one reader's shift instance."""
    return f"{reader}/{shift_type}/{date.isoformat()}"


class FeedKind(StrEnum):
    reader = "reader"
    site = "site"
    group = "group"


@dataclass(frozen=True)
class FeedTarget:
    """Which calendar a feed token opens: one reader's, one site's, or the whole group's."""

    kind: FeedKind
    subject: str  # reader id, site id, or "" for the group

    def __str__(self) -> str:
        return f"{self.kind.value} {self.subject}".strip()


@dataclass(frozen=True)
class FeedToken:
    """A stored token: only its hash is kept; `label` is a short non-secret handle for lists."""

    id: int
    target: FeedTarget
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None
