"""A large cohort workbook for the load harness's heavy session (issue 18), written as the
minimal SpreadsheetML parts by hand: openpyxl took 10 minutes to write 100,000 rows on the
shared machine, this takes seconds. Rows are the demo's, resampled under new IDs
(`bench_study.scaled`); numbers as numbers, text as inline strings.

Run: .venv/bin/python bench/_big_xlsx.py ROWS OUT.xlsx
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_study import scaled

import vbq

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/></Types>'),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="cohort" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'),
}


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "<c/>"
    if isinstance(value, bool | str) or not isinstance(value, int | float):
        return f'<c t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
    return f"<c><v>{value!r}</v></c>"


def sheet_xml(frame: pd.DataFrame) -> str:
    rows = ["<row>" + "".join(_cell(str(c)) for c in frame.columns) + "</row>"]
    for record in frame.astype(object).itertuples(index=False):
        rows.append("<row>" + "".join(_cell(v) for v in record) + "</row>")
    return f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'


def cohort_xlsx(rows: int) -> bytes:
    cohort, dxa = vbq.demo.load()
    frame, _ = scaled(cohort, dxa, rows)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _PARTS.items():
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml(frame))
    return buf.getvalue()


if __name__ == "__main__":
    Path(sys.argv[2]).write_bytes(cohort_xlsx(int(sys.argv[1])))
