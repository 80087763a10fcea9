"""Rendering helpers shared by pages. Formatting lives in `vbq.present` (shared with the report,
the command line and every export); files are written by `vbq.export`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import vbq
from ui import cache, safe
from ui.state import Dataset, get_dataset
from vbq import export, measurements
from vbq.present import FormattedTable

GROUP_LABELS = vbq.schema.CATEGORY_LABELS["group"]
MIN_GROUP = 3
# Above this many cells a table is offered as CSV only: openpyxl writes about 15 µs per cell
# (bench/bench_present.py: 20 s for the 10,000-patient analysis table).
XLSX_MAX_CELLS = 250_000


def plain(text: str) -> str:
    """`text` from a user, a file or a link, for Markdown, shown exactly as written
    (`ui.safe.text`, the one implementation: numeric character references, and a word joiner
    that keeps bare addresses from being linked)."""
    return safe.text(text)


def prepared_or_stop(dataset: Dataset, settings: vbq.Settings) -> vbq.PreparedCohort:
    """The prepared cohort, or an explanation and `st.stop()` when it cannot be made."""
    try:
        return cache.prepare(dataset.digest, settings, dataset.cohort, dataset.dxa)
    except vbq.InputError as exc:
        st.error("This dataset cannot be analysed:\n\n" + safe.text(exc))
        st.stop()


def in_force(prepared: vbq.PreparedCohort) -> None:
    """The line every analysis page shows under its banner: what produced its numbers
    (`vbq.in_force`), and a warning for each derived threshold that rests on few patients."""
    # the session's dataset says which MRI measurements, if any, replaced the file's SIs
    summary = vbq.in_force(prepared, measurements=get_dataset().measurements_used)
    st.caption(f"**In force:** {summary.line}")
    for warning in summary.warnings:
        st.warning(warning, icon=":material/warning:")


def two_groups_or_explain(counts: vbq.Counts) -> bool:
    """False (after saying why) when a group is too small for a between-group comparison."""
    small = [(g, getattr(counts, f"n_{g}")) for g in ("degenerative", "control")
             if getattr(counts, f"n_{g}") < MIN_GROUP]
    if small:
        what = " and ".join(f"the {g} group has {n} patient(s)" for g, n in small)
        st.info(f"No between-group comparison: {what}; at least {MIN_GROUP} are needed in each. "
                "Loosen the criteria or the filters.")
        return False
    return True


def downloads(table: FormattedTable | pd.DataFrame, stem: str | None = None, *,
              key: str) -> None:
    """One "Download" button for a table, opening its files, every one written by `vbq.export`
    (formula-safe).

    A `FormattedTable` offers "as shown" (the formatted table with its title and footnotes, for
    a manuscript) and "data" (tidy, full precision, documented columns), each in CSV and XLSX;
    a bare DataFrame offers CSV and XLSX of itself. Files are built only when clicked.

    The buttons are in a popover: the browser mounts a popover's content only while it is open
    (Streamlit 1.67), so a page of nine tables draws nine buttons instead of 36 (each with its
    tooltip) on a first visit (docs/design.md, "Where the time goes in the browser").
    """
    with st.popover("Download", icon=":material/download:"):
        if isinstance(table, pd.DataFrame):
            _frame_downloads(table, stem or "table", key=key)
        else:
            _table_downloads(table, stem or table.key, key=key)


def _frame_downloads(table: pd.DataFrame, stem: str, *, key: str) -> None:
    row = st.container(horizontal=True, gap="small")
    row.download_button("CSV", lambda: export.frame_csv(table), file_name=f"{stem}.csv",
                        mime="text/csv", key=f"{key}_csv", on_click="ignore")
    if table.size <= XLSX_MAX_CELLS:
        row.download_button("XLSX", lambda: export.frame_xlsx(table, sheet=stem[:31]),
                            file_name=f"{stem}.xlsx", mime=export.XLSX_MIME,
                            key=f"{key}_xlsx", on_click="ignore")
    else:
        st.caption(f"XLSX up to {XLSX_MAX_CELLS:,} cells; this table has {table.size:,}: "
                   "take the CSV.")


_FORMS = {"shown": ("Table", "The table as shown here, with its title and footnotes (for a "
                             "manuscript)."),
          "data": ("Data", "The tidy table behind it at full precision, with documented column "
                           "names (for further analysis).")}


def _table_downloads(table: FormattedTable, stem: str, *, key: str) -> None:
    for form, (what, help_text) in _FORMS.items():
        name = stem if form == "shown" else f"{stem}_data"
        st.caption(help_text)
        row = st.container(horizontal=True, gap="small")
        row.download_button(f"{what} CSV", lambda f=form: export.table_csv(table, f),
                            file_name=f"{name}.csv", mime="text/csv",
                            key=f"{key}_{form}_csv", on_click="ignore")
        size = (table.shown if form == "shown" else table.data).size
        if size <= XLSX_MAX_CELLS:
            row.download_button(f"{what} XLSX", lambda f=form: export.table_xlsx(table, f),
                                file_name=f"{name}.xlsx", mime=export.XLSX_MIME,
                                key=f"{key}_{form}_xlsx", on_click="ignore")
        else:
            row.caption(f"XLSX up to {XLSX_MAX_CELLS:,} cells; this one has {size:,}: take "
                        "the CSV.")


MEASUREMENT_LABELS = {
    "history_id": "change no.", "change": "change", "changed_at": "changed at (UTC)",
    "reason": "reason", "patient_id": "patient", "observer": "observer", "session": "session",
    "level": "ROI", "csf_level": "CSF at level", "slice_number": "slice",
    "centre_row_px": "centre row (px)", "centre_col_px": "centre column (px)",
    "centre_row_mm": "centre row (mm)", "centre_col_mm": "centre column (mm)",
    "radius_mm": "radius (mm)", "si_mean": "mean SI", "si_median": "median SI", "si_sd": "SD",
    "pixel_count": "pixels", "excluded": "collapsed (left out)",
    "series_fingerprint": "series (hash)", "field_strength_t": "field (T)", "tr_ms": "TR (ms)",
    "te_ms": "TE (ms)", "measured_at": "measured at (UTC)", "software_version": "software",
    "series_flags": "series flags", "manufacturer": "manufacturer", "model_name": "model",
    "scanning_sequence": "sequence", "sequence_variant": "sequence variant", "ti_ms": "TI (ms)",
    "pixel_bandwidth_hz": "pixel bandwidth (Hz)", "slice_thickness_mm": "slice thickness (mm)",
    "roi_source": "ROIs placed", "blinded": "blinded",
}


def measurement_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Stored ROI readings (or their history) with column names in words and slices counted
    from 1, as the viewer and the CSV export count them (`vbq.measurements.with_slice_numbers`)."""
    shown = measurements.with_slice_numbers(frame)
    # a text cell with nothing in it (the CSF level of a vertebra's row, a series recorded
    # without a manufacturer) is blank, not the grid's "None"
    text = [c for c in shown.columns
            if shown[c].dtype == object or pd.api.types.is_string_dtype(shown[c].dtype)]
    shown[text] = shown[text].astype(object).where(shown[text].notna(), "")
    return shown.rename(columns=MEASUREMENT_LABELS)


# A static table of at most this many rows is always laid out in full, whatever `height`.
STATIC_ROWS_IN_FULL = 12


# Rows a grid or a scrolling listing shows (the downloads hold every row): a listing of 100,000
# patients was sent to the browser on every rerun (0.7 s of a Groups page rerun,
# bench/bench_app.py --patients 100000).
GRID_ROWS = 1_000


def _first_rows_note(rows: int) -> None:
    """Say so when a grid or a listing shows only its first `GRID_ROWS` of `rows` rows."""
    if rows > GRID_ROWS:
        st.caption(f"The first {GRID_ROWS:,} of {rows:,} rows; the downloads hold them all.")


def show_table(table: FormattedTable | safe.ShownTable, *, key: str | None = None,
               title: bool = False,
               grid: bool = False, height: int | None = None,
               column_config: dict | None = None) -> None:
    """Render a `vbq.present.FormattedTable`: the table with its footnotes under it, and (with a
    `key`) its downloads.

    A journal table is a static HTML table (`ui.safe.table_html` in `st.html`: horizontal
    rules, text wraps, every row shown, no sideways scrolling at 1280 px; `st.table` drew
    cell by cell through Markdown, several times slower in the browser); with a `height`, a
    static table longer than `STATIC_ROWS_IN_FULL` rows scrolls inside a frame of that many
    pixels, its header kept in view, with its first `GRID_ROWS` rows (a listing whose long text
    must wrap). ``grid=True`` shows a sortable data grid instead, for long listings, as tall as
    its rows up to `height` pixels (default 420), with its first `GRID_ROWS` rows; a grid never
    wraps text, so a cell wider than its column is cut, and its code is loaded on the session's
    first grid (a second or more in Chromium: the criterion listing on Groups is a listing).
    A `ui.safe.ShownTable` (what `ui.cache` returns) brings its HTML already written.
    """
    written = None
    if isinstance(table, safe.ShownTable):
        table, written = table.table, table.html
    if title:
        st.markdown(f"**{plain(table.title)}**")
    if table.shown.empty:
        st.info(" ".join(table.footnotes) or "Nothing to show.")
        return
    if grid:
        rows = min(len(table.shown), GRID_ROWS)
        fit = 35 * (rows + 1) + 3
        st.dataframe(table.display().head(GRID_ROWS), hide_index=True, width="stretch",
                     height=min(fit, height or 420), column_config=column_config)
        _first_rows_note(len(table.shown))
        if table.footnotes:
            st.caption("  \n".join(plain(n) for n in table.footnotes))
    elif height and len(table.shown) > STATIC_ROWS_IN_FULL:
        st.html(safe.table_html(table.display().head(GRID_ROWS), height=height,
                                notes=table.footnotes))
        _first_rows_note(len(table.shown))
    else:
        st.html(written if written is not None
                else safe.table_html(table.display(), notes=table.footnotes))
    if key:
        downloads(table, key=key)
