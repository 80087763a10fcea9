"""Benchmark of vbq.imaging against plain pydicom. Plain script; prints one table.

Run from the repository root: ``.venv/bin/python bench/bench_imaging.py``.

Rows (a SYNTHETIC 20-slice 512 x 512 phantom series written to a temporary folder):
- ``load_series`` + five ``roi_stats`` (L1-L4, CSF) against ``pydicom.dcmread`` + ``pixel_array``
  of the same files, which sorts nothing, applies no modality LUT and de-identifies nothing;
- the same against the plain-pydicom way to the same array (``apply_modality_lut`` per file and
  ``np.stack``; still without sorting or de-identification);
- the same from one zip in memory (the upload path), against unzipping + the same pydicom calls;
- one ``roi_stats`` update (what a click or a radius change costs).

Times are medians of 15 repeats after one warm-up, ours and the reference timed alternately
(the machines are shared); ratio = ours / reference.
Targets (issue 11): load + five ROIs under 1 s and within 1.5x of the reference; one ROI update
under 20 ms.
"""

from __future__ import annotations

import io
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from _timing import median_time
from pydicom.pixels import apply_modality_lut

from vbq import phantom
from vbq.imaging import load_series, roi_stats


def paired_times(ours: Callable[[], object], ref: Callable[[], object],
                 repeats: int) -> tuple[float, float]:
    """Medians of `ours` and `ref` timed alternately, so load on a shared machine hits both."""
    ours(), ref()  # warm-up
    t_ours, t_ref = [], []
    for _ in range(repeats):
        for fn, times in ((ours, t_ours), (ref, t_ref)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return float(np.median(t_ours)), float(np.median(t_ref))


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

        def reference_lut():
            out = []
            for p in paths:
                ds = pydicom.dcmread(p)
                out.append(apply_modality_lut(ds.pixel_array, ds))
            return np.stack(out)

        def reference_zip():
            with zipfile.ZipFile(io.BytesIO(archive)) as zf:
                return [pydicom.dcmread(io.BytesIO(zf.read(i))).pixel_array
                        for i in zf.infolist()]

        t_files, t_ref = paired_times(ours_files, reference, 15)
        t_zip, t_ref_zip = paired_times(ours_zip, reference_zip, 15)
        t_files2, t_ref_lut = paired_times(ours_files, reference_lut, 15)
        image = load_series(paths).pixels[mid]
        t_roi = median_time(lambda: roi_stats(image, (0.5, 0.5), truth.centres["L3"], 8.0), 200)

    rows = [
        ("load_series(20 files) + 5 roi_stats", t_files, "dcmread + pixel_array", t_ref),
        ("load_series(20 files) + 5 roi_stats", t_files2, "same + modality LUT + np.stack",
         t_ref_lut),
        ("load_series(zip in memory) + 5 roi_stats", t_zip, "unzip + dcmread + pixel_array",
         t_ref_zip),
        ("one roi_stats update (8 mm, 512 x 512)", t_roi, "", float("nan")),
    ]
    header = f"{'what':<44}{'ours s':>10}  {'reference':<32}{'ref s':>9}{'ratio':>8}"
    print("20 slices of 512 x 512 (SYNTHETIC phantom); targets: < 1 s and ratio <= 1.5; "
          "ROI update < 0.020 s")
    print(header)
    print("-" * len(header))
    for name, ours, ref_name, ref in rows:
        cell = f"{ref:>9.4f}{ours / ref:>8.2f}" if ref == ref else f"{'':>9}{'':>8}"
        print(f"{name:<44}{ours:>10.4f}  {ref_name:<32}{cell}")


if __name__ == "__main__":
    main()
