"""The content floor of a first visit (issue 21): what drawing a page's content alone costs in the
browser, against the bare page and against the app, in one run.

Issue 21 asks a first visit to a page within a session to take at most 1.3x the bare page's
(`bench/_bare_app.py`: one slider, one `st.table`, one plotly chart). This benchmark asks how
much of an app page's first visit is its content. For each page it captures, with Streamlit's
AppTest on the demo cohort at default settings, what the page shows in its main area: title,
headings, captions, notes, metrics, HTML tables and plotly charts, with the same text, HTML and
figure specifications. `bench/_floor_app.py` draws exactly that on the bare app's second page,
with no widget, no download popover and no sidebar of the app. Then, alternating in each round:

- bare: the bare app's first visit (its first page to its second), as `bench_browser.py` times it;
- floor: the same first visit, to the page's content alone;
- app: the app's first visit to the page from Data, as `bench_browser.py` times it.

Each time is the browser's clock from the pointerdown to the last change before the page is
quiet (`bench_browser._act`). If the floor's time is already over 1.3x the bare page's, no page
that shows that content (in Streamlit, drawn as it is now) can meet the target.

Run: .venv/bin/python bench/bench_floor.py [--rounds 5] [--pages groups,correlations,roc,thresholds]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path

import bench_browser as bb
from playwright.sync_api import sync_playwright

PAGES = ["groups", "correlations", "roc", "thresholds"]
_ALERTS = {"info", "warning", "error", "success"}


def _children(node) -> list:
    kids = getattr(node, "children", None) or {}
    return list(kids.values()) if isinstance(kids, dict) else list(kids)


def _block(node, kind: str, skipped: dict[str, int]) -> dict | None:
    """A layout block (columns, an expander, a container) with its content, or None."""
    kids = _children(node)
    if kind == "flex_container" and any(getattr(c, "type", "") == "column" for c in kids):
        cols = [c for c in kids if getattr(c, "type", "") == "column"]
        return {"kind": "columns", "weights": [c.proto.weight for c in cols],
                "columns": [_convert(_children(c), skipped) for c in cols]}
    if kind == "expander":
        return {"kind": "expander", "label": node.proto.label,
                "expanded": bool(node.proto.expanded), "children": _convert(kids, skipped)}
    if kind in ("flex_container", "vertical", "horizontal"):
        return {"kind": "container", "children": _convert(kids, skipped)}
    return None


def _element(kind: str, proto) -> dict | None:
    """A content element as `bench/_floor_app.py` draws it, or None (not content)."""
    if kind == "plotly_chart":
        return {"kind": "plotly", "spec": proto.spec, "config": proto.config,
                "theme": proto.theme}
    if kind == "metric":
        return {"kind": "metric", "label": proto.label, "body": proto.body}
    if kind in ("markdown", "caption"):
        return {"kind": kind, "body": proto.body, "allow_html": proto.allow_html}
    if kind in _ALERTS or kind in ("html", "title", "header", "subheader"):
        return {"kind": kind, "body": proto.body}
    return None


def _convert(nodes: list, skipped: dict[str, int]) -> list[dict]:
    """The content elements among AppTest nodes, as `bench/_floor_app.py` draws them; what is
    left out (widgets, the download popovers, empty placeholders) counted in `skipped`."""
    out: list[dict] = []
    for node in nodes:
        kind = getattr(node, "type", "") or type(node).__name__
        found = _block(node, kind, skipped) or _element(kind, getattr(node, "proto", None))
        if found is None:
            skipped[kind] = skipped.get(kind, 0) + 1
        else:
            out.append(found)
    return out


def capture(page: str) -> tuple[list[dict], dict[str, int]]:
    """The content of `page`'s main area on the demo cohort at default settings, and what was
    left out (kind: count)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(bb.ROOT / "app.py"), default_timeout=180)
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].message}")
    skipped: dict[str, int] = {}
    return _convert(_children(at.main), skipped), skipped


def _count(elements: list[dict]) -> int:
    return sum(_count(e.get("children", [])) + sum(_count(c) for c in e.get("columns", []))
               + (e["kind"] not in ("columns", "expander", "container")) for e in elements)


def _visit(browser, server: bb.Server, start: str, link) -> tuple[float, float, float]:
    ctx, page, _ = bb._open(browser, server, start)
    took = bb._act(page, server, lambda: link(page).click())
    ctx.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()
    pages = args.pages.split(",")
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               VBQ_DATA_DIR=str(tmp), VBQ_MEASUREMENTS_URL=f"sqlite:///{tmp}/bench.sqlite")
    os.environ.update(VBQ_DATA_DIR=str(tmp))
    contents = {}
    for name in pages:
        elements, skipped = capture(name)
        contents[name] = tmp / f"floor-{name}.json"
        contents[name].write_text(json.dumps(elements), encoding="utf-8")
        print(f"{name}: {_count(elements)} content elements drawn; left out: "
              + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    floor_file = tmp / "floor.json"
    servers = {"bare": bb.Server(bb.ROOT / "bench" / "_bare_app.py", env, tmp, "bare"),
               "floor": bb.Server(bb.ROOT / "bench" / "_floor_app.py",
                                  dict(env, VBQ_BENCH_FLOOR=str(floor_file)), tmp, "floor"),
               "app": bb.Server(bb.ROOT / "app.py", env, tmp, "app")}
    times: dict[str, list[float]] = {}
    second = lambda page: page.locator(bb.MENU).nth(1)  # noqa: E731
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=bb.CHROMIUM_ARGS)
            for _ in range(args.rounds + 1):  # the first round warms the caches: not counted
                for name in pages:
                    floor_file.write_text(contents[name].read_text(encoding="utf-8"),
                                          encoding="utf-8")
                    times.setdefault("bare", []).append(
                        _visit(browser, servers["bare"], "/", second)[0])
                    times.setdefault(f"floor {name}", []).append(
                        _visit(browser, servers["floor"], "/", second)[0])
                    times.setdefault(f"app {name}", []).append(_visit(
                        browser, servers["app"], "/data",
                        lambda page, name=name: page.locator(bb.MENU).filter(
                            has_text=bb.link_text(name)).first)[0])
            browser.close()
    finally:
        for server in servers.values():
            server.stop()
    med = {k: statistics.median(v[len(pages):] if k == "bare" else v[1:])
           for k, v in times.items()}
    print(f"first visit, seconds by the browser's clock, median of {args.rounds} rounds "
          f"(load average {os.getloadavg()[0]:.1f}); ratio: against the bare page's "
          f"{med['bare']:.3f} s (target at most {bb.RATIO_TARGET}x)")
    print(f"{'page':<14}{'floor':>8}{'ratio':>8}{'app':>8}{'ratio':>8}{'app/floor':>11}")
    for name in pages:
        f, a = med[f"floor {name}"], med[f"app {name}"]
        print(f"{name:<14}{f:8.3f}{f / med['bare']:7.2f}x{a:8.3f}{a / med['bare']:7.2f}x"
              f"{a / f:10.2f}x")


if __name__ == "__main__":
    main()
