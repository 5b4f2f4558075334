"""Per-type shift limits: min and max shifts of a type per reader; a reader's own limits override."""

from __future__ import annotations

from scheduler.rules import shift_limits
from tests import factory
from tests.rules.helpers_b import checked, counts, rule_set, run, scenario, uncovered_dates, violations

RULES = [rule_set(), rule_set("max2", shift_limits={"night": {"max": 2}})]


def test_max_limit_leaves_nights_uncovered():
    """A lone reader limited to two nights covers two of seven; relaxed, all seven."""
    result = run(scenario([factory.reader("r1", rule_set="max2")], rule_sets=RULES))
    assert counts(result) == {"r1": 2}
    assert len(uncovered_dates(result)) == 5
    relaxed = run(scenario([factory.reader("r1")], rule_sets=RULES))
    assert counts(relaxed) == {"r1": 7}


def test_min_limit_overrides_fairness():
    """A reader with a minimum of five nights works at least five, though fairness would give three."""
    readers = [factory.reader("r1", shift_limits={"night": {"min": 5}}), factory.reader("r2"), factory.reader("r3")]
    result = run(scenario(readers, rule_sets=RULES))
    assert counts(result)["r1"] >= 5
    relaxed = run(scenario([factory.reader(f"r{k}") for k in (1, 2, 3)], rule_sets=RULES))
    assert max(counts(relaxed).values()) == 3


def test_reader_limit_overrides_rule_set():
    """Both readers' rule set caps nights at two, but r1's own cap of five wins: 5 + 2 covers the week."""
    readers = [factory.reader("r1", rule_set="max2", shift_limits={"night": {"max": 5}}),
               factory.reader("r2", rule_set="max2")]
    result = run(scenario(readers, rule_sets=RULES))
    assert result.check.uncovered == []
    assert counts(result) == {"r1": 5, "r2": 2}
    without = run(scenario([factory.reader("r1", rule_set="max2"), factory.reader("r2", rule_set="max2")],
                           rule_sets=RULES))
    assert counts(without) == {"r1": 2, "r2": 2}
    assert len(uncovered_dates(without)) == 3


def test_check_max_limit():
    """Three nights against a rule-set maximum of two are flagged for the reader, by one."""
    scen = scenario([factory.reader("r1", rule_set="max2"), factory.reader("r2")], rule_sets=RULES)
    found = violations(checked(scen, *[("r1", "night", k) for k in range(3)]), shift_limits.NAME)
    assert [(v.reader, v.date, v.amount) for v in found] == [("r1", None, 1)]
    assert checked(scen, ("r1", "night", 0), ("r1", "night", 1), *[("r2", "night", k) for k in range(2, 7)]
                   ).violations == []


def test_check_min_limit():
    """One night against a minimum of three is flagged short by two; three nights are fine."""
    scen = scenario([factory.reader("r1", shift_limits={"night": {"min": 3}})], rule_sets=RULES)
    found = violations(checked(scen, ("r1", "night", 0)), shift_limits.NAME)
    assert [(v.reader, v.amount) for v in found] == [("r1", 2)]
    assert "at least 3" in found[0].message
    assert violations(checked(scen, *[("r1", "night", k) for k in range(3)]), shift_limits.NAME) == []


def test_check_reader_override_replaces_rule_set_limit():
    """With the reader's own max of five, four nights are fine despite the rule set's max of two."""
    scen = scenario([factory.reader("r1", rule_set="max2", shift_limits={"night": {"max": 5}})], rule_sets=RULES)
    assert violations(checked(scen, *[("r1", "night", k) for k in range(4)]), shift_limits.NAME) == []
    found = violations(checked(scen, *[("r1", "night", k) for k in range(6)]), shift_limits.NAME)
    assert [(v.reader, v.amount) for v in found] == [("r1", 1)]
