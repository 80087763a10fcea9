"""Reading an XLSX workbook: the zip directory checked against the limits, the cells streamed
by openpyxl in read-only mode, merged cells and formulas without a saved result found in the
sheet XML."""

from __future__ import annotations

import io as _stdio
import re
import zipfile
from typing import Any

from ..errors import InputError
from . import _source
from ._report import ERROR, WARNING, ValidationReport
from ._source import Source, _file_type, _mb, _name_of, _read_bytes


def _open_xlsx_zip(data: bytes) -> Any:
    """The workbook's zip archive, after checking its directory against the limits.

    Raises `InputError` for a file that is not a readable zip, a zip that is not a workbook
    (no ``xl/workbook.xml``), or one over `_source.MAX_XLSX_UNCOMPRESSED` or `_source.MAX_XLSX_RATIO`. Only the
    central directory is read: nothing is decompressed.
    """
    try:
        archive = zipfile.ZipFile(_stdio.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"the file is not a readable XLSX workbook (a damaged zip archive: "
                         f"{exc}); save it again from Excel, or as CSV") from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        archive.close()
        listed = ", ".join(sorted(names)[:5]) + (" ..." if len(names) > 5 else "")
        raise InputError("the file is a zip archive but not an Excel workbook (it has no "
                         f"xl/workbook.xml; it holds: {listed or 'nothing'}); upload the "
                         "workbook itself (.xlsx) or a CSV file")
    total = sum(i.file_size for i in infos)
    if total > _source.MAX_XLSX_UNCOMPRESSED:
        archive.close()
        raise InputError(f"the workbook unpacks to {_mb(total)}, over the limit of "
                         f"{_mb(_source.MAX_XLSX_UNCOMPRESSED)}; save the cohort as CSV, or split it")
    for i in infos:
        if i.file_size > 2**20 and i.file_size > _source.MAX_XLSX_RATIO * max(i.compress_size, 1):
            archive.close()
            raise InputError(
                f"the workbook part {i.filename} unpacks to {_mb(i.file_size)} from "
                f"{_mb(i.compress_size)} (over {_source.MAX_XLSX_RATIO} times its packed size, the limit "
                "for a spreadsheet; this is how a zip bomb looks); the file was not read")
    return archive


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
# a cell holding a formula and no cached value: <c r="B2" ...><f>...</f></c> or <v></v>
_FORMULA_NO_VALUE = re.compile(
    rb'<(?:\w+:)?c\s+r="([A-Z]+[0-9]+)"[^>]*>\s*<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>[^<]*</(?:\w+:)?f>)'
    rb'\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')


def _sheet_markup(archive: Any, path: str, report: ValidationReport) -> None:
    """Warnings that read-only mode cannot give: merged cells, formulas with no cached value.

    Read-only openpyxl streams cells and does not keep merged ranges; with ``data_only=True`` a
    formula whose result Excel never saved reads as empty. Both are found in the sheet XML (its
    size is bounded by `_source.MAX_XLSX_UNCOMPRESSED`).
    """
    try:
        xml = archive.read(path.lstrip("/"))
    except KeyError:
        return
    for m in _MERGE.finditer(xml):
        coord = m.group(1).decode()
        row = int(re.search(r"\d+", coord).group())
        report.add(WARNING, f"merged cells {coord}: only the top-left cell holds a value; the "
                   "others read as empty", row=row)
    if b"<f" in xml or b":f" in xml:
        cells = [m.group(1).decode() for m in _FORMULA_NO_VALUE.finditer(xml)]
        if cells:
            first_row = int(re.search(r"\d+", cells[0]).group())
            shown = ", ".join(cells[:10]) + (f" and {len(cells) - 10} more" if len(cells) > 10
                                             else "")
            report.add(WARNING, f"{len(cells)} formula cell(s) have no saved result and read as "
                       f"empty ({shown}); open the file in Excel and save it, or paste values",
                       row=first_row)


def _workbook(data: bytes) -> Any:
    """(openpyxl read-only workbook, zip archive), limits checked first."""
    import openpyxl  # (here: importing it costs 0.1 s that a CSV user never needs)

    archive = _open_xlsx_zip(data)
    try:
        wb = openpyxl.load_workbook(_stdio.BytesIO(data), read_only=True, data_only=True)
    except InputError:
        archive.close()
        raise
    except Exception as exc:  # openpyxl raises many types for corrupt files
        archive.close()
        raise InputError(f"the workbook cannot be read ({type(exc).__name__}: {exc}); save it "
                         "again from Excel, or as CSV") from None
    return wb, archive


def list_sheets(source: Source, *, name: str | None = None) -> list[str]:
    """Worksheet names of an XLSX file, visible sheets first ([] for CSV).

    ``name`` names the file in error messages (default the file's own name).

    Raises
    ------
    InputError
        When the file is an XLSX that cannot be read, breaks a limit, or is a zip archive that
        is not a workbook.
    """
    data = _read_bytes(source)
    fname = _name_of(source, name)
    if _file_type(data, fname) != "xlsx":
        return []
    try:
        wb, archive = _workbook(data)
    except InputError as exc:
        raise InputError(f"{fname}: {exc}") from None
    try:
        visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
        return visible + [n for n in wb.sheetnames if n not in visible]
    finally:
        wb.close()
        archive.close()


def _read_xlsx(data: bytes, sheet: str | int | None, report: ValidationReport) -> list[list[Any]]:
    try:
        wb, archive = _workbook(data)
    except InputError as exc:
        report.add(ERROR, str(exc))
        return []
    try:
        names = wb.sheetnames
        hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
        if sheet is None:
            visible = [n for n in names if n not in hidden]
            if not visible:
                report.add(ERROR, "the workbook has no visible worksheet")
                return []
            ws = wb[visible[0]]
            if len(names) > 1:
                report.add(WARNING, f"workbook has {len(names)} sheets; reading the first "
                           f"visible one, {visible[0]!r} (choose another with sheet=)")
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                report.add(ERROR, f"sheet index {sheet} out of range (sheets: {names})")
                return []
            ws = wb[names[sheet]]
        else:
            if sheet not in names:
                report.add(ERROR, f"no sheet named {sheet!r} (sheets: {names})")
                return []
            ws = wb[sheet]
        report.sheet = ws.title
        if hidden:
            which = "this sheet is hidden" if ws.title in hidden else "not read"
            report.add(WARNING, f"hidden sheet(s) in the workbook: "
                       f"{', '.join(repr(h) for h in hidden)} ({which})")
        if ws.max_row is not None and ws.max_row > _source.MAX_ROWS:
            report.add(ERROR, f"the sheet declares {ws.max_row:,} rows, over the limit of "
                       f"{_source.MAX_ROWS:,}; the file was not read")
            return []
        if ws.max_column is not None and ws.max_column > _source.MAX_COLUMNS:
            report.add(ERROR, f"the sheet declares {ws.max_column:,} columns, over the limit of "
                       f"{_source.MAX_COLUMNS:,}; the file was not read")
            return []
        rows: list[list[Any]] = []
        try:
            for r in ws.iter_rows(min_row=1, values_only=True):
                if len(r) > _source.MAX_COLUMNS:
                    report.add(ERROR, f"row {len(rows) + 1} has {len(r):,} columns, over the "
                               f"limit of {_source.MAX_COLUMNS:,}; the file was not read")
                    return []
                rows.append(list(r))
                if len(rows) > _source.MAX_ROWS:
                    report.add(ERROR, f"the sheet has more than {_source.MAX_ROWS:,} rows, the limit; "
                               "the file was not read")
                    return []
        except Exception as exc:  # a damaged sheet part: openpyxl/lxml raise many types
            report.add(ERROR, f"the sheet {ws.title!r} cannot be read ({type(exc).__name__}: "
                       f"{exc}); save the workbook again from Excel, or as CSV")
            return []
        _sheet_markup(archive, ws._worksheet_path, report)  # openpyxl 3.1 (pinned)
        return rows
    finally:
        wb.close()
        archive.close()
