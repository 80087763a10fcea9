"""A cohort read end to end in Chromium at 1280 x 800 (issue 19): a zip of several synthetic
studies is uploaded; in session 1 each study is read with suggestions (one click on L3 brings the
suggestion named from it, Accept, Save and next); in session 2 the same observer reads them
again by hand, in the recorded shuffled order, with every earlier ROI and value hidden until the
new reading is saved; the Reliability page then shows the agreement of the two sessions and of
suggestion-accepted against hand-placed readings, as `vbq.measurements` computes it from the
database. Screenshots of the worklist and of the suggestion are left beside the server's log.

The server and its database are shared with the other MRI page tests (`measure_app`): this test
reads and saves as observer `OBSERVER` only, on study IDs no other test uses."""

from __future__ import annotations

import pandas as pd
import pytest
from playwright.sync_api import expect

import vbq
from vbq import imaging, phantom
from vbq.measurements import MeasurementStore

from .conftest import settled

pytestmark = pytest.mark.browser
LEVELS = ("L1", "L2", "L3", "L4", "CSF")
N = 3
OBSERVER = "WL"  # session 2's seeded order for WL is (2, 3, 1): a real shuffle of 3 studies
IDS = [f"VBQ-{k + 1:03d}" for k in range(N)]
TIMEOUT = 90_000  # a loaded machine: the first run of a page, a decode, a suggestion
FOLD_TOP = 300  # the image's top at most this far down an unscrolled page at 1280 x 800


@pytest.fixture(scope="module")
def cohort(measure_app):
    """A zip of N synthetic studies (one folder per study ID) and each study's truth."""
    archive, truths = phantom.cohort_zip(N, ids=IDS)
    path = measure_app.folder / "cohort.zip"
    path.write_bytes(archive)
    return path, truths


def _enter(page, role: str, label: str, value: str) -> None:
    box = page.get_by_role(role, name=label)
    box.fill(value)
    box.press("Enter")
    settled(page)


def _choose(page, level: str) -> None:
    """Make `level` the ROI a click places (the segmented control; a second click on the
    chosen one would unselect it)."""
    choice = page.get_by_role("radio", name=level, exact=True)
    if choice.get_attribute("aria-checked") != "true":
        choice.click()
    expect(page.get_by_text(f"centre the {level} ROI")).to_be_visible(timeout=TIMEOUT)
    settled(page)  # the page laid out as it stays: the image's place and size are final


def _click(page, truth, level: str, shift: int = 0) -> None:
    """Click the image `shift` pixels below `level`'s centre."""
    img = page.locator("img.vbq-click-img")
    img.scroll_into_view_if_needed()
    row, col = int(truth.centres[level][0]) + shift, int(truth.centres[level][1])
    scale = img.bounding_box()["width"] / 256
    img.click(position={"x": (col + 0.5) * scale, "y": (row + 0.5) * scale})


def _study_shown(page) -> None:
    """A new study is on screen with nothing carried over, and its run has ended."""
    expect(page.locator("img.vbq-click-img")).to_have_js_property("naturalWidth", 256,
                                                                   timeout=TIMEOUT)
    expect(page.get_by_text("No ROI placed yet")).to_be_visible(timeout=TIMEOUT)
    settled(page)


def _read_with_suggestion(page, truth, shots=None, *, one_screen: bool = False) -> None:
    """Click L3; the suggestion named from it comes without asking; accept it. With
    `one_screen`, the image, Accept and then Save and next are in one unscrolled screen."""
    _study_shown(page)
    _choose(page, "L3")
    _click(page, truth, "L3")
    # the click's rerun has ended before Accept is pressed: a press on a button the rerun
    # replaces is lost (test_suggest.py)
    expect(page.get_by_text("Not placed yet: L1, L2, L4, CSF.")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_text("Dashed circles are suggestions")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Suggest the other ROIs from your L3")).to_be_visible()
    settled(page)
    accept = page.get_by_role("button", name="Accept", exact=True)
    if shots is not None:
        page.screenshot(path=str(shots / "cohort_suggestion_1280x800.png"))
    if one_screen:
        _one_screen(page, accept)
    accept.click()
    expect(page.get_by_text("L1, L2, L4, CSF as suggested; L3 placed by hand")).to_be_visible(
        timeout=TIMEOUT)
    expect(page.get_by_text("Not placed yet")).to_have_count(0)
    settled(page)
    if one_screen:
        _one_screen(page, page.get_by_role("button", name="Save and next"))


def _one_screen(page, button) -> None:
    """The reading's three clicks in one screen at 1280 x 800, with no scroll: the page is at
    its top (the title in view), the image starts above `FOLD_TOP`, and `button` (Accept, then
    Save and next) is wholly inside the viewport."""
    title = page.get_by_role("heading", name="MRI measurement").bounding_box()
    image = page.locator("img.vbq-click-img").bounding_box()
    box = button.bounding_box()
    assert title is not None and title["y"] >= 0, title  # not scrolled
    assert image is not None and image["y"] <= FOLD_TOP, image
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 800, box


def _read_by_hand(page, truth, shift: int) -> None:
    """Place the five ROIs by clicks, `shift` pixels below the centres."""
    _study_shown(page)
    for lv in LEVELS:
        _choose(page, lv)
        _click(page, truth, lv, shift)
        expect(page.get_by_role("button", name=f"Remove the {lv} ROI")).to_be_visible(
            timeout=TIMEOUT)
    expect(page.get_by_text("Not placed yet")).to_have_count(0)
    expect(page.get_by_role("button", name="Accept", exact=True)).to_have_count(0)  # none offered
    settled(page)


def _save(page, k: int) -> None:
    name = "Save and next" if k < N - 1 else "Save the ROIs"
    page.get_by_role("button", name=name).click()
    expect(page.get_by_text("5 ROI reading(s) added")).to_be_visible(timeout=TIMEOUT)
    settled(page)


def _pick(page, label: str, option: str) -> None:
    """Choose `option` in the select box `label` of the Reliability page once its run has
    ended (the kappa table is the last thing it draws), and wait for the run it starts."""
    expect(page.locator(".vbq-table-frame").filter(has_text="Observed agreement").last).to_be_visible(
        timeout=TIMEOUT)
    settled(page)
    box = page.get_by_role("combobox", name=label)
    # scrolled to first: a click that scrolls the page to reach the box opens its list and
    # the scroll closes it again (the list is a popover that closes on scroll)
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option, timeout=TIMEOUT)
    settled(page)


def _session_1(page, truths, shots) -> None:
    """Each study in the worklist's own order, read with suggestions, IDs from the folders."""
    study_id = page.get_by_role("textbox", name="Study patient ID (pseudonymous)")
    for k, pid in enumerate(IDS):
        expect(study_id).to_have_value(pid, timeout=TIMEOUT)
        # each study of the first session, after the previous one's Save and next too
        _read_with_suggestion(page, truths[pid], shots if k == 0 else None, one_screen=True)
        _save(page, k)
        expect(page.get_by_text(f"{k + 1} of {N} read (observer {OBSERVER}, session 1)")
               ).to_be_visible()


def _stored_rows(database: str, hidden: str | None = None) -> int:
    """The ROI rows in the database, leaving out `hidden`'s."""
    with MeasurementStore(database) as store:
        everything = store.load()
    return int((everything["patient_id"] != hidden).sum())


def _session_2(page, truths, order, database: str) -> None:
    """The same observer again, by hand: shuffled by the recorded seed, each patient blind."""
    study_id = page.get_by_role("textbox", name="Study patient ID (pseudonymous)")
    # hand readings, for the comparison with the suggestions: none offered after a click
    page.get_by_text("Suggest after my first vertebra").click()
    expect(page.get_by_role("switch", name="Suggest after my first vertebra")
           ).not_to_be_checked()
    settled(page)
    for k, i in enumerate(order):
        pid = IDS[i]
        expect(study_id).to_have_value(pid, timeout=TIMEOUT)
        # earlier ROIs and values hidden until this reading is saved
        expect(page.get_by_text("Blinded: 1 other reading of this patient is hidden").first
               ).to_be_visible()
        # the stored readings listed are every other patient's: none of this patient's
        expect(page.get_by_text(f"Stored measurements ({_stored_rows(database, pid):,} ROI "
                                f"readings; {pid}'s hidden while you read blind)")
               ).to_be_visible()
        _read_by_hand(page, truths[pid], shift=1 + k % 2)
        _save(page, k)
        expect(page.get_by_text(f"{k + 1} of {N} read (observer {OBSERVER}, session 2)")
               ).to_be_visible()
    expect(page.get_by_text("Blinded:")).to_have_count(0)  # the last one saved: shown again
    expect(page.get_by_text("hidden while you read blind")).to_have_count(0)
    expect(page.get_by_text(f"Stored measurements ({_stored_rows(database):,} ROI readings)")
           ).to_be_visible()  # saved: the patient's readings are listed again


def _check_rows(stored: pd.DataFrame, truths, order) -> None:
    assert len(stored) == 2 * N * 5 and set(stored["patient_id"]) == set(IDS)
    first, second = stored[stored["session"] == 1], stored[stored["session"] == 2]
    # session 1: L3 clicked by hand, the rest accepted as suggested; not blind (first reading)
    assert set(first.loc[first["level"] == "L3", "roi_source"]) == {"manual"}
    assert set(first.loc[first["level"] != "L3", "roi_source"]) == {"suggested"}
    assert not first["blinded"].any()
    # session 2: every ROI by hand, every reading blind, saved in the shuffled order
    assert set(second["roi_source"]) == {"manual"} and second["blinded"].all()
    saved_order = second.groupby("patient_id")["measured_at"].min().sort_values().index
    assert list(saved_order) == [IDS[i] for i in order]
    # the accepted suggestions give each patient's VBQ within 2% of the phantom's truth
    per = vbq.measurements.reading_vbq(first)
    for pid, value in zip(per["patient_id"], per["vbq"], strict=True):
        assert abs(value / truths[pid].vbq - 1) <= 0.02, (pid, value, truths[pid].vbq)


def _reliability(page, base: str, stored: pd.DataFrame) -> None:
    """Intra-observer agreement, then suggestion-accepted vs hand-placed, for OBSERVER."""
    intra = vbq.measurements.reliability(vbq.measurements.intra_observer_vbq(
        stored, OBSERVER, sessions=(1, 2))).icc.form("ICC2")
    versus = vbq.measurements.reliability(vbq.measurements.suggested_vs_manual_vbq(
        stored, suggested_by=OBSERVER, manual_by=OBSERVER)).icc.form("ICC2")
    page.goto(base + "/reliability")
    expect(page.get_by_role("combobox", name="Observer")).to_be_visible(timeout=TIMEOUT)
    settled(page)
    # other tests' observers may come first (one with a single session: no ICC for them)
    _pick(page, "Observer", OBSERVER)
    icc = page.get_by_test_id("stMetric").filter(has_text="ICC(2,1)")
    expect(icc).to_contain_text(f"{intra.estimate:.3f}", timeout=TIMEOUT)
    expect(page.get_by_test_id("stMetric").filter(has_text="Patients")).to_contain_text(str(N))
    page.get_by_text("Suggested ROIs accepted vs placed by hand").click()
    expect(page.get_by_role("combobox", name="Suggestion-accepted readings by")).to_be_visible(
        timeout=TIMEOUT)
    settled(page)
    _pick(page, "Suggestion-accepted readings by", OBSERVER)
    _pick(page, "Hand-placed readings by", OBSERVER)
    expect(page.locator(".vbq-table-frame").filter(has_text="suggestion accepted vs hand-placed")
           ).to_be_visible(timeout=TIMEOUT)
    expect(icc).to_contain_text(f"{versus.estimate:.3f}")
    expect(page.get_by_test_id("stMetric").filter(has_text="Patients")).to_contain_text(str(N))
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(1)  # Bland-Altman


def test_a_cohort_is_read_with_suggestions_then_blind_by_hand_and_compared(measure_app, cohort,
                                                                            browser):
    archive, truths = cohort
    shots = measure_app.folder
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(measure_app.url + "/measure")
    # the first run of a page can take a while on a loaded machine: wait for it, then click
    expect(page.get_by_text("Upload DICOM")).to_be_visible(timeout=TIMEOUT)
    page.get_by_text("Upload DICOM").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="DICOM files of one study")
    uploader.locator("input[type=file]").set_input_files(str(archive))
    expect(page.get_by_text(f"0 of {N} read")).to_be_visible(timeout=TIMEOUT)
    _enter(page, "textbox", "Observer (initials or code)", OBSERVER)
    expect(page.get_by_text(f"0 of {N} read (observer {OBSERVER}, session 1)")).to_be_visible()
    page.screenshot(path=str(shots / "cohort_worklist_1280x800.png"))

    _session_1(page, truths, shots)
    worklist = page.get_by_test_id("stExpander").filter(has_text=f"Worklist: {N} studies")
    worklist.locator("summary").click()
    expect(worklist.get_by_test_id("stDataFrame")).to_be_visible()
    worklist.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "cohort_worklist_table_1280x800.png"))

    _enter(page, "spinbutton", "Session (repeat number)", "2")
    seed = vbq.measurements.session_seed(OBSERVER, 2)
    order = imaging.read_worklist(archive).order(seed)
    assert order != tuple(range(N))  # a shuffle that differs from session 1's order
    expect(page.get_by_text(f"seed {seed}")).to_be_visible()
    expect(page.get_by_text(f"0 of {N} read (observer {OBSERVER}, session 2)")).to_be_visible()
    _session_2(page, truths, order, measure_app.database)

    with MeasurementStore(measure_app.database) as store:
        stored = store.load(observer=OBSERVER)
    _check_rows(stored, truths, order)
    _reliability(page, measure_app.url, stored)
    assert "Traceback" not in page.locator("body").inner_text()
    assert not errors, errors
    ctx.close()
