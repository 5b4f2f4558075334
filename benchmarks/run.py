"""Benchmark runner: solve scenarios, print and record wall time, objective, bound, gap, memory.

Each scenario runs in its own child process so its peak memory (ru_maxrss) is its own. Results
are printed and written to BENCHMARKS.md between markers, with the machine and the command.

    .venv/bin/python benchmarks/run.py scenarios/fr_regional.yaml --time-limit 30 --workers 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- benchmark:{name}:begin -->"
END = "<!-- benchmark:{name}:end -->"


def run_one(path: str, time_limit: float, workers: int, seed: int) -> dict:
    """Solve one scenario in this process and return its figures (called in the child)."""
    from ortools import __version__ as ortools_version

    from scheduler.io.scenario_yaml import load_scenario
    from scheduler.solver import solve

    scenario = load_scenario(path)
    result = solve(scenario, time_limit=time_limit, workers=workers, seed=seed)
    report = result.check
    return {
        "scenario": path,
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "wall_s": round(result.timings["wall_s"], 2),
        "build_s": round(result.timings["instance_s"] + result.timings["build_s"], 2),
        "solve_s": round(result.timings["solve_s"], 2),
        "explain_s": round(result.timings.get("explain_s", 0.0), 2),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "hard_violations": len(report.violations) if report else None,
        "uncovered": len(report.uncovered) if report else None,
        "checker_agrees": bool(report and report.objective == result.objective),
        "variables": result.stats["variables"],
        "constraints": result.stats["constraints"],
        "ortools": ortools_version,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}, {platform.system()}"


def table(rows: list[dict]) -> str:
    cols = ["scenario", "status", "objective", "bound", "gap", "build_s", "solve_s", "wall_s", "explain_s",
            "peak_mib", "hard_violations", "uncovered", "checker_agrees", "variables", "constraints"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            cells.append(f"{v:.4%}" if c == "gap" and isinstance(v, float) else str(v))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def record(name: str, rows: list[dict], command: str, path: Path, rendered: str | None = None) -> None:
    """Replace this benchmark's section of BENCHMARKS.md (or append it)."""
    from scheduler.io.atomic import write_text_atomic

    body = "\n".join([
        BEGIN.format(name=name),
        f"### {name}",
        "",
        f"- date: {dt.date.today().isoformat()}",
        f"- machine: {machine()}",
        f"- ortools: {rows[0].get('ortools') if rows else '?'}",
        f"- command: `{command}`",
        "",
        rendered if rendered is not None else table(rows),
        END.format(name=name),
    ])
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    begin, end = BEGIN.format(name=name), END.format(name=name)
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + body + tail
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    write_text_atomic(path, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="+")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--name", default="examples", help="section name in BENCHMARKS.md")
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    ap.add_argument("--no-record", action="store_true")
    ap.add_argument("--memory-cap-gib", type=float, help="address-space cap of each child (a blown cap is a row)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        if args.memory_cap_gib:
            cap = int(args.memory_cap_gib * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        print(json.dumps(run_one(args.scenarios[0], args.time_limit, args.workers, args.seed)))
        return 0
    rows = []
    for path in args.scenarios:
        cmd = [sys.executable, __file__, path, "--child", "--time-limit", str(args.time_limit),
               "--workers", str(args.workers), "--seed", str(args.seed)]
        if args.memory_cap_gib:
            cmd += ["--memory-cap-gib", str(args.memory_cap_gib)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
        if proc.returncode != 0:  # a crash or a blown memory cap is a result too: record it
            print(proc.stderr[-2000:], file=sys.stderr)
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1][:120]
            cap = f" (cap {args.memory_cap_gib:g} GiB)" if args.memory_cap_gib else ""
            row = {"scenario": path, "status": f"failed{cap}: {last}", "wall_s": round(time.perf_counter() - t0, 1)}
            rows.append(row)
            print(json.dumps(row), flush=True)
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(table(rows))
    if not args.no_record:
        command = "python benchmarks/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
        record(args.name, rows, command, Path(args.out))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
