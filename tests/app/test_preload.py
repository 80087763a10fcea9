"""`ui.preload` finds the chart module the installed Streamlit imports, and every page asks for
it (issue 21); the browser side is tests/browser/test_preload.py."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import preload, safe

from .conftest import start

STATIC = Path(st.__file__).parent / "static" / "static" / "js"


def test_the_chart_module_is_the_one_streamlit_imports():
    # fails when a Streamlit release names or loads its plotly code otherwise: then nothing is
    # loaded early (charts still work) and ui.preload needs a look
    assert preload.CHART_MODULE is not None
    entry = next(STATIC.glob("index.*.js")).read_text(encoding="utf-8")
    assert f"import(`./{preload.CHART_MODULE}`)" in entry


def test_every_page_asks_for_it_once_in_the_sidebar():
    at = start("app_pages/groups.py")
    scripts = [h for h in at.sidebar.get("html") if preload.CHART_MODULE in h.proto.body]
    assert len(scripts) == 1
    assert scripts[0].proto.unsafe_allow_javascript
    assert not [h for h in at.main.get("html") if "<script" in h.proto.body]



def test_the_sidebars_first_element_is_the_tables_style_sheet():
    # ui.preload.table_code_first; the browser side (its code asked for first) is
    # tests/browser/test_preload.py
    at = start("app_pages/groups.py")
    first = at.sidebar.children[0]
    assert first.type == "html" and first.proto.body.startswith(safe.TABLE_CSS)
    assert not first.proto.unsafe_allow_javascript
