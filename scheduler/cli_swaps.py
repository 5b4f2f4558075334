"""`scheduler swap ...`: readers propose shift swaps and give-aways, coordinators approve or reject them.

Like the other store commands, each takes `--store PATH` (default: $SCHEDULER_STORE, else
./scheduler.sqlite3) and `--by NAME` for the audit log. Exit codes: 0 done; 2 the swap breaks a
hard rule (`propose` and `show` still print the verdict; `approve` publishes nothing); 1 bad input
or a refused step (an unknown request, one already decided, a superseded one), in words.
"""

from __future__ import annotations

import argparse
import sys

from scheduler.cli_args import int_at_least, iso_date, period_range
from scheduler.cli_store import _by_option, _store_option, open_store
from scheduler.replan import swaps
from scheduler.store.db import to_text
from scheduler.store.swaps import SwapKind, SwapRequest, SwapStatus

EXIT_OK = 0
EXIT_BREAKS_RULES = 2


def _status(text: str) -> SwapStatus:
    try:
        return SwapStatus(text)
    except ValueError:
        valid = ", ".join(s.value for s in SwapStatus)
        raise argparse.ArgumentTypeError(f"unknown status {text!r}; valid: {valid}") from None


def _record_lines(request: SwapRequest) -> list[str]:
    who = request.reader_b or "open (anyone may volunteer)"
    out = [f"swap #{request.id}: {request.status.value}; {request.kind.value.replace('_', '-')} in "
           f"{request.period}, proposed by {request.proposed_by} at {to_text(request.proposed_at)} against version "
           f"{request.base_number}; reader A {request.reader_a}, reader B {who}"]
    if request.decided_by:
        out.append(f"{request.status.value} by {request.decided_by} at {to_text(request.decided_at)}"
                   + (f": {request.reason}" if request.reason else "")
                   + (f"; published version {request.published_number}" if request.published_number else ""))
    return out


def cmd_propose(args: argparse.Namespace) -> int:
    if args.with_reader:
        kind, reader_b = SwapKind.swap, args.with_reader
        if args.their_date is None:
            raise swaps.SwapError("--with needs --their-date (and --their-shift when it is not a --shift shift)")
        their_shift = args.their_shift or args.shift
    else:
        if args.their_shift or args.their_date:
            raise swaps.SwapError("--their-shift and --their-date go with --with (a swap); a give-away moves "
                                  "only your shift")
        kind, reader_b, their_shift = SwapKind.give_away, args.give_to, None
    with open_store(args) as store:
        period = args.period or swaps.period_containing(store, args.date)
        request = swaps.propose(store, period=period, kind=kind, reader_a=args.reader, shift_type=args.shift,
                                day=args.date, reader_b=reader_b, their_shift_type=their_shift,
                                their_day=args.their_date, by=args.by)
        verdict = swaps.assess_stored(store, request.id)
    print(f"proposed swap #{request.id} (by {request.proposed_by}); a coordinator approves or rejects it")
    print("\n".join(verdict.lines()))
    return EXIT_OK if verdict.approvable or request.is_open else EXIT_BREAKS_RULES


def cmd_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        listed = store.swap_requests(statuses=args.status, period=args.period, reader=args.reader)
        if not listed:
            print("no swap requests" + (" with these filters" if args.status or args.period or args.reader else ""))
            return EXIT_OK
        states: dict = {}
        for r in listed:
            if r.period not in states:
                states[r.period] = swaps.period_state(store, r.period)
            words = swaps.describe(states[r.period].inst, r)
            print(f"#{r.id:<4} {r.status.value:<10} {to_text(r.proposed_at)}  {words}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        request = store.swap_request(args.id)
        print("\n".join(_record_lines(request)))
        if not request.pending:
            return EXIT_OK
        verdict = swaps.assess_stored(store, args.id)
    print("\n".join(verdict.lines()))
    return EXIT_OK if verdict.approvable or request.is_open else EXIT_BREAKS_RULES


def cmd_approve(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            done = swaps.approve(store, args.id, by=args.by)
        except swaps.SwapRefused as err:
            print(f"error: {err}", file=sys.stderr)
            return EXIT_BREAKS_RULES
    v = done.outcome.version
    print(f"approved swap #{args.id}: published {v.period} version {v.number} (by {v.published_by}, "
          f"{to_text(v.published_at)})")
    print(f"note: {v.note}")
    names = done.assessment.readers
    by_id = {i.reader: i.name for i in names}
    for line in done.outcome.diff.lines(lambda r: by_id.get(r, r)):
        print(line)
    return EXIT_OK


def cmd_reject(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        request = store.reject_swap(args.id, by=args.by, reason=args.reason)
    print(f"rejected swap #{request.id}: {request.reason}")
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        request = store.withdraw_swap(args.id, by=args.by, reason=args.reason)
    print(f"withdrew swap #{request.id}")
    return EXIT_OK


def cmd_volunteer(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        request = swaps.volunteer(store, args.id, args.reader, by=args.by)
        verdict = swaps.assess_stored(store, request.id)
    print(f"{args.reader} takes the give-away #{request.id}; a coordinator approves or rejects it")
    print("\n".join(verdict.lines()))
    return EXIT_OK if verdict.approvable else EXIT_BREAKS_RULES


def _id(p: argparse.ArgumentParser) -> None:
    p.add_argument("id", type=int_at_least(1), metavar="ID", help="swap request number, as `swap list` shows it")


def add_swap_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("swap", help="propose, review, approve or reject shift swaps and give-aways",
                       description="Readers propose to swap a published shift with another reader, or to give one "
                                   "away (to a named reader, or to whoever volunteers). The checker judges the "
                                   "resulting roster for both readers; a coordinator approves it (publishing a new "
                                   "version) or rejects it with a reason. Every step goes to the audit log.")
    ssub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    t = ssub.add_parser("propose", help="propose a swap or a give-away of one of your published shifts",
                        description="Propose against the period's latest published version; the verdict (hard rules "
                                    "for both readers, fairness and request impact) is printed. Exit 2 when the "
                                    "swap breaks a hard rule (it is recorded, but cannot be approved as it stands).")
    t.add_argument("--reader", required=True, metavar="ID", help="reader A: whose shift it is")
    t.add_argument("--shift", required=True, metavar="TYPE", help="the shift type, e.g. night")
    t.add_argument("--date", required=True, type=iso_date, metavar="YYYY-MM-DD", help="the date the shift starts on")
    g = t.add_mutually_exclusive_group(required=True)
    g.add_argument("--with", dest="with_reader", metavar="ID", help="swap with this reader (B)")
    g.add_argument("--give-to", metavar="ID", help="give the shift to this reader (B)")
    g.add_argument("--give-away", action="store_true", help="give the shift to whoever volunteers")
    t.add_argument("--their-shift", metavar="TYPE", help="with --with: B's shift type (default: the same as --shift)")
    t.add_argument("--their-date", type=iso_date, metavar="YYYY-MM-DD", help="with --with: the date of B's shift")
    t.add_argument("--period", type=period_range, metavar="FIRST..LAST",
                   help="the published period (default: the one that includes --date)")
    _by_option(t)
    _store_option(t)
    t.set_defaults(run=cmd_propose)

    t = ssub.add_parser("list", help="list swap requests")
    t.add_argument("--status", type=_status, action="append", metavar="STATUS",
                   help=f"only this status (repeatable): {', '.join(s.value for s in SwapStatus)}")
    t.add_argument("--period", type=period_range, metavar="FIRST..LAST", help="only this period")
    t.add_argument("--reader", metavar="ID", help="only requests this reader takes part in")
    _store_option(t)
    t.set_defaults(run=cmd_list)

    t = ssub.add_parser("show", help="a request with its verdict: hard rules per reader, fairness and requests",
                        description="Show a request; a pending one is judged on the period's latest version. "
                                    "Exit 2 when it breaks a hard rule.")
    _id(t)
    _store_option(t)
    t.set_defaults(run=cmd_show)

    t = ssub.add_parser("approve", help="approve a request: re-checked, then published as a new version",
                        description="Judge the request again on the latest version and publish the result. Refused "
                                    "(exit 2) when it breaks a hard rule; marked superseded when the shifts are no "
                                    "longer as proposed.")
    _id(t)
    _by_option(t)
    _store_option(t)
    t.set_defaults(run=cmd_approve)

    t = ssub.add_parser("reject", help="reject a request, with a reason")
    _id(t)
    t.add_argument("--reason", required=True, metavar="TEXT", help="why (kept, and shown to the readers)")
    _by_option(t)
    _store_option(t)
    t.set_defaults(run=cmd_reject)

    t = ssub.add_parser("withdraw", help="take back your pending request")
    _id(t)
    t.add_argument("--reason", default="", metavar="TEXT", help="why (optional)")
    _by_option(t)
    _store_option(t)
    t.set_defaults(run=cmd_withdraw)

    t = ssub.add_parser("volunteer", help="take an open give-away",
                        description="Name yourself as the reader who takes an open give-away; it becomes a "
                                    "proposal a coordinator approves or rejects.")
    _id(t)
    t.add_argument("--reader", required=True, metavar="ID", help="the reader taking the shift")
    _by_option(t)
    _store_option(t)
    t.set_defaults(run=cmd_volunteer)
