"""One scenario's chain of months, solved in order: the unit of work a Dask worker runs.

Each month starts from the earlier months' rosters (`carry`: the last days for rest and run limits,
the fairness ledger's totals), is solved, and is checked by the independent checker (the solve
result carries its report). A month yields its result files as text and one summary row; the
worker sends each month to the client as soon as it is done, and the client writes it. A month
that raises, or finds no roster, ends its chain (the later months would have no border to start
from); the other chains go on.
"""

from __future__ import annotations

import json
import socket
import statistics
import time
import traceback
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from scheduler.batch.carry import carry_facts, month_facts
from scheduler.batch.months import month_scenario
from scheduler.errors import InputError
from scheduler.instance import build_instance
from scheduler.io.roster_io import roster_bytes, roster_to_data
from scheduler.io.scenario_yaml import scenario_to_yaml
from scheduler.report import summary_json
from scheduler.result import Roster, SolveResult
from scheduler.scenario import Scenario

COLUMNS = [
    "scenario", "variation", "base", "month", "status", "needs", "uncovered_needs", "readers_missing", "coverage",
    "hard_violations", "fairness_spread", "fairness_std", "requests_met", "requests_total", "objective", "bound",
    "gap", "seconds", "solve_seconds", "attempts", "checker_agrees", "worker", "error",
]
ROSTER_FILES = ("roster.json", "roster.csv", "summary.json", "scenario.yaml")


class NoRoster(Exception):
    """A month's search ended without any roster: the chain cannot go on from it."""


@dataclass(frozen=True)
class ChainJob:
    """What a worker needs to plan one chain: the scenario, the months left, the months already done."""

    key: str
    name: str
    scenario: Scenario  # variation applied; its horizon is moved month by month
    months: tuple[str, ...]  # to solve, in order
    previous: tuple[tuple[str, Roster], ...] = ()  # months done before them (resumed runs), oldest first
    time_limit: float = 30.0
    workers: int = 1
    seed: int = 0
    variation: str | None = None
    base: str | None = None


@dataclass
class MonthOutcome:
    """One month's result: its summary row and its files as text (empty when it failed)."""

    key: str
    month: str
    ok: bool
    row: dict[str, Any]
    files: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def message(self) -> dict[str, Any]:
        """Plain data that Dask's event stream carries as is; the files compressed (the scheduler keeps
        the last events of a topic in memory, and rosters compress tenfold)."""
        msg = asdict(self)
        msg["files"] = zlib.compress(json.dumps(self.files).encode("utf-8"))
        return msg

    @classmethod
    def from_message(cls, msg: dict[str, Any]) -> MonthOutcome:
        """Back from `message()` (Dask's event stream adds keys of its own, such as `worker`: ignored)."""
        data = {f.name: msg[f.name] for f in fields(cls) if f.name in msg}
        data["files"] = json.loads(zlib.decompress(data["files"]).decode("utf-8"))
        return cls(**data)

    @property
    def fully_covered(self) -> bool:
        return self.ok and self.row.get("uncovered_needs") == 0 and self.row.get("hard_violations") == 0


def month_row(job: ChainJob, month: str, result: SolveResult, summary: dict[str, Any], seconds: float,
              worker: str) -> dict[str, Any]:
    """The summary row of one solved month: coverage, fairness spread, requests met, gap, time."""
    report = result.check
    short = {(u.site, u.shift_type, u.date) for u in report.uncovered} if report else set()
    deviations = [r["burden_deviation"] for r in summary["readers"]]
    needs = summary["needs"]
    return {
        **_head(job, month),
        "status": result.status,
        "needs": needs,
        "uncovered_needs": len(short),
        "readers_missing": summary["readers_missing"],
        "coverage": round((needs - len(short)) / needs, 6) if needs else 1.0,
        "hard_violations": summary["hard_violations"],
        "fairness_spread": round(max(deviations) - min(deviations), 3) if deviations else 0.0,
        "fairness_std": round(statistics.pstdev(deviations), 3) if deviations else 0.0,
        "requests_met": summary["requests"]["met"],
        "requests_total": summary["requests"]["total"],
        "objective": result.objective,
        "bound": result.bound,
        "gap": None if result.gap is None else round(result.gap, 6),
        "seconds": round(seconds, 3),
        "solve_seconds": round(result.timings.get("wall_s", 0.0), 3),
        "checker_agrees": bool(report is not None and report.objective == result.objective),
        "worker": worker,
        "error": None,
    }


def _head(job: ChainJob, month: str) -> dict[str, Any]:
    return {"scenario": job.name, "variation": job.variation, "base": job.base, "month": month}


def failed_row(job: ChainJob, month: str, error: str, seconds: float, worker: str) -> dict[str, Any]:
    row = dict.fromkeys(COLUMNS)
    row.update(_head(job, month), status="FAILED", seconds=round(seconds, 3), worker=worker, error=error)
    return row


def describe_error(exc: BaseException) -> str:
    """An error in words: an input error as rendered, anything else with its type and where it was raised."""
    if isinstance(exc, InputError | NoRoster):
        return str(exc)
    frames = traceback.extract_tb(exc.__traceback__)
    at = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{at}"


def solve_month(job: ChainJob, month: str, facts: list[tuple], worker: str) -> tuple[MonthOutcome, list[tuple]]:
    """Carry the border into `month`, solve it, check it, and render its files; returns its ledger facts too."""
    from scheduler.solver import solve

    t0 = time.perf_counter()
    scenario = carry_facts(month_scenario(job.scenario, month), facts)
    inst = build_instance(scenario)
    attempts, limit = 1, job.time_limit
    result = solve(inst, time_limit=limit, workers=job.workers, seed=job.seed, explain=False)
    if result.status == "UNKNOWN":  # out of time before any roster: once more, twice as long, before giving up
        attempts, limit = 2, 2 * job.time_limit
        result = solve(inst, time_limit=limit, workers=job.workers, seed=job.seed + 1, explain=False)
    if not result.has_solution or result.check is None:
        why = "the hard rules cannot all hold" if result.status == "INFEASIBLE" else \
            f"{result.status} after {attempts} attempt{'s' if attempts > 1 else ''}, the last of {limit:g} s"
        raise NoRoster(f"no roster found for {month} ({why}); the later months of this scenario are not planned"
                       + ("" if result.status == "INFEASIBLE" else " (try a longer time limit)"))
    roster = result.roster
    summary = summary_json(inst, result, roster)
    files = {
        "roster.json": json.dumps(roster_to_data(roster, scenario.name), indent=2, ensure_ascii=False) + "\n",
        "roster.csv": roster_bytes(roster, inst, ".csv").decode("utf-8"),
        "summary.json": json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
        "scenario.yaml": scenario_to_yaml(scenario),
    }
    row = month_row(job, month, result, summary, time.perf_counter() - t0, worker)
    row["attempts"] = attempts
    return MonthOutcome(job.key, month, True, row, files), month_facts(inst, roster)


def run_chain(job: ChainJob, emit: Callable[[MonthOutcome], None] | None = None,
              should_stop: Callable[[], bool] | None = None, worker: str | None = None) -> list[MonthOutcome]:
    """Solve `job.months` in order, each from the ones before; `emit` each month as it is done.

    Stops before the next month when `should_stop()` is true, and after a month that fails (the
    failure is emitted and returned like any month).
    """
    worker = worker or socket.gethostname()
    facts: list[tuple] = []
    out: list[MonthOutcome] = []
    try:
        for month, roster in job.previous:
            facts += month_facts(month_scenario(job.scenario, month), roster)
    except Exception as exc:  # noqa: BLE001 - reported as this chain's failure, never raised to the cluster
        outcome = MonthOutcome(job.key, job.months[0], False, failed_row(job, job.months[0], describe_error(exc), 0,
                                                                        worker), error=describe_error(exc))
        return _emit(outcome, out, emit)
    for month in job.months:
        if should_stop is not None and should_stop():
            break
        t0 = time.perf_counter()
        try:
            outcome, new_facts = solve_month(job, month, facts, worker)
        except Exception as exc:  # noqa: BLE001 - a failing scenario is reported and does not stop the others
            error = describe_error(exc)
            outcome = MonthOutcome(job.key, month, False, failed_row(job, month, error, time.perf_counter() - t0,
                                                                     worker), error=error)
            return _emit(outcome, out, emit)
        facts += new_facts
        _emit(outcome, out, emit)
    return out


def _emit(outcome: MonthOutcome, out: list[MonthOutcome], emit: Callable[[MonthOutcome], None] | None):
    out.append(outcome)
    if emit is not None:
        emit(outcome)
    return out


def chain_task(job: ChainJob, topic: str, stop_event: str) -> list[dict[str, Any]]:
    """The Dask task: run the chain on this worker, sending each month to the client on `topic` as it is done.

    The returned list repeats every month, so a month whose event was lost still reaches the client.
    Setting the distributed Event `stop_event` ends the chain before its next month.
    """
    from distributed import Event, get_worker

    w = get_worker()
    stop = Event(stop_event)
    outcomes = run_chain(job, emit=lambda o: w.log_event(topic, o.message()), should_stop=stop.is_set,
                         worker=w.address)
    return [o.message() for o in outcomes]
