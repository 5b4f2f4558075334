"""Streamlit entry point: `streamlit run app.py --server.address 127.0.0.1` (or `./dev run`).

Pages live in scheduler/ui/pages/ and call the library; no scheduling logic here.
"""

from __future__ import annotations

import streamlit as st

from scheduler.ui.access import current_user
from scheduler.ui.state import ensure_examples, radiologist_emails, store_path

st.set_page_config(page_title="Radiology scheduler", page_icon=":material/calendar_month:", layout="wide")
ensure_examples()
user = current_user(lambda: set(radiologist_emails()))
st.session_state["user"] = user

P = "scheduler/ui/pages/"
if user.coordinator:
    pages = {
        "Plan": [
            st.Page(P + "scenarios.py", title="Scenarios", icon=":material/folder_open:", default=True),
            st.Page(P + "team.py", title="Team", icon=":material/group:"),
            st.Page(P + "sites.py", title="Sites and coverage", icon=":material/local_hospital:"),
            st.Page(P + "shifts.py", title="Shifts and rules", icon=":material/schedule:"),
        ],
        "Roster": [
            st.Page(P + "solve.py", title="Solve", icon=":material/play_arrow:"),
            st.Page(P + "roster.py", title="Roster", icon=":material/calendar_view_month:"),
            st.Page(P + "fairness.py", title="Fairness", icon=":material/balance:"),
            st.Page(P + "explain.py", title="Explain", icon=":material/help:"),
            st.Page(P + "publish.py", title="Publish", icon=":material/publish:"),
            st.Page(P + "swaps.py", title="Swaps", icon=":material/swap_horiz:"),
            st.Page(P + "replan.py", title="Re-plan", icon=":material/event_repeat:"),
        ],
    }
else:
    pages = {"Me": [st.Page(P + "my_schedule.py", title="My schedule", icon=":material/event:", default=True),
                    st.Page(P + "swaps.py", title="Swaps", icon=":material/swap_horiz:")]}

with st.sidebar:
    if user.local_mode:
        st.caption("Local mode: single coordinator, served on 127.0.0.1 only; no sign-in configured.")
    else:
        st.caption(f"Signed in as {user.name} ({user.role.value}).")
        if st.button("Sign out"):
            st.logout()
    st.caption(f"Store: {store_path()}")

st.navigation(pages).run()
