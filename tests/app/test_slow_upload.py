"""An upload read past its time limit (issue 18): refused with a message naming the file and
the limit, its worker process killed, not read again on the next rerun, and the rest of the
session still working (the demo stays in use; another page opens)."""

from __future__ import annotations

import html
import os
import threading
from pathlib import Path

import pytest

from ui import cache

from .conftest import start


def _never_finishes(data: bytes, kind: str, **kwargs) -> None:
    """A deliberately slow reader: it writes its process id to the path the upload holds, then
    waits for ever (the worker must be killed at the time limit)."""
    path = Path(data.decode())
    path.write_text(f"{path.read_text()}{os.getpid()}\n")
    threading.Event().wait()


@pytest.fixture
def slow_reader(monkeypatch):
    monkeypatch.setattr(cache, "_READ_TABLE", _never_finishes)
    monkeypatch.setattr(cache, "READ_TIME_LIMIT_S", 2.0)


def test_a_read_past_its_time_limit_is_refused_and_the_session_goes_on(slow_reader, tmp_path):
    pids = tmp_path / "pids.txt"
    pids.write_text("")
    at = start()
    at.radio(key="data_source").set_value("Upload my files").run()
    at.file_uploader(key="data_upload_cohort").upload("my_cohort.csv", str(pids).encode(),
                                                      "text/csv")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [html.unescape(e.value) for e in at.error]
    assert ("my_cohort.csv: reading took longer than 2 s, the most one read may take on this "
            "server; not loaded. Split it into smaller files (a spreadsheet saved as CSV reads "
            "several times faster).") in errors, errors
    started = [int(p) for p in pids.read_text().split()]
    assert len(started) == 1
    assert not Path(f"/proc/{started[0]}").exists()  # killed and reaped: no orphan

    # the next rerun shows the refusal again without starting another read
    at.run()
    assert any("reading took longer than 2 s" in e.value for e in at.error)
    assert len(pids.read_text().split()) == 1
    # the rest of the session works: the demo stays in use, and another page opens
    assert ("Upload both files to analyse them. The demo cohort stays in use until then."
            in [i.value for i in at.info])
    at.switch_page("app_pages/groups.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.html  # Table 2 of the demo cohort
