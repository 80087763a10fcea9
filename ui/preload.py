"""Loading element code early (issue 21): the tables' code first, the chart library while the
reader reads the first page.

`table_code_first` is the first element of every run. A new session's first table waited for
the code of the element that draws it: the browser loads each element type's code when it first
meets one, in the order the elements come, so the sidebar's menu links and fields had theirs
requested first and the tables' (Streamlit's HTML element and its sanitiser) came behind them.
With the tables' style sheet as the first element, that code is requested before any other
(tests/browser/test_preload.py), and the first table of Groups shows sooner
(`bench/ab_browser.py first-table`, docs/design.md, "Where the time goes in the browser").

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

from ui import safe

__all__ = ["CHART_MODULE", "chart_code_when_idle", "table_code_first"]


# The element hides itself: a style sheet alone would go to Streamlit's event container, which
# the browser draws after the sidebar and the page, so its code would not come first.
_FIRST = ('<span class="vbq-first-element" hidden></span><style>'
          '[data-testid="stElementContainer"]:has(.vbq-first-element) { display: none; }'
          "</style>")


def table_code_first() -> None:
    """Write the journal tables' style sheet (`ui.safe.TABLE_CSS`) as the sidebar's first
    element, hidden (it takes no room).

    It is drawn by the same element code as every table (`st.html`), and the browser draws the
    sidebar before the page, so that code is the first element code it asks for. Each table
    still carries its own copy of the style, so a table never depends on this element."""
    with st.sidebar:
        st.html(safe.TABLE_CSS + _FIRST)


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
