"""The README documents every rule the checker can report and every objective term."""

from __future__ import annotations

from pathlib import Path

from scheduler.rules import HARD, SOFT
from scheduler.scenario import ObjectiveWeights, RuleSet

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
CONSTANTS = ("NAME", "OFF", "TOTAL", "COMPLETE", "CAP")


def test_every_hard_rule_name_is_in_the_catalogue():
    """Each violation name a hard rule can emit appears in the README's rule catalogue."""
    names = {getattr(m, c) for m in HARD for c in CONSTANTS if hasattr(m, c)} - {"uncovered"}
    missing = [n for n in sorted(names) if f"`{n}`" not in README]
    assert not missing


def test_every_objective_term_and_rule_set_field_is_documented():
    """Objective weights and rule-set fields are all described in the format reference."""
    fields = set(ObjectiveWeights.model_fields) | (set(RuleSet.model_fields) - {"id", "label"})
    missing = [f for f in sorted(fields) if f"`{f}`" not in README]
    assert not missing
    assert [name for name, _ in SOFT] == list(ObjectiveWeights.model_fields)


def test_every_rule_module_has_a_docstring():
    """A rule is one unit: its module states the rule in words."""
    for module in HARD + [m for _, m in SOFT]:
        assert module.__doc__ and len(module.__doc__.split()) > 8, module.__name__
