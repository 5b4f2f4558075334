"""Fixtures for the end-to-end tests: the real app served by `streamlit run`, driven by headless Chromium.

The server is the one a coordinator starts (`streamlit run app.py --server.address 127.0.0.1`), on a
free loopback port, with its own SQLite store in a temporary directory, so the examples are seeded
fresh and nothing touches a developer's store. The browser is Debian's Chromium driven through
Playwright: Playwright's own browser download cannot work on this network, and without the
background-networking flags Chromium's start-up connections are refused and slow it down. A
missing Chromium is a failure, not a skip, so a machine that cannot run these tests says so.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-output" / "e2e"
START_TIMEOUT_S = 60.0
LOG_TAIL_CHARS = 8000


def free_port() -> int:
    """A loopback port nobody listens on now (the OS picks it; a small race is accepted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    """A running `streamlit run app.py`: its base URL, store file, process and log file."""

    url: str
    store: Path
    process: subprocess.Popen
    log_path: Path

    def log(self, tail: int = LOG_TAIL_CHARS) -> str:
        """The end of the server's combined stdout/stderr (where Streamlit prints uncaught exceptions)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError as exc:
            return f"(no server log: {exc})"
        return text if len(text) <= tail else "...\n" + text[-tail:]

    def failure(self, message: str) -> str:
        """`message` followed by the server log, for assertion messages."""
        state = "running" if self.process.poll() is None else f"exited with code {self.process.returncode}"
        return f"{message}\n\n--- streamlit server ({state}) log: {self.log_path} ---\n{self.log()}"

    @contextmanager
    def explain_failures(self) -> Iterator[None]:
        """Re-raise any failure inside the block as an AssertionError that carries the server log."""
        try:
            yield
        except Exception as exc:  # Playwright timeouts and errors too, not only assertions
            raise AssertionError(self.failure(f"{type(exc).__name__}: {exc}")) from exc


def _wait_healthy(server: AppServer, timeout: float) -> None:
    """Poll `/_stcore/health` until it answers "ok"; fail early, with the log, if the server dies."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(server.failure("the streamlit server exited before it was healthy"))
        try:
            with urllib.request.urlopen(server.url + "/_stcore/health", timeout=2) as resp:
                body = resp.read().decode(errors="replace").strip()
                if resp.status == 200 and body == "ok":
                    return
                last = f"HTTP {resp.status}: {body!r}"
        except (urllib.error.URLError, OSError) as exc:
            last = repr(exc)
        time.sleep(0.25)
    pytest.fail(server.failure(f"the streamlit server was not healthy after {timeout:.0f} s (last answer: {last})"))


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The app served on a free loopback port with a temporary store; stopped at the end of the session."""
    workdir = tmp_path_factory.mktemp("e2e_app")
    store = workdir / "store.sqlite3"
    log_path = workdir / "streamlit.log"
    port = free_port()
    env = {**os.environ, "SCHEDULER_STORE": str(store), "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",  # others may be editing sources while the test runs
        "--browser.gatherUsageStats", "false",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    server = AppServer(f"http://127.0.0.1:{port}", store, process, log_path)
    try:
        _wait_healthy(server, START_TIMEOUT_S)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def chromium_page() -> Iterator:
    """A page of Debian's headless Chromium under Playwright (sync API), closed afterwards.

    Called from the test body rather than a fixture, so that a missing Chromium makes the test
    FAIL with a clear message (a fixture's failure would be reported as a setup error).
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the end-to-end tests need Debian's Chromium. Install it with "
                    "`apt-get install chromium` (`./dev test` does this); Playwright's own browser download cannot "
                    "work on this network.", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            # a fresh context is a fresh Streamlit session; tall, so a screenshot shows a whole page (Streamlit
            # scrolls inside its main block, which a full-page screenshot does not unroll)
            context = browser.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
            context.set_default_timeout(30_000)
            yield context.new_page()
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the flow saves a screenshot per step, kept with the test output (test-output/ is git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):  # a previous run's pictures would pass for this run's
        old.unlink()
    return SCREENSHOTS
