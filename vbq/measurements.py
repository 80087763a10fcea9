"""The measurement database: ROI readings made on MRI, stored through SQLAlchemy, and their analysis.

One row per ROI reading: a patient's L1-L4 bodies and CSF, read by one observer in one session
(a repeat number), with where the ROI was (slice, centre, radius), what it measured (mean,
median, SD, pixel count), whether the level was marked collapsed, and the acquisition it came
from (a series fingerprint, never a DICOM UID; field strength, TR, TE). Patients are keyed by the
pseudonymous study ID the user assigns; nothing identifying from the DICOM files is stored.

* `MeasurementStore` (or `open_store`): the database. SQLite file ``data/measurements.sqlite`` by
  default, any SQLAlchemy URL or Engine otherwise (the app passes the engine of
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

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .errors import DegenerateInputError, InputError
from .export import safe_csv
from .io import ERROR, ValidationReport, coerce_table, parse_column, read_table
from .schema import CSF_LEVELS, LEVELS, Column, measurement_column

__all__ = [
    "SCHEMA_VERSION",
    "ROI_LEVELS",
    "MEASUREMENT_COLUMNS",
    "KEY_COLUMNS",
    "HISTORY_COLUMNS",
    "DEFAULT_PATH",
    "default_url",
    "ROIMeasurement",
    "reading_from_rois",
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
    "reading_vbq",
    "vbq_wide",
    "intra_observer_vbq",
    "inter_observer_vbq",
    "reliability",
    "ReliabilityResult",
]

SCHEMA_VERSION = 1
"""Version of the database layout, stored in the ``vbq_meta`` table; a database written by a
newer layout is refused rather than misread."""

ROI_LEVELS: tuple[str, ...] = (*LEVELS, "CSF")
"""The ROIs of one reading: the L1-L4 vertebral bodies and the CSF."""

KEY_COLUMNS: tuple[str, ...] = ("patient_id", "observer", "session", "level")
"""The natural key: one value per patient, observer, session and ROI. Saving a key again is a
correction."""

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "measurements.sqlite"
"""Where the default SQLite database lives (git-ignored)."""

_REASON_MAX = 500
_CHUNK = 500


_STORED: tuple[str, ...] = (
    "patient_id", "observer", "session", "level", "csf_level", "slice_index", "centre_row_px",
    "centre_col_px", "centre_row_mm", "centre_col_mm", "radius_mm", "si_mean", "si_median",
    "si_sd", "pixel_count", "excluded", "series_fingerprint", "field_strength_t", "tr_ms",
    "te_ms", "measured_at", "software_version")
"""The columns the database holds, in its order. Each is declared, with its reading rules, in
`vbq.schema.MEASUREMENT_COLUMNS` (which may declare more: optional columns a CSV may carry)."""

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
"""Columns of a measurement table (`MeasurementStore.load`, the CSV export), in this order."""

HISTORY_COLUMNS: tuple[str, ...] = ("history_id", "change", "changed_at", "reason",
                                    *MEASUREMENT_COLUMNS)
"""Columns of the history table: every replaced (``change == "corrected"``) or deleted
(``"deleted"``) row, as it was, with when and why."""

_COMPARED = tuple(c for c in MEASUREMENT_COLUMNS if c not in ("measured_at", "software_version"))


def default_url() -> str:
    """SQLAlchemy URL of the default database, ``sqlite:///<repo>/data/measurements.sqlite``."""
    return f"sqlite:///{DEFAULT_PATH}"


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

    @classmethod
    def from_roi_stats(cls, stats: Any, *, patient_id: str, observer: str, session: int,
                       level: str, slice_index: int | None = None, series: Any = None,
                       excluded: bool = False, csf_level: str | None = None) -> ROIMeasurement:
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
            Its ``fingerprint``, ``field_strength_t``, ``repetition_time_ms`` and
            ``echo_time_ms`` fill the acquisition fields (nothing identifying is read).
        excluded, csf_level : keyword-only
            The collapsed flag (vertebra) and the CSF level (CSF row).
        """
        row, col = stats.centre
        row_mm, col_mm = stats.centre_mm
        acq: dict[str, Any] = {}
        if series is not None:
            acq = dict(series_fingerprint=series.fingerprint,
                       field_strength_t=series.field_strength_t,
                       tr_ms=series.repetition_time_ms, te_ms=series.echo_time_ms)
        return cls(patient_id=patient_id, observer=observer, session=session, level=level,
                   si_mean=float(stats.mean), csf_level=csf_level, slice_index=slice_index,
                   centre_row_px=float(row), centre_col_px=float(col),
                   centre_row_mm=float(row_mm), centre_col_mm=float(col_mm),
                   radius_mm=float(stats.radius_mm), si_median=float(stats.median),
                   si_sd=float(stats.sd), pixel_count=int(stats.n_pixels), excluded=excluded,
                   **acq)


def reading_from_rois(rois: Mapping[str, Any], *, patient_id: str, observer: str, session: int,
                      slice_index: int | None = None, series: Any = None,
                      collapsed: Iterable[str] = (), csf_level: str = "L3"
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
        For the fingerprint, field strength, TR and TE.
    collapsed : iterable of str, keyword-only
        Levels marked collapsed.
    csf_level : str, keyword-only
        Where the CSF ROI sits (L3 unless obstructed).

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
        csf_level=csf_level if lv == "CSF" else None)
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


def _parse_cell(f: _Field, v: Any) -> tuple[Any, str | None]:
    """(parsed value or None, error message or None) of one cell, read by the rules of a file's
    cell (`vbq.io.parse_column`)."""
    values, report = parse_column([v], f.column)
    if report.errors:
        return None, f"{f.name}: {report.errors[0].message}"
    return _python_values(values)[0], None


def _python_values(values: pd.Series) -> list:
    """The cells as Python values (int, float, bool, str, datetime), None where blank."""
    blank = values.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return [None if b else t.to_pydatetime() for t, b in zip(values, blank, strict=True)]
    return [None if b else v for v, b in zip(values.tolist(), blank, strict=True)]


def _records(table: pd.DataFrame, report: ValidationReport, rows: Sequence[int]) -> list[dict]:
    """The rows of a validated measurement table as records of the stored columns (None where
    blank), after the rules between cells (`_check_readings`); [] when a required column is
    missing (reported). Problems are then listed row by row, as the file reads."""
    if any(f.column.required and f.name not in table.columns for f in _FIELDS):
        return []
    labels = {name: header if header == name else f"{header} [{name}]"
              for header, name in report.mapping.items()}
    values = {f.name: _python_values(table[f.name]) if f.name in table.columns
              else [None] * len(table) for f in _FIELDS}
    records = [dict(zip(values, cells, strict=True)) for cells in zip(*values.values(),
                                                                      strict=True)]
    _check_readings(records, [int(r) for r in rows], report, labels)
    report.problems.sort(key=lambda p: -1 if p.row is None else p.row)  # (stable)
    return records


def _check_readings(records: list[dict], rows: list[int], report: ValidationReport,
                    labels: Mapping[str, str]) -> None:
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
    seen: dict[tuple, int] = {}
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
             "version": lambda f: sa.String(32)}
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
        DEFAULT_PATH.parent.mkdir(parents=True, exist_ok=True)
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
        Where the database is. None: the SQLite file `DEFAULT_PATH`
        (``data/measurements.sqlite``, created with its folder). A string with ``://`` is an
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
        for key, value in (("schema_version", str(SCHEMA_VERSION)), ("write_lock", "0")):
            try:
                with self._engine.begin() as conn:
                    found = conn.execute(sa.select(_meta_table.c.value).where(
                        _meta_table.c.key == key)).scalar_one_or_none()
                    if found is None:
                        conn.execute(sa.insert(_meta_table).values(key=key, value=value))
            except sa.exc.IntegrityError:
                pass  # inserted by a concurrent first use
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise InputError(f"measurement database {self.url}: its layout (version {version}) "
                             f"is newer than this software's ({SCHEMA_VERSION}); update VBQ "
                             f"Explorer")

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
            Any invalid field (``.problems`` lists every one, by row and column); nothing is
            saved then.
        """
        records, report = _validate_records(rois, source="measurements")
        report.raise_if_errors()
        return self._save_records(records, reason=reason, default_reason="re-saved")

    def _save_records(self, records: list[dict], *, reason: str | None,
                      default_reason: str) -> SaveResult:
        reason = _check_reason(reason, default_reason)
        from . import __version__

        now = _now()
        records = [dict(r) for r in records]
        for rec in records:
            if rec["measured_at"] is None:
                rec["measured_at"] = now
            if rec["software_version"] is None:
                rec["software_version"] = __version__
        keys = tuple(tuple(rec[k] for k in KEY_COLUMNS) for rec in records)

        def work(conn):
            existing = self._existing(conn, {k[0] for k in keys})
            inserts, replaced, history = [], [], []
            unchanged = 0
            for key, rec in zip(keys, records, strict=True):
                old = existing.get(key)
                if old is None:
                    inserts.append(rec)
                elif _same(old, rec):
                    unchanged += 1
                else:
                    replaced.append(rec)
                    history.append({**old, "change": "corrected", "changed_at": now,
                                    "reason": reason})
            if replaced:
                conn.execute(_delete_by_key(), [{f"k_{c}": r[c] for c in KEY_COLUMNS}
                                                for r in replaced])
            if history:
                conn.execute(sa.insert(_history), history)
            if inserts or replaced:
                conn.execute(sa.insert(_rois), inserts + replaced)
            return SaveResult(inserted=len(inserts), corrected=len(replaced),
                              unchanged=unchanged, keys=keys)

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
        `MEASUREMENT_COLUMNS` may be absent or blank. A single quote that `vbq.export` put
        before a cell is not expected: every text field of a measurement is a code that needs
        none.

    Returns
    -------
    table : DataFrame
        The readings, typed as `MeasurementStore.load` returns them.
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


# --------------------------------------------------------------------------------------------
# into the cohort


_SI_COLUMNS = tuple(f"si_{lv.lower()}" for lv in LEVELS)
_COLLAPSED_COLUMNS = tuple(f"collapsed_{lv.lower()}" for lv in LEVELS)
COHORT_SI_COLUMNS: tuple[str, ...] = (*_SI_COLUMNS, "si_csf", "csf_level", *_COLLAPSED_COLUMNS)
COMBINE = ("select", "mean")


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


def _choose(m: pd.DataFrame, observer, session, combine: str, func: str) -> pd.DataFrame:
    if combine not in COMBINE:
        raise InputError(f"{func}: `combine` must be 'select' or 'mean', got {combine!r}")
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
    if combine == "select":
        for col, what in (("observer", "an observer"), ("session", "a session")):
            found = sorted(set(m[col]))
            if len(found) > 1:
                raise InputError(
                    f"{func}: the readings come from more than one {col} ({', '.join(map(str, found))}); "
                    f"choose {what}, or combine='mean' to average them")
    return m


def to_cohort_si(measurements: Any, *, observer: str | Sequence[str] | None = None,
                 session: int | Sequence[int] | None = None,
                 combine: str = "select") -> pd.DataFrame:
    """Measured SIs as the cohort's SI columns, one row per patient.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
        ROI readings as `MeasurementStore.load` returns them.
    observer : str or sequence of str, optional, keyword-only
        Use this observer's readings (several with ``combine="mean"``).
    session : int or sequence of int, optional, keyword-only
        Use this session (several with ``combine="mean"``).
    combine : {"select", "mean"}, keyword-only
        ``"select"`` (default): the readings left after the choice must come from one observer
        and one session, else `InputError` asks for a choice; each patient's values are that
        reading's. ``"mean"``: average every chosen reading of a patient, level by level.

    Returns
    -------
    DataFrame
        ``patient_id, si_l1, si_l2, si_l3, si_l4, si_csf, csf_level, collapsed_l1..collapsed_l4,
        n_readings``: SIs float (NaN for a level not measured), ``csf_level`` text,
        ``collapsed_*`` boolean (NA for a level not measured), ``n_readings`` the readings
        combined. Sorted by ``patient_id``.

    Raises
    ------
    InputError
        Bad `measurements`; an unknown observer; no reading in the session; readings from
        several observers or sessions with ``combine="select"``.

    Notes
    -----
    With ``combine="mean"`` the SI of a level is the mean of its readings' ROI means (so the VBQ
    of the merged row is the VBQ of the averaged SIs, not the mean of per-reading VBQs); a level
    is collapsed when any combined reading marked it so; ``csf_level`` is the level most
    readings used (ties: the first in T12..L5 order), and `merge_into_cohort` notes patients
    whose readings disagree on it.
    """
    m = _check_measurements(measurements, "to_cohort_si")
    m = _choose(m, observer, session, combine, "to_cohort_si")
    ids = sorted(set(m["patient_id"]))
    out = pd.DataFrame({"patient_id": pd.Series(ids, dtype=object)})
    if m.empty:
        for c in COHORT_SI_COLUMNS:
            out[c] = pd.Series(dtype=float if c.startswith("si") else object)
        out["n_readings"] = pd.Series(dtype=np.int64)
        return out
    means = m.groupby(["patient_id", "level"])["si_mean"].mean().unstack("level")
    means = means.reindex(index=ids, columns=list(ROI_LEVELS))
    coll = m.groupby(["patient_id", "level"])["excluded"].any().unstack("level")
    coll = coll.reindex(index=ids, columns=list(LEVELS))
    for lv, col in zip(LEVELS, _SI_COLUMNS, strict=True):
        out[col] = means[lv].to_numpy(dtype=float)
    out["si_csf"] = means["CSF"].to_numpy(dtype=float)
    csf = m[m["level"] == "CSF"]
    order = {lv: i for i, lv in enumerate(CSF_LEVELS)}
    mode = {}
    for pid, grp in csf.groupby("patient_id"):
        counts = grp["csf_level"].fillna("L3").value_counts()
        best = max(counts.index, key=lambda lv: (counts[lv], -order.get(lv, 99)))
        mode[pid] = best
    out["csf_level"] = pd.Series([mode.get(pid) for pid in ids], dtype=object)
    for lv, col in zip(LEVELS, _COLLAPSED_COLUMNS, strict=True):
        out[col] = pd.array(coll[lv].to_numpy(dtype=object), dtype="boolean")
    n_read = m[["patient_id", "observer", "session"]].drop_duplicates().groupby(
        "patient_id").size()
    out["n_readings"] = n_read.reindex(ids).to_numpy(dtype=np.int64)
    return out


@dataclass(frozen=True, eq=False)
class CohortMerge:
    """A cohort with measured SIs merged in, and which patients they came for.

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
    observer, session, combine
        The choice of readings, as passed to `to_cohort_si`.
    notes : tuple of str
        E.g. patients whose combined readings disagree on the CSF level.
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

    def to_frame(self) -> pd.DataFrame:
        """One row per patient of the cohort or the measurements: ``patient_id, in_cohort,
        measured, si_source`` ("measurements", "spreadsheet" or "none")."""
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
        return pd.DataFrame(rows, columns=["patient_id", "in_cohort", "measured", "si_source"])

    def summary(self) -> str:
        """Readable text: which readings were used and whom they cover."""
        choice = (f"observer {self.observer if self.observer is not None else 'any'}, session "
                  f"{self.session if self.session is not None else 'any'}, "
                  f"{'averaged' if self.combine == 'mean' else 'one reading each'}")
        lines = [
            f"Measurements used: {choice}",
            f"{len(self.measured)} cohort patient(s) measured; {len(self.not_measured)} not "
            f"measured (spreadsheet SIs kept where present)",
        ]
        if self.replaced:
            lines.append(f"{len(self.replaced)} patient(s) had different spreadsheet SIs, "
                         "replaced by the measurements")
        if self.not_in_cohort:
            lines.append(f"{len(self.not_in_cohort)} measured ID(s) not in the cohort: "
                         + ", ".join(self.not_in_cohort[:10])
                         + (" ..." if len(self.not_in_cohort) > 10 else ""))
        lines.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(lines)


def merge_into_cohort(cohort: pd.DataFrame, measurements: Any, *,
                      observer: str | Sequence[str] | None = None,
                      session: int | Sequence[int] | None = None,
                      combine: str = "select") -> CohortMerge:
    """Put measured SIs into the cohort's SI columns, ready for `vbq.prepare_cohort`.

    Parameters
    ----------
    cohort : DataFrame
        The cohort table (raw or canonical). Its SI columns may be absent: a cohort whose SIs
        are all measured in the app need not have them.
    measurements : DataFrame or MeasurementStore
        ROI readings (`MeasurementStore.load`).
    observer, session, combine : keyword-only
        Which readings, as in `to_cohort_si`.

    Returns
    -------
    CohortMerge
        The merged ``cohort`` and the report: ``measured``, ``not_measured``,
        ``not_in_cohort``, ``replaced``, ``notes``; ``to_frame()`` and ``summary()``.

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
    >>> merged.measured, len(merged.not_measured)
    (('DEMO-001',), 234)
    """
    from .io import coerce_cohort

    if not isinstance(cohort, pd.DataFrame):
        raise InputError(f"merge_into_cohort: `cohort` must be a DataFrame, got "
                         f"{type(cohort).__name__}")
    si = to_cohort_si(measurements, observer=observer, session=session, combine=combine)
    base = cohort.copy()
    for c in (*_SI_COLUMNS, "si_csf"):
        if c not in base.columns:
            base[c] = np.nan
    table, report = coerce_cohort(base, source=str(cohort.attrs.get("source", "cohort")))
    report.raise_if_errors()
    table = table.copy()
    for c in ("csf_level", *_COLLAPSED_COLUMNS):
        if c not in table.columns:
            table[c] = pd.Series([None] * len(table), dtype=object) if c == "csf_level" else \
                pd.array([pd.NA] * len(table), dtype="boolean")
    ids = table["patient_id"]
    by_id = si.set_index("patient_id")
    mask = ids.isin(by_id.index).to_numpy()
    measured = tuple(ids[mask].tolist())
    not_measured = tuple(ids[~mask].tolist())
    not_in_cohort = tuple(sorted(set(by_id.index) - set(ids)))
    # spreadsheet values that the measurements replace
    rows = ids[mask]
    old = table.loc[mask, [*_SI_COLUMNS, "si_csf"]].to_numpy(dtype=float)
    new = by_id.loc[rows, [*_SI_COLUMNS, "si_csf"]].to_numpy(dtype=float)
    differs = (~np.isnan(old) & ~(old == new)).any(axis=1) if len(old) else np.zeros(0, bool)
    replaced = tuple(rows[differs].tolist())
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
    notes = []
    folded = {str(pid).casefold(): pid for pid in ids}
    near = [f"{pid} ({folded[pid.casefold()]})" for pid in not_in_cohort
            if pid.casefold() in folded]
    if near:
        notes.append("measured ID(s) matching a cohort ID except for upper/lower case, not "
                      "merged: " + ", ".join(near[:10]) + (" ..." if len(near) > 10 else ""))
    if combine == "mean":
        m = _choose(_check_measurements(measurements, "merge_into_cohort"), observer, session,
                    combine, "merge_into_cohort")
        csf = m[m["level"] == "CSF"]
        split = csf.groupby("patient_id")["csf_level"].nunique()
        split = sorted(split[split > 1].index)
        if split:
            notes.append("the averaged readings placed the CSF ROI at different levels for "
                         + ", ".join(split[:10]) + (" ..." if len(split) > 10 else "")
                         + "; the level most readings used is recorded")
    return CohortMerge(cohort=table, measured=measured, not_measured=not_measured,
                       not_in_cohort=not_in_cohort, replaced=replaced, observer=observer,
                       session=session, combine=combine, notes=tuple(notes))


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
