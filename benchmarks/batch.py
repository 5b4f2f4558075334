"""Batch planning throughput: 12 months of tier S (and a what-if of it) on a LocalCluster of 1 and 2 workers.

Two chains of 12 months each (tier S, November 2026 to October 2027, and the same with one more
neuro reader) run through `scheduler.batch.run_batch`, once on 1 Dask worker (the chains one after
the other) and once on 2 (side by side); each month is solved with one CP-SAT thread for
`--time-limit` seconds, checked, and written. Reported per run: total wall time (cluster start
included), months per minute, seconds per month, the lowest coverage and the hard violations.

    .venv/bin/python benchmarks/batch.py [--time-limit 10] [--workers 1 2] [--months 2026-11..2027-10] [--record]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import record  # noqa: E402


def write_inputs(folder: Path, months: str, time_limit: float, chains: int) -> Path:
    """Tier S as a scenario file, and a spec of `chains` chains (the base, then what-ifs of it)."""
    import yaml

    from benchmarks.tiers import tier_s, validate
    from scheduler.io.scenario_yaml import save_scenario

    scenario = validate(tier_s())
    save_scenario(scenario, folder / "tier_s.yaml")
    neuro = next(r.id for r in scenario.radiologists if "neuro" in r.subspecialties and r.fte == 1.0)
    variations = [{"name": f"tier S + {k} neuro reader{'s' if k > 1 else ''}", "copy_reader": {"from": neuro,
                                                                                                "count": k}}
                  for k in range(1, chains)]
    spec = {"scenarios": [{"name": "tier S", "file": "tier_s.yaml"}], "months": months, "time_limit": time_limit,
            "workers_per_solve": 1, "variations": variations}
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def run(spec_path: Path, out: Path, workers: int) -> dict:
    from scheduler.batch import load_spec, run_batch
    from scheduler.batch.progress import BatchProgress

    t0 = time.perf_counter()
    outcome = run_batch(load_spec(spec_path), out, spec_dir=spec_path.parent, n_workers=workers,
                        progress=BatchProgress(sys.stderr))
    wall = time.perf_counter() - t0
    solved = [r for r in outcome.rows if r["status"] not in ("FAILED", "NOT RUN")]
    gaps = [r["gap"] for r in solved if r["gap"] is not None]
    return {
        "dask_workers": workers,
        "chains": len({r["key"] for r in outcome.rows}),
        "months": len(solved),
        "failed": len(outcome.failures),
        "wall_s": round(wall, 1),
        "months_per_min": round(60 * len(solved) / wall, 2),
        "s_per_month": round(sum(r["seconds"] for r in solved) / max(1, len(solved)), 1),
        "lowest_coverage": min((r["coverage"] for r in solved), default=None),
        "hard_violations": sum(r["hard_violations"] for r in solved),
        "mean_gap": round(sum(gaps) / len(gaps), 4) if gaps else None,
        "checker_agrees": all(r["checker_agrees"] for r in solved),
    }


def table(rows: list[dict]) -> str:
    cols = ["dask_workers", "chains", "months", "failed", "wall_s", "months_per_min", "s_per_month",
            "lowest_coverage", "hard_violations", "mean_gap", "checker_agrees"]
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join("-" if r.get(c) is None else str(r.get(c)) for c in cols) + " |" for r in rows]
    if len(rows) >= 2 and rows[0]["months_per_min"]:
        out += ["", f"Speed-up of {rows[-1]['dask_workers']} workers over {rows[0]['dask_workers']}: "
                    f"{rows[-1]['months_per_min'] / rows[0]['months_per_min']:.2f}x (months per minute)."]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", default="2026-11..2027-10")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per month (default 10)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Dask worker counts to run")
    ap.add_argument("--chains", type=int, default=2, help="tier S and chains-1 what-ifs of it (default 2)")
    ap.add_argument("--record", action="store_true", help="write the table into BENCHMARKS.md")
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        spec = write_inputs(Path(tmp), args.months, args.time_limit, args.chains)
        for w in args.workers:
            rows.append(run(spec, Path(tmp) / f"out-{w}", w))
            print(rows[-1], file=sys.stderr)
    print(table(rows))
    if args.record:
        command = "python benchmarks/batch.py " + " ".join(argv if argv is not None else sys.argv[1:])
        record("batch", [{**r, "ortools": _ortools()} for r in rows], command.strip(), ROOT / "BENCHMARKS.md",
               rendered=table(rows))
    return 0


def _ortools() -> str:
    from ortools import __version__

    return __version__


if __name__ == "__main__":
    sys.exit(main())
