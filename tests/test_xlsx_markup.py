"""Merged cells and formulas without a saved result are found by parsing the sheet XML (any
attribute order, any namespace prefix, cells without their optional reference), not by regular
expressions over it, and the sheet is found through the workbook's relationships, not openpyxl's
private ``_worksheet_path`` (issue 17)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from vbq.io import read_table

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["patient_id", "age", "sex", "si_l1", "si_l2", "si_l3", "si_l4", "si_csf"]


def _cell(ref: str | None, inner: str, attrs: str = "", p: str = "x:") -> str:
    """A cell with `attrs` before its reference (``r``), or without one."""
    r = f' r="{ref}"' if ref else ""
    return f"<{p}c{attrs}{r}>{inner}</{p}c>"


def _text(ref, text, p="x:"):
    return _cell(ref, f"<{p}is><{p}t>{text}</{p}t></{p}is>", ' t="inlineStr"', p)


def _number(ref, value, p="x:"):
    return _cell(ref, f"<{p}v>{value}</{p}v>", ' s="0" t="n"', p)


def _workbook(sheet_xml: str, *, sheet_file: str = "sheet1.xml") -> bytes:
    """A workbook made by openpyxl whose only sheet's XML is `sheet_xml`, stored under
    ``xl/worksheets/<sheet_file>`` (the relationships say where)."""
    wb = openpyxl.Workbook()
    wb.active.title = "cohort"
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                dst.writestr(f"xl/worksheets/{sheet_file}", sheet_xml)
                continue
            if info.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                data = data.replace(b"sheet1.xml", sheet_file.encode())
            dst.writestr(info, data)
    return out.getvalue()


def _sheet(rows: list[str], *, merges: tuple[str, ...] = (), p: str = "x:") -> str:
    ns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    merged = ("" if not merges else f'<{p}mergeCells count="{len(merges)}">'
              + "".join(f'<{p}mergeCell ref="{m}"/>' for m in merges) + f"</{p}mergeCells>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}><{p}sheetData>'
            + "".join(rows) + f"</{p}sheetData>{merged}</{p}worksheet>")


def _row(n: int | None, cells: list[str], p: str = "x:") -> str:
    r = f' r="{n}"' if n else ""
    return f'<{p}row spans="1:8"{r}>' + "".join(cells) + f"</{p}row>"


def _patient(n: int, pid: str, age_cell: str | None = None, p: str = "x:") -> str:
    letters = "ABCDEFGH"
    values = [pid, 65, "F", 300, 310, 320, 330, 110]
    cells = []
    for j, v in enumerate(values):
        ref = f"{letters[j]}{n}"
        if j == 1 and age_cell is not None:
            cells.append(age_cell)
        elif isinstance(v, str):
            cells.append(_text(ref, v, p))
        else:
            cells.append(_number(ref, v, p))
    return _row(n, cells, p)


@pytest.mark.parametrize("prefix", ["x:", "", "ss:"])
def test_formulas_and_merges_are_found_in_any_attribute_order_and_prefix(prefix):
    p = prefix
    header = _row(1, [_text(f"{'ABCDEFGH'[j]}1", h, p) for j, h in enumerate(HEADER)], p)
    rows = [
        header,
        # r after the other attributes, a formula and no value at all
        _patient(2, "P1", _cell("B2", f"<{p}f>60+1</{p}f>", ' s="0" t="n"', p), p),
        # an empty value element
        _patient(3, "P2", _cell("B3", f"<{p}f>60+2</{p}f><{p}v></{p}v>", ' t="n"', p), p),
        # a formula with its saved result: not reported
        _patient(4, "P3", _cell("B4", f"<{p}f>60+3</{p}f><{p}v>63</{p}v>", ' s="0"', p), p),
        # a shared formula, no result, and no cell reference (the optional r is left out)
        _patient(5, "P4", _cell(None, f'<{p}f t="shared" si="0"/>', ' s="0"', p), p),
    ]
    data = _workbook(_sheet(rows, merges=("C3:D3",), p=p))
    table, report = read_table(data, "cohort", name="odd.xlsx")
    assert table["age"].tolist()[2] == 63 and len(table) == 4
    got = {(w.row, w.message) for w in report.warnings}
    assert (2, "3 formula cell(s) have no saved result and read as empty (B2, B3, B5); open "
            "the file in Excel and save it, or paste values") in got
    assert (3, "merged cells C3:D3: only the top-left cell holds a value; the others read as "
            "empty") in got


def test_the_sheet_is_found_through_the_relationships_not_its_usual_name():
    header = _row(1, [_text(f"{'ABCDEFGH'[j]}1", h) for j, h in enumerate(HEADER)])
    rows = [header, _patient(2, "P1", _cell("B2", "<x:f>1+1</x:f>"))]
    data = _workbook(_sheet(rows, merges=("A5:B6",)), sheet_file="data_sheet.xml")
    _, report = read_table(data, "cohort", name="renamed.xlsx")
    assert {w.row for w in report.warnings if "formula" in w.message} == {2}
    assert {w.row for w in report.warnings if "merged" in w.message} == {5}


def test_a_plain_sheet_gets_no_markup_warning():
    header = _row(1, [_text(f"{'ABCDEFGH'[j]}1", h) for j, h in enumerate(HEADER)])
    data = _workbook(_sheet([header, _patient(2, "P1"), _patient(3, "P2")]))
    table, report = read_table(data, "cohort", name="plain.xlsx")
    assert len(table) == 2 and report.ok and not report.warnings, report.summary()
