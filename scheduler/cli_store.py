"""Store commands of `scheduler`: publish, history, ledger, ical, tokens, serve-feeds.

Every command takes `--store PATH` (default: $SCHEDULER_STORE, else ./scheduler.sqlite3), the
embedded SQLite store, created on first use. Store errors (a refused publish, an unknown
version) are reported in words with exit code 1; nothing is half-written.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import json
import os
import sys
from pathlib import Path

from scheduler.cli_args import int_at_least as _int_at_least
from scheduler.cli_args import period_range
from scheduler.io.roster_io import read_roster
from scheduler.io.scenario_yaml import load_scenario
from scheduler.report import plural
from scheduler.store import Store, StoreError
from scheduler.store.db import to_text
from scheduler.store.records import FeedKind, FeedTarget, Period

DEFAULT_STORE = "scheduler.sqlite3"


def default_store() -> str:
    return os.environ.get("SCHEDULER_STORE") or DEFAULT_STORE


def default_actor() -> str:
    try:
        return os.environ.get("SCHEDULER_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "coordinator"


def open_store(args: argparse.Namespace) -> Store:
    return Store(args.store)


def _month(text: str) -> str:
    try:
        dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM (got {text!r})") from None
    return text


def _base(text: str) -> int | None:
    if text.lower() == "none":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a version number or 'none' (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"version numbers start at 1 (got {value})")
    return value


# ---- publish ---------------------------------------------------------------------------------
def cmd_publish(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    roster = read_roster(args.roster)
    with open_store(args) as store:
        scenario = store.with_history(scenario)  # check the border against what is really published
        period = Period(scenario.horizon.start, scenario.horizon.end)
        latest = store.latest_version(period)
        if args.base_version is _UNSET:
            if latest is not None:
                raise StoreError(
                    f"{period}: version {latest.number} is already published (by {latest.published_by}, "
                    f"{to_text(latest.published_at)}). Review it with `scheduler history --period {period.key}`, "
                    f"then publish over it with --base-version {latest.number}."
                )
            base = None
        else:
            base = args.base_version
        outcome = store.publish(scenario, roster, by=args.by, base_number=base, note=args.note)
    v = outcome.version
    print(f"published {period} version {v.number} (by {v.published_by}, {to_text(v.published_at)})")
    names = scenario.radiologist_by_id
    for line in outcome.diff.lines(lambda r: names[r].display if r in names else r):
        print(line)
    if outcome.report.uncovered:
        missing = sum(u.missing for u in outcome.report.uncovered)
        print(f"warning: published with {plural(missing, 'reader slot')} uncovered", file=sys.stderr)
    return 0


# ---- history ---------------------------------------------------------------------------------
def cmd_history(args: argparse.Namespace) -> int:
    if args.limit is not None and not args.audit:
        raise StoreError("--limit goes with --audit")
    with open_store(args) as store:
        if args.audit:
            for e in store.audit(limit=args.limit):
                print(f"{to_text(e.at)}  {e.actor:<12} {e.action:<13} {e.subject}  {_audit_summary(e.details)}")
            problems = store.verify_audit()
            for p in problems:
                print(f"warning: {p}", file=sys.stderr)
            return 1 if problems else 0
        periods = [args.period] if args.period else store.periods()
        if not periods:
            print(f"nothing published yet in {store.path}")
            return 0
        for period in periods:
            versions = store.versions(period)
            if not versions:
                raise StoreError(f"{period}: nothing published for this period; periods: {_periods(store)}")
            if args.version is not None:
                versions = [store.find_version(period, args.version)]
            print(f"{period}:")
            for v in versions:
                base = "-" if v.base_number is None else v.base_number
                print(f"  version {v.number}  {to_text(v.published_at)}  by {v.published_by}  base {base}"
                      f"  {v.note}".rstrip())
                if args.version is not None or args.diffs:
                    for line in store.diff(v.id).lines():
                        print(f"    {line}")
    return 0


def _periods(store: Store) -> str:
    return ", ".join(p.key for p in store.periods()) or "none"


def _audit_summary(details: dict) -> str:
    parts = []
    if "version" in details:
        parts.append(f"version {details['version']}")
    if "diff" in details:
        c = details["diff"]["counts"]
        parts.append(f"+{c['added']} -{c['removed']} ~{c['resited']} moved {c['moved']}")
    if "token" in details:
        parts.append(f"token #{details['token']}")
    if details.get("note"):
        parts.append(repr(details["note"]))
    return "; ".join(parts)


# ---- ledger ----------------------------------------------------------------------------------
LEDGER_FIELDS = ["reader", "month", "shifts", "nights", "weekends", "holidays", "hours", "burden_points"]


def cmd_ledger(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rows = store.ledger(readers=args.reader or None, first_month=args.first, last_month=args.last)
    dicts = [{f: getattr(r, f) for f in LEDGER_FIELDS} for r in rows]
    if args.format == "json":
        print(json.dumps(dicts, indent=2))
    elif args.format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=LEDGER_FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(dicts)
    else:
        if not rows:
            print("the ledger is empty (nothing published)")
            return 0
        widths = {f: max(len(f), *(len(str(d[f])) for d in dicts)) for f in LEDGER_FIELDS}
        print("  ".join(f.ljust(widths[f]) for f in LEDGER_FIELDS))
        for d in dicts:
            print("  ".join(str(d[f]).ljust(widths[f]) for f in LEDGER_FIELDS))
    return 0


# ---- calendars -------------------------------------------------------------------------------
def cmd_ical(args: argparse.Namespace) -> int:
    from scheduler.calendars.publish import context_for_store

    with open_store(args) as store:
        if args.version is not None and not args.period:
            raise StoreError("--version needs --period (versions are numbered per period)")
        version = None
        if args.period:
            version = store.find_version(args.period, args.version) if args.version else store.latest_version(
                args.period
            )
            if version is None:
                raise StoreError(f"{args.period}: nothing published for this period; periods: {_periods(store)}")
        ctx = context_for_store(store, version)
    if ctx is None:
        raise StoreError(f"{args.store}: nothing published yet; publish a roster first")
    from scheduler.calendars.ical import write_calendars

    try:
        paths = write_calendars(ctx, Path(args.out_dir))
    except OSError as exc:
        raise StoreError(f"{args.out_dir}: cannot write the calendars: {exc.strerror or exc}") from None
    print(f"wrote {plural(len(paths), 'calendar')} to {args.out_dir}")
    return 0


# ---- tokens ----------------------------------------------------------------------------------
def _target(args: argparse.Namespace) -> FeedTarget:
    if args.reader:
        return FeedTarget(FeedKind.reader, args.reader)
    if args.site:
        return FeedTarget(FeedKind.site, args.site)
    return FeedTarget(FeedKind.group, "")


def _feed_url(base: str | None, token: str) -> str:
    path = f"/feeds/{token}.ics"
    return base.rstrip("/") + path if base else path


def cmd_tokens(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if args.action == "list":
            target = _target(args) if (args.reader or args.site or args.group) else None
            listed = store.tokens(target, active_only=not args.all)
            if not listed:
                print("no feed tokens" if args.all else "no active feed tokens (--all lists revoked ones)")
            for t in listed:
                state = "active" if t.active else f"revoked {to_text(t.revoked_at)}"
                print(f"#{t.id:<5} {str(t.target):<32} issued {to_text(t.created_at)}  {state}")
            return 0
        if args.action == "issue":
            token, record = store.issue_token(_target(args), by=args.by)
        elif args.action == "rotate":
            token, record = store.rotate_token(args.id, by=args.by)
        else:
            record = store.revoke_token(args.id, by=args.by)
            print(f"revoked token #{record.id} ({record.target}); its feed URL now answers 404")
            return 0
    print(f"token #{record.id} for the {record.target} calendar (shown once; only its hash is kept):")
    print(_feed_url(args.base_url, token))
    if args.base_url and args.base_url.startswith("https://"):
        print("webcal://" + _feed_url(args.base_url, token).removeprefix("https://"))
    return 0


# ---- serve-feeds -----------------------------------------------------------------------------
def cmd_serve_feeds(args: argparse.Namespace) -> int:
    import logging

    from scheduler.feeds.app import make_app
    from scheduler.feeds.serve import serve
    from scheduler.feeds.store_source import StoreFeedSource

    Store(args.store).close()  # create or migrate before serving; bad paths fail here, in words
    log = logging.getLogger("scheduler.feeds")
    if not args.quiet:  # one access line per request on stderr; the token in the path is redacted
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    source = StoreFeedSource(args.store)
    try:
        serve(make_app(source, log=log), host=args.host, port=args.port)
    finally:
        source.close()
    return 0


# ---- parser ----------------------------------------------------------------------------------
_UNSET = object()


def _store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=default_store(), metavar="PATH",
                   help=f"store file (default: $SCHEDULER_STORE, else ./{DEFAULT_STORE}; created if missing)")


def _by_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--by", default=default_actor(), metavar="NAME",
                   help="who does this, for the audit log (default: $SCHEDULER_USER or the login name)")


def _target_options(p: argparse.ArgumentParser, required: bool) -> None:
    g = p.add_mutually_exclusive_group(required=required)
    g.add_argument("--reader", metavar="ID", help="a reader's calendar")
    g.add_argument("--site", metavar="ID", help="a site's calendar")
    g.add_argument("--group", action="store_true", help="the whole group's calendar")


def add_store_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("publish", help="publish a roster as the next version of its period",
                       description="Publish a roster: checked (hard violations refuse it), stored as an immutable "
                                   "version with the diff against the previous one, written to the audit log and "
                                   "the fairness ledger. Each reader's history is taken from the store first, so "
                                   "rest and run rules are checked against the real last days before the period.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    p.add_argument("roster", metavar="ROSTER", help="roster file (.json, .csv, .xlsx)")
    p.add_argument("--note", default="", help="why this version (kept with it)")
    p.add_argument("--base-version", type=_base, default=_UNSET, metavar="N",
                   help="the published version your roster starts from; refused if another was published since "
                        "(needed once the period has a version; 'none' for the first)")
    _by_option(p)
    _store_option(p)
    p.set_defaults(run=cmd_publish)

    p = sub.add_parser("history", help="published versions and their diffs, or the audit log",
                       description="List published versions per period; --version N shows one version's diff "
                                   "against the version before it; --audit prints the audit log.")
    p.add_argument("--period", type=period_range, metavar="FIRST..LAST", help="one period, e.g. 2026-10-01..2026-10-31")
    p.add_argument("--version", type=_int_at_least(1), metavar="N", help="show version N of the period with its diff")
    p.add_argument("--diffs", action="store_true", help="show every version's diff")
    p.add_argument("--audit", action="store_true", help="print the audit log (and verify its hash chain)")
    p.add_argument("--limit", type=_int_at_least(1), metavar="N", help="with --audit: the last N entries")
    _store_option(p)
    p.set_defaults(run=cmd_history)

    p = sub.add_parser("ledger", help="the fairness ledger: per reader and month",
                       description="Nights, weekends, holidays, hours and burden points per reader and month, "
                                   "from every period's latest published version.")
    p.add_argument("--reader", action="append", metavar="ID", help="only this reader (repeatable)")
    p.add_argument("--from", dest="first", type=_month, metavar="YYYY-MM", help="first month")
    p.add_argument("--to", dest="last", type=_month, metavar="YYYY-MM", help="last month")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    _store_option(p)
    p.set_defaults(run=cmd_ledger)

    p = sub.add_parser("ical", help="write the iCalendar files of the published rosters",
                       description="One .ics per reader (readers/ID.ics), per site (sites/ID.ics) and for the group "
                                   "(group.ics), from every period's latest version, or from one version.")
    p.add_argument("--out-dir", required=True, metavar="DIR", help="directory to write into (created if missing)")
    p.add_argument("--period", type=period_range, metavar="FIRST..LAST", help="only this period (its latest version)")
    p.add_argument("--version", type=_int_at_least(1), metavar="N", help="that version of --period")
    _store_option(p)
    p.set_defaults(run=cmd_ical)

    p = sub.add_parser("tokens", help="issue, revoke, rotate or list calendar feed tokens",
                       description="Feed tokens open /feeds/TOKEN.ics on `scheduler serve-feeds`. A token is shown "
                                   "once, when issued or rotated; the store keeps only its hash.")
    tsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    t = tsub.add_parser("issue", help="a new token for a reader, a site or the group")
    _target_options(t, required=True)
    t.add_argument("--base-url", metavar="URL", help="print the full feed URL, e.g. https://feeds.example.org")
    _by_option(t)
    _store_option(t)
    for action, text in (("revoke", "revoke a token (its URL answers 404 at once)"),
                         ("rotate", "revoke a token and issue its replacement")):
        t = tsub.add_parser(action, help=text)
        t.add_argument("id", type=_int_at_least(1), metavar="ID", help="token number, as `tokens list` shows it")
        if action == "rotate":
            t.add_argument("--base-url", metavar="URL", help="print the full feed URL")
        _by_option(t)
        _store_option(t)
    t = tsub.add_parser("list", help="list tokens (never the tokens themselves)")
    _target_options(t, required=False)
    t.add_argument("--all", action="store_true", help="include revoked tokens")
    _store_option(t)
    p.set_defaults(run=cmd_tokens, base_url=None)

    p = sub.add_parser("serve-feeds", help="serve the calendar feeds over HTTP",
                       description="Serve /feeds/TOKEN.ics from every period's latest published version (an ASGI "
                                   "app run by uvicorn). Put it behind an HTTPS reverse proxy to expose it.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_int_at_least(1), default=8080, help="port (default 8080)")
    p.add_argument("--quiet", action="store_true", help="no access log")
    _store_option(p)
    p.set_defaults(run=cmd_serve_feeds)


