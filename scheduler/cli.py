"""The `scheduler` command: solve a scenario, check a roster, explain what cannot be covered.

Exit codes: 0 the roster covers every need and breaks no hard rule; 2 it does not (or no roster
was found); 1 bad input or an unwritable output file, with the reason on stderr; 130 interrupted.
Progress goes to stderr, the readable summary to stdout. Output files are written atomically.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from scheduler.cli_args import int_at_least as _int_at_least
from scheduler.cli_args import positive_seconds
from scheduler.cli_batch import add_batch_commands
from scheduler.cli_bench import add_bench_commands
from scheduler.cli_replan import add_replan_commands
from scheduler.cli_replan_roster import add_replan_roster_commands
from scheduler.cli_store import add_store_commands, default_store
from scheduler.cli_swaps import add_swap_commands
from scheduler.errors import InputError
from scheduler.instance import Instance, build_instance
from scheduler.io.atomic import write_text_atomic
from scheduler.io.roster_io import SUFFIXES, read_roster, roster_format, write_roster
from scheduler.io.scenario_yaml import load_scenario
from scheduler.report import is_success, plural, summary_json, summary_text
from scheduler.result import Progress, SolveResult
from scheduler.store import StoreError

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_NOT_COVERED = 2
EXIT_INTERRUPTED = 130
DEFAULT_TIME_LIMIT = 30.0


class _UsageError(Exception):
    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class OutputError(Exception):
    """An output file could not be written."""

    def __init__(self, path: str | Path, exc: OSError) -> None:
        self.path = str(path)
        super().__init__(f"{path}: cannot write the file: {exc.strerror or exc}")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as exit code 1 (2 means 'not fully covered' here)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(self, message)


# ---- progress --------------------------------------------------------------------------------
def format_progress(p: Progress) -> str:
    obj = "-" if p.objective is None else f"{p.objective:,.0f}"
    bound = "-" if p.bound is None else f"{p.bound:,.0f}"
    gap = "-" if p.gap is None else f"{100 * p.gap:.2f}%"
    return f"objective {obj}  bound {bound}  gap {gap}  elapsed {p.elapsed:.1f} s"


class ProgressLine:
    """Shows solver progress on a stream: one line rewritten in place on a terminal, otherwise a
    new line at most once per `interval` seconds (and the last state when closed).

    Called from solver threads, so it only formats and writes under a lock.
    """

    def __init__(self, stream: TextIO, *, tty: bool | None = None, interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.tty = _isatty(stream) if tty is None else tty
        self.interval = interval if not self.tty else 0.1
        self.clock = clock
        self.lock = threading.Lock()
        self.last_shown = -math.inf
        self.width = 0
        self.pending: str | None = None

    def __call__(self, point: Progress) -> None:
        text = format_progress(point)
        with self.lock:
            now = self.clock()
            if now - self.last_shown < self.interval:
                self.pending = text
                return
            self.last_shown = now
            self.pending = None
            self._show(text)

    def _show(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r" + text.ljust(self.width))
            self.width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        with self.lock:
            if self.pending is not None:
                self._show(self.pending)
                self.pending = None
            if self.tty and self.width:
                self.stream.write("\n")
                self.stream.flush()
                self.width = 0


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# ---- solving with a clean stop ---------------------------------------------------------------
def _run_solve(inst: Instance, args: argparse.Namespace, *, explain: bool) -> tuple[SolveResult | None, bool]:
    """Solve with a progress line. The first Ctrl-C stops the search and keeps the best roster
    (returns it with interrupted=True); a second one abandons it (returns None, True)."""
    from scheduler.solver import solve

    line = ProgressLine(sys.stderr)
    stop = threading.Event()
    kwargs = dict(time_limit=args.time_limit, workers=args.workers, seed=args.seed, on_progress=line,
                  stop=stop, explain=explain)
    if threading.current_thread() is not threading.main_thread():
        try:
            return solve(inst, **kwargs), False
        finally:
            line.close()

    outcome: dict[str, object] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["result"] = solve(inst, **kwargs)
        except BaseException as exc:  # re-raised in the main thread
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=work, name="scheduler-solve", daemon=True)
    interrupted = abandoned = False
    try:
        worker.start()
        while True:
            try:
                while not done.wait(0.05):  # short waits keep Ctrl-C responsive
                    pass
                break
            except KeyboardInterrupt:
                if interrupted:
                    abandoned = True
                    print("\nabandoning the search; nothing will be written", file=sys.stderr)
                else:
                    interrupted = True
                    print("\nstopping: keeping the best roster found so far (Ctrl-C again to abandon it)",
                          file=sys.stderr)
                stop.set()
    finally:
        line.close()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    if abandoned:
        return None, True
    return outcome["result"], interrupted  # type: ignore[return-value]


# ---- outputs ---------------------------------------------------------------------------------
def _write(path: str, what: str, action: Callable[[], None]) -> None:
    try:
        action()
    except OSError as exc:
        raise OutputError(path, exc) from None
    print(f"wrote {what} to {path}", file=sys.stderr)


def _write_summary_json(path: str, data: dict) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    _write(path, "summary", lambda: write_text_atomic(path, text))


def _exit_code(result, interrupted: bool) -> int:
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if is_success(result) else EXIT_NOT_COVERED


def _describe(inst: Instance, args: argparse.Namespace) -> str:
    scen = inst.scenario
    return (f"solving {scen.name}: {plural(len(scen.radiologists), 'reader')}, {plural(len(scen.sites), 'site')}, "
            f"{plural(len(inst.demands), 'need')}; time limit {args.time_limit:g} s, "
            f"{plural(args.workers, 'worker')}")


def _with_history(scenario, args: argparse.Namespace):
    """With --carry-history: each reader's history from what the store has published before the horizon."""
    if not args.carry_history:
        return scenario
    from scheduler.store import Store

    with Store(args.store) as store:
        return store.with_history(scenario)


# ---- commands --------------------------------------------------------------------------------
def cmd_solve(args: argparse.Namespace) -> int:
    if args.out:
        roster_format(args.out)  # a bad suffix is reported before a long solve, not after
    scenario = _with_history(load_scenario(args.scenario), args)
    inst = build_instance(scenario)
    print(_describe(inst, args), file=sys.stderr)
    result, interrupted = _run_solve(inst, args, explain=not args.no_explain)
    if result is None:
        return EXIT_INTERRUPTED
    sys.stdout.write(summary_text(inst, result, result.roster))
    sys.stdout.flush()
    if args.out:
        if result.has_solution:
            _write(args.out, "roster", lambda: write_roster(args.out, result.roster, inst))
        else:
            print(f"no roster found; {args.out} left as it was", file=sys.stderr)
    if args.summary_json:
        _write_summary_json(args.summary_json, summary_json(inst, result, result.roster))
    return _exit_code(result, interrupted)


def cmd_check(args: argparse.Namespace) -> int:
    from scheduler.check import check

    scenario = _with_history(load_scenario(args.scenario), args)
    roster = read_roster(args.roster)
    inst = build_instance(scenario)
    report = check(inst, roster)
    sys.stdout.write(summary_text(inst, report, roster))
    sys.stdout.flush()
    if args.summary_json:
        _write_summary_json(args.summary_json, summary_json(inst, report, roster))
    return _exit_code(report, False)


def cmd_explain(args: argparse.Namespace) -> int:
    scenario = _with_history(load_scenario(args.scenario), args)
    inst = build_instance(scenario)
    print(_describe(inst, args), file=sys.stderr)
    result, interrupted = _run_solve(inst, args, explain=True)
    if result is None:
        return EXIT_INTERRUPTED
    out: list[str] = []
    if not result.has_solution:
        if result.status == "INFEASIBLE":
            out.append(f"{scenario.name}: the hard rules cannot all hold, so no roster exists.")
        else:
            out.append(f"{scenario.name}: no roster was found ({result.status}); "
                       "try a longer --time-limit.")
    elif is_success(result):
        out.append(f"{scenario.name} can be fully covered: every need gets its readers "
                   "and no hard rule is broken.")
    else:
        out.append(f"{scenario.name} cannot be fully covered.")
        if result.status != "OPTIMAL":
            out.append(f"(the search ended {result.status}, not proven optimal; a longer --time-limit "
                       "may cover more)")
    if result.explanation:
        out.append("")
        out.append("Why:")
        out += [f"  {line}" for line in result.explanation]
    if result.uncovered:
        out.append("")
        out.append(f"Uncovered ({plural(sum(u.missing for u in result.uncovered), 'reader slot')} missing):")
        out += [f"  - {u.message}" for u in result.uncovered]
    violations = result.check.violations if result.check else []
    if violations:
        out.append("")
        out.append(f"Hard violations ({len(violations)}):")
        out += [f"  - [{v.rule}] {v.message}" for v in violations[:20]]
    print("\n".join(out))
    return _exit_code(result, interrupted)


# ---- argument parsing ------------------------------------------------------------------------
def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def _solver_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--time-limit", type=positive_seconds, default=DEFAULT_TIME_LIMIT, metavar="S",
                   help=f"stop the search after S seconds (default {DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--workers", type=_int_at_least(1), default=_default_workers(), metavar="N",
                   help="solver threads (default: CPU count, at most 8)")
    p.add_argument("--seed", type=_int_at_least(0), default=0, metavar="N", help="random seed (default 0)")


def _history_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--carry-history", action="store_true",
                   help="take each reader's history (last days, fairness totals) from the published rosters "
                        "in the store before the horizon")
    p.add_argument("--store", default=default_store(), metavar="PATH",
                   help="store file for --carry-history (default: $SCHEDULER_STORE, else ./scheduler.sqlite3)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scheduler", description="Radiologist scheduling optimizer (CP-SAT).",
                     epilog="Exit codes: 0 fully covered with no hard violation; 2 not fully covered, hard "
                            "violations or no roster; 1 bad input; 130 interrupted.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("solve", help="build a roster for a scenario",
                       description="Solve a scenario: progress on stderr, a summary on stdout. The first Ctrl-C "
                                   "stops the search and keeps the best roster found (exit 130).")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    _solver_options(p)
    p.add_argument("--out", metavar="ROSTER", help=f"write the roster ({', '.join(SUFFIXES)}, by suffix)")
    p.add_argument("--summary-json", metavar="PATH", help="write the summary as JSON")
    p.add_argument("--no-explain", action="store_true", help="skip explaining uncovered needs")
    _history_options(p)
    p.set_defaults(run=cmd_solve)

    p = sub.add_parser("check", help="check a roster against a scenario's rules",
                       description="Check a roster: hard violations, uncovered needs and objective terms.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    p.add_argument("roster", metavar="ROSTER", help=f"roster file ({', '.join(SUFFIXES)})")
    p.add_argument("--summary-json", metavar="PATH", help="write the summary as JSON")
    _history_options(p)
    p.set_defaults(run=cmd_check)

    p = sub.add_parser("explain", help="say why a scenario cannot be fully covered",
                       description="Solve and explain which needs cannot be covered, and why.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    _solver_options(p)
    _history_options(p)
    p.set_defaults(run=cmd_explain)

    add_store_commands(sub)
    add_swap_commands(sub)
    add_bench_commands(sub, _solver_options)
    add_replan_commands(sub)
    add_replan_roster_commands(sub)
    add_batch_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as err:
        err.parser.print_usage(sys.stderr)
        print(f"{err.parser.prog}: error: {err.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    try:
        return args.run(args)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OutputError, StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # stdout closed early (`scheduler solve x | head`): stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
