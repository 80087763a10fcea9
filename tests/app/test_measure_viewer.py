"""AppTest of the MRI page's viewer (issues 16 and 19): the automatic window is the default
when the file's own window leaves the bodies dark, the whole study's T1 FLAIR is offered when it
has no spin echo, its flags are one line that opens, and before any ROI the ROI table is an
empty state, not a table of "None"."""

from __future__ import annotations

import pytest

from ui import measure
from vbq import imaging, phantom

from .conftest import start

PAGE = "app_pages/measure.py"
AUTOMATIC = "Automatic (1st-99th percentile)"


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    return url


def _upload(datasets):
    at = start(PAGE)
    at.radio(key="measure_source").set_value("Upload DICOM").run()
    uploader = at.file_uploader(key="measure_upload")
    for i, data in enumerate(phantom.series_bytes(datasets)):
        uploader.upload(f"IM{i:04d}.dcm", data)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_file_window_that_leaves_the_bodies_dark_is_not_the_default(db_url):
    datasets, _ = phantom.make_series(seed=2, n_slices=3)
    for ds in datasets:  # a window far above the tissue: everything shown near black
        ds.WindowCenter, ds.WindowWidth = 4000.0, 1000.0
    series = imaging.load_series(phantom.series_bytes(datasets))
    assert measure.file_window_is_dark(series)
    at = _upload(datasets)
    assert at.radio(key="measure_window_mode").value == AUTOMATIC


def test_the_file_window_stays_the_default_when_it_shows_the_bodies(db_url):
    datasets, _ = phantom.make_series(seed=2, n_slices=3)
    assert not measure.file_window_is_dark(imaging.load_series(phantom.series_bytes(datasets)))
    at = _upload(datasets)
    assert at.radio(key="measure_window_mode").value == "From the file"


def test_a_study_without_spin_echo_offers_its_t1_flair_with_its_flags_in_one_line(db_url):
    datasets, _ = phantom.make_study(seed=0, series=("localizer", "sag_t2", "sag_t1_flair",
                                                     "axial_t2"))
    at = _upload(datasets)
    label = at.selectbox(key="measure_series")
    assert "sagittal · T1 FLAIR · spin echo, inversion recovery" in label.format_func(label.value)
    (flags,) = [e for e in at.expander if e.label.startswith("Before measuring")]
    assert flags.label == "Before measuring: not the validated sequence"
    assert [w.value for w in flags.warning][0].startswith("T1 FLAIR (inversion recovery")
    assert not [w for w in at.warning if "not T1-like" in w.value]
    # before any ROI: an empty state, and no table of empty cells
    assert any("No ROI placed yet" in i.value for i in at.info)
    assert not [d for d in at.dataframe if "mean SI" in d.value.columns]
