"""The `scheduler` command: outputs, exit codes, clear input errors, progress, atomic writes."""

from __future__ import annotations

import datetime as dt
import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from scheduler import cli
from scheduler.check import check
from scheduler.io import roster_io
from scheduler.io.roster_io import read_roster, write_roster
from scheduler.result import Assignment, Progress, Roster
from tests import factory

FAST = ["--time-limit", "20", "--workers", "2"]
SUMMARY_KEYS = {"status", "objective", "bound", "gap", "wall_seconds", "objective_terms", "weighted_terms",
                "hard_violations", "violations", "uncovered", "explanation", "fully_covered"}
SCRIPT = Path(sys.executable).parent / "scheduler"


def write_yaml(tmp_path: Path, data: dict, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def scenario_file(tmp_path) -> Path:
    return write_yaml(tmp_path, factory.data())


def short_data() -> dict:
    """Site B needs 2 readers on Monday night, but only r1 may cover it."""
    return factory.data(
        sites=[
            {"id": "A", "name": "Site A", "jurisdiction": "FR", "timezone": "Europe/Paris",
             "coverage": [{"shift_type": "night", "readers": 1}]},
            {"id": "B", "name": "Site B", "jurisdiction": "FR", "timezone": "Europe/Paris",
             "coverage": [{"shift_type": "night", "readers": 2, "days": ["mon"]}]},
        ],
        radiologists=[factory.reader("r1", sites=("A", "B")), factory.reader("r2"), factory.reader("r3")],
    )


def no_traceback(text: str) -> bool:
    return "Traceback" not in text


# ---- solve -----------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_solve_writes_roster_and_summary(tmp_path, scenario_file, capsys, suffix):
    out = tmp_path / "out" / f"roster{suffix}"
    summary = tmp_path / "summary.json"
    code = cli.main(["solve", str(scenario_file), *FAST, "--out", str(out), "--summary-json", str(summary)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Coverage: all 7 needs covered" in captured.out
    assert "Hard violations: none" in captured.out
    assert "Fairness per reader" in captured.out and "Dr 1" in captured.out
    assert "objective" in captured.err  # progress
    roster = read_roster(out)
    assert len(roster.assignments) == 7
    report = check(factory.build(), roster)
    assert report.ok and report.fully_covered
    data = json.loads(summary.read_text())
    assert SUMMARY_KEYS <= set(data)
    assert data["status"] in ("OPTIMAL", "FEASIBLE")
    assert data["fully_covered"] is True and data["hard_violations"] == 0 and data["uncovered"] == []
    assert data["objective"] == report.objective
    assert set(data["objective_terms"]) == set(report.terms)
    assert data["weighted_terms"] == report.weighted
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp file left


def test_solve_exit_2_when_a_need_cannot_be_covered(tmp_path, capsys):
    scenario = write_yaml(tmp_path, short_data())
    summary = tmp_path / "summary.json"
    code = cli.main(["solve", str(scenario), *FAST, "--summary-json", str(summary)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Site B is 1 reader short on the night of 2 Mar 2026" in captured.out
    data = json.loads(summary.read_text())
    assert data["fully_covered"] is False
    assert data["hard_violations"] == 0
    assert [(u["site"], u["date"], u["missing"]) for u in data["uncovered"]] == [("B", "2026-03-02", 1)]
    assert data["explanation"], "an explanation of the uncovered need"


def test_solve_no_explain_skips_the_explanation(tmp_path, capsys):
    scenario = write_yaml(tmp_path, short_data())
    summary = tmp_path / "summary.json"
    assert cli.main(["solve", str(scenario), *FAST, "--no-explain", "--summary-json", str(summary)]) == 2
    assert json.loads(summary.read_text())["explanation"] == []
    assert "Why" not in capsys.readouterr().out


def test_solve_with_hard_rules_that_cannot_hold_exits_2(tmp_path, capsys):
    """Every reader must work at least 200 hours in a week: no roster exists."""
    data = factory.data()
    data["rule_sets"][0]["min_total_hours"] = 200
    scenario = write_yaml(tmp_path, data)
    out = tmp_path / "roster.json"
    out.write_text("OLD", encoding="utf-8")
    code = cli.main(["solve", str(scenario), *FAST, "--out", str(out), "--no-explain"])
    captured = capsys.readouterr()
    assert code == 2
    assert "INFEASIBLE" in captured.out
    assert out.read_text() == "OLD"  # nothing to write: the previous roster stays


# ---- bad input -------------------------------------------------------------------------------
def _bad_unknown_field(tmp_path):
    d = factory.data()
    d["radiologists"][1]["favourite_colour"] = "blue"
    return write_yaml(tmp_path, d), "radiologists[1].favourite_colour"


def _bad_time_zone(tmp_path):
    d = factory.data()
    d["sites"][0]["timezone"] = "Europe/Pariss"
    return write_yaml(tmp_path, d), "sites[0].timezone"


def _missing_file(tmp_path):
    return tmp_path / "nowhere.yaml", "file not found"


def _invalid_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nhorizon: [start: 2026-03-02\n", encoding="utf-8")
    return path, "not valid YAML: line"


@pytest.mark.parametrize("make", [_bad_unknown_field, _bad_time_zone, _missing_file, _invalid_yaml])
@pytest.mark.parametrize("command", ["solve", "explain", "check"])
def test_bad_scenario_exits_1_with_the_path(tmp_path, capsys, make, command):
    path, expected = make(tmp_path)
    roster = tmp_path / "r.json"
    write_roster(roster, Roster(), factory.build())
    args = [command, str(path), str(roster)] if command == "check" else [command, str(path), *FAST]
    code = cli.main(args)
    captured = capsys.readouterr()
    assert code == 1
    assert expected in captured.err and str(path) in captured.err
    assert no_traceback(captured.err) and captured.out == ""


def test_bad_out_suffix_is_reported_before_solving(tmp_path, scenario_file, capsys):
    code = cli.main(["solve", str(scenario_file), *FAST, "--out", str(tmp_path / "roster.txt")])
    captured = capsys.readouterr()
    assert code == 1
    assert ".json, .csv, .xlsx" in captured.err
    assert "objective" not in captured.err and captured.out == ""


@pytest.mark.parametrize(
    "args",
    [[], ["solve"], ["solve", "x.yaml", "--time-limit", "-3"], ["solve", "x.yaml", "--workers", "0"],
     ["frobnicate"], ["check", "x.yaml"]],
)
def test_usage_errors_exit_1(args, capsys):
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "usage:" in err and no_traceback(err)


def test_help_exits_0(capsys):
    assert cli.main(["--help"]) == 0
    assert "solve" in capsys.readouterr().out


def test_unwritable_output_exits_1_and_keeps_nothing_half_done(tmp_path, scenario_file, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    out = blocker / "roster.json"  # its parent is a file
    code = cli.main(["solve", str(scenario_file), *FAST, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert str(out) in captured.err and no_traceback(captured.err)
    assert "Coverage: all" in captured.out  # the summary was still shown


# ---- failed writes ---------------------------------------------------------------------------
@pytest.mark.parametrize(("exc", "code"), [(OSError(28, "No space left on device"), 1), (KeyboardInterrupt(), 130)])
def test_failed_write_leaves_the_previous_output_intact(tmp_path, scenario_file, capsys, monkeypatch, exc, code):
    out = tmp_path / "roster.json"
    out.write_text('{"previous": true}', encoding="utf-8")

    def half_then_fail(tmp, inst, roster):
        tmp.write_text('{"assignments": [', encoding="utf-8")
        raise exc

    monkeypatch.setitem(roster_io._WRITERS, "json", half_then_fail)
    assert cli.main(["solve", str(scenario_file), *FAST, "--out", str(out)]) == code
    captured = capsys.readouterr()
    assert out.read_text() == '{"previous": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.json", "scenario.yaml"]
    assert no_traceback(captured.err)
    if code == 1:
        assert "No space left on device" in captured.err and str(out) in captured.err


def test_unexpected_errors_propagate(scenario_file, monkeypatch):
    """A bug is not dressed up as bad input: it surfaces with its traceback."""
    import scheduler.solver

    def broken(*_a, **_k):
        raise RuntimeError("bug in the solver")

    monkeypatch.setattr(scheduler.solver, "solve", broken)
    with pytest.raises(RuntimeError, match="bug in the solver"):
        cli.main(["solve", str(scenario_file), *FAST])


# ---- check -----------------------------------------------------------------------------------
def _roster_with_rest_violation() -> Roster:
    days = [dt.date(2026, 3, 2) + dt.timedelta(days=k) for k in range(7)]
    who = ["r1", "r1", "r2", "r3", "r1", "r2", "r3"]
    return Roster(assignments=tuple(Assignment(reader=w, shift_type="night", date=d, sites=("A",))
                                    for w, d in zip(who, days, strict=True)))


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_check_reports_a_violation_and_exits_2(tmp_path, scenario_file, capsys, suffix):
    roster = tmp_path / f"roster{suffix}"
    write_roster(roster, _roster_with_rest_violation(), factory.build())
    summary = tmp_path / "check.json"
    code = cli.main(["check", str(scenario_file), str(roster), "--summary-json", str(summary)])
    out = capsys.readouterr().out
    assert code == 2
    assert "Hard violations: 1" in out
    assert "[rest] Dr 1: the night of 3 Mar 2026 starts 10.0 h after the night of 2 Mar 2026" in out
    data = json.loads(summary.read_text())
    assert SUMMARY_KEYS <= set(data)
    assert data["hard_violations"] == 1 and data["violations"][0]["rule"] == "rest"
    assert data["fully_covered"] is True


def test_check_of_a_solved_roster_exits_0(tmp_path, scenario_file, capsys):
    roster = tmp_path / "roster.csv"
    assert cli.main(["solve", str(scenario_file), *FAST, "--out", str(roster)]) == 0
    capsys.readouterr()
    assert cli.main(["check", str(scenario_file), str(roster)]) == 0
    out = capsys.readouterr().out
    assert "Check: objective" in out and "Hard violations: none" in out


def test_check_of_an_incomplete_roster_lists_the_uncovered_need(tmp_path, scenario_file, capsys):
    roster = tmp_path / "roster.json"
    full = _roster_with_rest_violation()
    write_roster(roster, Roster(assignments=full.assignments[2:]), factory.build())
    assert cli.main(["check", str(scenario_file), str(roster)]) == 2
    out = capsys.readouterr().out
    assert "Site A is 1 reader short on the night of 2 Mar 2026" in out


def test_check_bad_roster_file_exits_1_with_the_path(tmp_path, scenario_file, capsys):
    roster = tmp_path / "roster.json"
    roster.write_text(json.dumps({"assignments": [
        {"reader": "r1", "shift_type": "night", "date": "2026-03-02", "sites": ["A"]},
        {"reader": "r2", "shift_type": "night", "date": "tomorrow", "sites": ["A"]},
    ]}), encoding="utf-8")
    code = cli.main(["check", str(scenario_file), str(roster)])
    captured = capsys.readouterr()
    assert code == 1
    assert "assignments[1].date" in captured.err and str(roster) in captured.err
    assert no_traceback(captured.err) and captured.out == ""


def test_check_missing_roster_and_bad_suffix_exit_1(tmp_path, scenario_file, capsys):
    assert cli.main(["check", str(scenario_file), str(tmp_path / "absent.csv")]) == 1
    assert "file not found" in capsys.readouterr().err
    other = tmp_path / "roster.ods"
    other.write_text("x", encoding="utf-8")
    assert cli.main(["check", str(scenario_file), str(other)]) == 1
    assert ".json, .csv, .xlsx" in capsys.readouterr().err


# ---- explain ---------------------------------------------------------------------------------
def test_explain_says_why_a_need_cannot_be_covered(tmp_path, capsys):
    scenario = write_yaml(tmp_path, short_data())
    assert cli.main(["explain", str(scenario), *FAST]) == 2
    out = capsys.readouterr().out
    assert "cannot be fully covered" in out
    assert "Why:" in out and "Site B" in out
    assert "Site B is 1 reader short on the night of 2 Mar 2026" in out


def test_explain_says_when_everything_can_be_covered(scenario_file, capsys):
    assert cli.main(["explain", str(scenario_file), *FAST]) == 0
    assert "can be fully covered" in capsys.readouterr().out


# ---- progress --------------------------------------------------------------------------------
class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_lines_at_most_once_a_second_when_not_a_terminal():
    stream, clock = io.StringIO(), _Clock()
    line = cli.ProgressLine(stream, tty=False, clock=clock)
    for t, obj in [(0.0, 100), (0.3, 90), (0.6, 80), (1.2, 70), (1.5, 60)]:
        clock.now = t
        line(Progress(t, obj, 50))
    line.close()
    lines = stream.getvalue().splitlines()
    assert [x.split()[1] for x in lines] == ["100", "70", "60"]  # 60 was pending: shown at the end
    assert "bound 50" in lines[0] and "gap 50.00%" in lines[0] and "elapsed 0.0 s" in lines[0]


def test_progress_rewrites_one_line_on_a_terminal():
    stream, clock = io.StringIO(), _Clock()
    line = cli.ProgressLine(stream, tty=True, clock=clock)
    line(Progress(0.0, None, 10))
    clock.now = 0.5
    line(Progress(0.5, 1200, 1000))
    line.close()
    text = stream.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and text.count("\n") == 1
    assert "objective -" in text and "objective 1,200" in text


# ---- the installed console script --------------------------------------------------------------
def test_console_script_solves_and_reports(tmp_path, scenario_file):
    out = tmp_path / "roster.xlsx"
    proc = subprocess.run([str(SCRIPT), "solve", str(scenario_file), *FAST, "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Coverage: all 7 needs covered" in proc.stdout
    assert "objective" in proc.stderr
    assert len(read_roster(out).assignments) == 7


def test_console_script_bad_input_exits_1_without_traceback(tmp_path):
    path, expected = _bad_time_zone(tmp_path)
    proc = subprocess.run([str(SCRIPT), "solve", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert expected in proc.stderr and "unknown time zone" in proc.stderr
    assert no_traceback(proc.stderr)


def _slow_data() -> dict:
    """Eight weeks, four sites, fourteen readers: the first roster takes a few seconds to find."""
    return factory.data(
        horizon={"start": "2026-03-02", "end": "2026-04-26", "timezone": "Europe/Paris",
                 "holidays": {"country": "FR"}},
        sites=[{"id": s, "name": f"Site {s}", "jurisdiction": "FR", "timezone": "Europe/Paris",
                "coverage": [{"shift_type": "night", "readers": 1}, {"shift_type": "day", "readers": 1}]}
               for s in "ABCD"],
        radiologists=[factory.reader(f"r{k}", sites=tuple("ABCD"), fte=[1.0, 0.8, 0.6, 0.5][k % 4])
                      for k in range(14)],
    )


def test_ctrl_c_stops_the_search_cleanly(tmp_path):
    """SIGINT during the search: exit 130, no traceback, the output is the best roster or untouched."""
    scenario = write_yaml(tmp_path, _slow_data())
    out = tmp_path / "roster.json"
    out.write_text("OLD", encoding="utf-8")
    proc = subprocess.Popen([str(SCRIPT), "solve", str(scenario), "--time-limit", "120", "--workers", "2",
                             "--out", str(out), "--no-explain"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()  # printed just before the search starts
        assert first.startswith("solving"), first
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    assert no_traceback(stderr)
    assert "stopping" in stderr or "interrupted" in stderr
    if out.read_text() != "OLD":
        assert check(factory.build(_slow_data()), read_roster(out)).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["roster.json", "scenario.yaml"]
