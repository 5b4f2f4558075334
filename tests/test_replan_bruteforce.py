"""Re-planning's number of changes is the true minimum: checked against every roster of tiny cases.

Each case is a week where sites need readers on two to four dates, two to four readers, a
published roster, and a change (an absence, a need added or removed, a license ended). The brute
force enumerates every roster that keeps the past and the locked assignments, keeps those the
independent checker finds no hard violation in, and takes the least shortfall, then among those
the least weighted changes (counted here, independently of scheduler.replan). `replan` must
report that number as proven (status OPTIMAL, bound equal) with a roster of that shortfall.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.replan.changes import with_absence, with_credential_change, with_need_added, with_need_removed
from scheduler.replan.replan import replan
from scheduler.result import Assignment, Roster
from scheduler.scenario import Scenario
from scheduler.solver import solve
from tests import factory

UTC = dt.UTC
START = dt.datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # the week's first midnight (UTC), before any shift
MIN_ROSTERS, MAX_ROSTERS = 256, 6000  # random cases: enough choice to be interesting, few enough to enumerate


def day(n: int) -> dt.date:
    return dt.date(2026, 3, n)


def weighted_changes(inst, old: Roster, new: Roster, now: dt.datetime, near_weight: int = 3) -> int:
    """Changed reader-shifts (added, removed, other sites), a shift starting within 72 h weighing more."""
    before = {(a.reader, a.shift_type, a.date): set(a.sites) for a in old.assignments}
    after = {(a.reader, a.shift_type, a.date): set(a.sites) for a in new.assignments}
    total = 0
    for key in set(before) | set(after):
        if before.get(key) != after.get(key):
            start = inst.shift_by_key[(key[1], key[2])].start
            total += near_weight if now <= start < now + dt.timedelta(hours=72) else 1
    return total


def free_options(inst, published: Roster, now: dt.datetime):
    """The past and locked assignments (fixed), and every other (reader, shift) with its choices of sites."""
    fixed = [a for a in published.assignments
             if a.locked or inst.shift_by_key[(a.shift_type, a.date)].start < now]
    fixed_keys = {(a.reader, a.shift_type, a.date) for a in fixed}
    pairs, options = [], []
    for (rid, i), sites in sorted(inst.eligible.items()):
        shift = inst.shifts[i]
        if shift.start < now or (rid, shift.type_id, shift.date) in fixed_keys:
            continue
        pairs.append((rid, shift))
        options.append([()] + [c for k in range(1, len(sites) + 1) for c in itertools.combinations(sites, k)])
    return pairs, options, fixed


def roster_count(inst, published: Roster, now: dt.datetime) -> int:
    count = 1
    for o in free_options(inst, published, now)[1]:
        count *= len(o)
    return count


def brute_force(scenario: Scenario, published: Roster, now: dt.datetime, near_weight: int = 3):
    """(least shortfall, least weighted changes at that shortfall) over every roster keeping the fixed ones."""
    inst = build_instance(scenario)
    pairs, options, fixed = free_options(inst, published, now)
    assert roster_count(inst, published, now) <= MAX_ROSTERS, "too many rosters for a brute force"
    best = None
    for combo in itertools.product(*options):
        roster = Roster(assignments=tuple(fixed) + tuple(
            Assignment(reader=rid, shift_type=s.type_id, date=s.date, sites=sites)
            for (rid, s), sites in zip(pairs, combo, strict=True) if sites))
        report = check(inst, roster)
        if report.violations:
            continue
        key = (report.terms["uncovered"], weighted_changes(inst, published, roster, now, near_weight))
        best = key if best is None or key < best else best
    return best


def assert_minimal(scenario: Scenario, published: Roster, now: dt.datetime, near_weight: int = 3) -> None:
    best = brute_force(scenario, published, now, near_weight)
    result = replan(scenario, published, now=now, time_limit=20, workers=1, near_weight=near_weight)
    if best is None:  # no roster keeps the past, the locks and the hard rules: replan says so
        assert result.status == "INFEASIBLE" and not result.has_solution and result.roster == published
        return
    shortfall, least = best
    assert result.status == "OPTIMAL" and result.proven, (result.status, result.stats)
    assert not result.check.violations, [v.message for v in result.check.violations]
    assert result.terms["uncovered"] == shortfall
    assert result.weighted_changes == least == result.bound
    assert weighted_changes(build_instance(scenario), published, result.roster, now, near_weight) == least


# ---- hand-made cases -----------------------------------------------------------------------------
def nights_week(dates: tuple[int, ...], readers: list[dict], rule_set: dict | None = None) -> Scenario:
    """Site A needs one reader on the nights of `dates` (March 2026) and nothing else."""
    data = factory.data(radiologists=readers)
    data["shift_types"] = [data["shift_types"][0]]
    data["sites"][0]["coverage"] = [{"shift_type": "night", "dates": [day(n).isoformat() for n in dates],
                                     "studies": 10}]
    if rule_set:
        data["rule_sets"] = [{"id": "std", **rule_set}]
    return factory.build(data)


def nights(plan: dict[str, tuple[int, ...]], site: str = "A") -> Roster:
    return Roster(assignments=tuple(Assignment(reader=r, shift_type="night", date=day(n), sites=(site,))
                                    for r, days in plan.items() for n in days)).sorted()


def test_an_absence_with_a_free_reader_costs_two_changes():
    scen = nights_week((3, 4, 5), [factory.reader(f"r{k}") for k in range(1, 4)])
    published = nights({"r1": (3, 5), "r2": (4,)})
    assert_minimal(with_absence(scen, "r1", day(5), day(5)), published, START)


def test_an_absence_needing_a_chain_of_moves():
    """Nobody free can take the night of the 6th without giving up another night (one night each at most)."""
    readers = [factory.reader(f"r{k}") for k in range(1, 5)]
    readers[3]["leave"] = [{"start": "2026-03-06", "end": "2026-03-06"}]
    scen = nights_week((3, 5, 6), readers, {"shift_limits": {"night": {"max": 1}}})
    published = nights({"r2": (3,), "r3": (5,), "r1": (6,)})
    assert_minimal(with_absence(scen, "r1", day(6), day(6)), published, START)


def test_a_need_added_and_one_removed():
    readers = [factory.reader("r1", sites=("A", "B")), factory.reader("r2"), factory.reader("r3", sites=("B",))]
    data = factory.data(radiologists=readers)
    data["shift_types"] = [data["shift_types"][0]]
    data["sites"] = [
        {"id": "A", "jurisdiction": "FR", "timezone": "Europe/Paris",
         "coverage": [{"shift_type": "night", "dates": ["2026-03-03", "2026-03-04", "2026-03-05"], "studies": 10}]},
        {"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris",
         "coverage": [{"shift_type": "night", "dates": ["2026-03-04"], "studies": 10}]},
    ]
    scen = factory.build(data)
    published = Roster(assignments=(
        Assignment(reader="r1", shift_type="night", date=day(3), sites=("A",)),
        Assignment(reader="r2", shift_type="night", date=day(4), sites=("A",)),
        Assignment(reader="r3", shift_type="night", date=day(4), sites=("B",)),
        Assignment(reader="r1", shift_type="night", date=day(5), sites=("A",)),
    ))
    assert not check(scen, published).violations
    added = with_need_added(scen, "B", "night", [day(5)])
    assert_minimal(added, published, START)
    assert_minimal(with_need_removed(added, "B", "night", [day(4)]), published, START)


def test_a_license_ended_with_part_of_the_week_past():
    scen = nights_week((3, 4, 5, 6), [factory.reader(f"r{k}") for k in range(1, 4)])
    published = nights({"r1": (3, 5), "r2": (4, 6)})
    changed = with_credential_change(scen, "r1", license="FR", valid_until=day(4))
    assert_minimal(changed, published, dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC))


def test_near_term_weighting_prefers_moving_a_later_shift():
    """Two ways to cover r1's absence move four reader-shifts each; only one touches the next 72 hours."""
    readers = [factory.reader(f"r{k}") for k in range(1, 5)]
    readers[3]["leave"] = [{"start": "2026-03-06", "end": "2026-03-06"}]
    scen = nights_week((3, 5, 6), readers, {"shift_limits": {"night": {"max": 1}}})
    published = nights({"r2": (3,), "r3": (5,), "r1": (6,)})
    changed = with_absence(scen, "r1", day(6), day(6))
    # the near-term way: r2 gives up the night of the 3rd (within 72 h) for the 6th, r4 takes the 3rd
    near_way = nights({"r4": (3,), "r3": (5,), "r2": (6,)})
    inst = build_instance(changed)
    assert not check(inst, near_way).violations
    assert weighted_changes(inst, published, near_way, START, near_weight=1) == 4
    result = replan(changed, published, now=START, time_limit=20, workers=1)
    assert result.proven and result.number_of_changes == 4 and result.weighted_changes == 4
    assert result.near_changes == 0
    assert all(c.date >= day(5) for c in result.changes)
    # with every change weighing the same, both ways cost 4: the minimum is the same count
    flat = replan(changed, published, now=START, time_limit=20, workers=1, near_weight=1)
    assert flat.proven and flat.weighted_changes == 4


# ---- random cases --------------------------------------------------------------------------------
def random_case(seed: int) -> tuple[Scenario, Roster, dt.datetime]:
    """A random small week with a solved published roster and a random change (the roster count fits)."""
    rng = random.Random(seed)
    while True:
        dates = sorted(rng.sample(range(2, 9), rng.randint(3, 4)))
        n_readers = rng.randint(3, 4)
        readers = []
        for k in range(1, n_readers + 1):
            sites = ("A", "B") if rng.random() < 0.4 else rng.choice([("A",), ("B",)])
            readers.append(factory.reader(f"r{k}", sites=sites))
        if rng.random() < 0.3:
            readers[-1]["subspecialties"] = ["neuro"]
        data = factory.data(radiologists=readers)
        data["shift_types"] = [data["shift_types"][0]]
        b_dates = [d for d in dates if rng.random() < 0.4]
        data["sites"] = [
            {"id": "A", "jurisdiction": "FR", "timezone": "Europe/Paris", "priority": rng.choice([1, 5]),
             "coverage": [{"shift_type": "night", "dates": [day(d).isoformat() for d in dates], "studies": 10}]},
            {"id": "B", "jurisdiction": "FR", "timezone": "Europe/Paris",
             "coverage": [{"shift_type": "night", "dates": [day(d).isoformat() for d in b_dates or dates[:1]],
                           "studies": 10, **({"subspecialty": "neuro"} if rng.random() < 0.3 else {})}]},
        ]
        if rng.random() < 0.35:  # a day shift on one of the dates, at A
            data["shift_types"].append({"id": "day", "label": "day shift", "start": "08:30", "end": "18:30",
                                        "kind": "day"})
            data["sites"][0]["coverage"].append({"shift_type": "day", "dates": [day(rng.choice(dates)).isoformat()],
                                                 "studies": 5})
        # rules that dropping shifts never breaks, and rules it can break (minimums, weekends, long blocks)
        rule = rng.choice([{}, {"shift_limits": {"night": {"max": 2}}}, {"max_consecutive_nights": 1},
                           {"shift_limits": {"night": {"max": 1}}},
                           {"max_consecutive_nights": 3, "min_days_off_after_nights": 2},
                           {"shift_limits": {"night": {"min": 1, "max": 2}}}, {"complete_weekends": True},
                           {"min_total_hours": 10, "max_total_hours": 30}, {"min_consecutive_days": 2}])
        data["rule_sets"] = [{"id": "std", **rule}]
        scen = factory.build(data)
        found = solve(scen, time_limit=5, workers=1, explain=False)
        if not found.has_solution or found.check.violations:
            continue
        published = found.roster
        if published.assignments and rng.random() < 0.3:
            k = rng.randrange(len(published.assignments))
            locked = published.assignments[k].model_copy(update={"locked": True})
            published = Roster(assignments=published.assignments[:k] + (locked,) + published.assignments[k + 1:])
        now = START if rng.random() < 0.5 else dt.datetime(2026, 3, 2 + rng.randint(1, 4), 12, tzinfo=UTC)
        kind = rng.choice(["absence", "absence", "added", "license"])
        working = sorted({a.reader for a in published.assignments
                          if dt.datetime.combine(a.date, dt.time(18), tzinfo=UTC) > now})
        reader = rng.choice(working or [r["id"] for r in readers])
        if kind == "absence":
            d = day(rng.choice(dates))
            changed = with_absence(scen, reader, d, d + dt.timedelta(days=rng.randint(0, 1)))
        elif kind == "added":
            changed = with_need_added(scen, rng.choice(["A", "B"]), "night", [day(rng.choice(dates))])
        else:
            changed = with_credential_change(scen, reader, license="FR", valid_until=day(rng.choice(dates)))
        inst = build_instance(changed)
        if any(inst.shift_by_key[(a.shift_type, a.date)].start < now and
               not set(a.sites) <= set(inst.eligible.get((a.reader, inst.shift_by_key[(a.shift_type, a.date)].index),
                                                         ()))
               for a in published.assignments):
            continue  # a change reaching into the past: the brute force has no valid roster then
        if any(a.locked and not set(a.sites) <= set(inst.eligible.get(
                (a.reader, inst.shift_by_key[(a.shift_type, a.date)].index), ())) for a in published.assignments):
            continue  # a lock the change makes impossible is refused (tested in tests/test_replan.py)
        if MIN_ROSTERS <= roster_count(inst, published, now) <= MAX_ROSTERS:
            return changed, published, now


@pytest.mark.parametrize("seed", range(10))
def test_random_small_cases_match_the_brute_force(seed):
    changed, published, now = random_case(seed)
    assert_minimal(changed, published, now)
