"""Shared helpers for the rule tests of hours, weekends, successions, shift limits, runs and the
soft terms: small scenarios, hand-built rosters, and a solve that always goes through the checker."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from scheduler.check import check
from scheduler.result import Assignment, CheckReport, Roster, SolveResult, Violation
from scheduler.scenario import Scenario
from scheduler.solver import solve
from tests import factory

MON = dt.date(2026, 3, 2)  # the factory horizon runs Monday 2 to Sunday 8 March 2026

# A 10-hour day shift every day; 14 h of rest between two of them, so rest never interferes.
DAY = {"id": "d", "label": "day shift", "start": "08:00", "end": "18:00", "kind": "day", "burden_points": 1}
NIGHT = {"id": "night", "label": "night", "start": "18:30", "end": "08:30", "kind": "night", "burden_points": 3}


def day(k: int) -> dt.date:
    """The date `k` days after Monday 2 March 2026 (negative: before the horizon)."""
    return MON + dt.timedelta(days=k)


def rule_set(rid: str = "std", **rules: Any) -> dict[str, Any]:
    """A rule set with no rest requirement (rest is tested elsewhere), plus `rules`."""
    return {"id": rid, "min_rest_hours": 0, "rest_after_night_hours": 0, **rules}


def site(shift_type: str = "night", sid: str = "A", **need: Any) -> dict[str, Any]:
    """A site in France needing one reader on `shift_type` (need fields override)."""
    return {"id": sid, "name": f"Site {sid}", "jurisdiction": "FR", "timezone": "Europe/Paris",
            "coverage": [{"shift_type": shift_type, "readers": 1, "studies": 10, **need}]}


def scenario(
    readers: list[dict[str, Any]] | None = None,
    *,
    rule_sets: list[dict[str, Any]] | None = None,
    sites: list[dict[str, Any]] | None = None,
    shift_types: list[dict[str, Any]] | None = None,
    end: str | None = None,
    **top: Any,
) -> Scenario:
    """The factory scenario with these readers, rule sets, sites and shift types (defaults: two
    readers r1 and r2, one rest-free rule set `std`, site A needing one reader every night)."""
    d = factory.data(**top)
    d["radiologists"] = readers if readers is not None else [factory.reader("r1"), factory.reader("r2")]
    d["rule_sets"] = rule_sets if rule_sets is not None else [rule_set()]
    d["sites"] = sites if sites is not None else [site()]
    d["shift_types"] = shift_types if shift_types is not None else [NIGHT, DAY]
    if end is not None:
        d["horizon"] = {**d["horizon"], "end": end}
    return factory.build(d)


def run(scen: Scenario, **kw: Any) -> SolveResult:
    """Solve (10 s, 2 workers) and assert the checker agrees with the solver on the roster found."""
    result = solve(scen, time_limit=60, workers=2, explain=False, **kw)
    assert result.has_solution, result.status
    assert_agrees(result)
    return result


def assert_agrees(result: SolveResult) -> None:
    """The solver's roster breaks no hard rule, and the checker recomputes its objective exactly."""
    assert result.check is not None
    assert result.check.violations == []
    assert result.check.objective == result.objective
    assert result.terms == result.check.terms


def roster(*rows: tuple[Any, ...]) -> Roster:
    """Assignments from (reader, shift type, date or day offset[, sites]) tuples."""
    out = []
    for row in rows:
        rid, st, when = row[:3]
        sites = row[3] if len(row) > 3 else ("A",)
        date = day(when) if isinstance(when, int) else when
        out.append(Assignment(reader=rid, shift_type=st, date=date, sites=tuple(sites)))
    return Roster(assignments=tuple(out))


def violations(report: CheckReport, name: str) -> list[Violation]:
    return [v for v in report.violations if v.rule == name]


def checked(scen: Scenario, *rows: tuple[Any, ...]) -> CheckReport:
    return check(scen, roster(*rows))


def counts(result: SolveResult, shift_type: str | None = None) -> Counter[str]:
    """Shifts per reader in the solved roster (readers with none are absent)."""
    return Counter(a.reader for a in result.roster.assignments if shift_type in (None, a.shift_type))


def dates_of(result: SolveResult, reader: str) -> set[dt.date]:
    return {a.date for a in result.roster.assignments if a.reader == reader}


def uncovered_dates(result: SolveResult) -> list[dt.date]:
    assert result.check is not None
    return sorted(u.date for u in result.check.uncovered for _ in range(u.missing))
