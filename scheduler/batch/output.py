"""The batch output folder: one folder per scenario and month, written so a crash never corrupts it.

    OUT/<scenario>/<YYYY-MM>/roster.json, roster.csv, summary.json, scenario.yaml, done.json
    OUT/<scenario>/failed.json      the last failure of that chain, if any
    OUT/summary.csv, OUT/summary.html

Every file is written atomically (a temporary file renamed over the target). A month is done only
once its `done.json` exists: it is written last, names the files and carries the month's summary
row and the fingerprint of the scenario it was planned from. A re-run skips the done months at the
start of each chain and redoes everything from the first month that is not done (or was planned
from a different scenario); a crash's temporary files are removed then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from scheduler.batch.chain import ROSTER_FILES, MonthOutcome
from scheduler.io.atomic import write_text_atomic
from scheduler.io.roster_io import read_roster
from scheduler.result import Roster
from scheduler.scenario import Scenario

DONE = "done.json"
FAILED = "failed.json"


def fingerprint(scenario: Scenario) -> str:
    """A digest of everything the scenario states: a done month planned from another scenario is redone."""
    return hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()[:20]


class BatchDir:
    """Reads and writes one batch's output folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def month_dir(self, key: str, month: str) -> Path:
        return self.root / key / month

    # ---- what is done ----------------------------------------------------------------------
    def done_record(self, key: str, month: str) -> dict[str, Any] | None:
        """The month's done.json when it is complete (every file it names exists), else None."""
        folder = self.month_dir(key, month)
        try:
            record = json.loads((folder / DONE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        files = record.get("files") if isinstance(record, dict) else None
        if not files or not all(isinstance(f, str) and (folder / f).is_file() for f in files):
            return None
        return record

    def done_prefix(self, key: str, months: list[str], digest: str) -> list[tuple[str, dict[str, Any], Roster]]:
        """The months at the start of the chain that are done from this scenario, with their rosters."""
        out = []
        for month in months:
            record = self.done_record(key, month)
            if record is None or record.get("fingerprint") != digest:
                break
            try:
                roster = read_roster(self.month_dir(key, month) / "roster.json")
            except Exception:  # noqa: BLE001 - an unreadable roster makes the month not done
                break
            out.append((month, record, roster))
        return out

    def redo(self, key: str, months: list[str]) -> None:
        """Forget these months (their done.json first) and remove the temporary files a crash left."""
        for month in months:
            folder = self.month_dir(key, month)
            (folder / DONE).unlink(missing_ok=True)
            for tmp in folder.glob(".*.tmp") if folder.is_dir() else ():
                tmp.unlink(missing_ok=True)

    # ---- writing ---------------------------------------------------------------------------
    def write_month(self, outcome: MonthOutcome, digest: str) -> None:
        """The month's files, each atomically, then its done.json (atomically, last)."""
        folder = self.month_dir(outcome.key, outcome.month)
        for name, text in outcome.files.items():
            write_text_atomic(folder / name, text)
        record = {
            "key": outcome.key,
            "month": outcome.month,
            "fingerprint": digest,
            "files": sorted(outcome.files) or list(ROSTER_FILES),
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "row": outcome.row,
        }
        write_text_atomic(folder / DONE, json.dumps(record, indent=2, ensure_ascii=False) + "\n")

    def write_failure(self, key: str, row: dict[str, Any]) -> None:
        write_text_atomic(self.root / key / FAILED, json.dumps(row, indent=2, ensure_ascii=False) + "\n")

    def clear_failure(self, key: str) -> None:
        (self.root / key / FAILED).unlink(missing_ok=True)

    def failure(self, key: str) -> dict[str, Any] | None:
        try:
            row = json.loads((self.root / key / FAILED).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return row if isinstance(row, dict) else None
