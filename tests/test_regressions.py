"""Regressions found by the property tests (tests/test_properties.py), minimised to small fixed cases."""

from __future__ import annotations

from scheduler.check import check
from scheduler.result import Roster
from scheduler.solver import solve
from tests import factory


def test_infeasible_explanation_names_the_hard_rule_conflict_despite_uncoverable_needs():
    """An INFEASIBLE solve comes from hard rules alone (coverage is soft), yet with a few needs that
    nobody can cover, explain() used to spend all its conflicts (MAX_CONFLICTS = 5) on those needs and never
    named the rule conflict: Dr 3 must work at least one day shift, but day shifts run on weekends
    only and Dr 3 is on leave that weekend."""
    d = factory.data()
    d["jurisdictions"].append({"id": "US-NY"})
    d["rule_sets"] = [{"id": "std", "shift_limits": {"day": {"min": 1}}}]
    d["sites"][0]["coverage"].append({"shift_type": "day", "readers": 1})  # weekend day shifts at A
    d["sites"].append({"id": "B", "name": "Site B", "jurisdiction": "US-NY", "timezone": "America/New_York",
                       "coverage": [{"shift_type": "night", "readers": 1}]})
    d["radiologists"][2]["leave"] = [{"start": "2026-03-07", "end": "2026-03-08"}]
    scenario = factory.build(d)
    assert check(scenario, Roster()).violations  # the empty roster breaks the minimum too
    result = solve(scenario, time_limit=30, workers=2)
    assert result.status == "INFEASIBLE"
    assert result.explanation
    text = " ".join(result.explanation)
    assert "Dr 3" in text and "at least 1" in text, result.explanation
    assert "Dr 1" not in text and "Dr 2" not in text  # they can work a weekend day shift
