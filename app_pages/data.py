"""Data page: choose the demo or upload a cohort and a DXA file, fix the column mapping, read the
validation report, preview the tables, the exclusion log and a cohort summary."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

import vbq
from ui import binding, cache, display, page
from ui.sidebar import dataset_banner
from ui.state import demo_dataset, set_dataset, uploaded_dataset
from vbq import present

TEMPLATES = vbq.demo.TEMPLATES  # package data (importlib.resources), found when installed too
SOURCES = ("Synthetic demo cohort", "Upload my files")
IGNORE = "(ignore)"
KINDS = {"cohort": "Cohort file", "dxa": "DXA file"}
# Rows of each table shown in the preview (the downloads hold every row). A comment, not a
# docstring: Streamlit's magic would show a bare string literal on the page.
PREVIEW_ROWS = 1_000
# Up to this many rows the exclusion log is a static table whose reasons wrap (read in full at
# 1280 px); a longer one is a grid (a static table renders every cell, a grid only those in view).
LOG_STATIC_ROWS = 500

# the banner comes below the choice of data source, above the dataset it describes; every change
# of dataset below (set_dataset) is followed by a rerun, so `dataset` is the one in use throughout
dataset, settings = page.start("Data", banner=False)


def _mapping_key(kind: str) -> str:
    return f"data_mapping_{kind}"


def _read(kind: str, upload) -> tuple[pd.DataFrame, vbq.io.ValidationReport] | None:
    """Read one uploaded file through the cache, with its sheet choice and mapping overrides."""
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    sheet = None
    overrides = st.session_state.get(_mapping_key(kind), {}).get(digest, {})
    version = hashlib.sha256(repr(sorted(overrides.items())).encode()).hexdigest()[:8]
    try:
        sheets = cache.sheets_of(digest, upload.name, data)
        if len(sheets) > 1:
            sheet = st.selectbox("Sheet", sheets, key=f"data_sheet_{kind}")
        table, report = cache.read_upload(digest, upload.name, kind, sheet,
                                          tuple(sorted(overrides.items())), data)
    except vbq.InputError as exc:
        st.error(display.plain(exc))
        return None
    _mapping_editor(kind, digest, version, report)
    return table, report


def _mapping_editor(kind: str, digest: str, version: str,
                    report: vbq.io.ValidationReport) -> None:
    columns = vbq.schema.COHORT_COLUMNS if kind == "cohort" else vbq.schema.DXA_COLUMNS
    options = [IGNORE] + [c.name for c in columns]
    # file order, so a row keeps its index when a mapping changes (the editor's edit state is
    # by row index)
    headers = [h for h in report.headers if h in report.mapping or h in report.unmapped]
    if not headers:
        return
    frame = pd.DataFrame({
        "file column": headers,
        "maps to": [report.mapping.get(h, IGNORE) for h in headers],
    })
    with st.expander(f"Column mapping ({len(report.mapping)} recognised, "
                     f"{len(report.unmapped)} ignored)", expanded=bool(report.unmapped)):
        edited = st.data_editor(
            frame,
            # a new key once a change is applied: the editor starts clean from the new mapping
            key=f"data_mapping_editor_{kind}_{digest[:12]}_{version}",
            hide_index=True,
            disabled=["file column"],
            column_config={"maps to": st.column_config.SelectboxColumn(options=options,
                                                                        required=True)},
            width="stretch",
        )
        changed = {
            h: (None if new == IGNORE else new)
            for h, old, new in zip(frame["file column"], frame["maps to"], edited["maps to"],
                                   strict=True)
            if new != old
        }
        if changed:
            store = st.session_state.setdefault(_mapping_key(kind), {})
            store.setdefault(digest, {}).update(changed)
            st.rerun()


def _show_report(report: vbq.io.ValidationReport) -> None:
    if report.errors:
        st.error(f"**{display.plain(report.source)}**: {len(report.errors)} error(s) block the "
                 "analysis. Fix them in the file (or the mapping) and upload it again.")
    elif report.warnings:
        st.warning(f"**{display.plain(report.source)}**: read {report.n_rows} rows with "
                   f"{len(report.warnings)} warning(s).")
    else:
        st.success(f"**{display.plain(report.source)}**: read {report.n_rows} rows, no problems "
                   "found.")
    # the problems themselves are listed below both files, at full width (`_upload_section`)


def _problems(problems) -> None:
    """Problems in full at 1280 px: a wrapping table, or a grid with a wide message column when
    there are many."""
    display.show_table(present.problems_table(problems), grid=len(problems) > 50, height=420,
                       column_config={"Problem": st.column_config.TextColumn(width="large")})


def _upload_section() -> None:
    st.markdown(
        "Upload a **cohort** file (one row per patient: demographics, MRI signal intensities, "
        "degeneration grades, Modic) and a **DXA** file (BMD and T-scores), as CSV or XLSX, "
        "joined on `patient_id`. Columns are recognised by name and common synonyms (the data "
        "dictionary below lists them all); rows are numbered as in your spreadsheet."
    )
    with st.expander("Data dictionary"):
        st.markdown(vbq.schema.data_dictionary_markdown())
    _templates()
    read, uploads = _uploads()
    if read["cohort"] is None or read["dxa"] is None:
        if dataset.is_demo:
            st.info("Upload both files to analyse them. The demo cohort stays in use until then.")
        else:
            st.info(f"In use: {display.plain(dataset.description)}. Upload both files again to "
                    "replace them.")
        return
    _use_uploads(read, uploads)


def _templates() -> None:
    """Download buttons for the empty templates."""
    tcols = st.columns(3)
    for col, fname, label in zip(
        tcols,
        ("cohort_template.csv", "dxa_template.csv", "vbq_template.xlsx"),
        ("Cohort template (CSV)", "DXA template (CSV)", "Both templates (XLSX)"),
        strict=True,
    ):
        path = TEMPLATES / fname
        if path.is_file():
            col.download_button(label, path.read_bytes(), file_name=fname,
                                key=f"data_template_{fname}")


def _uploads() -> tuple[dict, dict]:
    """The two file uploaders side by side, each file read and its report shown; then every
    problem at full width. Returns (kind -> (table, report) or None, kind -> upload)."""
    read: dict[str, tuple[pd.DataFrame, vbq.io.ValidationReport] | None] = {}
    uploads: dict = {}
    for col, kind in zip(st.columns(2), KINDS, strict=True):
        with col:
            st.subheader(KINDS[kind])
            upload = st.file_uploader(KINDS[kind], type=["csv", "tsv", "txt", "xlsx"],
                                      key=f"data_upload_{kind}", label_visibility="collapsed")
            read[kind] = _read(kind, upload) if upload is not None else None
            uploads[kind] = upload
            if read[kind] is not None:
                _show_report(read[kind][1])
    listed = [p for r in read.values() if r is not None for p in r[1].problems]
    if listed:  # full width, so every message is readable at 1280 px
        _problems(listed)
    return read, uploads


def _use_uploads(read: dict, uploads: dict) -> None:
    """Both files read: check them against each other and, when they are new, put them in use."""
    (cohort, creport), (dxa, dreport) = read["cohort"], read["dxa"]
    if not (creport.ok and dreport.ok):
        st.info("Until the errors are fixed, the analysis below still uses "
                + ("the synthetic demo cohort." if dataset.is_demo
                   else f"**{display.plain(dataset.name)}**."))
        return
    cross = vbq.io.cross_check(cohort, dxa, cohort_name=creport.source, dxa_name=dreport.source,
                               cohort_rows=creport.rows, dxa_rows=dreport.rows)
    if cross:
        n_cohort_only = len(set(cohort["patient_id"].dropna()) - set(dxa["patient_id"].dropna()))
        st.warning(f"{len(cross)} patient ID(s) appear in only one file: {n_cohort_only} in the "
                   f"cohort file only (excluded from the analysis) and "
                   f"{len(cross) - n_cohort_only} in the DXA file only (not cohort patients). "
                   "Both are listed in the exclusion log below.")
        _problems(cross)
    new = uploaded_dataset(cohort, dxa, cohort_file=creport.source, dxa_file=dreport.source,
                           problems=tuple(creport.problems + dreport.problems + cross),
                           files=tuple((u.name, u.getvalue()) for u in uploads.values()))
    # the files themselves decide, not only their content: the demo's own files uploaded are
    # "your data" too, under their names
    if (dataset.is_demo, dataset.digest, dataset.cohort_file, dataset.dxa_file) != \
            (False, new.digest, new.cohort_file, new.dxa_file):
        st.session_state.pop(binding.WANTS_UPLOAD, None)
        set_dataset(new)
        binding.write_url()
        st.rerun()


wants_upload = st.session_state.get(binding.WANTS_UPLOAD, False)
source = st.radio("Data source", SOURCES, index=0 if dataset.is_demo and not wants_upload else 1,
                  horizontal=True, key="data_source")
if source == SOURCES[0]:
    if not dataset.is_demo or wants_upload:  # chosen by the user: the link's request is done
        st.session_state.pop(binding.WANTS_UPLOAD, None)
        set_dataset(demo_dataset())
        binding.write_url()
        st.rerun()
else:
    _upload_section()

dataset_banner(dataset)
st.header(display.plain(dataset.name if dataset.is_demo else f"Your data: {dataset.name}"))
prepared = display.prepared_or_stop(dataset, settings)
table, counts = prepared.table, prepared.counts
m = st.columns(6 if counts.subgroup else 5)
m[0].metric("Cohort rows", counts.n_cohort)
m[1].metric("Excluded", counts.n_excluded, help="Cohort patients left out, each with a reason "
            "(exclusion log below).")
if counts.subgroup:
    m[-4].metric("Not in subgroup", counts.n_outside_subgroup,
                 help="Eligible patients the filters in the sidebar leave out of this analysis "
                      f"({vbq.describe.subgroup_text(settings)}): a subgroup, not an exclusion.")
m[-3].metric("Analysed", counts.n_analysed)
m[-2].metric("Degenerative", counts.n_degenerative)
m[-1].metric("Control", counts.n_control)
st.caption(f"{vbq.describe.reconciliation(prepared)} Groups by the current criteria (at least "
           f"{settings.criteria.min_vertebrae} degenerative vertebrae).")

st.subheader("Cohort summary")
display.show_table(cache.cohort_summary(dataset.digest, settings, table), key="data_dl_summary")

log = cache.exclusion_table(dataset.digest, settings, prepared)
with st.expander(f"Exclusion log ({counts.n_excluded} cohort patient(s) excluded, "
                 + (f"{counts.n_outside_subgroup} outside the subgroup, " if counts.subgroup
                    else "")
                 + f"{counts.n_dxa_without_cohort} DXA row(s) without a cohort patient, "
                 f"{counts.n_levels_left_out} level(s) left out)",
                 expanded=counts.n_excluded + counts.n_dxa_without_cohort > 0):
    if log.shown.empty:
        st.write("Nobody and nothing was excluded.")
    elif len(log.shown) <= LOG_STATIC_ROWS:  # a static table wraps each reason: in full
        display.show_table(log, key="data_dl_log", height=420)
    else:
        st.caption(f"{len(log.shown):,} rows: shown as a grid, where a reason longer than its "
                   "column is cut; the downloads hold every reason in full.")
        display.show_table(log, key="data_dl_log", grid=True,
                           column_config={"Reason": st.column_config.TextColumn(width="large")})

if dataset.problems:  # this session's own reading of its files: never from a shared cache
    with st.expander(f"Validation warnings ({len(dataset.problems)})"):
        _problems(dataset.problems)

st.subheader("Preview")
PREVIEWS = {"analysis": "Analysis table", "cohort": "Cohort file", "dxa": "DXA file"}
# one table at a time: three previews of over 100 columns each were most of a rerun of the page
shown = binding.view(st.radio, "Table", "data.preview", "analysis", key="data_preview",
                     options=list(PREVIEWS), format_func=PREVIEWS.get, horizontal=True,
                     label_visibility="collapsed")
frame, stem = {"analysis": (table, "analysis_table"), "cohort": (dataset.cohort, "cohort"),
               "dxa": (dataset.dxa, "dxa")}[shown]
# a preview: every row of a large cohort would be sent to the browser on every rerun
# (1.8 s of a 100,000-patient rerun, bench/bench_app.py --patients 100000)
st.dataframe(present.labelled(frame.head(PREVIEW_ROWS)), hide_index=True, width="stretch",
             height=420)
if len(frame) > PREVIEW_ROWS:
    st.caption(f"The first {PREVIEW_ROWS:,} of {len(frame):,} rows; the downloads hold them "
               "all.")
display.downloads(frame, stem, key=f"data_dl_{stem}")
