"""The SQL store of the readings (SQLAlchemy Core): tables, the default location, saving with
history, deletion, loading, CSV export and import, and the upgrade of older databases."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .. import __version__
from .._userdata import data_dir
from ..errors import InputError
from ..io import ValidationReport
from ._csv import (
    _BY_NAME,
    _FIELDS,
    HISTORY_COLUMNS,
    MEASUREMENT_COLUMNS,
    _is_missing,
    _parse_cell,
    _read_records,
    _typed_columns,
    _validate_records,
    write_measurements,
)
from ._records import KEY_COLUMNS, ROI_LEVELS, SaveResult

SCHEMA_VERSION = 2
"""Version of the database layout, stored in the ``vbq_meta`` table; a database written by a
newer layout is refused rather than misread, an older one is brought up to date when opened
(version 2 added each reading's provenance: series flags, scanner, sequence, TI, pixel
bandwidth, slice thickness, ROI source, blinded)."""

_DATABASE_FILE = "measurements.sqlite"
_REASON_MAX = 500
_CHUNK = 500
_COMPARED = tuple(c for c in MEASUREMENT_COLUMNS if c not in ("measured_at", "software_version"))


def _default_path() -> Path:
    return data_dir() / _DATABASE_FILE


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


#: Seconds a writer waits for another writer's lock on SQLite before giving up (the driver's
#: timeout and PRAGMA busy_timeout).
BUSY_TIMEOUT_S = 30.0


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
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
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
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
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
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
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
            level (L1-L4, CSF); ``slice_index`` counts from 0 (`with_slice_numbers` gives the
            slice as shown and exported). Dtypes: text as object, ``session`` int64, ``slice_index`` and
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
            The CSV text (UTF-8, comma-separated, header row) when `target` is None. The
            slice is ``slice_number``, counted from 1 as on screen (`with_slice_numbers`; the
            database's ``slice_index`` + 1). Timestamps are ISO 8601 UTC (``2026-01-31T14:05:00.000000Z``), numbers at full precision, so
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
