"""Sites and coverage: the contracted sites and what each needs, per shift type."""

import streamlit as st

from scheduler.ui.editing import edit_tables
from scheduler.ui.widgets import require_coordinator

require_coordinator()
st.title("Sites and coverage")
edit_tables("sites", [
    ("sites", "Sites"),
    ("coverage", "Coverage needs"),
    ("jurisdictions", "Jurisdictions"),
    ("subspecialties", "Subspecialties"),
])
