"""AppTest of issue 18's closed tab, without a browser: what Streamlit keeps of a session after
its tab closes (its session state, with every widget's callback and arguments, and its
fragments) holds no image. The tab's closing is played as Streamlit plays it: the session's
``scope="session"`` caches are cleared (`AppSession.clear_session_caches` at disconnect), the
session itself stays. Then no `vbq.imaging.Series` or `Worklist` read in the session may be
alive. Before the fix the worklist and series sat in ``st.session_state``, the viewer fragment
and the callbacks held the series, and the study picker's ``format_func`` the worklist.
(tests/browser/test_session_memory.py shows it on a real server.)"""

from __future__ import annotations

import gc

import pytest
from streamlit.runtime import caching

from ui import measure
from vbq import imaging, phantom

from .conftest import start

PAGE = "app_pages/measure.py"
SESSION = "test session id"  # every AppTest's session id (streamlit.testing.v1)


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    return url


def _alive() -> tuple[int, int]:
    """Series and worklists alive in this process, after a garbage collection."""
    gc.collect()
    alive = gc.get_objects()
    return (sum(isinstance(o, imaging.Series) for o in alive),
            sum(isinstance(o, imaging.Worklist) for o in alive))


def _upload(at, name: str, data: bytes) -> None:
    at.radio(key="measure_source").set_value("Upload DICOM").run()
    at.file_uploader(key="measure_upload").upload(name, data, "application/zip")
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_closed_sessions_state_fragments_and_callbacks_hold_no_image(db_url):
    archive, _ = phantom.cohort_zip(3)
    at = start(PAGE)  # the phantom (shared by every session), decoded in this session
    caching.clear_session_resource_cache(SESSION)
    base = _alive()
    _upload(at, "cohort.zip", archive)
    at.button(key="measure_next").click().run()  # a second study decoded
    assert not at.exception, [e.value for e in at.exception]
    series, worklists = _alive()
    assert series >= base[0] + 2 and worklists >= base[1] + 1, (base, series, worklists)

    caching.clear_session_resource_cache(SESSION)  # the tab closes; `at` keeps the session
    assert _alive() == base

    at.button(key="measure_previous").click().run()  # it comes back: read again, as it was
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="measure_patient_id").value == "VBQ-001"
    assert any("0 of 3 read" in p.proto.text for p in at.get("progress"))
