"""The fields of a reading and how a cell of each is read: validation of readings (records,
mappings, frames) and of the measurement CSV, typed frames, and the CSV writer.

The `io` rewrite makes this the schema-driven reader of `vbq.io` (issue 17); until then the
field table `_FIELDS` and `_parse_cell` are this module's own."""

from __future__ import annotations

import csv
import datetime as dt
import io as _stdio
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._safe import safe_csv
from ..errors import InputError
from ..io import ERROR, WARNING, ValidationReport
from ..schema import CSF_LEVELS
from ._records import KEY_COLUMNS, ROI_LEVELS, ROI_SOURCES, ROIMeasurement

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_UID_LIKE = re.compile(r"\d+(\.\d+){3,}")
_DATE_LIKE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")
_HEX = re.compile(r"[0-9a-f]{16,128}")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_VERSION = re.compile(r"[0-9][0-9A-Za-z.+_-]{0,31}")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_MISSING = {"", "nan", "none", "na", "n/a", "null", "<na>", "nat"}


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str  # id, int, float, bool, level, csf_level, timestamp, hex, version
    description: str
    required: bool = False
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    max_len: int = 64


_FIELDS: tuple[_Field, ...] = (
    _Field("patient_id", "id", "Pseudonymous study ID (as in the cohort file); never a name, "
           "hospital number, date of birth or DICOM identifier.", required=True, max_len=64),
    _Field("observer", "id", "Pseudonymous code of the person who placed the ROI (initials).",
           required=True, max_len=32),
    _Field("session", "int", "Repeat number of the observer's reading (1, 2, ...).",
           required=True, low=1, high=1000),
    _Field("level", "level", "ROI: L1, L2, L3, L4 or CSF.", required=True),
    _Field("csf_level", "csf_level", "CSF row only: the level at which the CSF ROI was placed "
           "(blank on a CSF row means L3; must be blank on a vertebra row)."),
    _Field("slice_index", "int", "Index of the slice in the sorted series (0-based).", low=0,
           high=100_000),
    _Field("centre_row_px", "float", "ROI centre, row (pixels, from the centre of the first).",
           low=-0.5, high=100_000),
    _Field("centre_col_px", "float", "ROI centre, column (pixels).", low=-0.5, high=100_000),
    _Field("centre_row_mm", "float", "ROI centre, row, in mm (row pixels x row spacing).",
           low=-1_000, high=10_000),
    _Field("centre_col_mm", "float", "ROI centre, column, in mm.", low=-1_000, high=10_000),
    _Field("radius_mm", "float", "ROI radius (mm).", low=0, high=500, low_open=True),
    _Field("si_mean", "float", "Mean signal intensity of the ROI (stored values after the "
           "modality LUT); the SI that enters VBQ.", required=True, low=0, high=1e6),
    _Field("si_median", "float", "Median signal intensity of the ROI.", low=-1e6, high=1e6),
    _Field("si_sd", "float", "Standard deviation of the ROI's signal intensity.", low=0,
           high=1e6),
    _Field("pixel_count", "int", "Pixels whose centres fall inside the circle.", low=1,
           high=1e9),
    _Field("excluded", "bool", "The level is collapsed (fractured) and left out of the VBQ "
           "median; vertebra rows only.", required=True),
    _Field("series_fingerprint", "hex", "Hash identifying the series (16-128 hexadecimal "
           "characters); never the Series Instance UID."),
    _Field("field_strength_t", "float", "Magnetic field strength (T).", low=0, high=12,
           low_open=True),
    _Field("tr_ms", "float", "Repetition time (ms).", low=0, high=100_000, low_open=True),
    _Field("te_ms", "float", "Echo time (ms).", low=0, high=10_000, low_open=True),
    _Field("measured_at", "timestamp", "When the reading was saved (UTC); blank: the time of "
           "saving."),
    _Field("software_version", "version", "VBQ Explorer version that made the reading; blank: "
           "the version saving it."),
)
# Where each reading came from (issues 16, 19): the series' flags and its acquisition, and how the
# ROIs were placed. The `io` rewrite declares these columns in vbq.schema; until it lands they are
# added here, once (a name already in _FIELDS is not added again).
_PROVENANCE_FIELDS: tuple[_Field, ...] = (
    _Field("series_flags", "codes", "Codes of the flags the series carried when it was measured "
           "(vbq.imaging.Flag.code, e.g. not_validated_sequence;lossy_compression), separated by "
           "semicolons; blank: none.", max_len=255),
    _Field("manufacturer", "text", "(0008,0070) Manufacturer of the scanner.", max_len=64),
    _Field("model_name", "text", "(0008,1090) Manufacturer's Model Name of the scanner (never "
           "the station name, serial number or institution).", max_len=64),
    _Field("scanning_sequence", "text", "(0018,0020) Scanning Sequence (SE spin echo, IR "
           "inversion recovery, GR gradient recalled, ...), multiple values separated by \\.",
           max_len=64),
    _Field("sequence_variant", "text", "(0018,0021) Sequence Variant (SK, SP, MP, ...).",
           max_len=64),
    _Field("ti_ms", "float", "(0018,0082) Inversion time (ms); blank when not inversion "
           "recovery.", low=0, high=100_000),
    _Field("pixel_bandwidth_hz", "float", "(0018,0095) Pixel Bandwidth (Hz per pixel).", low=0,
           high=1e6, low_open=True),
    _Field("slice_thickness_mm", "float", "(0018,0050) Slice Thickness (mm).", low=0, high=1_000,
           low_open=True),
    _Field("roi_source", "choice", "How the ROIs were placed: suggested (a suggestion accepted), "
           "moved (a suggestion moved by the reader) or manual (placed by hand).", max_len=16),
    _Field("blinded", "bool", "The reader could not see earlier readings of this patient while "
           "reading (blank: no)."),
)
_FIELDS = _FIELDS + tuple(f for f in _PROVENANCE_FIELDS
                          if f.name not in {g.name for g in _FIELDS})
_CHOICES: dict[str, tuple[str, ...]] = {"roi_source": ROI_SOURCES}
_FLAG_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f]*")

_BY_NAME = {f.name: f for f in _FIELDS}

MEASUREMENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in _FIELDS)
"""Columns of a measurement table (`MeasurementStore.load`, the CSV export), in this order."""

HISTORY_COLUMNS: tuple[str, ...] = ("history_id", "change", "changed_at", "reason",
                                    *MEASUREMENT_COLUMNS)
"""Columns of the history table: every replaced (``change == "corrected"``) or deleted
(``"deleted"``) row, as it was, with when and why."""




def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and np.isnan(v):
        return True
    return isinstance(v, str) and v.strip().lower() in _MISSING


def _parse_cell(f: _Field, v: Any) -> tuple[Any, str | None]:
    """(parsed value or None, error message or None) of one cell."""
    if _is_missing(v):
        return None, (f"{f.name} is required" if f.required and f.kind != "bool" else None)
    k = f.kind
    if k in _PROVENANCE_KINDS:
        return _PROVENANCE_KINDS[k](f, v)
    if k == "id":
        text = str(v).strip() if isinstance(v, str | int | np.integer) and not isinstance(
            v, bool) else None
        if text is None:
            return None, f"{f.name} must be text, got {type(v).__name__}"
        if len(text) > f.max_len:
            return None, f"{f.name} is longer than {f.max_len} characters"
        if not _ID.fullmatch(text):
            return None, (f"{f.name} must be a pseudonymous code of letters, digits and . _ - "
                          "starting with a letter or digit (no spaces, commas or names)")
        if _UID_LIKE.fullmatch(text):
            return None, f"{f.name} looks like a DICOM UID; use the pseudonymous study code"
        if _DATE_LIKE.fullmatch(text):
            return None, f"{f.name} looks like a date; use the pseudonymous study code"
        return text, None
    if k in ("int", "float"):
        if isinstance(v, bool | np.bool_):
            return None, f"{f.name} must be a number, got {v!r}"
        if isinstance(v, str):
            try:
                num = float(v.strip())
            except ValueError:
                return None, f"{f.name} is not a number"
        elif isinstance(v, int | float | np.integer | np.floating):
            num = float(v)
        else:
            return None, f"{f.name} must be a number, got {type(v).__name__}"
        if not np.isfinite(num):
            return None, f"{f.name} must be finite"
        if k == "int":
            if num != round(num):
                return None, f"{f.name} must be a whole number"
            num = int(round(num))
        lo = -np.inf if f.low is None else f.low
        hi = np.inf if f.high is None else f.high
        if num < lo or num > hi or (f.low_open and num == lo):
            left = "(" if f.low_open else "["
            return None, f"{f.name} outside the allowed range {left}{lo:g}, {hi:g}]"
        return num, None
    if k == "bool":
        if isinstance(v, bool | np.bool_):
            return bool(v), None
        if isinstance(v, int | np.integer) and v in (0, 1):
            return bool(v), None
        text = str(v).strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, f"{f.name} must be true or false"
    if k in ("level", "csf_level"):
        text = str(v).strip().upper()
        allowed = ROI_LEVELS if k == "level" else CSF_LEVELS
        if text not in allowed:
            return None, f"{f.name} must be one of {', '.join(allowed)}"
        return text, None
    if k == "timestamp":
        if not isinstance(v, str | dt.datetime | np.datetime64):
            return None, f"{f.name} must be a date and time, got {type(v).__name__}"
        try:  # text must be ISO 8601: "1/2/2026" (January or February?) and "now" are refused
            ts = pd.Timestamp(dt.datetime.fromisoformat(v.strip()) if isinstance(v, str) else v)
        except (ValueError, TypeError):
            return None, f"{f.name} is not a date and time (ISO 8601, e.g. 2026-01-31T14:05:00Z)"
        if ts is pd.NaT:
            return None, f"{f.name} is not a date and time"
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        return ts.floor("us").to_pydatetime(), None
    if k == "hex":
        text = str(v).strip().lower()
        if not _HEX.fullmatch(text):
            return None, (f"{f.name} must be a hash of 16-128 hexadecimal characters, never "
                          "the Series Instance UID")
        return text, None
    if k == "version":
        text = str(v).strip()
        if not _VERSION.fullmatch(text):
            return None, f"{f.name} must be a version number such as 0.1.0"
        return text, None
    raise AssertionError(k)  # pragma: no cover


def _parse_text(f: _Field, v: Any) -> tuple[Any, str | None]:
    """A DICOM text value (manufacturer, model, sequence): printable, at most `f.max_len`."""
    if not isinstance(v, str):
        return None, f"{f.name} must be text, got {type(v).__name__}"
    text = v.strip()
    if len(text) > f.max_len:
        return None, f"{f.name} is longer than {f.max_len} characters"
    if not _PRINTABLE.fullmatch(text):
        return None, f"{f.name} holds control characters"
    return text, None


def _parse_codes(f: _Field, v: Any) -> tuple[Any, str | None]:
    """Flag codes separated by semicolons, e.g. ``lossy_compression;not_sagittal``."""
    if not isinstance(v, str):
        return None, f"{f.name} must be text, got {type(v).__name__}"
    codes = [c.strip() for c in v.split(";") if c.strip()]
    if len(";".join(codes)) > f.max_len:
        return None, f"{f.name} is longer than {f.max_len} characters"
    bad = [c for c in codes if not _FLAG_CODE.fullmatch(c)]
    if bad:
        return None, (f"{f.name} must be flag codes (lower-case letters, digits and _) "
                      "separated by semicolons")
    return (";".join(dict.fromkeys(codes)) or None), None


def _parse_choice(f: _Field, v: Any) -> tuple[Any, str | None]:
    text = str(v).strip().lower()
    if text not in _CHOICES[f.name]:
        return None, f"{f.name} must be one of {', '.join(_CHOICES[f.name])}"
    return text, None


_PROVENANCE_KINDS = {"text": _parse_text, "codes": _parse_codes, "choice": _parse_choice}


def _validate(raw: Sequence[Mapping[str, Any]], report: ValidationReport, rows: Sequence[int],
              labels: Mapping[str, str]) -> list[dict]:
    """Parse every cell of `raw` (records keyed by canonical column names); problems go to
    `report` by row and column. Returns one record per row (valid only when report is ok)."""
    records: list[dict] = []
    memo: dict[tuple[str, str], tuple[Any, str | None]] = {}  # text cells repeat (codes, times)
    commas: dict[str, list[int]] = {}  # decimal commas read, by column: their rows
    for i, values in enumerate(raw):
        rec: dict[str, Any] = {}
        for f in _FIELDS:
            v = values.get(f.name)
            if f.kind == "float" and type(v) is str and _DECIMAL_COMMA.fullmatch(v.strip()):
                commas.setdefault(f.name, []).append(int(rows[i]))
                v = v.strip().replace(",", ".")
            if type(v) is str:
                key = (f.name, v)
                if key not in memo:
                    memo[key] = _parse_cell(f, v)
                parsed, err = memo[key]
            else:
                parsed, err = _parse_cell(f, v)
            if err is None and f.kind == "bool" and parsed is None:
                parsed = False  # a blank or absent collapsed flag: not collapsed
            if err:
                report.add(ERROR, err, row=int(rows[i]), column=labels.get(f.name, f.name),
                           value=None if _is_missing(v) else v)
            rec[f.name] = parsed
        # the CSF row and the vertebra rows
        where = {"row": int(rows[i])}
        if rec["level"] == "CSF":
            if rec["csf_level"] is None:
                rec["csf_level"] = "L3"  # as in the cohort file: blank means L3
            if rec["excluded"]:
                report.add(ERROR, "only a vertebral level can be marked collapsed, not the CSF",
                           column=labels.get("excluded", "excluded"), value=values.get("excluded"),
                           **where)
            if rec["si_mean"] == 0:
                report.add(ERROR, "the CSF signal intensity must be above 0 (VBQ divides by it)",
                           column=labels.get("si_mean", "si_mean"), value=values.get("si_mean"),
                           **where)
        elif rec["level"] is not None and not _is_missing(values.get("csf_level")):
            report.add(ERROR, "csf_level belongs on the CSF row only; leave it blank here",
                       column=labels.get("csf_level", "csf_level"),
                       value=values.get("csf_level"), **where)
        records.append(rec)
    for name, where in commas.items():
        more = f" (here and in {len(where) - 1} more row(s))" if len(where) > 1 else ""
        report.add(WARNING, f"decimal comma read as a decimal point{more}", row=where[0],
                   column=labels.get(name, name))
    seen: dict[tuple, int] = {}
    for i, rec in enumerate(records):
        key = tuple(rec[k] for k in KEY_COLUMNS)
        if None in key:
            continue
        if key in seen:
            report.add(ERROR, f"the same patient_id, observer, session and level as row "
                       f"{seen[key]}", row=int(rows[i]), column=labels.get("level", "level"),
                       value=key[3])
        else:
            seen[key] = int(rows[i])
    return records


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
    report = ValidationReport(source=source)
    labels = {str(c): str(c) for c in frame.columns}
    raw = frame.reset_index(drop=True).astype(object)
    raw.columns = [str(c) for c in raw.columns]
    extra = [c for c in raw.columns if c not in _BY_NAME]
    if extra:
        report.add(WARNING, f"column(s) not recognised and ignored: {', '.join(map(repr, extra))}")
    missing = [f.name for f in _FIELDS if f.required and f.kind != "bool" and f.name not in
               raw.columns]
    for name in missing:
        report.add(ERROR, f"missing required column {name!r}")
    if missing:
        return [], report
    rows = list(range(1, len(raw) + 1)) if rows is None else list(rows)
    report.n_rows = len(raw)
    records = _validate(raw.to_dict("records"), report, rows, labels)
    return records, report


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



def write_measurements(frame: pd.DataFrame, target: Any = None) -> str | None:
    """A measurement (or history) table as spreadsheet-safe CSV (see `MeasurementStore.export_csv`)."""
    out = frame.copy()
    for c in ("measured_at", "changed_at"):
        if c in out.columns:
            out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return safe_csv(out, target)


def _read_text(source: Any) -> tuple[str, str]:
    """(text, name) of a CSV source."""
    name = "measurements.csv"
    if isinstance(source, str | os.PathLike) and not (isinstance(source, str) and "\n" in source):
        path = Path(source)
        name = path.name
        try:
            data: bytes | str = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: cannot read the file ({exc.strerror})") from None
    elif isinstance(source, bytes | bytearray):
        data = bytes(source)
    elif isinstance(source, str):
        data = source
    elif hasattr(source, "read"):
        name = Path(getattr(source, "name", name) or name).name
        data = source.read()
    else:
        raise InputError(f"measurements: expected a path, bytes, text or a file-like object, got "
                         f"{type(source).__name__}")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{name}: not UTF-8 text; export the measurements again from VBQ "
                             "Explorer, or save the file as CSV UTF-8") from None
    return data, name


def _read_records(source: Any) -> tuple[list[dict], ValidationReport]:
    """`read_measurements` returning the parsed records instead of a frame."""
    text, name = _read_text(source)
    report = ValidationReport(source=name)
    first = text.split("\n", 1)[0]
    # a spreadsheet saved in a locale with decimal commas writes ";" (or tabs) between cells
    delimiter = max((",", ";", "\t"), key=first.count)
    records = list(csv.reader(_stdio.StringIO(text, newline=""), delimiter=delimiter))
    if delimiter != ",":
        report.add(WARNING, f"cells separated by {'semicolons' if delimiter == ';' else 'tabs'} "
                   "(read as such)", row=1)
    if not records or not any(cell.strip() for cell in records[0]):
        report.add(ERROR, "the file is empty or has no header row", row=1)
        return [], report
    header = [h.strip() for h in records[0]]
    labels: dict[str, str] = {}
    keep: list[int] = []
    for j, h in enumerate(header):
        canon = h.lower()
        if canon in _BY_NAME:
            if canon in labels:
                report.add(ERROR, f"two columns are named {canon!r}", row=1, column=h)
                continue
            labels[canon] = h
            keep.append(j)
        elif h:
            report.add(WARNING, "column not recognised and ignored", row=1, column=h)
    missing = [f.name for f in _FIELDS if f.required and f.kind != "bool" and f.name not in
               labels]
    for m in missing:
        report.add(ERROR, f"missing required column {m!r}", row=1)
    if missing or not report.ok:
        return [], report
    data, rows = [], []
    for i, rec in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in rec):
            report.add(WARNING, "empty row skipped", row=i)
            continue
        if len(rec) > len(header) and any(c.strip() for c in rec[len(header):]):
            report.add(ERROR, f"has {len(rec)} cells, the header {len(header)}", row=i)
            continue
        rec = rec + [""] * (len(header) - len(rec))
        data.append([rec[j] for j in keep])
        rows.append(i)
    names = [header[j].lower() for j in keep]
    raw = [dict(zip(names, cells, strict=True)) for cells in data]
    report.n_rows = len(raw)
    validated = _validate(raw, report, rows, labels)
    return validated, report


def read_measurements(source: Any) -> tuple[pd.DataFrame, ValidationReport]:
    """Read and validate a measurement CSV; never raises on bad data (check ``report.ok``).

    Parameters
    ----------
    source : path, bytes, text or file-like object
        Comma-separated (semicolons or tabs are recognised from the header row, with a
        warning), UTF-8, header row with the `MEASUREMENT_COLUMNS` names (matched case-
        insensitively; ``patient_id, observer, session, level, si_mean`` required, the others
        may be absent or blank). A single quote that `vbq.export` put before a cell is not
        expected: every text field of a measurement is a code that needs none.

    Returns
    -------
    table : DataFrame
        The readings, typed as `MeasurementStore.load` returns them.
    report : vbq.io.ValidationReport
        Problems by row (as a spreadsheet numbers it: header row 1, first reading row 2) and
        column (as the file names it).

    Raises
    ------
    InputError
        The source cannot be read or decoded.
    """
    records, report = _read_records(source)
    return _typed(records), report
