"""The Fairness and Explain pages."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from scheduler.instance import build_instance
from scheduler.result import SolveResult
from scheduler.solver import solve
from scheduler.store import Store
from scheduler.views import requests_table
from tests.ui.apptest import edit, goto, open_scenario, solve_in_app, texts, uncoverable_tiny, use_roster, working


def test_fairness_has_one_row_per_reader(app: AppTest, tiny_result: SolveResult):
    """The fairness table lists every reader once, with the roster's shift counts."""
    open_scenario(app)
    use_roster(app, tiny_result.roster, tiny_result)
    goto(app, "fairness")
    sc = working(app).scenario
    table = app.dataframe[0].value
    assert list(table["reader"]) == [r.display for r in sc.radiologists]
    assert table["shifts"].sum() == len(tiny_result.roster.assignments)


def test_fairness_requests_metric_reads_x_of_y(app: AppTest, tiny_result: SolveResult):
    """The requests metric says how many of the scenario's requests the roster meets."""
    open_scenario(app)
    use_roster(app, tiny_result.roster, tiny_result)
    goto(app, "fairness")
    met, total, _ = requests_table(build_instance(working(app).scenario), tiny_result.roster)
    metric = next(m for m in app.metric if m.label == "Requests met")
    assert metric.value == f"{met} of {total}" and total == 2


def test_pages_needing_a_roster_point_to_solve(app: AppTest):
    """Without a roster, Roster, Fairness, Explain and Publish say to solve first."""
    open_scenario(app)
    for page in ("roster", "fairness", "explain", "publish"):
        goto(app, page)
        assert "No roster yet for this scenario: solve it first." in texts(app.info), page


def test_explain_says_when_every_need_is_covered(app: AppTest, tiny_result: SolveResult):
    """A fully covered roster: nothing to explain."""
    open_scenario(app)
    use_roster(app, tiny_result.roster, tiny_result)
    goto(app, "explain")
    assert "Every need is covered by this roster." in texts(app.success)


def test_explain_a_coverable_gap_left_by_an_edit(app: AppTest, tiny_result: SolveResult):
    """A need left open by a manual edit is listed; Explain why finds no conflict: the scenario can be covered."""
    open_scenario(app)
    dropped = next(a for a in tiny_result.roster.assignments if a.shift_type == "weekend_day")
    roster = tiny_result.roster.model_copy(
        update={"assignments": tuple(a for a in tiny_result.roster.assignments if a != dropped)})
    use_roster(app, roster, tiny_result, origin="manual edits")
    goto(app, "explain")
    assert "1 reader slot(s) uncovered." in texts(app.warning)
    listed = app.dataframe[0].value
    assert list(listed["site"]) == list(dropped.sites) and list(listed["date"].astype(str)) == [str(dropped.date)]
    app.button(key="run_explain").click().run()
    assert any("the scenario can be fully covered" in m for m in texts(app.info))


def test_explain_names_a_site_no_reader_can_cover(app: AppTest):
    """A need for a subspecialty nobody holds (set on the Sites page) is explained, naming the site."""
    open_scenario(app)
    goto(app, "sites")
    edit(app, "sites", "subspecialties", added=[{"id": "paeds", "name": "Paediatric radiology"}])
    edit(app, "sites", "coverage", edited={1: {"subspecialty": "paeds"}})  # Saint-Dié's nights
    app.button(key="save:sites").click().run()
    assert not app.error, texts(app.error)
    assert working(app).scenario.site_by_id["ch_saint_die"].coverage[0].subspecialty == "paeds"
    solve_in_app(app)
    assert working(app).result.uncovered
    goto(app, "explain")
    assert any("reader slot(s) uncovered" in m for m in texts(app.warning))
    # the solve explained its gaps already, so the reasons show without asking
    assert not any(b.key == "run_explain" for b in app.button)
    assert "Why" in texts(app.subheader)
    reasons = [m for m in texts(app.markdown) if m.startswith("- ")]
    assert reasons and any("Saint-Dié" in r or "ch_saint_die" in r for r in reasons), reasons
    assert any("paeds" in r or "Paediatric" in r for r in reasons), reasons


def test_explain_why_names_a_site_of_a_stored_scenario(app: AppTest, store_path):
    """For a stored scenario nobody can cover, Explain why gives the reasons, naming the site."""
    scenario = uncoverable_tiny()
    with Store(store_path) as s:
        s.save_scenario(scenario, by="a test", note="paediatric nights")
    app.run()
    open_scenario(app, scenario.name)
    result = solve(scenario, time_limit=5, workers=2, explain=False)
    use_roster(app, result.roster, None, origin="an earlier solve")
    goto(app, "explain")
    app.button(key="run_explain").click().run()
    assert "Why" in texts(app.subheader)
    reasons = [m for m in texts(app.markdown) if m.startswith("- ")]
    assert reasons and all("CH de Saint-Dié-des-Vosges" in r and "paeds" in r for r in reasons), reasons
    assert set(app.dataframe[0].value["site"]) == {"ch_saint_die"}
