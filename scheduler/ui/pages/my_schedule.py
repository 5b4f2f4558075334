"""My schedule: a radiologist's own published shifts, in their time zone, and their feed link."""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from scheduler.store.records import FeedKind, FeedTarget
from scheduler.ui.state import radiologist_emails, store

user = st.session_state["user"]
reader_id = radiologist_emails().get((user.email or "").lower())
st.title("My schedule")
if reader_id is None:
    st.warning("Your account is not linked to a radiologist of the published rosters; ask a coordinator.")
    st.stop()
with store() as s:
    state = s.feed_state()
if state is None:
    st.info("Nothing is published yet.")
    st.stop()
me = state.scenario.radiologist_by_id.get(reader_id)
tz = ZoneInfo(me.timezone if me else "UTC")
mine = [e for e in state.events if e.reader == reader_id]
st.caption(f"Times in {tz.key}. Latest publication: {state.version.published_at:%Y-%m-%d %H:%M} UTC.")
st.dataframe(pd.DataFrame([{
    "shift": e.shift_type, "starts": e.start.astimezone(tz).strftime("%a %d %b %H:%M"),
    "ends": e.end.astimezone(tz).strftime("%a %d %b %H:%M"), "sites": ", ".join(e.sites),
    "status": "cancelled" if e.cancelled else "",
} for e in mine]), hide_index=True, width="stretch")
base_url = os.environ.get("SCHEDULER_FEEDS_URL", "http://127.0.0.1:8080").rstrip("/")
if st.button("Get a new calendar link (replaces the old one)", key="my_feed"):
    with store() as s:
        for t in s.tokens(FeedTarget(FeedKind.reader, reader_id), active_only=True):
            s.revoke_token(t.id, by=user.name)
        token, _ = s.issue_token(FeedTarget(FeedKind.reader, reader_id), by=user.name)
    link = f"{base_url}/feeds/{token}.ics"
    st.code(link, language=None)
    st.code("webcal://" + link.split("://", 1)[1], language=None)
