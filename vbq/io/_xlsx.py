"""Reading an XLSX workbook: the zip directory checked against the limits, the cells streamed
by openpyxl in read-only mode, merged cells and formulas without a saved result found in the
sheet XML."""

from __future__ import annotations

import io as _stdio
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

from ..errors import InputError
from . import _source
from ._report import ERROR, WARNING, ValidationReport
from ._source import Source, _file_type, _mb, _name_of, _read_bytes


def _open_xlsx_zip(data: bytes) -> Any:
    """The workbook's zip archive, after checking its directory against the limits.

    Raises `InputError` for a file that is not a readable zip, a zip that is not a workbook
    (no ``xl/workbook.xml``), or one over `_source.MAX_XLSX_UNCOMPRESSED` or
    `_source.MAX_XLSX_RATIO`. Only the central directory is read: nothing is decompressed.
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
                         f"{_mb(_source.MAX_XLSX_UNCOMPRESSED)}; save the cohort as CSV, or "
                         "split it")
    for i in infos:
        if i.file_size > 2**20 and i.file_size > _source.MAX_XLSX_RATIO * max(i.compress_size, 1):
            archive.close()
            raise InputError(
                f"the workbook part {i.filename} unpacks to {_mb(i.file_size)} from "
                f"{_mb(i.compress_size)} (over {_source.MAX_XLSX_RATIO} times its packed size, "
                "the limit for a spreadsheet; this is how a zip bomb looks); the file was not "
                "read")
    return archive


_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")


def _local(tag: str) -> str:
    """An element's name without its namespace ("{...main}c" and "x:c" alike are "c")."""
    return tag.rpartition("}")[2]


def _elements(archive: zipfile.ZipFile, path: str, tags: set[str]) -> Any:
    """The elements named `tags` of one XML part, each when it ends, streamed (nothing but the
    current element is kept: a sheet's rows are dropped as they end)."""
    with archive.open(path) as stream:
        parent = None
        for event, elem in ET.iterparse(stream, events=("start", "end")):
            tag = _local(elem.tag)
            if event == "start":
                if tag == "sheetData":
                    parent = elem
                continue
            if tag in tags:
                yield tag, elem
            if tag == "row" and parent is not None:
                parent.remove(elem)  # (the only child by now: the earlier rows are gone)


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    """The zip path of each worksheet's XML, in the workbook's order (the order of
    ``openpyxl``'s ``sheetnames``): ``xl/workbook.xml`` names each sheet's relationship,
    ``xl/_rels/workbook.xml.rels`` where it points."""
    targets = {}
    try:
        for _, rel in _elements(archive, "xl/_rels/workbook.xml.rels", {"Relationship"}):
            target = rel.get("Target", "")
            targets[rel.get("Id")] = (target.lstrip("/") if target.startswith("/")
                                      else posixpath.normpath(posixpath.join("xl", target)))
        return [targets.get(sheet.get(_REL_ID), "")
                for _, sheet in _elements(archive, "xl/workbook.xml", {"sheet"})]
    except (KeyError, ET.ParseError):  # (openpyxl opened the workbook: should not happen)
        return []


# the opening tag of a formula or a merged range, any namespace prefix: a test of whether the
# sheet can hold either (never used to read them; "<" cannot stand unescaped in XML text)
_MARKUP_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:f|mergeCell)[\s/>]")


def _may_hold_markup(archive: zipfile.ZipFile, path: str) -> bool:
    """Whether the sheet's XML has a formula or a merged-cell tag anywhere, read in 1 MB chunks
    (at C speed: most sheets have neither, and parsing every cell in Python costs more than
    openpyxl's own reading of the cells)."""
    with archive.open(path) as stream:
        tail = b""
        while chunk := stream.read(2**20):
            if _MARKUP_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _scan_sheet(archive: zipfile.ZipFile, path: str) -> tuple[list[str], list[str]]:
    """(merged ranges, cells holding a formula whose result was never saved) of one sheet,
    parsed from its XML as a stream. A cell without its optional ``r`` attribute is placed
    after the cell before it (ECMA-376 Part 1, 18.3.1.4), a row without it after the row
    before."""
    merged: list[str] = []
    formulas: list[str] = []
    pending: list[int] = []  # columns of this row's formula cells that have no reference
    row = col = 0
    for tag, elem in _elements(archive, path, {"c", "row", "mergeCell"}):
        if tag == "c":
            ref = _CELL_REF.fullmatch(elem.get("r") or "")
            col = _column_number(ref.group(1)) if ref else col + 1
            if _formula_without_result(elem):
                if ref:
                    formulas.append(ref.group(0).upper())
                else:
                    pending.append(col)
        elif tag == "row":
            row = int(elem.get("r") or row + 1)
            formulas += [f"{_column_letters(c)}{row}" for c in pending]
            pending, col = [], 0
        elif elem.get("ref"):
            merged.append(elem.get("ref").upper())
    return merged, formulas


def _formula_without_result(cell: ET.Element) -> bool:
    """A ``<c>`` with an ``<f>`` and no ``<v>``, or an empty one: Excel never saved the result,
    and read-only openpyxl with ``data_only=True`` reads the cell as empty."""
    children = {_local(child.tag): child for child in cell}
    if "f" not in children:
        return False
    value = children.get("v")
    return value is None or not (value.text or "").strip()


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _sheet_markup(archive: zipfile.ZipFile, path: str, report: ValidationReport) -> None:
    """Warnings that read-only mode cannot give: merged cells, formulas with no cached value.

    Read-only openpyxl streams cells and does not keep merged ranges; with ``data_only=True`` a
    formula whose result Excel never saved reads as empty. Both are found by parsing the sheet
    XML as a stream (any attribute order, any namespace prefix; its size is bounded by
    `_source.MAX_XLSX_UNCOMPRESSED` and its rows are dropped as they are read).
    """
    try:
        if not _may_hold_markup(archive, path):
            return
        merged, formulas = _scan_sheet(archive, path)
    except (KeyError, ET.ParseError):  # (openpyxl read the sheet: should not happen)
        return
    for coord in merged:
        row = int(re.search(r"\d+", coord).group())
        report.add(WARNING, f"merged cells {coord}: only the top-left cell holds a value; the "
                   "others read as empty", row=row)
    if formulas:
        first_row = int(re.search(r"\d+", formulas[0]).group())
        shown = ", ".join(formulas[:10]) + (f" and {len(formulas) - 10} more"
                                            if len(formulas) > 10 else "")
        report.add(WARNING, f"{len(formulas)} formula cell(s) have no saved result and read as "
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
    """All rows of one worksheet as lists of cell values, row i being spreadsheet row i+1
    ([] after reporting an error)."""
    try:
        wb, archive = _workbook(data)
    except InputError as exc:
        report.add(ERROR, str(exc))
        return []
    try:
        ws = _choose_sheet(wb, sheet, report)
        if ws is None or not _declared_size_ok(ws, report):
            return []
        rows = _stream_rows(ws, report)
        if rows is None:
            return []
        paths = _sheet_paths(archive)
        index = wb.sheetnames.index(ws.title)
        if index < len(paths) and paths[index]:
            _sheet_markup(archive, paths[index], report)
        return rows
    finally:
        wb.close()
        archive.close()


def _choose_sheet(wb: Any, sheet: str | int | None, report: ValidationReport) -> Any:
    """The worksheet asked for (default the first visible one), hidden sheets reported; None
    after reporting why there is none."""
    names = wb.sheetnames
    hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
    if sheet is None:
        visible = [n for n in names if n not in hidden]
        if not visible:
            report.add(ERROR, "the workbook has no visible worksheet")
            return None
        sheet = visible[0]
        if len(names) > 1:
            report.add(WARNING, f"workbook has {len(names)} sheets; reading the first "
                       f"visible one, {sheet!r} (another can be chosen by its name)")
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            report.add(ERROR, f"sheet index {sheet} out of range (sheets: {names})")
            return None
        sheet = names[sheet]
    elif sheet not in names:
        report.add(ERROR, f"no sheet named {sheet!r} (sheets: {names})")
        return None
    ws = wb[sheet]
    report.sheet = ws.title
    if hidden:
        which = "this sheet is hidden" if ws.title in hidden else "not read"
        report.add(WARNING, f"hidden sheet(s) in the workbook: "
                   f"{', '.join(repr(h) for h in hidden)} ({which})")
    return ws


def _declared_size_ok(ws: Any, report: ValidationReport) -> bool:
    """Whether the size the sheet declares is within the limits (reported when not)."""
    if ws.max_row is not None and ws.max_row > _source.MAX_ROWS + _source.HEADER_ROWS:
        report.add(ERROR, f"the sheet declares {ws.max_row:,} rows, over the limit of "
                   f"{_source.MAX_ROWS:,} below its header; the file was not read")
        return False
    if ws.max_column is not None and ws.max_column > _source.MAX_COLUMNS:
        report.add(ERROR, f"the sheet declares {ws.max_column:,} columns, over the limit of "
                   f"{_source.MAX_COLUMNS:,}; the file was not read")
        return False
    return True


def _stream_rows(ws: Any, report: ValidationReport) -> list[list[Any]] | None:
    """The sheet's rows, the limits checked as they come (None after reporting a broken one)."""
    rows: list[list[Any]] = []
    try:
        for r in ws.iter_rows(min_row=1, values_only=True):
            if len(r) > _source.MAX_COLUMNS:
                report.add(ERROR, f"row {len(rows) + 1} has {len(r):,} columns, over the "
                           f"limit of {_source.MAX_COLUMNS:,}; the file was not read")
                return None
            rows.append(list(r))
            if len(rows) > _source.MAX_ROWS + _source.HEADER_ROWS:
                report.add(ERROR, f"the sheet has more than {_source.MAX_ROWS:,} rows below "
                           "its header, the limit; the file was not read")
                return None
    except Exception as exc:  # a damaged sheet part: openpyxl/lxml raise many types
        report.add(ERROR, f"the sheet {ws.title!r} cannot be read ({type(exc).__name__}: "
                   f"{exc}); save the workbook again from Excel, or as CSV")
        return None
    return rows
