"""vbq.report: the self-contained HTML report and the workbook."""

from __future__ import annotations

import hashlib
import html
import io
import re

import openpyxl
import pandas as pd
import plotly.offline
import pytest

import vbq
from vbq import report


@pytest.fixture(scope="module")
def demo_prepared():
    cohort, dxa = vbq.demo.load()
    return vbq.prepare_cohort(cohort, dxa)


@pytest.fixture(scope="module")
def demo_html(demo_prepared):
    return report.build_report(demo_prepared, inputs={"demo_cohort.csv": b"a,b\n1,2\n"},
                               timestamp="2026-01-01T00:00:00+00:00")


def _outside_plotlyjs(text: str) -> str:
    js = plotly.offline.get_plotlyjs()
    assert text.count(js) == 1  # embedded exactly once
    return text.replace(js, "")


def test_report_is_self_contained(demo_html):
    rest = _outside_plotlyjs(demo_html)
    # no script, stylesheet, image, font or link fetched from outside
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", rest, re.I)
    assert "@import" not in rest and "@font-face" not in rest
    for host in ("cdn.plot.ly", "cdn.jsdelivr", "unpkg.com", "googleapis", "cloudflare"):
        assert host not in rest.lower(), host
    # every figure draws with the one embedded plotly, none includes its own
    assert rest.count("Plotly.newPlot") >= 8
    assert len(demo_html.encode()) < 10e6


def test_report_holds_every_part(demo_prepared, demo_html):
    for anchor in ("flow", "groups", "correlation", "roc", "thresholds", "reliability",
                   "methods", "settings", "inputs", "software", "exclusions"):
        assert f'id="{anchor}"' in demo_html, anchor
    for title in ("Table 1.", "Table 2.", "Table 3.", "Table 4.", "Table 5.", "Fig. 4.", "Fig. 5.",
                  "Participant flow (STARD 2015)", "DeLong", "Wilson", "Shrout &amp; Fleiss",
                  "Cohen&#x27;s kappa", "Youden"):
        assert title in demo_html, title
    # the Thresholds section: the prevalence, then the same beside the paper's (Abstract: 46.9%)
    section = re.search(r'<h2 id="thresholds">(.*?)</section>', demo_html, re.S).group(1)
    assert 'id="prevalence"' in section and 'id="prevalence_vs_paper"' in section
    assert section.index('id="prevalence"') < section.index('id="prevalence_vs_paper"')
    assert "<td>46.9</td>" in section and "Chen et al. 2023, VBQ ≥ 2.9 (%)" in section
    # the flow diagram's numbers are the prepared cohort's
    c = demo_prepared.counts
    assert f"Cohort file: {c.n_cohort} patients" in demo_html
    assert f"Analysed: {c.n_analysed}" in demo_html
    assert f"Degenerative group: {c.n_degenerative}" in demo_html
    assert f"Control group: {c.n_control}" in demo_html
    # the settings, as the JSON that reproduces them
    assert vbq.Settings.from_json(
        re.search(r'<h2 id="settings">.*?<pre>(.*?)</pre>', demo_html, re.S).group(1)
        .replace("&quot;", '"')) == demo_prepared.settings
    # the fingerprint of the input, computed here independently
    assert hashlib.sha256(b"a,b\n1,2\n").hexdigest() in demo_html
    # Python and the libraries
    import platform

    assert f"<td>Python</td><td>{platform.python_version()}</td>" in demo_html
    assert f"<td>pandas</td><td>{pd.__version__}</td>" in demo_html
    assert f"<td>plotly</td><td>{plotly.__version__}</td>" in demo_html


def test_the_derived_thresholds_are_explained(demo_prepared, demo_html):
    t = demo_prepared.thresholds
    assert t.source_osteoporosis == "control-group Youden"
    assert f"was {t.youden_osteoporosis:.4f}, rounded up" in demo_html
    assert f"Osteoporosis {t.vbq_osteoporosis:g}" in demo_html


def test_same_analysis_same_bytes_apart_from_the_timestamp(demo_prepared):
    a = report.build_report(demo_prepared, timestamp="2026-01-01T00:00:00+00:00")
    b = report.build_report(vbq.prepare_cohort(*vbq.demo.load()),
                            timestamp="2027-06-30T12:34:56+00:00")
    assert a != b

    def mask(text: str) -> str:
        return re.sub(r'<time id="generated">[^<]*</time>', "<time/>", text)

    assert mask(a) == mask(b)


def test_default_timestamp_is_now_in_utc(demo_prepared):
    text = report.build_report(demo_prepared)
    stamp = re.search(r'<time id="generated">([^<]*)</time>', text).group(1)
    assert stamp.endswith("+00:00") and stamp[:2] == "20"


def _hostile():
    cohort, dxa = vbq.demo.load()
    cohort = cohort.copy()
    dxa = dxa.copy()
    evil = "<script>alert(1)</script>"
    old = cohort.loc[0, "patient_id"]
    cohort.loc[0, "patient_id"] = evil
    dxa.loc[dxa["patient_id"] == old, "patient_id"] = evil
    # a second patient with no DXA row: excluded, so its ID appears in the exclusion log
    cohort.loc[1, "patient_id"] = "<img src=x onerror=alert(2)>"
    return cohort, dxa


def test_text_from_files_is_escaped():
    cohort, dxa = _hostile()
    prepared = vbq.prepare_cohort(cohort, dxa)
    assert "<img src=x onerror=alert(2)>" in set(prepared.exclusions["patient_id"])
    text = report.build_report(prepared, inputs={"<b>cohort</b>.csv": b"x"},
                               title="<i>my</i> study")
    rest = _outside_plotlyjs(text)
    assert "<script>alert(1)</script>" not in rest
    assert "<img src=x" not in rest
    assert "<b>cohort</b>" not in rest and "&lt;b&gt;cohort&lt;/b&gt;.csv" in rest
    assert "<i>my</i>" not in rest and "&lt;i&gt;my&lt;/i&gt; study" in rest
    assert "&lt;img src=x onerror=alert(2)&gt;" in rest  # shown, as text, in the log
    # the scatter's hover data hold patient IDs, escaped (plotly renders hover text as HTML)
    assert "&lt;script&gt;alert(1)" in rest


def test_flow_counts_reconcile_with_the_log():
    cohort, dxa = vbq.demo.load()
    cohort = cohort.copy()
    cohort.loc[20:24, "si_csf"] = None  # 5 patients without a VBQ
    dxa = dxa[~dxa["patient_id"].isin(cohort["patient_id"].iloc[:10])]  # 10 without DXA
    prepared = vbq.prepare_cohort(cohort, dxa, vbq.Settings(sexes=("F",)))
    flow = report.flow_counts(prepared)
    assert flow.n_excluded == sum(n for _, n, _ in flow.excluded) == prepared.counts.n_excluded
    by_stage = {h: n for h, n, _ in flow.excluded}
    log = prepared.exclusions[prepared.exclusions["patient_excluded"]]
    assert by_stage["No DXA record"] == 10 == (log["stage"] == "merge").sum()
    assert by_stage["No VBQ score"] == 5
    # women only is a subgroup, not an exclusion: counted apart, with its reasons
    assert "Outside the filters" not in by_stage and (log["stage"] == "filter").sum() == 0
    outside = prepared.exclusions[prepared.exclusions["stage"] == "filter"]
    assert flow.n_outside_subgroup == len(outside) == sum(n for _, n in flow.outside_subgroup)
    eligible = cohort.drop(index=[*range(10), *range(20, 25)])
    assert flow.n_outside_subgroup == (eligible["sex"] == "M").sum()
    assert flow.subgroup == "women only"
    c = prepared.counts
    assert c.n_cohort == c.n_excluded + c.n_eligible == 235
    assert c.n_eligible == c.n_analysed + c.n_outside_subgroup
    assert sum(g[1] for g in flow.groups) == flow.n_analysed == len(prepared.table)
    # the index-test / reference counts by hand
    table = prepared.table
    thr = prepared.thresholds.vbq_osteoporosis
    for g, n, pos, pos_ref, neg, neg_ref in flow.groups:
        part = table[table["group"] == g]
        assert pos == (part["vbq"] >= thr).sum() and neg == n - pos
        assert pos_ref == ((part["vbq"] >= thr) & (part["dxa_status"] == "osteoporosis")).sum()
        assert neg_ref == ((part["vbq"] < thr) & (part["dxa_status"] == "osteoporosis")).sum()


def test_parts_that_cannot_be_computed_say_why():
    cohort, dxa = vbq.demo.load()
    cohort = cohort.drop(columns=["modic_type", "modic_levels", "modic_grade", "vbq_repeat",
                                  "vbq_obs2"], errors="ignore")
    prepared = vbq.prepare_cohort(cohort, dxa)
    text = report.build_report(prepared)
    assert "Not computed: the table has no Modic type column" in text
    assert 'id="icc"' not in text and 'id="table5"' in text
    assert "No repeated readings" not in text  # the grouping's kappa is still there
    assert 'id="kappa"' in text


def test_report_rejects_a_table():
    with pytest.raises(vbq.InputError, match="PreparedCohort"):
        report.build_report(pd.DataFrame())
    with pytest.raises(vbq.InputError, match="bytes"):
        report.input_fingerprints({"a.csv": "text"})


def test_workbook_has_each_table_as_shown_and_as_data(demo_prepared):
    data = report.build_workbook(demo_prepared)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    names = wb.sheetnames
    for table in ("Table 1", "Table 2", "Table 3", "Table 4", "Table 5", "Prevalence",
                  "Prevalence vs the paper", "Reliability ICC", "Reliability kappa",
                  "Exclusion log"):
        assert table in names and f"{table} data" in names, table
    assert vbq.Settings.from_json(wb["Settings"]["D2"].value) == demo_prepared.settings
    # the data sheet holds full precision: Table 4's AUC as computed
    roc = vbq.study.roc_study(demo_prepared.table, group="control", target="osteoporosis",
                              markers=("vbq", "hu_l1"))
    sheet = pd.read_excel(io.BytesIO(data), sheet_name="Table 4 data")
    row = sheet[(sheet["target"] == "osteoporosis") & (sheet["marker"] == "vbq")].iloc[0]
    assert row["auc"] == pytest.approx(roc.results["vbq"].auc, abs=1e-12)


def test_word_document_holds_the_study_tables(demo_prepared):
    import docx

    doc = docx.Document(io.BytesIO(report.build_docx(demo_prepared)))
    text = "\n".join(p.text for p in doc.paragraphs)
    for title in ("Table 1.", "Table 2.", "Table 3.", "Table 4.", "Table 5."):
        assert title in text, title
    assert len(doc.tables) >= 5


def test_exports_of_the_demo_say_it_is_synthetic_and_others_do_not(demo_prepared):
    # the Word file and the workbook made from the demo said nothing of it (the HTML report did):
    # their tables could be pasted into a manuscript as a study's
    import docx

    note = "Synthetic demo data: simulated patients, not real people."
    for synthetic in (True, False):
        doc = docx.Document(io.BytesIO(report.build_docx(demo_prepared, synthetic=synthetic)))
        opening = [p.text for p in doc.paragraphs[:3]]
        assert (note in opening) is synthetic
        assert ("synthetic" in opening[0]) is synthetic  # the heading
        wb = openpyxl.load_workbook(io.BytesIO(report.build_workbook(demo_prepared,
                                                                     synthetic=synthetic)))
        shown = [ws for ws in wb.worksheets if not ws.title.endswith(" data")
                 and ws.title != "Settings"]
        assert len(shown) >= 10
        for ws in shown:  # under every table as printed
            assert (note in [c.value for c in ws["A"]]) is synthetic, ws.title
    html_text = report.build_report(demo_prepared, synthetic=True)
    assert note in html_text  # the same words as the HTML report's banner


def test_workbook_cells_are_safe_in_a_spreadsheet():
    cohort, dxa = vbq.demo.load()
    cohort = cohort.copy()
    cohort.loc[0, "patient_id"] = "=HYPERLINK(\"x\")"  # excluded: no DXA row
    prepared = vbq.prepare_cohort(cohort, dxa)
    wb = openpyxl.load_workbook(io.BytesIO(report.build_workbook(prepared)))
    ids = [c.value for c in wb["Exclusion log data"]["A"]]
    assert "'=HYPERLINK(\"x\")" in ids and "=HYPERLINK(\"x\")" not in ids


def test_workbook_sheets_are_named_as_a_reader_looks_for_them(demo_prepared):
    # were cut-off internal keys: "auc_comparison_osteopenia_o (2)",
    # "breakdown_age_60_dxa_negative d"
    wb = openpyxl.load_workbook(io.BytesIO(report.build_workbook(demo_prepared)))
    names = wb.sheetnames
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert len(name) <= 31 and "_" not in name and "(" not in name, name
        if name != "Settings" and not name.endswith(" data"):
            assert f"{name} data" in names, name
    assert {"AUCs, osteoporosis", "AUCs, osteopenia or worse", "VBQ+ by diagnosis",
            "VBQ+ DXA-negative by age", "Exclusion log"} <= set(names)
    # each numbered sheet holds its table
    for n in range(1, 6):
        assert wb[f"Table {n}"]["A1"].value.startswith(f"Table {n}. ")


def test_workbook_settings_are_a_table_of_labelled_values_with_the_json_beside(demo_prepared):
    from vbq.settings import SETTING_LABELS

    settings = demo_prepared.settings.replace(sexes=("F",), age_min=50.0)
    prepared = vbq.prepare_cohort(*vbq.demo.load(), settings=settings)
    ws = openpyxl.load_workbook(io.BytesIO(report.build_workbook(prepared)))["Settings"]
    rows = {r[0]: r[1] for r in ws.iter_rows(min_row=2, max_col=2, values_only=True) if r[0]}
    assert [c.value for c in ws[1]][:2] == ["Setting", "Value"]
    assert set(rows) == {label for label, _ in SETTING_LABELS.values()}
    assert rows["Sex filter"] == "Female"
    assert rows["Minimum age"] == 50 and rows["Maximum age"] == "No limit"
    assert rows["Osteoporosis T-score cut-off"] == -2.5  # a number, not text
    assert rows["VBQ osteoporosis threshold"] == "Derived from the control group (Youden)"
    assert "disc_herniation" not in str(rows["Diagnosis filter"])
    assert vbq.Settings.from_json(ws["D2"].value) == settings


def test_a_subgroup_is_drawn_apart_from_the_exclusions(demo_prepared):
    # issue 16: "Excluded: 89 - outside the filters" for a women-only analysis
    prepared = vbq.prepare_cohort(*vbq.demo.load(), vbq.Settings(sexes=("F",)))
    c = prepared.counts
    n_men = int((vbq.demo.load()[0]["sex"] == "M").sum())
    assert (c.n_excluded, c.n_outside_subgroup, c.n_eligible) == (0, n_men, 235)
    html_text = report.flow_diagram(prepared)
    assert "Excluded: 0" in html_text and "Outside the filters" not in html_text
    assert "Eligible: 235" in html_text
    assert f"Not in the subgroup analysed: {n_men}" in html_text
    assert f"Subgroup analysed (women only): {c.n_analysed}" in html_text
    # without filters, no subgroup boxes
    plain = report.flow_diagram(demo_prepared)
    assert "subgroup" not in plain.lower() and "Analysed: 235" in plain


def test_the_report_says_which_measurements_are_in_use(demo_prepared):
    from types import SimpleNamespace

    readings = pd.DataFrame({
        "patient_id": ["DEMO-001"] * 5 + ["DEMO-002"] * 5 + ["DEMO-001"] * 5,
        "observer": ["AB"] * 10 + ["CD"] * 5, "session": [1] * 15,
        "level": ["L1", "L2", "L3", "L4", "CSF"] * 3, "si_mean": [300.0] * 15,
        "field_strength_t": [1.5] * 10 + [3.0] * 5, "tr_ms": [500.0] * 15,
        "te_ms": [10.0] * 15})
    merge = SimpleNamespace(measured=("DEMO-001", "DEMO-002"), replaced=("DEMO-002",),
                            not_in_cohort=(), observer="AB", session=1, combine="select")
    used = vbq.describe.measurements_in_use(merge, readings)
    assert (used.n_patients, used.n_readings, used.n_replaced) == (2, 10, 1)
    assert used.series == (("1.5 T, TR 500 ms, TE 10 ms", 2),)  # CD's 3 T readings not used
    assert used.choice == "observer AB, session 1"
    text = html.unescape(report.build_report(demo_prepared, measurements=used, timestamp="t"))
    assert "No input files were given" not in text or "MRI measurements in use" in text
    assert text.count("MRI measurements in use: 10 ROI readings") >= 2  # flow and inputs
    assert "observer AB, session 1" in text and "1.5 T, TR 500 ms, TE 10 ms (2 patients)" in text
    flow = report.flow_diagram(demo_prepared, measurements=used)
    assert "MRI measurements in use" in html.unescape(flow)
    line = vbq.in_force(demo_prepared, measurements=used).line
    assert "MRI measurements for 2 patient(s) (observer AB, session 1; 1.5 T" in line
    assert "MRI" not in vbq.in_force(demo_prepared).line


def test_library_versions_read_the_name_and_version_importlib_metadata_reads():
    # the header block only (fast) must give what the whole metadata file gives
    import importlib.metadata
    import platform

    expected: dict[str, tuple[str, str]] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in expected:
            expected[name.lower()] = (name, dist.version)
    rows = sorted(expected.values(), key=lambda kv: kv[0].lower())
    assert vbq.report.library_versions() == [("Python", platform.python_version()), *rows]
    assert ("pandas", pd.__version__) in vbq.report.library_versions()
def test_report_has_the_decision_curves_and_the_sample_sizes(demo_prepared, demo_html):
    # issue 20: two separate sections beyond the paper, their numbers those of vbq's own calls
    decide = re.search(r'<h2 id="decide">(.*?)</section>', demo_html, re.S).group(1)
    assert 'id="decide-curves"' in decide and 'id="decide-difference"' in decide
    study = vbq.decide.decision_study(demo_prepared.table,
                                      vbq_cutoff=demo_prepared.thresholds.vbq_osteoporosis)
    table = vbq.present.decision_table(study, thresholds=report.DECISION_STEPS)
    assert 'id="decision_curve"' in decide and html.escape(table.shown.iloc[0, 1]) in decide
    nb = study.result.curve("vbq").set_index("threshold")["net_benefit"]
    assert f"<td>{vbq.present.format_number(nb.loc[0.2], 3)}</td>" in decide
    plan = re.search(r'<h2 id="plan">(.*?)</section>', demo_html, re.S).group(1)
    assert 'id="sample_size"' in plan
    roc = vbq.study.roc_study(demo_prepared.table, markers=("vbq",))
    auc = vbq.stats.sample_size_auc(roc.results["vbq"].auc,
                                    ratio=(roc.n - roc.n_positive) / roc.n_positive)
    assert f"{auc.n_cases} with and {auc.n_controls} without the condition" in plan
    assert "Large enough?" in plan


def test_workbook_holds_every_table_of_the_html_report(demo_prepared):
    # newuser review: the Report page said "The workbook holds every table as shown and as
    # data", but the field-strength ROC tables, the published thresholds, the meta-analysis,
    # the net benefits and the sample sizes were in the HTML report only
    import html as _html
    import re

    page = report.build_report(demo_prepared)
    captions = {_html.unescape(c) for c in re.findall(r"<caption[^>]*>(.*?)</caption>", page)}
    assert len(captions) >= 20
    wb = openpyxl.load_workbook(io.BytesIO(report.build_workbook(demo_prepared)))
    titles = {ws["A1"].value for ws in wb.worksheets
              if not ws.title.endswith(" data") and ws.title != "Settings"}
    assert captions <= titles, sorted(captions - titles)
    for name in ("Field, osteoporosis", "Field, osteopenia or worse", "Published thresholds",
                 "Meta-analysis", "Net benefit", "Net benefit difference", "Sample sizes"):
        assert name in wb.sheetnames and f"{name} data" in wb.sheetnames, name
    # the data sheet at full precision: the 1.5 T stratum's AUC as computed
    strat = vbq.scanners.roc_by_field_strength(demo_prepared.table)
    data = pd.read_excel(io.BytesIO(report.build_workbook(demo_prepared)),
                         sheet_name="Field, osteoporosis data").set_index("field_strength_t")
    assert data.loc[1.5, "auc"] == pytest.approx(strat.results[1.5].auc, abs=1e-12)


def test_what_could_not_be_computed_is_said_in_words():
    # newuser review, men aged 75 and over on the demo: the Report page and the report said
    # "group(s) ['degenerative', 'control'] have no patient with Modic change" and
    # "vbq_status: only 1 group has data"
    settings = vbq.Settings().replace(sexes=("M",), age_min=75.0)
    prepared = vbq.prepare_cohort(*vbq.demo.load(), settings=settings)
    missing = [t for t in report.study_tables(prepared)
               if list(t.shown.columns) == ["Not computed"]]
    notes = " ".join(" ".join(t.footnotes) for t in missing)
    assert "Modic" in notes and "VBQ status" in notes, notes
    assert "['" not in notes and "vbq_status" not in notes, notes
    assert "degenerative, control" in notes
