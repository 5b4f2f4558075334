"""Solve: start a background solve, watch objective and bound live, stop it; one solve per machine."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scheduler.jobs import JobState
from scheduler.report import is_success
from scheduler.ui.state import instance, require_scenario, runner, store, working
from scheduler.ui.widgets import require_coordinator

require_coordinator()
scenario = require_scenario()
w = working()
user = st.session_state["user"]
st.title("Solve")
inst = instance(scenario)
st.caption(
    f"{scenario.name}: {len(scenario.radiologists)} readers, {len(scenario.sites)} sites, {len(inst.demands)} needs, "
    f"{scenario.horizon.start} to {scenario.horizon.end}."
)

job = runner().get(w.job_id)
running = job is not None and not job.finished
c1, c2 = st.columns(2)
time_limit = c1.number_input("Time limit (seconds)", min_value=1, max_value=3600, value=30, step=5, key="time_limit",
                             disabled=running)
keep_locked = c2.checkbox("Keep locked assignments", value=True, key="keep_locked", disabled=running,
                          help="Assignments locked on the Roster page stay as they are; the rest is re-planned.")
if st.button("Start solve", type="primary", disabled=running, key="start"):
    initial = w.roster if keep_locked and w.roster is not None else None
    job = runner().submit(scenario, time_limit=float(time_limit), initial=initial, owner=user.name)
    w.job_id = job.id
    w.job_taken = False
    st.rerun()


@st.fragment(run_every=1.0)
def progress() -> None:
    """Refreshed every second while the page is open: state, chart, Stop, and the result once done."""
    job = runner().get(working().job_id)
    if job is None:
        st.caption("No solve started in this session.")
        return
    if job.state is JobState.queued:
        ahead = runner().queue_position(job)
        here = f" ({ahead} ahead of you here)" if ahead else ""
        st.warning(f"Queued: another solve is running on this machine{here}. Yours starts as soon as it ends.")
    elif job.state is JobState.running:
        st.info(f"Solving... {job.elapsed:.0f} s of {job.time_limit:.0f} s")
    points = list(job.progress)
    if points:
        last = points[-1]
        m1, m2, m3 = st.columns(3)
        m1.metric("Objective", "-" if last.objective is None else f"{last.objective:,.0f}")
        m2.metric("Bound", "-" if last.bound is None else f"{last.bound:,.0f}")
        gap = None
        if last.objective and last.bound is not None:
            gap = abs(last.objective - last.bound) / abs(last.objective)
        m3.metric("Gap", "-" if gap is None else f"{gap:.1%}")
        chart = pd.DataFrame([{"elapsed (s)": p.elapsed, "objective": p.objective, "bound": p.bound} for p in points])
        st.line_chart(chart, x="elapsed (s)", y=["objective", "bound"], height=260)
    if not job.finished:
        if st.button("Stop", key="stop"):
            job.stop()
        return
    if job.state is JobState.failed:
        st.error(f"The solve failed: {job.error}")
        return
    w = working()
    result = job.result
    # a scenario of another period opened while it ran: its roster would not fit the working one
    fits = w.scenario is not None and w.scenario.horizon == job.scenario.horizon
    if result is not None and not w.job_taken:
        w.job_taken = True
        if result.has_solution:
            if fits:
                w.roster, w.result, w.roster_origin = result.roster, result, f"solve #{job.id} ({result.status})"
            with store() as s:
                s.save_result(job.scenario, result, by=job.owner or "app")
        elif fits:
            w.result = result
        st.rerun(scope="app")
    if result is None:
        st.warning("Stopped before it started.")
        return
    if not fits:
        st.warning(f"This solve was for {job.scenario.name} ({job.scenario.horizon.start} to "
                   f"{job.scenario.horizon.end}), not the working scenario: its roster was kept in the store but "
                   "not taken as the working roster.")
    verdict = "fully covered, no hard violation" if is_success(result) else "NOT fully covered"
    st.success(f"Done: {result.status}, {verdict}; objective "
               f"{'-' if result.objective is None else f'{result.objective:,}'}, gap "
               f"{'-' if result.gap is None else f'{result.gap:.1%}'}, {job.elapsed:.1f} s.")
    if result.uncovered:
        st.warning(f"{sum(u.missing for u in result.uncovered)} reader slot(s) uncovered: see the Explain page.")
    st.page_link("scheduler/ui/pages/roster.py", label="See the roster")


progress()
