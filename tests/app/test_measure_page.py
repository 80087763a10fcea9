"""AppTest of the MRI measurement page: the phantom loads by default, ROIs placed through the
number inputs measure what `vbq.imaging.roi_stats` measures on the same pixels, saving writes the
database rows, the measurements feed the analysis, and identifiers planted in every attribute of
the DICOM basic profile appear nowhere the page, the database or the CSV export can show."""

from __future__ import annotations

import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from google.protobuf import text_format
from pydicom.datadict import dictionary_VR, tag_for_keyword

import vbq
from tests.imaging.test_deid import (
    NAME_CASES,
    NAME_LEAKS,
    UNSEARCHABLE,
    name_case_datasets,
    planted_series,
)
from ui import measure
from vbq import imaging, phantom
from vbq.measurements import MeasurementStore

from .conftest import start

PAGE = "app_pages/measure.py"


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    """A fresh SQLite database for the page (`ui.measure` reads VBQ_MEASUREMENTS_URL)."""
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    return url


@pytest.fixture(scope="module")
def phantom_series():
    datasets, truth = phantom.make_series(seed=0)
    return imaging.load_series(phantom.series_bytes(datasets)), truth


def roi_table(at):
    return next(d.value for d in at.dataframe if "mean SI" in d.value.columns)


def test_the_phantom_loads_by_default(db_url, phantom_series):
    series, truth = phantom_series
    at = start(PAGE)
    assert not at.exception
    assert any("Synthetic phantom" in i.value for i in at.info)
    assert any(f"Series:** {series.label}" in html.unescape(m.value) for m in at.markdown)
    assert not any("SYNTHETIC PHANTOM sag T1" in m.value for m in at.markdown)  # (issue 18)
    assert at.slider(key=f"measure_slice_{series.fingerprint[:12]}").value == truth.mid_slice + 1
    assert {m.label: m.value for m in at.metric}["VBQ"] == "—"  # no ROI yet: no VBQ, no crash


def test_number_inputs_place_an_roi_measured_as_roi_stats(db_url, phantom_series):
    series, truth = phantom_series
    fp = series.fingerprint[:12]
    at = start(PAGE)
    row, col = truth.centres["L2"]
    at.number_input(key=f"measure_row_L1_{fp}").set_value(float(row)).run()
    at.number_input(key=f"measure_col_L1_{fp}").set_value(float(col) + 1.5).run()
    at.number_input(key=f"measure_radius_L1_{fp}").set_value(6.5).run()
    assert not at.exception
    expected = imaging.roi_stats(series.pixels[truth.mid_slice], series.spacing_mm,
                                 (row, col + 1.5), 6.5)
    shown = roi_table(at).set_index("ROI").loc["L1"]
    assert shown["mean SI"] == pytest.approx(expected.mean, rel=1e-12)
    assert shown["median SI"] == pytest.approx(expected.median, rel=1e-12)
    assert shown["SD"] == pytest.approx(expected.sd, rel=1e-12)
    assert shown["pixels"] == expected.n_pixels
    assert shown["slice"] == truth.mid_slice + 1


def test_moving_an_roi_does_not_re_encode_the_slice_image(db_url, phantom_series, monkeypatch):
    # a click takes the same path as the centre inputs: the ROI moves, the image stays; a new
    # slice or window is encoded once, and what is shown is that slice under that window
    import ui.image_click

    series, truth = phantom_series
    fp = series.fingerprint[:12]
    encoded = []
    real = ui.image_click.png_data_url
    monkeypatch.setattr(ui.image_click, "png_data_url",
                        lambda image: encoded.append(image.copy()) or real(image))
    at = start(PAGE)
    assert len(encoded) == 1
    row, col = truth.centres["L2"]
    at.number_input(key=f"measure_row_L1_{fp}").set_value(float(row)).run()
    at.number_input(key=f"measure_col_L1_{fp}").set_value(float(col)).run()
    at.number_input(key=f"measure_col_L1_{fp}").set_value(float(col) + 2).run()
    assert not at.exception and len(encoded) == 1
    at.slider(key=f"measure_slice_{fp}").set_value(truth.mid_slice + 2).run()
    at.radio(key="measure_window_mode").set_value("Automatic (1st-99th percentile)").run()
    assert not at.exception and len(encoded) == 3
    window = imaging.default_window(series.pixels[truth.mid_slice + 1])
    expected = imaging.window_image(series.pixels[truth.mid_slice + 1], window.center,
                                    window.width)
    assert np.array_equal(encoded[-1], expected)


def test_an_roi_leaving_the_image_gives_a_message(db_url, phantom_series):
    series, _ = phantom_series
    fp = series.fingerprint[:12]
    at = start(PAGE)
    at.button_group(key="measure_active").set_value("CSF").run()
    at.number_input(key=f"measure_row_CSF_{fp}").set_value(1.0).run()
    at.number_input(key=f"measure_col_CSF_{fp}").set_value(1.0).run()
    assert not at.exception
    note = roi_table(at).set_index("ROI").loc["CSF", "note"]
    assert "outside" in note.lower() or "leave" in note.lower()


def _place_reference(at):
    at.button(key="measure_reference").click().run()
    assert not at.exception


def test_a_reading_saved_from_the_slice_shown_as_n_is_slice_n_on_screen_and_in_the_export(
        db_url, phantom_series):
    # issue 16: slices are counted from 1 on screen (slider, captions, ROI table, stored table)
    # and in the CSV export alike; the database's slice_index counts from 0
    series, truth = phantom_series
    fp = series.fingerprint[:12]
    at = start(PAGE)
    _place_reference(at)                                   # every ROI on the middle slice
    n = truth.mid_slice + 3                                # slice n on screen, index n - 1
    at.slider(key=f"measure_slice_{fp}").set_value(n).run()
    assert any(f"Slice {n} of {series.n_slices}" in c.value for c in at.caption)
    at.session_state["measure_active"] = "L2"
    at.run()
    at.button(key="measure_move").click().run()            # "Move L2 to slice n"
    assert not at.exception
    shown = roi_table(at).set_index("ROI")["slice"]
    assert shown["L2"] == n and shown["L1"] == truth.mid_slice + 1
    at.text_input(key="measure_patient_id").input("DEMO-001")
    at.text_input(key="measure_observer").input("AB")
    at.button(key="measure_save").click().run()
    assert any("5 ROI reading(s) added" in s.value for s in at.success)
    stored = next(d.value for d in at.dataframe  # the stored measurements, as shown
                  if "patient" in d.value.columns).set_index("ROI")["slice"]
    with MeasurementStore(db_url) as store:
        exported = pd.read_csv(io.StringIO(store.export_csv())).set_index("level")
        index = store.load().set_index("level")["slice_index"]
    assert "slice_index" not in exported.columns
    for lv in ("L1", "L2", "L3", "L4", "CSF"):
        assert exported.loc[lv, "slice_number"] == stored[lv] == shown[lv] == index[lv] + 1
    # the slice exported is the one whose pixels the reading measured
    l2 = imaging.roi_stats(series.pixels[n - 1], series.spacing_mm, truth.centres["L2"],
                           truth.roi_radius_mm["L2"])
    assert exported.loc["L2", "si_mean"] == pytest.approx(l2.mean, rel=1e-12)


def test_reference_rois_give_vbq_and_saving_writes_five_rows(db_url, phantom_series):
    series, truth = phantom_series
    at = start(PAGE)
    _place_reference(at)
    rois = {lv: imaging.roi_stats(series.pixels[truth.mid_slice], series.spacing_mm,
                                  truth.centres[lv], truth.roi_radius_mm[lv])
            for lv in ("L1", "L2", "L3", "L4", "CSF")}
    expected = imaging.measure_vbq(rois)
    assert {m.label: m.value for m in at.metric}["VBQ"] == f"{expected.vbq:.2f}"
    assert abs(expected.vbq - truth.vbq) / truth.vbq < 0.01
    at.text_input(key="measure_patient_id").input("DEMO-001")
    at.text_input(key="measure_observer").input("AB")
    at.number_input(key="measure_session").set_value(2)
    at.button(key="measure_save").click().run()
    assert not at.exception
    assert any("5 ROI reading(s) added" in s.value for s in at.success)
    with MeasurementStore(db_url) as store:
        rows = store.load().set_index("level")
    assert len(rows) == 5
    assert set(rows["patient_id"]) == {"DEMO-001"} and set(rows["session"]) == {2}
    for lv, res in rois.items():
        assert rows.loc[lv, "si_mean"] == pytest.approx(res.mean, rel=1e-12)
        assert rows.loc[lv, "pixel_count"] == res.n_pixels
        assert rows.loc[lv, "series_fingerprint"] == series.fingerprint
    assert rows.loc["CSF", "csf_level"] == "L3"


def test_a_level_marked_collapsed_is_saved_excluded_and_left_out(db_url, phantom_series):
    at = start(PAGE)
    _place_reference(at)
    at.multiselect(key="measure_collapsed").set_value(["L2"]).run()
    assert {m.label: m.value for m in at.metric}["Levels used"] == "3"
    at.text_input(key="measure_patient_id").input("DEMO-002")
    at.text_input(key="measure_observer").input("CD")
    at.button(key="measure_save").click().run()
    with MeasurementStore(db_url) as store:
        rows = store.load().set_index("level")
    assert bool(rows.loc["L2", "excluded"]) and not bool(rows.loc["L1", "excluded"])


@pytest.mark.parametrize("pid", ["1958-03-02", "19580302"])  # issue 18: DICOM's DA shape too
def test_an_identifier_as_patient_id_is_refused(db_url, pid):
    at = start(PAGE)
    _place_reference(at)
    at.text_input(key="measure_patient_id").input(pid)
    at.text_input(key="measure_observer").input("AB")
    at.button(key="measure_save").click().run()
    assert not at.exception
    # issue 16: one message naming the ID and the rule, not one per ROI with internal row numbers
    [error] = [html.unescape(e.value) for e in at.error]  # escaped as text by display.plain
    assert error.startswith("Not saved: The study patient ID")
    assert error.count(pid) == 1 and "looks like a date" in error
    assert "never a name, a date" in error and "row" not in error
    with MeasurementStore(db_url) as store:
        assert store.load().empty


def test_measurements_feed_the_analysis_and_the_url(db_url, demo):
    at = start(PAGE)
    _place_reference(at)
    at.text_input(key="measure_patient_id").input("DEMO-001")
    at.text_input(key="measure_observer").input("AB")
    at.button(key="measure_save").click().run()
    at.selectbox(key="measure_use_obs").set_value("AB")
    at.selectbox(key="measure_use_sess").set_value(1)
    at.button(key="measure_use").click().run()
    assert not at.exception
    dataset = at.session_state["dataset"]
    assert "MRI measurements" in dataset.name and dataset.measurements == "AB:1"
    assert at.query_params["meas"] in ("AB:1", ["AB:1"])
    with MeasurementStore(db_url) as store:
        merged = vbq.measurements.merge_into_cohort(demo[0], store, observer="AB", session=1)
    row = dataset.cohort.set_index("patient_id").loc["DEMO-001"]
    assert row["si_l1"] == merged.cohort.set_index("patient_id").loc["DEMO-001", "si_l1"]
    assert len(merged.measured) == 1
    # every page now analyses the merged data
    at.switch_page("app_pages/groups.py").run()
    assert not at.exception
    at.switch_page(PAGE).run()
    at.button(key="measure_stop").click().run()
    assert at.session_state["dataset"].measurements == ""
    assert "meas" not in at.query_params


def test_a_link_with_measurements_puts_them_in_use(db_url):
    with MeasurementStore(db_url) as store:
        store.save([vbq.measurements.ROIMeasurement("DEMO-001", "AB", 1, lv, si)
                    for lv, si in [("L1", 300.0), ("L2", 320.0), ("L3", 310.0), ("L4", 330.0),
                                   ("CSF", 110.0)]])
    at = start(query={"meas": "AB:1"})
    assert not at.exception
    assert at.session_state["dataset"].measurements == "AB:1"
    bad = start(query={"meas": "ZZ:9"})
    assert not bad.exception
    assert bad.session_state["dataset"].measurements == ""
    assert any("could not be used" in w.value for w in bad.warning)


def _texts(at) -> str:
    """Everything the page holds: every element's message, and every table's cells."""
    parts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            # as UTF-8 (str(proto) writes non-ASCII as octal escapes) and as a reader sees it
            # (`ui.safe.text` writes punctuation as character references: 15&#46;01&#46;1980)
            shown = text_format.MessageToString(proto, as_utf8=True)
            parts.append(html.unescape(shown).replace("\u2060", ""))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    parts += [d.value.to_csv() for d in at.dataframe]
    return "\n".join(parts)


def test_planted_identifiers_reach_nothing_the_page_shows_or_stores(db_url):
    datasets, truth, planted = planted_series()
    searchable = {kw: texts for kw, texts in planted.items()
                  if kw == "private" or dictionary_VR(tag_for_keyword(kw)) not in UNSEARCHABLE}
    assert len(searchable) > 180
    raw = phantom.series_bytes(datasets)
    series = imaging.load_series(raw)
    at = start(PAGE)
    at.radio(key="measure_source").set_value("Upload DICOM").run()
    uploader = at.file_uploader(key="measure_upload")
    for i, data in enumerate(raw):
        uploader.upload(f"IM{i:04d}.dcm", data)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.session_state[measure.ROIS_KEY] = {series.fingerprint: {
        lv: measure.Roi(truth.mid_slice, float(truth.centres[lv][0]),
                        float(truth.centres[lv][1]), float(truth.roi_radius_mm[lv]))
        for lv in ("L1", "L2", "L3", "L4", "CSF")}}
    at.run()
    at.text_input(key="measure_patient_id").input("DEMO-003")
    at.text_input(key="measure_observer").input("AB")
    at.button(key="measure_save").click().run()
    assert any("5 ROI reading(s) added" in s.value for s in at.success)
    with MeasurementStore(db_url) as store:
        stored = store.load().to_csv() + store.history().to_csv() + store.export_csv()
    shown = _texts(at)
    assert series.label in shown and "VBQ" in shown  # the page did show the series and its numbers
    leaks = sorted({(kw, t) for kw, texts in searchable.items() for t in texts
                    if len(t) >= 4 and (t in shown or t in stored)})
    assert not leaks
    assert np.isfinite(float(dict((m.label, m.value) for m in at.metric)["VBQ"]))


def _upload_name_cases(at) -> list[str]:
    """Upload the name cases (each its own patient, so its own study of the worklist) and go
    through the studies one by one; the page's text as each was shown."""
    at.radio(key="measure_source").set_value("Upload DICOM").run()
    uploader = at.file_uploader(key="measure_upload")
    for i, data in enumerate(phantom.series_bytes(name_case_datasets())):
        uploader.upload(f"IM{i:04d}.dcm", data)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    studies = at.selectbox(key="measure_position")
    assert len(studies.options) == len(NAME_CASES)
    shown = []
    for k in range(len(NAME_CASES)):  # each study (and so each series) shown in turn
        at.selectbox(key="measure_position").set_value(k).run()
        assert not at.exception, [e.value for e in at.exception]
        shown.append(_texts(at))
    return shown


def test_names_in_series_descriptions_reach_nothing_the_page_shows(db_url, monkeypatch):
    # issue 18: Li^Wu, Mary-Jane written "Mary Jane", a birth date as 15.01.1980, a GB18030
    # name and a name not in the header all survive the description's cleaning; by default
    # the page shows the label built from the acquisition instead, for every study
    monkeypatch.delenv(measure.DESCRIPTION_ENV, raising=False)
    at = start(PAGE)
    shown = _upload_name_cases(at)
    everything = " ".join(shown)
    assert all(f"Series {100 + k} · sagittal · T1" in everything for k in range(len(NAME_CASES)))
    for text in shown:
        assert not [t for t in NAME_LEAKS if t in text]


@pytest.mark.parametrize("case", range(len(NAME_CASES)))
def test_a_name_in_one_uploaded_series_description_never_reaches_the_page(db_url, monkeypatch,
                                                                         case):
    # the same cases, one upload of one series each, through nothing but the upload (a test
    # that runs on d0f136a's one-study page too, where "SAG T1 [removed] Li Wu" was shown)
    monkeypatch.delenv("VBQ_SHOW_SERIES_DESCRIPTION", raising=False)
    at = start(PAGE)
    at.radio(key="measure_source").set_value("Upload DICOM").run()
    datasets = name_case_datasets()[3 * case:3 * case + 3]
    uploader = at.file_uploader(key="measure_upload")
    for i, data in enumerate(phantom.series_bytes(datasets)):
        uploader.upload(f"IM{i:04d}.dcm", data)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = _texts(at)
    assert "sagittal" in shown  # the series is shown
    assert not [t for t in NAME_CASES[case][-1] if t in shown]


def test_the_files_own_descriptions_are_shown_only_when_the_server_opts_in(db_url, monkeypatch):
    monkeypatch.setenv(measure.DESCRIPTION_ENV, "1")
    at = start(PAGE)
    everything = " ".join(_upload_name_cases(at))
    assert "Rossi Maria" in everything and "王小明" in everything


def test_a_save_while_another_program_holds_the_write_lock_is_a_message(db_url, monkeypatch):
    # issue 18: a save while another process held the write lock past the timeout raised an
    # uncaught OperationalError; here a second connection holds it and the store waits 0.5 s
    import sqlite3

    import vbq.measurements._store

    monkeypatch.setattr(vbq.measurements._store, "BUSY_TIMEOUT_S", 0.5)
    at = start(PAGE)
    _place_reference(at)
    at.text_input(key="measure_patient_id").input("DEMO-004")
    at.text_input(key="measure_observer").input("AB")
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the database's write lock
    try:
        at.button(key="measure_save").click().run()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not at.exception, [e.value for e in at.exception]
    error = html.unescape(" ".join(e.value for e in at.error))
    assert error.startswith("Not saved: the measurement database is busy") and "0.5 s" in error
    assert "OperationalError" not in error
    at.button(key="measure_save").click().run()  # the lock released: the same save goes through
    assert any("5 ROI reading(s) added" in s.value for s in at.success)


def test_a_damaged_database_file_is_a_message_and_the_session_goes_on(db_url, tmp_path):
    # issue 18: a database file damaged on disk raised an uncaught DatabaseError
    path = Path(db_url.removeprefix("sqlite:///"))
    with MeasurementStore(db_url) as store:
        store.save([vbq.measurements.ROIMeasurement("DEMO-001", "AB", 1, lv, 300.0)
                    for lv in ("L1", "L2", "L3", "L4", "CSF")])
    for extra in path.parent.glob(path.name + "-*"):  # (the WAL, if any, left behind)
        extra.unlink()
    data = bytearray(path.read_bytes())
    data[:100] = b"this is no longer a database file " * 3  # the header
    path.write_bytes(bytes(data))
    at = start(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    error = html.unescape(" ".join(e.value for e in at.error))
    assert "the measurement database file is damaged" in error
    assert str(tmp_path) not in _texts(at) and "DatabaseError" not in error
    at.switch_page("app_pages/reliability.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("app_pages/groups.py").run()  # the rest of the session works
    assert not at.exception and not at.error


def test_the_database_url_comes_from_secrets_without_the_environment_variable(tmp_path,
                                                                             monkeypatch):
    monkeypatch.delenv(measure.URL_ENV, raising=False)
    url = f"sqlite:///{tmp_path / 'from_secrets.sqlite'}"
    from streamlit.testing.v1 import AppTest

    from .conftest import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets["connections"] = {"measurements": {"url": url}}
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert any("secrets.toml" in c.value for c in at.caption)
    _place_reference(at)
    at.text_input(key="measure_patient_id").input("DEMO-009")
    at.text_input(key="measure_observer").input("EF")
    at.button(key="measure_save").click().run()
    with MeasurementStore(url) as store:
        assert set(store.load()["patient_id"]) == {"DEMO-009"}


@pytest.mark.parametrize("configured", [True, False])
def test_the_page_never_shows_where_the_database_file_is(configured, tmp_path, monkeypatch):
    # issue 18: the server's path of the SQLite file is not the user's business; issue 17: the
    # default file is in the per-user data folder (VBQ_DATA_DIR), never inside the package
    if configured:
        monkeypatch.setenv(measure.URL_ENV, f"sqlite:///{tmp_path / 'lab.sqlite'}")
    else:
        monkeypatch.delenv(measure.URL_ENV, raising=False)
        monkeypatch.setenv("VBQ_DATA_DIR", str(tmp_path / "userdata"))
    at = start(PAGE)
    _saved(at)
    shown = _texts(at)
    for secret in (str(tmp_path), "sqlite:", ".sqlite", "site-packages"):
        assert secret not in shown  # (d0f136a showed the file's path)
    assert any("the lab's measurement database (SQLite" in c.value for c in at.caption)
    if not configured:
        assert (tmp_path / "userdata" / "measurements.sqlite").exists()


def test_an_upload_stays_in_its_own_session(db_url):
    datasets, _ = phantom.make_series(seed=1, n_slices=3)
    first = start(PAGE)
    first.radio(key="measure_source").set_value("Upload DICOM").run()
    uploader = first.file_uploader(key="measure_upload")
    for i, data in enumerate(phantom.series_bytes(datasets)):
        uploader.upload(f"IM{i:04d}.dcm", data)
    first.run()
    assert any("· 3 slice" in m.value for m in first.markdown)
    second = start(PAGE)  # another user of the same server (same process, same caches)
    second.radio(key="measure_source").set_value("Upload DICOM").run()
    assert not second.exception
    assert any("Upload the DICOM files" in i.value for i in second.info)
    assert not any("· 3 slice" in m.value for m in second.markdown)
    # its own images (`ui.measure.session_images`), not the first session's
    assert second.session_state[measure.IMAGES_KEY] != first.session_state[measure.IMAGES_KEY]


def _saved(at, patient="DEMO-001", observer="AB"):
    _place_reference(at)
    at.text_input(key="measure_patient_id").input(patient)
    at.text_input(key="measure_observer").input(observer)
    at.button(key="measure_save").click().run()
    assert any("5 ROI reading(s) added" in s.value for s in at.success)


def test_deletion_needs_a_reason_and_a_confirmation_and_keeps_history(db_url):
    at = start(PAGE)
    _saved(at)
    assert at.button(key="measure_delete").disabled
    at.text_input(key="measure_delete_reason").input("wrong patient")
    at.checkbox(key="measure_delete_sure").check().run()
    assert not at.button(key="measure_delete").disabled
    at.button(key="measure_delete").click().run()
    assert not at.exception
    with MeasurementStore(db_url) as store:
        assert store.load().empty
        history = store.history()
    assert len(history) == 5 and set(history["reason"]) == {"wrong patient"}


def test_csv_import_round_trip_and_a_bad_file_reported_by_row_and_column(db_url, tmp_path):
    at = start(PAGE)
    _saved(at)
    with MeasurementStore(db_url) as store:
        exported = store.export_csv()
    bad = exported.replace(",AB,", ",A B!,", 1)  # an observer code with a space and a "!"
    at.file_uploader(key="measure_import").upload("bad.csv", bad.encode(), "text/csv")
    at.run()
    at.button(key="measure_import_go").click().run()
    assert not at.exception
    assert any("Nothing was imported" in e.value for e in at.error)
    problems = next(d.value for d in at.dataframe if "row" in d.value.columns)
    assert (problems["row"] == 2).any() and problems["column"].str.contains("observer").any()
    fresh = tmp_path / "fresh.sqlite"
    with MeasurementStore(f"sqlite:///{fresh}") as other:
        assert other.import_csv(exported).inserted == 5  # the page's export imports elsewhere


def _flair_upload(at):
    """Upload a T1 FLAIR (inversion recovery) phantom series and place the reference ROIs."""
    datasets, truth = phantom.make_series(seed=2, n_slices=5)
    for ds in datasets:
        ds.ScanningSequence = ["SE", "IR"]
        ds.InversionTime = 860
    raw = phantom.series_bytes(datasets)
    series = imaging.load_series(raw)
    at.radio(key="measure_source").set_value("Upload DICOM").run()
    uploader = at.file_uploader(key="measure_upload")
    for i, data in enumerate(raw):
        uploader.upload(f"IM{i:04d}.dcm", data)
    at.run()
    at.session_state[measure.ROIS_KEY] = {series.fingerprint: {
        lv: measure.Roi(truth.mid_slice, float(truth.centres[lv][0]),
                        float(truth.centres[lv][1]), float(truth.roi_radius_mm[lv]))
        for lv in ("L1", "L2", "L3", "L4", "CSF")}}
    at.run()
    assert not at.exception
    return series


def test_a_flagged_series_is_named_again_at_save_and_stored_with_the_reading(db_url):
    # issue 16: a T1 FLAIR reading was stored with TR/TE only, its flags lost
    at = start(PAGE)
    series = _flair_upload(at)
    assert series.has_flag("not_validated_sequence")
    saving = [w.value for w in at.warning if "saved with its series' flags" in w.value]
    assert len(saving) == 1 and "unvalidated sequence (e.g. T1 FLAIR)" in html.unescape(saving[0])
    at.text_input(key="measure_patient_id").input("DEMO-001")
    at.text_input(key="measure_observer").input("AB")
    at.button(key="measure_save").click().run()
    with MeasurementStore(db_url) as store:
        rows = store.load()
        exported = store.export_csv()
    codes = ";".join(f.code for f in series.flags)
    assert set(rows["series_flags"]) == {codes} and set(rows["ti_ms"]) == {860.0}
    assert set(rows["roi_source"]) == {"manual"} and not rows["blinded"].any()
    assert codes in exported


def _store_readings(url):
    R = vbq.measurements.ROIMeasurement
    flair = "not_validated_sequence"
    sis = [("L1", 300.0), ("L2", 320.0), ("L3", 310.0), ("L4", 330.0), ("CSF", 110.0)]
    with MeasurementStore(url) as store:
        store.save([R("DEMO-001", "AB", 1, lv, si, series_flags=flair) for lv, si in sis])
        store.save([R("DEMO-002", "AB", 1, lv, si) for lv, si in sis])
        store.save([R("DEMO-002", "CD", 1, lv, si + 50) for lv, si in sis])


def test_the_default_is_one_primary_reading_and_flagged_ones_are_marked_or_left_out(db_url,
                                                                                    demo):
    _store_readings(db_url)
    at = start(PAGE)
    assert at.radio(key="measure_use_combine").value == "primary"
    assert at.selectbox(key="measure_use_obs").value == "AB"  # the first observer
    assert at.selectbox(key="measure_use_sess").value == 1
    assert any("no other observer's or session's reading" in c.value for c in at.caption)
    flagged = next(d.value for d in at.dataframe if "flags" in d.value.columns)
    assert flagged["patient"].tolist() == ["DEMO-001"]
    at.button(key="measure_use").click().run()
    assert not at.exception
    assert at.session_state["dataset"].measurements == "AB:1"
    report = at.session_state[measure.MERGE_REPORT_KEY]
    expected = vbq.measurements.merge_into_cohort(demo[0], MeasurementStore(db_url))
    assert report.measured == expected.measured == ("DEMO-001", "DEMO-002")
    assert report.flagged == ("DEMO-001",)
    assert any(report.rules in t.value for t in at.text)  # the rules, on screen
    merge = next(d.value for d in at.dataframe if "readings combined" in d.value.columns)
    assert "T1 FLAIR" in merge.set_index("patient").loc["DEMO-001", "series flags"]
    assert any("read on a flagged series" in w.value for w in at.sidebar.warning)
    # leave them out
    at.checkbox(key="measure_use_unflagged").check().run()
    at.button(key="measure_use").click().run()
    assert at.session_state["dataset"].measurements == "AB:1:unflagged"
    report = at.session_state[measure.MERGE_REPORT_KEY]
    assert report.measured == ("DEMO-002",) and report.left_out_flagged == ("DEMO-001",)
    assert not any("read on a flagged series" in w.value for w in at.sidebar.warning)
    # the mean stays an option
    at.radio(key="measure_use_combine").set_value("mean").run()
    at.checkbox(key="measure_use_unflagged").uncheck().run()
    at.button(key="measure_use").click().run()
    assert at.session_state["dataset"].measurements == "*:mean"
    row = at.session_state["dataset"].cohort.set_index("patient_id").loc["DEMO-002"]
    assert row["si_l1"] == 325.0  # AB's 300 and CD's 350


def test_a_link_can_leave_flagged_readings_out(db_url):
    _store_readings(db_url)
    at = start(query={"meas": "AB:1:unflagged"})
    assert not at.exception
    assert at.session_state["dataset"].measurements == "AB:1:unflagged"
    assert at.session_state[measure.MERGE_REPORT_KEY].measured == ("DEMO-002",)
    bad = start(query={"meas": "AB:1:whatever"})
    assert bad.session_state["dataset"].measurements == ""


def test_stored_readings_show_blank_text_cells_not_none():
    # issue 16: the stored-readings table showed "None" in the CSF-level column of every
    # vertebra's row
    import pandas as pd

    from ui import display

    frame = pd.DataFrame({"patient_id": ["P1", "P1"], "level": ["L1", "CSF"],
                          "csf_level": [None, "L3"], "slice_index": [5, 5],
                          "si_mean": [300.0, 110.0]})
    shown = display.measurement_frame(frame)
    csf = shown[display.MEASUREMENT_LABELS.get("csf_level", "csf_level")]
    assert csf.tolist() == ["", "L3"]
    assert shown[display.MEASUREMENT_LABELS.get("si_mean", "si_mean")].tolist() == [300.0, 110.0]
