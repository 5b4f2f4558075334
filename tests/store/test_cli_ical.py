"""`scheduler ical --out-dir`: every reader's, site's and the group's calendar, byte-stable per version."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from scheduler.cli import main
from scheduler.io.roster_io import write_roster
from scheduler.io.scenario_yaml import load_scenario
from scheduler.result import Roster
from scheduler.solver import solve

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "scenarios" / "tiny.yaml"


@pytest.fixture(scope="module")
def roster():
    return solve(load_scenario(TINY), time_limit=20, workers=1, seed=0).roster


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*.ics"))}


def test_ical_writes_every_calendar_and_a_version_always_gives_the_same_bytes(tmp_path, roster, capsys):
    scenario = load_scenario(TINY)
    store = str(tmp_path / "s.sqlite3")
    path = tmp_path / "roster.json"
    assert main(["ical", "--out-dir", str(tmp_path / "none"), "--store", store]) == 1
    assert "nothing published yet" in capsys.readouterr().err

    write_roster(path, roster, scenario)
    assert main(["publish", str(TINY), str(path), "--store", store]) == 0
    assert main(["ical", "--out-dir", str(tmp_path / "a"), "--store", store]) == 0
    first = _files(tmp_path / "a")
    expected = {f"readers/{r.id}.ics" for r in scenario.radiologists} | {f"sites/{s.id}.ics" for s in scenario.sites}
    assert set(first) == expected | {"group.ics"}
    group = icalendar.Calendar.from_ical(first["group.ics"])
    assert len(group.walk("VEVENT")) == len(roster.assignments)

    # version 2 drops a shift; version 1's calendars are still exactly what they were
    write_roster(path, Roster(assignments=roster.assignments[1:]), scenario)
    assert main(["publish", str(TINY), str(path), "--store", store, "--base-version", "1"]) == 0
    period = f"{scenario.horizon.start}..{scenario.horizon.end}"
    assert main(["ical", "--out-dir", str(tmp_path / "v1"), "--period", period, "--version", "1",
                 "--store", store]) == 0
    assert _files(tmp_path / "v1") == first
    assert main(["ical", "--out-dir", str(tmp_path / "v2"), "--store", store]) == 0
    second = _files(tmp_path / "v2")
    assert second != first
    assert main(["ical", "--out-dir", str(tmp_path / "v2again"), "--store", store]) == 0
    assert _files(tmp_path / "v2again") == second

    assert main(["ical", "--out-dir", str(tmp_path / "x"), "--version", "1", "--store", store]) == 1
    assert "--version needs --period" in capsys.readouterr().err
