"""Load harness: many concurrent sessions against one server, with cheap clients (issue 10).

Each client is a WebSocket speaking Streamlit's own protocol (the protobuf `BackMsg` /
`ForwardMsg` of the installed Streamlit), not a browser: it opens a session on the Groups page,
finds the "Degenerative vertebrae at least" slider in the page it receives, and moves it
`--changes` times (2, 3, 4, 1, 2, ...), waiting each time for the server's `script_finished`.
The latency of one change is the time from sending the new value to `script_finished`: the
server's work for that rerun (script run, caches, serialisation), without any browser rendering.

The harness starts its own server (`streamlit run app.py`, 127.0.0.1 only) and reads its peak
resident memory from /proc/<pid>/status (VmHWM) at the end. Bounded: a fixed number of clients
and changes, each wait limited by --timeout.

With ``--heavy FILE`` one more session reads an upload the whole time (issue 18): it opens the
Data page, chooses "Upload my files", uploads FILE as the cohort through Streamlit's upload
endpoint and waits for the rerun that reads it; then again from a new session (a session
caches its read) until the slider sessions are done. ``--root DIR`` serves another checkout's
app (e.g. main, to compare in the same run).

Run: .venv/bin/python bench/load_harness.py [--clients 20] [--changes 10] [--port 8572]
     .venv/bin/python bench/load_harness.py --ramp 10,20,40,80   # p95 against concurrent users
     .venv/bin/python bench/_big_xlsx.py 20000 /tmp/cohort-20k.xlsx
     .venv/bin/python bench/load_harness.py --clients 10 --heavy /tmp/cohort-20k.xlsx \
         [--root /work/main]
Targets (issue 10): p95 under 2 s, peak under 1 GB, no error, at 20 sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
SLIDER_LABEL = "Degenerative vertebrae at least"
VALUES = [2, 3, 4, 1]
UPLOAD_CHOICE = "Upload my files"  # the Data page's "Data source" option


class Client:
    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.ws = None
        self.page_hash = ""
        self.query_string = ""  # the address's query string, as the app last set it
        self.slider_id: str | None = None
        self.errors: list[str] = []
        self.session_id = ""
        self.ids: dict[tuple[str, str], str] = {}  # (element type, label) -> widget id
        self.shown: list[str] = []  # error messages the last run showed

    async def _run_once(self, msg: BackMsg) -> float:
        """Send `msg`; read ForwardMsgs until script_finished; return the seconds it took."""
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), self.timeout)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.session_id = fm.new_session.initialize.session_id
            elif kind == "navigation":  # the page that ran (new_session's hash is the router's)
                self.page_hash = fm.navigation.page_script_hash
            elif kind == "page_info_changed":  # the app rewrote the address (ui.binding)
                self.query_string = fm.page_info_changed.query_string
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(fm.delta.new_element)
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # a rerun the change itself triggered (st.rerun): wait for it
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.errors.append("compile error")
                return time.perf_counter() - t0

    def _element(self, el) -> None:
        which = el.WhichOneof("type")
        if which == "exception":
            self.errors.append(f"exception: {el.exception.message[:200]}")
        elif which == "slider" and el.slider.label == SLIDER_LABEL:
            self.slider_id = el.slider.id
        elif which in ("radio", "file_uploader"):
            widget = getattr(el, which)
            self.ids[(which, widget.label)] = widget.id
        elif which == "alert" and el.alert.format == el.alert.ERROR:
            self.shown.append(el.alert.body)

    async def open(self, page: str = "groups") -> float:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"],
                                           max_size=2**26, open_timeout=self.timeout)
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_name = page
        return await self._run_once(msg)

    async def change(self, value: int) -> float:
        if self.slider_id is None:
            raise RuntimeError("the slider was not found on the page")
        msg = BackMsg()
        rs = msg.rerun_script
        # as a browser does: the rerun carries the address's current query string (an empty
        # one would read as the back button to a bare address, and ui.binding would follow it)
        rs.query_string = self.query_string
        rs.page_script_hash = self.page_hash
        ws = rs.widget_states.widgets.add()
        ws.id = self.slider_id
        ws.double_array_value.data.append(float(value))
        return await self._run_once(msg)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


class Uploader(Client):
    """A session that uploads a cohort file on the Data page and waits for its read."""

    def _rerun(self, widgets: dict) -> BackMsg:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query_string
        rs.page_script_hash = self.page_hash
        for (kind, label), value in widgets.items():
            ws = rs.widget_states.widgets.add()
            ws.id = self.ids[(kind, label)]
            if kind == "radio":
                ws.string_value = value
            else:
                ws.file_uploader_state_value.uploaded_file_info.append(value)
        return msg

    async def _upload_url(self, name: str):
        msg = BackMsg()
        msg.file_urls_request.request_id = "harness"
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id
        await self.ws.send(msg.SerializeToString())
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await asyncio.wait_for(self.ws.recv(), self.timeout))
            if fm.WhichOneof("type") == "file_urls_response":
                return fm.file_urls_response.file_urls[0]

    async def read(self, http: str, name: str, data: bytes, reading: asyncio.Event) -> float:
        """Upload `data` as the cohort file; the seconds from the rerun that reads it (when
        `reading` is set) to its end."""
        await self.open("data")
        upload = ("radio", "Data source")
        await self._run_once(self._rerun({upload: UPLOAD_CHOICE}))
        urls = await self._upload_url(name)
        await asyncio.to_thread(_put, http + urls.upload_url, name, data)
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id,
                                file_urls=urls)
        self.shown = []
        reading.set()
        return await self._run_once(self._rerun({upload: UPLOAD_CHOICE,
                                                 ("file_uploader", "Cohort file"): info}))


def _put(url: str, name: str, data: bytes) -> None:
    """The upload as the browser sends it: a multipart form with one file."""
    boundary = "vbqharness"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="PUT", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=120):
        pass


async def heavy(url: str, http: str, path: Path, timeout: float, reading: asyncio.Event,
                done: asyncio.Event, reads: list[float], errors: list[str]) -> None:
    """Read `path` as an upload, from a new session each time, until `done`; `reading` is set
    when the first read starts."""
    data = path.read_bytes()
    while not done.is_set():
        client = Uploader(url, timeout)
        try:
            reads.append(await client.read(http, path.name, data, reading))
            errors.extend(f"heavy session shows: {m[:160]}" for m in client.shown)
        except Exception as exc:
            errors.append(f"heavy session: {type(exc).__name__}: {exc}"[:200])
            return
        finally:
            await client.close()


async def session(url: str, changes: int, timeout: float, start_delay: float,
                  latencies: list[float], opens: list[float], errors: list[str]) -> None:
    await asyncio.sleep(start_delay)
    client = Client(url, timeout)
    try:
        opens.append(await client.open())
        for i in range(changes):
            latencies.append(await client.change(VALUES[i % len(VALUES)]))
    except Exception as exc:  # a timeout or a dropped connection is a counted error
        errors.append(f"{type(exc).__name__}: {exc}"[:200])
    finally:
        errors.extend(client.errors)
        await client.close()


def _peak_rss_mb(pid: int) -> float:
    """Peak resident memory of the server and its children (VmHWM), in MB."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def start_server(port: int, options: list[str] = (), root: Path = ROOT) -> subprocess.Popen:
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
         *(f"--{o}" for o in options)],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the server did not start in 60 s")


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(
        values) > 1 else (values[0] if values else float("nan"))


async def run(port: int, clients: int, changes: int, timeout: float, ramp_s: float,
              heavy_file: Path | None = None) -> dict:
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    latencies: list[float] = []
    opens: list[float] = []
    errors: list[str] = []
    reads: list[float] = []
    reading, done = asyncio.Event(), asyncio.Event()
    reader = None
    if heavy_file:  # the slider sessions start once the first read has started
        reader = asyncio.create_task(heavy(url, f"http://127.0.0.1:{port}", heavy_file,
                                           timeout * 10, reading, done, reads, errors))
        await asyncio.wait([asyncio.create_task(reading.wait()), reader],
                           return_when=asyncio.FIRST_COMPLETED)
    t0 = time.perf_counter()
    await asyncio.gather(*(session(url, changes, timeout, ramp_s * i / max(clients, 1),
                                   latencies, opens, errors) for i in range(clients)))
    wall = time.perf_counter() - t0
    done.set()
    during = len(reads)  # reads that had ended when the slider sessions were done
    if reader is not None:
        await reader
    return {"clients": clients, "changes": len(latencies), "wall": wall,
            "reads": reads, "reads_during": during,
            "median": statistics.median(latencies) if latencies else float("nan"),
            "p95": _pct(latencies, 95), "open_median": statistics.median(opens) if opens
            else float("nan"), "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--changes", type=int, default=10)
    ap.add_argument("--port", type=int, default=8572)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--ramp", default="", help="comma-separated client counts to run in turn")
    ap.add_argument("--ramp-seconds", type=float, default=2.0,
                    help="sessions start spread over this many seconds")
    ap.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                    help="a Streamlit option for the server, e.g. runner.postScriptGC=true "
                         "(to compare against .streamlit/config.toml in the same run)")
    ap.add_argument("--heavy", type=Path, default=None, metavar="FILE",
                    help="one more session uploads FILE as the cohort, again and again")
    ap.add_argument("--root", type=Path, default=ROOT,
                    help="the checkout whose app.py is served (default: this one)")
    args = ap.parse_args()
    counts = [int(c) for c in args.ramp.split(",")] if args.ramp else [args.clients]
    # the harness's upload is a plain HTTP PUT, without the browser's XSRF cookie
    options = [*args.option, *(["server.enableXsrfProtection=false"] if args.heavy else [])]
    proc = start_server(args.port, options, args.root.resolve())
    try:  # warm-up: the first session pays for imports and the demo's first computations
        warm = asyncio.run(run(args.port, 1, len(VALUES), args.timeout * 3, 0.0))
        print(f"warm-up session: page open {warm['open_median']:.1f} s, errors "
              f"{len(warm['errors'])}")
        for n in counts:
            r = asyncio.run(run(args.port, n, args.changes, args.timeout, args.ramp_seconds,
                                args.heavy))
            print(f"{n:3d} sessions x {args.changes} slider changes: {r['changes']} reruns in "
                  f"{r['wall']:.1f} s; latency median {r['median']:.3f} s, p95 {r['p95']:.3f} s; "
                  f"page open median {r['open_median']:.2f} s; errors {len(r['errors'])}; "
                  f"server peak memory {_peak_rss_mb(proc.pid):.0f} MB")
            if args.heavy:
                print(f"    heavy session: reading {args.heavy.name} again and again "
                      f"({r['reads_during']} read(s) ended before the slider sessions did); "
                      f"reads took {', '.join(f'{t:.1f}' for t in r['reads'])} s; load "
                      f"average {os.getloadavg()[0]:.1f}")
            for e in r["errors"][:5]:
                print("   ", e)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()
