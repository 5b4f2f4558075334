"""Model assembly: variables for eligible (reader, shift, site) triples, every rule, the objective."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.instance import Instance
from scheduler.rules import HARD, SOFT
from scheduler.rules.base import ModelVars


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
) -> BuiltModel:
    """Build the CP-SAT model.

    Needs in `soft_needs` (all of them when None) may stay short at a cost; the others must be met
    in full. In explain mode every need is hard, every hard rule is guarded by an enforcement
    literal (see ModelVars.enforce) and there is no objective; rules named in `guarded` get
    literals outside explain mode too; `objective=False` leaves the objective out.
    """
    model = cp_model.CpModel()
    v = ModelVars(
        model=model,
        inst=inst,
        explain=explain,
        soft_needs=frozenset() if explain else soft_needs,
        guarded=frozenset(guarded),
    )
    for (rid, i), sites in inst.eligible.items():
        x = model.new_bool_var(f"x:{rid}:{i}")
        v.x[(rid, i)] = x
        if len(sites) == 1:
            # one site to cover: working the shift is covering it, so one literal serves as both
            v.y[(rid, i, sites[0])] = x
            continue
        ys = []
        for site in sites:
            y = model.new_bool_var(f"y:{rid}:{i}:{site}")
            v.y[(rid, i, site)] = y
            ys.append(y)
        # a worked shift covers at least one site, and covering a site means working the shift
        model.add_max_equality(x, ys)
    for rule in HARD:
        rule.encode(v)
    terms: dict[str, object] = {}
    if objective and not explain:
        weights = inst.scenario.objective
        for name, module in SOFT:
            terms[name] = module.term(v)
        model.minimize(sum(getattr(weights, name) * expr for name, expr in terms.items()))
    return BuiltModel(v, terms)
