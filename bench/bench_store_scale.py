"""Benchmark: the measurement database on a lab server (issue 18): importing a large measurement
CSV, and the MRI page's reruns once the database holds it.

The CSV is written by seeded code (`_big_measurements.write_csv`: 104,000 ROI rows, every
column of an export at full precision with the longest plausible provenance text, about 88 MB).
Each figure is measured in a fresh child process, so the peak memory (the child's maximum
resident set size) is that of the work alone:

* import: ``MeasurementStore.import_csv`` of the file into an empty SQLite database: wall time
  and peak memory; peer in the same run: ``pandas.read_csv`` of the same file in its own child.
* MRI page: the page (AppTest, the phantom) opened on that database, then rerun by changing the
  session number: the first run and the median rerun; peer in the same run: the same page on
  an empty database. Also printed: the options of the page's largest select box and the rows of
  its largest table (what each rerun sends to the browser).

* Reliability page: opened on that database (the default intra-observer comparison, observer
  AB's two sessions), then rerun by changing the ICC form (nothing in the database changes):
  the first run and the median rerun; likewise the comparison of suggestion-accepted readings
  (observer CD's first session) with hand-placed ones; peer: the same on the empty database.

``--db FILE`` reuses a database this script imported before (the import is not timed again).
``--root DIR`` measures another checkout's code (e.g. ``git archive d0f136a | tar -x -C DIR``)
with this script, so before and after are measured by the same benchmark on the same file.

Run: .venv/bin/python bench/bench_store_scale.py [--root DIR] [--rows N] [--db FILE]
Target (issue 18): the MRI page's rerun on the 104,000-row database within 1.5x of the empty
database's, and the import within the stated limits in bounded memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPEAT = 6


def _child_import(csv_path: str, db_path: str) -> dict:
    from vbq.measurements import MeasurementStore

    store = MeasurementStore(db_path)
    start = time.perf_counter()
    result = store.import_csv(csv_path)
    return {"seconds": time.perf_counter() - start, "summary": result.summary()}


def _child_read_csv(csv_path: str, db_path: str) -> dict:
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_csv(csv_path)
    return {"seconds": time.perf_counter() - start, "summary": f"{len(frame):,} rows"}


def _largest_widgets(at) -> tuple[int, int]:
    options = max((len(s.options) for s in at.selectbox), default=0)
    rows = max((len(d.value) for d in at.dataframe), default=0)
    return options, rows


def _child_page(csv_path: str, db_path: str) -> dict:
    from streamlit.testing.v1 import AppTest

    os.environ["VBQ_MEASUREMENTS_URL"] = f"sqlite:///{db_path}"
    at = AppTest.from_file(str(Path.cwd() / "app.py"), default_timeout=600)
    at.run()
    start = time.perf_counter()
    at.switch_page("app_pages/measure.py").run()
    first = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    times = []
    for k in range(REPEAT):
        start = time.perf_counter()
        at.number_input(key="measure_session").set_value(2 + k % 2).run()
        times.append(time.perf_counter() - start)
    assert not at.exception, [e.value for e in at.exception]
    options, rows = _largest_widgets(at)
    return {"seconds": first, "rerun": statistics.median(times), "options": options,
            "rows": rows}


def _child_reliability(csv_path: str, db_path: str, comparison: str | None = None) -> dict:
    from streamlit.testing.v1 import AppTest

    os.environ["VBQ_MEASUREMENTS_URL"] = f"sqlite:///{db_path}"
    at = AppTest.from_file(str(Path.cwd() / "app.py"), default_timeout=600)
    at.run()
    start = time.perf_counter()
    at.switch_page("app_pages/reliability.py").run()
    if comparison:
        at.radio(key="rel_comparison").set_value(comparison).run()
    first = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    times = []
    for k in range(REPEAT):
        start = time.perf_counter()
        at.selectbox(key="rel_form").set_value(("ICC3", "ICC2")[k % 2]).run()
        times.append(time.perf_counter() - start)
    assert not at.exception, [e.value for e in at.exception]
    shown = {m.label: m.value for m in at.metric}
    return {"seconds": first, "rerun": statistics.median(times), "options": 0,
            "rows": 0, "patients": shown.get("Patients", "-")}


def _child_suggested(csv_path: str, db_path: str) -> dict:
    return _child_reliability(csv_path, db_path, "Suggested ROIs accepted vs placed by hand")


CHILDREN = {"import": _child_import, "read_csv": _child_read_csv, "page": _child_page,
            "reliability": _child_reliability, "suggested": _child_suggested}


def _run_child(root: Path, what: str, csv_path: Path, db_path: Path) -> dict:
    """Run one measurement in a fresh interpreter on `root`'s code; its result and peak RSS."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", what,
                          str(csv_path), str(db_path)], cwd=root, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--rows", type=int, default=104_000)
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "CSV", "DB"))
    parser.add_argument("--db", type=Path, help="a database this script imported before")
    args = parser.parse_args()
    if args.child:
        what, csv_path, db_path = args.child
        sys.path.insert(0, str(Path.cwd()))
        result = CHILDREN[what](csv_path, db_path)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    root = args.root.resolve()
    print(f"code: {root}; load average {os.getloadavg()[0]:.1f}")
    if args.db:
        folder, db_path, csv_path = args.db.parent, args.db.resolve(), args.db
        empty = Path(tempfile.mkdtemp(prefix="vbq-bench-store-")) / "empty.sqlite"
    else:
        folder = Path(tempfile.mkdtemp(prefix="vbq-bench-store-"))
        csv_path, db_path, empty = (folder / "big.csv", folder / "big.sqlite",
                                    folder / "empty.sqlite")
        if not _import(root, csv_path, db_path, args.rows):
            return
    for label, db in (("empty database (peer)", empty), (f"{args.rows:,}-row database", db_path)):
        page = _run_child(root, "page", csv_path, db)
        print(f"MRI page, {label}: first run {page['seconds']:.2f} s, median rerun "
              f"{page['rerun']:.2f} s, peak {page['peak_mb']:.0f} MB; largest select box "
              f"{page['options']:,} options, largest table {page['rows']:,} rows "
              f"(load average {os.getloadavg()[0]:.1f})")
        for what, words in (("reliability", "intra-observer"),
                            ("suggested", "suggested vs hand-placed")):
            rel = _run_child(root, what, csv_path, db)
            print(f"Reliability page ({words}), {label}: first run {rel['seconds']:.2f} s, "
                  f"median rerun {rel['rerun']:.2f} s, peak {rel['peak_mb']:.0f} MB, "
                  f"{rel['patients']} patients (load average {os.getloadavg()[0]:.1f})")


def _import(root: Path, csv_path: Path, db_path: Path, n_rows: int) -> bool:
    """Write the CSV, time `pandas.read_csv` and the import; whether the import succeeded."""
    from _big_measurements import write_csv

    start = time.perf_counter()
    size = write_csv(csv_path, n_rows)
    print(f"CSV: {n_rows:,} ROI rows, {size / 1e6:.1f} MB, written in "
          f"{time.perf_counter() - start:.1f} s; database: {db_path}")
    peer = _run_child(root, "read_csv", csv_path, db_path)
    print(f"pandas.read_csv (peer): {peer['seconds']:.1f} s, peak {peer['peak_mb']:.0f} MB")
    try:
        imp = _run_child(root, "import", csv_path, db_path)
    except subprocess.CalledProcessError as exc:
        print(f"import refused or failed: {exc.stderr.strip().splitlines()[-1]}")
        return False
    print(f"import_csv: {imp['seconds']:.1f} s, peak {imp['peak_mb']:.0f} MB "
          f"({imp['seconds'] / peer['seconds']:.1f}x the time of read_csv); {imp['summary']}")
    return True


if __name__ == "__main__":
    main()
