"""Settings chosen in the sidebar survive every way of moving between pages (Chromium).

Found by hand: open a deep link, click another page in the menu while the browser is still
drawing the first run, then click a third page: about one time in four the sidebar came back
with the DXA site, the osteoporosis cut-off, the sex and diagnosis filters at their first /
lowest / empty values, the address said so, and every group was empty. The browser loads a
widget's code the first time one is drawn; a menu click before the sidebar's number inputs,
multiselects and slider were drawn made Streamlit drop their state, and the browser then drew
them at their defaults (tests/app/test_settings_navigation.py has the cause without a browser).
Here the race is made certain rather than waited for: the browser's requests for that code are
held until the first click has been sent (a slow network or a busy browser does the same).

After every page switch the address, each sidebar widget and the page's "In force" line (the
same `vbq.in_force` call) must hold every setting chosen, whether it came from the link, from a
widget moved, from a widget changed just before a menu click, or from the back button.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

import vbq
from ui.sidebar import SITE_LABELS

from .conftest import settled

pytestmark = pytest.mark.browser

MENU = '[data-testid="stSidebar"] [data-testid="stPageLink"]'
SIDEBAR = '[data-testid="stSidebar"]'
# what each page draws once its run has ended (its title is not enough: the title of the page
# being left can still be on screen)
MARKERS = {"data": "Cohort summary", "groups": "Table 2. Characteristics",
           "correlations": "Table 3. Correlation", "thresholds": "Prevalence by DXA and by VBQ"}
ANALYSES = ("groups", "correlations", "thresholds")  # the pages with an "In force" line
# several settings away from the paper's, all of them in the sidebar but the group rule
LINK = {"criteria.min_vertebrae": "2", "dxa_site": "l1_l4", "osteoporosis_t": "-2.8",
        "sexes": "F", "diagnoses": "stenosis,scoliosis", "age_min": "50.0", "age_max": "80.0"}
# the code of the sidebar widgets a fresh browser draws last (Streamlit loads it on first use)
WIDGET_CODE = re.compile(r"/static/js/(NumberInput|Multiselect|Slider)\.[\w-]+\.js$")
DEMO = vbq.demo.load()
WAIT = 60_000  # ms: a loaded machine can take seconds to draw a widget whose code just came


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


class HeldCode:
    """Holds the browser's requests for the widget code until `release`: the browser has the
    sidebar's widgets to draw but cannot draw them yet."""

    def __init__(self, page) -> None:
        self.page, self.held, self.released = page, [], False
        page.route(WIDGET_CODE, self._hold)

    def _hold(self, route) -> None:
        if self.released:
            route.continue_()
        else:
            self.held.append(route)

    def release(self) -> None:
        self.released = True
        for route in self.held:
            route.continue_()
        self.page.unroute(WIDGET_CODE)


def _sidebar_widget(page, testid: str, label: str):
    return page.locator(f'{SIDEBAR} [data-testid="{testid}"]').filter(has_text=label)


def _expect_sidebar(page, settings: vbq.Settings) -> None:
    """Every sidebar widget shows the setting in force."""
    expect(_sidebar_widget(page, "stSelectbox", "DXA reference site").get_by_role(
        "combobox")).to_have_value(SITE_LABELS[settings.dxa_site], timeout=WAIT)
    for label, value in (("Osteoporosis T", settings.osteoporosis_t),
                         ("Osteopenia T", settings.osteopenia_t)):
        expect(_sidebar_widget(page, "stNumberInput", label).locator("input")).to_have_value(
            f"{value:.1f}", timeout=WAIT)
    for label, field, kind in (("Sex", "sexes", "sex"),
                               ("Primary diagnosis", "diagnoses", "diagnosis")):
        names = vbq.schema.CATEGORY_LABELS[kind]
        chips = _sidebar_widget(page, "stMultiSelect", label).locator("[data-tag]")
        expect(chips).to_have_text([names[v] for v in getattr(settings, field)], timeout=WAIT)
    low, high = vbq.settings.AGE_LIMITS
    thumbs = _sidebar_widget(page, "stSlider", "Age range").get_by_role("slider")
    expect(thumbs).to_have_count(2, timeout=WAIT)
    for thumb, value in zip(thumbs.all(), (settings.age_min or low, settings.age_max or high),
                            strict=True):
        expect(thumb).to_have_value(f"{value:g}", timeout=WAIT)


def _check(page, path: str, settings: vbq.Settings) -> None:
    """The address, the sidebar and the page's numbers all hold `settings`."""
    assert _query(page.url) == settings.to_query(), (path, page.url)
    _expect_sidebar(page, settings)
    if path in ANALYSES:
        prepared = vbq.prepare_cohort(*DEMO, settings)
        assert prepared.counts.n_degenerative and prepared.counts.n_control  # not empty
        line = page.locator('[data-testid="stCaptionContainer"]').filter(has_text="In force:")
        expect(line).to_have_text(f"In force: {vbq.in_force(prepared).line}", timeout=WAIT)
    if path == "groups":
        counts = prepared.counts
        for label, n in (("Degenerative", counts.n_degenerative), ("Control", counts.n_control),
                         ("Not in subgroup", counts.n_outside_subgroup)):
            metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
            value = metric.locator('[data-testid="stMetricValue"]')
            expect(value).to_have_text(str(n), timeout=WAIT)


def _settle(page, path: str) -> None:
    page.wait_for_url(re.compile(rf"/{path}(\?|$)"), timeout=60_000)
    expect(page.get_by_text(MARKERS[path]).first).to_be_visible(timeout=90_000)
    settled(page)


def _go(page, title: str) -> str:
    """Click `title` in the sidebar's menu and wait for that page; return its path."""
    path = title.lower()
    page.locator(MENU).get_by_text(title, exact=True).click()
    _settle(page, path)
    return path


def _type(page, label: str, value: str) -> None:
    box = _sidebar_widget(page, "stNumberInput", label).locator("input")
    box.fill(value)
    box.press("Enter")


@pytest.mark.parametrize("first", ["thresholds", "groups"])
def test_settings_survive_every_way_of_moving_between_pages(app_url, browser, first):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    settings = vbq.Settings.parse_query(LINK).settings
    assert settings.to_query() == LINK
    code = HeldCode(page)
    page.goto(f"{app_url}/{first}?" + "&".join(f"{k}={v}" for k, v in LINK.items()),
              wait_until="domcontentloaded")
    expect(page.get_by_text(MARKERS[first]).first).to_be_visible(timeout=90_000)
    expect(page.locator(MENU).get_by_text("Data", exact=True)).to_be_visible(timeout=90_000)
    # the race: the first run is on screen but the sidebar's inputs are not drawn yet
    expect(page.locator(f'{SIDEBAR} [data-testid="stNumberInput"]')).to_have_count(0)
    page.locator(MENU).get_by_text("Data", exact=True).click()
    page.wait_for_url(re.compile(r"/data(\?|$)"), timeout=60_000)
    code.release()
    _settle(page, "data")
    _check(page, "data", settings)
    for title in ("Groups", "Correlations", "Thresholds", "Data", "Groups"):
        _check(page, _go(page, title), settings)

    # a widget moved: the osteopenia cut-off, typed in the sidebar
    _type(page, "Osteopenia T", "-1.5")
    settings = settings.replace(osteopenia_t=-1.5)
    page.wait_for_url(re.compile(r"osteopenia_t=-1\.5"), timeout=60_000)
    settled(page)
    _check(page, "groups", settings)
    # a page's own widget: the UCLA criterion switched off on Groups
    page.locator('[data-testid="stCheckbox"]').filter(has_text="UCLA disc space").locator(
        "label").click()
    settings = settings.replace(criteria=dataclasses.replace(settings.criteria, ucla=False))
    page.wait_for_url(re.compile(r"criteria\.ucla=0"), timeout=60_000)
    settled(page)
    _check(page, _go(page, "Correlations"), settings)

    # a change, then a menu click at once (the click's link still carries the view before it)
    link = page.locator(MENU).get_by_text("Thresholds", exact=True)
    _type(page, "Osteoporosis T", "-3.0")
    link.dispatch_event("click")
    settings = settings.replace(osteoporosis_t=-3.0)
    _settle(page, "thresholds")
    _check(page, "thresholds", settings)

    _check(page, _go(page, "Groups"), settings)

    # back and forward: each step shows the view of its address, with every setting
    page.go_back()
    _settle(page, "thresholds")
    _check(page, "thresholds", settings)
    page.go_forward()
    _settle(page, "groups")
    _check(page, "groups", settings)
    # and the address reloaded: a new session from the link alone
    page.reload(wait_until="domcontentloaded")
    _settle(page, "groups")
    _check(page, "groups", settings)
    _check(page, _go(page, "Data"), settings)
    ctx.close()
