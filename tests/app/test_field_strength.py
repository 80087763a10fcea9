"""AppTest of the analyses by MRI field strength on the ROC and Thresholds pages (issue 19)."""

from __future__ import annotations

import html

import vbq
from vbq.scanners import roc_by_field_strength

from .conftest import start, table_notes, tables


def _field_table(at):
    return next(t for t in tables(at) if "Field strength" in t.columns)


def test_the_roc_page_shows_each_field_strength_as_vbq_computes_it(demo):
    at = start("app_pages/roc.py")
    assert not at.exception and not at.error
    table = vbq.prepare_cohort(*demo).table
    strat = roc_by_field_strength(table, group="control", target="osteoporosis", marker="vbq")
    shown = _field_table(at)
    assert shown.reset_index(drop=True).equals(vbq.present.field_strength_roc_table(strat).display())
    assert shown["Field strength"].tolist() == ["1.5 T", "3 T"]
    # the test of the AUC difference is written under the table, with its p-value
    p = vbq.present.format_p(strat.comparisons[0].test.p_value)
    assert any("Unpaired DeLong test" in n and f"p = {p}" in n for n in table_notes(at))
    # one interaction: another marker, another analysis
    at.selectbox(key="roc_field_marker").set_value("hu_l1").run()
    assert not at.exception
    hu = roc_by_field_strength(table, group="control", target="osteoporosis", marker="hu_l1")
    assert _field_table(at).reset_index(drop=True).equals(
        vbq.present.field_strength_roc_table(hu).display())
    assert any(k.proto.id.endswith("roc_dl_field_strength_data_csv")
               for k in at.get("download_button"))


def test_the_thresholds_page_gives_each_field_strength_its_threshold(demo):
    at = start("app_pages/thresholds.py")
    assert not at.exception and not at.error
    table = vbq.prepare_cohort(*demo).table
    strat = roc_by_field_strength(table, group="control", target="osteoporosis")
    shown = _field_table(at)
    assert shown["Threshold"].tolist() == [f"≥\u00a0{strat.threshold(t):g}" for t in strat.strata]



def test_the_thresholds_page_applies_published_thresholds_and_warns_of_their_scanner(demo):
    at = start("app_pages/thresholds.py")
    table = vbq.prepare_cohort(*demo).table
    shown = next(t for t in tables(at) if "Sensitivity here, % (95% CI)" in t.columns)
    applied = vbq.published.apply_published(
        table, [t.key for t in vbq.published.PUBLISHED_THRESHOLDS
                if t.target == "osteoporosis" and t.measure == "VBQ (L1-L4)"],
        field_strengths=[1.5, 3.0])
    expected = vbq.present.published_thresholds_table(applied).display()
    assert shown.reset_index(drop=True).equals(expected)
    warnings = [html.unescape(w.value).replace("\u2060", "") for w in at.warning]
    assert any("Derived at 3 T; the measurements in use are at 1.5 T and 3 T." in w
               and "Chen et al. 2023" in w for w in warnings)
    # one interaction: only the seed paper's threshold
    at.multiselect(key="thr_published_osteoporosis").set_value(["chen2023_osteoporosis"]).run()
    assert not at.exception
    shown = next(t for t in tables(at) if "Sensitivity here, % (95% CI)" in t.columns)
    assert len(shown) == 2  # the cohort's own, then the paper's


def test_the_roc_page_sets_the_cohort_beside_the_meta_analysis(demo):
    at = start("app_pages/roc.py")
    table = vbq.prepare_cohort(*demo).table
    res = vbq.study.roc_study(table, markers=("vbq", "hu_l1")).results["vbq"]
    shown = next(t for t in tables(at) if "Pooled, meta-analysis (95% CI)" in t.columns)
    row = shown.set_index(shown.columns[0]).loc["AUC"]
    assert row["This cohort (95% CI)"] == (f"{res.auc:.3f} ({res.auc_ci[0]:.3f} to "
                                           f"{res.auc_ci[1]:.3f})")
    assert row["Pooled, meta-analysis (95% CI)"] == "0.78 (0.74 to 0.82)"


def test_the_published_thresholds_follow_the_condition_chosen(demo):
    at = start("app_pages/thresholds.py")
    at.multiselect(key="thr_published_osteoporosis").set_value(["chen2023_osteoporosis"]).run()
    at.radio(key="thr_target").set_value("osteopenia_or_worse").run()
    assert not at.exception and not at.error
    options = at.multiselect(key="thr_published_osteopenia_or_worse").options
    assert all("osteopenia or worse" in o for o in options)
    shown = next(t for t in tables(at) if "Sensitivity here, % (95% CI)" in t.columns)
    assert shown["Threshold"].str.contains("osteopenia").all()
