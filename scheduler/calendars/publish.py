"""Calendar contexts from the store: one published version, or what feeds show (every period's latest)."""

from __future__ import annotations

from scheduler.calendars.ical import CalendarContext
from scheduler.store import Store
from scheduler.store.records import PublishedVersion
from scheduler.store.store import FeedState


def context_from_state(state: FeedState) -> CalendarContext:
    """Every period's latest events, named after the newest version's scenario, stamped with its time."""
    return CalendarContext(scenario=state.scenario, version=state.version, events=state.events)


def context_for_store(store: Store, version: PublishedVersion | None = None) -> CalendarContext | None:
    """The calendars of one published version, or (None) of what the feeds serve; None if nothing is published."""
    if version is not None:
        return CalendarContext(
            scenario=store.scenario(version.scenario_version), version=version, events=store.events(version.id)
        )
    state = store.feed_state()
    return context_from_state(state) if state else None


def reader_calendars_zip(ctx: CalendarContext) -> bytes:
    """A ZIP of every reader's .ics (fixed timestamps inside, so the same version gives the same bytes)."""
    import io
    import zipfile

    from scheduler.calendars.ical import render
    from scheduler.store.records import FeedKind, FeedTarget

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for r in ctx.scenario.radiologists:
            info = zipfile.ZipInfo(f"{r.id}.ics", date_time=(2000, 1, 1, 0, 0, 0))
            z.writestr(info, render(ctx, FeedTarget(FeedKind.reader, r.id)))
    return buffer.getvalue()
