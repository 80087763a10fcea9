"""Pixels stay in the smallest type that holds them exactly (issue 18): uint8, uint16 or int16
when the modality LUT is a slope of 1 and an integer intercept, float32 otherwise; ROI
statistics and the VBQ are the same to the bit as on the float32 path."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from vbq import phantom
from vbq.imaging import load_series, load_study, measure_vbq, roi_stats
from vbq.imaging._series import _rescale_into

from .test_bombs import zipped_8bit


@pytest.fixture(scope="module")
def datasets():
    return phantom.make_series(seed=0)[0]


def _rescaled(datasets, slope, intercept):
    out = [copy.deepcopy(d) for d in datasets]
    for d in out:
        d.RescaleSlope, d.RescaleIntercept = slope, intercept
    return out


def _float_path(datasets) -> np.ndarray:
    """The float32 series the loader built before (slope * stored + intercept, float32)."""
    out = np.empty((len(datasets), *datasets[0].pixel_array.shape), dtype=np.float32)
    for k, d in enumerate(datasets):
        _rescale_into(out[k], d.pixel_array, float(d.RescaleSlope), float(d.RescaleIntercept))
    return out


@pytest.mark.parametrize("slope, intercept, dtype", [
    (1, 0, np.uint16), (1, -40, np.uint16), (1, -1024, np.int16), (0.75, -40, np.float32),
    (1, 0.5, np.float32)])
def test_the_phantom_keeps_the_smallest_exact_type(datasets, slope, intercept, dtype):
    ds = _rescaled(datasets, slope, intercept)
    s = load_series(phantom.series_bytes(ds))
    assert s.pixels.dtype == dtype and not s.pixels.flags.writeable
    expected = _float_path(ds)
    # the same values (mid-sagittal slice first: the sort may reorder the files)
    assert np.array_equal(np.sort(s.pixels.astype(np.float32), axis=None),
                          np.sort(expected, axis=None))


def test_vbq_is_the_same_to_the_bit_as_on_float32(datasets):
    ds = _rescaled(datasets, 1, -40)
    s = load_series(phantom.series_bytes(ds))
    truth = phantom.make_series(seed=0)[1]
    as_float = s.pixels.astype(np.float32)  # the float32 path's array, value for value
    assert s.pixels.dtype == np.uint16
    for source in (s.pixels, as_float):
        rois = {lv: roi_stats(source[truth.mid_slice], s.spacing_mm, truth.centres[lv],
                              truth.roi_radius_mm[lv]) for lv in ("L1", "L2", "L3", "L4", "CSF")}
        got = measure_vbq(rois)
        if source is s.pixels:
            first, first_rois = got, rois
    assert got.vbq == first.vbq and np.isfinite(got.vbq)
    for lv in rois:  # every statistic, bit for bit
        assert rois[lv].to_dict() == first_rois[lv].to_dict()


def test_memory_saved(datasets):
    """The phantom with slope 1: uint16, half of float32; an 8-bit multi-frame image: uint8, a
    quarter (printed with -s for the record)."""
    s16 = load_series(phantom.series_bytes(_rescaled(datasets, 1, -40)))
    f32 = load_series(phantom.series_bytes(_rescaled(datasets, 0.75, -40)))
    assert s16.pixels.nbytes * 2 == f32.pixels.nbytes
    frames = load_study([zipped_8bit(8, intercept=0)])[0]
    assert frames.pixels.dtype == np.uint8
    assert frames.pixels.nbytes == 8 * 1024 * 1024  # 32 MiB as float32
    print(f"phantom {f32.pixels.nbytes} -> {s16.pixels.nbytes} bytes; 8-bit multi-frame "
          f"{frames.pixels.nbytes * 4} -> {frames.pixels.nbytes} bytes")
