"""Deviation from an FTE-proportional share, shared by the fairness and workload terms.

For each reader with amount A_r (history included) and FTE weight f_r, the share of the group
total T is f_r / F * T (F = sum of f). The deviation is counted in whole units of 1/`per` of the
quantity: floor(|A_r * F - f_r * T| * per / (F * unit)). Computed identically by the solver (with
integer division constraints) and by the checker (plain integers), so both agree exactly.
"""

from __future__ import annotations

import math

from scheduler.instance import Instance


def fte_weights(inst: Instance) -> tuple[dict[str, int], int]:
    """Per reader integer FTE weights (reduced by their gcd) and their total."""
    units = inst.fte_units
    g = math.gcd(*units.values()) or 1
    weights = {r: u // g for r, u in units.items()}
    return weights, sum(weights.values())


def deviation(amount: int, total: int, weight: int, weight_sum: int, scale: int, unit: int) -> int:
    """floor(|amount * F - f * T| * scale / (F * unit)) in plain integers."""
    if weight_sum == 0:
        return 0
    return abs(amount * weight_sum - weight * total) * scale // (weight_sum * unit)


def encode_deviation(v, name: str, amounts: dict[str, list[tuple[int, object]]], base: dict[str, int],
                     scale: int, unit: int):
    """Sum over readers of the deviation of base + sum(coef * var) from their FTE share."""
    m = v.model
    weights, fsum = fte_weights(v.inst)
    if fsum == 0:
        return 0
    totals = {rid: base[rid] + sum(c * var for c, var in amounts.get(rid, [])) for rid in weights}
    grand = sum(totals.values())
    ub_total = sum(base.values()) + sum(c for pairs in amounts.values() for c, _ in pairs)
    out = []
    for rid, w in weights.items():
        bound = ub_total * (fsum + w) * scale + 1
        diff = m.new_int_var(-bound, bound, f"{name}:diff:{rid}")
        m.add(diff == scale * (totals[rid] * fsum - w * grand))
        absd = m.new_int_var(0, bound, f"{name}:abs:{rid}")
        m.add_abs_equality(absd, diff)
        dev = m.new_int_var(0, bound // (fsum * unit) + 1, f"{name}:dev:{rid}")
        m.add_division_equality(dev, absd, fsum * unit)
        out.append(dev)
    return sum(out)
