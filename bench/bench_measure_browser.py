"""Benchmark: a click on the MRI measurement page in Chromium, until the page shows the new ROI
centre (browser -> server -> rerun -> browser), against a click on a page holding only the
click component (tests/browser/apps/click_app.py) timed in the same run.

The app runs on the synthetic phantom with a temporary SQLite database; each click alternates
between two pixels so every click moves the ROI. The two pages are clicked in alternating blocks
(the machine is shared, so load hits both); the first click of each block is not counted.

Three figures per page, medians over the counted clicks:
- "polled": wall time in this script from the mouse click until Playwright reads the new value
  (includes Playwright's own round trips to the browser, a few ms each);
- "in page": the browser's clock from the pointerdown to the first animation frame that shows the
  new value (what a user sees, without Playwright's polling);
- "server": how long the rerun the click caused ran on the server (the viewer fragment's
  callbacks and code; `bench/_timed_streamlit.py`), the part our code controls.

Run: .venv/bin/python bench/bench_measure_browser.py   (needs /usr/bin/chromium)
Target (issue 11): a page rerun after a click under 300 ms.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = 4  # blocks of clicks per page, alternating between the pages
CLICKS = 5  # clicks per block; the first one of a block is not counted

# Time from the pointerdown to the first animation frame where the page shows `__target`:
# the active ROI's centre row in its number input, or the click component page's text.
_IN_PAGE = """
window.__target = null; window.__down = null; window.__hit = null;
document.addEventListener('pointerdown', () => { window.__down = performance.now(); }, true);
const check = () => {
  const r = window.__target;
  if (r !== null && window.__down !== null && window.__hit === null) {
    const box = document.querySelector('input[aria-label="Centre row"]');
    const shown = box ? Math.abs(parseFloat(box.value) - r) <= 1.0
      : [...document.querySelectorAll('[data-testid="stText"]')]
          .some(e => e.textContent.includes('row=' + r + '.'));
    if (shown) { window.__hit = performance.now(); }
  }
  requestAnimationFrame(check);
};
requestAnimationFrame(check);
"""


def _serve(script: Path, env: dict, runlog: str | None = None) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    launcher = [str(ROOT / "bench" / "_timed_streamlit.py")] if runlog else ["-m", "streamlit"]
    proc = subprocess.Popen(
        [sys.executable, *launcher, "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=dict(env, VBQ_BENCH_RUNLOG=runlog) if runlog else env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("streamlit did not start")


def _wait(page, predicate, timeout_s: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError
        page.wait_for_timeout(5)


class _Clicker:
    """Clicks one page's image and times each click until `done(row)` holds."""

    def __init__(self, page, done) -> None:
        self.page, self.done, self.n = page, done, 0
        self.polled: list[float] = []
        self.in_page: list[float] = []

    def block(self) -> None:
        page = self.page
        page.bring_to_front()
        img = page.locator("img.vbq-click-img")
        img.scroll_into_view_if_needed()
        box = img.bounding_box()
        scale = box["width"] / img.evaluate("el => el.naturalWidth")
        for i in range(CLICKS):
            self.n += 1
            row, col = (20, 40) if self.n % 2 else (30, 50)  # inside both images
            page.evaluate(f"window.__target = {row}; window.__down = null; window.__hit = null")
            t0 = time.perf_counter()  # a raw mouse click: no actionability checks in the timing
            page.mouse.click(box["x"] + (col + 0.5) * scale, box["y"] + (row + 0.5) * scale)
            _wait(page, lambda r=row: self.done(r))
            polled = time.perf_counter() - t0
            page.wait_for_function("window.__hit !== null", timeout=30_000)
            if i:  # the first click of a block brings the tab back to speed
                self.polled.append(polled)
                self.in_page.append(page.evaluate("window.__hit - window.__down") / 1000)
            page.wait_for_timeout(300)  # let the rerun finish before the next click


def main() -> None:
    tmp = tempfile.mkdtemp()
    runlog = os.path.join(tmp, "runs.txt")
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               VBQ_MEASUREMENTS_URL=f"sqlite:///{tmp}/bench.sqlite")
    app, app_url = _serve(ROOT / "app.py", env, runlog)
    ref, ref_url = _serve(ROOT / "tests" / "browser" / "apps" / "click_app.py", env)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=["--headless=new", "--no-sandbox"])
            ref_page = browser.new_page(viewport={"width": 1280, "height": 800})
            ref_page.add_init_script(_IN_PAGE)
            ref_page.goto(ref_url, wait_until="domcontentloaded")
            ref_page.locator("img.vbq-click-img").wait_for(timeout=60_000)
            text = ref_page.get_by_text("clicked", exact=False).first
            ref_clicks = _Clicker(ref_page, lambda r: f"row={r}." in text.inner_text())

            app_page = browser.new_page(viewport={"width": 1280, "height": 800})
            app_page.add_init_script(_IN_PAGE)
            app_page.goto(app_url + "/measure", wait_until="domcontentloaded")
            app_page.locator("img.vbq-click-img").wait_for(timeout=90_000)
            app_page.wait_for_timeout(2000)
            row_input = app_page.get_by_label("Centre row")

            def moved(r: int) -> bool:
                try:
                    v = row_input.input_value(timeout=2000)
                except Exception:  # replaced by the rerun: not there yet
                    return False
                return bool(v) and abs(float(v) - r) <= 1.0  # mouse events come in whole CSS px

            app_clicks = _Clicker(app_page, moved)
            with open(runlog, encoding="utf-8") as fh:
                runs_before = len(fh.readlines())  # the page's first (full) runs
            for _ in range(BLOCKS):
                ref_clicks.block()
                app_clicks.block()
            browser.close()
    finally:
        for proc in (app, ref):
            proc.terminate()
            proc.wait(timeout=10)
    with open(runlog, encoding="utf-8") as fh:
        runs = [line.split() for line in fh.readlines()[runs_before:]]
    fragment_runs = [float(t) for t, kind in runs if kind == "fragment"]
    full_runs = sum(1 for _, kind in runs if kind == "full")

    def med(xs: list[float]) -> str:
        return f"{statistics.median(xs):>10.3f}" if xs else f"{'-':>10}"

    print(f"click to updated page, medians of {len(app_clicks.polled)} clicks (s)")
    print(f"{'':<32}{'polled':>10}{'in page':>10}{'server':>10}{'max polled':>12}")
    print(f"{'click component alone':<32}{med(ref_clicks.polled)}{med(ref_clicks.in_page)}"
          f"{'':>10}{max(ref_clicks.polled):>12.3f}")
    print(f"{'MRI measurement page (phantom)':<32}{med(app_clicks.polled)}"
          f"{med(app_clicks.in_page)}{med(fragment_runs)}{max(app_clicks.polled):>12.3f}")
    print(f"ratio page / component: polled "
          f"{statistics.median(app_clicks.polled) / statistics.median(ref_clicks.polled):.2f}, "
          f"in page {statistics.median(app_clicks.in_page) / statistics.median(ref_clicks.in_page):.2f}"
          f"; server: {len(fragment_runs)} fragment reruns, {full_runs} full reruns for "
          f"{app_clicks.n} clicks; target: under 0.300 s")


if __name__ == "__main__":
    main()
