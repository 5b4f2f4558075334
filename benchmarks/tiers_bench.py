"""Solve the S, M and L tiers of `benchmarks/tiers.py` and record the figures in BENCHMARKS.md.

Each tier runs in its own child process (its peak memory is its own; an address-space cap turns a
blow-up into a row) with the issue's time limit (S 10 s, M 120 s, L 300 s), starting from the
greedy roster `solve` builds itself when given none (scheduler.solver.greedy, inside the time
limit; its time, unfilled slots and objective are in the row). Reported: instance and
model build time, solve time, status, objective, bound, gap, coverage, hard violations, peak
memory, and the size of the naive formulation (one Boolean per reader x site x shift instance).
Each tier runs with the naive one-model formulation (`method="full"`) and the decomposed one
(scheduler/solver/decompose.py), and a second table gives their ratios.

    .venv/bin/python benchmarks/tiers_bench.py [--tiers S M L] [--methods full decomposed] [--scale 1.0]
        [--no-record]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import record  # noqa: E402

LIMITS = {"S": 10.0, "M": 120.0, "L": 300.0}
CAPS_GIB = {"S": 4.0, "M": 6.0, "L": 12.0}


def child(tier: str, time_limit: float, workers: int, method: str) -> dict:
    import ortools

    from benchmarks.tiers import tier_l, tier_m, tier_s, validate
    from scheduler.instance import build_instance
    from scheduler.solver import solve

    t0 = time.perf_counter()
    scenario = validate({"S": tier_s, "M": tier_m, "L": tier_l}[tier]())
    t_gen = time.perf_counter() - t0
    inst = build_instance(scenario)
    triples = sum(len(v) for v in inst.eligible.values())
    result = solve(inst, time_limit=time_limit, workers=workers, explain=False, method=method)
    report = result.check
    return {
        "tier": tier, "method": method, "ortools": ortools.__version__,
        "readers": len(scenario.radiologists), "sites": len(scenario.sites),
        "needs": len(inst.demands), "naive_booleans": triples + len(inst.eligible),
        "generate_s": round(t_gen, 1), "greedy_s": result.stats.get("greedy_s"),
        "greedy_unfilled": result.stats.get("greedy_unfilled"),
        "time_limit_s": time_limit, "status": result.status, "objective": result.objective,
        "bound": result.bound, "gap": result.gap,
        "probe": result.stats.get("probe_status"),
        "build_s": round(result.timings["instance_s"] + result.timings["build_s"], 1),
        "solve_s": round(result.timings["probe_s"] + result.timings["solve_s"], 1),
        "wall_s": round(result.timings["wall_s"], 1),
        "uncovered": len(report.uncovered) if report else None,
        "hard_violations": len(report.violations) if report else None,
        "variables": result.stats["variables"],
        "greedy_objective": result.stats.get("greedy_objective"),
        "rounds": result.stats.get("rounds"), "cuts": result.stats.get("cuts"),
        "repaired": result.stats.get("repaired"),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def table(rows: list[dict]) -> str:
    cols = ["tier", "method", "readers", "sites", "needs", "naive_booleans", "time_limit_s", "status", "objective",
            "bound", "gap", "uncovered", "hard_violations", "probe", "build_s", "solve_s", "wall_s", "peak_mib",
            "variables", "greedy_objective", "rounds", "cuts", "repaired"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            cells.append(f"{v:.2%}" if c == "gap" and isinstance(v, float) else "-" if v is None else str(v))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + ratios(rows)


def _ratio(a: float | None, b: float | None) -> str:
    if a is None:
        return "-"
    return "naive failed" if b is None else f"{a / b:.3f}" if b else "-"


def ratios(rows: list[dict]) -> str:
    """Per tier, the decomposed formulation's figures over the naive one's (below 1: smaller is better)."""
    lines = ["", "", "| tier | objective decomposed / naive | peak memory decomposed / naive | "
             "variables decomposed / naive | build time decomposed / naive |", "|---|---|---|---|---|"]
    by = {(r["tier"], r.get("method")): r for r in rows}
    for tier in dict.fromkeys(r["tier"] for r in rows):
        naive, dec = by.get((tier, "full")), by.get((tier, "decomposed"))
        if not naive or not dec:
            continue

        cells = [_ratio(dec.get(key), naive.get(key)) for key in ("objective", "peak_mib", "variables", "build_s")]
        lines.append(f"| {tier} | " + " | ".join(cells) + " |")
    return "\n".join(lines) if len(lines) > 4 else ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiers", nargs="+", default=["S", "M", "L"], choices=["S", "M", "L"])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply each tier's time limit")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--methods", nargs="+", default=["full", "decomposed"], choices=["full", "decomposed", "auto"],
                    help="formulations to run per tier: full = the naive one-model formulation")
    ap.add_argument("--method", default="auto", help=argparse.SUPPRESS)
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--time-limit", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        cap = int(CAPS_GIB[args.child] * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        print(json.dumps(child(args.child, args.time_limit, args.workers, args.method)))
        return 0
    rows = []
    for tier in args.tiers:
        for method in args.methods:
            limit = LIMITS[tier] * args.scale
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--child", tier, "--time-limit", str(limit),
                                   "--workers", str(args.workers), "--method", method],
                                  capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                last = (proc.stderr.strip().splitlines() or ["no output"])[-1][:160]
                row = {"tier": tier, "method": method, "time_limit_s": limit,
                       "status": f"failed (cap {CAPS_GIB[tier]:g} GiB): {last}",
                       "wall_s": round(time.perf_counter() - t0, 1)}
            else:
                row = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(table(rows))
    if not args.no_record:
        command = "python benchmarks/tiers_bench.py " + " ".join(sys.argv[1:] if argv is None else argv)
        record("tiers", rows, command.strip(), ROOT / "BENCHMARKS.md", rendered=table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
