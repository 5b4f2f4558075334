"""Calendar months of a batch: parsing `2026-10..2027-03` and moving a scenario's horizon onto a month.

A month of a batch is the scenario with its horizon moved to that month (same planning zone and
holiday calendar). Needs with explicit dates, leave, requests and credential validity are absolute
dates and simply apply where they fall.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from scheduler.errors import InputError
from scheduler.scenario import Horizon, Scenario, reference_issues

MAX_MONTHS = 120
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> str:
    """`YYYY-MM` checked and returned as is; ValueError in words otherwise."""
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-10")
    return text.strip()


def parse_months(text: str) -> list[str]:
    """`2026-10..2027-03` (inclusive) or a single `2026-10` as the list of months it spans."""
    first, sep, last = str(text).partition("..")
    a = parse_month(first)
    b = parse_month(last) if sep else a
    if b < a:
        raise ValueError(f"the range {text!r} ends before it starts; write FIRST..LAST, e.g. 2026-10..2027-03")
    out = [a]
    while out[-1] != b:
        out.append(next_month(out[-1]))
        if len(out) > MAX_MONTHS:
            raise ValueError(f"the range {text!r} spans more than {MAX_MONTHS} months")
    return out


def next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + m // 12}-{m % 12 + 1:02d}"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last date of `month` (YYYY-MM)."""
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])


def month_scenario(scenario: Scenario, month: str) -> Scenario:
    """`scenario` planned over `month`: same zone and holidays, horizon from its first to its last date.

    Raises InputError when the move makes the scenario inconsistent (a history shift dated on or
    after the month's start: history must come before the horizon).
    """
    start, end = month_bounds(month)
    horizon = Horizon(start=start, end=end, timezone=scenario.horizon.timezone, holidays=scenario.horizon.holidays)
    moved = scenario.replace(horizon=horizon)
    issues = reference_issues(moved)
    if issues:
        raise InputError(issues, f"{scenario.name} moved to {month}")
    return moved
