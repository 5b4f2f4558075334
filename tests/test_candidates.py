"""Ranked candidates for an open shift: the verdict and cost equal the full checker's, the words say why."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scheduler import cli
from scheduler.check import check
from scheduler.errors import InputError
from scheduler.instance import build_instance
from scheduler.io.roster_io import write_roster
from scheduler.io.scenario_yaml import load_scenario, scenario_from_data
from scheduler.replan.candidates import Candidate, rank_candidates
from scheduler.result import Assignment, CheckReport, Roster, Violation
from scheduler.scenario import Scenario
from tests import factory
from tests.strategies import scenario_data

MON, TUE, WED = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)
SAT = dt.date(2026, 3, 7)
PROPERTY = settings(max_examples=80, deadline=None, derandomize=True, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

EVENING = {"id": "evening", "label": "evening", "start": "18:00", "end": "23:00", "kind": "evening",
           "burden_points": 1}


def _roster(*rows: tuple[Any, ...]) -> Roster:
    """Rows (reader, shift_type, date, sites)."""
    return Roster(assignments=tuple(Assignment(reader=r, shift_type=t, date=d, sites=tuple(s)) for r, t, d, s in rows))


def _by_id(candidates: list[Candidate]) -> dict[str, Candidate]:
    return {c.reader: c for c in candidates}


def _with(roster: Roster, c: Candidate, shift_type: str, date: dt.date) -> Roster:
    """`roster` once candidate `c` takes the shift (their assignment on it replaced by c.sites)."""
    kept = tuple(a for a in roster.assignments if (a.reader, a.shift_type, a.date) != (c.reader, shift_type, date))
    return Roster(assignments=(*kept, Assignment(reader=c.reader, shift_type=shift_type, date=date, sites=c.sites)))


def _worse(before: CheckReport, after: CheckReport) -> list[Violation]:
    """The specification, stated on two full reports: per rule and reader (or per rule and site shift),
    the violations that appear when their total amount does not go down."""
    def key(v: Violation) -> tuple:
        return (v.rule, v.reader) if v.reader else (v.rule, v.site, v.date)

    out = []
    for k in {key(v) for v in after.violations}:
        was = [v for v in before.violations if key(v) == k]
        now = [v for v in after.violations if key(v) == k]
        fresh = Counter(now) - Counter(was)
        if fresh and sum(v.amount for v in now) >= sum(v.amount for v in was) - 1e-9:
            out += list(fresh.elements())
    return out


def _evening_scenario(reader_zone: str = "Europe/Paris", *, rules: dict | None = None) -> Scenario:
    """Site A needs a night every day and an evening (18:00-23:00) on Tuesday; three readers."""
    d = factory.data()
    d["shift_types"] = [d["shift_types"][0], EVENING]
    d["sites"][0]["coverage"] = [{"shift_type": "night", "readers": 1, "studies": 10},
                                 {"shift_type": "evening", "days": ["tue"], "readers": 1}]
    d["radiologists"] = [factory.reader("r1", timezone=reader_zone), factory.reader("r2"), factory.reader("r3")]
    if rules:
        d["rule_sets"] = [rules]
    return factory.build(d)


# ---- words ---------------------------------------------------------------------------------------


def test_rest_reason_reads_like_the_issue():
    """A night ending 08:30 then an 18:00 evening: 9.5 h of the 11 h required, said from this shift's side."""
    c = _by_id(rank_candidates(_evening_scenario(), _roster(("r1", "night", MON, ["A"])), "A", "evening", TUE))["r1"]
    assert not c.ok
    assert c.reasons == ["rest: the night of 2 Mar 2026 ends at 08:30 (Europe/Paris), "
                         "9.5 h before this shift starts; 11 h required"]


def test_rest_reason_uses_the_reader_own_time_zone():
    """A reader living in New York sees the night's end at 02:30, their own clock."""
    c = _by_id(rank_candidates(_evening_scenario("America/New_York"), _roster(("r1", "night", MON, ["A"])),
                               "A", "evening", TUE))["r1"]
    assert c.reasons == ["rest: the night of 2 Mar 2026 ends at 02:30 (America/New_York), "
                         "9.5 h before this shift starts; 11 h required"]


def test_rest_reason_when_this_shift_comes_first():
    """Taking Monday's night before a Tuesday evening already worked: this shift ends 9.5 h before it."""
    c = _by_id(rank_candidates(_evening_scenario(), _roster(("r1", "evening", TUE, ["A"])), "A", "night", MON))["r1"]
    assert c.reasons == ["rest: this shift ends at 08:30 (Europe/Paris), 9.5 h before the evening of 3 Mar 2026 "
                         "starts; 11 h required"]


def test_every_reason_is_given_not_only_the_first():
    """On leave, without privileges and short of rest: three reasons, each in words."""
    d = _evening_scenario().model_dump(mode="json")
    d["radiologists"][0]["leave"] = [{"start": "2026-03-03", "end": "2026-03-03", "reason": "leave"}]
    d["radiologists"][0]["privileges"] = []
    c = _by_id(rank_candidates(scenario_from_data(d), _roster(("r1", "night", MON, ["A"])), "A", "evening", TUE))["r1"]
    assert not c.ok and len(c.reasons) == len(c.violations) == 3
    assert c.reasons[0] == "not eligible: is on leave (3 Mar 2026)"
    assert c.reasons[1] == "not eligible: has no privileges at Site A"
    assert c.reasons[2].startswith("rest: the night of 2 Mar 2026 ends at 08:30")


def test_overlap_and_one_shift_a_day_are_said():
    """A reader on Tuesday's evening asked for Tuesday's night: one shift a day; a 19:00 start overlaps."""
    d = _evening_scenario().model_dump(mode="json")
    d["shift_types"][1]["end"] = "19:00"
    d["shift_types"][0]["start"] = "18:30"
    d["shift_types"][1]["start"] = "14:00"
    d["shift_types"][1]["end"] = "20:00"
    c = _by_id(rank_candidates(scenario_from_data(d), _roster(("r1", "evening", TUE, ["A"])), "A", "night", TUE))["r1"]
    assert c.reasons == [
        "one shift a day: already works the evening of 3 Mar 2026 (14:00 to 20:00, Europe/Paris)",
        "overlap: already works the evening of 3 Mar 2026 (14:00 to 20:00, Europe/Paris), which overlaps this shift",
    ]


# ---- ranking -------------------------------------------------------------------------------------


def test_ok_readers_first_by_cost_then_the_others_by_fewest_reasons():
    """r1 worked Monday's night (rest breaks Tuesday's evening); r2 and r3 are free and ranked by cost."""
    cands = rank_candidates(_evening_scenario(), _roster(("r1", "night", MON, ["A"]), ("r3", "night", WED, ["A"])),
                            "A", "evening", TUE)
    assert [c.ok for c in cands] == [True, True, False]
    assert cands[0].cost <= cands[1].cost and cands[-1].reader == "r1"
    # r2 has no burden yet, r3 has a night: giving the evening to r2 is the fairer move
    assert cands[0].reader == "r2" and cands[0].terms["fairness"] < cands[1].terms["fairness"]


def test_readers_already_covering_and_the_releasing_reader_are_left_out():
    """r1 covers the night; releasing it leaves r2 and r3 as candidates and the need uncovered in the costs."""
    s = _evening_scenario()
    roster = _roster(("r1", "night", TUE, ["A"]))
    assert [c.reader for c in rank_candidates(s, roster, "A", "night", TUE)] == ["r2", "r3"]
    released = rank_candidates(s, roster, "A", "night", TUE, releasing="r1")
    assert sorted(c.reader for c in released) == ["r2", "r3"]
    assert all(c.terms["uncovered"] == -1 and c.ok for c in released)


def test_a_reader_on_the_shift_elsewhere_takes_the_site_on_too():
    """r1 reads site B on Tuesday's night: taking A adds it to that assignment, with no new reader called in."""
    d = factory.data()
    d["sites"].append({"id": "B", "name": "Site B", "jurisdiction": "FR", "timezone": "Europe/Paris",
                       "coverage": [{"shift_type": "night", "readers": 1, "studies": 10}]})
    d["radiologists"] = [factory.reader("r1", sites=("A", "B")), factory.reader("r2")]
    roster = _roster(("r1", "night", TUE, ["B"]))
    c = _by_id(rank_candidates(factory.build(d), roster, "A", "night", TUE))["r1"]
    assert c.ok and c.joins and c.sites == ("B", "A") and c.terms["reader_shifts"] == 0
    d["radiologists"][0]["studies_per_hour"] = 1  # 14 h of reading at 1 study an hour cannot take 20 studies
    c = _by_id(rank_candidates(factory.build(d), roster, "A", "night", TUE))["r1"]
    assert not c.ok and [v.rule for v in c.violations] == ["capacity"]
    assert c.reasons[0].startswith("capacity: takes on 20 studies on the night of 3 Mar 2026 but can read 14")


def test_staffing_cap_is_a_reason_for_everyone_when_the_need_is_full():
    """A need of one reader, covered: every other reader would be one too many."""
    cands = rank_candidates(_evening_scenario(), _roster(("r1", "night", TUE, ["A"])), "A", "night", TUE)
    assert cands and all(not c.ok for c in cands)
    assert all(c.reasons == ["staffing cap: Site A already has 1 reader on this shift; at most 1 allowed"]
               for c in cands)


# ---- bad arguments -------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "path", "words"), [
    (("Z", "night", TUE), "site", "unknown site 'Z'; valid sites: A"),
    (("A", "dawn", TUE), "shift_type", "unknown shift type 'dawn'; valid types: night, evening"),
    (("A", "night", dt.date(2026, 4, 1)), "date", "2026-04-01 is outside the horizon (2026-03-02 to 2026-03-08)"),
    (("A", "evening", MON), "site", "Site A has no need on the evening of 2 Mar 2026; it needs evening shifts on "
                                    "2026-03-03; on 2 Mar 2026 it needs: night"),
])
def test_bad_arguments_are_named_with_what_is_valid(args, path, words):
    with pytest.raises(InputError) as err:
        rank_candidates(_evening_scenario(), Roster(), *args)
    assert [(i.path, i.message) for i in err.value.issues] == [(path, words)]


def test_releasing_a_shift_one_does_not_cover_is_refused():
    with pytest.raises(InputError) as err:
        rank_candidates(_evening_scenario(), _roster(("r1", "night", TUE, ["A"])), "A", "night", TUE, releasing="r2")
    assert err.value.issues[0].path == "releasing"
    assert err.value.issues[0].message == "Dr r2 does not cover Site A on the night of 3 Mar 2026; covering it: r1"


# ---- against the full checker --------------------------------------------------------------------


def _assert_like_the_checker(scenario: Scenario, roster: Roster, site: str, shift_type: str, date: dt.date,
                             releasing: str | None) -> list[Candidate]:
    """Every candidate's verdict, added violations and cost equal what re-checking the whole roster says."""
    inst = build_instance(scenario)
    cands = rank_candidates(inst, roster, site, shift_type, date, releasing=releasing)
    base = roster
    if releasing:
        base = Roster(assignments=tuple(
            a if (a.reader, a.shift_type, a.date) != (releasing, shift_type, date) or site not in a.sites
            else a.model_copy(update={"sites": tuple(s for s in a.sites if s != site)})
            for a in roster.assignments))
        base = Roster(assignments=tuple(a for a in base.assignments if a.sites))
    covering = {a.reader for a in base.assignments if (a.shift_type, a.date) == (shift_type, date) and site in a.sites}
    assert {c.reader for c in cands} == {r.id for r in scenario.radiologists} - covering - {releasing}
    before = check(inst, base)
    for c in cands:
        after = check(inst, _with(base, c, shift_type, date))
        worse = _worse(before, after)
        assert c.ok == (not worse), (c.reader, c.reasons, [v.message for v in worse])
        assert Counter(c.violations) == Counter(worse)
        assert len(c.reasons) == len(c.violations)
        assert c.cost == after.objective - before.objective, (c.reader, c.terms)
        assert c.terms == {k: after.terms[k] - before.terms[k] for k in after.terms}
        if not before.violations:  # the issue's words: ok exactly when the roster gains no hard violation
            assert c.ok == (not after.violations)
    ranks = [(0, c.cost, c.name) if c.ok else (1, len(c.reasons), c.name) for c in cands]
    assert ranks == sorted(ranks)
    return cands


@st.composite
def _case(draw) -> tuple[Scenario, Roster, str, str, dt.date, str | None]:
    """A random scenario, a random roster on it (any sites, so rules get broken), and one need to fill."""
    scenario = scenario_from_data(draw(scenario_data()))
    inst = build_instance(scenario)
    keys = sorted(inst.demands)
    assume(keys)
    rows = []
    for r in scenario.radiologists:
        for s in inst.shifts:
            if draw(st.sampled_from((False, False, False, True))):
                needing = sorted(site for site, i in keys if i == s.index)
                sites = draw(st.lists(st.sampled_from(needing), min_size=1, max_size=len(needing), unique=True))
                rows.append(Assignment(reader=r.id, shift_type=s.type_id, date=s.date, sites=tuple(sites)))
    roster = Roster(assignments=tuple(rows))
    site, i = draw(st.sampled_from(keys))
    shift = inst.shifts[i]
    covering = sorted({a.reader for a in rows if (a.shift_type, a.date) == (shift.type_id, shift.date)
                       and site in a.sites})
    releasing = draw(st.sampled_from([None, *covering]))
    return scenario, roster, site, shift.type_id, shift.date, releasing


@PROPERTY
@given(_case())
def test_verdict_and_cost_equal_the_full_checker_on_random_rosters(case) -> None:
    _assert_like_the_checker(*case)


@st.composite
def _clean_case(draw) -> tuple[Scenario, Roster, str, str, dt.date, None]:
    """A random scenario and a roster grown one random cover at a time while the checker finds nothing wrong."""
    scenario = scenario_from_data(draw(scenario_data()))
    inst = build_instance(scenario)
    assume(inst.demands)
    rows: list[Assignment] = []
    for (site, i) in draw(st.permutations(sorted(inst.demands)))[:8]:
        s = inst.shifts[i]
        rid = draw(st.sampled_from([r.id for r in scenario.radiologists]))
        old = next((a for a in rows if (a.reader, a.shift_type, a.date) == (rid, s.type_id, s.date)), None)
        if old is not None and site in old.sites:
            continue
        new = Assignment(reader=rid, shift_type=s.type_id, date=s.date, sites=(*old.sites, site) if old else (site,))
        trial = [a for a in rows if a is not old] + [new]
        if not check(inst, Roster(assignments=tuple(trial))).violations:
            rows = trial
    site, i = draw(st.sampled_from(sorted(inst.demands)))
    return scenario, Roster(assignments=tuple(rows)), site, inst.shifts[i].type_id, inst.shifts[i].date, None


@PROPERTY
@given(_clean_case())
def test_on_valid_rosters_ok_means_the_checker_finds_nothing(case) -> None:
    _assert_like_the_checker(*case)


def test_french_example_need_agrees_with_the_checker():
    """A Saturday need of the French example on a roster filled greedily from the ranking itself."""
    scenario = load_scenario("scenarios/fr_regional.yaml")
    inst = build_instance(scenario)
    roster = Roster()
    sat = dt.date(2026, 10, 10)
    for (site, i) in sorted(inst.demands):
        s = inst.shifts[i]
        if s.date != sat:
            continue
        best = rank_candidates(inst, roster, site, s.type_id, s.date)
        if best and best[0].ok:
            roster = _with(roster, best[0], s.type_id, s.date)
    assert roster.assignments and not check(inst, roster).violations
    covered = sorted({(a.shift_type, site) for a in roster.assignments for site in a.sites})
    shift_type, site = covered[0]
    releasing = next(a.reader for a in roster.assignments if a.shift_type == shift_type and site in a.sites)
    _assert_like_the_checker(scenario, roster, site, shift_type, sat, releasing)


def test_taking_the_top_candidate_each_time_builds_a_valid_roster_at_the_predicted_cost():
    """Filling the tiny example need by need with the best ok candidate: the checker accepts every step,
    and the objective falls by exactly the sum of the predicted costs."""
    scenario = load_scenario("scenarios/tiny.yaml")
    inst = build_instance(scenario)
    roster = Roster()
    start = check(inst, roster).objective
    spent = 0
    for (site, i) in sorted(inst.demands, key=lambda k: (k[1], k[0])):
        s = inst.shifts[i]
        best = rank_candidates(inst, roster, site, s.type_id, s.date)[0]
        if best.ok:
            roster, spent = _with(roster, best, s.type_id, s.date), spent + best.cost
    report = check(inst, roster)
    assert not report.violations and report.objective == start + spent
    assert sum(u.missing for u in report.uncovered) < sum(u.missing for u in check(inst, Roster()).uncovered) / 2


# ---- the command ---------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    """The evening scenario as YAML, and a roster where r1 works Monday's night and r2 Tuesday's."""
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(_evening_scenario().model_dump(mode="json"), sort_keys=False), encoding="utf-8")
    roster = tmp_path / "roster.json"
    write_roster(roster, _roster(("r1", "night", MON, ["A"]), ("r2", "night", TUE, ["A"])), _evening_scenario())
    return str(scenario), str(roster)


def test_cli_lists_who_can_and_who_cannot_with_the_reasons(files, capsys):
    """Tuesday's evening: r3 can; r1 is short of rest after Monday's night, r2 works that night. Exit 0."""
    code = cli.main(["candidates", *files, "--site", "A", "--shift", "evening", "--date", "2026-03-03"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Site A, evening of 3 Mar 2026 (18:00 to 23:00, Europe/Paris): 1 reader needed; "
                          "covered by nobody.\n1 of 3 readers can take it")
    can, cannot = out.split("Cannot take it without breaking a rule (2):")
    assert "1. Dr r3" in can
    assert "rest: the night of 2 Mar 2026 ends at 08:30 (Europe/Paris), 9.5 h before this shift starts; 11 h " \
           "required" in cannot
    assert "one shift a day: already works the night of 3 Mar 2026" in cannot


def test_cli_json_releasing_and_exit_2_when_nobody_can(files, capsys):
    """Releasing r2's Tuesday night: r1 (rest after Monday's night) and r3 are tried; JSON lists both."""
    code = cli.main(["candidates", *files, "--site", "A", "--shift", "night", "--date", "2026-03-03",
                     "--releasing", "r2", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["releasing"] == "r2" and data["covering"] == []
    assert [(c["reader"], c["ok"]) for c in data["candidates"]] == [("r3", True), ("r1", False)]
    assert data["candidates"][0]["terms"]["uncovered"] == -1
    code = cli.main(["candidates", *files, "--site", "A", "--shift", "night", "--date", "2026-03-03"])
    assert code == 2  # the need is full: anyone more breaks the staffing cap
    assert "Cannot take it without breaking a rule (2)" in capsys.readouterr().out


@pytest.mark.parametrize(("args", "words"), [
    (["--site", "Z", "--shift", "night", "--date", "2026-03-03"], "--site: unknown site 'Z'; valid sites: A"),
    (["--site", "A", "--shift", "dawn", "--date", "2026-03-03"], "--shift: unknown shift type 'dawn'; valid types: "
                                                                 "night, evening"),
    (["--site", "A", "--shift", "night", "--date", "2026-05-03"], "--date: 2026-05-03 is outside the horizon "
                                                                  "(2026-03-02 to 2026-03-08)"),
    (["--site", "A", "--shift", "night", "--date", "2026-03-33"], "argument --date: expected a date as YYYY-MM-DD "
                                                                  "(got '2026-03-33')"),
    (["--site", "A", "--shift", "night", "--date", "2026-03-03", "--releasing", "r3"],
     "--releasing: Dr r3 does not cover Site A on the night of 3 Mar 2026; covering it: r2"),
])
def test_cli_bad_arguments_are_named_without_a_traceback(files, capsys, args, words):
    code = cli.main(["candidates", *files, *args])
    err = capsys.readouterr().err
    assert code == 1 and words in err and "Traceback" not in err
