"""A closed tab's DICOM is freed (issue 18): one browser uploads a study to the MRI page and
closes its tab; another, still open on the same server, counts the image series alive in the
server process (the test-only hook `ui.testhooks.live_images`, after a garbage collection)
until they are back to what they were before the upload. The deadline, 60 s, is half of
Streamlit's ``server.disconnectedSessionTTL`` (120 s): before the fix the study stayed in
the closed session's ``st.session_state``, which Streamlit keeps past that TTL until another
session disconnects, and it was never freed here.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from playwright.sync_api import expect

from ..imaging.test_bombs import zipped_8bit
from .conftest import ROOT, serve, settled

pytestmark = pytest.mark.browser

FRAMES = 40  # 1024 x 1024 8-bit frames: 40 MiB of pixels at least (160 MiB as float32)
DEADLINE_S = 60
COUNT = re.compile(r"count (\d+): live image series: (\d+); pixel bytes: (\d+)")


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


def _count(page, last: int) -> tuple[int, int, int]:
    """Click the hook's button and read its next count: (run, series, pixel bytes), counted
    as the run starts, before the page is drawn."""
    page.get_by_role("button", name="Count live images").click()
    line = page.get_by_text(re.compile(rf"count {last + 1}: live image series"))
    expect(line).to_be_visible(timeout=90_000)
    run, series, held = (int(v) for v in COUNT.search(line.inner_text()).groups())
    return run, series, held


def test_a_closed_tab_frees_its_images(hooked_url, browser):
    watcher_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    watcher = watcher_ctx.new_page()
    watcher.goto(hooked_url + "/measure")  # the phantom (shared) is loaded before the baseline
    expect(watcher.get_by_text(COUNT)).to_be_visible(timeout=90_000)
    settled(watcher)
    # counted as a run starts, before its page: the second run sees the phantom the first read
    run, base_series, base_bytes = _count(watcher, 1)

    user_ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    user = user_ctx.new_page()
    user.goto(hooked_url + "/measure")
    expect(user.get_by_text("Upload DICOM")).to_be_visible(timeout=90_000)
    user.get_by_text("Upload DICOM").click()
    uploader = user.get_by_test_id("stFileUploader").filter(has_text="DICOM files of one study")
    expect(uploader).to_be_visible(timeout=90_000)
    uploader.locator("input[type=file]").set_input_files({"name": "study.zip", "mimeType": "application/zip",
                              "buffer": zipped_8bit(FRAMES)})
    expect(user.get_by_text(f"· {FRAMES} slice(s)").first).to_be_visible(timeout=120_000)
    settled(user)

    run, series, held = _count(watcher, run)
    assert series == base_series + 1 and held >= base_bytes + FRAMES * 1024**2, (series, held)

    user_ctx.close()  # the tab is closed: its websocket with it
    deadline = time.monotonic() + DEADLINE_S
    while (series, held) != (base_series, base_bytes):
        assert time.monotonic() < deadline, (
            f"{series - base_series} series ({held - base_bytes} bytes) still alive "
            f"{DEADLINE_S} s after the tab closed")
        run, series, held = _count(watcher, run)
    watcher_ctx.close()
