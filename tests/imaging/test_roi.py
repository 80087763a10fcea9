"""Tests of vbq.imaging's measuring functions: roi_stats, measure_vbq, window_image, default_window.

Oracles: a slow per-pixel loop for roi_stats (below), `vbq.prepare_cohort` on the demo cohort for
measure_vbq (the spreadsheet path), and pydicom's `apply_windowing` for window_image.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom.dataset import Dataset
from pydicom.pixels import apply_windowing

import vbq
from vbq.errors import InputError
from vbq.imaging import (
    RoiOutsideImageError,
    RoiStats,
    default_window,
    measure_vbq,
    roi_stats,
    window_image,
)


def loop_roi(pixels, spacing, centre, radius):
    """The obvious re-implementation: visit every pixel of the image."""
    values = []
    for i in range(pixels.shape[0]):
        for j in range(pixels.shape[1]):
            if ((i - centre[0]) * spacing[0]) ** 2 + ((j - centre[1]) * spacing[1]) ** 2 \
                    <= radius ** 2:
                values.append(float(pixels[i, j]))
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
    s = sorted(values)
    median = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return mean, median, sd, n


def test_roi_matches_the_pixel_loop_on_random_data():
    rng = np.random.default_rng(11)
    for _ in range(60):
        rows, cols = rng.integers(50, 80, 2)
        pixels = rng.normal(500, 80, (rows, cols))
        spacing = tuple(rng.choice([0.3125, 0.5, 0.7, 1.0, 1.3], 2))
        radius = float(rng.uniform(0.4, 6.0))
        margin_r, margin_c = radius / spacing[0] + 1, radius / spacing[1] + 1
        centre = (float(rng.uniform(margin_r, rows - 1 - margin_r)),
                  float(rng.uniform(margin_c, cols - 1 - margin_c)))
        if rng.random() < 0.3:
            centre = (round(centre[0]), round(centre[1]))  # integer centres: ties on the circle
        try:
            ours = roi_stats(pixels, spacing, centre, radius)
        except InputError:
            assert loop_roi_count(pixels.shape, spacing, centre, radius) == 0
            continue
        mean, median, sd, n = loop_roi(pixels, spacing, centre, radius)
        assert ours.n_pixels == n
        assert ours.mean == pytest.approx(mean, rel=1e-12)
        assert ours.median == pytest.approx(median, rel=1e-12)
        assert ours.sd == pytest.approx(sd, rel=1e-9, abs=1e-12)
        assert ours.area_mm2 == pytest.approx(n * spacing[0] * spacing[1])


def loop_roi_count(shape, spacing, centre, radius):
    return sum(((i - centre[0]) * spacing[0]) ** 2 + ((j - centre[1]) * spacing[1]) ** 2
               <= radius ** 2 for i in range(shape[0]) for j in range(shape[1]))


@settings(max_examples=60, deadline=None)
@given(r=st.floats(2, 17), c=st.floats(2, 17), radius=st.floats(0.5, 3.0),
       dr=st.sampled_from([0.5, 1.0, 1.5]), dc=st.sampled_from([0.5, 1.0, 1.5]))
def test_roi_count_matches_the_loop_property(r, c, radius, dr, dc):
    pixels = np.arange(400.0).reshape(20, 20)
    n = loop_roi_count(pixels.shape, (dr, dc), (r, c), radius)
    inside_image = all(0 <= i < 20 and 0 <= j < 20 for i in range(-10, 30) for j in range(-10, 30)
                       if ((i - r) * dr) ** 2 + ((j - c) * dc) ** 2 <= radius ** 2)
    if n == 0 and inside_image:
        with pytest.raises(InputError, match="no pixel centre"):
            roi_stats(pixels, (dr, dc), (r, c), radius)
    elif not inside_image:
        with pytest.raises(RoiOutsideImageError):
            roi_stats(pixels, (dr, dc), (r, c), radius)
    else:
        assert roi_stats(pixels, (dr, dc), (r, c), radius).n_pixels == n


def test_anisotropic_spacing_gives_an_ellipse_in_pixels():
    pixels = np.zeros((41, 41))
    # 5 mm radius at 0.5 mm rows x 1 mm columns: 10 pixels up and down, 5 left and right
    r = roi_stats(pixels, (0.5, 1.0), (20, 20), 5.0)
    assert r.n_pixels == loop_roi_count(pixels.shape, (0.5, 1.0), (20, 20), 5.0)
    mask_rows = [i for i in range(41) if ((i - 20) * 0.5) ** 2 <= 25]
    assert (min(mask_rows), max(mask_rows)) == (10, 30)
    assert r.area_mm2 == pytest.approx(r.n_pixels * 0.5)
    assert r.area_mm2 == pytest.approx(math.pi * 25, rel=0.05)
    assert r.centre_mm == (10.0, 20.0) and r.to_dict()["centre_row_mm"] == 10.0


def test_small_worked_example():
    # 3 x 3 plus-shaped ROI of radius 1 pixel around (5, 5) on 10 x row + column
    img = np.arange(100.0).reshape(10, 10)
    r = roi_stats(img, (1.0, 1.0), (5, 5), 1.0)
    assert r.n_pixels == 5
    assert (r.mean, r.median, r.min, r.max) == (55.0, 55.0, 45.0, 65.0)
    # values 45, 54, 55, 56, 65: SD (n-1) = sqrt((100+1+0+1+100)/4)
    assert r.sd == pytest.approx(math.sqrt(202 / 4))
    one = roi_stats(img, (1.0, 1.0), (2, 3), 0.5)
    assert (one.n_pixels, one.mean, one.sd) == (1, 23.0, 0.0)


def test_roi_leaving_the_image_is_an_error_never_a_clip():
    img = np.ones((20, 20))
    with pytest.raises(RoiOutsideImageError, match="leaves the 20 x 20 image"):
        roi_stats(img, (1.0, 1.0), (2, 10), 3.0)
    with pytest.raises(RoiOutsideImageError):
        roi_stats(img, (1.0, 1.0), (10, 19.5), 1.0)
    with pytest.raises(RoiOutsideImageError):
        roi_stats(img, (1.0, 1.0), (-5, -5), 1.0)
    # touching the border pixel centres is inside
    assert roi_stats(img, (1.0, 1.0), (3, 10), 3.0).n_pixels == loop_roi_count(
        img.shape, (1, 1), (3, 10), 3.0)
    assert issubclass(RoiOutsideImageError, ValueError)


@pytest.mark.parametrize("kwargs, match", [
    ({"pixels": np.ones((3, 4, 5))}, "2-D"),
    ({"spacing_mm": (0.0, 1.0)}, "spacing_mm"),
    ({"spacing_mm": (1.0,)}, "spacing_mm"),
    ({"centre": (float("nan"), 3.0)}, "centre"),
    ({"radius_mm": -1.0}, "radius_mm"),
    ({"radius_mm": float("inf")}, "radius_mm"),
    ({"radius_mm": 0.1, "centre": (5.5, 5.5)}, "no pixel centre"),
])
def test_bad_parameters_are_named(kwargs, match):
    args = {"pixels": np.ones((12, 12)), "spacing_mm": (1.0, 1.0), "centre": (6.0, 6.0),
            "radius_mm": 2.0, **kwargs}
    with pytest.raises(InputError, match=match):
        roi_stats(**args)


def test_non_finite_pixels_inside_are_an_error():
    img = np.ones((12, 12))
    img[6, 6] = np.nan
    with pytest.raises(InputError, match="non-finite"):
        roi_stats(img, (1, 1), (6, 6), 2)
    assert roi_stats(img, (1, 1), (2, 2), 1).mean == 1.0  # NaN elsewhere is not read


def test_measure_vbq_reproduces_the_spreadsheet_path_on_the_demo():
    cohort, dxa = vbq.demo.load()
    table = vbq.prepare_cohort(cohort, dxa).table
    checked = 0
    for _, row in table.head(40).iterrows():
        rois = {lv: row[f"si_{lv.lower()}"] for lv in ("L1", "L2", "L3", "L4")}
        rois["CSF"] = row["si_csf"]
        collapsed = [lv for lv in ("L1", "L2", "L3", "L4") if bool(row[f"collapsed_{lv.lower()}"])]
        m = measure_vbq(rois, collapsed=collapsed)
        if np.isnan(row["vbq"]):
            assert np.isnan(m.vbq) and m.message
        else:
            assert m.vbq == row["vbq"]  # the same function, so bit-identical
            checked += 1
    assert checked > 30


def test_measure_vbq_from_roi_stats_and_the_cohort_row():
    img = np.full((40, 40), 300.0)
    rois = {lv: roi_stats(img + 10 * k, (1, 1), (20, 20), 4) for k, lv in
            enumerate(("L1", "L2", "L3", "L4"))}
    rois["CSF"] = roi_stats(np.full((40, 40), 100.0), (1, 1), (20, 20), 3)
    m = measure_vbq(rois, collapsed=["L4"], csf_level="L2")
    assert m.vbq == pytest.approx(310 / 100)  # median of 300, 310, 320
    assert m.n_levels == 3 and m.collapsed == ("L4",)
    row = m.cohort_row()
    assert row["si_l4"] == 330.0 and row["collapsed_l4"] and not row["collapsed_l1"]
    assert row["csf_level"] == "L2" and row["si_csf"] == 100.0
    assert set(row) <= {c.name for c in vbq.schema.COHORT_COLUMNS}  # the cohort's own columns


def test_csf_of_zero_gives_a_message_not_infinity():
    m = measure_vbq({"L1": 300.0, "L2": 310.0, "L3": 320.0, "L4": 330.0, "CSF": 0.0})
    assert np.isnan(m.vbq) and "CSF SI must be > 0" in m.message
    m = measure_vbq({"L1": 300.0, "L2": 310.0, "L3": 320.0, "L4": 330.0})
    assert np.isnan(m.vbq) and "no CSF ROI" in m.message
    m = measure_vbq({"L1": 300.0, "L2": 310.0, "CSF": 100.0})
    assert np.isnan(m.vbq) and "only 2 evaluable" in m.message


def test_measure_vbq_rejects_unknown_names():
    with pytest.raises(InputError, match="rois"):
        measure_vbq({"L6": 1.0})
    with pytest.raises(InputError, match="collapsed"):
        measure_vbq({"L1": 1.0}, collapsed=["S1"])
    with pytest.raises(InputError, match="csf_level"):
        measure_vbq({"L1": 1.0}, csf_level="C2")


@pytest.mark.parametrize("center, width", [(40.0, 400.0), (550.0, 1100.0), (0.5, 2.0),
                                           (100.0, 1.0), (-20.0, 37.5)])
def test_window_matches_pydicom_apply_windowing(center, width):
    x = np.linspace(-600, 1600, 4001)
    ds = Dataset()
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsStored, ds.PixelRepresentation = 8, 0  # output range 0-255
    ds.WindowCenter, ds.WindowWidth = center, width
    ref = apply_windowing(x.copy(), ds)
    ours = window_image(x, center, width)
    assert ours.dtype == np.uint8
    assert np.max(np.abs(ours.astype(float) - np.rint(ref))) <= 1  # rounding at .5 only
    assert np.mean(ours.astype(float) == np.rint(ref)) > 0.99


def test_window_rejects_a_width_below_one():
    with pytest.raises(InputError, match="width"):
        window_image(np.zeros((2, 2)), 0, 0.5)


def test_default_window_from_file_or_percentiles():
    from vbq.imaging import load_series
    from vbq.phantom import make_series, series_bytes

    s = load_series(series_bytes(make_series(seed=0)[0]))
    assert default_window(s) == (550.0, 1100.0, "file")
    img = np.arange(10001.0).reshape(1, 10001)
    w = default_window(img, percentiles=(1, 99))
    assert (w.center, w.width, w.source) == (5000.0, 9800.0, "percentile")
    flat = default_window(np.full((5, 5), 7.0))
    assert flat.width == 1.0 and flat.center == 7.0
    with pytest.raises(InputError, match="percentiles"):
        default_window(img, percentiles=(50, 10))


def test_results_are_frozen():
    r = roi_stats(np.ones((9, 9)), (1, 1), (4, 4), 2)
    assert isinstance(r, RoiStats)
    with pytest.raises(AttributeError):
        r.mean = 3.0  # type: ignore[misc]
