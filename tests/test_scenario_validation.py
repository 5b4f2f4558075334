"""Bad scenario input: every kind of error names the field path and says what is wrong and what
would be valid, from data and from a YAML file (which is then named); plus the YAML round trip
and the atomic save."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from scheduler.errors import InputError, Issue
from scheduler.io import atomic
from scheduler.io.scenario_yaml import load_scenario, save_scenario, scenario_from_data, scenario_to_yaml
from tests.factory import build, data, reader

Data = dict[str, Any]


def _set(*path: Any, value: Any) -> Callable[[Data], None]:
    """A mutation that sets d[path...] = value."""

    def mutate(d: Data) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(*path: Any) -> Callable[[Data], None]:
    def mutate(d: Data) -> None:
        target = d
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _r0(**fields: Any) -> Callable[[Data], None]:
    """A mutation of the first radiologist."""

    def mutate(d: Data) -> None:
        d["radiologists"][0].update(fields)

    return mutate


# (case id, mutation of the factory data, exact issue path, fragments the message must contain)
CASES: list[tuple[str, Callable[[Data], None], str, list[str]]] = [
    ("unknown-top-field", _set("colour", value="red"), "colour", ["unknown field", "spelling"]),
    ("unknown-nested-field", _r0(licences=[{"jurisdiction": "FR"}]), "radiologists[0].licences",
     ["unknown field", "spelling"]),
    ("missing-horizon", _delete("horizon"), "horizon", ["required field is missing"]),
    ("missing-nested-rule-set", _delete("radiologists", 0, "rule_set"), "radiologists[0].rule_set",
     ["required field is missing"]),
    ("missing-site-timezone", _delete("sites", 0, "timezone"), "sites[0].timezone", ["required field is missing"]),
    ("end-before-start", _set("horizon", "end", value="2026-03-01"), "horizon.end",
     ["end 2026-03-01 is before start 2026-03-02", "on or after start"]),
    ("horizon-6-days", _set("horizon", "end", value="2026-03-07"), "horizon.end", ["6 days", "7 to 366 days"]),
    ("horizon-367-days", _set("horizon", "end", value="2027-03-03"), "horizon.end", ["367 days", "7 to 366 days"]),
    ("fte-3", _r0(fte=3), "radiologists[0].fte", ["less than or equal to 1", "got 3"]),
    ("fte-0", _r0(fte=0), "radiologists[0].fte", ["greater than 0", "got 0"]),
    ("horizon-timezone", _set("horizon", "timezone", value="Europe/Pariss"), "horizon.timezone",
     ["unknown time zone 'Europe/Pariss'", "IANA", "Europe/Paris"]),
    ("site-timezone", _set("sites", 0, "timezone", value="Mars/Olympus"), "sites[0].timezone",
     ["unknown time zone 'Mars/Olympus'", "IANA", "Europe/Paris"]),
    ("reader-timezone", _r0(timezone="Paris"), "radiologists[0].timezone",
     ["unknown time zone 'Paris'", "IANA", "Europe/Paris"]),
    ("shift-type-timezone", _set("shift_types", 0, "timezone", value="America/NewYork"), "shift_types[0].timezone",
     ["unknown time zone 'America/NewYork'", "IANA", "America/New_York"]),
    ("holiday-country", _set("horizon", "holidays", value={"country": "XX"}), "horizon.holidays.country",
     ["unknown holiday calendar 'XX'", "FR"]),
    ("holiday-subdivision", _set("horizon", "holidays", value={"country": "FR", "subdivision": "ZZ"}),
     "horizon.holidays.subdivision", ["'ZZ'", "57", "6AE"]),
    ("site-holiday-subdivision", _set("sites", 0, "holidays", value={"country": "FR", "subdivision": "ZZ"}),
     "sites[0].holidays.subdivision", ["'ZZ'", "57", "6AE"]),
    ("need-shift-type", _set("sites", 0, "coverage", 0, "shift_type", value="evening"),
     "sites[0].coverage[0].shift_type", ["unknown shift type 'evening'", "defined: day, night"]),
    ("need-subspecialty", _set("sites", 0, "coverage", 0, "subspecialty", value="cardio"),
     "sites[0].coverage[0].subspecialty", ["unknown subspecialty 'cardio'", "defined: neuro"]),
    ("site-jurisdiction", _set("sites", 0, "jurisdiction", value="US-TX"), "sites[0].jurisdiction",
     ["unknown jurisdiction 'US-TX'", "defined: FR"]),
    ("reader-rule-set", _r0(rule_set="part_time"), "radiologists[0].rule_set",
     ["unknown rule set 'part_time'", "defined: std"]),
    ("privilege-site", _r0(privileges=[{"site": "A"}, {"site": "B"}]), "radiologists[0].privileges[1].site",
     ["unknown site 'B'", "defined: A"]),
    ("reader-subspecialty", _r0(subspecialties=["neuro", "cardio"]), "radiologists[0].subspecialties[1]",
     ["unknown subspecialty 'cardio'", "defined: neuro"]),
    ("license-jurisdiction", _r0(licenses=[{"jurisdiction": "DE"}]), "radiologists[0].licenses[0].jurisdiction",
     ["unknown jurisdiction 'DE'", "defined: FR"]),
    ("allowed-shift-type", _r0(allowed_shift_types=["night", "evening"]), "radiologists[0].allowed_shift_types[1]",
     ["unknown shift type 'evening'", "defined: day, night"]),
    ("reader-limit-shift-type", _r0(shift_limits={"evening": {"max": 2}}), "radiologists[0].shift_limits.evening",
     ["unknown shift type 'evening'", "defined: day, night"]),
    ("succession-shift-type", _set("rule_sets", 0, "forbidden_successions", value=[["night", "early"]]),
     "rule_sets[0].forbidden_successions[0][1]", ["unknown shift type 'early'", "defined: day, night"]),
    ("duplicate-reader-id", _set("radiologists", 1, "id", value="r1"), "radiologists[1].id",
     ["duplicate id 'r1'", "unique"]),
    ("duplicate-shift-type-id", _set("shift_types", 1, "id", value="night"), "shift_types[1].id",
     ["duplicate id 'night'", "unique"]),
    ("history-on-horizon-start", _r0(history={"shifts": [{"shift_type": "night", "date": "2026-03-02"}]}),
     "radiologists[0].history.shifts[0].date", ["2026-03-02 is not before the horizon start 2026-03-02"]),
    ("history-after-horizon-start",
     _r0(history={"shifts": [{"shift_type": "night", "date": "2026-02-28"},
                             {"shift_type": "night", "date": "2026-03-05"}]}),
     "radiologists[0].history.shifts[1].date", ["2026-03-05 is not before the horizon start 2026-03-02"]),
    ("license-order", _r0(licenses=[{"jurisdiction": "FR", "valid_from": "2026-03-05", "valid_until": "2026-03-01"}]),
     "radiologists[0].licenses[0].valid_until", ["valid_until 2026-03-01 is before valid_from 2026-03-05"]),
    ("privilege-order", _r0(privileges=[{"site": "A", "valid_from": "2026-03-05", "valid_until": "2026-03-01"}]),
     "radiologists[0].privileges[0].valid_until", ["valid_until 2026-03-01 is before valid_from 2026-03-05"]),
    ("max-readers-below-readers", _set("sites", 0, "coverage", 0, value={"shift_type": "night", "readers": 2,
                                                                         "max_readers": 1}),
     "sites[0].coverage[0].max_readers", ["max_readers 1 is below readers 2"]),
    ("rule-set-limit-min-above-max", _set("rule_sets", 0, "shift_limits", value={"night": {"min": 3, "max": 2}}),
     "rule_sets[0].shift_limits.night.max", ["max 2 is below min 3"]),
    ("reader-limit-min-above-max", _r0(shift_limits={"night": {"min": 3, "max": 2}}),
     "radiologists[0].shift_limits.night.max", ["max 2 is below min 3"]),
    ("shift-days-empty", _set("shift_types", 0, "days", value=[]), "shift_types[0].days",
     ["days is empty", "weekdays"]),
    ("email", _r0(email="not-an-email"), "radiologists[0].email", ["'not-an-email'", "valid email address"]),
]


def _bad(mutate: Callable[[Data], None]) -> Data:
    d = data()
    mutate(d)
    return d


def _find(err: InputError, path: str) -> Issue:
    paths = [i.path for i in err.issues]
    assert path in paths, f"no issue at {path!r}; issues: {[str(i) for i in err.issues]}"
    return next(i for i in err.issues if i.path == path)


def _assert_message(issue: Issue, fragments: list[str]) -> None:
    for frag in fragments:
        assert frag in issue.message, f"{frag!r} not in {issue.message!r}"


@pytest.mark.parametrize(("mutate", "path", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_data_names_path_and_reason(mutate, path, fragments):
    with pytest.raises(InputError) as info:
        scenario_from_data(_bad(mutate))
    _assert_message(_find(info.value, path), fragments)
    # the rendered error carries the path and the message together
    assert f"{path}: " in str(info.value)


@pytest.mark.parametrize("mutate", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_yaml_file_names_the_file(tmp_path, mutate):
    bad = _bad(mutate)
    with pytest.raises(InputError) as from_data:
        scenario_from_data(bad)
    f = tmp_path / "bad_scenario.yaml"
    f.write_text(yaml.safe_dump(bad, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(f)
    err = info.value
    assert err.source == str(f)
    assert str(err).startswith(f"{f}: ")
    # the same issues as from the data (their paths and messages are checked above)
    assert err.issues == from_data.value.issues


def test_every_problem_is_reported_at_once():
    d = data()
    d["colour"] = "red"
    d["radiologists"][0]["fte"] = 3
    d["radiologists"][1]["timezone"] = "Paris"
    with pytest.raises(InputError) as info:
        scenario_from_data(d)
    paths = {i.path for i in info.value.issues}
    assert {"colour", "radiologists[0].fte", "radiologists[1].timezone"} <= paths
    assert str(info.value).splitlines()[0] == "3 problems found"


def test_all_reference_problems_reported_together():
    d = data()
    d["sites"][0]["jurisdiction"] = "US-TX"
    d["radiologists"][0]["rule_set"] = "part_time"
    d["radiologists"][2]["id"] = "r1"
    with pytest.raises(InputError) as info:
        scenario_from_data(d)
    paths = {i.path for i in info.value.issues}
    assert {"sites[0].jurisdiction", "radiologists[0].rule_set", "radiologists[2].id"} <= paths


@pytest.mark.parametrize("end", ["2026-03-08", "2027-03-02"])  # 7 and 366 days: the bounds are allowed
def test_horizon_length_bounds_accepted(end):
    d = data()
    d["horizon"]["end"] = end
    assert scenario_from_data(d).horizon.end.isoformat() == end


@pytest.mark.parametrize("fte", [0.01, 0.5, 1])
def test_fte_in_range_accepted(fte):
    assert build(data(radiologists=[reader("r1", fte=fte)])).radiologists[0].fte == fte


def test_valid_email_accepted():
    assert build(data(radiologists=[reader("r1", email="dr.one@example.fr")])).radiologists[0].email


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Australia/Sydney", "Asia/Kolkata"])
def test_known_time_zones_accepted(tz):
    d = data()
    d["horizon"]["timezone"] = tz
    d["sites"][0]["timezone"] = tz
    d["shift_types"][0]["timezone"] = tz
    d["radiologists"][0]["timezone"] = tz
    s = scenario_from_data(d)
    assert s.horizon.timezone == tz and s.shift_types[0].timezone == tz


@pytest.mark.parametrize("subdivision", ["57", "6AE", "Moselle", "Alsace"])
def test_french_subdivisions_accepted(subdivision):
    d = data()
    d["sites"][0]["holidays"] = {"country": "FR", "subdivision": subdivision}
    assert scenario_from_data(d).sites[0].holidays.subdivision == subdivision


# ---- file-level problems ------------------------------------------------------------------------


def test_invalid_yaml_reports_line(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("name: broken\nhorizon:\n  start: 2026-03-02: oops\n  end: 2026-03-08\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(f)
    err = info.value
    assert err.source == str(f)
    assert str(f) in str(err)
    assert len(err.issues) == 1
    msg = err.issues[0].message
    assert "not valid YAML" in msg
    assert "line 3" in msg


def test_unclosed_bracket_reports_a_line(tmp_path):
    f = tmp_path / "broken.yaml"
    f.write_text("name: x\nradiologists: [a, b\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(f)
    assert "not valid YAML: line " in info.value.issues[0].message


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n", "42\n", ""])
def test_file_not_a_mapping(tmp_path, text):
    f = tmp_path / "list.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(f)
    err = info.value
    assert err.source == str(f)
    assert str(f) in str(err)
    assert "mapping" in err.issues[0].message


def test_missing_file(tmp_path):
    f = tmp_path / "nowhere" / "scenario.yaml"
    with pytest.raises(InputError) as info:
        load_scenario(f)
    err = info.value
    assert err.source == str(f)
    assert str(err).startswith(f"{f}: ")
    assert "file not found" in err.issues[0].message


def test_not_utf8_file(tmp_path):
    f = tmp_path / "latin1.yaml"
    f.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_scenario(f)
    assert info.value.source == str(f)
    assert "cannot read" in info.value.issues[0].message


# ---- round trip and atomic save -----------------------------------------------------------------


def _rich_data() -> Data:
    """A scenario touching most features, so the round trip exercises every field type."""
    d = data()
    d["name"] = "rich — été"
    d["horizon"] = {"start": "2026-03-23", "end": "2026-04-12", "timezone": "Europe/Paris",
                    "holidays": {"country": "FR"}}
    d["jurisdictions"] = [{"id": "FR", "name": "France"}, {"id": "US-NY", "name": "New York"}]
    d["shift_types"].append({"id": "us_eve", "start": "17:00", "end": "23:00", "timezone": "America/New_York",
                             "days": ["mon", "wed", "fri"], "kind": "evening", "work_fraction": 0.5,
                             "weekend_burden_points": 2, "holiday_burden_points": 4})
    d["shift_types"][0]["holiday_burden_points"] = 6
    d["rule_sets"] = [
        {"id": "std", "min_rest_hours": 11, "rest_after_night_hours": 24, "max_consecutive_nights": 2,
         "forbidden_successions": [["night", "day"]], "shift_limits": {"night": {"min": 1, "max": 6}},
         "max_hours_rolling_7_days": 48.5, "complete_weekends": True},
        {"id": "locum", "min_rest_hours": 8, "max_weekends": 2},
    ]
    d["sites"].append({"id": "NY", "name": "Albany", "jurisdiction": "US-NY", "timezone": "America/New_York",
                       "holidays": {"country": "US", "subdivision": "NY"}, "priority": 3,
                       "coverage": [{"shift_type": "us_eve", "readers": 1, "max_readers": 2, "studies": 20.5,
                                     "subspecialty": "neuro"}]})
    d["sites"][0]["holidays"] = {"country": "FR", "subdivision": "57"}
    d["radiologists"][0].update(
        email="dr.one@example.fr", timezone="Australia/Sydney", fte=0.8, subspecialties=["neuro"],
        licenses=[{"jurisdiction": "FR", "valid_until": "2026-04-01"},
                  {"jurisdiction": "US-NY", "valid_from": "2026-03-25"}],
        privileges=[{"site": "A"}, {"site": "NY", "valid_from": "2026-03-24", "valid_until": "2026-04-30"}],
        allowed_shift_types=["night", "us_eve"], shift_limits={"us_eve": {"max": 3}},
        leave=[{"start": "2026-04-06", "end": "2026-04-08", "reason": "congress"}],
        requests=[{"kind": "avoid", "shift_type": "night", "dates": ["2026-03-28", "2026-03-29"], "weight": 5},
                  {"kind": "want", "dates": ["2026-04-10"]}],
        history={"shifts": [{"shift_type": "night", "date": "2026-03-22"}], "burden_points": 12,
                 "work_hours": 140.5, "nights": 4, "weekends": 1, "holidays": 1},
    )
    d["radiologists"][1]["rule_set"] = "locum"
    d["objective"] = {"uncovered": 500_000, "fairness": 2_000, "continuity": 0}
    return d


@pytest.mark.parametrize("make", [data, _rich_data], ids=["base", "rich"])
def test_round_trip_through_yaml(tmp_path, make):
    scenario = scenario_from_data(make())
    text = scenario_to_yaml(scenario)
    assert scenario_from_data(yaml.safe_load(text)) == scenario
    f = tmp_path / "out" / "scenario.yaml"
    save_scenario(scenario, f)
    assert f.read_text(encoding="utf-8") == text
    again = load_scenario(f)
    assert again == scenario
    # and saving the loaded scenario again is stable
    assert scenario_to_yaml(again) == text


def test_round_trip_after_cached_lookups(tmp_path):
    scenario = build(_rich_data())
    # warm the cached lookups: they must not affect equality or the dump
    assert scenario.shift_type_by_id and scenario.site_by_id and scenario.radiologist_by_id
    f = tmp_path / "s.yaml"
    save_scenario(scenario, f)
    assert load_scenario(f) == scenario


def _leftovers(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != name)


def test_save_is_atomic_when_the_write_fails_midway(tmp_path, monkeypatch):
    old = build()
    f = tmp_path / "scenario.yaml"
    save_scenario(old, f)
    before = f.read_bytes()

    new = build(_rich_data())
    real_write_text = Path.write_text

    def half_then_fail(self: Path, text: str, *args: Any, **kwargs: Any) -> int:
        real_write_text(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", half_then_fail)
    with pytest.raises(OSError):
        save_scenario(new, f)
    monkeypatch.undo()

    assert f.read_bytes() == before
    assert load_scenario(f) == old
    assert _leftovers(tmp_path, f.name) == []  # the temporary file is cleaned up


def test_save_is_atomic_when_the_rename_fails(tmp_path, monkeypatch):
    old = build()
    f = tmp_path / "scenario.yaml"
    save_scenario(old, f)
    before = f.read_bytes()

    def fail_replace(src: Any, dst: Any) -> None:
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(atomic.os, "replace", fail_replace)
    with pytest.raises(OSError):
        save_scenario(build(_rich_data()), f)
    monkeypatch.undo()

    assert f.read_bytes() == before
    assert _leftovers(tmp_path, f.name) == []


def test_save_is_atomic_when_interrupted(tmp_path, monkeypatch):
    old = build()
    f = tmp_path / "scenario.yaml"
    save_scenario(old, f)
    before = f.read_bytes()

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_scenario(build(_rich_data()), f)
    monkeypatch.undo()

    assert f.read_bytes() == before
    assert _leftovers(tmp_path, f.name) == []


def test_save_replaces_the_old_file(tmp_path):
    f = tmp_path / "scenario.yaml"
    save_scenario(build(), f)
    new = build(_rich_data())
    save_scenario(new, f)
    assert load_scenario(f) == new
    assert _leftovers(tmp_path, f.name) == []
    assert not any(name.endswith(".tmp") for name in os.listdir(tmp_path))


def test_replace_recomputes_the_id_lookups():
    """A scenario copied with new readers must not answer lookups from the old ones (a cached-property trap)."""
    from scheduler.scenario import History

    sc = build()
    assert sc.radiologist_by_id["r1"].history.burden_points == 0  # fills the cache
    r1 = sc.radiologist_by_id["r1"].model_copy(update={"history": History(burden_points=7)})
    new = sc.replace(radiologists=(r1, *sc.radiologists[1:]))
    assert new.radiologist_by_id["r1"].history.burden_points == 7
    assert sc.radiologist_by_id["r1"].history.burden_points == 0
