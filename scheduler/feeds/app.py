"""The calendar subscription feed: a plain ASGI3 app serving `GET /feeds/{token}.ics`.

No web framework: the surface is one route, and every decision that matters for secrecy is here
in a few lines. What it guarantees:

* Only a path of exactly `/feeds/` + 43 characters of `[A-Za-z0-9_-]` + `.ics` (matched on the
  raw, undecoded path, so `%2e%2e` or `//` never match) can reach the source. A query string is
  ignored (some calendar clients add cache busters); it never selects anything.
* Every miss answers one identical 404: a malformed path, an unknown or revoked token, and a
  valid token whose calendar has nothing published yet are indistinguishable, so nothing can be
  enumerated.
* Requests carrying a body are refused with 413 before anything else, and the connection closed,
  so nothing large is read.
* The token never reaches a log: the access line written to `log` shows `/feeds/<redacted>.ics`
  (or `<other>` for any other path), and a failing source is logged with the token scrubbed.
"""

from __future__ import annotations

import email.utils
import logging
import re
import time
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from scheduler.store.records import FeedTarget

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FEED_PATH = re.compile(rb"/feeds/([A-Za-z0-9_-]{43})\.ics")
REDACTED_PATH = "/feeds/<redacted>.ics"
DEFAULT_MAX_AGE = 300  # seconds a client may reuse a feed before asking again (with validators)
MAX_HEAD_BYTES = 16 * 1024  # request target plus header fields; calendar clients send a few hundred bytes

_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})


@dataclass(frozen=True)
class RenderedFeed:
    """One calendar as served: the iCalendar bytes, a strong ETag (with its quotes), and when it changed (UTC)."""

    body: bytes
    etag: str
    last_modified: datetime


class FeedSource(Protocol):
    """Where feeds come from. Both calls are synchronous and expected to be fast (cached)."""

    def lookup(self, token: str) -> FeedTarget | None:
        """The target a token opens, or None for an unknown or revoked token (constant-time compare)."""
        ...

    def feed(self, target: FeedTarget) -> RenderedFeed | None:
        """The latest published version's calendar for `target`, or None if nothing is published yet."""
        ...


Headers = list[tuple[bytes, bytes]]
Decision = tuple[int, Headers, bytes, str]  # status, response headers, body, path as logged


def _fixed_response(status: int, body: bytes, extra: Headers | None = None) -> tuple[int, Headers, bytes]:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        *(extra or []),
    ]
    return status, headers, body


# Every miss gets exactly this response (headers and body), whatever the reason.
_NOT_FOUND = _fixed_response(404, b"Not Found\n")
_METHOD_NOT_ALLOWED = _fixed_response(405, b"Method Not Allowed\n", [(b"allow", b"GET, HEAD")])
_BODY_REFUSED = _fixed_response(413, b"Request bodies are not accepted\n", [(b"connection", b"close")])
_HEAD_TOO_LARGE = _fixed_response(431, b"Request Header Fields Too Large\n", [(b"connection", b"close")])
_SERVER_ERROR = _fixed_response(500, b"Internal Server Error\n")


def http_date(moment: datetime) -> str:
    """`moment` as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), whole seconds."""
    return email.utils.formatdate(moment.timestamp(), usegmt=True)


def parse_http_date(value: str) -> datetime | None:
    """An HTTP-date (any of the three RFC 9110 forms) as aware UTC, or None when it cannot be parsed."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # asctime form or "-0000": HTTP dates are always GMT
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match evaluation (RFC 9110 13.1.2): `*` or any listed tag equal under weak comparison."""
    value = if_none_match.strip()
    if value == "*":
        return True
    mine = _opaque(etag)
    return any(_opaque(part.strip()) == mine for part in value.split(",") if part.strip())


def not_modified(headers: dict[bytes, bytes], feed: RenderedFeed) -> bool:
    """Whether a GET/HEAD with these request headers should get 304 for `feed`.

    If-None-Match wins when present; If-Modified-Since is only consulted without it, and an
    unparsable date is ignored.
    """
    inm = headers.get(b"if-none-match")
    if inm is not None:
        return etag_matches(inm.decode("latin-1"), feed.etag)
    ims = headers.get(b"if-modified-since")
    if ims is None:
        return False
    since = parse_http_date(ims.decode("latin-1"))
    if since is None:
        return False
    return feed.last_modified.replace(microsecond=0) <= since


def _request_headers(scope: Scope) -> tuple[dict[bytes, bytes], int]:
    """Header name -> value (repeated fields joined with ", " as RFC 9110 allows), and their size in bytes."""
    out: dict[bytes, bytes] = {}
    size = 0
    for name, value in scope.get("headers", ()):
        key = bytes(name).lower()
        size += len(key) + len(value) + 4
        out[key] = out[key] + b", " + bytes(value) if key in out else bytes(value)
    return out, size


def _has_body(headers: dict[bytes, bytes]) -> bool:
    if b"transfer-encoding" in headers:
        return True
    length = headers.get(b"content-length")
    if length is None:
        return False
    try:
        return int(length.split(b",")[0].strip()) != 0
    except ValueError:
        return True  # unparsable length: treat as a body rather than guess


def _scrub(text: str, token: str | None) -> str:
    return text.replace(token, "<redacted>") if token else text


def make_app(
    source: FeedSource,
    *,
    log: logging.Logger | None = None,
    max_age: int = DEFAULT_MAX_AGE,
    max_head_bytes: int = MAX_HEAD_BYTES,
) -> ASGIApp:
    """Build the feed ASGI3 app over `source`.

    `log` receives one access line per request (method, redacted path, status, duration) at INFO
    and source failures at ERROR; it defaults to the `scheduler.feeds` logger. `max_age` is the
    `Cache-Control: private, max-age=` a 200 or 304 carries. A request whose target plus header
    fields exceed `max_head_bytes` gets 431 (the server may already refuse a smaller head, but
    h11 only bounds a head that arrives in pieces).
    """
    logger = log if log is not None else logging.getLogger("scheduler.feeds")
    cache_control = f"private, max-age={int(max_age)}".encode()

    async def respond(send: Send, status: int, headers: Headers, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def handle(method: str, raw_path: bytes, head_size: int, headers: dict[bytes, bytes]) -> Decision:
        """Decide the response; returns (status, headers, body, path as logged)."""
        match = FEED_PATH.fullmatch(raw_path)
        shown = REDACTED_PATH if match else "<other>"
        if head_size > max_head_bytes:
            return (*_HEAD_TOO_LARGE, shown)
        if _has_body(headers):
            return (*_BODY_REFUSED, shown)
        if match is None:
            return (*_NOT_FOUND, shown)
        if method not in ("GET", "HEAD"):
            return (*_METHOD_NOT_ALLOWED, shown)
        token = match.group(1).decode("ascii")
        try:
            target = source.lookup(token)
            feed = source.feed(target) if target is not None else None
        except Exception as exc:  # any source failure is a generic 500
            detail = "".join(traceback.format_exception(exc))
            logger.error("feed source failed on %s %s:\n%s", method, shown, _scrub(detail, token))
            return (*_SERVER_ERROR, shown)
        if feed is None:  # unknown, revoked, or nothing published yet: all the same 404
            return (*_NOT_FOUND, shown)
        validators = [
            (b"etag", feed.etag.encode("ascii")),
            (b"last-modified", http_date(feed.last_modified).encode("ascii")),
            (b"cache-control", cache_control),
        ]
        if not_modified(headers, feed):
            return 304, validators, b"", shown
        out = [
            (b"content-type", b"text/calendar; charset=utf-8"),
            (b"content-length", str(len(feed.body)).encode("ascii")),
            *validators,
            (b"x-content-type-options", b"nosniff"),
        ]
        return 200, out, (b"" if method == "HEAD" else feed.body), shown

    async def lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await lifespan(receive, send)
            return
        if kind == "websocket":
            # Closing before accepting makes the server answer the handshake with 403.
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
        if kind != "http":
            raise ValueError(f"unsupported ASGI scope type {kind!r}")
        started = time.perf_counter()
        method = scope.get("method", "GET")
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
        try:
            request_headers, size = _request_headers(scope)
            size += len(raw_path) + len(scope.get("query_string", b""))
            status, headers, body, shown = handle(method, raw_path, size, request_headers)
        except Exception:  # a bug here must not leak a traceback that shows the path
            logger.error("feed request failed (%s)", "internal error")
            status, headers, body = _SERVER_ERROR
            shown = "<other>"
        await respond(send, status, headers, body)
        logger.info(
            "%s %s %d %.1fms",
            method if method in _KNOWN_METHODS else "OTHER",
            shown,
            status,
            (time.perf_counter() - started) * 1000.0,
        )

    return app
