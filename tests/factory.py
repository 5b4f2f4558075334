"""Small scenarios built in code, for tests: a dict you can tweak, then `build(data)`."""

from __future__ import annotations

import copy
from typing import Any

from scheduler.io.scenario_yaml import scenario_from_data
from scheduler.scenario import Scenario

BASE: dict[str, Any] = {
    "name": "test",
    "horizon": {"start": "2026-03-02", "end": "2026-03-08", "timezone": "Europe/Paris",
                "holidays": {"country": "FR"}},
    "jurisdictions": [{"id": "FR"}],
    "subspecialties": [{"id": "neuro"}],
    "shift_types": [
        {"id": "night", "label": "night", "start": "18:30", "end": "08:30", "kind": "night", "burden_points": 3},
        {"id": "day", "label": "day shift", "start": "08:30", "end": "18:30", "kind": "day", "burden_points": 1,
         "days": ["weekends", "holidays"]},
    ],
    "rule_sets": [{"id": "std", "min_rest_hours": 11, "rest_after_night_hours": 11}],
    "sites": [
        {"id": "A", "name": "Site A", "jurisdiction": "FR", "timezone": "Europe/Paris",
         "coverage": [{"shift_type": "night", "readers": 1, "studies": 10}]},
    ],
    "radiologists": [
        {"id": f"r{k}", "name": f"Dr {k}", "rule_set": "std", "licenses": [{"jurisdiction": "FR"}],
         "privileges": [{"site": "A"}]}
        for k in range(1, 4)
    ],
}


def data(**top: Any) -> dict[str, Any]:
    """A deep copy of the base scenario data with top-level keys replaced."""
    d = copy.deepcopy(BASE)
    d.update(copy.deepcopy(top))
    return d


def build(d: dict[str, Any] | None = None, **top: Any) -> Scenario:
    """Validate scenario data (the base one by default) into a Scenario."""
    return scenario_from_data(d if d is not None else data(**top))


def reader(rid: str, *, sites: tuple[str, ...] = ("A",), rule_set: str = "std", **extra: Any) -> dict[str, Any]:
    """A reader dict licensed for FR with privileges at `sites`."""
    r = {"id": rid, "name": f"Dr {rid}", "rule_set": rule_set, "licenses": [{"jurisdiction": "FR"}],
         "privileges": [{"site": s} for s in sites]}
    r.update(extra)
    return r
