"""The Report page's whole-report preview: the downloaded report, drawn text first and figures
as the reader reaches them (issue 21).

The report (`vbq.report.build_report`) is one self-contained HTML file: plotly.js (4.8 MB) in
its head, then the text, the tables and 11 figures, each drawn by an inline
``Plotly.newPlot`` while the page is parsed. Shown as it is in a frame, the browser must
compile and run plotly.js and draw every figure before the frame has loaded: 2.3 s on a quiet
machine, where the text and tables alone load in a tenth of that (docs/design.md, "Where the
time goes in the browser").

`preview_html` changes only the scripts of that file, never its text, tables or figures' data:

- plotly.js stays in the file, but as inert data at the end of the body: the same text,
  gzip-compressed and in base64 (1.96 MB instead of 4.8 MB: what the server sends and the
  browser reads before the frame has loaded), in a ``<script type="application/gzip+base64">``
  that the browser stores without compiling; nothing is fetched from a network, and the browser
  decompresses it itself (``DecompressionStream``);
- a small script before the figures stands in for ``Plotly`` while the page is parsed: each
  figure's ``Plotly.newPlot(id, data, layout, config)`` is recorded, not drawn;
- once the frame has loaded, plotly.js is decompressed and run when the browser is next idle
  (about a second of the browser's main thread, which the page shares with the frame), and
  each figure is drawn, with the same arguments, when it comes within one screen of the
  frame's view (``IntersectionObserver``); a figure's "Download PNG/SVG" buttons draw it first
  if needed.

The loader is written by hand (40 lines) because it is the report's own plotly.js, embedded,
that it must run: no library loads a script from inert text in the page.

The download itself is untouched: the page offers `vbq.report.build_report`'s text as it is.
"""

from __future__ import annotations

import base64
import functools
import gzip

__all__ = ["PLOTLY_SCRIPT_OPEN", "preview_html"]

#: How `vbq.report.build_report` opens the script that embeds plotly.js (its first script).
PLOTLY_SCRIPT_OPEN = '<script type="text/javascript">'
_CLOSE = "</script>"
_INERT_OPEN = '<script type="application/gzip+base64" id="vbq-plotlyjs">'

# Our own constant scripts (no text from anyone). The stand-in records what each figure's
# inline script asks for; the real plotly.js replaces `window.Plotly` when it runs.
_STAND_IN = """<script>
(function () {
  var queued = {}, order = [];
  window.__vbqPreview = {queued: queued, order: order, drawn: 0, firstDrawn: null};
  window.Plotly = {
    newPlot: function (id, data, layout, config) {
      queued[id] = [data, layout, config]; order.push(id);
      return Promise.resolve();
    },
    Plots: {resize: function () {}},
    downloadImage: function (gd, opts) {
      return window.__vbqPreview.draw(gd.id).then(function () {
        return window.Plotly.downloadImage(gd, opts);
      });
    }
  };
})();
</script>"""

_LOADER = """<script>
(function () {
  var P = window.__vbqPreview, ready = null;
  function plotly() {  // decompress and run the embedded plotly.js, once
    if (ready === null) {
      performance.mark('vbq-plotly-start');
      var packed = atob(document.getElementById('vbq-plotlyjs').textContent);
      var bytes = new Uint8Array(packed.length);
      for (var i = 0; i < packed.length; i++) { bytes[i] = packed.charCodeAt(i); }
      var text = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
      ready = new Response(text).text().then(function (code) {
        performance.mark('vbq-plotly-unpacked');
        var s = document.createElement('script');
        s.text = code;
        document.head.appendChild(s);  // a script with inline text runs as it is inserted
        performance.mark('vbq-plotly-ran');
        return window.Plotly;
      });
    }
    return ready;
  }
  P.draw = function (id) {
    var args = P.queued[id];
    if (!args) { return Promise.resolve(); }
    delete P.queued[id];
    return plotly().then(function (Plotly) {
      return Plotly.newPlot(id, args[0], args[1], args[2]);
    }).then(function () {
      P.drawn += 1;
      if (P.firstDrawn === null) { P.firstDrawn = performance.now(); }
    });
  };
  window.addEventListener('load', function () {
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) { return; }
        seen.unobserve(e.target);
        P.draw(e.target.dataset.vbqFigure);
      });
    }, {rootMargin: '100% 0px'});
    P.order.forEach(function (id) {
      var div = document.getElementById(id);
      var box = (div && div.closest('figure')) || div;
      if (box) { box.dataset.vbqFigure = id; seen.observe(box); }
    });
    (window.requestIdleCallback || function (f) { setTimeout(f, 200); })(plotly, {timeout: 2000});
  });
})();
</script>"""


def preview_html(report: str) -> str:
    """The report's HTML as the Report page previews it: the same text, tables and figures,
    with plotly.js run after the frame has loaded and each figure drawn as it comes into view.

    Parameters
    ----------
    report : str
        A report from `vbq.report.build_report`.

    Returns
    -------
    str
        The same document with its plotly.js made inert text at the end of the body, a stand-in
        recording the figures, and the script that runs plotly.js and draws them.

    Raises
    ------
    ValueError
        `report` does not embed plotly.js as `vbq.report.build_report` does (a change there
        that this module must follow: tests/app/test_report_preview.py fails then).
    """
    start = report.find(PLOTLY_SCRIPT_OPEN)
    end = report.find(_CLOSE, start)
    body_end = report.rfind("</body>")
    if start < 0 or end < 0 or body_end < end or "</head>" not in report[end:body_end]:
        raise ValueError("report: plotly.js is not embedded in its head as "
                         "vbq.report.build_report embeds it")
    packed = _packed(report[start + len(PLOTLY_SCRIPT_OPEN):end])
    return (report[:start] + _STAND_IN + report[end + len(_CLOSE):body_end]
            + _INERT_OPEN + packed + _CLOSE + _LOADER + report[body_end:])


@functools.lru_cache(maxsize=2)
def _packed(plotly_js: str) -> str:
    """plotly.js gzip-compressed, in base64 (ASCII: nothing in it can end the script element).
    Every report embeds the installed plotly's plotly.js, so this runs once per server (0.15 s):
    the cache holds the result for that one text, never anything from a user."""
    return base64.b64encode(gzip.compress(plotly_js.encode("utf-8"), mtime=0)).decode("ascii")
