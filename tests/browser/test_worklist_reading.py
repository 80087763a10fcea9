"""A cohort read end to end in Chromium (issue 19): a zip of several synthetic studies is
uploaded, each study is read in turn (ROIs placed by clicks on the image, save-and-next), then
a second session comes in the recorded shuffled order with every earlier ROI and value hidden,
and the Reliability page shows the agreement of the two sessions, as `vbq.measurements`
computes it from the database."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

import vbq
from ui.measure import URL_ENV
from vbq import imaging, phantom
from vbq.measurements import MeasurementStore

from .conftest import ROOT, serve, settled

pytestmark = pytest.mark.browser
LEVELS = ("L1", "L2", "L3", "L4", "CSF")
N = 3


@pytest.fixture(scope="module")
def reading_app(tmp_path_factory):
    """The app on a fresh, empty measurement database, and a zip of N synthetic studies."""
    tmp = tmp_path_factory.mktemp("worklist")
    url = f"sqlite:///{tmp / 'measurements.sqlite'}"
    archive, truths = phantom.cohort_zip(N)
    (tmp / "cohort.zip").write_bytes(archive)
    old = os.environ.get(URL_ENV)
    os.environ[URL_ENV] = url
    try:
        server = serve(ROOT / "app.py", tmp / "server.log")
        base = next(server)
    finally:
        if old is None:
            os.environ.pop(URL_ENV, None)
        else:
            os.environ[URL_ENV] = old
    yield base, url, tmp / "cohort.zip", truths
    next(server, None)


def _enter(page, role: str, label: str, value: str) -> None:
    box = page.get_by_role(role, name=label)
    box.fill(value)
    box.press("Enter")
    settled(page)


def _read_study(page, truth, shift: int) -> None:
    """Place the five ROIs by clicks on the image (`shift` pixels below the body centres)."""
    img = page.locator("img.vbq-click-img")
    expect(img).to_have_js_property("naturalWidth", 256, timeout=90_000)
    expect(page.get_by_text("No ROI placed yet")).to_be_visible()  # nothing carried over
    settled(page)  # the run that drew the study has ended (no element of the last one left)
    for lv in LEVELS:
        choice = page.get_by_role("radio", name=lv, exact=True)
        if choice.get_attribute("aria-checked") != "true":
            choice.click()
        expect(page.get_by_text(f"centre the {lv} ROI")).to_be_visible(timeout=30_000)
        row, col = int(truth.centres[lv][0]) + shift, int(truth.centres[lv][1])
        box = img.bounding_box()
        scale = box["width"] / 256
        img.click(position={"x": (col + 0.5) * scale, "y": (row + 0.5) * scale})
        expect(page.get_by_role("button", name=f"Remove the {lv} ROI")).to_be_visible(
            timeout=30_000)
    expect(page.get_by_text("Not placed yet")).to_have_count(0)
    settled(page)


def _save(page, k: int) -> None:
    name = "Save and next" if k < N - 1 else "Save the ROIs"
    page.get_by_role("button", name=name).click()
    expect(page.get_by_text("5 ROI reading(s) added")).to_be_visible(timeout=60_000)
    settled(page)


def test_a_cohort_is_read_twice_blind_and_its_agreement_shown(reading_app, browser):
    base, url, archive, truths = reading_app
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/measure")
    # the first run of a page can take a while on a loaded machine: wait for it, then click
    expect(page.get_by_text("Upload DICOM")).to_be_visible(timeout=90_000)
    page.get_by_text("Upload DICOM").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="DICOM files of one study")
    uploader.locator("input[type=file]").set_input_files(str(archive))
    expect(page.get_by_text(f"0 of {N} read")).to_be_visible(timeout=90_000)
    _enter(page, "textbox", "Observer (initials or code)", "AB")
    study_id = page.get_by_role("textbox", name="Study patient ID (pseudonymous)")

    # session 1: the worklist's own order, IDs from the folders
    for k in range(N):
        expect(study_id).to_have_value(f"VBQ-00{k + 1}")
        _read_study(page, truths[f"VBQ-00{k + 1}"], shift=0)
        _save(page, k)
        expect(page.get_by_text(f"{k + 1} of {N} read (observer AB, session 1)")).to_be_visible()

    # session 2: shuffled by the recorded seed; each patient read blind
    _enter(page, "spinbutton", "Session (repeat number)", "2")
    seed = vbq.measurements.session_seed("AB", 2)
    order = imaging.read_worklist(archive).order(seed)
    expect(page.get_by_text(f"seed {seed}")).to_be_visible()
    expect(page.get_by_text(f"0 of {N} read (observer AB, session 2)")).to_be_visible()
    for k, i in enumerate(order):
        pid = f"VBQ-00{i + 1}"
        expect(study_id).to_have_value(pid)
        expect(page.get_by_text("Blinded: 1 other reading of this patient is hidden").first
               ).to_be_visible()
        expect(page.get_by_text(f"{pid}'s hidden while you read blind")).to_be_visible()
        _read_study(page, truths[pid], shift=1 + k % 2)
        _save(page, k)
        expect(page.get_by_text(f"{k + 1} of {N} read (observer AB, session 2)")).to_be_visible()
    expect(page.get_by_text("Blinded:")).to_have_count(0)

    with MeasurementStore(url) as store:
        stored = store.load()
    assert len(stored) == 2 * N * 5
    assert not stored[stored["session"] == 1]["blinded"].any()
    assert stored[stored["session"] == 2]["blinded"].all()

    # the Reliability page: intra-observer agreement of the two sessions, from the database
    expected = vbq.measurements.reliability(
        vbq.measurements.intra_observer_vbq(stored, "AB", sessions=(1, 2))).icc.form("ICC2")
    page.goto(base + "/reliability")
    icc = page.get_by_test_id("stMetric").filter(has_text="ICC(2,1)")
    expect(icc).to_contain_text(f"{expected.estimate:.3f}", timeout=90_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Patients")).to_contain_text(str(N))
    assert "Traceback" not in page.locator("body").inner_text()
    assert not errors, errors
    page.close()
