"""Batch planning on a real Dask LocalCluster of 2 worker processes: resume, Ctrl-C, failures, the CLI."""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

from scheduler.batch import load_spec, run_batch
from scheduler.batch.output import DONE
from scheduler.check import check
from scheduler.cli import main
from scheduler.io.roster_io import read_roster
from scheduler.io.scenario_yaml import load_scenario

SMALL = Path(__file__).parent / "data" / "batch" / "small.yaml"


@pytest.fixture(scope="module")
def cluster():
    """A separately started LocalCluster: 2 worker processes, one thread each."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster) as c:
        yield c


def spec_file(tmp_path: Path, body: str) -> Path:
    shutil.copy(SMALL, tmp_path / "small.yaml")
    path = tmp_path / "spec.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def run(spec: Path, out: Path, client, **kw):
    return run_batch(load_spec(spec), out, spec_dir=spec.parent, source=str(spec), client=client, **kw)


def done(out: Path, key: str, month: str) -> dict:
    return json.loads((out / key / month / DONE).read_text())


def test_a_batch_runs_chains_on_two_workers_and_a_rerun_skips_what_is_done(tmp_path, client):
    """Base and variation over two months run as two tasks on the two workers; running again solves nothing."""
    spec = spec_file(tmp_path, "scenarios: [small.yaml]\nmonths: 2026-10..2026-11\ntime_limit: 1\n"
                               "variations:\n  - name: no site B\n    drop_sites: [B]\n")
    out = tmp_path / "out"
    first = run(spec, out, client)
    assert (first.solved, first.skipped, first.failures) == (4, 0, {})
    assert first.all_covered
    workers = {done(out, k, m)["row"]["worker"] for k in ("small", "no-site-b") for m in ("2026-10", "2026-11")}
    assert workers <= set(client.scheduler_info()["workers"]) and len(workers) == 2
    for key in ("small", "no-site-b"):
        for month in ("2026-10", "2026-11"):
            folder = out / key / month
            scenario, roster = load_scenario(folder / "scenario.yaml"), read_roster(folder / "roster.json")
            assert not check(scenario, roster).violations  # every written roster passes the checker
    assert all("B" not in a.sites for a in read_roster(out / "no-site-b" / "2026-11" / "roster.json").assignments)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob(DONE)}

    again = run(spec, out, client)
    assert (again.solved, again.skipped) == (0, 4)
    assert {p: p.stat().st_mtime_ns for p in out.rglob(DONE)} == stamps
    csv_lines = (out / "summary.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + 4 and all(",FAILED," not in ln and "NOT RUN" not in ln for ln in csv_lines)
    page = (out / "summary.html").read_text()
    assert "<h3>small and its variations</h3>" in page and page.count("<svg") == 4


def test_a_crash_mid_write_leaves_the_month_to_be_redone(tmp_path, client):
    """A month with a half-written roster and a temp file but no done.json is redone; the month before is kept."""
    spec = spec_file(tmp_path, "scenarios: [small.yaml]\nmonths: 2026-10..2026-11\ntime_limit: 1\n")
    out = tmp_path / "out"
    run(spec, out, client)
    nov = out / "small" / "2026-11"
    (nov / DONE).unlink()
    (nov / "roster.json").write_text('{"scenario": "batch-small", "assignm')
    (nov / ".summary.json.abc123.tmp").write_text('{"half')
    oct_stamp = (out / "small" / "2026-10" / DONE).stat().st_mtime_ns

    again = run(spec, out, client)
    assert (again.solved, again.skipped) == (1, 1)
    assert (out / "small" / "2026-10" / DONE).stat().st_mtime_ns == oct_stamp
    assert not list(nov.glob(".*.tmp"))
    assert not check(load_scenario(nov / "scenario.yaml"), read_roster(nov / "roster.json")).violations


def test_ctrl_c_keeps_the_months_done_and_the_next_run_resumes(tmp_path, client):
    """Interrupted after the first month: it stays done, nothing later is; the same run again finishes the rest."""
    spec = spec_file(tmp_path, "scenarios: [small.yaml]\nmonths: 2026-10..2026-12\ntime_limit: 1\n")
    out = tmp_path / "out"

    def interrupt(_outcome):
        raise KeyboardInterrupt

    stopped = run(spec, out, client, on_month=interrupt)
    assert stopped.interrupted and stopped.solved == 1
    assert (out / "small" / "2026-10" / DONE).exists()
    assert not (out / "small" / "2026-11" / DONE).exists() and not (out / "small" / "2026-12" / DONE).exists()
    assert "NOT RUN" in (out / "summary.csv").read_text()
    stamp = (out / "small" / "2026-10" / DONE).stat().st_mtime_ns

    resumed = run(spec, out, client)
    assert (resumed.solved, resumed.skipped, resumed.interrupted) == (2, 1, False)
    assert (out / "small" / "2026-10" / DONE).stat().st_mtime_ns == stamp
    dec = load_scenario(out / "small" / "2026-12" / "scenario.yaml")
    nov_roster = read_roster(out / "small" / "2026-11" / "roster.json")
    last_nights = {a.reader for a in nov_roster.assignments if a.date.isoformat() == "2026-11-30"}
    assert all(any(h.date.isoformat() == "2026-11-30" for h in dec.radiologist_by_id[r].history.shifts)
               for r in last_nights)  # December started from the resumed November


def test_a_failing_scenario_is_reported_and_the_others_finish(tmp_path, client):
    """A missing file and a chain that fails on its worker are reported; the good scenario is planned in full."""
    broken = SMALL.read_text().replace("history: {burden_points: 30, nights: 10}",
                                       "history: {shifts: [{shift_type: night, date: 2026-09-30}]}")
    (tmp_path / "early.yaml").write_text(broken)
    spec = spec_file(tmp_path, "scenarios: [small.yaml, missing.yaml, early.yaml]\nmonths: 2026-09..2026-10\n"
                               "time_limit: 1\n")
    out = tmp_path / "out"
    outcome = run(spec, out, client)
    assert set(outcome.failures) == {"missing", "early"}
    assert "file not found" in outcome.failures["missing"]
    assert "not before the horizon start 2026-09-01" in outcome.failures["early"]
    assert outcome.solved == 2 and not outcome.all_covered
    assert json.loads((out / "early" / "failed.json").read_text())["month"] == "2026-09"
    rows = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text())))
    solved = {"OPTIMAL": "solved", "FEASIBLE": "solved"}
    assert [(r["key"], r["month"], solved.get(r["status"], r["status"])) for r in rows] == [
        ("small", "2026-09", "solved"), ("small", "2026-10", "solved"),
        ("missing", "2026-09", "FAILED"), ("missing", "2026-10", "NOT RUN"),
        ("early", "2026-09", "FAILED"), ("early", "2026-10", "NOT RUN")]
    assert "not before the horizon start" in rows[4]["error"]


def test_the_cli_runs_on_a_running_cluster_by_its_address(tmp_path, cluster, capsys):
    """`scheduler batch --scheduler-address` uses a separately started cluster; exit 0 when everything is covered."""
    spec = spec_file(tmp_path, "scenarios: [small.yaml]\nmonths: 2026-10\ntime_limit: 1\n")
    out = tmp_path / "out"
    code = main(["batch", str(spec), "--out", str(out), "--scheduler-address", cluster.scheduler_address,
                 "--no-progress"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "small: 1/1 months, fully covered" in captured.out
    assert "[1/1] small 2026-10: coverage 100.0%" in captured.err
    assert (out / "summary.html").exists() and (out / "small" / "2026-10" / DONE).exists()


def test_the_cli_exit_codes_for_shortfalls_failures_and_bad_input(tmp_path, cluster, capsys):
    """2 when a month is left short or a scenario fails, 1 for a bad spec or an unreachable cluster."""
    spec = spec_file(tmp_path, "scenarios: [small.yaml]\nmonths: 2026-10\ntime_limit: 2\nvariations:\n"
                               "  - name: skeleton crew\n    remove_readers: [r2, r3, r4, r6]\n")
    code = main(["batch", str(spec), "--out", str(tmp_path / "o"), "--scheduler-address", cluster.scheduler_address,
                 "--no-progress"])
    captured = capsys.readouterr()
    assert code == 2
    assert "skeleton crew: 1/1 months, not fully covered" in captured.out and "NOT FULLY COVERED" in captured.err

    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios: [small.yaml]\nmonths: 2026-10..2026-09\n")
    assert main(["batch", str(bad), "--out", str(tmp_path / "o2")]) == 1
    assert "months: the range '2026-10..2026-09' ends before it starts" in capsys.readouterr().err
    assert main(["batch", str(spec), "--out", str(tmp_path / "o3"), "--months", "2026-1"]) == 1
    assert "--months: '2026-1' is not a month" in capsys.readouterr().err
    assert main(["batch", str(spec), "--out", str(tmp_path / "o4"), "--scheduler-address", "tcp://127.0.0.1:9"]) == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_the_cli_starts_its_own_local_cluster_of_two_workers(tmp_path, capsys):
    """Without an address the command starts a LocalCluster of --workers processes, and shuts it down."""
    spec = spec_file(tmp_path, "scenarios: [small.yaml]\nmonths: 2026-10\ntime_limit: 1\n"
                               "variations:\n  - name: more\n    copy_reader: {from: r2}\n")
    out = tmp_path / "out"
    assert main(["batch", str(spec), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "on a local Dask cluster (2 workers)" in err and "2 months solved" in err
    workers = {done(out, k, "2026-10")["row"]["worker"] for k in ("small", "more")}
    assert all(w.startswith("tcp://127.0.0.1:") for w in workers)
    assert "r2_copy1" in {r.id for r in load_scenario(out / "more" / "2026-10" / "scenario.yaml").radiologists}
