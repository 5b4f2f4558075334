"""Fairness: burden points (nights, weekends and holidays weigh more) shared in proportion to FTE,
history included. Each reader's FTE is scaled by the part of the horizon they are not on leave.
The term is the sum over readers of their distance from their share, in tenths of a point."""

from __future__ import annotations

from scheduler.rules.base import ModelVars, RosterView
from scheduler.rules.share import deviation, encode_deviation, fte_weights

NAME = "fairness"
SCALE = 10  # tenths of a burden point


def base(inst) -> dict[str, int]:
    return {r.id: r.history.burden_points for r in inst.readers}


def term(v: ModelVars):
    amounts: dict[str, list] = {}
    for (rid, i), var in v.x.items():
        b = v.inst.shifts[i].burden
        if b:
            amounts.setdefault(rid, []).append((b, var))
    return encode_deviation(v, NAME, amounts, base(v.inst), SCALE, 1)


def per_reader(view: RosterView) -> dict[str, dict[str, float]]:
    """Burden, FTE share and deviation per reader (for reports)."""
    inst = view.inst
    weights, fsum = fte_weights(inst)
    totals = {rid: b + sum(s.burden for s in view.shifts(rid)) for rid, b in base(inst).items()}
    grand = sum(totals.values())
    return {
        rid: {
            "burden": totals[rid],
            "this_horizon": totals[rid] - base(inst)[rid],
            "share": (weights[rid] * grand / fsum) if fsum else 0.0,
            "deviation_tenths": deviation(totals[rid], grand, weights[rid], fsum, SCALE, 1),
        }
        for rid in totals
    }


def evaluate(view: RosterView) -> int:
    return sum(int(x["deviation_tenths"]) for x in per_reader(view).values())
