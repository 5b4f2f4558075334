"""Batch progress on stderr: a tqdm bar with ETA on a terminal, else one line per finished month."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scheduler.batch.chain import MonthOutcome


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def month_line(o: MonthOutcome) -> str:
    """One month in words: coverage, fairness spread, requests met, gap, time (or why it failed)."""
    r = o.row
    if not o.ok:
        return f"{r['scenario']} {o.month}: FAILED: {o.error}"
    gap = "-" if r["gap"] is None else f"{100 * r['gap']:.2f}%"
    flag = "" if o.fully_covered else f"  NOT FULLY COVERED ({r['uncovered_needs']} needs short, " \
                                        f"{r['hard_violations']} hard violations)"
    return (f"{r['scenario']} {o.month}: coverage {100 * r['coverage']:.1f}%, fairness spread "
            f"{r['fairness_spread']:.1f}, requests {r['requests_met']}/{r['requests_total']}, gap {gap}, "
            f"{r['seconds']:.1f} s{flag}")


class BatchProgress:
    """Counts finished months against the months to solve and estimates the time left."""

    def __init__(self, stream: TextIO | None = None, *, bar: bool | None = None,
                 clock=time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.use_bar = _isatty(self.stream) if bar is None else bar
        self.clock = clock
        self.total = self.done = 0
        self.started = clock()
        self.bar = None

    def start(self, total: int, skipped: int) -> None:
        self.total, self.done, self.started = total, 0, self.clock()
        if skipped:
            self.note(f"{skipped} month{'s' if skipped != 1 else ''} already done, skipped")
        if self.use_bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=self.stream, unit="month", dynamic_ncols=True,
                            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} months [{elapsed}<{remaining}] {postfix}")

    def note(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def eta(self) -> float | None:
        """Seconds left at the rate so far (None before the first month)."""
        if not self.done:
            return None
        return (self.clock() - self.started) / self.done * max(0, self.total - self.done)

    def month(self, o: MonthOutcome) -> None:
        self.done += 1
        if self.bar is not None:
            if not o.fully_covered:
                self.bar.write(month_line(o), file=self.stream)
            self.bar.set_postfix_str(f"{o.row['scenario']} {o.month}", refresh=False)
            self.bar.update(1)
            return
        eta = self.eta()
        tail = f"; ETA {_duration(eta)}" if eta is not None and self.done < self.total else ""
        print(f"[{self.done}/{self.total}] {month_line(o)}{tail}", file=self.stream, flush=True)

    def drop(self, n: int) -> None:
        """`n` months that will not come (their chain stopped at a failure)."""
        if n <= 0:
            return
        self.total -= n
        if self.bar is not None:
            self.bar.total = self.total
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class QuietProgress(BatchProgress):
    """No output at all (library use and tests)."""

    def __init__(self) -> None:
        super().__init__(bar=False)

    def note(self, text: str) -> None:
        pass

    def month(self, o: MonthOutcome) -> None:
        self.done += 1
