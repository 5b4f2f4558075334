"""`scheduler bench curtois INSTANCE_FILE`: solve a Curtois & Qu instance through the scenario model.

Reports the objective (the checker's, which must equal the instance definition's, evaluated
independently), the bound, the best known value when a `best_known.csv` sits
beside the file (or `--best-known`), and their ratio. The full CP-SAT search hands over to a
large-neighbourhood search (scheduler.solver.lns) once it stalls; `--no-lns` keeps it alone.
`--pattern-bound-s S` then spends up to S more seconds on a lower bound by column generation
(scheduler.solver.pattern_bound), reported on its own with its time; where it meets the objective
the roster is proven optimal, and where it meets the best known value, that value is.
First, where no objective term compares people (every Curtois instance), up to DIVE_SHARE of the
time limit (`--dive-s S` to set it, 0 to skip) dives the same column generation into a roster
(scheduler.solver.pattern_dive), which the search then starts from; the dive gives up at once when
pricing each person once would take too long (the 364-day instances). The bound reported
is the higher of the full search's and the one the dive's root column generation proves on the way
(`bound_by` says which); where it meets the objective, the status is OPTIMAL, and the search
stops as soon as a roster meets it (there is nothing left to gain).
Exit 0 when the roster breaks no hard rule, 2 otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io import curtois
from scheduler.io.atomic import write_text_atomic
from scheduler.result import Progress, relative_gap
from scheduler.solver import solve
from scheduler.solver.pattern_bound import TOLERANCE, not_applicable, pattern_bound
from scheduler.solver.pattern_dive import dive

# the dive's default share of the time limit: on Instances 5-12 it finishes in 6-36 s of 60 (or
# leaves a start that the search repairs), and the search improves on its roster with the rest
DIVE_SHARE = 0.6


def cmd_bench_curtois(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    inst = curtois.load(args.instance)
    scenario = curtois.to_scenario(inst)
    t_map = time.perf_counter() - t0
    dive_s = DIVE_SHARE * args.time_limit if args.dive_s is None else args.dive_s
    # built once for the column generation (the dive's and the bound's) and the search
    model_inst = build_instance(scenario) if dive_s > 0 or args.pattern_bound_s > 0 else None
    dived, start, pattern = None, None, None
    # a start for the search by diving the column generation, within the command's time limit and
    # leaving the search at least the second that solve() takes in any case
    t_dive = time.perf_counter()
    dive_s = min(dive_s, args.time_limit - (t_dive - t0) - 1.0)
    if dive_s > 0 and not_applicable(model_inst) is None:
        went = dive(model_inst, time_limit=dive_s, workers=args.workers, seed=args.seed)
        start, pattern = went.roster, went.bound
        dived = {"seconds": round(time.perf_counter() - t_dive, 3), "budget_s": round(dive_s, 3),
                 "complete": start is not None, "bound": pattern, "bound_converged": went.converged}
        if start is not None:
            dived_report = check(scenario, start)
            dived.update(objective=dived_report.objective, hard_violations=len(dived_report.violations))
    # a roster at the dive's bound (rounded up) is optimal: the search stops when it meets it
    floor = math.ceil(pattern - TOLERANCE) if pattern is not None else None
    at_bound = threading.Event()

    def on_progress(point: Progress) -> None:
        if floor is not None and point.objective is not None and point.objective <= floor:
            at_bound.set()

    if floor is not None and dived.get("objective") is not None and not dived["hard_violations"] \
            and dived["objective"] <= floor:
        at_bound.set()  # the dive's own roster is optimal
    # the time limit is the command's: reading and mapping the file (and the dive) come out of it
    result = solve(model_inst or scenario, time_limit=max(1.0, args.time_limit - (time.perf_counter() - t0)),
                   workers=args.workers, seed=args.seed, coverage_first=False, explain=False, lns=not args.no_lns,
                   initial=start, on_progress=on_progress, stop=at_bound)
    report = check(scenario, result.roster)
    violations, definition = curtois.evaluate(inst, curtois.assignment_of(inst, result.roster))
    best = args.best_known if args.best_known is not None else curtois.best_known(args.instance)
    objective = report.objective if result.has_solution else None
    # the bound is the search's, or the dive's root column generation's where that is higher (a
    # valid lower bound either way, rounded up: objectives are integers); at the objective it
    # proves the roster optimal
    bound, bound_by, status = result.bound, "search" if result.bound is not None else None, result.status
    if floor is not None and (bound is None or floor > bound):
        bound, bound_by = float(floor), "dive"
        if objective is not None and not report.violations and objective <= bound:
            status = "OPTIMAL"
    summary = {
        "instance": inst.name,
        "days": inst.days,
        "staff": len(inst.staff),
        "shift_types": len(inst.shifts),
        "status": status,
        "objective": objective,
        "definition_objective": definition if result.has_solution else None,
        "bound": bound,
        "bound_by": bound_by,
        "best_known": best,
        "ratio_to_best_known": (report.objective / best) if best and result.has_solution else None,
        "gap": relative_gap(objective, bound),
        "hard_violations": len(report.violations) + len(violations) if result.has_solution else None,
        "map_s": round(t_map, 3),
        "build_s": round(result.timings["build_s"], 3),
        "wall_s": round(time.perf_counter() - t0, 3),
        "time_limit_s": args.time_limit,
        "workers": args.workers,
        "seed": args.seed,
        "lns": result.stats.get("lns"),
        "dive": dived,
        "stopped_at_bound": at_bound.is_set(),
        "timings": {name: round(seconds, 3) for name, seconds in result.timings.items()},
    }
    if args.pattern_bound_s > 0:
        # after the search and outside its time limit: a separate figure, with its own time
        found = pattern_bound(model_inst, time_limit=args.pattern_bound_s, workers=args.workers, seed=args.seed)
        summary["pattern_bound"] = {
            "bound": found.bound, "converged": found.converged, "seconds": round(found.seconds, 3),
            "rounds": found.rounds, "schedules": found.columns, "not_applicable": found.reason,
            "proves_optimal": bool(objective is not None and not summary["hard_violations"]
                                   and found.proves(objective)),
            # a best known value is a roster's: at the bound rounded up it is optimal, below it the
            # instance's definition and this mapping of it disagree
            "proves_best_known_optimal": found.meets(best),
            "best_known_below_bound": found.above(best),
        }
    if result.has_solution and report.objective != definition:
        print(f"error: the checker's objective {report.objective} differs from the definition's {definition}",
              file=sys.stderr)
        return 1
    ratio = summary["ratio_to_best_known"]
    print(f"{inst.name}: {inst.days} days, {len(inst.staff)} staff, {len(inst.shifts)} shift types")
    if dived is not None:
        print(f"  dive: {'objective ' + str(dived['objective']) if dived['complete'] else 'no roster'} "
              f"in {dived['seconds']:.1f} s"
              + (f", bound {dived['bound']:.2f}" if dived["bound"] is not None else ""))
    print(f"  status {status}, objective {objective}, bound {bound}"
          + (" (the dive's)" if bound_by == "dive" else "") + ", "
          f"best known {best if best is not None else '-'}"
          + (f", ratio {ratio:.4f}" if ratio else "") + f"; {summary['wall_s']:.1f} s")
    print(f"  hard violations: {summary['hard_violations'] if result.has_solution else '- (no roster)'}")
    if "pattern_bound" in summary:
        pb = summary["pattern_bound"]
        if pb["bound"] is None:
            print(f"  pattern bound: none ({pb['not_applicable'] or 'no valid bound within its time'})")
        else:
            print(f"  pattern bound {pb['bound']:.2f} ({'converged' if pb['converged'] else 'not converged'}, "
                  f"{pb['seconds']:.1f} s after the search)"
                  + ("; the roster is optimal" if pb["proves_optimal"] else "")
                  + ("; the best known value is optimal" if pb["proves_best_known_optimal"] else "")
                  + ("; the best known value is BELOW it: the definition and this mapping disagree"
                     if pb["best_known_below_bound"] else ""))
    if args.summary_json:
        write_text_atomic(args.summary_json, json.dumps(summary, indent=2) + "\n")
    return 0 if result.has_solution and not summary["hard_violations"] else 2


def add_bench_commands(sub: argparse._SubParsersAction, solver_options) -> None:
    p = sub.add_parser("bench", help="run a public benchmark instance through the scheduler")
    bsub = p.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
    c = bsub.add_parser("curtois", help="a Curtois & Qu staff-rostering instance (schedulingbenchmarks.org format)",
                        description=__doc__)
    c.add_argument("instance", metavar="INSTANCE_FILE", help="instance file, e.g. Instance1.txt")
    solver_options(c)
    c.add_argument("--best-known", type=int, metavar="N", help="best known value (default: from best_known.csv)")
    c.add_argument("--summary-json", metavar="PATH", help="write the figures as JSON")
    c.add_argument("--no-lns", action="store_true",
                   help="full CP-SAT search only, without the large-neighbourhood search that follows it by default")
    c.add_argument("--dive-s", type=float, default=None, metavar="S",
                   help="first, up to S seconds of the time limit to dive the column generation into a roster "
                        f"(scheduler.solver.pattern_dive) that the search starts from (default: {DIVE_SHARE:g} of "
                        "the time limit); 0 skips it")
    c.add_argument("--pattern-bound-s", type=float, default=0.0, metavar="S",
                   help="after the search, up to S more seconds for a lower bound by column generation over "
                        "each person's schedules (scheduler.solver.pattern_bound); 0 (default) skips it")
    c.set_defaults(run=cmd_bench_curtois)
