"""Background solves: one at a time per machine (queued behind a lock), live progress, Stop."""

from __future__ import annotations

import fcntl
import os
import time

from scheduler.check import check
from scheduler.jobs import JobState, SolveRunner
from scheduler.result import Assignment, Roster
from tests import factory


def _wait(pred, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


def test_a_job_runs_in_the_background_and_its_roster_passes_the_checker(tmp_path):
    sc = factory.build()
    job = SolveRunner(tmp_path / "lock").submit(sc, time_limit=10, workers=1)
    assert job.wait(30) and job.state is JobState.done
    assert job.result.has_solution and not check(sc, job.result.roster).violations
    assert job.progress and job.elapsed > 0


def test_a_second_solve_on_the_machine_is_queued_until_the_lock_is_free(tmp_path):
    lock = tmp_path / "lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process's solve holds the machine
    try:
        runner = SolveRunner(lock)
        job = runner.submit(factory.build(), time_limit=10, workers=1)
        later = runner.submit(factory.build(), time_limit=10, workers=1)
        time.sleep(0.5)
        assert job.state is JobState.queued and later.state is JobState.queued
        assert runner.queue_position(later) == 1
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    assert job.wait(30) and later.wait(30)
    assert job.state is later.state is JobState.done
    assert job.finished_at <= later.started_at  # one after the other, never together


def test_stop_ends_a_queued_job_without_running_it(tmp_path):
    lock = tmp_path / "lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        job = SolveRunner(lock).submit(factory.build(), time_limit=10, workers=1)
        assert _wait(lambda: job.state is JobState.queued)
        job.stop()
        assert job.wait(5) and job.state is JobState.stopped and job.result is None
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def test_stop_ends_a_running_job_with_its_best_roster(tmp_path):
    d = factory.data()
    d["horizon"] = {**d["horizon"], "end": "2026-04-30"}  # two months: long enough to be running
    d["radiologists"] = [factory.reader(f"r{k}") for k in range(12)]
    sc = factory.build(d)
    job = SolveRunner(tmp_path / "lock").submit(sc, time_limit=60, workers=1)
    assert _wait(lambda: job.state is JobState.running and job.progress, 30)
    job.stop()
    assert job.wait(20) and job.state is JobState.stopped
    assert job.result.has_solution and job.elapsed < 30


def test_a_failing_solve_reports_its_error(tmp_path):
    sc = factory.build()
    bad = Roster(assignments=(Assignment(reader="nobody", shift_type="night", date=sc.horizon.start, sites=("A",),
                                         locked=True),))
    job = SolveRunner(tmp_path / "lock").submit(sc, time_limit=5, workers=1, initial=bad)
    assert job.wait(10) and job.state is JobState.failed
    assert "no reader 'nobody'" in job.error
