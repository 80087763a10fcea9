"""MRI measurement page: load a worklist of studies (the synthetic phantom by default, or uploaded
DICOM: files, a zip or a folder holding one or many patients' studies), read each study's chosen
series, click to place the L1-L4 and CSF ROIs, read their statistics and the VBQ live, save the
reading (and go to the next study), and put the measurements into the analysis. A patient read
before, by another observer or in another session, is read blind: earlier ROIs and values stay
hidden until the new reading is saved, and a repeat session's worklist comes shuffled.

Every number comes from `vbq.imaging` (the worklist, ROI statistics, VBQ through
`vbq.compute_vbq`) and `vbq.measurements` (the database, blinding, CSV, the merge into the
cohort); this page reads widgets and shows results. Uploaded files stay in this session's
memory (`ui.measure`).

The page is laid out as a reader's workstation: at 1280 x 800 the image starts above the fold
and the reading's clicks (the vertebra, Accept, Save and next) need no scroll (issue 19). It runs
as sections, each a function called once from `_main`: one line above the image holds
`_worklist_panel` (the study to read), `_reader` (observer and session) and `_images` (source
and worklist, folded into one line that opens once files are loaded); then the viewer fragment
(`_viewer`: the image, and beside it the suggestion's Accept and Discard from `ui.suggest`, the
save buttons, previous, next and the progress from `_reading_actions`, then the VBQ and the
controls); under it `_study_header` (study ID, series) and `_notices` (the series' flags folded
into one line, the blinding, the phantom, the shuffled order, how to measure);
`_save_section` (where readings go, who is signed in, `ui.access`), `_worklist_table` (every
study, folded),
`_stored_section` (counts and at most 50 stored readings, history rows and delete choices,
`ui.history`; the blinded patient's left out) and `_analysis_section`. No rerun loads the whole
database: the worklist's statuses and the blinding read the readings of the worklist's patients
only (issue 18)."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pandas as pd
import streamlit as st

import vbq
from ui import access, binding, cache, history, measure, suggest
from ui.display import plain
from ui.image_click import Circle, image_click
from ui.state import get_dataset
from vbq import imaging
from vbq.measurements import ROI_LEVELS

SOURCES = ("Synthetic phantom (demo)", "Upload DICOM")
WINDOWS = ("From the file", "Automatic (1st-99th percentile)", "Manual")
IMAGE_KEY = "measure_image"
ACTIVE_KEY = "measure_active"
WINDOW_KEY = "measure_window_mode"
WINDOW_FOR_KEY = "measure_window_for"  # the series whose default window mode was set
CURRENT_KEY = "measure_current"  # ((upload token, observer, session), study index) shown
TYPED_IDS_KEY = "measure_typed_ids"  # (upload token, study index) -> study ID typed
ID_FOR_KEY = "measure_id_for"  # the study whose ID the ID box shows
SERIES_FOR_KEY = "measure_series_for"  # the study whose series the series box lists
FLASH_KEY = "measure_flash"  # a message to show after save-and-next's rerun
LEVEL_KEYS = {"1": "L1", "2": "L2", "3": "L3", "4": "L4", "C": "CSF"}
STATUS_WORDS = {"not read": "not read", "read": "read", "flagged": "read (flagged series)"}

HOW_TO = ("Click to place circular ROIs on the mid-sagittal T1 slice: the L1-L4 vertebral bodies "
          "and the CSF behind L3 (an adjacent level if obstructed). VBQ = median SI of L1-L4 / "
          "SI of CSF (Ehresman et al. 2020), computed as for a spreadsheet patient.")

st.title("MRI measurement", help=HOW_TO)


# --- the reader ----------------------------------------------------------------------------------

def _reader(left, right) -> tuple[str, int]:
    """Who reads, in which session (in the two columns given): the worklist's status, its
    order and the blinding follow."""
    observer = access.observer_field(left)  # the signed-in person's code where sign-in is set
    session = right.number_input("Session (repeat number)", min_value=1, max_value=1000,
                                 value=1, step=1, key="measure_session",
                                 help="1 for the first reading of the studies; 2, 3, ... when "
                                      "you read them again (the worklist then comes shuffled "
                                      "and your earlier readings stay hidden).")
    return observer, int(session)


# --- the images: a worklist of one or many studies -----------------------------------------------

def _loaded_words() -> str | None:
    """"3 studies loaded · change files" once DICOM files are uploaded and read (the line the
    source and the uploader fold into), else None (they are shown open)."""
    if st.session_state.get("measure_source") != SOURCES[1]:
        return None
    files = st.session_state.get("measure_upload_folder" if st.session_state.get("measure_folder")
                                 else "measure_upload")
    if not files:
        return None
    try:
        n = len(measure.uploaded_worklist(files))
    except vbq.InputError:
        return None  # said, with the uploader open, below
    return f"{n} {'study' if n == 1 else 'studies'} loaded · change files"


def _images(column):
    """The source and its worklist: in `column`, folded into one line that opens once files
    are loaded (so the image stays above the fold at 1280 x 800). Returns (worklist, upload
    token, phantom truth or None)."""
    folded = _loaded_words()
    box = column.expander(folded, icon=":material/folder_open:") if folded else column
    source = box.radio("Images", SOURCES, horizontal=True, key="measure_source")
    if source == SOURCES[0]:
        worklist, truth = measure.phantom()
        return worklist, ("phantom",), truth
    folder = box.toggle("Upload a whole folder (one study, or one folder per study)",
                        key="measure_folder")
    files = (box if folded else st).file_uploader(
        "DICOM folder" if folder else "DICOM files of one study, or one zip of one or many "
                                      "studies",
        accept_multiple_files="directory" if folder else True,
        key="measure_upload_folder" if folder else "measure_upload",
        help="Several patients' studies at once: a zip or a folder with one folder per study, "
             "named by its study ID (e.g. VBQ-001). Files are read in memory and kept in your "
             "session only; identifiers (names, IDs, dates, institutions) are dropped as they "
             "are read and never shown or stored.")
    if not files:
        st.info("Upload the DICOM files of a sagittal T1 lumbar series (several files or one "
                "zip), a zip or folder of many studies, or choose the synthetic phantom.")
        st.stop()
    try:
        return measure.uploaded_worklist(files), measure.upload_token(files), None
    except vbq.InputError as exc:
        st.error(f"No image could be loaded: {plain(exc)}")
        _problem_table(getattr(exc, "problems", ()))
        st.stop()


def _problem_table(problems) -> None:
    if problems:
        st.dataframe(pd.DataFrame([{"file": p.file, "what happened": p.message,
                                    "kind": p.severity} for p in problems]),
                     hide_index=True, width="stretch")


def _with_typed_ids(worklist: imaging.Worklist, token: tuple) -> imaging.Worklist:
    """The worklist with the study IDs typed in this session (a bad one is left out here and
    named when saving)."""
    typed = {i: t for (tok, i), t in st.session_state.get(TYPED_IDS_KEY, {}).items()
             if tok == token}
    try:
        return worklist.with_study_ids(typed)
    except vbq.InputError:
        good = {i: t for i, t in typed.items() if not imaging.study_id_problem(t)}
        try:
            return worklist.with_study_ids(good)
        except vbq.InputError:
            return worklist


def _order(worklist: imaging.Worklist, observer: str, session: int
           ) -> tuple[tuple[int, ...], int | None]:
    """The reading order: the worklist's own for session 1, a seeded shuffle for a repeat
    session (`vbq.measurements.session_seed`, the same for the same observer and session)."""
    if session < 2 or len(worklist) < 2:
        return worklist.order(), None
    seed = vbq.measurements.session_seed(observer, session)
    return worklist.order(seed), seed


def _current(token: tuple, order: tuple[int, ...], start: int | None = None) -> int:
    """The study shown; for a new worklist, observer or session (`token` holds all three)
    `start`, else the first in order."""
    held = st.session_state.get(CURRENT_KEY)
    if held is None or held[0] != token or held[1] not in order:
        st.session_state[CURRENT_KEY] = (token, order[0] if start is None else start)
    return st.session_state[CURRENT_KEY][1]


def _go(token: tuple, order: tuple[int, ...], step: int) -> None:
    """Previous (-1) or next (+1) study in reading order."""
    pos = order.index(_current(token, order)) + step
    st.session_state[CURRENT_KEY] = (token, order[max(0, min(len(order) - 1, pos))])


def _picked(token: tuple, order: tuple[int, ...]) -> None:
    st.session_state[CURRENT_KEY] = (token, order[st.session_state["measure_position"]])


def _worklist_panel(worklist: imaging.Worklist, token: tuple, order: tuple[int, ...],
                    statuses: list[str], study_column) -> int:
    """The study to read (in `study_column`, when the worklist has more than one) with its
    status. Returns the index of the study shown."""
    unread = [i for i in order if statuses[i] == "not read"]
    index = _current(token, order, unread[0] if unread else None)
    if len(worklist) < 2:
        return index
    position = order.index(index)
    st.session_state["measure_position"] = position
    # the options' words made here: a format_func closing over the worklist would keep its
    # files with the widget after the tab closes (issue 18)
    labels = [f"{k + 1} of {len(order)} · {worklist[i].study_id or 'no study ID yet'} · "
              f"{STATUS_WORDS[statuses[i]]}" for k, i in enumerate(order)]
    study_column.selectbox("Study", range(len(order)), key="measure_position",
                           on_change=_picked, args=(token, order),
                           format_func=labels.__getitem__)
    return index


def _worklist_table(worklist: imaging.Worklist, order: tuple[int, ...],
                    statuses: list[str]) -> None:
    """Every study of the worklist in reading order, folded (below the viewer)."""
    if len(worklist) < 2:
        return
    with st.expander(f"Worklist: {len(worklist)} studies", icon=":material/list:"):
        st.dataframe(_worklist_frame(worklist, order, statuses), hide_index=True,
                     width="stretch", key="measure_worklist_table")
        _problem_table(worklist.problems)


def _worklist_frame(worklist: imaging.Worklist, order: tuple[int, ...],
                    statuses: list[str]) -> pd.DataFrame:
    rows = []
    for k, i in enumerate(order, start=1):
        study = worklist[i]
        chosen = study.series[study.chosen] if study.chosen is not None else None
        rows.append({"#": k, "study ID": study.study_id or "(to type)",
                     "series": len(study.series),
                     "series chosen": chosen.label if chosen else "none fits: pick one",
                     "slices": chosen.n_slices if chosen else None,
                     "flags": "; ".join(f.title for f in chosen.flags) if chosen else "",
                     "status": STATUS_WORDS[statuses[i]]})
    return pd.DataFrame(rows)


# --- the study shown: its ID and series ---------------------------------------------------------

def _typed(token: tuple, index: int) -> None:
    st.session_state.setdefault(TYPED_IDS_KEY, {})[(token, index)] = \
        st.session_state.get("measure_patient_id", "")


def _study_header(id_column, series_column, worklist: imaging.Worklist, token: tuple,
                  index: int) -> tuple[str, int]:
    """The study's ID (from its folder or typed) and the series to read (the chosen one by
    default, from the headers), in the columns given. Returns (study ID, series index)."""
    study = worklist[index]
    if st.session_state.get(ID_FOR_KEY) != (token, index):
        st.session_state[ID_FOR_KEY] = (token, index)
        st.session_state["measure_patient_id"] = study.study_id or ""
    patient_id = id_column.text_input(
        "Study patient ID (pseudonymous)", key="measure_patient_id", placeholder="e.g. DEMO-001",
        on_change=_typed, args=(token, index),
        help="The ID of this patient in the cohort file; never a name, a hospital number or "
             "a date. Taken from the study's folder when its name is such an ID.").strip()
    if study.folder_note and not patient_id:
        id_column.caption(f"Type the ID: {study.folder_note}.")
    c2 = series_column
    labels = [measure.series_label(s) for s in study.series]
    if len(study.series) == 1:
        c2.markdown(f"**Series:** {plain(labels[0])}")
        return patient_id, 0
    if st.session_state.get(SERIES_FOR_KEY) != (token, index):
        st.session_state[SERIES_FOR_KEY] = (token, index)
        st.session_state["measure_series"] = study.chosen if study.chosen is not None else 0
    chosen = c2.selectbox("Series", range(len(study.series)), format_func=labels.__getitem__,
                          key="measure_series",
                          help="By default the sagittal T1-weighted series: spin echo first, "
                               "then T1 FLAIR; never a localizer, a T2 or an axial series.")
    if study.chosen is None:
        c2.caption("No series of this study is a sagittal T1-weighted series: pick one to "
                   "measure on, knowing it is not what VBQ was validated on.")
    return patient_id, int(chosen)


def _flags_line(worklist: imaging.Worklist, series: imaging.Series) -> None:
    file_problems = list(worklist.problems) + list(series.problems)
    notes = [flag.title for flag in series.flags]
    if file_problems:
        notes.append(f"{len(file_problems)} file(s) not used or used with a remark")
    if notes:
        # one line that opens, so the image stays above the fold at 1280 x 800 (issue 16)
        with st.expander(f"Before measuring: {'; '.join(notes)}", icon=":material/flag:"):
            for flag in series.flags:
                st.warning(flag.message, icon=":material/flag:")
            _problem_table(file_problems)


# --- the viewer: a fragment, so a click reruns the image, the ROIs and the VBQ only -------------
# Slices are counted from 1 everywhere on screen (slider, captions, ROI table); the functions
# below take the series as an argument and hold its slice index (from 0) only internally.
# The fragment and every widget callback are given a `measure.SeriesRef`, never the series:
# Streamlit keeps them, with their arguments, in the session after its tab closes (issue 18).

def _slice_key(series: imaging.Series | measure.SeriesRef) -> str:
    return f"measure_slice_{series.fingerprint[:12]}"


def _slice_shown(series: imaging.Series | measure.SeriesRef) -> int:
    """The index (from 0) of the slice on screen."""
    return st.session_state.get(_slice_key(series), series.mid_slice + 1) - 1


def _clicked(series: measure.SeriesRef) -> None:
    """The image was clicked: centre the active ROI there, on the slice shown."""
    value = st.session_state.get(IMAGE_KEY)
    click = getattr(value, "click", None)
    if click is None and hasattr(value, "get"):
        click = value.get("click")
    if not click:
        return
    fp = series.fingerprint
    lv = st.session_state.get(ACTIVE_KEY) or "L1"
    old = measure.rois(fp).get(lv)
    radius = old.radius_mm if old else measure.DEFAULT_RADIUS_MM[lv]
    measure.set_roi(fp, lv, measure.Roi(_slice_shown(series), round(float(click["row"]), 2),
                                        round(float(click["col"]), 2), radius))


def _key_pressed() -> None:
    """A key chose the ROI to place (1-4: L1-L4, C: CSF) while the image had focus."""
    value = st.session_state.get(IMAGE_KEY)
    level = getattr(value, "level", None)
    if level is None and hasattr(value, "get"):
        level = value.get("level")
    if level in ROI_LEVELS:
        st.session_state[ACTIVE_KEY] = level


def _nudged(series: measure.SeriesRef, level: str, name: str, key: str) -> None:
    """A number input changed: move (or resize) that ROI; a centre typed before any click
    places the ROI on the slice shown."""
    fp = series.fingerprint
    value = st.session_state.get(key)
    old = measure.rois(fp).get(level)
    if value is None:
        return
    if old is None:
        _typed_centre(series, level, name, value)
        return
    fields = {"row": old.row, "col": old.col, "radius_mm": old.radius_mm}
    fields["radius_mm" if name == "radius" else name] = float(value)
    measure.set_roi(fp, level, measure.Roi(old.slice, **fields))


def _typed_centre(series: measure.SeriesRef, level: str, name: str, value: float) -> None:
    """Both coordinates typed for an ROI not placed yet: place it on the slice shown."""
    if name == "radius":
        return
    other = "col" if name == "row" else "row"
    other_value = st.session_state.get(f"measure_{other}_{level}_{series.fingerprint[:12]}")
    if other_value is None:
        return  # both coordinates are needed to place it
    row, col = (value, other_value) if name == "row" else (other_value, value)
    measure.set_roi(series.fingerprint, level,
                    measure.Roi(_slice_shown(series), float(row), float(col),
                                measure.DEFAULT_RADIUS_MM[level]))


def _place_reference(series: measure.SeriesRef, truth) -> None:
    for lv in ROI_LEVELS:
        r, c = truth.centres[lv]
        measure.set_roi(series.fingerprint, lv, measure.Roi(
            truth.mid_slice, float(r), float(c), float(truth.roi_radius_mm[lv])))


def _slice_and_window(series: imaging.Series) -> tuple[int, float, float]:
    """The slice slider (from 1 on screen) and the window; returns the slice index (from 0),
    window centre and width. The automatic window is the default when the file has none or
    its own leaves the bodies dark."""
    k = st.slider("Slice", 1, series.n_slices, value=series.mid_slice + 1,
                  key=_slice_key(series),
                  help=f"Counted from 1. Default: the middle slice ({series.mid_slice + 1}), the "
                       "mid-sagittal slice of a sagittal series.") - 1 if series.n_slices > 1 else 0
    if st.session_state.get(WINDOW_FOR_KEY) != series.fingerprint:  # a new series: its default
        st.session_state[WINDOW_FOR_KEY] = series.fingerprint
        dark = series.window is None or measure.file_window_is_dark(series)
        st.session_state[WINDOW_KEY] = WINDOWS[1] if dark else WINDOWS[0]
    wmode = st.radio("Window / level", WINDOWS, horizontal=True, key=WINDOW_KEY)
    if wmode == WINDOWS[0] and series.window is None:
        st.caption("The files carry no window; the automatic window is used.")
    auto = measure.auto_window(series, k) if wmode != WINDOWS[0] or not series.window \
        else imaging.default_window(series)
    if wmode != WINDOWS[2]:
        return k, auto.center, auto.width
    c1, c2 = st.columns(2)
    center = c1.number_input("Level (centre)", value=float(round(auto.center, 1)),
                             key="measure_wl_center")
    width = c2.number_input("Width", value=float(round(auto.width, 1)), min_value=1.0,
                            key="measure_wl_width")
    return k, center, width


def _roi_inputs(series: imaging.Series, active: str, k: int) -> None:
    """The active ROI's centre and radius as numbers, and its buttons."""
    fp = series.fingerprint[:12]
    roi = measure.rois(series.fingerprint).get(active)
    c1, c2, c3 = st.columns(3)
    for col, name, label, value, step, lo, hi in (
        (c1, "row", "Centre row", roi.row if roi else None, 1.0, 0.0, series.shape[1] - 1.0),
        (c2, "col", "Centre column", roi.col if roi else None, 1.0, 0.0, series.shape[2] - 1.0),
        (c3, "radius", "Radius (mm)" if series.spacing_mm else "Radius (pixels)",
         roi.radius_mm if roi else measure.DEFAULT_RADIUS_MM[active], 0.5, 0.5, 100.0),
    ):
        key = f"measure_{name}_{active}_{fp}"
        if roi is not None or name == "radius":
            if st.session_state.get(key) != value:
                st.session_state[key] = value
        elif key not in st.session_state:
            st.session_state[key] = None
        col.number_input(label, min_value=lo, max_value=hi, step=step, key=key, format="%.2f",
                         placeholder="click", on_change=_nudged,
                         args=(measure.ref(series), active, name, key))
    if roi is None:
        return
    st.button(f"Remove the {active} ROI", key="measure_remove", on_click=measure.set_roi,
              args=(series.fingerprint, active, None), width="stretch")
    if roi.slice != k:
        st.button(f"Move {active} to slice {k + 1}", key="measure_move", width="stretch",
                  on_click=measure.set_roi,
                  args=(series.fingerprint, active, measure.Roi(k, roi.row, roi.col,
                                                                roi.radius_mm)))


def _image(series: imaging.Series, k: int, center: float, width: float, active: str) -> None:
    """The slice under its window with the ROIs on it; a click centres the active ROI, keys
    1-4 and C choose it."""
    placed = measure.rois(series.fingerprint)
    row_mm, col_mm = measure.spacing(series)
    circles = [
        Circle(row=r.row, col=r.col, r_rows=r.radius_mm / row_mm, r_cols=r.radius_mm / col_mm,
               label=lv, colour=measure.COLOURS[lv], active=lv == active)
        for lv, r in placed.items() if r.slice == k
    ] + suggest.circles(series, k)
    # encoded once per slice and window: a click sends the circles, not a new image
    image_click(measure.slice_png(series, k, center, width), circles=circles, key=IMAGE_KEY,
                max_width=640, on_click=functools.partial(_clicked, measure.ref(series)),
                alt=f"Slice {k + 1} of {series.n_slices}", keys=LEVEL_KEYS,
                on_key=_key_pressed)
    others = [f"{lv} on slice {r.slice + 1}" for lv, r in placed.items() if r.slice != k]
    st.caption(f"Slice {k + 1} of {series.n_slices} · window {center:.0f}/{width:.0f} "
               "(display only; signal intensities are measured on the scanner's values, whatever "
               "the window)"
               + (f" · not on this slice: {', '.join(others)}" if others else ""))


def _roi_table(series: imaging.Series, results: dict, collapsed: list[str]) -> None:
    placed = measure.rois(series.fingerprint)
    if not placed:
        st.info("No ROI placed yet: choose L1 (or press 1 on the image) and click the middle of "
                "the L1 body; then L2-L4 and the CSF behind L3.", icon=":material/ads_click:")
        return
    missing = [lv for lv in ROI_LEVELS if lv not in placed]
    st.dataframe(measure.roi_frame(placed, results, collapsed), hide_index=True,
                 width="stretch", key="measure_roi_table", column_config={
                     "centre row": st.column_config.NumberColumn(format="%.1f"),
                     "centre column": st.column_config.NumberColumn(format="%.1f"),
                     "radius (mm)": st.column_config.NumberColumn(format="%.1f"),
                     "mean SI": st.column_config.NumberColumn(format="%.1f"),
                     "median SI": st.column_config.NumberColumn(format="%.1f"),
                     "SD": st.column_config.NumberColumn(format="%.1f"),
                 })
    if missing:
        st.caption(f"Not placed yet: {', '.join(missing)}.")


def _vbq_metrics(measured: imaging.MeasuredVBQ, truth) -> None:
    m1, m2, m3 = st.columns(3)
    m1.metric("VBQ", "—" if np.isnan(measured.vbq) else f"{measured.vbq:.2f}")
    m2.metric("Levels used", measured.n_levels)
    m3.metric("CSF SI", "—" if np.isnan(measured.si_csf) else f"{measured.si_csf:.1f}")
    if measured.message:
        st.caption(f"No VBQ yet: {measured.message}")
    if truth is not None:
        st.caption(f"Phantom truth: VBQ {truth.vbq:.3f}, CSF SI {truth.si_csf:.1f}.")


@st.fragment
def _viewer(held: measure.SeriesRef, truth, reading: Reading) -> None:
    """Slice, window, the image with its ROIs, the ROI inputs, the live statistics and VBQ,
    and saving the reading (`reading`). Given a reference, not
    the series: Streamlit keeps a fragment's arguments after the tab closes (issue 18)."""
    series = measure.resolve(held)
    if series is None:  # the session's images were released (its tab closed and came back)
        st.rerun(scope="app")
    left, right = st.columns([3, 2], gap="large")
    # the reading's clicks beside the image, at the top of the side column (the vertebra's
    # level, Accept, Save and next): no scroll between them at 1280 x 800 (issue 19)
    choose, actions, vbq_box, controls = (right.container() for _ in range(4))
    with controls:
        k, center, width = _slice_and_window(series)
    with choose:
        active = st.segmented_control("ROI to place (keys 1-4, C on the image)", ROI_LEVELS,
                                      default="L1", key=ACTIVE_KEY) or "L1"
        st.caption(f"Click on the image to centre the {active} ROI on slice {k + 1}.")
    with actions:
        suggest.panel(series, k, active)
        _reading_actions(series, reading)
    with controls:
        _roi_inputs(series, active, k)
        suggest.options(series)
        if truth is not None:
            st.button("Place the phantom's reference ROIs", key="measure_reference",
                      help="The phantom's true centres and radii, as it was drawn.",
                      on_click=_place_reference, args=(held, truth))
        collapsed = st.multiselect("Collapsed (fractured) levels, left out of the VBQ",
                                   vbq.schema.LEVELS, key="measure_collapsed")
        csf_level = st.selectbox("CSF ROI level", vbq.schema.CSF_LEVELS,
                                 index=vbq.schema.CSF_LEVELS.index("L3"), key="measure_csf_level",
                                 help="L3 by default (the paper); an adjacent level when the canal "
                                      "at L3 is obstructed.")
    with left:
        _image(series, k, center, width, active)
    results = measure.roi_results(series, measure.rois(series.fingerprint))
    _roi_table(series, results, collapsed)
    stats = {lv: r for lv, r in results.items() if isinstance(r, imaging.RoiStats)}
    with vbq_box:
        _vbq_metrics(imaging.measure_vbq(stats, collapsed=collapsed, csf_level=csf_level), truth)



# --- saving ------------------------------------------------------------------------------------

def _open_store():
    """The measurement database, or None with the reason (the viewer works without it). Its
    counts, choices and capped lists are cached under its generation (`ui.cache.CachedStore`):
    a rerun that changed nothing in the database asks it for the generation only."""
    try:
        return cache.CachedStore(measure.get_store()), None
    except vbq.InputError as exc:
        return None, plain(exc)


def _worklist_readings(store, patient_ids) -> pd.DataFrame:
    """The stored readings (one row each: patient, observer, session, series flags) of these
    patients only, for the worklist's statuses and the blinding: never the whole database."""
    ids = sorted({p for p in patient_ids if p})
    if store is None or not ids:
        return pd.DataFrame(columns=["patient_id", "observer", "session", "series_flags"])
    try:
        return store.readings(patient_id=ids)
    except vbq.InputError as exc:  # a damaged database file or a lock held too long: said
        st.error(plain(exc))
        st.stop()


def _save(store, series, placed, results, *, patient_id, observer, session, collapsed,
          csf_level, blind) -> bool:
    """Save the reading; True when it was saved (each refusal is shown)."""
    missing = [lv for lv in ROI_LEVELS
               if not isinstance(results.get(lv), imaging.RoiStats) and lv not in collapsed]
    allowed = access.check("save", [observer])
    if not allowed:
        st.error(allowed.reason)
        return False
    if not patient_id or not observer:
        st.error("Enter the study patient ID and the observer before saving.")
        return False
    if missing:
        st.error(f"Place (inside the image) every ROI before saving; missing: {', '.join(missing)}."
                 " A collapsed level may be left unplaced.")
        return False
    # each ROI with how it was placed: suggested, suggested then moved, or by hand (ui.suggest)
    records = suggest.with_sources(series, measure.measurement_records(
        series, placed, results, patient_id=patient_id, observer=observer, session=session,
        collapsed=collapsed, csf_level=csf_level, blinded=bool(blind and blind.blinded)))
    try:
        saved = store.save(records)
    except vbq.InputError as exc:
        st.error(f"Not saved: {plain(exc)}")
        return False
    measure.mark_saved(series.fingerprint, observer, session)
    st.session_state[FLASH_KEY] = (f"Saved for {plain(patient_id)}, observer {plain(observer)}, "
                                   f"session {session}: {saved.summary()}"
                                   + (" (read blind)." if blind and blind.blinded else "."))
    return True


@dataclasses.dataclass(frozen=True)
class Reading:
    """What saving the reading shown needs besides its series: small values only, as the
    viewer fragment keeps it with the session (issue 18)."""

    token: tuple  # (upload token, observer, session): where the reader is
    order: tuple[int, ...]  # the reading order of the worklist
    index: int  # the study shown
    patient_id: str
    observer: str
    session: int
    blind: object  # vbq.measurements.blinding's result, or None
    progress: str | None  # "1 of 3 read (observer AB, session 1)" for a worklist
    fraction: float = 0.0
    problem: str | None = None  # why it cannot be saved (the study ID another study has)


def _reading_actions(series: imaging.Series, reading: Reading) -> None:
    """Save (and next), previous and next, and the worklist's progress, beside the image."""
    if reading.problem:
        st.error(reading.problem)
    store, _ = _open_store()  # without one, the reason is said under the image
    can_save = store is not None and not reading.problem
    order, position = reading.order, reading.order.index(reading.index)
    many = len(order) > 1
    b1, b2 = st.columns(2)
    save = can_save and b1.button("Save the ROIs", type="secondary" if many else "primary",
                                  key="measure_save", width="stretch")
    save_next = many and can_save and b2.button(
        "Save and next", key="measure_save_next", width="stretch", type="primary",
        icon=":material/skip_next:", disabled=position == len(order) - 1)
    if many:
        n1, n2 = st.columns(2)
        previous = n1.button("Previous", key="measure_previous", disabled=position == 0,
                             width="stretch", icon=":material/arrow_back:")
        following = n2.button("Next", key="measure_next", width="stretch",
                              disabled=position == len(order) - 1,
                              icon=":material/arrow_forward:", help="Without saving")
        st.progress(reading.fraction, text=reading.progress)
        if previous or following:
            _go(reading.token, order, -1 if previous else 1)
            st.rerun(scope="app")
    if (save or save_next) and _save_reading(store, series, reading):
        if save_next:
            _go(reading.token, order, 1)
        st.rerun(scope="app")  # the worklist, the blinding and the stored readings as saved
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)


def _save_reading(store, series: imaging.Series, reading: Reading) -> bool:
    placed = measure.rois(series.fingerprint)
    return _save(store, series, placed, measure.roi_results(series, placed),
                 patient_id=reading.patient_id, observer=reading.observer,
                 session=reading.session,
                 collapsed=st.session_state.get("measure_collapsed") or [],
                 csf_level=st.session_state.get("measure_csf_level") or "L3",
                 blind=reading.blind)


def _id_problem(worklist: imaging.Worklist, index: int, patient_id: str) -> str | None:
    """Why the study ID typed cannot be saved (another study of the worklist has it)."""
    if patient_id and imaging.study_id_problem(patient_id) is None:
        try:
            worklist.with_study_ids({index: patient_id})
        except vbq.InputError as exc:
            return plain(exc)
    return None


def _save_section(store, store_error, series, blind) -> None:
    """Where readings are saved, and what goes with this one (the buttons are beside the
    image, `_reading_actions`)."""
    st.subheader("Save to the measurement database")
    if store is None:
        st.error(store_error)
        st.stop()
    access.banner()
    _, where = measure.database_source()
    st.caption(f"Readings are saved in the lab's measurement database "
               f"({measure.database_kind(store)}; from {where}).")
    st.warning("On Streamlit Community Cloud the disk is ephemeral: the database file is lost "
               "when the app restarts or sleeps. Export the measurements as CSV to keep them, "
               "and import the CSV to carry on.", icon=":material/save:")
    save_flags = vbq.measurements.series_provenance(series)["series_flags"]
    if save_flags:
        st.warning(f"This reading is saved with its series' flags: "
                   f"{vbq.measurements.describe_flags(save_flags)}. They go with it into the "
                   "database and the CSV, and the analysis marks it (or leaves it out, if you "
                   "choose).", icon=":material/flag:")
    if blind is not None and blind.blinded:
        st.info(blind.summary() + " It is saved as a blinded reading.",
                icon=":material/visibility_off:")


# --- what is stored ------------------------------------------------------------------------------

def _stored_section(store, patient_id: str, blind) -> int:
    """Stored readings (counts, at most `ui.history.SHOWN` of them: the patient being measured
    or a search), their export, import, deletion and history; while a reading is blind, every
    other reading of its patient is left out of all of them and the exports are disabled.
    Returns how many ROI rows are stored."""
    hidden = blind.patient_id if blind is not None and blind.blinded else None
    try:
        return history.stored_section(store, patient_id, hidden=hidden)
    except vbq.InputError as exc:  # a damaged database file or a lock held too long: said
        st.error(plain(exc))
        st.stop()


# --- into the analysis ---------------------------------------------------------------------------

def _analysis_section(store, n_stored: int, hidden: str | None) -> None:
    st.subheader("Use the measurements in the analysis")
    dataset = measure.base_dataset()
    current = get_dataset()
    if not n_stored:
        st.info("Save or import measurements to analyse them with the cohort.")
        return
    combine = st.radio("Readings to analyse", list(COMBINES), format_func=COMBINES.get,
                       horizontal=True, key="measure_use_combine",
                       help="The paper analysed one reading per patient. The mean averages "
                            "every chosen reading level by level.")
    obs_arg, sess_arg = _choice(store, combine)
    # (the blinded patient's flagged readings are not listed, but may still be left out)
    any_flagged = history.flagged_section(store, hidden=hidden) or (
        hidden is not None and store.count_readings(flagged=True))
    exclude = st.checkbox("Leave out readings measured on a flagged series",
                          key="measure_use_unflagged", disabled=not any_flagged,
                          help="Flags: inversion recovery (T1 FLAIR) or another sequence VBQ "
                               "was not validated on, lossy compression, not sagittal, ...")
    st.caption(f"Measured SIs replace the SI columns of the measured patients of "
               f"{plain(dataset.name)}; the others keep their spreadsheet values.")
    b1, b2 = st.columns(2)
    if b1.button("Use these measurements", type="primary", key="measure_use"):
        try:
            measure.use_measurements(store, obs_arg, sess_arg, exclude)
        except vbq.InputError as exc:
            st.error(plain(exc))
        else:
            binding.write_url()
            st.rerun()
    if current.measurements and b2.button("Stop using measurements", key="measure_stop"):
        measure.stop_using_measurements()
        binding.write_url()
        st.rerun()
    if current.measurements:
        _in_use(current)


COMBINES = {"primary": "One primary reading (as the paper)", "mean": "Mean of the readings"}


def _choice(store, combine: str) -> tuple[str | None, int | None]:
    observers = store.observers()
    u1, u2 = st.columns(2)
    if combine == "primary":
        obs_arg = u1.selectbox("Observer", observers, key="measure_use_obs")
        own = store.sessions(observer=obs_arg)
        sess_arg = int(u2.selectbox("Session", own, key="measure_use_sess",
                                    format_func=lambda s: f"Session {s}"))
        st.caption(f"Each patient's SIs are those of observer {plain(obs_arg)}'s reading in "
                   f"session {sess_arg}. A patient without that reading keeps the spreadsheet's "
                   "SIs, if any: no other observer's or session's reading is used in its place.")
        return obs_arg, sess_arg
    sessions = store.sessions()
    obs_choice = u1.selectbox("Observer", [measure.ALL_OBSERVERS, *observers],
                              key="measure_use_mean_obs",
                              format_func=lambda o: "All observers"
                              if o == measure.ALL_OBSERVERS else o)
    sess_choice = u2.selectbox("Session", [measure.MEAN_SESSIONS, *sessions],
                               key="measure_use_mean_sess",
                               format_func=lambda s: "All sessions"
                               if s == measure.MEAN_SESSIONS else f"Session {s}")
    obs_arg = None if obs_choice == measure.ALL_OBSERVERS else obs_choice
    sess_arg = None if sess_choice == measure.MEAN_SESSIONS else int(sess_choice)
    if obs_arg is not None and sess_arg is not None:
        st.caption("One observer in one session is one reading: the same as the primary "
                   "reading.")
    else:
        st.caption("Each level's SI is the mean of the chosen readings' ROIs (the CSF too, even "
                   "when they were placed at different levels); a level marked collapsed in any "
                   "one reading is left out for all; patients may be averaged over different "
                   "numbers and mixes of readings.")
    return obs_arg, sess_arg


def _in_use(current) -> None:
    st.success(f"Every page now analyses **{plain(current.name)}**.")
    report = st.session_state.get(measure.MERGE_REPORT_KEY)
    if report is None:
        return
    if report.flagged:
        st.warning(f"{len(report.flagged)} measured patient(s) in use were read on a "
                   "flagged series (see the table); tick the box above and use the "
                   "measurements again to leave them out.", icon=":material/flag:")
    st.text(report.summary())
    st.dataframe(report.to_frame().rename(columns={
        "patient_id": "patient", "in_cohort": "in the cohort", "measured": "measured",
        "si_source": "SIs from", "readings": "readings combined",
        "series_flags": "series flags", "field_strength_t": "field (T)",
        "scanner": "scanner", "sequence": "sequence"}), hide_index=True, width="stretch",
        key="measure_merge_table", column_config={
            c: st.column_config.Column(width="small") for c in (
                "patient", "in the cohort", "measured", "SIs from", "readings combined")})


# --- the page ------------------------------------------------------------------------------------

def _main() -> None:
    # one line above the image: the study, the reader, the files (folded once loaded)
    a1, a2, a3, a4 = st.columns([1.9, 1.25, 1.35, 1.7], vertical_alignment="bottom")
    observer, session = _reader(a2, a3)
    worklist, token, truth = _images(a4)
    worklist = _with_typed_ids(worklist, token)
    viewer, details = st.container(), st.container()  # the image first, the study's details under it
    # the study ID on the top line when there is no worklist to choose from, else under it
    c_id, c_series = details.columns([1.2, 2.8])
    if len(worklist) < 2:
        c_id = a1
    store, store_error = _open_store()
    ids = [s.study_id for s in worklist]
    statuses = vbq.measurements.reading_status(_worklist_readings(store, ids), ids,
                                               observer=observer, session=session)
    order, seed = _order(worklist, observer, session)
    reading = (*token, observer, session)  # where the reader is, per worklist and reading
    index = _worklist_panel(worklist, reading, order, statuses, a1)
    patient_id, series_index = _study_header(c_id, c_series, worklist, token, index)
    try:
        series = measure.decoded_series(token, worklist, index, series_index)
    except vbq.InputError as exc:  # every file of the series undecodable: say so, by file
        st.error(f"This series could not be shown: {plain(exc)}")
        _problem_table(getattr(exc, "problems", ()))
        st.stop()
    # blinding: ROIs saved as another reading of this series are not shown, and while this
    # reading is not saved every other reading of the patient is hidden below
    measure.forget_other_readings(series.fingerprint, observer, session)
    blind = (vbq.measurements.blinding(_worklist_readings(store, [patient_id]), patient_id,
                                       observer=observer, session=session)
             if patient_id else None)
    with details:
        _notices(worklist, series, truth, seed, blind)
    with viewer:
        _viewer(measure.ref(series), truth, _reading(
            worklist, reading, order, index, statuses, patient_id, observer, session,
            blind))
    _save_section(store, store_error, series, blind)
    _worklist_table(worklist, order, statuses)
    n_stored = _stored_section(store, patient_id, blind)
    _analysis_section(store, n_stored, blind.patient_id if blind and blind.blinded else None)


def _reading(worklist, token, order, index, statuses, patient_id, observer, session,
             blind) -> Reading:
    """What the viewer's save and worklist buttons need."""
    n_read = sum(s != "not read" for s in statuses)
    who = f"observer {plain(observer)}, session {session}" if observer else f"session {session}"
    return Reading(token, order, index, patient_id, observer, session, blind,
                   progress=f"{n_read} of {len(worklist)} read ({who})",
                   fraction=n_read / len(worklist),
                   problem=_id_problem(worklist, index, patient_id))


def _notices(worklist, series, truth, seed, blind) -> None:
    """Under the image: the series' flags (one line that opens), the blinding, the phantom,
    the repeat session's order and how to measure."""
    _flags_line(worklist, series)
    if blind is not None and blind.blinded:
        st.info(blind.summary(), icon=":material/visibility_off:")
    if truth is not None:
        st.info("**Synthetic phantom**, drawn by seeded code with known SIs and VBQ; nobody's "
                "images.", icon=":material/science:")
    if seed is not None:
        st.caption(f"Repeat session: the studies come in a shuffled order (seed {seed}, drawn "
                   f"from the observer and the session number, so the same order comes back).")
    st.caption(HOW_TO)


_main()
