"""The independent checker: every hard rule and objective term recomputed in plain Python.

It imports nothing from OR-Tools. A disagreement with the solver is a bug in one of them.
"""

from __future__ import annotations

from scheduler.instance import Instance, build_instance
from scheduler.result import CheckReport, Roster
from scheduler.rules import HARD, SOFT, coverage
from scheduler.rules.base import RosterView
from scheduler.scenario import Scenario


def check(scenario: Scenario | Instance, roster: Roster) -> CheckReport:
    """Violations of every hard rule, the uncovered needs, and each objective term of `roster`."""
    inst = scenario if isinstance(scenario, Instance) else build_instance(scenario)
    view = RosterView(inst, roster)
    violations = [v for rule in HARD for v in rule.check(view)]
    weights = inst.scenario.objective
    terms = {name: int(module.evaluate(view)) for name, module in SOFT}
    weighted = {name: value * getattr(weights, name) for name, value in terms.items()}
    return CheckReport(
        violations=violations,
        uncovered=coverage.uncovered(view),
        terms=terms,
        weighted=weighted,
        objective=sum(weighted.values()),
    )
