"""The fields of a reading and how a cell of each is read: validation of readings (records,
mappings, frames) and of the measurement CSV, typed frames, and the CSV writer.

Every field is declared in `vbq.schema.MEASUREMENT_COLUMNS` and read by `vbq.io`, the one
parser of every file the product reads (issue 17): a measurement CSV gets the cohort's decoding,
delimiters, missing and yes/no words and problems by file, row and column. This module adds only
the rules between the cells of a reading (the CSF row, one row per key) and the store's view of
the fields."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._safe import safe_csv
from ..errors import InputError
from ..io import ERROR, ValidationReport, coerce_table, parse_column, read_table
from ..schema import Column, measurement_column
from ._records import KEY_COLUMNS, ROIMeasurement

_STORED: tuple[str, ...] = (
    "patient_id", "observer", "session", "level", "csf_level", "slice_index", "centre_row_px",
    "centre_col_px", "centre_row_mm", "centre_col_mm", "radius_mm", "si_mean", "si_median",
    "si_sd", "pixel_count", "excluded", "series_fingerprint", "field_strength_t", "tr_ms",
    "te_ms", "measured_at", "software_version",
    # where each reading came from (issues 16, 19)
    "series_flags", "manufacturer", "model_name", "scanning_sequence", "sequence_variant",
    "ti_ms", "pixel_bandwidth_hz", "slice_thickness_mm", "roi_source", "blinded")
"""The columns the database holds, in its order. Each is declared, with its reading rules, in
`vbq.schema.MEASUREMENT_COLUMNS`."""

_STORE_KINDS = {"text": "id", "category": "id", "int": "int", "float": "float", "bool": "bool",
                "timestamp": "timestamp"}


@dataclass(frozen=True)
class _Field:
    """A stored column: its declaration in `vbq.schema` (how it is read and validated, by
    `vbq.io`) and what the database needs of it."""

    column: Column

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def description(self) -> str:
        return self.column.description

    @property
    def kind(self) -> str:
        """Storage kind: "id" (text of at most `max_len` characters), "int", "float", "bool"
        or "timestamp"."""
        return _STORE_KINDS[self.column.kind]

    @property
    def max_len(self) -> int:
        return self.column.max_len or max([4, *map(len, self.column.categories)])

    @property
    def required(self) -> bool:
        """Never blank once validated."""
        return self.column.every_row or self.column.blank_means is not None


_FIELDS: tuple[_Field, ...] = tuple(_Field(measurement_column(name)) for name in _STORED)

_BY_NAME = {f.name: f for f in _FIELDS}

MEASUREMENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in _FIELDS)
"""Columns of a measurement table (`MeasurementStore.load`), in this order. ``slice_index``
counts the slices from 0, as the database holds them; the CSV export and every screen show
``slice_number`` (from 1) in its place (`with_slice_numbers`), and reading a CSV takes either."""

HISTORY_COLUMNS: tuple[str, ...] = ("history_id", "change", "changed_at", "reason",
                                    *MEASUREMENT_COLUMNS)
"""Columns of the history table: every replaced (``change == "corrected"``) or deleted
(``"deleted"``) row, as it was, with when and why."""




def _is_missing(v: Any) -> bool:
    """Whether a problem's value (text, or None) shows nothing."""
    return v is None or (isinstance(v, float) and np.isnan(v)) or (
        isinstance(v, str) and not v.strip())


def _parse_cell(f: _Field, v: Any) -> tuple[Any, str | None]:
    """(parsed value or None, error message or None) of one cell, read by the rules of a file's
    cell (`vbq.io.parse_column`)."""
    values, report = parse_column([v], f.column)
    if report.errors:
        return None, f"{f.name} {report.errors[0].message}"
    return _python_values(values)[0], None


def _python_values(values: pd.Series) -> list:
    """The cells as Python values (int, float, bool, str, datetime), None where blank."""
    blank = values.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return [None if b else t.to_pydatetime() for t, b in zip(values, blank, strict=True)]
    return [None if b else v for v, b in zip(values.tolist(), blank, strict=True)]


def _records(table: pd.DataFrame, report: ValidationReport, rows: Sequence[int], *,
             seen: dict[tuple, int] | None = None) -> list[dict]:
    """The rows of a validated measurement table as records of the stored columns (None where
    blank), after the rules between cells (`_check_readings`); [] when a required column is
    missing (reported). Problems are then listed row by row, as the file reads. `seen`: the
    keys of rows read before (a file read in slices), by row, to find a key given twice."""
    if any(f.column.required and f.name not in table.columns for f in _FIELDS):
        return []
    labels = {name: header if header == name else f"{header} [{name}]"
              for header, name in report.mapping.items()}
    values = {f.name: _python_values(table[f.name]) if f.name in table.columns
              else [None] * len(table) for f in _FIELDS}
    records = [dict(zip(values, cells, strict=True)) for cells in zip(*values.values(),
                                                                      strict=True)]
    if "slice_number" in table.columns:
        _slice_numbers_to_index(records, _python_values(table["slice_number"]),
                                [int(r) for r in rows], report, labels)
    _check_readings(records, [int(r) for r in rows], report, labels, seen)
    report.problems.sort(key=lambda p: -1 if p.row is None else p.row)  # (stable)
    return records


def _slice_numbers_to_index(records: list[dict], numbers: list, rows: list[int],
                            report: ValidationReport, labels: Mapping[str, str]) -> None:
    """Each row's ``slice_number`` (counted from 1, as exported and shown) as the stored
    ``slice_index`` (counted from 0). A row of an older file gives ``slice_index`` only and
    keeps it; a row that gives both must name the same slice."""
    for rec, number, row in zip(records, numbers, rows, strict=True):
        if number is None:
            continue
        if rec["slice_index"] is not None and rec["slice_index"] != number - 1:
            report.add(ERROR, f"slice_number {number} (counted from 1) and slice_index "
                       f"{rec['slice_index']} (counted from 0) name different slices; give "
                       "slice_number only", row=row,
                       column=labels.get("slice_number", "slice_number"), value=number)
        else:
            rec["slice_index"] = number - 1


def _check_readings(records: list[dict], rows: list[int], report: ValidationReport,
                    labels: Mapping[str, str], seen: dict[tuple, int] | None = None) -> None:
    """The rules between the cells of a row (the CSF row and the vertebra rows) and between
    rows (one row per patient, observer, session and level). A blank CSF level of a CSF row is
    set to L3, as in the cohort file."""
    for rec, row in zip(records, rows, strict=True):
        if rec["level"] == "CSF":
            _check_csf_row(rec, row, report, labels)
        elif rec["level"] is not None and rec["csf_level"] is not None:
            report.add(ERROR, "csf_level belongs on the CSF row only; leave it blank here",
                       row=row, column=labels.get("csf_level", "csf_level"),
                       value=rec["csf_level"])
    seen = {} if seen is None else seen
    for rec, row in zip(records, rows, strict=True):
        key = tuple(rec[k] for k in KEY_COLUMNS)
        if None in key:
            continue
        if key in seen:
            report.add(ERROR, f"the same patient_id, observer, session and level as row "
                       f"{seen[key]}", row=row, column=labels.get("level", "level"),
                       value=key[3])
        else:
            seen[key] = row


def _check_csf_row(rec: dict, row: int, report: ValidationReport,
                   labels: Mapping[str, str]) -> None:
    if rec["csf_level"] is None:
        rec["csf_level"] = "L3"
    if rec["excluded"]:
        report.add(ERROR, "only a vertebral level can be marked collapsed, not the CSF",
                   row=row, column=labels.get("excluded", "excluded"), value="yes")
    if rec["si_mean"] == 0:
        report.add(ERROR, "the CSF signal intensity must be above 0 (VBQ divides by it)",
                   row=row, column=labels.get("si_mean", "si_mean"), value=0)


def _as_frame(rois: Any) -> pd.DataFrame:
    if isinstance(rois, pd.DataFrame):
        return rois
    if isinstance(rois, ROIMeasurement | Mapping):
        rois = [rois]
    if not isinstance(rois, Iterable) or isinstance(rois, str | bytes):
        raise InputError(f"rois: expected ROIMeasurement records, mappings or a DataFrame, got "
                         f"{type(rois).__name__}")
    out = []
    for r in rois:
        if isinstance(r, ROIMeasurement):
            out.append(asdict(r))
        elif isinstance(r, Mapping):
            out.append(dict(r))
        else:
            raise InputError(f"rois: each reading must be a ROIMeasurement or a mapping, got "
                             f"{type(r).__name__}")
    return pd.DataFrame(out, columns=None if out else list(MEASUREMENT_COLUMNS))


def _validate_records(rois: Any, *, source: str = "measurements",
                      rows: Sequence[int] | None = None) -> tuple[list[dict], ValidationReport]:
    """`validate_measurements` returning the parsed records instead of a frame."""
    frame = _as_frame(rois)
    rows = list(range(1, len(frame) + 1)) if rows is None else list(rows)
    if frame.empty:  # no reading: nothing to check (saving none saves nothing)
        return [], ValidationReport(source=source)
    table, report = coerce_table(frame, "measurements", source=source, rows=rows)
    return _records(table, report, rows), report


def validate_measurements(rois: Any, *, source: str = "measurements",
                          rows: Sequence[int] | None = None) -> tuple[pd.DataFrame,
                                                                      ValidationReport]:
    """Validate ROI readings; never raises on bad data (check ``report.ok``).

    Parameters
    ----------
    rois : ROIMeasurement, mapping, sequence of them, or DataFrame
        Columns/fields named as in `MEASUREMENT_COLUMNS`; extra columns are reported as a
        warning and ignored.
    source : str, keyword-only
        Name used in the problems (file name for an import).
    rows : sequence of int, optional, keyword-only
        Row number of each reading as the user sees it (default 1, 2, ...).

    Returns
    -------
    table : DataFrame
        The readings typed as `MeasurementStore.load` returns them (blank ``csf_level`` of a
        CSF row set to L3; blank ``measured_at``/``software_version`` stay blank until saved).
    report : vbq.io.ValidationReport
        Every problem, with row and column.

    Raises
    ------
    InputError
        `rois` is not one of the accepted containers.
    """
    records, report = _validate_records(rois, source=source, rows=rows)
    return _typed(records), report


# --------------------------------------------------------------------------------------------
# typed frames


def _typed(records: Sequence[Mapping[str, Any]], columns: Sequence[str] = MEASUREMENT_COLUMNS
           ) -> pd.DataFrame:
    """Records -> DataFrame with the documented dtypes."""
    return _typed_columns({c: [r.get(c) for r in records] for c in columns}, columns)


def _typed_columns(values: Mapping[str, Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Columns of Python values (None for missing) -> DataFrame with the documented dtypes."""
    data: dict[str, Any] = {}
    for c in columns:
        vals = list(values[c])
        f = _BY_NAME.get(c)
        kind = f.kind if f else ("timestamp" if c == "changed_at" else "text")
        missing = None in vals
        if c in ("session", "history_id") and not missing:
            data[c] = np.array(vals, dtype=np.int64)
        elif c == "session" or kind == "int":  # session: invalid readings may lack it
            data[c] = pd.array(vals, dtype="Int64")
        elif kind == "float":
            data[c] = np.array(vals, dtype=float)  # None -> NaN
        elif kind == "bool":
            data[c] = np.array([bool(v) for v in vals], dtype=bool)
        elif kind == "timestamp":
            data[c] = pd.to_datetime(pd.Series(vals, dtype=object), utc=True).astype(
                "datetime64[us, UTC]").array
        else:
            data[c] = pd.Series(vals, dtype=object)
    return pd.DataFrame(data, columns=list(columns))



def with_slice_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """A measurement (or history) table with its slices numbered from 1, as every export and
    every screen shows them.

    Parameters
    ----------
    frame : DataFrame
        A table as `MeasurementStore.load` or `MeasurementStore.history` returns it, whose
        ``slice_index`` counts the slices of the sorted series from 0 (as the database holds
        them and as `ROIMeasurement` takes them).

    Returns
    -------
    DataFrame
        A copy with ``slice_index`` replaced, in the same place, by ``slice_number`` =
        ``slice_index`` + 1 (Int64; blank stays blank): the slice as the MRI page's slider,
        captions and ROI table count it, and as PACS viewers count images. A table without
        ``slice_index`` is copied unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> with_slice_numbers(pd.DataFrame({"level": ["L1"], "slice_index": [5]}))
      level  slice_number
    0    L1             6
    """
    out = frame.copy()
    if "slice_index" in out.columns:
        at = out.columns.get_loc("slice_index")
        index = pd.to_numeric(out.pop("slice_index")).astype("Int64")
        out.insert(at, "slice_number", index + 1)
    return out


def write_measurements(frame: pd.DataFrame, target: Any = None) -> str | None:
    """A measurement (or history) table as spreadsheet-safe CSV (see `MeasurementStore.export_csv`):
    slices numbered from 1 (``slice_number``, `with_slice_numbers`), timestamps in ISO 8601 UTC."""
    out = with_slice_numbers(frame)
    for c in ("measured_at", "changed_at"):
        if c in out.columns:
            out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return safe_csv(out, target)


def _read_source(source: Any) -> tuple[bytes, str]:
    """(the bytes of a CSV source, the name its problems are reported under)."""
    name = "measurements.csv"
    if isinstance(source, str) and "\n" in source:  # the text itself
        return source.encode("utf-8"), name
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), path.name
        except OSError as exc:
            raise InputError(f"{path.name}: cannot read the file ({exc.strerror})") from None
    if isinstance(source, bytes | bytearray):
        return bytes(source), name
    if hasattr(source, "read"):
        data = source.read()
        name = Path(getattr(source, "name", None) or name).name
        return (data.encode("utf-8") if isinstance(data, str) else data), name
    raise InputError(f"measurements: expected a path, bytes, text or a file-like object, got "
                     f"{type(source).__name__}")


def _read_records(source: Any) -> tuple[list[dict], ValidationReport]:
    """`read_measurements` returning the parsed records instead of a frame."""
    data, name = _read_source(source)
    table, report = read_table(data, "measurements", name=name)
    return _records(table, report, report.rows), report


def read_measurements(source: Any) -> tuple[pd.DataFrame, ValidationReport]:
    """Read and validate a measurement CSV; never raises on bad data (check ``report.ok``).

    The file is read by `vbq.io.read_table` against `vbq.schema.MEASUREMENT_COLUMNS`, exactly
    as a cohort file is read: UTF-8, UTF-16 or cp1252 text (or an XLSX workbook); comma,
    semicolon, tab or pipe between cells; headers matched case- and punctuation-insensitively;
    "NA", "n/a", "-" and the like read as blank (with a warning naming the rows); yes/no,
    true/false, 1/0, ja/nein read as yes/no; decimal commas read (with a warning).

    Parameters
    ----------
    source : path, bytes, text or file-like object
        ``patient_id, observer, session, level, si_mean`` are required, the other
        `MEASUREMENT_COLUMNS` may be absent or blank. The slice is ``slice_number`` (counted
        from 1, as `MeasurementStore.export_csv` writes it); a file written before
        ``slice_number`` gives ``slice_index`` (counted from 0) and is read as the same slice. A single quote that `vbq.export` put
        before a cell is not expected: every text field of a measurement is a code that needs
        none.

    Returns
    -------
    table : DataFrame
        The readings, typed as `MeasurementStore.load` returns them (the slice as
        ``slice_index``, counted from 0: ``slice_number`` - 1).
    report : vbq.io.ValidationReport
        Problems by row (as a spreadsheet numbers it: header row 1, first reading row 2) and
        column (as the file names it), listed row by row.

    Raises
    ------
    InputError
        The source cannot be read (not found, not a file, not a source at all).
    """
    records, report = _read_records(source)
    return _typed(records), report
