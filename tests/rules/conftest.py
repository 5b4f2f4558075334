"""Helpers shared by the per-rule tests: a checked solve and small roster builders.

Plain functions (imported with `from tests.rules.conftest import ...`), not fixtures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from scheduler.check import check
from scheduler.result import Assignment, Roster, SolveResult, Violation
from scheduler.scenario import Scenario
from scheduler.solver.solve import solve
from tests import factory

# The factory's week: Monday 2 March 2026 to Sunday 8 March 2026 (no French holiday).
MON, TUE, WED, THU, FRI, SAT, SUN = WEEK = tuple(dt.date(2026, 3, 2) + dt.timedelta(days=k) for k in range(7))

# A rule set that constrains nothing, so a test can switch on just the rule it is about.
FREE_RULES: dict[str, Any] = {"id": "std", "min_rest_hours": 0, "rest_after_night_hours": 0}

# Objective weights that leave only coverage, requests and overstaffing in play.
PLAIN_OBJECTIVE: dict[str, int] = {"fairness": 0, "workload": 0, "continuity": 0, "reader_shifts": 0}


def solve_checked(scenario: Scenario, *, optimal: bool = True, **kw: Any) -> SolveResult:
    """Solve, then require that the independent checker accepts the roster and agrees on the objective."""
    kw.setdefault("time_limit", 60)
    kw.setdefault("workers", 2)
    kw.setdefault("explain", False)
    result = solve(scenario, **kw)
    if optimal:
        assert result.status == "OPTIMAL", result.status
    else:
        assert result.has_solution, result.status
    assert result.check is not None
    assert result.check.violations == [], result.check.violations
    assert result.check.objective == result.objective, (result.check.terms, result.terms)
    return result


def scenario(
    *,
    rules: dict[str, Any] | None = None,
    readers: list[dict[str, Any]] | None = None,
    coverage: list[dict[str, Any]] | None = None,
    **top: Any,
) -> Scenario:
    """The factory scenario with one site A, FREE_RULES, one reader r1, and the given overrides."""
    d = factory.data(**top)
    d["rule_sets"] = [rules if rules is not None else dict(FREE_RULES)]
    d["radiologists"] = readers if readers is not None else [factory.reader("r1")]
    if coverage is not None:
        d["sites"][0]["coverage"] = coverage
    return factory.build(d)


def roster(*rows: tuple[Any, ...]) -> Roster:
    """Rows (reader, shift_type, date) or (reader, shift_type, date, sites); sites default to ("A",)."""
    out = []
    for row in rows:
        reader, shift_type, date = row[:3]
        sites = row[3] if len(row) > 3 else ("A",)
        out.append(Assignment(reader=reader, shift_type=shift_type, date=date, sites=tuple(sites)))
    return Roster(assignments=tuple(out))


def violations(scenario: Scenario, r: Roster, rule: str) -> list[Violation]:
    """The checker's violations of `rule` for roster `r`."""
    return [v for v in check(scenario, r).violations if v.rule == rule]


def uncovered(result: SolveResult) -> list[tuple[str, str, dt.date, int]]:
    """(site, shift type, date, missing) for every need the solved roster leaves short."""
    assert result.check is not None
    return sorted((u.site, u.shift_type, u.date, u.missing) for u in result.check.uncovered)


def missing(result: SolveResult) -> int:
    """Total readers missing over all needs."""
    return sum(m for *_, m in uncovered(result))


def worked(result: SolveResult, reader: str) -> set[tuple[str, dt.date]]:
    """(shift type, date) of every shift `reader` works in the solved roster."""
    return {(a.shift_type, a.date) for a in result.roster.assignments if a.reader == reader}
