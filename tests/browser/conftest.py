"""Real-browser fixtures: a live `streamlit run app.py` on a free loopback port, driven by
Debian's Chromium (/usr/bin/chromium) through Playwright. Playwright never downloads a browser here.

Outside CI a machine without Chromium skips these tests with a reason; in CI (CI=true) a missing
browser is a failure, never a silent skip.

Tests wait for states, never for times: Playwright's auto-waiting `expect()` on what the user
would see, and `settled` for the end of a script run.

Servers, one per distinct need, each started once per test session: `app_url` (the app for the
analysis pages), `measure_app` (the app on a measurement database of its own, shared by the MRI
page's tests: each of them reads and saves under its own observer code and patient IDs, so their
order does not matter) and `click_url` (the click component alone). A module that needs a server
nobody else has used starts its own with `serve`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("VBQ_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def _need_browser() -> None:
    if Path(CHROMIUM).exists() and shutil.which(CHROMIUM):
        return
    msg = f"Chromium not found at {CHROMIUM} (install Debian's chromium; .ci/run does)"
    if IN_CI:
        pytest.fail(msg)
    pytest.skip(msg)  # outside CI only: without Chromium the browser tests cannot run


def _free_port() -> int:
    """A free loopback port; the first free one of VBQ_TEST_PORT .. VBQ_TEST_PORT + 9 when that
    variable is set (machines where a range of ports is set aside)."""
    base = int(os.environ.get("VBQ_TEST_PORT", "0"))
    for port in range(base, base + 10) if base else [0]:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError(f"no free port in {base}..{base + 9}")


def serve(script: Path, log: Path, *, database: str | None = None):
    """Run `streamlit run script` on a free loopback port; yield its base URL; stop it.

    The MRI page's measurement database is `database` (an SQLAlchemy URL), by default a
    scratch SQLite file beside the log: never data/, never a database named in the
    environment of the test run."""
    _need_browser()
    port = _free_port()
    database = database or f"sqlite:///{log.parent / 'measurements.sqlite'}"
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               VBQ_MEASUREMENTS_URL=database)
    with open(log, "w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            # not listening yet: wait on the server process itself, which returns at once if
            # it exits (then reported above) and otherwise polls again after 0.3 s
            try:
                proc.wait(timeout=0.3)
            except subprocess.TimeoutExpired:
                pass
    else:
        proc.terminate()
        pytest.fail(f"streamlit did not become healthy in 60 s:\n{log.read_text()}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def settled(page, timeout: float = 90_000) -> None:
    """Wait until the app's script run has ended and the page shows its result: no element left
    over from an earlier run (Streamlit marks them ``data-stale``), no running-script icon, and
    every plotly chart drawn.

    Call it after waiting for something the new run shows, so that it cannot pass before the run
    has started.
    """
    from playwright.sync_api import expect

    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=timeout)
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=timeout)
    expect(page.locator('[data-testid="stPlotlyChart"]:not(:has(.main-svg))')).to_have_count(
        0, timeout=timeout)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Start the app once per session; yield its base URL; stop it."""
    yield from serve(ROOT / "app.py", tmp_path_factory.mktemp("streamlit") / "server.log")


@dataclass(frozen=True)
class MeasureApp:
    """A running app whose MRI page saves to a measurement database of its own."""

    url: str  # the server's base URL
    database: str  # the SQLAlchemy URL of its measurement database
    folder: Path  # a scratch folder beside it (server log, files to upload, screenshots)


@pytest.fixture(scope="session")
def measure_app(tmp_path_factory):
    """The app on a fresh SQLite measurement database, started once for every MRI page test.

    Tests share it: each saves under its own observer code and patient IDs and reads back
    only those (`MeasurementStore.load(observer=...)`), so no test depends on another's rows
    or on the order the tests run in."""
    folder = tmp_path_factory.mktemp("measure")
    database = f"sqlite:///{folder / 'measurements.sqlite'}"
    for url in serve(ROOT / "app.py", folder / "server.log", database=database):
        yield MeasureApp(url, database, folder)


@pytest.fixture(scope="session")
def click_url(tmp_path_factory):
    """A page holding only the image-click component (tests/browser/apps/click_app.py)."""
    yield from serve(ROOT / "tests" / "browser" / "apps" / "click_app.py",
                     tmp_path_factory.mktemp("click") / "server.log")


@pytest.fixture(scope="session")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = ctx.new_page()
    yield p
    ctx.close()
