"""Element code loaded early (issue 21, `ui.preload`): the tables' code before any other element's
on a new session; the chart library while the first page is read, once, the module Streamlit
itself imports, nothing drawn, no page error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ui import preload

from .conftest import settled

pytestmark = pytest.mark.browser

_LOADED = """(name) => performance.getEntriesByType('resource')
    .filter(e => e.name.endsWith('/static/js/' + name)).length"""


def test_chart_code_loads_on_a_page_without_charts_and_is_not_loaded_again(app_url, page):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{app_url}/data", wait_until="domcontentloaded")
    expect(page.get_by_text("Cohort summary").first).to_be_visible(timeout=90_000)
    settled(page)
    assert page.get_by_test_id("stPlotlyChart").count() == 0  # the Data page draws no chart
    # loaded once the browser is idle (requestIdleCallback, at most 10 s after the page)
    page.wait_for_function(f"({_LOADED})('{preload.CHART_MODULE}') === 1", timeout=60_000)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Correlations").click()
    expect(page.get_by_text("Fig. 4. VBQ against bone density")).to_be_visible(timeout=90_000)
    # the figure's title can be drawn before its two charts are added (a CI run counted 0)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(2, timeout=90_000)
    settled(page)
    assert page.evaluate(_LOADED, preload.CHART_MODULE) == 1  # the same module, not again
    assert not errors


_REQUESTED = """(name) => Math.min(...performance.getEntriesByType('resource')
    .filter(e => e.name.split('/').pop().startsWith(name + '.') && e.name.endsWith('.js'))
    .map(e => e.startTime))"""


def test_a_new_session_asks_for_the_tables_code_before_any_other_elements(app_url, page):
    page.goto(f"{app_url}/groups", wait_until="domcontentloaded")
    expect(page.get_by_text("Table 2. Characteristics of the groups").first).to_be_visible(timeout=90_000)
    settled(page)
    html, menu = page.evaluate(_REQUESTED, "Html"), page.evaluate(_REQUESTED, "PageLink")
    # the sidebar's menu links are the first elements of a run after ui.preload's style sheet
    assert html < menu, (html, menu)
