"""Turn a roster into the calendar events of a published version, carrying identity across versions.

Each reader's shift instance is one event with a stable `uid_key`. Against the previous published
version of the same period: an event whose content changed gets SEQUENCE + 1; one that vanished
and starts within `CANCEL_WINDOW` of publishing (and has not ended) stays as CANCELLED, so the
reader's calendar shows the cancellation instead of silently dropping a shift they planned around.
A cancelled event is kept until it ends or `CANCEL_KEEP` after the cancellation, whichever is first;
then it disappears like any far-off removed shift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace

from scheduler.instance import Instance
from scheduler.result import Roster
from scheduler.store.records import PublishedEvent, uid_key

CANCEL_WINDOW = dt.timedelta(days=7)  # removed shifts starting this soon are shown as cancelled
CANCEL_KEEP = dt.timedelta(days=14)  # how long a cancellation stays in the feeds at most


def _content(e: PublishedEvent) -> tuple:
    return (e.sites, e.subspecialties, e.start, e.end, e.cancelled)


def roster_events(inst: Instance, roster: Roster) -> list[PublishedEvent]:
    """One event per assignment, with UTC times and the subspecialties the reader covers (sequence 0)."""
    readers = inst.scenario.radiologist_by_id
    out = []
    for a in roster.assignments:
        shift = inst.shift_by_key.get((a.shift_type, a.date))
        if shift is None:
            raise ValueError(f"{a.reader}: no {a.shift_type} shift on {a.date} in this scenario")
        held = set(readers[a.reader].subspecialties)
        subs = sorted(
            {
                sub
                for d in inst.demands_by_shift[shift.index]
                if d.site in a.sites
                for sub in d.required_by_subspecialty
                if sub in held
            }
        )
        out.append(
            PublishedEvent(
                uid_key=uid_key(a.reader, a.shift_type, a.date),
                reader=a.reader,
                shift_type=a.shift_type,
                date=a.date,
                sites=tuple(sorted(a.sites)),
                subspecialties=tuple(subs),
                start=shift.start,
                end=shift.end,
                sequence=0,
            )
        )
    return sorted(out, key=lambda e: (e.start, e.uid_key))


def carry_identity(
    new: Iterable[PublishedEvent],
    previous: Iterable[PublishedEvent],
    published_at: dt.datetime,
    cancelled_at: Mapping[str, dt.datetime] | None = None,
) -> list[PublishedEvent]:
    """Events of the new version: sequences carried from `previous`, near-term removals cancelled.

    `cancelled_at` maps the uid of each event already cancelled in `previous` to when that
    happened (the publish time of the version that cancelled it).
    """
    prev = {e.uid_key: e for e in previous}
    cancelled_at = cancelled_at or {}
    out: list[PublishedEvent] = []
    seen = set()
    for e in new:
        seen.add(e.uid_key)
        old = prev.get(e.uid_key)
        seq = 0 if old is None else old.sequence + (_content(old) != _content(e))
        out.append(replace(e, sequence=seq, cancelled=False))
    for uid, old in prev.items():
        if uid in seen or old.end <= published_at:
            continue
        if old.cancelled:
            since = cancelled_at.get(uid, published_at)
            if published_at - since < CANCEL_KEEP:
                out.append(old)
        elif old.start - published_at <= CANCEL_WINDOW:
            out.append(replace(old, sequence=old.sequence + 1, cancelled=True))
    return sorted(out, key=lambda e: (e.start, e.uid_key))

