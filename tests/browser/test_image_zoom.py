"""Zoom and pan in the image-click component (issue 19, the viewer): zoomed, a click still lands
on the image pixel it was made on; dragging pans and is never taken for a click."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _clicked(page) -> tuple[float, float]:
    text = page.get_by_text(re.compile(r"^clicked row=")).first.inner_text()
    row, col = map(float, re.findall(r"=([\d.]+)", text))
    return row, col


def _lands_on(page, row: int, col: int) -> None:
    """The click reported lies in pixel (row, col) (Chromium delivers mouse events at whole
    CSS pixels: at 2.25x a pixel is 9 of them, so within half a pixel, not exactly)."""
    expect(page.get_by_text(re.compile(rf"^clicked row={row - 1}\.9|^clicked row={row}\.0"))
           ).to_be_visible()
    got = _clicked(page)
    assert abs(got[0] - row) < 0.5 and abs(got[1] - col) < 0.5, got


def _at_pixel(img, row: float, col: float) -> dict:
    """Where the middle of pixel (row, col) is on the image element as now shown."""
    box = img.bounding_box()
    scale = box["width"] / 128
    return {"x": (col + 0.5) * scale, "y": (row + 0.5) * scale}


def test_zoomed_clicks_land_on_their_pixel_and_a_drag_pans(click_url, page):
    page.goto(click_url)
    img = page.locator("img.vbq-click-img")
    expect(img).to_be_visible(timeout=60_000)  # a fresh server's first page
    expect(page.get_by_text("clicked none")).to_be_visible()
    page.get_by_role("button", name="+").click()
    page.get_by_role("button", name="+").click()  # 2.25x
    assert img.bounding_box()["width"] == pytest.approx(512 * 2.25, abs=1)
    # a pixel in view (the zoom keeps the middle of the view where it was)
    img.click(position=_at_pixel(img, 30, 60))
    _lands_on(page, 30, 60)
    # a drag pans the image and places nothing
    before = img.bounding_box()
    fb = page.locator(".vbq-click-box").bounding_box()
    page.mouse.move(fb["x"] + 200, fb["y"] + 100)
    page.mouse.down()
    page.mouse.move(fb["x"] + 140, fb["y"] + 70, steps=6)
    page.mouse.up()
    after = img.bounding_box()
    assert after["x"] == pytest.approx(before["x"] - 60, abs=2)
    assert after["y"] == pytest.approx(before["y"] - 30, abs=2)
    _lands_on(page, 30, 60)  # the drag placed nothing
    # the pixel now in the middle of the view
    scale = after["width"] / 128
    row = int((fb["y"] + fb["height"] / 2 - after["y"]) / scale)
    col = int((fb["x"] + fb["width"] / 2 - after["x"]) / scale)
    img.click(position=_at_pixel(img, row, col))
    _lands_on(page, row, col)
    # the whole image again
    page.get_by_role("button", name=re.compile("^↺$")).click()
    assert img.bounding_box()["width"] == pytest.approx(512, abs=1)
