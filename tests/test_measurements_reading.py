"""The measurement CSV is read by the one parser of `vbq.io`, against the columns declared in
`vbq.schema.MEASUREMENT_COLUMNS`: the same decoding, delimiters, missing and yes/no words and
problem reporting (file, row, column) as a cohort file (issue 17). Each test below failed on the
measurement module's own reader (UTF-8 only, true/false words of its own, `_csv.Error` on a long
cell), except where it says otherwise."""

from __future__ import annotations

import pandas as pd
import pytest

import vbq
from vbq.errors import InputError
from vbq.io import parse_column, read_table
from vbq.measurements import MEASUREMENT_COLUMNS, MeasurementStore, read_measurements
from vbq.schema import MEASUREMENT_COLUMNS as DECLARED
from vbq.schema import measurement_column

HEADER = "patient_id;observer;session;level;si_mean;excluded;manufacturer"
ROWS = ["P1;AB;1;L1;300,5;nein;Müller – Erlangen",
        "P1;AB;1;L2;310;ja;Müller – Erlangen",
        "P1;AB;1;CSF;110;;Müller – Erlangen"]


def _cp1252() -> bytes:
    return "\r\n".join([HEADER, *ROWS, ""]).encode("cp1252")


def test_every_stored_column_is_declared_in_the_schema_and_nothing_else_reads_them():
    declared = {c.name: c for c in DECLARED}
    assert set(MEASUREMENT_COLUMNS) <= set(declared)
    # the optional columns the provenance work adds are declared, with their rules
    for name, kind in (("series_flags", "text"), ("manufacturer", "text"), ("model_name", "text"),
                       ("scanning_sequence", "text"), ("sequence_variant", "text"),
                       ("ti_ms", "float"), ("pixel_bandwidth_hz", "float"),
                       ("slice_thickness_mm", "float"), ("roi_source", "category"),
                       ("blinded", "bool")):
        assert declared[name].kind == kind, name
    assert declared["roi_source"].categories == ("suggested", "moved", "manual")
    assert declared["pixel_bandwidth_hz"].low == 0 and declared["pixel_bandwidth_hz"].low_open
    assert {c.name for c in DECLARED if c.required} == {
        "patient_id", "observer", "session", "level", "si_mean"}


def test_a_cp1252_semicolon_file_with_ja_nein_is_read_as_a_cohort_file_is():
    data = _cp1252()
    table, report = read_measurements(data)
    assert report.ok, report.summary()
    assert table["excluded"].tolist() == [False, True, False]
    assert table["si_mean"].tolist() == [300.5, 310.0, 110.0]
    assert table.loc[2, "csf_level"] == "L3"
    # the same warnings, in the same words, as a cp1252 cohort file with decimal commas
    assert [(p.severity, p.row, p.column, p.message) for p in report.problems] == [
        ("warning", None, None, "file is not UTF-8; read as cp1252"),
        ("warning", 2, "si_mean", "decimal comma read as a decimal point")]
    cohort = (vbq.demo.load()[0].head(3).assign(bmi=["24,5", "25", "26"])
              .to_csv(index=False, sep=";").replace("patient_id", "Patiënt ID").encode("cp1252"))
    _, cohort_report = read_table(cohort, "cohort", name="c.csv")
    assert {p.message for p in cohort_report.warnings} >= {
        "file is not UTF-8; read as cp1252", "decimal comma read as a decimal point"}
    # the text of the file is decoded, not only its numbers
    table, _ = read_table(data, "measurements", name="m.csv")
    assert table["manufacturer"].tolist() == ["Müller – Erlangen"] * 3


def test_missing_words_and_their_warning_are_the_cohorts():
    text = (b"patient_id,observer,session,level,si_mean,si_median\n"
            b"P1,AB,1,L1,300,n/a\nP1,AB,1,L2,300,-\n")
    table, report = read_measurements(text)
    assert report.ok and table["si_median"].isna().all()
    (warning,) = report.warnings
    assert (warning.row, warning.column) == (2, "si_median")
    assert warning.message == "'n/a', '-' read as missing in rows 2, 3"  # the cohort's words
    # a blank in a column every reading needs: an error naming row and column
    _, report = read_measurements(b"patient_id,observer,session,level,si_mean\nP1,AB,1,L1,NA\n")
    assert [(p.row, p.column) for p in report.errors] == [(2, "si_mean")]
    assert "every row needs a value" in report.errors[0].message


def test_a_200_kb_cell_is_a_named_problem_not_a_crash():
    big = "x" * 200_000
    for cell_row in (2, 3, 20):  # in the first lines (the csv module reads them) and below
        lines = ["patient_id,observer,session,level,si_mean"]
        lines += [f"P{i},AB,1,L1,300" for i in range(1, 25)]
        lines[cell_row - 1] = f"P{cell_row},{big},1,L1,300"
        table, report = read_measurements("\n".join(lines).encode())
        assert [(p.row, p.column) for p in report.errors] == [(cell_row, "observer")], cell_row
        assert report.errors[0].message == "longer than 32 characters"
        assert str(report.errors[0]).startswith("error: measurements.csv, row")
        with pytest.raises(InputError, match="measurements.csv"):
            MeasurementStore("sqlite://").import_csv("\n".join(lines).encode())
    # a file the csv module must read (a quoted line break above the header) still names it
    data = ('"note\nabove"\npatient_id,observer,session,level,si_mean\n'
            f"P1,{big},1,L1,300\n").encode()
    _, report = read_measurements(data)
    assert not report.ok
    assert "line 4 has a cell of more than 131,072 characters" in report.errors[0].message


def test_the_new_optional_columns_are_read_by_their_declarations():
    text = (b"patient_id,observer,session,level,si_mean,series_flags,manufacturer,model_name,"
            b"pixel_bandwidth_hz,roi_source,blinded\n"
            b"P1,AB,1,L1,300,not_t1; contrast,SIEMENS,Avanto,130,Moved,yes\n"
            b"P1,AB,1,L2,300,,GE,Signa,0,guessed,maybe\n"
            b"P1,AB,1,L3,300,a b,,,,,\n")
    table, report = read_table(text, "measurements", name="m.csv")
    row = table.iloc[0]
    assert (row["series_flags"], row["manufacturer"], row["pixel_bandwidth_hz"],
            row["roi_source"], row["blinded"]) == ("not_t1;contrast", "SIEMENS", 130.0, "moved",
                                                   True)
    got = {(p.row, p.column): p.message for p in report.errors}
    assert set(got) == {(3, "pixel_bandwidth_hz"), (3, "roi_source"), (3, "blinded"),
                        (4, "series_flags")}
    high = measurement_column("pixel_bandwidth_hz").high
    assert got[(3, "pixel_bandwidth_hz")] == (f"outside the plausible range: above 0, up to "
                                              f"{high:g} Hz/pixel")
    assert got[(3, "roi_source")] == "expected one of suggested, moved, manual"
    # the store keeps its columns; the optional ones are read, checked, and not stored (yet)
    table, _ = read_measurements(text.replace(b",0,guessed,maybe", b",120,manual,no")
                                 .replace(b"a b", b"x"))
    assert table.columns.tolist() == list(MEASUREMENT_COLUMNS)


def test_one_cell_is_parsed_by_the_same_rules():
    values, report = parse_column([" csf", "l2", "L6", None], measurement_column("level"))
    assert values.tolist()[:2] == ["CSF", "L2"]
    assert [(p.row, p.column, p.message) for p in report.errors] == [
        (3, "level", "expected one of L1, L2, L3, L4, CSF"),
        (4, "level", "empty; every row needs a value in this column")]
    stamps, report = parse_column(["2026-01-31T14:05:00+01:00", "31/01/2026", ""],
                                  measurement_column("measured_at"))
    assert str(stamps[0]) == "2026-01-31 13:05:00+00:00" and stamps[1:].isna().all()
    assert [p.row for p in report.errors] == [2]
    assert isinstance(stamps.dtype, pd.DatetimeTZDtype)
