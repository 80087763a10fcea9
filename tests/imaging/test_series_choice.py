"""Choosing the series of a whole study (issue 19): the sagittal T1-weighted series by default,
T1 spin echo first, then T1 FLAIR; never a localizer, a T2, a STIR or an axial; a series that
mixes orientations is never stacked into one volume. And the acquisition stored with a reading."""

from __future__ import annotations

import copy

import pytest
from pydicom.datadict import dictionary_VR, tag_for_keyword

from tests.imaging.test_deid import UNSEARCHABLE, planted_series
from vbq import phantom
from vbq.errors import InputError
from vbq.imaging import load_series, load_study


@pytest.fixture(scope="module")
def whole_study():
    return phantom.series_bytes(phantom.make_study(seed=0)[0])


def _study(*names):
    return phantom.series_bytes(phantom.make_study(seed=0, series=names)[0])


def test_the_whole_study_is_read_series_by_series(whole_study):
    study = load_study(whole_study)
    got = [(s.series_number, s.orientation, s.weighting, s.n_slices) for s in study]
    assert got == [(1, "sagittal", "unknown", 1), (3, "sagittal", "T1", 11),
                   (4, "sagittal", "T2", 11), (5, "sagittal", "T1 FLAIR", 11),
                   (6, "sagittal", "STIR", 11), (7, "axial", "T2", 5)]
    assert study.n_patients == 1


def test_the_default_is_the_sagittal_t1_spin_echo(whole_study):
    s = load_series(whole_study)
    assert s.description == "SYNTHETIC PHANTOM sag T1" and s.weighting == "T1"
    assert s.flags == () and s.n_slices == 11
    assert sum("another series, not loaded" in p.message for p in s.problems) == 5


def test_without_spin_echo_the_t1_flair_is_chosen_and_flagged_not_validated():
    # the real study of issue 19: its only sagittal T1 is a T1 FLAIR (main raised "no sagittal
    # T1-like series" here)
    s = load_series(_study("localizer", "sag_t2", "sag_t1_flair", "sag_stir", "axial_t2"))
    assert s.description == "SYNTHETIC PHANTOM sag T1 FLAIR" and s.weighting == "T1 FLAIR"
    assert s.is_t1_like and not s.has_flag("not_t1_like")
    assert [f.code for f in s.flags] == ["not_validated_sequence"]
    message = s.flags[0].message
    assert "T1 FLAIR" in message and "T1-weighted" in message
    assert "not the sequence VBQ was validated on" in message and "not T1-like" not in message


def test_spin_echo_is_preferred_whatever_the_order_of_the_files(whole_study):
    study = load_study(list(reversed(whole_study)))
    (best,) = study.preferred_series()
    assert study[best].weighting == "T1"


@pytest.mark.parametrize("names", [
    ("localizer", "sag_t2"), ("localizer", "axial_t2", "sag_stir"), ("sag_t2", "axial_t2"),
])
def test_never_a_localizer_a_t2_a_stir_or_an_axial(names):
    raw = _study(*names)
    study = load_study(raw)
    assert study.preferred_series() == ()
    with pytest.raises(InputError, match="no sagittal T1-like series"):
        load_series(raw)


def test_a_three_plane_localizer_is_never_stacked_into_one_volume():
    study = load_study(_study("localizer", "sag_t1"))
    loc = study[0]
    assert loc.n_slices == 1 and loc.has_flag("mixed_orientations")
    assert "3 orientations" in loc.summary()
    skipped = [p for p in loc.problems if "orientation, matrix size or pixel spacing" in p.message]
    assert len(skipped) == 2
    assert study.preferred_series() == (1,)


def test_short_and_long_ti_inversion_recovery_is_not_t1_weighted():
    study = load_study(_study("sag_stir"))
    stir = study[0]
    assert stir.weighting == "STIR" and stir.has_flag("not_t1_like")
    assert "STIR" in stir.summary()
    datasets, _ = phantom.make_study(seed=0, series=("sag_t1_flair",))
    for ds in datasets:
        ds.InversionTime = 2500.0
        ds.RepetitionTime = 9000.0
        ds.EchoTime = 90.0
    t2_flair = load_series(phantom.series_bytes(datasets))
    assert t2_flair.weighting == "T2 FLAIR" and t2_flair.has_flag("not_t1_like")


def test_contrast_ranks_a_spin_echo_below_the_plain_one():
    plain, _ = phantom.make_study(seed=0, series=("sag_t1",))
    post, _ = phantom.make_study(seed=0, series=("sag_t1_flair",))  # another Series UID
    for ds in post:
        ds.RepetitionTime, ds.EchoTime, ds.ScanningSequence = 600.0, 10.0, "SE"
        del ds.InversionTime
        ds.SeriesNumber = 2  # read first
        ds.ContrastBolusAgent = "GADOLINIUM"
    s = load_series(phantom.series_bytes(post) + phantom.series_bytes(plain))
    assert s.series_number == 3 and not s.has_flag("contrast")


def test_two_patients_are_never_chosen_between():
    a, _ = phantom.make_study(seed=0, series=("sag_t1",))
    b, _ = phantom.make_study(seed=1, series=("sag_t1_flair",))
    for ds in b:
        ds.PatientID = "OTHER"
    raw = phantom.series_bytes(a) + phantom.series_bytes(b)
    assert load_study(raw).preferred_series() == (0, 1)
    with pytest.raises(InputError, match="several sagittal T1-like series"):
        load_series(raw)


def test_the_acquisition_is_what_a_reading_stores(whole_study):
    s = load_series(whole_study)
    assert s.acquisition() == {
        "field_strength_t": 3.0, "manufacturer": "VBQ Explorer synthetic phantom",
        "model_name": "Phantom 3T", "weighting": "T1", "scanning_sequence": "SE",
        "sequence_variant": "SK", "repetition_time_ms": 600.0, "echo_time_ms": 10.0,
        "inversion_time_ms": None, "pixel_bandwidth_hz": 190.0, "slice_thickness_mm": 4.0,
        "flags": ""}
    flair = load_series(whole_study, series=3)
    assert flair.acquisition()["flags"] == "not_validated_sequence"
    assert flair.acquisition()["inversion_time_ms"] == 860.0
    assert {"manufacturer", "model_name", "pixel_bandwidth_hz", "weighting"} <= set(s.to_dict())


def test_the_acquisition_never_carries_an_identifier():
    datasets, _, planted = planted_series()
    datasets = [copy.deepcopy(d) for d in datasets]
    for ds in datasets:  # the patient's name and ID written into the scanner's own fields too
        ds.Manufacturer = f"ACME {ds.PatientName.family_name} {ds.PatientID}"
        ds.ManufacturerModelName = f"Model {ds.PatientName.given_name}"
    s = load_series(phantom.series_bytes(datasets))
    text = repr(s.acquisition()) + s.summary()
    searchable = [t for kw, texts in planted.items() if kw != "private"
                  and dictionary_VR(tag_for_keyword(kw)) not in UNSEARCHABLE for t in texts]
    assert not [t for t in searchable if len(t) >= 4 and t in text]
    assert s.manufacturer == "ACME [removed] [removed]" and s.model_name == "Model [removed]"
    for keyword in ("StationName", "DeviceSerialNumber", "InstitutionName"):
        assert keyword not in s.acquisition()
    assert s.fingerprint not in text  # the acquisition is not keyed to the series
