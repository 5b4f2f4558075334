"""Workload: working hours (history included; partly counted on-call at its work fraction)
shared in proportion to FTE. The term is the sum over readers of their distance from their
share, in tenths of an hour."""

from __future__ import annotations

from scheduler.rules.base import ModelVars, RosterView
from scheduler.rules.share import deviation, encode_deviation, fte_weights

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
    inst = view.inst
    weights, fsum = fte_weights(inst)
    totals = {rid: b + sum(s.work_minutes for s in view.shifts(rid)) for rid, b in base(inst).items()}
    grand = sum(totals.values())
    return {
        rid: {
            "hours": totals[rid] / 60,
            "this_horizon_hours": (totals[rid] - base(inst)[rid]) / 60,
            "share_hours": (weights[rid] * grand / fsum / 60) if fsum else 0.0,
            "deviation_tenths": deviation(totals[rid], grand, weights[rid], fsum, 1, UNIT_MINUTES),
        }
        for rid in totals
    }


def evaluate(view: RosterView) -> int:
    return sum(int(x["deviation_tenths"]) for x in per_reader(view).values())
