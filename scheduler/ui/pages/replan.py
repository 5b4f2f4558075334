"""Re-plan: a change to a published period (an absence, a need added or removed, a credential ended),
re-planned in the background with the fewest changes and its proof, per-reader diff, then published.

Every decision is a library call: the change helpers (scheduler.replan.changes), `replan` and its
words (scheduler.replan.replan), the store's publish (optimistic: refused if a version was
published since the one re-planned).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from scheduler.errors import InputError
from scheduler.jobs import JobState
from scheduler.replan.changes import with_absence, with_credential_change, with_need_added, with_need_removed
from scheduler.replan.jobs import ReplanRunner
from scheduler.replan.published import latest_published
from scheduler.replan.replan import change_words, publish_replan, reader_lines, summary_lines
from scheduler.store import ConcurrencyError, PublishRefused
from scheduler.store.records import Period
from scheduler.ui.state import store, store_path
from scheduler.ui.widgets import require_coordinator, show_input_error

CHANGES = ("Reader absent", "Need added", "Need removed", "Credential ended")
JOB_KEY = "replan_job"


@st.cache_resource
def _runner(lock_path: str) -> ReplanRunner:
    return ReplanRunner(lock_path)


def runner() -> ReplanRunner:
    """One per server process, sharing the solves' machine-wide lock (one search at a time)."""
    return _runner(str(store_path()) + ".solve.lock")


require_coordinator()
user = st.session_state["user"]
st.title("Re-plan")
with store() as s:
    periods = s.periods()
if not periods:
    st.info("Nothing is published yet: re-planning starts from a published roster.")
    st.stop()
period: Period = st.selectbox("Period", periods, index=len(periods) - 1, key="replan_period", format_func=str)
with store() as s:
    state = latest_published(s, period)
scenario = state.scenario
h = scenario.horizon
st.caption(f"Version {state.version.number} of {period}, published by {state.version.published_by} on "
           f"{state.version.published_at:%Y-%m-%d %H:%M} UTC: {len(state.roster.assignments)} assignments.")
names = {r.id: r.display for r in scenario.radiologists}
sites = {x.id: x.display for x in scenario.sites}
types = {t.id: t.label or t.id for t in scenario.shift_types}


def declare(kind: str):
    """The widgets of one kind of change; returns the function that applies it to a scenario."""
    if kind == "Reader absent":
        c1, c2, c3, c4 = st.columns([2, 1, 1, 2])
        reader = c1.selectbox("Reader", list(names), key="replan_reader", format_func=names.get)
        first = c2.date_input("From", value=h.start, min_value=h.start, max_value=h.end, key="replan_from")
        last = c3.date_input("To", value=h.start, min_value=h.start, max_value=h.end, key="replan_to")
        reason = c4.text_input("Reason", value="absence", key="replan_reason")
        return lambda sc: with_absence(sc, reader, first, last, reason)
    c1, c2, c3 = st.columns(3)
    if kind in ("Need added", "Need removed"):
        site = c1.selectbox("Site", list(sites), key="replan_site", format_func=sites.get)
        shift_type = c2.selectbox("Shift", list(types), key="replan_shift", format_func=types.get)
        day = c3.date_input("Date", value=h.start, min_value=h.start, max_value=h.end, key="replan_date")
        if kind == "Need removed":
            return lambda sc: with_need_removed(sc, site, shift_type, [day])
        c4, c5 = st.columns(2)
        readers = c4.number_input("Readers", min_value=1, max_value=20, value=1, key="replan_readers")
        subs = [None] + [x.id for x in scenario.subspecialties]
        sub = c5.selectbox("Subspecialty", subs, key="replan_sub", format_func=lambda x: x or "any reader")
        return lambda sc: with_need_added(sc, site, shift_type, [day], readers=int(readers), subspecialty=sub)
    reader = c1.selectbox("Reader", list(names), key="replan_cred_reader", format_func=names.get)
    r = scenario.radiologist_by_id[reader]
    held = [("license", x.jurisdiction) for x in r.licenses] + [("privilege", x.site) for x in r.privileges]
    held = sorted(set(held))
    if not held:
        c2.info(f"{names[reader]} holds no license or privilege.")
        return None
    which = c2.selectbox("Credential", held, key="replan_credential",
                         format_func=lambda kv: f"{kv[1]} license" if kv[0] == "license"
                         else f"privileges at {sites.get(kv[1], kv[1])}")
    remove = c3.checkbox("Removed altogether", key="replan_remove")
    until = None if remove else st.date_input("Last valid date", value=h.start, key="replan_until")
    kw = {which[0]: which[1]}
    return lambda sc: with_credential_change(sc, reader, valid_until=until, remove=remove, **kw)


job = runner().get(st.session_state.get(JOB_KEY))
running = job is not None and not job.finished
kind = st.radio("What changed", CHANGES, key="replan_kind", horizontal=True, disabled=running)
apply_change = declare(kind)
zone = ZoneInfo(h.timezone)
local_now = dt.datetime.now(zone).replace(second=0, microsecond=0)
c1, c2, c3 = st.columns(3)
# the moment may be set anywhere around the period (Streamlit's default range is ten years from today)
now_day = c1.date_input("Past until: date", value=local_now.date(), key="replan_now_date",
                        min_value=min(local_now.date(), h.start) - dt.timedelta(days=366),
                        max_value=max(local_now.date(), h.end) + dt.timedelta(days=366),
                        help="Shifts starting before this moment stay as published (they happened).")
now_time = c2.time_input(f"and time ({h.timezone})", value=local_now.time(), key="replan_now_time")
time_limit = c3.number_input("Time limit (seconds)", min_value=1, max_value=600, value=10, key="replan_time_limit")
now = dt.datetime.combine(now_day, now_time, tzinfo=zone).astimezone(dt.UTC)
if now >= dt.datetime.combine(h.end + dt.timedelta(days=1), dt.time(12), tzinfo=zone):
    st.warning("Every shift of this period has started by then: nothing is left to re-plan.")

if st.button("Re-plan", type="primary", key="replan_start", disabled=running or apply_change is None):
    try:
        changed = apply_change(scenario)
    except InputError as err:
        show_input_error(err, "The change")
    else:
        job = runner().submit_replan(changed, state.roster, now=now, time_limit=float(time_limit),
                                     base_number=state.version.number, owner=user.name)
        st.session_state[JOB_KEY] = job.id
        st.rerun()


def _changes_table(result) -> pd.DataFrame:
    inst = result.inst
    return pd.DataFrame([{
        "reader": names.get(c.reader, c.reader), "change": c.kind, "what": change_words(inst, c, result.near_hours),
        "within 72 h": c.near, "weight": c.weight,
    } for c in result.changes], columns=["reader", "change", "what", "within 72 h", "weight"])


@st.fragment(run_every=1.0)
def progress() -> None:
    """Refreshed every second: the job's state, then the changes with their proof, and Publish."""
    job = runner().get(st.session_state.get(JOB_KEY))
    if job is None:
        st.caption("Declare the change, then Re-plan.")
        return
    if job.state is JobState.queued:
        st.warning("Queued: another search is running on this machine. Yours starts as soon as it ends.")
    elif job.state is JobState.running:
        st.info(f"Re-planning... {job.elapsed:.0f} s of {job.time_limit:.0f} s")
    if not job.finished:
        if st.button("Stop", key="replan_stop"):
            job.stop()
        return
    if job.state is JobState.failed:
        st.error(f"The re-plan was refused: {job.error}")
        return
    result = job.result
    if result is None:
        st.warning("Stopped before it started.")
        return
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Changes", result.number_of_changes)
    m2.metric("Weighted", result.weighted_changes)
    m3.metric("Proven bound", result.bound)
    m4.metric("Status", result.status)
    lines = summary_lines(result)
    (st.success if result.proven else st.warning)(lines[0])
    st.code("\n".join(lines[1:]), language=None)
    st.subheader("Changes per reader")
    st.code("\n".join(reader_lines(result)), language=None)
    if result.changes:
        st.dataframe(_changes_table(result), hide_index=True, width="stretch")
    published = st.session_state.get("replan_published")
    if published is not None and published[0] == job.id:
        st.success(f"Published as version {published[1]}.")
        return
    note = st.text_input("Note (why this version)", key="replan_note")
    blocked = not result.has_solution or bool(result.check.violations)
    if st.button(f"Publish as the version after {job.base_number}", type="primary", key="replan_publish",
                 disabled=blocked):
        try:
            with store() as s:
                out = publish_replan(s, result, base_number=job.base_number, by=user.name, note=note)
        except (ConcurrencyError, PublishRefused) as err:
            st.error(str(err))
        else:
            st.session_state["replan_published"] = (job.id, out.version.number)
            st.rerun(scope="app")


progress()
