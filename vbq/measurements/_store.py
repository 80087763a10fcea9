"""The SQL store of the readings (SQLAlchemy Core): tables, the default location, saving with
history, deletion, loading, CSV export and import, and the upgrade of older databases."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
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
    _typed_columns,
    _validate_records,
    write_measurements,
)
from ._import import ChunkedImport
from ._records import KEY_COLUMNS, ROI_LEVELS, ROI_SOURCES, SaveResult

SCHEMA_VERSION = 3
"""Version of the database layout, stored in the ``vbq_meta`` table; a database written by a
newer layout is refused rather than misread, an older one is brought up to date when opened
(version 2 added each reading's provenance: series flags, scanner, sequence, TI, pixel
bandwidth, slice thickness, ROI source, blinded; version 3 the ``generation`` row that every
write replaces, `MeasurementStore.generation`: software of version 2, which would write
without replacing it, refuses a version-3 database)."""

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
    # the observers and sessions (the MRI and Reliability pages' choices) without a table scan
    sa.Index("ix_vbq_roi_measurements_observer", "observer", "session"),
    # the readings of flagged series, which the MRI page counts and lists on every rerun (with
    # series_flags in it, counting them reads the index alone: 600 -> 300 ms at 104,000 rows)
    sa.Index("ix_vbq_roi_measurements_flagged", "patient_id", "observer", "session",
             "series_flags",
             sqlite_where=sa.text("series_flags IS NOT NULL AND series_flags != ''"),
             postgresql_where=sa.text("series_flags IS NOT NULL AND series_flags != ''")),
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
            # another process creating the same tables at this moment: look again. PostgreSQL
            # reports the race as a duplicate key in its catalogue (IntegrityError on pg_type),
            # found by tests/test_store_postgresql.py
            except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
                if attempt == 2:
                    raise
        self._init_indexes()
        self._init_meta()
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise InputError(f"measurement database {self.url}: its layout (version {version}) "
                             f"is newer than this software's ({SCHEMA_VERSION}); update VBQ "
                             f"Explorer")
        if version < SCHEMA_VERSION:
            self._write(_upgrade)

    def _init_indexes(self) -> None:
        """The indexes a database made before they were added lacks (they change no layout,
        so an older VBQ Explorer opens the database as before)."""
        for index in (*_rois.indexes, *_history.indexes):
            try:
                index.create(self._engine, checkfirst=True)
            except (sa.exc.OperationalError, sa.exc.ProgrammingError, sa.exc.IntegrityError):
                pass  # created at this moment by another process opening the database

    def _init_meta(self) -> None:
        """The ``vbq_meta`` rows: the layout version (of a new database) and the generation,
        which is also the writers' lock (`_write`)."""
        for key, value in (("schema_version", str(SCHEMA_VERSION)),
                           ("generation", _new_generation())):
            try:
                with self._engine.begin() as conn:
                    found = conn.execute(sa.select(_meta_table.c.value).where(
                        _meta_table.c.key == key)).scalar_one_or_none()
                    if found is None:
                        conn.execute(sa.insert(_meta_table).values(key=key, value=value))
            except sa.exc.IntegrityError:
                pass  # inserted by a concurrent first use

    def _write(self, work):
        """Run `work(conn)` in one transaction that first takes the writers' lock: it replaces
        the generation (`generation`), so the new one is committed with the change, or not at
        all."""
        with self._engine.begin() as conn:
            if self._sqlite:
                conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute(sa.update(_meta_table).where(_meta_table.c.key == "generation")
                         .values(value=_new_generation()))
            return work(conn)

    def generation(self) -> str:
        """A token that changes with every write to the database: a cheap check of whether
        anything changed since a value was read.

        Returns
        -------
        str
            32 hexadecimal digits, read by one primary-key lookup. Every save, correction,
            deletion, import and upgrade through a `MeasurementStore` (of any session or
            process) replaces it with a new random token in the same transaction as the change,
            so a token read before a value was computed names a state of the database no older
            than the value; no two writes, and no two databases, share a token (a restored
            backup carries the token of the state it copies).

        Notes
        -----
        Counts, choices and results computed from the readings can be cached under the token
        (the app does so, ``ui/cache.py``): while the token is unchanged they are current.
        A change made behind the store's back (SQL typed by hand) does not replace it; write
        through the store, or replace the ``generation`` row of ``vbq_meta`` too. Older VBQ
        Explorer (layout version 2 or less) refuses a database with the token rather than
        writing without replacing it.
        """
        with self._engine.connect() as conn:
            return str(conn.execute(sa.select(_meta_table.c.value).where(
                _meta_table.c.key == "generation")).scalar_one())

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

        def work(conn):
            return self._save_chunk(conn, records, now=now, reason=reason)

        return self._write(work)

    def _save_chunk(self, conn, records: list[dict], *, now: dt.datetime,
                    reason: str) -> SaveResult:
        """Save stamped records on `conn` (inside `_write`): insert the new, replace the
        changed (their old rows to the history), count the unchanged."""
        keys = tuple(tuple(rec[k] for k in KEY_COLUMNS) for rec in records)
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

    def history(self, *, patient_id: str | None = None, search: str | None = None,
                limit: int | None = None, newest_first: bool = False,
                exclude_patient_id: str | None = None) -> pd.DataFrame:
        """Every corrected or deleted row as it was, oldest change first.

        Parameters
        ----------
        patient_id : str, optional, keyword-only
            Only this patient's changes.
        search : str, optional, keyword-only
            Only changes whose patient ID or observer contains this text (any case).
        limit : int, optional, keyword-only
            At most this many rows (`count_history` says how many there are).
        newest_first : bool, default False, keyword-only
            The latest change first (with `limit`: the latest changes).
        exclude_patient_id : str, optional, keyword-only
            Leave this patient out (the patient read blind, `vbq.measurements.blinding`).

        Returns
        -------
        DataFrame
            `HISTORY_COLUMNS`: ``history_id``, ``change`` ("corrected" or "deleted"),
            ``changed_at`` (UTC), ``reason`` and the old row's `MEASUREMENT_COLUMNS`.
        """
        order = _history.c.history_id.desc() if newest_first else _history.c.history_id
        query = _filtered(sa.select(_history), _history, patient_id=patient_id, search=search,
                          exclude_patient_id=exclude_patient_id)
        query = query.order_by(order).limit(_check_limit(limit))
        with self._engine.connect() as conn:
            return _query_frame(conn, query, HISTORY_COLUMNS)

    def count_history(self, *, patient_id: str | None = None, search: str | None = None,
                      exclude_patient_id: str | None = None) -> int:
        """How many rows `history` returns with these filters and no limit (counted in the
        database)."""
        query = _filtered(sa.select(sa.func.count()).select_from(_history), _history,
                          patient_id=patient_id, search=search,
                          exclude_patient_id=exclude_patient_id)
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def readings(self, *, patient_id: str | Sequence[str] | None = None,
                 observer: str | None = None, search: str | None = None,
                 flagged: bool | None = None, limit: int | None = None,
                 exclude_patient_id: str | None = None) -> pd.DataFrame:
        """One row per reading (a patient read by one observer in one session), grouped,
        filtered and limited in the database.

        Parameters
        ----------
        patient_id : str or sequence of str, optional, keyword-only
            Only these patients' readings (the patient being measured, a worklist).
        observer : str, optional, keyword-only
            Only this observer's readings.
        search : str, optional, keyword-only
            Only readings whose patient ID or observer contains this text (any case).
        flagged : bool, optional, keyword-only
            True: only readings measured on a flagged series; False: only the others.
        limit : int, optional, keyword-only
            At most this many readings, in patient, observer, session order
            (`count_readings` says how many there are).
        exclude_patient_id : str, optional, keyword-only
            Leave this patient out (the patient read blind, `vbq.measurements.blinding`).

        Returns
        -------
        DataFrame
            ``patient_id, observer, session, n_rois, levels, measured_at`` (the latest save of
            its ROIs), ``series_flags`` (the flag codes of its series; blank when none).
        """
        keys = [_rois.c.patient_id, _rois.c.observer, _rois.c.session]
        query = sa.select(*keys, sa.func.count().label("n_rois"),
                          sa.func.max(_rois.c.measured_at).label("measured_at"),
                          sa.func.max(_rois.c.series_flags).label("series_flags"))
        query = _filtered(query, _rois, patient_id=patient_id, observer=observer,
                          search=search, flagged=flagged, exclude_patient_id=exclude_patient_id)
        query = query.group_by(*keys).order_by(*keys).limit(_check_limit(limit))
        with self._engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(query).all()]
            levels = self._levels(conn, rows)
        out = pd.DataFrame(rows, columns=["patient_id", "observer", "session", "n_rois",
                                          "measured_at", "series_flags"])
        out.insert(4, "levels", [levels.get(r[:3], "") for r in rows])
        out["session"] = out["session"].astype(np.int64)
        out["n_rois"] = out["n_rois"].astype(np.int64)
        out["measured_at"] = pd.to_datetime(out["measured_at"], utc=True).astype(
            "datetime64[us, UTC]")
        return out

    def _levels(self, conn, rows: Sequence[tuple]) -> dict[tuple, str]:
        """The levels (in L1-L4, CSF order) of each of these readings."""
        wanted = {r[:3] for r in rows}
        found: dict[tuple, list[str]] = {}
        patients = sorted({r[0] for r in rows})
        for start in range(0, len(patients), _CHUNK):
            part = patients[start:start + _CHUNK]
            for pid, obs, sess, level in conn.execute(sa.select(
                    _rois.c.patient_id, _rois.c.observer, _rois.c.session, _rois.c.level)
                    .where(_rois.c.patient_id.in_(part))):
                if (pid, obs, sess) in wanted:
                    found.setdefault((pid, obs, sess), []).append(level)
        return {k: ", ".join(sorted(v, key=lambda lv: _LEVEL_ORDER.get(lv, 99)))
                for k, v in found.items()}

    def _placement_counts(self) -> pd.DataFrame:
        """How each reading's ROIs were placed, counted in the database (one GROUP BY, nothing
        loaded row by row): ``patient_id, observer, session`` and the number of its ROIs whose
        ``roi_source`` is ``suggested``, ``moved``, ``manual`` and blank (``missing``), sorted
        by the key. For `vbq.measurements.reading_placement`."""
        source = _rois.c.roi_source
        keys = [_rois.c.patient_id, _rois.c.observer, _rois.c.session]

        def n(condition, label: str):
            return sa.func.sum(sa.case((condition, 1), else_=0)).label(label)

        query = (sa.select(*keys, *(n(source == kind, kind) for kind in ROI_SOURCES),
                           n(source.is_(None), "missing"))
                 .group_by(*keys).order_by(*keys))
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        names = ["patient_id", "observer", "session", *ROI_SOURCES, "missing"]
        out = pd.DataFrame([tuple(r) for r in rows], columns=names)
        return out.astype({c: np.int64 for c in names[2:]})

    def _vbq_rows(self, keys: pd.DataFrame) -> pd.DataFrame:
        """The ROIs of these readings (``keys``: patient_id, observer, session) with what a VBQ
        needs only (`KEY_COLUMNS`, ``si_mean``, ``excluded``, ``csf_level``), asked for
        `_CHUNK` readings at a time, so no query names more than that and nothing else of the
        database is read. Typed and sorted as `load` returns them."""
        columns = [*KEY_COLUMNS, "si_mean", "excluded", "csf_level"]
        wanted = sorted({(str(p), str(o), int(s)) for p, o, s in keys[
            ["patient_id", "observer", "session"]].itertuples(index=False, name=None)})
        key = sa.tuple_(_rois.c.patient_id, _rois.c.observer, _rois.c.session)
        parts: list[tuple] = []
        with self._engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                query = sa.select(*(_rois.c[c] for c in columns)).where(
                    key.in_(wanted[start:start + _CHUNK]))
                parts.extend(tuple(r) for r in conn.execute(query).all())
        cols = list(zip(*parts, strict=True)) if parts else [()] * len(columns)
        frame = _typed_columns(dict(zip(columns, cols, strict=True)), columns)
        order = frame["level"].map(_LEVEL_ORDER).fillna(99).to_numpy()
        return frame.iloc[np.lexsort((order, frame["session"].to_numpy(),
                                      frame["observer"].to_numpy(),
                                      frame["patient_id"].to_numpy()))].reset_index(drop=True)

    def count_readings(self, *, patient_id: str | Sequence[str] | None = None,
                       observer: str | None = None, search: str | None = None,
                       flagged: bool | None = None, exclude_patient_id: str | None = None
                       ) -> int:
        """How many readings `readings` returns with these filters and no limit (counted in
        the database)."""
        inner = _filtered(sa.select(_rois.c.patient_id, _rois.c.observer, _rois.c.session),
                          _rois, patient_id=patient_id, observer=observer, search=search,
                          flagged=flagged, exclude_patient_id=exclude_patient_id
                          ).distinct().subquery()
        with self._engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())

    def count(self, *, patient_id: str | Sequence[str] | None = None,
              observer: str | None = None, search: str | None = None,
              exclude_patient_id: str | None = None) -> int:
        """How many ROI rows are stored (with these filters, as for `readings`), counted in the
        database."""
        query = _filtered(sa.select(sa.func.count()).select_from(_rois), _rois,
                          patient_id=patient_id, observer=observer, search=search,
                          exclude_patient_id=exclude_patient_id)
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def observers(self) -> list[str]:
        """The observers with stored readings, sorted."""
        with self._engine.connect() as conn:
            return sorted(conn.execute(sa.select(_rois.c.observer).distinct()).scalars())

    def sessions(self, *, observer: str | None = None) -> list[int]:
        """The sessions with stored readings (of one observer, if given), sorted."""
        query = sa.select(_rois.c.session).distinct()
        if observer is not None:
            query = query.where(_rois.c.observer == observer)
        with self._engine.connect() as conn:
            return sorted(int(v) for v in conn.execute(query).scalars())

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

    def import_csv(self, source: Any, *, reason: str = "imported from CSV",
                   progress: Callable[[int, int], None] | None = None,
                   only_observer: str | None = None) -> SaveResult:
        """Validate a CSV of measurements (as `export_csv` writes) and save it in one transaction.

        Parameters
        ----------
        source : path, bytes, text or file-like object
            At most `IMPORT_MAX_BYTES` (128 MB) and `IMPORT_MAX_ROWS` (120,000 ROI rows).
        reason : str, keyword-only
            Recorded in the history for rows that correct stored values.
        progress : callable, optional, keyword-only
            Called as ``progress(bytes_read, bytes_in_file)`` after each slice of the file.
        only_observer : str, optional, keyword-only
            Accept only this observer's readings: a row of any other observer is a problem
            (the app passes the signed-in observer's code unless they are an administrator,
            see `may_change`).

        Returns
        -------
        SaveResult
            Re-importing an export changes nothing (every row ``unchanged``).

        Raises
        ------
        InputError
            The file is over a limit (refused before it is parsed where its size is known), or
            any problem in it (``.problems``: `vbq.io.Problem` records with the row as a
            spreadsheet shows it, header = row 1, and the column; at most the first 200
            errors); nothing is saved then.

        Notes
        -----
        The file is read and saved in slices of 4 MB (``_import.ChunkedImport``), each
        validated by the rules of `vbq.io` and written before the next is read, inside one
        transaction that is rolled back if any slice has a problem: the memory an import takes
        does not grow with the file, and a file is saved whole or not at all.
        """
        reason = _check_reason(reason, "imported from CSV")
        reader = ChunkedImport(source, only_observer=only_observer)
        now = _now()

        def work(conn):
            totals = SaveResult(inserted=0, corrected=0, unchanged=0, keys=())
            keys: list[tuple] = []
            for records in reader.chunks(progress):
                if reader.report.errors or not records:
                    continue  # (read on, to list the problems; nothing is written)
                saved = self._save_chunk(conn, _stamped(records, now), now=now, reason=reason)
                keys.extend(saved.keys)
                totals = SaveResult(totals.inserted + saved.inserted,
                                    totals.corrected + saved.corrected,
                                    totals.unchanged + saved.unchanged, ())
            if reader.report.errors:
                raise _Refused
            return SaveResult(totals.inserted, totals.corrected, totals.unchanged, tuple(keys))

        try:
            return self._write(work)
        except _Refused:
            reader.report.raise_if_errors()
            raise


class _Refused(Exception):
    """Rolls an import back when its file has a problem (raised inside the transaction)."""


def _new_generation() -> str:
    """A fresh generation token: random, so never one an earlier write or database had."""
    return uuid.uuid4().hex


def _check_limit(limit: int | None) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 0:
        raise InputError(f"limit: expected a whole number of rows (0 or more) or None, got "
                         f"{limit!r}")
    return int(limit)


def _like(text: str) -> str:
    """`text` as a LIKE pattern matching it anywhere, its own % and _ taken literally."""
    escaped = text.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def _filtered(query, table: sa.Table, *, patient_id: Any = None, observer: str | None = None,
              search: str | None = None, flagged: bool | None = None,
              exclude_patient_id: str | None = None):
    """`query` with the readings' filters applied (each only when given)."""
    if patient_id is not None:
        ids = [patient_id] if isinstance(patient_id, str) else list(patient_id)
        query = query.where(table.c.patient_id.in_(ids))
    if exclude_patient_id is not None:
        query = query.where(table.c.patient_id != str(exclude_patient_id))
    if observer is not None:
        query = query.where(table.c.observer == observer)
    if search is not None and str(search).strip():
        pattern = _like(str(search).strip().lower())
        query = query.where(sa.or_(sa.func.lower(table.c.patient_id).like(pattern, escape="!"),
                                   sa.func.lower(table.c.observer).like(pattern, escape="!")))
    if flagged is not None:
        has = sa.and_(table.c.series_flags.is_not(None), table.c.series_flags != "")
        query = query.where(has if flagged else sa.not_(has))
    return query


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
