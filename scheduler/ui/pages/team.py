"""Team: radiologists with their licenses, privileges, subspecialties, FTE, rule set, leave, requests."""

import streamlit as st

from scheduler.ui.editing import edit_tables
from scheduler.ui.widgets import require_coordinator

require_coordinator()
st.title("Team")
edit_tables("team", [
    ("radiologists", "Radiologists"),
    ("licenses", "Licenses"),
    ("privileges", "Site privileges"),
    ("leave", "Leave"),
    ("requests", "Requests"),
    ("history", "History before the period"),
])
