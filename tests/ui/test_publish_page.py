"""The Publish page: the diff, publishing with optimistic concurrency, downloads, calendar feed links."""

from __future__ import annotations

import io
import zipfile

import icalendar
import pytest
from streamlit.testing.v1 import AppTest

from scheduler.result import Assignment, SolveResult
from scheduler.store import Store
from scheduler.store.records import FeedKind, FeedTarget
from tests.ui.apptest import goto, new_app, open_scenario, texts, use_roster, working


@pytest.fixture
def publish_app(app: AppTest, tiny_result: SolveResult) -> AppTest:
    """The tiny example open with a solved roster, on the Publish page."""
    open_scenario(app)
    use_roster(app, tiny_result.roster, tiny_result)
    return goto(app, "publish")


def _publish(at: AppTest, note: str = "") -> None:
    at.text_input(key="publish_note").set_value(note)
    at.button(key="publish_button").click().run()
    assert not at.exception


def test_diff_lists_every_added_shift(publish_app: AppTest, tiny_result: SolveResult):
    """Before the first publication, the diff lists each assignment as added."""
    diff = publish_app.code[0].value.splitlines()
    n = len(tiny_result.roster.assignments)
    assert diff[0].startswith(f"{n} added, 0 removed")
    sc = working(publish_app).scenario
    for a in tiny_result.roster.assignments:
        line = f"  {sc.radiologist_by_id[a.reader].display}: + {a.shift_type} {a.date.isoformat()}"
        assert any(d.startswith(line) for d in diff), line
    assert sum(": + " in d for d in diff) == n
    assert any("nothing published yet" in c for c in texts(publish_app.caption))


def test_publish_gives_version_1(publish_app: AppTest, store_path):
    """Publish stores version 1 of the period, says so, and there is then nothing left to publish."""
    _publish(publish_app, "first rota")
    assert "Published version 1" in texts(publish_app.success)
    assert working(publish_app).base_version == 1
    with Store(store_path) as s:
        (v,) = s.versions()
        assert (v.number, v.note) == (1, "first rota")
    assert publish_app.code[0].value == "no change"
    assert publish_app.button(key="publish_button").disabled


def test_a_roster_breaking_hard_rules_is_not_published(publish_app: AppTest, store_path,
                                                        tiny_result: SolveResult):
    """A roster with a rest violation is refused with the reason; nothing is stored."""
    night = next(a for a in tiny_result.roster.assignments if a.shift_type == "night" and a.date.day == 6)
    bad = Assignment(reader=night.reader, shift_type="weekend_day", date=night.date.replace(day=7),
                     sites=("ch_saint_die",))
    use_roster(publish_app, tiny_result.roster.model_copy(
        update={"assignments": (*tiny_result.roster.assignments, bad)}), origin="manual edits")
    publish_app.run()
    _publish(publish_app)
    assert any("it was not published" in e and "rest required" in e for e in texts(publish_app.error))
    with Store(store_path) as s:
        assert s.versions() == []


def test_concurrent_publication_is_refused(publish_app: AppTest, store_path, tiny_result: SolveResult):
    """Two coordinators start from nothing; the second to publish gets the conflict and publishes nothing."""
    other = new_app()
    open_scenario(other)
    theirs = tiny_result.roster.assignments[1:]  # a different roster (one shift left open)
    use_roster(other, tiny_result.roster.model_copy(update={"assignments": theirs}), origin="manual edits")
    goto(other, "publish")
    _publish(publish_app, "mine")
    assert "Published version 1" in texts(publish_app.success)
    _publish(other, "theirs")
    errors = texts(other.error)
    assert errors and "NOT published" in errors[0] and "version 1 was published by local coordinator" in errors[0]
    assert not other.success
    with Store(store_path) as s:
        assert [v.note for v in s.versions()] == ["mine"]


@pytest.mark.parametrize("choice", ["rebase_keep", "rebase_load"])
def test_after_a_conflict_the_coordinator_keeps_their_roster_or_loads_the_new_version(
    publish_app: AppTest, store_path, tiny_result: SolveResult, choice: str
):
    """The conflict offers both ways out: publish over the new version after review, or start from it."""
    other = new_app()
    open_scenario(other)
    theirs = tiny_result.roster.assignments[1:]
    use_roster(other, tiny_result.roster.model_copy(update={"assignments": theirs}), origin="manual edits")
    goto(other, "publish")
    _publish(publish_app, "mine")
    _publish(other, "theirs")
    assert any("NOT published" in e for e in texts(other.error))
    other.button(key=choice).click().run()
    assert not other.exception and working(other).base_version == 1
    if choice == "rebase_keep":
        assert len(working(other).roster.assignments) == len(theirs)
        _publish(other, "theirs, over version 1")
        assert any(t.startswith("Published version 2") for t in texts(other.success))
        with Store(store_path) as s:
            assert [v.note for v in s.versions()] == ["mine", "theirs, over version 1"]
    else:
        assert working(other).roster.sorted() == tiny_result.roster.sorted()
        assert not other.error


def test_roster_downloads_are_offered(publish_app: AppTest, downloads, tiny_result: SolveResult):
    """The roster is offered as CSV and XLSX; calendars only once something is published."""
    publish_app.run()
    csv = downloads(publish_app, "download_csv").decode("utf-8")
    assert csv.count("\n") >= len(tiny_result.roster.assignments)
    assert downloads(publish_app, "download_xlsx")[:2] == b"PK"
    assert not any(b.key == "download_ics" for b in publish_app.download_button)
    assert "Calendars are available once a version is published." in texts(publish_app.caption)


def test_published_calendars_parse(publish_app: AppTest, downloads, tiny_result: SolveResult):
    """After publishing, the ZIP holds one .ics per reader, each with that reader's shifts as events."""
    _publish(publish_app)
    data = downloads(publish_app, "download_ics")
    sc = working(publish_app).scenario
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == sorted(f"{r.id}.ics" for r in sc.radiologists)
        for r in sc.radiologists:
            cal = icalendar.Calendar.from_ical(z.read(f"{r.id}.ics"))
            events = [c for c in cal.walk("VEVENT")]
            assert len(events) == sum(a.reader == r.id for a in tiny_result.roster.assignments), r.id


def test_feed_link_is_shown_once_and_can_be_revoked(publish_app: AppTest, store_path,
                                                     monkeypatch: pytest.MonkeyPatch):
    """Issue shows an https and a webcal link once and counts it active; Revoke brings the count to 0."""
    monkeypatch.setenv("SCHEDULER_FEEDS_URL", "https://feeds.example.org/")
    publish_app.run()
    reader = working(publish_app).scenario.radiologists[0]
    assert publish_app.selectbox(key="feed_reader").value == reader.id
    assert f"0 active link(s) for {reader.display}." in texts(publish_app.caption)
    publish_app.button(key="issue_token").click().run()
    https, webcal = (c.value for c in publish_app.code[1:3])
    assert https.startswith("https://feeds.example.org/feeds/") and https.endswith(".ics")
    assert webcal == "webcal://" + https.removeprefix("https://")
    token = https.removeprefix("https://feeds.example.org/feeds/").removesuffix(".ics")
    with Store(store_path) as s:
        assert s.lookup_token(token) == FeedTarget(FeedKind.reader, reader.id)
    assert f"1 active link(s) for {reader.display}." in texts(publish_app.caption)
    publish_app.run()
    assert not any(token in c.value for c in publish_app.code)  # shown once only
    publish_app.button(key="revoke_tokens").click().run()
    assert f"Revoked 1 link(s) of {reader.display}." in texts(publish_app.info)
    assert f"0 active link(s) for {reader.display}." in texts(publish_app.caption)
    with Store(store_path) as s:
        assert s.lookup_token(token) is None
