"""The MRI measurement page in Chromium: a click on the image centres the active ROI on the pixel
that was clicked (checked against the coordinates stored in the database), and saving writes
the rows. AppTest cannot click on a custom component, hence this test."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from vbq import phantom
from vbq.measurements import MeasurementStore

from .conftest import settled

pytestmark = pytest.mark.browser


OBSERVER = "MC"  # this test's readings in the shared measurement database
PATIENT = "DEMO-001"


def _within_half_a_pixel(pixel: int) -> re.Pattern:
    """What a centre input shows (two decimals) when the centre lies in `pixel` +/- 0.5."""
    return re.compile(rf"^(?:{pixel - 1}\.[5-9]\d*|{pixel}\.[0-4]\d*|{pixel}\.50*)$")


def test_clicks_place_the_rois_where_they_landed_and_saving_writes_rows(measure_app, page):
    base, url = measure_app.url, measure_app.database
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _, truth = phantom.make_series(seed=0)
    page.goto(base + "/measure", wait_until="domcontentloaded")
    img = page.locator("img.vbq-click-img")
    # the image is in the component's shadow DOM: ask the element itself, once it has loaded
    expect(img).to_have_js_property("naturalWidth", 256, timeout=90_000)
    natural = 256
    # off-centre targets (not the phantom's reference centres, so a click must have moved them)
    targets = {lv: (int(truth.centres[lv][0]) + 1, int(truth.centres[lv][1]) - 2)
               for lv in ("L1", "L2", "L3", "L4", "CSF")}
    shown = {}
    for lv, (row, col) in targets.items():
        choice = page.get_by_role("radio", name=lv, exact=True)  # the segmented control
        if choice.get_attribute("aria-checked") != "true":  # a second click would unselect
            choice.click()
        expect(page.get_by_text(f"centre the {lv} ROI")).to_be_visible(timeout=30_000)
        box = img.bounding_box()
        scale = box["width"] / natural
        img.click(position={"x": (col + 0.5) * scale, "y": (row + 0.5) * scale})
        # the number inputs show the stored centre of the active ROI
        # (Chromium delivers mouse events at whole CSS pixels, about 0.56 image pixels here: the
        # exact sub-pixel mapping is test_image_click's; here the click must land in its pixel)
        row_input, col_input = page.get_by_label("Centre row"), page.get_by_label("Centre column")
        expect(row_input).to_have_value(_within_half_a_pixel(row), timeout=30_000)
        expect(col_input).to_have_value(_within_half_a_pixel(col), timeout=30_000)
        shown[lv] = (float(row_input.input_value()), float(col_input.input_value()))
        assert abs(shown[lv][0] - row) <= 0.5 and abs(shown[lv][1] - col) <= 0.5, shown[lv]
    page.get_by_role("textbox", name="Study patient ID (pseudonymous)").fill(PATIENT)
    page.get_by_role("textbox", name="Study patient ID (pseudonymous)").press("Enter")
    page.get_by_role("textbox", name="Observer (initials or code)").fill(OBSERVER)
    page.get_by_role("textbox", name="Observer (initials or code)").press("Enter")
    settled(page)  # the runs the two entries started have ended
    page.get_by_role("button", name="Save the ROIs").click()
    expect(page.get_by_text("5 ROI reading(s) added")).to_be_visible(timeout=30_000)
    with MeasurementStore(url) as store:
        rows = store.load(observer=OBSERVER).set_index("level")
    assert len(rows) == 5
    for lv, (row, col) in targets.items():
        stored = rows.loc[lv, "centre_row_px"], rows.loc[lv, "centre_col_px"]
        assert stored == pytest.approx(shown[lv], abs=0.005)  # what the page showed
        assert abs(stored[0] - row) <= 0.5 and abs(stored[1] - col) <= 0.5  # the clicked pixel
        assert rows.loc[lv, "slice_index"] == truth.mid_slice
    # the slice the page showed (counted from 1) is the slice the export gives (issue 16)
    expect(page.get_by_text(f"Slice {truth.mid_slice + 1} of 11").first).to_be_visible()
    with MeasurementStore(url) as store:
        exported = pd.read_csv(io.StringIO(store.export_csv()))
    exported = exported[exported["observer"] == OBSERVER]
    assert len(exported) == 5 and set(exported["slice_number"]) == {truth.mid_slice + 1}
    assert "Traceback" not in page.locator("body").inner_text()
    assert not errors, errors
