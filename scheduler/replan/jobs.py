"""Background re-plans for the app: the solve runner's queue and machine-wide lock, with a re-plan as the work.

A re-plan takes seconds and uses the cores like a solve, so it waits its turn behind solves (the
same `flock` file as scheduler.jobs.SolveRunner when given the same lock path) and can be stopped.
The page polls the job; nothing here touches a UI.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from scheduler.errors import InputError
from scheduler.jobs import JobLifecycle, JobState, SolveRunner
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
        return self._launch(
            lambda job_id: ReplanJob(job_id, scenario, published, now, time_limit, owner, base_number), "replan")

    def _run(self, job) -> None:
        if not isinstance(job, ReplanJob):
            return super()._run(job)  # a solve submitted to the same runner
        self._run_exclusively(job, lambda: replan(job.scenario, job.published, now=job.now,
                                                  time_limit=job.time_limit, stop=job.stop_event))

    def _expected(self, job, exc: Exception) -> bool:
        # a refused lock, a bad input: words only
        return isinstance(job, ReplanJob) and isinstance(exc, (ValueError, InputError))
