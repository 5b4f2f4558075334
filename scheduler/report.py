"""Readable and JSON summaries of a solve or a check: formatting only, no scheduling logic.

Every number shown comes from the library: the solve result, the checker's report, the rule
modules' per-reader tallies (`fairness.per_reader`, `workload.per_reader`, `requests.outcomes`).
"""

from __future__ import annotations

from typing import Any

from scheduler.instance import FTE_UNITS, Instance, build_instance, fmt_date
from scheduler.result import CheckReport, Roster, SolveResult, Uncovered, Violation
from scheduler.rules import fairness, requests, workload
from scheduler.rules.base import RosterView
from scheduler.scenario import Scenario

MAX_VIOLATIONS_SHOWN = 20
MAX_UNCOVERED_SHOWN = 50
MAX_UNMET_SHOWN = 30


def _instance(inst: Instance | Scenario) -> Instance:
    return inst if isinstance(inst, Instance) else build_instance(inst)


def _report(result: SolveResult | CheckReport) -> CheckReport | None:
    return result.check if isinstance(result, SolveResult) else result


def _solved(result: SolveResult | CheckReport) -> bool:
    """A roster exists to judge (a checked roster always does)."""
    return isinstance(result, CheckReport) or result.has_solution


def fully_covered(result: SolveResult | CheckReport) -> bool:
    """True when there is a roster and it leaves no need short."""
    report = _report(result)
    return _solved(result) and report is not None and report.fully_covered


def hard_violations(result: SolveResult | CheckReport) -> list[Violation]:
    report = _report(result)
    return list(report.violations) if report is not None else []


def uncovered(result: SolveResult | CheckReport) -> list[Uncovered]:
    report = _report(result)
    return list(report.uncovered) if report is not None else []


def is_success(result: SolveResult | CheckReport) -> bool:
    """A roster that covers every need and breaks no hard rule."""
    return fully_covered(result) and not hard_violations(result)


# ---- small formatters ------------------------------------------------------------------------
def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.1f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _signed(x: float) -> str:
    return f"{x:+.1f}"


def table(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    """Left-aligned first column, right-aligned others, padded to the widest cell."""
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [str(c).ljust(widths[0]) if k == 0 else str(c).rjust(widths[k]) for k, c in enumerate(cells)]
        return (indent + "  ".join(parts)).rstrip()

    return [line(header), indent + "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _request_text(inst: Instance, reader_id: str, req: Any, day: Any) -> str:
    name = inst.reader_name(reader_id)
    shift = f"the {inst.shift_label(req.shift_type)} shift" if req.shift_type else "a shift"
    if req.kind == "want":
        return f"{name} wanted {shift} on {fmt_date(day)} (weight {req.weight})"
    off = f"the {inst.shift_label(req.shift_type)} shift" if req.shift_type else "any shift"
    return f"{name} asked not to work {off} on {fmt_date(day)} (weight {req.weight})"


# ---- the tallies both summaries share --------------------------------------------------------
def tallies(inst: Instance, roster: Roster) -> dict[str, Any]:
    """Per-reader shifts, burden and hours against their FTE shares, and the requests met."""
    view = RosterView(inst, roster)
    burden = fairness.per_reader(view)
    hours = workload.per_reader(view)
    readers = []
    met = total = 0
    unmet: list[dict[str, Any]] = []
    for r in inst.readers:
        shifts = view.shifts(r.id)
        b, h = burden[r.id], hours[r.id]
        readers.append({
            "reader": r.id,
            "name": r.display,
            "fte": r.fte,
            "fte_available": inst.fte_units[r.id] / FTE_UNITS,
            "shifts": len(shifts),
            "nights": sum(1 for s in shifts if s.is_night),
            "burden_this_horizon": b["this_horizon"],
            "burden_with_history": b["burden"],
            "burden_share": b["share"],
            "burden_deviation": b["burden"] - b["share"],
            "hours_this_horizon": h["this_horizon_hours"],
            "hours_with_history": h["hours"],
            "hours_share": h["share_hours"],
            "hours_deviation": h["hours"] - h["share_hours"],
        })
        for req, day, ok in requests.outcomes(view, r):
            total += 1
            if ok:
                met += 1
            else:
                unmet.append({
                    "reader": r.id, "kind": req.kind, "shift_type": req.shift_type, "date": day.isoformat(),
                    "weight": req.weight, "message": _request_text(inst, r.id, req, day),
                })
    needs = len(inst.demands)
    readers_needed = sum(d.required for d in inst.demands.values())
    return {"readers": readers, "requests": {"met": met, "total": total, "unmet": unmet},
            "needs": needs, "readers_needed": readers_needed}


# ---- JSON ------------------------------------------------------------------------------------
def summary_json(inst: Instance | Scenario, result: SolveResult | CheckReport, roster: Roster) -> dict[str, Any]:
    """The summary as JSON-ready data: status, objective, bound, gap, terms, violations, uncovered..."""
    inst = _instance(inst)
    report = _report(result)
    solved = _solved(result)
    tal = tallies(inst, roster) if solved else None
    short = uncovered(result)
    violations = hard_violations(result)
    if isinstance(result, SolveResult):
        head = {
            "status": result.status,
            "objective": result.objective,
            "bound": result.bound,
            "gap": result.gap,
            "wall_seconds": result.timings.get("wall_s"),
            "objective_terms": dict(result.terms),
            "weighted_terms": dict(result.weighted),
            "checker_agrees": None if report is None else report.terms == result.terms,
            "stopped": bool(result.stats.get("stopped", False)),
            "timings": dict(result.timings),
            "stats": dict(result.stats),
            "explanation": list(result.explanation),
        }
    else:
        head = {
            "status": "CHECKED",
            "objective": result.objective,
            "bound": None,
            "gap": None,
            "wall_seconds": None,
            "objective_terms": dict(result.terms),
            "weighted_terms": dict(result.weighted),
            "explanation": [],
        }
    return {
        "scenario": inst.scenario.name,
        **head,
        "fully_covered": fully_covered(result),
        "hard_violations": len(violations),
        "violations": [v.to_dict() for v in violations],
        "uncovered": [u.to_dict() for u in short],
        "needs": len(inst.demands),
        "readers_needed": sum(d.required for d in inst.demands.values()),
        "readers_missing": sum(u.missing for u in short),
        "assignments": len(roster.assignments),
        "readers": tal["readers"] if tal else [],
        "requests": tal["requests"] if tal else {"met": 0, "total": 0, "unmet": []},
        "ok": is_success(result),
    }


# ---- text ------------------------------------------------------------------------------------
def summary_text(inst: Instance | Scenario, result: SolveResult | CheckReport, roster: Roster) -> str:
    """A readable summary: solve status, coverage, fairness per reader, requests, violations, why."""
    inst = _instance(inst)
    scen = inst.scenario
    report = _report(result)
    solved = _solved(result)
    out: list[str] = []
    h = scen.horizon
    out.append(f"Scenario {scen.name}: {fmt_date(h.start)} to {fmt_date(h.end)} ({h.timezone}), "
               f"{plural(len(scen.radiologists), 'reader')}, {plural(len(scen.sites), 'site')}")

    if isinstance(result, SolveResult):
        wall = result.timings.get("wall_s")
        out.append("")
        out.append("Solve")
        out.append(f"  status     {result.status}" + ("  (stopped by request)" if result.stats.get("stopped") else ""))
        if result.has_solution:
            out.append(f"  objective  {_num(result.objective)}")
            out.append(f"  bound      {_num(result.bound)}")
            out.append(f"  gap        {_pct(result.gap)}")
        else:
            if result.status == "INFEASIBLE":
                why = ": the hard rules cannot all hold"
            elif result.stats.get("stopped"):
                why = " before the search was stopped"
            else:
                why = " within the time limit"
            out.append(f"  no roster was found{why}")
        out.append(f"  time       {wall:.1f} s" if wall is not None else "  time       -")
        if report is not None and report.terms != result.terms:
            out.append("  warning: the checker's objective terms differ from the solver's "
                       f"(checker {report.terms}, solver {result.terms})")
    else:
        out.append("")
        out.append(f"Check: objective {_num(result.objective)}")

    terms, weighted = result.terms, result.weighted
    if terms:
        rows = [[name, _num(v), _num(getattr(scen.objective, name, None)), _num(weighted.get(name))]
                for name, v in terms.items()]
        out.append("")
        out.append("Objective terms")
        out += table(["term", "value", "weight", "weighted"], rows)

    # coverage
    out.append("")
    short = uncovered(result)
    needs = len(inst.demands)
    slots = sum(d.required for d in inst.demands.values())
    if not solved:
        out.append(f"Coverage: {needs} needs ({slots} reader slots); no roster to judge")
    else:
        short_needs = len({(u.site, u.shift_type, u.date) for u in short})
        missing = sum(u.missing for u in short)
        if not short:
            out.append(f"Coverage: all {needs} needs covered ({slots} reader slots)")
        else:
            out.append(f"Coverage: {needs - short_needs} of {needs} needs covered; "
                       f"{missing} of {slots} reader slots missing")
            for u in short[:MAX_UNCOVERED_SHOWN]:
                out.append(f"  - {u.message}")
            if len(short) > MAX_UNCOVERED_SHOWN:
                out.append(f"  ... and {len(short) - MAX_UNCOVERED_SHOWN} more")

    if solved:
        tal = tallies(inst, roster)
        out.append("")
        out.append("Fairness per reader (burden points and hours, history included; share = FTE share)")
        rows = [[
            f"{r['name']}", f"{r['fte_available']:.2f}", str(r["shifts"]), str(r["nights"]),
            _num(r["burden_this_horizon"]), _num(r["burden_with_history"]), f"{r['burden_share']:.1f}",
            _signed(r["burden_deviation"]), f"{r['hours_this_horizon']:.1f}", f"{r['hours_with_history']:.1f}",
            f"{r['hours_share']:.1f}", _signed(r["hours_deviation"]),
        ] for r in tal["readers"]]
        out += table(["reader", "FTE", "shifts", "nights", "burden", "w/ hist", "share", "dev",
                      "hours", "w/ hist", "share", "dev"], rows)

        req = tal["requests"]
        out.append("")
        if not req["total"]:
            out.append("Requests: none in this horizon")
        else:
            out.append(f"Requests: {req['met']} of {req['total']} met")
            for u in req["unmet"][:MAX_UNMET_SHOWN]:
                out.append(f"  - not met: {u['message']}")
            if len(req["unmet"]) > MAX_UNMET_SHOWN:
                out.append(f"  ... and {len(req['unmet']) - MAX_UNMET_SHOWN} more")

    violations = hard_violations(result)
    out.append("")
    if not solved:
        out.append("Hard violations: no roster to judge")
    elif not violations:
        out.append("Hard violations: none")
    else:
        out.append(f"Hard violations: {len(violations)}")
        for v in violations[:MAX_VIOLATIONS_SHOWN]:
            out.append(f"  - [{v.rule}] {v.message}")
        if len(violations) > MAX_VIOLATIONS_SHOWN:
            out.append(f"  ... and {len(violations) - MAX_VIOLATIONS_SHOWN} more")

    if isinstance(result, SolveResult) and result.explanation:
        out.append("")
        out.append("Why")
        out += [f"  {line}" for line in result.explanation]
    return "\n".join(out) + "\n"
