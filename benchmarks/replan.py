"""Re-planning benchmark (issue #6): one reader absent for 3 days, re-planned with the fewest changes, proven.

For each case a published roster is made without the store: the example scenarios are solved once
(`--solve-limit` seconds), the tiers take `benchmarks/tiers.py`'s greedy roster (checked by the
checker). The reader with the most shifts on the three middle dates of the horizon (then in its
middle half) is made absent on those dates, and `scheduler.replan.replan` re-plans with `now` at
the horizon start. Printed per case: wall time (instance, model, searches, check: everything
`replan` does), changed assignments, weighted changes, the proven bound, the status, and the
checker's verdict. The issue's target: under 10 s with the changes equal to the proven minimum.

    .venv/bin/python benchmarks/replan.py [--cases fr_regional us_multistate S [M] [L]] [--time-limit 10]
        [--solve-limit 20] [--record [--section replan]]

Each case runs in its own child process (its time and memory are its own). `--record` writes the
table to the `replan` section of BENCHMARKS.md (benchmarks/run.py `record`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import ortools

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.run import record  # noqa: E402

CASES = ("fr_regional", "us_multistate", "S")
COLUMNS = ["case", "readers", "sites", "needs", "absent", "dates", "published_by", "status", "changes", "weighted",
           "bound", "hard_violations", "uncovered", "wall_s", "build_s", "search_s", "peak_mib"]


def published_roster(case: str, solve_limit: float):
    """The case's scenario and a roster to re-plan (solved, or the tier's greedy one), checked."""
    from scheduler.check import check
    from scheduler.io.scenario_yaml import load_scenario

    if case in ("S", "M", "L"):
        from benchmarks.tiers import greedy_roster, tier_l, tier_m, tier_s, validate
        from scheduler.instance import build_instance

        scenario = validate({"S": tier_s, "M": tier_m, "L": tier_l}[case]())
        inst = build_instance(scenario)
        roster, _unfilled = greedy_roster(inst)
        report = check(inst, roster)
        how = "greedy"
    else:
        from scheduler.solver import solve

        scenario = load_scenario(ROOT / "scenarios" / f"{case}.yaml")
        result = solve(scenario, time_limit=solve_limit, workers=2, seed=0, explain=False)
        roster, how = result.roster, f"solve {solve_limit:g} s"
        report = check(scenario, roster)
    if report.violations:
        raise SystemExit(f"{case}: the published roster breaks {len(report.violations)} hard rules")
    return scenario, roster, how


def absent_reader(scenario, roster) -> tuple[str, list[dt.date]]:
    """The reader with the most shifts on the three middle dates (then in the middle half), and those dates."""
    days = scenario.horizon.days
    middle = days[len(days) // 2 - 1: len(days) // 2 + 2]
    half = set(days[len(days) // 4: 3 * len(days) // 4])
    three = Counter(a.reader for a in roster.assignments if a.date in middle)
    wide = Counter(a.reader for a in roster.assignments if a.date in half)
    reader = max(wide, key=lambda r: (three[r], wide[r], r))
    return reader, middle


def run_case(case: str, time_limit: float, solve_limit: float, workers: int) -> dict:
    from scheduler.replan.changes import with_absence
    from scheduler.replan.replan import replan

    scenario, roster, how = published_roster(case, solve_limit)
    reader, dates = absent_reader(scenario, roster)
    changed = with_absence(scenario, reader, dates[0], dates[-1], "benchmark absence")
    now = dt.datetime.combine(scenario.horizon.start, dt.time(0), tzinfo=dt.UTC)
    t0 = time.perf_counter()
    result = replan(changed, roster, now=now, time_limit=time_limit, workers=workers)
    wall = time.perf_counter() - t0
    t = result.timings
    return {
        "case": case, "ortools": ortools.__version__,
        "readers": len(scenario.radiologists), "sites": len(scenario.sites),
        "needs": len(result.inst.demands), "absent": reader, "dates": f"{dates[0]}..{dates[-1]}",
        "published_by": how, "status": result.status, "changes": result.number_of_changes,
        "weighted": result.weighted_changes, "bound": result.bound,
        "hard_violations": len(result.check.violations), "uncovered": len(result.check.uncovered),
        "wall_s": round(wall, 2), "build_s": round(t["plan_s"] + t["build_s"], 2),
        "search_s": round(t["first_s"] + t["second_s"], 2),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "steps": result.stats["steps"],
    }


def table(rows: list[dict]) -> str:
    out = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    out += ["| " + " | ".join(str(r.get(c, "")) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=list(CASES), help=f"default: {' '.join(CASES)} (M, L also work)")
    ap.add_argument("--time-limit", type=float, default=10.0, help="re-plan time limit in seconds (default 10)")
    ap.add_argument("--solve-limit", type=float, default=20.0, help="solve time for the examples' rosters")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--record", action="store_true", help="write the table to BENCHMARKS.md (section --section)")
    ap.add_argument("--section", default="replan", help="BENCHMARKS.md section to record in (default replan)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(run_case(args.child, args.time_limit, args.solve_limit, args.workers)))
        return 0
    rows = []
    for case in args.cases:
        cmd = [sys.executable, __file__, "--child", case, "--time-limit", str(args.time_limit),
               "--solve-limit", str(args.solve_limit), "--workers", str(args.workers)]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1][:160]
            row = {"case": case, "status": f"failed: {last}"}
        else:
            row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(table(rows))
    if args.record:
        command = "python benchmarks/replan.py " + " ".join(sys.argv[1:] if argv is None else argv)
        record(args.section, rows, command, ROOT / "BENCHMARKS.md", rendered=table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
