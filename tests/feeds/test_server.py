"""The feed server for real: `serve()` in a child process on loopback, spoken to over raw sockets.

Raw sockets, so that request lines reach the server exactly as written (no client normalises a
path or refuses a malformed line). The server runs with a 1.5 s request-head deadline so the
slowloris test is quick. After every test, the server's captured stdout and stderr are checked
for every token the tests use.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.feeds.fake_source import write_tokens_file

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = dt.datetime(2025, 1, 6, 8, 0, 0, tzinfo=dt.UTC)
HEADER_TIMEOUT = 1.5
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class Client:
    """A keep-alive HTTP/1.1 connection speaking raw bytes."""

    def __init__(self, port: int, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send(self, raw: bytes) -> None:
        self.sock.sendall(raw)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def read(self, head_only: bool = False) -> Reply | None:
        """The next response, or None if the server closed the connection before sending one."""
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                return None
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0 if head_only or status == 304 else int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                break
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Reply(status, headers, body)

    def get(self, target: str, *extra: str, method: str = "GET") -> Reply:
        lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", *extra, "", ""]
        self.send("\r\n".join(lines).encode())
        reply = self.read(head_only=method == "HEAD")
        assert reply is not None, "connection closed without a response"
        return reply


def refused(port: int, raw: bytes) -> bool:
    """Send `raw`; True if the server answers 4xx or closes without answering."""
    client = Client(port)
    try:
        client.send(raw)
        try:
            reply = client.read()
        except ConnectionResetError:
            return True
        return reply is None or 400 <= reply.status < 500
    finally:
        client.close()


def trickle_is_cut_off(port: int, start: bytes, chunk: int = 4096, limit: int = 800_000) -> bool:
    """Send `start` then a never-ending header value in pieces; True if the server stops it first."""
    client = Client(port)
    try:
        client.send(start)
        try:
            for _ in range(limit // chunk):
                client.send(b"x" * chunk)
                time.sleep(0.002)
        except OSError:
            pass  # reset or broken pipe: the server closed the connection
        else:
            return False
        try:
            reply = client.read()
        except OSError:
            return True
        return reply is None or 400 <= reply.status < 500
    finally:
        client.close()


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[bytes]
    tokens_path: Path
    data: dict[str, Any]
    out: Path
    err: Path
    reader: str
    site: str
    group: str
    exploding: str
    used: set[str]

    def token(self) -> str:
        """A fresh random token, remembered so the logs can be searched for it."""
        token = secrets.token_urlsafe(32)
        self.used.add(token)
        return token

    def add(self, kind: str, subject: str) -> str:
        token = self.token()
        self.data["tokens"][token] = {"kind": kind, "subject": subject}
        write_tokens_file(self.tokens_path, self.data)
        return token

    def revoke(self, token: str) -> None:
        self.data["tokens"][token]["revoked"] = True
        write_tokens_file(self.tokens_path, self.data)

    def output(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(tokens_path: Path, out: Path, err: Path) -> tuple[int, subprocess.Popen[bytes]]:
    """Start the server on a free port; retry on another port if it loses a race for the first."""
    for _ in range(3):
        port = free_port()
        with open(out, "wb") as stdout, open(err, "wb") as stderr:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.feeds.serve_fake",
                    str(tokens_path),
                    str(port),
                    "--header-timeout",
                    str(HEADER_TIMEOUT),
                ],
                cwd=ROOT,
                stdout=stdout,
                stderr=stderr,
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and proc.poll() is None:
            if "listening on" in err.read_text(errors="replace"):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    return port, proc
                except OSError:
                    pass
            time.sleep(0.05)
        stop(proc)
    raise RuntimeError("feed server did not start:\n" + err.read_text(errors="replace"))


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("feeds-server")
    (root / "r1.ics").write_bytes(ICS)
    (root / "s1.ics").write_bytes(ICS.replace(b"2.0", b"2.0\r\nX-WR-CALNAME:site s1"))
    (root / "g.ics").write_bytes(ICS.replace(b"2.0", b"2.0\r\nX-WR-CALNAME:group"))
    reader, site, group, exploding = (secrets.token_urlsafe(32) for _ in range(4))
    data: dict[str, Any] = {
        "tokens": {
            reader: {"kind": "reader", "subject": "r1"},
            site: {"kind": "site", "subject": "s1"},
            group: {"kind": "group", "subject": ""},
            exploding: {"kind": "reader", "subject": "r1", "raise": True},
        },
        "feeds": {
            "reader:r1": {"ics": "r1.ics", "published_at": PUBLISHED.isoformat()},
            "site:s1": {"ics": "s1.ics", "published_at": PUBLISHED.isoformat()},
            "group:": {"ics": "g.ics", "published_at": PUBLISHED.isoformat()},
        },
    }
    tokens_path = root / "tokens.json"
    write_tokens_file(tokens_path, data)
    out, err = root / "stdout.txt", root / "stderr.txt"
    port, proc = start(tokens_path, out, err)
    used = {reader, site, group, exploding}
    try:
        yield Server(port, proc, tokens_path, data, out, err, reader, site, group, exploding, used)
    finally:
        stop(proc)


@pytest.fixture(autouse=True)
def no_token_in_output(server: Server) -> Iterator[None]:
    """After each test: the server is still up, and no token it has seen is in its output."""
    yield
    time.sleep(0.05)  # the access line is written just after the response
    output = server.output()
    leaked = [token for token in server.used if token in output]
    assert not leaked, "a token appears in the server's output"
    assert server.proc.poll() is None, "the server died"


def feed(token: str) -> str:
    return f"/feeds/{token}.ics"


def test_200_with_headers(server: Server) -> None:
    client = Client(server.port)
    try:
        reply = client.get(feed(server.reader))
        assert reply.status == 200
        assert reply.body == ICS
        assert reply.headers["content-type"] == "text/calendar; charset=utf-8"
        assert reply.headers["content-length"] == str(len(ICS))
        assert reply.headers["etag"].startswith('"') and reply.headers["etag"].endswith('"')
        assert reply.headers["last-modified"] == "Mon, 06 Jan 2025 08:00:00 GMT"
        assert reply.headers["cache-control"].startswith("private, max-age=")
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert "date" in reply.headers
        assert "server" not in reply.headers
        # keep-alive: a second request on the same connection, for another kind of feed
        assert client.get(feed(server.group)).body != ICS
        head = client.get(feed(server.site), method="HEAD")
        assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 0
    finally:
        client.close()


def test_304_on_if_none_match_and_if_modified_since(server: Server) -> None:
    client = Client(server.port)
    try:
        etag = client.get(feed(server.reader)).headers["etag"]
        reply = client.get(feed(server.reader), f"If-None-Match: {etag}")
        assert reply.status == 304
        assert reply.headers["etag"] == etag
        assert reply.headers["last-modified"] == "Mon, 06 Jan 2025 08:00:00 GMT"
        assert reply.headers["cache-control"].startswith("private")
        assert client.get(feed(server.reader), f'If-None-Match: "x", W/{etag}').status == 304
        assert client.get(feed(server.reader), "If-Modified-Since: Mon, 06 Jan 2025 08:00:00 GMT").status == 304
        assert client.get(feed(server.reader), "If-Modified-Since: Sun, 05 Jan 2025 08:00:00 GMT").status == 200
        assert client.get(feed(server.reader), "If-Modified-Since: garbage").status == 200
        # the connection is still usable after 304s (no stray body bytes)
        assert client.get(feed(server.reader)).body == ICS
    finally:
        client.close()


def test_404_for_unknown_and_revoked_tokens(server: Server) -> None:
    token = server.add("reader", "r1")
    client = Client(server.port)
    try:
        unknown = client.get(feed(server.token()))
        assert unknown.status == 404
        assert client.get(feed(token)).status == 200
        server.revoke(token)
        revoked = client.get(feed(token))  # the very next request, on the same connection
        assert (revoked.status, revoked.body) == (404, unknown.body)
        assert {k: v for k, v in revoked.headers.items() if k != "date"} == {
            k: v for k, v in unknown.headers.items() if k != "date"
        }
    finally:
        client.close()


def without_date(reply: Reply) -> tuple[int, dict[str, str], bytes]:
    return reply.status, {k: v for k, v in reply.headers.items() if k != "date"}, reply.body


def test_enumeration_and_traversal_get_the_same_404(server: Server) -> None:
    token = server.reader
    targets = [
        "/",
        "/feeds",
        "/feeds/",
        "/feeds/x.ics",
        feed(token[:42]),
        feed(token + "A"),
        feed(token[:42] + "="),
        feed(token[:42] + "."),
        feed(token[:42] + "~"),
        feed("A" * 43)[:-4] + ".ICS",
        feed(token) + "/",
        feed(token) + ".bak",
        "/feeds/" + token,
        "//feeds/" + token + ".ics",
        "/feeds//" + token + ".ics",
        "/feeds/./" + token + ".ics",
        "/feeds/../feeds/" + token + ".ics",
        "/feeds/../../etc/passwd",
        "/feeds/%2e%2e/%2e%2e/etc/passwd",
        "/feeds/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/feeds/%" + f"{ord(token[0]):02X}" + token[1:] + ".ics",  # valid only once percent-decoded
        "/feeds/" + token + "%2eics",
        "/feeds/?token=" + token,
        "/feeds/x.ics?/feeds/" + token + ".ics",
    ]
    client = Client(server.port)
    try:
        reference = without_date(client.get(feed(server.token())))
        assert reference[0] == 404
        for target in targets:
            assert without_date(client.get(target)) == reference, target
    finally:
        client.close()


def test_other_methods_and_bodies(server: Server) -> None:
    client = Client(server.port)
    try:
        reply = client.get(feed(server.reader), method="DELETE")
        assert reply.status == 405 and reply.headers["allow"] == "GET, HEAD"
    finally:
        client.close()
    client = Client(server.port)
    try:
        client.send(f"GET {feed(server.reader)} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello".encode())
        reply = client.read()
        assert reply is not None and reply.status == 413
        assert client.read() is None  # and the connection is closed
    finally:
        client.close()


def test_source_failure_is_a_500_without_the_token(server: Server) -> None:
    client = Client(server.port)
    try:
        reply = client.get(feed(server.exploding))
        assert reply.status == 500
        assert server.exploding.encode() not in reply.body
    finally:
        client.close()
    time.sleep(0.05)
    assert "LookupError" in server.output()  # logged, with the token scrubbed (checked after the test)


def test_oversized_and_malformed_requests_are_refused_while_others_are_served(server: Server) -> None:
    normal = Client(server.port)
    try:
        assert normal.get(feed(server.reader)).status == 200
        big = "X-Big: " + "x" * 100_000
        assert refused(server.port, f"GET {feed(server.reader)} HTTP/1.1\r\nHost: x\r\n{big}\r\n\r\n".encode())
        assert refused(server.port, f"GET /feeds/{'a' * 100_000}.ics HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        many = "".join(f"X-H{i}: {'y' * 50}\r\n" for i in range(2000))
        assert refused(server.port, f"GET {feed(server.reader)} HTTP/1.1\r\nHost: x\r\n{many}\r\n".encode())
        for raw in [
            b"GARBAGE\r\n\r\n",
            b"GET\r\n\r\n",
            b"GET /feeds/ x HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
            b"GET / HTTP/1.1\r\n: empty\r\n\r\n",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64),  # a TLS ClientHello
            b"\x00\xff\r\n\r\n",
        ]:
            assert refused(server.port, raw), raw
        # a head arriving in pieces is cut off by h11 once it passes 16 KiB, before it is complete
        assert trickle_is_cut_off(server.port, f"GET {feed(server.reader)} HTTP/1.1\r\nHost: x\r\nX-Big: ".encode())
        # the open connection and a new one are served right after
        assert normal.get(feed(server.reader)).status == 200
        fresh = Client(server.port)
        try:
            assert fresh.get(feed(server.site)).status == 200
        finally:
            fresh.close()
    finally:
        normal.close()


def test_slowloris_does_not_block_others_and_is_cut_off(server: Server) -> None:
    slow = [Client(server.port) for _ in range(5)]
    try:
        assert slow[0].get(feed(server.reader)).status == 200  # the deadline also holds on keep-alive
        for client in slow:
            client.send(b"GET /feeds/")
        started = time.monotonic()
        normal = Client(server.port)
        try:
            assert normal.get(feed(server.reader)).status == 200
            assert time.monotonic() - started < 1.0
        finally:
            normal.close()
        # trickling keeps no connection alive past the request-head deadline
        cut_off = []
        for client in slow:
            client.sock.settimeout(0.2)
        deadline = time.monotonic() + HEADER_TIMEOUT + 3
        while time.monotonic() < deadline and len(cut_off) < len(slow):
            for client in slow:
                if client in cut_off:
                    continue
                try:
                    client.send(b"a")
                    if client.sock.recv(1024) == b"":
                        cut_off.append(client)
                except TimeoutError:
                    pass
                except OSError:
                    cut_off.append(client)
        assert len(cut_off) == len(slow)
        assert time.monotonic() - started >= HEADER_TIMEOUT - 0.1
    finally:
        for client in slow:
            client.close()


def test_logs_show_redacted_access_lines(server: Server) -> None:
    client = Client(server.port)
    try:
        client.get(feed(server.reader))
        client.get(feed(server.token()))
    finally:
        client.close()
    time.sleep(0.05)
    output = server.output()
    assert "GET /feeds/<redacted>.ics 200" in output
    assert "GET /feeds/<redacted>.ics 404" in output
    assert "listening on http://127.0.0.1:" in output


def test_json_tokens_file_is_the_only_state(server: Server) -> None:
    """A token added while the server runs works at once (the source re-reads its file)."""
    token = server.add("site", "s1")
    client = Client(server.port)
    try:
        assert client.get(feed(token)).status == 200
    finally:
        client.close()
    assert json.loads(server.tokens_path.read_text())["tokens"][token]["kind"] == "site"
