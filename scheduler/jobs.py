"""Background solves for interactive use: one at a time per machine, with live progress and Stop.

A solve uses every core, so two at once would only slow both down. Each job waits for an
exclusive `flock` on a lock file shared by every process on the machine (several app servers, a
CLI run using the same file); while it waits its state is `queued`. The solver's progress
callback only appends small records to the job (never touches a UI), and a page polls them.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from scheduler.result import Progress, Roster, SolveResult
from scheduler.scenario import Scenario
from scheduler.solver import solve

POLL_S = 0.1


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    stopped = "stopped"  # stopped by the user: the best roster so far is kept
    failed = "failed"


class JobLifecycle:
    """Stop, wait and timing for a background job (a dataclass with `state`, `started_at`,
    `finished_at`, `stop_event` and `thread`)."""

    state: JobState
    started_at: float | None
    finished_at: float | None
    stop_event: threading.Event
    thread: threading.Thread | None

    def stop(self) -> None:
        """Ask the job to end: a queued job never starts; a running one keeps its best roster."""
        self.stop_event.set()

    @property
    def finished(self) -> bool:
        return self.state in (JobState.done, JobState.stopped, JobState.failed)

    @property
    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.time()) - self.started_at

    def wait(self, timeout: float | None = None) -> bool:
        if self.thread is not None:
            self.thread.join(timeout)
        return self.finished


@dataclass
class SolveJob(JobLifecycle):
    """One solve: its inputs, its state and progress, and at the end its result (or error)."""

    id: int
    scenario: Scenario
    time_limit: float
    initial: Roster | None
    workers: int
    seed: int
    owner: str
    state: JobState = JobState.queued
    progress: list[Progress] = field(default_factory=list)
    result: SolveResult | None = None
    error: str | None = None
    submitted_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None



class SolveRunner:
    """Runs SolveJobs in background threads, one at a time across the machine (via `lock_path`)."""

    def __init__(self, lock_path: str | Path) -> None:
        self.lock_path = Path(lock_path)
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        self._ids = itertools.count(1)
        self._jobs: dict[int, SolveJob] = {}
        self._mutex = threading.Lock()

    def submit(
        self,
        scenario: Scenario,
        *,
        time_limit: float,
        initial: Roster | None = None,
        workers: int = 2,
        seed: int = 0,
        owner: str = "",
    ) -> SolveJob:
        return self._launch(lambda job_id: SolveJob(job_id, scenario, time_limit, initial, workers, seed, owner),
                            "solve")

    def _launch(self, make, kind: str):
        """Register the job `make(job_id)` builds and run it in its own background thread."""
        with self._mutex:
            job = make(next(self._ids))
            self._jobs[job.id] = job
        job.thread = threading.Thread(target=self._run, args=(job,), name=f"{kind}-job-{job.id}", daemon=True)
        job.thread.start()
        return job

    def get(self, job_id: int | None) -> SolveJob | None:
        return self._jobs.get(job_id) if job_id is not None else None

    def jobs(self) -> list[SolveJob]:
        return list(self._jobs.values())

    def queue_position(self, job: SolveJob) -> int:
        """How many jobs of this process are ahead of `job` (0 once it runs or if it is next)."""
        if job.state is not JobState.queued:
            return 0
        return sum(1 for j in self._jobs.values() if not j.finished and j.id < job.id)

    def _first_in_line(self, job: SolveJob) -> bool:
        return all(j.id >= job.id for j in self._jobs.values() if j.state is JobState.queued)

    def _run(self, job: SolveJob) -> None:
        self._run_exclusively(job, lambda: solve(
            job.scenario,
            time_limit=job.time_limit,
            workers=job.workers,
            seed=job.seed,
            initial=job.initial,
            on_progress=job.progress.append,
            stop=job.stop_event,
        ))

    def _expected(self, job: JobLifecycle, exc: Exception) -> bool:
        """Whether `exc` is a refusal to report in words only (no traceback); none for solves."""
        return False

    def _run_exclusively(self, job: JobLifecycle, work: Callable[[], object]) -> None:
        """Wait (stoppably) for the machine-wide lock, run `work` into `job.result`, record the outcome."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:  # wait for the machine-wide lock, staying stoppable
                if job.stop_event.is_set():
                    job.state, job.finished_at = JobState.stopped, time.time()
                    return
                if self._first_in_line(job):  # first come, first served within this process
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        pass
                time.sleep(POLL_S)
            job.state, job.started_at = JobState.running, time.time()
            try:
                job.result = work()
                state = JobState.stopped if job.stop_event.is_set() else JobState.done
            except Exception as exc:  # noqa: BLE001 - reported to the user, not swallowed
                expected = self._expected(job, exc)
                job.error = str(exc) if expected else f"{type(exc).__name__}: {exc}"
                state = JobState.failed
                if not expected:
                    traceback.print_exc()
            finally:
                job.finished_at = time.time()
                fcntl.flock(fd, fcntl.LOCK_UN)
            job.state = state
        finally:
            os.close(fd)
