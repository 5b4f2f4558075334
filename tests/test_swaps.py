"""Swaps and give-aways on a published week: the resulting roster, the checker's verdict per reader,
the impact, approval publishing a version, rejection, staleness and concurrent approvals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from scheduler.check import check
from scheduler.replan import swaps
from scheduler.result import Assignment
from scheduler.store import Store, StoreError
from scheduler.store.diff import Move, diff_rosters
from scheduler.store.records import Period, uid_key
from scheduler.store.swaps import ShiftRequestRef, SwapKind, SwapRequest, SwapStatus
from tests.swap_helpers import NIGHTS, PERIOD, T0, day, published, roster, scenario

LATER = T0 + dt.timedelta(hours=1)


@pytest.fixture
def store(tmp_path):
    s = published(tmp_path / "store.sqlite3")
    yield s
    s.close()


def swap(store, a="r4", a_day=8, b="r2", b_day=6, by=None):
    """Reader a's night of a_day for reader b's night of b_day."""
    return swaps.propose(store, period=PERIOD, kind=SwapKind.swap, reader_a=a, shift_type="night", day=day(a_day),
                         reader_b=b, their_shift_type="night", their_day=day(b_day), by=by or a, now=T0)


def give(store, a="r1", a_day=5, b=None):
    return swaps.propose(store, period=PERIOD, kind=SwapKind.give_away, reader_a=a, shift_type="night",
                         day=day(a_day), reader_b=b, by=a, now=T0)


def nights(store, version: int) -> dict[str, set[int]]:
    v = store.find_version(PERIOD, version)
    out: dict[str, set[int]] = {}
    for a in store.roster(v.id).assignments:
        out.setdefault(a.reader, set()).add(a.date.day)
    return out


# ---- the resulting roster -----------------------------------------------------------------------
def request(kind: SwapKind, a: str, a_day: int, b: str | None, b_day: int | None = None) -> SwapRequest:
    """A pending request as the store would hand it out (for the pure functions)."""
    shift_b = ShiftRequestRef("night", day(b_day), ("A",)) if b_day else None
    return SwapRequest(1, PERIOD, 1, kind, a, ShiftRequestRef("night", day(a_day), ("A",)), b, shift_b, a, T0,
                       SwapStatus.proposed, None, None, "", None)


def test_apply_moves_both_shifts_and_keeps_their_sites():
    """A swap gives A's shift to B and B's to A, sites and lock flags kept; nothing else changes."""
    base = roster().model_copy(update={"assignments": tuple(
        a.model_copy(update={"locked": True}) if (a.reader, a.date.day) == ("r4", 8) else a
        for a in roster().assignments)})
    after = swaps.apply(base, request(SwapKind.swap, "r4", 8, "r2", 6))
    d = diff_rosters(base, after)
    assert d.moves == [Move(day(6), "night", "A", "r2", "r4"), Move(day(8), "night", "A", "r4", "r2")]
    assert d.counts == {"added": 2, "removed": 2, "resited": 0, "moved": 2, "readers": 2}
    moved = next(a for a in after.assignments if (a.reader, a.date) == ("r2", day(8)))
    assert moved.sites == ("A",) and moved.locked


def test_apply_merges_a_shift_into_one_the_taker_already_works():
    """Taking over a shift instance you already work adds its sites to yours (one assignment, both sites)."""
    base = roster().model_copy(update={"assignments": (
        Assignment(reader="r1", shift_type="night", date=day(3), sites=("B",)), *roster().assignments)})
    after = swaps.apply(base, request(SwapKind.give_away, "r2", 3, "r1"))
    mine = [a for a in after.assignments if a.reader == "r1" and a.date == day(3)]
    assert [a.sites for a in mine] == [("B", "A")]
    assert not any(a.reader == "r2" and a.date == day(3) for a in after.assignments)


def test_apply_refuses_an_open_give_away_and_a_shift_not_worked():
    with pytest.raises(swaps.SwapError, match="nobody has volunteered"):
        swaps.apply(roster(), request(SwapKind.give_away, "r1", 5, None))
    with pytest.raises(swaps.SwapError, match="r1 does not work the night shift of 2037-03-06"):
        swaps.apply(roster(), request(SwapKind.give_away, "r1", 6, "r2"))


# ---- judging it -----------------------------------------------------------------------------------
def test_a_valid_swap_is_judged_approvable_with_its_impact(store):
    """r4's night of the 8th for r2's night of the 6th: no hard rule breaks; r4's wish for the 6th is met."""
    request = swap(store)
    verdict = swaps.assess_stored(store, request.id)
    assert verdict.approvable and not verdict.violations and not verdict.stale
    assert check(scenario(), verdict.roster).violations == []
    r4, r2 = verdict.readers
    assert (r4.reader, r2.reader) == ("r4", "r2")
    assert r4.requests_met == ("Dr r4 wanted the night shift on 6 Mar 2037 (weight 1)",)
    assert r4.requests_unmet == () and r2.requests_met == r2.requests_unmet == ()
    assert r4.shifts == (1, 1) and r4.burden == (3, 3)  # a night for a night: burden unchanged
    requests = next(t for t in verdict.terms if t.name == "requests")
    assert (requests.before, requests.after) == (1, 0)
    assert verdict.objective[1] - verdict.objective[0] == sum(t.delta * t.weight for t in verdict.terms)
    text = "\n".join(verdict.lines())
    assert "Dr r4 swaps the night of 8 Mar 2037 (Site A) with Dr r2's night of 6 Mar 2037 (Site A)." in text
    assert "Dr r2 may cover Site A on the night of 8 Mar 2037" in text
    assert "No hard rule broken for Dr r4." in text and "No hard rule broken for Dr r2." in text
    assert "Verdict: can be approved." in text
    assert "request now met: Dr r4 wanted the night shift on 6 Mar 2037" in text


def test_a_swap_breaking_rest_for_b_names_b_and_cannot_be_approved(store):
    """r4's night of the 8th for r3's night of the 4th puts r3 on the 7th and 8th: r3's rest breaks, not r4's."""
    request = swap(store, b="r3", b_day=4)
    verdict = swaps.assess_stored(store, request.id)
    assert verdict.violations_a == [] and verdict.violations_other == []
    [broken] = check(scenario(), verdict.roster).violations
    assert (broken.rule, broken.reader) == ("rest", "r3")
    assert verdict.violations_b == [broken.message]
    assert broken.message.startswith("Dr r3: the night of 8 Mar 2037 starts 10.0 h after the night of 7 Mar 2037")
    assert not verdict.approvable
    r3 = verdict.readers[1]
    assert r3.requests_unmet == ("Dr r3 asked not to work the night shift on 8 Mar 2037 (weight 2)",)
    text = "\n".join(verdict.lines())
    assert "Hard rules broken for Dr r3 (1):" in text and "No hard rule broken for Dr r4." in text
    assert "Verdict: cannot be approved: it breaks 1 hard rule(s)" in text
    entries = len(store.audit())
    with pytest.raises(swaps.SwapRefused, match="rest required"):
        swaps.approve(store, request.id, by="boss", now=LATER)
    assert [v.number for v in store.versions()] == [1]
    assert store.swap_request(request.id).status is SwapStatus.proposed and len(store.audit()) == entries


def test_a_give_away_to_an_ineligible_reader_says_why(store):
    """r5 has no privileges at Site A: the eligibility line and r5's violation say so."""
    request = give(store, b="r5")
    verdict = swaps.assess_stored(store, request.id)
    assert verdict.eligibility == ["Dr r5 may not cover Site A on the night of 5 Mar 2037: has no privileges at Site A"]
    [broken] = check(scenario(), verdict.roster).violations
    assert (broken.rule, broken.reader) == ("eligibility", "r5") and "has no privileges at Site A" in broken.message
    assert verdict.violations_b == [broken.message]
    assert verdict.violations_a == [] and not verdict.approvable


def test_a_give_away_moves_burden_from_a_to_b(store):
    """r1 gives the night of the 5th to r4: r1 loses 3 burden points and 14 hours, r4 gains them."""
    verdict = swaps.assess_stored(store, give(store, b="r4").id)
    r1, r4 = verdict.readers
    assert (r1.burden, r4.burden) == ((6, 3), (3, 6))
    assert (r1.shifts, r4.shifts) == ((2, 1), (1, 2))
    assert r1.hours[0] - r1.hours[1] == pytest.approx(14.0) == r4.hours[1] - r4.hours[0]
    fairness = next(t for t in verdict.terms if t.name == "fairness")
    assert fairness.after == check(scenario(), verdict.roster).terms["fairness"]


# ---- approving ------------------------------------------------------------------------------------
def test_an_approved_swap_publishes_a_version_differing_by_exactly_the_two_moves(store):
    """Approval publishes version 2 (base 1) with a note naming the swap; its roster passes the checker."""
    request = swap(store)
    done = swaps.approve(store, request.id, by="boss", now=LATER)
    v = done.outcome.version
    assert (v.number, v.base_number, v.published_by, v.published_at) == (2, 1, "boss", LATER)
    assert v.note.startswith("swap #1 approved by boss: Dr r4 swaps the night of 8 Mar 2037")
    before, after = store.roster(store.find_version(PERIOD, 1).id), store.roster(v.id)
    d = diff_rosters(before, after)
    assert d.moves == [Move(day(6), "night", "A", "r2", "r4"), Move(day(8), "night", "A", "r4", "r2")]
    assert d.counts["added"] == d.counts["removed"] == 2 and d.counts["resited"] == 0
    assert check(store.scenario(v.scenario_version), after).violations == []
    assert nights(store, 2) == {**{r: set(n) for r, n in NIGHTS.items()}, "r2": {3, 8}, "r4": {6}}
    record = store.swap_request(request.id)
    assert (record.status, record.decided_by, record.decided_at, record.published_number) == (
        SwapStatus.approved, "boss", LATER, 2)
    publish_entry, approve_entry = store.audit()[-2:]
    assert (publish_entry.action, publish_entry.details["version"], publish_entry.details["note"]) == (
        "publish", 2, v.note)
    assert (approve_entry.action, approve_entry.subject, approve_entry.actor) == ("swap.approve", "swap #1", "boss")
    assert approve_entry.details["version"] == 2
    assert store.verify_audit() == []
    uids = {e.uid_key for e in store.events(v.id)}  # the feeds follow the new version
    assert uid_key("r2", "night", day(8)) in uids and uid_key("r4", "night", day(8)) not in uids
    with pytest.raises(StoreError, match="swap #1 is already approved by boss.*published as version 2"):
        swaps.approve(store, request.id, by="boss")


def test_an_open_give_away_is_approved_once_someone_volunteers(store):
    """Nobody to approve for until a reader volunteers; then it is a concrete proposal that publishes."""
    request = give(store)
    assert request.is_open and "nobody has volunteered yet" in "\n".join(swaps.assess_stored(store, 1).lines())
    with pytest.raises(swaps.SwapError, match="open give-away: nobody has volunteered"):
        swaps.approve(store, request.id, by="boss")
    with pytest.raises(swaps.SwapError, match="no reader 'r9'"):
        swaps.volunteer(store, request.id, "r9", by="r9")
    taken = swaps.volunteer(store, request.id, "r4", by="r4", now=T0)
    assert taken.reader_b == "r4" and swaps.assess_stored(store, 1).approvable
    swaps.approve(store, request.id, by="boss", now=LATER)
    assert nights(store, 2)["r4"] == {5, 8} and nights(store, 2)["r1"] == {2}


def test_reject_needs_a_reason_and_then_records_it(store):
    request = swap(store)
    with pytest.raises(StoreError, match="give a reason"):
        store.reject_swap(request.id, by="boss", reason=" ")
    rejected = store.reject_swap(request.id, by="boss", reason="r2 needs the 8th off", now=LATER)
    assert (rejected.status, rejected.reason, rejected.decided_at) == (SwapStatus.rejected, "r2 needs the 8th off",
                                                                        LATER)
    with pytest.raises(StoreError, match="already rejected"):
        swaps.approve(store, request.id, by="boss")
    assert [v.number for v in store.versions()] == [1]


def test_a_publish_that_moves_a_proposed_shift_supersedes_the_proposal(store):
    """Version 2 gave r4's night of the 8th to r1: the publish itself closes the swap as superseded,
    with the reason, in its transaction; a give-away whose night is untouched stays proposed."""
    request = swap(store)
    untouched = give(store, a="r1", a_day=5)
    store.publish(scenario(), roster({**NIGHTS, "r1": (2, 5, 8), "r4": ()}), by="alice", base_number=1, now=T0)
    record = store.swap_request(request.id)
    assert (record.status, record.decided_by) == (SwapStatus.superseded, "alice")
    assert record.reason == ("version 2 no longer has the shifts as proposed: "
                             "Dr r4 no longer works the night of 8 Mar 2037")
    assert store.swap_request(untouched.id).status is SwapStatus.proposed
    assert [e.action for e in store.audit()[-2:]] == ["publish", "swap.supersede"]
    with pytest.raises(StoreError, match="already superseded by alice"):
        swaps.approve(store, request.id, by="boss", now=LATER)
    assert [v.number for v in store.versions()] == [1, 2]


def test_a_stale_proposal_whose_shifts_still_match_is_rechecked_on_the_latest_version(store):
    """Version 2 moved another night (r1's 2nd to r3); the swap is judged on version 2 and publishes version 3."""
    request = swap(store)
    store.publish(scenario(), roster({**NIGHTS, "r1": (5,), "r3": (2, 4, 7)}), by="alice", base_number=1, now=T0)
    verdict = swaps.assess_stored(store, request.id)
    assert verdict.stale and verdict.version.number == 2 and verdict.approvable
    assert "proposed against version 1; the period has moved on since" in "\n".join(verdict.lines())
    v = swaps.approve(store, request.id, by="boss", now=LATER).outcome.version
    assert (v.number, v.base_number) == (3, 2)
    assert nights(store, 3) == {"r1": {5}, "r2": {3, 8}, "r3": {2, 4, 7}, "r4": {6}}


# ---- proposing ------------------------------------------------------------------------------------
def test_proposals_must_name_shifts_the_readers_work(store):
    with pytest.raises(swaps.SwapError, match=r"Dr r4 does not work a night shift on 2037-03-07.*their shifts: "
                                              r"night 2037-03-08"):
        swap(store, a_day=7)
    with pytest.raises(swaps.SwapError, match=r"their shift: Dr r2 does not work a night shift on 2037-03-05"):
        swap(store, b_day=5)
    with pytest.raises(swaps.SwapError, match="no reader 'nobody'"):
        swap(store, b="nobody")
    with pytest.raises(swaps.SwapError, match="cannot swap with or give a shift to themselves"):
        swap(store, b="r4", b_day=8)
    with pytest.raises(swaps.SwapError, match="nothing is published for this period"):
        swaps.propose(store, period=Period(day(9), day(15)), kind=SwapKind.give_away, reader_a="r1",
                      shift_type="night", day=day(9), by="r1")
    assert store.swap_requests() == []


def test_the_period_of_a_date_is_found(store):
    assert swaps.period_containing(store, day(5)) == PERIOD
    with pytest.raises(swaps.SwapError, match="no published period includes 2037-04-01"):
        swaps.period_containing(store, dt.date(2037, 4, 1))


# ---- concurrency ------------------------------------------------------------------------------------
def test_two_coordinators_approving_the_same_swap_at_once_publish_once(tmp_path, monkeypatch):
    """Both judge the swap on version 1; the second one's publication is refused and it sees the approval."""
    path = tmp_path / "store.sqlite3"
    published(path).close()
    alice, bob = Store(path), Store(path)
    try:
        request = swap(alice)
        judge = swaps.assess
        raced = []

        def bob_approves_meanwhile(state, req):
            verdict = judge(state, req)
            if not raced:  # alice has judged it; bob approves before alice publishes
                raced.append("bob")
                swaps.approve(bob, req.id, by="bob", now=LATER)
            return verdict

        monkeypatch.setattr(swaps, "assess", bob_approves_meanwhile)
        with pytest.raises(StoreError, match="swap #1 is already approved by bob"):
            swaps.approve(alice, request.id, by="alice", now=LATER)
        assert [v.number for v in alice.versions()] == [1, 2]
        assert alice.latest_version(PERIOD).published_by == "bob"
        assert [e.action for e in alice.audit()].count("swap.approve") == 1
        assert alice.verify_audit() == []
    finally:
        alice.close()
        bob.close()


def test_two_different_swaps_approved_at_once_are_both_published_in_turn(tmp_path, monkeypatch):
    """The second approval's publication is refused as stale, re-judged on the new version, then published."""
    path = tmp_path / "store.sqlite3"
    published(path).close()
    alice, bob = Store(path), Store(path)
    try:
        first, second = swap(alice), give(alice, a="r3", a_day=7, b="r1")
        judge = swaps.assess
        raced = []

        def bob_approves_meanwhile(state, req):
            verdict = judge(state, req)
            if not raced:
                raced.append("bob")
                swaps.approve(bob, second.id, by="bob", now=LATER)
            return verdict

        monkeypatch.setattr(swaps, "assess", bob_approves_meanwhile)
        done = swaps.approve(alice, first.id, by="alice", now=LATER)
        assert (done.outcome.version.number, done.outcome.version.base_number) == (3, 2)
        assert nights(alice, 3) == {"r1": {2, 5, 7}, "r2": {3, 8}, "r3": {4}, "r4": {6}}
        assert check(scenario(), alice.roster(done.outcome.version.id)).violations == []
    finally:
        alice.close()
        bob.close()


def test_threads_approving_the_same_swap_publish_once(tmp_path):
    """Two threads with their own connections approve at the same moment: one version, one refusal."""
    path = tmp_path / "store.sqlite3"
    published(path).close()
    with Store(path) as s:
        request = swap(s)
    barrier, outcomes = threading.Barrier(2), []

    def approve(name: str) -> None:
        with Store(path) as s:
            barrier.wait()
            try:
                swaps.approve(s, request.id, by=name, now=LATER)
                outcomes.append("published")
            except StoreError as err:
                outcomes.append(str(err))

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "published" and "is already approved" in sorted(outcomes)[1]
    with Store(path) as s:
        assert [v.number for v in s.versions()] == [1, 2] and s.verify_audit() == []


def test_a_shift_that_has_started_cannot_be_swapped_or_given_away(store) -> None:
    # the night of the 5th starts at 18:30 Paris time (17:30 UTC); a minute later it is under way
    under_way = dt.datetime(2037, 3, 5, 17, 31, tzinfo=dt.UTC)
    with pytest.raises(swaps.SwapError, match="your shift, the night of 5 Mar 2037, has already started"):
        swaps.propose(store, period=PERIOD, kind=SwapKind.give_away, reader_a="r1", shift_type="night",
                      day=day(5), by="r1", now=under_way)
    with pytest.raises(swaps.SwapError, match="their shift, the night of 5 Mar 2037, has already started"):
        swaps.propose(store, period=PERIOD, kind=SwapKind.swap, reader_a="r4", shift_type="night", day=day(8),
                      reader_b="r1", their_shift_type="night", their_day=day(5), by="r4", now=under_way)
    # a minute before it starts, it still can
    before = under_way - dt.timedelta(minutes=2)
    assert swaps.propose(store, period=PERIOD, kind=SwapKind.give_away, reader_a="r1", shift_type="night",
                         day=day(5), by="r1", now=before).status is SwapStatus.proposed


def test_a_proposal_whose_shift_has_started_is_not_approved(store) -> None:
    request = swap(store)  # r4's night of the 8th for r2's night of the 6th
    under_way = dt.datetime(2037, 3, 6, 17, 45, tzinfo=dt.UTC)  # r2's night began at 17:30 UTC
    with pytest.raises(swaps.SwapRefused, match="night of 6 Mar 2037 has already started"):
        swaps.approve(store, request.id, by="boss", now=under_way)
    assert store.swap_request(request.id).status is SwapStatus.proposed
    assert store.latest_version(PERIOD).number == 1  # nothing published
