"""Reading a measurement CSV for import in chunks, within stated limits.

A lab's export can hold a hundred thousand ROI rows; read whole, a 88 MB file cost 570 MB of
server memory before the first row was saved (issue 18). Here the file's size and rows are
checked against `IMPORT_MAX_BYTES` and `IMPORT_MAX_ROWS` before anything is parsed, and its rows
are read in slices of about `_CHUNK_BYTES`, each slice validated and handed to the store before
the next is read, so the memory an import takes does not grow with the file.

Every slice is read by the rules of `vbq.io`, the one parser of the product's files: the first
slice by `vbq.io.read_table` (encoding, delimiter, title rows, the header and its synonyms, the
file-level checks), the others split with the same delimiter and validated by
`vbq.io.coerce_table` under their own spreadsheet row numbers, so every problem names the row
as the whole file numbers it. A workbook (XLSX), a UTF-16 text file and a file smaller than one
slice are read whole by `vbq.io.read_table` (they are within `IMPORT_MAX_BYTES`).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError
from ..io import ERROR, WARNING, ValidationReport, coerce_table, read_table
from ._csv import _BY_NAME, _read_source, _records

IMPORT_MAX_BYTES = 128 * 2**20
"""Largest measurement file `MeasurementStore.import_csv` reads: 128 MB (an export of
`IMPORT_MAX_ROWS` rows with the longest provenance text is about 100 MB)."""

IMPORT_MAX_ROWS = 120_000
"""Most ROI rows one import saves: 120,000 (24,000 readings of five ROIs, e.g. 2,000 patients
read twelve times). One import is one transaction and holds the writers' lock while it runs, so
other sessions' saves wait for it (up to 30 s on SQLite): 104,000 rows took 18-33 s on the
2-core development machine under load (bench/bench_store_scale.py). A larger file is imported
in parts."""

_CHUNK_BYTES = 4 * 2**20
_MAX_ERRORS = 200  # errors listed before the reading stops: enough to see what is wrong
_DELIMITERS = (",", ";", "\t", "|")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_XLSX_MAGIC = b"PK\x03\x04"


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def _size_of(source: Any) -> int | None:
    """The size in bytes of a path, bytes or seekable file, without reading it (None when it
    cannot be known before reading)."""
    if isinstance(source, bytes | bytearray):
        return len(source)
    if isinstance(source, str) and "\n" in source:
        return len(source.encode("utf-8"))
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).stat().st_size
        except OSError:
            return None  # (reading it names the problem)
    size = getattr(source, "size", None)  # Streamlit's UploadedFile
    return size if isinstance(size, int) else None


def _check_size(size: int, name: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(f"{name} is {_mb(size)}, over the import limit of {_mb(max_bytes)}: "
                         "nothing was imported. Import it in parts (for example one file per "
                         "observer or per session).")


def _rows_refused(name: str, rows: int, max_rows: int) -> InputError:
    return InputError(f"{name} holds more than {max_rows:,} ROI rows ({rows:,} or more), the "
                      "most one import saves: nothing was imported. Import it in parts (for "
                      "example one file per observer or per session).")


class ChunkedImport:
    """The rows of one measurement file, validated slice by slice.

    `chunks` yields the records of each slice (lists of dicts of the stored columns); `report`
    collects every problem under the file's own row numbers. Raises `InputError` at once when
    the file is over `max_bytes` (before reading it where its size is known) or visibly over
    `max_rows`, and from `chunks` as soon as the rows read pass `max_rows`.
    """

    def __init__(self, source: Any, *, max_bytes: int | None = None,
                 max_rows: int | None = None, chunk_bytes: int | None = None,
                 only_observer: str | None = None):
        self.only_observer = only_observer
        # the module's limits as they are when the import starts (a test may lower them)
        max_bytes = IMPORT_MAX_BYTES if max_bytes is None else max_bytes
        self.max_rows = max_rows = IMPORT_MAX_ROWS if max_rows is None else max_rows
        self.chunk_bytes = _CHUNK_BYTES if chunk_bytes is None else chunk_bytes
        size = _size_of(source)
        name = Path(str(getattr(source, "name", "") or "measurements.csv")).name
        if isinstance(source, str | os.PathLike) and not (isinstance(source, str)
                                                           and "\n" in source):
            name = Path(source).name
        if size is not None:
            _check_size(size, name, max_bytes)
        self.data, self.name = _read_source(source)
        _check_size(len(self.data), self.name, max_bytes)
        self.total = len(self.data)
        self.done = 0
        self.rows = 0
        self.report = ValidationReport(source=self.name)
        self._seen: dict[tuple, int] = {}
        self._known: set[tuple] = set()
        if self._streamed() and b'"' not in self.data:  # then every line is one row
            lines = self.data.count(b"\n") + (not self.data.endswith(b"\n"))
            if lines - 1 > max_rows:
                raise _rows_refused(self.name, lines - 1, max_rows)

    def _streamed(self) -> bool:
        """Whether the file is read in slices (ASCII-compatible text larger than one slice)."""
        return (len(self.data) > self.chunk_bytes and not self.data.startswith(_XLSX_MAGIC)
                and self.data[:2] not in _UTF16_BOMS)

    def chunks(self, progress: Callable[[int, int], None] | None = None
               ) -> Iterator[list[dict]]:
        """The records of each slice, in file order; reading stops after `_MAX_ERRORS` errors
        (the report says so)."""
        if not self._streamed():
            table, report = read_table(self.data, "measurements", name=self.name)
            records = _records(table, report, report.rows, seen=self._seen)
            self._check_observers(records, report.rows, report)
            self._merge(report, first=True)
            self._count(len(records))
            self.done = self.total
            if progress:
                progress(self.done, self.total)
            yield records
            return
        yield from self._slices(progress)

    def _slices(self, progress: Callable[[int, int], None] | None) -> Iterator[list[dict]]:
        end = _cut(self.data, 0, self.chunk_bytes)
        table, report = read_table(self.data[:end], "measurements", name=self.name)
        records = _records(table, report, report.rows, seen=self._seen)
        self._check_observers(records, report.rows, report)
        self._merge(report, first=True)
        if report.errors and not len(table):  # a file-level problem: nothing to read on
            return
        self._count(len(records))
        self.done = end
        if progress:
            progress(self.done, self.total)
        yield records
        header = list(report.headers)
        delimiter = self._delimiter(header, report.header_row)
        encoding = "utf-8" if _is_utf8(self.data[:end]) else "cp1252"
        next_row = _records_in(self.data[:end]) + 1
        # read as numbers by pandas only the columns of numbers, as vbq.io's reader does
        text_headers = [h for h in header if _BY_NAME.get(report.mapping.get(h, ""), None)
                        is None or _BY_NAME[report.mapping[h]].kind not in ("int", "float")]
        while self.done < self.total and len(self.report.errors) < _MAX_ERRORS:
            end = _cut(self.data, self.done, self.done + self.chunk_bytes)
            piece = self.data[self.done:end]
            records, n_records = self._slice(piece, next_row, header, delimiter, encoding,
                                             text_headers)
            next_row += n_records
            self._count(len(records))
            self.done = end
            if progress:
                progress(self.done, self.total)
            yield records
        if self.done < self.total:
            self.report.add(ERROR, f"more than {_MAX_ERRORS} problems: reading stopped at row "
                            f"{next_row - 1}; correct these and import the file again")

    def _slice(self, piece: bytes, first_row: int, header: list[str], delimiter: str,
               encoding: str, text_headers: list[str]) -> tuple[list[dict], int]:
        """(the records of one slice, how many rows of the file it held)."""
        text = _decode(piece, encoding, first_row, self.report)
        cells = _split(text, header, delimiter, first_row, self.report, text_headers)
        rows = pd.RangeIndex(first_row, first_row + len(cells))
        blank = cells.isna().all(axis=1).to_numpy()
        n_records = len(cells)
        if blank.any():
            cells, rows = cells[~blank], rows[~blank]
        if cells.empty:
            return [], n_records
        table, report = coerce_table(cells, "measurements", source=self.name, rows=list(rows))
        records = _records(table, report, list(rows), seen=self._seen)
        self._check_observers(records, list(rows), report)
        self._merge(report, first=False)
        return records, n_records

    def _check_observers(self, records: list[dict], rows, report: ValidationReport) -> None:
        """With `only_observer`: every row of another observer is a problem naming it."""
        if self.only_observer is None:
            return
        label = next((h for h, n in report.mapping.items() if n == "observer"), "observer")
        for rec, row in zip(records, rows, strict=True):
            if rec["observer"] is not None and rec["observer"] != self.only_observer:
                report.add(ERROR, f"a reading of observer {rec['observer']}: you may import "
                           f"only your own readings (observer {self.only_observer}); an "
                           "administrator imports other observers' readings",
                           row=int(row), column=label, value=rec["observer"])

    def _delimiter(self, header: list[str], header_row: int) -> str:
        """The delimiter that splits the header's row into as many cells as the header has."""
        head = self.data[:_cut(self.data, 0, 65536)].decode("utf-8", errors="replace")
        lines = head.splitlines()
        line = lines[header_row - 1] if len(lines) >= header_row else ""
        for d in _DELIMITERS:
            if len(next(csv.reader([line], delimiter=d), [])) == len(header):
                return d
        return ","

    def _count(self, n: int) -> None:
        self.rows += n
        if self.rows > self.max_rows:
            raise _rows_refused(self.name, self.rows, self.max_rows)

    def _merge(self, report: ValidationReport, *, first: bool) -> None:
        """Add a slice's problems; a problem of the whole file (no row) once."""
        if first:
            self.report.mapping = dict(report.mapping)
            self.report.headers = list(report.headers)
            self.report.header_row = report.header_row
        for p in report.problems:
            key = (p.severity, p.column, p.message)
            if p.row is None and key in self._known:
                continue
            self._known.add(key)
            self.report.problems.append(replace(p, file=self.name))


def _records_in(data: bytes) -> int:
    """How many rows (records) a slice cut by `_cut` holds."""
    if b'"' not in data:
        return data.count(b"\n") + (not data.endswith(b"\n"))
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("latin-1"), newline="")))


def _cut(data: bytes, start: int, target: int) -> int:
    """The end of a slice of `data` from `start`: just after the last line break at or before
    `target` that is outside quotes (a quoted cell may hold a line break), else the first such
    break after it, else the end of the data."""
    n = len(data)
    if target >= n:
        return n
    end = target
    while True:
        nl = data.rfind(b"\n", start, end)
        if nl < 0:
            break
        if data.count(b'"', start, nl) % 2 == 0:
            return nl + 1
        end = nl
    nl = data.find(b"\n", target)
    while nl >= 0:
        if data.count(b'"', start, nl) % 2 == 0:
            return nl + 1
        nl = data.find(b"\n", nl + 1)
    return n


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode(piece: bytes, encoding: str, first_row: int, report: ValidationReport) -> str:
    """The text of a slice in the file's encoding; a slice of a UTF-8 file that is not UTF-8 is
    read as cp1252 (then latin-1), as `vbq.io` reads such a file, with a warning naming it."""
    try:
        return piece.decode(encoding)
    except UnicodeDecodeError:
        pass
    try:
        text, used = piece.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, used = piece.decode("latin-1"), "latin-1"
    report.add(WARNING, f"rows from {first_row} on are not UTF-8; read as {used}",
               row=first_row)
    return text


def _split(text: str, header: list[str], delimiter: str, first_row: int,
           report: ValidationReport, text_headers: list[str]) -> pd.DataFrame:
    """The cells of a slice under the file's headers (blank as missing; `text_headers` as text,
    the others as pandas reads them: numbers as numbers, anything else as text); a row with
    more cells than the header is an error naming it, and left out."""
    options = dict(sep=delimiter, header=None, names=header, dtype=dict.fromkeys(text_headers,
                                                                               str),
                   index_col=False, keep_default_na=False, na_values=[""],
                   skip_blank_lines=False, engine="c", true_values=[], false_values=[])
    try:
        return pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError:
        pass
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    for i, cells in enumerate(rows):
        if len(cells) > len(header):
            report.add(ERROR, f"the row has {len(cells)} cells, more than the header's "
                       f"{len(header)}; left out", row=first_row + i)
            rows[i] = []
    frame = pd.DataFrame([r + [""] * (len(header) - len(r)) for r in rows], columns=header,
                         dtype=object)
    return frame.replace("", None)
