"""Real browsers against a live server: nothing is fetched from another host, and what one user
uploads never reaches another user's page (issue 10)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ..factories import make_tables
from .conftest import ROOT, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def own_url(tmp_path_factory):
    """A server of this module's own, so the session's server stays fresh for the deep-link
    test and these tests see a server nobody else has used."""
    yield from serve(ROOT / "app.py", tmp_path_factory.mktemp("isolation") / "server.log")

PAGES = ["", "groups", "correlations", "roc", "thresholds"]  # the Data page is at /


def _outside_requests(context, app_url: str) -> list[str]:
    """Record (and abort) every request to a host other than the app's."""
    app_host = urlsplit(app_url).netloc
    outside: list[str] = []

    def route(r):
        if urlsplit(r.request.url).netloc == app_host or r.request.url.startswith(("data:",
                                                                                    "blob:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return outside


def test_no_page_fetches_anything_from_another_host(own_url, browser):
    app_url = own_url
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside = _outside_requests(ctx, app_url)
    page = ctx.new_page()
    try:
        for path in PAGES:
            page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
            page.get_by_text("Synthetic demo data.").first.wait_for(timeout=90_000)
            page.wait_for_load_state("networkidle", timeout=30_000)
        # icons (:material/...:) are drawn: the page icon and the navigation's
        page.locator(".st-key-page_menu").first.wait_for(timeout=30_000)
    finally:
        ctx.close()
    assert not outside, outside


def _upload(page, app_url: str, cohort_name: str, cohort: bytes, dxa_name: str,
            dxa: bytes) -> None:
    page.goto(f"{app_url}/", wait_until="domcontentloaded")
    page.get_by_text("Cohort summary").first.wait_for(timeout=90_000)
    page.get_by_text("Upload my files").first.click()
    # the Data page's two uploaders (the sidebar has a third, for settings)
    inputs = page.locator('[data-testid="stMain"] [data-testid="stFileUploaderDropzoneInput"]')
    inputs.nth(1).wait_for(state="attached", timeout=30_000)
    inputs.nth(0).set_input_files({"name": cohort_name, "mimeType": "text/csv",
                                   "buffer": cohort})
    page.get_by_text(cohort_name).first.wait_for(timeout=60_000)
    inputs.nth(1).set_input_files({"name": dxa_name, "mimeType": "text/csv", "buffer": dxa})
    try:  # the second file's upload can be lost when it lands during the first one's rerun
        page.locator("h2").filter(has_text=cohort_name).first.wait_for(timeout=45_000)
    except Exception:
        inputs.nth(1).set_input_files({"name": dxa_name, "mimeType": "text/csv", "buffer": dxa})


def _wait_for_dataset(page, name: str) -> str:
    page.locator("h2").filter(has_text=name).first.wait_for(timeout=90_000)
    page.get_by_text("Cohort summary").first.wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    return page.locator("body").inner_text()


def test_two_browsers_never_see_each_others_files(own_url, browser):
    app_url = own_url
    cohort, dxa = make_tables(10)
    cells = cohort.to_csv(index=False)
    dxa_csv = dxa.to_csv(index=False).encode()
    alice = ("CONFIDENTIAL Dr Alice ward 7 list,,\n" + cells).encode()
    other = cohort.copy()
    other.loc[0, "age"] = 77.0  # different cells under the same name as Alice's DXA file
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    try:
        a, b = (c.new_page() for c in contexts)
        _upload(a, app_url, "alice_SECRETNAME_cohort.csv", alice, "dxa.csv", dxa_csv)
        text_a = _wait_for_dataset(a, "alice_SECRETNAME_cohort.csv")
        assert "Validation warnings" in text_a
        # Bob: the same cells, another name and no title row; then a different cohort under
        # the DXA file's same name
        _upload(b, app_url, "bob_cohort.csv", cells.encode(), "dxa.csv", dxa_csv)
        text_b = _wait_for_dataset(b, "bob_cohort.csv")
        # Bob's files have no problem: no warnings at all (the leak showed Alice's title row
        # as "Validation warnings (1)" here; table cells are drawn on a canvas, so the count
        # in the expander's label is what the page text can show)
        assert "Validation warnings" not in text_b
        for secret in ("SECRETNAME", "CONFIDENTIAL", "Dr Alice", "alice"):
            assert secret not in text_b, secret
        for path in PAGES[1:]:
            b.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
            b.get_by_text("Dataset").first.wait_for(timeout=60_000)
            b.wait_for_timeout(1000)
            body = b.locator("body").inner_text()
            assert "SECRETNAME" not in body and "CONFIDENTIAL" not in body, path
        # Alice, meanwhile, still sees her own dataset and nothing of Bob's
        a.reload(wait_until="domcontentloaded")
        a.get_by_text("Synthetic demo data").first.wait_for(timeout=60_000)  # a reload is a new
        assert "bob_cohort" not in a.locator("body").inner_text()  # session: the demo again
        _upload(a, app_url, "bob_cohort.csv", other.to_csv(index=False).encode(), "dxa.csv",
                dxa_csv)
        text_a2 = _wait_for_dataset(a, "bob_cohort.csv")
        assert "CONFIDENTIAL" not in text_a2
    finally:
        for c in contexts:
            c.close()
