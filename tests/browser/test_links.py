"""Links in a real browser: every address the app produces opens its page (no "Page not found"),
and the address bar carries the settings and view options whichever way a page is reached, so a
copied address reproduces the numbers on screen (issue 8)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import settled

pytestmark = pytest.mark.browser

MENU = '[data-testid="stSidebar"] [data-testid="stPageLink"]'  # the app's page menu

PAGES = {"data": "Cohort summary", "groups": "Table 2. Characteristics",
         "correlations": "Table 3. Correlation", "roc": "Fig. 5. ROC curves",
         "thresholds": "Prevalence by DXA and by VBQ",
         "measure": "Save to the measurement database", "reliability": "Degenerative grouping",
         "report": "Participant flow", "decide": "Net benefit of DXA strategies",
         "plan": "All together", "risk": "Is the cohort large enough?"}
SIDEBAR = {"Data": "data", "Groups": "groups", "Correlations": "correlations", "ROC": "roc",
           "Thresholds": "thresholds"}
# non-default settings and view options: a stricter group rule, another reference site, women
# only, the ROC page's group, and a link made on uploaded files (the demo is shown meanwhile)
LINK = {"criteria.min_vertebrae": "4", "dxa_site": "l1_l4", "sexes": "F", "v.roc.group": "all",
        "data": "uploaded"}


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def _path(url: str) -> str:
    return urlsplit(url).path.strip("/")


# an element each page draws late (the frontend loads some widgets' code on first use)
LATE = {"data": '[data-testid="stMetric"]', "groups": '[data-testid="stMetric"]',
        "correlations": '[data-testid="stMain"] .gtitle',
        "roc": '[data-testid="stMain"] .main-svg', "thresholds": '[data-testid="stMetric"]',
        "measure": '[data-testid="stMetric"]', "reliability": '.vbq-table-frame',
        "report": '[data-testid="stMetric"]', "decide": '.vbq-table-frame',
        "plan": '[data-testid="stMetric"]', "risk": '[data-testid="stMain"] .main-svg'}


def _settle(page, marker: str, path: str = "data") -> None:
    """Wait for the page's marker and its late element, then for the end of the run (nothing
    stale, no running script, every chart drawn)."""
    expect(page.get_by_text(marker).first).to_be_visible(timeout=90_000)
    expect(page.locator(LATE[path]).first).to_be_visible(timeout=90_000)
    settled(page)


# what a reader compares: metrics, captions, tables' footnotes and figure titles of the page,
# in page order
NUMBERS = ('[data-testid="stMetric"], [data-testid="stCaptionContainer"], '
           '.vbq-table-notes p, [data-testid="stMain"] .gtitle')


def _number_elements(page):
    """Those elements that show any text (an empty caption has nothing to compare)."""
    return page.locator(NUMBERS).filter(has_text=re.compile(r"\S"))


def _numbers(page) -> list[str]:
    # text content: figure titles are SVG text, which has no innerText
    return [t.strip() for t in _number_elements(page).all_text_contents()]


def _not_found(page) -> bool:
    return page.get_by_text("Page not found").count() > 0


def test_settings_survive_every_page_change_and_the_url_reproduces_the_view(app_url, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    query = "&".join(f"{k}={v}" for k, v in LINK.items())
    page.goto(f"{app_url}/groups?{query}", wait_until="domcontentloaded")
    _settle(page, PAGES["groups"], "groups")
    stops = []
    for title in ("Data", "Groups", "Correlations", "ROC", "Thresholds", "Groups", "Data"):
        page.locator(MENU).get_by_text(title, exact=True).click()
        page.wait_for_url(re.compile(rf"/{SIDEBAR[title]}(\?|$)"), timeout=60_000)
        _settle(page, PAGES[SIDEBAR[title]], SIDEBAR[title])
        assert not _not_found(page), page.url
        assert _query(page.url) == LINK, (title, page.url)
        stops.append((page.url, _numbers(page)))
    for back in ("groups", "thresholds"):  # the back button: each step keeps every setting
        page.go_back()
        page.wait_for_url(re.compile(rf"/{back}(\?|$)"), timeout=60_000)
        _settle(page, PAGES[back], back)
        assert _query(page.url) == LINK, page.url
    ctx.close()
    # each stop's address, opened in a fresh browser (a new session), shows the same numbers
    seen = set()
    for url, numbers in stops:
        if url in seen:
            continue
        seen.add(url)
        fresh = browser.new_context(viewport={"width": 1280, "height": 800})
        other = fresh.new_page()
        other.goto(url, wait_until="domcontentloaded")
        _settle(other, PAGES[_path(url)], _path(url))
        assert any(numbers), url
        expect(_number_elements(other)).to_have_text(numbers)
        fresh.close()


def test_no_address_the_app_produces_shows_page_not_found(app_url, page):
    page.goto(f"{app_url}/", wait_until="domcontentloaded")
    _settle(page, PAGES["data"], "data")
    # the sidebar's menu may draw after the page's first table: wait for every link in it
    expect(page.locator(f"{MENU} a")).to_have_count(len(PAGES))
    links = page.locator(f"{MENU} a").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")
    paths = {_path(h) for h in links}
    assert paths == set(PAGES), paths  # every page has an address of its own in the sidebar
    for path in ["", *sorted(PAGES)]:
        for query in ("", "?criteria.min_vertebrae=2&v.roc.group=all"):
            page.goto(f"{app_url}/{path}{query}", wait_until="domcontentloaded")
            _settle(page, PAGES.get(path, PAGES["data"]), path or "data")
            assert not _not_found(page), f"/{path}{query}"
            if query:  # the link's parameters survive the visit
                assert _query(page.url) == {"criteria.min_vertebrae": "2",
                                            "v.roc.group": "all"}, page.url


def _metric(page, label: str):
    """The value of the metric labelled `label` (a locator, for `expect`)."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]')


def test_back_over_a_change_on_the_same_page_restores_that_view(app_url, page):
    page.goto(f"{app_url}/groups?criteria.min_vertebrae=4", wait_until="domcontentloaded")
    _settle(page, PAGES["groups"], "groups")
    degenerative = _metric(page, "Degenerative")
    strict = degenerative.inner_text()
    slider = page.locator('[data-testid="stSlider"]').filter(
        has_text="Degenerative vertebrae at least").get_by_role("slider")
    slider.focus()
    slider.press("ArrowLeft")  # 4 -> 3, the paper's rule
    page.wait_for_url(re.compile(r"/groups$"), timeout=60_000)
    expect(degenerative).not_to_have_text(strict, timeout=60_000)
    _settle(page, PAGES["groups"], "groups")
    page.go_back()  # the address of the stricter rule: its numbers come back with it
    page.wait_for_url(re.compile(r"min_vertebrae=4"), timeout=60_000)
    expect(degenerative).to_have_text(strict, timeout=60_000)
    # and the address stays once that run has ended (each run writes the address at its start,
    # so a run that rewrote it to the later view would have done so by now)
    settled(page)
    assert _query(page.url) == {"criteria.min_vertebrae": "4"}
