"""diff_rosters: per-reader added / removed / resited shifts, and moves between readers."""

from __future__ import annotations

import datetime as dt
import json

from scheduler.result import Assignment, Roster
from scheduler.store.diff import Move, RosterDiff, ShiftRef, diff_rosters

MON, TUE, WED = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)


def roster(*rows: tuple) -> Roster:
    """Rows (reader, shift_type, date, sites)."""
    return Roster(assignments=tuple(Assignment(reader=r, shift_type=t, date=d, sites=tuple(s)) for r, t, d, s in rows))


def test_added_removed_and_resited_per_reader():
    old = roster(("r1", "night", MON, ["A"]), ("r1", "night", TUE, ["A", "B"]), ("r2", "night", WED, ["B"]))
    new = roster(("r1", "night", MON, ["A"]), ("r1", "night", TUE, ["B"]), ("r1", "day", WED, ["A"]))
    d = diff_rosters(old, new)
    assert set(d.readers) == {"r1", "r2"}
    r1 = d.readers["r1"]
    assert r1.added == [ShiftRef(WED, "day", ("A",))]
    assert r1.removed == []
    assert r1.resited == [(ShiftRef(TUE, "night", ("A", "B")), ShiftRef(TUE, "night", ("B",)))]
    assert d.readers["r2"].removed == [ShiftRef(WED, "night", ("B",))]
    assert d.readers["r2"].added == [] and d.readers["r2"].resited == []
    assert d.moves == []  # nobody gained r2's site B night, nor r1's site A Tuesday night
    assert d.counts == {"added": 1, "removed": 1, "resited": 1, "moved": 0, "readers": 2}
    assert not d.empty


def test_site_order_within_an_assignment_is_no_change():
    d = diff_rosters(roster(("r1", "night", MON, ["A", "B"])), roster(("r1", "night", MON, ["B", "A"])))
    assert d.empty


def test_move_pairs_a_removal_and_an_addition_of_the_same_site_and_instance():
    old = roster(("r1", "night", MON, ["A"]), ("r3", "night", TUE, ["A"]))
    new = roster(("r2", "night", MON, ["A"]), ("r3", "night", TUE, ["A"]))
    d = diff_rosters(old, new)
    assert d.moves == [Move(MON, "night", "A", "r1", "r2")]
    assert d.readers["r1"].removed == [ShiftRef(MON, "night", ("A",))]
    assert d.readers["r2"].added == [ShiftRef(MON, "night", ("A",))]
    assert "r3" not in d.readers
    assert "  moved: night 2026-03-02 at A: r1 -> r2" in d.lines()


def test_no_move_across_sites_dates_or_shift_types():
    old = roster(("r1", "night", MON, ["A"]), ("r1", "night", TUE, ["A"]), ("r1", "day", WED, ["A"]))
    new = roster(("r2", "night", MON, ["B"]), ("r2", "night", WED, ["A"]), ("r2", "day", TUE, ["A"]))
    d = diff_rosters(old, new)
    assert d.moves == []
    assert len(d.readers["r1"].removed) == 3 and len(d.readers["r2"].added) == 3


def test_a_site_dropped_from_a_shared_shift_moves_to_the_reader_who_gains_it():
    old = roster(("r1", "night", MON, ["A", "B"]))
    new = roster(("r1", "night", MON, ["A"]), ("r2", "night", MON, ["B"]))
    d = diff_rosters(old, new)
    assert d.readers["r1"].resited == [(ShiftRef(MON, "night", ("A", "B")), ShiftRef(MON, "night", ("A",)))]
    assert d.readers["r2"].added == [ShiftRef(MON, "night", ("B",))]
    assert d.moves == [Move(MON, "night", "B", "r1", "r2")]


def test_empty_diff_says_no_change():
    r = roster(("r1", "night", MON, ["A"]), ("r2", "night", TUE, ["A"]))
    shuffled = Roster(assignments=tuple(reversed(r.assignments)))
    d = diff_rosters(r, shuffled)
    assert d.empty
    assert d.readers == {} and d.moves == []
    assert d.lines() == ["no change"]
    assert d.counts == {"added": 0, "removed": 0, "resited": 0, "moved": 0, "readers": 0}


def test_first_publish_is_all_added():
    new = roster(("r1", "night", MON, ["A"]), ("r2", "night", TUE, ["A", "B"]), ("r1", "night", WED, ["B"]))
    d = diff_rosters(None, new)
    assert d.counts == {"added": 3, "removed": 0, "resited": 0, "moved": 0, "readers": 2}
    assert d.readers["r1"].added == [ShiftRef(MON, "night", ("A",)), ShiftRef(WED, "night", ("B",))]
    assert d.readers["r2"].added == [ShiftRef(TUE, "night", ("A", "B"))]
    assert d.moves == []
    lines = d.lines(lambda r: f"Dr {r}")
    assert lines[0].startswith("3 added, 0 removed")
    assert "  Dr r2: + night 2026-03-03 (A, B)" in lines


def test_to_dict_from_dict_round_trip_through_json():
    old = roster(("r1", "night", MON, ["A", "B"]), ("r2", "night", TUE, ["A"]), ("r3", "day", WED, ["A"]))
    new = roster(("r1", "night", MON, ["A"]), ("r4", "night", MON, ["B"]), ("r3", "night", TUE, ["A"]))
    d = diff_rosters(old, new)
    assert d.moves and any(c.resited for c in d.readers.values())  # every part of the diff is exercised
    data = json.loads(json.dumps(d.to_dict()))
    back = RosterDiff.from_dict(data)
    assert back == d
    assert back.counts == d.counts == data["counts"]
    assert back.lines() == d.lines()
