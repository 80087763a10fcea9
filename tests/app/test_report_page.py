"""AppTest of the Report page: renders on the demo, previews the tables vbq.report makes, builds
the report for the session's data and settings."""

from __future__ import annotations

import re

import vbq
import vbq.report
from ui import cache

from .conftest import metrics, start, tables

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
    # one interaction: preview Table 2, which is vbq.report's Table 2
    at.selectbox(key="report_table").set_value("table2").run()
    assert not at.exception
    expected = next(t for t in vbq.report.study_tables(prepared) if t.key == "table2").display()
    shown = tables(at)[0]
    assert shown.reset_index(drop=True).astype(str).equals(expected.astype(str))
    assert any("Student" in c.value for c in at.caption)  # the footnotes under it
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
    cached = cache.report_html(digest, settings, files_key, True,
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
