"""Small display helpers the pages share (no scheduling logic)."""

from __future__ import annotations

import streamlit as st

from scheduler.errors import InputError


def show_input_error(err: InputError, where: str = "") -> None:
    """One error line per issue: the field path, what is wrong, what would be valid."""
    head = f"{where}: " if where else ""
    lines = [f"- **{i.path or 'file'}**: {i.message}" for i in err.issues]
    st.error(f"{head}{len(err.issues)} problem(s){' in ' + err.source if err.source else ''}:\n" + "\n".join(lines))


def require_coordinator() -> None:
    user = st.session_state.get("user")
    if user is None or not user.coordinator:
        st.error("Only coordinators can use this page.")
        st.stop()
