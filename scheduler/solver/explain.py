"""Why a month cannot be fully staffed, in words a coordinator understands.

The explain model makes coverage hard and guards each need (site, shift) and each hard rule of
each reader (per date where it matters) with an enforcement literal. Assuming them all is
infeasible when the month cannot be staffed; CP-SAT's sufficient assumptions give a conflicting
set, shrunk by deletion (each literal dropped if the rest is still infeasible). Each conflict is
then rendered with the facts behind it: who is eligible, who is not and why (leave, license,
privileges, subspecialty), and which rule blocks each eligible reader. The needs of one conflict
are then relaxed and the search repeats, so several independent conflicts can be reported.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.instance import Instance, fmt_date
from scheduler.result import SolveResult
from scheduler.rules import (
    capacity,
    consecutive,
    coverage,
    hours,
    nights,
    one_shift_per_day,
    rest,
    runs,
    shift_limits,
    successions,
    weekends,
)
from scheduler.rules.base import day_of
from scheduler.solver.model import build_model

Key = tuple[str, str | None, int | None]
MAX_CONFLICTS = 5
NAMES_SHOWN = 4


def _solve(model: cp_model.CpModel, assumptions: list, seconds: float) -> tuple[int, list[int]]:
    model.clear_assumptions()
    model.add_assumptions(assumptions)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.5, seconds)
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    core = list(solver.sufficient_assumptions_for_infeasibility()) if status == cp_model.INFEASIBLE else []
    return status, core


def conflicts(inst: Instance, budget_s: float = 30.0) -> list[list[Key]]:
    """Small sets of needs and rules that cannot all hold, each shrunk by deletion.

    Rules are examined alone first: when they conflict among themselves no roster exists at all,
    and that is the explanation; otherwise the needs are added and their conflicts reported.
    """
    deadline = time.perf_counter() + budget_s
    built = build_model(inst, explain=True)
    lits = dict(built.vars.literals)
    rules_only = {k for k in lits if k[0] != coverage.NEED}
    found = _cores(built.model, lits, rules_only, deadline)
    if not found:
        found = _cores(built.model, lits, set(lits), deadline)
    return found


def _cores(model: cp_model.CpModel, lits: dict, active: set[Key], deadline: float) -> list[list[Key]]:
    """Up to MAX_CONFLICTS cores among `active` literals, relaxing each core's needs in turn."""
    index_of = {lit.index: key for key, lit in lits.items()}
    active = set(active)
    found: list[list[Key]] = []
    while len(found) < MAX_CONFLICTS and time.perf_counter() < deadline:
        status, core_idx = _solve(model, [lits[k] for k in active], deadline - time.perf_counter())
        if status != cp_model.INFEASIBLE:
            break
        core = [index_of[i] for i in core_idx if i in index_of] or sorted(active, key=str)
        core = _shrink(model, lits, index_of, core, deadline)
        found.append(core)
        needs = [k for k in core if k[0] == coverage.NEED]
        # relax this conflict's needs (or its rules, when no need is involved) and look again
        for k in needs or core:
            active.discard(k)
    return found


def _shrink(model, lits, index_of, core: list[Key], deadline: float) -> list[Key]:
    """Deletion-based shrinking: rules first, so the needs they block stay in the explanation."""
    order = sorted(core, key=lambda k: (k[0] == coverage.NEED, str(k)))
    kept = list(order)
    for key in order:
        if key not in kept or time.perf_counter() >= deadline:
            continue
        trial = [k for k in kept if k != key]
        if not trial:
            continue
        status, sub = _solve(model, [lits[k] for k in trial], min(5.0, deadline - time.perf_counter()))
        if status == cp_model.INFEASIBLE:
            smaller = [index_of[i] for i in sub if i in index_of]
            kept = smaller if smaller and len(smaller) < len(trial) else trial
    return kept


def _names(inst: Instance, ids: list[str]) -> str:
    names = [inst.reader_name(r) for r in ids]
    if len(names) <= NAMES_SHOWN:
        return _join(names)
    return _join(names[:NAMES_SHOWN] + [f"{len(names) - NAMES_SHOWN} others"])


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def describe_need(inst: Instance, site: str, shift_index: int) -> str:
    """The need, who could cover it, and why everyone else cannot."""
    demand = inst.demands[(site, shift_index)]
    shift = inst.shifts[shift_index]
    parts = []
    for sub, n in demand.required_by_subspecialty.items():
        parts.append(f"{n} {sub} reader{'s' if n > 1 else ''}")
    rest_n = demand.required - sum(demand.required_by_subspecialty.values())
    if rest_n > 0:
        parts.append(f"{rest_n} {'more ' if parts else ''}reader{'s' if rest_n > 1 else ''}")
    juris = inst.scenario.site_by_id[site].jurisdiction
    head = f"{inst.site_name(site)} needs {_join(parts)} licensed for {juris} on the {inst.describe_shift(shift)}"
    eligible = [r.id for r in inst.readers if site in inst.eligible.get((r.id, shift_index), ())]
    by_reason: dict[str, list[str]] = defaultdict(list)
    for r in inst.readers:
        if r.id in eligible:
            continue
        reasons = inst.ineligibility_reasons(r, shift, demand)
        by_reason[reasons[0] if reasons else "cannot cover it"].append(r.id)
    by_id = inst.scenario.radiologist_by_id
    lacking = [sub for sub in demand.required_by_subspecialty
               if not any(sub in by_id[r].subspecialties for r in eligible)]
    if not eligible:
        text = f"{head}: no reader is eligible"
    elif lacking:
        text = f"{head}: {len(eligible)} reader{'s are' if len(eligible) > 1 else ' is'} eligible, none of them " + (
            " or ".join(lacking))
    elif len(eligible) == 1:
        text = f"{head}: the only eligible reader is {_names(inst, eligible)}"
    else:
        text = f"{head}: the only {len(eligible)} eligible are {_names(inst, eligible)}"
    others = [
        f"{_names(inst, ids)} {_generic(reason, len(ids))}"
        for reason, ids in sorted(by_reason.items(), key=lambda kv: -len(kv[1]))[:4]
    ]
    if others:
        text += " (" + "; ".join(others) + ")"
    return text


def _generic(reason: str, count: int) -> str:
    if count == 1:
        return reason
    if reason.startswith("is not a ") and reason.endswith(" reader"):
        return "are not " + reason[len("is not a "):] + "s"
    for one, many in (("is on", "are on"), ("is not", "are not"), ("holds", "hold"), ("has", "have"),
                      ("does not", "do not")):
        if reason.startswith(one):
            return many + reason[len(one):]
    return reason


def describe_rule(inst: Instance, key: Key) -> str:
    """One rule literal of one reader in words."""
    rule, who, day = key
    if rule == coverage.CAP and who is not None and day is not None:
        return f"{inst.site_name(who)} takes at most {inst.demands[(who, day)].max_readers} readers"
    r = inst.scenario.radiologist_by_id[who] if who in inst.scenario.radiologist_by_id else None
    name = r.display if r else str(who)
    rules = inst.scenario.rules_for(r) if r else None
    when = fmt_date(day_of(inst, day)) if day is not None else ""
    texts = {
        rest.NAME: lambda: f"{name} must rest {rules.rest_after_night_hours:g} h after a night "
        f"({rules.min_rest_hours:g} h after other shifts) before working on {when}",
        one_shift_per_day.NAME: lambda: f"{name} works at most one shift starting on {when}",
        capacity.NAME: lambda: f"{name} reads at most {r.studies_per_hour:g} studies an hour (shift of {when})",
        consecutive.NAME: lambda: f"{name} may work at most {rules.max_consecutive_days} days in a row "
        f"(up to {when})",
        nights.NAME: lambda: f"{name} may work at most {rules.max_consecutive_nights} nights in a row (up to {when})",
        nights.OFF: lambda: f"{name} needs {rules.min_days_off_after_nights} day(s) off after a block of nights "
        f"(on {when})",
        hours.NAME: lambda: f"{name} may work at most {rules.max_hours_rolling_7_days:g} h in the 7 days to {when}",
        hours.TOTAL: lambda: _total_hours_text(inst, name, rules),
        weekends.NAME: lambda: f"{name} may work at most {rules.max_weekends} weekend(s)",
        weekends.COMPLETE: lambda: f"{name} works both days of a weekend or neither (weekend of {when})",
        successions.NAME: lambda: f"{name} may not follow "
        + _join([f"{inst.shift_label(a)} with {inst.shift_label(b)}" for a, b in rules.forbidden_successions])
        + f" (on {when})",
        shift_limits.NAME: lambda: _limits_text(inst, r),
        runs.NAME: lambda: f"{name} works runs of at least {rules.min_consecutive_days} days (from {when})",
        runs.OFF: lambda: f"{name} takes runs of at least {rules.min_consecutive_days_off} days off (from {when})",
    }
    maker = texts.get(rule)
    return maker() if maker and r is not None else f"{name}: rule {rule}"


def _limits_text(inst: Instance, r) -> str:
    parts = []
    for st in inst.scenario.shift_types:
        limit = inst.type_limit(r, st.id)
        if limit is None:
            continue
        possible = sum(1 for (rid, i) in inst.eligible if rid == r.id and inst.shifts[i].type_id == st.id)
        noun = inst.shifts_noun(st.id)
        if limit.min:
            parts.append(f"at least {limit.min} {noun} (eligible for {possible})")
        if limit.max is not None:
            parts.append(f"at most {limit.max} {noun}")
    return f"{r.display} must work " + _join(parts)


def _total_hours_text(inst: Instance, name: str, rules) -> str:
    bounds = []
    if rules.min_total_hours is not None:
        bounds.append(f"at least {rules.min_total_hours:g} h")
    if rules.max_total_hours is not None:
        bounds.append(f"at most {rules.max_total_hours:g} h")
    return f"{name} must work {' and '.join(bounds)} over the horizon"


def render(inst: Instance, core: list[Key]) -> str:
    """One conflict as a sentence or two."""
    needs = [describe_need(inst, k[1], k[2]) for k in core if k[0] == coverage.NEED]
    rules = [describe_rule(inst, k) for k in core if k[0] != coverage.NEED]
    text = "; ".join(needs) if needs else "These rules cannot all hold"
    if rules:
        text += ". " + ("Blocking them: " if needs else "") + "; ".join(rules)
    return text + "."


def explain(inst: Instance, result: SolveResult | None = None, budget_s: float = 30.0) -> list[str]:
    """Plain-language reasons why `inst` cannot be fully staffed (empty when it can)."""
    cores = conflicts(inst, budget_s)
    lines = [render(inst, core) for core in cores]
    if result is not None and result.uncovered and not lines:
        lines.append(
            "No conflict could be isolated within the time budget; the uncovered needs may be coverable "
            "with a longer solve."
        )
    return lines
