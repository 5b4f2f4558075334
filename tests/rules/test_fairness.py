"""Fairness: burden points shared in proportion to FTE (leave-scaled), history burden included.

Term = sum over readers of floor(|A*F - f*T| * 10 / F): A the reader's burden (history included),
T the group total, f the reader's integer FTE weight (hundredths reduced by their gcd), F their sum.
"""

from __future__ import annotations

from scheduler.rules import fairness
from scheduler.scenario import ObjectiveWeights
from tests import factory
from tests.rules.helpers_b import checked, counts, run, scenario

NIGHTS = "night"  # 18:30-08:30, 3 burden points, needed every night at site A


def test_check_equal_fte_by_hand():
    """Nights 3/2/2 among three full-timers: burdens 9/6/6 of 21, deviations 20 + 10 + 10 tenths."""
    scen = scenario([factory.reader(f"r{k}") for k in (1, 2, 3)])
    report = checked(scen, *[(r, NIGHTS, k) for r, k in
                             (("r1", 0), ("r2", 1), ("r3", 2), ("r1", 3), ("r2", 4), ("r3", 5), ("r1", 6))])
    # F = 3, T = 21: r1 |9*3 - 21|*10//3 = 20; r2, r3 |6*3 - 21|*10//3 = 10
    assert report.terms[fairness.NAME] == 40
    assert report.weighted[fairness.NAME] == 40 * ObjectiveWeights().fairness


def test_check_fte_and_history_by_hand():
    """A half-timer and 5 history points on r3: weights 2/1/2, burdens 9/6/11 of 26, 14 + 8 + 6 tenths."""
    readers = [factory.reader("r1"), factory.reader("r2", fte=0.5),
               factory.reader("r3", history={"burden_points": 5})]
    scen = scenario(readers)
    report = checked(scen, *[(r, NIGHTS, k) for r, k in
                             (("r1", 0), ("r2", 1), ("r3", 2), ("r1", 3), ("r2", 4), ("r3", 5), ("r1", 6))])
    # F = 5, T = 9 + 6 + 11 = 26: r1 |45 - 52| = 7 -> 70//5 = 14; r2 |30 - 26| = 4 -> 8; r3 |55 - 52| = 3 -> 6
    assert report.terms[fairness.NAME] == 28


def test_check_leave_scales_fte_by_hand():
    """A full-timer on leave half of a two-week horizon weighs as a half-timer: 42 + 6 + 48 tenths."""
    leave = [{"start": "2026-03-02", "end": "2026-03-08"}]
    scen = scenario([factory.reader("r1"), factory.reader("r2", leave=leave), factory.reader("r3")],
                    end="2026-03-15")
    rows = ([("r1", NIGHTS, k) for k in (0, 2, 4, 6, 8, 10, 12)] + [("r3", NIGHTS, k) for k in (1, 3, 5, 7)]
            + [("r2", NIGHTS, k) for k in (9, 11, 13)])
    report = checked(scen, *rows)
    # fte units 100/50/100 -> weights 2/1/2, F = 5; burdens 21/9/12, T = 42
    # r1 |105 - 84| = 21 -> 42; r2 |45 - 42| = 3 -> 6; r3 |60 - 84| = 24 -> 48
    assert report.terms[fairness.NAME] == 96
    assert report.violations == []


def test_check_weekend_burden_points():
    """Weekend nights worth 5 points: a reader with both weekend nights carries 10 of 25 with one weekday more."""
    night = {"id": "night", "start": "18:30", "end": "08:30", "kind": "night", "burden_points": 3,
             "weekend_burden_points": 5}
    scen = scenario(shift_types=[night])
    report = checked(scen, *[("r1", NIGHTS, k) for k in (0, 5, 6)], *[("r2", NIGHTS, k) for k in (1, 2, 3, 4)])
    # r1 3 + 5 + 5 = 13, r2 12, T = 25, F = 2: |26 - 25| * 10 // 2 = 5 each
    assert report.terms[fairness.NAME] == 10


def test_history_burden_gives_fewer_nights():
    """With 15 history points, r1 gets exactly one of seven nights (18 = 18); without, three or four."""
    heavy = run(scenario([factory.reader("r1", history={"burden_points": 15}), factory.reader("r2")]))
    assert heavy.status == "OPTIMAL"
    assert counts(heavy) == {"r1": 1, "r2": 6}
    assert heavy.terms[fairness.NAME] == 0
    plain = run(scenario())
    assert sorted(counts(plain).values()) == [3, 4]
    # 9 vs 12 of 21: |9*2 - 21| * 10 // 2 = 15 each
    assert plain.terms[fairness.NAME] == 30


def test_fairness_weight_zero_ignores_history():
    """With the fairness weight at zero, history burden no longer matters: hours even out at three or four."""
    scen = scenario([factory.reader("r1", history={"burden_points": 15}), factory.reader("r2")],
                    objective={"fairness": 0})
    result = run(scen)
    assert sorted(counts(result).values()) == [3, 4]
    # T = 36, F = 2: k = 3 nights for r1 -> 24 vs 12, |48 - 36| * 10 // 2 = 60 each; k = 4 -> 27 vs 9, 90 each
    assert result.terms[fairness.NAME] in (120, 180)


def test_half_timer_gets_a_third():
    """A half-time reader gets two of seven nights (6 of 21 points against a share of 7)."""
    result = run(scenario([factory.reader("r1"), factory.reader("r2", fte=0.5)]))
    assert result.status == "OPTIMAL"
    assert counts(result) == {"r1": 5, "r2": 2}
    # F = 3, T = 21: r1 |15*3 - 42| * 10 // 3 = 10; r2 |6*3 - 21| * 10 // 3 = 10
    assert result.terms[fairness.NAME] == 20


def test_leave_scales_fte_in_the_solve():
    """A reader on leave half of two weeks gets five of fourteen nights, as a half-timer would."""
    leave = [{"start": "2026-03-02", "end": "2026-03-08"}]
    result = run(scenario([factory.reader("r1"), factory.reader("r2", leave=leave)], end="2026-03-15"))
    # 14 nights, T = 42, weights 2/1 (F = 3): k nights for r2 deviate |9k - 42| * 10 // 3 each; k = 5 gives 10
    assert result.status == "OPTIMAL"
    assert counts(result) == {"r1": 9, "r2": 5}
    assert result.terms[fairness.NAME] == 20
