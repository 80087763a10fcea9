"""Loading the chart library while the reader reads the first page (issue 21).

Streamlit loads an element's code in the browser when the element first appears: the session's
first page with a plotly chart parsed and ran plotly.js (a 4.7 MB module) before it could draw,
most of a first visit to Correlations (3.1 s of 4.9 s in a Chrome trace under load; bench/
profile_browser.py). `chart_code_when_idle` asks the browser to load that same module once the
page is drawn and the browser is idle (`requestIdleCallback`), so the first chart page finds it
ready. It is the module Streamlit itself imports (the same address, so the browser runs it once),
loaded on the browser's idle time rather than while the reader waits for a chart; nothing is
drawn and nothing leaves the server. Its cost is the same work, earlier: a click in the second
or so that it runs waits for it.

The module's name carries a hash of Streamlit's build, read from the installed Streamlit's
static files; if it cannot be found (a Streamlit that names it otherwise), nothing is loaded
early and charts load as before (tests/app/test_preload.py fails then, so that it is noticed).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

__all__ = ["CHART_MODULE", "chart_code_when_idle"]


def _chart_module() -> str | None:
    """The file name of Streamlit's plotly chart module (``PlotlyChart.<hash>.js``), or None."""
    found = sorted((Path(st.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


#: The installed Streamlit's plotly chart module, found once at import.
CHART_MODULE = _chart_module()

# Streamlit's own entry script is /static/js/index.<hash>.js: the module is resolved beside it,
# as Streamlit resolves it (any server.baseUrlPath included). Run once per browser tab.
_SCRIPT = """<script>
(() => {
  if (window.__vbqChartCode) { return; }
  const entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!entry) { return; }
  window.__vbqChartCode = true;
  const load = () => import(new URL("./MODULE", entry.src).href).catch(() => {});
  (window.requestIdleCallback || ((f) => setTimeout(f, 200)))(load, {timeout: 10000});
})();
</script>"""


def chart_code_when_idle() -> None:
    """Ask the browser to load Streamlit's plotly chart code when it is next idle (once per
    tab; our own constant script, no text from anyone). Nothing is shown."""
    if CHART_MODULE is not None:
        st.html(_SCRIPT.replace("MODULE", CHART_MODULE), unsafe_allow_javascript=True)
