"""The hostile and odd files of `tests/data/bad/`: each gives the user the message EXPECTED.csv
lists, naming the file (and the row and column where there is one), keeps the rest of the data,
and never raises anything but `InputError`. Large files are built here, not committed."""

from __future__ import annotations

import csv
import importlib.util
import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import vbq
from vbq.io import read_table

BAD = Path(__file__).resolve().parent / "data" / "bad"
with open(BAD / "EXPECTED.csv", newline="", encoding="utf-8") as fh:
    EXPECTED = list(csv.DictReader(fh))

_spec = importlib.util.spec_from_file_location("make_bad_files", BAD / "make_bad_files.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)


def test_the_corpus_is_complete_and_matches_its_generator():
    committed = {p.name for p in BAD.iterdir()
                 if p.is_file() and p.suffix != ".py" and p.name != "EXPECTED.csv"}
    assert len(EXPECTED) >= 30
    assert committed == {e["file"] for e in EXPECTED}
    for name, data in make.files().items():  # the committed files are what the script writes
        if data[:2] != b"PK":  # (workbooks carry their creation time)
            assert (BAD / name).read_bytes() == data, name


def _check(name: str, data: bytes, kind: str, severity: str, message: str,
           row: int | None = None, column: str | None = None, rows_kept: int | None = None):
    table, report = read_table(data, kind, name=name)
    if severity == "ok":
        assert report.ok, report.summary()
        assert not [p for p in report.warnings if "read as missing" not in p.message], \
            report.summary()
    else:
        found = [p for p in report.problems if p.severity == severity and message in p.message]
        assert found, f"{name}: no {severity} containing {message!r} in\n{report.summary()}"
        p = found[0]
        assert str(p).startswith(f"{severity}: {name}")  # names the file
        if row is not None:
            assert p.row == row, str(p)
        if column:
            assert p.column and p.column.split(" [")[0] == column, str(p)
    if rows_kept is not None:
        assert len(table) == rows_kept, report.summary()
    if severity == "error":  # the public loader raises the named error, nothing else
        loader = vbq.io.load_cohort if kind == "cohort" else vbq.io.load_dxa
        with pytest.raises(vbq.InputError, match=name.replace(".", r"\.")):
            loader(data, name=name)
    return table, report


@pytest.mark.parametrize("case", EXPECTED, ids=[e["file"] for e in EXPECTED])
def test_each_bad_file_gives_its_message(case):
    _check(case["file"], (BAD / case["file"]).read_bytes(), case["kind"], case["severity"],
           case["message"], int(case["row"]) if case["row"] else None, case["column"] or None,
           int(case["rows_kept"]) if case["rows_kept"] else None)


def test_an_xlsx_bomb_is_refused_from_the_zip_directory_without_parsing(monkeypatch):
    bomb = make.xlsx_bomb(40)
    assert len(bomb) < 400_000  # 40 MB of sheet XML in a few hundred KB
    import openpyxl

    def no_parse(*a, **k):  # refused before openpyxl sees the file
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", no_parse)
    _check("bomb.xlsx", bomb, "cohort", "error",
           "unpacks to 40 MB from", rows_kept=0)
    with pytest.raises(vbq.InputError, match="bomb.xlsx: .*over 100 times its packed size"):
        vbq.io.list_sheets(bomb, name="bomb.xlsx")


def test_a_workbook_over_the_uncompressed_limit_is_refused(monkeypatch):
    data = (BAD / "cohort_hidden_sheet.xlsx").read_bytes()
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(vbq.io._source, "MAX_XLSX_UNCOMPRESSED", total - 1)
    _check("big.xlsx", data, "cohort", "error", "over the limit of", rows_kept=0)


def test_row_and_column_limits_are_named(monkeypatch):
    cohort, _ = make.many_rows(300)
    monkeypatch.setattr(vbq.io._source, "MAX_ROWS", 200)
    _check("rows.csv", cohort, "cohort", "error", "more than 200 rows below its header, the "
           "limit", rows_kept=0)
    xlsx = make._xlsx({"cohort": make._numbers([r.split(",") for r in
                                                cohort.decode().splitlines()[:250]])})
    _check("rows.xlsx", xlsx, "cohort", "error", "declares 250 rows, over the limit of 200 below "
           "its header")


def _three_ways(n: int) -> dict[str, bytes]:
    """A cohort of `n` patients under a header and a title row, as the fast CSV reader, the csv
    module (a quoted line break in the title sends it there) and an XLSX read it."""
    cohort, _ = make.many_rows(n)
    lines = cohort.decode().splitlines()
    return {"fast.csv": ("VBQ cohort\n" + cohort.decode()).encode(),
            "module.csv": ('"VBQ\ncohort"\n' + cohort.decode()).encode(),
            "sheet.xlsx": make._xlsx({"cohort": [["VBQ cohort"]] + make._numbers(
                [r.split(",") for r in lines])})}


@pytest.mark.parametrize("name", ["fast.csv", "module.csv", "sheet.xlsx"])
def test_the_row_limit_counts_patients_not_the_header_or_title(name, monkeypatch):
    # issue 18: a file of exactly 500,000 patients (vbq.io.MAX_ROWS) was refused because its
    # header row counted; the limit stands for 200 here, the boundary is the same
    assert vbq.io.MAX_ROWS == 500_000
    monkeypatch.setattr(vbq.io._source, "MAX_ROWS", 200)
    table, report = read_table(_three_ways(200)[name], "cohort", name=name)
    assert not report.errors and len(table) == 200, report.summary()
    _check(name, _three_ways(201)[name], "cohort", "error",
           "more than 200 rows below its header", rows_kept=0)


def test_five_thousand_columns_are_refused_naming_the_limit():
    _check("wide.csv", make.many_columns(5_000), "cohort", "error",
           "has 5,000 columns, over the limit of 1,000", rows_kept=0)


def test_fifty_thousand_rows_are_read_whole():
    cohort, dxa = make.many_rows(50_000)
    table, report = _check("big_cohort.csv", cohort, "cohort", "ok", "", rows_kept=50_000)
    assert report.rows[-1] == 50_001
    _check("big_dxa.csv", dxa, "dxa", "ok", "", rows_kept=50_000)


def test_a_zip_renamed_xlsx_lists_no_sheets_but_a_named_error():
    data = (BAD / "cohort_zip_renamed.xlsx").read_bytes()
    with pytest.raises(vbq.InputError, match="x.xlsx: the file is a zip archive but not"):
        vbq.io.list_sheets(data, name="x.xlsx")
    assert vbq.io.list_sheets((BAD / "cohort_csv_named.xlsx").read_bytes()) == []


def test_hidden_sheets_come_last_and_are_not_read_by_default():
    data = (BAD / "cohort_hidden_sheet.xlsx").read_bytes()
    assert vbq.io.list_sheets(data) == ["cohort", "old"]
    table, report = read_table(data, "cohort", sheet="old")
    assert len(table) == 2 and any("this sheet is hidden" in p.message for p in report.warnings)


@pytest.mark.parametrize("case", [e for e in EXPECTED if not e["file"].endswith((".xlsx", ".xls"))],
                         ids=lambda e: e["file"])
def test_the_fast_csv_reader_agrees_with_the_csv_module(case, monkeypatch):
    """pandas' C parser (the fast path) and the csv module (the fallback) give the same table
    and the same problems on every text file of the corpus and on the demo."""
    data = (BAD / case["file"]).read_bytes()
    fast = read_table(data, case["kind"], name=case["file"])
    monkeypatch.setattr(vbq.io._table, "_fast_csv_grid", lambda *a, **k: None)
    slow = read_table(data, case["kind"], name=case["file"])
    pd.testing.assert_frame_equal(fast[0], slow[0])
    assert [str(p) for p in fast[1].problems] == [str(p) for p in slow[1].problems]
    assert fast[1].rows == slow[1].rows


def test_the_fast_csv_reader_agrees_on_the_demo(monkeypatch):
    for kind in ("cohort", "dxa"):
        data = {"cohort": vbq.demo.COHORT_FILE, "dxa": vbq.demo.DXA_FILE}[kind].read_bytes()
        fast = read_table(data, kind, name="demo.csv")
        monkeypatch.setattr(vbq.io._table, "_fast_csv_grid", lambda *a, **k: None)
        slow = read_table(data, kind, name="demo.csv")
        monkeypatch.undo()
        pd.testing.assert_frame_equal(fast[0], slow[0])
        assert [str(p) for p in fast[1].problems] == [str(p) for p in slow[1].problems]
