"""The image-click component in Chromium: a click lands where it was made, in image pixels."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import settled

pytestmark = pytest.mark.browser


def _clicked(page) -> str:
    return page.get_by_text(re.compile(r"^clicked ")).first.inner_text()


def test_a_click_maps_to_the_image_pixel_it_landed_on(click_url, page):
    page.goto(click_url, wait_until="domcontentloaded")
    img = page.locator("img.vbq-click-img")
    img.wait_for(timeout=60_000)
    box = img.bounding_box()
    assert box is not None and abs(box["width"] - 512) < 1  # 128 pixels shown 4x
    assert _clicked(page) == "clicked none"
    # the middle of pixel (row 10, column 30) is displayed at (30.5 * 4, 10.5 * 4)
    img.click(position={"x": 30.5 * 4, "y": 10.5 * 4})
    page.get_by_text("clicked row=10.000 col=30.000").wait_for(timeout=30_000)
    # the far corner pixel (63, 127)
    img.click(position={"x": 127.5 * 4, "y": 63.5 * 4})
    page.get_by_text("clicked row=63.000 col=127.000").wait_for(timeout=30_000)
    # a click is one-shot: an unrelated rerun does not replay it as a new click
    settled(page)  # the click's run has ended: its number is on the page
    runs = page.get_by_text(re.compile(r"^run \d+$"))
    after = int(runs.inner_text().split()[1]) + 1
    page.get_by_role("button", name="rerun").click()
    expect(runs).to_have_text(f"run {after}", timeout=30_000)
    assert _clicked(page) == "clicked row=63.000 col=127.000"


def test_the_displayed_size_does_not_change_the_mapping(click_url, browser):
    ctx = browser.new_context(viewport={"width": 420, "height": 800})  # narrower than 512 px
    page = ctx.new_page()
    try:
        page.goto(click_url, wait_until="domcontentloaded")
        img = page.locator("img.vbq-click-img")
        img.wait_for(timeout=60_000)
        box = img.bounding_box()
        scale = box["width"] / 128
        assert scale < 4
        img.click(position={"x": 100.5 * scale, "y": 5.5 * scale})
        text = page.get_by_text(re.compile(r"^clicked row=")).first
        text.wait_for(timeout=30_000)
        row, col = map(float, re.findall(r"=([\d.]+)", text.inner_text()))
        assert abs(row - 5) < 0.5 and abs(col - 100) < 0.5  # within the pixel
    finally:
        ctx.close()


def test_labels_are_text_not_markup(click_url, page):
    page.goto(click_url, wait_until="domcontentloaded")
    label = page.locator("svg.vbq-click-svg text").first
    label.wait_for(timeout=60_000)
    assert label.text_content() == "L1 <b>bold?</b>"
    assert page.locator("svg.vbq-click-svg b").count() == 0
