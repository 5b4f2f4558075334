"""The Re-plan page: declare a change to the published week, re-plan it in the background, read the changes
with their proof per reader, publish the next version (refused if someone published meanwhile)."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from scheduler.store import Store
from tests.swap_helpers import PERIOD, T0, day, roster, scenario
from tests.ui.apptest import assert_ok, goto, texts, wait_for


@pytest.fixture
def week(store_path):
    """The seeded store with the swap week published (version 1)."""
    with Store(store_path) as s:
        s.publish(scenario(), roster(), by="alice", base_number=None, now=T0)
    return store_path


def _declare_absence(at: AppTest, reader: str, first: dt.date, last: dt.date) -> None:
    at.selectbox(key="replan_period").set_value(PERIOD).run()
    at.radio(key="replan_kind").set_value("Reader absent").run()
    at.selectbox(key="replan_reader").set_value(reader)
    at.date_input(key="replan_from").set_value(first)
    at.date_input(key="replan_to").set_value(last)
    at.date_input(key="replan_now_date").set_value(day(4))
    at.time_input(key="replan_now_time").set_value(dt.time(13, 0))  # Paris: 12:00 UTC
    at.run()
    assert_ok(at)


def _replan(at: AppTest) -> AppTest:
    at.button(key="replan_start").click().run()
    assert_ok(at)
    return wait_for(at, lambda a: any(m.label == "Status" for m in a.metric))


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_nothing_published_says_so(app: AppTest):
    goto(app, "replan")
    assert "Nothing is published yet: re-planning starts from a published roster." in texts(app.info)


def test_an_absence_is_replanned_with_its_proof_and_published(app: AppTest, week):
    goto(app, "replan")
    assert "Version 1 of 2037-03-02 to 2037-03-08, published by alice" in app.caption[0].value
    _declare_absence(app, "r2", day(6), day(6))
    _replan(app)
    assert _metrics(app) == {"Changes": "2", "Weighted": "6", "Proven bound": "6", "Status": "OPTIMAL"}
    assert texts(app.success)[0].startswith("2 changed assignments (2 within 72 h of 2037-03-04 12:00 UTC")
    per_reader = app.code[1].value
    assert "Dr r2 (1 change):\n  - no longer works the night of 6 Mar 2037 (Site A) (starts within 72 h)" in per_reader
    table = app.dataframe[0].value
    assert sorted(table["change"]) == ["added", "removed"] and list(table["within 72 h"]) == [True, True]
    app.text_input(key="replan_note").set_value("r2 sick")
    app.button(key="replan_publish").click().run()
    assert_ok(app)
    assert "Published as version 2." in texts(app.success)
    with Store(week) as s:
        v = s.latest_version(PERIOD)
        assert (v.number, v.base_number, v.note) == (2, 1, "r2 sick")
        assert not any(a.reader == "r2" and a.date == day(6) for a in s.roster(v.id).assignments)


def test_a_bad_change_is_refused_in_words_and_nothing_runs(app: AppTest, week):
    goto(app, "replan")
    _declare_absence(app, "r2", day(6), day(5))
    app.button(key="replan_start").click().run()
    assert_ok(app)
    assert any("The change: 1 problem(s)" in e and "last_date" in e and "is before the first date" in e
               for e in texts(app.error))
    assert "replan_job" not in app.session_state


def test_publishing_after_someone_else_did_is_refused(app: AppTest, week):
    goto(app, "replan")
    _declare_absence(app, "r2", day(6), day(6))
    _replan(app)
    with Store(week) as s:
        s.publish(scenario(), roster(), by="carol", base_number=1, note="meanwhile")
    app.button(key="replan_publish").click().run()
    assert_ok(app)
    assert any("version 2 was published by carol" in e for e in texts(app.error))
    with Store(week) as s:
        assert s.latest_version(PERIOD).number == 2


def test_a_lock_the_absence_breaks_is_reported(app: AppTest, store_path):
    locked = roster().model_copy(update={"assignments": tuple(
        a.model_copy(update={"locked": a.reader == "r2" and a.date == day(6)}) for a in roster().assignments)})
    with Store(store_path) as s:
        s.publish(scenario(), locked, by="alice", base_number=None, now=T0)
    goto(app, "replan")
    _declare_absence(app, "r2", day(6), day(6))
    app.button(key="replan_start").click().run()
    wait_for(app, lambda a: bool(a.error))
    assert any(e.startswith("The re-plan was refused: Dr r2 is locked at A on the night of 6 Mar 2037") for e in
               texts(app.error))
