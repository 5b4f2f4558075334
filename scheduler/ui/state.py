"""What the app's pages share: the store, the solve runner, the session's working scenario and roster.

The store is opened per operation (SQLite connections are cheap, and this keeps sessions from
sharing a transaction); the solve runner is one per server process, and machine-wide it lets one
solve run at a time. On first start the example scenarios are stored, so there is something to open.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from scheduler.instance import Instance, build_instance
from scheduler.io.scenario_yaml import load_scenario
from scheduler.jobs import SolveRunner
from scheduler.result import Roster, SolveResult
from scheduler.scenario import Scenario
from scheduler.store import Store, period_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "scenarios"


def store_path() -> Path:
    return Path(os.environ.get("SCHEDULER_STORE") or "scheduler.sqlite3").resolve()


@contextmanager
def store() -> Iterator[Store]:
    s = Store(store_path())
    try:
        yield s
    finally:
        s.close()


@st.cache_resource
def _seeded(path: str) -> bool:
    """Store the example scenarios once, on the first start with an empty store."""
    with Store(path) as s:
        if not s.scenario_versions():
            for f in sorted(EXAMPLES.glob("*.yaml")):
                s.save_scenario(load_scenario(f), by="examples", note=f"example {f.name}")
    return True


def ensure_examples() -> None:
    _seeded(str(store_path()))


@st.cache_resource
def _runner(lock_path: str) -> SolveRunner:
    return SolveRunner(lock_path)


def runner() -> SolveRunner:
    return _runner(str(store_path()) + ".solve.lock")


@st.cache_data(max_entries=8, show_spinner=False)
def _instance(scenario_json: str) -> Instance:
    return build_instance(Scenario.model_validate_json(scenario_json))


def instance(scenario: Scenario) -> Instance:
    """The materialised instance, cached by scenario content (pages re-run often)."""
    return _instance(scenario.model_dump_json())


# ---- the session's working set -----------------------------------------------------------------
@dataclass
class Working:
    """The scenario being planned, the roster being worked on, and where they came from."""

    scenario: Scenario | None = None
    scenario_version: int | None = None  # stored scenario version id it was opened from / saved as
    roster: Roster | None = None
    roster_origin: str = ""
    result: SolveResult | None = None  # the last solve's result (for bounds and explanations)
    base_version: int | None = None  # the published version number the roster started from
    job_id: int | None = None
    job_taken: bool = True  # whether the job's result was already taken into the working roster


def working() -> Working:
    if "working" not in st.session_state:
        st.session_state["working"] = Working()
    return st.session_state["working"]


def open_scenario(scenario: Scenario, scenario_version: int | None) -> None:
    """Make `scenario` the working one; the roster is dropped unless it still fits the period."""
    w = working()
    same_period = w.scenario is not None and w.scenario.horizon == scenario.horizon
    w.scenario, w.scenario_version = scenario, scenario_version
    if not same_period:
        w.roster, w.result, w.roster_origin = None, None, ""
        with store() as s:
            latest = s.latest_version(period_of(scenario))
            if latest is not None:
                w.roster, w.roster_origin = s.roster(latest.id), f"published version {latest.number}"
        w.base_version = latest.number if latest else None


def require_scenario() -> Scenario:
    """The working scenario, or stop the page with a pointer to the Scenarios page."""
    w = working()
    if w.scenario is None:
        st.info("Open a scenario first, on the Scenarios page.")
        st.page_link("scheduler/ui/pages/scenarios.py", label="Go to Scenarios")
        st.stop()
    return w.scenario


def require_roster() -> tuple[Scenario, Roster]:
    sc = require_scenario()
    w = working()
    if w.roster is None:
        st.info("No roster yet for this scenario: solve it first.")
        st.page_link("scheduler/ui/pages/solve.py", label="Go to Solve")
        st.stop()
    return sc, w.roster


def radiologist_emails() -> dict[str, str]:
    """email -> radiologist id, from the newest published scenario and the working one."""
    out: dict[str, str] = {}
    with store() as s:
        newest = s.newest_published_scenario()
    scenarios = [newest] if newest else []
    w = st.session_state.get("working")
    if w is not None and w.scenario is not None:
        scenarios.append(w.scenario)
    for sc in scenarios:
        for r in sc.radiologists:
            if r.email:
                out[r.email.strip().lower()] = r.id
    return out
