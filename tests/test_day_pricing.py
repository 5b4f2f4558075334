"""The path over days prices a reader as CP-SAT does: the same best reduced cost when it claims a
proof, a bound never above it, a schedule the checker passes at the own cost it reports, and no
schedule exactly when none exists."""

from __future__ import annotations

import math
import random
import time

from hypothesis import given
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io import curtois
from scheduler.io.scenario_yaml import scenario_from_data
from scheduler.result import Assignment, Roster
from scheduler.solver import day_pricing
from scheduler.solver.day_pricing import DayPricing, unsupported
from scheduler.solver.pattern_bound import Generation, _PathReader, _Reader, pattern_bound
from tests.strategies import property_settings, scenario_data
from tests.test_pattern_bound import DATA, small_instances


@st.composite
def path_scenarios(draw):
    """Random scenarios whose readers the path can mostly price: the rules it leaves to CP-SAT
    (night rules, rolling hours, history) taken out, rest kept in half of them."""
    data = draw(scenario_data())
    for rules in data["rule_sets"]:
        rules.update(max_consecutive_nights=None, min_days_off_after_nights=0, max_hours_rolling_7_days=None)
        if draw(st.booleans()):
            rules.update(min_rest_hours=0, rest_after_night_hours=0)
    for reader in data["radiologists"]:
        reader.pop("history", None)
    data["objective"] = {"reader_shifts": draw(st.sampled_from((0, 1, 3))), "requests": draw(st.sampled_from((1, 5))),
                         "fairness": 0, "workload": 0, "continuity": 0}
    return scenario_from_data(data, "random")


def _roster(inst, rid: str, column: frozenset) -> Roster:
    sites: dict[int, list[str]] = {}
    for site, i in column:
        sites.setdefault(i, []).append(site)
    return Roster(assignments=tuple(
        Assignment(reader=rid, shift_type=inst.shifts[i].type_id, date=inst.shifts[i].date, sites=tuple(sorted(s)))
        for i, s in sites.items()))


def _compare(scenario, seed: int) -> int:
    """Price every reader the path can take, by both; the number compared."""
    inst = build_instance(scenario)
    rng = random.Random(seed)
    weights = scenario.objective
    multipliers = {key: rng.uniform(-weights.overstaffing * d.over_weight, weights.uncovered * d.priority)
                   for key, d in inst.demands.items()}
    compared = 0
    for reader in inst.readers:
        if unsupported(inst, reader) is not None:
            continue
        found, _lower, status = _Reader(inst, reader).price(multipliers, time.perf_counter() + 20, 0, None)
        path = DayPricing(inst, reader)
        got = path.price(multipliers)
        if status == cp_model.INFEASIBLE:
            assert got == ([], math.inf, True)
            compared += 1
            continue
        if status != cp_model.OPTIMAL:
            continue
        best = min(cost - sum(multipliers.get(k, 0.0) for k in used) for used, cost in found)
        assert path.last_bound <= best + 1e-3
        if got is None:  # the relaxed per-type limits gave no valid schedule: CP-SAT takes over
            continue
        columns, bound, proven = got
        assert bound <= best + 1e-3
        alone = scenario.replace(radiologists=(reader,))
        for k, (column, own) in enumerate(columns):  # the best path first, then the next best ones
            reduced = own - sum(multipliers.get(key, 0.0) for key in column)
            if proven and k == 0:
                assert abs(reduced - best) <= 1e-3, (reader.id, reduced, best)
            assert reduced >= best - 1e-3
            report = check(alone, _roster(inst, reader.id, column))
            assert not report.violations, [v.message for v in report.violations]
            terms = report.terms
            assert own == weights.requests * terms["requests"] + weights.reader_shifts * terms["reader_shifts"]
        assert len({column for column, _own in columns}) == len(columns)
        compared += 1
    return compared


@property_settings(60)
@given(path_scenarios(), st.integers(0, 10**6))
def test_path_prices_general_scenarios_as_cpsat(scenario, seed) -> None:
    _compare(scenario, seed)


@property_settings(40)
@given(small_instances(), st.integers(0, 10**6))
def test_path_prices_curtois_instances_as_cpsat(text, seed) -> None:
    _compare(curtois.to_scenario(curtois.parse(text, "random")), seed)


def test_path_takes_every_reader_of_instance2_and_the_bound_still_converges() -> None:
    scenario = curtois.to_scenario(curtois.load(DATA / "Instance2.txt"))
    inst = build_instance(scenario)
    assert all(unsupported(inst, r) is None for r in inst.readers)
    assert _compare(scenario, 1) == len(inst.readers)
    out = pattern_bound(inst, time_limit=60, workers=1)
    assert out.converged and out.rounded() == 828


def test_relaxed_per_type_limits_still_give_valid_schedules(monkeypatch) -> None:
    """With no room for count axes, per-type limits and weekends are priced by multipliers: the
    bound stays valid and any schedule returned keeps the limits."""
    scenario = curtois.to_scenario(curtois.load(DATA / "Instance2.txt"))
    inst = build_instance(scenario)
    monkeypatch.setattr(day_pricing, "MAX_CELLS", DayPricing(inst, inst.readers[0]).shape[0])  # minutes alone
    path = DayPricing(inst, inst.readers[0])
    assert len(path.shape) == 1 and "weekends" in path.relaxed
    for seed in range(5):
        assert _compare(scenario, seed) == len(inst.readers)


def test_readers_with_rules_the_path_cannot_count_are_left_to_cpsat() -> None:
    data = {
        "name": "x", "horizon": {"start": "2026-03-02", "end": "2026-03-08", "timezone": "UTC"},
        "jurisdictions": [{"id": "X"}],
        "shift_types": [{"id": "day", "start": "08:00", "end": "18:00"},
                        {"id": "night", "start": "20:00", "end": "08:00", "kind": "night"}],
        "rule_sets": [{"id": "plain", "min_rest_hours": 0, "rest_after_night_hours": 0},
                      {"id": "nights", "max_consecutive_nights": 2},
                      {"id": "rest", "rest_after_night_hours": 36}],
        "sites": [{"id": "A", "jurisdiction": "X", "timezone": "UTC",
                   "coverage": [{"shift_type": "day", "readers": 1}, {"shift_type": "night", "readers": 1}]}],
        "radiologists": [{"id": rid, "rule_set": rid, "licenses": [{"jurisdiction": "X"}],
                          "privileges": [{"site": "A"}], "timezone": "UTC"} for rid in ("plain", "nights", "rest")],
    }
    inst = build_instance(scenario_from_data(data, "x"))
    reasons = {r.id: unsupported(inst, r) for r in inst.readers}
    assert reasons == {"plain": None, "nights": "night rules", "rest": "rest spanning days"}


def test_past_its_deadline_the_path_prices_nothing_and_proves_no_bound() -> None:
    """A round of year-long paths must stop at its deadline (Instance22's first round ran 52 s over
    a 12 s allowance): past it, a reader gets no column and no bound, so the round proves none."""
    inst = build_instance(curtois.to_scenario(curtois.load(DATA / "Instance2.txt")))
    reader = _PathReader(inst, inst.readers[0])
    assert reader.price({}, time.perf_counter() - 1, 0, None) == ([], -math.inf, cp_model.UNKNOWN)
    found, lower, status = reader.price({}, time.perf_counter() + 60, 0, None)
    assert found and math.isfinite(lower) and status == cp_model.OPTIMAL


def test_pricing_processes_give_what_one_thread_gives() -> None:
    """With two workers and every reader on the path, forked processes price; rounds match the
    single-threaded ones, bound for bound and column for column."""
    inst = build_instance(curtois.to_scenario(curtois.load(DATA / "Instance2.txt")))
    alone, forked = Generation(inst, 1), Generation(inst, 2)
    try:
        assert alone.procs is None and forked.procs is not None
        for k in range(4):
            a, b = alone.step(time.perf_counter() + 60, k), forked.step(time.perf_counter() + 60, k)
            assert (a.lp, a.bound, a.added) == (b.lp, b.bound, b.added)
        assert alone.master.known == forked.master.known
    finally:
        alone.close()
        forked.close()
