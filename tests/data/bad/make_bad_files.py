"""Write the hostile and odd input files of `tests/data/bad/` and their expected messages.

    python tests/data/bad/make_bad_files.py

Each file is what a user might really upload (or what an attacker might). EXPECTED.csv lists,
for each, the message fragment the user must see, its severity, and where there is one, the row
and column it must name and the number of rows that must still be read. Large files (a zip bomb,
5,000 columns, 50,000 rows) are built at test time by the functions below, not committed.

The rows come from the synthetic demo (`vbq/demo/data/demo_*.csv`); nothing here is patient data.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
N = 12  # patients in each small file


def _demo(kind: str) -> list[list[str]]:
    text = (ROOT / "vbq" / "demo" / "data" / f"demo_{kind}.csv").read_text(encoding="utf-8")
    return [row for row in csv.reader(io.StringIO(text))][: N + 1]


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _col(rows: list[list[str]], name: str) -> int:
    return rows[0].index(name)


def _set(rows: list[list[str]], row: int, name: str, value: str) -> list[list[str]]:
    """Copy of `rows` with spreadsheet row `row` (header = 1), column `name` set to `value`."""
    out = [list(r) for r in rows]
    out[row - 1][_col(rows, name)] = value
    return out


def _xlsx(sheets: dict[str, list[list]], *, hidden: tuple[str, ...] = (),
          merge: str | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if title in hidden:
            ws.sheet_state = "hidden"
        if merge and title == next(iter(sheets)):
            ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _numbers(rows: list[list[str]]) -> list[list]:
    """Cells as Excel would hold them: numbers as numbers."""
    def conv(v: str):
        try:
            return float(v) if v else None
        except ValueError:
            return v
    return [rows[0]] + [[conv(v) for v in r] for r in rows[1:]]


def _formulas_without_values(rows: list[list]) -> bytes:
    """An XLSX whose age column holds formulas with no cached result (as written by a script,
    never opened in Excel): openpyxl writes formulas without values."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "cohort"
    age = rows[0].index("age")
    for i, r in enumerate(rows):
        r = list(r)
        if i >= 1 and i <= 3:
            r[age] = f"=60+{i}"
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_bomb(megabytes: int = 40) -> bytes:
    """A small XLSX whose sheet XML unpacks to `megabytes` MB of one repeated cell (a zip bomb)."""
    base = _xlsx({"cohort": [["patient_id", "age"], ["A", 60]]})
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = data.partition(b"<sheetData>")
                _, _, tail = tail.partition(b"</sheetData>")
                body = row * (megabytes * 2**20 // len(row))
                data = head + b"<sheetData>" + body + b"</sheetData>" + tail
            dst.writestr(info.filename, data)
    return out.getvalue()


def many_columns(n: int = 5_000) -> bytes:
    cohort = _demo("cohort")
    extra = [f"extra_{j:04d}" for j in range(n - len(cohort[0]))]
    rows = [cohort[0] + extra] + [r + ["1"] * len(extra) for r in cohort[1:4]]
    return _csv(rows).encode()


def many_rows(n: int = 50_000) -> tuple[bytes, bytes]:
    """A cohort and DXA of `n` patients: the demo's rows repeated under new IDs."""
    cohort, dxa = _demo("cohort"), _demo("dxa")
    out = []
    for rows in (cohort, dxa):
        body = [[f"P{i:06d}"] + rows[1 + i % N][1:] for i in range(n)]
        out.append(_csv([rows[0]] + body).encode())
    return out[0], out[1]


def files() -> dict[str, bytes]:
    """File name -> content of every committed file."""
    c, d = _demo("cohort"), _demo("dxa")
    out: dict[str, bytes] = {}
    # delimiters and number formats
    semicolon = [[v.replace(".", ",") if i else v for v in r] for i, r in enumerate(c)]
    out["cohort_semicolon_decimal_comma.csv"] = _csv(semicolon, ";").encode()
    out["cohort_space_delimited.txt"] = _csv(c, " ").encode()
    out["dxa_pipe_delimited.csv"] = _csv(d, "|").encode()
    out["dxa_bmd_in_mg.csv"] = _csv([d[0]] + [
        r[:1] + [str(round(float(r[1]) * 1000))] + r[2:] for r in d[1:]]).encode()
    out["dxa_tscore_sign_lost.csv"] = _csv([d[0]] + [
        [v.lstrip("-") for v in r] for r in d[1:]]).encode()
    out["dxa_unicode_minus.csv"] = _csv([d[0]] + [
        [v.replace("-", "\u2212") if j else v for j, v in enumerate(r)] for r in d[1:]]
    ).encode("utf-8")
    out["cohort_text_in_numeric.csv"] = _csv(_set(c, 4, "age", "sixty")).encode()
    na = _set(_set(_set(_set(c, 3, "bmi", "-"), 5, "bmi", "NA"), 6, "hu_l1", "n/a"), 7,
              "hu_l1", ".")
    out["cohort_na_spellings.csv"] = _csv(_set(na, 8, "bmi", "N/A")).encode()
    out["cohort_dash_in_required.csv"] = _csv(_set(c, 4, "si_l2", "-")).encode()
    out["cohort_duplicated_ids.csv"] = _csv(_set(c, 6, "patient_id", c[2][0])).encode()
    out["cohort_empty_id.csv"] = _csv(_set(c, 9, "patient_id", "")).encode()
    out["cohort_second_header_row.csv"] = _csv(c[:7] + [c[0]] + c[7:]).encode()
    out["cohort_title_rows.csv"] = _csv([["Lumbar fusion cohort 2019-2022"], []] + c).encode()
    out["cohort_blank_rows_inside.csv"] = _csv(c[:5] + [[""] * len(c[0])] * 2 + c[5:]).encode()
    out["cohort_ragged_rows.csv"] = _csv([r + (["note"] if i == 4 else [])
                                          for i, r in enumerate(c)]).encode()
    out["cohort_duplicate_header.csv"] = _csv([c[0][:-1] + ["age"]] + c[1:]).encode()
    out["cohort_missing_required.csv"] = _csv(
        [[v for j, v in enumerate(r) if j != _col(c, "si_csf")] for r in c]).encode()
    out["cohort_age_out_of_range.csv"] = _csv(_set(c, 10, "age", "430")).encode()
    out["cohort_negative_si.csv"] = _csv(_set(c, 3, "si_l3", "-412.5")).encode()
    out["cohort_bad_category.csv"] = _csv(_set(c, 5, "sex", "unknown")).encode()
    out["cohort_header_only.csv"] = _csv(c[:1]).encode()
    out["cohort_no_header.csv"] = _csv(c[1:]).encode()
    out["cohort_formula_text_ids.csv"] = _csv(_set(c, 2, "patient_id",
                                                   '=HYPERLINK("http://evil.example","x")')).encode()
    # encodings
    out["cohort_utf8_bom.csv"] = b"\xef\xbb\xbf" + _csv(c).encode()
    latin = _set(c, 3, "patient_id", "Zoë-03")
    out["cohort_latin1.csv"] = _csv(latin).encode("latin-1")
    out["cohort_utf16_excel_unicode_text.txt"] = _csv(c, "\t").encode("utf-16")
    out["cohort_cr_line_endings.csv"] = _csv(c).replace("\n", "\r").encode()
    out["cohort_empty.csv"] = b""
    out["cohort_whitespace_only.csv"] = b"  \n\n \r\n"
    out["cohort_binary.csv"] = bytes(range(256)) * 4
    # workbooks
    out["cohort_merged_cells.xlsx"] = _xlsx({"cohort": [["Cohort"] + [None] * 5] + _numbers(c)},
                                            merge="A1:F1")
    out["cohort_hidden_sheet.xlsx"] = _xlsx({"old": _numbers(c[:3]), "cohort": _numbers(c)},
                                            hidden=("old",))
    out["cohort_formulas_no_cached_values.xlsx"] = _formulas_without_values(_numbers(c))
    out["cohort_csv_named.xlsx"] = _csv(c).encode()
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("cohort.csv", _csv(c))
    out["cohort_zip_renamed.xlsx"] = z.getvalue()
    good = _xlsx({"cohort": _numbers(c)})
    out["cohort_truncated.xlsx"] = good[: len(good) // 2]
    out["cohort_old_excel.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return out


def main() -> None:
    for name, data in files().items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(files())} files to {HERE}")


if __name__ == "__main__":
    main()
