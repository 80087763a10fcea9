"""AppTest of the analyses by MRI field strength on the ROC and Thresholds pages (issue 19)."""

from __future__ import annotations

import html

import vbq
from vbq.scanners import roc_by_field_strength

from .conftest import start, tables


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
    captions = [html.unescape(c.value).replace("\u2060", "") for c in at.caption]
    assert any("Unpaired DeLong test" in c and f"p = {p}" in c for c in captions)
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

