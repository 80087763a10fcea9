"""Risk calculator page in Chromium at 1280x800: typing a patient's VBQ changes the probability
to `vbq`'s, the calibration plot draws, and a value outside the cohort is flagged."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

import vbq

from .conftest import settled

pytestmark = pytest.mark.browser


def test_typing_a_vbq_score_gives_vbqs_probability(app_url, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{app_url}/risk")
    metric = page.get_by_test_id("stMetric").filter(has_text="Probability of osteoporosis")
    expect(metric).to_be_visible(timeout=120_000)
    settled(page, timeout=120_000)
    table = vbq.prepare_cohort(*vbq.demo.load()).table
    model = vbq.study.risk_calculator(table)
    start = model.predict({"vbq": round(float(table["vbq"].median()), 2),
                           "age": int(round(float(table["age"].median()))), "sex": "F"})
    expect(metric).to_contain_text(f"{100 * start['probability'].iloc[0]:.1f}%")
    field = page.get_by_label("VBQ score")
    field.fill("3.60")
    field.press("Enter")
    after = model.predict({"vbq": 3.6, "age": int(round(float(table["age"].median()))),
                           "sex": "F"}).iloc[0]
    expect(metric).to_contain_text(f"{100 * after['probability']:.1f}%", timeout=60_000)
    expect(page.get_by_text(re.compile(r"^95% CI \d+\.\d% to \d+\.\d%$"))).to_have_text(
        vbq.present.risk_ci_text(after))
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator(".main-svg"))
    expect(chart.first).to_be_attached()
    field.fill("7.50")
    field.press("Enter")
    expect(page.get_by_text("outside the range of the patients the model was fitted to",
                            exact=False)).to_be_visible(timeout=60_000)
