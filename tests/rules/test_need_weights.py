"""Per-need weights and one-off needs: `dates`, `priority`, `overstaffing_weight`, `readers: 0`.

These let a need say exactly what a missing or an extra reader costs on one date, which is what
the staff-rostering benchmarks define (and what a coordinator needs for a one-off extra night).
"""

from __future__ import annotations

from scheduler.check import check
from scheduler.instance import build_instance
from tests import factory
from tests.rules.conftest import PLAIN_OBJECTIVE, TUE, WED, WEEK, roster, scenario, solve_checked


def test_a_need_with_dates_exists_only_on_those_dates():
    sc = scenario(coverage=[{"shift_type": "night", "dates": [TUE.isoformat(), WED.isoformat()]}],
                  objective=PLAIN_OBJECTIVE)
    inst = build_instance(sc)
    assert [s.date for s in inst.shifts] == [TUE, WED]
    result = solve_checked(sc)
    assert {a.date for a in result.roster.assignments} == {TUE, WED}


def test_a_need_priority_overrides_the_site_priority_for_its_shortfall():
    sc = scenario(coverage=[{"shift_type": "night", "dates": [TUE.isoformat()], "readers": 2, "priority": 7}],
                  objective=PLAIN_OBJECTIVE)
    # one reader only: one reader short on Tuesday, at the need's priority 7
    result = solve_checked(sc, coverage_first=False)
    assert result.terms["uncovered"] == 7
    assert check(sc, roster()).terms["uncovered"] == 14


def test_overstaffing_weight_prices_each_extra_reader():
    readers = [factory.reader("r1"), factory.reader("r2"), factory.reader("r3")]
    sc = scenario(readers=readers, coverage=[{"shift_type": "night", "dates": [TUE.isoformat()], "readers": 1,
                                              "max_readers": 3, "overstaffing_weight": 5}])
    extra = roster(("r1", "night", TUE), ("r2", "night", TUE), ("r3", "night", TUE))
    assert check(sc, extra).terms["overstaffing"] == 10
    # a want request of weight 1 each is not worth an extra reader at 5
    wants = [dict(r, requests=[{"kind": "want", "shift_type": "night", "dates": [TUE.isoformat()], "weight": 1}])
             for r in readers]
    result = solve_checked(scenario(readers=wants, coverage=list(sc.sites[0].coverage and [
        c.model_dump(mode="json") for c in sc.sites[0].coverage]), objective={**PLAIN_OBJECTIVE, "requests": 1}),
        coverage_first=False)
    assert len(result.roster.assignments) == 1 and result.objective == 2


def test_a_need_of_zero_readers_lets_the_shift_run_at_a_cost_per_reader():
    readers = [dict(factory.reader("r1"), requests=[{"kind": "want", "shift_type": "night",
                                                      "dates": [WED.isoformat()], "weight": 3}])]
    coverage = [{"shift_type": "night", "dates": [WED.isoformat()], "readers": 0, "max_readers": 2,
                 "overstaffing_weight": 1}]
    result = solve_checked(scenario(readers=readers, coverage=coverage, objective={**PLAIN_OBJECTIVE, "requests": 1}),
                           coverage_first=False)
    # working (cost 1 over) beats the unmet request (cost 3)
    assert [(a.reader, a.date) for a in result.roster.assignments] == [("r1", WED)]
    assert result.objective == 1


def test_coverage_first_false_leaves_a_need_short_when_that_is_cheaper():
    readers = [dict(factory.reader("r1"), requests=[{"kind": "avoid", "dates": [d.isoformat() for d in WEEK],
                                                      "weight": 100}])]
    coverage = [{"shift_type": "night", "dates": [TUE.isoformat()], "priority": 50}]
    sc = scenario(readers=readers, coverage=coverage, objective={**PLAIN_OBJECTIVE, "uncovered": 1, "requests": 1})
    assert solve_checked(sc, coverage_first=False).roster.assignments == ()
    # coverage first: the need is met whatever the request costs
    assert len(solve_checked(sc).roster.assignments) == 1
