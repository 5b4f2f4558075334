"""The example scenarios load, make sense, and solve to full coverage that the checker accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.instance import build_instance
from scheduler.io.scenario_yaml import load_scenario
from scheduler.solver import solve

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def test_the_three_examples_are_there():
    """tiny, French regional and US multi-state examples ship with the project."""
    assert {p.stem for p in EXAMPLES} >= {"tiny", "fr_regional", "us_multistate"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_loads_and_every_need_has_eligible_readers(path: Path):
    """Each example validates, and every need can be covered by at least two eligible readers."""
    inst = build_instance(load_scenario(path))
    assert inst.demands
    eligible: dict[tuple[str, int], int] = {}
    for (_reader, shift), sites in inst.eligible.items():
        for site in sites:
            eligible[(site, shift)] = eligible.get((site, shift), 0) + 1
    assert min(eligible.get(key, 0) for key in inst.demands) >= 2


def test_french_example_spans_the_october_dst_change():
    """The French month contains the 25 October night that lasts an hour longer."""
    inst = build_instance(load_scenario("scenarios/fr_regional.yaml"))
    nights = {s.date.isoformat(): s.minutes for s in inst.shifts if s.is_night}
    assert nights["2026-10-24"] == nights["2026-10-23"] + 60


def test_us_example_has_offshore_readers_and_expiring_credentials():
    """Two Sydney readers, and licenses or privileges that lapse inside the month."""
    scenario = load_scenario("scenarios/us_multistate.yaml")
    assert sum(r.timezone == "Australia/Sydney" for r in scenario.radiologists) == 2
    h = scenario.horizon
    lapsing = [c for r in scenario.radiologists for c in (*r.licenses, *r.privileges)
               if c.valid_until is not None and h.start <= c.valid_until < h.end]
    assert lapsing


@pytest.mark.parametrize("name,limit,method", [("tiny", 10, "full"), ("fr_regional", 30, "decomposed")])
def test_example_solves_to_full_coverage_and_passes_the_checker(name: str, limit: float, method: str):
    """The examples are fully coverable: the roster covers every need and breaks no rule. The
    French example is decomposed, and its master's LNS improves well on the greedy start."""
    result = solve(load_scenario(f"scenarios/{name}.yaml"), time_limit=limit, workers=2)
    assert result.has_solution
    assert result.uncovered == []
    assert result.check.violations == []
    assert result.check.objective == result.objective
    assert result.objective <= result.stats["greedy_objective"]
    if method == "decomposed":
        assert result.stats["method"] == "decomposed" and result.stats["lns_iterations"] > 0
        assert result.objective < 0.9 * result.stats["greedy_objective"]
