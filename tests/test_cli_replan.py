"""`scheduler replan` through `scheduler.cli.main`: re-plan, publish, JSON, exit codes, errors in words."""

from __future__ import annotations

import json

import pytest

from scheduler.cli import main
from scheduler.io.scenario_yaml import save_scenario
from scheduler.replan.changes import with_need_added
from scheduler.store import Store
from tests.swap_helpers import PERIOD, day, published, scenario

NOW = "2037-03-04T12:00:00Z"


@pytest.fixture
def store_path(tmp_path) -> str:
    path = tmp_path / "store.sqlite3"
    published(path).close()
    return str(path)


def run(capsys, store_path: str, *argv: str) -> tuple[int, str, str]:
    code = main(["replan", "--store", store_path, "--period", PERIOD.key, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_absence_is_replanned_with_the_proof_and_the_changes_per_reader(capsys, store_path):
    code, out, err = run(capsys, store_path, "--absent", "r2", "--from", "2037-03-06", "--to", "2037-03-06",
                         "--reason", "sick leave", "--now", NOW)
    assert code == 0, err
    assert "re-planning 2037-03-02 to 2037-03-08 from version 1 (7 assignments)" in err
    assert out.startswith("Re-planned from published version 1:\n")
    assert "2 changed assignments (2 within 72 h of 2037-03-04 12:00 UTC, counting 3 each): weighted 6, the " \
           "fewest possible (proven" in out
    assert "Every need is covered." in out and "No hard rule is broken (independent checker)." in out
    assert "Kept as published: 2 assignments of shifts that started before 2037-03-04 12:00 UTC" in out
    assert "  Dr r2 (1 change):\n    - no longer works the night of 6 Mar 2037 (Site A) (starts within 72 h)" in out
    assert "    + takes the night of 6 Mar 2037 (Site A) (starts within 72 h)" in out
    with Store(store_path) as s:
        assert s.latest_version(PERIOD).number == 1  # nothing published without --publish


def test_publish_makes_the_next_version_on_the_one_replanned(capsys, store_path):
    code, out, err = run(capsys, store_path, "--absent", "r2", "--from", "2037-03-06", "--to", "2037-03-06",
                         "--now", NOW, "--publish", "--by", "bob", "--note", "r2 sick")
    assert code == 0, err
    assert "Published as version 2 of 2037-03-02 to 2037-03-08 (base version 1, by bob)." in out
    with Store(store_path) as s:
        v = s.latest_version(PERIOD)
        assert (v.number, v.base_number, v.published_by, v.note) == (2, 1, "bob", "r2 sick")
        roster = s.roster(v.id)
        assert not any(a.reader == "r2" and a.date == day(6) for a in roster.assignments)
        assert sum(1 for a in roster.assignments if a.date == day(6)) == 1
        assert s.diff(v.id).counts["removed"] == 1


def test_json_output_and_a_changed_scenario_file(capsys, store_path, tmp_path):
    """Any change through a scenario file: a neuro need nobody can meet stays uncovered (exit 2), proven."""
    path = tmp_path / "changed.yaml"
    save_scenario(with_need_added(scenario(), "A", "night", [day(5)], subspecialty="neuro"), path)
    code, out, _ = run(capsys, store_path, "--scenario", str(path), "--now", NOW, "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert (data["from_version"], data["status"], data["proven"], data["changes"]) == (1, "OPTIMAL", True, 0)
    assert [u["subspecialty"] for u in data["uncovered"]] == ["neuro"]
    assert data["hard_violations"] == 0 and data["fixed_past"] == 2


@pytest.mark.parametrize(("argv", "words"), [
    (["--absent", "zz", "--from", "2037-03-06", "--to", "2037-03-06"], "--absent: unknown reader 'zz'"),
    (["--absent", "r2", "--from", "2037-03-06"], "--to: required with --absent"),
    (["--absent", "r2", "--from", "2037-03-07", "--to", "2037-03-06"], "--to: 2037-03-06 is before the first date"),
    (["--absent", "r2", "--from", "2037-03-06", "--to", "2037-03-06", "--now", "2037-03-04T12:00"],
     "has no time zone; add its offset"),
])
def test_bad_input_is_refused_in_words_with_exit_1(capsys, store_path, argv, words):
    code, _, err = run(capsys, store_path, *argv)
    assert code == 1 and words in err and "Traceback" not in err


def test_a_period_with_nothing_published_is_refused(capsys, store_path):
    code = main(["replan", "--store", store_path, "--period", "2037-04-06..2037-04-12", "--absent", "r2",
                 "--from", "2037-04-07", "--to", "2037-04-07"])
    _, err = capsys.readouterr()
    assert code == 1 and "nothing is published for this period, so there is nothing to re-plan" in err


def test_a_roster_breaking_a_rule_is_not_published(capsys, store_path):
    """An absence reaching back to a night r1 already worked keeps that night (it happened): publishing is refused."""
    code, out, err = run(capsys, store_path, "--absent", "r1", "--from", "2037-03-02", "--to", "2037-03-05",
                         "--now", NOW, "--publish")
    assert code == 2
    assert "started before now and is kept as published" in out
    assert "not published: the roster breaks 1 hard rule(s)" in err
    with Store(store_path) as s:
        assert s.latest_version(PERIOD).number == 1
