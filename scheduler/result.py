"""Roster, violations and solve results: what the solver produces and the checker judges."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Assignment(BaseModel):
    """A reader works one shift instance and covers these sites in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reader: str
    shift_type: str
    date: dt.date
    sites: tuple[str, ...] = Field(min_length=1)
    locked: bool = False


class Roster(BaseModel):
    """Who works what: one Assignment per (reader, shift instance)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    assignments: tuple[Assignment, ...] = ()

    def sorted(self) -> Roster:
        key = lambda a: (a.date, a.shift_type, a.reader)  # noqa: E731
        return Roster(assignments=tuple(sorted(self.assignments, key=key)))


@dataclass(frozen=True)
class Violation:
    """A broken hard rule, with who, when, where, and by how much."""

    rule: str
    message: str
    reader: str | None = None
    date: dt.date | None = None
    site: str | None = None
    amount: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat() if self.date else None
        return d


@dataclass(frozen=True)
class Uncovered:
    """A site's need on a shift instance that the roster leaves short."""

    site: str
    shift_type: str
    date: dt.date
    subspecialty: str | None
    missing: int
    priority: int
    message: str

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["date"] = self.date.isoformat()
        return d


@dataclass
class CheckReport:
    """The checker's verdict: hard violations, uncovered needs, and every objective term."""

    violations: list[Violation]
    uncovered: list[Uncovered]
    terms: dict[str, int]  # raw value of each objective term, in its documented unit
    weighted: dict[str, int]  # raw value x weight
    objective: int

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def fully_covered(self) -> bool:
        return not self.uncovered


@dataclass
class Progress:
    """One point of solver progress: a new solution or a better bound."""

    elapsed: float
    objective: float | None
    bound: float | None

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """|objective - bound| / max(1, |objective|), or None when either is unknown."""
    if objective is None or bound is None:
        return None
    return abs(objective - bound) / max(1.0, abs(objective))


@dataclass
class SolveResult:
    """Everything a solve produced: status, roster, objective by term, bound, gap, timings, stats."""

    status: str
    roster: Roster
    objective: int | None
    bound: float | None
    terms: dict[str, int]
    weighted: dict[str, int]
    check: CheckReport | None
    timings: dict[str, float]
    stats: dict[str, Any]
    explanation: list[str] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        return relative_gap(self.objective, self.bound)

    @property
    def uncovered(self) -> list[Uncovered]:
        return self.check.uncovered if self.check else []

    @property
    def has_solution(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")
