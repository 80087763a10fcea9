"""The downloaded HTML report's figures in Chromium, offline, at 1280 and 1920 px: every tick
label, axis title, legend entry and figure title lies inside its figure, overlaps no other text
and stays clear of the caption; and a figure saves as SVG from the file itself.

The report is downloaded from the Report page: built inside the app's process, where importing
Streamlit makes its plotly template the default (no automatic margins), which is how Fig. 4's
tick labels came to be cut ("1.4" drawn as ".4") while the command line's report was fine."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

LAYOUT_JS = """
() => {
  const problems = [];
  const area = (a, b) => Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
                         Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
  const kind = (t) => {
    const g = t.closest('.xtick, .ytick, .g-xtitle, .g-ytitle, .legend, .g-gtitle, .infolayer');
    return g ? g.getAttribute('class').split(' ')[0] : 'text';
  };
  let figures = 0;
  for (const fig of document.querySelectorAll('figure')) {
    const plot = fig.querySelector('.js-plotly-plot');
    if (!plot) continue;
    figures += 1;
    const svg = plot.querySelector('svg.main-svg').getBoundingClientRect();
    const frame = fig.getBoundingClientRect();
    const caption = fig.querySelector('figcaption').getBoundingClientRect();
    const texts = [];
    for (const t of plot.querySelectorAll('svg text')) {
      if (t.closest('.hoverlayer')) continue;
      const r = t.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || !t.textContent.trim()) continue;
      texts.push({kind: kind(t), text: t.textContent, r: r, el: t});
    }
    const id = plot.id;
    for (const t of texts) {
      const r = t.r;
      if (r.left < svg.left - 0.5 || r.right > svg.right + 0.5 ||
          r.top < svg.top - 0.5 || r.bottom > svg.bottom + 0.5)
        problems.push(id + ': "' + t.text + '" (' + t.kind + ') outside the figure');
      if (r.left < frame.left - 0.5 || r.right > frame.right + 0.5)
        problems.push(id + ': "' + t.text + '" (' + t.kind + ') cut by the figure frame');
      if (area(r, caption) > 1)
        problems.push(id + ': "' + t.text + '" (' + t.kind + ') overlaps the caption');
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const a = texts[i], b = texts[j];
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        if (area(a.r, b.r) > 2)
          problems.push(id + ': "' + a.text + '" (' + a.kind + ') overlaps "' + b.text + '" (' +
                        b.kind + ')');
      }
    }
  }
  return {figures: figures, problems: problems};
}
"""


@pytest.fixture(scope="module")
def downloaded_report(app_url, browser, tmp_path_factory):
    """The report as the Report page downloads it (demo data)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = ctx.new_page()
    try:
        page.goto(f"{app_url}/report", wait_until="domcontentloaded")
        button = page.get_by_role("button", name=re.compile("Download the report"))
        button.wait_for(timeout=120_000)
        with page.expect_download(timeout=120_000) as download:
            button.click()
        path = tmp_path_factory.mktemp("report") / "report.html"
        download.value.save_as(path)
    finally:
        ctx.close()
    return path


def _open_offline(browser, path, width: int, height: int):
    """A page with the report opened from disk, every request other than the file refused."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = ctx.new_page()
    outside: list[str] = []

    def refuse(route):
        outside.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!file:).*"), refuse)
    page.goto(path.as_uri())
    # every figure drawn, with its axes
    page.wait_for_function("document.querySelectorAll('figure .js-plotly-plot .xtick').length"
                           " > 0 && Array.from(document.querySelectorAll('figure "
                           ".js-plotly-plot')).every(d => d.querySelector('.main-svg'))",
                           timeout=60_000)
    return ctx, page, outside


@pytest.mark.parametrize("width, height", [(1280, 800), (1920, 1080)])
def test_report_figures_are_laid_out_without_clipping_or_overlap(downloaded_report, browser,
                                                                 width, height, tmp_path):
    ctx, page, outside = _open_offline(browser, downloaded_report, width, height)
    try:
        result = page.evaluate(LAYOUT_JS)
        page.screenshot(path=str(tmp_path / f"report_{width}.png"), full_page=True)
        assert result["figures"] >= 8  # Fig. 4: 3 measures x 2 groups; Fig. 5: 2 targets
        assert result["problems"] == []
        assert outside == []
    finally:
        ctx.close()


def test_a_report_figure_saves_as_svg_and_png_offline(downloaded_report, browser, tmp_path):
    ctx, page, outside = _open_offline(browser, downloaded_report, 1280, 800)
    try:
        first = page.locator("figure").first
        with page.expect_download(timeout=60_000) as download:
            first.get_by_role("button", name=re.compile("Download SVG")).click()
        saved = tmp_path / "figure.svg"
        download.value.save_as(saved)
        assert download.value.suggested_filename.endswith(".svg")
        text = saved.read_text(encoding="utf-8")
        assert text.lstrip().startswith("<svg") and "VBQ" in text
        # and as a PNG at a journal's resolution: 7 inches at 300 dpi
        with page.expect_download(timeout=60_000) as download:
            first.get_by_role("button", name=re.compile("Download PNG")).click()
        png = tmp_path / "figure.png"
        download.value.save_as(png)
        from PIL import Image

        from vbq import figures

        with Image.open(png) as image:
            assert image.format == "PNG"
            assert image.width == round(figures.EXPORT_WIDTH_INCHES * figures.EXPORT_DPI)
        assert outside == []
    finally:
        ctx.close()
