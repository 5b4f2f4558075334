"""Who gets which pages: local mode on loopback only; with OIDC, coordinators, radiologists, strangers."""

from __future__ import annotations

import pytest
import streamlit.config as st_config
from streamlit.testing.v1 import AppTest

from scheduler.io.scenario_yaml import load_scenario
from scheduler.result import SolveResult
from scheduler.store import Store
from scheduler.store.records import FeedKind, FeedTarget
from scheduler.ui.access import Role, User, role_for
from scheduler.ui.state import EXAMPLES
from tests.ui.apptest import APP, ROOT, assert_ok, goto, new_app, texts

COORDINATOR = "Chief.Coordinator@Example.org"
CLAIRE = "claire.martin@telerad-lorraine.fr"  # a radiologist of the tiny example
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-secret",
    "client_id": "scheduler",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
}
COORDINATOR_PAGES = ["scenarios", "team", "sites", "shifts", "solve", "roster", "fairness", "explain", "publish"]


def _signed_in(email: str | None, *, logged_in: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = dict(AUTH)
    at.secrets["access"] = {"coordinators": [COORDINATOR]}
    at.user = {"is_logged_in": logged_in, "email": email, "name": f"Dr {email}"} if logged_in else {
        "is_logged_in": False}
    at.run()
    assert_ok(at)
    return at


def _publish_tiny(store_path, roster) -> None:
    with Store(store_path) as s:
        s.publish(load_scenario(EXAMPLES / "tiny.yaml"), roster, by="a coordinator", base_number=None)


# ---- role_for ----------------------------------------------------------------------------------
def test_role_for_a_listed_coordinator_ignores_case_and_spaces():
    """Coordinator emails match whatever their case and surrounding spaces."""
    assert role_for("  Chief.Coordinator@EXAMPLE.org ", {"chief.coordinator@example.org"}, set()) is Role.coordinator


def test_role_for_a_coordinator_who_is_also_a_radiologist_is_coordinator():
    """Being listed as coordinator wins over being a radiologist."""
    assert role_for("a@x.org", {"a@x.org"}, {"a@x.org"}) is Role.coordinator


def test_role_for_a_radiologist():
    """An email of a radiologist (and not a coordinator) gets the radiologist role."""
    assert role_for("Claire@X.org", {"boss@x.org"}, {"claire@x.org"}) is Role.radiologist


@pytest.mark.parametrize("email", [None, "", "   ", "someone@else.org"])
def test_role_for_anyone_else_is_nobody(email):
    """No email, a blank one, or an unknown one: no role."""
    assert role_for(email, {"boss@x.org"}, {"claire@x.org"}) is Role.nobody


# ---- local mode ----------------------------------------------------------------------------------
def test_local_mode_refuses_a_network_address(store_path):
    """Without sign-in configured, a server listening on all interfaces shows the refusal and no page."""
    st_config.set_option("server.address", "0.0.0.0")  # restored by the local_mode fixture
    at = new_app()
    (error,) = texts(at.error)
    assert "Local mode (no sign-in configured) only serves 127.0.0.1" in error and "'0.0.0.0'" in error
    assert not at.title and not at.selectbox and not at.button
    at.switch_page("scheduler/ui/pages/publish.py").run()  # asking for a page by its path changes nothing
    assert len(at.error) == 1 and not at.title and not at.button


def test_local_mode_on_loopback_is_a_coordinator(app: AppTest):
    """On 127.0.0.1 without sign-in, the single local user gets the coordinator pages."""
    assert app.session_state["user"] == User(Role.coordinator, "local coordinator", local_mode=True)
    assert "Scenarios" in texts(app.title)
    assert any(c.startswith("Local mode: single coordinator") for c in texts(app.sidebar.caption))


# ---- OIDC ------------------------------------------------------------------------------------------
def test_signed_out_user_sees_only_sign_in(store_path):
    """With [auth] configured, a signed-out visitor gets a Sign in button and nothing else."""
    at = _signed_in(None, logged_in=False)
    assert [b.label for b in at.button] == ["Sign in"]
    assert texts(at.title) == ["Radiology scheduler"]
    assert not at.error and not at.dataframe and not at.selectbox
    assert "user" not in at.session_state


def test_listed_coordinator_gets_the_coordinator_pages(store_path):
    """A signed-in email listed under [access] coordinators reaches every coordinator page."""
    at = _signed_in(COORDINATOR.lower())
    user = at.session_state["user"]
    assert user.role is Role.coordinator and not user.local_mode
    assert any("(coordinator)" in c for c in texts(at.sidebar.caption))
    assert "Sign out" in [b.label for b in at.sidebar.button]
    for page in COORDINATOR_PAGES:
        goto(at, page)
        assert not any("Only coordinators" in e for e in texts(at.error)), page
    with pytest.raises(ValueError):
        at.switch_page("scheduler/ui/pages/my_schedule.py")


def test_radiologist_sees_only_their_schedule(store_path, tiny_result: SolveResult):
    """A radiologist of a published roster gets My schedule with their own shifts, and no coordinator page."""
    _publish_tiny(store_path, tiny_result.roster)
    at = _signed_in(CLAIRE)
    assert at.session_state["user"].role is Role.radiologist
    assert texts(at.title) == ["My schedule"]
    mine = [a for a in tiny_result.roster.assignments if a.reader == "claire_martin"]
    table = at.dataframe[0].value
    assert len(table) == len(mine) and set(table["shift"]) == {a.shift_type for a in mine}
    for page in COORDINATOR_PAGES:
        with pytest.raises(ValueError):
            at.switch_page(f"scheduler/ui/pages/{page}.py")



def test_a_session_demoted_to_radiologist_falls_back_to_my_schedule(store_path, tiny_result: SolveResult):
    """A coordinator on the Publish page who is no longer listed gets My schedule on the next run, not Publish."""
    _publish_tiny(store_path, tiny_result.roster)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = dict(AUTH)
    at.secrets["access"] = {"coordinators": [CLAIRE]}
    at.user = {"is_logged_in": True, "email": CLAIRE, "name": "Claire Martin"}
    at.run()
    goto(at, "publish")
    assert at.session_state["user"].role is Role.coordinator
    at.secrets["access"] = {"coordinators": [COORDINATOR]}
    at.run()
    assert_ok(at)
    assert at.session_state["user"].role is Role.radiologist
    assert texts(at.title) == ["My schedule"]
    assert not any(b.key == "publish_button" for b in at.button)

def test_coordinator_pages_refuse_a_radiologist(store_path):
    """Each coordinator page, run for a radiologist (say by URL), stops with the coordinators-only error."""
    for page in COORDINATOR_PAGES:
        at = AppTest.from_file(str(ROOT / "scheduler/ui/pages" / f"{page}.py"), default_timeout=30)
        at.session_state["user"] = User(Role.radiologist, "Claire Martin", CLAIRE)
        at.run()
        assert_ok(at)
        assert texts(at.error) == ["Only coordinators can use this page."], page
        assert not at.title and not at.button


def test_radiologist_gets_a_calendar_link_replacing_the_old_one(store_path, tiny_result: SolveResult):
    """My schedule issues a feed link for the reader; a new one revokes the previous."""
    _publish_tiny(store_path, tiny_result.roster)
    at = _signed_in(CLAIRE)
    target = FeedTarget(FeedKind.reader, "claire_martin")
    at.button(key="my_feed").click().run()
    first = at.code[0].value
    assert first.endswith(".ics") and at.code[1].value.startswith("webcal://")
    at.button(key="my_feed").click().run()
    with Store(store_path) as s:
        assert len(s.tokens(target, active_only=True)) == 1 and len(s.tokens(target)) == 2
        assert s.lookup_token(first.rsplit("/", 1)[-1].removesuffix(".ics")) is None


def test_unknown_email_is_not_linked(store_path, tiny_result: SolveResult):
    """A signed-in email that is neither a coordinator nor a radiologist gets the not-linked warning only."""
    _publish_tiny(store_path, tiny_result.roster)
    at = _signed_in("visitor@elsewhere.org")
    assert at.session_state["user"].role is Role.nobody
    assert any("not linked to a radiologist" in w for w in texts(at.warning))
    assert not at.dataframe and not at.main.button


def test_radiologist_before_anything_is_published_is_not_linked(store_path):
    """Before a publication no radiologist email is known, so a radiologist is not linked yet."""
    at = _signed_in(CLAIRE)
    assert at.session_state["user"].role is Role.nobody
    assert any("not linked" in w for w in texts(at.warning))

