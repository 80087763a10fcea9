"""Where the browser spends an action's time (issue 21): a Chromium performance trace of one
action of `bench/bench_browser.py`, summed by what the renderer's main thread did.

Starts the app (as the benchmark does), opens a session, records a trace (the DevTools
Performance panel's categories) around one action, and prints the main thread's self time per
kind of work (script evaluation and compilation, style, layout, paint, garbage collection,
parsing) and the scripts that took longest, with the number of DOM nodes after the action.

Run: .venv/bin/python bench/profile_browser.py ACTION [--trace out.json]
ACTION: first-table | slider | toggle | visit:<page> | preview
The trace file opens in Chrome DevTools' Performance panel (Load profile).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections import Counter
from pathlib import Path

import bench_browser as bb
from playwright.sync_api import sync_playwright

CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
              "blink", "loading", "disabled-by-default-v8.compile", "v8"]


def _main_thread(events: list[dict]) -> tuple[int, int]:
    names = [e for e in events if e.get("name") == "thread_name"
             and e.get("args", {}).get("name") == "CrRendererMain"]
    # the renderer with the most events is the page's
    counts = Counter((e["pid"], e["tid"]) for e in events if e.get("ph") == "X")
    return max(((e["pid"], e["tid"]) for e in names), key=lambda k: counts.get(k, 0))


def self_times(events: list[dict]) -> tuple[Counter, float]:
    """Self time (ms) per trace event name on the page's main thread (an event's time less its
    children's), and the span (ms) from the first to the last event there."""
    pid, tid = _main_thread(events)
    spans = sorted(((e["ts"], e["ts"] + e["dur"], e["name"]) for e in events
                    if e.get("pid") == pid and e.get("tid") == tid and e.get("ph") == "X"
                    and e.get("dur")), key=lambda s: (s[0], -s[1]))
    own: Counter = Counter()
    stack: list[list] = []  # [end, name, start, time in children]

    def close(upto: float) -> None:
        while stack and stack[-1][0] <= upto:
            end, name, start, child = stack.pop()
            own[name] += ((end - start) - child) / 1000
            if stack:
                stack[-1][3] += end - start

    for start, end, name in spans:
        close(start)
        stack.append([end, name, start, 0])
    close(float("inf"))
    return own, (max(s[1] for s in spans) - spans[0][0]) / 1000


def cpu_profile(profile: dict) -> tuple[Counter, Counter]:
    """Self time (ms) per script file and per function of a V8 CPU profile
    (`Profiler.stop`)."""
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    files, functions = Counter(), Counter()
    for node, dt in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = nodes[node]
        url = frame["url"].rsplit("/", 1)[-1] or frame["functionName"] or "(native)"
        files[url] += dt / 1000
        functions[f"{frame['functionName'] or '(anonymous)'} {url}:{frame['lineNumber']}"] += (
            dt / 1000)
    return files, functions


def _do(page, app, action: str) -> None:
    if action == "slider":
        bb._slider_step(page, "Degenerative vertebrae at least", "ArrowLeft")
    elif action == "toggle":
        page.get_by_text("Show which vertebra met which criterion", exact=True).click()
    elif action.startswith("visit:"):
        name = action.split(":", 1)[1]
        page.locator(bb.MENU).filter(has_text=name).first.click()
    elif action == "preview":
        page.get_by_text("Preview the whole report here", exact=True).click()


def _session(browser, app, action: str, start: str, record: bool):
    """One session: open `start`, do `action`; with `record`, a trace and a CPU profile of the
    action. Returns (seconds by the benchmark's clock, DOM nodes after, trace, profile)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(bb._PROBE)
    page = ctx.new_page()
    cdp = page.context.new_cdp_session(page)
    trace = profile = None
    if action != "first-table":
        before = app.runs()
        page.goto(app.url + start, wait_until="domcontentloaded")
        bb._until_idle(page, app, before)
    if record:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        cdp.send("Profiler.start")
        browser.start_tracing(page=page, categories=CATEGORIES)
    if action == "first-table":
        before = app.runs()
        page.goto(app.url + "/groups", wait_until="domcontentloaded")
        page.wait_for_function("window.__bench.table !== null", timeout=120_000)
        bb._until_idle(page, app, before)
        took = page.evaluate("window.__bench.table") / 1000
    else:
        took = bb._act(page, app, lambda: _do(page, app, action))[0]
    if record:
        trace = browser.stop_tracing()
        profile = cdp.send("Profiler.stop")["profile"]
    nodes = page.evaluate("document.getElementsByTagName('*').length")
    ctx.close()
    return took, nodes, trace, profile


def _report(action: str, took: float, nodes: int, trace: bytes, profile: dict) -> None:
    own, span = self_times(json.loads(trace)["traceEvents"])
    print(f"{action}: {took:.3f} s by the benchmark's clock; DOM nodes after: {nodes}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"main thread, ms of self time per trace event over a {span:.0f} ms span:")
    for name, ms in own.most_common(15):
        print(f"  {ms:>8.0f}  {name}")
    files, functions = cpu_profile(profile)
    print("CPU profile, self time per script file (ms):")
    for url, ms in files.most_common(12):
        print(f"  {ms:>8.0f}  {url[:70]}")
    print("CPU profile, self time per function (ms):")
    for fn, ms in functions.most_common(15):
        print(f"  {ms:>8.0f}  {fn[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action")
    parser.add_argument("--trace", type=Path, help="write the trace here")
    parser.add_argument("--start", default=None, help="the page the session opens on")
    parser.add_argument("--warm", action="store_true",
                        help="do the action once in another session first (server caches warm)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               VBQ_DATA_DIR=str(tmp), VBQ_MEASUREMENTS_URL=f"sqlite:///{tmp}/bench.sqlite")
    app = bb.Server(bb.ROOT / "app.py", env, tmp, "app")
    start = args.start or {"slider": "/groups", "toggle": "/groups",
                           "preview": "/report"}.get(args.action, "/data")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=bb.CHROMIUM_ARGS)
            if args.warm:
                _session(browser, app, args.action, start, record=False)
            took, nodes, trace, profile = _session(browser, app, args.action, start, record=True)
            browser.close()
    finally:
        app.stop()
    if args.trace:
        args.trace.write_bytes(trace)
    _report(args.action, took, nodes, trace, profile)


if __name__ == "__main__":
    main()
