"""Fixtures for the AppTest tests of the Streamlit app: a store per test, local mode, downloads.

Each test gets its own store file (Streamlit's `cache_resource` is per process and keyed by the
store path, so a fresh path means fresh seeding and a fresh solve runner). Seeding the three
examples takes over a second, so most tests start from a copy of a store seeded once per worker.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit.config as st_config
import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from scheduler.io.scenario_yaml import load_scenario
from scheduler.result import SolveResult
from scheduler.solver import solve
from scheduler.ui.state import EXAMPLES, _seeded
from tests.ui.apptest import new_app


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the seeded examples, made once per worker by the app's own seeding function."""
    path = tmp_path_factory.mktemp("template") / "store.sqlite3"
    _seeded(str(path))
    return path


@pytest.fixture
def local_mode() -> Iterator[None]:
    """server.address 127.0.0.1 (local mode allowed), restored afterwards."""
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", before)


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_mode: None) -> Path:
    """A store path that does not exist yet: the app's first start."""
    path = tmp_path / "store.sqlite3"
    monkeypatch.setenv("SCHEDULER_STORE", str(path))
    return path


@pytest.fixture
def store_path(empty_store: Path, seeded_template: Path) -> Path:
    """A store with the examples already stored (a copy of the per-worker template)."""
    shutil.copyfile(seeded_template, empty_store)
    return empty_store


@pytest.fixture
def app(store_path: Path) -> AppTest:
    """A coordinator's session in local mode, on the Scenarios page."""
    return new_app()


@pytest.fixture(scope="session")
def tiny_result() -> SolveResult:
    """The tiny example solved once per worker, to put into a session without going through Solve."""
    result = solve(load_scenario(EXAMPLES / "tiny.yaml"), time_limit=5, workers=2, explain=False)
    assert result.has_solution and not result.check.violations and not result.uncovered
    return result


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Callable[[AppTest, str], bytes]:
    """`downloads(at, key)`: the bytes behind a download button of the latest run."""
    storages: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            storages.append(self)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)

    def get(at: AppTest, key: str) -> bytes:
        button = at.download_button(key=key)
        assert button.proto.url, f"download button {key} has no data"
        return bytes(storages[-1].get_file(button.proto.url.rsplit("/", 1)[-1]).content)

    return get
