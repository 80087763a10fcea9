"""The bytes of a source (path, file-like object, bytes), its type, its text, and the limits
checked before anything is parsed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from ..errors import InputError
from ._report import ERROR, WARNING, ValidationReport

Source = str | os.PathLike | IO[bytes] | IO[str] | bytes


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

#: Rows of data a file may have, below its header (a patient each; the header and any title
#: rows above it are not counted): twice the largest cohort we benchmark.
MAX_ROWS = 500_000
#: The header is looked for in a file's first rows (`_headers._find_header`): before it is
#: found, a file may have up to MAX_ROWS + HEADER_ROWS rows in all.
HEADER_ROWS = 15
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


def _file_type(data: bytes, name: str) -> str:
    """"xlsx" for a zip archive, "xls" for an Excel 97-2003 file, "text" otherwise.

    Decided by the content, not the name: a CSV saved as .xlsx is read as CSV.
    """
    if data[:4] == _ZIP_MAGIC:
        return "xlsx"
    if data[:8] == _OLE_MAGIC:
        return "xls"
    return "text"


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
