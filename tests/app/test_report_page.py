"""AppTest of the Report page: renders on the demo, previews the tables vbq.report makes, builds
the report for the session's data and settings."""

from __future__ import annotations

import io
import re

import vbq
import vbq.report
from ui import cache

from .conftest import metrics, start, table_notes, tables

PAGE = "app_pages/report.py"


def test_report_page_renders_and_previews_the_tables(demo):
    at = start(PAGE)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Synthetic demo data" in i.value for i in at.info)
    prepared = vbq.prepare_cohort(*demo)
    m = metrics(at)
    assert m["Analysed"] == str(prepared.counts.n_analysed)
    assert m["Degenerative"] == str(prepared.counts.n_degenerative)
    keys = [b.proto.id for b in at.get("download_button")]
    assert any(k.endswith("report_dl_html") for k in keys), keys
    assert any(k.endswith("report_dl_xlsx") for k in keys), keys
    assert any(k.endswith("report_dl_docx") for k in keys), keys  # Word, as surgeons write
    # one interaction: preview Table 2, which is vbq.report's Table 2
    at.selectbox(key="report_table").set_value("table2").run()
    assert not at.exception
    expected = next(t for t in vbq.report.study_tables(prepared) if t.key == "table2").display()
    shown = tables(at)[0]
    assert shown.reset_index(drop=True).astype(str).equals(expected.astype(str))
    assert any("Student" in n for n in table_notes(at))  # the footnotes under it
    keys = [b.proto.id for b in at.get("download_button")]
    assert any(k.endswith("report_dl_table2_csv") or "report_dl_table2" in k for k in keys), keys


def test_report_follows_the_session_settings(demo):
    settings = vbq.Settings(dxa_site="l1_l4").replace(min_vertebrae=2)
    at = start(PAGE, query=settings.to_query())
    prepared = vbq.prepare_cohort(*demo, settings)
    assert metrics(at)["Degenerative"] == str(prepared.counts.n_degenerative)
    at.toggle(key="report_preview").set_value(True).run()
    assert not at.exception
    frames = at.get("iframe")
    assert len(frames) == 2  # the flow diagram and the whole report
    # the report the page built (cached) is vbq's, for these settings, apart from the time
    dataset_files = tuple((p.name, p.read_bytes()) for p in
                          (vbq.demo.COHORT_FILE, vbq.demo.DXA_FILE))
    cohort, dxa = cache.load_demo()
    digest = vbq.io.table_digest(cohort, dxa)
    import hashlib

    files_key = tuple((n, hashlib.sha256(b).hexdigest()) for n, b in dataset_files)
    cached = cache.report_html(digest, settings, files_key, True, None,
                               vbq.prepare_cohort(cohort, dxa, settings, validate=False),
                               dataset_files)
    direct = vbq.report.build_report(prepared, inputs=dict(dataset_files), synthetic=True,
                                     title="VBQ study report: synthetic demo cohort")

    def mask(text: str) -> str:
        return re.sub(r'<time id="generated">[^<]*</time>', "", text)

    assert mask(cached) == mask(direct)
    assert f"Degenerative group: {prepared.counts.n_degenerative}" in direct


def _upload_named(app, names, cohort: bytes, dxa: bytes):
    app.radio(key="data_source").set_value("Upload my files").run()
    app.file_uploader(key="data_upload_cohort").upload(names[0], cohort, "text/csv")
    app.file_uploader(key="data_upload_dxa").upload(names[1], dxa, "text/csv")
    return app.run()


def test_each_session_reports_its_own_files():
    """Two users upload the same cells under different names: each report fingerprints the
    files that session uploaded, with its own (escaped) names, never the other's."""
    import hashlib

    from streamlit.testing.v1 import AppTest

    from tests.factories import make_tables

    from .conftest import APP, TIMEOUT

    frames = make_tables(40)
    cohort, dxa = (f.to_csv(index=False).encode() for f in frames)
    reports = {}
    for who in ("alice", "bob"):
        app = AppTest.from_file(APP, default_timeout=TIMEOUT)
        app.run()
        app.switch_page("app_pages/data.py").run()
        names = (f"{who}<cohort>.csv", f"{who}_dxa.csv")
        _upload_named(app, names, cohort, dxa)
        assert not app.exception
        assert not app.session_state["dataset"].is_demo
        app.switch_page(PAGE).run()
        app.toggle(key="report_preview").set_value(True).run()
        assert not app.exception
        reports[who] = app.get("iframe")[1].proto.srcdoc
    for who, other in (("alice", "bob"), ("bob", "alice")):
        text = reports[who]
        assert f"{who}&lt;cohort&gt;.csv" in text and f"{who}<cohort>" not in text
        assert other not in text.split('<h2 id="inputs">')[1].split("</section>")[0]
        assert hashlib.sha256(cohort).hexdigest() in text
        assert "Synthetic demo data: simulated patients" not in text  # uploaded files


def test_the_word_file_the_page_offers_is_vbqs(demo):
    import docx

    at = start(PAGE)
    prepared = vbq.prepare_cohort(*demo)
    data = cache.report_docx(vbq.io.table_digest(*cache.load_demo()), vbq.Settings(), True,
                             prepared)
    doc = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    for n in range(1, 6):
        assert f"Table {n}." in text
    assert "Synthetic demo data: simulated patients, not real people." in text  # the demo's
    assert not at.exception


def test_measurements_in_use_are_said_on_the_page_in_its_flow_and_report(tmp_path, monkeypatch):
    from ui import measure
    from vbq.measurements import MeasurementStore, ROIMeasurement

    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    with MeasurementStore(url) as store:
        store.save([ROIMeasurement("DEMO-001", "AB", 1, lv, si, field_strength_t=1.5,
                                   tr_ms=520.0, te_ms=9.0)
                    for lv, si in [("L1", 300.0), ("L2", 320.0), ("L3", 310.0), ("L4", 330.0),
                                   ("CSF", 110.0)]])
    at = start(PAGE, query={"meas": "AB:1"})
    assert not at.exception
    used = at.session_state["dataset"].measurements_used
    assert (used.observer, used.session, used.n_patients, used.n_readings) == ("AB", 1, 1, 5)
    assert used.series == (("1.5 T, TR 520 ms, TE 9 ms", 1),)
    line = next(c.value for c in at.caption if c.value.startswith("**In force:**"))
    assert "MRI measurements for 1 patient(s) (observer AB, session 1; 1.5 T, TR 520 ms" in line
    flow = at.get("iframe")[0].proto.srcdoc
    assert "MRI measurements in use: 5 ROI readings" in flow
    at.toggle(key="report_preview").set_value(True).run()
    assert not at.exception
    text = at.get("iframe")[1].proto.srcdoc
    inputs = text.split('<h2 id="inputs">')[1].split("</section>")[0]
    assert "MRI measurements in use: 5 ROI readings" in inputs
    assert "observer AB, session 1" in text


def test_a_subgroup_is_counted_apart_from_the_exclusions(demo):
    # issue 16: women only was shown as "Excluded: 89"
    settings = vbq.Settings(sexes=("F",))
    prepared = vbq.prepare_cohort(*demo, settings)
    n_men = int((demo[0]["sex"] == "M").sum())
    for page in (PAGE, "app_pages/groups.py", "app_pages/data.py"):
        at = start(page, query=settings.to_query())
        m = metrics(at)
        assert m["Excluded"] == "0" and m["Not in subgroup"] == str(n_men), page
        assert int(m["Degenerative"]) == prepared.counts.n_degenerative
    flow = start(PAGE, query=settings.to_query()).get("iframe")[0].proto.srcdoc
    assert f"Not in the subgroup analysed: {n_men}" in flow and "Excluded: 0" in flow
