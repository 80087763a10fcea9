"""Tests of vbq.phantom, and the imaging chain on it: ROIs at the true centres recover the true
signal intensities within the noise bound, and the VBQ within 1%."""

from __future__ import annotations

import dataclasses
import io
import statistics

import numpy as np
import pydicom
import pytest

from vbq import phantom
from vbq.imaging import load_series, measure_vbq, roi_stats


def test_datasets_are_valid_dicom_with_realistic_tags(phantom_series):
    datasets, truth = phantom_series
    assert 9 <= len(datasets) <= 15
    for raw in phantom.series_bytes(datasets):
        assert raw[128:132] == b"DICM"
        ds = pydicom.dcmread(io.BytesIO(raw))  # no force: a real Part 10 file
        assert ds.Modality == "MR" and ds.SOPClassUID == phantom.MR_IMAGE_STORAGE
        assert ds.RepetitionTime == 600 and ds.EchoTime == 10 and ds.MagneticFieldStrength == 3
        assert list(ds.ImageOrientationPatient) == [0, 1, 0, 0, 0, -1]
        assert ds.SeriesDescription == "SYNTHETIC PHANTOM sag T1"
        assert str(ds.PatientName) == "SYNTHETIC^PHANTOM"
        assert (ds.RescaleSlope, ds.RescaleIntercept) == truth.rescale != (1, 0)
        assert ds.pixel_array.shape == (256, 256)


def test_truth_is_the_papers_formula_on_the_true_values(phantom_series):
    _, truth = phantom_series
    si = [truth.si[lv] for lv in ("L1", "L2", "L3", "L4")]
    assert truth.vbq == pytest.approx(statistics.median(si) / truth.si_csf, rel=1e-12)
    assert 2.0 < truth.vbq < 4.0  # a plausible VBQ
    assert set(truth.centres) >= {"L1", "L2", "L3", "L4", "CSF"}
    assert truth.mid_slice == 5


def test_same_seed_same_files_other_seed_other_values():
    a, ta = phantom.make_series(seed=3)
    b, tb = phantom.make_series(seed=3)
    c, tc = phantom.make_series(seed=4)
    assert phantom.series_bytes(a) == phantom.series_bytes(b)
    assert ta == tb and ta.si != tc.si
    assert a[0].SeriesInstanceUID != c[0].SeriesInstanceUID


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_rois_recover_the_true_means_and_vbq(seed):
    datasets, truth = phantom.make_series(seed=seed)
    series = load_series(phantom.series_bytes(datasets))
    image = series.pixels[truth.mid_slice]
    rois = {}
    slope = truth.rescale[0]
    noise = np.hypot(truth.noise_sd, slope / np.sqrt(12))  # Gaussian noise + quantisation
    for name in ("L1", "L2", "L3", "L4", "L5", "CSF"):
        r = roi_stats(image, series.spacing_mm, truth.centres[name], truth.roi_radius_mm[name])
        true = truth.si_csf if name == "CSF" else truth.si[name]
        bound = 4 * noise / np.sqrt(r.n_pixels)  # 4 standard errors of a mean
        assert abs(r.mean - true) < bound, (name, r.mean, true, bound)
        assert r.sd == pytest.approx(noise, rel=0.25)  # the ROI sits in a uniform structure
        rois[name] = r
    rois.pop("L5")
    m = measure_vbq(rois)
    assert m.message == ""
    assert m.vbq == pytest.approx(truth.vbq, rel=0.01)


def test_the_mid_slice_is_where_the_canal_is():
    datasets, truth = phantom.make_series(seed=0)
    series = load_series(phantom.series_bytes(datasets))
    assert series.mid_slice == truth.mid_slice
    lateral = roi_stats(series.pixels[0], series.spacing_mm, truth.centres["CSF"], 3.0)
    # off the midline the canal gives way to the pedicles: no CSF signal there
    assert abs(lateral.mean - truth.si_csf) > 100


def test_larger_matrix_draws_the_same_anatomy():
    datasets, truth = phantom.make_series(seed=0, n_slices=5, shape=(512, 512),
                                          pixel_spacing=(0.5, 0.5))
    series = load_series(phantom.series_bytes(datasets))
    r = roi_stats(series.pixels[truth.mid_slice], series.spacing_mm, truth.centres["L2"], 8.0)
    assert abs(r.mean - truth.si["L2"]) < 4 * 10 / np.sqrt(r.n_pixels)
    assert series.shape == (5, 512, 512)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_slices"):
        phantom.make_series(n_slices=2)
    with pytest.raises(ValueError, match="field of view"):
        phantom.make_series(shape=(64, 64))


def test_zip_and_files(tmp_path, phantom_series):
    datasets, _ = phantom_series
    paths = phantom.write_series(datasets, tmp_path / "ph")
    assert [p.name for p in paths][:2] == ["IM0001.dcm", "IM0002.dcm"]
    from_files = load_series(paths)
    from_zip = load_series(phantom.series_zip(datasets))
    assert np.array_equal(from_files.pixels, from_zip.pixels)
    assert from_zip.fingerprint == from_files.fingerprint


# --- varied anatomy (issue 19: judging suggested ROIs on images nobody tuned them to) ---------


def test_random_anatomy_is_seeded_and_varies_every_parameter():
    assert phantom.random_anatomy(11) == phantom.random_anatomy(11)
    drawn = [phantom.random_anatomy(seed) for seed in range(200)]
    for name, low, high in (("lordosis_deg", 15, 60), ("tilt_deg", -10, 10),
                            ("body_depth_mm", 25, 42), ("canal_mm", 13, 20),
                            ("gain", 0.6, 1.5), ("bias_ap", 0, 0.45), ("bias_si", 0, 0.3)):
        values = np.array([getattr(a, name) for a in drawn])
        assert values.min() >= low and values.max() <= high, name
        assert values.std() > 0.2 * (high - low) / np.sqrt(12), name  # spread, not constant
    heights = np.array([a.body_heights_mm for a in drawn])
    assert heights.min() > 10 and heights.max() < 30
    assert {a.transitional for a in drawn} == set(phantom.TRANSITIONAL)
    assert {a.collapsed for a in drawn} == {None, "L1", "L2", "L3", "L4"}
    sacralised = [a for a in drawn if a.transitional == "sacralised L5"]
    assert all(a.l5_s1_disc_mm <= 3 for a in sacralised)


def test_anatomy_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match="transitional"):
        phantom.Anatomy(transitional="six lumbar")
    with pytest.raises(ValueError, match="collapsed"):
        phantom.Anatomy(collapsed="L5")
    with pytest.raises(ValueError, match="5 body heights"):
        phantom.Anatomy(body_heights_mm=(25.0,) * 4)


@pytest.mark.parametrize("seed", [1000, 1005, 1010, 1015, 1022, 1036])
def test_varied_phantom_reference_rois_lie_in_their_structures_and_read_the_truth(seed):
    datasets, truth = phantom.make_varied_series(seed, n_slices=3)
    series = load_series(phantom.series_bytes(datasets))
    assert series.shape[1:] == truth.shape and series.spacing_mm == truth.pixel_spacing
    image = series.pixels[truth.mid_slice]
    noise = np.hypot(truth.noise_sd, truth.rescale[0] / np.sqrt(12))
    for name in ("L1", "L2", "L3", "L4", "L5", "CSF"):
        centre, radius = truth.centres[name], truth.roi_radius_mm[name]
        assert truth.roi_inside(name, centre, radius) and truth.contains(name, centre), name
        # the image read at the reference ROI gives the truth (the coil bias included), within
        # 4 standard errors: truth.si is computed from the anatomy, not from this image
        r = roi_stats(image, series.spacing_mm, centre, radius)
        true = truth.si_csf if name == "CSF" else truth.si[name]
        assert abs(r.mean - true) < 4 * noise / np.sqrt(r.n_pixels) + 1e-3 * true, (name, seed)
    kept = [truth.si[lv] for lv in ("L1", "L2", "L3", "L4") if lv not in truth.collapsed]
    assert truth.vbq == pytest.approx(statistics.median(kept) / truth.si_csf, rel=1e-12)
    # a neighbour's centre is never inside another level's body
    assert not truth.contains("L2", truth.centres["L3"])


def test_coil_bias_makes_the_back_brighter_and_enters_the_truth():
    flat = phantom.Anatomy()
    biased = dataclasses.replace(flat, bias_ap=0.4)
    _, t_flat = phantom.make_series(seed=2, n_slices=3, anatomy=flat)
    d_bias, t_bias = phantom.make_series(seed=2, n_slices=3, anatomy=biased)
    # the field is 1 at the bodies' back edge: the CSF behind it, nearer the coil, reads
    # brighter, the bodies' middles darker, so the VBQ falls
    assert t_bias.si_csf / t_flat.si_csf > 1.0 > t_bias.si["L3"] / t_flat.si["L3"]
    assert t_bias.vbq < t_flat.vbq
    series = load_series(phantom.series_bytes(d_bias))
    row = series.pixels[t_bias.mid_slice][int(t_bias.centres["L3"][0])]
    assert row[-40:].max() > 1.3 * row[:40].max()  # the posterior fat outshines the anterior


def test_collapsed_and_transitional_levels_change_the_drawing():
    anatomy = dataclasses.replace(phantom.random_anatomy(3), collapsed="L2",
                                  transitional="lumbarised S1")
    _, truth = phantom.make_series(seed=3, n_slices=3, anatomy=anatomy)
    assert truth.collapsed == ("L2",) and truth.roi_radius_mm["L2"] <= truth.roi_radius_mm["L3"]
    assert truth.vbq == pytest.approx(
        statistics.median([truth.si[lv] for lv in ("L1", "L3", "L4")]) / truth.si_csf)
    assert truth.contains("S1", truth.centres["L5"]) is False
