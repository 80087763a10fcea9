"""Tests of vbq.phantom, and the imaging chain on it: ROIs at the true centres recover the true
signal intensities within the noise bound, and the VBQ within 1%."""

from __future__ import annotations

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
