"""Swaps: readers propose swaps and give-aways of their published shifts; coordinators approve or reject.

A radiologist acts as themselves; in local mode the single user picks the reader they act for. A
coordinator sees each pending proposal judged on the latest version (hard rules per reader,
fairness and request impact) and approves it (a new version is published) or rejects it with a
reason. Every judgement and step is a library call (`scheduler.replan.swaps`, the store).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scheduler.replan import swaps
from scheduler.store import StoreError
from scheduler.store.db import to_text
from scheduler.store.records import Period
from scheduler.store.swaps import SwapKind, SwapRequest, SwapStatus
from scheduler.ui.access import Role
from scheduler.ui.state import radiologist_emails, store

KINDS = {"Swap with a reader": SwapKind.swap, "Give to a reader": SwapKind.give_away,
         "Give away to anyone who volunteers": None}

user = st.session_state["user"]
st.title("Swaps")
if user.role is Role.nobody:
    st.warning("Your account is not linked to a radiologist of the published rosters; ask a coordinator.")
    st.stop()


def _flash(kind: str, text: str) -> None:
    st.session_state["swaps_flash"] = (kind, text)
    st.rerun()


def _attempt(action, done: str) -> None:
    """Run a store step; its refusal is shown in words on the next run, as is its success."""
    try:
        with store() as s:
            outcome = action(s)
    except swaps.SwapSuperseded as err:
        _flash("warning", str(err))
    except StoreError as err:
        _flash("error", str(err))
    else:
        _flash("success", done.format(outcome=outcome))


with store() as s:
    periods = s.periods()
if not periods:
    st.info("Nothing is published yet: swaps are proposed on a published roster.")
    st.stop()
period: Period = st.selectbox("Period", periods, index=len(periods) - 1, key="swap_period", format_func=str)
with store() as s:
    state = swaps.period_state(s, period)
inst, roster = state.inst, state.roster
st.caption(f"Version {state.version.number} of {period}, published by {state.version.published_by} on "
           f"{state.version.published_at:%Y-%m-%d %H:%M} UTC.")
flash = st.session_state.pop("swaps_flash", None)
if flash:
    getattr(st, flash[0])(flash[1])

names = {r.id: r.display for r in inst.readers}
if user.role is Role.radiologist:
    reader = radiologist_emails().get((user.email or "").lower())
    if reader not in names:
        st.warning("You are not a reader of this period's roster.")
        reader = None
    by = user.name
elif user.local_mode:
    reader = st.selectbox("Acting as reader", list(names), key="swap_as", format_func=names.get)
    by = f"{user.name} (as {reader})"
else:
    reader, by = None, user.name


def _shift_label(a) -> str:
    return inst.shift_words(a.shift_type, a.date, a.sites)


def _propose(reader: str) -> None:
    st.subheader("Propose a swap or a give-away")
    mine = swaps.shifts_of(roster, reader)
    if not mine:
        st.info(f"{names[reader]} has no shift in version {state.version.number}.")
        return
    pick = st.selectbox("Your shift", range(len(mine)), key="swap_mine", format_func=lambda k: _shift_label(mine[k]))
    what = st.radio("What", list(KINDS), key="swap_kind", horizontal=True)
    kind, other, theirs = KINDS[what] or SwapKind.give_away, None, None
    if KINDS[what] is not None:
        others = [r for r in names if r != reader]
        other = st.selectbox("Other reader", others, key="swap_other", format_func=names.get)
        if kind is SwapKind.swap:
            their = swaps.shifts_of(roster, other)
            if not their:
                st.info(f"{names[other]} has no shift to swap in version {state.version.number}.")
                return
            k = st.selectbox("Their shift", range(len(their)), key="swap_theirs",
                             format_func=lambda j: _shift_label(their[j]))
            theirs = their[k]
    args = dict(kind=kind, reader_a=reader, shift_type=mine[pick].shift_type, day=mine[pick].date, reader_b=other,
                their_shift_type=theirs.shift_type if theirs else None, their_day=theirs.date if theirs else None,
                by=by)
    verdict = swaps.assess(state, swaps.draft(state, **args))
    (st.success if verdict.approvable or verdict.request.is_open else st.warning)(
        "Can be approved as it stands." if verdict.approvable else
        "Open to volunteers once proposed." if verdict.request.is_open else
        "Cannot be approved as it stands: " + "; ".join(verdict.blocking()))
    st.code("\n".join(verdict.lines()), language=None)
    if st.button("Propose", type="primary", key="swap_propose"):
        _attempt(lambda s: swaps.propose(s, period=period, **args), "Proposed swap #{outcome.id}.")


def _line(r: SwapRequest) -> str:
    text = f"#{r.id} {r.status.value}: {swaps.describe(inst, r)}"
    if r.decided_by:
        text += f" ({r.status.value} by {r.decided_by}{': ' + r.reason if r.reason else ''})"
    return text


def _mine(reader: str) -> None:
    with store() as s:
        listed = s.swap_requests(period=period, reader=reader)
        open_ones = [r for r in s.swap_requests(period=period) if r.pending and r.is_open and r.reader_a != reader]
    st.subheader("Your proposals")
    if not listed:
        st.caption("None yet.")
    for r in listed:
        c1, c2 = st.columns([5, 1])
        c1.write(_line(r))
        if r.pending and r.reader_a == reader and c2.button("Withdraw", key=f"withdraw_{r.id}"):
            _attempt(lambda s, r=r: s.withdraw_swap(r.id, by=by), f"Withdrew swap #{r.id}.")
    st.subheader("Open give-aways")
    if not open_ones:
        st.caption("No open give-away from other readers.")
    for r in open_ones:
        c1, c2 = st.columns([5, 1])
        c1.write(_line(r))
        if c2.button("Volunteer", key=f"volunteer_{r.id}"):
            _attempt(lambda s, r=r: swaps.volunteer(s, r.id, reader, by=by),
                     f"You take give-away #{r.id}; a coordinator approves or rejects it.")


def _review() -> None:
    st.subheader("Pending proposals")
    with store() as s:
        pending = s.swap_requests(period=period, statuses=[SwapStatus.proposed])
        decided = [r for r in s.swap_requests(period=period) if not r.pending]
    if not pending:
        st.caption("No pending proposal for this period.")
    for r in pending:
        verdict = swaps.assess(state, r)
        with st.container(border=True):
            st.markdown(f"**#{r.id}** proposed by {r.proposed_by} at {to_text(r.proposed_at)}")
            st.code("\n".join(verdict.lines()), language=None)
            c1, c2, c3 = st.columns([1, 3, 1])
            label = "Close as superseded" if verdict.mismatches else "Approve"
            if c1.button(label, key=f"approve_{r.id}", type="primary",
                         disabled=not (verdict.approvable or verdict.mismatches)):
                _attempt(lambda s, r=r: swaps.approve(s, r.id, by=user.name),
                         "Approved swap #" + str(r.id) + ": published version {outcome.outcome.version.number}.")
            reason = c2.text_input("Reason (to reject)", key=f"reason_{r.id}")
            if c3.button("Reject", key=f"reject_{r.id}"):
                _attempt(lambda s, r=r, why=reason: s.reject_swap(r.id, by=user.name, reason=why),
                         f"Rejected swap #{r.id}.")
    st.subheader("Decided")
    if not decided:
        st.caption("Nothing decided yet for this period.")
        return
    st.dataframe(pd.DataFrame([{
        "#": r.id, "status": r.status.value, "request": swaps.describe(inst, r), "decided by": r.decided_by,
        "at (UTC)": to_text(r.decided_at), "reason": r.reason, "version": r.published_number,
    } for r in decided]), hide_index=True, width="stretch")


if reader is not None:
    _propose(reader)
    _mine(reader)
if user.coordinator:
    _review()
