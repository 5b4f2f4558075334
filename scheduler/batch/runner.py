"""Running a batch: prepare each chain, skip what is done, solve the rest on Dask, write as months arrive.

Each scenario's chain of months is one Dask task. By default the tasks run on a `LocalCluster` of
worker processes on this machine (one thread each; each solve uses `workers_per_solve` CP-SAT
threads); with a scheduler address they run on that cluster. Workers send each finished month
back to this process (a Dask event, repeated in the task's result), which writes it into the
output folder: workers need the project installed, not a shared file system.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import queue
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.batch.chain import COLUMNS, ChainJob, MonthOutcome, chain_task, describe_error, failed_row
from scheduler.batch.output import BatchDir, fingerprint
from scheduler.batch.progress import BatchProgress, QuietProgress
from scheduler.batch.report import NOT_RUN, UnitInfo, summary_csv, summary_html, summary_rows
from scheduler.batch.spec import BatchSpec, Unit, units_of
from scheduler.batch.variations import apply_variation
from scheduler.errors import InputError, Issue
from scheduler.io.atomic import write_text_atomic
from scheduler.io.scenario_yaml import load_scenario
from scheduler.scenario import Scenario


class ClusterError(Exception):
    """The Dask scheduler could not be reached or the local cluster could not start."""


@dataclass
class Settings:
    """The solve settings of a run: the spec's, with the command line's overrides."""

    months: list[str]
    time_limit: float
    workers_per_solve: int
    seed: int = 0

    @classmethod
    def of(cls, spec: BatchSpec, *, months: str | None = None, time_limit: float | None = None,
           workers_per_solve: int | None = None, source: str | None = None) -> Settings:
        try:
            month_list = spec.month_list(months)
        except ValueError as exc:
            where = "--months" if months else "months"
            hint = "" if months or spec.months else "; give `months:` in the spec or --months"
            raise InputError([Issue(where, f"{exc}{hint}")], source) from None
        return cls(month_list, time_limit or spec.time_limit, workers_per_solve or spec.workers_per_solve, spec.seed)


@dataclass
class BatchOutcome:
    """What a run did: every scenario x month row, the failures, and how many months were solved or skipped."""

    rows: list[dict[str, Any]]
    failures: dict[str, str] = field(default_factory=dict)
    solved: int = 0
    skipped: int = 0
    interrupted: bool = False

    @property
    def all_covered(self) -> bool:
        """Every month of every scenario planned, fully covered, with no hard violation."""
        return not self.failures and all(
            r["status"] not in (NOT_RUN, "FAILED") and r["uncovered_needs"] == 0 and r["hard_violations"] == 0
            for r in self.rows
        )


def prepare(units: list[Unit], source: str | None = None) -> tuple[dict[str, Scenario], dict[str, str]]:
    """Each unit's scenario (file loaded, variation applied), or why it cannot be planned."""
    loaded: dict[Path, Scenario | InputError] = {}
    scenarios: dict[str, Scenario] = {}
    errors: dict[str, str] = {}
    for u in units:
        if u.file not in loaded:
            try:
                loaded[u.file] = load_scenario(u.file)
            except InputError as err:
                loaded[u.file] = err
        base = loaded[u.file]
        if isinstance(base, InputError):
            errors[u.key] = str(base)
            continue
        try:
            scenarios[u.key] = base if u.variation is None else apply_variation(base, u.variation, u.where, source)
        except InputError as err:
            errors[u.key] = str(err)
    return scenarios, errors


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Worker processes started here ignore Ctrl-C: the client stops them cleanly instead of them dying
    mid-write with a traceback each (children keep an ignored SIGINT, and Python then leaves it so)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _refuse_fast(address: str) -> None:
    """A TCP address nobody listens on fails now, not after Dask's connection retries (OSError)."""
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("tcp", "tls", "") or ":" not in rest:
        return
    host, _, port = rest.rpartition(":")
    if port.isdigit():
        with socket.create_connection((host.strip("[]"), int(port)), timeout=10):
            pass


@contextlib.contextmanager
def dask_client(*, scheduler_address: str | None = None, n_workers: int = 1) -> Iterator[Any]:
    """A Dask client: to the cluster at `scheduler_address`, or to a new LocalCluster of `n_workers` processes."""
    from distributed import Client, LocalCluster

    if scheduler_address:
        try:
            _refuse_fast(scheduler_address)
            client = Client(scheduler_address, timeout="15s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler_address}: {exc}; start one with "
                               "`dask scheduler` and workers with `dask worker ADDRESS`") from None
        try:
            yield client
        finally:
            client.close()
        return
    with _sigint_ignored():
        try:
            cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=logging.ERROR)
        except Exception as exc:  # noqa: BLE001 - reported in words
            raise ClusterError(f"cannot start a local Dask cluster of {n_workers} workers: {exc}") from None
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def default_workers(jobs: int, workers_per_solve: int) -> int:
    """One Dask worker per chain, at most as many as the cores allow at `workers_per_solve` threads each."""
    return max(1, min(jobs, (os.cpu_count() or 1) // max(1, workers_per_solve)))


class _Run:
    """The client side of one run: writes months as they arrive, tracks what came, reports progress."""

    def __init__(self, out: BatchDir, digests: dict[str, str], jobs: list[ChainJob], progress: BatchProgress,
                 on_month: Callable[[MonthOutcome], None] | None) -> None:
        self.out, self.digests, self.progress, self.on_month = out, digests, progress, on_month
        self.jobs = {j.key: j for j in jobs}
        self.found: dict[tuple[str, str], dict[str, Any]] = {}
        self.failures: dict[str, str] = {}
        self.solved = 0

    def month(self, o: MonthOutcome) -> None:
        if (o.key, o.month) in self.found or o.key not in self.jobs:
            return
        self.found[(o.key, o.month)] = o.row
        if o.ok:
            self.out.write_month(o, self.digests[o.key])
            self.solved += 1
        else:
            self.fail(o.key, o.row)
        self.progress.month(o)
        if not o.ok:
            months = self.jobs[o.key].months
            self.progress.drop(len(months) - months.index(o.month) - 1)
        if self.on_month is not None:
            self.on_month(o)

    def fail(self, key: str, row: dict[str, Any]) -> None:
        self.failures[key] = row["error"]
        self.found[(key, row["month"])] = row
        self.out.write_failure(key, row)

    def task_failed(self, job: ChainJob, exc: BaseException) -> None:
        """The task itself died (its worker was lost, or the project is missing there)."""
        pending = [m for m in job.months if (job.key, m) not in self.found]
        if not pending:
            return
        error = describe_error(exc)
        if isinstance(exc, ModuleNotFoundError):
            error += "; install the project on every Dask worker (pip install -e . in its environment)"
        self.month(MonthOutcome(job.key, pending[0], False, failed_row(job, pending[0], error, 0.0, "?"),
                                error=error))


def _execute(client: Any, jobs: list[ChainJob], run: _Run) -> None:
    """Submit one task per chain and handle months as they arrive, until every task is over."""
    from distributed import Event

    topic = f"scheduler-batch-{uuid.uuid4().hex}"
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    client.subscribe_topic(topic, lambda event: inbox.put(event[1]))
    futures = {client.submit(chain_task, job, topic, topic + "-stop", key=f"{job.key}-{topic}", pure=False): job
               for job in jobs}
    pending = set(futures)

    def drain(wait: float) -> None:
        try:
            run.month(MonthOutcome.from_message(inbox.get(timeout=wait)))
            while True:
                run.month(MonthOutcome.from_message(inbox.get_nowait()))
        except queue.Empty:
            pass

    try:
        while pending:
            drain(0.2)
            for future in [f for f in pending if f.done()]:
                pending.discard(future)
                drain(0)
                job = futures[future]
                try:
                    for msg in future.result():
                        run.month(MonthOutcome.from_message(msg))
                except Exception as exc:  # noqa: BLE001 - the chain's failure, reported; others go on
                    run.task_failed(job, exc)
        drain(0)
    except BaseException:
        with contextlib.suppress(Exception):
            Event(topic + "-stop", client=client).set()  # running chains stop before their next month
        with contextlib.suppress(Exception):
            client.cancel(list(futures))
        raise
    finally:
        with contextlib.suppress(Exception):
            client.unsubscribe_topic(topic)


def run_batch(
    spec: BatchSpec,
    out: str | Path,
    *,
    spec_dir: str | Path = ".",
    settings: Settings | None = None,
    source: str | None = None,
    client: Any = None,
    scheduler_address: str | None = None,
    n_workers: int | None = None,
    progress: BatchProgress | None = None,
    on_month: Callable[[MonthOutcome], None] | None = None,
) -> BatchOutcome:
    """Plan every chain of `spec` over its months into `out`, resuming what an earlier run finished.

    Bad spec input raises InputError before anything runs; a scenario that cannot be loaded or
    varied, or whose month fails, is reported in the outcome and the others go on. `client`
    (a distributed.Client) is used as given; otherwise `scheduler_address` or a LocalCluster of
    `n_workers`. `on_month` is called after each month is written. Ctrl-C stops the run: months
    written stay done, the summary is written, and the outcome says `interrupted`.
    """
    settings = settings or Settings.of(spec, source=source)
    progress = progress or QuietProgress()
    units = units_of(spec, Path(spec_dir), source)
    scenarios, errors = prepare(units, source)
    outdir = BatchDir(out)
    outdir.root.mkdir(parents=True, exist_ok=True)

    jobs: list[ChainJob] = []
    digests: dict[str, str] = {}
    found: dict[tuple[str, str], dict[str, Any]] = {}
    skipped = 0
    for u in units:
        if u.key in errors:
            continue
        digests[u.key] = digest = fingerprint(scenarios[u.key])
        done = outdir.done_prefix(u.key, settings.months, digest)
        for month, record, _roster in done:
            found[(u.key, month)] = record["row"]
        skipped += len(done)
        todo = settings.months[len(done):]
        outdir.clear_failure(u.key)
        if not todo:
            continue
        outdir.redo(u.key, todo)
        base = next((b.name for b in units if b.key == u.base_key), None)
        jobs.append(ChainJob(u.key, u.name, scenarios[u.key], tuple(todo), tuple((m, r) for m, _rec, r in done),
                             settings.time_limit, settings.workers_per_solve, settings.seed,
                             u.variation.name if u.variation else None, base))
    run = _Run(outdir, digests, jobs, progress, on_month)
    for u in units:
        if u.key in errors:
            row = dict.fromkeys(COLUMNS)
            row.update(scenario=u.name, variation=u.variation.name if u.variation else None,
                       month=settings.months[0], status="FAILED", error=errors[u.key])
            run.fail(u.key, row)
            progress.note(f"{u.name}: FAILED: {errors[u.key]}")

    interrupted = False
    total = sum(len(j.months) for j in jobs)
    try:
        if not jobs:
            progress.start(0, skipped)
        elif client is not None:
            progress.start(total, skipped)
            _execute(client, jobs, run)
        else:
            n = n_workers or default_workers(len(jobs), settings.workers_per_solve)
            with dask_client(scheduler_address=scheduler_address, n_workers=n) as c:
                progress.start(total, skipped)  # once the cluster is up: the ETA is the months' rate alone
                _execute(c, jobs, run)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()

    found.update(run.found)
    infos = [UnitInfo(u.key, u.name, u.variation.name if u.variation else None, u.base_key) for u in units]
    rows = summary_rows(infos, settings.months, found)
    write_reports(outdir.root, infos, settings, rows)
    return BatchOutcome(rows, run.failures, run.solved, skipped, interrupted)


def write_reports(root: Path, units: list[UnitInfo], settings: Settings, rows: list[dict[str, Any]]) -> None:
    """summary.csv and summary.html, atomically."""
    write_text_atomic(root / "summary.csv", summary_csv(rows))
    meta = {"time limit per month": f"{settings.time_limit:g} s",
            "CP-SAT threads per month": settings.workers_per_solve}
    write_text_atomic(root / "summary.html", summary_html(units, settings.months, rows, settings=meta,
                                                          generated=dt.datetime.now(dt.UTC)))
