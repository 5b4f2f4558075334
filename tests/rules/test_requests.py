"""Requests: each request date not honoured costs its weight (want: not working it; avoid: working it)."""

from __future__ import annotations

from scheduler.rules import requests
from tests import factory
from tests.rules.helpers_b import NIGHT, checked, counts, dates_of, day, run, scenario, site

WED = day(2).isoformat()


def want(dates: list[str], weight: int = 1, shift_type: str | None = None) -> dict:
    return {"kind": "want", "dates": dates, "weight": weight, "shift_type": shift_type}


def avoid(dates: list[str], weight: int = 1, shift_type: str | None = None) -> dict:
    return {"kind": "avoid", "dates": dates, "weight": weight, "shift_type": shift_type}


def test_check_term_by_hand():
    """Want Wednesday (5) unmet and avoid Friday (2) broken cost 7; the honouring roster costs 0."""
    r1 = factory.reader("r1", requests=[want([WED], 5), avoid([day(4).isoformat()], 2)])
    scen = scenario([r1, factory.reader("r2")])
    assert checked(scen, ("r1", "night", 4), ("r2", "night", 2)).terms[requests.NAME] == 7
    assert checked(scen, ("r1", "night", 2), ("r2", "night", 4)).terms[requests.NAME] == 0


def test_check_each_date_counts_and_outside_dates_are_ignored():
    """A two-date want missed on both dates costs twice its weight; a date outside the horizon costs nothing."""
    r1 = factory.reader("r1", requests=[want([day(0).isoformat(), day(1).isoformat()], 3),
                                        want([day(10).isoformat()], 50)])
    scen = scenario([r1, factory.reader("r2")])
    assert checked(scen).terms[requests.NAME] == 6
    assert checked(scen, ("r1", "night", 0)).terms[requests.NAME] == 3


def test_check_shift_type_must_match():
    """A want for the Saturday day shift is not met by the Saturday night; avoid of nights is not hurt by a day."""
    day_shift = {"id": "d", "start": "08:00", "end": "18:00", "days": ["weekends"]}
    a = site("night")
    a["coverage"].append({"shift_type": "d", "readers": 1})
    sat, sun = day(5).isoformat(), day(6).isoformat()
    r1 = factory.reader("r1", requests=[want([sat], 4, "d"), avoid([sun], 2, "night")])
    scen = scenario([r1], sites=[a], shift_types=[NIGHT, day_shift])
    assert checked(scen, ("r1", "night", 5), ("r1", "d", 6)).terms[requests.NAME] == 4
    assert checked(scen, ("r1", "d", 5), ("r1", "night", 6)).terms[requests.NAME] == 2
    assert checked(scen, ("r1", "d", 5), ("r1", "d", 6)).terms[requests.NAME] == 0


def test_heavier_want_wins_the_night():
    """Two readers want Wednesday night; the heavier request gets it, and swapping weights swaps the winner."""
    for w1, w2, winner in ((5, 1, "r1"), (1, 5, "r2")):
        readers = [factory.reader("r1", requests=[want([WED], w1)]), factory.reader("r2", requests=[want([WED], w2)]),
                   factory.reader("r3")]
        result = run(scenario(readers))
        assert day(2) in dates_of(result, winner)
        assert result.terms[requests.NAME] == min(w1, w2)


def test_avoid_is_honoured_when_free():
    """An avoid of Wednesday is honoured when another reader can take it at no cost."""
    readers = [factory.reader("r1", requests=[avoid([WED], 1)]), factory.reader("r2"), factory.reader("r3")]
    result = run(scenario(readers))
    assert day(2) not in dates_of(result, "r1")
    assert result.terms[requests.NAME] == 0


def test_avoid_yields_to_coverage():
    """A lone reader avoiding Wednesday still works it: coverage outweighs the request, which costs its weight."""
    result = run(scenario([factory.reader("r1", requests=[avoid([WED], 7)])]))
    assert counts(result) == {"r1": 7}
    assert result.terms[requests.NAME] == 7


def test_request_weight_against_fairness():
    """Avoiding every night with weight 1 loses to fairness (3/4 split); with weight 100 and no fairness, it wins."""
    every = [day(k).isoformat() for k in range(7)]
    light = run(scenario([factory.reader("r1", requests=[avoid(every, 1)]), factory.reader("r2")]))
    assert counts(light) == {"r1": 3, "r2": 4}  # the 3/4 split is fair either way; the request picks 3
    assert light.terms[requests.NAME] == 3
    heavy = run(scenario([factory.reader("r1", requests=[avoid(every, 100)]), factory.reader("r2")],
                         objective={"fairness": 0, "workload": 0}))
    assert counts(heavy) == {"r2": 7}
    assert heavy.terms[requests.NAME] == 0
