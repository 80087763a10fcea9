"""From a grid (the rows down to the header, and the body) to the rows of data: rows above the
header and repeated header rows reported, empty rows skipped and named, headers made unique."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._cells import _cell_text, _rows_text, _texts
from ._csv import _Grid
from ._headers import normalise_header
from ._report import ERROR, WARNING, ValidationReport

Distinct = dict[int, tuple[np.ndarray, np.ndarray]]


def _data_rows(grid: _Grid, report: ValidationReport
               ) -> tuple[pd.DataFrame, np.ndarray, dict[str, tuple[np.ndarray, np.ndarray]]] | None:
    """(the data rows under their headers, their spreadsheet row numbers, the columns already
    factorised by header), or None after reporting a file with no data rows."""
    hi = len(grid.head) - 1
    _report_title_rows(grid.head[:hi], report)
    header = _unique_header(grid.head[hi], hi + 1, report)
    body = grid.body
    n = len(body)
    nonempty, candidate, distinct = _scan_columns(grid, header)
    repeated = _repeated_headers(body, header, candidate, grid.first_row, report)
    keep = nonempty & ~repeated
    _report_blank_rows(nonempty, grid.first_row, report)
    if not keep.any():
        report.add(ERROR, "file has a header but no data rows", row=hi + 1)
        return None
    idx = np.flatnonzero(keep)
    raw = body.iloc[idx].reset_index(drop=True) if len(idx) < n else body
    raw = raw.set_axis(header, axis=1)  # (a new frame: the grid is left as it was)
    report.header_row = hi + 1
    report.n_rows = len(raw)
    kept = {header[j]: ((codes[idx] if len(idx) < n else codes), uniques)
            for j, (codes, uniques) in distinct.items()}
    return raw, grid.first_row + idx, kept


def _report_title_rows(head: list[list], report: ValidationReport) -> None:
    for i, cells in enumerate(head):
        texts = [_cell_text(c) for c in cells]
        if any(texts):
            report.add(WARNING, "row above the header ignored (title or merged header row?)",
                       row=i + 1, value=" | ".join(t for t in texts if t))


def _unique_header(cells: list, row: int, report: ValidationReport) -> list[str]:
    """The header's texts; a blank one named "Unnamed: j", a repeated one reported (an error)
    and numbered."""
    header = [_cell_text(c) for c in cells]
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if not h:
            header[j] = f"Unnamed: {j + 1}"
            continue
        if h in seen:
            report.add(ERROR, f"header {h!r} appears twice (columns {seen[h] + 1} and {j + 1})",
                       row=row, column=h)
            header[j] = f"{h} ({j + 1})"
        seen[h] = j
    return header


def _scan_columns(grid: _Grid, header: list[str]) -> tuple[np.ndarray, np.ndarray, Distinct]:
    """(rows holding something, rows that may repeat the header, the columns factorised),
    column by column (no Python loop over rows).

    A repeated header row has at least one cell repeating its column's header exactly as
    written (text columns only: a header cell in a column makes it text); those rows are then
    checked with the normalised headers, as the header itself was found. (Normalising every
    cell cost 3.3 million calls on a 50,000-row file.)
    """
    body = grid.body
    n = len(body)
    nonempty = np.zeros(n, dtype=bool)
    candidate = np.zeros(n, dtype=bool)
    distinct: Distinct = {}
    for j in range(body.shape[1]):
        col = body[j]
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            nonempty |= col.notna().to_numpy()
        elif isinstance(col.dtype, pd.StringDtype) and j not in grid.text_columns:
            filled, same, distinct[j] = _scan_repeating_text(col, header[j])
            nonempty |= filled
            candidate |= same
        else:
            filled, same = _scan_other(col, header[j])
            nonempty |= filled
            candidate |= same
    return nonempty, candidate, distinct


def _scan_repeating_text(col: pd.Series, head: str
                         ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """(from the C parser) each distinct cell tested once, in place; yes/no and category
    columns hold a handful, and the parsers reuse the codes (`_cells._distinct`).

    (In Python: a handful of values, and pandas' fixed cost per call on Arrow strings is
    larger; Python's str.isspace agrees with Arrow's on every code point.)
    """
    codes, uniques = col.array.factorize()
    u = uniques.to_numpy(dtype=object)
    u_filled = np.fromiter((bool(v) and not v.isspace() for v in u), bool, len(u))
    filled = np.append(u_filled, False)[codes]  # code -1 (missing) picks False
    same = np.flatnonzero(u == head)
    candidate = codes == same[0] if len(same) else np.zeros(len(col), dtype=bool)
    return filled, candidate, (codes, u)


def _scan_other(col: pd.Series, head: str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(col.dtype, pd.StringDtype):  # unique text (the IDs): test in place
        t = col
        filled = (col.notna() & col.ne("") & ~col.str.isspace()).to_numpy(
            dtype=bool, na_value=False)
    else:
        t = _texts(col)
        filled = t.ne("").to_numpy(dtype=bool, na_value=False)
    return filled, (t == head).to_numpy(dtype=bool, na_value=False)


def _repeated_headers(body: pd.DataFrame, header: list[str], candidate: np.ndarray,
                      first_row: int, report: ValidationReport) -> np.ndarray:
    """Rows repeating the header (half their cells or more, and at least two), each reported."""
    header_keys = [normalise_header(h) for h in header]
    repeated = np.zeros(len(body), dtype=bool)
    for i in np.flatnonzero(candidate):
        row = [_cell_text(body[j].iat[i]) for j in range(body.shape[1])]
        same = sum(1 for t, k in zip(row, header_keys, strict=True)
                   if t and normalise_header(t) == k)
        if same >= max(2, (sum(1 for t in row if t) + 1) // 2):
            report.add(WARNING, "repeated header row skipped", row=first_row + int(i))
            repeated[i] = True
    return repeated


def _report_blank_rows(nonempty: np.ndarray, first_row: int, report: ValidationReport) -> None:
    """One warning naming the empty rows between data rows (those after the last are not news)."""
    if not nonempty.any():
        return
    last = len(nonempty) - 1 - int(np.argmax(nonempty[::-1]))
    inside = np.flatnonzero(~nonempty[:last])
    if len(inside):
        rows = first_row + inside
        report.add(WARNING, f"{len(inside)} empty row(s) between data rows skipped "
                   f"({_rows_text(rows, np.arange(len(rows)))})", row=int(rows[0]))
