"""VBQ Explorer: the router. Run with `make run` or `streamlit run app.py`.

Pages live in `app_pages/`; each is thin: widgets, cached calls into `vbq` (through `ui.cache`),
display. The folder is deliberately not called `pages/`: Streamlit treats a `pages/` folder beside
the entry script as old-style multipage pages, and the first deep link to a freshly started server
(http://host/groups) would then run the page file on its own, without this router and its sidebar.
"""

from __future__ import annotations

import streamlit as st

from ui import binding, sidebar
from ui.state import get_dataset

st.set_page_config(page_title="VBQ Explorer", page_icon=":material/radiology:", layout="wide")

PAGES = [
    st.Page("app_pages/data.py", title="Data", icon=":material/table:", default=True, url_path="data"),
    st.Page("app_pages/groups.py", title="Groups", icon=":material/group_work:", url_path="groups"),
    st.Page("app_pages/correlations.py", title="Correlations", icon=":material/scatter_plot:",
            url_path="correlations"),
    st.Page("app_pages/roc.py", title="ROC", icon=":material/show_chart:", url_path="roc"),
    st.Page("app_pages/thresholds.py", title="Thresholds", icon=":material/tune:",
            url_path="thresholds"),
    st.Page("app_pages/report.py", title="Report", icon=":material/summarize:",
            url_path="report"),
]

nav = st.navigation(PAGES)
binding.load_url_once()
try:
    dataset = get_dataset()
except ValueError as exc:  # a broken demo file must not show a traceback
    st.error(f"The demo cohort could not be loaded: {exc}")
    st.stop()
sidebar.render(dataset)
nav.run()
