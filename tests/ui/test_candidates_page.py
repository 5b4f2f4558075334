"""The Roster page's candidates for a shift: the ranked table, the release choice, and assigning the pick."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from scheduler.instance import build_instance
from scheduler.replan.candidates import rank_candidates
from scheduler.result import Roster, SolveResult
from tests.ui.apptest import goto, open_scenario, texts, use_roster, working


def _covers(at: AppTest, reader: str, need: tuple) -> bool:
    site, type_id, date = need
    return any((a.reader, a.shift_type, a.date) == (reader, type_id, date) and site in a.sites
               for a in working(at).roster.assignments)


def _table(at: AppTest):
    """The candidates table (the page's only one with a reasons column)."""
    found = [d.value for d in at.dataframe if "reasons" in d.value.columns]
    assert len(found) == 1
    return found[0]


@pytest.fixture
def gap_app(app: AppTest, tiny_result: SolveResult) -> tuple[AppTest, tuple]:
    """The tiny example's solved roster with one night cover removed, on the Roster page; returns the gap."""
    open_scenario(app)
    roster = tiny_result.roster
    a = next(a for a in roster.assignments if a.shift_type == "night" and len(a.sites) == 1)
    kept = Roster(assignments=tuple(b for b in roster.assignments if b is not a))
    use_roster(app, kept, origin="a test")
    return goto(app, "roster"), (a.sites[0], "night", a.date)


def test_the_uncovered_need_comes_first_with_the_library_ranking(gap_app):
    """The need left open is picked by default; the table is rank_candidates' ranking, ok readers first."""
    at, need = gap_app
    assert at.selectbox(key="cand_need").value == need
    assert at.selectbox(key="cand_release").value is None
    w = working(at)
    expected = rank_candidates(build_instance(w.scenario), w.roster, *need)
    table = _table(at)
    assert list(table["reader"]) == [c.name for c in expected]
    assert list(table["ok"]) == [c.ok for c in expected] and list(table["cost"]) == [c.cost for c in expected]
    assert list(table["reasons"]) == ["; ".join(c.reasons) for c in expected]
    assert any(c.ok for c in expected) and not all(c.ok for c in expected)
    assert at.selectbox(key="cand_pick").value == expected[0].reader


def test_assigning_the_pick_covers_the_need(gap_app):
    """Assign candidate gives the open night to the picked reader, checked: nothing uncovered, nothing broken."""
    at, need = gap_app
    assert at.metric[1].value == "1"
    best = at.selectbox(key="cand_pick").value
    at.button(key="cand_assign").click().run()
    assert _covers(at, best, need)
    assert at.metric[1].value == "0" and at.metric[2].value == "0"
    assert "Candidate assigned; the checker finds no new violation." in texts(at.success)
    assert working(at).roster_origin == "manual edits"


def test_picking_a_reader_who_breaks_a_rule_says_which(gap_app):
    """A candidate who cannot take it still can be assigned by hand; the page names the broken rule."""
    at, need = gap_app
    w = working(at)
    bad = next(c for c in rank_candidates(build_instance(w.scenario), w.roster, *need)
               if not c.ok and c.reasons[0].startswith("rest"))
    at.selectbox(key="cand_pick").set_value(bad.reader).run()
    at.button(key="cand_assign").click().run()
    errors = [e for e in texts(at.error) if e.startswith("This assignment breaks hard rules")]
    assert errors and "rest required" in errors[0]
    assert _covers(at, bad.reader, need)


def test_releasing_a_covered_need_offers_the_others_and_moves_it(app: AppTest, tiny_result: SolveResult):
    """Choosing a covered night and its reader as releasing: that reader is left out, and assigning moves it."""
    open_scenario(app)
    use_roster(app, tiny_result.roster, tiny_result)
    at = goto(app, "roster")
    a = next(a for a in tiny_result.roster.assignments if a.shift_type == "night")
    need = (a.sites[0], "night", a.date)
    at.selectbox(key="cand_need").set_value(need).run()
    assert len(at.selectbox(key="cand_release").options) == 2  # nobody, or the one reader covering it
    at.selectbox(key="cand_release").set_value(a.reader).run()
    names = list(_table(at)["reader"])
    releaser = working(at).scenario.radiologist_by_id[a.reader].display
    assert releaser not in names and names
    w = working(at)
    expected = rank_candidates(build_instance(w.scenario), w.roster, *need, releasing=a.reader)
    assert names == [c.name for c in expected]
    pick = next(c for c in expected if c.ok)
    at.selectbox(key="cand_pick").set_value(pick.reader).run()
    at.button(key="cand_assign").click().run()
    assert _covers(at, pick.reader, need) and not _covers(at, a.reader, need)
    assert at.metric[1].value == "0" and at.metric[2].value == "0"
