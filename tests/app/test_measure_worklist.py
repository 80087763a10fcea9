"""AppTest of the MRI page's worklist and blinded repeat readings (issue 19): a zip of several
studies opens as a worklist with each study's ID from its folder, progress and status follow
the readings saved by the current observer and session, save-and-next moves on, a repeat
session comes in the recorded shuffled order, and a patient read before is read blind: earlier
ROIs and values hidden until the new reading is saved, which is stored as blinded."""

from __future__ import annotations

import pytest

import vbq
from ui import measure
from vbq import imaging, phantom
from vbq.measurements import MeasurementStore

from .conftest import start

PAGE = "app_pages/measure.py"
LEVELS = ("L1", "L2", "L3", "L4", "CSF")


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    return url


@pytest.fixture(scope="module")
def cohort():
    archive, truths = phantom.cohort_zip(3)
    worklist = imaging.read_worklist(archive)
    fps = {s.study_id: s.series[s.chosen].fingerprint for s in worklist}
    return archive, truths, fps


def _upload(cohort, observer="AB", session=1):
    archive, _, _ = cohort
    at = start(PAGE)
    at.text_input(key="measure_observer").input(observer)
    at.number_input(key="measure_session").set_value(session)
    at.radio(key="measure_source").set_value("Upload DICOM").run()
    at.file_uploader(key="measure_upload").upload("cohort.zip", archive, "application/zip")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _place(at, cohort, study_id, shift=0.0):
    """The reference ROIs of that study's phantom (as clicks would place them)."""
    _, truths, fps = cohort
    truth = truths[study_id]
    rois = at.session_state[measure.ROIS_KEY] if measure.ROIS_KEY in at.session_state else {}
    rois[fps[study_id]] = {lv: measure.Roi(truth.mid_slice, float(truth.centres[lv][0]) + shift,
                                           float(truth.centres[lv][1]),
                                           float(truth.roi_radius_mm[lv])) for lv in LEVELS}
    at.session_state[measure.ROIS_KEY] = rois
    at.run()


def _progress(at) -> str:
    return at.get("progress")[0].proto.text


def _roi_rows(at) -> int:
    tables = [d.value for d in at.dataframe  # the live ROI table, not the stored readings
              if "mean SI" in d.value.columns and "observer" not in d.value.columns]
    return len(tables[0]) if tables else 0


def test_a_zip_of_studies_is_read_one_after_another(db_url, cohort):
    at = _upload(cohort)
    assert _progress(at) == "0 of 3 read (observer AB, session 1)"
    assert at.text_input(key="measure_patient_id").value == "VBQ-001"
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert list(table["study ID"]) == ["VBQ-001", "VBQ-002", "VBQ-003"]
    assert set(table["series chosen"]) == {"Series 3 · sagittal · T1 · spin echo · 3 T"}  # never the file's own words
    assert set(table["status"]) == {"not read"}
    assert at.button(key="measure_previous").disabled
    for k, study_id in enumerate(("VBQ-001", "VBQ-002")):
        _place(at, cohort, study_id)
        at.button(key="measure_save_next").click().run()
        assert not at.exception
        assert _progress(at) == f"{k + 1} of 3 read (observer AB, session 1)"
        assert any(f"Saved for {study_id}" in s.value.replace("&#45;", "-") for s in at.success)
    assert at.text_input(key="measure_patient_id").value == "VBQ-003"
    assert _roi_rows(at) == 0  # the next study starts with no ROI
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert list(table["status"]) == ["read", "read", "not read"]
    at.button(key="measure_previous").click().run()
    assert at.text_input(key="measure_patient_id").value == "VBQ-002"
    with MeasurementStore(db_url) as store:
        rows = store.load()
    assert sorted(set(rows["patient_id"])) == ["VBQ-001", "VBQ-002"]
    assert not rows["blinded"].any()  # nobody had read them before: nothing was hidden
    # each study's reading measured its own series
    assert set(rows["series_fingerprint"]) == {cohort[2]["VBQ-001"], cohort[2]["VBQ-002"]}


def test_a_repeat_session_is_shuffled_and_read_blind(db_url, cohort):
    at = _upload(cohort)
    _place(at, cohort, "VBQ-001")
    at.button(key="measure_save").click().run()
    with MeasurementStore(db_url) as store:
        first = store.load()
    assert len(first) == 5
    # session 2: the order is the recorded seed's shuffle, the progress starts again
    at.number_input(key="measure_session").set_value(2).run()
    seed = vbq.measurements.session_seed("AB", 2)
    order = imaging.read_worklist(cohort[0]).order(seed)
    assert order != (0, 1, 2)
    assert any(f"seed {seed}" in c.value for c in at.caption)
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert list(table["study ID"]) == [f"VBQ-00{i + 1}" for i in order]
    assert _progress(at) == "0 of 3 read (observer AB, session 2)"
    # go to VBQ-001, read in session 1: blind, its ROIs and values are hidden
    at.selectbox(key="measure_position").set_value(order.index(0)).run()
    assert at.text_input(key="measure_patient_id").value == "VBQ-001"
    assert any(i.value.startswith("Blinded: 1 other reading") for i in at.info)
    assert _roi_rows(at) == 0
    assert not any("VBQ-001" in str(d.value.to_numpy().tolist())
                   for d in at.dataframe if "ROI" in d.value.columns and "observer" in
                   d.value.columns)
    # read again (slightly elsewhere) and saved: stored as blinded; then nothing is hidden
    _place(at, cohort, "VBQ-001", shift=1.0)
    at.button(key="measure_save").click().run()
    assert not at.exception
    with MeasurementStore(db_url) as store:
        rows = store.load()
    again = rows[rows["session"] == 2]
    assert len(again) == 5 and again["blinded"].all()
    assert not rows[rows["session"] == 1]["blinded"].any()
    assert not any(i.value.startswith("Blinded") for i in at.info)
    stored = next(d.value for d in at.dataframe if "observer" in d.value.columns
                  and "ROI" in d.value.columns)
    assert len(stored) == 10


def test_a_second_observer_reads_blind_and_earlier_rois_on_screen_are_cleared(db_url, cohort):
    at = _upload(cohort)
    _place(at, cohort, "VBQ-001")
    at.button(key="measure_save").click().run()
    assert _roi_rows(at) == 5
    # another observer at the same screen: the ROIs just saved are not shown to them
    at.text_input(key="measure_observer").input("CD").run()
    assert _roi_rows(at) == 0
    assert any(i.value.startswith("Blinded: 1 other reading") for i in at.info)
    _place(at, cohort, "VBQ-001")
    at.button(key="measure_save").click().run()
    with MeasurementStore(db_url) as store:
        rows = store.load().set_index(["observer", "level"])
    assert rows.loc["CD", "blinded"].all() and not rows.loc["AB", "blinded"].any()


def test_a_typed_id_that_another_study_has_is_refused(db_url, cohort):
    at = _upload(cohort)
    at.text_input(key="measure_patient_id").input("VBQ-002").run()
    _place(at, cohort, "VBQ-001")
    assert any("each study needs its own" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "measure_save"]


def test_a_series_whose_pixels_cannot_be_decoded_is_named_not_a_traceback(db_url):
    # headers intact, pixel data cut short: the worklist opens, the series says why it fails
    datasets, _ = phantom.make_series(seed=5, n_slices=3)
    broken = [data[:-20000] for data in phantom.series_bytes(datasets)]
    at = start(PAGE)
    at.radio(key="measure_source").set_value("Upload DICOM").run()
    uploader = at.file_uploader(key="measure_upload")
    for i, data in enumerate(broken):
        uploader.upload(f"IM{i:04d}.dcm", data)
    at.run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("This series could not be shown")
    problems = next(d.value for d in at.dataframe if "what happened" in d.value.columns)
    assert list(problems["file"]) == ["IM0000.dcm", "IM0001.dcm", "IM0002.dcm"]
