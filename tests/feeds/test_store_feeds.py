"""`scheduler serve-feeds` on the real store, in a child process on loopback.

Publish the tiny example, issue tokens with the CLI, fetch the feeds over HTTP: the reader's
calendar holds exactly their published shifts; revocation and rotation take effect on the next
request; a new published version changes the ETag and the body; no token reaches the logs.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import icalendar
import pytest

from scheduler.cli import main
from scheduler.io.roster_io import write_roster
from scheduler.io.scenario_yaml import load_scenario
from scheduler.result import Roster
from scheduler.solver import solve
from scheduler.store import Store
from tests.feeds.test_server import Client, free_port

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny.yaml"
TOKEN_IN_OUTPUT = re.compile(r"/feeds/([A-Za-z0-9_-]{43})\.ics")


def _issue(store: Path, *args: str, capsys) -> str:
    assert main(["tokens", "issue", *args, "--store", str(store)]) == 0
    out = capsys.readouterr().out
    return TOKEN_IN_OUTPUT.search(out).group(1)


@pytest.fixture(scope="module")
def roster():
    return solve(load_scenario(TINY), time_limit=20, workers=1, seed=0).roster


@pytest.fixture
def served(tmp_path, roster):
    store = tmp_path / "store.sqlite3"
    path = tmp_path / "roster.json"
    write_roster(path, roster, load_scenario(TINY))
    assert main(["publish", str(TINY), str(path), "--store", str(store), "--by", "alice"]) == 0
    port = free_port()
    err = tmp_path / "server.err"
    with open(err, "wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scheduler.cli", "serve-feeds", "--store", str(store), "--port", str(port)],
            cwd=ROOT,
            stdout=stderr,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 20
    while "listening on" not in err.read_text(errors="replace"):
        assert proc.poll() is None and time.monotonic() < deadline, err.read_text(errors="replace")
        time.sleep(0.05)
    try:
        yield store, port, err, path
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _shifts(body: bytes) -> set[tuple[str, dt.datetime, dt.datetime]]:
    cal = icalendar.Calendar.from_ical(body)
    return {
        (str(ev["UID"]), ev.decoded("DTSTART").astimezone(dt.UTC), ev.decoded("DTEND").astimezone(dt.UTC))
        for ev in cal.walk("VEVENT")
        if str(ev.get("STATUS")) != "CANCELLED"
    }


def test_feeds_from_the_store_over_http(served, roster, capsys):
    store, port, err, roster_path = served
    reader = roster.assignments[0].reader
    token = _issue(store, "--reader", reader, capsys=capsys)
    group = _issue(store, "--group", capsys=capsys)
    client = Client(port)
    try:
        r = client.get(f"/feeds/{token}.ics")
        assert r.status == 200
        assert r.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "private" in r.headers["cache-control"]
        with Store(store) as s:
            [v] = s.versions()
            expected = {(e.start, e.end) for e in s.events(v.id) if e.reader == reader}
            assert r.headers["last-modified"] == v.published_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
        assert {(a, b) for _, a, b in _shifts(r.body)} == expected
        assert b"X-WR-CALNAME" in r.body
        etag = r.headers["etag"]
        assert client.get(f"/feeds/{token}.ics", f"If-None-Match: {etag}").status == 304
        assert client.get(f"/feeds/{group}.ics").status == 200

        # a new version: the reader loses a shift; ETag and body change, the shift shows as gone
        mine = [a for a in roster.assignments if a.reader == reader]
        smaller = Roster(assignments=tuple(a for a in roster.assignments if a is not mine[0]))
        write_roster(roster_path, smaller, load_scenario(TINY))
        assert main(["publish", str(TINY), str(roster_path), "--store", str(store), "--base-version", "1"]) == 0
        r2 = client.get(f"/feeds/{token}.ics", f"If-None-Match: {etag}")
        assert r2.status == 200 and r2.headers["etag"] != etag
        assert len(_shifts(r2.body)) == len(expected) - 1

        # revoke: the very next request is a 404, the same as a token that never existed
        unknown = client.get("/feeds/" + "A" * 43 + ".ics")
        assert main(["tokens", "revoke", "1", "--store", str(store)]) == 0
        revoked = client.get(f"/feeds/{token}.ics")
        assert revoked.status == unknown.status == 404 and revoked.body == unknown.body

        # rotate the group token: old one 404, new one 200
        assert main(["tokens", "rotate", "2", "--store", str(store)]) == 0
        new_group = TOKEN_IN_OUTPUT.search(capsys.readouterr().out).group(1)
        assert client.get(f"/feeds/{group}.ics").status == 404
        assert client.get(f"/feeds/{new_group}.ics").status == 200
    finally:
        client.close()
    log = err.read_text(errors="replace")
    assert "/feeds/<redacted>.ics" in log
    for t in (token, group, new_group):
        assert t not in log
