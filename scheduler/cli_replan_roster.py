"""`scheduler replan`: re-plan a period's published roster after a change, with the fewest changes.

    scheduler replan --store PATH --period FIRST..LAST
        (--absent READER --from YYYY-MM-DD --to YYYY-MM-DD [--reason TEXT] | --scenario CHANGED.yaml)
        [--now ISO] [--time-limit S] [--workers N] [--publish [--by WHO] [--note TEXT]] [--format text|json]

The period's latest published version is re-planned (scheduler.replan.replan): shifts that
started before `--now` (default: the current time) and locked assignments stay as published; the
new roster changes as few assignments as possible, a change within 72 hours counting three, and
says whether that is proven. With `--publish` it becomes the next version (base: the version it
started from, so a version published meanwhile refuses it). Exit codes: 0 proven fewest changes,
every need covered, no hard rule broken (and published, if asked); 2 a roster but not all of that
(not proven, needs uncovered, rules broken, or no roster: nothing published); 1 bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from scheduler.cli_args import int_at_least, iso_date, period_range, positive_seconds
from scheduler.cli_store import default_actor, default_store
from scheduler.errors import InputError, Issue
from scheduler.io.scenario_yaml import load_scenario
from scheduler.replan.changes import with_absence
from scheduler.replan.published import latest_published
from scheduler.replan.replan import (
    ReplanResult,
    publish_replan,
    reader_lines,
    replan,
    summary_lines,
)
from scheduler.solver.locks import LockError
from scheduler.store import Store
from scheduler.store.db import now_utc, to_text

EXIT_OK = 0
EXIT_NOT_ALL = 2
DEFAULT_TIME_LIMIT = 10.0
COMMAND = "scheduler replan"


def _instant(text: str) -> dt.datetime:
    """An ISO date-time with its offset ('2026-10-15T08:00+02:00', '...Z'): local time only at the edges."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an ISO date-time such as 2026-10-15T08:00+02:00 (got {text!r})"
                                         ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; add its offset, e.g. {text}+02:00 or {text}Z")
    return value.astimezone(dt.UTC)


def _changed_scenario(args: argparse.Namespace, store: Store, published_scenario):
    """The published scenario with the change applied, or the changed scenario file (history refreshed)."""
    if args.scenario:
        scenario = store.with_history(load_scenario(args.scenario))
        h = scenario.horizon
        if (h.start, h.end) != (args.period.start, args.period.end):
            raise InputError([Issue("--scenario", f"its period is {h.start} to {h.end}, not {args.period}; "
                                                  "give the changed scenario of the same period")], COMMAND)
        return scenario
    missing = [name for name, value in (("--from", args.first), ("--to", args.last)) if value is None]
    if missing:
        raise InputError([Issue(m, "required with --absent (the first and last dates of the absence)")
                          for m in missing], COMMAND)
    try:
        return with_absence(published_scenario, args.absent, args.first, args.last, args.reason)
    except InputError as err:
        names = {"reader": "--absent", "first_date": "--from", "last_date": "--to", "reason": "--reason"}
        raise InputError([Issue(names.get(i.path, i.path), i.message) for i in err.issues], COMMAND) from None


def format_text(result: ReplanResult, version_number: int) -> str:
    lines = [f"Re-planned from published version {version_number}:"]
    lines += summary_lines(result)
    lines += ["", "Changes per reader:"] + [f"  {line}" for line in reader_lines(result)]
    return "\n".join(lines) + "\n"


def _success(result: ReplanResult) -> bool:
    return result.proven and not result.check.violations and not result.check.uncovered


def cmd_replan(args: argparse.Namespace) -> int:
    now = args.now or now_utc()
    with Store(args.store) as store:
        state = latest_published(store, args.period)
        changed = _changed_scenario(args, store, state.scenario)
        print(f"re-planning {args.period} from version {state.version.number} ({len(state.roster.assignments)} "
              f"assignments) as of {to_text(now)}; time limit {args.time_limit:g} s", file=sys.stderr)
        try:
            result = replan(changed, state.roster, now=now, time_limit=args.time_limit, workers=args.workers)
        except LockError as err:
            raise InputError([Issue("locked", problem) for problem in err.problems], COMMAND) from None
        published = None
        refusal = None
        if args.publish:
            if not result.has_solution:
                refusal = f"not published: no re-planned roster ({result.status})"
            elif result.check.violations:
                refusal = (f"not published: the roster breaks {len(result.check.violations)} hard rule(s) (listed "
                           "above); change what is asked (e.g. an absence starting after shifts already worked)")
            else:
                published = publish_replan(store, result, base_number=state.version.number, by=args.by, note=args.note)
    if args.format == "json":
        data = {"period": args.period.key, "from_version": state.version.number, **result.to_dict()}
        if published is not None:
            data["published"] = {"version": published.version.number, "base_version": published.version.base_number,
                                 "published_by": published.version.published_by}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_text(result, state.version.number))
        if published is not None:
            v = published.version
            sys.stdout.write(f"Published as version {v.number} of {args.period} (base version {v.base_number}, "
                             f"by {v.published_by}).\n")
    sys.stdout.flush()
    if refusal:
        print(refusal, file=sys.stderr)
    return EXIT_OK if _success(result) and not refusal else EXIT_NOT_ALL


def add_replan_roster_commands(sub: argparse._SubParsersAction) -> None:
    """Register `replan` on the `scheduler` parser."""
    p = sub.add_parser(
        "replan", help="re-plan a published roster after a change, with the fewest changes",
        description="Re-plan the latest published version of a period after a change (a reader absent, or a "
                    "changed scenario file): past and locked assignments stay; the fewest assignments change (one "
                    "within 72 h counts 3), with the proof. --publish publishes it as the next version. Exit 0 "
                    "when the fewest changes are proven, every need is covered and no rule is broken; 2 when not; "
                    "1 on bad input.")
    p.add_argument("--store", default=default_store(), metavar="PATH",
                   help="store file (default: $SCHEDULER_STORE, else ./scheduler.sqlite3)")
    p.add_argument("--period", required=True, type=period_range, metavar="FIRST..LAST",
                   help="the published period, e.g. 2026-10-01..2026-10-31")
    change = p.add_mutually_exclusive_group(required=True)
    change.add_argument("--absent", metavar="READER", help="the reader who is absent (with --from and --to)")
    change.add_argument("--scenario", metavar="CHANGED.yaml",
                        help="the period's scenario with the change already made (any change)")
    p.add_argument("--from", dest="first", type=iso_date, metavar="YYYY-MM-DD", help="first date of the absence")
    p.add_argument("--to", dest="last", type=iso_date, metavar="YYYY-MM-DD", help="last date of the absence")
    p.add_argument("--reason", default="absence", help="why they are away (default: absence)")
    p.add_argument("--now", type=_instant, metavar="ISO",
                   help="what counts as past: shifts starting before it stay (default: the current time)")
    p.add_argument("--time-limit", type=positive_seconds, default=DEFAULT_TIME_LIMIT, metavar="S",
                   help=f"search time in seconds (default {DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--workers", type=int_at_least(1), default=2, metavar="N", help="solver threads (default 2)")
    p.add_argument("--publish", action="store_true", help="publish the re-planned roster as the next version")
    p.add_argument("--by", default=default_actor(), metavar="NAME",
                   help="who publishes, for the audit log (default: $SCHEDULER_USER or the login name)")
    p.add_argument("--note", default="", help="why this version (default: the number of changes)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    p.set_defaults(run=cmd_replan)
