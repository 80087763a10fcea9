"""The report's section on scanners and published thresholds (issues 19 and 20)."""

from __future__ import annotations

import html
import re

import pytest

import vbq
import vbq.report as report
from vbq.published import META_ANALYSIS
from vbq.scanners import roc_by_field_strength


@pytest.fixture(scope="module")
def prepared():
    return vbq.prepare_cohort(*vbq.demo.load())


def _section(text: str, anchor: str) -> str:
    start = text.index(f'<h2 id="{anchor}">')
    return text[start:text.index("</section>", start)]


def test_the_report_has_a_section_on_scanners_and_published_thresholds(prepared):
    text = html.unescape(report.build_report(prepared, timestamp="t", synthetic=True))
    assert '<a href="#scanners">Scanners and published thresholds</a>' in text
    section = re.sub(r"<[^>]+>", " ", _section(text, "scanners"))
    strat = roc_by_field_strength(prepared.table)
    p = vbq.present.format_p(strat.comparisons[0].test.p_value)
    assert "ROC analysis by MRI field strength: osteoporosis" in section
    assert "AUC at 1.5 T minus AUC at 3 T" in section and f"p = {p}" in section
    assert "Published VBQ thresholds applied to this cohort" in section
    assert "Derived at 3 T; the measurements in use are at 1.5 T and 3 T." in section
    assert "0.78 (0.74 to 0.82)" in section and META_ANALYSIS.doi in section


def test_scanner_tables_without_field_strengths(prepared):
    bare = vbq.prepare_cohort(vbq.demo.load()[0].drop(columns="field_strength_t"),
                              vbq.demo.load()[1])
    keys = [t.key for t in report.scanner_tables(bare)]
    assert keys == ["published_thresholds", "meta_analysis"]  # no strata to compare
    applied = report.scanner_tables(bare)[0].data
    chen = applied.set_index("key").loc["chen2023_osteoporosis", "warnings"]
    assert chen == ("Derived at 3 T; the field strength of the measurements in use is not "
                    "recorded.")
