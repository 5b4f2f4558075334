"""The Swaps page: readers propose and withdraw, volunteer for open give-aways; coordinators see each
pending proposal judged, approve it (a new version) or reject it with a reason."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from scheduler.replan import swaps
from scheduler.store import Store
from scheduler.store.swaps import SwapKind, SwapStatus
from tests.swap_helpers import NIGHTS, PERIOD, T0, day, roster, scenario
from tests.ui.apptest import APP, assert_ok, goto, texts
from tests.ui.test_access import AUTH, COORDINATOR


@pytest.fixture
def week(store_path):
    """The seeded store with the swap week published (version 1)."""
    with Store(store_path) as s:
        s.publish(scenario(), roster(), by="alice", base_number=None, now=T0)
    return store_path


def _swap(path, b="r2", b_day=6) -> int:
    """r4's night of the 8th for b's night of b_day, proposed through the library."""
    with Store(path) as s:
        return swaps.propose(s, period=PERIOD, kind=SwapKind.swap, reader_a="r4", shift_type="night", day=day(8),
                             reader_b=b, their_shift_type="night", their_day=day(b_day), by="r4").id


def _status(path, request_id: int) -> SwapStatus:
    with Store(path) as s:
        return s.swap_request(request_id).status


def _signed_in(email: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = dict(AUTH)
    at.secrets["access"] = {"coordinators": [COORDINATOR]}
    at.user = {"is_logged_in": True, "email": email, "name": email.split("@")[0]}
    at.run()
    assert_ok(at)
    return goto(at, "swaps")


def test_nothing_published_says_so(app: AppTest):
    goto(app, "swaps")
    assert "Nothing is published yet: swaps are proposed on a published roster." in texts(app.info)
    assert not app.button


def test_local_user_proposes_a_swap_as_a_chosen_reader(app: AppTest, week):
    """Acting as r4, the preview judges the swap before it is proposed; Propose records it and lists it."""
    goto(app, "swaps")
    app.selectbox(key="swap_as").set_value("r4").run()
    app.radio(key="swap_kind").set_value("Swap with a reader").run()
    app.selectbox(key="swap_other").set_value("r2").run()
    app.selectbox(key="swap_theirs").set_value(1).run()  # r2's second night, the 6th
    assert_ok(app)
    assert "Can be approved as it stands." in texts(app.success)
    preview = app.code[0].value
    assert "Dr r4 swaps the night of 8 Mar 2037 (Site A) with Dr r2's night of 6 Mar 2037 (Site A)." in preview
    assert "request now met: Dr r4 wanted the night shift on 6 Mar 2037" in preview
    with Store(week) as s:
        assert s.swap_requests() == []  # a preview stores nothing
    app.button(key="swap_propose").click().run()
    assert_ok(app)
    assert "Proposed swap #1." in texts(app.success)
    with Store(week) as s:
        [r] = s.swap_requests()
    assert (r.reader_a, r.reader_b, r.shift_b.date, r.proposed_by) == ("r4", "r2", day(6), "local coordinator (as r4)")
    assert any(t.startswith("#1 proposed: Dr r4 swaps") for t in texts(app.markdown))


def test_the_preview_warns_when_a_swap_breaks_a_rule(app: AppTest, week):
    goto(app, "swaps")
    app.selectbox(key="swap_as").set_value("r4").run()
    app.selectbox(key="swap_other").set_value("r3").run()
    app.selectbox(key="swap_theirs").set_value(0).run()  # r3's night of the 4th: r3 would work the 7th and 8th
    [warning] = texts(app.warning)
    assert warning.startswith("Cannot be approved as it stands: it breaks 1 hard rule(s): Dr r3: the night of 8 Mar")
    assert "Hard rules broken for Dr r3 (1):" in app.code[0].value


def test_coordinator_approves_a_pending_swap(app: AppTest, week):
    """The pending swap is shown with its verdict; Approve publishes version 2 and moves it to Decided."""
    request_id = _swap(week)
    goto(app, "swaps")
    verdict = next(c.value for c in app.code if c.value.startswith("Dr r4 swaps"))
    assert "Verdict: can be approved." in verdict and "No hard rule broken for Dr r2." in verdict
    app.button(key=f"approve_{request_id}").click().run()
    assert_ok(app)
    assert "Approved swap #1: published version 2." in texts(app.success)
    with Store(week) as s:
        assert s.latest_version(PERIOD).number == 2 and s.swap_request(request_id).published_number == 2
    decided = app.dataframe[0].value
    assert list(decided["status"]) == ["approved"] and list(decided["version"]) == [2]
    assert "No pending proposal for this period." in texts(app.caption)
    assert any(t.startswith("Version 2 of 2037-03-02 to 2037-03-08, published by local coordinator") for t in
               texts(app.caption))


def test_a_swap_breaking_rest_cannot_be_approved_and_is_rejected_with_a_reason(app: AppTest, week):
    request_id = _swap(week, b="r3", b_day=4)
    goto(app, "swaps")
    assert app.button(key=f"approve_{request_id}").disabled
    assert any("Hard rules broken for Dr r3 (1):" in c.value for c in app.code)
    app.button(key=f"reject_{request_id}").click().run()
    assert any("give a reason for rejecting it" in e for e in texts(app.error))
    assert _status(week, request_id) is SwapStatus.proposed
    app.text_input(key=f"reason_{request_id}").set_value("r3 would work two nights in a row")
    app.button(key=f"reject_{request_id}").click().run()
    assert_ok(app)
    assert "Rejected swap #1." in texts(app.success)
    with Store(week) as s:
        r = s.swap_request(request_id)
        assert (r.status, r.reason, r.decided_by) == (SwapStatus.rejected, "r3 would work two nights in a row",
                                                      "local coordinator")
        assert [v.number for v in s.versions()] == [1]


def test_a_proposal_a_publish_made_stale_is_listed_as_superseded(app: AppTest, week):
    """Version 2 moved r4's night away: the publish closed the swap, so it is no longer up for approval."""
    request_id = _swap(week)
    with Store(week) as s:
        s.publish(scenario(), roster({**NIGHTS, "r1": (2, 5, 8), "r4": ()}), by="alice", base_number=1, now=T0)
    goto(app, "swaps")
    assert not any(b.key == f"approve_{request_id}" for b in app.button)
    decided = next(d.value for d in app.dataframe if "reason" in d.value.columns)
    row = decided[decided["#"] == request_id].iloc[0]
    assert row["status"] == "superseded" and "Dr r4 no longer works the night of 8 Mar 2037" in row["reason"]
    assert _status(week, request_id) is SwapStatus.superseded


def test_local_user_withdraws_their_proposal(app: AppTest, week):
    request_id = _swap(week)
    goto(app, "swaps")
    app.selectbox(key="swap_as").set_value("r4").run()
    app.button(key=f"withdraw_{request_id}").click().run()
    assert "Withdrew swap #1." in texts(app.success)
    assert _status(week, request_id) is SwapStatus.withdrawn


def test_radiologists_give_away_and_volunteer_but_do_not_review(week):
    """Signed in, r1 offers the night of the 5th to anyone; r4 takes it; neither sees approve buttons."""
    r1 = _signed_in("r1@example.org")
    assert not any(s.key == "swap_as" for s in r1.selectbox)  # a radiologist acts only as themselves
    r1.radio(key="swap_kind").set_value("Give away to anyone who volunteers").run()
    r1.selectbox(key="swap_mine").set_value(1).run()  # r1's nights: the 2nd and the 5th
    assert "Open to volunteers once proposed." in texts(r1.success)
    r1.button(key="swap_propose").click().run()
    assert "Proposed swap #1." in texts(r1.success)
    assert not any(b.key and b.key.startswith(("approve_", "reject_")) for b in r1.button)
    r4 = _signed_in("r4@example.org")
    assert any(t.startswith("#1 proposed: Dr r1 gives the night of 5 Mar 2037 (Site A) to anyone who volunteers")
               for t in texts(r4.markdown))
    r4.button(key="volunteer_1").click().run()
    assert_ok(r4)
    with Store(week) as s:
        r = s.swap_request(1)
        assert (r.reader_b, r.status) == ("r4", SwapStatus.proposed)
        assert [(e.actor, e.action) for e in s.audit()][-2:] == [("r1", "swap.propose"), ("r4", "swap.volunteer")]
    boss = _signed_in(COORDINATOR.lower())
    assert not any(s.key == "swap_as" for s in boss.selectbox)  # a signed-in coordinator reviews only
    boss.button(key="approve_1").click().run()
    assert "Approved swap #1: published version 2." in texts(boss.success)


def test_an_unknown_signed_in_user_gets_a_warning_only(week):
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = dict(AUTH)
    at.secrets["access"] = {"coordinators": [COORDINATOR]}
    at.user = {"is_logged_in": True, "email": "visitor@elsewhere.org", "name": "visitor"}
    at.run()
    goto(at, "swaps")
    assert any("not linked to a radiologist" in w for w in texts(at.warning))
    assert not at.main.button and not at.selectbox
