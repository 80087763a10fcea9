"""The content floor (issue 21): the bare page of `bench/_bare_app.py`, whose second page shows
one of the app's pages' content and nothing else, for `bench/bench_floor.py`.

The second page draws, in the app's order and layout, what a page of the app shows: its title,
headings, captions, notes, metrics, HTML tables and plotly charts, with the same text, the same
HTML and the same figure specifications and configurations, as `bench/bench_floor.py` captured
them from the app (the file named by ``VBQ_BENCH_FLOOR``). Left out: every widget, the download
popovers and the app's sidebar. A first visit to it is what drawing that content costs in
Streamlit, before any control of the app's: no version of the page that shows the same content
can draw faster than this one does, short of drawing the content differently.
"""

from __future__ import annotations

import itertools
import json
import os

import _bare_app  # beside this file: `streamlit run` puts the script's folder on sys.path
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")  # as the app's pages are drawn (before any element)


def _columns(e: dict, n: int) -> None:
    for col, inner in zip(st.columns(e["weights"]), e["columns"], strict=True):
        with col:
            _draw(inner)


def _expander(e: dict, n: int) -> None:
    with st.expander(e["label"], expanded=e["expanded"]):
        _draw(e["children"])


def _container(e: dict, n: int) -> None:
    with st.container():
        _draw(e["children"])


def _plotly(e: dict, n: int) -> None:
    st.plotly_chart(go.Figure(json.loads(e["spec"])), config=json.loads(e["config"]),
                    theme=e["theme"] or None, key=f"floor_chart_{n}")


def _text(e: dict, n: int) -> None:
    kind = e["kind"]
    if kind in ("title", "header", "subheader"):
        getattr(st, kind)(e["body"], anchor=False)
    elif kind in ("markdown", "caption"):
        getattr(st, kind)(e["body"], unsafe_allow_html=e.get("allow_html", False))
    else:  # info, warning, error, success
        getattr(st, kind)(e["body"])


_SERIAL = itertools.count()  # a chart's key, unique within the run (the script runs anew)
_DRAW = {"columns": _columns, "expander": _expander, "container": _container,
         "plotly": _plotly, "html": lambda e, n: st.html(e["body"]),
         "metric": lambda e, n: st.metric(e["label"], e["body"])}


def _draw(elements: list[dict]) -> None:
    for e in elements:
        _DRAW.get(e["kind"], _text)(e, next(_SERIAL))


def _content() -> None:
    _draw(json.loads(open(os.environ["VBQ_BENCH_FLOOR"], encoding="utf-8").read()))


_bare_app.run(_content)
