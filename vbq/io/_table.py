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
from ._cells import _cell_text, _parse_column, _texts
from ._csv import _csv_rows, _fast_csv_grid, _Grid, _grid_of_rows
from ._headers import _find_header, _headers_for, _kind, normalise_header
from ._report import ERROR, WARNING, Problem, ValidationReport
from ._source import Source, _decode, _name_of, _read_bytes, _text_kind
from ._xlsx import _read_xlsx


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
