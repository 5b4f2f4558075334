"""Timing of `rank_candidates` on the French regional example (32 readers, 15 sites, October 2026).

Solves the example once with a short time limit (or reads a roster file given with --roster),
then ranks every reader for every site need of the month: a covered need as released by its
first reader, an uncovered one as it stands. Each call is timed on its own (the instance is built
once, as the app and the CLI do) and the script prints the median, p95 and max, in milliseconds.
The issue's target is under 1 s per call.

    .venv/bin/python benchmarks/candidates.py [--time-limit 20] [--roster ROSTER.json] [--verify 20]

--verify N re-checks N calls' candidates with the full checker (scheduler.check) and fails
loudly on any disagreement, so the figure is for exact answers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scheduler.check import check  # noqa: E402
from scheduler.instance import build_instance  # noqa: E402
from scheduler.io.roster_io import read_roster  # noqa: E402
from scheduler.io.scenario_yaml import load_scenario  # noqa: E402
from scheduler.replan.candidates import open_shift, rank_candidates  # noqa: E402
from scheduler.result import Assignment, Roster  # noqa: E402

SCENARIO = ROOT / "scenarios" / "fr_regional.yaml"


def _roster(inst, args: argparse.Namespace) -> Roster:
    if args.roster:
        return read_roster(args.roster)
    from scheduler.solver import solve

    result = solve(inst, time_limit=args.time_limit, workers=2, seed=0, explain=False)
    report = result.check
    print(f"roster: solve {result.status} in {args.time_limit:g} s, objective {result.objective:,}, "
          f"{len(result.roster.assignments)} assignments, {len(report.uncovered)} uncovered needs, "
          f"{len(report.violations)} hard violations", file=sys.stderr)
    return result.roster


def _verify(inst, roster: Roster, need: tuple, releasing: str | None, candidates) -> None:
    """Each candidate's verdict on a clean base, and its cost, against re-checking the whole roster."""
    site, type_id, date = need
    base = open_shift(inst, roster, site, type_id, date, releasing=releasing).base
    before = check(inst, base)
    for c in candidates:
        kept = tuple(a for a in base.assignments if (a.reader, a.shift_type, a.date) != (c.reader, type_id, date))
        after = check(inst, Roster(assignments=(*kept, Assignment(reader=c.reader, shift_type=type_id, date=date,
                                                                 sites=c.sites))))
        assert c.cost == after.objective - before.objective, (need, c.reader)
        if not before.violations:
            assert c.ok == (not after.violations), (need, c.reader, c.reasons)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=20, help="solve time limit in seconds (default 20)")
    parser.add_argument("--roster", help="use this roster file instead of solving")
    parser.add_argument("--verify", type=int, default=20, metavar="N",
                        help="re-check the first N calls with the full checker (default 20)")
    args = parser.parse_args()

    t = time.perf_counter()
    scenario = load_scenario(SCENARIO)
    inst = build_instance(scenario)
    inst.eligible  # noqa: B018  (what the app's cached instance already holds)
    build = time.perf_counter() - t
    roster = _roster(inst, args)

    times, ok_counts = [], []
    for k, (site, i) in enumerate(sorted(inst.demands, key=lambda key: (key[1], key[0]))):
        s = inst.shifts[i]
        covering = sorted({a.reader for a in roster.assignments
                           if (a.shift_type, a.date) == (s.type_id, s.date) and site in a.sites})
        releasing = covering[0] if covering else None
        t = time.perf_counter()
        candidates = rank_candidates(inst, roster, site, s.type_id, s.date, releasing=releasing)
        times.append(time.perf_counter() - t)
        ok_counts.append(sum(c.ok for c in candidates))
        if k < args.verify:
            _verify(inst, roster, (site, s.type_id, s.date), releasing, candidates)

    ms = sorted(1000 * x for x in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(f"fr_regional: {len(scenario.radiologists)} readers, {len(scenario.sites)} sites, {len(inst.demands)} needs; "
          f"instance built in {1000 * build:.0f} ms")
    print(f"rank_candidates over {len(ms)} needs (every reader each): median {statistics.median(ms):.1f} ms, "
          f"p95 {p95:.1f} ms, max {ms[-1]:.1f} ms; total {sum(ms) / 1000:.1f} s")
    print(f"readers who can take a need without breaking a rule: median {statistics.median(ok_counts):g}, "
          f"min {min(ok_counts)}, max {max(ok_counts)}; {min(args.verify, len(ms))} calls verified against the "
          "full checker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
