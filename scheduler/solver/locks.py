"""Locked assignments: what a coordinator fixed by hand stays as it is when the roster is re-solved.

An assignment with `locked=True` in the roster given to `solve(initial=...)` is imposed on the
model: the reader works that shift and covers at least those sites. Locks that cannot hold on
their own (the reader is not eligible there, or the shift does not exist) are refused before any
search, in words.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.instance import Instance, fmt_date
from scheduler.result import Assignment, Roster
from scheduler.solver.model import BuiltModel


class LockError(ValueError):
    """Locked assignments that cannot hold, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def locked_of(roster: Roster | None) -> tuple[Assignment, ...]:
    return tuple(a for a in roster.assignments if a.locked) if roster else ()


def lock_problems(inst: Instance, locked: Iterable[Assignment]) -> list[str]:
    """Why each impossible lock cannot hold (empty when every lock can be imposed)."""
    problems = []
    for a in locked:
        who = inst.reader_name(a.reader)
        shift = inst.shift_by_key.get((a.shift_type, a.date))
        if a.reader not in inst.scenario.radiologist_by_id:
            problems.append(f"locked {a.shift_type} of {fmt_date(a.date)}: no reader '{a.reader}' in the scenario")
            continue
        if shift is None:
            problems.append(f"{who} is locked on a {a.shift_type} shift of {fmt_date(a.date)}, which no site needs")
            continue
        eligible = set(inst.eligible.get((a.reader, shift.index), ()))
        reader = inst.scenario.radiologist_by_id[a.reader]
        for site in a.sites:
            if site in eligible:
                continue
            demand = inst.demands.get((site, shift.index))
            if demand is None:
                why = f"{inst.site_name(site) if site in inst.scenario.site_by_id else site} has no need then"
            else:
                why = "; ".join(inst.ineligibility_reasons(reader, shift, demand))
            problems.append(f"{who} is locked at {site} on the {inst.describe_shift(shift)}, but {why}")
    return problems


def impose(built: BuiltModel, locked: Iterable[Assignment]) -> None:
    """Fix every locked assignment in the model (call after `lock_problems` found nothing)."""
    v = built.vars
    for a in locked:
        i = v.inst.shift_by_key[(a.shift_type, a.date)].index
        built.model.add(v.x[(a.reader, i)] == 1)
        for site in a.sites:
            built.model.add(v.y[(a.reader, i, site)] == 1)


def mark_locked(roster: Roster, locked: Iterable[Assignment]) -> Roster:
    """The roster with the locked flag set again on the assignments that were locked."""
    keys = {(a.reader, a.shift_type, a.date) for a in locked}
    if not keys:
        return roster
    return Roster(
        assignments=tuple(
            a.model_copy(update={"locked": True}) if (a.reader, a.shift_type, a.date) in keys else a
            for a in roster.assignments
        )
    )
