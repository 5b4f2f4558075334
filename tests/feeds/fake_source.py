"""A file-backed FeedSource for tests and the feed benchmark.

One JSON file says which tokens exist and what each calendar is::

    {"tokens": {"<token>": {"kind": "reader", "subject": "r1", "revoked": false, "raise": false}, ...},
     "feeds": {"reader:r1": {"ics": "r1.ics", "published_at": "2025-01-06T08:00:00+00:00"}, ...}}

`ics` paths are relative to the JSON file; a token with `"raise": true` makes `lookup` fail with
an exception whose message contains the token (to test that logs scrub it).

The file is re-read whenever it changes (checked with a stat on every call), so a test revokes
a token by rewriting it with `write_tokens_file`, which replaces the file atomically (a new
inode, so the change is seen even within one mtime tick). Like the real store, only SHA-256
hashes of tokens are kept in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from scheduler.feeds.app import RenderedFeed
from scheduler.store.records import FeedKind, FeedTarget


def target_key(target: FeedTarget) -> str:
    return f"{target.kind.value}:{target.subject}"


def write_tokens_file(path: Path, data: dict[str, Any]) -> None:
    """Write `data` to `path` atomically (write a sibling, then rename over)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tokens-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(tmp, path)


def render(body: bytes, published_at: dt.datetime) -> RenderedFeed:
    """A RenderedFeed with the ETag the real store would give: a hash of the bytes."""
    return RenderedFeed(body=body, etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"', last_modified=published_at)


class FileFeedSource:
    """FeedSource over a tokens JSON file; reloads it (and the .ics files) when they change."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._tokens: dict[bytes, FeedTarget] = {}
        self._exploding: set[bytes] = set()
        self._feeds: dict[str, dict[str, Any]] = {}
        self._rendered: dict[str, tuple[tuple[int, int, int], RenderedFeed]] = {}

    @staticmethod
    def _stamp_of(path: Path) -> tuple[int, int, int]:
        st = os.stat(path)
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _refresh(self) -> None:
        stamp = self._stamp_of(self.path)
        if stamp == self._stamp:
            return
        with self._lock:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            tokens, exploding = {}, set()
            for token, entry in data.get("tokens", {}).items():
                digest = hashlib.sha256(token.encode()).digest()
                if entry.get("raise"):
                    exploding.add(digest)
                if entry.get("revoked"):
                    continue
                tokens[digest] = FeedTarget(FeedKind(entry["kind"]), entry.get("subject", ""))
            self._tokens, self._exploding = tokens, exploding
            self._feeds = data.get("feeds", {})
            self._rendered = {}
            self._stamp = stamp

    def lookup(self, token: str) -> FeedTarget | None:
        self._refresh()
        digest = hashlib.sha256(token.encode()).digest()
        if digest in self._exploding:  # lets a test check that a failure naming the token is scrubbed
            raise LookupError(f"lookup failed for token {token}")
        return self._tokens.get(digest)

    def feed(self, target: FeedTarget) -> RenderedFeed | None:
        self._refresh()
        entry = self._feeds.get(target_key(target))
        if entry is None:
            return None
        ics = self.path.parent / entry["ics"]
        stamp = self._stamp_of(ics)
        cached = self._rendered.get(target_key(target))
        if cached is not None and cached[0] == stamp:
            return cached[1]
        published = dt.datetime.fromisoformat(entry["published_at"]).astimezone(dt.UTC)
        rendered = render(ics.read_bytes(), published)
        self._rendered[target_key(target)] = (stamp, rendered)
        return rendered
