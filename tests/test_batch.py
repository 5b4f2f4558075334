"""Batch planning without a cluster: months, the spec, carrying the border, variations, output folder, report."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from scheduler.batch import ChainJob, apply_variation, carry, load_spec, month_scenario, parse_months, run_chain
from scheduler.batch.chain import MonthOutcome
from scheduler.batch.output import DONE, BatchDir, fingerprint
from scheduler.batch.progress import BatchProgress
from scheduler.batch.report import UnitInfo, summary_csv, summary_html, summary_rows
from scheduler.batch.spec import Variation, spec_from_data, units_of
from scheduler.check import check
from scheduler.errors import InputError
from scheduler.instance import build_instance
from scheduler.io.roster_io import read_roster
from scheduler.io.scenario_yaml import load_scenario, scenario_from_yaml_text
from scheduler.result import Assignment, Roster
from scheduler.solver import solve
from scheduler.store import Store

SMALL = Path(__file__).parent / "data" / "batch" / "small.yaml"
OCT31, NOV1 = dt.date(2026, 10, 31), dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def small():
    return load_scenario(SMALL)


@pytest.fixture(scope="module")
def october(small):
    """October solved (1 s), with who works the night of 31 October at site A."""
    oct_scenario = month_scenario(small, "2026-10")
    result = solve(oct_scenario, time_limit=1, workers=1, explain=False)
    assert result.has_solution and not result.check.violations
    last_night = next(a.reader for a in result.roster.assignments
                      if a.date == OCT31 and a.shift_type == "night" and "A" in a.sites)
    return oct_scenario, result.roster, last_night


# ---- months ------------------------------------------------------------------------------------
def test_month_ranges_span_the_year_end_and_refuse_nonsense():
    """A range spans December to January; a single month is one month; bad forms are refused in words."""
    assert parse_months("2026-10..2027-03") == ["2026-10", "2026-11", "2026-12", "2027-01", "2027-02", "2027-03"]
    assert parse_months("2026-02") == ["2026-02"]
    for bad, words in [("2026-13", "not a month"), ("2027-01..2026-12", "ends before it starts"), ("oct", "YYYY-MM")]:
        with pytest.raises(ValueError, match=words):
            parse_months(bad)


def test_a_month_moves_the_horizon_and_keeps_zone_and_holidays(small):
    """February 2027 runs from the 1st to the 28th, in the scenario's zone with its holiday calendar."""
    feb = month_scenario(small, "2027-02")
    assert (feb.horizon.start, feb.horizon.end) == (dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    assert feb.horizon.timezone == small.horizon.timezone and feb.horizon.holidays == small.horizon.holidays
    assert len(build_instance(feb).days) == 28


def test_a_month_before_the_stated_history_is_refused(small):
    """History must come before the horizon: moving a scenario before its history shifts says so."""
    text = SMALL.read_text().replace("history: {burden_points: 30, nights: 10}",
                                     "history: {shifts: [{shift_type: night, date: 2026-09-20}]}")
    scenario = scenario_from_yaml_text(text, "s.yaml")
    with pytest.raises(InputError, match=r"history\.shifts\[0\]\.date.*not before the horizon start"):
        month_scenario(scenario, "2026-09")
    assert month_scenario(scenario, "2026-11").horizon.start == NOV1


# ---- the spec ------------------------------------------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, words", [
    ("scenarios: [a.yaml]\nmonths: 2026-10\ntime_limt: 3\n", "time_limt: unknown field; valid fields: scenarios"),
    ("scenarios: [a.yaml]\nmonths: 2026-14\n", "months: '2026-14' is not a month"),
    ("scenarios: [a.yaml]\ntime_limit: -1\n", "time_limit: Input should be greater than 0"),
    ("months: 2026-10\n", "the spec plans nothing"),
    ("scenarios: [a.yaml]\nvariations:\n  - name: v\n", "variation 'v' changes nothing"),
    ("scenarios: [a.yaml]\nvariations:\n  - name: v\n    copy_reader: {from: r1, cuont: 2}\n",
     "variations[0].copy_reader.cuont: unknown field; valid fields: from, count"),
    ("scenarios: [a.yaml]\nvariations:\n  - name: v\n    set_rule: {min_rest_hours: 12}\n",
     "set_rule needs `rule_set: ID`"),
    ("scenarios: [a: b\n", "not valid YAML: line 2, column 1"),
])
def test_bad_specs_are_refused_with_file_path_and_reason(tmp_path, text, words):
    """Every spec error names the file and the field path, says what is wrong and what is valid."""
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_spec(path)
    assert str(path) in str(err.value)
    assert words in str(err.value)


def test_units_name_files_variations_and_bases(tmp_path):
    """Scenarios are named by file stem or name; a variation's base is added when not listed; names collide loudly."""
    spec = spec_from_data({"scenarios": ["a.yaml", {"name": "Big one", "file": "b.yaml"}],
                           "variations": [{"name": "No X!", "base": "Big one", "drop_sites": ["X"]},
                                          {"name": "c plus", "base": "c.yaml", "remove_readers": ["r1"]}]})
    units = units_of(spec, tmp_path)
    assert [(u.key, u.file.name, u.base_key) for u in units] == [
        ("a", "a.yaml", None), ("big-one", "b.yaml", None), ("no-x", "b.yaml", "big-one"),
        ("c", "c.yaml", None), ("c-plus", "c.yaml", "c")]
    ambiguous = spec_from_data({"scenarios": ["a.yaml", "b.yaml"], "variations": [{"name": "v", "drop_sites": ["X"]}]})
    with pytest.raises(InputError, match=r"variations\[0\]\.base: required"):
        units_of(ambiguous, tmp_path)
    twice = spec_from_data({"scenarios": ["a.yaml", {"name": "a", "file": "other.yaml"}]})
    with pytest.raises(InputError, match=r"scenarios\[1\]\.name: the name 'a' is already used"):
        units_of(twice, tmp_path)


# ---- carrying the border ------------------------------------------------------------------------
def test_a_night_at_the_end_of_a_month_forbids_an_early_shift_on_the_first_of_the_next(small, october):
    """The night of 31 October ends at 08:00 on 1 November: the checker of November sees it only when carried."""
    oct_scenario, oct_roster, reader = october
    nov = month_scenario(small, "2026-11")
    carried = carry(nov, [(oct_scenario, oct_roster)])
    hist = carried.radiologist_by_id[reader].history
    assert any(h.date == OCT31 and h.shift_type == "night" for h in hist.shifts)
    day_after = Roster(assignments=(Assignment(reader=reader, shift_type="day", date=NOV1, sites=("A",)),))
    rest = [v for v in check(carried, day_after).violations if v.rule == "rest" and v.reader == reader]
    assert rest and rest[0].date == NOV1
    assert not [v for v in check(nov, day_after).violations if v.rule == "rest"]
    assert max(h.date for h in hist.shifts) == OCT31
    assert min(h.date for h in hist.shifts) >= NOV1 - dt.timedelta(days=14)  # the last 14 days, as the store


def test_carried_totals_are_the_store_ledger_plus_the_stated_opening_balance(small, october, tmp_path):
    """Carry and the store's with_history agree on what October gave; stated totals are kept as an opening balance."""
    oct_scenario, oct_roster, _ = october
    nov = month_scenario(small, "2026-11")
    carried = carry(nov, [(oct_scenario, oct_roster)])
    with Store(tmp_path / "s.sqlite3") as store:
        store.publish(oct_scenario, oct_roster, by="test", base_number=None,
                      now=dt.datetime(2026, 10, 25, tzinfo=dt.UTC))
        published = store.with_history(nov)
    inst = build_instance(oct_scenario)
    for r in small.radiologists:
        mine, theirs = carried.radiologist_by_id[r.id].history, published.radiologist_by_id[r.id].history
        assert mine.shifts == theirs.shifts
        worked = [inst.shift_by_key[(a.shift_type, a.date)] for a in oct_roster.assignments if a.reader == r.id]
        if not worked:
            continue
        assert theirs.burden_points == sum(s.burden for s in worked)
        assert mine.burden_points == r.history.burden_points + theirs.burden_points
        assert mine.nights == r.history.nights + theirs.nights
        assert mine.work_hours == pytest.approx(r.history.work_hours + theirs.work_hours)
    assert carried.radiologist_by_id["r1"].history.burden_points > small.radiologist_by_id["r1"].history.burden_points


def test_a_chain_solves_months_in_order_from_the_previous_roster(small):
    """Two months in one chain: November's scenario carries October, its roster is checked clean against it."""
    seen: list[str] = []
    job = ChainJob("small", "small", small, ("2026-10", "2026-11"), time_limit=1, workers=1)
    out = run_chain(job, emit=lambda o: seen.append(o.month))
    assert seen == ["2026-10", "2026-11"] and all(o.ok for o in out)
    oct_roster = Roster.model_validate({"assignments": json.loads(out[0].files["roster.json"])["assignments"]})
    last_night = {a.reader for a in oct_roster.assignments if a.date == OCT31 and a.shift_type == "night"}
    nov = scenario_from_yaml_text(out[1].files["scenario.yaml"])
    for reader in last_night:
        assert OCT31 in {h.date for h in nov.radiologist_by_id[reader].history.shifts}
    nov_roster = Roster.model_validate({"assignments": json.loads(out[1].files["roster.json"])["assignments"]})
    report = check(nov, nov_roster)
    assert not report.violations
    assert not any(a.reader in last_night and a.date == NOV1 and a.shift_type == "day"
                   for a in nov_roster.assignments)
    row = out[1].row
    assert row["month"] == "2026-11" and row["hard_violations"] == 0 and row["checker_agrees"]
    assert row["coverage"] == (row["needs"] - row["uncovered_needs"]) / row["needs"]
    assert row["requests_total"] == 1  # r5's wish for 14 November; the October one falls outside


def test_a_failing_month_ends_its_chain_and_says_why(small):
    """A month that cannot be planned is reported, and the months after it are not attempted."""
    text = SMALL.read_text().replace("history: {burden_points: 30, nights: 10}",
                                     "history: {shifts: [{shift_type: night, date: 2026-09-20}]}")
    job = ChainJob("bad", "bad", scenario_from_yaml_text(text), ("2026-09", "2026-10"), time_limit=1)
    out = run_chain(job)
    assert [(o.month, o.ok) for o in out] == [("2026-09", False)]
    assert out[0].row["status"] == "FAILED" and "not before the horizon start" in out[0].error


# ---- variations ---------------------------------------------------------------------------------
def test_variations_drop_sites_copy_add_and_remove_readers_and_change_rules(small):
    """Each change shows in the varied scenario; nothing else moves."""
    v = Variation.model_validate({
        "name": "what if", "drop_sites": ["B"], "copy_reader": {"from": "r4", "count": 2}, "remove_readers": ["r6"],
        "add_readers": [{"id": "new", "rule_set": "std", "licenses": [{"jurisdiction": "FR"}],
                         "privileges": [{"site": "A"}]}],
        "set_rule": {"rule_set": "std", "min_rest_hours": 12, "max_consecutive_nights": 2}})
    varied = apply_variation(small, v)
    assert [s.id for s in varied.sites] == ["A"]
    assert all(d.site == "A" for d in build_instance(month_scenario(varied, "2026-10")).demands.values())
    assert all(p.site != "B" for r in varied.radiologists for p in r.privileges)
    ids = [r.id for r in varied.radiologists]
    assert "r6" not in ids and {"r4_copy1", "r4_copy2", "new"} <= set(ids)
    copy1, r4 = varied.radiologist_by_id["r4_copy1"], small.radiologist_by_id["r4"]
    assert (copy1.privileges, copy1.fte, copy1.rule_set) == (r4.privileges, r4.fte, r4.rule_set)
    assert copy1.history.burden_points == 0 and not copy1.requests
    rules = varied.rule_set_by_id["std"]
    assert (rules.min_rest_hours, rules.max_consecutive_nights, rules.rest_after_night_hours) == (12, 2, 11)
    assert varied.name == "batch-small (what if)" and small.radiologist_by_id.get("new") is None


@pytest.mark.parametrize("change, words", [
    ({"drop_sites": ["Z"]}, "variations[2].drop_sites[0]: unknown site 'Z'; defined: A, B"),
    ({"remove_readers": ["r1", "nobody"]}, "variations[2].remove_readers[1]: unknown reader 'nobody'"),
    ({"copy_reader": {"from": "ghost"}}, "variations[2].copy_reader.from: unknown reader 'ghost'"),
    ({"set_rule": {"rule_set": "std", "min_rest": 12}}, "variations[2].set_rule.min_rest: not a rule set field"),
    ({"set_rule": {"rule_set": "std", "min_rest_hours": -3}}, "variations[2].set_rule.min_rest_hours: Input should"),
    ({"add_readers": [{"id": "x", "rule_set": "std", "fte": 3}]}, "variations[2].add_readers[0].fte: Input should"),
    ({"add_readers": [{"id": "x", "rule_set": "nope"}]}, "variations[2].add_readers[0].rule_set: unknown rule set"),
])
def test_a_variation_that_does_not_fit_its_base_is_named_at_its_path(small, change, words):
    """Variation errors point into the spec, not into the scenario they were applied to."""
    with pytest.raises(InputError) as err:
        apply_variation(small, Variation.model_validate({"name": "v", **change}), "variations[2]", "spec.yaml")
    assert words in str(err.value) and "spec.yaml" in str(err.value)


# ---- the output folder --------------------------------------------------------------------------
def outcome(month: str = "2026-10", **row) -> MonthOutcome:
    base = {"scenario": "s", "month": month, "status": "OPTIMAL", "coverage": 1.0, "uncovered_needs": 0,
            "hard_violations": 0, "fairness_spread": 2.0, "requests_met": 1, "requests_total": 2, "gap": 0.0,
            "seconds": 1.5}
    return MonthOutcome("s", month, True, {**base, **row},
                        {"roster.json": json.dumps({"assignments": []}), "summary.json": "{}"})


def test_a_month_is_done_only_with_its_files_and_its_marker(tmp_path):
    """done.json comes last: without it (a crash mid-write) the month is not done, and redoing it removes temp files."""
    out = BatchDir(tmp_path)
    out.write_month(outcome("2026-10"), "f1")
    out.write_month(outcome("2026-11"), "f1")
    assert [m for m, _r, _ro in out.done_prefix("s", ["2026-10", "2026-11", "2026-12"], "f1")] == ["2026-10",
                                                                                                   "2026-11"]
    assert out.done_prefix("s", ["2026-10"], "other scenario") == []
    folder = out.month_dir("s", "2026-11")
    (folder / DONE).unlink()
    (folder / "roster.json").write_text('{"assignm')  # a half-written roster from a crash, and its temp file
    (folder / ".roster.json.x1y2.tmp").write_text("partial")
    assert [m for m, _r, _ro in out.done_prefix("s", ["2026-10", "2026-11"], "f1")] == ["2026-10"]
    (folder / DONE).write_text(json.dumps({"files": ["roster.json", "summary.json", "missing.csv"]}))
    assert out.done_record("s", "2026-11") is None  # a marker naming a file that is not there does not count
    out.redo("s", ["2026-11"])
    assert not (folder / DONE).exists() and not list(folder.glob(".*.tmp"))
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []


def test_the_fingerprint_follows_the_scenario(small):
    """A changed scenario has another fingerprint, so its done months are redone."""
    v = apply_variation(small, Variation.model_validate({"name": "v", "drop_sites": ["B"]}))
    assert fingerprint(small) == fingerprint(load_scenario(SMALL)) != fingerprint(v)


def test_progress_prints_one_line_per_month_with_an_eta():
    """Without a terminal each finished month is one line, with the estimated time left."""
    stream = io.StringIO()
    clock = iter([0.0, 10.0, 20.0, 20.0]).__next__
    p = BatchProgress(stream, bar=False, clock=clock)
    p.start(3, skipped=2)
    p.month(outcome("2026-10"))
    p.month(outcome("2026-11", uncovered_needs=2, coverage=0.9))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "2 months already done, skipped"
    assert lines[1].startswith("[1/3] s 2026-10: coverage 100.0%, fairness spread 2.0, requests 1/2, gap 0.00%")
    assert lines[1].endswith("ETA 20 s")
    assert "[2/3] s 2026-11: coverage 90.0%" in lines[2] and "NOT FULLY COVERED (2 needs short" in lines[2]


# ---- the report ---------------------------------------------------------------------------------
def test_the_report_has_every_scenario_month_and_the_variations_side_by_side():
    """CSV: one row per scenario x month (not-run and failed included); HTML: tables, charts, errors, escaped."""
    units = [UnitInfo("base", "Base <1>"), UnitInfo("v", "More readers", "More readers", "base"),
             UnitInfo("bad", "Broken")]
    months = ["2026-10", "2026-11"]
    found = {("base", m): {**outcome(m).row, "scenario": "Base <1>"} for m in months}
    found[("v", "2026-10")] = {**outcome("2026-10", coverage=0.5, uncovered_needs=3).row, "scenario": "More readers"}
    found[("bad", "2026-10")] = {"scenario": "Broken", "month": "2026-10", "status": "FAILED",
                                 "error": "bad.yaml: 1 problem found"}
    rows = summary_rows(units, months, found)
    text = summary_csv(rows)
    lines = text.splitlines()
    assert lines[0].startswith("key,scenario,variation,base,month,status,needs,uncovered_needs")
    assert len(lines) == 1 + 3 * 2
    assert [ln.split(",")[5] for ln in lines[1:]] == ["OPTIMAL", "OPTIMAL", "OPTIMAL", "NOT RUN", "FAILED",
                                                      "NOT RUN"]
    page = summary_html(units, months, rows)
    assert "Base &lt;1&gt;" in page and "Base <1>" not in page
    assert "What-if variations, side by side" in page and "<h3>Base &lt;1&gt; and its variations</h3>" in page
    assert page.count("<svg") == 8  # four charts for the group, four for every scenario
    assert '<p class="error">Broken: bad.yaml: 1 problem found</p>' in page
    verdicts = [cell for cell in ("fully covered", "incomplete", "failed") if f"<td>{cell}</td>" in page]
    assert verdicts == ["fully covered", "incomplete", "failed"]
    assert '<tr class="bad"><td>More readers</td><td>2026-10</td>' in page  # the month left short is marked
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched: opens offline


def test_read_roster_reads_what_a_chain_wrote(tmp_path, small):
    """The roster.json a month writes is a roster file the other commands read."""
    job = ChainJob("small", "small", small, ("2026-10",), time_limit=1, workers=1)
    (o,) = run_chain(job)
    BatchDir(tmp_path).write_month(o, "f")
    roster = read_roster(tmp_path / "small" / "2026-10" / "roster.json")
    scenario = load_scenario(tmp_path / "small" / "2026-10" / "scenario.yaml")
    assert roster.assignments and not check(scenario, roster).violations
    assert (tmp_path / "small" / "2026-10" / "roster.csv").read_text().startswith("reader,reader_name,shift_type,date,")
