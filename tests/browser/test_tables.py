"""Journal tables in a real browser at 1280 x 800: no sideways scrolling, every row visible, and
both forms of a table download through vbq.export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import vbq
import vbq.present as present

pytestmark = pytest.mark.browser

PAGES = {"groups": "p adjusted for age", "correlations": "Degenerative vs control, p",
         "roc": "AUC (95% CI)", "thresholds": "Degenerative, n/N (%)"}


@pytest.fixture
def small_page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    p = ctx.new_page()
    yield p
    ctx.close()


@pytest.mark.parametrize("path, header", sorted(PAGES.items()))
def test_tables_fit_at_1280_px_with_every_row(app_url, small_page, path, header):
    page = small_page
    page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
    page.locator('.vbq-table-frame').filter(has_text=header).first.wait_for(
        timeout=90_000)
    sizes = page.evaluate("""() => [...document.querySelectorAll('.vbq-table-frame')]
        .map(t => ({scroll: t.scrollWidth, client: t.clientWidth,
                    rows: t.querySelectorAll('tbody tr').length,
                    inner: t.scrollHeight - t.clientHeight}))""")
    assert sizes
    for s in sizes:
        assert s["scroll"] <= s["client"] + 1, s  # no sideways scroll
        assert s["inner"] <= 1, s  # no scrolling frame: every row is laid out
    if path == "groups":
        table = vbq.prepare_cohort(*vbq.demo.load()).table
        rows = len(present.table2(vbq.study.table2(table)).shown)
        assert any(s["rows"] == rows for s in sizes)


def _download(page, name: str):
    """Click the download button `name` of the page's first table, opening its "Download"
    popover (whose buttons are mounted only while it is open) when it is closed."""
    button = page.get_by_role("button", name=name)
    if not button.count():
        page.get_by_test_id("stPopoverButton").filter(has_text="Download").first.click()
    with page.expect_download(timeout=60_000) as download:
        button.first.click()
    return download.value


def test_table3_downloads_as_shown_and_as_data(app_url, small_page):
    page = small_page
    page.goto(f"{app_url}/correlations", wait_until="domcontentloaded")
    page.get_by_text("Degenerative vs control, p").first.wait_for(timeout=90_000)
    shown = _download(page, "Table CSV")
    text = open(shown.path(), encoding="utf-8-sig").read()
    assert shown.suggested_filename == "table3.csv"
    assert text.startswith(present.table3(vbq.study.table3(
        vbq.prepare_cohort(*vbq.demo.load()).table)).title)
    data = _download(page, "Data XLSX")
    assert data.suggested_filename == "table3_data.xlsx"
    assert open(data.path(), "rb").read(2) == b"PK"


def _upload(page, app_url: str, cohort: Path, dxa: Path) -> None:
    """Open the app, choose "Upload my files" and give it the two files."""
    page.goto(app_url, wait_until="domcontentloaded")
    page.get_by_text("Upload my files").first.wait_for(timeout=90_000)
    page.get_by_text("Upload my files").first.click()
    main = page.locator('[data-testid="stMain"]')
    main.locator("input[type=file]").first.wait_for(state="attached", timeout=30_000)
    main.locator("input[type=file]").nth(0).set_input_files(str(cohort))
    main.locator("input[type=file]").last.set_input_files(str(dxa))


def test_text_from_a_file_in_a_table_is_text(app_url, small_page, tmp_path):
    # a value from the file must stay literal text in a table: no link, no formatting
    from tests.factories import make_tables

    cohort, dxa = make_tables(8)
    cohort = cohort.astype(object)
    cohort.loc[2, "age"] = "[x](https://evil.example)"
    cohort.loc[3, "bmi"] = "**loud**"
    (tmp_path / "c.csv").write_text(cohort.to_csv(index=False))
    (tmp_path / "d.csv").write_text(dxa.to_csv(index=False))
    page = small_page
    _upload(page, app_url, tmp_path / "c.csv", tmp_path / "d.csv")
    problems = page.locator('.vbq-table-frame').filter(has_text="not a number").first
    problems.wait_for(timeout=60_000)
    text = problems.inner_text().replace("\u2060", "")  # the joiner that stops autolinks
    assert "[x](https://evil.example)" in text and "**loud**" in text
    links = [problems.locator("a").nth(i).evaluate("e => e.outerHTML") for i in range(problems.locator("a").count())]
    assert not links and problems.locator("strong").count() == 0, links


def test_exclusion_log_reasons_read_in_full_at_1280_px(app_url, small_page, tmp_path):
    # the longest reason vbq writes (a DXA row with no cohort patient) wraps inside its cell
    from tests.factories import make_tables

    cohort, dxa = make_tables(10)
    dxa = dxa[dxa["patient_id"] != "T010"]
    dxa = pd.concat([dxa, dxa.iloc[[0]].assign(patient_id="X999")], ignore_index=True)
    (tmp_path / "c.csv").write_text(cohort.to_csv(index=False))
    (tmp_path / "d.csv").write_text(dxa.to_csv(index=False))
    expected = present.exclusion_table(vbq.prepare_cohort(cohort, dxa).exclusion_log()).shown
    longest = max(expected["Reason"], key=len)
    assert len(longest) > 100
    page = small_page
    _upload(page, app_url, tmp_path / "c.csv", tmp_path / "d.csv")
    log = page.locator('.vbq-table-frame').filter(has_text="Patient excluded").first
    log.wait_for(timeout=90_000)
    cell = log.locator("td").filter(has_text="Row of the DXA file").first
    assert cell.inner_text().replace("\u2060", "").replace("\n", " ") == longest
    size = cell.evaluate("td => ({scroll: td.scrollWidth, client: td.clientWidth, "
                         "height: td.getBoundingClientRect().height})")
    assert size["scroll"] <= size["client"] + 1, size  # nothing cut off
    assert size["height"] > 40, size  # wrapped onto a second line, at 1280 px
    table = log.evaluate("t => ({scroll: t.scrollWidth, client: t.clientWidth})")
    assert table["scroll"] <= table["client"] + 1, table  # no sideways scrolling
