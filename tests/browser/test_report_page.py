"""The Report page in Chromium: the flow diagram shows, and the HTML report downloads (built on
the click) as a self-contained file of the right size."""

from __future__ import annotations

import re

import pytest

import vbq

pytestmark = pytest.mark.browser


def test_report_downloads_from_the_page(app_url, browser, tmp_path):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    try:
        page.goto(f"{app_url}/report", wait_until="domcontentloaded")
        page.get_by_text("Participant flow").first.wait_for(timeout=90_000)
        prepared = vbq.prepare_cohort(*vbq.demo.load())
        flow = page.frame_locator("iframe").first
        flow.get_by_text(f"Analysed: {prepared.counts.n_analysed}").wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "report_page.png"))
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name=re.compile("Download the report")).click()
        path = tmp_path / "report.html"
        download.value.save_as(path)
        assert download.value.suggested_filename == "vbq_report_demo.html"
        text = path.read_text(encoding="utf-8")
        assert path.stat().st_size < 10e6
        assert "Participant flow (STARD 2015)" in text and "Synthetic demo data" in text
        # opened from disk with the network cut, the report draws every figure
        viewer = ctx.new_page()
        viewer.route(re.compile(r"^https?://"), lambda route: (outside.append(route.request.url),
                                                              route.abort()))
        viewer.goto(path.as_uri())
        viewer.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg')"
                                 ".length >= 8", timeout=30_000)
        assert not outside, outside
        assert not errors, errors
    finally:
        ctx.close()
