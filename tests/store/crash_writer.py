"""A writer process for the crash test: publishes versions of the tiny example in a loop.

Run as `python crash_writer.py STORE ROSTER_A ROSTER_B [--pause]`. After each commit it prints
`COMMITTED <number>`; with --pause it prints `MID <number>` from inside the publish transaction
(after the version and its events are written, before the ledger facts, audit entry and commit)
and sleeps there, so the test can kill it mid-publish.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from scheduler.io.roster_io import read_roster
from scheduler.io.scenario_yaml import load_scenario
from scheduler.store import Store, period_of
from scheduler.store import ledger as ledger_module

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    store_path, roster_a, roster_b = sys.argv[1:4]
    pause = "--pause" in sys.argv
    scenario = load_scenario(ROOT / "scenarios" / "tiny.yaml")
    rosters = [read_roster(roster_a), read_roster(roster_b)]
    store = Store(store_path)
    original = ledger_module.insert_shift_facts

    def slow_insert(conn, version_id, inst, roster):
        original(conn, version_id, inst, roster)
        if pause:
            number = conn.execute("SELECT number FROM published_versions WHERE id = ?", (version_id,)).fetchone()[0]
            print(f"MID {number}", flush=True)
            time.sleep(60)

    ledger_module.insert_shift_facts = slow_insert
    period = period_of(scenario)
    k = 0
    while True:
        latest = store.latest_version(period)
        base = latest.number if latest else None
        outcome = store.publish(scenario, rosters[k % 2], by="writer", base_number=base, note=f"loop {k}")
        print(f"COMMITTED {outcome.version.number}", flush=True)
        k += 1


if __name__ == "__main__":
    main()
