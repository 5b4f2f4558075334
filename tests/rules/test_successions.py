"""Forbidden successions: shift a on one date may not be followed by shift b the next date."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.instance import build_instance
from scheduler.rules import one_shift_per_day, successions
from scheduler.solver.model import build_model
from tests import factory
from tests.rules.helpers_b import (
    checked,
    counts,
    dates_of,
    day,
    rule_set,
    run,
    scenario,
    site,
    uncovered_dates,
    violations,
)

LATE = {"id": "late", "label": "late shift", "start": "14:00", "end": "22:00"}
EARLY = {"id": "early", "label": "early shift", "start": "06:00", "end": "14:00"}
TYPES = [LATE, EARLY]
RULES = [rule_set(), rule_set("no_late_early", forbidden_successions=[["late", "early"]])]


def sites(late_days: list[str], early_days: list[str]) -> list[dict]:
    s = site("late", days=late_days)
    s["coverage"].append({"shift_type": "early", "readers": 1, "days": early_days})
    return [s]


MON_TUE = sites(["mon"], ["tue"])  # a late shift on Monday, an early shift on Tuesday


def test_forbidden_succession_leaves_lone_reader_one_shift():
    """A lone reader who may not go from late to early covers only one of Monday late and Tuesday early."""
    scen = scenario([factory.reader("r1", rule_set="no_late_early")], rule_sets=RULES, sites=MON_TUE,
                    shift_types=TYPES)
    result = run(scen)
    assert counts(result) == {"r1": 1}
    assert len(uncovered_dates(result)) == 1


def test_succession_relaxed_lone_reader_covers_both():
    """Without the forbidden pair (and with no rest rule) the lone reader works late then early."""
    scen = scenario([factory.reader("r1")], rule_sets=RULES, sites=MON_TUE, shift_types=TYPES)
    result = run(scen)
    assert dates_of(result, "r1") == {day(0), day(1)}


def test_forbidden_succession_splits_between_readers():
    """With two such readers, the late and the early go to different readers."""
    readers = [factory.reader("r1", rule_set="no_late_early"), factory.reader("r2", rule_set="no_late_early")]
    result = run(scenario(readers, rule_sets=RULES, sites=MON_TUE, shift_types=TYPES))
    assert result.check.uncovered == []
    assert counts(result) == {"r1": 1, "r2": 1}


def test_reverse_order_is_allowed():
    """Early on Monday then late on Tuesday is not the forbidden order: the lone reader covers both."""
    scen = scenario([factory.reader("r1", rule_set="no_late_early")], rule_sets=RULES,
                    sites=sites(["tue"], ["mon"]), shift_types=TYPES)
    result = run(scen)
    assert dates_of(result, "r1") == {day(0), day(1)}


def test_history_late_the_day_before_blocks_monday_early():
    """A late shift worked on the Sunday before the horizon forbids Monday's early; two days before does not."""
    def scen(history_day: int):
        hist = {"shifts": [{"shift_type": "late", "date": day(history_day).isoformat()}]}
        return scenario([factory.reader("r1", rule_set="no_late_early", history=hist)], rule_sets=RULES,
                        sites=[site("early", days=["mon"])], shift_types=TYPES)

    blocked = run(scen(-1))
    assert counts(blocked) == {}
    assert uncovered_dates(blocked) == [day(0)]
    free = run(scen(-2))
    assert dates_of(free, "r1") == {day(0)}


def test_check_flags_the_second_shift_date():
    """Late on Monday then early on Tuesday is flagged for the reader on Tuesday."""
    scen = scenario([factory.reader("r1", rule_set="no_late_early"), factory.reader("r2")], rule_sets=RULES,
                    sites=MON_TUE, shift_types=TYPES)
    found = violations(checked(scen, ("r1", "late", 0), ("r1", "early", 1)), successions.NAME)
    assert [(v.reader, v.date) for v in found] == [("r1", day(1))]
    # the reader without the forbidden pair may do it; split between readers is fine too
    assert checked(scen, ("r2", "late", 0), ("r2", "early", 1)).violations == []
    assert checked(scen, ("r1", "late", 0), ("r2", "early", 1)).violations == []


def test_check_reverse_order_and_gap_are_fine():
    """Early then late the next day, or late then early two days later, break nothing."""
    scen = scenario([factory.reader("r1", rule_set="no_late_early")], rule_sets=RULES,
                    sites=sites(["all"], ["all"]), shift_types=TYPES)
    assert violations(checked(scen, ("r1", "early", 0), ("r1", "late", 1)), successions.NAME) == []
    assert violations(checked(scen, ("r1", "late", 0), ("r1", "early", 2)), successions.NAME) == []


def test_check_history_shift_before_the_horizon():
    """A history late on Sunday 1 March then an early on Monday 2 March is flagged on 2 March."""
    hist = {"shifts": [{"shift_type": "late", "date": day(-1).isoformat()}]}
    scen = scenario([factory.reader("r1", rule_set="no_late_early", history=hist)], rule_sets=RULES,
                    sites=sites(["all"], ["all"]), shift_types=TYPES)
    found = violations(checked(scen, ("r1", "early", 0)), successions.NAME)
    assert [(v.reader, v.date) for v in found] == [("r1", day(0))]
    assert violations(checked(scen, ("r1", "late", 0)), successions.NAME) == []


def test_shift_types_sharing_forbidden_followers_are_each_forbidden():
    """Late and night both may not be followed by early: a lone reader covers only one of each such pair,
    and the grouped encoding (one constraint per group and date) still lets early follow an early."""
    night = {"id": "night", "label": "night", "start": "22:00", "end": "23:30"}
    rules = [rule_set(), rule_set("strict", forbidden_successions=[["late", "early"], ["night", "early"]])]
    for first in ("late", "night"):
        s = site(first, days=["mon"])
        s["coverage"].append({"shift_type": "early", "readers": 1, "days": ["tue", "wed"]})
        result = run(scenario([factory.reader("r1", rule_set="strict")], rule_sets=rules, sites=[s],
                              shift_types=[LATE, EARLY, night]))
        assert counts(result) == {"r1": 2}  # Tuesday's early or Monday's shift goes; Wednesday's early stays
        assert day(2) in dates_of(result, "r1") and len(uncovered_dates(result)) == 1


def test_explaining_uses_the_pairwise_encoding_and_agrees():
    """With one shift a day guarded (as when explaining), the succession rule still bites the same way."""
    scen = scenario([factory.reader("r1", rule_set="no_late_early")], rule_sets=RULES, sites=MON_TUE,
                    shift_types=TYPES)
    inst = build_instance(scen)
    for guarded in (frozenset(), frozenset({one_shift_per_day.NAME})):
        built = build_model(inst, guarded=guarded, objective=False)
        xs = list(built.vars.x.values())
        built.model.add(sum(xs) == 2)  # both the late and the early: forbidden either way
        solver = cp_model.CpSolver()
        lits = list(built.vars.literals.values())
        built.model.add_assumptions(lits)
        assert solver.solve(built.model) == cp_model.INFEASIBLE
