"""Reading CSV text into a grid of cells: pandas' C parser when it can, the csv module when
it must."""

from __future__ import annotations

import csv
import io as _stdio
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _source
from ._cells import _cell_text
from ._headers import _find_header, normalise_header
from ._report import ERROR, WARNING, ValidationReport


def _csv_rows(text: str, report: ValidationReport) -> list[list[Any]]:
    """All records of a CSV text through the csv module, record i being spreadsheet row i+1."""
    delim = _sniff_delimiter(text[:50000])
    # newline="": the csv module handles \r, \n and \r\n itself, quoted line breaks included
    reader = csv.reader(_stdio.StringIO(text, newline=""), delimiter=delim)
    rows: list[list[Any]] = []
    try:
        for row in reader:
            if len(row) > _source.MAX_COLUMNS:
                report.add(ERROR, f"line {reader.line_num} has {len(row):,} columns, over the "
                           f"limit of {_source.MAX_COLUMNS:,}; the file was not read")
                return []
            rows.append(row)
            if len(rows) > _source.MAX_ROWS + _source.HEADER_ROWS:
                _too_many_rows(report)
                return []
    except csv.Error as exc:
        if "field limit" in str(exc):
            report.add(ERROR, f"line {reader.line_num} has a cell of more than "
                       f"{csv.field_size_limit():,} characters, far longer than any value of "
                       "a table; the file was not read")
        else:
            report.add(ERROR, f"cannot read the file as CSV (line {reader.line_num}): {exc}")
        return []
    return rows


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
    lines = _head_lines(text)
    head = None if lines is None else _parse_head(lines, delim)
    hi = None if head is None else _find_header(head, lookup)
    if hi is None or any(len(r) > _source.MAX_COLUMNS for r in head):
        return None  # (the csv module path names the line and the column limit)
    offset = sum(len(ln) for ln in lines[: hi + 1])
    text_cols = {j for j, h in enumerate(head[hi])
                 if h.strip() in id_headers or normalise_header(h) in id_headers}
    source, encoding = _body_source(text, data, encoding, offset)
    options = dict(sep=delim, encoding=encoding, header=None, names=range(len(head[hi])),
                   index_col=False, keep_default_na=False, na_values=[""],
                   skip_blank_lines=False, engine="c", true_values=[], false_values=[])
    body = _read_body(source, options, sorted(text_cols))
    if body is None:
        return None
    if len(body) > _source.MAX_ROWS:
        _too_many_rows(report)
        body = body.iloc[:0]
    return _Grid(head[: hi + 1], body, hi + 2, frozenset(text_cols))


def _head_lines(text: str) -> list[str] | None:
    """The first 15 lines (None when they are over 1 MB: the csv module path reads them)."""
    head_text = text[:1_000_000]  # the head only: no copy of the file
    buf = _stdio.StringIO(head_text, newline="")
    lines = []
    for _ in range(_source.HEADER_ROWS):
        line = buf.readline()
        if not line:
            break
        lines.append(line)
    if len(text) > len(head_text) and sum(len(ln) for ln in lines) == len(head_text):
        return None
    return lines


def _parse_head(lines: list[str], delim: str) -> list[list[str]] | None:
    """The cells of the first lines, up to one the csv module refuses (a cell over its field
    limit, which pandas reads if it is below the header); None when a quoted cell spans lines."""
    head = []
    for ln in lines:
        try:
            head.append(next(csv.reader([ln], delimiter=delim), []))
        except csv.Error:
            break
    try:
        joined = list(csv.reader(lines[: len(head)], delimiter=delim))
    except csv.Error:  # pragma: no cover (each line was read alone)
        return None
    return head if joined == head else None


def _body_source(text: str, data: bytes, encoding: str, offset: int
                 ) -> tuple[Callable[[], Any], str | None]:
    """(a function opening the text below the header afresh, the encoding pandas reads it
    with)."""
    if encoding == "utf-16":
        return (lambda: _stdio.StringIO(text[offset:])), None
    # the bytes themselves: pandas reads bytes about 3 times faster than a StringIO
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # (no BOM: we skip it)
    skip = len(text[:offset].encode(encoding)) + (3 if data[:3] == b"\xef\xbb\xbf" else 0)

    def source() -> Any:
        buf = _stdio.BytesIO(data)  # (shares the bytes: no copy of the file)
        buf.seek(skip)
        return buf

    return source, encoding


def _read_body(source: Callable[[], Any], options: dict[str, Any], text_cols: list[int]
               ) -> pd.DataFrame | None:
    """The rows below the header, types inferred for every column; an identifier column that
    did not come back as text (all numbers: 007 read as 7) is read again, alone, as text.
    (``dtype=str`` in the first read cost a quarter of the parse on a 50,000-row cohort.)
    None when pandas cannot read the rows."""
    try:
        body = _read_csv_whole(source, options)
        retext = [j for j in text_cols if not isinstance(body[j].dtype, pd.StringDtype)]
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
    return body


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


def _too_many_rows(report: ValidationReport) -> None:
    report.add(ERROR, f"the file has more than {_source.MAX_ROWS:,} rows below its header, the "
               "limit; the file was not read")


def _grid_of_rows(cells: list[list[Any]], hi: int, report: ValidationReport) -> _Grid:
    """The grid of rows read as lists (XLSX, or CSV through the csv module); no rows, after
    reporting it, when there are more than `_source.MAX_ROWS` below the header."""
    width = len(cells[hi])
    if len(cells) - hi - 1 > _source.MAX_ROWS:
        _too_many_rows(report)
        cells = cells[: hi + 1]
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
