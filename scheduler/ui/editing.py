"""The table editors of the Team, Sites and Shifts pages: edit tables, validate, save.

Each page edits some of the scenario's tables (`scheduler.io.scenario_tables`). Edits stay in the
editors' session state, so nothing typed is lost when validation fails; errors are shown next to
the table they are about. A valid edit becomes the working scenario and a new stored version.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scheduler.errors import InputError
from scheduler.io.scenario_tables import scenario_from_tables, to_tables
from scheduler.ui.state import open_scenario, require_scenario, store, working


def _errors_for(err: InputError, table: str) -> list[str]:
    return [f"{i.path}: {i.message}" for i in err.issues if i.path.split(" ", 1)[0] == table]


def edit_tables(page: str, tables: list[tuple[str, str]]) -> None:
    """Editors for `tables` ((table name, heading) pairs), a Save button, errors beside each table."""
    scenario = require_scenario()
    user = st.session_state["user"]
    current = to_tables(scenario)
    errors_key = f"errors:{page}:{working().scenario_version}"  # errors belong to the edits of this version
    err: InputError | None = st.session_state.get(errors_key)
    edited: dict[str, pd.DataFrame] = {}
    for name, heading in tables:
        st.subheader(heading)
        if err is not None:
            for line in _errors_for(err, name):
                st.error(line)
        edited[name] = st.data_editor(
            current[name], key=f"editor:{page}:{name}:{working().scenario_version}", num_rows="dynamic",
            width="stretch", hide_index=True,
        )
    if err is not None:
        others = [f"{i.path}: {i.message}" for i in err.issues if i.path.split(" ", 1)[0] not in dict(tables)]
        for line in others:
            st.error(line)
    if st.button("Save changes", type="primary", key=f"save:{page}"):
        try:
            new = scenario_from_tables({**current, **edited}, source=page)
        except InputError as exc:
            st.session_state[errors_key] = exc
            st.rerun()
        st.session_state.pop(errors_key, None)
        if new == scenario:
            st.info("No change to save.")
            return
        with store() as s:
            sv = s.save_scenario(new, by=user.name, note=f"edited on the {page} page")
        open_scenario(new, sv.id)
        st.session_state["saved_message"] = f"Saved {new.name} as version {sv.number}."
        st.rerun()
    msg = st.session_state.pop("saved_message", None)
    if msg:
        st.success(msg)
