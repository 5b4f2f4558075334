"""Roster: reader x day grid, site x day coverage, filters, and manual edits checked at once."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from scheduler.check import check
from scheduler.errors import InputError
from scheduler.replan.candidates import open_shift, rank
from scheduler.report import plural
from scheduler.ui.state import instance, require_roster, working
from scheduler.ui.widgets import require_coordinator, show_input_error
from scheduler.views import (
    LOCK,
    assign,
    candidates_table,
    coverage_grid,
    covering_readers,
    give_shift,
    need_label,
    open_needs,
    reader_grid,
    set_locked,
    shift_type_label,
    unassign,
    uncovered_table,
)

require_coordinator()
scenario, roster = require_roster()
w = working()
inst = instance(scenario)
report = check(inst, roster)
st.title("Roster")
st.caption(f"{scenario.name}, roster from {w.roster_origin or 'manual edits'}.")

m1, m2, m3 = st.columns(3)
m1.metric("Assignments", len(roster.assignments))
m2.metric("Uncovered reader slots", sum(u.missing for u in report.uncovered))
m3.metric("Hard violations", len(report.violations))
if report.violations:
    st.error("Hard rules broken:\n" + "\n".join(f"- {v.message}" for v in report.violations))

readers = {r.display: r.id for r in scenario.radiologists}
sites = {s.display: s.id for s in scenario.sites}
f1, f2, f3 = st.columns(3)
pick_readers = f1.multiselect("Readers", list(readers), key="filter_readers")
pick_sites = f2.multiselect("Sites", list(sites), key="filter_sites")
pick_sub = f3.selectbox("Subspecialty", ["(any)"] + [s.id for s in scenario.subspecialties], key="filter_sub")
sub = None if pick_sub == "(any)" else pick_sub
reader_ids = [readers[n] for n in pick_readers] or None
if sub:
    with_sub = [r.id for r in scenario.radiologists if sub in r.subspecialties]
    reader_ids = [r for r in (reader_ids or with_sub) if r in with_sub]
site_ids = [sites[n] for n in pick_sites] or None


def _colour(value: str) -> str:
    """A stable pastel per shift label; uncovered cells in red."""
    if not value:
        return ""
    if value.startswith("UNCOVERED"):
        return "background-color: #f8b4b4; color: #7f1d1d; font-weight: 600"
    label = value.replace(LOCK, "").strip()
    hue = int(hashlib.sha256(label.encode()).hexdigest()[:4], 16) % 360
    return f"background-color: hsl({hue}, 70%, 85%)"


tab1, tab2 = st.tabs(["Readers x days", "Sites x days"])
with tab1:
    grid = reader_grid(inst, roster, readers=reader_ids, sites=site_ids)
    st.dataframe(grid.style.map(_colour), width="stretch", key="reader_grid")
with tab2:
    cov = coverage_grid(inst, roster, report, sites=site_ids, subspecialty=sub)
    st.dataframe(cov.style.map(_colour), width="stretch", key="coverage_grid")
if report.uncovered:
    st.subheader("Uncovered needs")
    st.dataframe(uncovered_table(report), width="stretch", hide_index=True)

st.subheader("Edit")
shift_keys = [(s.type_id, s.date) for s in inst.shifts]
e1, e2 = st.columns(2)
reader_name = e1.selectbox("Reader", list(readers), key="edit_reader")
shift_key = e2.selectbox("Shift", shift_keys, key="edit_shift",
                         format_func=lambda k: f"{inst.shift_label(k[0])} {k[1]:%a %d %b}")
rid = readers[reader_name]
shift = inst.shift_by_key[shift_key]
current = next((a for a in roster.assignments if (a.reader, a.shift_type, a.date) == (rid, *shift_key)), None)
needing = [d.site for d in inst.demands_by_shift[shift.index]]
picked = (rid, shift_key, current.sites if current else None)
if st.session_state.get("edit_sites_for") != picked or "edit_sites" not in st.session_state:
    st.session_state["edit_sites_for"] = picked  # another reader, shift or roster: show what they have on it
    st.session_state["edit_sites"] = [s for s in current.sites if s in needing] if current else []
chosen = st.multiselect("Sites", needing, key="edit_sites", format_func=inst.site_name)
eligible = set(inst.eligible.get((rid, shift.index), ()))
for site in chosen:
    if site not in eligible:
        reasons = inst.ineligibility_reasons(scenario.radiologist_by_id[rid], shift,
                                             inst.demands[(site, shift.index)])
        st.warning(f"{reader_name} may not cover {inst.site_name(site)} then: {'; '.join(reasons)}")


def _apply(action: str) -> None:
    """Button callback: runs before the page, so the grids above show the edited roster in the same run."""
    w = working()
    inst = instance(w.scenario)
    rid = {r.display: r.id for r in w.scenario.radiologists}[st.session_state["edit_reader"]]
    type_id, date = st.session_state["edit_shift"]
    if action == "assign":
        was = next((a for a in w.roster.assignments if (a.reader, a.shift_type, a.date) == (rid, type_id, date)), None)
        outcome = assign(inst, w.roster, rid, type_id, date, tuple(st.session_state["edit_sites"]),
                         locked=bool(was and was.locked))
    elif action == "unassign":
        outcome = unassign(inst, w.roster, rid, type_id, date)
    else:
        outcome = set_locked(inst, w.roster, rid, type_id, date, action == "lock")
    w.roster, w.roster_origin = outcome.roster, "manual edits"
    st.session_state["edit_feedback"] = outcome.new_violations


b1, b2, b3, b4 = st.columns(4)
b1.button("Assign", key="do_assign", disabled=not chosen, on_click=_apply, args=("assign",))
b2.button("Unassign", key="do_unassign", disabled=current is None, on_click=_apply, args=("unassign",))
b3.button("Lock", key="do_lock", disabled=current is None or current.locked, on_click=_apply, args=("lock",))
b4.button("Unlock", key="do_unlock", disabled=current is None or not current.locked, on_click=_apply,
          args=("unlock",))
feedback = st.session_state.pop("edit_feedback", None)
if feedback is not None:
    if feedback:
        st.error("This edit breaks hard rules:\n" + "\n".join(f"- {m}" for m in feedback))
    else:
        st.success("Edit applied; the checker finds no new violation.")

st.subheader("Candidates for a shift")
st.caption("Who could take a site's shift, uncovered or about to be released: first the readers who break no rule, "
           "by the change in the objective (lower is better), then the others with every reason.")
needs, short = open_needs(inst, report)
n1, n2 = st.columns(2)
need = n1.selectbox("Need", needs, key="cand_need", format_func=lambda k: need_label(inst, k, short))
releasers = [None, *covering_readers(roster, need)] if need else [None]
releasing = n2.selectbox("Released by", releasers, key="cand_release",
                         format_func=lambda r: "(nobody: an open need)" if r is None else inst.reader_name(r))
if need:
    try:
        opened = open_shift(inst, roster, *need, releasing=releasing)
    except InputError as err:  # a roster edited under the page's feet; say it, do not crash
        show_input_error(err, "Candidates")
        opened = None
    if opened is not None:
        ranked = rank(opened)
        st.write(opened.describe() + ".")
        st.dataframe(candidates_table(inst, ranked), hide_index=True, width="stretch", key="cand_table")
        names = {c.reader: f"{c.name} ({'no rule broken' if c.ok else plural(len(c.reasons), 'reason')})"
                 for c in ranked}
        if st.session_state.get("cand_pick_for") != (need, releasing, roster) or "cand_pick" not in st.session_state:
            st.session_state["cand_pick_for"] = (need, releasing, roster)  # a new question: start from the best
            st.session_state["cand_pick"] = ranked[0].reader if ranked else None
        st.selectbox("Candidate", list(names), key="cand_pick", format_func=names.get)


def _give() -> None:
    """Button callback: give the need to the picked candidate (after the release), checked at once."""
    w = working()
    inst = instance(w.scenario)
    outcome = give_shift(inst, w.roster, st.session_state["cand_pick"], st.session_state["cand_need"],
                         releasing=st.session_state.get("cand_release"))
    w.roster, w.roster_origin = outcome.roster, "manual edits"
    st.session_state["cand_feedback"] = outcome.new_violations


st.button("Assign candidate", key="cand_assign", on_click=_give,
          disabled=not (need and st.session_state.get("cand_pick")))
feedback = st.session_state.pop("cand_feedback", None)
if feedback is not None:
    if feedback:
        st.error("This assignment breaks hard rules:\n" + "\n".join(f"- {m}" for m in feedback))
    else:
        st.success("Candidate assigned; the checker finds no new violation.")

locked = [a for a in roster.assignments if a.locked]
if locked:
    st.caption(f"{len(locked)} locked assignment(s): a re-solve on the Solve page keeps them.")
    st.dataframe(pd.DataFrame([{"reader": inst.reader_name(a.reader), "shift": shift_type_label(inst, a.shift_type),
                                "date": a.date, "sites": ", ".join(a.sites)} for a in locked]), hide_index=True)
st.page_link("scheduler/ui/pages/solve.py", label="Re-solve keeping locked assignments")
