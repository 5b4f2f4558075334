"""The independent checker: every hard rule and objective term recomputed in plain Python.

It imports nothing from OR-Tools. A disagreement with the solver is a bug in one of them.
"""

from __future__ import annotations

from collections import Counter

from scheduler.instance import Instance, build_instance
from scheduler.result import CheckReport, Roster, Violation
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


def added_violations(before: list[Violation], after: list[Violation]) -> list[Violation]:
    """The violations in `after` (the checker's, after a change) that make a rule worse than in
    `before` for its reader, or for its site's shift when no reader is named.

    A rule is made worse when the total amount of its violations grows, or stays the same while a
    violation appears that was not there: a reader below a minimum (hours, shifts of a type, a run
    length) who takes one more shift moves towards it, which is not a new break.
    """
    def group(v: Violation) -> tuple:
        return (v.rule, v.reader) if v.reader else (v.rule, None, v.site, v.date)

    old: dict[tuple, list[Violation]] = {}
    new: dict[tuple, list[Violation]] = {}
    for v in before:
        old.setdefault(group(v), []).append(v)
    for v in after:
        new.setdefault(group(v), []).append(v)
    out = []
    for g, now in new.items():
        was = old.get(g, [])
        fresh = Counter(now) - Counter(was)
        grown = sum(v.amount for v in now) - sum(v.amount for v in was)
        if fresh and grown >= -1e-9:
            for v in now:  # in the checker's order
                if fresh[v] > 0:
                    fresh[v] -= 1
                    out.append(v)
    return out
