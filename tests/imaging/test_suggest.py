"""Tests of vbq.imaging.suggest_rois: the issue's targets on phantoms held out while it was
developed (vbq.phantom._judge.HELD_OUT_SEEDS, never looked at while tuning), and its contract.

Targets (issue 19): with one anchor click, every level labelled right and every body ROI inside
its body on all held-out phantoms, and the VBQ from the accepted suggestions within 2% of the
truth; without an anchor, how often the labels are right is reported (bench/bench_suggest.py,
README), and a floor here keeps it from sliding."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from vbq import InputError, phantom
from vbq.imaging import SuggestedRois, load_series, measure_vbq, roi_stats, suggest_rois
from vbq.phantom._judge import DEVELOPMENT_SEEDS, HELD_OUT_SEEDS, anchor_click, judge


@pytest.fixture(scope="module")
def held_out():
    """Every held-out phantom judged with an anchor click and without (built once)."""
    out = []
    for seed in HELD_OUT_SEEDS:
        drawn = phantom.make_varied_series(seed, n_slices=3)
        out.append((judge(seed, drawn, anchored=True), judge(seed, drawn, anchored=False)))
    return out


def test_the_held_out_set_is_large_varied_and_apart_from_development(held_out):
    assert len(HELD_OUT_SEEDS) >= 50
    assert not set(HELD_OUT_SEEDS) & set(DEVELOPMENT_SEEDS)
    anatomies = [phantom.random_anatomy(seed) for seed in HELD_OUT_SEEDS]
    assert {a.transitional for a in anatomies} == set(phantom.TRANSITIONAL)
    assert sum(a.collapsed is not None for a in anatomies) >= 5
    assert {j.anchor_level for j, _ in held_out} == {"L1", "L2", "L3", "L4", "L5"}


def test_with_one_anchor_click_every_held_out_phantom_meets_the_targets(held_out):
    failed = [j for j, _ in held_out if not j.meets_targets]
    assert not failed, failed
    errors = np.array([j.vbq_error for j, _ in held_out])
    assert np.all(np.abs(errors) <= 0.02)


def test_without_an_anchor_the_labels_are_mostly_right_and_wrong_mainly_at_transitions(
        held_out):
    free = [f for _, f in held_out]
    right = np.mean([f.labels_right for f in free])
    assert right >= 0.7, right  # a floor against regressions (see the module docstring)
    ordinary = [f for f in free if f.transitional == "none"]
    assert np.mean([f.labels_right for f in ordinary]) >= 0.9


def test_the_default_phantom_is_labelled_right_without_an_anchor(phantom_series, phantom_bytes):
    _, truth = phantom_series
    series = load_series(phantom_bytes)
    s = suggest_rois(series)
    assert s.slice_index == truth.mid_slice == series.mid_slice
    assert s.complete and s.confidence == "moderate"  # counted from the sacrum: never "high"
    for name in ("L1", "L2", "L3", "L4", "CSF"):
        assert truth.roi_inside(name, s.centres[name], s.radii_mm[name]), name
    image = series.pixels[s.slice_index]
    rois = {n: roi_stats(image, series.spacing_mm, s.centres[n], s.radii_mm[n])
            for n in s.centres}
    assert measure_vbq(rois).vbq == pytest.approx(truth.vbq, rel=0.02)


def test_an_anchor_names_the_levels_where_counting_from_the_sacrum_fails():
    # development seed 1010: a lumbarised S1, which counting up from the lowest disc takes for
    # L5, so every label is one level too low; one click on L3 names them right
    drawn = phantom.make_varied_series(1010, n_slices=3)
    assert drawn[1].anatomy.transitional == "lumbarised S1"
    free = judge(1010, drawn, anchored=False)
    anchored = judge(1010, drawn, anchored=True)
    assert not free.labels_right
    assert anchored.meets_targets


def test_the_anchor_level_decides_the_labels_relative_to_the_clicked_body():
    datasets, truth = phantom.make_varied_series(1003, n_slices=3)
    series = load_series(phantom.series_bytes(datasets))
    # clicking L2's body but calling it L3 moves every label one level up: the reader decides
    s = suggest_rois(series, anchor=("L3", truth.centres["L2"]))
    assert truth.contains("L2", s.centres["L3"]) and truth.contains("L1", s.centres["L2"])
    right = suggest_rois(series, anchor=anchor_click(1003, truth))
    assert right.anchor[0] == "L4" and truth.contains("L4", right.centres["L4"])
    assert right.confidence == "high"
    assert "vertebra you clicked" in right.summary()


def test_a_collapsed_level_is_pointed_out_never_marked():
    seed = next(s for s in DEVELOPMENT_SEEDS if phantom.random_anatomy(s).collapsed)
    datasets, truth = phantom.make_varied_series(seed, n_slices=3)
    s = suggest_rois(load_series(phantom.series_bytes(datasets)),
                     anchor=anchor_click(seed, truth))
    assert truth.collapsed[0] in s.possibly_collapsed
    assert "fracture" in s.summary() and s.confidence == "moderate"
    # its ROI still fits inside the flattened body
    level = truth.collapsed[0]
    assert truth.roi_inside(level, s.centres[level], s.radii_mm[level])


def test_result_is_frozen_with_a_table_and_the_same_every_time(phantom_bytes):
    series = load_series(phantom_bytes)
    a, b = suggest_rois(series), suggest_rois(series)
    assert a == b and isinstance(a, SuggestedRois)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.confidence = "high"
    frame = a.to_frame()
    assert list(frame.columns) == ["roi", "row", "column", "radius_mm"]
    assert list(frame["roi"]) == ["L1", "L2", "L3", "L4", "CSF"]
    assert frame["radius_mm"].between(2.0, 8.0).all()
    assert suggest_rois(series, slice_index=0).slice_index == 0  # another slice may be asked


def test_bad_input_is_refused_with_a_clear_message(phantom_bytes):
    series = load_series(phantom_bytes)
    with pytest.raises(InputError, match="slice_index"):
        suggest_rois(series, slice_index=series.n_slices)
    with pytest.raises(InputError, match="level must be one of"):
        suggest_rois(series, anchor=("S1", (100, 100)))
    with pytest.raises(InputError, match="outside"):
        suggest_rois(series, anchor=("L3", (-5, 100)))
    with pytest.raises(InputError, match="expected \\(level, \\(row, column\\)\\)"):
        suggest_rois(series, anchor="L3")
    with pytest.raises(InputError, match="Pixel Spacing"):
        suggest_rois(dataclasses.replace(series, spacing_mm=None))
    with pytest.raises(InputError, match="Series"):
        suggest_rois(series.pixels)


def test_a_blank_image_gives_a_low_confidence_suggestion_not_an_error(phantom_bytes):
    series = load_series(phantom_bytes)
    blank = dataclasses.replace(series, pixels=np.full(series.pixels.shape, 100.0,
                                                       dtype=np.float32))
    s = suggest_rois(blank)
    assert s.confidence == "low" and not s.complete
    assert "Not found" in s.summary()


def _relaid(datasets, *, flip_cols=False, flip_rows=False, transpose=False):
    """The phantom's files as a scanner that lays the slice out another way writes them: the
    same voxels in the patient, the pixels turned, and (0020,0037) Image Orientation (Patient),
    (0020,0032) Image Position (Patient) (the centre of the first pixel sent) and (0028,0030)
    Pixel Spacing saying so (PS3.3 C.7.6.2.1.1)."""
    out = []
    for ds in datasets:
        ds = copy.deepcopy(ds)
        arr = ds.pixel_array
        iop = np.array(ds.ImageOrientationPatient, dtype=float)
        across, down = iop[:3], iop[3:]  # the way the column index, the row index count up
        ipp = np.array(ds.ImagePositionPatient, dtype=float)
        row_step, col_step = (float(v) for v in ds.PixelSpacing)
        rows, cols = arr.shape
        if flip_cols:  # the first pixel sent is the old last column's
            ipp, across, arr = ipp + (cols - 1) * col_step * across, -across, arr[:, ::-1]
        if flip_rows:
            ipp, down, arr = ipp + (rows - 1) * row_step * down, -down, arr[::-1]
        if transpose:  # the first pixel stays; rows become columns
            arr, across, down = arr.T, down, across
            ds.PixelSpacing = [col_step, row_step]
        ds.Rows, ds.Columns = arr.shape
        ds.PixelData = np.ascontiguousarray(arr).tobytes()
        ds.ImageOrientationPatient = [float(v) for v in (*across, *down)]
        ds.ImagePositionPatient = [float(v) for v in ipp]
        out.append(ds)
    return out


def _turn(point, shape, *, flip_cols=False, flip_rows=False, transpose=False):
    """Where a pixel (row, column) of the phantom's layout lands in `_relaid`'s."""
    (r, c), (rows, cols) = point, shape
    r = rows - 1 - r if flip_rows else r
    c = cols - 1 - c if flip_cols else c
    return (c, r) if transpose else (r, c)


@pytest.mark.parametrize("how", [
    {"flip_cols": True},  # the front on the right: the row direction towards the front
    {"flip_rows": True},  # the head at the bottom
    {"flip_cols": True, "flip_rows": True},
    {"transpose": True},  # rows running from front to back
    {"transpose": True, "flip_cols": True},
])
def test_other_sagittal_layouts_get_the_same_suggestion_on_the_same_bodies(how):
    # a phantom the development seeds drew, written as a scanner laying the slice out another
    # way would: the suggestion lands on the same bodies as on the usual layout (its centres
    # mapped through the same turn), with and without an anchor click, and the labels follow
    seed = DEVELOPMENT_SEEDS[3]
    datasets, truth = phantom.make_varied_series(seed, n_slices=3)
    usual = load_series(phantom.series_bytes(datasets))
    turned = load_series(phantom.series_bytes(_relaid(datasets, **how)))
    shape = usual.shape[1:]
    assert turned.image_orientation != usual.image_orientation
    k = usual.mid_slice
    turned_k = next(j for j in range(turned.n_slices) if np.array_equal(
        turned.pixels[j], _relaid_pixels(usual.pixels[k], **how)))
    click = anchor_click(seed, truth)
    for anchor in (None, click):
        expected = suggest_rois(usual, slice_index=k, anchor=anchor)
        turned_anchor = None if anchor is None else (anchor[0], _turn(anchor[1], shape, **how))
        got = suggest_rois(turned, slice_index=turned_k, anchor=turned_anchor)
        assert expected.complete and got.centres.keys() == expected.centres.keys()
        for name, point in expected.centres.items():
            assert got.centres[name] == pytest.approx(_turn(point, shape, **how), abs=1e-6)
            assert got.radii_mm[name] == pytest.approx(expected.radii_mm[name], abs=1e-9)
        assert (got.confidence, got.reasons) == (expected.confidence, expected.reasons)
        for name in ("L1", "L2", "L3", "L4"):
            assert truth.roi_inside(name, expected.centres[name], expected.radii_mm[name])


def _relaid_pixels(image, *, flip_cols=False, flip_rows=False, transpose=False):
    out = image[::-1 if flip_rows else 1, ::-1 if flip_cols else 1]
    return out.T if transpose else out


def test_the_series_keeps_its_image_orientation(phantom_bytes):
    series = load_series(phantom_bytes)
    assert series.image_orientation == (0.0, 1.0, 0.0, 0.0, 0.0, -1.0)


def test_an_axial_series_is_refused_and_a_missing_orientation_is_said(phantom_bytes):
    series = load_series(phantom_bytes)
    with pytest.raises(InputError, match="need a sagittal slice.*this series is axial"):
        suggest_rois(dataclasses.replace(series, orientation="axial",
                                         image_orientation=(1.0, 0, 0, 0, 1.0, 0)))
    usual = suggest_rois(series, anchor=("L3", (120.0, 100.0)))
    unknown = dataclasses.replace(series, orientation="unknown", image_orientation=None)
    said = suggest_rois(unknown, anchor=("L3", (120.0, 100.0)))
    assert said.centres == usual.centres  # taken as it is
    assert usual.confidence == "high" and said.confidence == "moderate"
    assert "(0020,0037) Image Orientation (Patient) is missing" in said.summary()
