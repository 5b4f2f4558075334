"""Over-staffing: each reader covering a site beyond its need (up to `max_readers`) costs a little."""

from __future__ import annotations

from collections import Counter

from scheduler.rules import overstaffing
from scheduler.solver import solve
from tests import factory
from tests.rules.helpers_b import checked, counts, rule_set, run, scenario, site

SPARE = [site("night", max_readers=2)]  # one reader needed, a second allowed


def per_night(result) -> Counter:
    return Counter(a.date for a in result.roster.assignments)


def test_check_term_by_hand():
    """Three readers on Monday and two on Tuesday, one needed, three allowed: 2 + 1 extra readers."""
    scen = scenario([factory.reader(f"r{k}") for k in (1, 2, 3)], sites=[site("night", max_readers=3)])
    rows = [(r, "night", 0) for r in ("r1", "r2", "r3")] + [(r, "night", 1) for r in ("r1", "r2")]
    rows += [("r3", "night", k) for k in range(2, 7)]
    report = checked(scen, *rows)
    assert report.terms[overstaffing.NAME] == 3
    assert report.weighted[overstaffing.NAME] == 3
    assert report.violations == []
    assert checked(scen, *[("r1", "night", k) for k in range(7)]).terms[overstaffing.NAME] == 0


def test_check_counts_per_site():
    """A reader covering two sites adds to neither's over-staffing; extra readers count at their own site."""
    both = [site("night", "A", max_readers=2), site("night", "B", max_readers=2)]
    readers = [factory.reader("r1", sites=("A", "B")), factory.reader("r2", sites=("A", "B"))]
    scen = scenario(readers, sites=both)
    assert checked(scen, ("r1", "night", 0, ("A", "B"))).terms[overstaffing.NAME] == 0
    assert checked(scen, ("r1", "night", 0, ("A", "B")), ("r2", "night", 0, ("A",))).terms[overstaffing.NAME] == 1
    assert checked(scen, ("r1", "night", 0, ("A", "B")), ("r2", "night", 0, ("A", "B"))).terms[overstaffing.NAME] == 2


def test_spare_reader_used_when_it_buys_fairness():
    """Seven nights split 3/4 are unfair; one doubled night (8 = 4 + 4) is worth one unit of over-staffing."""
    result = run(scenario(sites=SPARE, objective={"continuity": 0}))
    assert result.status == "OPTIMAL"
    assert result.terms[overstaffing.NAME] == 1
    assert result.terms["fairness"] == 0
    assert counts(result) == {"r1": 4, "r2": 4}
    assert sorted(per_night(result).values()) == [1] * 6 + [2]


def test_continuity_cannot_be_bought_with_extra_readers():
    """Extra readers do not reduce continuity changes, so doubling every night buys nothing."""
    result = run(scenario(sites=SPARE))
    assert result.status == "OPTIMAL"
    assert result.terms[overstaffing.NAME] <= 1
    assert sum(counts(result).values()) <= 8


def test_expensive_overstaffing_is_not_used():
    """When each extra reader costs more than the unfairness it removes, nobody is doubled."""
    result = run(scenario(sites=SPARE, objective={"overstaffing": 100_000}))
    assert result.terms[overstaffing.NAME] == 0
    assert sorted(counts(result).values()) == [3, 4]
    assert set(per_night(result).values()) == {1}


def test_no_spare_capacity_without_max_readers():
    """Without max_readers above the need, no night gets a second reader even though it would be fairer."""
    result = run(scenario())
    assert result.terms[overstaffing.NAME] == 0
    assert set(per_night(result).values()) == {1}


def test_minimum_nights_force_overstaffing():
    """Two readers each required to work all seven nights double every night: seven extra readers."""
    rules = [rule_set(shift_limits={"night": {"min": 7}})]
    result = run(scenario(rule_sets=rules, sites=SPARE))
    assert result.terms[overstaffing.NAME] == 7
    assert counts(result) == {"r1": 7, "r2": 7}
    capped = scenario(rule_sets=rules)
    assert solve(capped, time_limit=60, workers=2, explain=False).status == "INFEASIBLE"
