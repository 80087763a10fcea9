"""Benchmark: reading a cohort on the MRI page in Chromium, from opening a study to its saved
reading with the suggested ROIs accepted, per patient; the same studies read by hand (a blind
repeat session) are the peer timed in the same run.

A worklist of N SYNTHETIC studies (`vbq.phantom.cohort_zip`, one folder per study ID) is
uploaded as one zip to the app (temporary SQLite database, 1280 x 800). Session 1, with
suggestions, per study: a click on L3 (the suggestion named from it comes without a further
click), Accept, Save and next. Session 2, by hand (the automatic suggestion turned off): L1-L4
and the CSF each chosen and clicked, Save and next. Before any click the script waits for the
state a reader would wait for (the page has finished its run), never for a fixed time.

Figures per patient, medians over the studies (the first study of each session is counted: it
is what a reader meets):
- clicks: the user's clicks on the page for that study (choosing L3 once for the whole
  session, the upload and typing the observer code are counted apart, as set-up);
- wall: from the study shown (ready for the first click) to the next study shown after Save
  and next (the last study: to its "saved" message). The script clicks as soon as the page is
  ready, so this is the machine's time (server, transfer and the browser's drawing) plus
  Playwright's polling, a few ms a wait, and no human time;
- server: the script runs on the server in that interval (`bench/_timed_streamlit.py`);
- browser and transfer: wall minus server.

Run: .venv/bin/python bench/bench_read_cohort.py [--studies 5]   (needs /usr/bin/chromium)
Target (issue 19): at most 3 clicks and under 10 s of machine time per patient.
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

from playwright.sync_api import expect, sync_playwright

from vbq import phantom

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
TIMEOUT = 120_000
LEVELS = ("L1", "L2", "L3", "L4", "CSF")
OBSERVER = "BN"
AUTO = "Suggest after my first vertebra"


def _serve(env: dict, runlog: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "_timed_streamlit.py"), "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=dict(env, VBQ_BENCH_RUNLOG=runlog), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)  # polling the server's start, not timing anything
    proc.terminate()
    raise RuntimeError("streamlit did not start")


def _settled(page) -> None:
    """The script run has ended and the page shows its result (tests/browser/conftest.py)."""
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=TIMEOUT)
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=TIMEOUT)


@dataclass
class _Reader:
    """Drives the page and counts the user's clicks."""

    page: object
    runlog: str
    clicks: int = 0
    rows: list = field(default_factory=list)  # (session, study, clicks, wall, server)

    def click(self, locator, **kwargs) -> None:
        self.clicks += 1
        locator.click(**kwargs)

    def runs(self) -> list[float]:
        with open(self.runlog, encoding="utf-8") as fh:
            return [float(line.split()[0]) for line in fh if line.strip()]

    def choose(self, level: str) -> None:
        choice = self.page.get_by_role("radio", name=level, exact=True)
        if choice.get_attribute("aria-checked") != "true":
            self.click(choice)
        expect(self.page.get_by_text(f"centre the {level} ROI")).to_be_visible(timeout=TIMEOUT)
        _settled(self.page)

    def click_image(self, truth, level: str, shift: int = 0) -> None:
        img = self.page.locator("img.vbq-click-img")
        img.scroll_into_view_if_needed()
        row, col = int(truth.centres[level][0]) + shift, int(truth.centres[level][1])
        scale = img.bounding_box()["width"] / truth.shape[1]
        self.click(img, position={"x": (col + 0.5) * scale, "y": (row + 0.5) * scale})

    def study_ready(self, study_id: str) -> None:
        page = self.page
        expect(page.get_by_role("textbox", name="Study patient ID (pseudonymous)")).to_have_value(
            study_id, timeout=TIMEOUT)
        expect(page.get_by_text("No ROI placed yet")).to_be_visible(timeout=TIMEOUT)
        expect(page.locator("img.vbq-click-img")).to_have_js_property("complete", True,
                                                                       timeout=TIMEOUT)
        _settled(page)

    def with_suggestion(self, truth) -> None:
        self.click_image(truth, "L3")
        accept = self.page.get_by_role("button", name="Accept", exact=True)
        expect(accept).to_be_visible(timeout=TIMEOUT)
        _settled(self.page)  # a press on a button the rerun replaces is lost
        self.click(accept)
        expect(self.page.get_by_text("L1, L2, L4, CSF as suggested; L3 placed by hand")
               ).to_be_visible(timeout=TIMEOUT)
        _settled(self.page)

    def by_hand(self, truth) -> None:
        for lv in LEVELS:
            self.choose(lv)
            self.click_image(truth, lv, shift=1)
            expect(self.page.get_by_role("button", name=f"Remove the {lv} ROI")).to_be_visible(
                timeout=TIMEOUT)
            _settled(self.page)

    def save(self, last: bool, progress: str) -> None:
        """Save (and next); wait for the progress line to count it."""
        self.click(self.page.get_by_role("button", name="Save the ROIs" if last
                                         else "Save and next"))
        expect(self.page.get_by_text(progress)).to_be_visible(timeout=TIMEOUT)

    def session(self, number: int, ids: list[str], truths: dict, read) -> None:
        """Read the studies in the page's order; time each from shown to the next shown."""
        order = self._order(ids)
        self.study_ready(order[0])
        for k, study_id in enumerate(order):
            before, clicks, t0 = len(self.runs()), self.clicks, time.perf_counter()
            read(truths[study_id])
            last = k == len(order) - 1
            self.save(last, f"{k + 1} of {len(order)} read (observer {OBSERVER}, "
                            f"session {number})")
            if last:
                _settled(self.page)
            else:
                self.study_ready(order[k + 1])
            wall = time.perf_counter() - t0
            self.rows.append((number, study_id, self.clicks - clicks, wall,
                              sum(self.runs()[before:])))

    def _order(self, ids: list[str]) -> list[str]:
        """The reading order the page shows (its study list, in order)."""
        box = self.page.get_by_role("combobox", name="Study")
        box.scroll_into_view_if_needed()
        box.click()  # looking at the list is not a reading click: not counted
        options = self.page.get_by_role("option").all_inner_texts()
        self.page.keyboard.press("Escape")
        order = [next(i for i in ids if f" · {i} · " in o) for o in options]
        _settled(self.page)
        return order


def _setup(reader: _Reader, url: str, archive: Path, n: int) -> float:
    """Open the page, upload the worklist, type the observer; the seconds it took."""
    page = reader.page
    t0 = time.perf_counter()
    page.goto(url + "/measure")
    expect(page.get_by_text("Upload DICOM")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    reader.click(page.get_by_text("Upload DICOM"))
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="DICOM files of one study")
    uploader.locator("input[type=file]").set_input_files(str(archive))
    expect(page.get_by_text(f"0 of {n} read")).to_be_visible(timeout=TIMEOUT)
    _settled(page)
    box = page.get_by_role("textbox", name="Observer (initials or code)")
    reader.click(box)
    box.fill(OBSERVER)
    box.press("Enter")
    expect(page.get_by_text(f"0 of {n} read (observer {OBSERVER}, session 1)")).to_be_visible(
        timeout=TIMEOUT)
    _settled(page)
    return time.perf_counter() - t0


def _second_session(reader: _Reader, n: int) -> None:
    """Session 2, with the automatic suggestion turned off (set-up clicks)."""
    page = reader.page
    box = page.get_by_role("spinbutton", name="Session (repeat number)")
    box.scroll_into_view_if_needed()
    reader.click(box)
    box.fill("2")
    box.press("Enter")
    expect(page.get_by_text(f"0 of {n} read (observer {OBSERVER}, session 2)")).to_be_visible(
        timeout=TIMEOUT)
    _settled(page)
    reader.click(page.get_by_text(AUTO))
    expect(page.get_by_role("switch", name=AUTO)).not_to_be_checked(timeout=TIMEOUT)
    _settled(page)


def _report(reader: _Reader, setup_s: float, setup_clicks: dict, n: int) -> None:
    print(f"{n} SYNTHETIC studies (11 slices of 256 x 256 each), Chromium at 1280 x 800; "
          f"opening the page and uploading the zip: {setup_s:.1f} s")
    print("per patient: median (largest)")
    medians = {}
    for number, name in ((1, "with suggestions accepted"), (2, "by hand (peer, blind repeat)")):
        rows = [r for r in reader.rows if r[0] == number]
        clicks = [r[2] for r in rows]
        wall, server = [r[3] for r in rows], [r[4] for r in rows]
        browser = [w - s for w, s in zip(wall, server, strict=True)]
        medians[number] = statistics.median(wall)
        print(f"  {name:<30} clicks {statistics.median(clicks):g} ({max(clicks)}); "
              f"wall {statistics.median(wall):.2f} s ({max(wall):.2f}) = server "
              f"{statistics.median(server):.2f} s ({max(server):.2f}) + browser and transfer "
              f"{statistics.median(browser):.2f} s ({max(browser):.2f})")
    print(f"set-up clicks (once per session, not per patient): session 1 {setup_clicks[1]} "
          f"(Upload DICOM, observer box, L3), session 2 {setup_clicks[2]} (session box, "
          "the automatic suggestion off)")
    with_s = [r for r in reader.rows if r[0] == 1]
    ok_clicks = max(r[2] for r in with_s) <= 3
    ok_time = max(r[3] for r in with_s) < 10
    print(f"ratio with suggestions / by hand (median wall): {medians[1] / medians[2]:.2f}")
    print(f"target (issue 19): at most 3 clicks and under 10 s of machine time per patient: "
          f"clicks {'met' if ok_clicks else 'NOT met'}, time {'met' if ok_time else 'NOT met'} "
          f"(the largest wall time, an upper bound of the machine time); load average "
          f"{os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=5)
    n = parser.parse_args().studies
    tmp = Path(tempfile.mkdtemp())
    archive_bytes, truths = phantom.cohort_zip(n)
    archive = tmp / "cohort.zip"
    archive.write_bytes(archive_bytes)
    runlog = str(tmp / "runs.txt")
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               VBQ_MEASUREMENTS_URL=f"sqlite:///{tmp / 'bench.sqlite'}")
    proc, url = _serve(env, runlog)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                         args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            reader = _Reader(page, runlog)
            setup_s = _setup(reader, url, archive, n)
            reader.choose("L3")  # once for the session: the active ROI stays L3
            setup = {1: reader.clicks}
            ids = sorted(truths)
            reader.session(1, ids, truths, reader.with_suggestion)
            before = reader.clicks
            _second_session(reader, n)
            setup[2] = reader.clicks - before
            reader.session(2, ids, truths, reader.by_hand)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    _report(reader, setup_s, setup, n)


if __name__ == "__main__":
    main()
