"""A/B in the browser (issue 21): one action of `bench/bench_browser.py` timed on two versions
of the app, alternating in one run, so that a change is judged against its own before on the
same loaded machine.

A is a git revision (written to a temporary directory with `git archive`), B the working tree;
both run with this interpreter. Each round opens a new session on each server (in turn, the
order swapped every round), brings it to the action's starting page, and times the action by
the browser's clock as the benchmark does.

Run: .venv/bin/python bench/ab_browser.py ACTION [--a main] [--rounds 8]
ACTION: first-table | open:<page> | slider | toggle | preview | preview-figure |
        visit:<page>[,<from page>]
(`preview-figure`: the preview toggle until its first figure is drawn, scrolled to at the load.)
(`open:data`: a new session at /data until its last change.)
(`visit:roc,correlations`: the menu link to ROC in a session that has shown Correlations).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

import bench_browser as bb
from playwright.sync_api import sync_playwright


def _checkout(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev], cwd=bb.ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _time(browser, server: bb.Server, action: str) -> tuple[float, float]:
    """(seconds by the browser's clock, CPU seconds of the browser's processes) for `action`."""
    if action == "first-table" or action.startswith("open:"):
        path = "/groups" if action == "first-table" else "/" + action.split(":", 1)[1]
        ctx, page, (first, _, cpu) = bb._open(browser, server, path)
        idle = page.evaluate("window.__bench.last") / 1000
        ctx.close()
        return (first if action == "first-table" else idle), cpu
    ctx, page, _ = _start(browser, server, action)
    try:
        cpu = bb.browser_cpu()
        took = _action(page, server, action)
        return took, bb.cpu_seconds(cpu, bb.browser_cpu())
    finally:
        ctx.close()


def _start(browser, server: bb.Server, action: str):
    start = {"slider": "/groups", "toggle": "/groups", "preview": "/report",
             "preview-figure": "/report"}.get(action, "/data")
    if action.startswith("visit:"):
        start = "/" + (action.split(":", 1)[1].partition(",")[2] or "data")
    return bb._open(browser, server, start)


def _action(page, server: bb.Server, action: str) -> float:
    if action == "slider":
        return bb._act(page, server, lambda: bb._slider_step(
            page, "Degenerative vertebrae at least", "ArrowLeft"))[0]
    if action == "toggle":
        return bb._act(page, server, page.get_by_text(
            "Show which vertebra met which criterion", exact=True).click)[0]
    if action in ("preview", "preview-figure"):
        took = bb._act(page, server, page.get_by_text(
            "Preview the whole report here", exact=True).click)[0]
        return took if action == "preview" else bb._first_figure(page)
    target = action.split(":", 1)[1].partition(",")[0]
    link = page.locator(bb.MENU).filter(has_text=bb.link_text(target)).first
    return bb._act(page, server, link.click)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action")
    parser.add_argument("--a", default="HEAD", help="git revision for A (default HEAD)")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               VBQ_DATA_DIR=str(tmp), VBQ_MEASUREMENTS_URL=f"sqlite:///{tmp}/bench.sqlite")
    a_root = _checkout(args.a, Path(tempfile.mkdtemp()))
    servers = {"A": bb.Server(a_root / "app.py", env, tmp, "a"),
               "B": bb.Server(bb.ROOT / "app.py", env, tmp, "b")}
    times: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=bb.CHROMIUM_ARGS)
            for name in servers:  # a cold round each, not counted
                _time(browser, servers[name], args.action)
            for i in range(args.rounds):
                for name in (("A", "B") if i % 2 == 0 else ("B", "A")):
                    times[name].append(_time(browser, servers[name], args.action))
            browser.close()
    finally:
        for s in servers.values():
            s.stop()
    print(f"{args.action}: {args.rounds} rounds alternating; load average "
          f"{os.getloadavg()[0]:.1f}")
    for i, what in enumerate(("seconds by the browser's clock", "browser CPU seconds")):
        a, b = (statistics.median(t[i] for t in times[n]) for n in "AB")
        print(f"  {what}: A ({args.a}) median {a:.3f}, B (working tree) median {b:.3f}, "
              f"B/A {b / a:.2f}")
        for n in "AB":
            print(f"    {n}:", " ".join(f"{t[i]:.2f}" for t in times[n]))


if __name__ == "__main__":
    main()
