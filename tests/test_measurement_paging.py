"""The measurement database on a lab server (issue 18): the import read in slices within stated
limits, and the paged, searched and counted queries the MRI and Reliability pages make instead
of loading the whole table.

Oracles: the same file read whole by `read_measurements` (the one parser), and pandas
group-bys of `MeasurementStore.load()` for the counts and lists."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import vbq.measurements._import as chunked
from vbq.errors import InputError
from vbq.measurements import (
    IMPORT_MAX_BYTES,
    IMPORT_MAX_ROWS,
    MeasurementStore,
    ROIMeasurement,
    read_measurements,
)

LEVELS = ("L1", "L2", "L3", "L4", "CSF")


def readings(n_patients: int, observers=("AB", "CD"), sessions=(1, 2), seed=0,
             flagged_every: int = 0) -> list[ROIMeasurement]:
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_patients):
        for obs in observers:
            for sess in sessions:
                flags = "lossy_compression" if flagged_every and p % flagged_every == 0 else None
                for lv in LEVELS:
                    rows.append(ROIMeasurement(
                        f"P{p:04d}", obs, sess, lv, float(rng.normal(300, 30)) if lv != "CSF"
                        else float(rng.normal(110, 5)), slice_index=int(rng.integers(0, 9)),
                        radius_mm=8.0, series_flags=flags))
    return rows


@pytest.fixture
def csv_text(tmp_path):
    """An export of 60 patients read twice by two observers (1,200 ROI rows, about 150 KB)."""
    store = MeasurementStore(tmp_path / "source.sqlite")
    store.save(readings(60))
    return store.export_csv()


@pytest.fixture
def small_slices(monkeypatch):
    """Slices of 8 KB, so a 150 KB file is read in about twenty."""
    monkeypatch.setattr(chunked, "_CHUNK_BYTES", 8 * 1024)


# --------------------------------------------------------------------------------------------
# the import: limits


def test_the_stated_limits():
    # the README and the import box state these figures
    assert IMPORT_MAX_BYTES == 128 * 2**20
    assert IMPORT_MAX_ROWS == 120_000


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 4096)
    monkeypatch.setattr(chunked, "IMPORT_MAX_BYTES", 4095)
    monkeypatch.setattr(chunked, "_read_source", lambda s: pytest.fail("the file was read"))
    store = MeasurementStore("sqlite://")
    with pytest.raises(InputError, match=r"big\.csv is 0\.0 MB, over the import limit") as exc:
        store.import_csv(path)
    assert "nothing was imported" in str(exc.value)
    assert store.count() == 0


def test_bytes_over_the_limit_are_refused(csv_text, monkeypatch):
    monkeypatch.setattr(chunked, "IMPORT_MAX_BYTES", len(csv_text.encode()) - 1)
    store = MeasurementStore("sqlite://")
    with pytest.raises(InputError, match="over the import limit"):
        store.import_csv(csv_text.encode())
    monkeypatch.setattr(chunked, "IMPORT_MAX_BYTES", len(csv_text.encode()))
    assert store.import_csv(csv_text.encode()).inserted == 1200  # at the limit: imported


@pytest.mark.parametrize("quoted", [False, True])
def test_a_file_over_the_row_limit_is_refused_and_nothing_saved(csv_text, monkeypatch,
                                                                small_slices, quoted):
    text = csv_text.replace("L3\n", '"L3"\n') if quoted else csv_text  # quotes: counted as read
    monkeypatch.setattr(chunked, "IMPORT_MAX_ROWS", 1199)
    store = MeasurementStore("sqlite://")
    with pytest.raises(InputError, match=r"more than 1,199 ROI rows .* nothing was imported"):
        store.import_csv(text.encode())
    assert store.count() == 0
    monkeypatch.setattr(chunked, "IMPORT_MAX_ROWS", 1200)
    assert store.import_csv(text.encode()).inserted == 1200


# --------------------------------------------------------------------------------------------
# the import: read in slices, as the whole file reads


def test_a_file_read_in_slices_reads_as_the_whole_file(csv_text, small_slices):
    whole, report = read_measurements(csv_text.encode())
    assert report.ok
    reader = chunked.ChunkedImport(csv_text.encode())
    pieces = list(reader.chunks())
    assert len(pieces) > 10  # really in slices
    from vbq.measurements._csv import _typed

    got = _typed([r for piece in pieces for r in piece])
    pd.testing.assert_frame_equal(got, whole)
    assert reader.report.ok and reader.rows == 1200


def test_problems_in_later_slices_name_the_files_own_rows(csv_text, small_slices):
    lines = csv_text.splitlines(keepends=True)

    def set_cell(row: int, column: int, value: str) -> None:  # row 1 is the header
        cells = lines[row - 1].split(",")
        cells[column] = value
        lines[row - 1] = ",".join(cells)

    set_cell(900, 3, "L6")  # the level
    set_cell(1150, 1, "A B")  # the observer
    lines.insert(1000, lines[10 - 1])  # row 1001 repeats row 10's key
    text = "".join(lines)
    whole, report = read_measurements(text.encode())
    store = MeasurementStore("sqlite://")
    with pytest.raises(InputError) as exc:
        store.import_csv(text.encode())
    got = sorted((p.row, p.column, p.message) for p in exc.value.problems)
    expected = sorted((p.row, p.column, p.message) for p in report.errors)
    assert got == expected
    assert {900, 1001, 1151} <= {p.row for p in exc.value.problems}
    assert any("the same patient_id, observer, session and level as row 10" in p.message
               for p in exc.value.problems)
    assert store.count() == 0  # the slices before the problems were rolled back


def test_a_file_with_quoted_line_breaks_is_cut_between_rows(csv_text, small_slices):
    # a quoted cell holding a line break (refused as a value, but the rows stay whole)
    lines = csv_text.splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    at = header.index("model_name")
    cells = lines[700 - 1].rstrip("\n").split(",")
    cells[at] = '"Avanto\nfit"'
    lines[700 - 1] = ",".join(cells) + "\n"
    text = "".join(lines)
    _, report = read_measurements(text.encode())
    with pytest.raises(InputError) as exc:
        MeasurementStore("sqlite://").import_csv(text.encode())
    assert sorted((p.row, p.message) for p in exc.value.problems) == sorted(
        (p.row, p.message) for p in report.errors)


def test_the_import_reports_progress_and_saves_everything(csv_text, small_slices):
    store = MeasurementStore("sqlite://")
    seen = []
    result = store.import_csv(csv_text.encode(), progress=lambda d, t: seen.append((d, t)))
    assert result.inserted == 1200 and len(result.keys) == 1200
    assert seen == sorted(seen) and seen[-1][0] == seen[-1][1] == len(csv_text.encode())
    again = store.import_csv(csv_text.encode())
    assert (again.inserted, again.corrected, again.unchanged) == (0, 0, 1200)


# --------------------------------------------------------------------------------------------
# paged queries


@pytest.fixture
def filled(tmp_path):
    store = MeasurementStore(tmp_path / "m.sqlite")
    store.save(readings(30, observers=("AB", "CD", "ab_2"), flagged_every=4))
    store.delete("P0003", observer="AB", session=1, reason="wrong patient")
    for k in range(3):
        store.save([ROIMeasurement("P0001", "CD", 2, "L1", 400.0 + k)], reason=f"moved {k}")
    return store


def _readings_oracle(table: pd.DataFrame) -> pd.DataFrame:
    return (table.groupby(["patient_id", "observer", "session"], sort=True)
            .agg(n_rois=("level", "size")).reset_index())


def test_readings_are_grouped_limited_and_counted_in_the_database(filled):
    table = filled.load()
    oracle = _readings_oracle(table)
    assert filled.count_readings() == len(oracle) == 30 * 3 * 2 - 1
    first = filled.readings(limit=25)
    assert len(first) == 25
    assert first[["patient_id", "observer", "session", "n_rois"]].values.tolist() == \
        oracle.head(25).values.tolist()
    assert filled.count() == len(table)
    everything = filled.readings()
    assert (everything["levels"] == "L1, L2, L3, L4, CSF").all()


def test_search_matches_patient_or_observer_in_any_case_and_literally(filled):
    table = filled.load()
    got = filled.readings(search="p001")
    mask = table["patient_id"].str.lower().str.contains("p001") | table["observer"].str.lower(
    ).str.contains("p001")
    assert got[["patient_id", "observer", "session"]].values.tolist() == _readings_oracle(
        table[mask])[["patient_id", "observer", "session"]].values.tolist()
    assert filled.count_readings(search="P001") == len(got) == 10 * 3 * 2
    # "_" is a character, not LIKE's any-character: only observer ab_2, not "abX2"
    assert set(filled.readings(search="b_2")["observer"]) == {"ab_2"}
    assert filled.count_readings(search="%") == 0


def test_flagged_readings_and_the_choices(filled):
    flagged = filled.readings(flagged=True)
    assert set(flagged["patient_id"]) == {f"P{p:04d}" for p in range(0, 30, 4)}
    assert filled.count_readings(flagged=True) + filled.count_readings(flagged=False) == \
        filled.count_readings()
    assert filled.observers() == ["AB", "CD", "ab_2"]
    assert filled.sessions() == [1, 2]
    assert filled.sessions(observer="CD") == [1, 2]


def test_the_history_newest_first_limited_and_counted(filled):
    whole = filled.history()
    assert filled.count_history() == len(whole) == 5 + 3
    latest = filled.history(limit=2, newest_first=True)
    assert latest["history_id"].tolist() == whole["history_id"].tolist()[::-1][:2]
    assert latest["reason"].tolist() == ["moved 2", "moved 1"]
    assert filled.count_history(search="p0003") == 5
    with pytest.raises(InputError, match="limit"):
        filled.history(limit=-1)


def test_a_patient_read_blind_is_left_out_of_every_query(filled):
    # the MRI page leaves the blinded patient out in the database (exclude_patient_id);
    # oracle: pandas on the whole table without that patient
    table = filled.load()
    rest = table[table["patient_id"] != "P0001"]
    got = filled.readings(search="p000", exclude_patient_id="P0001")
    mask = rest["patient_id"].str.lower().str.contains("p000")
    assert got[["patient_id", "observer", "session"]].values.tolist() == _readings_oracle(
        rest[mask])[["patient_id", "observer", "session"]].values.tolist()
    assert "P0001" not in set(got["patient_id"]) and len(got) == 9 * 3 * 2 - 1
    assert filled.count_readings(search="p000", exclude_patient_id="P0001") == len(got)
    assert filled.count_readings(exclude_patient_id="P0001") == len(_readings_oracle(rest))
    assert filled.count(exclude_patient_id="P0001") == len(rest)
    assert set(filled.readings(flagged=True, exclude_patient_id="P0000")["patient_id"]) == {
        f"P{p:04d}" for p in range(4, 30, 4)}
    history = filled.history()
    assert filled.count_history(exclude_patient_id="P0001") == 5  # P0003's deletion only
    assert set(filled.history(exclude_patient_id="P0001", limit=50)["patient_id"]) == {"P0003"}
    assert len(history[history["patient_id"] == "P0001"]) == 3


def test_an_older_database_gets_the_new_index(tmp_path):
    import sqlalchemy as sa

    path = tmp_path / "m.sqlite"
    MeasurementStore(path).close()
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_vbq_roi_measurements_observer")
        conn.exec_driver_sql("DROP INDEX ix_vbq_roi_measurements_flagged")
    MeasurementStore(path).close()
    names = {ix["name"] for ix in sa.inspect(engine).get_indexes("vbq_roi_measurements")}
    assert {"ix_vbq_roi_measurements_observer", "ix_vbq_roi_measurements_flagged"} <= names


# --------------------------------------------------------------------------------------------
# the generation: what the app's caches of counts and choices are keyed by


def test_every_write_and_only_a_write_changes_the_generation(tmp_path, csv_text):
    store = MeasurementStore(tmp_path / "m.sqlite")
    seen = [store.generation()]
    assert len(seen[0]) == 32 and int(seen[0], 16) >= 0

    def changed() -> bool:
        now = store.generation()
        new = now not in seen
        seen.append(now)
        return new

    store.count(), store.readings(limit=5), store.observers(), store.load(), store.history()
    assert not changed()  # reads change nothing
    store.save(readings(2))
    assert changed()
    store.save(readings(2))  # the same values again: unchanged rows, still a write
    assert changed()
    store.save([ROIMeasurement("P0000", "AB", 1, "L1", 1.0)], reason="moved")
    assert changed()
    store.delete("P0001", observer="AB", session=1, reason="wrong patient")
    assert changed()
    store.import_csv(csv_text)
    assert changed()
    before = store.generation()
    with pytest.raises(InputError):  # refused: nothing written, the generation kept
        store.import_csv(csv_text.replace("AB,1,L1", "AB,x,L1", 1))
    with pytest.raises(InputError):
        store.save([ROIMeasurement("P0000", "AB", 1, "L9", 1.0)])
    assert store.generation() == before


def test_a_write_by_another_process_store_changes_the_generation_seen_here(tmp_path):
    # two stores on one file stand for two server processes (or a notebook beside the app)
    here, there = MeasurementStore(tmp_path / "m.sqlite"), MeasurementStore(tmp_path / "m.sqlite")
    before = here.generation()
    there.save(readings(1))
    assert here.generation() != before and here.generation() == there.generation()
    # two databases never share a generation, even when both are new and empty
    assert MeasurementStore(tmp_path / "n.sqlite").generation() != MeasurementStore(
        "sqlite://").generation()


def test_a_version_2_database_gets_a_generation_and_version_3(tmp_path):
    import sqlalchemy as sa

    path = tmp_path / "m.sqlite"
    MeasurementStore(path).save(readings(1))
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # as version 2 left it: no generation row
        conn.exec_driver_sql("DELETE FROM vbq_meta WHERE key = 'generation'")
        conn.exec_driver_sql("UPDATE vbq_meta SET value = '2' WHERE key = 'schema_version'")
    store = MeasurementStore(path)
    assert store.schema_version == 3 and len(store.generation()) == 32
    assert store.count() == 20
