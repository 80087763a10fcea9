"""The Report page's whole-report preview in Chromium (issue 21, `ui.report_preview`): the
text and tables show when the frame loads, each figure is drawn when the reader scrolls to it
(with the traces of the downloaded report's figure), a figure saves as SVG from the preview, and
nothing is fetched from outside the app, at 1280x800 and 1920x1080."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

import vbq
import vbq.report

from .conftest import settled

pytestmark = pytest.mark.browser

NEW_PLOT = re.compile(r'Plotly\.newPlot\(\s*"([^"]+)",\s*\[')


@pytest.fixture(scope="module")
def report_figures() -> dict[str, int]:
    """Each figure of the demo's report -> its number of traces, read from the file's text."""
    html = vbq.report.build_report(vbq.prepare_cohort(*vbq.demo.load()), synthetic=True)
    out = {}
    for m in NEW_PLOT.finditer(html):
        data, _ = json.JSONDecoder().raw_decode(html[m.end() - 1:])
        out[m.group(1)] = len(data)
    return out


@pytest.mark.parametrize("width, height", [(1280, 800), (1920, 1080)])
def test_preview_shows_the_text_then_every_figure_when_scrolled_to(app_url, browser, tmp_path,
                                                                  report_figures, width,
                                                                  height):
    ctx = browser.new_context(viewport={"width": width, "height": height},
                              accept_downloads=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]|data:|blob:|about:).*"), refuse)
    try:
        page.goto(f"{app_url}/report", wait_until="domcontentloaded")
        toggle = page.get_by_text("Preview the whole report here", exact=True)
        toggle.click()
        expect(page.get_by_text(re.compile(r"Report ready \(\d+\.\d MB\)"))).to_be_visible(
            timeout=120_000)
        settled(page)
        frame = page.frame_locator("iframe").nth(1)
        # the text and the tables
        expect(frame.get_by_role("heading", name="Participant flow (STARD 2015)")).to_be_visible()
        expect(frame.locator("#table1 table")).to_be_attached()
        expect(frame.locator("nav")).to_be_visible()
        page.screenshot(path=str(tmp_path / f"preview_{width}.png"))
        figures = frame.locator("figure .plotly-graph-div")
        expect(figures).to_have_count(len(report_figures))
        # far below the first screen, the last figure waits for the reader
        expect(figures.last.locator(".main-svg")).to_have_count(0)
        for i, div_id in enumerate(report_figures):
            figure = figures.nth(i)
            expect(figure).to_have_id(div_id)  # the download's figures, in its order
            figure.scroll_into_view_if_needed()
            expect(figure.locator(".main-svg").first).to_be_visible(timeout=60_000)
            expect(figure.locator(".xtick").first).to_be_attached()
            assert figure.evaluate("d => d.data.length") == report_figures[div_id], div_id
            if i == 0:
                page.screenshot(path=str(tmp_path / f"preview_{width}_figure.png"))
        # a figure saves from the preview as from the file
        last = frame.locator("figure").last
        with page.expect_download(timeout=60_000) as download:
            last.get_by_role("button", name=re.compile("Download SVG")).click()
        saved = tmp_path / "figure.svg"
        download.value.save_as(saved)
        assert saved.read_text(encoding="utf-8").lstrip().startswith("<svg")
        assert not outside, outside
        assert not errors, errors
    finally:
        ctx.close()
