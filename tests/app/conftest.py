"""AppTest helpers shared by the page tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 90


def start(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
    """Run the app (optionally with URL query parameters) and switch to `page`."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def tables(at: AppTest) -> list:
    """The page's static tables (`st.table`) as shown to a reader: `ui.display` writes their
    cells' punctuation as character references (st.table renders cells as Markdown), which a
    browser shows as the characters; decoded here."""
    import html

    def plain(v):
        return html.unescape(v).replace("\u2060", "") if isinstance(v, str) else v

    out = []
    for t in at.table:
        frame = t.value.map(plain)
        frame.columns = [plain(c) for c in frame.columns]
        out.append(frame)
    return out


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def demo():
    import vbq

    return vbq.demo.load()
