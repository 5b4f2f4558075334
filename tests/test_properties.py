"""Property tests: the solver and the independent checker agree on random scenarios, and the
checker catches every kind of hard violation injected into a valid solved roster."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.check import check
from scheduler.io.scenario_yaml import scenario_from_data
from scheduler.result import Assignment, CheckReport, Roster, SolveResult
from scheduler.rules import (
    capacity,
    consecutive,
    coverage,
    eligibility,
    hours,
    nights,
    one_shift_per_day,
    rest,
    runs,
    shift_limits,
    successions,
    weekends,
)
from scheduler.scenario import Scenario
from scheduler.solver import solve
from tests.strategies import property_settings, scenario_data

PROPERTY = property_settings(120)

SOLVED = ("OPTIMAL", "FEASIBLE")


def _rules(report: CheckReport) -> set[str]:
    return {v.rule for v in report.violations}


def _messages(report: CheckReport) -> list[str]:
    return [f"{v.rule}: {v.message}" for v in report.violations]


# ---- solver vs checker on random scenarios ----------------------------------------------------


@PROPERTY
@given(scenario_data())
def test_solver_and_checker_agree_on_random_scenarios(data: dict[str, Any]) -> None:
    scenario = scenario_from_data(data)
    result = solve(scenario, time_limit=5, workers=2, seed=0, explain=False)
    assert result.status in (*SOLVED, "INFEASIBLE", "UNKNOWN"), result.status
    empty = check(scenario, Roster())
    if result.status in SOLVED:
        report = result.check
        assert report is not None
        assert report.violations == [], _messages(report)
        assert report.objective == result.objective
        assert report.terms == result.terms
        assert report.weighted == result.weighted
        # an independent re-check of the returned roster gives the same verdict
        again = check(scenario, result.roster)
        assert again.objective == result.objective and again.violations == []
        if result.status == "OPTIMAL" and not empty.violations:
            # the empty roster is a valid candidate, so an optimal roster is no worse
            assert result.objective <= empty.objective
    elif result.status == "INFEASIBLE":
        # the empty roster is a candidate too: the checker must find it invalid
        assert empty.violations, "solver says INFEASIBLE but the checker accepts the empty roster"
        explained = solve(scenario, time_limit=5, workers=2, seed=0, explain=True)
        assert explained.status == "INFEASIBLE"
        assert explained.explanation, "an infeasible scenario must be explained"


# ---- a crafted scenario where every hard rule is active ----------------------------------------

START = dt.date(2026, 3, 2)  # Monday; the horizon runs to Sunday 15 March (two full weekends)


def day(k: int) -> dt.date:
    return START + dt.timedelta(days=k)


STD_RULES: dict[str, Any] = {
    "id": "std",
    "min_rest_hours": 13,
    "rest_after_night_hours": 12,
    "max_consecutive_days": 4,
    "max_consecutive_nights": 3,
    "min_days_off_after_nights": 3,
    "max_hours_rolling_7_days": 50,
    "max_weekends": 1,
    "complete_weekends": True,
    "forbidden_successions": [["evening", "night"]],
    "shift_limits": {"evening": {"max": 3}, "night": {"max": 5}},
    "min_total_hours": 10,
    "max_total_hours": 80,
    "min_consecutive_days": 2,
    "min_consecutive_days_off": 2,
}


def _reader(k: int) -> dict[str, Any]:
    lic = [{"jurisdiction": "FR"}] + ([{"jurisdiction": "US-NY"}] if k >= 5 else [])
    priv = [{"site": "A"}] + ([{"site": "B"}] if k >= 5 else [])
    r: dict[str, Any] = {"id": f"r{k}", "name": f"Dr {k}", "rule_set": "std", "licenses": lic, "privileges": priv,
                         "subspecialties": ["neuro"] if k <= 5 else [], "fte": 1.0 if k % 3 else 0.8}
    if k == 1:
        r["history"] = {"shifts": [{"shift_type": "night", "date": "2026-03-01"}]}
    if k == 3:
        r["requests"] = [{"kind": "want", "shift_type": "night", "dates": ["2026-03-04", "2026-03-05"], "weight": 2}]
    if k == 4:  # wants the same night as Dr 3, so one of them is disappointed
        r["requests"] = [{"kind": "avoid", "dates": ["2026-03-09", "2026-03-10", "2026-03-11"]},
                         {"kind": "want", "shift_type": "night", "dates": ["2026-03-04"]}]
    if k == 2:
        r["history"] = {"shifts": [{"shift_type": "day", "date": d} for d in ("2026-02-27", "2026-02-28",
                                                                               "2026-03-01")]}
    return r


CRAFTED: dict[str, Any] = {
    "name": "every rule active",
    "horizon": {"start": "2026-03-02", "end": "2026-03-15", "timezone": "Europe/Paris",
                "holidays": {"country": "FR"}},
    "jurisdictions": [{"id": "FR"}, {"id": "US-NY"}],
    "subspecialties": [{"id": "neuro"}],
    "shift_types": [
        {"id": "day", "start": "08:00", "end": "18:00", "kind": "day", "burden_points": 1},
        {"id": "evening", "start": "12:00", "end": "20:00", "kind": "evening", "burden_points": 1},
        {"id": "night", "start": "20:00", "end": "08:00", "kind": "night", "burden_points": 3},
    ],
    "rule_sets": [STD_RULES],
    "sites": [
        {"id": "A", "name": "Site A", "jurisdiction": "FR", "timezone": "Europe/Paris", "coverage": [
            {"shift_type": "night", "readers": 1, "studies": 10},
            {"shift_type": "day", "readers": 1, "max_readers": 2, "studies": 20},
            {"shift_type": "evening", "days": ["weekdays"], "subspecialty": "neuro", "readers": 1, "studies": 5},
        ]},
        {"id": "B", "name": "Site B", "jurisdiction": "US-NY", "timezone": "America/New_York", "coverage": [
            {"shift_type": "day", "days": ["weekdays"], "readers": 1, "studies": 10},
        ]},
    ],
    "radiologists": [_reader(k) for k in range(1, 9)],
    # fairness, workload and continuity make the optimum slow to prove; the checker still computes them
    "objective": {"fairness": 0, "workload": 0, "continuity": 0},
}


@functools.cache
def crafted() -> tuple[Scenario, SolveResult]:
    """The crafted scenario and its solved roster (solved once per test session)."""
    scenario = scenario_from_data(copy.deepcopy(CRAFTED))
    result = solve(scenario, time_limit=30, workers=2, seed=0, explain=False)
    return scenario, result


def test_crafted_roster_is_valid_and_fully_covered() -> None:
    scenario, result = crafted()
    assert result.status in SOLVED  # OPTIMAL in about 2 s on 2 cores
    assert result.check.violations == [], _messages(result.check)
    assert result.check.uncovered == []
    assert result.check.objective == result.objective


# ---- mutations ---------------------------------------------------------------------------------

Mutation = Callable[[Scenario, Roster], tuple[Scenario, Roster]]
PROBE = "probe"


def _edit(scenario: Scenario, fn: Callable[[dict[str, Any]], None]) -> Scenario:
    data = scenario.model_dump(mode="json")
    fn(data)
    return scenario_from_data(data)


def _reader_data(data: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in data["radiologists"] if r["id"] == rid)


def _add_probe(data: dict[str, Any]) -> None:
    """A site X needing every shift type every day (up to 50 readers, no studies), and a reader
    `probe` under the std rules who may cover only X: probe's shifts touch no other reader."""
    data["sites"].append({"id": "X", "name": "Site X", "jurisdiction": "FR", "timezone": "Europe/Paris",
                          "coverage": [{"shift_type": t, "days": ["all"], "readers": 1, "max_readers": 50}
                                       for t in ("day", "evening", "night")]})
    data["radiologists"].append({"id": PROBE, "name": "Dr Probe", "rule_set": "std",
                                 "licenses": [{"jurisdiction": "FR"}], "privileges": [{"site": "X"}]})


# the probe's valid baseline: two day shifts at the start of the horizon (a run touching the border)
PROBE_BASELINE = (("day", 0), ("day", 1))


def _with_probe(scenario: Scenario, roster: Roster, pattern: tuple[tuple[str, int], ...],
                edit: Callable[[dict[str, Any]], None] | None = None) -> tuple[Scenario, Roster]:
    """The scenario with site X and the probe; the roster plus the probe working `pattern`."""

    def fn(data: dict[str, Any]) -> None:
        _add_probe(data)
        if edit:
            edit(data)

    extra = tuple(Assignment(reader=PROBE, shift_type=t, date=day(k), sites=("X",)) for t, k in pattern)
    return _edit(scenario, fn), Roster(assignments=roster.assignments + extra)


def _probe(*pattern: tuple[str, int]) -> Mutation:
    def mutate(scenario: Scenario, roster: Roster) -> tuple[Scenario, Roster]:
        return _with_probe(scenario, roster, pattern)

    return mutate


def test_probe_baseline_is_valid() -> None:
    scenario, result = crafted()
    s, r = _with_probe(scenario, result.roster, PROBE_BASELINE)
    report = check(s, r)
    assert report.violations == [], _messages(report)


def _first(roster: Roster, site: str, shift_type: str | None = None) -> Assignment:
    return next(a for a in roster.assignments if site in a.sites and shift_type in (None, a.shift_type))


def _tweak_reader_of(site: str, shift_type: str | None, change: Callable[[dict[str, Any], Assignment], None]
                     ) -> Mutation:
    """Change the scenario data of the reader of the first assignment covering `site`."""

    def mutate(scenario: Scenario, roster: Roster) -> tuple[Scenario, Roster]:
        a = _first(roster, site, shift_type)
        return _edit(scenario, lambda data: change(_reader_data(data, a.reader), a)), roster

    return mutate


def _drop_license(r: dict[str, Any], a: Assignment) -> None:
    r["licenses"] = [x for x in r["licenses"] if x["jurisdiction"] != "FR"]


def _expire_license(r: dict[str, Any], a: Assignment) -> None:
    for x in r["licenses"]:
        if x["jurisdiction"] == "FR":
            x["valid_from"], x["valid_until"] = "2026-01-01", (a.date - dt.timedelta(days=1)).isoformat()


def _drop_privileges(r: dict[str, Any], a: Assignment) -> None:
    r["privileges"] = [x for x in r["privileges"] if x["site"] != "A"]


def _leave(r: dict[str, Any], a: Assignment) -> None:
    r["leave"] = [*r.get("leave", []), {"start": a.date.isoformat(), "end": a.date.isoformat()}]


def _drop_subspecialty(r: dict[str, Any], a: Assignment) -> None:
    r["subspecialties"] = []


def _disallow_type(r: dict[str, Any], a: Assignment) -> None:
    r["allowed_shift_types"] = [t for t in ("day", "evening", "night") if t != a.shift_type]


def _slow_reader(r: dict[str, Any], a: Assignment) -> None:
    r["studies_per_hour"] = 0.5  # 5 studies in a 10 h day, 6 in a night, 4 in an evening


def _unneeded_shift(scenario: Scenario, roster: Roster) -> tuple[Scenario, Roster]:
    """The probe works the evenings of the first weekend, which no site needs once X, like A, needs
    evenings on weekdays only."""

    def edit(data: dict[str, Any]) -> None:
        x = next(s for s in data["sites"] if s["id"] == "X")
        x["coverage"] = [n if n["shift_type"] != "evening" else {**n, "days": ["weekdays"]} for n in x["coverage"]]

    return _with_probe(scenario, roster, (("evening", 5), ("evening", 6)), edit=edit)


def _over_cap(scenario: Scenario, roster: Roster) -> tuple[Scenario, Roster]:
    """The probe covers A on the night of day 0 as well as X; A's night takes one reader and has one."""
    assert any(a.shift_type == "night" and a.date == day(0) and "A" in a.sites for a in roster.assignments)

    def edit(data: dict[str, Any]) -> None:
        _reader_data(data, PROBE)["privileges"].append({"site": "A"})

    s, r = _with_probe(scenario, roster, (("night", 1),), edit=edit)
    extra = Assignment(reader=PROBE, shift_type="night", date=day(0), sites=("A", "X"))
    return s, Roster(assignments=r.assignments + (extra,))


# name -> (mutation, expected rule, other rules the same edit unavoidably breaks, the probe is to blame)
MUTATIONS: dict[str, tuple[Mutation, str, frozenset[str], bool]] = {
    "no_license": (_tweak_reader_of("A", None, _drop_license), eligibility.NAME, frozenset(), False),
    "license_expired": (_tweak_reader_of("A", None, _expire_license), eligibility.NAME, frozenset(), False),
    "no_privileges": (_tweak_reader_of("A", None, _drop_privileges), eligibility.NAME, frozenset(), False),
    "on_leave": (_tweak_reader_of("A", None, _leave), eligibility.NAME, frozenset(), False),
    "no_subspecialty": (_tweak_reader_of("A", "evening", _drop_subspecialty), eligibility.NAME, frozenset(), False),
    "type_not_allowed": (_tweak_reader_of("A", "night", _disallow_type), eligibility.NAME, frozenset(), False),
    "unneeded_shift": (_unneeded_shift, eligibility.NAME, frozenset(), True),
    "two_shifts_same_day": (_probe(*PROBE_BASELINE, ("evening", 0)), one_shift_per_day.NAME,
                            frozenset({rest.NAME}), True),
    "staffing_cap": (_over_cap, coverage.CAP, frozenset(), False),
    "capacity": (_tweak_reader_of("A", None, _slow_reader), capacity.NAME, frozenset(), False),
    "rest": (_probe(("evening", 0), ("day", 1)), rest.NAME, frozenset(), True),
    "max_consecutive_days": (_probe(*(("day", k) for k in range(5))), consecutive.NAME, frozenset(), True),
    "max_consecutive_nights": (_probe(*(("night", k) for k in range(4))), nights.NAME, frozenset(), True),
    "days_off_after_nights": (_probe(("night", 0), ("night", 1), ("evening", 4), ("evening", 5), ("evening", 6)),
                              nights.OFF, frozenset(), True),
    "rolling_7_day_hours": (_probe(*(("day", k) for k in range(1, 5)), ("night", 7), ("night", 8)),
                            hours.NAME, frozenset(), True),
    "total_hours": (_probe(("evening", 0)), hours.TOTAL, frozenset(), True),
    "max_weekends": (_probe(("day", 5), ("day", 6), ("day", 12), ("day", 13)), weekends.NAME, frozenset(), True),
    "incomplete_weekend": (_probe(("day", 4), ("day", 5)), weekends.COMPLETE, frozenset(), True),
    "forbidden_succession": (_probe(("evening", 0), ("night", 1)), successions.NAME, frozenset(), True),
    "shift_limits": (_probe(*(("evening", k) for k in range(4))), shift_limits.NAME, frozenset(), True),
    "min_consecutive_days": (_probe(("day", 2)), runs.NAME, frozenset(), True),
    "min_consecutive_days_off": (_probe(("day", 0), ("day", 1), ("day", 3), ("day", 4)), runs.OFF,
                                 frozenset(), True),
}


def test_rule_names_are_the_documented_ones() -> None:
    assert [eligibility.NAME, one_shift_per_day.NAME, coverage.CAP, capacity.NAME, rest.NAME, consecutive.NAME,
            nights.NAME, nights.OFF, hours.NAME, hours.TOTAL, weekends.NAME, weekends.COMPLETE, successions.NAME,
            shift_limits.NAME, runs.NAME, runs.OFF, coverage.NAME] == [
        "eligibility", "one_shift_per_day", "staffing_cap", "capacity", "rest", "max_consecutive_days",
        "max_consecutive_nights", "days_off_after_nights", "max_hours_rolling_7_days", "total_hours",
        "max_weekends", "complete_weekends", "forbidden_succession", "shift_limits", "min_consecutive_days",
        "min_consecutive_days_off", "uncovered"]


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_checker_reports_injected_violation(kind: str) -> None:
    scenario, result = crafted()
    assert result.status in SOLVED and result.check.violations == []
    mutate, rule, also, by_probe = MUTATIONS[kind]
    s, r = mutate(scenario, result.roster)
    report = check(s, r)
    found = _rules(report)
    assert rule in found, _messages(report)
    assert found <= {rule} | also, _messages(report)
    if by_probe:
        assert {v.reader for v in report.violations if v.rule == rule} == {PROBE}


def test_removing_an_assignment_leaves_a_need_uncovered() -> None:
    scenario, result = crafted()
    assert result.check.uncovered == [] and result.check.terms["uncovered"] == 0
    gone = _first(result.roster, "A", "night")
    roster = Roster(assignments=tuple(a for a in result.roster.assignments if a != gone))
    report = check(scenario, roster)
    assert [(u.site, u.shift_type, u.date, u.missing) for u in report.uncovered] == [("A", "night", gone.date, 1)]
    assert report.terms["uncovered"] > 0
    assert report.objective > result.objective


# ---- random additions to a valid roster ----------------------------------------------------------


@st.composite
def extra_assignment(draw) -> Assignment:
    """Any reader, shift type and date (a few just outside the horizon), any sites (an unknown one too)."""
    scenario, _ = crafted()
    h = scenario.horizon
    return Assignment(
        reader=draw(st.sampled_from([r.id for r in scenario.radiologists])),
        shift_type=draw(st.sampled_from([t.id for t in scenario.shift_types])),
        date=draw(st.dates(h.start - dt.timedelta(days=2), h.end + dt.timedelta(days=2))),
        sites=tuple(draw(st.lists(st.sampled_from(("A", "B", "A", "B", "Z")), min_size=1, max_size=2))),
    )


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(extra_assignment())
def test_adding_an_assignment_never_crashes_the_checker(extra: Assignment) -> None:
    scenario, result = crafted()
    base = result.check
    report = check(scenario, Roster(assignments=result.roster.assignments + (extra,)))
    weights = scenario.objective
    assert report.weighted == {k: v * getattr(weights, k) for k, v in report.terms.items()}
    assert report.objective == sum(report.weighted.values())
    # more coverage never leaves more uncovered
    assert report.terms["uncovered"] <= base.terms["uncovered"]
    found = _rules(report)
    if any(a.reader == extra.reader and a.date == extra.date for a in result.roster.assignments):
        assert one_shift_per_day.NAME in found, _messages(report)
    if not report.violations and result.status == "OPTIMAL":
        # a valid roster is no better than the optimum
        assert report.objective >= result.objective


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_data())
def test_fast_eligibility_equals_the_reasons_in_words(data: dict[str, Any]) -> None:
    """`Instance.eligible` (set lookups first) says exactly what `ineligibility_reasons` says."""
    from scheduler.instance import build_instance

    inst = build_instance(scenario_from_data(data))
    slow = {}
    for r in inst.readers:
        for s in inst.shifts:
            sites = tuple(d.site for d in inst.demands_by_shift[s.index] if not inst.ineligibility_reasons(r, s, d))
            if sites:
                slow[(r.id, s.index)] = sites
    assert inst.eligible == slow
