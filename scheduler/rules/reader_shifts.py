"""Reader-shifts: each reader called in for a shift costs one. Remote reading lets one reader cover
several sites within capacity, so the fewest readers that can meet the needs are called in; without
this, spreading sites over more readers would look fairer at no cost."""

from __future__ import annotations

from scheduler.rules.base import ModelVars, RosterView

NAME = "reader_shifts"


def term(v: ModelVars):
    return sum(v.x.values())


def evaluate(view: RosterView) -> int:
    return sum(len(worked) for worked in view.by_reader.values())
