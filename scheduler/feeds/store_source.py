"""Feeds from the store: token lookup on every request, calendars rendered once per published state.

Revocation takes effect on the next request because every request looks its token up (an
indexed read of a hash). Rendered calendars are cached per (target, newest published version)
and dropped as soon as a new version is published, so a busy feed costs a dictionary lookup.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from scheduler.calendars.ical import render
from scheduler.calendars.publish import context_from_state
from scheduler.feeds.app import RenderedFeed
from scheduler.store import Store
from scheduler.store.records import FeedTarget


class StoreFeedSource:
    """A FeedSource reading the SQLite store at `path`."""

    def __init__(self, path: str | Path) -> None:
        self.store = Store(path)
        self._lock = threading.Lock()
        self._marker: tuple[int, int] | None = None
        self._cache: dict[FeedTarget, RenderedFeed | None] = {}
        self._ctx = None

    def lookup(self, token: str) -> FeedTarget | None:
        with self._lock:
            return self.store.lookup_token(token)

    def _published_marker(self) -> tuple[int, int]:
        row = self.store.conn.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM published_versions").fetchone()
        return (row[0], row[1])

    def feed(self, target: FeedTarget) -> RenderedFeed | None:
        with self._lock:
            marker = self._published_marker()
            if marker != self._marker:
                self._marker, self._cache = marker, {}
                state = self.store.feed_state()
                self._ctx = context_from_state(state) if state else None
            if self._ctx is None:
                return None
            if target not in self._cache:
                self._cache[target] = self._render(target)
            return self._cache[target]

    def _render(self, target: FeedTarget) -> RenderedFeed | None:
        try:
            body = render(self._ctx, target)
        except ValueError:  # a reader or site the newest scenario no longer has: same 404 as unknown
            return None
        etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
        return RenderedFeed(body=body, etag=etag, last_modified=self._ctx.version.published_at)

    def close(self) -> None:
        self.store.close()
