"""MRI measurement page: load a sagittal T1 series (the synthetic phantom by default, or uploaded
DICOM), click to place the L1-L4 and CSF ROIs, read their statistics and the VBQ live, save the
readings to the measurement database, and put the measurements into the analysis.

Every number comes from `vbq.imaging` (ROI statistics, VBQ through `vbq.compute_vbq`) and
`vbq.measurements` (the database, CSV, the merge into the cohort); this page reads widgets and
shows results. Uploaded files stay in this session's memory (`ui.measure`)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

import vbq
from ui import access, binding, history, measure
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
LEVEL_KEYS = {"1": "L1", "2": "L2", "3": "L3", "4": "L4", "C": "CSF"}

st.title("MRI measurement")
st.caption("Click to place circular ROIs on the mid-sagittal T1 slice: the L1-L4 vertebral bodies "
           "and the CSF behind L3 (an adjacent level if obstructed). VBQ = median SI of L1-L4 / "
           "SI of CSF (Ehresman et al. 2020), computed as for a spreadsheet patient.")

# --- the series ------------------------------------------------------------------------------

head_left, head_right = st.columns([2, 3], vertical_alignment="center")
source = head_left.radio("Images", SOURCES, horizontal=True, key="measure_source")
truth = None
if source == SOURCES[0]:
    study, truth = measure.phantom()
    head_right.info("**Synthetic phantom**, drawn by seeded code with known SIs "
                    "and VBQ; nobody's images.", icon=":material/science:")
else:
    folder = head_right.toggle("Upload a whole folder (a DICOM series as exported)",
                               key="measure_folder")
    files = st.file_uploader(
        "DICOM folder" if folder else "DICOM files of one study, or one zip of them",
        accept_multiple_files="directory" if folder else True,
        key="measure_upload_folder" if folder else "measure_upload",
        help="Files are read in memory and kept in your session only; identifiers (names, IDs, "
             "dates, institutions) are dropped as they are read and never shown or stored.")
    if not files:
        st.info("Upload the DICOM files of a sagittal T1 lumbar series (several files or one "
                "zip), or choose the synthetic phantom.")
        st.stop()
    try:
        study = measure.uploaded_study(files)
    except vbq.InputError as exc:
        st.error(f"No image could be loaded: {plain(exc)}")
        problems = getattr(exc, "problems", ())
        if problems:
            st.dataframe(pd.DataFrame([{"file": p.file, "problem": p.message} for p in problems]),
                         hide_index=True, width="stretch")
        st.stop()

labels = [measure.series_label(s) for s in study]
index = 0
if len(study) > 1:
    preferred = study.preferred_series()
    index = st.selectbox("Series", range(len(study)), format_func=labels.__getitem__,
                         index=preferred[0] if preferred else 0, key="measure_series",
                         help="By default the sagittal T1-weighted series: spin echo first, "
                              "then T1 FLAIR; never a localizer, a T2 or an axial series.")
series = study[index]
if len(study) == 1:  # else the select box above shows the same line
    st.markdown(f"**Series:** {plain(labels[index])}")
file_problems = list(study.problems) + list(series.problems)
notes = [flag.title for flag in series.flags]
if file_problems:
    notes.append(f"{len(file_problems)} file(s) not used or used with a remark")
if notes:
    # one line that opens, so the image stays above the fold at 1280 x 800 (issue 16)
    with st.expander(f"Before measuring: {'; '.join(notes)}", icon=":material/flag:"):
        for flag in series.flags:
            st.warning(flag.message, icon=":material/flag:")
        if file_problems:
            st.dataframe(pd.DataFrame([{"file": p.file, "what happened": p.message,
                                        "kind": p.severity} for p in file_problems]),
                         hide_index=True, width="stretch")


# --- the viewer: a fragment, so a click reruns the image, the ROIs and the VBQ only -------------
# Slices are counted from 1 everywhere on screen (slider, captions, ROI table); the functions
# below take the series as an argument and hold its slice index (from 0) only internally.

def _slice_key(series: imaging.Series) -> str:
    return f"measure_slice_{series.fingerprint[:12]}"


def _slice_shown(series: imaging.Series) -> int:
    """The index (from 0) of the slice on screen."""
    return st.session_state.get(_slice_key(series), series.mid_slice + 1) - 1


def _clicked(series: imaging.Series) -> None:
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


def _nudged(series: imaging.Series, level: str, name: str, key: str) -> None:
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


def _typed_centre(series: imaging.Series, level: str, name: str, value: float) -> None:
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


def _place_reference(series: imaging.Series, truth) -> None:
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
                         args=(series, active, name, key))
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
    ]
    # encoded once per slice and window: a click sends the circles, not a new image
    image_click(measure.slice_png(series, k, center, width), circles=circles, key=IMAGE_KEY,
                max_width=640, on_click=functools.partial(_clicked, series), alt=f"Slice {k + 1} of {series.n_slices}",
                keys=LEVEL_KEYS, on_key=_key_pressed)
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
def _viewer(series: imaging.Series, truth) -> None:
    """Slice, window, the image with its ROIs, the ROI inputs, the live statistics and VBQ."""
    left, right = st.columns([3, 2], gap="large")
    vbq_box = right.container()
    with right:
        k, center, width = _slice_and_window(series)
        active = st.segmented_control("ROI to place (keys 1-4, C on the image)", ROI_LEVELS,
                                      default="L1", key=ACTIVE_KEY) or "L1"
        st.caption(f"Click on the image to centre the {active} ROI on slice {k + 1}.")
        _roi_inputs(series, active, k)
        if truth is not None:
            st.button("Place the phantom's reference ROIs", key="measure_reference",
                      help="The phantom's true centres and radii, as it was drawn.",
                      on_click=_place_reference, args=(series, truth))
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


_viewer(series, truth)
fp = series.fingerprint
placed = measure.rois(fp)
results = measure.roi_results(series, placed)
stats = {lv: r for lv, r in results.items() if isinstance(r, imaging.RoiStats)}
collapsed = st.session_state.get("measure_collapsed") or []
csf_level = st.session_state.get("measure_csf_level") or "L3"

# --- the database ----------------------------------------------------------------------------

st.subheader("Save to the measurement database")
try:
    store = measure.get_store()
except vbq.InputError as exc:
    st.error(plain(exc))
    st.stop()
access.banner()
_, where = measure.database_source()
st.caption(f"Readings are saved in the lab's measurement database "
           f"({measure.database_kind(store)}; from {where}).")
st.warning("On Streamlit Community Cloud the disk is ephemeral: the database file is lost when "
           "the app restarts or sleeps. Export the measurements as CSV to keep them, and import "
           "the CSV to carry on.", icon=":material/save:")
c1, c2, c3 = st.columns(3)
patient_id = c1.text_input("Study patient ID (pseudonymous)", key="measure_patient_id",
                           placeholder="e.g. DEMO-001",
                           help="The ID of this patient in the cohort file; never a name, a "
                                "hospital number or a date.").strip()
observer = access.observer_field(c2)  # the signed-in person's code where sign-in is set up
session = c3.number_input("Session (repeat number)", min_value=1, max_value=1000, value=1,
                          step=1, key="measure_session")
missing = [lv for lv in ROI_LEVELS if lv not in stats and lv not in collapsed]
save_flags = vbq.measurements.series_provenance(series)["series_flags"]
if save_flags:
    st.warning(f"This reading is saved with its series' flags: "
               f"{vbq.measurements.describe_flags(save_flags)}. They go with it into the "
               "database and the CSV, and the analysis marks it (or leaves it out, if you "
               "choose).", icon=":material/flag:")
if st.button("Save the ROIs", type="primary", key="measure_save"):
    allowed = access.check("save", [observer])
    if not allowed:
        st.error(allowed.reason)
    elif not patient_id or not observer:
        st.error("Enter the study patient ID and the observer before saving.")
    elif missing:
        st.error(f"Place (inside the image) every ROI before saving; missing: {', '.join(missing)}."
                 " A collapsed level may be left unplaced.")
    else:
        records = measure.measurement_records(series, placed, results, patient_id=patient_id,
                                              observer=observer, session=int(session),
                                              collapsed=collapsed, csf_level=csf_level)
        try:
            saved = store.save(records)
        except vbq.InputError as exc:
            st.error(f"Not saved: {plain(exc)}")
        else:
            st.success(f"Saved for {plain(patient_id)}, observer {plain(observer)}, session "
                       f"{int(session)}: {saved.summary()}.")

n_stored = history.stored_section(store, patient_id)

# --- into the analysis -----------------------------------------------------------------------

st.subheader("Use the measurements in the analysis")
dataset = measure.base_dataset()
current = get_dataset()
if not n_stored:
    st.info("Save or import measurements to analyse them with the cohort.")
    st.stop()
COMBINES = {"primary": "One primary reading (as the paper)", "mean": "Mean of the readings"}
combine = st.radio("Readings to analyse", list(COMBINES), format_func=COMBINES.get,
                   horizontal=True, key="measure_use_combine",
                   help="The paper analysed one reading per patient. The mean averages every "
                        "chosen reading level by level.")
observers = store.observers()
u1, u2 = st.columns(2)
if combine == "primary":
    obs_arg = u1.selectbox("Observer", observers, key="measure_use_obs")
    own = store.sessions(observer=obs_arg)
    sess_arg = int(u2.selectbox("Session", own, key="measure_use_sess",
                                format_func=lambda s: f"Session {s}"))
    st.caption(f"Each patient's SIs are those of observer {plain(obs_arg)}'s reading in session "
               f"{sess_arg}. A patient without that reading keeps the spreadsheet's SIs, if any: "
               "no other observer's or session's reading is used in its place.")
else:
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
n_flagged = history.flagged_section(store)
exclude = st.checkbox("Leave out readings measured on a flagged series",
                      key="measure_use_unflagged", disabled=not n_flagged,
                      help="Flags: inversion recovery (T1 FLAIR) or another sequence VBQ was not "
                           "validated on, lossy compression, not sagittal, ...")
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
    st.success(f"Every page now analyses **{plain(current.name)}**.")
    report = st.session_state.get(measure.MERGE_REPORT_KEY)
    if report is not None:
        if report.flagged:
            st.warning(f"{len(report.flagged)} measured patient(s) in use were read on a "
                       "flagged series (see the table); tick the box above and use the "
                       "measurements again to leave them out.", icon=":material/flag:")
        st.text(report.summary())
        st.dataframe(report.to_frame().rename(columns={
            "patient_id": "patient", "in_cohort": "in the cohort", "measured": "measured",
            "si_source": "SIs from", "readings": "readings combined",
            "series_flags": "series flags", "field_strength_t": "field (T)",
            "scanner": "scanner"}), hide_index=True, width="stretch",
            key="measure_merge_table", column_config={
                c: st.column_config.Column(width="small") for c in (
                    "patient", "in the cohort", "measured", "SIs from", "readings combined")})
