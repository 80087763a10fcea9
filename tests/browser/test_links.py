"""Links in a real browser: every address the app produces opens its page (no "Page not found"),
and the address bar carries the settings and view options whichever way a page is reached, so a
copied address reproduces the numbers on screen (issue 8)."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.browser

MENU = '[data-testid="stSidebar"] [data-testid="stPageLink"]'  # the app's page menu

PAGES = {"data": "Cohort summary", "groups": "Table 2. Characteristics",
         "correlations": "Table 3. Correlation", "roc": "Fig. 5. ROC curves",
         "thresholds": "Prevalence by DXA and by VBQ",
         "measure": "Save to the measurement database", "reliability": "Degenerative grouping",
         "report": "Participant flow"}
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
        "measure": '[data-testid="stMetric"]', "reliability": '[data-testid="stTable"]',
        "report": '[data-testid="stMetric"]'}


def _settle(page, marker: str, path: str = "data") -> None:
    """Wait for the page's marker and its late element, then until what it shows stops changing
    (the run has ended and every element is drawn)."""
    page.get_by_text(marker).first.wait_for(timeout=90_000)
    page.locator(LATE[path]).first.wait_for(timeout=90_000)
    last, since = None, time.monotonic()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        now = _numbers(page) + [str(page.locator('[data-stale="true"]').count())]
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > 3.0:
            return
        time.sleep(0.25)


def _numbers(page) -> list[str]:
    """What a reader compares: metrics, captions and figure titles of the page."""
    texts = []
    for sel in ('[data-testid="stMetric"]', '[data-testid="stCaptionContainer"]',
                '[data-testid="stMain"] .gtitle'):
        texts += [(t or "").strip() for t in page.locator(sel).all_text_contents()]
    return texts


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
        assert _numbers(other) == numbers, url
        fresh.close()


def test_no_address_the_app_produces_shows_page_not_found(app_url, page):
    page.goto(f"{app_url}/", wait_until="domcontentloaded")
    _settle(page, PAGES["data"], "data")
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


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_back_over_a_change_on_the_same_page_restores_that_view(app_url, page):
    page.goto(f"{app_url}/groups?criteria.min_vertebrae=4", wait_until="domcontentloaded")
    _settle(page, PAGES["groups"], "groups")
    strict = _metric(page, "Degenerative")
    slider = page.locator('[data-testid="stSlider"]').filter(
        has_text="Degenerative vertebrae at least").get_by_role("slider")
    slider.focus()
    slider.press("ArrowLeft")  # 4 -> 3, the paper's rule
    page.wait_for_url(re.compile(r"/groups$"), timeout=60_000)
    _settle(page, PAGES["groups"], "groups")
    assert _metric(page, "Degenerative") != strict
    page.go_back()  # the address of the stricter rule: its numbers come back with it
    page.wait_for_url(re.compile(r"min_vertebrae=4"), timeout=60_000)
    deadline = time.monotonic() + 60
    while _metric(page, "Degenerative") != strict and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _metric(page, "Degenerative") == strict
    assert _query(page.url) == {"criteria.min_vertebrae": "4"}
    time.sleep(2)  # and the address stays (nothing rewrites it to the later view)
    assert _query(page.url) == {"criteria.min_vertebrae": "4"}
