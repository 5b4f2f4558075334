"""How fast the coordinator app answers, on the French regional example (October 2026).

The target: every page interaction answered in under 1 s, and the Solve page's progress
refreshed at least once a second while a solve uses every core. Three measurements:

1. **Server-side time per interaction** with `streamlit.testing.v1.AppTest`: the app runs in this
   process exactly as the server runs it (same script, same session state, same solve thread),
   and the wall time of each `at.run()` after an interaction is the time the server spends
   answering it. Interactions: open the scenario, switch to each page, choose a reader and a
   shift and lock / unlock on the Roster page, the Publish page with a diff against version 1.
   Each is repeated `--repeats` times; the first run of a page pays the instance cache, so the
   max column shows the cold case and the median the usual one.
2. **Solve page reruns during a solve** (AppTest): the page is re-run about once a second (as
   its `run_every=1` fragment is) while CP-SAT searches on every core in a thread of the same
   process. The fragment can only refresh once a second if each rerun takes under 1 s.
3. **Refresh rate in a real browser** (headless Chromium, skipped with `--no-browser`): the app
   served by `streamlit run`. During a solve, for `--window` seconds, the websocket frames are
   decoded with Streamlit's own protobuf classes: the fragment's auto-rerun requests (BackMsg
   `rerun_script.is_auto_rerun`), the fragment runs that finished (ForwardMsg `script_finished`),
   the time between the two, and how each run ended (a run still going when the next request
   comes is interrupted and shows nothing new). A MutationObserver counts the changes of the
   "Solving... N s" line on screen. Page switches are timed in the page too, from the click on
   the sidebar link to the new page's title shown with its script finished (rendering included).

    .venv/bin/python benchmarks/ui.py --repeats 5 --window 10

It prints Markdown (tables, machine, command); nothing is written to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

APP = ROOT / "app.py"
FRENCH = "fr-regional-grand-est-october-2026"
PAGES = {  # title -> page script, in the sidebar's order
    "Scenarios": "scenarios", "Team": "team", "Sites and coverage": "sites", "Shifts and rules": "shifts",
    "Solve": "solve", "Roster": "roster", "Fairness": "fairness", "Explain": "explain", "Publish": "publish",
}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TARGET_MS = 1000.0


@dataclass
class Timings:
    """Wall times in ms per interaction name, in the order first measured."""

    ms: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, ms: float) -> None:
        self.ms.setdefault(name, []).append(ms)

    def table(self, title: str) -> str:
        lines = [f"| {title} | n | median ms | max ms | under 1 s |", "|---|---|---|---|---|"]
        for name, values in self.ms.items():
            median = statistics.median(values)
            ok = "yes" if max(values) < TARGET_MS else ("median only" if median < TARGET_MS else "NO")
            lines.append(f"| {name} | {len(values)} | {median:.0f} | {max(values):.0f} | {ok} |")
        return "\n".join(lines)


# ---- 1 and 2: server-side time with AppTest -----------------------------------------------------------
def _timed(timings: Timings, name: str, run: Callable[[], object]) -> None:
    t0 = time.perf_counter()
    at = run()
    timings.add(name, (time.perf_counter() - t0) * 1000)
    if at is not None and at.exception:
        raise RuntimeError(f"{name}: the app raised {[e.value for e in at.exception]}")


def bench_apptest(store: Path, repeats: int, solve_seconds: int) -> tuple[Timings, Timings, str]:
    """Time each interaction's `at.run()`; returns (interactions, solve-page reruns, notes)."""
    import streamlit.config as st_config
    from streamlit.testing.v1 import AppTest

    from scheduler.ui.state import instance

    os.environ["SCHEDULER_STORE"] = str(store)
    st_config.set_option("server.address", "127.0.0.1")  # local mode: one coordinator, no sign-in
    at = AppTest.from_file(str(APP), default_timeout=120)
    t = Timings()

    def page(name: str):
        return at.switch_page(f"scheduler/ui/pages/{name}.py").run()

    def working():
        return at.session_state["working"]

    _timed(t, "first start (seeds the examples)", at.run)
    for _ in range(repeats):
        page("scenarios")
        at.selectbox(key="open_name").set_value(FRENCH)
        _timed(t, "Scenarios: Open the French example", lambda: at.button(key="open_button").click().run())
    assert working().scenario.name == FRENCH

    # Solve on the page, re-running it about once a second as its fragment does, until the result is taken.
    page("solve")
    at.number_input(key="time_limit").set_value(solve_seconds)
    _timed(t, "Solve: Start solve", lambda: at.button(key="start").click().run())
    job_id = working().job_id
    during = Timings()
    deadline = time.monotonic() + solve_seconds + 60
    while not working().job_taken:
        if time.monotonic() > deadline:
            raise RuntimeError("the solve did not finish")
        tick = time.perf_counter()
        _timed(during, "Solve page rerun while solving (whole page, fragment included)", at.run)
        time.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))
    assert working().roster is not None, f"solve #{job_id} found no roster in {solve_seconds} s"
    status = working().result.status

    for _ in range(repeats):
        for title, name in PAGES.items():
            _timed(t, f"switch to {title}", lambda name=name: page(name))

    # Roster edits: an assignment of the earliest shift; choose it, then lock / unlock it.
    page("roster")
    scenario = working().scenario
    inst = instance(scenario)
    first = sorted(working().roster.assignments, key=lambda a: (a.date, a.shift_type, a.reader))[0]
    reader = scenario.radiologist_by_id[first.reader].display
    others = [r.display for r in scenario.radiologists if r.display != reader]
    for i in range(repeats):
        at.selectbox(key="edit_reader").set_value(others[i % len(others)]).run()
        _timed(t, "Roster: choose a reader", lambda: at.selectbox(key="edit_reader").set_value(reader).run())
        _timed(t, "Roster: choose a shift",
               lambda: at.selectbox(key="edit_shift").set_value((first.shift_type, first.date)).run())
        _timed(t, "Roster: Lock", lambda: at.button(key="do_lock").click().run())
        _timed(t, "Roster: Unlock", lambda: at.button(key="do_unlock").click().run())

    # Publish version 1; then, each round, unassign (or assign back) that shift on the Roster page so the
    # Publish page has a one-change diff to show, and publish it as the next version.
    page("publish")
    at.text_input(key="publish_note").set_value("benchmark")
    _timed(t, "Publish: Publish version 1 (nothing published before)",
           lambda: at.button(key="publish_button").click().run())
    diff: list[str] = []
    for i in range(repeats):
        page("roster")
        at.selectbox(key="edit_reader").set_value(reader).run()
        at.selectbox(key="edit_shift").set_value((first.shift_type, first.date)).run()
        if i % 2 == 0:
            _timed(t, "Roster: Unassign", lambda: at.button(key="do_unassign").click().run())
        else:
            at.multiselect(key="edit_sites").set_value(list(first.sites)).run()
            _timed(t, "Roster: Assign", lambda: at.button(key="do_assign").click().run())
        _timed(t, "switch to Publish (a one-change diff against the last version)", lambda: page("publish"))
        diff = diff or [c.value for c in at.code]
        at.text_input(key="publish_note").set_value(f"benchmark {i + 2}")
        _timed(t, "Publish: Publish the next version (one change)",
               lambda: at.button(key="publish_button").click().run())
        assert any(m.value.startswith(f"Published version {i + 2}") for m in at.success), [m.value for m in at.success]
    notes = (f"solve #{job_id}: {status} in {solve_seconds} s; {len(inst.shifts)} shift instances, "
             f"{len(scenario.radiologists)} readers; Publish diff shown: {diff[0].splitlines()[:2] if diff else '?'}")
    return t, during, notes


# ---- 3: the real server in a browser -------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(store: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1", "--server.port",
           str(port), "--server.headless", "true", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "SCHEDULER_STORE": str(store)}, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return proc, url
        except OSError:
            pass
        time.sleep(0.25)
    proc.terminate()
    raise RuntimeError(f"streamlit not healthy after 60 s:\n{log.read_text(errors='replace')}")


SOLVING_JS = """() => {
  // Time-stamp, in the page, every change of the 'Solving... N s' line (what the user sees refresh).
  window.__solving = [];
  const current = () => [...document.querySelectorAll('[data-testid="stAlertContentInfo"]')]
    .map(e => e.innerText).find(t => t.startsWith('Solving...'));
  let seen = current();  // the line as found is not an update
  new MutationObserver(() => {
    const now = performance.now(), info = current();
    if (info !== undefined && info !== seen) { seen = info; window.__solving.push([now, info]); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
  return performance.now();
}"""

SWITCH_JS = """async (title) => {
  // Click a sidebar link; resolve with the ms until the new page's title is shown and its script has finished.
  // Polled every 5 ms: React may batch 'running' and 'notRunning' of a short run into one render, so the
  // script-state attribute alone can miss a run; the title of a page that was not shown before cannot.
  const app = document.querySelector('[data-testid="stApp"]');
  const link = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
    .find(a => a.querySelector('p')?.innerText.trim() === title);  // the link also holds the icon's ligature
  const shown = () => [...document.querySelectorAll('h1')].some(h => h.innerText.trim() === title);
  if (!link || shown()) return -2;
  const t0 = performance.now();
  link.click();
  return await new Promise(resolve => {
    const timer = setInterval(() => {
      const done = shown() && app.getAttribute('data-test-script-state') === 'notRunning';
      if (done || performance.now() - t0 > 30000) { clearInterval(timer); resolve(done ? performance.now() - t0 : -1); }
    }, 5);
  });
}"""

STATE_JS = """() => ({
  path: location.pathname,
  h1: [...document.querySelectorAll('h1')].map(h => h.innerText),
  state: document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state'),
  connection: document.querySelector('[data-testid="stApp"]').getAttribute('data-test-connection-state'),
  exceptions: [...document.querySelectorAll('[data-testid="stException"]')].map(e => e.innerText.slice(0, 500)),
})"""


@dataclass
class Wire:
    """The app's websocket traffic, time-stamped as Playwright delivers it (it does while it waits)."""

    frames: list[tuple[float, str, bytes]] = field(default_factory=list)

    def attach(self, ws) -> None:
        if ws.url.endswith("/_stcore/stream"):
            ws.on("framesent", lambda data: self._add("sent", data))
            ws.on("framereceived", lambda data: self._add("recv", data))

    def _add(self, way: str, data: str | bytes) -> None:
        if isinstance(data, bytes):
            self.frames.append((time.perf_counter(), way, data))

    def fragment_runs(self, start: float, end: float) -> tuple[list[float], list[float], list[float], Counter]:
        """Between `start` and `end`: the fragment's auto-rerun requests, its finished runs (times), the
        request-to-finish seconds, and how every script run ended (an auto-rerun that arrives while the
        previous run is still going interrupts it: FINISHED_EARLY_FOR_RERUN, nothing new shown)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        requests, finished, trips, pending, endings = [], [], [], None, Counter()
        for at, way, data in self.frames:
            if not start <= at <= end:
                continue
            if way == "sent":
                msg = BackMsg.FromString(data)
                if msg.WhichOneof("type") == "rerun_script" and msg.rerun_script.is_auto_rerun:
                    requests.append(at)
                    pending = at
                continue
            msg = ForwardMsg.FromString(data)
            if msg.WhichOneof("type") != "script_finished":
                continue
            endings[ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)] += 1
            if msg.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                finished.append(at)
                if pending is not None:
                    trips.append(at - pending)
                    pending = None
        return requests, finished, trips, endings


def _spread(values: list[float], unit: str, scale: float = 1.0, fmt: str = ".2f") -> str:
    if not values:
        return "none"
    return f"median {statistics.median(values) * scale:{fmt}} {unit}, max {max(values) * scale:{fmt}} {unit}"


def bench_browser(store: Path, log: Path, repeats: int, window: float) -> tuple[Timings, list[str]]:
    """Page switches timed click-to-rendered in the page, and the Solve page's refresh over `window` seconds."""
    from playwright.sync_api import expect, sync_playwright

    proc, url = _serve(store, log)
    t = Timings()
    lines: list[str] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            wire = Wire()
            page.on("websocket", wire.attach)
            idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')

            def switch(title: str) -> float:
                ms = page.evaluate(SWITCH_JS, title)
                if ms < 0:
                    raise RuntimeError(f"switching to {title} failed ({ms}): {page.evaluate(STATE_JS)}\n"
                                       f"{log.read_text(errors='replace')[-3000:]}")
                return ms

            page.goto(url + "/")
            page.locator(".st-key-open_name input").wait_for()
            idle.wait_for()
            page.locator(".st-key-open_button button").click()
            expect(page.get_by_text(f"Working on {FRENCH}")).to_be_visible()

            switch("Solve")
            box = page.locator(".st-key-time_limit input")
            limit = int(window + 8)
            box.fill(str(limit))
            box.press("Enter")
            expect(box).to_have_value(str(limit))
            idle.wait_for()
            page.locator(".st-key-start button").click()
            expect(page.get_by_text(re.compile(r"Solving\.\.\. \d+ s"))).to_be_visible()
            page.wait_for_timeout(1500)  # past the model build, into the search
            t0_js = page.evaluate(SOLVING_JS)
            t0 = time.perf_counter()
            page.wait_for_timeout(window * 1000)  # Playwright delivers the websocket frames meanwhile
            t1 = time.perf_counter()
            solving = [m for m in page.evaluate("window.__solving") if m[0] <= t0_js + window * 1000]
            expect(page.get_by_text(re.compile("^Done: "))).to_be_visible(timeout=60_000)

            requests, finished, trips, endings = wire.fragment_runs(t0, t1)
            gaps = [b - a for a, b in zip(finished, finished[1:], strict=False)]
            span = t1 - t0
            lines += [
                f"- window: {span:.1f} s of a running solve (CP-SAT on every core, in the server process)",
                f"- fragment auto-reruns requested by the browser: {len(requests)} ({len(requests) / span:.2f}/s)",
                f"- fragment runs finished (script_finished on the websocket): {len(finished)} "
                f"({len(finished) / span:.2f}/s); interval between them {_spread(gaps, 's')}",
                f"- request to finished, seen from the browser: {_spread(trips, 'ms', 1000, '.0f')}",
                f"- how the script runs in the window ended: {dict(endings)}",
                f"- 'Solving... N s' line changed on screen {len(solving)} times ({len(solving) / span:.2f}/s; "
                "N is rounded to the second)",
            ]
            for _ in range(repeats):
                for title in PAGES:
                    t.add(f"switch to {title}", switch(title))
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return t, lines


# ---- report --------------------------------------------------------------------------------------------
def machine() -> str:
    model, cores = platform.processor() or "?", os.cpu_count()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        model = fields.get("Model name", model).strip()
        cores = fields.get("CPU(s)", str(cores)).strip()
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    import streamlit

    return (f"{model}, {cores} cores; Python {platform.python_version()}, streamlit {streamlit.__version__}, "
            f"{platform.system()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="times each interaction is measured")
    ap.add_argument("--solve-seconds", type=int, default=10, help="time limit of the AppTest solve")
    ap.add_argument("--window", type=float, default=10.0, help="seconds of solve watched in the browser")
    ap.add_argument("--no-browser", action="store_true", help="AppTest only (no Chromium)")
    args = ap.parse_args(argv)

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="ui-bench-") as tmp:
        inter, during, notes = bench_apptest(Path(tmp) / "apptest.sqlite3", args.repeats, args.solve_seconds)
        browser = None
        if not args.no_browser:
            if not Path(CHROMIUM).exists():
                print(f"{CHROMIUM} missing: use --no-browser, or install Debian's chromium", file=sys.stderr)
                return 2
            browser = bench_browser(Path(tmp) / "browser.sqlite3", Path(tmp) / "streamlit.log", args.repeats,
                                    args.window)

    print("### ui\n")
    print(f"- date: {time.strftime('%Y-%m-%d')}")
    print(f"- machine: {machine()}")
    print(f"- load average (1 min) at start {load_before:.2f}, at end {os.getloadavg()[0]:.2f} "
          "(other work on the machine inflates every figure)")
    print(f"- command: `.venv/bin/python benchmarks/ui.py {shlex.join(argv if argv is not None else sys.argv[1:])}`")
    print(f"- {notes}\n")
    print("Server-side time per interaction (AppTest, wall time of `at.run()`):\n")
    print(inter.table("interaction"))
    print("\nSolve page reruns while a solve runs (AppTest, one rerun about every second):\n")
    print(during.table("rerun"))
    if browser is not None:
        page_times, refresh = browser
        print("\nSolve progress refresh in Chromium (real server):\n")
        print("\n".join(refresh))
        print("\nPage switches in Chromium, timed in the page from the click to the page rendered and its script "
              "finished (real server; includes the websocket round trip and rendering):\n")
        print(page_times.table("interaction"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
