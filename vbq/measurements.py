"""The measurement database: ROI readings made on MRI, stored through SQLAlchemy, and their analysis.

One row per ROI reading: a patient's L1-L4 bodies and CSF, read by one observer in one session
(a repeat number), with where the ROI was (slice, centre, radius), what it measured (mean,
median, SD, pixel count), whether the level was marked collapsed, and the acquisition it came
from (a series fingerprint, never a DICOM UID; field strength, TR, TE). Patients are keyed by the
pseudonymous study ID the user assigns; nothing identifying from the DICOM files is stored.

* `MeasurementStore` (or `open_store`): the database. By default the SQLite file
  ``measurements.sqlite`` in the per-user data folder (`default_url`), any SQLAlchemy URL or
  Engine otherwise (the app passes the engine of
  ``st.connection("measurements", type="sql")``). Saving is atomic, concurrent writers lose
  nothing, a re-save of the same (patient, observer, session, level) is a correction whose old
  value goes to a history table, deletion is explicit and recorded too.
* CSV export/import (`MeasurementStore.export_csv`, `MeasurementStore.import_csv`,
  `read_measurements`): the way to carry measurements off an ephemeral disk; exports go through
  `vbq.export`, imports are validated cell by cell and reported by row and column.
* `to_cohort_si` / `merge_into_cohort`: measured SIs as the cohort's ``si_l1..si_l4, si_csf,
  csf_level, collapsed_l1..l4`` columns, so a measured patient and a spreadsheet patient go
  through `vbq.prepare_cohort` identically.
* `reading_vbq`, `vbq_wide`, `intra_observer_vbq`, `inter_observer_vbq`, `reliability`: VBQ per
  reading and the intra- and inter-observer agreement (`vbq.stats.icc`,
  `vbq.stats.bland_altman`) computed from the stored readings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _stdio
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ._userdata import data_dir
from .errors import DegenerateInputError, InputError
from .export import safe_csv
from .io import ERROR, WARNING, ValidationReport
from .schema import CSF_LEVELS, LEVELS

__all__ = [
    "SCHEMA_VERSION",
    "ROI_LEVELS",
    "MEASUREMENT_COLUMNS",
    "KEY_COLUMNS",
    "HISTORY_COLUMNS",
    "DEFAULT_PATH",
    "default_url",
    "ROI_SOURCES",
    "ROIMeasurement",
    "reading_from_rois",
    "series_provenance",
    "SaveResult",
    "MeasurementStore",
    "open_store",
    "validate_measurements",
    "read_measurements",
    "write_measurements",
    "COHORT_SI_COLUMNS",
    "to_cohort_si",
    "merge_into_cohort",
    "CohortMerge",
    "COMBINE",
    "describe_flags",
    "reading_vbq",
    "vbq_wide",
    "intra_observer_vbq",
    "inter_observer_vbq",
    "reliability",
    "ReliabilityResult",
]

SCHEMA_VERSION = 2
"""Version of the database layout, stored in the ``vbq_meta`` table; a database written by a
newer layout is refused rather than misread, an older one is brought up to date when opened
(version 2 added each reading's provenance: series flags, scanner, sequence, TI, pixel
bandwidth, slice thickness, ROI source, blinded)."""

ROI_LEVELS: tuple[str, ...] = (*LEVELS, "CSF")
"""The ROIs of one reading: the L1-L4 vertebral bodies and the CSF."""

KEY_COLUMNS: tuple[str, ...] = ("patient_id", "observer", "session", "level")
"""The natural key: one value per patient, observer, session and ROI. Saving a key again is a
correction."""

_DATABASE_FILE = "measurements.sqlite"

DEFAULT_PATH: Path  # given by __getattr__ below, each time it is read
"""Path of the default SQLite database, ``measurements.sqlite`` in the per-user data folder
(see `default_url`); computed when read, so it follows ``VBQ_DATA_DIR`` at that time."""

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_UID_LIKE = re.compile(r"\d+(\.\d+){3,}")
_DATE_LIKE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")
_HEX = re.compile(r"[0-9a-f]{16,128}")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
_VERSION = re.compile(r"[0-9][0-9A-Za-z.+_-]{0,31}")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n"}
_MISSING = {"", "nan", "none", "na", "n/a", "null", "<na>", "nat"}
_REASON_MAX = 500
_CHUNK = 500


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
ROI_SOURCES: tuple[str, ...] = ("suggested", "moved", "manual")
"""How a reading's ROIs were placed (``roi_source``): a suggestion accepted as it was, a
suggestion moved by the reader, or placed by hand."""

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

_COMPARED = tuple(c for c in MEASUREMENT_COLUMNS if c not in ("measured_at", "software_version"))


def _default_path() -> Path:
    return data_dir() / _DATABASE_FILE


def __getattr__(name: str) -> Any:
    # DEFAULT_PATH follows the environment at the time it is read (PEP 562), so setting
    # VBQ_DATA_DIR after `import vbq` (a notebook, a test, a server's start script) is obeyed
    if name == "DEFAULT_PATH":
        return _default_path()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_url() -> str:
    """SQLAlchemy URL of the default database: ``sqlite:///<data folder>/measurements.sqlite``.

    The data folder is `vbq._userdata.data_dir`: the ``VBQ_DATA_DIR`` environment variable when
    set, else the operating system's per-user data folder (``~/.local/share/vbq-explorer`` on
    Linux, ``~/Library/Application Support/vbq-explorer`` on macOS,
    ``%LOCALAPPDATA%\\vbq-explorer`` on Windows); never inside the installed package. It is read
    each time this function (or ``vbq.measurements.DEFAULT_PATH``, the file's path) is called,
    so a change of ``VBQ_DATA_DIR`` after import is obeyed. `MeasurementStore()` creates the
    folder on first use.
    """
    return f"sqlite:///{_default_path()}"


# --------------------------------------------------------------------------------------------
# one reading


@dataclass(frozen=True)
class ROIMeasurement:
    """One ROI reading, as the MRI page saves it (fields as in `MEASUREMENT_COLUMNS`).

    Only ``patient_id, observer, session, level, si_mean`` are required; ``excluded`` defaults
    to False, ``measured_at`` to the time of saving (a naive datetime is taken as UTC) and
    ``software_version`` to ``vbq.__version__``. `MeasurementStore.save` validates every field.
    """

    patient_id: str
    observer: str
    session: int
    level: str
    si_mean: float
    csf_level: str | None = None
    slice_index: int | None = None
    centre_row_px: float | None = None
    centre_col_px: float | None = None
    centre_row_mm: float | None = None
    centre_col_mm: float | None = None
    radius_mm: float | None = None
    si_median: float | None = None
    si_sd: float | None = None
    pixel_count: int | None = None
    excluded: bool = False
    series_fingerprint: str | None = None
    field_strength_t: float | None = None
    tr_ms: float | None = None
    te_ms: float | None = None
    measured_at: dt.datetime | None = None
    software_version: str | None = None
    series_flags: str | None = None
    manufacturer: str | None = None
    model_name: str | None = None
    scanning_sequence: str | None = None
    sequence_variant: str | None = None
    ti_ms: float | None = None
    pixel_bandwidth_hz: float | None = None
    slice_thickness_mm: float | None = None
    roi_source: str | None = None
    blinded: bool = False

    @classmethod
    def from_roi_stats(cls, stats: Any, *, patient_id: str, observer: str, session: int,
                       level: str, slice_index: int | None = None, series: Any = None,
                       excluded: bool = False, csf_level: str | None = None,
                       roi_source: str | None = None, blinded: bool = False) -> ROIMeasurement:
        """The database row of one ROI measured with `vbq.imaging.roi_stats`.

        Parameters
        ----------
        stats : vbq.imaging.RoiStats
            Its ``mean, median, sd, n_pixels, centre, centre_mm, radius_mm`` fill the
            measurement fields.
        patient_id, observer, session, level : keyword-only
            The key (see `KEY_COLUMNS`).
        slice_index : int, optional, keyword-only
        series : vbq.imaging.Series, optional, keyword-only
            Fills the provenance fields (`series_provenance`): fingerprint, flags, field
            strength, manufacturer, model, sequence, TR, TE, TI, pixel bandwidth, slice
            thickness. Nothing identifying is read.
        excluded, csf_level : keyword-only
            The collapsed flag (vertebra) and the CSF level (CSF row).
        roi_source : {"suggested", "moved", "manual"}, optional, keyword-only
            How the ROI was placed (`ROI_SOURCES`).
        blinded : bool, keyword-only
            Whether earlier readings of the patient were hidden from the reader.
        """
        row, col = stats.centre
        row_mm, col_mm = stats.centre_mm
        acq = series_provenance(series) if series is not None else {}
        return cls(patient_id=patient_id, observer=observer, session=session, level=level,
                   si_mean=float(stats.mean), csf_level=csf_level, slice_index=slice_index,
                   centre_row_px=float(row), centre_col_px=float(col),
                   centre_row_mm=float(row_mm), centre_col_mm=float(col_mm),
                   radius_mm=float(stats.radius_mm), si_median=float(stats.median),
                   si_sd=float(stats.sd), pixel_count=int(stats.n_pixels), excluded=excluded,
                   roi_source=roi_source, blinded=blinded, **acq)


def _series_text(series: Any, name: str) -> str | None:
    value = getattr(series, name, None)
    return (value.strip() or None) if isinstance(value, str) else None


def series_provenance(series: Any) -> dict[str, Any]:
    """The fields of a reading that say which series and acquisition it was measured on.

    Parameters
    ----------
    series : vbq.imaging.Series

    Returns
    -------
    dict
        ``series_fingerprint, series_flags, field_strength_t, manufacturer, model_name,
        scanning_sequence, sequence_variant, tr_ms, te_ms, ti_ms, pixel_bandwidth_hz,
        slice_thickness_mm``, as `ROIMeasurement` takes them. ``series_flags`` joins the codes
        of ``series.flags`` with semicolons (``lossy_compression`` added when the series is
        lossy-compressed and not flagged so), None when there are none. Never a UID, a station
        name, a serial number or an institution: only these attributes are read.
    """
    codes = [f.code for f in getattr(series, "flags", ())]
    if getattr(series, "lossy_compression", False) and "lossy_compression" not in codes:
        codes.append("lossy_compression")
    return dict(
        series_fingerprint=series.fingerprint, series_flags=";".join(codes) or None,
        field_strength_t=series.field_strength_t,
        manufacturer=_series_text(series, "manufacturer"),
        model_name=_series_text(series, "model_name"),
        scanning_sequence=_series_text(series, "scanning_sequence"),
        sequence_variant=_series_text(series, "sequence_variant"),
        tr_ms=series.repetition_time_ms, te_ms=series.echo_time_ms,
        ti_ms=getattr(series, "inversion_time_ms", None),
        pixel_bandwidth_hz=getattr(series, "pixel_bandwidth_hz", None),
        slice_thickness_mm=getattr(series, "slice_thickness_mm", None),
    )


def reading_from_rois(rois: Mapping[str, Any], *, patient_id: str, observer: str, session: int,
                      slice_index: int | None = None, series: Any = None,
                      collapsed: Iterable[str] = (), csf_level: str = "L3",
                      roi_source: str | None = None, blinded: bool = False
                      ) -> list[ROIMeasurement]:
    """One patient's reading as database rows, from the ROIs measured on the MRI page.

    Parameters
    ----------
    rois : mapping
        ``"L1"`` ... ``"L4"``, ``"CSF"`` -> `vbq.imaging.RoiStats` (as `vbq.imaging.measure_vbq`
        takes them); a missing key or None is a level not measured (no row).
    patient_id, observer, session : keyword-only
    slice_index : int, optional, keyword-only
        The slice the ROIs were drawn on.
    series : vbq.imaging.Series, optional, keyword-only
        For the fingerprint, the flags and the acquisition (`series_provenance`).
    collapsed : iterable of str, keyword-only
        Levels marked collapsed.
    csf_level : str, keyword-only
        Where the CSF ROI sits (L3 unless obstructed).
    roi_source, blinded : keyword-only
        How the ROIs were placed and whether the reading was blinded (`ROIMeasurement`).

    Returns
    -------
    list of ROIMeasurement
        In the order L1, L2, L3, L4, CSF; `MeasurementStore.save` stores them in one
        transaction.

    Raises
    ------
    InputError
        An unknown ROI name or collapsed level.
    """
    unknown = sorted(set(rois) - set(ROI_LEVELS))
    if unknown:
        raise InputError(f"rois: unknown names {unknown}; expected {list(ROI_LEVELS)}")
    collapsed = set(collapsed)
    if collapsed - set(LEVELS):
        raise InputError(f"collapsed: expected levels among {list(LEVELS)}, got "
                         f"{sorted(collapsed)}")
    return [ROIMeasurement.from_roi_stats(
        rois[lv], patient_id=patient_id, observer=observer, session=session, level=lv,
        slice_index=slice_index, series=series, excluded=lv in collapsed,
        csf_level=csf_level if lv == "CSF" else None, roi_source=roi_source, blinded=blinded)
        for lv in ROI_LEVELS if rois.get(lv) is not None]


@dataclass(frozen=True)
class SaveResult:
    """What a save or an import did.

    Attributes
    ----------
    inserted : int
        New rows.
    corrected : int
        Rows that replaced a different earlier value (the old one is in the history).
    unchanged : int
        Rows identical to the stored ones (nothing written; their timestamp is kept).
    keys : tuple of tuple
        ``(patient_id, observer, session, level)`` of every row given, in order.
    """

    inserted: int
    corrected: int
    unchanged: int
    keys: tuple[tuple[str, str, int, str], ...]

    def summary(self) -> str:
        """One line: how many rows were added, corrected and left as they were."""
        return (f"{self.inserted} ROI reading(s) added, {self.corrected} corrected (old values "
                f"kept in the history), {self.unchanged} unchanged")


# --------------------------------------------------------------------------------------------
# validation


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


def _query_frame(conn, query, columns: Sequence[str]) -> pd.DataFrame:
    """Run `query`; its rows as a typed frame (column-wise, no per-row mapping)."""
    result = conn.execute(query)
    keys = list(result.keys())
    rows = result.all()
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(keys)
    return _typed_columns(dict(zip(keys, cols, strict=True)), columns)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _same(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    for c in _COMPARED:
        a, b = old.get(c), new.get(c)
        if a is None or b is None:
            if (a is None) != (b is None):
                return False
        elif isinstance(a, float) or isinstance(b, float):
            if float(a) != float(b):
                return False
        elif a != b:
            return False
    return True


# --------------------------------------------------------------------------------------------
# the database


_metadata = sa.MetaData()


def _measurement_columns() -> list[sa.Column]:
    types = {"id": lambda f: sa.String(f.max_len), "int": lambda f: sa.Integer(),
             "float": lambda f: sa.Double(), "bool": lambda f: sa.Boolean(),
             "level": lambda f: sa.String(4), "csf_level": lambda f: sa.String(4),
             "timestamp": lambda f: sa.DateTime(timezone=True), "hex": lambda f: sa.String(128),
             "version": lambda f: sa.String(32), "text": lambda f: sa.String(f.max_len),
             "codes": lambda f: sa.String(f.max_len), "choice": lambda f: sa.String(f.max_len)}
    cols = []
    for f in _FIELDS:
        nullable = not (f.required or f.name in ("measured_at", "software_version"))
        cols.append(sa.Column(f.name, types[f.kind](f), nullable=nullable, comment=f.description))
    return cols


_meta_table = sa.Table(
    "vbq_meta", _metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(255), nullable=False),
)
_rois = sa.Table(
    "vbq_roi_measurements", _metadata, *_measurement_columns(),
    sa.PrimaryKeyConstraint(*KEY_COLUMNS, name="pk_vbq_roi_measurements"),
)
_history = sa.Table(
    "vbq_roi_history", _metadata,
    sa.Column("history_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("change", sa.String(16), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.String(_REASON_MAX), nullable=False),
    *[sa.Column(c.name, c.type, nullable=True, comment=c.comment) for c in _measurement_columns()],
    sa.Index("ix_vbq_roi_history_patient", "patient_id"),
)
_LEVEL_ORDER = {lv: i for i, lv in enumerate(ROI_LEVELS)}


def _engine_from(bind: Any) -> tuple[Engine, bool]:
    """(engine, whether we created it)."""
    if bind is None:
        data_dir(create=True)
        bind = default_url()
    if isinstance(bind, Engine):
        return bind, False
    engine = getattr(bind, "engine", None)  # e.g. streamlit's SQLConnection
    if isinstance(engine, Engine):
        return engine, False
    if isinstance(bind, os.PathLike) or (isinstance(bind, str) and "://" not in bind):
        bind = f"sqlite:///{os.fspath(bind)}"
    if not isinstance(bind, str | sa.URL):
        raise InputError(f"MeasurementStore: expected an SQLAlchemy URL, an Engine or None, got "
                         f"{type(bind).__name__}")
    try:
        url = sa.make_url(bind)
    except sa.exc.ArgumentError as exc:
        raise InputError(f"MeasurementStore: not a database URL: {exc}") from None
    kwargs: dict[str, Any] = {}
    if url.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30}
        if url.database in (None, "", ":memory:"):
            # in memory: one connection shared by every thread, or each thread (each Streamlit
            # session) would see its own empty database
            kwargs["connect_args"]["check_same_thread"] = False
            kwargs["poolclass"] = sa.pool.StaticPool
    try:
        return sa.create_engine(url, **kwargs), True
    except ImportError as exc:
        raise InputError(f"MeasurementStore: the database driver for "
                         f"{url.drivername!r} is not installed ({exc.name}); install it, e.g. "
                         f"pip install \"psycopg[binary]\" for postgresql+psycopg") from None


class MeasurementStore:
    """The measurement database: ROI readings, their history, CSV export and import.

    Parameters
    ----------
    bind : str, sqlalchemy URL, os.PathLike, Engine, object with an ``engine``, or None
        Where the database is. None: the SQLite file ``measurements.sqlite`` in the per-user
        data folder (`default_url`; ``VBQ_DATA_DIR`` overrides it), created with its folder. A string with ``://`` is an
        SQLAlchemy URL (``sqlite:///path.sqlite``, ``postgresql+psycopg://user:pass@host/db``);
        a path (or a string without ``://``) is an SQLite file. An Engine, or an object holding one in ``.engine`` such as the Streamlit connection
        ``st.connection("measurements", type="sql")``, is used as it is (and not disposed by
        `close`).

    Notes
    -----
    The tables (``vbq_meta``, ``vbq_roi_measurements``, ``vbq_roi_history``) are created on
    first use; ``vbq_meta`` records `SCHEMA_VERSION`. The primary key of a reading is
    `KEY_COLUMNS`: saving a key again replaces the value and copies the old row, with when and
    why, into the history; `delete` does the same with ``change = "deleted"``.

    Concurrency. Every write runs in one transaction that starts by updating a lock row of
    ``vbq_meta``, so writers queue one behind the other (on SQLite the first write statement
    takes the database's write lock, with a 30 s busy timeout; on PostgreSQL the row lock
    serialises them) and a read-then-write never works from a stale view. SQLite databases are
    switched to WAL journaling, so readers do not block the writer. Nothing is lost when two
    sessions save at once; they are applied one after the other. A store holds no state besides
    its engine, so one store can serve every session of a server. An in-memory SQLite database
    (``"sqlite://"``) is one connection shared by all threads: for tests and trials, not for
    concurrent writers.

    Examples
    --------
    >>> store = MeasurementStore("sqlite://")          # in memory
    >>> r = store.save([ROIMeasurement("VBQ-001", "AB", 1, lv, si) for lv, si in
    ...                 [("L1", 300.0), ("L2", 320.0), ("L3", 310.0), ("L4", 330.0),
    ...                  ("CSF", 110.0)]])
    >>> r.summary()
    '5 ROI reading(s) added, 0 corrected (old values kept in the history), 0 unchanged'
    >>> len(store.load())
    5
    """

    def __init__(self, bind: Any = None):
        self._engine, self._owns = _engine_from(bind)
        self._sqlite = self._engine.dialect.name == "sqlite"
        try:
            self._init_schema()
        except sa.exc.SQLAlchemyError as exc:
            raise InputError(f"measurement database {self.url}: cannot open it: "
                             f"{type(exc).__name__}: {exc.orig if hasattr(exc, 'orig') else exc}"
                             ) from None

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine."""
        return self._engine

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def schema_version(self) -> int:
        """The layout version recorded in the database."""
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(_meta_table.c.value).where(
                _meta_table.c.key == "schema_version")).scalar_one())

    def close(self) -> None:
        """Release the connections (only if this store created the engine)."""
        if self._owns:
            self._engine.dispose()

    def __enter__(self) -> MeasurementStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MeasurementStore({self.url!r})"

    def _init_schema(self) -> None:
        if self._sqlite and self._engine.url.database not in (None, "", ":memory:"):
            with self._engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout = 30000")
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                if str(mode).lower() != "wal":
                    conn.exec_driver_sql("PRAGMA journal_mode = WAL")
        for attempt in range(3):
            try:
                _metadata.create_all(self._engine, checkfirst=True)
                break
            except (sa.exc.OperationalError, sa.exc.ProgrammingError):
                if attempt == 2:  # another process creating the same tables: look again
                    raise
        self._init_meta()
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise InputError(f"measurement database {self.url}: its layout (version {version}) "
                             f"is newer than this software's ({SCHEMA_VERSION}); update VBQ "
                             f"Explorer")
        if version < SCHEMA_VERSION:
            self._write(_upgrade)

    def _init_meta(self) -> None:
        """The ``vbq_meta`` rows: the layout version (of a new database) and the writers' lock."""
        for key, value in (("schema_version", str(SCHEMA_VERSION)), ("write_lock", "0")):
            try:
                with self._engine.begin() as conn:
                    found = conn.execute(sa.select(_meta_table.c.value).where(
                        _meta_table.c.key == key)).scalar_one_or_none()
                    if found is None:
                        conn.execute(sa.insert(_meta_table).values(key=key, value=value))
            except sa.exc.IntegrityError:
                pass  # inserted by a concurrent first use

    def _write(self, work):
        """Run `work(conn)` in one transaction that first takes the writers' lock."""
        with self._engine.begin() as conn:
            if self._sqlite:
                conn.exec_driver_sql("PRAGMA busy_timeout = 30000")
            conn.execute(sa.update(_meta_table).where(_meta_table.c.key == "write_lock")
                         .values(value=_meta_table.c.value))
            return work(conn)

    # -- writing -------------------------------------------------------------------------------

    def save(self, rois: Any, *, reason: str | None = None) -> SaveResult:
        """Save ROI readings in one transaction: all of them, or none.

        Parameters
        ----------
        rois : ROIMeasurement, mapping, sequence of them, or DataFrame
            Typically one patient's reading: the five ROIs L1-L4 and CSF of one observer and
            session. Fields as in `MEASUREMENT_COLUMNS`.
        reason : str, optional, keyword-only
            Why, for readings that correct an earlier value (stored in the history; default
            "re-saved"). At most 500 characters.

        Returns
        -------
        SaveResult
            Rows inserted, corrected and unchanged.

        Raises
        ------
        InputError
            Any invalid field; nothing is saved then. The message says each distinct problem
            once, naming the value and the rule (a bad patient ID on the five ROIs of a reading
            is one sentence, not five rows); ``.problems`` lists every one, by row and column.
        """
        records, report = _validate_records(rois, source="measurements")
        if not report.ok:
            raise _save_error(report)
        return self._save_records(records, reason=reason, default_reason="re-saved")

    def _save_records(self, records: list[dict], *, reason: str | None,
                      default_reason: str) -> SaveResult:
        reason = _check_reason(reason, default_reason)
        now = _now()
        records = _stamped(records, now)
        keys = tuple(tuple(rec[k] for k in KEY_COLUMNS) for rec in records)

        def work(conn):
            existing = self._existing(conn, {k[0] for k in keys})
            plan = _plan_save(keys, records, existing, now=now, reason=reason)
            if plan.replaced:
                conn.execute(_delete_by_key(), [{f"k_{c}": r[c] for c in KEY_COLUMNS}
                                                for r in plan.replaced])
            if plan.history:
                conn.execute(sa.insert(_history), plan.history)
            if plan.inserts or plan.replaced:
                conn.execute(sa.insert(_rois), plan.inserts + plan.replaced)
            return SaveResult(inserted=len(plan.inserts), corrected=len(plan.replaced),
                              unchanged=plan.unchanged, keys=keys)

        return self._write(work)

    def _existing(self, conn, patient_ids: set[str]) -> dict[tuple, dict]:
        out: dict[tuple, dict] = {}
        ids = sorted(patient_ids)
        for start in range(0, len(ids), _CHUNK):
            part = ids[start:start + _CHUNK]
            for row in conn.execute(sa.select(_rois).where(_rois.c.patient_id.in_(part))):
                rec = dict(row._mapping)
                out[tuple(rec[k] for k in KEY_COLUMNS)] = rec
        return out

    def delete(self, patient_id: str, *, observer: str, session: int, level: str | None = None,
               reason: str) -> int:
        """Delete one reading (or one ROI of it) on purpose; the deleted rows go to the history.

        Parameters
        ----------
        patient_id : str
        observer : str, keyword-only
        session : int, keyword-only
            Which reading. All three are required: there is no bulk delete.
        level : str, optional, keyword-only
            One ROI (L1-L4 or CSF); default all ROIs of the reading.
        reason : str, keyword-only
            Why (required, stored in the history; at most 500 characters).

        Returns
        -------
        int
            Rows deleted (0 when there was no such reading).

        Raises
        ------
        InputError
            A key field is invalid, or `reason` is empty.
        """
        if not isinstance(reason, str) or not reason.strip():
            raise InputError("delete: `reason` is required: say why the reading is deleted")
        reason = _check_reason(reason, "")
        key = {"patient_id": patient_id, "observer": observer, "session": session}
        for name, value in key.items():
            parsed, err = _parse_cell(_BY_NAME[name], value)
            if err:
                raise InputError(f"delete: {err} (got {value!r})")
            key[name] = parsed
        if level is not None:
            parsed, err = _parse_cell(_BY_NAME["level"], level)
            if err:
                raise InputError(f"delete: {err} (got {level!r})")
            key["level"] = parsed
        cond = sa.and_(*[_rois.c[k] == v for k, v in key.items()])
        now = _now()

        def work(conn):
            rows = [dict(r._mapping) for r in conn.execute(sa.select(_rois).where(cond))]
            rows.sort(key=lambda r: _LEVEL_ORDER.get(r["level"], 99))
            if rows:
                conn.execute(sa.insert(_history), [
                    {**r, "change": "deleted", "changed_at": now, "reason": reason} for r in rows])
                conn.execute(sa.delete(_rois).where(cond))
            return len(rows)

        return self._write(work)

    # -- reading -------------------------------------------------------------------------------

    def load(self, *, patient_id: str | Sequence[str] | None = None,
             observer: str | Sequence[str] | None = None,
             session: int | Sequence[int] | None = None) -> pd.DataFrame:
        """The stored readings, optionally filtered.

        Parameters
        ----------
        patient_id, observer, session : value or sequence of values, optional, keyword-only
            Keep only these.

        Returns
        -------
        DataFrame
            `MEASUREMENT_COLUMNS`, one row per ROI, sorted by patient, observer, session and
            level (L1-L4, CSF). Dtypes: text as object, ``session`` int64, ``slice_index`` and
            ``pixel_count`` Int64, measurements float64 (NaN when not recorded), ``excluded``
            bool, ``measured_at`` datetime64[us, UTC].
        """
        query = sa.select(_rois)
        for col, value in (("patient_id", patient_id), ("observer", observer),
                           ("session", session)):
            if value is not None:
                values = [value] if isinstance(value, str | int | np.integer) else list(value)
                query = query.where(_rois.c[col].in_(values))
        with self._engine.connect() as conn:
            frame = _query_frame(conn, query, MEASUREMENT_COLUMNS)
        order = frame["level"].map(_LEVEL_ORDER).fillna(99).to_numpy()
        keys = (order, frame["session"].to_numpy(), frame["observer"].to_numpy(),
                frame["patient_id"].to_numpy())
        return frame.iloc[np.lexsort(keys)].reset_index(drop=True)

    def history(self, *, patient_id: str | None = None) -> pd.DataFrame:
        """Every corrected or deleted row as it was, oldest change first.

        Returns
        -------
        DataFrame
            `HISTORY_COLUMNS`: ``history_id``, ``change`` ("corrected" or "deleted"),
            ``changed_at`` (UTC), ``reason`` and the old row's `MEASUREMENT_COLUMNS`.
        """
        query = sa.select(_history).order_by(_history.c.history_id)
        if patient_id is not None:
            query = query.where(_history.c.patient_id == patient_id)
        with self._engine.connect() as conn:
            return _query_frame(conn, query, HISTORY_COLUMNS)

    def readings(self) -> pd.DataFrame:
        """One row per reading: ``patient_id, observer, session, n_rois, levels, measured_at``
        (the latest save of its ROIs)."""
        table = self.load()
        if table.empty:
            return pd.DataFrame(columns=["patient_id", "observer", "session", "n_rois", "levels",
                                         "measured_at"])
        grouped = table.groupby(["patient_id", "observer", "session"], sort=True)
        return grouped.agg(n_rois=("level", "size"), levels=("level", ", ".join),
                           measured_at=("measured_at", "max")).reset_index()

    # -- CSV -----------------------------------------------------------------------------------

    def export_csv(self, target: Any = None, *, table: str = "measurements") -> str | None:
        """Write the measurements (or the history) as CSV, safe to open in a spreadsheet.

        Parameters
        ----------
        target : path, file-like object or None
            None returns the text.
        table : {"measurements", "history"}, keyword-only

        Returns
        -------
        str or None
            The CSV text (UTF-8, comma-separated, header row) when `target` is None. Timestamps
            are ISO 8601 UTC (``2026-01-31T14:05:00.000000Z``), numbers at full precision, so
            `import_csv` restores the measurements exactly. Text cells go through
            `vbq.export.neutralise_frame`.
        """
        if table not in ("measurements", "history"):
            raise InputError(f"export_csv: `table` must be 'measurements' or 'history', got "
                             f"{table!r}")
        frame = self.load() if table == "measurements" else self.history()
        return write_measurements(frame, target)

    def import_csv(self, source: Any, *, reason: str = "imported from CSV") -> SaveResult:
        """Validate a CSV of measurements (as `export_csv` writes) and save it in one transaction.

        Parameters
        ----------
        source : path, bytes, text or file-like object
        reason : str, keyword-only
            Recorded in the history for rows that correct stored values.

        Returns
        -------
        SaveResult
            Re-importing an export changes nothing (every row ``unchanged``).

        Raises
        ------
        InputError
            Any problem (``.problems``: `vbq.io.Problem` records with the row as a spreadsheet
            shows it, header = row 1, and the column); nothing is saved then.
        """
        records, report = _read_records(source)
        report.raise_if_errors()
        return self._save_records(records, reason=reason, default_reason="imported from CSV")


def _upgrade(conn) -> None:
    """Bring an older database to `SCHEMA_VERSION`: add the columns its tables lack (every
    column added since version 1 may be blank, so the stored readings keep their values and
    read back with those fields blank) and record the new version. Runs under the writers'
    lock and looks at the tables again there, so two processes opening the same old database
    at once add each column once. SQLAlchemy Core has no "add column" construct (that is
    Alembic's); the statement is built from our own table definitions, never from input."""
    inspector = sa.inspect(conn)
    quote = conn.dialect.identifier_preparer.quote
    for table in (_rois, _history):
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for col in table.columns:
            if col.name not in have:
                conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN "
                                     f"{quote(col.name)} {col.type.compile(conn.dialect)}")
    conn.execute(sa.update(_meta_table).where(_meta_table.c.key == "schema_version")
                 .values(value=str(SCHEMA_VERSION)))


_LABELS = {"patient_id": "The study patient ID", "observer": "The observer code",
           "session": "The session"}
_ID_RULE = ("A study patient ID or observer code is a pseudonymous code: letters, digits and "
            ". _ - (starting with a letter or digit), never a name, a date, a hospital number or "
            "a DICOM UID.")


def _save_error(report: ValidationReport) -> InputError:
    """One sentence per distinct problem of the readings being saved (the rows of one reading
    share their key, so a bad ID would otherwise be reported once per ROI, by internal row)."""
    distinct: dict[tuple, None] = {}
    for p in report.errors:
        distinct.setdefault((p.column, p.message, None if _is_missing(p.value) else str(p.value)))
    lines, rule = [], False
    for column, message, value in distinct:
        if not column:
            lines.append(f"{message}.")
            continue
        label = _LABELS.get(column, f"The field {column}")
        what = message.removeprefix(f"{column} ")
        if not what.startswith(("is ", "must ", "looks ", "holds ", "has ")):
            what = f"is {what}"
        shown = f' "{value}"' if value is not None else ""
        lines.append(f"{label}{shown} is refused: it {what}."
                     if value is not None else f"{label} is missing.")
        rule = rule or (column in ("patient_id", "observer") and value is not None)
    text = lines[0] if len(lines) == 1 else "\n".join(f"- {t}" for t in lines)
    if rule:
        text += ("\n" if len(lines) > 1 else " ") + _ID_RULE
    return InputError(text, report.errors)


def _stamped(records: list[dict], now: dt.datetime) -> list[dict]:
    """Copies of `records` with a blank ``measured_at`` set to `now` and a blank
    ``software_version`` to this version."""
    from . import __version__

    out = []
    for rec in records:
        rec = dict(rec)
        if rec["measured_at"] is None:
            rec["measured_at"] = now
        if rec["software_version"] is None:
            rec["software_version"] = __version__
        out.append(rec)
    return out


@dataclass
class _SavePlan:
    inserts: list[dict]
    replaced: list[dict]
    history: list[dict]
    unchanged: int = 0


def _plan_save(keys: Sequence[tuple], records: Sequence[dict], existing: Mapping[tuple, dict],
               *, now: dt.datetime, reason: str) -> _SavePlan:
    """Which records are new, which correct a stored one (its old row going to the history),
    and how many are identical to what is stored."""
    plan = _SavePlan(inserts=[], replaced=[], history=[])
    for key, rec in zip(keys, records, strict=True):
        old = existing.get(key)
        if old is None:
            plan.inserts.append(rec)
        elif _same(old, rec):
            plan.unchanged += 1
        else:
            plan.replaced.append(rec)
            plan.history.append({**old, "change": "corrected", "changed_at": now,
                                 "reason": reason})
    return plan


def open_store(url: Any = None) -> MeasurementStore:
    """Open (and create on first use) the measurement database; see `MeasurementStore`."""
    return MeasurementStore(url)


def _check_reason(reason: str | None, default: str) -> str:
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        return default
    if not isinstance(reason, str):
        raise InputError(f"reason: expected text, got {type(reason).__name__}")
    reason = reason.strip()
    if len(reason) > _REASON_MAX:
        raise InputError(f"reason: at most {_REASON_MAX} characters, got {len(reason)}")
    return reason


def _delete_by_key():
    return sa.delete(_rois).where(sa.and_(*[_rois.c[c] == sa.bindparam(f"k_{c}")
                                           for c in KEY_COLUMNS]))


# --------------------------------------------------------------------------------------------
# CSV


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


# --------------------------------------------------------------------------------------------
# into the cohort


_SI_COLUMNS = tuple(f"si_{lv.lower()}" for lv in LEVELS)
_COLLAPSED_COLUMNS = tuple(f"collapsed_{lv.lower()}" for lv in LEVELS)
COHORT_SI_COLUMNS: tuple[str, ...] = (*_SI_COLUMNS, "si_csf", "csf_level", *_COLLAPSED_COLUMNS)
COMBINE = ("primary", "mean")
"""How a patient's readings become the cohort's SIs: ``"primary"`` one reading (an observer and a
session; the default), ``"mean"`` the mean of the chosen readings, level by level."""

_READING = ["patient_id", "observer", "session"]
_FLAG_WORDS = {
    "not_validated_sequence": "unvalidated sequence (e.g. T1 FLAIR)",
    "not_t1_like": "not T1-weighted",
    "not_sagittal": "not sagittal",
    "lossy_compression": "lossy compression",
    "not_mr": "not MR",
    "no_pixel_spacing": "no pixel spacing",
    "burned_in_annotation": "burned-in annotation",
    "contrast": "contrast agent",
}


def describe_flags(codes: str | Iterable[str] | None) -> str:
    """Series flag codes (as stored in ``series_flags``) in words, e.g. ``"lossy compression;
    not sagittal"`` -> ``"lossy compression, not sagittal"``; ``""`` when there are none.

    A code this version does not know is shown as it is, with underscores as spaces.
    """
    return ", ".join(_FLAG_WORDS.get(c, c.replace("_", " ")) for c in _codes(codes))


def _codes(text: str | Iterable[str] | None) -> list[str]:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    parts = text.split(";") if isinstance(text, str) else list(text)
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _check_measurements(measurements: Any, func: str) -> pd.DataFrame:
    if isinstance(measurements, MeasurementStore):
        return measurements.load()
    if not isinstance(measurements, pd.DataFrame):
        raise InputError(f"{func}: `measurements` must be a DataFrame (MeasurementStore.load()) "
                         f"or a MeasurementStore, got {type(measurements).__name__}")
    need = [*KEY_COLUMNS, "si_mean", "excluded", "csf_level"]
    missing = [c for c in need if c not in measurements.columns]
    if missing:
        raise InputError(f"{func}: `measurements` lacks column(s) {missing}")
    m = measurements
    kinds = {"session": pd.api.types.is_integer_dtype(m["session"]),
             "si_mean": pd.api.types.is_float_dtype(m["si_mean"]),
             "excluded": pd.api.types.is_bool_dtype(m["excluded"])}
    wrong = [c for c, ok in kinds.items() if not ok]
    if wrong:
        raise InputError(f"{func}: `measurements` column(s) {wrong} have dtypes "
                         f"{[str(m[c].dtype) for c in wrong]}; pass MeasurementStore.load() or "
                         f"the table of read_measurements / validate_measurements")
    dup = m.duplicated(list(KEY_COLUMNS))
    if dup.any():
        first = m.loc[dup, list(KEY_COLUMNS)].iloc[0].tolist()
        raise InputError(f"{func}: `measurements` holds {int(dup.sum())} duplicated reading(s) "
                         f"of (patient_id, observer, session, level), e.g. {first}")
    return m


def _check_exclude(exclude_flagged: Any, func: str) -> bool | frozenset[str]:
    """False (keep flagged readings), True (leave out any flagged one) or the codes to leave
    out."""
    if isinstance(exclude_flagged, bool | np.bool_):
        return bool(exclude_flagged)
    codes = [exclude_flagged] if isinstance(exclude_flagged, str) else exclude_flagged
    if not isinstance(codes, Iterable) or not all(isinstance(c, str) for c in codes):
        raise InputError(f"{func}: `exclude_flagged` must be True, False or flag codes such as "
                         f"'not_validated_sequence', got {exclude_flagged!r}")
    return frozenset(codes) or False


@dataclass(frozen=True, eq=False)
class _Selection:
    """The readings chosen for the cohort, and how they were chosen."""

    rows: pd.DataFrame
    observer: Any
    session: Any
    combine: str
    chosen_by_default: bool
    exclude_flagged: bool | frozenset[str]
    left_out_flagged: tuple[str, ...]

    def rules(self) -> str:
        """The rules of the merge, in plain words (for the page and the report)."""
        return " ".join([self._which(), _COMMON_RULE, self._flag_rule()])

    def _which(self) -> str:
        if self.combine == "primary":
            how = ("the first observer in alphabetical order and that observer's first session, "
                   "as none was chosen" if self.chosen_by_default else "as chosen")
            return (f"One primary reading per patient: observer {self.observer}, session "
                    f"{self.session} ({how}). A patient without that reading keeps the "
                    "spreadsheet's SIs, if any: no other observer's or session's reading is used "
                    "in its place.")
        who = ("every observer" if self.observer is None else "observer(s) " + ", ".join(
            map(str, [self.observer] if isinstance(self.observer, str) else self.observer)))
        when = ("every session" if self.session is None else "session(s) " + ", ".join(
            map(str, [self.session] if isinstance(self.session, int | np.integer)
                else self.session)))
        return (f"The mean of the readings of {who} in {when}: each level's SI is the mean of its "
                "readings' ROI means (the CSF SI too, even when the readings placed the CSF ROI "
                "at different levels); a level marked collapsed in any one reading is left out "
                "for all; patients may be averaged over different numbers and mixes of "
                "observers and sessions (the readings column counts them).")

    def _flag_rule(self) -> str:
        if self.exclude_flagged is False:
            return ("Readings from a series flagged when it was measured (e.g. inversion "
                    "recovery / T1 FLAIR, lossy compression, not sagittal) are used and marked.")
        which = ("any flag" if self.exclude_flagged is True
                 else describe_flags(sorted(self.exclude_flagged)))
        return (f"Readings from a series flagged with {which} are left out "
                f"({len(self.left_out_flagged)} patient(s)).")


_COMMON_RULE = ("A patient's VBQ is then computed as for a spreadsheet patient: the median of "
                "the SIs of the levels not marked collapsed over the CSF SI.")


def _choose_primary(m: pd.DataFrame, observer: Any, session: Any, func: str
                    ) -> tuple[pd.DataFrame, Any, Any]:
    if observer is not None and not isinstance(observer, str):
        raise InputError(f"{func}: the primary reading is one observer's; got {observer!r} "
                         "(combine='mean' averages several)")
    if session is not None and not isinstance(session, int | np.integer):
        raise InputError(f"{func}: the primary reading is one session's; got {session!r} "
                         "(combine='mean' averages several)")
    observers = sorted(set(m["observer"]))
    if not observers:
        return m, observer, session
    if observer is None:
        observer = observers[0]
    elif observer not in observers:
        raise InputError(f"{func}: no readings by observer {observer}; observers are "
                         f"{', '.join(observers)}")
    own = m[m["observer"] == observer]
    sessions = sorted(int(s) for s in set(own["session"]))
    if session is None:
        session = sessions[0]
    elif int(session) not in sessions:
        raise InputError(f"{func}: observer {observer} has no readings in session {session}; "
                         f"their sessions are {', '.join(map(str, sessions))}")
    return own[own["session"] == int(session)], observer, int(session)


def _choose_mean(m: pd.DataFrame, observer: Any, session: Any, func: str) -> pd.DataFrame:
    if observer is not None:
        observers = [observer] if isinstance(observer, str) else list(observer)
        unknown = sorted(set(observers) - set(m["observer"]))
        if unknown:
            raise InputError(f"{func}: no readings by observer(s) {unknown}; observers are "
                             f"{sorted(set(m['observer']))}")
        m = m[m["observer"].isin(observers)]
    if session is not None:
        sessions = [session] if isinstance(session, int | np.integer) else list(session)
        m = m[m["session"].isin(sessions)]
        if m.empty:
            raise InputError(f"{func}: no readings in session(s) {sessions}")
    return m


def _drop_flagged(m: pd.DataFrame, exclude: bool | frozenset[str]
                  ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Leave out every reading (all its ROIs) whose series carried a flag to exclude."""
    if exclude is False or "series_flags" not in m.columns or m.empty:
        return m, ()
    codes = m["series_flags"].map(lambda t: set(_codes(t)))
    hit = codes.map(bool) if exclude is True else codes.map(lambda c: bool(c & exclude))
    keys = pd.MultiIndex.from_frame(m[_READING])
    bad = keys[hit.to_numpy(dtype=bool)]
    drop = keys.isin(bad)
    return m[~drop], tuple(sorted(set(bad.get_level_values("patient_id"))))


def _select(measurements: Any, observer: Any, session: Any, combine: str, exclude_flagged: Any,
            func: str) -> _Selection:
    m = _check_measurements(measurements, func)
    if combine not in COMBINE:
        raise InputError(f"{func}: `combine` must be 'primary' (one reading per patient) or "
                         f"'mean', got {combine!r}")
    exclude = _check_exclude(exclude_flagged, func)
    by_default = observer is None or session is None
    if combine == "primary":
        m, observer, session = _choose_primary(m, observer, session, func)
    else:
        m = _choose_mean(m, observer, session, func)
    m, left_out = _drop_flagged(m, exclude)
    return _Selection(rows=m, observer=observer, session=session, combine=combine,
                      chosen_by_default=by_default, exclude_flagged=exclude,
                      left_out_flagged=left_out)


def _csf_levels(m: pd.DataFrame, ids: Sequence[str]) -> pd.Series:
    """Per patient, the CSF level most readings used (ties: the first in T12..L5 order)."""
    order = {lv: i for i, lv in enumerate(CSF_LEVELS)}
    mode = {}
    for pid, grp in m[m["level"] == "CSF"].groupby("patient_id"):
        counts = grp["csf_level"].fillna("L3").value_counts()
        mode[pid] = max(counts.index, key=lambda lv: (counts[lv], -order.get(lv, 99)))
    return pd.Series([mode.get(pid) for pid in ids], dtype=object)


def _patient_flags(m: pd.DataFrame, ids: Sequence[str]) -> pd.Series:
    """Per patient, the flag codes of the readings used (semicolon-separated; None if none)."""
    if "series_flags" not in m.columns:
        return pd.Series([None] * len(ids), dtype=object)
    joined = m.groupby("patient_id")["series_flags"].agg(
        lambda s: ";".join(dict.fromkeys(c for t in s for c in _codes(t))) or None)
    return pd.Series([v if isinstance(v := joined.get(pid), str) else None for pid in ids],
                     dtype=object)


def _cohort_si(m: pd.DataFrame) -> pd.DataFrame:
    ids = sorted(set(m["patient_id"]))
    out = pd.DataFrame({"patient_id": pd.Series(ids, dtype=object)})
    if m.empty:
        for c in COHORT_SI_COLUMNS:
            out[c] = pd.Series(dtype=float if c.startswith("si") else object)
        out["n_readings"] = pd.Series(dtype=np.int64)
        out["series_flags"] = pd.Series(dtype=object)
        return out
    means = m.groupby(["patient_id", "level"])["si_mean"].mean().unstack("level")
    means = means.reindex(index=ids, columns=list(ROI_LEVELS))
    coll = m.groupby(["patient_id", "level"])["excluded"].any().unstack("level")
    coll = coll.reindex(index=ids, columns=list(LEVELS))
    for lv, col in zip(LEVELS, _SI_COLUMNS, strict=True):
        out[col] = means[lv].to_numpy(dtype=float)
    out["si_csf"] = means["CSF"].to_numpy(dtype=float)
    out["csf_level"] = _csf_levels(m, ids)
    for lv, col in zip(LEVELS, _COLLAPSED_COLUMNS, strict=True):
        out[col] = pd.array(coll[lv].to_numpy(dtype=object), dtype="boolean")
    n_read = m[_READING].drop_duplicates().groupby("patient_id").size()
    out["n_readings"] = n_read.reindex(ids).to_numpy(dtype=np.int64)
    out["series_flags"] = _patient_flags(m, ids)
    return out


def to_cohort_si(measurements: Any, *, observer: str | Sequence[str] | None = None,
                 session: int | Sequence[int] | None = None, combine: str = "primary",
                 exclude_flagged: bool | Iterable[str] = False) -> pd.DataFrame:
    """Measured SIs as the cohort's SI columns, one row per patient.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
        ROI readings as `MeasurementStore.load` returns them.
    observer : str or sequence of str, optional, keyword-only
        ``combine="primary"``: the observer of the primary reading (None: the first observer in
        alphabetical order). ``combine="mean"``: the observer(s) averaged (None: all).
    session : int or sequence of int, optional, keyword-only
        ``combine="primary"``: the session of the primary reading (None: that observer's first
        session). ``combine="mean"``: the session(s) averaged (None: all).
    combine : {"primary", "mean"}, keyword-only
        ``"primary"`` (default, as the paper analysed one reading): each patient's values are
        those of the one reading by `observer` in `session`; a patient without it gets none
        (no other reading is put in its place). ``"mean"``: every chosen reading of a patient
        averaged, level by level.
    exclude_flagged : bool or collection of str, keyword-only
        Leave out readings measured on a flagged series (``series_flags``): True any flag,
        flag codes (e.g. ``{"not_validated_sequence"}``) only those. Default False: used.

    Returns
    -------
    DataFrame
        ``patient_id, si_l1, si_l2, si_l3, si_l4, si_csf, csf_level, collapsed_l1..collapsed_l4,
        n_readings, series_flags``: SIs float (NaN for a level not measured), ``csf_level``
        text, ``collapsed_*`` boolean (NA for a level not measured), ``n_readings`` the readings
        combined, ``series_flags`` the flag codes of those readings (None: none). Sorted by
        ``patient_id``.

    Raises
    ------
    InputError
        Bad `measurements`; an unknown observer; a session the observer did not read; several
        observers or sessions for the primary reading; an unknown `combine`.

    Notes
    -----
    With ``combine="mean"`` the SI of a level is the mean of its readings' ROI means (so the VBQ
    of the merged row is the VBQ of the averaged SIs, not the mean of per-reading VBQs); a level
    is collapsed when any combined reading marked it so; ``csf_level`` is the level most
    readings used (ties: the first in T12..L5 order), and `merge_into_cohort` notes patients
    whose readings disagree on it. `CohortMerge.rules` says all this in words.
    """
    return _cohort_si(_select(measurements, observer, session, combine, exclude_flagged,
                              "to_cohort_si").rows)


@dataclass(frozen=True, eq=False)
class CohortMerge:
    """A cohort with measured SIs merged in, which patients they came for, and the rules.

    Attributes
    ----------
    cohort : DataFrame
        The cohort (validated and canonical, as `vbq.io.coerce_cohort` returns it) whose
        measured patients carry the measured ``si_l1..si_l4, si_csf, csf_level,
        collapsed_l1..l4``; the others keep their spreadsheet values (or missing SIs, which
        `vbq.prepare_cohort` then reports as an exclusion).
    measured : tuple of str
        Cohort patients with measurements, in cohort order.
    not_measured : tuple of str
        Cohort patients without, in cohort order.
    not_in_cohort : tuple of str
        Measured IDs with no cohort row (not added: the cohort holds their age, sex and DXA).
    replaced : tuple of str
        Measured patients whose spreadsheet SI values were different and have been replaced.
    observer, session
        The readings used: for ``combine="primary"`` the observer and session actually used
        (the defaults resolved), for ``"mean"`` as passed.
    combine : {"primary", "mean"}
    notes : tuple of str
        E.g. patients whose combined readings disagree on the CSF level.
    flagged : tuple of str
        Measured cohort patients whose readings used came from a flagged series, in cohort
        order; their codes in ``series_flags``.
    series_flags : mapping of str to str
        Patient -> flag codes (semicolon-separated) of the readings used, for `flagged`.
    left_out_flagged : tuple of str
        Patients whose flagged readings were left out (``exclude_flagged``).
    exclude_flagged : bool or frozenset of str
        As passed (codes as a frozenset).
    rules : str
        How the readings became the cohort's SIs, in plain words (shown by the app and the
        report).
    """

    cohort: pd.DataFrame
    measured: tuple[str, ...]
    not_measured: tuple[str, ...]
    not_in_cohort: tuple[str, ...]
    replaced: tuple[str, ...]
    observer: Any
    session: Any
    combine: str
    notes: tuple[str, ...] = ()
    flagged: tuple[str, ...] = ()
    series_flags: Mapping[str, str] = field(default_factory=dict)
    left_out_flagged: tuple[str, ...] = ()
    exclude_flagged: bool | frozenset[str] = False
    rules: str = ""
    n_readings: Mapping[str, int] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per patient of the cohort or the measurements: ``patient_id, in_cohort,
        measured, si_source`` ("measurements", "spreadsheet" or "none"), ``readings`` (the
        readings combined; 0 when not measured) and ``series_flags`` (the flags of those
        readings in words; "" when none)."""
        cohort_ids = self.cohort["patient_id"].tolist()
        has_si = self.cohort[list(_SI_COLUMNS) + ["si_csf"]].notna().any(axis=1).to_numpy()
        measured = set(self.measured)
        rows = [
            {"patient_id": pid, "in_cohort": True, "measured": pid in measured,
             "si_source": "measurements" if pid in measured else (
                 "spreadsheet" if has else "none")}
            for pid, has in zip(cohort_ids, has_si, strict=True)
        ]
        rows += [{"patient_id": pid, "in_cohort": False, "measured": True, "si_source": "none"}
                 for pid in self.not_in_cohort]
        for row in rows:
            pid = row["patient_id"]
            row["readings"] = int(self.n_readings.get(pid, 0))
            row["series_flags"] = describe_flags(self.series_flags.get(pid))
        return pd.DataFrame(rows, columns=["patient_id", "in_cohort", "measured", "si_source",
                                           "readings", "series_flags"])

    def summary(self) -> str:
        """Readable text: which readings were used, whom they cover, the flagged ones, the
        rules."""
        if self.combine == "primary":
            choice = f"one primary reading, observer {self.observer}, session {self.session}"
        else:
            choice = (f"the mean of observer {self.observer if self.observer is not None else 'any'}"
                      f", session {self.session if self.session is not None else 'any'}")
        lines = [
            f"Measurements used: {choice}",
            f"{len(self.measured)} cohort patient(s) measured; {len(self.not_measured)} not "
            f"measured (spreadsheet SIs kept where present)",
        ]
        if self.replaced:
            lines.append(f"{len(self.replaced)} patient(s) had different spreadsheet SIs, "
                         "replaced by the measurements")
        if self.flagged:
            lines.append(f"{len(self.flagged)} patient(s) measured on a flagged series, used: "
                         + "; ".join(f"{pid} ({describe_flags(self.series_flags[pid])})"
                                     for pid in self.flagged[:10])
                         + (" ..." if len(self.flagged) > 10 else ""))
        if self.left_out_flagged:
            lines.append(f"{len(self.left_out_flagged)} patient(s) with readings from a flagged "
                         "series left out of them: " + _some(self.left_out_flagged))
        if self.not_in_cohort:
            lines.append(f"{len(self.not_in_cohort)} measured ID(s) not in the cohort: "
                         + _some(self.not_in_cohort))
        lines.extend(f"Note: {n}" for n in self.notes)
        if self.rules:
            lines.append(f"Rules: {self.rules}")
        return "\n".join(lines)


def _some(ids: Sequence[str], n: int = 10) -> str:
    return ", ".join(ids[:n]) + (" ..." if len(ids) > n else "")


def _canonical_cohort(cohort: pd.DataFrame) -> pd.DataFrame:
    """The cohort validated (`vbq.io.coerce_cohort`) with every SI column present."""
    from .io import coerce_cohort

    base = cohort.copy()
    for c in (*_SI_COLUMNS, "si_csf"):
        if c not in base.columns:
            base[c] = np.nan
    table, report = coerce_cohort(base, source=str(cohort.attrs.get("source", "cohort")))
    report.raise_if_errors()
    table = table.copy()
    if "csf_level" not in table.columns:
        table["csf_level"] = pd.Series([None] * len(table), dtype=object)
    for c in _COLLAPSED_COLUMNS:
        if c not in table.columns:
            table[c] = pd.array([pd.NA] * len(table), dtype="boolean")
    return table


def _put_measured(table: pd.DataFrame, by_id: pd.DataFrame, mask: np.ndarray) -> None:
    """Write the measured patients' SIs, CSF level and collapsed flags into `table`."""
    rows = table["patient_id"][mask]
    for c in (*_SI_COLUMNS, "si_csf"):
        col = table[c].to_numpy(dtype=float, na_value=np.nan).copy()
        col[mask] = by_id.loc[rows, c].to_numpy(dtype=float)
        table[c] = col
    level = table["csf_level"].astype(object).to_numpy().copy()
    level[mask] = by_id.loc[rows, "csf_level"].to_numpy(dtype=object)
    table["csf_level"] = pd.Series(level, index=table.index, dtype=object)
    for c in _COLLAPSED_COLUMNS:
        col = pd.array(table[c], dtype="boolean").copy()
        col[mask] = pd.array(by_id.loc[rows, c].to_numpy(dtype=object), dtype="boolean")
        table[c] = col


def _merge_notes(ids: pd.Series, not_in_cohort: Sequence[str], sel: _Selection) -> list[str]:
    notes = []
    folded = {str(pid).casefold(): pid for pid in ids}
    near = [f"{pid} ({folded[pid.casefold()]})" for pid in not_in_cohort
            if pid.casefold() in folded]
    if near:
        notes.append("measured ID(s) matching a cohort ID except for upper/lower case, not "
                     "merged: " + _some(near))
    if sel.combine == "mean":
        csf = sel.rows[sel.rows["level"] == "CSF"]
        split = csf.groupby("patient_id")["csf_level"].nunique()
        split = sorted(split[split > 1].index)
        if split:
            notes.append("the averaged readings placed the CSF ROI at different levels for "
                         + _some(split) + "; the level most readings used is recorded")
    return notes


def merge_into_cohort(cohort: pd.DataFrame, measurements: Any, *,
                      observer: str | Sequence[str] | None = None,
                      session: int | Sequence[int] | None = None,
                      combine: str = "primary",
                      exclude_flagged: bool | Iterable[str] = False) -> CohortMerge:
    """Put measured SIs into the cohort's SI columns, ready for `vbq.prepare_cohort`.

    Parameters
    ----------
    cohort : DataFrame
        The cohort table (raw or canonical). Its SI columns may be absent: a cohort whose SIs
        are all measured in the app need not have them.
    measurements : DataFrame or MeasurementStore
        ROI readings (`MeasurementStore.load`).
    observer, session, combine, exclude_flagged : keyword-only
        Which readings and how they are combined, as in `to_cohort_si`: by default one primary
        reading per patient (the first observer in alphabetical order, that observer's first
        session), flagged readings used and marked.

    Returns
    -------
    CohortMerge
        The merged ``cohort`` and the report: ``measured``, ``not_measured``,
        ``not_in_cohort``, ``replaced``, ``flagged`` (with ``series_flags``),
        ``left_out_flagged``, ``notes``, ``rules``; ``to_frame()`` and ``summary()``.

    Raises
    ------
    InputError
        The cohort has errors (`vbq.io.coerce_cohort`), or the choice of readings is invalid.

    Notes
    -----
    The merged values are exactly those `to_cohort_si` returns, so `vbq.prepare_cohort` computes a
    measured patient's VBQ with the same `vbq.compute_vbq` as a spreadsheet patient's: median of
    the non-collapsed L1-L4 SIs over the CSF SI.

    Examples
    --------
    >>> import vbq
    >>> from vbq.measurements import MeasurementStore, ROIMeasurement, merge_into_cohort
    >>> cohort, dxa = vbq.demo.load()
    >>> store = MeasurementStore("sqlite://")
    >>> _ = store.save([ROIMeasurement("DEMO-001", "AB", 1, lv, si) for lv, si in
    ...                 [("L1", 300.0), ("L2", 320.0), ("L3", 310.0), ("L4", 330.0),
    ...                  ("CSF", 110.0)]])
    >>> merged = merge_into_cohort(cohort, store)
    >>> merged.measured, len(merged.not_measured), merged.observer, merged.session
    (('DEMO-001',), 234, 'AB', 1)
    """
    if not isinstance(cohort, pd.DataFrame):
        raise InputError(f"merge_into_cohort: `cohort` must be a DataFrame, got "
                         f"{type(cohort).__name__}")
    sel = _select(measurements, observer, session, combine, exclude_flagged, "merge_into_cohort")
    by_id = _cohort_si(sel.rows).set_index("patient_id")
    table = _canonical_cohort(cohort)
    ids = table["patient_id"]
    mask = ids.isin(by_id.index).to_numpy()
    rows = ids[mask]
    old = table.loc[mask, [*_SI_COLUMNS, "si_csf"]].to_numpy(dtype=float)
    new = by_id.loc[rows, [*_SI_COLUMNS, "si_csf"]].to_numpy(dtype=float)
    differs = (~np.isnan(old) & ~(old == new)).any(axis=1) if len(old) else np.zeros(0, bool)
    _put_measured(table, by_id, mask)
    not_in_cohort = tuple(sorted(set(by_id.index) - set(ids)))
    flags = {pid: by_id.loc[pid, "series_flags"] for pid in rows
             if isinstance(by_id.loc[pid, "series_flags"], str)}
    return CohortMerge(
        cohort=table, measured=tuple(rows.tolist()), not_measured=tuple(ids[~mask].tolist()),
        not_in_cohort=not_in_cohort, replaced=tuple(rows[differs].tolist()),
        observer=sel.observer, session=sel.session, combine=combine,
        notes=tuple(_merge_notes(ids, not_in_cohort, sel)), flagged=tuple(flags),
        series_flags=flags, left_out_flagged=sel.left_out_flagged,
        exclude_flagged=sel.exclude_flagged, rules=sel.rules(),
        n_readings={pid: int(n) for pid, n in by_id["n_readings"].items()})


# --------------------------------------------------------------------------------------------
# reliability


def reading_vbq(measurements: Any, *, min_levels: int = 3) -> pd.DataFrame:
    """VBQ of every reading (patient, observer, session), with `vbq.compute_vbq`.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
    min_levels : int, keyword-only
        Fewest evaluable levels for a score (`vbq.Settings.min_vbq_levels`; the paper's 3).

    Returns
    -------
    DataFrame
        ``patient_id, observer, session, vbq, vbq_levels, reason``: VBQ NaN with the reason
        when the reading cannot be scored (too few levels, no CSF). Sorted by the key.
    """
    from .cohort import compute_vbq

    m = _check_measurements(measurements, "reading_vbq")
    keys = ["patient_id", "observer", "session"]
    cols = ["patient_id", "observer", "session", "vbq", "vbq_levels", "reason"]
    if m.empty:
        return pd.DataFrame(columns=cols)
    si = m.pivot(index=keys, columns="level", values="si_mean").reindex(columns=list(ROI_LEVELS))
    coll = m.pivot(index=keys, columns="level", values="excluded").reindex(columns=list(LEVELS))
    si = si.sort_index()
    coll = coll.reindex(si.index)
    res = compute_vbq(si[list(LEVELS)].to_numpy(dtype=float), si["CSF"].to_numpy(dtype=float),
                      coll.fillna(False).to_numpy(dtype=bool), min_levels=min_levels)
    out = si.index.to_frame(index=False)
    out["vbq"] = res.vbq
    out["vbq_levels"] = res.n_levels
    out["reason"] = res.reasons
    out["session"] = out["session"].astype(np.int64)
    return out[cols]


def _label(observer: str, session: int) -> str:
    return f"{observer}/{session}"


def vbq_wide(measurements: Any, readings: Sequence[tuple[str, int]], *,
             min_levels: int = 3) -> pd.DataFrame:
    """Per-patient VBQ of chosen readings side by side, ready for `vbq.stats.to_long` and `icc`.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
    readings : sequence of (observer, session)
        The readings to compare (at least 2, distinct).
    min_levels : int, keyword-only

    Returns
    -------
    DataFrame
        ``patient_id`` and one float column per reading, named ``"<observer>/<session>"`` (e.g.
        ``"AB/1"``), for every patient with at least one of the readings; NaN where a patient
        lacks a reading or it cannot be scored (`vbq.stats.icc` then counts the patient as an
        incomplete target).

    Raises
    ------
    InputError
        Fewer than 2 or repeated readings; a reading not in the data.
    """
    readings = [(str(o), int(s)) for o, s in readings]
    if len(readings) < 2 or len(set(readings)) != len(readings):
        raise InputError(f"vbq_wide: `readings` must name at least 2 different (observer, "
                         f"session) pairs, got {readings}")
    per = reading_vbq(measurements, min_levels=min_levels)
    present = set(zip(per["observer"], per["session"], strict=True))
    absent = [r for r in readings if r not in present]
    if absent:
        raise InputError(f"vbq_wide: no readings for {absent}; stored readings are "
                         f"{sorted(present)}")
    per = per.assign(reading=[_label(o, s) for o, s in zip(per["observer"], per["session"],
                                                               strict=True)])
    labels = [_label(o, s) for o, s in readings]
    per = per[per["reading"].isin(labels)]
    wide = per.pivot(index="patient_id", columns="reading", values="vbq").reindex(columns=labels)
    wide = wide.astype(float).reset_index()
    wide.columns.name = None
    return wide


def intra_observer_vbq(measurements: Any, observer: str | None = None, *,
                       sessions: tuple[int, int] = (1, 2), min_levels: int = 3) -> pd.DataFrame:
    """`vbq_wide` of one observer's two sessions (intra-observer reliability).

    `observer` None: the only observer who read both sessions (else `InputError` lists them).
    """
    m = _check_measurements(measurements, "intra_observer_vbq")
    if observer is None:
        both = [o for o, g in m.groupby("observer") if set(sessions) <= set(g["session"])]
        if len(both) != 1:
            raise InputError(f"intra_observer_vbq: choose the observer; "
                             f"{len(both)} observer(s) read sessions {sessions}: {both}")
        observer = both[0]
    return vbq_wide(m, [(observer, s) for s in sessions], min_levels=min_levels)


def inter_observer_vbq(measurements: Any, observers: Sequence[str] | None = None, *,
                       session: int = 1, min_levels: int = 3) -> pd.DataFrame:
    """`vbq_wide` of two (or more) observers in one session (inter-observer reliability).

    `observers` None: every observer with a reading in `session`, if there are at least 2.
    """
    m = _check_measurements(measurements, "inter_observer_vbq")
    if observers is None:
        observers = sorted(set(m.loc[m["session"] == session, "observer"]))
        if len(observers) < 2:
            raise InputError(f"inter_observer_vbq: need 2 observers in session {session}, found "
                             f"{observers}")
    return vbq_wide(m, [(o, session) for o in observers], min_levels=min_levels)


@dataclass(frozen=True, eq=False)
class ReliabilityResult:
    """ICC and Bland-Altman agreement of readings (from `reliability`).

    Attributes
    ----------
    data : DataFrame
        The wide table analysed (``patient_id`` + one column per reading).
    readings : tuple of str
        The reading columns compared.
    icc : vbq.stats.ICCResult or str
        All six Shrout & Fleiss forms; the error message when undefined.
    bland_altman : vbq.stats.BlandAltmanResult or str
        First reading minus second (only for two readings; a message otherwise or when
        undefined).
    """

    data: pd.DataFrame
    readings: tuple[str, ...]
    icc: Any
    bland_altman: Any


def reliability(wide: pd.DataFrame, *, confidence: float = 0.95) -> ReliabilityResult:
    """ICC (`vbq.stats.icc`) and Bland-Altman (`vbq.stats.bland_altman`) of a `vbq_wide` table.

    Parameters
    ----------
    wide : DataFrame
        ``patient_id`` and two or more reading columns (`intra_observer_vbq`,
        `inter_observer_vbq`).
    confidence : float, keyword-only

    Returns
    -------
    ReliabilityResult
        The same ICC as ``icc(to_long(wide, "patient_id", readings), "patient_id", "rater",
        "rating")``; patients lacking a reading are counted as incomplete targets.
    """
    from .stats import bland_altman, icc, to_long

    if not isinstance(wide, pd.DataFrame) or "patient_id" not in wide.columns:
        raise InputError("reliability: `wide` must be a DataFrame with a patient_id column "
                         "(from vbq_wide)")
    readings = tuple(c for c in wide.columns if c != "patient_id")
    long = to_long(wide, "patient_id", list(readings))
    try:
        icc_res: Any = icc(long, "patient_id", "rater", "rating", confidence=confidence)
    except DegenerateInputError as exc:
        icc_res = str(exc)
    if len(readings) == 2:
        try:
            ba: Any = bland_altman(wide[readings[0]], wide[readings[1]], confidence=confidence)
        except DegenerateInputError as exc:
            ba = str(exc)
    else:
        ba = "Bland-Altman compares two readings; choose two"
    return ReliabilityResult(data=wide, readings=readings, icc=icc_res, bland_altman=ba)
