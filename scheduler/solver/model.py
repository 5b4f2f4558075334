"""Model assembly: variables for eligible (reader, shift, site) triples, every rule, the objective."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.instance import Instance
from scheduler.rules import HARD, SOFT, coverage
from scheduler.rules import capacity as capacity_rule
from scheduler.rules.base import ModelVars

# what looks at which sites a reader covers (everything else looks only at who works which shift)
SITE_RULES = (coverage, capacity_rule)
SITE_TERMS = frozenset({"uncovered", "continuity", "overstaffing"})


@dataclass
class BuiltModel:
    vars: ModelVars
    terms: dict[str, object]  # objective term name -> linear expression of its raw value

    @property
    def model(self) -> cp_model.CpModel:
        return self.vars.model


def build_model(
    inst: Instance,
    *,
    soft_needs: frozenset[tuple[str, int]] | None = None,
    explain: bool = False,
    guarded: frozenset[str] = frozenset(),
    objective: bool = True,
    sites: bool = True,
) -> BuiltModel:
    """Build the CP-SAT model.

    Needs in `soft_needs` (all of them when None) may stay short at a cost; the others must be met
    in full. In explain mode every need is hard, every hard rule is guarded by an enforcement
    literal (see ModelVars.enforce) and there is no objective; rules named in `guarded` get
    literals outside explain mode too; `objective=False` leaves the objective out. With
    `sites=False` there are no site variables: the rules and terms that look at sites (SITE_RULES,
    SITE_TERMS) are left out, for a caller that stands in for them (scheduler/solver/decompose.py).
    """
    model = cp_model.CpModel()
    v = ModelVars(
        model=model,
        inst=inst,
        explain=explain,
        soft_needs=frozenset() if explain else soft_needs,
        guarded=frozenset(guarded),
    )
    for (rid, i), eligible_sites in inst.eligible.items():
        x = model.new_bool_var(f"x:{rid}:{i}")
        v.x[(rid, i)] = x
        if not sites:
            continue
        if len(eligible_sites) == 1:
            # one site to cover: working the shift is covering it, so one literal serves as both
            v.y[(rid, i, eligible_sites[0])] = x
            continue
        ys = []
        for site in eligible_sites:
            y = model.new_bool_var(f"y:{rid}:{i}:{site}")
            v.y[(rid, i, site)] = y
            ys.append(y)
        # a worked shift covers at least one site, and covering a site means working the shift
        model.add_max_equality(x, ys)
    for rule in HARD:
        if sites or rule not in SITE_RULES:
            rule.encode(v)
    terms: dict[str, object] = {}
    if objective and not explain:
        weights = inst.scenario.objective
        for name, module in SOFT:
            if sites or name not in SITE_TERMS:
                terms[name] = module.term(v)
        model.minimize(sum(getattr(weights, name) * expr for name, expr in terms.items()))
    return BuiltModel(v, terms)
