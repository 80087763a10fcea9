"""AppTest of the MRI page's stored measurements on a lab-sized database (issue 18): each rerun
asks the database for at most `ui.history.SHOWN` readings (the patient being measured, or a
search), says how many there are, and no select box or table holds the whole database."""

from __future__ import annotations

import pytest

from tests.test_measurement_paging import readings
from ui import history, measure
from vbq.measurements import MeasurementStore, ROIMeasurement

from .conftest import start

PAGE = "app_pages/measure.py"
N_PATIENTS = 70  # x two observers x two sessions = 280 readings, 1,400 ROI rows


@pytest.fixture
def lab_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    store = MeasurementStore(url)
    store.save(readings(N_PATIENTS, flagged_every=2))
    for k in range(history.SHOWN + 5):  # more history than a page shows
        store.save([ROIMeasurement("P0001", "AB", 1, "L1", 500.0 + k)],
                   reason=f"correction {k}")
    store.close()
    monkeypatch.setenv(measure.URL_ENV, url)
    return url


def _largest(at) -> tuple[int, int]:
    options = max((len(s.options) for s in at.selectbox), default=0)
    rows = max((len(d.value) for d in at.dataframe), default=0)
    return options, rows


def test_no_widget_holds_the_whole_database(lab_db):
    at = start(PAGE)
    assert not at.exception
    options, rows = _largest(at)
    total = N_PATIENTS * 2 * 2
    assert options <= history.SHOWN and rows <= history.SHOWN  # d0f136a: 280 options, 1,400 rows
    captions = [c.value for c in at.caption]
    assert f"Showing {history.SHOWN} of {total:,} stored readings." in captions
    assert f"Showing {history.SHOWN} of {history.SHOWN + 5} changes." in captions
    assert f"Showing {history.SHOWN} of {N_PATIENTS // 2 * 4:,} flagged readings." in captions
    assert any(f"({total * 5:,} ROI readings)" in e.label for e in at.expander)


def test_a_search_finds_a_reading_beyond_the_first_page(lab_db):
    at = start(PAGE)
    at.text_input(key=history.SEARCH_KEY).set_value("p0069").run()
    assert not at.exception
    assert 'All 4 readings matching "p0069".' in [c.value for c in at.caption]
    choices = at.selectbox(key="measure_delete_which")
    assert list(choices.options) == [  # (AppTest holds the options as shown)
        "P0069 · AB · session 1", "P0069 · AB · session 2", "P0069 · CD · session 1",
        "P0069 · CD · session 2"]


def test_the_patient_being_measured_is_shown_roi_by_roi(lab_db):
    at = start(PAGE)
    # observer AB, whose session-1 reading of P0042 is stored: not blind, so shown
    at.text_input(key="measure_observer").input("AB")
    at.text_input(key="measure_patient_id").set_value("P0042").run()
    assert not at.exception
    assert "All 4 readings of patient P0042." in [c.value for c in at.caption]
    table = next(d.value for d in at.dataframe if "patient" in d.value.columns
                 and "ROI" in d.value.columns)
    assert set(table["patient"]) == {"P0042"} and len(table) == 20


def test_a_patient_read_blind_is_left_out_of_the_paged_lists_search_and_history(lab_db):
    # observer ZZ reads P0001 (read by AB and CD, with 55 corrections): blind
    at = start(PAGE)
    at.text_input(key="measure_observer").input("ZZ")
    at.text_input(key="measure_patient_id").set_value("P0001").run()
    assert not at.exception
    assert any(i.value.startswith("Blinded: 4 other readings") for i in at.info)
    total = N_PATIENTS * 2 * 2
    (stored,) = [e for e in at.expander if e.label.startswith("Stored measurements")]
    assert stored.label == (f"Stored measurements ({(total - 4) * 5:,} ROI readings; P0001's "
                            "hidden while you read blind)")
    captions = [c.value for c in at.caption]
    # not "All 4 readings of patient P0001." (its readings), and none of its 55 changes
    assert f"Showing {history.SHOWN} of {total - 4:,} stored readings." in captions
    assert not any(c.endswith(" changes.") for c in captions)
    assert not [d for d in at.dataframe if "P0001" in d.value.to_numpy().tolist().__str__()]
    assert at.get("download_button")[0].proto.disabled
    assert at.get("download_button")[1].proto.disabled
    # a search that matches the patient does not find it (nor its history)
    at.text_input(key=history.SEARCH_KEY).set_value("p000").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert 'All 36 readings matching "p000".' in captions  # P0000, P0002-P0009: 9 x 4
    assert not any(c.endswith(" changes.") for c in captions)
    choices = at.selectbox(key="measure_delete_which").options
    assert len(choices) == 36 and not [c for c in choices if c.startswith("P0001")]
    # once ZZ's reading is saved nothing is hidden: the search finds P0001's readings again
    with MeasurementStore(lab_db) as store:
        store.save([ROIMeasurement("P0001", "ZZ", 1, lv, 300.0) for lv in
                    ("L1", "L2", "L3", "L4", "CSF")])
    at.run()
    captions = [c.value for c in at.caption]
    assert 'All 41 readings matching "p000".' in captions
    assert f"Showing {history.SHOWN} of {history.SHOWN + 5} changes." in captions


def test_the_import_accepts_as_large_a_file_as_its_stated_limit(lab_db):
    # issue 18 audit: the label said 128 MB per file while the server's upload limit (100 MB,
    # .streamlit/config.toml) refused anything over 100 MB before the import saw it
    from vbq.measurements import IMPORT_MAX_BYTES

    at = start(PAGE)
    uploader = next(u for u in at.get("file_uploader") if u.proto.id.endswith("measure_import"))
    assert uploader.proto.max_upload_size_mb * 2**20 >= IMPORT_MAX_BYTES
    assert f"{IMPORT_MAX_BYTES // 2**20} MB per file" in uploader.proto.label
