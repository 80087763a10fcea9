"""Benchmark (issue 21): what users wait for in the browser, against a bare Streamlit page timed
in the same run, and the command-line report against importing pandas.

Two servers run side by side: the app on its demo cohort, and `bench/_bare_app.py` (one slider,
one `st.table`, one plotly chart of 235 points, on two pages behind `st.navigation`, as the
app's router is). Chromium (Debian's /usr/bin/chromium, headless) drives both, alternating app
and bare page in each round so that the shared machine's load hits both.

Each figure is the browser's own clock (`performance.now()`), from the user's action to the last
change of the page the action caused:

- the action's start is the keydown or pointerdown event (for a new session, the navigation's
  start);
- the end is the last DOM mutation (or a frame's load) before the page falls quiet, taken only
  once the server has finished the run the action caused (`bench/_timed_streamlit.py` logs each
  run's end), no element is stale or still a loading skeleton, the running icon is gone, every
  plotly chart is drawn, every frame's document has loaded, and nothing has changed for
  `QUIET_S`. The wait for quiet is not counted.

Beside each figure, the seconds the server spent running the script for it (from the same log):
the rest of the figure is the browser's (receiving, laying out and drawing the elements).

Figures, medians over `--rounds` rounds (the first round, on a server whose caches are cold, is
printed apart, and not in the median):

1. slider: "Degenerative vertebrae at least" on Groups moved one step with the keyboard, against
   the bare page's slider;
2. first table: a new browser session opening Groups, until its first table shows, against the
   bare page's table;
3. first visit: in a session that has shown Data, the menu link to each page, until it is idle,
   against the bare app's second page;
4. the "Show which vertebra met which criterion" toggle on Groups (target under 1 s);
5. the Report page's "Preview the whole report here" toggle, until the report has loaded in its
   frame (before 2026-12-07 17:00 only until the frame was in the page, while its 5 MB document
   was still loading: an undercount). Since 2026-12-07 19:00 the preview draws its figures
   after its load (`ui.report_preview`): its text and tables show at the load, plotly.js runs
   when the browser is next idle, and each figure is drawn as it comes into view. So this
   figure is the text and tables; beside it, without a target, "first figure": from the same
   pointerdown until the preview's first figure is drawn, with that figure scrolled into view
   as soon as the frame has loaded (a reader who goes straight to the figures; it includes
   running plotly.js). For the earlier preview, which drew every figure before its load, the
   two are the same;
6. `python -m vbq report` on the demo, against `python -c "import pandas"` (target under 2 s).

Run: .venv/bin/python bench/bench_browser.py [--rounds 5]   (needs /usr/bin/chromium)
Target (issue 21): 1, 2 and 3 at most 1.3x the bare page; 4 and 5 under 1 s; 6 under 2 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage"]
QUIET_S = 0.8  # no DOM change for this long, after the server's run has ended: the page is idle
PAGES = ["groups", "correlations", "roc", "thresholds", "reliability", "report"]
MENU = '[data-testid="stSidebar"] [data-testid="stPageLink"] a'

# The browser's clock: the action's start (keydown / pointerdown) and the last DOM mutation; the
# first time a table is visible (for a new session, whose start is the navigation's, 0).
_PROBE = """
(() => {
  const s = window.__bench = {t0: null, last: 0, table: null, figure: null};
  const visibleTable = () => [...document.querySelectorAll(
      '[data-testid="stTable"], [data-testid="stDataFrame"], [data-testid="stHtml"] table')]
    .some(e => e.getClientRects().length > 0);
  new MutationObserver(() => { s.last = performance.now(); })
    .observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
  const frame = () => {  // checked every frame: a table can show by layout, without a mutation
    if (s.table === null && visibleTable()) { s.table = performance.now(); }
    if (s.table === null) { requestAnimationFrame(frame); }
  };
  requestAnimationFrame(frame);
  // a frame's document (the Report page's preview) is not observed: its load counts as a change
  document.addEventListener('load', (e) => {
    if (e.target && e.target.tagName === 'IFRAME') {
      s.last = performance.now();
      previewFigure(e.target);
    }
  }, true);
  // The preview's first figure: at the frame's load, its first figure is scrolled into view (a
  // reader going straight to the figures) and the time it is drawn taken on this page's clock.
  // A preview that draws its figures before its load (before 2026-12-07) has it at the load.
  const previewFigure = (frame) => {
    let doc, win;
    try { doc = frame.contentDocument; win = frame.contentWindow; } catch (err) { return; }
    const first = doc && doc.querySelector('figure .plotly-graph-div');
    if (!first) { return; }
    if (first.querySelector('.main-svg')) { s.figure = s.last; return; }
    first.closest('figure').scrollIntoView();
    const poll = () => {
      const drawn = win.__vbqPreview && win.__vbqPreview.firstDrawn;
      if (drawn) {
        s.figure = win.performance.timeOrigin + drawn - performance.timeOrigin;
      } else { requestAnimationFrame(poll); }
    };
    poll();
  };
  for (const kind of ['keydown', 'pointerdown']) {
    document.addEventListener(kind, () => { s.t0 = performance.now(); }, true);
  }
})();
"""

_IDLE = """
() => document.querySelectorAll('[data-stale="true"], [data-testid="stSkeleton"]').length === 0
  && document.querySelectorAll('[data-testid="stStatusWidgetRunningIcon"]').length === 0
  && document.querySelectorAll('[data-testid="stPlotlyChart"]:not(:has(.main-svg))').length === 0
  && [...document.querySelectorAll('iframe')].every((f) => {
       try { return !f.contentDocument || f.contentDocument.readyState === 'complete'; }
       catch (e) { return true; } })
  && performance.now() - window.__bench.last > QUIET_MS
""".replace("QUIET_MS", str(int(QUIET_S * 1000)))


class Server:
    """`streamlit run script` on a free loopback port, logging each script run's end."""

    def __init__(self, script: Path, env: dict, tmp: Path, name: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.runlog = tmp / f"{name}-runs.txt"
        self.runlog.touch()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "_timed_streamlit.py"), "run", str(script),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=dict(env, VBQ_BENCH_RUNLOG=str(self.runlog)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    return
            except OSError:
                try:
                    self.proc.wait(timeout=0.3)
                    raise RuntimeError(f"{script} exited")
                except subprocess.TimeoutExpired:
                    pass
        raise RuntimeError(f"{script} did not start")

    def runs(self) -> int:
        return len(self.runlog.read_text(encoding="utf-8").splitlines())

    def run_seconds(self, since: int) -> float:
        """Seconds the server spent running the script in the runs after the first `since`."""
        lines = self.runlog.read_text(encoding="utf-8").splitlines()[since:]
        return sum(float(line.split()[0]) for line in lines)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def browser_cpu() -> dict[int, int]:
    """CPU clock ticks used so far by each Chromium process this process started (from /proc;
    empty where there is none): `cpu_seconds` of two of these is steadier than a wall-clock time
    on a loaded machine."""
    children: dict[int, list[int]] = {}
    comm: dict[int, str] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        pid = int(stat.parent.name)
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        comm[pid], ticks[pid] = name, int(rest[11]) + int(rest[12])
        children.setdefault(int(rest[1]), []).append(pid)
    found, todo = {}, list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        if "chrom" in comm.get(pid, ""):
            found[pid] = ticks[pid]
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(before: dict[int, int], after: dict[int, int]) -> float:
    """CPU seconds the browser's processes used between two `browser_cpu` readings (a process
    that ended in between is left out: the benchmark closes sessions only between readings)."""
    ticks = sum(t - before.get(pid, 0) for pid, t in after.items())
    return ticks / os.sysconf("SC_CLK_TCK")


def _until_idle(page, server: Server, runs_before: int, timeout_s: float = 120.0) -> None:
    """Wait until the server has ended a run begun after `runs_before` and the page is quiet."""
    deadline = time.monotonic() + timeout_s
    while server.runs() <= runs_before:
        if time.monotonic() > deadline:
            raise TimeoutError("the server ran nothing")
        page.wait_for_timeout(20)
    page.wait_for_function(_IDLE, timeout=timeout_s * 1000, polling=50)


def _idle_since_start(page) -> float:
    """Seconds from a new session's navigation to the page's last change (its chart code
    loaded, where a page loads it: the bare page's chart, the app's `ui.preload`)."""
    return page.evaluate("window.__bench.last") / 1000


def _first_figure(page, timeout_s: float = 120.0) -> float:
    """Seconds from the action to the preview's first figure drawn, that figure scrolled into
    view as soon as the frame had loaded (`_PROBE`)."""
    page.wait_for_function("window.__bench.figure !== null", timeout=timeout_s * 1000,
                           polling=50)
    return page.evaluate("window.__bench.figure - window.__bench.t0") / 1000


def _elapsed(page) -> float:
    return page.evaluate("window.__bench.last - window.__bench.t0") / 1000


def _open(browser, server: Server, path: str):
    """A new session (its own browser context) at `path`, idle; returns (context, page,
    (seconds from the navigation's start to the first visible table, seconds the server ran
    the script, CPU seconds of the browser until the page was idle))."""
    cpu = browser_cpu()
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(_PROBE)
    page = ctx.new_page()
    before = server.runs()
    page.goto(server.url + path, wait_until="domcontentloaded")
    page.wait_for_function("window.__bench.table !== null", timeout=120_000, polling=50)
    _until_idle(page, server, before)
    table = page.evaluate("window.__bench.table")
    return ctx, page, (table / 1000 if table is not None else float("nan"),
                       server.run_seconds(before), cpu_seconds(cpu, browser_cpu()))


def _act(page, server: Server, action) -> tuple[float, float, float]:
    """(seconds in the browser from the action to the page's last change, seconds the server
    spent running the script for it, CPU seconds the browser spent until the page was idle)."""
    before = server.runs()
    page.evaluate("window.__bench.t0 = null")
    cpu = browser_cpu()
    action()
    _until_idle(page, server, before)
    return _elapsed(page), server.run_seconds(before), cpu_seconds(cpu, browser_cpu())


def link_text(name: str) -> str:
    """The menu link's text for a page's address name (a substring, as Playwright matches)."""
    return {"roc": "ROC", "measure": "MRI"}.get(name, name.capitalize())


def _slider_step(page, label: str, key: str) -> None:
    thumb = page.get_by_test_id("stSlider").filter(has_text=label).get_by_role("slider")
    thumb.focus()
    value = int(thumb.input_value())
    page.keyboard.press(key if value not in (1, 4) else ("ArrowRight" if value == 1 else
                                                           "ArrowLeft"))


@dataclass
class Figures:
    """Per figure, one (browser seconds, server seconds, browser CPU seconds) per time it was
    measured."""

    runs: dict[str, list[tuple[float, float, float]]] = field(default_factory=dict)

    def add(self, name: str, seconds: tuple[float, float, float]) -> None:
        self.runs.setdefault(name, []).append(seconds)

    def cold(self, name: str) -> float:
        return self.runs[name][0][0]

    def median(self, name: str, which: int = 0) -> float:
        xs = self.runs[name][1:] or self.runs[name]
        return statistics.median(x[which] for x in xs)


def _round(browser, app: Server, bare: Server, fig: Figures) -> None:
    # 2. a new session to the first table, and 1. the slider, on each
    ctx, page, first = _open(browser, bare, "/")
    fig.add("bare: first table", first)
    fig.add("bare: new session until idle", (_idle_since_start(page), *first[1:]))
    for i in range(3):
        fig.add("bare: slider", _act(page, bare, lambda i=i: _slider_step(
            page, "Shift", "ArrowLeft" if i % 2 == 0 else "ArrowRight")))
    fig.add("bare: first visit", _act(page, bare, lambda: page.locator(MENU).nth(1).click()))
    ctx.close()

    ctx, page, first = _open(browser, app, "/groups")
    fig.add("app: first table (Groups)", first)
    for i in range(3):
        fig.add("app: slider (Groups)", _act(page, app, lambda i=i: _slider_step(
            page, "Degenerative vertebrae at least", "ArrowLeft" if i % 2 == 0 else "ArrowRight")))
    toggle = page.get_by_text("Show which vertebra met which criterion", exact=True)
    fig.add("app: criterion toggle on (Groups)", _act(page, app, toggle.click))
    _act(page, app, toggle.click)  # and off again, not counted
    ctx.close()

    # 3. first visits within a session that has shown Data
    ctx, page, first = _open(browser, app, "/data")
    fig.add("app: new session until idle (Data)", (_idle_since_start(page), *first[1:]))
    for name in PAGES:
        link = page.locator(MENU).filter(has_text=link_text(name))
        fig.add(f"app: first visit, {name}", _act(page, app, link.first.click))
    # 5. the report preview, on the Report page the loop ended on
    preview = page.get_by_text("Preview the whole report here", exact=True)
    took = _act(page, app, preview.click)
    fig.add("app: report preview", took)
    fig.add("app: report preview, first figure", (_first_figure(page), *took[1:]))
    ctx.close()


def _cli(rounds: int) -> tuple[float, float]:
    """Medians of `python -m vbq report` on the demo and of `python -c "import pandas"`."""
    out = Path(tempfile.mkdtemp()) / "report.html"
    cmds = ([sys.executable, "-m", "vbq", "report", "--out", str(out)],
            [sys.executable, "-c", "import pandas"])
    times: list[list[float]] = [[], []]
    for _ in range(rounds):
        for i, cmd in enumerate(cmds):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            times[i].append(time.perf_counter() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


RATIO_TARGET = 1.3  # the slider, the first table, a first visit: against the bare page
SECONDS_TARGET = 1.0  # the toggle and the report preview


def _print(fig: Figures) -> None:
    bare = {"slider": fig.median("bare: slider"), "first table": fig.median("bare: first table"),
            "first visit": fig.median("bare: first visit"),
            "until idle": fig.median("bare: new session until idle")}
    print(f"{'':<40}{'cold':>8}{'median':>8}{'ratio':>8}{'server':>8}{'cpu':>8}{'n':>4}")
    for name in fig.runs:
        kind = next((k for k in bare if k in name), None)
        ratio = (f"{fig.median(name) / bare[kind]:>8.2f}" if kind and name.startswith("app")
                 else f"{'':>8}")
        print(f"{name:<40}{fig.cold(name):>8.3f}{fig.median(name):>8.3f}{ratio}"
              f"{fig.median(name, 1):>8.3f}{fig.median(name, 2):>8.3f}"
              f"{len(fig.runs[name]) - 1:>4}")


def summary(fig: Figures) -> list[str]:
    """The five figures of issue 21, one line each: the app's median, the bare page's, the
    ratio and the target (the lines README.md's "Speed" section quotes)."""
    visits = [n for n in fig.runs if n.startswith("app: first visit")]
    slowest = max(visits, key=fig.median)
    rows = [("Moving the Groups slider until idle", "app: slider (Groups)", "bare: slider"),
            ("A new session to the first table of Groups", "app: first table (Groups)",
             "bare: first table"),
            (f"First visit to a page in a session (slowest: "
             f"{slowest.rsplit(', ', 1)[1].capitalize().replace('Roc', 'ROC')})", slowest,
             "bare: first visit"),
            ('The "which vertebra met which criterion" toggle',
             "app: criterion toggle on (Groups)", None),
            ("The Report page's whole-report preview (text and tables)", "app: report preview",
             None)]
    lines = []
    for i, (what, ours, peer) in enumerate(rows, 1):
        t = fig.median(ours)
        if peer:
            ratio = t / fig.median(peer)
            verdict = "met" if ratio <= RATIO_TARGET else "NOT met"
            lines.append(f"{i}. {what}: {t:.2f} s against the bare page's "
                         f"{fig.median(peer):.2f} s: {ratio:.2f}x (target at most {RATIO_TARGET}x: "
                         f"{verdict})")
        else:
            verdict = "met" if t < SECONDS_TARGET else "NOT met"
            lines.append(f"{i}. {what}: {t:.2f} s (target under 1 s: {verdict})")
    lines.append(f"(no target) The preview's first figure, scrolled to as soon as the frame "
                 f"had loaded: {fig.median('app: report preview, first figure'):.2f} s")
    t, peer = fig.median("app: new session until idle (Data)"), fig.median(
        "bare: new session until idle")
    lines.append(f"(no target) A new session to Data until idle, the chart code loaded for later "
                 f"pages included (ui.preload): {t:.2f} s against the bare page's {peer:.2f} s "
                 f"(its chart's code included): {t / peer:.2f}x")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds after the cold one")
    parser.add_argument("--no-cli", action="store_true",
                        help="leave out `python -m vbq report` (figure 6)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               VBQ_DATA_DIR=str(tmp), VBQ_MEASUREMENTS_URL=f"sqlite:///{tmp}/bench.sqlite")
    app = Server(ROOT / "app.py", env, tmp, "app")
    bare = Server(ROOT / "bench" / "_bare_app.py", env, tmp, "bare")
    fig = Figures()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=CHROMIUM_ARGS)
            for _ in range(args.rounds + 1):
                _round(browser, app, bare, fig)
            browser.close()
    finally:
        app.stop()
        bare.stop()
    load = os.getloadavg()[0]
    print(f"seconds from the action to the page's last change (cold: the first round, on cold "
          f"caches; median of {args.rounds} rounds after it; ratio: median against the bare "
          f"page's; server: median seconds the server ran the script for it); load average "
          f"{load:.1f}")
    _print(fig)
    print(f"\nIssue 21's figures (median of {args.rounds} rounds; load average {load:.1f}):")
    print("\n".join(summary(fig)))
    if args.no_cli:
        return
    report, pandas = _cli(max(3, args.rounds))
    print(f"python -m vbq report (demo): {report:.2f} s; python -c 'import pandas': "
          f"{pandas:.2f} s; ratio {report / pandas:.2f}; target: report under 2 s")


if __name__ == "__main__":
    main()
