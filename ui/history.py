"""The stored measurements on the MRI page: what is stored, searched and capped in the database
(never the whole table), export, import (in slices, with progress) and deletion.

A lab server's database can hold a hundred thousand ROI rows; loading them all on every rerun
into a select box and a grid made every user's page take about 30 s to open (issue 18). Here
each rerun asks the database only for counts and for at most `SHOWN` readings or history rows:
those of the patient being measured, else those matching the search box, newest changes first,
with a "showing N of M" line. While a reading is blind (`vbq.measurements.blinding`), its
patient is left out of every count, list, search, history and delete choice here, in the
database's queries (``exclude_patient_id``), and the exports (which hold every reading) are
disabled.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import vbq
from ui import access, display
from ui.display import plain
from vbq.measurements import MeasurementStore

# most readings, history rows or delete choices a rerun asks the database for and shows
SHOWN = 50

SEARCH_KEY = "measure_hist_search"
READING_LABELS = {"patient_id": "patient", "observer": "observer", "session": "session",
                  "n_rois": "ROIs", "levels": "levels", "measured_at": "saved (UTC)",
                  "series_flags": "series flags"}


_PLURALS = {"readings": "reading", "changes": "change"}  # the nouns `showing` is given


def showing(shown: int, total: int, what: str) -> str:
    """"Showing 50 of 20,800 readings" (or "All 3 readings", "1 reading", "No readings").
    `what` is a plural phrase ("readings of patient P1", "changes")."""
    if total == 0:
        return f"No {what}."
    if total == 1:  # "All 1 readings of patient DEMO-002." was on the page
        words = what.split(" ")
        plural = next((i for i, w in enumerate(words) if w in _PLURALS), None)
        if plural is not None:
            words[plural] = _PLURALS[words[plural]]
        return f"1 {' '.join(words)}."
    if shown >= total:
        return f"All {total:,} {what}."
    return f"Showing {shown:,} of {total:,} {what}."


def _search(patient_id: str, hidden: str | None = None) -> tuple[str | None, str | None, str]:
    """(patient filter, search text, what the list holds in words) from the search box, else the
    patient being measured (unless that patient is `hidden`, read blind)."""
    text = st.text_input("Find readings by patient ID or observer", key=SEARCH_KEY,
                         placeholder="part of a patient ID or an observer code",
                         help=f"The list shows at most {SHOWN} readings; type to find others. "
                              "Empty: the patient being measured, else the first readings.")
    text = text.strip()
    if text:
        return None, text, f'readings matching "{plain(text)}"'
    if patient_id and patient_id != hidden:
        return patient_id, None, f"readings of patient {plain(patient_id)}"
    return None, None, "stored readings"


def _readings_list(store: MeasurementStore, patient: str | None, search: str | None,
                   what: str, hidden: str | None = None) -> pd.DataFrame:
    """The readings found (at most `SHOWN`; never those of `hidden`), with "showing N of M";
    the patient being measured shown ROI by ROI. Returns the readings listed."""
    readings = store.readings(patient_id=patient, search=search, limit=SHOWN,
                              exclude_patient_id=hidden)
    total = len(readings) if len(readings) < SHOWN else store.count_readings(
        patient_id=patient, search=search, exclude_patient_id=hidden)
    st.caption(showing(len(readings), total, what))
    if readings.empty:
        return readings
    if patient is not None and total <= SHOWN:  # the patient being measured: every ROI
        st.dataframe(display.measurement_frame(store.load(patient_id=patient)),
                     hide_index=True, width="stretch", key="measure_stored_table")
        return readings
    shown = readings.assign(series_flags=readings["series_flags"].map(
        lambda f: vbq.measurements.describe_flags(f) if isinstance(f, str) and f else ""))
    st.dataframe(shown.rename(columns=READING_LABELS), hide_index=True, width="stretch",
                 key="measure_readings_table")
    return readings


def _exports(store: MeasurementStore, empty: bool, blind: bool = False) -> None:
    """The two exports; disabled while a reading is blind (they hold every reading)."""
    why = "Not while you read blind: the export holds every reading." if blind else None
    e1, e2 = st.columns(2)
    e1.download_button("Export all measurements (CSV)", store.export_csv,
                       file_name="vbq_measurements.csv", mime="text/csv",
                       key="measure_export", disabled=empty or blind, help=why)
    e2.download_button("Export the history of corrections (CSV)",
                       lambda: store.export_csv(table="history"),
                       file_name="vbq_measurement_history.csv", mime="text/csv",
                       key="measure_export_history", disabled=blind, help=why)


def _import(store: MeasurementStore) -> None:
    limits = (f"at most {vbq.measurements.IMPORT_MAX_ROWS:,} ROI rows and "
              f"{vbq.measurements.IMPORT_MAX_BYTES // 2**20} MB per file")
    # the import's own byte limit, not the server's upload limit (100 MB, .streamlit/config.toml),
    # or a file within the limit stated here would be refused by the uploader
    upload = st.file_uploader(f"Import measurements (CSV, as exported; {limits})",
                              type=["csv"], key="measure_import",
                              max_upload_size=-(-vbq.measurements.IMPORT_MAX_BYTES // 2**20))
    allowed = access.check("import", [])
    if not allowed:
        st.caption(allowed.reason)
    if upload is None or not st.button("Import this file", key="measure_import_go",
                                       disabled=not allowed):
        return
    bar = st.progress(0.0, text="Importing...")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Importing: {done / 2**20:.0f} of "
                                                f"{total / 2**20:.0f} MB read")

    try:
        res = store.import_csv(upload, progress=progress, only_observer=access.only_observer())
    except vbq.InputError as exc:
        st.error(f"Nothing was imported: {plain(exc)}")
        problems = getattr(exc, "problems", None) or ()
        if problems:
            st.dataframe(pd.DataFrame([p.as_dict() for p in problems]), hide_index=True,
                         width="stretch")
    else:
        st.success(f"Imported: {res.summary()}.")
    finally:
        bar.empty()


def _delete(store: MeasurementStore, readings: pd.DataFrame) -> None:
    if readings.empty:
        return
    st.markdown("**Delete a reading** (kept in the history with your reason)")
    keys = list(zip(readings["patient_id"], readings["observer"], readings["session"],
                    strict=True))
    d1, d2 = st.columns([2, 3])
    which = d1.selectbox("Reading (of the list above)", range(len(keys)),
                         key="measure_delete_which",
                         format_func=lambda i: f"{keys[i][0]} · {keys[i][1]} · session "
                                               f"{keys[i][2]}")
    reason = d2.text_input("Reason", key="measure_delete_reason")
    sure = st.checkbox("Yes, delete this reading's ROIs", key="measure_delete_sure")
    pid, obs, sess = keys[which]
    allowed = access.check("delete", [obs])
    if not allowed:
        st.caption(allowed.reason)
    if st.button("Delete", key="measure_delete",
                 disabled=not (allowed and sure and reason.strip())):
        if not allowed:  # (the button is disabled then; checked again all the same)
            st.error(allowed.reason)
            return
        try:
            store.delete(pid, observer=obs, session=int(sess), reason=reason.strip())
        except vbq.InputError as exc:
            st.error(plain(exc))
        else:
            st.session_state.pop("measure_delete_sure", None)
            st.rerun()


def _history(store: MeasurementStore, patient: str | None, search: str | None,
             hidden: str | None = None) -> None:
    total = store.count_history(patient_id=patient, search=search, exclude_patient_id=hidden)
    if not total:
        return
    history = store.history(patient_id=patient, search=search, limit=SHOWN, newest_first=True,
                            exclude_patient_id=hidden)
    st.markdown("**History** (corrected or deleted values, newest first)")
    st.caption(showing(len(history), total, "changes"))
    st.dataframe(display.measurement_frame(history), hide_index=True, width="stretch",
                 key="measure_history_table")


def stored_section(store: MeasurementStore, patient_id: str, *,
                   hidden: str | None = None) -> int:
    """The expander of stored measurements: counts, the capped readings list (the patient being
    measured or a search), exports, import, deletion and the history. `hidden`: the patient
    read blind, left out of all of them (and the exports disabled). Returns how many ROI rows
    are stored (all of them, `hidden`'s too: the analysis below uses every reading)."""
    n_rows = store.count()
    n_shown = store.count(exclude_patient_id=hidden) if hidden else n_rows
    label = f"Stored measurements ({n_shown:,} ROI readings"
    if hidden:
        label += f"; {plain(hidden)}'s hidden while you read blind"
    with st.expander(label + ")", expanded=False):
        patient, search, what = _search(patient_id, hidden)
        readings = (_readings_list(store, patient, search, what, hidden) if n_shown
                    else pd.DataFrame())
        _exports(store, n_rows == 0, blind=hidden is not None)
        _import(store)
        _delete(store, readings)
        _history(store, patient, search, hidden)
    return n_rows


def flagged_section(store: MeasurementStore, *, hidden: str | None = None) -> int:
    """The readings measured on a flagged series (at most `SHOWN`, with how many there are;
    never those of `hidden`, the patient read blind); returns how many are listed in all."""
    flagged = store.readings(flagged=True, limit=SHOWN, exclude_patient_id=hidden)
    if flagged.empty:
        return 0
    total = len(flagged) if len(flagged) < SHOWN else store.count_readings(
        flagged=True, exclude_patient_id=hidden)
    st.warning(f"{total:,} stored reading(s) were measured on a flagged series; the analysis "
               "marks them unless you leave them out.", icon=":material/flag:")
    table = pd.DataFrame({
        "patient": flagged["patient_id"], "observer": flagged["observer"],
        "session": flagged["session"],
        "flags": flagged["series_flags"].map(vbq.measurements.describe_flags)})
    st.caption(showing(len(flagged), total, "flagged readings"))
    st.dataframe(table, hide_index=True, width="stretch", key="measure_flagged_table",
                 column_config={c: st.column_config.Column(width="small")
                                for c in ("patient", "observer", "session")})
    return total
