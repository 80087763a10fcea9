"""A closed tab's DICOM is freed (issue 18): one browser uploads DICOM to the MRI page (a single
study, or a zip of several studies read one after the other) and closes its tab; another, still
open on the same server, counts the image series and worklists alive in the server process (the
test-only hook `ui.testhooks.live_images`, after a garbage collection) until they are back to
what they were before the upload.

The deadline, 60 s, is half of Streamlit's ``server.disconnectedSessionTTL`` (120 s). Before the
fix the worklist and its decoded series stayed in the closed session's ``st.session_state``, and
its fragment and widget callbacks held the series too; Streamlit keeps a closed tab's session
past that TTL until another session disconnects, so here (the watching tab never disconnects)
they were never freed. The resident memory of the server is printed beside the counts (run with
``-s`` to read it); it is not asserted, as the allocator decides when freed pages go back.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from playwright.sync_api import expect

from vbq import phantom

from ..imaging.test_bombs import zipped_8bit
from .conftest import ROOT, serve, settled

pytestmark = pytest.mark.browser

FRAMES = 40  # 1024 x 1024 8-bit frames: 40 MiB of pixels
STUDIES = 3
DEADLINE_S = 60
COUNT = re.compile(r"count (\d+): live image series: (\d+); pixel bytes: (\d+); "
                   r"worklists: (\d+); resident bytes: (\d+); uploaded bytes: (\d+)")
MIB = 1024 ** 2


@pytest.fixture(scope="module")
def hooked_url(tmp_path_factory):
    """A server of this module's own, with the test hooks drawn."""
    os.environ["VBQ_TEST_HOOKS"] = "1"
    try:
        server = serve(ROOT / "app.py", tmp_path_factory.mktemp("memory") / "server.log")
        url = next(server)
    finally:
        del os.environ["VBQ_TEST_HOOKS"]
    yield url
    next(server, None)


def _count(page, last: int) -> tuple[int, tuple[int, int, int], tuple[int, int]]:
    """Click the hook's button and read its next count: (run, (series, pixel bytes,
    worklists), (resident bytes, bytes of uploaded files Streamlit holds)), counted as the run
    starts, before the page is drawn."""
    page.get_by_role("button", name="Count live images").click()
    line = page.get_by_text(re.compile(rf"count {last + 1}: live image series"))
    expect(line).to_be_visible(timeout=90_000)
    run, series, held, worklists, rss, uploads = (
        int(v) for v in COUNT.search(line.inner_text()).groups())
    return run, (series, held, worklists), (rss, uploads)


def _upload(user, payload: dict) -> None:
    expect(user.get_by_text("Upload DICOM")).to_be_visible(timeout=90_000)
    user.get_by_text("Upload DICOM").click()
    uploader = user.get_by_test_id("stFileUploader").filter(has_text="DICOM files of one study")
    expect(uploader).to_be_visible(timeout=90_000)
    uploader.locator("input[type=file]").set_input_files(payload)


def _single_study(user) -> tuple[int, int]:
    """One study of 40 large 8-bit frames; returns (series, pixel bytes) it adds at least."""
    _upload(user, {"name": "study.zip", "mimeType": "application/zip",
                   "buffer": zipped_8bit(FRAMES)})
    expect(user.get_by_text(f"· {FRAMES} slice(s)").first).to_be_visible(timeout=120_000)
    settled(user)
    return 1, FRAMES * MIB


def _worklist(user) -> tuple[int, int]:
    """A zip of three studies: the first is read, then the next (two series decoded, the
    study picker and the previous/next buttons drawn); returns what it adds at least."""
    archive, _ = phantom.cohort_zip(STUDIES)
    _upload(user, {"name": "cohort.zip", "mimeType": "application/zip", "buffer": archive})
    expect(user.get_by_text(f"0 of {STUDIES} read")).to_be_visible(timeout=90_000)
    study_id = user.get_by_role("textbox", name="Study patient ID (pseudonymous)")
    expect(study_id).to_have_value("VBQ-001")
    settled(user)
    user.get_by_role("button", name="Next", exact=True).click()
    expect(study_id).to_have_value("VBQ-002", timeout=90_000)
    expect(user.locator("img.vbq-click-img")).to_have_js_property("naturalWidth", 256,
                                                                   timeout=90_000)
    settled(user)
    return 2, 2 * 256 * 256


@pytest.mark.parametrize("upload", [_single_study, _worklist], ids=["one study", "worklist"])
def test_a_closed_tab_frees_its_images(hooked_url, browser, upload):
    watcher_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    watcher = watcher_ctx.new_page()
    watcher.goto(hooked_url + "/measure")  # its own phantom series is decoded before the baseline
    expect(watcher.get_by_text(COUNT)).to_be_visible(timeout=90_000)
    settled(watcher)
    # counted as a run starts, before its page: the second run sees the series the first decoded
    run, base, base_mem = _count(watcher, 1)

    user_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    user = user_ctx.new_page()
    user.goto(hooked_url + "/measure")
    n_series, n_bytes = upload(user)

    run, held, held_mem = _count(watcher, run)
    # (at least: before the fix the closed tab also kept series decoded earlier, the phantom's)
    assert held[0] >= base[0] + n_series and held[1] >= base[1] + n_bytes, (base, held)
    assert held[2] >= base[2] + 1, (base, held)  # the worklist read from the upload

    user_ctx.close()  # the tab is closed: its websocket with it
    closed = time.monotonic()
    while held != base:
        assert time.monotonic() - closed < DEADLINE_S, (
            f"{held[0] - base[0]} series ({held[1] - base[1]} pixel bytes) and "
            f"{held[2] - base[2]} worklist(s) still alive {DEADLINE_S} s after the tab closed")
        run, held, mem = _count(watcher, run)
    print(f"\n{upload.__name__}: freed {time.monotonic() - closed:.1f} s after the tab closed; "
          f"server resident memory {base_mem[0] / MIB:.0f} MiB before the upload, "
          f"{held_mem[0] / MIB:.0f} MiB with it, {mem[0] / MIB:.0f} MiB once freed; "
          f"uploaded files Streamlit holds: {base_mem[1]} bytes before, {held_mem[1]} with "
          f"the upload, {mem[1]} once the images are freed (streamlit#9218)")
    watcher_ctx.close()
