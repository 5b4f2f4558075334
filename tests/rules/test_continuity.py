"""Continuity: each reader covering a site on a night they did not cover it the night before counts one."""

from __future__ import annotations

from scheduler.rules import continuity
from tests import factory
from tests.rules.helpers_b import checked, counts, rule_set, run, scenario, site

BOTH = [site("night", "A"), site("night", "B", days=["mon", "tue", "wed"])]


def test_check_blocks_by_hand():
    """r1 Mon-Tue, r2 Wed-Thu, r1 Fri-Sun: two changes (Wed and Fri); the first night is not counted."""
    scen = scenario()
    rows = [("r1", "night", k) for k in (0, 1, 4, 5, 6)] + [("r2", "night", k) for k in (2, 3)]
    assert checked(scen, *rows).terms[continuity.NAME] == 2
    assert checked(scen, *[("r1", "night", k) for k in range(7)]).terms[continuity.NAME] == 0


def test_check_alternating_by_hand():
    """Alternating readers every night change the reader six times in seven nights."""
    scen = scenario()
    rows = [("r1" if k % 2 else "r2", "night", k) for k in range(7)]
    assert checked(scen, *rows).terms[continuity.NAME] == 6


def test_check_counts_per_site_and_only_nights_both_needed():
    """Site B, needed Mon-Wed only, counts its own changes; its Thursday has no pair since B needs none."""
    readers = [factory.reader("r1", sites=("A", "B")), factory.reader("r2", sites=("A", "B"))]
    scen = scenario(readers, sites=BOTH)
    rows = [("r1", "night", k, ("A", "B")) for k in (0, 1)] + [("r2", "night", 2, ("A", "B"))]
    rows += [("r2", "night", k) for k in range(3, 7)]
    # A: r2 new on Wed (1); B: r2 new on Wed (1); A Thu-Sun: r2 continues
    report = checked(scen, *rows)
    assert report.terms[continuity.NAME] == 2
    assert report.violations == []
    # r2 alone on B on Wednesday, r1 keeps A: only B changes
    rows = [("r1", "night", k, ("A", "B")) for k in (0, 1)] + [("r1", "night", 2, ("A",)), ("r2", "night", 2, ("B",))]
    rows += [("r1", "night", k) for k in range(3, 7)]
    assert checked(scen, *rows).terms[continuity.NAME] == 1


def test_check_new_reader_joining_counts_even_if_one_stays():
    """With two readers needed, a second reader joining beside the one who stays counts one change."""
    scen = scenario([factory.reader(f"r{k}") for k in (1, 2, 3)], sites=[site("night", readers=2)])
    rows = [(r, "night", k) for k in range(7) for r in (("r1", "r2") if k < 3 else ("r1", "r3"))]
    assert checked(scen, *rows).terms[continuity.NAME] == 1


def test_solver_keeps_blocks_under_fairness():
    """Fairness forces a 3/4 split of seven nights; continuity makes it two blocks, one change."""
    result = run(scenario())
    assert result.status == "OPTIMAL"
    assert sorted(counts(result).values()) == [3, 4]
    assert result.terms[continuity.NAME] == 1
    nights = sorted(result.roster.assignments, key=lambda a: a.date)
    changes = sum(1 for a, b in zip(nights, nights[1:], strict=False) if a.reader != b.reader)
    assert changes == 1


def test_solver_one_reader_when_only_continuity_counts():
    """With fairness and workload off, one reader takes all seven nights: no change at all."""
    result = run(scenario(objective={"fairness": 0, "workload": 0}))
    assert sorted(counts(result).values()) == [7]
    assert result.terms[continuity.NAME] == 0


def test_rest_forces_alternation():
    """With 11 h rest after a night (no consecutive nights), the two readers must alternate: six changes."""
    result = run(scenario(rule_sets=[rule_set(rest_after_night_hours=11)]))
    assert result.check.uncovered == []
    assert result.terms[continuity.NAME] == 6
