"""Fairness: burden per reader against the FTE-proportional target, this period and with history."""

from __future__ import annotations

import streamlit as st

from scheduler.ui.state import instance, require_roster
from scheduler.ui.widgets import require_coordinator
from scheduler.views import fairness_table, requests_table

require_coordinator()
scenario, roster = require_roster()
inst = instance(scenario)
st.title("Fairness")
table = fairness_table(inst, roster)
st.caption("Burden points: each shift's points (nights, weekends and holidays weigh more). The target is the "
           "reader's FTE share of the total, history included.")
st.bar_chart(table.set_index("reader")[["burden (with history)", "target (FTE share)"]], stack=False, height=320)
st.bar_chart(table.set_index("reader")[["burden (this period)"]], height=240)
st.dataframe(table, width="stretch", hide_index=True)
met, total, unmet = requests_table(inst, roster)
st.subheader("Requests")
st.metric("Requests met", f"{met} of {total}")
if len(unmet):
    st.dataframe(unmet, width="stretch", hide_index=True)
