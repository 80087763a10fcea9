"""Reading cohort and DXA spreadsheets (CSV or XLSX) with row-precise validation.

Every problem is reported with the file, the sheet, the row number as the user sees it in the
spreadsheet (the header is usually row 1, so the first patient is row 2) and the column as the user
named it. Errors block analysis; warnings let it go on. Nothing is dropped silently: a skipped row
(a repeated header, an empty line) is itself reported.

Public entry points: `load_cohort`, `load_dxa` (path or file-like object -> table and report),
`coerce_cohort`, `coerce_dxa` (a DataFrame already in memory), `cross_check` (IDs in one file and
not the other), `template`.
"""

from __future__ import annotations

import csv
import io as _stdio
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from .errors import InputError
from .schema import COHORT_COLUMNS, DXA_COLUMNS, Column

__all__ = [
    "InputError",
    "Problem",
    "ValidationReport",
    "load_cohort",
    "load_dxa",
    "coerce_cohort",
    "coerce_dxa",
    "cross_check",
    "read_table",
    "list_sheets",
    "suggest_mapping",
    "template",
    "normalise_header",
    "table_digest",
    "write_templates",
]

Source = str | os.PathLike | IO[bytes] | IO[str] | bytes

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One finding about an input file.

    Attributes
    ----------
    severity : {"error", "warning"}
    file : str
        File name as given (or "cohort"/"DXA" for in-memory tables).
    sheet : str or None
        Worksheet name for XLSX files.
    row : int or None
        Spreadsheet row number as the user sees it (1-based, header row included); None for
        file-level problems.
    column : str or None
        Column header as written in the file (canonical name in brackets when they differ).
    message : str
        What is wrong and, where possible, how to fix it.
    value : str or None
        The offending cell value, as text.
    """

    severity: str
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        val = f" (value {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.severity}: {', '.join(where)}: {self.message}{val}"


@dataclass
class ValidationReport:
    """All problems found in one file, plus how its headers were mapped.

    Attributes
    ----------
    source : str
    sheet : str or None
    problems : list of Problem
    mapping : dict
        File header -> canonical column name, for every recognised header.
    unmapped : list of str
        Headers not recognised (ignored unless mapped by the user).
    headers : list of str
        The file's headers, in file order.
    header_row : int
        Spreadsheet row number of the header.
    n_rows : int
        Data rows read (after skipping reported empty or repeated-header rows).
    rows : tuple of int
        The spreadsheet row number of each row of the returned table, in order (the header's row
        plus one for a table that came from memory). `cross_check` and `coerce_cohort` use it to
        name rows as the user sees them.
    """

    source: str
    sheet: str | None = None
    problems: list[Problem] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    header_row: int = 1
    n_rows: int = 0
    rows: tuple[int, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, severity: str, message: str, *, row: int | None = None,
            column: str | None = None, value: Any = None) -> None:
        self.problems.append(
            Problem(severity, self.source, self.sheet, row, column, message,
                    None if value is None else str(value))
        )

    def to_frame(self) -> pd.DataFrame:
        """Problems as a table (columns: severity, file, sheet, row, column, message, value)."""
        cols = ["severity", "file", "sheet", "row", "column", "message", "value"]
        frame = pd.DataFrame([p.as_dict() for p in self.problems], columns=cols)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def summary(self, limit: int = 20) -> str:
        head = f"{self.source}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        lines = [head] + [f"  {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)

    def raise_if_errors(self) -> None:
        """Raise `InputError` naming the errors, if there are any."""
        if self.errors:
            errs = self.errors
            text = "\n".join(f"  {p}" for p in errs[:25])
            more = f"\n  ... and {len(errs) - 25} more" if len(errs) > 25 else ""
            raise InputError(
                f"{self.source}: {len(errs)} error(s) block the analysis:\n{text}{more}", errs
            )


# --------------------------------------------------------------------------------------------
# headers


def normalise_header(text: Any) -> str:
    """Comparison key of a header: lower case, units in brackets dropped, only letters and digits.

    >>> normalise_header("L1-4 BMD (g/cm2)")
    'l1l4bmd'
    """
    s = str(text).strip().lower()
    s = re.sub(r"\(.*?\)|\[.*?\]", "", s)
    s = s.replace("µ", "u")
    s = re.sub(r"[^a-z0-9]", "", s)
    s = re.sub(r"l1l?4", "l1l4", s)  # "L1-4", "L1-L4", "L14"
    return s.replace("tscore", "t")


def _lookup(columns: Sequence[Column]) -> dict[str, str]:
    table: dict[str, str] = {}
    for c in columns:
        for key in (c.name, *c.synonyms):
            table.setdefault(normalise_header(key), c.name)
    return table


_COHORT_LOOKUP = _lookup(COHORT_COLUMNS)
_DXA_LOOKUP = _lookup(DXA_COLUMNS)


def suggest_mapping(headers: Iterable[Any], kind: str = "cohort") -> dict[str, str | None]:
    """Map each header to a canonical column name (None when unrecognised).

    Parameters
    ----------
    headers : iterable
        Headers as written in the file.
    kind : {"cohort", "dxa"}
    """
    lookup = _kind(kind)[1]
    return {str(h): lookup.get(normalise_header(h)) for h in headers}


def _kind(kind: str) -> tuple[Sequence[Column], dict[str, str]]:
    if kind == "cohort":
        return COHORT_COLUMNS, _COHORT_LOOKUP
    if kind == "dxa":
        return DXA_COLUMNS, _DXA_LOOKUP
    raise InputError(f"kind: expected 'cohort' or 'dxa', got {kind!r}")


# --------------------------------------------------------------------------------------------
# reading raw cells


def _name_of(source: Source, name: str | None) -> str:
    if name:
        return name
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return getattr(source, "name", None) and Path(str(source.name)).name or "uploaded file"


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path}: file not found")
        return path.read_bytes()
    if hasattr(source, "getvalue"):
        data = source.getvalue()
    else:
        pos = source.tell() if hasattr(source, "tell") else None
        data = source.read()
        if pos is not None and hasattr(source, "seek"):
            source.seek(pos)
    return data.encode("utf-8") if isinstance(data, str) else data


# --------------------------------------------------------------------------------------------
# limits, checked before a file is parsed (issue 10: a 124 KB XLSX zip bomb held 31 MB of sheet
# XML and took 40 s and 1 GB of server memory to reject when the workbook was parsed whole)

#: Rows a file may have (header and title rows included): twice the largest cohort we benchmark.
MAX_ROWS = 500_000
#: Columns a file may have; the cohort schema has under 70, a spreadsheet with notes a few more.
MAX_COLUMNS = 1_000
#: Uncompressed bytes of all parts of an XLSX together (from the zip directory, before parsing).
MAX_XLSX_UNCOMPRESSED = 256 * 2**20
#: Largest uncompressed/compressed ratio of an XLSX part over 1 MB. Sheet XML compresses about
#: 5-20 times; a zip bomb (one repeated cell) 100 to 1000 times.
MAX_XLSX_RATIO = 100

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls (and other OLE files)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 1024:,.0f} KB"


def _open_xlsx_zip(data: bytes) -> Any:
    """The workbook's zip archive, after checking its directory against the limits.

    Raises `InputError` for a file that is not a readable zip, a zip that is not a workbook
    (no ``xl/workbook.xml``), or one over `MAX_XLSX_UNCOMPRESSED` or `MAX_XLSX_RATIO`. Only the
    central directory is read: nothing is decompressed.
    """
    import zipfile

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
    if total > MAX_XLSX_UNCOMPRESSED:
        archive.close()
        raise InputError(f"the workbook unpacks to {_mb(total)}, over the limit of "
                         f"{_mb(MAX_XLSX_UNCOMPRESSED)}; save the cohort as CSV, or split it")
    for i in infos:
        if i.file_size > 2**20 and i.file_size > MAX_XLSX_RATIO * max(i.compress_size, 1):
            archive.close()
            raise InputError(
                f"the workbook part {i.filename} unpacks to {_mb(i.file_size)} from "
                f"{_mb(i.compress_size)} (over {MAX_XLSX_RATIO} times its packed size, the limit "
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
    size is bounded by `MAX_XLSX_UNCOMPRESSED`).
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
    import openpyxl

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


def _file_type(data: bytes, name: str) -> str:
    """"xlsx" for a zip archive, "xls" for an Excel 97-2003 file, "text" otherwise.

    Decided by the content, not the name: a CSV saved as .xlsx is read as CSV.
    """
    if data[:4] == _ZIP_MAGIC:
        return "xlsx"
    if data[:8] == _OLE_MAGIC:
        return "xls"
    return "text"


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
                           f"visible one, {visible[0]!r} (another can be chosen by its name)")
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
        if ws.max_row is not None and ws.max_row > MAX_ROWS:
            report.add(ERROR, f"the sheet declares {ws.max_row:,} rows, over the limit of "
                       f"{MAX_ROWS:,}; the file was not read")
            return []
        if ws.max_column is not None and ws.max_column > MAX_COLUMNS:
            report.add(ERROR, f"the sheet declares {ws.max_column:,} columns, over the limit of "
                       f"{MAX_COLUMNS:,}; the file was not read")
            return []
        rows: list[list[Any]] = []
        try:
            for r in ws.iter_rows(min_row=1, values_only=True):
                if len(r) > MAX_COLUMNS:
                    report.add(ERROR, f"row {len(rows) + 1} has {len(r):,} columns, over the "
                               f"limit of {MAX_COLUMNS:,}; the file was not read")
                    return []
                rows.append(list(r))
                if len(rows) > MAX_ROWS:
                    report.add(ERROR, f"the sheet has more than {MAX_ROWS:,} rows, the limit; "
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


def _texts(raw: pd.Series) -> pd.Series:
    """`_cell_text` of every cell of a column; one vectorised strip when the cells are text (CSV).

    Text columns keep pandas' string dtype (Arrow-backed when pyarrow is installed, as with
    Streamlit), whose string methods run in C; others come back as object.
    """
    if isinstance(raw.dtype, pd.StringDtype):
        return raw.fillna("").str.strip()
    if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        return raw.fillna("").str.strip().astype(object)
    if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "biuf":  # numbers: text each
        codes, uniques = pd.factorize(raw)  # distinct value once (grades: a handful)
        out = np.array([_cell_text(u) for u in uniques] + [""], dtype=object)
        # code -1 (NaN) -> ""; copy=False: a fresh array, which pandas would copy again
        return pd.Series(out[codes], index=raw.index, copy=False, dtype=object)
    return raw.map(_cell_text).astype(object)


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float | np.floating):
        v = float(v)  # numpy 2 writes np.float64(11.9) for repr(numpy scalar)
        if np.isnan(v):
            return ""
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    return str(v).strip()


def _decode(data: bytes, report: ValidationReport) -> tuple[str | None, str]:
    """The text of a CSV/TSV file (None after reporting an error) and its encoding."""
    # Excel's "Unicode text" export is UTF-16 with a byte-order mark.
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252", "latin-1")  # latin-1 decodes any bytes
    text = ""
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            if enc == encodings[-1]:
                report.add(ERROR, f"file is not valid {enc} text")
                return None, enc
            continue
        if enc not in ("utf-8-sig", "utf-16"):
            report.add(WARNING, f"file is not UTF-8; read as {enc}")
        break
    if "\x00" in text:
        report.add(ERROR, "file looks binary, not CSV or XLSX")
        return None, enc
    return text, enc


def _text_kind(data: bytes, name: str, report: ValidationReport) -> str:
    """"xlsx", "text", or "" after reporting an unreadable format."""
    kind = _file_type(data, name)
    if kind == "xls":
        report.add(ERROR, "the file is in the old Excel 97-2003 format (.xls), which is not "
                   "read; save it from Excel as .xlsx or CSV")
        return ""
    if kind == "text" and name.lower().endswith((".xlsx", ".xlsm")):
        report.add(WARNING, "the file is named .xlsx but holds text, not a workbook; read as CSV")
    return kind


def _csv_rows(text: str, report: ValidationReport) -> list[list[Any]]:
    """All records of a CSV text through the csv module, record i being spreadsheet row i+1."""
    delim = _sniff_delimiter(text[:50000])
    # newline="": the csv module handles \r, \n and \r\n itself, quoted line breaks included
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delim)
    rows: list[list[Any]] = []
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                report.add(ERROR, f"line {reader.line_num} has {len(row):,} columns, over the "
                           f"limit of {MAX_COLUMNS:,}; the file was not read")
                return []
            rows.append(row)
            if len(rows) > MAX_ROWS:
                report.add(ERROR, f"the file has more than {MAX_ROWS:,} rows, the limit; the "
                           "file was not read")
                return []
    except csv.Error as exc:
        report.add(ERROR, f"cannot read the file as CSV (line {reader.line_num}): {exc}")
        return []
    return rows


def _read_rows(data: bytes, name: str, sheet: str | int | None,
               report: ValidationReport) -> list[list[Any]]:
    """All rows of the file as lists of raw cell values, row i being spreadsheet row i+1."""
    kind = _text_kind(data, name, report)
    if kind == "xlsx":
        return _read_xlsx(data, sheet, report)
    if not kind:
        return []
    text, _ = _decode(data, report)
    return [] if text is None else _csv_rows(text, report)


@dataclass
class _Grid:
    """A file's rows split at the header: `head` (rows 1 to the header, as lists) and `body`
    (the rows below, one positional column per header cell); body row i is spreadsheet row
    ``first_row + i``."""

    head: list[list[Any]]
    body: pd.DataFrame
    first_row: int
    text_columns: frozenset[int] = frozenset()  # read as text whatever they hold (the IDs)


def _fast_csv_grid(text: str, lookup: dict[str, str], id_headers: set[str],
                   report: ValidationReport, data: bytes, encoding: str) -> _Grid | None:
    """The grid of a CSV through pandas' C parser, or None when the file needs the csv module
    (a header not found in the first 15 lines, a line break inside a quoted cell above the
    header, a row longer than the header).

    pandas infers each column's type, so a column of numbers arrives as numbers and is never
    turned into text and back; identifier columns are read as text (``007`` stays ``007``).
    About 15 times faster than the csv module plus a cell-by-cell pass on a 50,000-row cohort
    (bench/bench_io.py).
    """
    delim = _sniff_delimiter(text[:50000])
    head_text = text[:1_000_000]  # the head only: no copy of the file
    buf = _stdio.StringIO(head_text, newline="")
    lines = []
    for _ in range(15):
        line = buf.readline()
        if not line:
            break
        lines.append(line)
    if len(text) > len(head_text) and sum(len(ln) for ln in lines) == len(head_text):
        return None  # 15 lines over 1 MB: the csv module path reads them
    try:
        head = [next(csv.reader([ln], delimiter=delim), []) for ln in lines]
        if [r for r in csv.reader(lines, delimiter=delim)] != head:
            return None  # a quoted line break in the first lines
    except csv.Error:
        return None
    hi = _find_header(head, lookup)
    if hi is None:
        return None
    if any(len(r) > MAX_COLUMNS for r in head):
        return None  # the csv module path names the line and the limit
    width = len(head[hi])
    offset = sum(len(ln) for ln in lines[: hi + 1])
    text_cols = {j for j, h in enumerate(head[hi])
                 if h.strip() in id_headers or normalise_header(h) in id_headers}
    if encoding == "utf-16":
        def source() -> Any:
            return _stdio.StringIO(text[offset:])
    else:  # the bytes themselves: pandas reads bytes about 3 times faster than a StringIO
        encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # (no BOM: we skip it)
        skip = len(text[:offset].encode(encoding)) + (3 if data[:3] == b"\xef\xbb\xbf" else 0)

        def source() -> Any:
            buf = _stdio.BytesIO(data)  # (shares the bytes: no copy of the file)
            buf.seek(skip)
            return buf
    options = dict(sep=delim, encoding=None if encoding == "utf-16" else encoding, header=None,
                   names=range(width), index_col=False, keep_default_na=False, na_values=[""],
                   skip_blank_lines=False, engine="c", true_values=[], false_values=[])
    try:
        # types inferred for every column; an identifier column that did not come back as text
        # (all numbers: 007 read as 7) is read again, alone, as text. (``dtype=str`` in the
        # first read cost a quarter of the parse on a 50,000-row cohort.)
        body = _read_csv_whole(source, options)
        retext = [j for j in sorted(text_cols) if not isinstance(body[j].dtype, pd.StringDtype)]
        if retext and len(body):
            again = pd.read_csv(source(), usecols=retext, dtype={j: str for j in retext},
                                low_memory=False, **options)
            for j in retext:
                body[j] = again[j]
        elif retext:  # a header and no rows: nothing to read again
            for j in retext:
                body[j] = body[j].astype(str)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error):
        return None
    if len(body) + hi + 1 > MAX_ROWS:
        report.add(ERROR, f"the file has more than {MAX_ROWS:,} rows, the limit; the file was "
                   "not read")
        return _Grid(head[: hi + 1], body.iloc[:0], hi + 2, frozenset(text_cols))
    return _Grid(head[: hi + 1], body, hi + 2, frozenset(text_cols))


def _read_csv_whole(source: Any, options: dict[str, Any]) -> pd.DataFrame:
    """``pandas.read_csv(source(), **options)`` with each column's type inferred from the whole
    column, as ``low_memory=False`` does, at the cost of pandas' faster chunked mode.

    The chunked mode infers types chunk by chunk. Chunks that disagree come back as a column of
    mixed types (object dtype) or, for integers beside decimals, as floats: exact below 2**53,
    so the same numbers. Either case is read again with ``low_memory=False``; otherwise the
    table is the one ``low_memory=False`` gives, 20% sooner on a 50,000-row cohort.
    """
    with warnings.catch_warnings():  # pandas warns of the mixed chunks we read again anyway
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)
        body = pd.read_csv(source(), low_memory=True, **options)
    for _, col in body.items():
        if col.dtype == object:
            return pd.read_csv(source(), low_memory=False, **options)
        if col.dtype.kind == "f":
            v = col.to_numpy()
            if np.fmax.reduce(v, initial=-np.inf) > 2**53 or np.fmin.reduce(
                    v, initial=np.inf) < -2**53:
                return pd.read_csv(source(), low_memory=False, **options)
    return body


def _grid_of_rows(cells: list[list[Any]], hi: int, report: ValidationReport) -> _Grid:
    """The grid of rows read as lists (XLSX, or CSV through the csv module)."""
    width = len(cells[hi])
    body_rows = []
    for i in range(hi + 1, len(cells)):
        row = cells[i]
        if len(row) > width:
            if any(_cell_text(c) for c in row[width:]) and any(_cell_text(c) for c in row):
                report.add(WARNING, "cells beyond the last header column ignored", row=i + 1)
            row = row[:width]
        elif len(row) < width:
            row = list(row) + [None] * (width - len(row))
        body_rows.append(row)
    body = pd.DataFrame(body_rows, columns=range(width), dtype=object)
    if len(body):
        body = body.infer_objects()  # columns of numbers (XLSX) become numeric
    return _Grid(cells[: hi + 1], body, hi + 2)


def _sniff_delimiter(sample: str) -> str:
    """The delimiter whose count is the same, and non-zero, on most of the first lines.

    A consistent count beats a large one, so decimal commas in a semicolon-separated file do not
    pass for the delimiter.
    """
    lines = [ln for ln in sample.splitlines() if ln.strip()][:30]
    best, best_score = ",", (-1.0, 0)
    for d in ("\t", ";", ",", "|"):
        counts = [ln.count(d) for ln in lines]
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode = max(set(nonzero), key=nonzero.count)
        score = (counts.count(mode) / len(lines), mode)
        if score > best_score:
            best, best_score = d, score
    return best


# --------------------------------------------------------------------------------------------
# parsing cells by kind


_TRUE = {"1", "yes", "y", "true", "t", "x", "ja", "si", "oui", "1.0", "+"}
_FALSE = {"0", "no", "n", "false", "f", "nein", "non", "0.0", "-"}
_MISSING = {"", "na", "n/a", "nan", "none", "null", ".", "missing", "?", "nd", "#n/a",
            "-", "\u2013", "\u2014"}  # a dash alone (hyphen, en or em dash): nothing recorded
_UNICODE_MINUS = "\u2212"  # Word and some Excel locales write "−1.9"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}

def _category_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _parse_category(col: Column, raw: pd.Series, report: ValidationReport, rows: np.ndarray,
                    label: str, distinct: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> tuple[pd.Series, pd.Series]:
    """(parsed values, bad mask)."""
    aliases = dict(col.aliases)  # the schema's other spellings, then the categories themselves
    for cat in col.categories:
        aliases.setdefault(_category_key(cat), cat)
    codes, values = _distinct(raw, distinct)
    blank = pd.isna(values)
    categories = set(col.categories)
    if all(b or v in categories for v, b in zip(values, blank, strict=True)):
        # already canonical (a table from this module, a clean file): no parsing
        canonical = np.where(blank, np.nan, values)
        return (pd.Series(canonical[codes], index=raw.index, copy=False, dtype=object),
                pd.Series(False, index=raw.index))
    text = [_cell_text(v) for v in values]
    keys = [_category_key(t) for t in text]
    spelled = aliases.keys() - {""}
    missing_v = np.array([t.lower() in _MISSING and k not in spelled
                          for t, k in zip(text, keys, strict=True)], dtype=bool)
    parsed_v = np.array([np.nan if m or k not in aliases else aliases[k]  # missing is NaN
                         for m, k in zip(missing_v, keys, strict=True)], dtype=object)
    missing = pd.Series(missing_v[codes], index=raw.index, copy=False)
    if (missing_v & np.array([t != "" for t in text], dtype=bool))[codes].any():
        cell_text = pd.Series(np.array(text, dtype=object)[codes], index=raw.index, copy=False)
        _note_missing(cell_text.where(missing, "x"), report, rows, label)
    parsed = pd.Series(parsed_v[codes], index=raw.index, copy=False, dtype=object)
    bad = parsed.isna() & ~missing
    return parsed, bad


def _rows_text(rows: np.ndarray, idx: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(str(int(rows[i])) for i in idx[:limit])
    return f"row {shown}" if len(idx) == 1 else (
        f"rows {shown}" + (f" and {len(idx) - limit} more" if len(idx) > limit else ""))


def _note_missing(text: pd.Series, report: ValidationReport, rows: np.ndarray,
                  label: str) -> pd.Series:
    """Mask of cells that mean "missing" (blank, NA, N/A, a dash, a full stop...).

    Blank cells are missing without comment; a written spelling of missing gets one warning per
    column naming its rows, so a "-" meant as a minus sign is never lost unseen.
    """
    lower = text.str.lower()
    missing = lower.isin(_MISSING)
    spelled = missing & text.ne("")
    if spelled.any():
        idx = np.flatnonzero(spelled.to_numpy())
        kinds = ", ".join(repr(v) for v in pd.unique(text.iloc[idx])[:6])
        report.add(WARNING, f"{kinds} read as missing in {_rows_text(rows, idx)}",
                   row=int(rows[idx[0]]), column=label, value=text.iloc[idx[0]])
    return missing


def _parse_float(raw: pd.Series, report: ValidationReport, col: Column, label: str,
                 rows: np.ndarray) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype(float), pd.Series(False, index=raw.index)
    text = _texts(raw)
    missing = _note_missing(text, report, rows, label)
    minus = text.str.contains(_UNICODE_MINUS, regex=False)
    if minus.any():
        idx = np.flatnonzero(minus.to_numpy())
        report.add(WARNING, f"Unicode minus sign (\u2212) read as a minus in "
                   f"{_rows_text(rows, idx)}", row=int(rows[idx[0]]), column=label,
                   value=text.iloc[idx[0]])
        text = text.str.replace(_UNICODE_MINUS, "-", regex=False)
    values = pd.to_numeric(text.where(~missing, None), errors="coerce")
    failed = values.isna() & ~missing
    if failed.any():
        comma = text[failed].str.fullmatch(r"[+-]?\d+,\d+")
        fixed_idx = comma[comma].index
        if len(fixed_idx):
            values.loc[fixed_idx] = pd.to_numeric(text[fixed_idx].str.replace(",", "."))
            first = fixed_idx[0]
            n_fixed = len(fixed_idx)
            report.add(WARNING, "decimal comma read as a decimal point"
                       + (f" (here and in {n_fixed - 1} more cell(s) of this column)"
                          if n_fixed > 1 else ""),
                       row=int(rows[first]), column=label, value=text[first])
            failed.loc[fixed_idx] = False
    return values.astype(float), failed


def _distinct(raw: pd.Series, given: tuple[np.ndarray, np.ndarray] | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values): ``values[codes]`` is `raw` again, a missing cell having code
    -1, which picks the trailing None. Yes/no and category columns hold a handful of distinct
    values, so each is parsed once instead of once per patient, in plain Python (pandas' fixed
    cost per call exceeds the work on a handful). ``given``: `raw` already factorised (codes,
    distinct values without the trailing None)."""
    codes, uniques = given if given is not None else pd.factorize(raw)
    values = np.empty(len(uniques) + 1, dtype=object)
    values[:-1] = list(uniques)
    return codes, values


def _parse_bool(raw: pd.Series, distinct: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), pd.Series(False, index=raw.index)
    if distinct is None and isinstance(raw.dtype, pd.StringDtype):  # yes / no / blank
        yes, no = raw.eq("yes").to_numpy(bool, na_value=False), raw.eq("no").to_numpy(
            bool, na_value=False)
        blank = raw.isna().to_numpy()
        if (yes | no | blank).all():
            return (pd.Series(pd.arrays.BooleanArray(yes, blank), index=raw.index, copy=False),
                    pd.Series(False, index=raw.index))
    codes, values = _distinct(raw, distinct)
    text = [_cell_text(v).lower() for v in values]
    missing = np.array([t in _MISSING and t != "-" for t in text], dtype=bool)
    true = np.array([t in _TRUE for t in text], dtype=bool)
    unknown = ~true & ~np.array([t in _FALSE for t in text], dtype=bool)  # (no shared spelling)
    bad = unknown & ~missing
    parsed = pd.arrays.BooleanArray(true[codes], unknown[codes])
    return (pd.Series(parsed, index=raw.index, copy=False),
            pd.Series(bad[codes], index=raw.index, copy=False))


def _coerce_table(raw: pd.DataFrame, rows: np.ndarray, kind: str, report: ValidationReport,
                  mapping: dict[str, str | None] | None,
                  distinct: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
                  ) -> pd.DataFrame:
    """Map headers, parse every declared column, validate; return the canonical table.

    ``distinct`` holds, for some headers, the column already factorised (codes, distinct
    values: see `_distinct`), so it is not done twice.
    """
    columns, lookup = _kind(kind)
    declared = {c.name: c for c in columns}
    user = {str(k): v for k, v in (mapping or {}).items()}

    source_for: dict[str, str] = {}
    report.headers = [str(h) for h in raw.columns]
    for header in raw.columns:
        h = str(header)
        if h in user:
            target = user[h] or None
            if target and target not in declared:
                report.add(ERROR, f"mapping names unknown column {target!r}", column=h)
                continue
        else:
            target = lookup.get(normalise_header(h))
        if not target:
            if h.strip() and not h.startswith("Unnamed"):
                report.unmapped.append(h)
            continue
        if target in source_for:
            report.add(ERROR, f"two columns map to {target!r}: {source_for[target]!r} and {h!r}; "
                       "rename or unmap one", column=h)
            continue
        source_for[target] = h
        report.mapping[h] = target
    if report.unmapped:
        shown = ", ".join(repr(u) for u in report.unmapped[:12])
        more = f" and {len(report.unmapped) - 12} more" if len(report.unmapped) > 12 else ""
        report.add(WARNING, f"column(s) not recognised and ignored: {shown}{more} "
                   "(map them by hand if they hold a known variable)")
    missing_req = [c for c in columns if c.required and c.name not in source_for]
    for c in missing_req:
        also = f" (also read as: {', '.join(c.synonyms[:6])})" if c.synonyms else ""
        report.add(ERROR, f"missing required column {c.name!r}{also}")

    out: dict[str, pd.Series] = {}
    for name, header in source_for.items():
        col = declared[name]
        label = header if header == name else f"{header} [{name}]"
        series = raw[header]  # (raw has a default index: 0 .. n-1)
        out[name] = _parse_column(col, series, rows, label, report,
                                  (distinct or {}).get(header))

    _check_signs(out, declared, source_for, report)
    # declared order, only the columns present; built once (no reordering copy)
    # (consolidated into 2-D blocks: not copying them saved 10 ms here at 50,000 rows and cost
    # 80 ms in prepare_cohort at 100,000)
    table = pd.DataFrame({c.name: out[c.name] for c in columns if c.name in out},
                         index=pd.RangeIndex(len(raw)))
    report.rows = tuple(np.asarray(rows, dtype=np.int64).tolist())
    return table


def _check_signs(out: dict[str, pd.Series], declared: dict[str, Column],
                 source_for: dict[str, str], report: ValidationReport) -> None:
    """Warn when every value of a column with a `schema.SignCheck` is zero or positive in a file
    of its ``min_n`` or more values.

    In a cohort screened for osteoporosis most T-scores are negative; none negative usually
    means the minus signs were lost (a text export, a column formatted as absolute values).
    """
    for name, values in out.items():
        check = declared[name].sign_check
        if check is None:
            continue
        v = values.dropna()
        if len(v) >= check.min_n and (v >= 0).all():
            report.add(WARNING, check.message.format(n=len(v)), column=source_for.get(name, name))


def _report_cells(report: ValidationReport, bad: pd.Series | np.ndarray, raw: pd.Series,
                  rows: np.ndarray, label: str, message: str, severity: str = ERROR,
                  limit: int = 50) -> None:
    idx = np.flatnonzero(np.asarray(bad, dtype=bool))
    for i in idx[:limit]:
        report.add(severity, message, row=int(rows[i]), column=label, value=_cell_text(raw.iloc[i]))
    if len(idx) > limit:
        report.add(severity, f"{message}: {len(idx) - limit} more cell(s) in this column",
                   column=label)


def _read_roman(series: pd.Series) -> pd.Series:
    """A copy of `series` with roman numerals ("III", "grade ii") as their numbers; other cells
    as they were (a `schema.Column` with ``roman=True``)."""
    txt = _texts(series).str.lower().str.replace("grade", "").str.strip()
    roman = txt.map(_ROMAN)
    return series.astype(object).where(roman.isna(), roman)


def _parse_column(col: Column, series: pd.Series, rows: np.ndarray, label: str,
                  report: ValidationReport,
                  distinct: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """The parsed values of one column; its problems go to `report`. ``distinct``: the column
    already factorised (codes, distinct values), if it was."""
    if col.kind == "id":
        if isinstance(series.dtype, pd.StringDtype):  # text, missing as NA (C parser)
            text = _texts(series)
        elif series.map(type).eq(str).all():  # already text: strip only
            text = series.str.strip()
        else:
            text = _texts(series)
        empty = text.str.lower().isin(_MISSING)
        _report_cells(report, empty, series, rows, label, "patient_id is empty")
        dup = text.duplicated(keep=False) & ~empty
        if dup.any():
            for pid, grp in text[dup].groupby(text[dup]):
                where = _rows_text(rows, grp.index.to_numpy())
                report.add(ERROR, f"duplicated patient_id {pid!r} ({where})",
                           row=int(rows[grp.index[0]]), column=label, value=pid)
        return text.astype(object).where(~empty, None)
    if col.kind == "float":
        values, bad = _parse_float(series, report, col, label, rows)
        _report_cells(report, bad, series, rows, label, "not a number")
        return _check_range(col, values, series, rows, label, report)
    if col.kind == "int":
        if col.roman and not pd.api.types.is_numeric_dtype(series.dtype):
            series = _read_roman(series)
        values, bad = _parse_float(series, report, col, label, rows)
        _report_cells(report, bad, series, rows, label, "not a number")
        v = values.to_numpy(dtype=float, na_value=np.nan)
        frac = ~np.isnan(v) & (v != np.round(v))
        if frac.any():
            _report_cells(report, frac, series, rows, label, "grade must be a whole number")
            values = values.where(~frac)
        values = _check_range(col, values, series, rows, label, report)
        v = values.to_numpy(dtype=float, na_value=np.nan)
        mask = np.isnan(v)
        return pd.Series(pd.arrays.IntegerArray(
            np.where(mask, 0, np.round(v)).astype(np.int64), mask), index=values.index,
            copy=False)  # (fresh arrays here: pandas would copy them again)
    if col.kind == "bool":
        values, bad = _parse_bool(series, distinct)
        _report_cells(report, bad, series, rows, label, "expected yes/no (or 1/0, true/false)")
        return values
    if col.kind == "category":
        values, bad = _parse_category(col, series, report, rows, label, distinct)
        _report_cells(report, bad, series, rows, label,
                      f"expected one of {', '.join(col.categories)}")
        return values
    raise InputError(f"unknown column kind {col.kind!r}")  # pragma: no cover


def _check_range(col: Column, values: pd.Series, raw: pd.Series, rows: np.ndarray, label: str,
                 report: ValidationReport) -> pd.Series:
    """Report the values outside the column's range, then its advisory; return the values with
    those outside a hard range set missing (an erroneous value is never analysed; the error
    blocks anyway). `values` itself is left as it was.

    An out-of-range value matching one of the column's `schema.Slip` s is reported with the
    slip's message, the others with the plain range message.
    """
    checked = values
    if col.low is not None or col.high is not None:
        lo = -np.inf if col.low is None else col.low
        hi = np.inf if col.high is None else col.high
        v = values.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            outside = ~np.isnan(v) & ((v < lo) | (v > hi))
        if outside.any():
            plain = outside
            for slip in col.slips:
                hit = plain & (v >= slip.low) & (v <= slip.high)
                _report_cells(report, hit, raw, rows, label, slip.message)
                plain = plain & ~hit
            msg = f"outside the plausible range {col.low:g} to {col.high:g}"
            if col.unit:
                msg += f" {col.unit}"
            _report_cells(report, plain, raw, rows, label, msg, ERROR if col.hard else WARNING)
            if col.hard:
                checked = values.mask(outside)
    if col.advisory is not None:
        below = checked.notna().to_numpy() & (checked.to_numpy(dtype=float, na_value=np.nan)
                                              < col.advisory.low)
        _report_cells(report, below, raw, rows, label, col.advisory.message, WARNING,
                      col.advisory.limit)
    return checked


# --------------------------------------------------------------------------------------------
# header detection and public loaders


_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]*\.?[0-9]+")


def _header_key(cell: Any) -> str:
    """`normalise_header` of a cell; a plain number (most cells of the rows under the header)
    is keyed by its digits without the regular expressions."""
    text = str(cell)
    if _PLAIN_NUMBER.fullmatch(text):
        return text.replace("+", "").replace("-", "").replace(".", "")
    return normalise_header(text)


def _find_header(cells: list[list[Any]], lookup: dict[str, str]) -> int | None:
    best, best_i = 0, None
    keys: dict[str, str] = {}  # each distinct cell keyed once (yes, no, F, M... repeat)
    for i, row in enumerate(cells[:15]):
        found = set()
        for c in row:
            if not _cell_text(c):
                continue
            text = str(c)
            k = keys.get(text)
            if k is None:
                k = keys[text] = _header_key(text)
            if k in lookup:
                found.add(lookup[k])
        hits = len(found)
        if hits > best:
            best, best_i = hits, i
    return best_i if best >= 1 else None


def read_table(source: Source, kind: str, *, sheet: str | int | None = None,
               mapping: dict[str, str | None] | None = None,
               name: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read and validate a cohort or DXA file without raising on data errors.

    Same as `load_cohort` / `load_dxa` but returns whatever could be parsed together with the report
    (check ``report.ok``). The app uses it to show every problem at once.
    """
    columns, lookup = _kind(kind)
    fname = _name_of(source, name)
    report = ValidationReport(source=fname)
    data = _read_bytes(source)
    empty = pd.DataFrame(columns=[c.name for c in columns])
    if not data or data.isspace():  # (bytes.strip would copy the file)
        report.add(ERROR, "file is empty")
        return empty, report
    grid = None
    ftype = _text_kind(data, fname, report)
    if not ftype:
        return empty, report
    if ftype == "text":
        text, encoding = _decode(data, report)
        if text is None:
            return empty, report
        ids = {c.name for c in columns if c.kind == "id"}  # read as text, whatever they hold
        id_headers = {h for h, target in (mapping or {}).items() if target in ids}
        id_headers |= _headers_for(lookup, ids)
        grid = _fast_csv_grid(text, lookup, id_headers, report, data, encoding)
        if report.errors:
            return empty, report
    if grid is None:
        cells = (_csv_rows(text, report) if ftype == "text"
                 else _read_xlsx(data, sheet, report))
        if report.errors:
            return empty, report
        if not any(any(_cell_text(c) for c in row) for row in cells):
            report.add(ERROR, "file has no cells with content")
            return empty, report
        hi = _find_header(cells, lookup)
        if hi is None and _find_header([re.split(r"\s+", _cell_text(r[0])) for r in cells[:15]
                                        if r and sum(1 for c in r if _cell_text(c)) == 1],
                                       lookup) is not None:
            report.add(ERROR, "the columns seem to be separated by spaces, which cannot be told "
                       "apart from spaces inside a value; save the file as CSV (comma, semicolon "
                       "or tab separated) or XLSX")
            return empty, report
        if hi is None:
            report.add(ERROR, "no header row with a recognised column name was found in the "
                       "first 15 rows (expected e.g. "
                       f"{', '.join(c.name for c in columns if c.required)})")
            return empty, report
        grid = _grid_of_rows(cells, hi, report)
    return _table_from_grid(grid, kind, mapping, report, empty)


def _headers_for(lookup: dict[str, str], targets: set[str]) -> set[str]:
    """Any header text that maps to one of `targets` is recognised by its normalised key; this
    returns the keys, which `_fast_csv_grid` compares after normalising."""
    return {k for k, v in lookup.items() if v in targets}


def _table_from_grid(grid: _Grid, kind: str, mapping: dict[str, str | None] | None,
                     report: ValidationReport, empty: pd.DataFrame
                     ) -> tuple[pd.DataFrame, ValidationReport]:
    hi = len(grid.head) - 1
    for i in range(hi):
        texts = [_cell_text(c) for c in grid.head[i]]
        if any(texts):
            report.add(WARNING, "row above the header ignored (title or merged header row?)",
                       row=i + 1, value=" | ".join(t for t in texts if t))
    header = [_cell_text(c) for c in grid.head[hi]]
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if not h:
            header[j] = f"Unnamed: {j + 1}"
            continue
        if h in seen:
            report.add(ERROR, f"header {h!r} appears twice (columns {seen[h] + 1} and {j + 1})",
                       row=hi + 1, column=h)
            header[j] = f"{h} ({j + 1})"
        seen[h] = j
    body = grid.body
    n = len(body)
    # which rows hold something; column by column (no Python loop over rows)
    nonempty = np.zeros(n, dtype=bool)
    # a repeated header row: at least one cell repeats its column's header exactly as written
    # (text columns only: a header cell in a column makes it text); those rows are then checked
    # with the normalised headers, as the header itself was found. (Normalising every cell
    # cost 3.3 million calls on a 50,000-row file.)
    candidate = np.zeros(n, dtype=bool)
    distinct: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    numeric = [j for j, t in enumerate(body.dtypes)
               if pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)]
    numeric_set = set(numeric)
    for j in range(body.shape[1]):
        col = body[j]
        if j in numeric_set:
            nonempty |= col.notna().to_numpy()
            continue
        if isinstance(col.dtype, pd.StringDtype) and j not in grid.text_columns:
            # (from the C parser) each distinct cell tested once, in place; yes/no and category
            # columns hold a handful, and the parsers reuse the codes (`_distinct`)
            # (in Python: a handful of values, and pandas' fixed cost per call on Arrow strings
            # is larger; Python's str.isspace agrees with Arrow's on every code point)
            codes, uniques = col.array.factorize()
            u = uniques.to_numpy(dtype=object)
            distinct[j] = codes, u
            u_filled = np.fromiter((bool(v) and not v.isspace() for v in u), bool, len(u))
            nonempty |= np.append(u_filled, False)[codes]  # code -1 (missing) picks False
            same = np.flatnonzero(u == header[j])
            if len(same):
                candidate |= codes == same[0]
            continue
        if isinstance(col.dtype, pd.StringDtype):  # unique text (the IDs): test in place
            t = col
            nonempty |= (col.notna() & col.ne("") & ~col.str.isspace()).to_numpy(
                dtype=bool, na_value=False)
        else:
            t = _texts(col)
            nonempty |= t.ne("").to_numpy(dtype=bool, na_value=False)
        candidate |= (t == header[j]).to_numpy(dtype=bool, na_value=False)
    header_keys = [normalise_header(h) for h in header]
    repeated = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(candidate):
        row = [_cell_text(body[j].iat[i]) for j in range(body.shape[1])]
        same = sum(1 for t, k in zip(row, header_keys, strict=True)
                   if t and normalise_header(t) == k)
        if same >= max(2, (sum(1 for t in row if t) + 1) // 2):
            report.add(WARNING, "repeated header row skipped", row=grid.first_row + int(i))
            repeated[i] = True
    keep = nonempty & ~repeated
    blank = ~nonempty
    trailing = int(np.argmax(nonempty[::-1])) if nonempty.any() else n
    blank_inside = int(blank.sum()) - trailing
    if blank_inside > 0:
        report.add(WARNING, f"{blank_inside} empty row(s) between data rows skipped")
    if not keep.any():
        report.add(ERROR, "file has a header but no data rows", row=hi + 1)
        return empty, report
    idx = np.flatnonzero(keep)
    raw = body.iloc[idx].reset_index(drop=True) if len(idx) < n else body
    raw = raw.set_axis(header, axis=1)  # (a new frame: the grid is left as it was)
    rows = grid.first_row + idx
    report.header_row = hi + 1
    report.n_rows = len(raw)
    kept = {header[j]: ((codes[idx] if len(idx) < n else codes), uniques)
            for j, (codes, uniques) in distinct.items()}
    table = _coerce_table(raw, rows, kind, report, mapping, kept)
    return table, report


def load_cohort(source: Source, *, sheet: str | int | None = None,
                mapping: dict[str, str | None] | None = None,
                name: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read a cohort spreadsheet (CSV or XLSX) into the canonical cohort table.

    Parameters
    ----------
    source : path, file-like object or bytes
        The file. CSV may use ``,``, ``;`` or tab; XLSX may have several sheets.
    sheet : str or int, optional, keyword-only
        Worksheet to read (XLSX); default the first.
    mapping : dict, optional, keyword-only
        File header -> canonical column name (or None to ignore it), overriding the automatic
        synonym mapping.
    name : str, optional, keyword-only
        Name to report problems under (default the file name).

    Returns
    -------
    table : DataFrame
        Canonical columns (see ``docs/data_dictionary.md``).
    report : ValidationReport
        Warnings (errors raise); ``report.rows`` holds each table row's spreadsheet row number.

    Raises
    ------
    InputError
        When the file has errors; the message lists them with file, row and column, and
        ``exc.problems`` holds them as `Problem` records.

    Examples
    --------
    >>> from vbq.io import load_cohort
    >>> table, report = load_cohort("data/demo_cohort.csv")
    >>> len(table), report.ok
    (235, True)
    """
    table, report = read_table(source, "cohort", sheet=sheet, mapping=mapping, name=name)
    report.raise_if_errors()
    return table, report


def load_dxa(source: Source, *, sheet: str | int | None = None,
             mapping: dict[str, str | None] | None = None,
             name: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read a DXA spreadsheet (CSV or XLSX) into the canonical DXA table.

    Same parameters, returns and errors as `load_cohort`. BMD must be in g/cm2 (a value that looks
    like mg/cm2 is reported); T-scores outside -7..+7 are errors.

    Examples
    --------
    >>> from vbq.io import load_dxa
    >>> table, report = load_dxa("data/demo_dxa.csv")
    >>> sorted(table.columns)[:3]
    ['bmd_femoral_neck', 'bmd_l1_l4', 'bmd_total_hip']
    """
    table, report = read_table(source, "dxa", sheet=sheet, mapping=mapping, name=name)
    report.raise_if_errors()
    return table, report


def _coerce_frame(frame: pd.DataFrame, kind: str, source: str,
                  rows: Sequence[int] | None) -> tuple[pd.DataFrame, ValidationReport]:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{source}: expected a pandas DataFrame, got {type(frame).__name__}")
    report = ValidationReport(source=source)
    if frame.empty:
        report.add(ERROR, "table is empty")
        columns, _ = _kind(kind)
        return pd.DataFrame(columns=[c.name for c in columns]), report
    if rows is None:
        rows = range(2, len(frame) + 2)  # as if written to a sheet with a header in row 1
    elif len(rows) != len(frame):
        raise InputError(f"rows: expected {len(frame)} row numbers (one per row of the table), "
                         f"got {len(rows)}")
    raw = frame.reset_index(drop=True)
    raw.columns = [str(c) for c in raw.columns]
    report.n_rows = len(raw)
    table = _coerce_table(raw, np.asarray(list(rows)), kind, report, None)
    return table, report


_MASKED = (pd.arrays.IntegerArray, pd.arrays.BooleanArray, pd.arrays.FloatingArray)


def _fingerprint(hasher: Any, frame: pd.DataFrame) -> None:
    """Feed every cell, column name and dtype of `frame` to a hashlib `hasher`, exactly.

    Numbers go in as their bytes (with the missing-value mask), anything else as the repr of
    its values, which tells apart 1 and "1", None and "None". Public pandas API only. About
    4 ms for the demo cohort, where `pandas.util.hash_pandas_object` took 12 ms and, after a
    cast to object, 40 ms (and hashes with collisions, where this feeds SHA-256).
    """
    hasher.update(repr((len(frame), [str(c) for c in frame.columns],
                        [str(t) for t in frame.dtypes])).encode())
    for _, col in frame.items():
        arr = col.array
        if isinstance(arr, _MASKED):  # Int64, boolean, Float64: the values and the NA mask
            # public API only: the values with NA as 0, then the mask itself
            hasher.update(arr.to_numpy(dtype=arr.dtype.numpy_dtype, na_value=0).tobytes())
            hasher.update(np.asarray(arr.isna()).tobytes())
        elif isinstance(col.dtype, np.dtype) and col.dtype.kind in "biufmM":
            hasher.update(np.ascontiguousarray(col.to_numpy()).tobytes())
        else:
            hasher.update(repr(col.tolist()).encode())


def coerce_cohort(frame: pd.DataFrame, *, source: str = "cohort",
                  rows: Sequence[int] | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate a cohort DataFrame already in memory; returns (canonical table, report), never raises
    on data errors (check ``report.ok``).

    ``source`` names the table in problems; ``rows`` gives the spreadsheet row number of each row
    (default 2, 3, ... as if the table were written to a sheet with its header in row 1; pass
    ``report.rows`` of `read_table` to re-validate a table read from a file).
    """
    return _coerce_frame(frame, "cohort", source, rows)


def coerce_dxa(frame: pd.DataFrame, *, source: str = "DXA",
               rows: Sequence[int] | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate a DXA DataFrame already in memory; see `coerce_cohort`."""
    return _coerce_frame(frame, "dxa", source, rows)


def cross_check(cohort: pd.DataFrame, dxa: pd.DataFrame, *, cohort_name: str = "cohort",
                dxa_name: str = "DXA", cohort_rows: Sequence[int] | None = None,
                dxa_rows: Sequence[int] | None = None) -> list[Problem]:
    """Warnings for patient IDs present in one table and not the other, with their rows.

    ``cohort_rows`` / ``dxa_rows``: spreadsheet row numbers of the tables' rows (``report.rows``
    of `read_table`); default 2, 3, ...
    """
    problems = []
    for a, b, an, bn, rows in ((cohort, dxa, cohort_name, dxa_name, cohort_rows),
                               (dxa, cohort, dxa_name, cohort_name, dxa_rows)):
        if "patient_id" not in a.columns or "patient_id" not in b.columns:
            continue
        if rows is None or len(rows) != len(a):
            rows = range(2, len(a) + 2)
        rows = np.asarray(list(rows))
        ids = a["patient_id"]
        alone = np.flatnonzero((ids.notna() & ~ids.isin(b["patient_id"].dropna())).to_numpy())
        message = (f"no matching row in the {bn} file; this patient is excluded from the "
                   "analysis")
        problems.extend(Problem(WARNING, an, None, int(rows[i]), "patient_id", message,
                                str(ids.iat[i])) for i in alone)
    return problems


def template(kind: str) -> pd.DataFrame:
    """An empty table with every canonical column of `kind` ("cohort" or "dxa"), for a template."""
    columns, _ = _kind(kind)
    return pd.DataFrame(columns=[c.name for c in columns])


def table_digest(*frames: pd.DataFrame) -> str:
    """SHA-256 of the tables' full contents (values, columns, dtypes), for cache keys.

    Streamlit hashes large DataFrames by sampling rows, which can serve a stale result after an
    edit; this digest reads every cell.
    """
    import hashlib

    h = hashlib.sha256()
    for frame in frames:
        _fingerprint(h, frame)
    return h.hexdigest()


def write_templates(folder: str | os.PathLike) -> list[Path]:
    """Write empty cohort and DXA templates (CSV and one XLSX with both sheets) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in ("cohort", "dxa"):
        path = folder / f"{kind}_template.csv"
        template(kind).to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    xlsx = folder / "vbq_template.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        template("cohort").to_excel(writer, sheet_name="cohort", index=False)
        template("dxa").to_excel(writer, sheet_name="dxa", index=False)
    paths.append(xlsx)
    return paths
