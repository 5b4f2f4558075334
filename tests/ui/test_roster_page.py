"""The Roster page: the grids, filters, and manual edits checked at once (assign, unassign, lock)."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io.scenario_tables import to_tables
from scheduler.result import SolveResult
from scheduler.views import LOCK, assign
from tests.ui.apptest import edit, goto, open_scenario, solve_in_app, texts, use_roster, working

FRIDAY, SATURDAY = dt.date(2026, 3, 6), dt.date(2026, 3, 7)


@pytest.fixture
def roster_app(app: AppTest, tiny_result: SolveResult) -> AppTest:
    """The tiny example open with a solved roster, on the Roster page."""
    open_scenario(app)
    use_roster(app, tiny_result.roster, tiny_result, origin="solve #1 (OPTIMAL)")
    return goto(app, "roster")


def _name(at: AppTest, reader: str) -> str:
    return working(at).scenario.radiologist_by_id[reader].display


def _pick(at: AppTest, reader: str, shift_type: str, date: dt.date) -> None:
    at.selectbox(key="edit_reader").set_value(_name(at, reader)).run()
    at.selectbox(key="edit_shift").set_value((shift_type, date)).run()
    assert not at.exception


def _assignment(at: AppTest, reader: str, shift_type: str, date: dt.date):
    return next((a for a in working(at).roster.assignments
                 if (a.reader, a.shift_type, a.date) == (reader, shift_type, date)), None)


def test_reader_and_coverage_grids_show(roster_app: AppTest):
    """Readers x days and sites x days grids, one row per reader and per (site, shift type) need."""
    sc = working(roster_app).scenario
    readers, coverage = roster_app.dataframe[0].value, roster_app.dataframe[1].value
    assert list(readers.index) == [r.display for r in sc.radiologists]
    assert len(readers.columns) == 7 and readers.columns[0] == "Mon 02/03"
    assert len(coverage) == sum(len(s.coverage) for s in sc.sites)
    assert not any("UNCOVERED" in str(v) for v in coverage.to_numpy().ravel())
    assert [m.label for m in roster_app.metric] == ["Assignments", "Uncovered reader slots", "Hard violations"]
    assert roster_app.metric[1].value == "0" and roster_app.metric[2].value == "0"


def test_reader_filter_narrows_the_grid(roster_app: AppTest):
    """Picking readers in the filter leaves only their rows."""
    names = [r.display for r in working(roster_app).scenario.radiologists][:2]
    roster_app.multiselect(key="filter_readers").set_value(names).run()
    assert list(roster_app.dataframe[0].value.index) == names


def test_subspecialty_filter_keeps_the_readers_and_needs_with_it(roster_app: AppTest):
    """Filtering on neuro drops the general radiologist and the needs without a subspecialty."""
    roster_app.selectbox(key="filter_sub").set_value("neuro").run()
    assert "Thomas Robert" not in list(roster_app.dataframe[0].value.index)
    assert len(roster_app.dataframe[1].value) == 1


def test_assign_breaking_a_rest_rule_says_why(roster_app: AppTest):
    """The Saturday day shift after a Friday night breaks the rest rule: the edit is shown with the reason."""
    night = next(a for a in working(roster_app).roster.assignments
                 if a.shift_type == "night" and a.date == FRIDAY)
    _pick(roster_app, night.reader, "weekend_day", SATURDAY)
    roster_app.multiselect(key="edit_sites").set_value(["ch_saint_die"]).run()
    roster_app.button(key="do_assign").click().run()
    errors = [e for e in texts(roster_app.error) if e.startswith("This edit breaks hard rules")]
    assert errors and _name(roster_app, night.reader) in errors[0] and "rest required" in errors[0]
    assert _assignment(roster_app, night.reader, "weekend_day", SATURDAY) is not None
    assert roster_app.metric[2].value != "0"


def test_valid_assign_is_applied_without_complaint(roster_app: AppTest):
    """Giving an unassigned night back to its reader breaks no rule: applied, and the checker finds nothing new."""
    a = next(a for a in working(roster_app).roster.assignments if a.shift_type == "night")
    _pick(roster_app, a.reader, "night", a.date)
    roster_app.button(key="do_unassign").click().run()
    assert roster_app.metric[1].value == str(len(a.sites))
    roster_app.multiselect(key="edit_sites").set_value(list(a.sites)).run()
    roster_app.button(key="do_assign").click().run()
    assert "Edit applied; the checker finds no new violation." in texts(roster_app.success)
    assert _assignment(roster_app, a.reader, "night", a.date).sites == a.sites
    assert roster_app.metric[1].value == "0" and roster_app.metric[2].value == "0"


def test_sites_box_shows_what_the_picked_reader_has(roster_app: AppTest):
    """Picking a reader and shift shows that assignment's sites; one with nothing that day shows none."""
    a = next(a for a in working(roster_app).roster.assignments if a.shift_type == "night" and len(a.sites) == 2)
    _pick(roster_app, a.reader, "night", a.date)
    assert sorted(roster_app.multiselect(key="edit_sites").value) == sorted(a.sites)
    free = next(d for d in (a.date + dt.timedelta(days=k) for k in (1, -1, 2, -2))
                if _assignment(roster_app, a.reader, "night", d) is None)
    _pick(roster_app, a.reader, "night", free)
    assert roster_app.multiselect(key="edit_sites").value == []



def test_sites_box_follows_the_roster(roster_app: AppTest):
    """After an Assign, leaving the page and coming back shows the assignment's sites; Unassign empties the box."""
    reader, (shift_type, date) = roster_app.selectbox(key="edit_reader").value, roster_app.selectbox(
        key="edit_shift").value  # the first reader and shift, where the page starts again
    roster_app.multiselect(key="edit_sites").set_value(["chr_mercy"]).run()
    roster_app.button(key="do_assign").click().run()
    goto(roster_app, "fairness")
    goto(roster_app, "roster")
    assert roster_app.selectbox(key="edit_reader").value == reader
    assert roster_app.selectbox(key="edit_shift").value == (shift_type, date)
    assert roster_app.multiselect(key="edit_sites").value == ["chr_mercy"]
    roster_app.button(key="do_unassign").click().run()
    assert roster_app.multiselect(key="edit_sites").value == []
    assert roster_app.button(key="do_assign").disabled


def test_unassign_leaves_an_uncovered_need(roster_app: AppTest):
    """Unassigning a night leaves its needs uncovered, listed under Uncovered needs and marked in the grid."""
    a = next(a for a in working(roster_app).roster.assignments if a.shift_type == "night")
    _pick(roster_app, a.reader, "night", a.date)
    roster_app.button(key="do_unassign").click().run()
    assert _assignment(roster_app, a.reader, "night", a.date) is None
    assert "Uncovered needs" in texts(roster_app.subheader)
    uncovered = roster_app.dataframe[2].value
    assert set(uncovered["site"]) == set(a.sites) and set(uncovered["date"].astype(str)) == {a.date.isoformat()}
    assert roster_app.metric[1].value == str(len(a.sites))
    assert any(str(v).startswith("UNCOVERED") for v in roster_app.dataframe[1].value.to_numpy().ravel())
    assert working(roster_app).roster_origin == "manual edits"


def test_lock_marks_the_assignment_locked(roster_app: AppTest):
    """Lock sets locked on the assignment, shows the lock in the grid and lists it."""
    a = working(roster_app).roster.assignments[0]
    _pick(roster_app, a.reader, a.shift_type, a.date)
    roster_app.button(key="do_lock").click().run()
    assert _assignment(roster_app, a.reader, a.shift_type, a.date).locked
    assert any(LOCK in str(v) for v in roster_app.dataframe[0].value.loc[_name(roster_app, a.reader)])
    assert any("1 locked assignment(s)" in c for c in texts(roster_app.caption))
    assert roster_app.button(key="do_lock").disabled and not roster_app.button(key="do_unlock").disabled


def test_resolve_keeps_a_locked_assignment(app: AppTest):
    """A manual move, locked, survives a re-solve that keeps locked assignments."""
    open_scenario(app)
    solve_in_app(app)
    goto(app, "roster")
    w = working(app)
    inst = build_instance(w.scenario)
    # a night moved to another neuro reader, as a coordinator would (no rule broken, still covered)
    moved = None
    for a in (a for a in w.roster.assignments if a.shift_type == "night" and len(a.sites) == 2):
        for r in w.scenario.radiologists:
            if r.id == a.reader or "neuro" not in r.subspecialties:
                continue
            kept = w.roster.model_copy(update={"assignments": tuple(
                b for b in w.roster.assignments if (b.reader, b.shift_type, b.date) != (a.reader, "night", a.date))})
            out = assign(inst, kept, r.id, "night", a.date, a.sites)
            if not out.report.violations and not check(inst, out.roster).uncovered:
                moved = (a, r.id)
                break
        if moved:
            break
    assert moved, "no night can move to another reader in this roster"
    a, to = moved
    _pick(app, a.reader, "night", a.date)
    app.button(key="do_unassign").click().run()
    _pick(app, to, "night", a.date)
    app.multiselect(key="edit_sites").set_value(list(a.sites)).run()
    app.button(key="do_assign").click().run()
    app.button(key="do_lock").click().run()
    assert _assignment(app, to, "night", a.date).locked

    solve_in_app(app, keep_locked=True)
    after = _assignment(app, to, "night", a.date)
    assert after is not None and after.locked and after.sites == tuple(sorted(a.sites))
    assert working(app).roster_origin.startswith("solve #2")


def test_roster_page_survives_removing_a_rostered_radiologist(roster_app: AppTest):
    """After a rostered radiologist is removed on the Team page, the grids show and the checker names them."""
    gone = working(roster_app).roster.assignments[0].reader
    goto(roster_app, "team")
    tables = to_tables(working(roster_app).scenario)
    for table, column in (("radiologists", "id"), ("licenses", "radiologist"), ("privileges", "radiologist"),
                          ("leave", "radiologist"), ("requests", "radiologist")):
        rows = [i for i, v in enumerate(tables[table][column]) if v == gone]
        if rows:
            edit(roster_app, "team", table, deleted=rows)
    roster_app.button(key="save:team").click().run()
    assert not roster_app.error, texts(roster_app.error)
    assert gone not in working(roster_app).scenario.radiologist_by_id and working(roster_app).roster is not None
    goto(roster_app, "roster")
    assert any(f"unknown reader '{gone}'" in e for e in texts(roster_app.error))
    assert any(gone in str(v) for v in roster_app.dataframe[1].value.to_numpy().ravel())
