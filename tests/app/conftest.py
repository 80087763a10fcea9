"""AppTest helpers shared by the page tests."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pandas as pd
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


def tables(at: AppTest) -> list[pd.DataFrame]:
    """The page's journal tables (`ui.safe.table_html` in `st.html`) as a reader sees them:
    one frame of strings per table, its header and cells as the browser shows their text
    (entities decoded; a leading space is written as a non-breaking one, which HTML keeps)."""
    out = []
    for element in at.html:
        doc = lxml.html.fromstring(f"<div>{element.proto.body}</div>")
        for table in doc.xpath(".//table[contains(@class, 'vbq-table')]"):
            header = [_text(th) for th in table.xpath("./thead/tr/th")]
            rows = [[_text(td) for td in tr.xpath("./td")] for tr in table.xpath("./tbody/tr")]
            out.append(pd.DataFrame(rows, columns=header))
    return out


def table_notes(at: AppTest) -> list[str]:
    """The footnotes under the page's journal tables, one a line, as a reader sees them (they
    are written in the table's HTML, `ui.safe.table_html(notes=...)`)."""
    return [p.text_content() for element in at.html
            for p in lxml.html.fromstring(f"<div>{element.proto.body}</div>").xpath(
                ".//div[contains(@class, 'vbq-table-notes')]/p")]


def _text(cell) -> str:
    return cell.text_content()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def demo():
    import vbq

    return vbq.demo.load()
