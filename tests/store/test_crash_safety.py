"""A writer killed with SIGKILL in the middle of a publish leaves the store consistent.

The publish is one SQLite transaction (WAL, synchronous=FULL): after the kill, the store holds
exactly the versions whose commit was reported, each complete (events, ledger facts, audit
entry), and the next publish goes on from there.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scheduler.io.roster_io import read_roster, write_roster
from scheduler.io.scenario_yaml import load_scenario
from scheduler.result import Roster
from scheduler.solver import solve
from scheduler.store import Store, period_of

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("crash_writer.py")


@pytest.fixture(scope="module")
def rosters(tmp_path_factory) -> tuple[Path, Path]:
    scenario = load_scenario(ROOT / "scenarios" / "tiny.yaml")
    roster = solve(scenario, time_limit=20, workers=1, seed=0).roster
    d = tmp_path_factory.mktemp("rosters")
    a, b = d / "a.json", d / "b.json"
    write_roster(a, roster, scenario)
    # the second roster drops one assignment: publishing alternately changes something each time
    write_roster(b, Roster(assignments=roster.assignments[1:]), scenario)
    return a, b


def _start(store: Path, rosters: tuple[Path, Path], *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WRITER), str(store), str(rosters[0]), str(rosters[1]), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _read_until(proc: subprocess.Popen, prefix: str, timeout: float = 60) -> tuple[str, list[str]]:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"writer ended early: {proc.stderr.read()}")
        seen.append(line.strip())
        if line.startswith(prefix):
            return line.strip(), seen
    raise AssertionError(f"no {prefix!r} from the writer within {timeout} s")


def assert_consistent(path: Path) -> list[int]:
    """Every invariant a complete publish establishes; returns the version numbers."""
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    with Store(path) as store:
        versions = store.versions()
        numbers = [v.number for v in versions]
        assert numbers == list(range(1, len(numbers) + 1))
        publishes = [e for e in store.audit() if e.action == "publish"]
        assert [e.details["version"] for e in publishes] == numbers
        assert store.verify_audit() == []
        for v in versions:
            roster = store.roster(v.id)
            active = {e.uid_key for e in store.events(v.id) if not e.cancelled}
            assert active == {f"{a.reader}/{a.shift_type}/{a.date.isoformat()}" for a in roster.assignments}
            facts = store.conn.execute("SELECT COUNT(*) FROM published_shifts WHERE version_id = ?", (v.id,))
            assert facts.fetchone()[0] == len(roster.assignments)
        if versions:
            latest = store.roster(versions[-1].id)
            assert sum(r.shifts for r in store.ledger()) == len(latest.assignments)
    return numbers


@pytest.mark.slow
def test_kill_inside_the_publish_transaction_loses_only_that_publish(tmp_path, rosters):
    path = tmp_path / "store.sqlite3"
    proc = _start(path, rosters, "--pause")
    try:
        line, seen = _read_until(proc, "MID")
        assert line == "MID 1"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert assert_consistent(path) == []  # the killed publish left nothing behind

    # three versions committed, then a writer killed in the middle of the fourth
    with Store(path) as store:
        scenario = load_scenario(ROOT / "scenarios" / "tiny.yaml")
        for k in range(3):
            store.publish(scenario, read_roster(rosters[k % 2]), by="t", base_number=k or None)
    proc = _start(path, rosters, "--pause")
    try:
        line, _ = _read_until(proc, "MID")
        assert line == "MID 4"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        proc.kill()
    assert assert_consistent(path) == [1, 2, 3]
    with Store(path) as store:  # and the store goes on: the next publish is version 4
        scenario = load_scenario(ROOT / "scenarios" / "tiny.yaml")
        latest = store.latest_version(period_of(scenario))
        out = store.publish(scenario, store.roster(latest.id), by="t", base_number=3)
        assert out.version.number == 4


@pytest.mark.slow
def test_kills_at_random_moments_never_leave_a_half_written_version(tmp_path, rosters):
    path = tmp_path / "store.sqlite3"
    rng = random.Random(7)
    committed = 0
    for _ in range(6):
        proc = _start(path, rosters)
        try:
            if committed == 0:
                _read_until(proc, "COMMITTED")  # the first run waits for the store to exist
            time.sleep(rng.uniform(0.05, 0.4))
            os.kill(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate(timeout=10)
        finally:
            proc.kill()
        reported = [int(x.split()[1]) for x in out.splitlines() if x.startswith("COMMITTED")]
        numbers = assert_consistent(path)
        # everything reported committed is there; at most the one in flight beyond it
        if reported:
            assert numbers[-1] >= reported[-1]
        assert len(numbers) <= (reported[-1] if reported else committed) + 1
        committed = len(numbers)
    assert committed >= 2
