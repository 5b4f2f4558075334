"""Background re-plans for the app: the solve runner's queue and machine-wide lock, with a re-plan as the work.

A re-plan takes seconds and uses the cores like a solve, so it waits its turn behind solves (the
same `flock` file as scheduler.jobs.SolveRunner when given the same lock path) and can be stopped.
The page polls the job; nothing here touches a UI.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
import time
import traceback
from dataclasses import dataclass, field

from scheduler.errors import InputError
from scheduler.jobs import POLL_S, JobLifecycle, JobState, SolveRunner
from scheduler.replan.replan import ReplanResult, replan
from scheduler.result import Roster
from scheduler.scenario import Scenario


@dataclass
class ReplanJob(JobLifecycle):
    """One re-plan: the changed scenario, the published roster and `now`; its state and result (or error)."""

    id: int
    scenario: Scenario
    published: Roster
    now: dt.datetime
    time_limit: float
    owner: str
    base_number: int  # the published version it starts from
    state: JobState = JobState.queued
    result: ReplanResult | None = None
    error: str | None = None
    started_at: float | None = None
    finished_at: float | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None



class ReplanRunner(SolveRunner):
    """Runs ReplanJobs in background threads, one at a time across the machine (with the solves)."""

    def submit_replan(self, scenario: Scenario, published: Roster, *, now: dt.datetime, time_limit: float,
                      base_number: int, owner: str = "") -> ReplanJob:
        with self._mutex:
            job = ReplanJob(next(self._ids), scenario, published, now, time_limit, owner, base_number)
            self._jobs[job.id] = job
        job.thread = threading.Thread(target=self._run, args=(job,), name=f"replan-job-{job.id}", daemon=True)
        job.thread.start()
        return job

    def _run(self, job: ReplanJob) -> None:  # type: ignore[override]
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:  # wait for the machine-wide lock, staying stoppable
                if job.stop_event.is_set():
                    job.state, job.finished_at = JobState.stopped, time.time()
                    return
                if self._first_in_line(job):
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        pass
                time.sleep(POLL_S)
            job.state, job.started_at = JobState.running, time.time()
            try:
                job.result = replan(job.scenario, job.published, now=job.now, time_limit=job.time_limit,
                                    stop=job.stop_event)
                state = JobState.stopped if job.stop_event.is_set() else JobState.done
            except Exception as exc:  # noqa: BLE001 - reported to the user, in words
                expected = isinstance(exc, (ValueError, InputError))  # a refused lock, a bad input: words
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
