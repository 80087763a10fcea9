"""The Report page's whole-report preview (`ui.report_preview`, issue 21): the downloaded
report's text, tables and figure data unchanged, only its scripts rearranged so that the frame
loads before plotly.js runs; and the page shows that preview while the download stays
`vbq.report.build_report`'s file."""

from __future__ import annotations

import base64
import gzip
import json
import re

import lxml.html
import plotly.offline
import pytest

import vbq
import vbq.report
from ui import report_preview

from .conftest import start

PAGE = "app_pages/report.py"
NEW_PLOT = re.compile(r'Plotly\.newPlot\(\s*"([^"]+)",')


@pytest.fixture(scope="module")
def report() -> str:
    prepared = vbq.prepare_cohort(*vbq.demo.load())
    return vbq.report.build_report(prepared, synthetic=True, timestamp="2026-12-07T00:00:00")


def _without_scripts(html: str) -> str:
    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)


def _figures(html: str) -> dict[str, list]:
    """Each figure's id -> the arguments of its ``Plotly.newPlot`` (data, layout, config), read
    from the file's text with a JSON parser (not the browser)."""
    out, decoder = {}, json.JSONDecoder()
    for m in NEW_PLOT.finditer(html):
        args, rest = [], html[m.end():]
        for _ in range(3):
            value, end = decoder.raw_decode(rest.lstrip())
            args.append(value)
            rest = rest.lstrip()[end:].lstrip().removeprefix(",")
        out[m.group(1)] = args
    return out


def test_the_preview_holds_the_same_text_tables_and_figures(report):
    preview = report_preview.preview_html(report)
    # everything but the scripts is the download's, character for character
    assert _without_scripts(preview) == _without_scripts(report)
    # the same figures, with the same data, layout and configuration
    figures = _figures(report)
    assert len(figures) >= 8  # Fig. 4: 3 measures x 2 groups; Fig. 5: 2 targets; more
    assert _figures(preview) == figures
    # plotly.js: still in the file (no network), the installed plotly's, compressed, and no
    # longer a script the browser runs while it parses the page
    doc = lxml.html.fromstring(preview)
    inert = doc.xpath('//script[@id="vbq-plotlyjs"]')
    assert len(inert) == 1 and inert[0].get("type") == "application/gzip+base64"
    packed = base64.b64decode(inert[0].text, validate=True)
    assert gzip.decompress(packed).decode("utf-8") == plotly.offline.get_plotlyjs()
    assert doc.xpath("//body/script[last()]")[0].text.count("IntersectionObserver") == 1
    runnable = [s.text or "" for s in doc.xpath("//script[not(@type)] | "
                                                 "//script[@type='text/javascript']")]
    assert not any(len(s) > 100_000 for s in runnable)
    assert doc.xpath("//script[@src]") == []  # nothing fetched


def test_the_download_embeds_plotly_as_the_preview_expects(report):
    """If `vbq.report.build_report` changes how it embeds plotly.js, this says so."""
    head = report.split("</head>")[0]
    assert (report_preview.PLOTLY_SCRIPT_OPEN + plotly.offline.get_plotlyjs() + "</script>"
            in head)
    with pytest.raises(ValueError, match="plotly.js"):
        report_preview.preview_html("<html><head></head><body>no figures</body></html>")


def test_the_page_previews_the_report_it_offers_for_download(demo):
    at = start(PAGE)
    at.toggle(key="report_preview").set_value(True).run()
    assert not at.exception
    srcdoc = at.get("iframe")[1].proto.srcdoc
    assert 'id="vbq-plotlyjs"' in srcdoc  # the preview, not the file as downloaded
    assert report_preview.PLOTLY_SCRIPT_OPEN not in srcdoc
    # the text and figures are those of the report the page builds for these data
    prepared = vbq.prepare_cohort(*demo)
    direct = vbq.report.build_report(prepared, synthetic=True,
                                     title="VBQ study report: synthetic demo cohort")

    def mask(text: str) -> str:
        return re.sub(r'<time id="generated">[^<]*</time>', "", _without_scripts(text))

    shown = mask(srcdoc)
    # the page's report fingerprints the demo's files, which build_report here was not given
    inputs = re.compile(r'<h2 id="inputs">.*?</section>', re.S)
    assert inputs.sub("", shown) == inputs.sub("", mask(direct))
    assert _figures(srcdoc) == _figures(direct)
