"""Fairness: burden points (nights, weekends and holidays weigh more) shared in proportion to FTE,
history included. Each reader's FTE is scaled by the part of the horizon they are not on leave.
The term is the sum over readers of their distance from their share, in tenths of a point."""

from __future__ import annotations

from scheduler.rules.base import ModelVars, RosterView
from scheduler.rules.share import encode_deviation, evaluate_shares

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
    past = base(view.inst)
    totals = {rid: b + sum(s.burden for s in view.shifts(rid)) for rid, b in past.items()}
    shares = evaluate_shares(view.inst, totals, SCALE, 1)
    return {
        rid: {
            "burden": totals[rid],
            "this_horizon": totals[rid] - past[rid],
            "share": shares[rid][0],
            "deviation_tenths": shares[rid][1],
        }
        for rid in totals
    }


def evaluate(view: RosterView) -> int:
    return sum(int(x["deviation_tenths"]) for x in per_reader(view).values())
