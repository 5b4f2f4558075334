"""Eligibility: a reader covers a site on a shift only with a license for the site's jurisdiction
and privileges at the site valid on every date the shift touches, the subspecialty the need asks
for, no leave on the start date, and permission to work that shift type.

The solver makes this structural (no variable exists for an ineligible pair); the check re-derives
it from the scenario for every covered site of every assignment.
"""

from __future__ import annotations

from scheduler.result import Violation
from scheduler.rules.base import ModelVars, RosterView

NAME = "eligibility"


def encode(v: ModelVars) -> None:
    """Nothing to add: only eligible (reader, shift, site) triples get a variable."""


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    out: list[Violation] = []
    by_reader = view.by_reader  # indexing the roster is what fills view.unknown
    for assignment, why in view.unknown:
        out.append(Violation(NAME, f"assignment {assignment.reader} {assignment.shift_type} {assignment.date}: {why}",
                             assignment.reader if "reader" not in why else None, assignment.date))
    for r in inst.readers:
        for w in by_reader[r.id]:
            shift = w.shift
            what = inst.describe_shift(shift)
            if shift.index < 0:
                out.append(Violation(NAME, f"{r.display} works the {what}, which no site needs", r.id, shift.date))
                continue
            if len(set(w.sites)) != len(w.sites):
                out.append(Violation(NAME, f"{r.display} lists a site twice on the {what}", r.id, shift.date))
            for site in w.sites:
                demand = inst.demands.get((site, shift.index))
                if demand is None:
                    known = site in inst.scenario.site_by_id
                    text = f"{inst.site_name(site)} has no need on the {what}" if known else f"unknown site {site!r}"
                    out.append(
                        Violation(NAME, f"{r.display} covers {site} on the {what}: {text}", r.id, shift.date, site)
                    )
                    continue
                for reason in inst.ineligibility_reasons(r, shift, demand):
                    out.append(
                        Violation(NAME, f"{r.display} covers {inst.site_name(site)} on the {what} but {reason}",
                                  r.id, shift.date, site)
                    )
    return out
