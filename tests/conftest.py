"""Fixtures for every test: nothing a test runs writes to the user's own data folder.

`vbq._userdata.data_dir` (the measurement database, the installation's secret key) follows the
``VBQ_DATA_DIR`` environment variable. It is set for the whole run (servers and subprocesses
started by session fixtures inherit it) and, per test, to that test's own temporary folder, so
no test sees another's database or key, and none writes under ``~/.local/share``."""

from __future__ import annotations

import pytest

from vbq._userdata import DATA_DIR_VARIABLE


@pytest.fixture(autouse=True, scope="session")
def _session_data_dir(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(DATA_DIR_VARIABLE, str(tmp_path_factory.mktemp("vbq-data")))
        yield


@pytest.fixture(autouse=True)
def _test_data_dir(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("vbq-data-test")
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    return folder
