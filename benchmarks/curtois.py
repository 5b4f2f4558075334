"""Run the Curtois & Qu instances through `scheduler bench curtois` and record the table.

Each instance runs in its own child process (peak memory is its own) with the time limit its tier
gets in the performance issue: 60 s up to Instance12, 300 s for Instances 14-20, 600 s beyond.
The table (objective, bound, best known, ratio, gap, wall time, peak memory) replaces the
`curtois` section of BENCHMARKS.md.

    .venv/bin/python benchmarks/curtois.py [--dir ../shared/benchmarks/curtois] [--only Instance1 ...]
        [--scale 1.0] [--workers 2] [--seeds N]

Single runs are noisy (the handover to the LNS and the number of its rounds follow the wall clock:
the same code gave 1,322 to 1,631 on Instance8 in 60 s), so `--seeds N` runs each instance with
seeds 0 to N-1 and prints the spread of the objective (min, median, max) instead of recording the
table: what a comparison of two solver versions needs.
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


def run(path: Path, time_limit: float, workers: int, seed: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "summary.json"
        cmd = [str(ROOT / ".venv" / "bin" / "scheduler"), "bench", "curtois", str(path), "--time-limit",
               str(time_limit), "--workers", str(workers), "--seed", str(seed), "--summary-json", str(out)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr = proc.stderr.read()
        if not out.exists():
            return {"instance": path.stem, "status": f"failed ({proc.returncode}): {stderr.strip()[-200:]}"}
        row = json.loads(out.read_text())
    row["peak_mib"] = round(usage.ru_maxrss / 1024, 1)
    row["ortools"] = ortools.__version__
    return row


def table(rows: list[dict]) -> str:
    cols = ["instance", "days", "staff", "time_limit_s", "status", "objective", "bound", "best_known",
            "ratio_to_best_known", "gap", "hard_violations", "build_s", "wall_s", "peak_mib"]
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
    args = p.parse_args(argv)
    files = sorted(args.dir.glob("Instance*.txt"), key=lambda f: int(re.sub(r"\D", "", f.stem)))
    if args.only:
        files = [f for f in files if f.stem in args.only]
    if not files:  # never record an empty table over the published one
        p.error(f"no instance files {'named ' + ', '.join(args.only) + ' ' if args.only else ''}in {args.dir}; "
                "pass --dir with the folder of Instance*.txt files")
    if args.seeds < 1:
        p.error("--seeds must be at least 1")
    rows = []
    for f in files:
        for seed in range(args.seeds):
            row = run(f, tier_limit(f.stem) * args.scale, args.workers, seed)
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
