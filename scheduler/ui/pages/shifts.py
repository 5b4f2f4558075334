"""Shifts and rules: shift types, rule sets, per-type limits, horizon and objective weights."""

import streamlit as st

from scheduler.ui.editing import edit_tables
from scheduler.ui.widgets import require_coordinator

require_coordinator()
st.title("Shifts and rules")
edit_tables("shifts", [
    ("settings", "Period and objective weights"),
    ("shift_types", "Shift types"),
    ("rule_sets", "Rule sets"),
    ("limits", "Shift limits per type"),
])
