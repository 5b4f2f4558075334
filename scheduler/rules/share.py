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


def evaluate_shares(inst: Instance, totals: dict[str, int], scale: int, unit: int) -> dict[str, tuple[float, int]]:
    """Per reader: their share of the group total, and their deviation counted as the term counts it."""
    weights, fsum = fte_weights(inst)
    grand = sum(totals.values())
    return {
        rid: ((weights[rid] * grand / fsum) if fsum else 0.0,
              deviation(amount, grand, weights[rid], fsum, scale, unit))
        for rid, amount in totals.items()
    }


def encode_deviation(v, name: str, amounts: dict[str, list[tuple[int, object]]], base: dict[str, int],
                     scale: int, unit: int):
    """Sum over readers of the deviation of base + sum(coef * var) from their FTE share.

    Each reader's amount and the group total get their own variables, so every reader's deviation
    constraint has three terms (not the whole roster), and every intermediate variable gets the
    tightest bounds its definition allows (amounts are sums of non-negative coefficients). This
    keeps presolve fast and the LP well scaled; the value is exactly the checker's `deviation`.
    """
    m = v.model
    weights, fsum = fte_weights(v.inst)
    if fsum == 0:
        return 0
    lo = {rid: base[rid] for rid in weights}
    hi = {rid: base[rid] + sum(c for c, _ in amounts.get(rid, [])) for rid in weights}
    t_lo, t_hi = sum(lo.values()), sum(hi.values())
    own: dict[str, object] = {}
    for rid in weights:
        pairs = amounts.get(rid, [])
        if pairs:
            a = m.new_int_var(lo[rid], hi[rid], f"{name}:amount:{rid}")
            m.add(a == base[rid] + sum(c * var for c, var in pairs))
            own[rid] = a
        else:
            own[rid] = base[rid]
    grand = m.new_int_var(t_lo, t_hi, f"{name}:total")
    m.add(grand == sum(own.values()))
    div = fsum * unit
    out = []
    for rid, w in weights.items():
        # A*F - w*T = A*(F - w) - w*(T - A), where T - A (the others' total) lies in [t_lo - lo, t_hi - hi]
        d_lo = scale * (lo[rid] * (fsum - w) - w * (t_hi - hi[rid]))
        d_hi = scale * (hi[rid] * (fsum - w) - w * (t_lo - lo[rid]))
        diff = m.new_int_var(d_lo, d_hi, f"{name}:diff:{rid}")
        m.add(diff == scale * (fsum * own[rid] - w * grand))
        a_hi = max(-d_lo, d_hi)
        a_lo = 0 if d_lo <= 0 <= d_hi else min(abs(d_lo), abs(d_hi))
        absd = m.new_int_var(a_lo, a_hi, f"{name}:abs:{rid}")
        m.add_abs_equality(absd, diff)
        dev = m.new_int_var(a_lo // div, a_hi // div, f"{name}:dev:{rid}")
        m.add_division_equality(dev, absd, div)
        out.append(dev)
    return sum(out)
