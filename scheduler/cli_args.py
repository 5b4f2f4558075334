"""Argument parsers shared by the `scheduler` subcommands (solve, store, bench, swap, replan, batch)."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from collections.abc import Callable

from scheduler.store.records import Period


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than `low`, refused in words otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low} (got {value})")
        return value

    return parse


def positive_seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds, refused in words otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds (got {text})")
    return value


def iso_date(text: str) -> dt.date:
    """An argparse type: a date as YYYY-MM-DD, refused in words otherwise."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD (got {text!r})") from None


def period_range(text: str) -> Period:
    """An argparse type: '2026-10-01..2026-10-31' -> Period, refused in words otherwise."""
    try:
        a, b = text.split("..")
        period = Period(dt.date.fromisoformat(a), dt.date.fromisoformat(b))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected FIRST..LAST dates, e.g. 2026-10-01..2026-10-31 (got {text!r})"
        ) from None
    if period.end < period.start:
        raise argparse.ArgumentTypeError(f"the period ends before it starts: {text}")
    return period
