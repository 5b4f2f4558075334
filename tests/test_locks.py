"""Locked assignments survive a re-solve; impossible locks are refused in words."""

from __future__ import annotations

import pytest

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.result import Assignment, Roster
from scheduler.solver import solve
from scheduler.solver.locks import LockError
from tests import factory


def _scenario():
    return factory.build(factory.data())


def test_a_locked_assignment_is_kept_and_stays_marked():
    sc = _scenario()
    first = solve(sc, time_limit=10, workers=1, seed=0)
    inst = build_instance(sc)
    # lock a reader who did NOT get the first night in the unconstrained solve, if any can take it
    shift = inst.shifts[0]
    taken = {a.reader for a in first.roster.assignments if (a.shift_type, a.date) == (shift.type_id, shift.date)}
    candidates = [(r, sites) for (r, i), sites in inst.eligible.items() if i == shift.index and r not in taken]
    assert candidates, "the factory scenario should leave someone free on the first shift"
    reader, sites = candidates[0]
    lock = Assignment(reader=reader, shift_type=shift.type_id, date=shift.date, sites=(sites[0],), locked=True)
    initial = Roster(assignments=(*first.roster.assignments, lock))
    again = solve(sc, time_limit=10, workers=1, seed=0, initial=Roster(assignments=(lock,)))
    for result in (again, solve(sc, time_limit=10, workers=1, seed=1, initial=initial.model_copy())):
        [kept] = [a for a in result.roster.assignments if (a.reader, a.shift_type, a.date) == (reader, shift.type_id,
                                                                                                shift.date)]
        assert sites[0] in kept.sites and kept.locked
        assert not check(sc, result.roster).violations
        assert sum(a.locked for a in result.roster.assignments) == 1


def test_a_lock_the_reader_is_not_eligible_for_is_refused_with_the_reason():
    d = factory.data()
    d["radiologists"].append(factory.reader("r9", sites=()))  # no privileges at A
    sc = factory.build(d)
    inst = build_instance(sc)
    shift, site, outsider = inst.shifts[0], "A", "r9"
    lock = Assignment(reader=outsider, shift_type=shift.type_id, date=shift.date, sites=(site,), locked=True)
    with pytest.raises(LockError, match=rf"Dr r9 is locked at {site} on the .*, but has no privileges at Site A"):
        solve(sc, time_limit=5, workers=1, initial=Roster(assignments=(lock,)))


def test_locks_that_clash_with_each_other_make_the_solve_infeasible_and_say_so():
    sc = _scenario()
    inst = build_instance(sc)
    # the same reader locked on two shifts that start on the same date breaks one-shift-per-day,
    # or two consecutive nights break rest: find two shifts of one reader that cannot both hold
    pairs = []
    for (r, i), sites in inst.eligible.items():
        for (r2, j), sites2 in inst.eligible.items():
            if r2 == r and j == i + 1:
                a = Assignment(reader=r, shift_type=inst.shifts[i].type_id, date=inst.shifts[i].date,
                               sites=(sites[0],), locked=True)
                b = Assignment(reader=r, shift_type=inst.shifts[j].type_id, date=inst.shifts[j].date,
                               sites=(sites2[0],), locked=True)
                if check(sc, Roster(assignments=(a, b))).violations:
                    pairs.append((a, b))
    assert pairs, "the factory scenario should have two shifts one reader cannot both work"
    result = solve(sc, time_limit=5, workers=1, initial=Roster(assignments=pairs[0]))
    assert result.status == "INFEASIBLE"
    assert result.explanation[0] == "the locked assignments cannot all hold with the hard rules"
    assert len(result.explanation) >= 2
