"""The bare Streamlit page bench/bench_browser.py times the app against (issue 21): one slider,
one `st.table`, one plotly chart of 235 points, on two pages behind `st.navigation` (as the app's
router is), so that "a first visit to a page within a session" has an equivalent here too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st


def _page() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(2.8, 0.5, 235), "y": rng.normal(-1, 1.2, 235)})
    k = st.slider("Shift", 1, 4, 3, key="bare_shift")
    st.table(df.assign(y=df.y + k).describe())
    st.plotly_chart(px.scatter(df.assign(y=df.y + k), x="x", y="y"))


def run(second=_page) -> None:
    """The router: the page above first, `second` as the second page (the bare page again here;
    `bench/_floor_app.py` passes an app page's content), each a link in the sidebar."""
    pages = [st.Page(_page, title="First", url_path="first", default=True),
             st.Page(second, title="Second", url_path="second")]
    nav = st.navigation(pages, position="hidden")
    with st.sidebar:
        for p in pages:
            st.page_link(p)
    nav.run()


if __name__ == "__main__":  # as `streamlit run` runs it
    run()
