"""The benchmark scale tiers S, M and L: sizes, seeded determinism, eligibility, and S solved in full."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from benchmarks.tiers import (
    MIN_ELIGIBLE,
    Eligibility,
    analyse,
    region_of_site,
    tier_l,
    tier_m,
    tier_s,
    validate,
)
from scheduler.check import check
from scheduler.instance import build_instance
from scheduler.io.scenario_yaml import load_scenario
from scheduler.solver import solve


@pytest.fixture(scope="module")
def s_data() -> dict:
    return tier_s()


@pytest.fixture(scope="module")
def m_data() -> dict:
    return tier_m()


@pytest.fixture(scope="module")
def l_data() -> dict:
    return tier_l()


@pytest.fixture(scope="module")
def l_scenario(l_data):
    return validate(l_data)


def eligible_counts(inst) -> Counter:
    counts: Counter = Counter()
    for (_reader, shift), sites in inst.eligible.items():
        for site in sites:
            counts[(site, shift)] += 1
    return counts


# ---- S ------------------------------------------------------------------------------------------
def test_tier_s_is_a_french_regional_month(s_data):
    """40 readers, 20 sites, November 2026 in Paris time with its holidays, nights and weekend days."""
    scen = validate(s_data)
    assert len(scen.radiologists) == 40
    assert len(scen.sites) == 20
    assert (scen.horizon.start, scen.horizon.end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert scen.horizon.timezone == "Europe/Paris"
    assert dt.date(2026, 11, 11) in scen.horizon.holidays.dates(scen.horizon.start, scen.horizon.end)
    assert {st.id for st in scen.shift_types} == {"night", "weekend_day"}
    neuro_sites = {s.id for s in scen.sites for n in s.coverage if n.subspecialty == "neuro"}
    assert 3 <= len(neuro_sites) <= 6
    assert {r.rule_set for r in scen.radiologists} == {"fr_ph", "fr_liberal"}
    ph = scen.rule_set_by_id["fr_ph"]
    assert ph.min_rest_hours == 11 and ph.max_hours_rolling_7_days == 48 and ph.max_consecutive_nights
    assert ph.min_days_off_after_nights and ph.max_weekends and ph.shift_limits
    assert sum(bool(r.leave) for r in scen.radiologists) >= 3
    assert sum(bool(r.requests) for r in scen.radiologists) >= 3
    assert all(h.date.month == 10 for r in scen.radiologists for h in r.history.shifts)
    assert sum(bool(r.history.shifts) for r in scen.radiologists) >= 5


def test_tier_s_every_need_has_two_eligible_readers_on_every_shift(s_data):
    """Counted with build_instance, in all and for the subspecialty a need asks for."""
    scen = validate(s_data)
    inst = build_instance(scen)
    counts = eligible_counts(inst)
    assert inst.demands
    assert min(counts.get(key, 0) for key in inst.demands) >= 2
    for (site, shift), demand in inst.demands.items():
        for sub in demand.required_by_subspecialty:
            readers = [r for (r, i), sites in inst.eligible.items() if i == shift and site in sites
                       and sub in scen.radiologist_by_id[r].subspecialties]
            assert len(readers) >= 2, (site, shift, sub)
    stats = analyse(scen, inst=inst)  # the tiers' own counter agrees with build_instance
    assert (stats.needs, stats.eligible_pairs, stats.triples) == (
        len(inst.demands), len(inst.eligible), sum(counts.values()))


def test_tier_s_greedy_roster_covers_everything_within_the_rules(s_data):
    """A certificate without the solver: 3-7 readers a night, no rule broken, capacity to spare."""
    scen = validate(s_data)
    inst = build_instance(scen)
    stats = analyse(scen, inst=inst)
    assert stats.min_eligible >= MIN_ELIGIBLE
    assert stats.greedy_uncovered == 0
    assert 3 <= stats.readers_per_shift["night"] <= 7
    assert stats.month_slack > 2
    report = check(inst, stats.roster)
    assert report.violations == []
    assert report.uncovered == []


def test_fast_eligibility_agrees_with_build_instance():
    """The tiers' counter (used where build_instance is too slow) matches it on the US example:
    time zones, subspecialties, licenses and privileges that start or lapse mid-month."""
    scen = load_scenario("scenarios/us_multistate.yaml")
    inst = build_instance(scen)
    counts = eligible_counts(inst)
    stats = analyse(scen, inst=inst)
    assert stats.needs == len(inst.demands)
    assert stats.eligible_pairs == len(inst.eligible)
    assert stats.triples == sum(counts.values())
    el = Eligibility(scen)
    by_key = {(s.type_id, s.date): s.index for s in inst.shifts}
    assert {(site, by_key[(t, d)]): c for (site, t, d), c in el.count.items()} == {
        key: counts.get(key, 0) for key in inst.demands}


@pytest.mark.slow
def test_tier_s_solves_fully_covered_without_violations(s_data):
    result = solve(validate(s_data), time_limit=20, workers=2)
    assert result.has_solution
    assert result.check.violations == []
    assert result.check.uncovered == []


# ---- M ------------------------------------------------------------------------------------------
def test_tier_m_is_a_french_national_month(m_data):
    """600 readers, 200 sites in 12 regions, 4 shift types, 5 subspecialties; 20 % caps; few full-timers."""
    scen = validate(m_data)
    assert len(scen.radiologists) == 600
    assert len(scen.sites) == 200
    assert len({region_of_site(s.id) for s in scen.sites}) == 12
    assert len(scen.shift_types) == 4
    assert len(scen.subspecialties) == 5
    assert (scen.horizon.end - scen.horizon.start).days + 1 == 31
    full = [r for r in scen.radiologists if r.rule_set == "fr_telerad"]
    assert 0 < len(full) < 0.2 * 600
    for r in scen.radiologists:
        rules = scen.rules_for(r)
        if r.rule_set == "fr_telerad":
            continue
        night = r.shift_limits.get("night") or rules.shift_limits["night"]
        assert night.max <= 3
        assert rules.max_total_hours <= 0.2 * 220  # a fifth of a full month's activity
    # privileges mostly in the reader's own region (reader ids start with it)
    own = sum(region_of_site(p.site) == r.id.split("-")[0] for r in scen.radiologists for p in r.privileges)
    assert own / sum(len(r.privileges) for r in scen.radiologists) > 0.7


def test_tier_m_can_be_covered_in_full(m_data):
    """Every need has eligible readers, and the greedy roster covers all of them within the rules."""
    scen = validate(m_data)
    inst = build_instance(scen)
    stats = analyse(scen, inst=inst)
    assert stats.min_eligible >= MIN_ELIGIBLE
    assert stats.greedy_uncovered == 0
    assert stats.month_slack > 2
    report = check(inst, stats.roster)
    assert report.violations == []
    assert report.uncovered == []


# ---- L ------------------------------------------------------------------------------------------
def test_tier_l_is_a_us_national_month(l_scenario):
    """500 readers, 2,000 facilities in 50 states and DC, ~14 licenses and ~175 privileges per reader."""
    scen = l_scenario
    assert len(scen.radiologists) == 500
    assert len(scen.sites) == 2000
    assert len(scen.jurisdictions) == 51
    assert {s.jurisdiction for s in scen.sites} == {j.id for j in scen.jurisdictions}
    assert 12 <= sum(len(r.licenses) for r in scen.radiologists) / 500 <= 16
    assert 150 <= sum(len(r.privileges) for r in scen.radiologists) / 500 <= 200
    juris = {s.id: s.jurisdiction for s in scen.sites}
    for r in scen.radiologists:  # privileges only where licensed
        licensed = {lic.jurisdiction for lic in r.licenses}
        assert all(juris[p.site] in licensed for p in r.privileges), r.id
    zones = {r.timezone for r in scen.radiologists}
    assert {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"} <= zones
    assert {"Australia/Sydney", "Europe/Zurich"} <= zones
    hawk = scen.rule_set_by_id["us_nighthawk"]
    assert (hawk.max_consecutive_nights, hawk.min_days_off_after_nights) == (7, 7)
    assert all(st.timezone for st in scen.shift_types)
    assert {st.kind.value for st in scen.shift_types} == {"day", "evening", "night"}


def test_tier_l_every_need_has_eligible_readers(l_scenario):
    el = Eligibility(l_scenario)
    assert el.min_eligible >= MIN_ELIGIBLE
    assert len(el.needs) > 50_000


# ---- determinism ---------------------------------------------------------------------------------
@pytest.mark.parametrize("build,fixture", [(tier_s, "s_data"), (tier_m, "m_data")])
def test_same_seed_same_data_other_seed_other_data(build, fixture, request):
    data = request.getfixturevalue(fixture)
    assert build() == data
    assert build(seed=101) != data


@pytest.mark.slow
def test_tier_l_same_seed_same_data_other_seed_other_data(l_data):
    assert tier_l() == l_data
    assert tier_l(seed=101) != l_data
