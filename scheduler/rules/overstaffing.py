"""Over-staffing: readers covering a site beyond what it needs (allowed up to `max_readers`) each
cost a little (the need's `overstaffing_weight`, 1 by default), so spare capacity is used only when
it buys something."""

from __future__ import annotations

from scheduler.rules.base import ModelVars, RosterView
from scheduler.rules.coverage import covering

NAME = "overstaffing"


def term(v: ModelVars):
    terms = []
    for key, pairs in covering(v).items():
        vars_ = [var for _rid, var in pairs]
        demand = v.inst.demands[key]
        if demand.max_readers > demand.required and len(vars_) > demand.required:
            over = v.model.new_int_var(0, len(vars_), f"over:{key[0]}:{key[1]}")
            v.model.add_max_equality(over, [0, sum(vars_) - demand.required])
            terms.append(demand.over_weight * over)
    return sum(terms)


def evaluate(view: RosterView) -> int:
    total = 0
    for key, readers in view.covers.items():
        demand = view.inst.demands.get(key)
        if demand and demand.max_readers > demand.required:  # beyond the cap is a hard violation
            total += demand.over_weight * max(0, min(len(set(readers)), demand.max_readers) - demand.required)
    return total
