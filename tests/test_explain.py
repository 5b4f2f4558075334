"""Explanations: why a month cannot be fully staffed, as a small set of facts in plain words."""

from __future__ import annotations

from scheduler.instance import build_instance
from scheduler.solver import solve
from scheduler.solver.explain import conflicts, explain
from tests import factory


def _stroke_centre(d: dict) -> dict:
    d["sites"].append({"id": "B", "name": "CHU Reims", "jurisdiction": "FR", "timezone": "Europe/Paris",
                       "coverage": [{"shift_type": "night", "subspecialty": "neuro", "readers": 1}]})
    return d


def test_leave_and_missing_privileges_explain_an_uncovered_night():
    """Nobody eligible: the explanation names the need and why each reader cannot take it."""
    d = _stroke_centre(factory.data())
    d["radiologists"] = [
        factory.reader("a", name="Dr Martin", sites=("A", "B"), subspecialties=["neuro"],
                       leave=[{"start": "2026-03-04", "end": "2026-03-05", "reason": "leave"}]),
        factory.reader("b", name="Dr Petit", sites=("A", "B"), subspecialties=["neuro"],
                       leave=[{"start": "2026-03-04", "end": "2026-03-04", "reason": "training"}]),
        factory.reader("c", name="Dr Roux", sites=("A",)),
        factory.reader("d", name="Dr Faure", sites=("A", "B")),
    ]
    result = solve(factory.build(d), time_limit=60, workers=2)
    assert [(u.site, u.date.isoformat(), u.subspecialty) for u in result.uncovered] == [("B", "2026-03-04", "neuro")]
    text = " ".join(result.explanation)
    assert "CHU Reims needs 1 neuro reader licensed for FR on the night of 4 Mar 2026" in text
    assert "no reader is eligible" in text
    assert "Dr Martin" in text and "on leave" in text
    assert "Dr Petit" in text and "training" in text
    assert "Dr Roux has no privileges at CHU Reims" in text
    assert "Dr Faure is not a neuro reader" in text


def test_rest_after_a_night_is_named_as_the_blocking_rule():
    """The only neuro reader cannot do two 14 h nights in a row: rest is the reason given."""
    d = _stroke_centre(factory.data())
    d["radiologists"] = [
        factory.reader("a", name="Dr Martin", sites=("A", "B"), subspecialties=["neuro"],
                       leave=[{"start": "2026-03-06", "end": "2026-03-08", "reason": "leave"}]),
        factory.reader("b", name="Dr Petit", sites=("A", "B"), subspecialties=["neuro"]),
        factory.reader("c", name="Dr Roux", sites=("A",)),
    ]
    result = solve(factory.build(d), time_limit=60, workers=2)
    assert result.terms["uncovered"] == 1
    text = " ".join(result.explanation)
    assert "the only eligible reader is Dr Petit" in text
    assert "Dr Petit must rest 11 h after a night" in text
    assert result.check.violations == []


def test_conflicting_hard_rules_make_the_solve_infeasible_and_are_explained():
    """A minimum of nights above what leave allows is INFEASIBLE, and the limit is named."""
    d = factory.data()
    d["radiologists"][0]["shift_limits"] = {"night": {"min": 5}}
    d["radiologists"][0]["leave"] = [{"start": "2026-03-02", "end": "2026-03-06"}]
    result = solve(factory.build(d), time_limit=60, workers=2)
    assert result.status == "INFEASIBLE"
    assert result.roster.assignments == ()
    text = " ".join(result.explanation)
    assert "Dr 1 must work at least 5 night shifts (eligible for 2)" in text


def test_fully_coverable_scenario_has_no_conflict():
    """When every need can be met, the explainer finds nothing to say."""
    inst = build_instance(factory.build())
    assert conflicts(inst, budget_s=10) == []
    assert explain(inst, None, budget_s=10) == []


def test_conflicts_are_shrunk_to_the_needs_involved():
    """The reported conflict keeps only the need and rules that clash, not the whole month."""
    d = factory.data()
    d["radiologists"] = [factory.reader("solo")]
    inst = build_instance(factory.build(d))
    found = conflicts(inst, budget_s=20)
    assert found
    for core in found:
        needs = [k for k in core if k[0] == "coverage"]
        rules = [k for k in core if k[0] != "coverage"]
        # two consecutive nights and the rest rule between them
        assert len(needs) == 2
        assert len(rules) == 1 and rules[0][0] == "rest"


def test_missing_subspecialty_is_named_when_other_readers_are_eligible():
    """A site needing a neuro reader and another reader: eligible readers exist, none of them neuro."""
    d = factory.data()
    d["sites"][0]["coverage"] = [{"shift_type": "night", "subspecialty": "neuro", "readers": 1},
                                 {"shift_type": "night", "readers": 1}]
    result = solve(factory.build(d), time_limit=60, workers=2)
    assert result.terms["uncovered"] == 7
    text = " ".join(result.explanation)
    assert "Site A needs 1 neuro reader and 1 more reader licensed for FR on the night of" in text
    assert "3 readers are eligible, none of them neuro" in text
    assert result.check.violations == []
