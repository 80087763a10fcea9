"""Take the README's screenshots: start the app on the demo data, open every page in Debian's
Chromium (/usr/bin/chromium), save docs/screenshots/<page>.png.

Run: make screenshots   (or .venv/bin/python scripts/screenshots.py)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PAGES = {"data": "Cohort summary", "groups": "Table 2. Characteristics",
         "correlations": "Fig. 4.", "roc": "Fig. 5. ROC curves",
         "thresholds": "Prevalence by DXA and by VBQ", "measure": "Phantom truth",
         "reliability": "Degenerative grouping"}
# what to do on a page before its screenshot: (button or radio label to click, text to wait for)
ACTIONS = {"measure": ("Place the phantom's reference ROIs", "Levels used"),
           "reliability": ("Cohort spreadsheet (repeat columns)", "Intraclass correlation")}
# pages whose point lies below the fold: scroll to this heading first
SCROLL_TO = {"correlations": "Fig. 4. VBQ against bone density",
             "thresholds": "Prevalence by DXA and by VBQ"}
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]


def main() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
         "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=dict(os.environ,  # an empty measurement database, never the user's
                 VBQ_MEASUREMENTS_URL=f"sqlite:///{tempfile.mkdtemp()}/screenshots.sqlite"))
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for name, marker in PAGES.items():
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                page.goto(f"{base}/{name}")
                page.get_by_text(marker).first.wait_for(timeout=90_000)
                if name in ACTIONS:
                    label, done = ACTIONS[name]
                    page.get_by_text(label, exact=True).first.click()
                    page.get_by_text(done).first.wait_for(timeout=90_000)
                    page.mouse.move(1, 1)  # no tooltip in the picture
                page.wait_for_load_state("networkidle")
                time.sleep(5)  # plotly and the data grids draw after the network settles
                if page.get_by_text("Page not found").count():  # never ship that dialog
                    raise SystemExit(f"/{name} shows 'Page not found'")
                if name in SCROLL_TO:
                    page.get_by_text(SCROLL_TO[name]).first.evaluate(
                        "e => e.scrollIntoView({block: 'start'})")
                    time.sleep(2)
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=False)
                page.close()
                print(f"wrote {OUT / f'{name}.png'}")
            browser.close()
    finally:
        server.terminate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
