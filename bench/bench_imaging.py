"""Benchmark of vbq.imaging against plain pydicom. Plain script; prints one table.

Run from the repository root: ``.venv/bin/python bench/bench_imaging.py``.

Rows (a SYNTHETIC 20-slice 512 x 512 phantom series written to a temporary folder):
- ``load_series`` + five ``roi_stats`` (L1-L4, CSF) against ``pydicom.dcmread`` + ``pixel_array``
  of the same files, which sorts nothing, applies no modality LUT and de-identifies nothing;
- the same from one zip in memory (the upload path);
- one ``roi_stats`` update (what a click or a radius change costs).

Times are medians of several repeats after one warm-up; ratio = ours / reference.
Targets (issue 11): load + five ROIs under 1 s and within 1.5x of the reference; one ROI update
under 20 ms.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom

from vbq import phantom
from vbq.imaging import load_series, roi_stats


def median_time(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    datasets, truth = phantom.make_series(seed=0, n_slices=20, shape=(512, 512),
                                          pixel_spacing=(0.5, 0.5))
    mid = truth.mid_slice
    names = ("L1", "L2", "L3", "L4", "CSF")
    with tempfile.TemporaryDirectory() as folder:
        paths = phantom.write_series(datasets, Path(folder))
        archive = phantom.series_zip(datasets)

        def ours_files():
            s = load_series(paths)
            return [roi_stats(s.pixels[mid], s.spacing_mm, truth.centres[n],
                              truth.roi_radius_mm[n]) for n in names]

        def ours_zip():
            s = load_series(archive)
            return [roi_stats(s.pixels[mid], s.spacing_mm, truth.centres[n],
                              truth.roi_radius_mm[n]) for n in names]

        def reference():
            return [pydicom.dcmread(p).pixel_array for p in paths]

        t_ref = median_time(reference, 7)
        t_files = median_time(ours_files, 7)
        t_zip = median_time(ours_zip, 7)
        image = load_series(paths).pixels[mid]
        t_roi = median_time(lambda: roi_stats(image, (0.5, 0.5), truth.centres["L3"], 8.0), 200)

    rows = [
        ("load_series(20 files) + 5 roi_stats", t_files, "dcmread + pixel_array", t_ref),
        ("load_series(zip in memory) + 5 roi_stats", t_zip, "dcmread + pixel_array", t_ref),
        ("one roi_stats update (8 mm, 512 x 512)", t_roi, "", float("nan")),
    ]
    header = f"{'what':<44}{'ours s':>10}  {'reference':<24}{'ref s':>9}{'ratio':>8}"
    print("20 slices of 512 x 512 (SYNTHETIC phantom); targets: < 1 s and ratio <= 1.5; "
          "ROI update < 0.020 s")
    print(header)
    print("-" * len(header))
    for name, ours, ref_name, ref in rows:
        cell = f"{ref:>9.4f}{ours / ref:>8.2f}" if ref == ref else f"{'':>9}{'':>8}"
        print(f"{name:<44}{ours:>10.4f}  {ref_name:<24}{cell}")


if __name__ == "__main__":
    main()
