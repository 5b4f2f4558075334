"""The Curtois & Qu importer: the scenario model scores every roster exactly as the instance defines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.check import check
from scheduler.cli import main
from scheduler.errors import InputError
from scheduler.io import curtois
from scheduler.solver import solve

DATA = Path(__file__).resolve().parent / "data" / "curtois"
SMALL = """SECTION_HORIZON
7

SECTION_SHIFTS
E,480,
L,600,E

SECTION_STAFF
A,E=7|L=2,3000,960,4,2,2,1
B,E=7|L=0,3000,480,5,1,1,1

SECTION_DAYS_OFF
A,6

SECTION_SHIFT_ON_REQUESTS
B,0,E,2

SECTION_SHIFT_OFF_REQUESTS
A,1,L,3

SECTION_COVER
0,E,1,100,1
1,E,1,100,1
1,L,1,50,2
2,E,2,100,1
3,L,0,100,1
"""


def test_instance1_is_solved_to_its_proven_optimum_607():
    inst = curtois.load(DATA / "Instance1.txt")
    scenario = curtois.to_scenario(inst)
    result = solve(scenario, time_limit=60, workers=2, coverage_first=False, explain=False)
    assert result.status == "OPTIMAL" and result.objective == 607
    violations, objective = curtois.evaluate(inst, curtois.assignment_of(inst, result.roster))
    assert violations == [] and objective == 607 == check(scenario, result.roster).objective


def _random_assignments(inst):
    cells = [(s.id, d) for s in inst.staff for d in range(inst.days)]
    choice = st.sampled_from([None, *inst.shifts])
    return st.lists(choice, min_size=len(cells), max_size=len(cells)).map(
        lambda picks: {cell: p for cell, p in zip(cells, picks, strict=True) if p is not None}
    )


@pytest.mark.parametrize("source", ["small", "Instance2"])
def test_checker_and_definition_agree_on_any_roster(source):
    """Objective equal, and a hard violation found by one is found by the other, on random rosters."""
    inst = curtois.parse(SMALL, "small") if source == "small" else curtois.load(DATA / f"{source}.txt")
    scenario = curtois.to_scenario(inst)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_random_assignments(inst))
    def agree(assignment):
        report = check(scenario, curtois.roster_of(inst, assignment))
        violations, objective = curtois.evaluate(inst, assignment)
        assert report.objective == objective
        assert bool(report.violations) == bool(violations), (report.violations[:3], violations[:3])

    agree()


def test_a_small_instance_solves_and_the_optimum_matches_brute_force_scoring():
    inst = curtois.parse(SMALL, "small")
    result = solve(curtois.to_scenario(inst), time_limit=30, workers=2, coverage_first=False, explain=False)
    assert result.status == "OPTIMAL"
    violations, objective = curtois.evaluate(inst, curtois.assignment_of(inst, result.roster))
    assert violations == [] and objective == result.objective


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SECTION_NOPE\n1\n", r"line 1: unknown section SECTION_NOPE"),
        ("SECTION_HORIZON\nfourteen\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=7,1,0,5,1,1,1\nSECTION_COVER\n"
         "0,D,1,100,1\n", r"line 2: the horizon must be a whole number"),
        ("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=7,1,2\nSECTION_COVER\n0,D,1,100,1\n",
         r"line 6: expected 8 fields"),
        ("SECTION_HORIZON\n7\n", r"missing SECTION_SHIFTS"),
    ],
)
def test_bad_instance_files_are_refused_with_the_line(text, message):
    with pytest.raises(InputError, match=message):
        curtois.parse(text, "bad")


def test_bench_command_works_on_any_instance_file(tmp_path, capsys):
    path = tmp_path / "Tiny7.txt"
    path.write_text(SMALL.replace("\n", "\r\n"))  # CRLF, as distributed
    (tmp_path / "best_known.csv").write_text("instance,best_known\nTiny7,1\n")
    out = tmp_path / "summary.json"
    assert main(["bench", "curtois", str(path), "--time-limit", "20", "--summary-json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["objective"] == summary["definition_objective"]
    assert summary["best_known"] == 1 and summary["ratio_to_best_known"] == summary["objective"]
    assert summary["dive"]["budget_s"] == 12.0  # by default the dive may take 0.6 of the time limit
    assert "Tiny7: 7 days, 2 staff" in capsys.readouterr().out
    assert main(["bench", "curtois", str(tmp_path / "missing.txt")]) == 1


def test_bench_time_limit_includes_reading_the_file(tmp_path, monkeypatch):
    """`--time-limit` bounds the whole command: a slow read leaves the search less time."""
    import time

    real_load = curtois.load

    def slow_load(path):
        time.sleep(1.5)
        return real_load(path)

    monkeypatch.setattr(curtois, "load", slow_load)
    out = tmp_path / "summary.json"
    assert main(["bench", "curtois", str(DATA / "Instance2.txt"), "--time-limit", "4",
                 "--summary-json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["map_s"] >= 1.5 and summary["hard_violations"] == 0
    assert summary["wall_s"] <= 4.5, summary


def test_the_benchmark_runner_repeats_over_seeds_and_prints_the_spread(capsys):
    """`benchmarks/curtois.py --seeds N` runs each instance once per seed (each its own `scheduler
    bench` process) and prints the objective's spread; it records nothing over the published table."""
    from benchmarks import curtois as runner

    before = (Path(runner.ROOT) / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert runner.main(["--dir", str(DATA), "--only", "Instance1", "--scale", "0.1", "--seeds", "2"]) == 0
    out = capsys.readouterr().out
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [r["seed"] for r in rows] == [0, 1]
    assert all(r["objective"] == 607 and r["hard_violations"] == 0 for r in rows)
    assert "| Instance1 | 2 | 2 | 607 | 607 | 607 | 607 | 1.0000 | 1.0000 | 1.0000 |" in out
    assert (Path(runner.ROOT) / "BENCHMARKS.md").read_text(encoding="utf-8") == before


def test_the_spread_table_counts_runs_without_a_roster():
    from benchmarks.curtois import spread

    rows = [{"instance": "I", "objective": v, "best_known": 100} for v in (110, 100, 130)]
    rows.append({"instance": "I", "status": "failed (1): out of memory"})
    assert "| I | 4 | 3 | 100 | 110 | 130 | 100 | 1.0000 | 1.1000 | 1.3000 |" in spread(rows)
