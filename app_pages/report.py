"""Report page: the whole analysis for the current data and settings as one self-contained HTML
file (opens offline), the tables as one XLSX workbook and as a Word document, with a preview of
what they hold."""

from __future__ import annotations

import hashlib

import streamlit as st

import vbq
import vbq.export
import vbq.report
from ui import binding, cache, display, page, report_preview

dataset, settings, prepared = page.start_analysis("Study report")
counts = prepared.counts

st.markdown(
    "One HTML file holds the whole analysis for the current data and settings: the participant "
    "flow (STARD 2015), Tables 1-5, the correlation and ROC figures (interactive), the "
    "thresholds and prevalence, reliability, the methods in words, the settings, a SHA-256 "
    "fingerprint of each input file and the versions of every library. It opens in any browser "
    "without a network connection. The workbook holds every table as shown and as data, and the "
    "settings; the Word document holds the tables in journal style, ready for a manuscript.")

files = dataset.files
files_key = tuple((name, hashlib.sha256(data).hexdigest()) for name, data in files)
stem = "vbq_report_demo" if dataset.is_demo else "vbq_report"


measurements = dataset.measurements_used


def _html() -> bytes:
    return cache.report_html(dataset.digest, settings, files_key, dataset.is_demo, measurements,
                             prepared, files).encode("utf-8")


def _xlsx() -> bytes:
    return cache.report_xlsx(dataset.digest, settings, dataset.is_demo, prepared)


def _docx() -> bytes:
    return cache.report_docx(dataset.digest, settings, dataset.is_demo, prepared)


c1, c2, c3 = st.columns(3)
c1.download_button("Download the report (HTML)", _html, file_name=f"{stem}.html",
                   mime="text/html", on_click="ignore", type="primary",
                   icon=":material/description:", key="report_dl_html",
                   help="Built when you click: a few seconds.")
c2.download_button("Download the tables (XLSX)", _xlsx, file_name=f"{stem}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   on_click="ignore", icon=":material/table:", key="report_dl_xlsx")
c3.download_button("Download the tables (Word)", _docx, file_name=f"{stem}.docx",
                   mime=vbq.export.DOCX_MIME, on_click="ignore", icon=":material/article:",
                   key="report_dl_docx", help="Tables 1-5, the prevalence and reliability in "
                   "journal style (three-line tables, Times New Roman 10 pt).")

m = st.columns(5 if counts.subgroup else 4)
m[0].metric("Analysed", counts.n_analysed)
m[1].metric("Degenerative", counts.n_degenerative)
m[2].metric("Control", counts.n_control)
m[3].metric("Excluded", counts.n_excluded)
if counts.subgroup:
    m[4].metric("Not in subgroup", counts.n_outside_subgroup,
                help=f"Eligible patients outside {vbq.describe.subgroup_text(settings)}: a "
                     "subgroup, not an exclusion.")

st.subheader("Participant flow")
# our own HTML: every text from a file in it is escaped by vbq.report
st.iframe(vbq.report.flow_diagram(prepared, measurements=measurements), height="content")

st.subheader("Tables")
with st.spinner("Computing the study's tables..."):
    tables = cache.report_tables(dataset.digest, settings, prepared)
computed = [t for t in tables if len(t.shown.columns) and list(t.shown.columns) != ["Not computed"]]
missing = [t for t in tables if t not in computed]
if missing:
    st.info("Some parts cannot be computed on this dataset; the report says why:")
    for t in missing:  # the reasons can quote values from the files: shown as text
        st.text(f"{t.title}: {' '.join(t.footnotes)}")
titles = {t.key: t.title for t in computed}
key = (binding.view(st.selectbox, "Preview a table", "report.table",
                    "table4" if "table4" in titles else next(iter(titles)), key="report_table",
                    options=list(titles), format_func=titles.get)
       if titles else None)
if key is not None:
    chosen = next(t for t in computed if t.key == key)
    display.show_table(chosen, grid=len(chosen.shown) > 50, key=f"report_dl_{chosen.key}")

st.subheader("The whole report")
if st.toggle("Preview the whole report here", key="report_preview"):
    with st.status("Building the report...", expanded=False) as status:
        html_text = cache.report_html(dataset.digest, settings, files_key, dataset.is_demo,
                                      measurements, prepared, files)
        status.update(label=f"Report ready ({len(html_text.encode()) / 1e6:.1f} MB)",
                      state="complete")
    # the same report, its figures drawn as the reader reaches them (ui.report_preview)
    st.iframe(report_preview.preview_html(html_text), height=900)
