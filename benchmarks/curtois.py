"""Run the Curtois & Qu instances through `scheduler bench curtois` and record the table.

Each instance runs in its own child process (peak memory is its own) with the time limit its tier
gets in the performance issue: 60 s up to Instance12, 300 s for Instances 14-20, 600 s beyond.
The table (the dive's roster and its time, then the objective, bound, best known, ratio, gap, wall
time and peak memory) replaces the `curtois` section of BENCHMARKS.md.

    .venv/bin/python benchmarks/curtois.py [--dir ../shared/benchmarks/curtois] [--only Instance1 ...]
        [--scale 1.0] [--workers 2] [--seeds N]

Single runs are noisy (the handover to the LNS and the number of its rounds follow the wall clock:
the same code gave 1,322 to 1,631 on Instance8 in 60 s), so `--seeds N` runs each instance with
seeds 0 to N-1 and prints the spread of the objective (min, median, max) instead of recording the
table: what a comparison of two solver versions needs.

`--bounds S` solves nothing: it computes each instance's lower bound by column generation over each
person's schedules (scheduler.solver.pattern_bound) within S seconds, in a child process, and records
the section `curtois-bounds`: how far the best known values, and the table's rosters, are from optimal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ortools  # noqa: E402

from benchmarks.run import record  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "benchmarks" / "curtois"


def tier_limit(name: str) -> float:
    n = int(re.sub(r"\D", "", name) or 0)
    return 60.0 if n <= 12 else 300.0 if n <= 20 else 600.0


def _child(cmd: list[str], out: Path, instance: str, failed_key: str) -> dict:
    """Run `cmd` (which writes its JSON row to `out`) as a child process; the row, with the child's
    own peak memory, or a failure row naming the instance."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = proc.stderr.read()
    if not out.exists():
        return {"instance": instance, failed_key: f"failed ({proc.returncode}): {stderr.strip()[-200:]}"}
    row = json.loads(out.read_text())
    row["peak_mib"] = round(usage.ru_maxrss / 1024, 1)
    row["ortools"] = ortools.__version__
    return row


def run(path: Path, time_limit: float, workers: int, seed: int = 0, dive_share: float | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "summary.json"
        cmd = [str(ROOT / ".venv" / "bin" / "scheduler"), "bench", "curtois", str(path), "--time-limit",
               str(time_limit), "--workers", str(workers), "--seed", str(seed), "--summary-json", str(out)]
        if dive_share is not None:  # else the bench command's own default
            cmd += ["--dive-s", str(dive_share * time_limit)]
        row = _child(cmd, out, path.stem, "status")
    dived = row.get("dive")  # the dive's own roster ("none" when it gave up), before the search
    row["dive_objective"] = dived.get("objective", "none") if dived else None
    row["dive_s"] = dived["seconds"] if dived else None
    return row


def bound_child(path: Path, seconds: float, workers: int, out: Path) -> None:
    """In a child process: the pattern bound of one instance (no search), as JSON in `out`."""
    import time

    from scheduler.instance import build_instance
    from scheduler.io import curtois
    from scheduler.solver.pattern_bound import pattern_bound

    t0 = time.perf_counter()
    inst = curtois.load(path)
    found = pattern_bound(build_instance(curtois.to_scenario(inst)), time_limit=seconds, workers=workers)
    best = curtois.best_known(path)
    rounded = found.rounded()
    out.write_text(json.dumps({
        "instance": inst.name, "days": inst.days, "staff": len(inst.staff), "bound_limit_s": seconds,
        "pattern_bound": None if found.bound is None else round(found.bound, 2), "rounded": rounded,
        "converged": found.converged, "rounds": found.rounds, "schedules": found.columns,
        "bound_s": round(found.seconds, 1), "wall_s": round(time.perf_counter() - t0, 1), "best_known": best,
        "best_known_over_bound": round(best / rounded, 4) if best and rounded and rounded > 0 else None,
        "best_known_proven_optimal": found.meets(best),
        "best_known_below_bound": found.above(best),
    }))


def run_bound(path: Path, seconds: float, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bound.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--bound-child", str(path), "--bounds", str(seconds),
               "--workers", str(workers), "--child-out", str(out)]
        return _child(cmd, out, path.stem, "pattern_bound")


BOUND_COLUMNS = ["instance", "days", "staff", "bound_limit_s", "pattern_bound", "rounded", "converged", "rounds",
                 "schedules", "bound_s", "best_known", "best_known_over_bound", "best_known_proven_optimal",
                 "best_known_below_bound", "peak_mib"]


def table(rows: list[dict], cols: list[str] | None = None) -> str:
    cols = cols or ["instance", "days", "staff", "time_limit_s", "dive_objective", "dive_s", "status", "objective",
                    "bound", "bound_by", "best_known", "ratio_to_best_known", "gap", "hard_violations", "build_s",
                    "wall_s", "peak_mib"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            if c in ("ratio_to_best_known",) and isinstance(v, float):
                cells.append(f"{v:.4f}")
            elif c == "gap" and isinstance(v, float):
                cells.append(f"{v:.2%}")
            else:
                cells.append("-" if v is None else str(v))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def spread(rows: list[dict]) -> str:
    """Per instance, over its runs (one per seed): how many had a roster, and the objective's min,
    median and max, with the ratio of each to the best known value."""
    by_instance: dict[str, list[dict]] = {}
    for r in rows:
        by_instance.setdefault(r["instance"], []).append(r)
    cols = ["instance", "runs", "with_roster", "min", "median", "max", "best_known", "min_ratio", "median_ratio",
            "max_ratio"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for name, runs in by_instance.items():
        values = sorted(r["objective"] for r in runs if r.get("objective") is not None)
        best = next((r.get("best_known") for r in runs if r.get("best_known")), None)
        figures = [min(values), statistics.median(values), max(values)] if values else [None] * 3
        ratios = [f"{v / best:.4f}" if best and v is not None else "-" for v in figures]
        cells = [name, str(len(runs)), str(len(values))] + ["-" if v is None else f"{v:g}" for v in figures]
        out.append("| " + " | ".join(cells + ["-" if best is None else str(best)] + ratios) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    p.add_argument("--only", nargs="*", help="instance names (default: every Instance*.txt)")
    p.add_argument("--scale", type=float, default=1.0, help="multiply each tier's time limit")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    p.add_argument("--seeds", type=int, default=1, metavar="N",
                   help="run each instance with seeds 0..N-1 and print the objective's spread (records nothing)")
    p.add_argument("--dive-share", type=float, default=None, metavar="F",
                   help="let each run dive the column generation for up to F of its time limit first "
                        "(scheduler bench curtois --dive-s; default: that command's own share); 0 does not")
    p.add_argument("--bounds", type=float, metavar="S",
                   help="instead of solving, compute each instance's pattern bound (column generation, "
                        "scheduler.solver.pattern_bound) within S seconds, and record the section curtois-bounds")
    p.add_argument("--bound-child", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.bound_child is not None:
        bound_child(args.bound_child, args.bounds, args.workers, args.child_out)
        return 0
    files = sorted(args.dir.glob("Instance*.txt"), key=lambda f: int(re.sub(r"\D", "", f.stem)))
    if args.only:
        files = [f for f in files if f.stem in args.only]
    if not files:  # never record an empty table over the published one
        p.error(f"no instance files {'named ' + ', '.join(args.only) + ' ' if args.only else ''}in {args.dir}; "
                "pass --dir with the folder of Instance*.txt files")
    if args.seeds < 1:
        p.error("--seeds must be at least 1")
    rows = []
    if args.bounds is not None:
        for f in files:
            rows.append(run_bound(f, args.bounds, args.workers))
            print(json.dumps(rows[-1]), flush=True)
        rendered = table(rows, BOUND_COLUMNS)
        print(rendered)
        if not args.no_record:
            command = "python benchmarks/curtois.py " + " ".join(argv if argv is not None else sys.argv[1:])
            record("curtois-bounds", rows, command.strip(), ROOT / "BENCHMARKS.md", rendered=rendered)
        return 0
    for f in files:
        for seed in range(args.seeds):
            row = run(f, tier_limit(f.stem) * args.scale, args.workers, seed, args.dive_share)
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.seeds > 1:  # a comparison, not the published table
        print(spread(rows))
        return 0
    print(table(rows))
    if not args.no_record:
        command = "python benchmarks/curtois.py " + " ".join(argv if argv is not None else sys.argv[1:])
        record("curtois", rows, command.strip(), ROOT / "BENCHMARKS.md", rendered=table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
