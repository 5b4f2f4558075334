"""Reader-shifts: every reader called in costs one, so remote reading packs sites onto few readers."""

from __future__ import annotations

from scheduler.check import check
from scheduler.result import Assignment, Roster
from scheduler.rules import reader_shifts
from tests import factory
from tests.rules.conftest import solve_checked


def _two_small_sites(weight: int) -> factory.Scenario:
    d = factory.data()
    d["sites"] = [
        {"id": s, "name": f"Site {s}", "jurisdiction": "FR", "timezone": "Europe/Paris",
         "coverage": [{"shift_type": "night", "readers": 1, "studies": 20}]}
        for s in ("A", "B")
    ]
    d["radiologists"] = [factory.reader(f"r{k}", sites=("A", "B")) for k in (1, 2, 3, 4)]
    d["objective"] = {"reader_shifts": weight, "fairness": 0, "workload": 0, "continuity": 0}
    return factory.build(d)


def test_encode_packs_both_sites_onto_one_reader_per_night():
    """Two small sites fit one reader's capacity: one reader per night covers both."""
    result = solve_checked(_two_small_sites(1000))
    assert result.terms[reader_shifts.NAME] == 7
    assert all(len(a.sites) == 2 for a in result.roster.assignments)


def _both_want_monday(weight: int) -> factory.Scenario:
    d = _two_small_sites(weight).model_dump(mode="json", exclude_defaults=True)
    want = [{"kind": "want", "dates": ["2026-03-02"], "weight": 5}]
    d["radiologists"][0]["requests"] = want
    d["radiologists"][1]["requests"] = want
    return factory.build(d)


def test_encode_does_not_bite_without_weight():
    """Without the term, two readers who both asked for Monday's night split its two sites."""
    result = solve_checked(_both_want_monday(0))
    assert result.terms["requests"] == 0


def test_encode_bites_when_a_reader_costs_more_than_a_request():
    """When a reader-shift costs more than an unmet request, one reader covers both sites on Monday."""
    result = solve_checked(_both_want_monday(100_000))
    assert result.terms["requests"] == 5
    assert result.terms[reader_shifts.NAME] == 7


def test_check_counts_every_assignment():
    """The checker counts one per (reader, shift) assignment, whatever the number of sites covered."""
    scenario = _two_small_sites(1000)
    roster = Roster(assignments=(
        Assignment(reader="r1", shift_type="night", date="2026-03-02", sites=("A", "B")),
        Assignment(reader="r2", shift_type="night", date="2026-03-03", sites=("A",)),
        Assignment(reader="r3", shift_type="night", date="2026-03-03", sites=("B",)),
    ))
    report = check(scenario, roster)
    assert report.terms[reader_shifts.NAME] == 3
    assert report.weighted[reader_shifts.NAME] == 3000
    assert check(scenario, Roster()).terms[reader_shifts.NAME] == 0
