"""The MRI page's viewer in Chromium at 1280 x 800 (issues 16 and 19): on an uploaded study
whose only sagittal T1 is a lossy T1 FLAIR, the T1 FLAIR is chosen, its flags fold into one
line that opens, the image starts above the fold, the ROI table says that no ROI is placed
yet, and keys 1-4 and C on the image choose the ROI to place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from vbq import phantom

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def flair_zip(tmp_path_factory):
    datasets, _ = phantom.make_study(seed=0, series=("localizer", "sag_t2", "sag_t1_flair",
                                                     "axial_t2"))
    for ds in datasets:
        ds.LossyImageCompression = "01"
    path = tmp_path_factory.mktemp("flair") / "study.zip"
    path.write_bytes(phantom.series_zip(datasets))
    return path


def test_a_flagged_study_keeps_the_image_above_the_fold_and_keys_choose_the_roi(
        app_url, browser, flair_zip):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(app_url + "/measure")
    # the first run of a page can take a while on a loaded machine: wait for it, then click
    expect(page.get_by_text("Upload DICOM")).to_be_visible(timeout=90_000)
    page.get_by_text("Upload DICOM").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="DICOM files of one study")
    uploader.locator("input[type=file]").set_input_files(str(flair_zip))
    expect(page.get_by_role("combobox", name="Series")).to_have_value(
        re.compile(r"^Series \d+ · sagittal · T1 FLAIR · "), timeout=60_000)
    # every flag in one line that opens; the full messages inside it
    flags = page.get_by_test_id("stExpander").filter(has_text="Before measuring")
    expect(flags).to_have_count(1)
    expect(flags).to_contain_text("not the validated sequence; lossy compression")
    expect(page.get_by_text("not T1-like")).to_have_count(0)
    # folded: the flag's full message is inside the closed line (the Save section, further
    # down, names the flags again on purpose)
    expect(flags.get_by_test_id("stAlert").filter(has_text="T1 FLAIR")).to_be_hidden()
    img = page.locator("img.vbq-click-img")
    expect(img).to_be_visible()
    assert img.bounding_box()["y"] < 800 - 100  # the image starts above the fold
    # before any ROI: a clear empty state, not a table of "None"
    expect(page.get_by_text("No ROI placed yet")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").filter(has_text="mean SI")).to_have_count(0)
    box = img.bounding_box()
    img.click(position={"x": box["width"] * 0.4, "y": box["height"] * 0.3})
    expect(page.get_by_role("button", name="Remove the L1 ROI")).to_be_visible()
    expect(page.get_by_text("Not placed yet: L2, L3, L4, CSF.")).to_be_visible()
    for key, level in (("c", "CSF"), ("3", "L3"), ("1", "L1")):
        page.keyboard.press(key)
        expect(page.get_by_text(f"centre the {level} ROI on slice 6")).to_be_visible()
        expect(page.get_by_role("radio", name=level, exact=True)).to_have_attribute(
            "aria-checked", "true")
    # keys typed in a text box never choose the ROI
    page.get_by_role("textbox", name="Observer (initials or code)").fill("C2")
    expect(page.get_by_text("centre the L1 ROI on slice 6")).to_be_visible()
    assert not errors, errors
    page.close()
