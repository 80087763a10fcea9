"""DICOM series in, de-identified pixel arrays out; circular ROI statistics; VBQ from ROIs.

Array in, array out, in the order the DICOM standard fixes: stored values -> modality LUT
(Rescale Slope/Intercept, PS3.3 C.11.1) -> statistics; windowing (PS3.3 C.11.2) is for display
only. Identifiers never leave this package: a `Series` holds the pixel data and the technical
attributes a user picks a series by, nothing from the DICOM basic confidentiality profile
(PS3.15 Annex E) except a cleaned Series Description and a keyed one-way series fingerprint.

Public names:

* `load_study(sources)` -> `Study`: every series found in files, bytes, file-like objects or zips,
  grouped by patient and series, with the per-file problems.
* `load_series(sources, *, series=None)` -> `Series`: one sorted, de-identified series; by
  default the sagittal T1-weighted one (spin echo first, then T1 FLAIR).
* `roi_stats(pixels, spacing_mm, centre, radius_mm)` -> `RoiStats`: mean, median, SD and pixel
  count of a circular ROI.
* `measure_vbq(rois, *, collapsed=(), csf_level="L3")` -> `MeasuredVBQ`: the VBQ from five ROIs
  through `vbq.compute_vbq`, the function the cohort analysis uses.
* `read_worklist(sources)` -> `Worklist`: many studies at once (a zip or a folder of several
  patients' studies), read from headers alone; each `WorklistStudy` lists its series
  (`SeriesInfo`), the one chosen, its study ID (typed, or its folder's name when that passes
  `study_id_problem`'s rule; never a DICOM identifier), and decodes a series with
  `WorklistStudy.load`, its files in parallel.
* `suggest_rois(series, *, slice_index=None, anchor=None)` -> `SuggestedRois`: L1-L4 and CSF
  ROIs suggested by classical image analysis, for a reader to accept or move (never a
  measurement until a reader has).
* `window_image(image, center, width)`, `default_window(series_or_image)`: display only.
* `BASIC_PROFILE`: the attributes of the basic confidentiality profile this package drops.

The private modules, in reading order: `_sources` (files, folders, zips, limits), `_count`
(series counted from the files' first bytes, refused past a limit), `_elements`
(raw attribute access), `_read` (one file with pydicom), `_deid` (the profile, the cleaned
description, the keyed fingerprint), `_sequence` (weighting, flags, the default choice),
`_label` (the name a series is shown by, built from the acquisition, never the description),
`_series` (sorting, the modality LUT, `Series`, `Study`, the loaders), `_worklist` (many
studies from headers, parallel decoding), `_roi` (ROI statistics, VBQ), `_suggest` (suggested
ROIs), `_window` (display windows). The synthetic phantom is the public module `vbq.phantom`.
"""

from ._deid import BASIC_PROFILE
from ._folders import study_id_problem
from ._read import _native_view
from ._roi import MeasuredVBQ, RoiOutsideImageError, RoiStats, measure_vbq, roi_stats
from ._sequence import T1_TE_MS, T1_TR_MS, Flag
from ._series import Series, Study, _rescale_into, load_series, load_study
from ._sources import MAX_BYTES, MAX_FILES, FileProblem
from ._suggest import SuggestedRois, suggest_rois
from ._window import Window, default_window, window_image
from ._worklist import SeriesInfo, Worklist, WorklistStudy, read_worklist

__all__ = [
    "Series",
    "Study",
    "FileProblem",
    "Flag",
    "RoiStats",
    "MeasuredVBQ",
    "SuggestedRois",
    "Window",
    "RoiOutsideImageError",
    "load_study",
    "load_series",
    "read_worklist",
    "Worklist",
    "WorklistStudy",
    "SeriesInfo",
    "study_id_problem",
    "roi_stats",
    "measure_vbq",
    "suggest_rois",
    "window_image",
    "default_window",
    "BASIC_PROFILE",
    "MAX_FILES",
    "MAX_BYTES",
    "T1_TR_MS",
    "T1_TE_MS",
]

# the loader tests compare these two private kernels with pydicom directly
_PRIVATE_FOR_TESTS = (_native_view, _rescale_into)
