"""Explain: why needs stay uncovered, in words, and the list of uncovered needs."""

from __future__ import annotations

import streamlit as st

from scheduler.check import check
from scheduler.solver.explain import explain
from scheduler.ui.state import instance, require_roster, working
from scheduler.ui.widgets import require_coordinator
from scheduler.views import uncovered_table

require_coordinator()
scenario, roster = require_roster()
w = working()
inst = instance(scenario)
report = check(inst, roster)
st.title("Explain")
if not report.uncovered:
    st.success("Every need is covered by this roster.")
    st.stop()
st.warning(f"{sum(u.missing for u in report.uncovered)} reader slot(s) uncovered.")
reasons = w.result.explanation if w.result is not None and w.result.roster == roster else None
if reasons is None and st.button("Explain why", key="run_explain"):
    with st.spinner("Looking for the conflicting rules..."):
        reasons = explain(inst, None, budget_s=20)
if reasons == []:
    st.info("No conflict among the rules keeps these needs open: the scenario can be fully covered. This roster "
            "leaves them open (manual edits, or a solve stopped early); solve again to cover them.")
if reasons:
    st.subheader("Why")
    for line in reasons:
        st.markdown(f"- {line}")
st.subheader("Uncovered needs")
st.dataframe(uncovered_table(report), width="stretch", hide_index=True)
