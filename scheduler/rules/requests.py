"""Requests: a reader's wish to work (`want`) or not to work (`avoid`) a shift type, or any shift,
on given dates. Each date of a request not honoured costs the request's weight."""

from __future__ import annotations

import datetime as dt

from scheduler.rules.base import ModelVars, RosterView
from scheduler.scenario import Radiologist, Request

NAME = "requests"


def _matches(req: Request, type_id: str) -> bool:
    return req.shift_type is None or req.shift_type == type_id


def _in_horizon(v_days: list[dt.date], day: dt.date) -> bool:
    return v_days[0] <= day <= v_days[-1]


def term(v: ModelVars):
    inst = v.inst
    terms = []
    for r in inst.readers:
        for req in r.requests:
            for day in req.dates:
                if not _in_horizon(inst.days, day):
                    continue
                works = sum(
                    v.x[(r.id, s.index)]
                    for s in inst.shifts_by_day.get(inst.day_index(day), [])
                    if _matches(req, s.type_id) and (r.id, s.index) in v.x
                )
                terms.append(req.weight * (1 - works) if req.kind == "want" else req.weight * works)
    return sum(terms)


def outcomes(view: RosterView, r: Radiologist) -> list[tuple[Request, dt.date, bool]]:
    """(request, date, honoured) for each request date inside the horizon."""
    out = []
    for req in r.requests:
        for day in req.dates:
            if not _in_horizon(view.inst.days, day):
                continue
            works = any(s.date == day and _matches(req, s.type_id) for s in view.shifts(r.id))
            out.append((req, day, works == (req.kind == "want")))
    return out


def evaluate(view: RosterView) -> int:
    return sum(req.weight for r in view.inst.readers for req, _d, ok in outcomes(view, r) if not ok)
