"""Workload: working hours (history included; partly counted on-call at its work fraction)
shared in proportion to FTE. The term is the sum over readers of their distance from their
share, in tenths of an hour."""

from __future__ import annotations

from scheduler.rules.base import ModelVars, RosterView
from scheduler.rules.share import encode_deviation, evaluate_shares

NAME = "workload"
UNIT_MINUTES = 6  # a tenth of an hour


def base(inst) -> dict[str, int]:
    return {r.id: round(r.history.work_hours * 60) for r in inst.readers}


def term(v: ModelVars):
    amounts: dict[str, list] = {}
    for (rid, i), var in v.x.items():
        amounts.setdefault(rid, []).append((v.inst.shifts[i].work_minutes, var))
    return encode_deviation(v, NAME, amounts, base(v.inst), 1, UNIT_MINUTES)


def per_reader(view: RosterView) -> dict[str, dict[str, float]]:
    """Hours, FTE share of hours and deviation per reader (for reports)."""
    past = base(view.inst)
    totals = {rid: b + sum(s.work_minutes for s in view.shifts(rid)) for rid, b in past.items()}
    shares = evaluate_shares(view.inst, totals, 1, UNIT_MINUTES)
    return {
        rid: {
            "hours": totals[rid] / 60,
            "this_horizon_hours": (totals[rid] - past[rid]) / 60,
            "share_hours": shares[rid][0] / 60,
            "deviation_tenths": shares[rid][1],
        }
        for rid in totals
    }


def evaluate(view: RosterView) -> int:
    return sum(int(x["deviation_tenths"]) for x in per_reader(view).values())
