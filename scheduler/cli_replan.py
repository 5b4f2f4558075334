"""Re-planning commands of `scheduler`: `candidates`, who could take an open or released shift.

`scheduler candidates SCENARIO ROSTER --site ID --shift TYPE --date YYYY-MM-DD [--releasing READER]
[--format text|json]` ranks every reader for one site's shift (scheduler.replan.candidates): first
those who can take it without breaking a hard rule, cheapest change in the objective first; then
the others, each with every reason in words. Exit codes: 0 someone can take it; 2 nobody can
without breaking a rule; 1 bad input (an unknown site, shift type or reader, a date outside the
horizon, a site with no need then), naming the argument, what is wrong and what would be valid.
"""

from __future__ import annotations

import argparse
import json
import sys

from scheduler.cli_args import iso_date
from scheduler.errors import InputError, Issue
from scheduler.instance import Instance, build_instance
from scheduler.io.roster_io import SUFFIXES, read_roster
from scheduler.io.scenario_yaml import load_scenario
from scheduler.replan.candidates import Candidate, OpenShift, open_shift, rank

EXIT_SOMEONE = 0
EXIT_NOBODY = 2
ARGUMENTS = {"site": "--site", "shift_type": "--shift", "date": "--date", "releasing": "--releasing"}


def _number(value: int) -> str:
    return f"{value:+,}" if value else "0"


def _terms(c: Candidate) -> str:
    """'uncovered -1,000,000 · reader_shifts +1,000 · fairness -2,200': the weighted terms that move."""
    moved = [f"{name} {_number(value)}" for name, value in c.weighted.items() if value]
    return " · ".join(moved) or "no change"


def format_text(shift: OpenShift, candidates: list[Candidate]) -> str:
    """The ranked candidates for a reader: who can take it and at what cost, who cannot and why."""
    inst = shift.inst
    ok = [c for c in candidates if c.ok]
    others = [c for c in candidates if not c.ok]
    lines = [shift.describe() + ".",
             f"{len(ok)} of {len(candidates)} reader{'s' * (len(candidates) != 1)} can take it without breaking a rule "
             "(cost: change in the objective; lower is better)."]
    if ok:
        lines += ["", f"Can take it ({len(ok)}):"]
        width = max(len(c.name) for c in ok)
        for k, c in enumerate(ok, 1):
            also = ""
            if c.joins:
                kept = ", ".join(inst.site_name(s) for s in c.sites[:-1])
                also = f"  (adds the site to their {inst.shift_label(shift.shift.type_id)} at {kept})"
            lines.append(f"  {k:>2}. {c.name:<{width}}  {_number(c.cost):>12}  {_terms(c)}{also}")
    if others:
        lines += ["", f"Cannot take it without breaking a rule ({len(others)}):"]
        for c in others:
            lines.append(f"  - {c.name} (cost {_number(c.cost)})")
            lines += [f"      {reason}" for reason in c.reasons]
    return "\n".join(lines) + "\n"


def to_json(shift: OpenShift, candidates: list[Candidate]) -> dict:
    return {
        "site": shift.site,
        "shift_type": shift.shift.type_id,
        "date": shift.shift.date.isoformat(),
        "releasing": shift.releasing,
        "covering": list(shift.covering),
        "description": shift.describe(),
        "candidates": [c.to_dict() for c in candidates],
    }


def _open_shift(inst: Instance, roster, args: argparse.Namespace) -> OpenShift:
    """The open shift, with errors naming the command-line argument rather than the parameter."""
    try:
        return open_shift(inst, roster, args.site, args.shift, args.date, releasing=args.releasing)
    except InputError as err:
        issues = [Issue(ARGUMENTS.get(i.path, i.path), i.message) for i in err.issues]
        raise InputError(issues, "scheduler candidates") from None


def cmd_candidates(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    roster = read_roster(args.roster)
    inst = build_instance(scenario)
    shift = _open_shift(inst, roster, args)
    candidates = rank(shift)
    if args.format == "json":
        sys.stdout.write(json.dumps(to_json(shift, candidates), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_text(shift, candidates))
    sys.stdout.flush()
    return EXIT_SOMEONE if any(c.ok for c in candidates) else EXIT_NOBODY


def add_replan_commands(sub: argparse._SubParsersAction) -> None:
    """Register `candidates` on the `scheduler` parser."""
    p = sub.add_parser(
        "candidates", help="rank the readers who could take an open or released shift",
        description="Rank every reader for one site's shift: those who can take it without breaking a hard rule, "
                    "by the change in the objective, then the others with every reason. Readers already covering "
                    "the site on that shift, and the releasing reader, are not listed. Exit 0 when someone can "
                    "take it, 2 when nobody can without breaking a rule, 1 on bad input.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    p.add_argument("roster", metavar="ROSTER", help=f"roster file ({', '.join(SUFFIXES)})")
    p.add_argument("--site", required=True, metavar="ID", help="the site whose need is open")
    p.add_argument("--shift", required=True, metavar="TYPE", help="the shift type id (e.g. night)")
    p.add_argument("--date", required=True, type=iso_date, metavar="YYYY-MM-DD", help="the date the shift starts on")
    p.add_argument("--releasing", metavar="READER",
                   help="the reader giving the shift up (their cover is removed first)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    p.set_defaults(run=cmd_candidates)
