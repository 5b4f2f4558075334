"""End to end in a real browser: open the French example, solve, lock, re-solve, publish, download calendars.

This is the coordinator's whole path through the app as a person clicks it, against the real
server (websocket, fragments refreshing every second, downloads through the media endpoint),
which the in-process AppTest tests cannot cover. Streamlit renders widget keys as `st-key-<key>`
CSS classes, so widgets are found by the keys the pages give them. A screenshot of every step
goes to test-output/e2e/ (and one named FAILED-... when a step fails); failures carry the
server log in their message.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import Page, expect

from scheduler.result import Assignment
from scheduler.scenario import Scenario
from scheduler.store import Store
from tests.e2e.conftest import AppServer, chromium_page

FRENCH = "fr-regional-grand-est-october-2026"
TIME_LIMIT_S = 10
SOLVE_TIMEOUT_MS = 90_000  # a 10 s solve, plus model build and the page's one-second refresh, on a busy machine
NOTE = "e2e: first publication of October"


class Flow:
    """The browser page plus the helpers each step uses: navigation, widgets by key, waiting, screenshots."""

    def __init__(self, page: Page, server: AppServer, shots: Path) -> None:
        self.page, self.server, self.shots = page, server, shots
        self.n = 0

    # ---- steps and evidence ----------------------------------------------------------------------
    @contextmanager
    def step(self, name: str, screenshot: bool = True) -> Iterator[None]:
        """One step of the flow: a screenshot when it ends (FAILED-... if it fails), the server log on failure."""
        self.n += 1
        label = f"{self.n:02d}-{name}"
        try:
            with self.server.explain_failures():
                yield
        except AssertionError:
            self.shot(f"FAILED-{label}")
            raise
        if screenshot:
            self.shot(label)

    def shot(self, label: str) -> None:
        """Save the page as test-output/e2e/<label>.png."""
        try:
            self.page.screenshot(path=str(self.shots / f"{label}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - a screenshot must never hide the failure being reported
            pass

    # ---- Streamlit helpers ----------------------------------------------------------------------
    def key(self, key: str):
        """The element container Streamlit marks with the widget's key."""
        return self.page.locator(f".st-key-{key}")

    def idle(self, timeout: float = 30_000) -> None:
        """Wait until the script is not running and the websocket is connected."""
        self.page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]'
                          '[data-test-connection-state="CONNECTED"]').wait_for(timeout=timeout)

    def no_exception(self) -> None:
        """No uncaught exception box on the page (Streamlit shows the traceback in the page)."""
        boxes = self.page.get_by_test_id("stException")
        assert boxes.count() == 0, f"exception shown in the page: {boxes.first.inner_text()}"

    def go(self, title: str) -> None:
        """Switch page with the sidebar link, as a user does (a page.goto would start a new session)."""
        self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
        expect(self.page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        self.idle()
        self.no_exception()

    def choose(self, key: str, label: str) -> None:
        """Pick `label` in a selectbox (a filterable combobox whose option list is virtualised)."""
        box = self.key(key).locator("input")
        if box.input_value() == label:
            return
        box.click()
        box.fill(label)
        self.page.get_by_role("option", name=label, exact=True).click()
        expect(box).to_have_value(label)
        self.idle()

    def set_number(self, key: str, value: int) -> None:
        """Type into a number input and commit it with Enter (Streamlit sends the value on Enter or blur)."""
        box = self.key(key).locator("input")
        box.fill(str(value))
        box.press("Enter")
        expect(box).to_have_value(str(value))
        self.idle()

    def success(self, pattern: str):
        """A success alert whose text matches `pattern` (a regex)."""
        return self.page.get_by_test_id("stAlertContentSuccess").filter(has_text=re.compile(pattern))

    def solve(self) -> None:
        """Start a solve with the short time limit and wait for its result line."""
        self.set_number("time_limit", TIME_LIMIT_S)
        start = self.key("start").get_by_role("button")
        expect(start).to_be_enabled()
        start.click()
        # The previous solve's "Done:" stays until the new job shows; wait for this one to run first.
        running = re.compile(rf"Solving\.\.\. \d+ s of {TIME_LIMIT_S} s")
        expect(self.page.get_by_text(running)).to_be_visible(timeout=30_000)
        expect(self.success(r"^Done: (OPTIMAL|FEASIBLE), fully covered")).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
        self.no_exception()


RESULT_WAIT_S = 30.0


def _stored_roster(server: AppServer, expected: int = 1) -> tuple[Scenario, list[Assignment], int]:
    """The newest solve result the app kept in its store: the scenario, its assignments, how many results.

    Waits (up to RESULT_WAIT_S) until the store holds `expected` results: a quick solve can show
    its "Done:" line while the previous one's is still on screen, before its result is stored."""
    deadline = time.monotonic() + RESULT_WAIT_S
    while True:
        with Store(server.store) as s:
            results = s.results()
            if len(results) >= expected or time.monotonic() >= deadline:
                assert results, "the app kept no solve result in its store"
                last = results[-1]
                return s.scenario(last.scenario_version), list(last.roster.sorted().assignments), len(results)
        time.sleep(0.2)


def _shift_option(scenario: Scenario, a: Assignment) -> str:
    """The Roster page's label for the assignment's shift: '<shift label> <Www dd Mmm>'."""
    st = scenario.shift_type_by_id[a.shift_type]
    return f"{st.label or st.id} {a.date:%a %d %b}"


@pytest.mark.slow
def test_coordinator_flow_in_a_browser(app_server: AppServer, screenshots: Path, tmp_path: Path):
    """Open, solve, see the grid, lock, re-solve keeping the lock, publish, download and read the calendars."""
    with chromium_page() as page:
        _flow(Flow(page, app_server, screenshots), tmp_path)


def _flow(flow: Flow, tmp_path: Path) -> None:
    page, server = flow.page, flow.server

    with flow.step("scenarios-open"):
        page.goto(server.url + "/")
        expect(page.get_by_role("heading", name="Scenarios", exact=True)).to_be_visible()
        flow.idle()
        flow.choose("open_name", FRENCH)
        flow.key("open_button").get_by_role("button").click()
        expect(flow.success(f"^Working on {FRENCH}:")).to_be_visible()
        flow.no_exception()

    with flow.step("solve"):
        flow.go("Solve")
        flow.solve()

    with flow.step("roster-grid"):
        scenario, assignments, n_results = _stored_roster(server)
        assert n_results == 1 and assignments, "the solve kept no roster in the store"
        flow.go("Roster")
        expect(page.get_by_text(re.compile(rf"{FRENCH}, roster from solve #1 "))).to_be_visible()
        metrics = page.get_by_test_id("stMetric")
        expect(metrics.filter(has_text="Assignments")).to_contain_text(str(len(assignments)))
        expect(metrics.filter(has_text="Hard violations")).to_contain_text("0")
        grid = page.get_by_test_id("stDataFrame").first
        expect(grid).to_be_visible()
        expect(grid.locator("canvas").first).to_be_visible()
        # glide-data-grid mirrors the rows it draws into an accessibility table: the first readers are there.
        expect(grid.locator("table").first).to_contain_text(scenario.radiologists[0].display)
        flow.no_exception()

    target = assignments[0]  # the earliest assignment: a reader whose row has a shift
    reader = scenario.radiologist_by_id[target.reader].display
    shift = _shift_option(scenario, target)
    with flow.step("roster-lock"):
        flow.choose("edit_reader", reader)
        flow.choose("edit_shift", shift)
        lock = flow.key("do_lock").get_by_role("button")
        expect(lock).to_be_enabled()
        lock.click()
        expect(flow.success("Edit applied; the checker finds no new violation")).to_be_visible()
        expect(page.get_by_text("1 locked assignment(s)")).to_be_visible()
        expect(flow.key("do_unlock").get_by_role("button")).to_be_enabled()
        expect(flow.key("do_lock").get_by_role("button")).to_be_disabled()
        flow.no_exception()

    with flow.step("resolve-keeping-lock"):
        flow.go("Solve")
        expect(flow.key("keep_locked").get_by_role("checkbox")).to_be_checked()
        flow.solve()

    with flow.step("roster-after-resolve"):
        _, assignments, n_results = _stored_roster(server, expected=2)
        assert n_results == 2, "the re-solve kept no second result in the store"
        key = (target.reader, target.shift_type, target.date)
        kept = [a for a in assignments if (a.reader, a.shift_type, a.date) == key]
        assert kept and kept[0].locked, f"the locked assignment {target} is not locked in the re-solved roster"
        flow.go("Roster")
        expect(page.get_by_text(re.compile(rf"{FRENCH}, roster from solve #2 "))).to_be_visible()
        expect(page.get_by_text("1 locked assignment(s)")).to_be_visible()
        locked_list = page.get_by_test_id("stDataFrame").last.locator("table").first  # the page's last table
        expect(locked_list).to_contain_text(reader)
        expect(locked_list).to_contain_text(target.date.isoformat())
        flow.choose("edit_reader", reader)
        flow.choose("edit_shift", shift)
        expect(flow.key("do_unlock").get_by_role("button")).to_be_enabled()
        expect(flow.key("do_lock").get_by_role("button")).to_be_disabled()
        flow.no_exception()

    with flow.step("publish"):
        flow.go("Publish")
        expect(page.get_by_text("nothing published yet")).to_be_visible()
        note = flow.key("publish_note").locator("input")
        note.fill(NOTE)
        note.press("Enter")
        flow.idle()
        flow.key("publish_button").get_by_role("button").click()
        expect(flow.success("^Published version 1$")).to_be_visible()
        expect(flow.key("download_ics")).to_be_visible()
        flow.no_exception()
        with Store(server.store) as s:
            published = [v for v in s.versions() if v.number == 1]
        assert published and published[0].note == NOTE, published

    with flow.step("download-calendars"):
        with page.expect_download() as info:
            flow.key("download_ics").get_by_role("button").click()
        download = info.value
        assert download.suggested_filename == f"{FRENCH}-v1-calendars.zip"
        path = tmp_path / download.suggested_filename
        download.save_as(path)

    with flow.step("calendars-read", screenshot=False):
        with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
            names = z.namelist()
            assert f"{target.reader}.ics" in names, names
            assert len(names) == len(scenario.radiologists), names
            calendar = icalendar.Calendar.from_ical(z.read(f"{target.reader}.ics"))
        events = list(calendar.walk("VEVENT"))
        assert events, f"the calendar of {reader} (who works {shift}) has no event"
        for event in events:
            for prop in ("DTSTART", "DTEND"):
                when = event.decoded(prop)
                assert getattr(when, "tzinfo", None) is not None and when.utcoffset() is not None, (
                    f"{prop} of {event.get('SUMMARY')} is not timezone-aware: {when!r}")
