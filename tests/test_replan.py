"""Re-planning a published roster: the change helpers, what never moves, the proof, the words, publishing."""

from __future__ import annotations

import datetime as dt
import json
import threading

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.calendars.ical import render
from scheduler.calendars.publish import context_for_store
from scheduler.check import check
from scheduler.errors import InputError
from scheduler.instance import build_instance
from scheduler.io.scenario_yaml import load_scenario
from scheduler.replan.changes import with_absence, with_credential_change, with_need_added, with_need_removed
from scheduler.replan.published import latest_published
from scheduler.replan.replan import publish_replan, reader_lines, replan, summary_lines
from scheduler.result import Assignment, Roster
from scheduler.solver import solve
from scheduler.solver.locks import LockError
from scheduler.store import ConcurrencyError, StoreError
from scheduler.store.records import FeedKind, FeedTarget, Period
from tests import swap_helpers
from tests.swap_helpers import PERIOD, day

UTC = dt.UTC
ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
MONDAY = dt.datetime(2037, 3, 2, 0, 0, tzinfo=UTC)


# ---- the change helpers --------------------------------------------------------------------------
def test_with_absence_adds_leave_and_leaves_the_input_alone():
    scen = swap_helpers.base_week()
    changed = with_absence(scen, "r2", day(4), day(6), "sick leave")
    assert changed.radiologist_by_id["r2"].leave[-1].model_dump() == {"start": day(4), "end": day(6),
                                                                       "reason": "sick leave"}
    assert scen.radiologist_by_id["r2"].leave == ()
    inst = build_instance(changed)
    assert not any(rid == "r2" and inst.shifts[i].date in (day(4), day(5), day(6)) for rid, i in inst.eligible)


@pytest.mark.parametrize(("args", "path", "words"), [
    (("zz", day(4), day(5)), "reader", "unknown reader 'zz'; readers: r1, r2, r3"),
    (("r1", day(5), day(4)), "last_date", "2037-03-05"),
    (("r1", dt.date(2037, 4, 1), dt.date(2037, 4, 2)), "first_date", "outside the period 2037-03-02 to 2037-03-08"),
])
def test_with_absence_refuses_unknown_readers_and_bad_dates_in_words(args, path, words):
    with pytest.raises(InputError) as err:
        with_absence(swap_helpers.base_week(), *args)
    [issue] = err.value.issues
    assert issue.path == path and words in issue.message


def test_with_need_added_makes_a_one_off_need():
    changed = with_need_added(swap_helpers.base_week(), "A", "day", [day(4)], readers=2, subspecialty="neuro")
    inst = build_instance(changed)
    demand = inst.demands[("A", inst.shift_by_key[("day", day(4))].index)]
    assert (demand.required, demand.required_by_subspecialty) == (2, {"neuro": 2})


@pytest.mark.parametrize(("kwargs", "path"), [
    ({"site": "Z"}, "site"), ({"shift_type": "noon"}, "shift_type"), ({"dates": [dt.date(2037, 5, 1)]}, "dates"),
    ({"dates": []}, "dates"), ({"subspecialty": "paeds"}, "subspecialty"), ({"readers": 0}, "readers"),
])
def test_with_need_added_refuses_what_does_not_exist(kwargs, path):
    args = {"site": "A", "shift_type": "night", "dates": [day(4)], **kwargs}
    extra = {k: args.pop(k) for k in ("subspecialty", "readers") if k in args}
    with pytest.raises(InputError) as err:
        with_need_added(swap_helpers.base_week(), args["site"], args["shift_type"], args["dates"], **extra)
    assert err.value.issues[0].path == path


def test_with_need_removed_keeps_the_other_dates_of_a_weekly_need():
    changed = with_need_removed(swap_helpers.base_week(), "A", "night", [day(4), day(5)])
    inst = build_instance(changed)
    assert sorted(s.date for s in inst.shifts if s.type_id == "night") == [day(n) for n in (2, 3, 6, 7, 8)]
    with pytest.raises(InputError, match="no night need on 2037-03-04"):
        with_need_removed(changed, "A", "night", [day(4)])


def test_with_credential_change_ends_or_removes_a_license_or_privilege():
    scen = swap_helpers.base_week()
    ended = with_credential_change(scen, "r1", license="FR", valid_until=day(4))
    assert ended.radiologist_by_id["r1"].licenses[0].valid_until == day(4)
    inst = build_instance(ended)  # the night of the 4th ends on the 5th, when the license no longer holds
    assert sorted(inst.shifts[i].date for rid, i in inst.eligible if rid == "r1") == [day(2), day(3)]
    gone = with_credential_change(scen, "r1", privilege="A", remove=True)
    assert gone.radiologist_by_id["r1"].privileges == ()
    for kwargs, path in (({"license": "FR", "privilege": "A", "remove": True}, "license"),
                         ({"license": "FR"}, "valid_until"),
                         ({"license": "US-TX", "remove": True}, "license"),
                         ({"privilege": "Z", "remove": True}, "site")):
        with pytest.raises(InputError) as err:
            with_credential_change(scen, "r1", **kwargs)
        assert err.value.issues[0].path == path


# ---- re-planning the tiny example ----------------------------------------------------------------
@pytest.fixture(scope="module")
def tiny():
    scenario = load_scenario(ROOT / "scenarios" / "tiny.yaml")
    result = solve(scenario, time_limit=5, workers=2, explain=False)
    assert result.has_solution and not result.check.violations and not result.uncovered
    return scenario, result.roster


def test_an_absence_in_the_tiny_example_is_replanned_with_proven_fewest_changes(tiny):
    scenario, published = tiny
    days = scenario.horizon.days
    reader = max({a.reader for a in published.assignments},
                 key=lambda r: sum(1 for a in published.assignments if a.reader == r and a.date in days[2:5]))
    lost = [a for a in published.assignments if a.reader == reader and a.date in days[2:5]]
    changed = with_absence(scenario, reader, days[2], days[4], "sick leave")
    now = dt.datetime.combine(days[0], dt.time(0), tzinfo=UTC)
    result = replan(changed, published, now=now, time_limit=20)
    assert result.status == "OPTIMAL" and result.proven and result.bound == result.weighted_changes
    report = check(changed, result.roster)
    assert not report.violations and not report.uncovered
    assert result.objective == report.objective and result.terms == report.terms
    removed = {(c.reader, c.shift_type, c.date) for c in result.changes if c.kind == "removed"}
    assert {(a.reader, a.shift_type, a.date) for a in lost} <= removed
    # every lost shift needs someone else: at least one change more per lost shift, and the count is the diff's
    assert result.number_of_changes >= 2 * len(lost)
    assert result.number_of_changes == result.diff.counts["added"] + result.diff.counts["removed"] + \
        result.diff.counts["resited"]
    name = changed.radiologist_by_id[reader].display
    mine = sum(1 for c in result.changes if c.reader == reader)
    lines = reader_lines(result)
    assert f"{name} ({mine} change{'s' * (mine != 1)}):" in lines
    assert any(line.startswith("  - no longer works the") for line in lines)
    assert "the fewest possible (proven" in summary_lines(result)[0]
    json.dumps(result.to_dict())


def test_nothing_to_change_is_zero_changes_proven(tiny):
    scenario, published = tiny
    now = dt.datetime.combine(scenario.horizon.start, dt.time(0), tzinfo=UTC)
    result = replan(scenario, published, now=now, time_limit=10)
    assert result.proven and result.number_of_changes == 0 and result.roster == published.sorted()
    assert reader_lines(result) == ["No assignment changes."]


# ---- what never moves ----------------------------------------------------------------------------
WEEK = swap_helpers.WEEK


@st.composite
def cases(draw):
    """The swap week (four readers on Site A's nights) with random locks, a random now, a random absence."""
    published = swap_helpers.roster()
    locks = draw(st.sets(st.integers(0, len(published.assignments) - 1), max_size=2))
    published = Roster(assignments=tuple(a.model_copy(update={"locked": k in locks})
                                         for k, a in enumerate(published.assignments)))
    now = MONDAY + dt.timedelta(hours=draw(st.integers(0, 7 * 24)))
    reader = draw(st.sampled_from(["r1", "r2", "r3", "r4"]))
    first = draw(st.integers(0, 6))
    last = draw(st.integers(first, 6))
    return published, now, reader, WEEK[first], WEEK[last]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_replanning_never_moves_a_past_or_locked_assignment(case):
    published, now, reader, first, last = case
    changed = with_absence(swap_helpers.scenario(), reader, first, last)
    inst = build_instance(changed)
    try:
        result = replan(changed, published, now=now, time_limit=10, workers=1)
    except LockError as err:  # a lock on a shift of the absent reader: refused, in words
        assert any(a.locked and a.reader == reader and first <= a.date <= last for a in published.assignments)
        assert "unlock it to re-plan around it" in str(err)
        return
    after = {(a.reader, a.shift_type, a.date): a for a in result.roster.assignments}
    for a in published.assignments:
        if a.locked or inst.shift_by_key[(a.shift_type, a.date)].start < now:
            kept = after.get((a.reader, a.shift_type, a.date))
            assert kept is not None and set(kept.sites) == set(a.sites) and kept.locked == a.locked
    before = {(a.reader, a.shift_type, a.date) for a in published.assignments}
    assert all(key in before for key, a in after.items() if inst.shift_by_key[(a.shift_type, a.date)].start < now)
    assert result.fixed_past == sum(1 for a in published.assignments
                                    if inst.shift_by_key[(a.shift_type, a.date)].start < now)


def test_a_past_shift_of_a_reader_now_absent_stays_and_is_reported():
    """r1 worked the night of the 2nd; an absence from the 2nd keeps it (it happened) and says so."""
    changed = with_absence(swap_helpers.scenario(), "r1", day(2), day(5))
    now = dt.datetime(2037, 3, 3, 12, tzinfo=UTC)
    result = replan(changed, swap_helpers.roster(), now=now, time_limit=10)
    assert any(a.reader == "r1" and a.date == day(2) for a in result.roster.assignments)
    assert not any(a.reader == "r1" and a.date == day(5) for a in result.roster.assignments)
    assert any("Dr r1's night of 2 Mar 2037 (Site A) started before now and is kept as published" in n and
               "is on absence" in n for n in result.notes)
    assert [v.rule for v in result.check.violations] == ["eligibility"]


def test_a_lock_the_change_breaks_is_refused_in_words():
    published = swap_helpers.roster()
    published = Roster(assignments=tuple(a.model_copy(update={"locked": a.reader == "r2" and a.date == day(6)})
                                         for a in published.assignments))
    with pytest.raises(LockError, match="Dr r2 is locked at A on the night of 6 Mar 2037, but is on absence"):
        replan(with_absence(swap_helpers.scenario(), "r2", day(6), day(6)), published, now=MONDAY)


def test_bad_calls_are_refused_in_words():
    scen, published = swap_helpers.scenario(), swap_helpers.roster()
    with pytest.raises(ValueError, match="timezone-aware"):
        replan(scen, published, now=dt.datetime(2037, 3, 2))
    stranger = Roster(assignments=(Assignment(reader="zz", shift_type="night", date=day(3), sites=("A",)),))
    with pytest.raises(InputError, match="reader 'zz' is not in the changed scenario"):
        replan(scen, stranger, now=MONDAY)


def test_a_stop_before_the_search_returns_the_published_roster_unchanged():
    stop = threading.Event()
    stop.set()
    result = replan(with_absence(swap_helpers.scenario(), "r2", day(6), day(6)), swap_helpers.roster(),
                    now=MONDAY, stop=stop)
    assert result.status == "UNKNOWN" and not result.has_solution and result.roster == swap_helpers.roster()
    assert "no roster was found in the time given" in result.notes[0]


def test_an_uncoverable_need_is_left_short_rather_than_changed_more():
    """Coverage first: an added need nobody can take stays short, and the bound holds with it."""
    changed = with_need_added(swap_helpers.scenario(), "A", "night", [day(4)], subspecialty="neuro")
    result = replan(changed, swap_helpers.roster(), now=MONDAY, time_limit=10)
    assert result.proven and result.number_of_changes == 0
    assert [u.subspecialty for u in result.check.uncovered] == ["neuro"]
    assert "1 reader slot stay uncovered (no roster covers more):" in summary_lines(result)


# ---- publishing: versions and calendars ----------------------------------------------------------
def _events(store, reader: str) -> dict[str, icalendar.Event]:
    data = render(context_for_store(store), FeedTarget(FeedKind.reader, reader))
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def _uid(events: dict, date: dt.date) -> str:
    return next(uid for uid in events if f".{date:%Y%m%d}@" in uid)


def test_publishing_a_near_term_replan_cancels_the_moved_event_and_adds_the_new_one(tmp_path):
    store = swap_helpers.published(tmp_path / "store.sqlite3")
    state = latest_published(store, PERIOD)
    now = dt.datetime(2037, 3, 4, 12, tzinfo=UTC)
    result = replan(with_absence(state.scenario, "r2", day(6), day(6), "sick leave"), state.roster, now=now)
    taker = next(c.reader for c in result.changes if c.kind == "added" and c.date == day(6))
    before = _events(store, taker)
    outcome = publish_replan(store, result, base_number=state.version.number, by="bob", now=now)
    assert (outcome.version.number, outcome.version.base_number) == (2, 1)
    r2 = _events(store, "r2")
    moved = r2[_uid(r2, day(6))]
    assert str(moved["STATUS"]) == "CANCELLED" and int(moved["SEQUENCE"]) == 1
    new = _events(store, taker)
    assert set(new) - set(before) == {_uid(new, day(6))}
    added = new[_uid(new, day(6))]
    assert int(added["SEQUENCE"]) == 0 and str(added.get("STATUS", "CONFIRMED")) == "CONFIRMED"
    store.close()


def test_publishing_a_far_off_replan_drops_the_moved_event(tmp_path):
    store = swap_helpers.published(tmp_path / "store.sqlite3")
    state = latest_published(store, PERIOD)
    now = dt.datetime(2037, 2, 20, 12, tzinfo=UTC)  # the 6th is more than a week away
    result = replan(with_absence(state.scenario, "r2", day(6), day(6)), state.roster, now=now)
    publish_replan(store, result, base_number=state.version.number, by="bob", now=now)
    r2 = _events(store, "r2")
    assert not any(f".{day(6):%Y%m%d}@" in uid for uid in r2) and any(f".{day(3):%Y%m%d}@" in uid for uid in r2)
    store.close()


def test_publishing_over_a_newer_version_is_refused(tmp_path):
    store = swap_helpers.published(tmp_path / "store.sqlite3")
    state = latest_published(store, PERIOD)
    result = replan(with_absence(state.scenario, "r2", day(6), day(6)), state.roster, now=MONDAY)
    store.publish(state.scenario, state.roster.model_copy(update={"assignments": state.roster.assignments[1:]}),
                  by="carol", base_number=1, note="meanwhile")
    with pytest.raises(ConcurrencyError, match="version 2 was published by carol"):
        publish_replan(store, result, base_number=state.version.number, by="bob")
    with pytest.raises(StoreError, match="nothing is published for this period"):
        latest_published(store, Period(dt.date(2037, 4, 6), dt.date(2037, 4, 12)))
    store.close()
