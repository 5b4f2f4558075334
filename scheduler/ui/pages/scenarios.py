"""Scenarios: open an example or a stored scenario; create, duplicate, import, export."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import streamlit as st

from scheduler.errors import InputError, Issue
from scheduler.io.scenario_tables import load_scenario_tables, save_scenario_tables
from scheduler.io.scenario_yaml import load_scenario, scenario_from_yaml_text, scenario_to_yaml
from scheduler.ui.state import EXAMPLES, open_scenario, store, working
from scheduler.ui.widgets import require_coordinator, show_input_error

require_coordinator()
user = st.session_state["user"]
w = working()
st.title("Scenarios")

if w.scenario is not None:
    sc = w.scenario
    st.success(
        f"Working on **{sc.name}**: {sc.horizon.start} to {sc.horizon.end}, {len(sc.radiologists)} readers, "
        f"{len(sc.sites)} sites" + (f"; roster from {w.roster_origin}" if w.roster is not None else "")
    )

message = st.session_state.pop("scenarios_message", None)
if message:
    st.success(message)

with store() as s:
    versions = s.scenario_versions()
latest: dict[str, object] = {}
for v in versions:
    latest[v.name] = v  # ordered by name, number: the last one wins

st.subheader("Open")
if latest:
    names = sorted(latest)
    choice = st.selectbox("Stored scenario (latest version)", names, key="open_name")
    v = latest[choice]
    st.caption(f"version {v.number}, saved {v.saved_at:%Y-%m-%d %H:%M} UTC by {v.saved_by}. {v.note}")
    if st.button("Open", key="open_button", type="primary"):
        with store() as s:
            open_scenario(s.scenario(v.id), v.id)
        st.rerun()
else:
    st.info("No stored scenario yet: import one below.")


def _save(scenario, note: str) -> None:
    with store() as s:
        sv = s.save_scenario(scenario, by=user.name, note=note)
    open_scenario(scenario, sv.id)


st.subheader("Import")
uploads = st.file_uploader(
    "A scenario: one YAML file, or its tables as an XLSX workbook, a ZIP of CSV files, or the CSV files themselves "
    "(radiologists.csv, sites.csv, ...)", type=["yaml", "yml", "xlsx", "zip", "csv"], accept_multiple_files=True,
    key="import_file",
)
if uploads and st.button("Import", key="import_button"):
    names = ", ".join(u.name for u in uploads)
    try:
        suffixes = {Path(u.name).suffix.lower() for u in uploads}
        if len(uploads) > 1 and suffixes != {".csv"}:
            raise InputError([Issue("", "several files are read as one scenario's CSV tables only; upload one "
                                        "YAML, XLSX or ZIP file on its own")], names)
        upload = uploads[0]
        if suffixes <= {".yaml", ".yml"}:
            scenario = scenario_from_yaml_text(upload.getvalue().decode("utf-8", errors="replace"), upload.name)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                for u in uploads:
                    (Path(tmp) / Path(u.name).name).write_bytes(u.getvalue())
                scenario = load_scenario_tables(Path(tmp) / upload.name if len(uploads) == 1 and suffixes != {".csv"}
                                                else Path(tmp))
        _save(scenario, f"imported from {names}")
        st.session_state["scenarios_message"] = f"Imported {scenario.name}."
        st.rerun()
    except InputError as err:
        show_input_error(err)

if w.scenario is not None:
    st.subheader("Duplicate")
    new_name = st.text_input("New name", value=f"{w.scenario.name} copy", key="duplicate_name")
    if st.button("Duplicate", key="duplicate_button"):
        if new_name.strip() in latest:
            st.error(f"A scenario named '{new_name}' exists already; choose another name.")
        elif not new_name.strip():
            st.error("The name cannot be empty.")
        else:
            _save(w.scenario.replace(name=new_name.strip()), f"copy of {w.scenario.name}")
            st.session_state["scenarios_message"] = f"Saved as {new_name}."
            st.rerun()

    st.subheader("Export")
    c1, c2 = st.columns(2)
    c1.download_button("YAML", scenario_to_yaml(w.scenario), file_name=f"{w.scenario.name}.yaml",
                       mime="application/yaml", key="export_yaml")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{w.scenario.name}.xlsx"
        save_scenario_tables(w.scenario, path)
        data = io.BytesIO(path.read_bytes())
    c2.download_button("Spreadsheet (XLSX)", data, file_name=f"{w.scenario.name}.xlsx", key="export_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader("Create")
st.caption("A new scenario starts from the tiny example's structure; edit it on the other pages.")
create_name = st.text_input("Name", key="create_name")
if st.button("Create", key="create_button"):
    if not create_name.strip() or create_name.strip() in latest:
        st.error("Give a new, unused name.")
    else:
        base = load_scenario(EXAMPLES / "tiny.yaml")
        _save(base.replace(name=create_name.strip()), "created from the tiny example")
        st.session_state["scenarios_message"] = f"Created {create_name}."
        st.rerun()
