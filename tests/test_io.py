"""vbq.io: reading CSV/XLSX with every problem named by file, sheet, row and column."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import vbq
from vbq.io import load_cohort, load_dxa, read_table

from .factories import make_tables

ROOT = Path(__file__).resolve().parent.parent


def _csv(frame: pd.DataFrame, **kw) -> bytes:
    return frame.to_csv(index=False, **kw).encode()


def _problems(report, severity="error"):
    return [p for p in report.problems if p.severity == severity]


def test_round_trip_csv_path_and_filelike(tmp_path):
    cohort, dxa = make_tables(10)
    path = tmp_path / "cohort.csv"
    path.write_bytes(_csv(cohort))
    t1, r1 = load_cohort(path)
    t2, _ = load_cohort(io.BytesIO(_csv(cohort)), name="cohort.csv")
    assert r1.ok and r1.source == "cohort.csv" and r1.n_rows == 10
    pd.testing.assert_frame_equal(t1, t2)
    assert t1["si_l1"].tolist() == cohort["si_l1"].tolist()
    assert t1["collapsed_l1"].dtype == "boolean"
    assert t1["facet_l1"].dtype == "Int64"
    assert list(r1.rows) == list(range(2, 12))
    d, rd = load_dxa(io.BytesIO(_csv(dxa)))
    assert rd.ok and list(d.columns)[:3] == ["patient_id", "bmd_l1_l4", "t_l1_l4"]


def test_synonyms_and_units_in_headers():
    raw = (
        "Study ID,Age (years),Gender,L1 SI,L2 SI,L3 SI,L4 SI,CSF SI,Primary diagnosis\n"
        "A1,66,female,301.5,310,320,330,110,Lumbar spinal stenosis\n"
        "A2,71,male,280,290,300,310,105,degenerative slippage\n"
    )
    t, r = load_cohort(raw.encode(), name="c.csv")
    assert r.mapping["Study ID"] == "patient_id" and r.mapping["Age (years)"] == "age"
    assert t["sex"].tolist() == ["F", "M"]
    assert t["diagnosis"].tolist() == ["stenosis", "spondylolisthesis"]
    dx = ("ID,L1-4 BMD (g/cm2),L1-L4 T-score,Femoral neck T-score,Total hip BMD\n"
          "A1,1.01,-0.7,-1.2,0.9\n")
    d, rd = load_dxa(dx.encode())
    assert rd.mapping == {"ID": "patient_id", "L1-4 BMD (g/cm2)": "bmd_l1_l4",
                          "L1-L4 T-score": "t_l1_l4", "Femoral neck T-score": "t_femoral_neck",
                          "Total hip BMD": "bmd_total_hip"}


def test_semicolon_csv_with_decimal_commas_is_read_with_warnings():
    cohort, _ = make_tables(4)
    text = cohort.to_csv(index=False, sep=";", decimal=",")
    t, r = load_cohort(text.encode(), name="eu.csv")
    assert r.ok
    np.testing.assert_allclose(t["si_l1"], cohort["si_l1"])
    warns = {p.column: p for p in r.warnings if "decimal comma" in p.message}
    assert warns["si_l1"].row == 2  # one warning per column, at its first such cell
    assert "in 3 more cell(s)" in warns["si_l1"].message


def test_every_cell_problem_has_file_row_and_column():
    cohort, dxa = make_tables(6)
    cohort = cohort.astype(object)
    cohort.loc[0, "age"] = "sixty"  # row 2
    cohort.loc[1, "si_l2"] = -4.0  # row 3
    cohort.loc[2, "facet_l3"] = 5  # row 4
    cohort.loc[3, "sex"] = "X"  # row 5
    cohort.loc[4, "collapsed_l1"] = "maybe"  # row 6
    cohort.loc[5, "patient_id"] = "T001"  # row 7 duplicates row 2
    _, r = read_table(_csv(cohort), "cohort", name="bad.csv")
    found = {(p.row, p.column.split(" ")[0], p.message.split(" (")[0]) for p in r.errors}
    assert (2, "age", "not a number") in found
    assert (3, "si_l2", "signal intensity cannot be negative") in found
    assert (4, "facet_l3", "outside the plausible range 0 to 3") in found
    assert (5, "sex", "expected one of F, M") in found
    assert (6, "collapsed_l1", "expected yes/no") in found
    assert any(p.row == 2 and "duplicated patient_id 'T001' (rows 2, 7)" in p.message
               for p in r.errors)
    assert all(p.file == "bad.csv" for p in r.problems)
    with pytest.raises(vbq.io.InputError) as exc:
        load_cohort(_csv(cohort), name="bad.csv")
    assert len(exc.value.problems) == len(r.errors)
    assert "bad.csv, row 2, column age: not a number (value 'sixty')" in str(exc.value)


def test_dxa_ranges_mg_per_cm2_and_t_scores():
    _, dxa = make_tables(3)
    dxa.loc[0, "bmd_l1_l4"] = 985.0
    dxa.loc[1, "t_l1_l4"] = -9.1
    _, r = read_table(_csv(dxa), "dxa", name="d.csv")
    msgs = {(p.row, p.message) for p in r.errors}
    assert (2, "BMD looks like mg/cm2; enter g/cm2 (divide by 1000)") in msgs
    assert (3, "outside the plausible range -7 to 7") in msgs


def test_roman_ucla_grades_and_osteophyte_letters():
    cohort, _ = make_tables(2)
    cohort = cohort.astype(object)
    cohort.loc[0, "ucla_l1"] = "III"
    cohort.loc[1, "ucla_l1"] = "iv"
    cohort.loc[0, "osteophyte_dir_l1"] = "c"
    t, r = load_cohort(_csv(cohort))
    assert t["ucla_l1"].tolist() == [3, 4]
    assert t.loc[0, "osteophyte_dir_l1"] == "C"


def test_empty_header_only_and_missing_columns():
    _, r = read_table(b"", "cohort", name="e.csv")
    assert [p.message for p in r.errors] == ["file is empty"]
    _, r = read_table(b"patient_id,age,sex\n", "cohort", name="h.csv")
    assert any(p.message == "file has a header but no data rows" for p in r.errors)
    _, r = read_table(b"patient_id,age\nA,60\n", "cohort", name="m.csv")
    missing = sorted(p.message.split("'")[1] for p in r.errors
                     if p.message.startswith("missing required"))
    assert missing == ["sex", "si_csf", "si_l1", "si_l2", "si_l3", "si_l4"]
    _, r = read_table(b"foo,bar\n1,2\n", "dxa", name="x.csv")
    assert "no header row" in r.errors[0].message


def test_title_rows_repeated_headers_and_blank_rows():
    cohort, _ = make_tables(4)
    body = cohort.to_csv(index=False).splitlines()
    text = "\n".join(["VBQ study export,,", ""] + body[:3] + [body[0], ""] + body[3:]) + "\n\n"
    t, r = load_cohort(text.encode(), name="t.csv")
    assert len(t) == 4 and r.header_row == 3
    w = {(p.row, p.message.split(" (")[0]) for p in r.warnings}
    assert (1, "row above the header ignored") in w
    assert (6, "repeated header row skipped") in w
    assert any("1 empty row(s) between data rows skipped" in p.message for p in r.warnings)
    # spreadsheet row numbers survive the skipped rows: first patient on row 4
    assert list(r.rows) == [4, 5, 8, 9]
    # re-validating the table names the same spreadsheet rows
    t2 = t.copy()
    t2["age"] = t2["age"].astype(object)
    t2.loc[1, "age"] = "sixty"
    _, r2 = vbq.io.coerce_cohort(t2, source=r.source, rows=r.rows)
    assert [(p.row, p.message) for p in r2.errors] == [(5, "not a number")]
    with pytest.raises(vbq.InputError, match="rows: expected 4"):
        vbq.io.coerce_cohort(t2, rows=[1, 2])


def test_mapping_override_and_unmapped_columns():
    cohort, _ = make_tables(3)
    cohort = cohort.rename(columns={"si_l1": "Vertebra one"})
    _, r = read_table(_csv(cohort), "cohort")
    assert "Vertebra one" in r.unmapped and not r.ok
    t, r = load_cohort(_csv(cohort), mapping={"Vertebra one": "si_l1", "hu_l1": None})
    assert r.ok and "hu_l1" not in t.columns and t["si_l1"].notna().all()
    _, r = read_table(_csv(cohort), "cohort", mapping={"Vertebra one": "nonsense"})
    assert any("unknown column 'nonsense'" in p.message for p in r.errors)


def test_two_headers_mapping_to_one_column_is_an_error():
    raw = b"patient_id,id,age,sex,si_l1,si_l2,si_l3,si_l4,si_csf\nA,B,60,F,1,2,3,4,5\n"
    _, r = read_table(raw, "cohort")
    assert any("two columns map to 'patient_id'" in p.message for p in r.errors)


def _xlsx(frames: dict[str, pd.DataFrame], title_row: str | None = None) -> bytes:
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(name)
        if title_row:
            ws.append([title_row])
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([None if (isinstance(v, float) and np.isnan(v)) else
                       (v.item() if hasattr(v, "item") else v) for v in row])
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_sheets_merged_title_and_excel_row_numbers():
    cohort, dxa = make_tables(5)
    cohort.loc[2, "si_csf"] = -1.0  # Excel row 5 (title 1, header 2, data from 3)
    data = _xlsx({"notes": pd.DataFrame({"x": [1]}), "cohort": cohort, "dxa": dxa},
                 title_row="Cohort, exported 2026")
    assert vbq.io.list_sheets(data) == ["notes", "cohort", "dxa"]
    _, r = read_table(data, "cohort", sheet="cohort", name="study.xlsx")
    assert r.sheet == "cohort" and r.header_row == 2
    err = [p for p in r.errors if p.column.startswith("si_csf")]
    assert err and err[0].row == 5 and err[0].sheet == "cohort"
    assert "study.xlsx, sheet cohort, row 5, column si_csf" in str(err[0])
    assert any(p.message.startswith("merged cells A1:D1") for p in r.warnings)
    d, rd = load_dxa(data, sheet=2)
    assert rd.ok and len(d) == 5
    _, r = read_table(data, "cohort", sheet="nope")
    assert "no sheet named 'nope'" in r.errors[0].message
    _, r = read_table(data, "cohort")  # first sheet has no recognisable header
    assert not r.ok and any("3 sheets" in p.message for p in r.warnings)


def test_cross_check_names_rows_in_both_files():
    cohort, dxa = make_tables(4)
    dxa.loc[3, "patient_id"] = "ZZZ"
    title = b"Patient list exported 2026-11-01,,\n"  # a title row shifts every row by one
    c, rc = load_cohort(title + _csv(cohort), name="c.csv")
    d, rd = load_dxa(_csv(dxa), name="d.csv")
    probs = vbq.io.cross_check(c, d, cohort_name=rc.source, dxa_name=rd.source,
                               cohort_rows=rc.rows, dxa_rows=rd.rows)
    assert {(p.file, p.row, p.value) for p in probs} == {("c.csv", 6, "T004"),
                                                         ("d.csv", 5, "ZZZ")}
    # without row numbers: as if each table sat on a sheet with its header in row 1
    probs = vbq.io.cross_check(c, d)
    assert {(p.file, p.row, p.value) for p in probs} == {("cohort", 5, "T004"),
                                                         ("DXA", 5, "ZZZ")}


def test_table_digest_sees_every_cell():
    cohort, dxa = make_tables(200)
    d0 = vbq.io.table_digest(cohort, dxa)
    c2 = cohort.copy()
    c2.loc[137, "si_l3"] += 0.1
    assert vbq.io.table_digest(c2, dxa) != d0
    assert vbq.io.table_digest(cohort.copy(), dxa.copy()) == d0


@pytest.mark.parametrize("column", ["si_l3", "facet_l2", "smoking", "sex", "modic_type",
                                    "patient_id", "csf_level", "age"])
def test_content_fingerprint_sees_a_value_or_a_blank_in_any_dtype(column):
    # table_digest keys the app's caches: any edit, in float, nullable integer, nullable
    # boolean or text columns, must change it
    cohort, _ = vbq.io.coerce_cohort(vbq.demo.load()[0])
    base = vbq.io.table_digest(cohort)
    col = cohort[column]
    i = int(np.flatnonzero(col.notna().to_numpy())[0])
    blanked = cohort.copy()
    blanked.loc[i, column] = None
    assert vbq.io.table_digest(blanked) != base
    other = col.dropna()
    other = other[other != col.iloc[i]]
    if len(other):
        changed = cohort.copy()
        changed.loc[i, column] = other.iloc[0]
        assert vbq.io.table_digest(changed) != base
    assert vbq.io.table_digest(cohort.copy()) == base
    as_text = cohort.astype({"age": object}) if column == "age" else None
    if as_text is not None:  # same numbers, another dtype: a different table
        assert vbq.io.table_digest(as_text) != base


def test_shipped_templates_match_the_schema(tmp_path):
    paths = vbq.io.write_templates(tmp_path)
    for p in paths:
        if p.suffix == ".csv":
            assert p.read_bytes() == (ROOT / "data" / "templates" / p.name).read_bytes()
    assert vbq.io.list_sheets(ROOT / "data" / "templates" / "vbq_template.xlsx") == [
        "cohort", "dxa"]


def test_data_dictionary_is_generated_from_schema():
    text = (ROOT / "docs" / "data_dictionary.md").read_text()
    assert text == vbq.schema.data_dictionary_markdown()


def test_canonical_tables_revalidate_to_themselves():
    cohort, _ = make_tables(6)
    t, r = load_cohort(_csv(cohort), name="c.csv")
    assert t.attrs == {}  # nothing travels in attrs
    again, r2 = vbq.io.coerce_cohort(t, rows=r.rows)
    pd.testing.assert_frame_equal(again, t)
    assert r2.ok
    edited = t.copy()
    edited.loc[2, "si_l1"] = -5.0
    _, r3 = vbq.io.coerce_cohort(edited, rows=r.rows)
    assert any(p.row == 4 and "negative" in p.message for p in r3.errors)


def test_excel_unicode_text_and_old_mac_line_endings_are_read():
    # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-delimited
    cohort, _ = make_tables(8)
    expected, _ = load_cohort(_csv(cohort), name="c.csv")
    utf16 = cohort.to_csv(index=False, sep="\t").encode("utf-16")
    table, report = load_cohort(utf16, name="c.txt")
    pd.testing.assert_frame_equal(table, expected, check_like=True)
    assert not any("not UTF-8" in p.message for p in report.problems)
    # classic Mac OS line endings (a lone \r)
    mac = cohort.to_csv(index=False, lineterminator="\r").encode()
    table, _ = load_cohort(mac, name="c.csv")
    pd.testing.assert_frame_equal(table, expected, check_like=True)


def test_unreadable_csv_is_a_named_error_with_the_line():
    # a field over the csv module's size limit: read by pandas below the header, and named by
    # row and column like any bad cell (issue 17); where the csv module must read the file (a
    # quoted line break above the header), an InputError naming the file and the line; never a
    # csv.Error traceback
    huge = b"patient_id,age\nP1,\"" + b"9" * 200_000 + b"\"\n"
    with pytest.raises(vbq.io.InputError, match=r"c\.csv, row 2, column age: not a number"):
        load_cohort(huge, name="c.csv")
    with pytest.raises(vbq.io.InputError,
                       match=r"c\.csv: line 4 has a cell of more than 131,072 characters"):
        load_cohort(b'"a\nb"\n' + huge, name="c.csv")
    with pytest.raises(vbq.io.InputError, match="binary"):
        load_cohort(b"patient_id,age\nP1,\x0070\n", name="c.csv")


def test_problem_values_read_as_written_for_in_memory_numpy_values():
    # a DataFrame built in a notebook holds numpy scalars: the report shows 11.9, not
    # np.float64(11.9)
    cohort, _ = make_tables(6)
    cohort["bmi"] = np.array([24.0, 11.9, 25.5, 30.1, 22.2, 27.0])
    _, report = vbq.io.coerce_cohort(cohort)
    (problem,) = [p for p in report.errors if p.column == "bmi"]
    assert problem.value == "11.9" and problem.row == 3


def test_the_schema_refuses_a_column_of_an_unknown_kind():
    from vbq.schema import Column

    with pytest.raises(ValueError, match="kind must be one of"):
        Column("bmd_spine", "number", "spine BMD")
    with pytest.raises(ValueError, match="needs its categories"):
        Column("diagnosis2", "category", "a second diagnosis")


def test_the_schema_refuses_reading_rules_that_cannot_apply():
    from vbq.schema import Column

    with pytest.raises(ValueError, match="roman numerals are read in int columns only"):
        Column("bmi2", "float", "a second BMI", roman=True)
    with pytest.raises(ValueError, match="every alias must name one of its categories"):
        Column("sex2", "category", "sex again", categories=("F", "M"), aliases=(("x", "X"),))


def _with_column(monkeypatch, name: str, **changes) -> None:
    """Read cohort files with column `name` declared with `changes` (a schema edited in place,
    as a new rule would be declared)."""
    import dataclasses

    columns = tuple(dataclasses.replace(c, **changes) if c.name == name else c
                    for c in vbq.schema.COHORT_COLUMNS)
    monkeypatch.setattr(vbq.io._headers, "COHORT_COLUMNS", columns)


def _read_with(cohort: pd.DataFrame, column: str, cells: list) -> tuple[pd.DataFrame, object]:
    frame = cohort.astype(object)
    frame.loc[: len(cells) - 1, column] = cells
    return read_table(_csv(frame), "cohort", name="r.csv")


def test_a_slip_declared_on_a_column_names_the_mistake(monkeypatch):
    from vbq.schema import Slip

    cohort, _ = make_tables(4)
    _, plain = _read_with(cohort, "bmi", [2450, 80])
    assert [(p.row, p.message) for p in plain.errors] == [
        (2, "outside the plausible range 12 to 70 kg/m2"),
        (3, "outside the plausible range 12 to 70 kg/m2")]
    _with_column(monkeypatch, "bmi", slips=(Slip(1200, 7000, "BMI looks multiplied by 100"),))
    table, report = _read_with(cohort, "bmi", [2450, 80])
    assert [(p.row, p.message, p.value) for p in report.errors] == [
        (2, "BMI looks multiplied by 100", "2450"),
        (3, "outside the plausible range 12 to 70 kg/m2", "80")]
    assert table["bmi"].iloc[:2].isna().all()  # an erroneous value is never analysed


def test_an_advisory_declared_on_a_column_warns_and_keeps_the_values(monkeypatch):
    from vbq.schema import Advisory

    cohort, _ = make_tables(5)
    _, plain = _read_with(cohort, "bmi", [16, 17, 18])
    assert plain.ok and not plain.warnings
    _with_column(monkeypatch, "bmi", advisory=Advisory(18.5, "underweight", limit=2))
    table, report = _read_with(cohort, "bmi", [16, 17, 18])
    assert report.ok
    assert [(p.row, p.message) for p in report.warnings] == [
        (2, "underweight"), (3, "underweight"), (None, "underweight: 1 more cell(s) in this column")]
    assert table["bmi"].iloc[:3].tolist() == [16, 17, 18]
    # age's advisory is the study's inclusion criterion (a declared rule, not a special case)
    _, report = _read_with(cohort, "age", [49])
    assert [p.message for p in report.warnings] == [
        "younger than 50: the study's inclusion criterion was age >= 50"]


def test_roman_numerals_are_read_where_the_column_declares_them(monkeypatch):
    cohort, _ = make_tables(3)
    _, plain = _read_with(cohort, "facet_l1", ["II", "grade iii"])
    assert [(p.row, p.message) for p in plain.errors] == [(2, "not a number"),
                                                           (3, "not a number")]
    _with_column(monkeypatch, "facet_l1", roman=True)
    table, report = _read_with(cohort, "facet_l1", ["II", "grade iii"])
    assert report.ok and table["facet_l1"].iloc[:2].tolist() == [2, 3]
    _with_column(monkeypatch, "ucla_l1", roman=False)  # UCLA declares them; undeclared here
    _, report = _read_with(cohort, "ucla_l1", ["II"])
    assert [p.message for p in report.errors] == ["not a number"]


def test_category_aliases_come_from_the_schema(monkeypatch):
    cohort, _ = make_tables(3)
    table, report = _read_with(cohort, "sex", ["Female", "homme"])  # declared aliases
    assert report.ok and table["sex"].iloc[:2].tolist() == ["F", "M"]
    _, report = _read_with(cohort, "sex", ["Frau"])
    assert [p.message for p in report.errors] == ["expected one of F, M"]
    _with_column(monkeypatch, "sex", aliases=(("frau", "F"),))
    table, report = _read_with(cohort, "sex", ["Frau", "f"])  # the categories are always read
    assert report.ok and table["sex"].iloc[:2].tolist() == ["F", "F"]
    _, report = _read_with(cohort, "sex", ["Female"])  # the other aliases went with the edit
    assert [p.message for p in report.errors] == ["expected one of F, M"]


def test_a_sign_check_declared_on_a_column_warns_of_lost_minus_signs(monkeypatch):
    from vbq.schema import SignCheck

    cohort, _ = make_tables(12)
    _, plain = read_table(_csv(cohort), "cohort", name="r.csv")
    assert not plain.warnings
    _with_column(monkeypatch, "age", sign_check=SignCheck("all {n} ages are positive", min_n=12))
    _, report = read_table(_csv(cohort), "cohort", name="r.csv")
    assert [(p.column, p.message) for p in report.warnings] == [("age", "all 12 ages are positive")]
    _, report = read_table(_csv(cohort.head(11)), "cohort", name="r.csv")
    assert not report.warnings  # under min_n values: no warning


def test_io_reads_column_rules_from_the_schema_never_from_column_names():
    """No column is special-cased by name in vbq/io/ (issue 12): no comparison of a name with
    a literal, and no literal that is a column's name (other than the key, patient_id)."""
    import ast

    names = {c.name for c in (*vbq.schema.COHORT_COLUMNS, *vbq.schema.DXA_COLUMNS,
                              *vbq.schema.DERIVED, *vbq.schema.MEASUREMENT_COLUMNS)
             } - {"patient_id"}

    def is_name(node):
        return (isinstance(node, ast.Attribute) and node.attr == "name") or (
            isinstance(node, ast.Name) and node.id == "name")

    offenders = []
    nodes = [node for path in sorted((ROOT / "vbq" / "io").glob("*.py"))
             for node in ast.walk(ast.parse(path.read_text()))]
    assert len(nodes) > 5000  # (every module of the package)
    for node in nodes:
        if isinstance(node, ast.Constant) and node.value in names:
            offenders.append((node.lineno, node.value))
        if isinstance(node, ast.Compare) and any(is_name(n) for n in (node.left, *node.comparators)):
            if any(isinstance(n, ast.Constant) for n in (node.left, *node.comparators)):
                offenders.append((node.lineno, "comparison of a name"))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("startswith", "endswith") and is_name(node.func.value)):
            offenders.append((node.lineno, node.func.attr))
    assert offenders == []


def test_range_check_returns_the_cleaned_values_and_leaves_its_input_alone():
    from vbq.io import ValidationReport
    from vbq.io._cells import _check_range

    col = vbq.schema.cohort_column("si_l1")
    values = pd.Series([100.0, -4.0, 2e6, np.nan])
    before = values.copy()
    report = ValidationReport(source="s")
    checked = _check_range(col, values, values, np.arange(2, 6), "si_l1", report)
    pd.testing.assert_series_equal(values, before)  # the argument is not mutated
    assert checked.tolist()[0] == 100.0 and checked.iloc[1:].isna().all()
    assert [p.message for p in report.errors] == ["signal intensity cannot be negative",
                                                  "outside the plausible range 0 to 1e+06 a.u."]


def test_numeric_patient_ids_keep_their_leading_zeros():
    cohort, dxa = make_tables(4)
    ids = ["007", "010", "0100", "12"]
    table, report = load_cohort(_csv(cohort.assign(patient_id=ids)), name="c.csv")
    assert report.ok and table["patient_id"].tolist() == ids
    table, _ = load_dxa(_csv(dxa.assign(patient_id=ids)), name="d.csv")
    assert table["patient_id"].tolist() == ids


@pytest.mark.parametrize("case", ["text late", "integers then decimals", "yes/no then text"])
def test_chunked_csv_reading_gives_the_whole_file_types(case):
    # pandas' chunked mode infers each chunk's types (8,192 rows of a 100-column file); the
    # reader must still return what low_memory=False gives: one type per column
    n, width = 20_000, 100
    frame = pd.DataFrame({j: np.arange(n) % 4 for j in range(width)})
    frame[0] = np.arange(n, dtype=float) / 7
    frame[1] = ["yes", "no"] * (n // 2)
    if case == "text late":
        frame[0] = frame[0].astype(object)
        frame.loc[n - 10, 0] = "abc"
    elif case == "integers then decimals":
        frame[2] = [str(2**53 + 1) if i < n // 2 else "0.5" for i in range(n)]
    else:
        frame[1] = ["True" if i < n // 2 else "maybe" for i in range(n)]
    data = frame.to_csv(index=False, header=False).encode()
    options = dict(sep=",", encoding="utf-8", header=None, names=range(width), index_col=False,
                   keep_default_na=False, na_values=[""], skip_blank_lines=False, engine="c",
                   true_values=[], false_values=[])

    def source():
        return io.BytesIO(data)

    whole = pd.read_csv(source(), low_memory=False, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)
        chunked = pd.read_csv(source(), low_memory=True, **options)
    if case != "integers then decimals":  # (those agree: int64 -> float64 rounds as parsing)
        assert not chunked.equals(whole)  # the case does split pandas' chunks
    pd.testing.assert_frame_equal(vbq.io._csv._read_csv_whole(source, options), whole)


@pytest.mark.parametrize("data", [b"patient_id,age,patient", b"patient_id,age\n"])
def test_a_header_without_rows_is_named_not_a_crash(data):
    # found by tests/test_robustness.py: the ID column of an empty body was read again as text
    # and pandas raised IndexError on the empty re-read
    table, report = vbq.io.read_table(io.BytesIO(data), "cohort", name="c.csv")
    assert table.empty
    assert "file has a header but no data rows" in [p.message for p in report.problems]
