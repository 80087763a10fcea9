"""The words beside the numbers name the method the code uses (issue 16): the report's Methods,
Table 3's and the ICC table's footnotes, the PPV/NPV note, and what each method was validated
against (held to the function's own "Validated against" docstring)."""

from __future__ import annotations

import html
import inspect
import re

import pytest

import vbq
import vbq.present as P
import vbq.stats as S
from vbq import report


@pytest.fixture(scope="module")
def demo():
    prepared = vbq.prepare_cohort(*vbq.demo.load())
    return prepared, vbq.study.analyse(prepared)


@pytest.fixture(scope="module")
def methods(demo):
    prepared, analysis = demo
    text = report.build_report(prepared, analysis=analysis, timestamp="t")
    body = text.split('<h2 id="methods">', 1)[1].split("</section>", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_the_icc_shown_is_said_to_have_an_approximate_ci(demo, methods):
    _, analysis = demo
    res = next(iter(analysis.reliability.values()))
    method = res.to_frame().set_index("type").loc["ICC2", "method"]
    assert "Satterthwaite" in method  # what vbq.stats.icc computes for ICC(A,1)
    assert "exact CIs" not in methods and "exact F CIs" not in methods
    assert "ICC(A,1)" in methods and "Satterthwaite's approximate degrees of freedom" in methods
    icc = P.icc_table(analysis.reliability)
    assert "Satterthwaite" in icc.footnotes[0] and "approximate" in icc.footnotes[0]
    # a form with an exact interval says so
    exact = P.icc_table(analysis.reliability, forms=("ICC3",))
    assert "exact F-based 95% CI" in exact.footnotes[0]
    assert "exact" in res.to_frame().set_index("type").loc["ICC3", "method"]


def test_table3_names_the_between_group_test_the_code_uses():
    table = vbq.prepare_cohort(*vbq.demo.load()).table
    spearman = P.table3(vbq.study.table3(table, method="spearman"))
    pearson = P.table3(vbq.study.table3(table, method="pearson"))
    # vbq.stats.compare_correlations: Fisher's variance for r, Bonett-Wright's for rho
    assert "Bonett-Wright" in S.compare_correlations(0.3, 50, 0.5, 60, method="spearman").method
    assert "Fisher" in S.compare_correlations(0.3, 50, 0.5, 60, method="pearson").method
    diff = [n for n in spearman.footnotes if "vs" in n and "test" in n]
    assert len(diff) == 1 and "Bonett-Wright" in diff[0] and "Fisher z-test" not in diff[0]
    diff = [n for n in pearson.footnotes if "vs" in n and "test" in n]
    assert len(diff) == 1 and "Fisher z-test" in diff[0]


def test_report_methods_name_spearmans_test_when_table3_is_spearman(demo):
    prepared, analysis = demo
    from dataclasses import replace

    spearman = replace(analysis, table3=vbq.study.table3(prepared.table, method="spearman"))
    text = html.unescape(report.build_report(prepared, analysis=spearman, timestamp="t"))
    assert "Bonett-Wright variance (1 + ρ²/2)/(n − 3)" in text
    assert "compared by Fisher's z-test" not in text


def _cutoff(tp: int, fn: int, tn: int, fp: int):
    y = [1] * (tp + fn) + [0] * (tn + fp)
    x = [2] * tp + [0] * fn + [0] * tn + [2] * fp
    return S.roc_analysis(y, x).at(1.0)


def test_ppv_note_says_sensitivity_or_specificity_at_0_or_1_only_when_one_is():
    # sensitivity 5/6, specificity 200/201, prevalence 1e-6: the adjusted-logit interval
    # (centred on the adjusted counts' value) misses the PPV, yet neither is 0 or 1
    m = _cutoff(5, 1, 200, 1)
    assert 0 < m.sensitivity < 1 and 0 < m.specificity < 1
    pv = m.ppv_npv_at_prevalence(1e-6)
    assert pv.notes and pv.ppv_ci[0] <= pv.ppv <= pv.ppv_ci[1]
    assert "0 or 1" not in pv.notes[0] and "adjusted counts" in pv.notes[0]
    # specificity 1: the note names it
    perfect = _cutoff(4, 1, 10, 0)
    assert perfect.specificity == 1
    notes = perfect.ppv_npv_at_prevalence(0.2).notes
    assert notes and "sensitivity or specificity at 0 or 1" in notes[0]


# what each method was validated against: the words the function's docstring uses
_DOC_WORDS = {
    "roc_analysis": ("pROC", "prop.test"),
    "compare_markers": ("roc.test", "holm"),
    "ppv_npv_at_prevalence": ("formulas written out in the tests",),
    "bootstrap_cutoff": ("explicit loop over resamples",),
    "pearson": ("cor.test",),
    "spearman": ("cor.test", "formula"),
    "compare_correlations": ("r.test", "Bonett-Wright formula written out"),
    "compare_groups": ("t.test", "chisq.test", "fisher.test"),
    "ancova": ("Anova",),
    "prevalence_shift": ("chisq.test", "fisher.test"),
    "icc": ("psych", "ICC(x, lmer = FALSE"),
    "cohen_kappa": ("vcd", "cohen.kappa"),
    "bland_altman": ("Bland & Altman (1986)", "base functions"),
    "fit_line": ("predict(lm(y ~ x)",),
    "risk_model": ("rms 6.5-0", "validate", "calibrate", "same bootstrap resamples"),
}


def _validated(name: str) -> str:
    fn = {"ppv_npv_at_prevalence": S.CutoffMetrics.ppv_npv_at_prevalence,
          "fit_line": vbq.study.fit_line}.get(name) or getattr(S, name)
    doc = " ".join(inspect.getdoc(fn).split())
    return doc.split("Validated against", 1)[1].split("References", 1)[0]


@pytest.mark.parametrize("method, function, against", report.VALIDATION)
def test_each_validation_line_is_what_the_function_was_validated_against(method, function,
                                                                        against):
    doc = _validated(function)
    for word in _DOC_WORDS[function]:
        assert word in doc, (function, word)
    if "written out" in doc and "R 4.2.2" not in doc and "R ``" not in doc:
        assert "written out" in against, function  # not claimed as an R check


def test_the_report_no_longer_claims_every_statistic_is_validated_against_r(methods):
    assert "Every statistic is validated against R" not in methods
    assert "Checked against" in methods
    for method, _, against in report.VALIDATION:
        assert method in methods and against in methods
    # the three checked without an R reference say so
    by_name = {f: a for _, f, a in report.VALIDATION}
    for f in ("ppv_npv_at_prevalence", "bootstrap_cutoff", "bland_altman"):
        assert "written out" in by_name[f] or "loop" in by_name[f], f
