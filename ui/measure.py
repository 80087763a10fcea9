"""Glue for the MRI measurement and reliability pages: the measurement database connection, the
session's DICOM series, the ROIs being placed, and the measurements in use by the analysis.

Where things live:

* The database is `st.connection("measurements", type="sql")`, whose engine is handed to
  `vbq.measurements.MeasurementStore`. Its URL comes from, in order: the environment variable
  ``VBQ_MEASUREMENTS_URL`` (tests, containers), ``[connections.measurements] url = ...`` in
  ``.streamlit/secrets.toml``, else the default SQLite file of `vbq.measurements.default_url`
  (``measurements.sqlite`` in the per-user data folder, ``VBQ_DATA_DIR`` when set; created on
  first use; no secrets file is needed). The page never shows the database's path or URL
  (`database_kind` says what kind of database it is). A store holds nothing but its engine, so one serves every
  session (`st.cache_resource`).
* Uploaded DICOM is read in memory and kept in this session's images (`SessionImages`: the
  worklist, the series decoded, the slices encoded for display), held by a session-scoped
  `st.cache_resource` that Streamlit clears the moment the session's tab closes: never in
  `st.session_state` (kept long after the tab closes, issue 18), never in a cache shared by
  every session, and never on disk. Fragments and widget callbacks are given a `SeriesRef` (no
  pixels), which `resolve` turns back into the series. The synthetic phantom, which is nobody's
  data, is built once per server (`st.cache_resource`).
* ROIs are in ``st.session_state["measure_rois"]``: series fingerprint -> level -> (slice, row,
  column, radius in mm), so switching series and back keeps the work.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
import streamlit as st

import vbq
import vbq._userdata
from ui import binding
from ui import cache as ui_cache
from ui.image_click import Png, encode_png
from ui.state import Dataset, get_dataset, set_dataset
from vbq import imaging
from vbq.measurements import ROI_LEVELS, MeasurementStore, merge_into_cohort

URL_ENV = "VBQ_MEASUREMENTS_URL"
# opt-in (README, "Series descriptions"): show the files' own Series Description beside the
# label built from the acquisition; off unless set to 1, true or yes
DESCRIPTION_ENV = "VBQ_SHOW_SERIES_DESCRIPTION"
CONNECTION = "measurements"
ROIS_KEY = "measure_rois"
IMAGES_KEY = "measure_images"  # which of the session cache's `SessionImages` is this session's
SAVED_BY_KEY = "measure_saved_by"
BASE_DATASET_KEY = "measure_base_dataset"
ALL_OBSERVERS = "*"
MEAN_SESSIONS = "mean"
UNFLAGGED = "unflagged"
MERGE_REPORT_KEY = "measure_merge_report"

COLOURS = {"L1": "#ffcc00", "L2": "#ff8c00", "L3": "#ff4fa3", "L4": "#b07cff", "CSF": "#33d6ff"}
DEFAULT_RADIUS_MM = {"L1": 8.0, "L2": 8.0, "L3": 8.0, "L4": 8.0, "CSF": 4.0}


# --- the database ----------------------------------------------------------------------------


def _secrets_section() -> dict:
    """The [connections.measurements] section of .streamlit/secrets.toml (a url, or
    dialect/host/... as Streamlit's SQL connection accepts); empty when there is none."""
    try:
        section = st.secrets.get("connections", {}).get(CONNECTION, {})
    except Exception:  # no secrets file at all (FileNotFoundError and Streamlit's own errors)
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section or {})


def database_source() -> tuple[str | None, str]:
    """(URL to pass to `st.connection`, or None to let it read the secrets; where the setting came
    from, in words that name no path)."""
    env = os.environ.get(URL_ENV, "").strip()
    if env:
        return env, f"the environment variable {URL_ENV}"
    if _secrets_section():
        return None, ".streamlit/secrets.toml ([connections.measurements])"
    vbq._userdata.data_dir(create=True)
    return vbq.measurements.default_url(), "VBQ Explorer's default, as none is configured"


_KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MySQL",
          "mariadb": "MariaDB", "mssql": "SQL Server", "oracle": "Oracle"}


def database_kind(store: MeasurementStore) -> str:
    """The kind of database in words ("SQLite", "PostgreSQL"), never its path or address."""
    name = store.engine.dialect.name
    return _KINDS.get(name, name)


@st.cache_resource(max_entries=4, show_spinner=False)
def _store(url_key: str, _connection) -> MeasurementStore:
    return MeasurementStore(_connection)


_DAMAGED = ("not a database", "malformed", "disk image", "encrypted", "no such table")


def _database_problem(exc: sa.exc.SQLAlchemyError) -> vbq.InputError:
    """What went wrong with the database, in words (never its path or URL): a write lock held
    by another user or program for longer than the store waits, a damaged file, or another
    failure named by its kind."""
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return vbq.InputError(
            "the measurement database is busy: another user or program has held its write lock "
            f"for more than {vbq.measurements._store.BUSY_TIMEOUT_S:g} s. Nothing was changed; "
            "try again in a moment.")
    if any(word in text for word in _DAMAGED):
        return vbq.InputError(
            "the measurement database file is damaged (it cannot be read as a database). "
            "Nothing was changed. Whoever runs the server can restore it from a backup, or "
            "start a new database and import the last CSV export.")
    return vbq.InputError(f"the measurement database could not be used "
                          f"({type(exc).__name__}). Nothing was changed.")


class _GuardedStore:
    """A `MeasurementStore` whose database errors (a write lock held too long, a damaged file)
    arrive as `vbq.InputError` naming what happened, which the pages show as a message,
    never as an uncaught OperationalError or DatabaseError."""

    def __init__(self, store: MeasurementStore):
        self._store = store

    def __getattr__(self, name: str):
        attr = getattr(self._store, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def guarded(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except sa.exc.SQLAlchemyError as exc:
                raise _database_problem(exc) from None

        return guarded


def get_store() -> MeasurementStore:
    """The measurement database (raises `vbq.InputError` when it cannot be opened)."""
    url, _ = database_source()
    if url:
        kwargs: dict = {"url": url}
    else:  # the secrets' section, passed on explicitly (the same settings st.connection reads)
        kwargs = _secrets_section()
        kwargs.update(kwargs.pop("create_engine_kwargs", None) or {})
    if url and url.startswith("sqlite"):
        # writers queue (vbq.measurements), not fail
        kwargs["connect_args"] = {"timeout": vbq.measurements._store.BUSY_TIMEOUT_S}
    try:
        conn = st.connection(CONNECTION, type="sql", **kwargs)
    except Exception as exc:  # a bad URL or a missing driver: a message, never a traceback
        raise vbq.InputError(f"the measurement database could not be opened: "
                             f"{type(exc).__name__}: {exc}") from None
    try:
        store = _store(conn.engine.url.render_as_string(hide_password=False), conn)
    except sa.exc.SQLAlchemyError as exc:
        raise _database_problem(exc) from None
    except vbq.InputError as exc:  # its message names the database's URL: a server path
        if isinstance(exc.__context__, sa.exc.SQLAlchemyError):  # (raised "from None")
            raise _database_problem(exc.__context__) from None
        shown = conn.engine.url.render_as_string(hide_password=True)
        raise vbq.InputError(str(exc).replace(f"measurement database {shown}",
                                              "the measurement database")) from None
    return _GuardedStore(store)  # type: ignore[return-value]


# --- DICOM in this session -------------------------------------------------------------------


@st.cache_resource(max_entries=1, show_spinner="Drawing the synthetic phantom...")
def phantom() -> tuple[imaging.Worklist, vbq.phantom.PhantomTruth]:
    """The SYNTHETIC phantom as a worklist of one study (nobody's data, so shared by every
    session)."""
    datasets, truth = vbq.phantom.make_series(seed=0)
    return imaging.read_worklist(vbq.phantom.series_bytes(datasets)), truth


@dataclass(eq=False)
class SessionImages:
    """This session's images, and nothing else keeps them: the worklist read from its uploads
    (or the error that refused them), the series decoded (the last two), the slices encoded
    for display and their automatic windows.

    Held by `_session_images`, a session-scoped `st.cache_resource`, which Streamlit clears
    the moment the session disconnects (its tab closes). Why not `st.session_state`: a closed
    tab's session is kept for reconnection (``server.disconnectedSessionTTL``, 120 s) in a TTL
    cache that drops an expired session only on a later write, i.e. when another session
    disconnects; pixels in its state stayed until then (issue 18: 2.4 GB for 15 minutes after
    the tab closed). docs/design.md, "Measuring in the app", has the whole story."""

    token: tuple = ()
    worklist: imaging.Worklist | vbq.InputError | None = None
    series: dict = field(default_factory=dict)  # (token, study, series) -> Series
    pngs: dict = field(default_factory=dict)  # (fingerprint, slice, centre, width) -> Png
    windows: dict = field(default_factory=dict)  # (fingerprint, slice) -> Window


@st.cache_resource(scope="session", max_entries=4, show_spinner=False)
def _session_images(key: str) -> SessionImages:
    """A new, empty `SessionImages`, kept until the session's tab closes. `key` (random, in
    the session's state) tells this session's apart from another's where two share a session
    id (AppTest); a real session only ever has one."""
    return SessionImages()


def session_images() -> SessionImages:
    """This session's images: empty at first, and again after its tab closed and reconnected
    (the page then reads the uploads again)."""
    key = st.session_state.setdefault(IMAGES_KEY, secrets.token_hex(8))
    return _session_images(key)


def uploaded_worklist(files: Sequence) -> imaging.Worklist:
    """Read the headers of uploaded DICOM files (several studies, a zip or a folder) once per
    session, with a progress bar; no pixel is decoded (`vbq.imaging.read_worklist`).

    Kept in this session's images only (`session_images`), keyed by the uploads' ids; raises
    `vbq.InputError` when nothing loads (its ``problems`` name the files)."""
    token = upload_token(files)
    held = session_images()
    if held.token == token and held.worklist is not None:
        if isinstance(held.worklist, Exception):
            raise held.worklist
        return held.worklist
    bar = st.progress(0.0, text="Reading the DICOM headers...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Reading the DICOM headers: {done} of {total} "
                                                "files")

    held.token, held.worklist = token, None
    held.series.clear()
    try:
        worklist = imaging.read_worklist(list(files), progress=progress,  # in a worker
                                         time_limit=ui_cache.READ_TIME_LIMIT_S)  # (issue 18)
    except vbq.InputError as exc:
        held.worklist = exc  # (nothing decoded: no pixels held)
        raise
    finally:
        bar.empty()
    held.worklist = worklist
    return worklist


def upload_token(files: Sequence) -> tuple:
    """What identifies one upload in this session (the uploads' ids and sizes)."""
    return tuple((f.file_id, f.size) for f in files)


def decoded_series(token: tuple, worklist: imaging.Worklist, study: int, series: int
                   ) -> imaging.Series:
    """Series `series` of study `study`, decoded (its files in parallel) with a progress bar
    the first time, then held in this session's images for the last two series shown (moving
    back and forth costs nothing; older ones are dropped to keep the session's memory small)."""
    key = (token, study, series)
    cache = session_images().series
    if key in cache:
        if isinstance(cache[key], vbq.InputError):  # refused: not decoded again (issue 18)
            raise cache[key]
        return cache[key]
    bar = st.progress(0.0, text="Decoding the series...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Decoding the series: {done} of {total} files")

    try:  # in a worker process, stopped at the time limit (issue 18)
        loaded = worklist[study].load(series, progress=progress,
                                      time_limit=ui_cache.READ_TIME_LIMIT_S)
    except vbq.InputError as exc:
        loaded = exc
    finally:
        bar.empty()
    while len(cache) >= 2:
        cache.pop(next(iter(cache)))
    cache[key] = loaded
    if isinstance(loaded, vbq.InputError):
        raise loaded
    return loaded


@dataclass(frozen=True)
class SeriesRef:
    """What a fragment or a widget callback is given instead of a series: Streamlit keeps both,
    with their arguments, in the session after its tab closes, so a `Series` given to them kept
    its pixels alive (issue 18); this holds none. `resolve` gives the series back."""

    fingerprint: str
    mid_slice: int


def ref(series: imaging.Series) -> SeriesRef:
    """A `SeriesRef` to `series`."""
    return SeriesRef(series.fingerprint, series.mid_slice)


def resolve(held: SeriesRef) -> imaging.Series | None:
    """The decoded series `held` refers to, from this session's images; None when they were
    released (the tab closed and came back: a full rerun decodes it again)."""
    for series in session_images().series.values():
        if series.fingerprint == held.fingerprint:
            return series
    return None


def show_file_descriptions() -> bool:
    """Whether the server opted in to showing the files' own Series Descriptions
    (``VBQ_SHOW_SERIES_DESCRIPTION``). Off by default: the description is free text that may
    hold a patient's name in a form no cleaning recognises (issue 18)."""
    return os.environ.get(DESCRIPTION_ENV, "").strip().lower() in ("1", "true", "yes")


def series_label(series: imaging.Series | imaging.SeriesInfo) -> str:
    """One line to pick a series by: `vbq.imaging.Series.label` (Series Number, orientation,
    weighting, sequence, field strength), slices, TR/TE (from the headers: nothing is decoded
    to list the series); the file's own description only when the server opted in
    (`show_file_descriptions`)."""
    def num(v, unit):
        return "?" if v is None else f"{v:g} {unit}"

    own = (f" · described as “{series.description}”"
           if series.description and show_file_descriptions() else "")
    return (f"{series.label} · {series.n_slices} slice(s) · "
            f"TR {num(series.repetition_time_ms, 'ms')}"
            f" / TE {num(series.echo_time_ms, 'ms')}{own}")


def spacing(series: imaging.Series) -> tuple[float, float]:
    """The series' pixel spacing, or (1, 1) when the files lack it (radii are then in pixels)."""
    return series.spacing_mm or (1.0, 1.0)


def _remembered(cache: dict, key: tuple, make):
    """`make()`, remembered in `cache` (one of this session's images') under `key` for the last
    few keys (a click or a nudge re-draws the same slice with the same window)."""
    if key not in cache:
        if len(cache) >= 8:
            cache.pop(next(iter(cache)))
        cache[key] = make()
    return cache[key]


def slice_png(series: imaging.Series, index: int, center: float, width: float) -> Png:
    """The windowed slice for display, encoded as PNG once per slice and window (`_remembered`):
    a click only moves a circle drawn over the image and never re-windows or re-encodes it."""
    return _remembered(session_images().pngs,
                       (series.fingerprint, int(index), float(center), float(width)),
                       lambda: encode_png(imaging.window_image(series.pixels[index], center,
                                                               width)))


def file_window_is_dark(series: imaging.Series) -> bool:
    """Whether the file's own Window Center/Width leaves the middle slice dark: its brightest
    tenth (the vertebral bodies' fatty marrow and the subcutaneous fat on T1) is shown below a
    quarter of full brightness. The page then opens with the automatic window instead."""
    if series.window is None:
        return True
    mid = series.pixels[series.mid_slice]
    shown = imaging.window_image(np.percentile(mid, [90.0]), *series.window)
    return int(shown[0]) < 64


def auto_window(series: imaging.Series, index: int) -> imaging.Window:
    """`vbq.imaging.default_window` of one slice (percentiles), once per slice (`_remembered`):
    a click does not recompute the percentiles of the slice shown."""
    return _remembered(session_images().windows, (series.fingerprint, int(index)),
                       lambda: imaging.default_window(series.pixels[index]))


# --- ROIs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Roi:
    """One placed ROI: on slice `slice`, centre (row, col) in pixels, radius in mm."""

    slice: int
    row: float
    col: float
    radius_mm: float


def rois(fingerprint: str) -> dict[str, Roi]:
    """The ROIs placed on this series in this session (level -> Roi)."""
    return st.session_state.setdefault(ROIS_KEY, {}).setdefault(fingerprint, {})


def set_roi(fingerprint: str, level: str, roi: Roi | None) -> None:
    placed = rois(fingerprint)
    if roi is None:
        placed.pop(level, None)
    else:
        placed[level] = roi


def mark_saved(fingerprint: str, observer: str, session: int) -> None:
    """The ROIs on this series were saved as the reading of `observer` in `session`."""
    st.session_state.setdefault(SAVED_BY_KEY, {})[fingerprint] = (observer, int(session))


def forget_other_readings(fingerprint: str, observer: str, session: int) -> bool:
    """Blinding in this browser session: the ROIs on a series that were saved as another
    reading (another observer, or the same observer's other session) are cleared before this
    reading starts, so an earlier reading is never shown on the image. ROIs not saved yet are
    the reading in progress and stay (the observer may be typed after placing them). Returns
    whether ROIs were cleared."""
    saved_by = st.session_state.setdefault(SAVED_BY_KEY, {})
    owner = saved_by.get(fingerprint)
    if owner is None or owner == (observer, int(session)):
        return False
    saved_by.pop(fingerprint)
    st.session_state.setdefault(ROIS_KEY, {}).pop(fingerprint, None)
    return True


def roi_results(series: imaging.Series, placed: dict[str, Roi]
                ) -> dict[str, imaging.RoiStats | str]:
    """`vbq.imaging.roi_stats` of every placed ROI on its own slice; the message instead when the
    ROI leaves the image."""
    out: dict[str, imaging.RoiStats | str] = {}
    for level in ROI_LEVELS:
        roi = placed.get(level)
        if roi is None:
            continue
        try:
            out[level] = imaging.roi_stats(series.pixels[roi.slice], spacing(series),
                                           (roi.row, roi.col), roi.radius_mm)
        except vbq.InputError as exc:
            out[level] = str(exc)
    return out


def roi_frame(placed: dict[str, Roi], results: dict[str, imaging.RoiStats | str],
              collapsed: Sequence[str]) -> pd.DataFrame:
    """The live ROI table: one row per placed ROI (slices counted from 1, as on screen), with
    its statistics; empty (with its columns) before any ROI is placed."""
    rows = []
    for level in ROI_LEVELS:
        roi, res = placed.get(level), results.get(level)
        if roi is None:
            continue
        row = {"ROI": level, "slice": roi.slice + 1, "centre row": roi.row,
               "centre column": roi.col, "radius (mm)": roi.radius_mm, "mean SI": None,
               "median SI": None, "SD": None, "pixels": None, "note": ""}
        if isinstance(res, imaging.RoiStats):
            row.update({"mean SI": res.mean, "median SI": res.median, "SD": res.sd,
                        "pixels": res.n_pixels})
        elif isinstance(res, str):
            row["note"] = res
        if level in collapsed:
            row["note"] = ("collapsed: left out of the VBQ; " + row["note"]).rstrip("; ")
        rows.append(row)
    return pd.DataFrame(rows, columns=["ROI", "slice", "centre row", "centre column",
                                       "radius (mm)", "mean SI", "median SI", "SD", "pixels",
                                       "note"])


def measurement_records(series: imaging.Series, placed: dict[str, Roi],
                        results: dict[str, imaging.RoiStats | str], *, patient_id: str,
                        observer: str, session: int, collapsed: Sequence[str], csf_level: str,
                        roi_source: str = "manual", blinded: bool = False
                        ) -> list[vbq.measurements.ROIMeasurement]:
    """The ROI rows to save: one per measured ROI (`vbq.measurements.ROIMeasurement`), each with
    the series' flags and acquisition (`vbq.measurements.series_provenance`)."""
    return [vbq.measurements.ROIMeasurement.from_roi_stats(
        res, patient_id=patient_id, observer=observer, session=int(session), level=level,
        slice_index=placed[level].slice, series=series, excluded=level in collapsed,
        csf_level=csf_level if level == "CSF" else None, roi_source=roi_source,
        blinded=blinded)
        for level, res in results.items() if isinstance(res, imaging.RoiStats)]


# --- measurements in the analysis ------------------------------------------------------------


def choice_param(observer: str | None, session: int | None, exclude_flagged: bool = False
                 ) -> str:
    """The URL value of a choice of readings: ``AB:1`` one primary reading (observer AB,
    session 1); ``*`` all observers or ``mean`` all sessions, then averaged; ``:unflagged``
    appended when readings from flagged series are left out."""
    text = f"{observer or ALL_OBSERVERS}:{MEAN_SESSIONS if session is None else int(session)}"
    return text + (f":{UNFLAGGED}" if exclude_flagged else "")


def parse_choice(text: str) -> tuple[str | None, int | None, bool]:
    """Inverse of `choice_param`: (observer, session, exclude_flagged); raises `vbq.InputError`
    on anything else."""
    obs, sep, rest = str(text).partition(":")
    sess, _, tail = rest.partition(":")
    if not sep or not obs or tail not in ("", UNFLAGGED):
        raise vbq.InputError(f'measurements: "{text}" is not understood; expected '
                             '"observer:session", e.g. "AB:1"')
    observer = None if obs == ALL_OBSERVERS else obs
    exclude = tail == UNFLAGGED
    if sess == MEAN_SESSIONS:
        return observer, None, exclude
    try:
        return observer, int(sess), exclude
    except ValueError:
        raise vbq.InputError(f'measurements: session "{sess}" is not a number or "mean"'
                             ) from None


def choice_text(observer: str | None, session: int | None, exclude_flagged: bool = False
                ) -> str:
    """The choice in words, for headings and the dataset's name."""
    if observer is not None and session is not None:
        text = f"one reading: observer {observer}, session {session}"
    else:
        who = "all observers" if observer is None else f"observer {observer}"
        when = "all sessions" if session is None else f"session {session}"
        text = f"{who}, {when} (averaged)"
    return text + (", flagged series left out" if exclude_flagged else "")


def flagged_readings(stored: pd.DataFrame) -> pd.DataFrame:
    """One row per stored reading measured on a flagged series: ``patient``, ``observer``,
    ``session``, ``flags`` (in words)."""
    cols = ["patient", "observer", "session", "flags"]
    if stored.empty or "series_flags" not in stored.columns:
        return pd.DataFrame(columns=cols)
    hit = stored[stored["series_flags"].map(lambda t: isinstance(t, str) and bool(t))]
    per = hit.groupby(["patient_id", "observer", "session"], sort=True)["series_flags"].first()
    return pd.DataFrame([(p, o, int(s), vbq.measurements.describe_flags(f))
                         for (p, o, s), f in per.items()], columns=cols)


def base_dataset() -> Dataset:
    """The dataset the measurements are merged into (the one in use before they were)."""
    current = get_dataset()
    if current.measurements:
        return st.session_state.get(BASE_DATASET_KEY, current)
    return current


def use_measurements(store: MeasurementStore, observer: str | None, session: int | None,
                     exclude_flagged: bool = False) -> vbq.measurements.CohortMerge:
    """Merge the chosen readings into the cohort and make that the dataset every page analyses:
    one primary reading when both `observer` and `session` are given, else their mean
    (`vbq.measurements.merge_into_cohort`).

    Raises `vbq.InputError` when the choice matches no reading."""
    base = base_dataset()
    combine = "mean" if observer is None or session is None else "primary"
    readings = store.load(observer=observer, session=session)  # only the readings chosen
    merged = merge_into_cohort(base.cohort, readings, observer=observer, session=session,
                               combine=combine, exclude_flagged=exclude_flagged)
    words = choice_text(observer, session, exclude_flagged)
    if not merged.measured:
        raise vbq.InputError(f"no cohort patient has measurements by {words}"
                             f" (the cohort's patient IDs and the measured ones do not meet)")
    st.session_state[BASE_DATASET_KEY] = base
    set_dataset(Dataset(
        name=f"{base.name} + MRI measurements ({words})",
        is_demo=base.is_demo, cohort=merged.cohort, dxa=base.dxa,
        digest=vbq.io.table_digest(merged.cohort, base.dxa), problems=base.problems,
        cohort_file=base.cohort_file, dxa_file=base.dxa_file,
        measurements=choice_param(observer, session, exclude_flagged),
        measurements_used=vbq.describe.measurements_in_use(merged, readings),
    ))
    st.session_state[MERGE_REPORT_KEY] = merged
    return merged


def stop_using_measurements() -> None:
    base = st.session_state.pop(BASE_DATASET_KEY, None)
    if base is not None:
        set_dataset(base)
    st.session_state.pop(MERGE_REPORT_KEY, None)


def apply_link_measurements() -> str | None:
    """On the first run of a session opened from a link with ``meas=...``: put those
    measurements in use. Returns a problem in words when that could not be done."""
    text = st.session_state.pop(binding.LINK_MEAS, None)
    if not text:
        return None
    try:
        use_measurements(get_store(), *parse_choice(text))
    except (vbq.InputError, ValueError) as exc:
        return f"The link's measurements ({text}) could not be used: {exc}"
    return None
