"""`scheduler batch SPEC.yaml --out DIR`: plan scenarios and what-ifs over a range of months, on Dask.

Exit codes: 0 every month of every scenario planned, fully covered, with no hard violation; 2 some
month not fully covered or with hard violations, or a scenario failed; 1 bad input (the spec, the
options) or an unreachable cluster; 130 interrupted (re-running the same command resumes).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scheduler.cli_args import int_at_least, positive_seconds

EXIT_OK, EXIT_BAD_INPUT, EXIT_NOT_COVERED, EXIT_INTERRUPTED = 0, 1, 2, 130


def cmd_batch(args: argparse.Namespace) -> int:
    from scheduler.batch import load_spec, run_batch
    from scheduler.batch.progress import BatchProgress
    from scheduler.batch.report import unit_totals
    from scheduler.batch.runner import ClusterError, Settings

    spec = load_spec(args.spec)
    settings = Settings.of(spec, months=args.months, time_limit=args.time_limit,
                           workers_per_solve=args.workers_per_solve, source=args.spec)
    if args.scheduler_address:
        where = f"the cluster at {args.scheduler_address}"
    elif args.workers:
        where = f"a local Dask cluster ({args.workers} worker{'s' if args.workers != 1 else ''})"
    else:
        where = "a local Dask cluster (a worker per scenario, up to the cores)"
    print(f"batch {args.spec}: {len(settings.months)} months ({settings.months[0]} to {settings.months[-1]}), "
          f"{settings.time_limit:g} s per month, {settings.workers_per_solve} CP-SAT thread(s) per month, on {where}",
          file=sys.stderr)
    try:
        outcome = run_batch(spec, args.out, spec_dir=Path(args.spec).parent, settings=settings, source=args.spec,
                            scheduler_address=args.scheduler_address, n_workers=args.workers,
                            progress=BatchProgress(sys.stderr, bar=False if args.no_progress else None))
    except ClusterError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:
        print(f"error: {args.out}: cannot write the output: {err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT

    by_unit: dict[str, list[dict]] = {}
    for r in outcome.rows:
        by_unit.setdefault(r["scenario"], []).append(r)
    for name, rows in by_unit.items():
        t = unit_totals(rows)
        cov = "-" if t["coverage_min"] is None else f"{100 * t['coverage_min']:.1f}%"
        line = (f"{name}: {t['months']} months, {t['verdict']}; lowest coverage {cov}, "
                f"requests met {t['requests']}, {t['seconds']:.0f} s")
        print(line + (f"\n  {t['error']}" if t["error"] else ""))
    print(f"{outcome.solved} months solved, {outcome.skipped} already done; "
          f"wrote {Path(args.out) / 'summary.csv'} and {Path(args.out) / 'summary.html'}", file=sys.stderr)
    if outcome.interrupted:
        print("interrupted: finished months are kept; run the same command again to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK if outcome.all_covered else EXIT_NOT_COVERED


def add_batch_commands(sub: argparse._SubParsersAction) -> None:
    """Register `scheduler batch`."""
    p = sub.add_parser(
        "batch", help="plan scenarios and what-if variations over a range of months (Dask)",
        description="Plan each scenario (and each what-if variation) month after month, each month from the "
                    "previous one's roster, on a local Dask cluster or a running one. Finished months are kept: "
                    "after a crash or Ctrl-C the same command resumes. Writes DIR/<scenario>/<month>/ and "
                    "DIR/summary.csv, DIR/summary.html.")
    p.add_argument("spec", metavar="SPEC", help="batch spec YAML (scenarios, months, variations)")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created; reused to resume)")
    p.add_argument("--months", metavar="A..B", help="months to plan, YYYY-MM..YYYY-MM (overrides the spec)")
    p.add_argument("--time-limit", type=positive_seconds, metavar="S", help="seconds per month (overrides the spec)")
    p.add_argument("--workers", type=int_at_least(1), metavar="N",
                   help="local Dask worker processes (default: one per scenario, up to the cores)")
    p.add_argument("--workers-per-solve", type=int_at_least(1), metavar="N",
                   help="CP-SAT threads per month (overrides the spec; default 1)")
    p.add_argument("--scheduler-address", metavar="ADDRESS",
                   help="run on this Dask cluster (tcp://host:8786) instead of a local one")
    p.add_argument("--no-progress", action="store_true", help="no progress bar: one line per finished month")
    p.set_defaults(run=cmd_batch)
