"""Coverage: every site gets, on every shift instance it needs, the readers it asks for.

A site's needs on one shift instance add up to R readers, of which R_s must hold subspecialty s.
The shortfall is u_s = max(0, R_s - covering readers with s) for each subspecialty, plus
u_any = max(0, R - covering readers - sum of u_s) for the rest; each missing reader costs the
need's priority (its own, else the site's). This is a soft term, non-zero only when full coverage is
impossible (or, with coverage_first=False, when it is cheaper than the alternative). Covering a
site with more readers than its `max_readers` is a hard violation.
"""

from __future__ import annotations

from scheduler.instance import Demand, Instance
from scheduler.result import Uncovered, Violation
from scheduler.rules.base import ModelVars, RosterView

NAME = "uncovered"
CAP = "staffing_cap"
NEED = "coverage"  # enforcement-literal name of one need met in full


def shortfalls(inst: Instance, demand: Demand, readers: list[str]) -> tuple[dict[str, int], int]:
    """Missing readers per subspecialty, and missing readers of any kind beyond those."""
    by_id = inst.scenario.radiologist_by_id
    subs = {
        sub: max(0, need - sum(1 for r in readers if sub in by_id[r].subspecialties))
        for sub, need in demand.required_by_subspecialty.items()
    }
    rest = max(0, demand.required - len(readers) - sum(subs.values()))
    return subs, rest


def covering(v: ModelVars) -> dict[tuple[str, int], list[tuple[str, object]]]:
    """(site, shift) -> [(reader, cover variable)] for every eligible cover."""
    out: dict[tuple[str, int], list[tuple[str, object]]] = {}
    for (rid, i, site), var in v.y.items():
        out.setdefault((site, i), []).append((rid, var))
    return out


def _with_sub(v: ModelVars, pairs: list[tuple[str, object]], sub: str):
    by_id = v.inst.scenario.radiologist_by_id
    return sum(var for rid, var in pairs if sub in by_id[rid].subspecialties)


def encode(v: ModelVars) -> None:
    """Hard side: the staffing cap, and every need not in `v.soft_needs` met in full (guarded by
    one literal per need when explaining or probing)."""
    index = covering(v)
    for (site, i), demand in v.inst.demands.items():
        pairs = index.get((site, i), [])
        count = sum(var for _, var in pairs)
        if len(pairs) > demand.max_readers:
            v.model.add(count <= demand.max_readers).only_enforce_if(v.enforce(CAP, site, i))
        if v.need_is_hard((site, i)):
            lits = v.enforce(NEED, site, i)
            for sub, need in demand.required_by_subspecialty.items():
                v.model.add(_with_sub(v, pairs, sub) >= need).only_enforce_if(lits)
            v.model.add(count >= demand.required).only_enforce_if(lits)


def term(v: ModelVars):
    """Soft side: the priority-weighted shortfall of the soft needs, defined exactly (max equalities)."""
    m = v.model
    index = covering(v)
    terms = []
    for (site, i), demand in v.inst.demands.items():
        if v.need_is_hard((site, i)):
            continue
        pairs = index.get((site, i), [])
        count = sum(var for _, var in pairs)
        sub_vars = []
        for sub, need in demand.required_by_subspecialty.items():
            u = m.new_int_var(0, need, f"short:{site}:{i}:{sub}")
            m.add_max_equality(u, [0, need - _with_sub(v, pairs, sub)])
            sub_vars.append(u)
        u_any = m.new_int_var(0, demand.required, f"short:{site}:{i}")
        m.add_max_equality(u_any, [0, demand.required - count - sum(sub_vars)])
        terms.append(demand.priority * (u_any + sum(sub_vars)))
    return sum(terms)


def uncovered(view: RosterView) -> list[Uncovered]:
    """Every need the roster leaves short, in words."""
    inst = view.inst
    out = []
    for (site, i), demand in sorted(inst.demands.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        readers = sorted(set(view.covers.get((site, i), [])))
        subs, rest = shortfalls(inst, demand, readers)
        shift = inst.shifts[i]
        prio = demand.priority
        for sub, missing in list(subs.items()) + [(None, rest)]:
            if missing:
                kind = f"{sub} reader" if sub else "reader"
                out.append(Uncovered(
                    site=site, shift_type=shift.type_id, date=shift.date, subspecialty=sub, missing=missing,
                    priority=prio,
                    message=f"{inst.site_name(site)} is {missing} {kind}{'s' if missing > 1 else ''} short "
                            f"on the {inst.describe_shift(shift)}",
                ))
    return out


def evaluate(view: RosterView) -> int:
    return sum(u.missing * u.priority for u in uncovered(view))


def check(view: RosterView) -> list[Violation]:
    inst = view.inst
    out = []
    for (site, i), readers in view.covers.items():
        demand = inst.demands.get((site, i))
        if demand and len(set(readers)) > demand.max_readers:
            shift = inst.shifts[i]
            out.append(Violation(
                CAP,
                f"{inst.site_name(site)} has {len(set(readers))} readers on the {inst.describe_shift(shift)}; "
                f"at most {demand.max_readers} allowed",
                None, shift.date, site, amount=len(set(readers)) - demand.max_readers))
    return out
