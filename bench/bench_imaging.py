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

Second table (issue 19, the worklist), ``--worklist`` runs it alone:
- the chosen series of one study decoded by ``WorklistStudy.load`` (a compressed series' files
  in parallel worker processes, kept between loads, timed once they run; ``workers=1``: one
  after another) against plain pydicom's serial decode of the same files (``dcmread`` +
  ``pixel_array``, one after another, pydicom's default plugin order: GDCM first for JPEG
  2000), for a 20-slice (``--slices``) 512 x 512 SYNTHETIC phantom series in lossy JPEG 2000
  (as the real lumbar studies of issue 19, which are not in the repository) and uncompressed;
  target: at most 0.75x on a 2-core machine. A second peer, pydicom told to decode with
  pylibjpeg (the plugin the loader prefers for JPEG 2000), shows what the worker processes
  add beyond the plugin;
- ``read_worklist`` of a folder of 50 SYNTHETIC studies (sagittal T1 and T2, 256 x 256) from
  headers alone, against ``load_study`` decoding every file of them.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from _timing import median_time
from pydicom.pixels import apply_modality_lut, pixel_array
from pydicom.uid import JPEG2000

from vbq import phantom
from vbq.imaging import _parallel, load_series, load_study, read_worklist, roi_stats


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


def _compressed_study(folder: Path, n_slices: int = 20) -> Path:
    """A `n_slices`-slice 512 x 512 phantom series in lossy JPEG 2000 (compression ratio 20),
    written into `folder`/J2K."""
    datasets, _ = phantom.make_series(seed=0, n_slices=n_slices, shape=(512, 512),
                                      pixel_spacing=(0.5, 0.5))
    for ds in datasets:
        ds.compress(JPEG2000, j2k_cr=[20])
        ds.LossyImageCompression = "01"
    phantom.write_series(datasets, folder / "J2K")
    return folder / "J2K"


def worklist_main(repeats: int = 15, n_slices: int = 20) -> None:
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        j2k = _compressed_study(tmp_path, n_slices)
        plain = tmp_path / "plain"
        phantom.write_series(phantom.make_series(seed=0, n_slices=n_slices, shape=(512, 512),
                                                 pixel_spacing=(0.5, 0.5))[0], plain)
        workers = _parallel._check_workers(None, 1)
        # the pool starts in the background on first use (until then a load decodes in this
        # process): wait for its workers, so the rows time the pool a worklist keeps
        _parallel._ready_pool(workers, wait=True)
        for name, folder in (("lossy JPEG 2000", j2k), ("uncompressed", plain)):
            paths = sorted(str(p) for p in folder.iterdir())
            study = read_worklist(folder)[0]

            def serial(paths=paths):
                return [pydicom.dcmread(p).pixel_array for p in paths]

            t_ours, t_ref = paired_times(study.load, serial, repeats)
            t_one, t_ref1 = paired_times(lambda study=study: study.load(workers=1), serial,
                                         repeats)
            rows.append((f"WorklistStudy.load, {name}, parallel", t_ours,
                         "serial dcmread + pixel_array", t_ref))
            rows.append((f"WorklistStudy.load, {name}, workers=1", t_one,
                         "serial dcmread + pixel_array", t_ref1))
            if name == "lossy JPEG 2000":
                # the second peer: plain pydicom told to use the plugin the loader prefers
                # (pylibjpeg; pydicom's default order tries GDCM first): what of the gain is
                # the plugin, what the worker processes
                def serial_openjpeg(paths=paths):
                    return [pixel_array(pydicom.dcmread(p), decoding_plugin="pylibjpeg")
                            for p in paths]

                t_par, t_oj = paired_times(study.load, serial_openjpeg, repeats)
                rows.append((f"WorklistStudy.load, {name}, parallel", t_par,
                             "same, decoding_plugin='pylibjpeg'", t_oj))
        cohort = tmp_path / "cohort"
        archive, _ = phantom.cohort_zip(50, series=("sag_t1", "sag_t2"))
        with zipfile.ZipFile(io.BytesIO(archive)) as zf:
            zf.extractall(cohort)
        n_files = sum(len(f) for _, _, f in os.walk(cohort))
        t_wl, t_all = paired_times(lambda: read_worklist(cohort), lambda: load_study(cohort), 3)
        rows.append((f"read_worklist, 50 studies ({n_files} files)", t_wl,
                     "load_study (every file decoded)", t_all))
    header = f"{'what':<48}{'ours s':>9}  {'reference':<34}{'ref s':>9}{'ratio':>8}"
    print(f"Worklist (issue 19), {n_slices} slices of 512 x 512; {os.cpu_count()} processors, "
          f"{len(os.sched_getaffinity(0))} usable by this process, {workers} worker processes; "
          f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after; medians "
          f"of {repeats} alternating repeats; target: chosen series <= 0.75x of plain "
          "pydicom's serial decode")
    print(header)
    print("-" * len(header))
    for name, ours, ref_name, ref in rows:
        print(f"{name:<48}{ours:>9.4f}  {ref_name:<34}{ref:>9.4f}{ours / ref:>8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worklist", action="store_true", help="the worklist table only")
    parser.add_argument("--repeats", type=int, default=15,
                        help="alternating repeats of the worklist rows (default 15)")
    parser.add_argument("--slices", type=int, default=20,
                        help="slices of the worklist's series (default 20)")
    args = parser.parse_args()
    if not args.worklist:
        main()
    worklist_main(args.repeats, args.slices)
