"""Tests of vbq.published: the library of published VBQ thresholds and the pooled estimate
(issue 20).

The library's numbers are the sources' (each entry names where it was read): the tests check
that each one is there as printed (the abstract's words quoted beside it), that the seed paper's
come from `vbq.paper` (one source for each published number), and that applying a threshold to
a cohort counts patients as a plain loop does, with Wilson intervals from statsmodels.
"""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import proportion_confint

import vbq
from vbq import paper
from vbq.errors import InputError
from vbq.published import (
    META_ANALYSIS,
    PUBLISHED_THRESHOLDS,
    UNVERIFIED,
    against_meta_analysis,
    apply_published,
    published_thresholds,
    scanner_warnings,
)

BY_KEY = {t.key: t for t in PUBLISHED_THRESHOLDS}


@pytest.fixture(scope="module")
def prepared():
    return vbq.prepare_cohort(*vbq.demo.load())


def test_every_entry_names_its_source_population_and_scanner():
    assert len(BY_KEY) == len(PUBLISHED_THRESHOLDS)
    for t in PUBLISHED_THRESHOLDS:
        assert t.citation and t.source_read and t.population and t.reference, t.key
        assert t.n > 0 and t.target in ("osteoporosis", "osteopenia_or_worse", "fracture")
        assert t.field_strength_t is None or t.field_strength_t in (1.5, 3.0)
        assert t.sequence
        for v in (t.sensitivity, t.specificity, t.auc):
            assert v is None or 0 < v < 1
    assert UNVERIFIED  # what was looked for and left out is said


def test_the_seed_papers_thresholds_are_vbq_papers_numbers():
    # Chen et al. 2023, Table 4 and Methods (3.0 T Philips Achieva, T1WI TR 600, TE 20)
    t = BY_KEY["chen2023_osteoporosis"]
    op = paper.TABLE4[("vbq", "osteoporosis")]
    assert (t.threshold, t.sensitivity, t.specificity, t.auc, t.auc_ci) == (
        2.9, op.sensitivity / 100, op.specificity / 100, 0.818, (0.734, 0.902))
    assert t.field_strength_t == 3.0 and "TR 600 ms, TE 20 ms" in t.sequence
    assert t.n == paper.GROUP_SIZES["control"] == 134 and t.doi == paper.DOI
    o = BY_KEY["chen2023_osteopenia"]
    assert (o.threshold, o.sensitivity, o.specificity, o.auc) == (2.6, 0.835, 0.531, 0.733)


@pytest.mark.parametrize(("key", "printed"), [
    # "The diagnostic thresholds of reduced BMD and osteoporosis according to the maximum
    # Youden index were 3.06 (sensitivity 0.636, specificity 0.870, ...) and 3.05 (sensitivity
    # 0.875, specificity 0.618, ...)"; "AUC 0.793", "AUC 0.810"; "The study included 100"
    ("lumbar_surgery_100_osteoporosis", (3.05, "osteoporosis", 100, 0.875, 0.618, 0.810)),
    ("lumbar_surgery_100_reduced_bmd", (3.06, "osteopenia_or_worse", 100, 0.636, 0.870, 0.793)),
    # "83 thoracolumbar spine surgery patients"; "0.806"; "VBQ of 2.95"
    ("opportunistic_83_osteoporosis", (2.95, "osteoporosis", 83, None, None, 0.806)),
    # "130 patients"; "An optimal VBQ threshold of 2.7"
    ("screening_130_osteoporosis", (2.7, "osteoporosis", 130, None, None, None)),
    # "601 postmenopausal women"; "the cut-off value was 2.979"
    ("postmenopausal_601_osteoporosis", (2.979, "osteoporosis", 601, None, None, None)),
    # "166 patients"; T12VBQ "0.756 ... 2.94"; "0.634 ... 3.18"
    ("t12_166_reduced_bmd", (2.94, "osteopenia_or_worse", 166, None, None, 0.756)),
    ("t12_166_osteoporosis", (3.18, "osteoporosis", 166, None, None, 0.634)),
])
def test_each_entry_is_as_its_source_prints_it(key, printed):
    t = BY_KEY[key]
    assert (t.threshold, t.target, t.n, t.sensitivity, t.specificity, t.auc) == printed


def test_the_pooled_estimate_is_as_printed():
    # Yang, Liu, Hu 2024 (QIMS), abstract: "23 studies, comprising 2981 patients"; "0.77 [95%
    # CI, 0.73-0.81]", "0.65 (95% CI, 0.59-0.71)", DOR "6.49 (95% CI, 4.82-8.73)", "area under
    # the SROC curve of 0.78 (95% CI, 0.74-0.82)"
    m = META_ANALYSIS
    assert (m.n_studies, m.n_patients) == (23, 2981)
    assert (m.sensitivity, m.specificity, m.dor, m.auc) == (
        (0.77, 0.73, 0.81), (0.65, 0.59, 0.71), (6.49, 4.82, 8.73), (0.78, 0.74, 0.82))
    assert m.doi == "10.21037/qims-24-532"


def test_the_library_as_a_table():
    frame = published_thresholds("osteoporosis")
    assert set(frame["target"]) == {"osteoporosis"} and len(frame) == 6
    assert {"auc_ci_low", "source_read", "field_strength_t"} <= set(frame.columns)
    with pytest.raises(InputError, match="target"):
        published_thresholds("bone")


def _plain_counts(table, threshold, positive):
    ctl = table[table["group"] == "control"]
    y = ctl["dxa_status"].isin(positive).to_numpy()
    v = ctl["vbq"].to_numpy(dtype=float)
    tp = sum(1 for yi, vi in zip(y, v, strict=True) if yi and vi >= threshold)
    tn = sum(1 for yi, vi in zip(y, v, strict=True) if not yi and vi < threshold)
    return tp, int(y.sum()), tn, int((~y).sum())


def test_applying_a_threshold_counts_as_a_plain_loop_with_wilson_intervals(prepared):
    table = prepared.table
    applied = apply_published(table).set_index("key")
    for key in ("chen2023_osteoporosis", "lumbar_surgery_100_reduced_bmd",
                "postmenopausal_601_osteoporosis"):
        t = BY_KEY[key]
        positive = ("osteoporosis",) if t.target == "osteoporosis" else (
            "osteopenia", "osteoporosis")
        tp, n_pos, tn, n_neg = _plain_counts(table, t.threshold, positive)
        row = applied.loc[key]
        assert row["sensitivity"] == pytest.approx(tp / n_pos, abs=1e-12)
        assert row["specificity"] == pytest.approx(tn / n_neg, abs=1e-12)
        lo, hi = proportion_confint(tp, n_pos, method="wilson")
        assert (row["sensitivity_ci_low"], row["sensitivity_ci_high"]) == pytest.approx(
            (lo, hi), abs=1e-10)
        assert row["n"] == n_pos + n_neg == prepared.counts.n_control
    # the cohort's own thresholds come first, the Youden cutoff rounded up to one decimal
    own = apply_published(table).iloc[:2]
    assert own["key"].tolist() == ["cohort_osteoporosis", "cohort_osteopenia_or_worse"]
    assert own["threshold"].tolist() == [prepared.thresholds.vbq_osteoporosis,
                                         prepared.thresholds.vbq_osteopenia]
    # T12 VBQ is another measure: listed, never applied
    assert not any(k.startswith("t12") for k in applied.index)
    with pytest.raises(InputError, match="cannot be applied"):
        apply_published(table, ["t12_166_osteoporosis"])
    with pytest.raises(InputError, match="unknown"):
        apply_published(table, ["nonesuch"])


def test_a_threshold_from_another_scanner_is_warned_about():
    chen = BY_KEY["chen2023_osteoporosis"]
    assert scanner_warnings(chen, field_strengths=[3.0]) == ()
    assert scanner_warnings(chen, field_strengths=[1.5, 3.0]) == (
        "Derived at 3 T; the measurements in use are at 1.5 T and 3 T.",)
    assert scanner_warnings(chen) == (
        "Derived at 3 T; the field strength of the measurements in use is not recorded.",)
    flair = scanner_warnings(chen, field_strengths=[3.0],
                             sequence_families=["spin_echo", "inversion_recovery"])
    assert flair == ("Published on T1-weighted, TR 600 ms, TE 20 ms (Philips Achieva) images; "
                     "the measurements in use include inversion recovery.",)
    other = scanner_warnings(BY_KEY["opportunistic_83_osteoporosis"], field_strengths=[1.5])
    assert other == ("The source read does not state the field strength, so it cannot be "
                     "checked against the measurements in use.",)
    t12 = scanner_warnings(BY_KEY["t12_166_osteoporosis"])
    assert t12[0] == "Measured as T12 VBQ, not the L1-L4 VBQ computed here."


def test_the_cohort_beside_the_meta_analysis(prepared):
    res = vbq.study.roc_study(prepared.table).results["vbq"]
    frame = against_meta_analysis(res).set_index("measure")
    assert frame.loc["auc", "cohort"] == res.auc
    assert (frame.loc["auc", "cohort_ci_low"], frame.loc["auc", "cohort_ci_high"]) == res.auc_ci
    assert frame.loc["sensitivity", "cohort"] == res.sensitivity
    assert frame.loc["specificity", "pooled"] == 0.65
    at = against_meta_analysis(res, threshold=2.9).set_index("measure")
    assert at.loc["sensitivity", "cohort"] == res.at(2.9).sensitivity
    assert not math.isnan(at.loc["specificity", "cohort_ci_low"])


def test_the_tables_name_every_source(prepared):
    applied = apply_published(prepared.table, field_strengths=[1.5, 3.0])
    table = vbq.present.published_thresholds_table(applied)
    text = " ".join(table.footnotes)
    for t in PUBLISHED_THRESHOLDS:
        if t.key in set(applied["key"]):
            assert t.source_read in text, t.key
    assert table.shown["Scanner"].iloc[2].startswith("3 T;")
    assert table.data["warnings"].iloc[2] == ("Derived at 3 T; the measurements in use are at "
                                              "1.5 T and 3 T.")
    res = vbq.study.roc_study(prepared.table).results["vbq"]
    meta = vbq.present.meta_analysis_table(against_meta_analysis(res))
    assert meta.shown.iloc[2, 2] == "0.78 (0.74 to 0.82)"
    assert META_ANALYSIS.citation in " ".join(meta.footnotes)
