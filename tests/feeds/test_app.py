"""The feed ASGI app in process: hand-made scopes, a recording `send`, a file-backed source."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scheduler.feeds.app import (
    REDACTED_PATH,
    RenderedFeed,
    etag_matches,
    http_date,
    make_app,
    not_modified,
    parse_http_date,
)
from scheduler.store.records import FeedKind, FeedTarget
from tests.feeds.fake_source import FileFeedSource, write_tokens_file

PUBLISHED = dt.datetime(2025, 1, 6, 8, 0, 0, tzinfo=dt.UTC)
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def same_as(self, other: Response) -> bool:
        return (self.status, self.headers, self.body) == (other.status, other.headers, other.body)


def call(
    app: Any,
    method: str = "GET",
    path: str = "/",
    headers: list[tuple[bytes, bytes]] | None = None,
    raw_path: bytes | None = None,
    query: bytes = b"",
    body: bytes = b"",
) -> Response:
    """Run one HTTP request through `app` as uvicorn would present it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers or [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1].get("more_body", False) is False
    return Response(
        status=sent[0]["status"],
        headers={k.decode(): v.decode() for k, v in sent[0]["headers"]},
        body=sent[1]["body"],
    )


@dataclass
class Feeds:
    path: Path
    data: dict[str, Any]
    reader: str
    site: str
    group: str
    unpublished: str
    exploding: str
    source: FileFeedSource

    def revoke(self, token: str) -> None:
        self.data["tokens"][token]["revoked"] = True
        write_tokens_file(self.path, self.data)


@pytest.fixture
def feeds(tmp_path: Path) -> Feeds:
    (tmp_path / "r1.ics").write_bytes(ICS)
    (tmp_path / "s1.ics").write_bytes(ICS.replace(b"2.0", b"2.0\r\nX-WR-CALNAME:site"))
    (tmp_path / "g.ics").write_bytes(ICS.replace(b"2.0", b"2.0\r\nX-WR-CALNAME:group"))
    reader, site, group, unpublished, exploding = (secrets.token_urlsafe(32) for _ in range(5))
    data = {
        "tokens": {
            reader: {"kind": "reader", "subject": "r1"},
            site: {"kind": "site", "subject": "s1"},
            group: {"kind": "group", "subject": ""},
            unpublished: {"kind": "reader", "subject": "r2"},
            exploding: {"kind": "reader", "subject": "r1", "raise": True},
        },
        "feeds": {
            "reader:r1": {"ics": "r1.ics", "published_at": PUBLISHED.isoformat()},
            "site:s1": {"ics": "s1.ics", "published_at": PUBLISHED.isoformat()},
            "group:": {"ics": "g.ics", "published_at": PUBLISHED.isoformat()},
        },
    }
    path = tmp_path / "tokens.json"
    write_tokens_file(path, data)
    return Feeds(path, data, reader, site, group, unpublished, exploding, FileFeedSource(path))


def feed_path(token: str) -> str:
    return f"/feeds/{token}.ics"


class SpySource:
    """Counts calls, to prove malformed requests never reach the source."""

    def __init__(self, inner: FileFeedSource) -> None:
        self.inner = inner
        self.calls = 0

    def lookup(self, token: str) -> FeedTarget | None:
        self.calls += 1
        return self.inner.lookup(token)

    def feed(self, target: FeedTarget) -> RenderedFeed | None:
        self.calls += 1
        return self.inner.feed(target)


# --- 200 and HEAD ---


def test_get_serves_the_calendar_with_all_headers(feeds: Feeds) -> None:
    response = call(make_app(feeds.source, max_age=600), path=feed_path(feeds.reader))
    assert response.status == 200
    assert response.body == ICS
    expected = feeds.source.feed(FeedTarget(FeedKind.reader, "r1"))
    assert expected is not None
    assert response.headers == {
        "content-type": "text/calendar; charset=utf-8",
        "content-length": str(len(ICS)),
        "etag": expected.etag,
        "last-modified": "Mon, 06 Jan 2025 08:00:00 GMT",
        "cache-control": "private, max-age=600",
        "x-content-type-options": "nosniff",
    }
    assert expected.etag.startswith('"') and expected.etag.endswith('"')


def test_each_kind_of_token_opens_its_own_calendar(feeds: Feeds) -> None:
    app = make_app(feeds.source)
    bodies = {call(app, path=feed_path(token)).body for token in (feeds.reader, feeds.site, feeds.group)}
    assert len(bodies) == 3


def test_head_has_the_get_headers_and_no_body(feeds: Feeds) -> None:
    app = make_app(feeds.source)
    get = call(app, path=feed_path(feeds.reader))
    head = call(app, "HEAD", path=feed_path(feeds.reader))
    assert head.status == 200
    assert head.headers == get.headers
    assert head.body == b""


def test_a_query_string_is_ignored(feeds: Feeds) -> None:
    response = call(make_app(feeds.source), path=feed_path(feeds.reader), query=b"nocache=123")
    assert response.status == 200


# --- conditional requests ---


def etag_of(feeds: Feeds) -> str:
    rendered = feeds.source.feed(FeedTarget(FeedKind.reader, "r1"))
    assert rendered is not None
    return rendered.etag


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", 'W/"zzz", {etag}', "W/{etag}", "*", ' "other" ,{etag} ', '"a","b",  W/{etag}'],
)
def test_if_none_match_gives_304(feeds: Feeds, if_none_match: str) -> None:
    etag = etag_of(feeds)
    headers = [(b"if-none-match", if_none_match.format(etag=etag).encode())]
    response = call(make_app(feeds.source, max_age=60), path=feed_path(feeds.reader), headers=headers)
    assert response.status == 304
    assert response.body == b""
    assert response.headers == {
        "etag": etag,
        "last-modified": "Mon, 06 Jan 2025 08:00:00 GMT",
        "cache-control": "private, max-age=60",
    }


def test_if_none_match_split_over_two_fields(feeds: Feeds) -> None:
    headers = [(b"if-none-match", b'"nope"'), (b"if-none-match", etag_of(feeds).encode())]
    assert call(make_app(feeds.source), path=feed_path(feeds.reader), headers=headers).status == 304


def test_if_none_match_mismatch_gives_200_even_with_a_later_if_modified_since(feeds: Feeds) -> None:
    headers = [(b"if-none-match", b'"stale"'), (b"if-modified-since", b"Mon, 06 Jan 2031 08:00:00 GMT")]
    assert call(make_app(feeds.source), path=feed_path(feeds.reader), headers=headers).status == 200


@pytest.mark.parametrize(
    ("since", "status"),
    [
        ("Mon, 06 Jan 2025 08:00:00 GMT", 304),  # equal
        ("Tue, 07 Jan 2025 00:00:00 GMT", 304),  # later
        ("Mon, 06 Jan 2025 07:59:59 GMT", 200),  # earlier
        ("Monday, 06-Jan-25 08:00:00 GMT", 304),  # RFC 850 form
        ("Mon Jan  6 08:00:00 2025", 304),  # asctime form
        ("yesterday", 200),  # unparsable: ignored
        ("", 200),
        ("Mon, 99 Foo 2025 08:00:00 GMT", 200),
    ],
)
def test_if_modified_since(feeds: Feeds, since: str, status: int) -> None:
    headers = [(b"if-modified-since", since.encode())]
    response = call(make_app(feeds.source), path=feed_path(feeds.reader), headers=headers)
    assert response.status == status
    assert (response.body == b"") == (status == 304)


def test_conditional_helpers() -> None:
    assert etag_matches('"a"', '"a"')
    assert etag_matches('W/"a"', '"a"')
    assert not etag_matches('"a"', '"b"')
    assert not etag_matches("", '"a"')
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == dt.datetime(1994, 11, 6, 8, 49, 37, tzinfo=dt.UTC)
    assert parse_http_date("not a date") is None
    assert http_date(dt.datetime(1994, 11, 6, 8, 49, 37, 900000, tzinfo=dt.UTC)) == "Sun, 06 Nov 1994 08:49:37 GMT"
    feed = RenderedFeed(b"x", '"e"', dt.datetime(2025, 1, 1, 0, 0, 0, 500000, tzinfo=dt.UTC))
    assert not_modified({b"if-modified-since": b"Wed, 01 Jan 2025 00:00:00 GMT"}, feed)  # sub-second ignored


# --- one 404 for every miss ---


def test_unknown_revoked_and_unpublished_tokens_get_the_same_404(feeds: Feeds) -> None:
    app = make_app(feeds.source)
    reference = call(app, path=feed_path(secrets.token_urlsafe(32)))
    assert reference.status == 404
    assert call(app, path=feed_path(feeds.unpublished)).same_as(reference)
    assert call(app, path=feed_path(feeds.reader)).status == 200
    feeds.revoke(feeds.reader)
    assert call(app, path=feed_path(feeds.reader)).same_as(reference)  # the very next request
    assert call(app, "HEAD", path=feed_path(feeds.reader)).same_as(reference)


def bad_targets(token: str) -> list[bytes]:
    t = token.encode()
    return [
        b"/",
        b"",
        b"/feeds",
        b"/feeds/",
        b"/feeds/.ics",
        b"/feeds/x.ics",
        b"/feeds/" + t[:42] + b".ics",
        b"/feeds/" + t + b"A.ics",
        b"/feeds/" + t[:42] + b"=.ics",
        b"/feeds/" + t[:42] + b"..ics",
        b"/feeds/" + t[:42] + b"/.ics",
        b"/feeds/" + t[:42] + b"\xc3.ics",
        b"/feeds/" + t,
        b"/feeds/" + t + b".ICS",
        b"/feeds/" + t + b".ics/",
        b"/feeds/" + t + b".ics.bak",
        b"/feeds/" + t + b".ics%00",
        b"/Feeds/" + t + b".ics",
        b"//feeds/" + t + b".ics",
        b"/feeds//" + t + b".ics",
        b"/x/feeds/" + t + b".ics",
        b"/feeds/../feeds/" + t + b".ics",
        b"/feeds/./" + t + b".ics",
        b"/feeds/%2e%2e/etc/passwd",
        b"/feeds/../etc/passwd",
        b"/feeds/..%2f..%2fetc%2fpasswd",
        b"/feeds/%" + b"%02x" % t[0] + t[1:] + b".ics",  # valid once decoded, but never decoded
        b"/feeds/" + t + b"%2eics",
        b"/feeds/?token=" + t,
    ]


def test_every_other_path_gets_the_same_404_and_never_reaches_the_source(feeds: Feeds) -> None:
    spy = SpySource(feeds.source)
    app = make_app(spy)
    reference = call(app, path=feed_path(secrets.token_urlsafe(32)))
    calls = spy.calls
    for raw in bad_targets(feeds.reader):
        path = raw.decode("utf-8", "replace")
        for method in ("GET", "HEAD", "POST", "DELETE", "OPTIONS"):
            response = call(app, method, path=path, raw_path=raw)
            assert response.same_as(reference), (method, raw)
    assert spy.calls == calls


def test_other_methods_on_a_feed_path_get_405_without_a_lookup(feeds: Feeds) -> None:
    spy = SpySource(feeds.source)
    app = make_app(spy)
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"):
        response = call(app, method, path=feed_path(feeds.reader))
        assert response.status == 405
        assert response.headers["allow"] == "GET, HEAD"
        # the same for an unknown token of the right shape: nothing to learn
        assert call(app, method, path=feed_path(secrets.token_urlsafe(32))).same_as(response)
    assert spy.calls == 0


# --- refused requests ---


@pytest.mark.parametrize(
    "headers",
    [
        [(b"content-length", b"5")],
        [(b"transfer-encoding", b"chunked")],
        [(b"content-length", b"lots")],
    ],
)
def test_requests_with_a_body_get_413_and_close(feeds: Feeds, headers: list[tuple[bytes, bytes]]) -> None:
    spy = SpySource(feeds.source)
    app = make_app(spy)
    for path in (feed_path(feeds.reader), "/elsewhere"):
        response = call(app, path=path, headers=headers, body=b"hello")
        assert response.status == 413
        assert response.headers["connection"] == "close"
    assert spy.calls == 0


def test_an_empty_body_is_fine(feeds: Feeds) -> None:
    headers = [(b"content-length", b"0")]
    assert call(make_app(feeds.source), path=feed_path(feeds.reader), headers=headers).status == 200


def test_an_oversized_request_head_gets_431(feeds: Feeds) -> None:
    app = make_app(feeds.source)
    headers = [(b"x-big", b"x" * 20_000)]
    for path in (feed_path(feeds.reader), "/elsewhere"):
        response = call(app, path=path, headers=headers)
        assert response.status == 431
        assert response.headers["connection"] == "close"


# --- failures and logs ---


def test_a_failing_source_gives_a_generic_500_and_a_scrubbed_log(
    feeds: Feeds, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("test.feeds.failing")
    with caplog.at_level(logging.INFO, logger="test.feeds.failing"):
        response = call(make_app(feeds.source, log=log), path=feed_path(feeds.exploding))
    assert response.status == 500
    assert response.body == b"Internal Server Error\n"
    assert feeds.exploding.encode() not in response.body
    assert "LookupError" in caplog.text and "<redacted>" in caplog.text
    assert feeds.exploding not in caplog.text


def test_access_log_lines_are_redacted(feeds: Feeds, caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.feeds.access")
    app = make_app(feeds.source, log=log)
    with caplog.at_level(logging.INFO, logger="test.feeds.access"):
        call(app, path=feed_path(feeds.reader))
        call(app, "HEAD", path=feed_path(secrets.token_urlsafe(32)))
        call(app, path=f"/feed/{feeds.site}.ics")  # a near miss carrying a real token
        call(app, "BREW", path=feed_path(feeds.group))
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 4
    assert messages[0].startswith(f"GET {REDACTED_PATH} 200 ") and messages[0].endswith("ms")
    assert messages[1].startswith(f"HEAD {REDACTED_PATH} 404 ")
    assert messages[2].startswith("GET <other> 404 ")
    assert messages[3].startswith(f"OTHER {REDACTED_PATH} 405 ")
    for token in (feeds.reader, feeds.site, feeds.group):
        assert token not in caplog.text


# --- other scopes ---


def test_lifespan_startup_and_shutdown(feeds: Feeds) -> None:
    app = make_app(feeds.source)
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send))
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


def test_websocket_is_refused(feeds: Feeds) -> None:
    app = make_app(feeds.source)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": feed_path(feeds.reader), "raw_path": feed_path(feeds.reader).encode()}
    asyncio.run(app(scope, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008}]
