"""The Decide and Plan a study pages in Chromium at 1280 x 800 (issue 20): the curves and
tables draw, an input changes what the page shows to what `vbq` computes, nothing spills
sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

import vbq
import vbq.decide

from .conftest import settled

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page) -> None:
    wide = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')"
                         ".scrollWidth > document.querySelector('[data-testid=\"stMain\"]')"
                         ".clientWidth + 1")
    assert not wide


def test_decide_page_follows_the_harm(app_url, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/decide", wait_until="domcontentloaded")
    expect(page.get_by_text("Net benefit of DXA strategies")).to_be_visible(timeout=90_000)
    settled(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".main-svg").first).to_be_visible(timeout=90_000)
    expect(chart).to_contain_text("DXA for all")  # the legend
    _no_sideways_scroll(page)
    harm = page.get_by_role("spinbutton", name="Harm of using VBQ (net benefit)")
    harm.fill("0.020")
    harm.press("Enter")
    prepared = vbq.prepare_cohort(*vbq.demo.load())
    study = vbq.decide.decision_study(prepared.table, harm=0.02,
                                      vbq_cutoff=prepared.thresholds.vbq_osteoporosis)
    nb = study.result.curve("vbq").set_index("threshold")["net_benefit"].loc[0.2]
    row = page.locator('.vbq-table-frame tr').filter(
        has_text="Net benefit: DXA if VBQ ≥").first
    expect(row).to_contain_text(vbq.present.format_number(nb, 3), timeout=90_000)
    expect(page.get_by_text("Harm of using the test: DXA if VBQ ≥ 2.90: 0.020")).to_be_visible()
    settled(page)
    page.screenshot(path=str(tmp_path / "decide.png"))


def test_plan_page_follows_the_number_of_parameters(app_url, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/plan", wait_until="domcontentloaded")
    expect(page.get_by_text("All together")).to_be_visible(timeout=90_000)
    settled(page)
    metrics = page.locator('[data-testid="stMetricValue"]')
    expect(metrics).to_have_count(4, timeout=90_000)
    expect(metrics.first).to_have_text("254")  # Buderer: Se 93%, Sp 65.4%, +/- 7, 30%
    _no_sideways_scroll(page)
    params = page.get_by_role("spinbutton", name="Predictor parameters")
    params.fill("10")
    params.press("Enter")
    expected = vbq.stats.sample_size_prediction_model(0.80, 0.20, 10)
    expect(metrics.nth(3)).to_have_text(str(expected.n_total), timeout=90_000)
    settled(page)
    page.screenshot(path=str(tmp_path / "plan.png"))
