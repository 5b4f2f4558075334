"""The Solve page: a background solve whose result becomes the working roster; queueing and Stop."""

from __future__ import annotations

import fcntl
import os
import time

from streamlit.testing.v1 import AppTest

from scheduler.jobs import JobState
from scheduler.store import Store
from scheduler.ui.state import _runner
from tests.ui.apptest import TINY, flat, goto, open_scenario, solve_in_app, texts, wait_for, working


def test_solve_result_becomes_the_working_roster(app: AppTest, store_path):
    """A finished solve is taken into the working roster, with a success line naming its status."""
    open_scenario(app)
    solve_in_app(app)
    w = working(app)
    assert w.roster is not None and w.roster.assignments
    status = w.result.status  # OPTIMAL within a second on an idle machine; FEASIBLE if the limit hits first
    assert status in ("OPTIMAL", "FEASIBLE")
    assert w.roster_origin == f"solve #{w.job_id} ({status})"
    done = [m for m in texts(app.success) if m.startswith("Done:")]
    assert done and done[0].startswith(f"Done: {status}, fully covered, no hard violation")
    with Store(store_path) as s:
        assert [r.status for r in s.results()] == [status]


def test_solve_shows_objective_bound_gap_and_a_chart(app: AppTest):
    """Objective, bound and gap metrics and the progress chart are shown."""
    open_scenario(app)
    solve_in_app(app)
    assert [m.label for m in app.metric] == ["Objective", "Bound", "Gap"]
    assert app.metric[0].value not in ("", "-")
    types = {e.type for e in flat(app.main)}
    assert any("chart" in t or "vega" in t for t in types), types


def test_a_solve_waits_in_the_queue_while_the_machine_is_busy(app: AppTest, store_path):
    """With the machine-wide solve lock held elsewhere, the job is queued and the page says so."""
    fd = os.open(f"{store_path}.solve.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process's solve holds the machine
    try:
        open_scenario(app)
        goto(app, "solve")
        app.number_input(key="time_limit").set_value(3)
        app.button(key="start").click().run()
        time.sleep(0.3)
        app.run()
        assert any(m.startswith("Queued: another solve is running on this machine") for m in texts(app.warning))
        assert app.button(key="start").disabled
        job = _runner(f"{store_path}.solve.lock").get(working(app).job_id)
        assert job.state is JobState.queued
    finally:
        app.button(key="stop").click().run()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def test_stop_ends_a_queued_job(app: AppTest, store_path):
    """Stop on a queued job ends it without a result; the working roster is left as it was."""
    fd = os.open(f"{store_path}.solve.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        open_scenario(app)
        goto(app, "solve")
        app.number_input(key="time_limit").set_value(3)
        app.button(key="start").click().run()
        app.button(key="stop").click().run()
        wait_for(app, lambda a: "Stopped before it started." in texts(a.warning), timeout=10)
        job = _runner(f"{store_path}.solve.lock").get(working(app).job_id)
        assert job.state is JobState.stopped and job.result is None
        assert working(app).roster is None
        assert not app.button(key="start").disabled
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def test_a_queued_job_starts_once_the_machine_is_free(app: AppTest, store_path):
    """Once the other solve releases the lock, the queued job runs and its roster is taken."""
    fd = os.open(f"{store_path}.solve.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        open_scenario(app, TINY)
        goto(app, "solve")
        app.number_input(key="time_limit").set_value(3)
        app.button(key="start").click().run()
        assert any(m.startswith("Queued") for m in texts(app.warning))
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    wait_for(app, lambda a: working(a).roster is not None)
    assert not any(m.startswith("Queued") for m in texts(app.warning))


def test_a_result_for_another_period_is_not_taken(app: AppTest, store_path):
    """A solve that ends after another period's scenario was opened is stored, not made that scenario's roster."""
    open_scenario(app, TINY)
    goto(app, "solve")
    app.number_input(key="time_limit").set_value(5)
    app.button(key="start").click().run()
    open_scenario(app, "us-multistate-november-2026")
    job = _runner(f"{store_path}.solve.lock").get(working(app).job_id)
    assert job.wait(60)
    goto(app, "solve")
    assert working(app).roster is None and working(app).result is None
    assert any(m.startswith(f"This solve was for {TINY}") for m in texts(app.warning))
    with Store(store_path) as s:
        assert len(s.results()) == 1
    goto(app, "roster")
    assert "No roster yet for this scenario: solve it first." in texts(app.info)
