"""The store commands through `scheduler.cli.main`: publish, history, ledger, tokens, --carry-history."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict
from pathlib import Path

import pytest

from scheduler.cli import main
from scheduler.io.roster_io import write_roster
from scheduler.io.scenario_yaml import load_scenario
from scheduler.result import Roster
from scheduler.solver import solve
from scheduler.store import Store
from scheduler.store.records import FeedKind, FeedTarget

TINY = str(Path(__file__).resolve().parents[2] / "scenarios" / "tiny.yaml")
PERIOD = "2026-03-02..2026-03-08"
NAMES = {r.id: r.name for r in load_scenario(TINY).radiologists}


@pytest.fixture(scope="module")
def rosters(tmp_path_factory):
    """tiny solved, written as JSON, and the same roster without its last weekend day shift (Sunday 8 March)."""
    scenario = load_scenario(TINY)
    result = solve(scenario, time_limit=10, workers=1, seed=0, explain=False)
    assert result.has_solution and result.check.violations == []
    folder = tmp_path_factory.mktemp("rosters")
    full, reduced = folder / "tiny.json", folder / "tiny-reduced.json"
    write_roster(full, result.roster, scenario)
    dropped = max(result.roster.assignments, key=lambda a: (a.date, a.shift_type == "weekend_day"))
    assert dropped.shift_type == "weekend_day"
    write_roster(reduced, Roster(assignments=tuple(a for a in result.roster.assignments if a != dropped)), scenario)
    return {"full": str(full), "reduced": str(reduced), "roster": result.roster, "dropped": dropped}


@pytest.fixture
def store_path(tmp_path):
    return str(tmp_path / "store.sqlite3")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def publish(capsys, store_path, roster_path, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "publish", TINY, roster_path, "--store", store_path, "--by", "alice", *extra)


def test_publish_versions_and_base_checks(capsys, store_path, rosters):
    code, out, err = publish(capsys, store_path, rosters["full"], "--note", "first")
    assert code == 0, err
    assert out.startswith("published 2026-03-02 to 2026-03-08 version 1 (by alice, ")
    assignments = rosters["roster"].assignments
    readers = {a.reader for a in assignments}
    assert (f"{len(assignments)} added, 0 removed, 0 with other sites, 0 moved between readers; "
            f"{len(readers)} readers affected") in out
    for a in assignments:
        assert f"  {NAMES[a.reader]}: + {a.shift_type} {a.date.isoformat()} ({', '.join(sorted(a.sites))})" in out

    code, out, err = publish(capsys, store_path, rosters["full"])
    assert code == 1 and out == ""
    assert "version 1 is already published" in err and "--base-version 1" in err

    code, out, err = publish(capsys, store_path, rosters["reduced"], "--base-version", "1", "--note", "less")
    assert code == 0, err
    assert "version 2" in out.splitlines()[0]
    assert "0 added, 1 removed" in out
    gone = rosters["dropped"]
    assert f"  {NAMES[gone.reader]}: - weekend_day 2026-03-08 ({', '.join(sorted(gone.sites))})" in out
    assert "warning: published with 1 reader slot uncovered" in err

    code, out, err = publish(capsys, store_path, rosters["full"], "--base-version", "1")
    assert code == 1
    assert "version 2 was published by alice" in err and "NOT published" in err
    with Store(store_path) as store:
        assert [v.number for v in store.versions()] == [1, 2]
        assert store.roster(store.versions()[-1].id) == Roster(
            assignments=tuple(a for a in rosters["roster"].assignments if a != rosters["dropped"])
        ).sorted()


def test_publish_base_version_on_an_empty_store_is_refused(capsys, store_path, rosters):
    code, _, err = publish(capsys, store_path, rosters["full"], "--base-version", "1")
    assert code == 1 and "nothing is published for this period" in err
    code, out, _ = publish(capsys, store_path, rosters["full"], "--base-version", "none")
    assert code == 0 and "version 1" in out


def test_history_lists_versions_diffs_and_audit(capsys, store_path, rosters):
    code, out, _ = run(capsys, "history", "--store", store_path)
    assert code == 0 and "nothing published yet" in out
    assert publish(capsys, store_path, rosters["full"], "--note", "first")[0] == 0
    assert publish(capsys, store_path, rosters["reduced"], "--base-version", "1", "--note", "less")[0] == 0

    code, out, _ = run(capsys, "history", "--store", store_path)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2026-03-02 to 2026-03-08:"
    assert re.fullmatch(r"  version 1  \S+Z  by alice  base -  first", lines[1])
    assert re.fullmatch(r"  version 2  \S+Z  by alice  base 1  less", lines[2])
    assert len(lines) == 3  # no diffs without --diffs or --version

    code, out, _ = run(capsys, "history", "--store", store_path, "--period", PERIOD, "--version", "2")
    assert code == 0
    assert "version 1" not in out and "  version 2 " in out
    assert "    0 added, 1 removed" in out
    gone = rosters["dropped"]
    assert f"    {gone.reader}: - weekend_day 2026-03-08 ({', '.join(sorted(gone.sites))})" in out

    code, out, _ = run(capsys, "history", "--store", store_path, "--diffs")
    assert code == 0 and f"    {len(rosters['roster'].assignments)} added" in out and "    0 added, 1 removed" in out

    code, out, err = run(capsys, "history", "--store", store_path, "--audit")
    assert code == 0 and err == ""
    entries = out.splitlines()
    assert len(entries) == 2
    assert "alice" in entries[0] and "publish" in entries[0] and "version 1" in entries[0]
    assert "version 2; +0 -1 ~0 moved 0; 'less'" in entries[1]

    code, _, err = run(capsys, "history", "--store", store_path, "--period", PERIOD, "--version", "3")
    assert code == 1 and "no version 3" in err
    code, _, err = run(capsys, "history", "--store", store_path, "--period", "2026-04-01..2026-04-07")
    assert code == 1 and "nothing published for this period" in err and PERIOD in err


@pytest.mark.parametrize("text", ["2026-03-02-2026-03-08", "2026-03-02..", "march", "2026-02-30..2026-03-08"])
def test_bad_period_text_says_the_expected_format(capsys, store_path, text):
    code, out, err = run(capsys, "history", "--store", store_path, "--period", text)
    assert code == 1 and out == ""
    assert "expected FIRST..LAST dates, e.g. 2026-10-01..2026-10-31" in err


def test_period_ending_before_it_starts_is_refused(capsys, store_path):
    code, _, err = run(capsys, "history", "--store", store_path, "--period", "2026-03-08..2026-03-02")
    assert code == 1 and "ends before it starts" in err


def test_ledger_csv_and_json_match_the_store(capsys, store_path, rosters):
    assert publish(capsys, store_path, rosters["full"])[0] == 0
    with Store(store_path) as store:
        expected = [asdict(r) for r in store.ledger()]
    assert len(expected) == len({a.reader for a in rosters["roster"].assignments})

    code, out, _ = run(capsys, "ledger", "--store", store_path, "--format", "json")
    assert code == 0 and json.loads(out) == expected

    code, out, _ = run(capsys, "ledger", "--store", store_path, "--format", "csv")
    assert code == 0
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [{k: str(v) for k, v in r.items()} for r in expected] == parsed
    assert out.splitlines()[0] == "reader,month,shifts,nights,weekends,holidays,hours,burden_points"

    code, out, _ = run(capsys, "ledger", "--store", store_path, "--format", "json", "--reader", "claire_martin",
                       "--from", "2026-03", "--to", "2026-03")
    assert code == 0 and json.loads(out) == [r for r in expected if r["reader"] == "claire_martin"]

    code, out, _ = run(capsys, "ledger", "--store", store_path)
    assert code == 0 and out.splitlines()[0].split() == list(expected[0])

    code, _, err = run(capsys, "ledger", "--store", store_path, "--from", "2026-13")
    assert code == 1 and "expected a month as YYYY-MM" in err


def test_tokens_issue_list_revoke(capsys, store_path, rosters):
    assert publish(capsys, store_path, rosters["full"])[0] == 0

    code, out, _ = run(capsys, "tokens", "issue", "--reader", "claire_martin", "--base-url", "https://h",
                       "--store", store_path, "--by", "alice")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "token #1 for the reader claire_martin calendar (shown once; only its hash is kept):"
    https = re.fullmatch(r"https://h/feeds/([A-Za-z0-9_-]{43})\.ics", lines[1])
    assert https, lines
    token = https.group(1)
    assert lines[2] == f"webcal://h/feeds/{token}.ics"
    with Store(store_path) as store:
        assert store.lookup_token(token) == FeedTarget(FeedKind.reader, "claire_martin")

    code, out, _ = run(capsys, "tokens", "issue", "--group", "--store", store_path, "--by", "alice")
    assert code == 0
    group_token = re.search(r"/feeds/([A-Za-z0-9_-]{43})\.ics", out).group(1)
    assert "webcal" not in out

    code, out, _ = run(capsys, "tokens", "list", "--store", store_path)
    assert code == 0
    assert "#1" in out and "reader claire_martin" in out and "#2" in out and "group" in out
    assert token not in out and group_token not in out

    code, out, _ = run(capsys, "tokens", "revoke", "1", "--store", store_path, "--by", "alice")
    assert code == 0 and "revoked token #1 (reader claire_martin)" in out
    with Store(store_path) as store:
        assert store.lookup_token(token) is None
        assert store.lookup_token(group_token) == FeedTarget(FeedKind.group, "")
        assert [e.action for e in store.audit()] == ["publish", "token.issue", "token.issue", "token.revoke"]

    code, out, _ = run(capsys, "tokens", "list", "--store", store_path)
    assert code == 0 and "claire_martin" not in out and "#2" in out
    code, out, _ = run(capsys, "tokens", "list", "--all", "--store", store_path)
    assert code == 0 and "revoked" in out and token not in out

    code, _, err = run(capsys, "tokens", "revoke", "1", "--store", store_path, "--by", "alice")
    assert code == 1 and "already revoked" in err

    code, out, _ = run(capsys, "tokens", "rotate", "2", "--base-url", "https://h/", "--store", store_path,
                       "--by", "alice")
    assert code == 0 and out.startswith("token #3 for the group calendar")
    new_token = re.search(r"https://h/feeds/([A-Za-z0-9_-]{43})\.ics", out).group(1)
    assert f"webcal://h/feeds/{new_token}.ics" in out
    with Store(store_path) as store:
        assert store.lookup_token(group_token) is None
        assert store.lookup_token(new_token) == FeedTarget(FeedKind.group, "")
        assert store.audit()[-1].action == "token.rotate"
    code, _, err = run(capsys, "tokens", "issue", "--reader", "nobody", "--store", store_path, "--by", "alice")
    assert code == 1 and "no reader 'nobody'" in err and "claire_martin" in err


def test_solve_with_carried_history_runs(capsys, store_path, rosters, tmp_path):
    assert publish(capsys, store_path, rosters["full"])[0] == 0
    out_path = tmp_path / "again.json"
    code, out, err = run(capsys, "solve", TINY, "--carry-history", "--store", store_path, "--time-limit", "10",
                         "--workers", "1", "--no-explain", "--out", str(out_path))
    assert code in (0, 2), err
    assert out_path.exists()
    code, _, err = run(capsys, "check", TINY, str(out_path), "--carry-history", "--store", store_path)
    assert code in (0, 2), err
