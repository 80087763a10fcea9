"""vbq.study: the paper's tables composed from vbq.stats on a prepared table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import vbq
from vbq.study import fit_line

from .factories import make_tables
from .r_reference import r_values

REF = Path(__file__).resolve().parent / "reference"


def test_fit_line_matches_r_predict_lm():
    d = pd.read_csv(REF / "study_fit_line.csv")
    band = fit_line(d["x"], d["y"], n_points=5)
    # R 4.2.2: predict(lm(y ~ x), grid, interval = "confidence", level = 0.95), read from
    # tests/reference/study_fit_line.out (written by study_fit_line.R on the seeded data of
    # study_fit_line_make_data.py): rows x, fit, lwr, upr
    expected = np.array([r_values("study_fit_line", f"band {i}") for i in range(1, 6)])
    assert expected.shape == (5, 4)
    np.testing.assert_allclose(band.frame[["x", "fit", "ci_low", "ci_high"]].to_numpy(),
                               expected, atol=1e-9)
    assert (band.n, band.n_missing, band.confidence) == (
        int(r_values("study_fit_line", "n")[0]), int(r_values("study_fit_line", "n_missing")[0]),
        0.95)


def test_fit_line_degenerate_inputs():
    with pytest.raises(vbq.DegenerateInputError, match="at least 3 complete pairs"):
        fit_line([1.0, 2.0, np.nan], [1.0, 2.0, 3.0])
    with pytest.raises(vbq.DegenerateInputError, match="constant"):
        fit_line([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(vbq.InputError):
        fit_line([1.0, 2.0], [1.0])


def test_table2_uses_present_columns_and_paper_order():
    table = vbq.prepare_cohort(*make_tables(20)).table
    frame = vbq.study.table2(table).to_frame()
    assert frame["variable"].iloc[0] == "age"
    assert "bmi" not in set(frame["variable"])  # not in the factory tables
    assert {"vbq", "hu_l1", "t_lowest", "sex"} <= set(frame["variable"])
    with pytest.raises(vbq.InputError, match="covariates"):
        vbq.study.table2(table, covariates=("weight",))


def test_table3_rows_per_measure_and_group():
    table = vbq.prepare_cohort(*make_tables(40)).table
    t3 = vbq.study.table3(table)
    assert set(t3["group"]) == {"degenerative", "control", "all"}
    assert set(t3["y"]) == {"bmd_l1_l4", "t_l1_l4", "t_lowest", "t_femoral_neck",
                            "t_total_hip", "hu_l1"}
    row = t3[(t3["y"] == "hu_l1") & (t3["group"] == "all")].iloc[0]
    assert row["estimate"] == pytest.approx(np.corrcoef(table["vbq"], table["hu_l1"])[0, 1],
                                            abs=1e-12)


def test_analyse_runs_every_table_or_says_why():
    prepared = vbq.prepare_cohort(*make_tables(80))
    a = vbq.study.analyse(prepared)
    assert isinstance(a.table2, vbq.stats.GroupComparison)
    assert isinstance(a.table3, pd.DataFrame)
    assert set(a.roc) == {"osteoporosis", "osteopenia_or_worse"}
    for res in a.roc.values():
        assert isinstance(res, vbq.study.ROCStudy)
        assert res.comparison is not None  # VBQ vs HU, paired DeLong
    assert isinstance(a.table5, vbq.study.Unavailable)  # not recorded here
    assert "modic_type" in a.table5.reason and str(a.table5) == a.table5.reason
    assert a.counts.n_analysed == 80 and a.thresholds is prepared.thresholds
    bare = vbq.study.analyse(prepared.table)  # a bare table: the same parts, no counts
    assert bare.counts is None and bare.thresholds is None
    assert bare.roc["osteoporosis"].results["vbq"].auc == a.roc["osteoporosis"].results["vbq"].auc


@pytest.mark.parametrize("cutoff, rounding, expected", [
    (2.83, "up", 2.9),  # the paper's 2.83 -> 2.9
    (2.56, "up", 2.6),  # and 2.56 -> 2.6
    (2.6, "up", 2.6),  # 2.6 * 10 is 26.000000000000004 in binary: must stay 2.6
    (2.83, "nearest", 2.8),
    (2.89, "down", 2.8),
])
def test_adjusted_cutoff(cutoff, rounding, expected):
    assert vbq.study.adjusted_cutoff(cutoff, rounding=rounding) == expected


@pytest.mark.parametrize("cutoff, higher, expected", [
    (2.83, True, 2.9),  # VBQ: positive when high, so up is the more specific side
    (104.37, False, 104.3),  # L1 HU: positive when low, so down
    (-1.04, False, -1.1),  # a T-score: down is away from the positive side too
])
def test_adjusted_cutoff_rounds_toward_the_more_specific_side(cutoff, higher, expected):
    assert vbq.study.adjusted_cutoff(cutoff, higher_is_positive=higher) == expected


def test_adjusted_cutoff_rejects_bad_arguments():
    with pytest.raises(vbq.InputError, match="rounding"):
        vbq.study.adjusted_cutoff(2.8, rounding="ceil")
    with pytest.raises(vbq.InputError, match="decimals"):
        vbq.study.adjusted_cutoff(2.8, decimals=-1)
    assert vbq.study.adjusted_cutoff(float("inf")) == float("inf")


@pytest.mark.parametrize("target, name, positive", [
    ("osteoporosis", "vbq_osteoporosis", ("osteoporosis",)),
    ("osteopenia_or_worse", "vbq_osteopenia", ("osteopenia", "osteoporosis")),
])
def test_threshold_point_counts_by_hand(target, name, positive):
    settings = vbq.Settings(**vbq.settings.PAPER_THRESHOLDS)
    prepared = vbq.prepare_cohort(*vbq.demo.load(), settings)
    table = prepared.table
    roc, thr, at = vbq.study.threshold_point(prepared, target=target)
    assert thr == vbq.settings.PAPER_THRESHOLDS[name]
    ctl = table[table["group"] == "control"]
    sick = ctl["dxa_status"].isin(positive).to_numpy()
    flagged = (ctl["vbq"] >= thr).to_numpy()  # VBQ at or above the threshold is positive
    assert at.tp == (sick & flagged).sum() and at.fn == (sick & ~flagged).sum()
    assert at.fp == (~sick & flagged).sum() and at.tn == (~sick & ~flagged).sum()
    assert at.sensitivity == pytest.approx((sick & flagged).sum() / sick.sum())
    assert roc.auc == vbq.study.roc_study(table, target=target, markers=("vbq",)).results["vbq"].auc


def test_threshold_point_errors():
    prepared = vbq.prepare_cohort(*vbq.demo.load())
    with pytest.raises(vbq.InputError, match="target"):
        vbq.study.threshold_point(prepared, target="fracture")
    with pytest.raises(vbq.InputError, match="PreparedCohort"):
        vbq.study.threshold_point(prepared.table)
