"""Who is using the app: a coordinator (edits, solves, publishes) or a radiologist (own schedule only).

With OIDC configured (an `[auth]` section in `.streamlit/secrets.toml`, see the README), users sign
in through `st.login`; coordinators are the emails listed under `[access] coordinators`, and a
signed-in user whose email is a radiologist's in the scenario sees only their own schedule.
Without it the app runs in local mode: a single coordinator, and the server must listen on
127.0.0.1 only (refused otherwise, since anyone reaching the port could publish).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import streamlit as st

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Role(StrEnum):
    coordinator = "coordinator"
    radiologist = "radiologist"
    nobody = "nobody"  # signed in, but neither a coordinator nor a known radiologist


@dataclass(frozen=True)
class User:
    role: Role
    name: str
    email: str | None = None
    local_mode: bool = False

    @property
    def coordinator(self) -> bool:
        return self.role is Role.coordinator


def auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False
    except Exception:  # noqa: BLE001 - a broken secrets file must not hide the app's own error
        return False


def _coordinators() -> set[str]:
    try:
        listed = st.secrets.get("access", {}).get("coordinators", [])
        if isinstance(listed, str):  # `coordinators = "a@x.org"` written without brackets
            listed = [listed]
        return {e.strip().lower() for e in listed}
    except Exception:  # noqa: BLE001
        return set()


def role_for(email: str | None, coordinators: set[str], radiologist_emails: set[str]) -> Role:
    """The role an authenticated email gets (pure, so it is tested without a browser)."""
    e = (email or "").strip().lower()
    if e and e in coordinators:
        return Role.coordinator
    if e and e in radiologist_emails:
        return Role.radiologist
    return Role.nobody


def current_user(radiologist_emails: Callable[[], set[str]]) -> User:
    """Sign the user in when OIDC is configured (stops the page until they are); else local mode.

    `radiologist_emails` is called only for a signed-in user: local mode reads no store on each run.
    """
    if not auth_configured():
        address = str(st.get_option("server.address") or "")
        if address not in LOOPBACK:
            st.error(
                f"Local mode (no sign-in configured) only serves 127.0.0.1, but this server listens on "
                f"'{address or 'all interfaces'}'. Start it with --server.address 127.0.0.1, or configure "
                "OIDC sign-in (see the README) to serve a network."
            )
            st.stop()
        return User(Role.coordinator, "local coordinator", local_mode=True)
    if not st.user.is_logged_in:
        st.title("Radiology scheduler")
        st.write("Sign in to see your schedule or plan rosters.")
        if st.button("Sign in"):
            st.login()
        st.stop()
    email = st.user.get("email")
    role = role_for(email, _coordinators(), radiologist_emails())
    return User(role, str(st.user.get("name") or email or "user"), email)
