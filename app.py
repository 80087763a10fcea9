"""VBQ Explorer: the router. Run with `make run` or `streamlit run app.py`.

Pages live in `app_pages/`; each is thin: widgets, cached calls into `vbq` (through `ui.cache`),
display. The folder is deliberately not called `pages/`: Streamlit treats a `pages/` folder beside
the entry script as old-style multipage pages, and the first deep link to a freshly started server
(http://host/groups) would then run the page file on its own, without this router and its sidebar.
"""

from __future__ import annotations

import streamlit as st

from ui import binding, measure, preload, sidebar, testhooks
from ui.state import get_dataset

st.set_page_config(page_title="VBQ Explorer", page_icon=sidebar.ICON, layout="wide")
preload.table_code_first()  # the first element of every run: see ui.preload

DATA = st.Page("app_pages/data.py", title="Data", icon=":material/table:", url_path="data")
PAGES = [
    DATA,
    st.Page("app_pages/groups.py", title="Groups", icon=":material/group_work:", url_path="groups"),
    st.Page("app_pages/correlations.py", title="Correlations", icon=":material/scatter_plot:",
            url_path="correlations"),
    st.Page("app_pages/roc.py", title="ROC", icon=":material/show_chart:", url_path="roc"),
    st.Page("app_pages/thresholds.py", title="Thresholds", icon=":material/tune:",
            url_path="thresholds"),
    st.Page("app_pages/risk.py", title="Risk calculator", icon=":material/calculate:",
            url_path="risk"),
    st.Page("app_pages/measure.py", title="MRI measurement", icon=":material/radiology:",
            url_path="measure"),
    st.Page("app_pages/reliability.py", title="Reliability", icon=":material/compare_arrows:",
            url_path="reliability"),
    st.Page("app_pages/decide.py", title="Decide", icon=":material/alt_route:", url_path="decide"),
    st.Page("app_pages/plan.py", title="Plan a study", icon=":material/science:",
            url_path="plan"),
    st.Page("app_pages/report.py", title="Report", icon=":material/summarize:",
            url_path="report"),
]


def _home() -> None:
    """The app's root address. Streamlit serves the default page at `/` only, and `/<its
    url_path>` then shows "Page not found": so the default is this hidden page, which sends the
    user on to /data with the link's parameters, and every page has an address of its own."""
    st.switch_page(DATA, query_params=binding.url_params())


HOME = st.Page(_home, title="Data", url_path="start", default=True, visibility="hidden")

# The menu is ours (`ui.sidebar.page_links`): each link carries the view's query string, so a page
# change is one history entry with the settings in it. Streamlit's own menu first pushes the bare
# address and only then the settings, so the back button lands on an address without them.
nav = st.navigation([HOME, *PAGES], position="hidden")
binding.load_url_once()
binding.follow_history()  # the back button: the address stepped to decides
_meas_problem = measure.apply_link_measurements()  # a link's meas=observer:session
if _meas_problem:
    st.session_state.setdefault(binding.LINK_PROBLEMS, []).append(_meas_problem)
binding.write_url()  # a page switch clears the query string: put the view back, every run
if nav is HOME:
    nav.run()
binding.link_problems_box(nav.url_path)  # at the top of the page, above its title
try:
    dataset = get_dataset()
except ValueError as exc:  # a broken demo file must not show a traceback
    st.error(f"The demo cohort could not be loaded: {exc}")
    st.stop()
sidebar.page_links(PAGES, current=nav)
sidebar.render(dataset)
with st.sidebar:  # at its foot: takes no room a reader sees
    preload.chart_code_when_idle()  # the chart library, loaded while the first page is read
if testhooks.enabled():  # tests/browser/test_session_memory.py only (a page may st.stop)
    testhooks.live_images()
nav.run()
