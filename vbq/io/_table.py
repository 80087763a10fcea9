"""From a file (or a DataFrame) to the canonical table: the header row, the rows kept, every
column parsed, and the public loaders."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import Column
from ._cells import _cell_text, _parse_column
from ._csv import _csv_rows, _fast_csv_grid, _Grid, _grid_of_rows
from ._headers import _find_header, _headers_for, _kind, normalise_header
from ._report import ERROR, WARNING, Problem, ValidationReport
from ._rows import _data_rows
from ._source import Source, _decode, _name_of, _read_bytes, _text_kind
from ._xlsx import _read_xlsx


def read_table(source: Source, kind: str, *, sheet: str | int | None = None,
               mapping: dict[str, str | None] | None = None,
               name: str | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read and validate a cohort, DXA or measurement file without raising on data errors.

    Same as `load_cohort` / `load_dxa` but returns whatever could be parsed together with the report
    (check ``report.ok``). The app uses it to show every problem at once.

    Parameters
    ----------
    source : path, file-like object or bytes
    kind : {"cohort", "dxa", "measurements"}
        Which declarations of `vbq.schema` the file is read against (`COHORT_COLUMNS`,
        `DXA_COLUMNS`, `MEASUREMENT_COLUMNS`).
    sheet, mapping, name : keyword-only
        As for `load_cohort`.

    Returns
    -------
    table : DataFrame
        The declared columns present in the file (and those with a ``blank_means``), parsed.
    report : ValidationReport
    """
    columns, lookup = _kind(kind)
    fname = _name_of(source, name)
    report = ValidationReport(source=fname)
    data = _read_bytes(source)
    empty = pd.DataFrame(columns=[c.name for c in columns])
    grid = _grid(data, fname, sheet, columns, lookup, mapping, report)
    if grid is None or report.errors:
        return empty, report
    kept = _data_rows(grid, report)
    if kept is None:
        return empty, report
    raw, rows, distinct = kept
    return _coerce_table(raw, rows, kind, report, mapping, distinct), report


def _grid(data: bytes, fname: str, sheet: str | int | None, columns: Sequence[Column],
          lookup: dict[str, str], mapping: dict[str, str | None] | None,
          report: ValidationReport) -> _Grid | None:
    """The file's cells split at the header row (None after reporting why there are none)."""
    if not data or data.isspace():  # (bytes.strip would copy the file)
        report.add(ERROR, "file is empty")
        return None
    ftype = _text_kind(data, fname, report)
    if not ftype:
        return None
    text = None
    if ftype == "text":
        text, encoding = _decode(data, report)
        if text is None:
            return None
        grid = _fast_csv_grid(text, lookup, _text_headers(columns, lookup, mapping), report,
                              data, encoding)
        if grid is not None or report.errors:
            return grid
    cells = _csv_rows(text, report) if text is not None else _read_xlsx(data, sheet, report)
    if report.errors:
        return None
    hi = _header_row(cells, columns, lookup, report)
    return None if hi is None else _grid_of_rows(cells, hi, report)


def _text_headers(columns: Sequence[Column], lookup: dict[str, str],
                  mapping: dict[str, str | None] | None) -> set[str]:
    """Headers (as mapped by the user, or normalised keys) of the columns read as text whatever
    they hold: ``007`` stays ``007``."""
    texts = {c.name for c in columns if c.kind in ("id", "text")}
    headers = {h for h, target in (mapping or {}).items() if target in texts}
    return headers | _headers_for(lookup, texts)


def _header_row(cells: list[list], columns: Sequence[Column], lookup: dict[str, str],
                report: ValidationReport) -> int | None:
    """Index of the header row among `cells` (None after reporting why none was found)."""
    if not any(any(_cell_text(c) for c in row) for row in cells):
        report.add(ERROR, "file has no cells with content")
        return None
    hi = _find_header(cells, lookup)
    if hi is not None:
        return hi
    lone = [re.split(r"\s+", _cell_text(r[0])) for r in cells[:15]
            if r and sum(1 for c in r if _cell_text(c)) == 1]
    if _find_header(lone, lookup) is not None:
        report.add(ERROR, "the columns seem to be separated by spaces, which cannot be told "
                   "apart from spaces inside a value; save the file as CSV (comma, semicolon "
                   "or tab separated) or XLSX")
    else:
        report.add(ERROR, "no header row with a recognised column name was found in the "
                   "first 15 rows (expected e.g. "
                   f"{', '.join(c.name for c in columns if c.required)})")
    return None


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


def coerce_table(frame: pd.DataFrame, kind: str, *, source: str | None = None,
                 rows: Sequence[int] | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate a DataFrame already in memory against the declarations of `kind`, as
    `read_table` validates a file; never raises on data errors (check ``report.ok``).

    Parameters
    ----------
    frame : DataFrame
        Headers as a file would have them (canonical names or their synonyms).
    kind : {"cohort", "dxa", "measurements"}
    source : str, optional, keyword-only
        Names the table in problems (default: `kind`).
    rows : sequence of int, optional, keyword-only
        The spreadsheet row number of each row (default 2, 3, ... as if the table were written
        to a sheet with its header in row 1; pass ``report.rows`` of `read_table` to
        re-validate a table read from a file).

    Returns
    -------
    table : DataFrame
    report : ValidationReport

    Raises
    ------
    InputError
        `frame` is not a DataFrame, or `rows` does not have one number per row.
    """
    source = kind if source is None else source
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


def parse_column(values: Sequence | pd.Series, column: Column, *, source: str = "values",
                 rows: Sequence[int] | None = None) -> tuple[pd.Series, ValidationReport]:
    """Parse cells as one declared column, by the rules a file's column is read with.

    Parameters
    ----------
    values : sequence or Series
        The cells (text as a file holds it, or Python values).
    column : vbq.schema.Column
    source : str, keyword-only
        Names the values in problems.
    rows : sequence of int, optional, keyword-only
        The row number of each cell (default 1, 2, ...).

    Returns
    -------
    values : Series
        Parsed (missing where blank or bad).
    report : ValidationReport
        Each bad cell by row, under the column's name.

    Examples
    --------
    >>> from vbq.schema import measurement_column
    >>> values, report = parse_column(["L1", "csf", "L6"], measurement_column("level"))
    >>> values.tolist()[:2], [p.row for p in report.errors]
    (['L1', 'CSF'], [3])
    """
    series = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(
        list(values), dtype=object)
    rows = np.arange(1, len(series) + 1) if rows is None else np.asarray(list(rows))
    if len(rows) != len(series):
        raise InputError(f"rows: expected {len(series)} row numbers, got {len(rows)}")
    report = ValidationReport(source=source)
    return _parse_column(column, series, rows, column.name, report), report


def _coerce_table(raw: pd.DataFrame, rows: np.ndarray, kind: str, report: ValidationReport,
                  mapping: dict[str, str | None] | None,
                  distinct: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
                  ) -> pd.DataFrame:
    """Map headers, parse every declared column, validate; return the canonical table.

    ``distinct`` holds, for some headers, the column already factorised (codes, distinct
    values: see `_cells._distinct`), so it is not done twice.
    """
    columns, lookup = _kind(kind)
    declared = {c.name: c for c in columns}
    report.headers = [str(h) for h in raw.columns]
    source_for = _map_headers(raw.columns, declared, lookup, mapping, report)
    _report_unmapped_and_missing(columns, source_for, report)
    out: dict[str, pd.Series] = {}
    for name, header in source_for.items():
        label = header if header == name else f"{header} [{name}]"
        series = raw[header]  # (raw has a default index: 0 .. n-1)
        out[name] = _parse_column(declared[name], series, rows, label, report,
                                  (distinct or {}).get(header))
    for col in columns:  # an absent column whose blank stands for a value: that value
        if col.name not in out and col.blank_means is not None:
            blank = pd.Series(None, index=pd.RangeIndex(len(raw)), dtype=object)
            out[col.name] = _parse_column(col, blank, rows, col.name, report)
    _check_signs(out, declared, source_for, report)
    # declared order, only the columns present; built once (no reordering copy)
    # (consolidated into 2-D blocks: not copying them saved 10 ms here at 50,000 rows and cost
    # 80 ms in prepare_cohort at 100,000)
    table = pd.DataFrame({c.name: out[c.name] for c in columns if c.name in out},
                         index=pd.RangeIndex(len(raw)))
    report.rows = tuple(np.asarray(rows, dtype=np.int64).tolist())
    return table


def _map_headers(headers: Sequence, declared: dict[str, Column], lookup: dict[str, str],
                 mapping: dict[str, str | None] | None, report: ValidationReport
                 ) -> dict[str, str]:
    """Canonical name -> the file's header, by the user's mapping, else the schema's synonyms."""
    user = {str(k): v for k, v in (mapping or {}).items()}
    source_for: dict[str, str] = {}
    for header in headers:
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
        elif target in source_for:
            report.add(ERROR, f"two columns map to {target!r}: {source_for[target]!r} and {h!r}; "
                       "rename or unmap one", column=h)
        else:
            source_for[target] = h
            report.mapping[h] = target
    return source_for


def _report_unmapped_and_missing(columns: Sequence[Column], source_for: dict[str, str],
                                 report: ValidationReport) -> None:
    if report.unmapped:
        shown = ", ".join(repr(u) for u in report.unmapped[:12])
        more = f" and {len(report.unmapped) - 12} more" if len(report.unmapped) > 12 else ""
        report.add(WARNING, f"column(s) not recognised and ignored: {shown}{more} "
                   "(map them by hand if they hold a known variable)")
    for c in columns:
        if c.required and c.name not in source_for:
            also = f" (also read as: {', '.join(c.synonyms[:6])})" if c.synonyms else ""
            report.add(ERROR, f"missing required column {c.name!r}{also}")


def coerce_cohort(frame: pd.DataFrame, *, source: str = "cohort",
                  rows: Sequence[int] | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate a cohort DataFrame already in memory; returns (canonical table, report), never raises
    on data errors (check ``report.ok``).

    ``source`` names the table in problems; ``rows`` gives the spreadsheet row number of each row
    (default 2, 3, ... as if the table were written to a sheet with its header in row 1; pass
    ``report.rows`` of `read_table` to re-validate a table read from a file).
    """
    return coerce_table(frame, "cohort", source=source, rows=rows)


def coerce_dxa(frame: pd.DataFrame, *, source: str = "DXA",
               rows: Sequence[int] | None = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Validate a DXA DataFrame already in memory; see `coerce_cohort`."""
    return coerce_table(frame, "dxa", source=source, rows=rows)


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
