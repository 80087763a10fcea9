"""Benchmark: AppTest time of one rerun after a slider change on each page, on the demo data,
against a minimal script (one slider, one table, one plotly chart of 235 points) timed in the same
run. Median of repeated reruns; the slider alternates between two values, so after the first two
reruns the cached `vbq` results are reused, as they are for a user moving a slider back and forth.
The first (uncached) rerun is printed too, and the first two reruns (which compute the tables
for the slider's two values) are left out of the median.

The MRI measurement page is timed on what a click does: the active ROI's centre moves and the
page reruns (statistics of the five ROIs, VBQ, the windowed slice with its circles redrawn),
through the centre-row input, which takes the same path as a click (AppTest cannot click; the
browser round trip is in bench/bench_measure_browser.py). Twice: on the phantom (11 slices of
256 x 256) and on an uploaded 20-slice 512 x 512 series. The database is a temporary SQLite file.

With ``--patients N`` the five analysis pages are timed instead on a cohort of N patients (the
demo's rows resampled under new IDs, `bench_study.scaled`), put into the session as an upload
is (`ui.state.uploaded_dataset` of tables read by `vbq.io`); the first run is then the one with a
cold cache (the page prepares the cohort and computes its tables), and the MRI page is skipped.

Run: .venv/bin/python bench/bench_app.py [--patients N]
Target (issue 4): every page under 300 ms per rerun; issue 11: a rerun after a click under 300 ms.
Target (issue 10): at 100,000 patients, no page over 2 s per rerun.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 12

BASELINE = '''
import numpy as np, pandas as pd, plotly.express as px, streamlit as st
rng = np.random.default_rng(0)
df = pd.DataFrame({"x": rng.normal(2.8, 0.5, 235), "y": rng.normal(-1, 1.2, 235)})
k = st.slider("shift", 0.0, 1.0, 0.0, key="s")
st.dataframe(df.assign(y=df.y + k).describe())
st.plotly_chart(px.scatter(df.assign(y=df.y + k), x="x", y="y"))
'''

# page -> (widget kind, key, value a, value b, setup)
CASES = {
    "app_pages/data.py": ("slider", "sb_age", (40, 100), (50, 100), None),
    "app_pages/groups.py": ("slider", "groups_min_vertebrae", 3, 2, None),
    "app_pages/correlations.py": ("slider", "sb_age", (40, 100), (50, 100), None),
    "app_pages/roc.py": ("slider", "roc_prevalence", 20, 30, None),
    "app_pages/thresholds.py": ("slider", "thr_osteoporosis", 2.9, 3.1, ("radio", "thr_mode", "manual")),
}


def _reruns(at: AppTest, kind: str, key: str, a, b) -> tuple[float, float]:
    times = []
    for i in range(REPEAT):
        widget = getattr(at, kind)(key=key)
        t0 = time.perf_counter()
        widget.set_value(b if i % 2 == 0 else a).run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(at.exception[0].value)
    return times[0], statistics.median(times[2:])


def _scaled_dataset(n: int):
    """`n` patients as an uploaded dataset: the scaled demo written to CSV and read back by
    `vbq.io`, as the Data page reads an upload."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(ROOT))
    from bench_study import scaled

    import vbq
    from ui.state import uploaded_dataset

    cohort, dxa = scaled(*vbq.demo.load(), n)
    files = (("cohort.csv", cohort.to_csv(index=False).encode()),
             ("dxa.csv", dxa.to_csv(index=False).encode()))
    c, _ = vbq.io.load_cohort(files[0][1], name=files[0][0])
    d, _ = vbq.io.load_dxa(files[1][1], name=files[1][0])
    return uploaded_dataset(c, d, cohort_file="cohort.csv", dxa_file="dxa.csv", files=files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=0,
                        help="time the analysis pages on a scaled cohort of N patients")
    args = parser.parse_args()
    dataset = _scaled_dataset(args.patients) if args.patients else None
    base = AppTest.from_string(BASELINE, default_timeout=120)
    base.run()
    first, base_median = _reruns(base, "slider", "s", 0.0, 0.5)
    if dataset is not None:
        print(f"cohort of {dataset.n_cohort:,} patients (uploaded). cold: switching to the page "
              "with an empty cache; changed: the first rerun after the slider moves (its tables "
              "computed); median: reruns moving it back and forth (cached)")
        print(f"{'page':<24} {'cold (s)':>10} {'changed (s)':>13} {'median (s)':>11} "
              f"{'ratio to baseline':>18}")
        print(f"{'baseline script':<24} {'':>10} {first:>13.3f} {base_median:>11.3f} "
              f"{1.0:>18.1f}")
    else:
        print(f"{'page':<24} {'first (s)':>10} {'median (s)':>11} {'ratio to baseline':>18}")
        print(f"{'baseline script':<24} {first:>10.3f} {base_median:>11.3f} {1.0:>18.1f}")
    for page, (kind, key, a, b, setup) in CASES.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        if dataset is not None:
            from ui.state import DATASET_KEY

            at.session_state[DATASET_KEY] = dataset
            at.run()
            st.cache_data.clear()  # cold: the page prepares the cohort and computes its tables
            t0 = time.perf_counter()
            at.switch_page(page).run()
            cold = time.perf_counter() - t0
        else:
            at.run()
            at.switch_page(page).run()
        if at.exception:
            raise RuntimeError(at.exception[0].value)
        if setup:
            getattr(at, setup[0])(key=setup[1]).set_value(setup[2]).run()
        first, median = _reruns(at, kind, key, a, b)
        if dataset is not None:
            print(f"{page:<24} {cold:>10.3f} {first:>13.3f} {median:>11.3f} "
                  f"{median / base_median:>18.1f}")
            continue
        print(f"{page:<24} {first:>10.3f} {median:>11.3f} {median / base_median:>18.1f}")
    if dataset is not None:
        print("target: every page under 2 s per rerun at this size")
        return
    for label, shape, n_slices in (("measure (phantom 256)", (256, 256), 11),
                                   ("measure (upload 512)", (512, 512), 20)):
        at, key = _measure_page(shape, n_slices)
        first, median = _reruns(at, "number_input", key, 100.0, 101.0)
        print(f"{label:<24} {first:>10.3f} {median:>11.3f} {median / base_median:>18.1f}")
    print("target: every page under 0.300 s per rerun")


def _measure_page(shape: tuple[int, int], n_slices: int) -> tuple[AppTest, str]:
    """The MRI page with its five ROIs placed; returns it and the L1 centre-row input's key."""
    import vbq
    from ui import measure

    os.environ[measure.URL_ENV] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    datasets, truth = vbq.phantom.make_series(seed=0, shape=shape, n_slices=n_slices)
    series = vbq.imaging.load_series(vbq.phantom.series_bytes(datasets))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("app_pages/measure.py").run()
    if shape != (256, 256):
        at.radio(key="measure_source").set_value("Upload DICOM").run()
        uploader = at.file_uploader(key="measure_upload")
        for i, data in enumerate(vbq.phantom.series_bytes(datasets)):
            uploader.upload(f"IM{i:04d}.dcm", data)
        at.run()
    at.session_state[measure.ROIS_KEY] = {series.fingerprint: {
        lv: measure.Roi(truth.mid_slice, float(truth.centres[lv][0]),
                        float(truth.centres[lv][1]), float(truth.roi_radius_mm[lv]))
        for lv in ("L1", "L2", "L3", "L4", "CSF")}}
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return at, f"measure_row_L1_{series.fingerprint[:12]}"


if __name__ == "__main__":
    main()
