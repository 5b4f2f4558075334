"""Workload: working minutes (history hours included, at each shift's work fraction) shared by FTE.

Term = sum over readers of floor(|A*F - f*T| / (F*6)), A and T in minutes (tenths of an hour).
"""

from __future__ import annotations

from scheduler.rules import workload
from tests import factory
from tests.rules.helpers_b import checked, counts, run, scenario, site

NO_FAIRNESS = {"fairness": 0}


def test_check_term_by_hand():
    """Nights 3/4 (42 h / 56 h) between two full-timers: each is 7 h = 70 tenths off the 49 h share."""
    scen = scenario()
    report = checked(scen, *[("r1", "night", k) for k in (0, 2, 4)], *[("r2", "night", k) for k in (1, 3, 5, 6)])
    # minutes 2520 / 3360, T = 5880, F = 2: |5040 - 5880| // 12 = 70 each
    assert report.terms[workload.NAME] == 140
    assert report.weighted[workload.NAME] == 1400


def test_check_history_hours_and_rounding_down():
    """10.5 history hours on r1 make the split 52.5 h / 56 h: 17.5 tenths each, floored to 17."""
    scen = scenario([factory.reader("r1", history={"work_hours": 10.5}), factory.reader("r2")])
    report = checked(scen, *[("r1", "night", k) for k in (0, 2, 4)], *[("r2", "night", k) for k in (1, 3, 5, 6)])
    # 3150 / 3360 minutes, T = 6510: |6300 - 6510| // 12 = 17 each
    assert report.terms[workload.NAME] == 34


def test_check_work_fraction_and_fte():
    """A 12 h on-call at half counts 6 h; a half-timer with two of them (12 h) matches a full-timer with four."""
    on_call = {"id": "oc", "start": "20:00", "end": "08:00", "kind": "on_call", "work_fraction": 0.5}
    scen = scenario([factory.reader("r1"), factory.reader("r2", fte=0.5)], sites=[site("oc")], shift_types=[on_call])
    fair = checked(scen, *[("r1", "oc", k) for k in range(4)], *[("r2", "oc", k) for k in (4, 5)])
    assert fair.terms[workload.NAME] == 0
    # one more for r1: 30 h / 12 h of 42 h, weights 2/1, F = 3: |1800*3 - 2*2520| // 18 = 20; |720*3 - 2520| // 18 = 20
    more = checked(scen, *[("r1", "oc", k) for k in range(5)], *[("r2", "oc", k) for k in (5, 6)])
    assert more.terms[workload.NAME] == 40


def test_history_hours_give_fewer_nights():
    """Without fairness, 42 history hours leave r1 exactly two nights (70 h each); without history, three or four."""
    heavy = run(scenario([factory.reader("r1", history={"work_hours": 42}), factory.reader("r2")],
                         objective=NO_FAIRNESS))
    assert heavy.status == "OPTIMAL"
    assert counts(heavy) == {"r1": 2, "r2": 5}
    assert heavy.terms[workload.NAME] == 0
    plain = run(scenario(objective=NO_FAIRNESS))
    assert sorted(counts(plain).values()) == [3, 4]
    assert plain.terms[workload.NAME] == 140


def test_half_timer_gets_fewer_hours():
    """Without fairness, a half-timer gets two of seven nights (28 h against a share of 32.7 h)."""
    result = run(scenario([factory.reader("r1"), factory.reader("r2", fte=0.5)], objective=NO_FAIRNESS))
    assert counts(result) == {"r1": 5, "r2": 2}
    # T = 5880 min, F = 3: r1 |4200*3 - 2*5880| // 18 = 46; r2 |1680*3 - 5880| // 18 = 46
    assert result.terms[workload.NAME] == 92


def test_workload_weight_zero_lets_continuity_decide():
    """With neither fairness nor workload weighed, nothing spreads the nights: one reader takes all seven."""
    result = run(scenario(objective={"fairness": 0, "workload": 0}))
    assert sorted(counts(result).values()) == [7]
    assert result.terms[workload.NAME] == 980  # 98 h vs 0 h: each 49 h = 490 tenths off the share
