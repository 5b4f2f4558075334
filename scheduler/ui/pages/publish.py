"""Publish: the diff against the last published version, publish with a note, downloads, feed links."""

from __future__ import annotations

import os

import streamlit as st

from scheduler.calendars.publish import context_for_store, reader_calendars_zip
from scheduler.io.roster_io import roster_bytes
from scheduler.result import Roster
from scheduler.scenario import Scenario
from scheduler.store import ConcurrencyError, PublishRefused, period_of
from scheduler.store.diff import diff_rosters
from scheduler.store.records import FeedKind, FeedTarget
from scheduler.ui.state import require_roster, store, store_path, working
from scheduler.ui.widgets import require_coordinator

require_coordinator()
scenario, roster = require_roster()
w = working()
user = st.session_state["user"]
period = period_of(scenario)
st.title("Publish")

with store() as s:
    latest = s.latest_version(period)
    previous = s.roster(latest.id) if latest else None
st.caption(f"Period {period}: " + (f"version {latest.number} published by {latest.published_by} on "
                                   f"{latest.published_at:%Y-%m-%d %H:%M} UTC" if latest else "nothing published yet")
           + (f"; your roster started from version {w.base_version}." if w.base_version else "."))

diff = diff_rosters(previous, roster)
st.subheader("Changes against the last published version")
names = {r.id: r.display for r in scenario.radiologists}
st.code("\n".join(diff.lines(lambda r: names.get(r, r))), language=None)

note = st.text_input("Note (why this version)", key="publish_note")
if st.button("Publish", type="primary", key="publish_button", disabled=diff.empty and latest is not None):
    try:
        with store() as s:  # checked against the real last days before the period
            out = s.publish(s.with_history(scenario), roster, by=user.name, base_number=w.base_version, note=note)
        w.base_version = out.version.number
        w.roster_origin = f"published version {out.version.number}"
        st.session_state["publish_message"] = (
            f"Published version {out.version.number}" + (
                f" with {sum(u.missing for u in out.report.uncovered)} reader slot(s) uncovered"
                if out.report.uncovered else "")
        )
        st.rerun()
    except ConcurrencyError as err:
        st.session_state["publish_conflict"] = str(err)
        st.rerun()
    except PublishRefused as err:
        st.error(str(err))
conflict = st.session_state.get("publish_conflict")
if conflict and latest is not None and w.base_version != latest.number:
    st.error(conflict)
    st.caption(f"The changes above are against version {latest.number}, the one now published. Either keep your "
               "roster and publish it over that version (after reviewing them), or start again from it.")
    k1, k2 = st.columns(2)
    if k1.button(f"Keep my roster: publish over version {latest.number} next", key="rebase_keep"):
        w.base_version = latest.number
        st.session_state.pop("publish_conflict", None)
        st.rerun()
    if k2.button(f"Discard my roster: load version {latest.number}", key="rebase_load"):
        with store() as s:
            w.roster = s.roster(latest.id)
        w.base_version, w.roster_origin, w.result = latest.number, f"published version {latest.number}", None
        st.session_state.pop("publish_conflict", None)
        st.rerun()
else:
    st.session_state.pop("publish_conflict", None)
message = st.session_state.pop("publish_message", None)
if message:
    st.success(message)

st.subheader("Downloads")


@st.cache_data(max_entries=16, show_spinner=False)
def _roster_file(roster_json: str, scenario_json: str, suffix: str) -> bytes:
    return roster_bytes(Roster.model_validate_json(roster_json), Scenario.model_validate_json(scenario_json), suffix)


@st.cache_data(max_entries=8, show_spinner=False)
def _calendars_zip(store_file: str, version_id: int) -> bytes:
    with store() as s:
        return reader_calendars_zip(context_for_store(s, s.version(version_id)))


roster_json, scenario_json = roster.model_dump_json(), scenario.model_dump_json()
for suffix in ("csv", "xlsx"):
    st.download_button(f"Roster ({suffix.upper()})", _roster_file(roster_json, scenario_json, suffix),
                       file_name=f"{scenario.name}.{suffix}", key=f"download_{suffix}")
with store() as s:
    published = s.latest_version(period)
if published is None:
    st.caption("Calendars are available once a version is published.")
else:
    st.download_button(f"Calendars of version {published.number} (ZIP of per-reader .ics)",
                       _calendars_zip(str(store_path()), published.id),
                       file_name=f"{scenario.name}-v{published.number}-calendars.zip", mime="application/zip",
                       key="download_ics")

st.subheader("Calendar feeds")
base_url = os.environ.get("SCHEDULER_FEEDS_URL", "http://127.0.0.1:8080").rstrip("/")
st.caption(f"Feeds are served by `scheduler serve-feeds` at {base_url} (set SCHEDULER_FEEDS_URL). A link is shown "
           "once, when issued; only its hash is kept.")
pick = st.selectbox("Reader", [r.id for r in scenario.radiologists], key="feed_reader",
                    format_func=lambda rid: names.get(rid, rid))
with store() as s:
    active = s.tokens(FeedTarget(FeedKind.reader, pick), active_only=True)
c1, c2 = st.columns(2)
if c1.button("Issue a feed link", key="issue_token"):
    with store() as s:
        token, record = s.issue_token(FeedTarget(FeedKind.reader, pick), by=user.name)
    https = f"{base_url}/feeds/{token}.ics"
    st.session_state["issued_link"] = (names.get(pick, pick), https)
    st.rerun()
if active and c2.button(f"Revoke {len(active)} active link(s)", key="revoke_tokens"):
    with store() as s:
        for t in active:
            s.revoke_token(t.id, by=user.name)
    st.session_state["revoked_message"] = f"Revoked {len(active)} link(s) of {names.get(pick, pick)}."
    st.rerun()
issued = st.session_state.pop("issued_link", None)
if issued:
    who, https = issued
    st.success(f"Feed link for {who} (copy it now; it is not shown again):")
    st.code(https, language=None)
    st.code("webcal://" + https.split("://", 1)[1], language=None)
revoked = st.session_state.pop("revoked_message", None)
if revoked:
    st.info(revoked)
st.caption(f"{len(active)} active link(s) for {names.get(pick, pick)}.")
