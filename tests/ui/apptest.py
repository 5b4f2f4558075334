"""Helpers the AppTest tests share: start a session, open a scenario, switch pages, solve, read text."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from scheduler.result import Roster, SolveResult
from scheduler.ui.state import Working

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TINY = "tiny-lorraine-week"
EXAMPLE_NAMES = ["fr-regional-grand-est-october-2026", "tiny-lorraine-week", "us-multistate-november-2026"]


def new_app(*, run: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if run:
        at.run()
        assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def working(at: AppTest) -> Working:
    return at.session_state["working"]


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"scheduler/ui/pages/{page}.py").run()
    assert_ok(at)
    return at


def open_scenario(at: AppTest, name: str = TINY) -> AppTest:
    goto(at, "scenarios")
    at.selectbox(key="open_name").set_value(name)
    at.button(key="open_button").click().run()
    assert_ok(at)
    assert working(at).scenario.name == name
    return at


def use_roster(at: AppTest, roster: Roster, result: SolveResult | None = None, origin: str = "a test") -> None:
    """Put a roster into the session's working set, as a finished solve would."""
    w = working(at)
    w.roster, w.result, w.roster_origin = roster, result, origin


def wait_for(at: AppTest, done, timeout: float = 30.0) -> AppTest:
    """Re-run the page (as the Solve page's fragment does every second) until `done(at)`."""
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        assert_ok(at)
        if done(at):
            return at
        assert time.monotonic() < deadline, "timed out waiting for the app"
        time.sleep(0.3)


def solve_in_app(at: AppTest, time_limit: int = 5, keep_locked: bool = True) -> AppTest:
    """Start a solve on the Solve page and re-run until its result is the working roster."""
    goto(at, "solve")
    at.number_input(key="time_limit").set_value(time_limit)
    at.checkbox(key="keep_locked").set_value(keep_locked)
    at.button(key="start").click().run()
    assert_ok(at)
    job_id = working(at).job_id
    return wait_for(at, lambda a: working(a).job_id == job_id and working(a).job_taken)


def flat(node) -> list:
    """The elements under `node` (e.g. `at.main`) in page order."""
    from streamlit.testing.v1.element_tree import Block

    if isinstance(node, Block):
        return [e for child in node.children.values() for e in flat(child)]
    return [node]


def editor_key(at: AppTest, page: str, table: str) -> str:
    return f"editor:{page}:{table}:{working(at).scenario_version}"


def edit(at: AppTest, page: str, table: str, *, edited=None, added=None, deleted=None) -> str:
    """Leave edits in a table editor's state, as a user typing into it does; returns the editor key."""
    key = editor_key(at, page, table)
    at.session_state[key] = {"edited_rows": edited or {}, "added_rows": added or [], "deleted_rows": deleted or []}
    return key



def uncoverable_tiny():
    """The tiny example renamed, with Saint-Dié's nights needing a paediatric reader, which nobody is."""
    import yaml

    from scheduler.io.scenario_yaml import scenario_from_data
    from scheduler.ui.state import EXAMPLES

    data = yaml.safe_load((EXAMPLES / "tiny.yaml").read_text(encoding="utf-8"))
    data["name"] = "tiny-paeds"
    data["subspecialties"].append({"id": "paeds", "name": "Paediatric radiology"})
    site = next(s for s in data["sites"] if s["id"] == "ch_saint_die")
    next(n for n in site["coverage"] if n["shift_type"] == "night")["subspecialty"] = "paeds"
    return scenario_from_data(data)
