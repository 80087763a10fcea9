"""The Data page with uploads, at 1280 x 800 in Chromium: problem messages read in full without
scrolling sideways, and the whole app switches to the user's files (issue 8)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ..factories import make_tables
from .conftest import settled

pytestmark = pytest.mark.browser

MENU = '[data-testid="stSidebar"] [data-testid="stPageLink"]'  # the app's page menu


def _upload(page, app_url: str, tmp_path, cohort, dxa) -> None:
    page.goto(f"{app_url}/data", wait_until="domcontentloaded")
    expect(page.get_by_text("Cohort summary").first).to_be_visible(timeout=90_000)
    page.get_by_text("Upload my files").click()
    uploaders = page.locator('[data-testid="stMain"] [data-testid="stFileUploader"]')
    expect(uploaders).to_have_count(2, timeout=30_000)
    for i, (name, frame) in enumerate((("ward_cohort.csv", cohort), ("ward_dxa.csv", dxa))):
        path = tmp_path / name
        frame.to_csv(path, index=False)
        uploaders.nth(i).locator("input[type=file]").set_input_files(str(path))
        # the server has read the file (its report), not only the browser listed it: a file
        # chosen while the server starts the previous file's run can be lost (Streamlit 1.67
        # drops its upload URLs then; see tests/browser/test_isolation.py)
        expect(page.get_by_text(re.compile(rf"{re.escape(name)}: (read|\d+ error)")).first
               ).to_be_visible(timeout=60_000)


def test_problem_messages_read_in_full_at_1280_without_a_sheet_column(app_url, browser,
                                                                        tmp_path):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    cohort, dxa = make_tables(20)
    cohort = cohort.astype(object)
    cohort.loc[3, "si_l1"] = "not a number at all, written by hand"
    cohort.loc[5, "age"] = "sixty-two"
    _upload(page, app_url, tmp_path, cohort, dxa)
    tables = page.locator('[data-testid="stMain"] .vbq-table-frame')
    expect(tables.filter(has_text="not a number at all, written by hand")).to_be_visible(
        timeout=60_000)
    settled(page)
    text = ""
    for i in range(tables.count()):
        table = tables.nth(i)
        wide, seen = table.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert wide <= seen + 1, (i, wide, seen)  # nothing to scroll sideways
        box = table.bounding_box()
        assert box["x"] + box["width"] <= 1280
        text += table.inner_text()
    assert "not a number" in text  # the whole message is text on the page, not a clipped cell
    assert "not a number at all, written by hand" in text
    assert "Sheet" not in text and "None" not in text
    ctx.close()


def test_uploaded_files_replace_the_demo_everywhere(app_url, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    cohort, dxa = make_tables(20)
    _upload(page, app_url, tmp_path, cohort, dxa)
    # the Data page switches to the files as soon as both are read
    expect(page.locator("h2").filter(has_text="ward_cohort.csv")).to_be_visible(timeout=60_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    main = page.locator('[data-testid="stMain"]')
    for title, path in (("Groups", "groups"), ("ROC", "roc"), ("Data", "data")):
        page.locator(MENU).get_by_text(title, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/{path}\?(.*&)?data=uploaded"), timeout=60_000)
        expect(page.get_by_text("Your data.").first).to_be_visible(timeout=60_000)
        expect(main).to_contain_text("ward_cohort.csv (20 rows)", timeout=60_000)
        settled(page)
        expect(sidebar).to_contain_text("ward_cohort.csv (20 rows)")
        expect(sidebar).to_contain_text("ward_dxa.csv (20 rows)")
        expect(sidebar).not_to_contain_text("Synthetic demo")
        expect(main).not_to_contain_text("Synthetic demo data")
    ctx.close()
