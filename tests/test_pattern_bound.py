"""The column-generation lower bound (never above an optimum, at any round; tight where it should be)
and the dive through it (a valid roster, never below an optimum)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.cli import main
from scheduler.instance import build_instance
from scheduler.io import curtois
from scheduler.io.scenario_yaml import load_scenario, scenario_from_data
from scheduler.solver import solve
from scheduler.solver.model import build_model
from scheduler.solver.params import new_solver
from scheduler.solver.pattern_bound import Generation, pattern_bound
from scheduler.solver.pattern_dive import dive
from tests.strategies import property_settings, scenario_data

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "curtois"


@st.composite
def small_instances(draw) -> str:
    """A Curtois-format instance of one week, 2-4 staff and 1-3 shift types, every rule in play."""
    shifts = ["E", "L", "N"][: draw(st.integers(1, 3))]
    lengths = {s: draw(st.sampled_from([240, 480, 600])) for s in shifts}
    lines = ["SECTION_HORIZON", "7", "", "SECTION_SHIFTS"]
    for s in shifts:
        banned = [t for t in shifts if draw(st.booleans()) and t != s]
        lines.append(f"{s},{lengths[s]},{'|'.join(banned)}")
    lines += ["", "SECTION_STAFF"]
    staff = [chr(65 + k) for k in range(draw(st.integers(2, 4)))]
    for who in staff:
        limits = "|".join(f"{s}={draw(st.integers(0, 7))}" for s in shifts)
        top = draw(st.integers(480, 3000))
        low = draw(st.integers(0, min(top, 1440)))
        lines.append(f"{who},{limits},{top},{low},{draw(st.integers(1, 7))},{draw(st.integers(1, 3))},"
                     f"{draw(st.integers(1, 3))},{draw(st.integers(0, 1))}")
    lines += ["", "SECTION_DAYS_OFF"]
    for who in staff:
        off = draw(st.lists(st.integers(0, 6), max_size=2, unique=True))
        if off:
            lines.append(",".join([who, *map(str, off)]))
    for section in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS"):
        lines += ["", section]
        for _ in range(draw(st.integers(0, 3))):
            lines.append(f"{draw(st.sampled_from(staff))},{draw(st.integers(0, 6))},{draw(st.sampled_from(shifts))},"
                         f"{draw(st.integers(1, 3))}")
    lines += ["", "SECTION_COVER"]
    for day in range(7):
        for s in shifts:
            lines.append(f"{day},{s},{draw(st.integers(0, 2))},{draw(st.sampled_from([1, 50, 100]))},"
                         f"{draw(st.integers(0, 2))}")
    return "\n".join(lines) + "\n"


def _random(text: str):
    """The scenario of a generated instance and its instance."""
    scenario = curtois.to_scenario(curtois.parse(text, "random"))
    return scenario, build_instance(scenario)


def _has_no_roster(inst) -> bool:
    """CP-SAT proves that no roster keeps the hard rules (every need soft, no objective)."""
    return new_solver(10, 2, 0).solve(build_model(inst, soft_needs=None, objective=False).model) == cp_model.INFEASIBLE


SMALL_RANDOM = settings(max_examples=25, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SMALL_RANDOM
@given(small_instances())
def test_the_bound_is_never_above_a_proven_optimum_at_any_round(text):
    scenario, inst = _random(text)
    found = pattern_bound(inst, time_limit=10)
    if found.infeasible:  # some reader has no valid week: then no roster keeps the hard rules
        assert found.bound is None and _has_no_roster(inst)
        return
    result = solve(scenario, time_limit=20, workers=2, coverage_first=False, explain=False, lns=False)
    assume(result.status == "OPTIMAL")
    for rounds in (1, 2, None):
        found = pattern_bound(inst, time_limit=10, max_rounds=rounds)
        assert found.bound is not None and not found.infeasible
        assert found.bound <= result.objective + 1e-6, (rounds, found.bound, result.objective)
    assert found.converged  # a week of a few staff converges well within its time


@SMALL_RANDOM
@given(small_instances())
def test_smoothed_multipliers_converge_to_the_masters_own_optimum(text):
    """Pricing at smoothed multipliers changes the path to the master's optimum, not the optimum."""
    _scenario, inst = _random(text)
    ends = []
    for smoothing in (True, False):
        gen = Generation(inst, 1, smoothing=smoothing)
        try:
            bound = -float("inf")
            for _ in range(500):
                step = gen.step(time.perf_counter() + 10, 0)
                assume(step is not None and not step.infeasible)
                bound = max(bound, step.bound)
                if step.converged:
                    break
            assert step.converged
            ends.append((step.lp, bound))
        finally:
            gen.close()
    (smoothed, _b), (plain, _b) = ends
    assert abs(smoothed - plain) <= 1e-6 * (1 + abs(plain))
    for lp, bound in ends:  # converged: the bound proved is the master's value
        assert abs(bound - lp) <= 1e-6 * (1 + abs(lp))


def test_the_bound_reaches_instance2s_optimum_and_stays_below_instance1s():
    two = pattern_bound(build_instance(curtois.to_scenario(curtois.load(DATA / "Instance2.txt"))), time_limit=60)
    assert two.converged and two.rounded() == 828 and two.proves(828)  # Instance2's proven optimum
    one = pattern_bound(build_instance(curtois.to_scenario(curtois.load(DATA / "Instance1.txt"))), time_limit=60)
    # Instance1 (optimum 607) has an integrality gap: the bound is valid but does not prove 607
    assert one.converged and 500 < one.bound <= 607 and not one.proves(607)
    assert [b for _t, b in one.history] == sorted(b for _t, b in one.history)  # only gains are recorded


def test_a_staff_member_with_no_valid_week_makes_the_bound_report_infeasible():
    text = ("SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\nSECTION_STAFF\nA,D=7,3000,2400,7,1,1,1\n\n"
            "SECTION_COVER\n0,D,1,100,1\n")  # 2,400 minutes is five shifts, but at most 2 are allowed (D=7, 2 days)
    text = text.replace("A,D=7,", "A,D=2,")
    found = pattern_bound(build_instance(curtois.to_scenario(curtois.parse(text, "x"))), time_limit=10)
    assert found.infeasible and found.bound is None


def test_the_bound_does_not_apply_where_the_objective_compares_readers():
    inst = build_instance(load_scenario(ROOT / "scenarios" / "tiny.yaml"))
    found = pattern_bound(inst, time_limit=10)
    assert found.bound is None and found.rounds == 0 and "fairness" in found.reason


def test_bench_reports_the_pattern_bound_and_what_it_proves(tmp_path, capsys):
    path = tmp_path / "Instance2.txt"
    path.write_text((DATA / "Instance2.txt").read_text())
    out = tmp_path / "summary.json"
    assert main(["bench", "curtois", str(path), "--time-limit", "20", "--best-known", "828",
                 "--pattern-bound-s", "60", "--summary-json", str(out)]) == 0
    summary = json.loads(out.read_text())
    pb = summary["pattern_bound"]
    assert pb["converged"] and 827.99 < pb["bound"] <= 828 and pb["proves_best_known_optimal"]
    assert not pb["best_known_below_bound"] and pb["proves_optimal"] == (summary["objective"] == 828)
    assert "pattern bound 828.00 (converged" in capsys.readouterr().out


def test_the_benchmark_runner_records_each_instances_bound_in_its_own_process(tmp_path, monkeypatch, capsys):
    """`benchmarks/curtois.py --bounds S` solves nothing: it records each instance's pattern bound."""
    from benchmarks import curtois as runner

    target = tmp_path / "BENCHMARKS.md"
    target.write_text("# Benchmarks\n")
    monkeypatch.setattr(runner, "ROOT", tmp_path)  # record into a copy, never over the published file
    assert runner.main(["--dir", str(DATA), "--only", "Instance2", "--bounds", "30"]) == 0
    row = next(json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{"))
    assert row["instance"] == "Instance2" and row["converged"] and row["rounded"] == 828
    assert row["best_known_proven_optimal"] and row["peak_mib"] > 0
    text = target.read_text()
    assert "### curtois-bounds" in text and "| Instance2 | 14 | 14 | 30.0 | 828.0 | 828 | True |" in text


@property_settings(max_examples=15)
@given(scenario_data())
def test_the_bound_holds_on_the_projects_own_scenarios_with_several_sites_per_reader(data):
    """Beyond the benchmark's one ward: readers licensed for several sites, rest, capacity, holidays.
    With the terms that compare readers weighed at zero (and no subspecialty needs) the bound applies,
    and stays at or below the proven optimum of the every-need-soft objective."""
    data["objective"] = {**data.get("objective", {}), "fairness": 0, "workload": 0, "continuity": 0}
    for site in data["sites"]:
        for need in site["coverage"]:
            need.pop("subspecialty", None)
    scenario = scenario_from_data(data)
    inst = build_instance(scenario)
    found = pattern_bound(inst, time_limit=20)
    assert found.reason is None
    result = solve(scenario, time_limit=20, workers=2, coverage_first=False, explain=False, lns=False)
    if found.infeasible:  # a reader with no valid schedule: no roster at all
        assert result.status == "INFEASIBLE"
        return
    assume(result.status == "OPTIMAL")
    assert found.bound is not None and found.bound <= result.objective + 1e-6 * max(1, abs(result.objective))


@SMALL_RANDOM
@given(small_instances())
def test_the_dive_gives_a_valid_roster_no_better_than_the_optimum(text):
    scenario, inst = _random(text)
    went = dive(inst, time_limit=20)
    if went.roster is None:  # only when no roster exists: a week of a few staff dives well within its time
        assert _has_no_roster(inst)
        return
    result = solve(scenario, time_limit=20, workers=2, coverage_first=False, explain=False, lns=False)
    assume(result.status == "OPTIMAL")
    report = check(scenario, went.roster)  # the checker referees the dive's roster like any other
    assert report.violations == [] and report.objective >= result.objective
    # the bound its root proved on the way holds too
    assert went.bound is not None and went.bound <= result.objective + 1e-6 * max(1, abs(result.objective))


def test_the_dive_reaches_instance2s_optimum_and_stays_out_of_scope_elsewhere():
    scenario = curtois.to_scenario(curtois.load(DATA / "Instance2.txt"))
    went = dive(build_instance(scenario), time_limit=60)
    report = check(scenario, went.roster)
    assert report.violations == [] and report.objective == 828  # its proven optimum
    assert went.converged and 827.99 < went.bound <= 828  # which its root proves on the way
    out_of_scope = dive(build_instance(load_scenario(ROOT / "scenarios" / "tiny.yaml")), time_limit=10)
    assert out_of_scope.roster is None and out_of_scope.bound is None


def test_a_dive_stopped_early_leaves_each_reader_their_likeliest_schedule():
    """Out of time (here: stopped before it starts), the dive still returns a roster from the
    master's schedules, one per reader, each keeping its reader's rules: a start for the search."""
    import threading

    scenario = curtois.to_scenario(curtois.load(DATA / "Instance2.txt"))
    stop = threading.Event()
    stop.set()
    roster = dive(build_instance(scenario), time_limit=60, stop=stop).roster
    assert roster is not None and check(scenario, roster).violations == []


def test_the_dive_gives_up_when_one_round_of_pricing_takes_more_than_its_share(monkeypatch):
    """Where pricing everyone once takes more than FIRST_ROUND_SHARE of the time limit (the 182- and
    364-day instances), the dive returns nothing at once rather than a poor start late. Here the
    share is shrunk below Instance2's first round, which the default share lets through."""
    import time

    from scheduler.solver import pattern_dive

    inst = build_instance(curtois.to_scenario(curtois.load(DATA / "Instance2.txt")))
    monkeypatch.setattr(pattern_dive, "FIRST_ROUND_SHARE", 1e-5)  # 0.6 ms of 60 s
    started = time.perf_counter()
    assert dive(inst, time_limit=60).roster is None  # building the pricing models takes longer
    assert time.perf_counter() - started < 10  # not the minute

    class BuiltInTime(pattern_dive.Generation):
        def __init__(self, inst, workers, build_deadline=None):
            super().__init__(inst, workers)

    monkeypatch.setattr(pattern_dive, "Generation", BuiltInTime)
    started = time.perf_counter()
    went = dive(inst, time_limit=60)  # now the first round is what takes longer
    assert went.roster is None and time.perf_counter() - started < 10


def test_bench_starts_the_search_from_the_dive(tmp_path, capsys):
    out = tmp_path / "summary.json"
    assert main(["bench", "curtois", str(DATA / "Instance2.txt"), "--time-limit", "30", "--dive-s", "20",
                 "--summary-json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["dive"]["complete"] and summary["dive"]["hard_violations"] == 0
    assert summary["objective"] <= summary["dive"]["objective"]  # the search keeps or improves its start
    assert summary["wall_s"] <= 30 + 5
    assert f"dive: objective {summary['dive']['objective']} in" in capsys.readouterr().out
    assert main(["bench", "curtois", str(DATA / "Instance2.txt"), "--time-limit", "5", "--dive-s", "0",
                 "--summary-json", str(out)]) == 0
    assert json.loads(out.read_text())["dive"] is None  # skipped when asked


def test_bench_reports_the_dives_bound_where_the_search_proves_less(tmp_path, monkeypatch, capsys):
    """On Instances 10-20 the search's bound stays near zero in the time, while the dive's root has
    proved a tight one: the bench reports the higher, rounded up, and OPTIMAL where it meets the
    objective. Here the search's bound is taken away to stand for that case."""
    import dataclasses

    from scheduler import cli_bench

    real_solve = cli_bench.solve

    def solve_without_bound(*args, **kwargs):
        return dataclasses.replace(real_solve(*args, **kwargs), bound=None, status="FEASIBLE")

    monkeypatch.setattr(cli_bench, "solve", solve_without_bound)
    out = tmp_path / "summary.json"
    assert main(["bench", "curtois", str(DATA / "Instance2.txt"), "--time-limit", "30",
                 "--summary-json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["dive"]["bound_converged"] and 827.99 < summary["dive"]["bound"] <= 828
    assert summary["bound"] == 828 and summary["bound_by"] == "dive"
    assert summary["status"] == ("OPTIMAL" if summary["objective"] == 828 else "FEASIBLE")
    assert summary["gap"] == (summary["objective"] - 828) / summary["objective"]
    assert "bound 828.0 (the dive's)" in capsys.readouterr().out


@pytest.mark.parametrize("dives", [True, False])
def test_the_search_stops_once_a_roster_meets_the_dives_bound(tmp_path, monkeypatch, dives):
    """A roster at the dive's bound (rounded up) is optimal, so the bench's search stops there: at
    once when the dive's own roster meets it, else at the first solution that does. A bound below
    every roster stops nothing."""
    from scheduler import cli_bench
    from scheduler.solver.pattern_dive import Dived

    out = tmp_path / "summary.json"
    if not dives:  # no roster from the dive, only its bound: the search must reach 828 itself
        monkeypatch.setattr(cli_bench, "dive", lambda *a, **k: Dived(roster=None, bound=827.9999, converged=True))
    # a generous limit: the search alone reaches 828 in a few seconds, and then stops
    assert main(["bench", "curtois", str(DATA / "Instance2.txt"), "--time-limit", "90",
                 "--summary-json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["stopped_at_bound"] and summary["status"] == "OPTIMAL"
    assert summary["objective"] == summary["bound"] == 828 and summary["hard_violations"] == 0
    assert summary["wall_s"] < 80  # it stopped there, not at its time limit
    if dives:
        assert summary["lns"] is None  # stopped before any large-neighbourhood search

    monkeypatch.setattr(cli_bench, "dive", lambda *a, **k: Dived(roster=None, bound=800.0, converged=False))
    assert main(["bench", "curtois", str(DATA / "Instance2.txt"), "--time-limit", "10",
                 "--summary-json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert not summary["stopped_at_bound"] and summary["objective"] >= 828
