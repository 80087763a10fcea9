"""Tests of vbq.stats.roc.

Expected values come from R 4.2.2 with pROC 1.18.0, produced by tests/reference/roc_reference.R on
tests/reference/roc_data.csv (written by roc_make_data.py); its printed output is kept in
tests/reference/roc_reference.out. Beside them: slow, obvious oracles (pairwise AUC, an explicit
DeLong double sum, a loop over resamples) on seeded data, and hypothesis properties.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from vbq.errors import DegenerateInputError, InputError
from vbq.stats.combined import combined_marker
from vbq.stats.cutoffs import bootstrap_cutoff, grey_zone
from vbq.stats.delong import compare_markers, delong_test, delong_test_unpaired
from vbq.stats.roc import CutoffMetrics, roc_analysis, round_cutoff

from ..r_reference import r_values

REF = Path(__file__).resolve().parents[1] / "reference"
ABS = 1e-6


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "roc_data.csv")


# ------------------------------------------------------------------------------------------
# oracles: slow and obvious
# ------------------------------------------------------------------------------------------
def psi_matrix(y, s):
    """psi(x_i, y_j) for every positive i and negative j (1 if x > y, 0.5 if tied)."""
    y = np.asarray(y, bool)
    s = np.asarray(s, float)
    pos, neg = s[y], s[~y]
    return (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])


def oracle_delong(y, s):
    """AUC and DeLong variance straight from the definition (DeLong et al. 1988, eq. 3-5)."""
    psi = psi_matrix(y, s)
    m, n = psi.shape
    auc = psi.mean()
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    return auc, np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n


def oracle_cov(y, a, b):
    pa, pb = psi_matrix(y, a), psi_matrix(y, b)
    m, n = pa.shape
    c10 = np.cov(pa.mean(axis=1), pb.mean(axis=1))[0, 1]
    c01 = np.cov(pa.mean(axis=0), pb.mean(axis=0))[0, 1]
    return c10 / m + c01 / n


def oracle_youden(y, s):
    """Loop over pROC's candidate cutoffs; first (lowest) maximiser of sens + spec."""
    y = np.asarray(y, bool)
    u = np.unique(s)
    candidates = [-np.inf] + [(a + b) / 2 for a, b in zip(u[:-1], u[1:], strict=True)] + [np.inf]
    best, best_c = -1.0, None
    for c in candidates:
        sens = np.mean(s[y] >= c)
        spec = np.mean(s[~y] < c)
        if sens + spec > best + 1e-12:
            best, best_c = sens + spec, c
    return best_c, best - 1


def seeded(n=120, seed=1, decimals=1):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.35
    y[:2] = [True, False]
    s = np.round(rng.normal(size=n) + 0.9 * y, decimals)
    return y.astype(int), s


# ------------------------------------------------------------------------------------------
# roc_analysis against pROC
# ------------------------------------------------------------------------------------------
def test_vbq1_with_ties_matches_proc(data):
    r = roc_analysis(data.y, data.vbq1)
    # R 4.2.2, pROC 1.18.0: r <- roc(d$y, d$vbq1, levels = c(0, 1), direction = "<"); auc(r)
    assert r.auc == pytest.approx(0.778181818181818, abs=ABS)
    # ci.auc(r, method = "delong")
    assert r.auc_ci == pytest.approx((0.702949141812602, 0.853414494551034), abs=ABS)
    # var(r, method = "delong")
    assert r.auc_se**2 == pytest.approx(0.00147338702765333, abs=1e-9)
    # coords(r, "best", best.method = "youden", ret = c("threshold", "sensitivity",
    #        "specificity", "ppv", "npv", "tp", "fp", "tn", "fn"))
    assert r.cutoff == pytest.approx(2.95, abs=ABS)
    assert r.sensitivity == pytest.approx(0.709090909090909, abs=ABS)
    assert r.specificity == pytest.approx(0.694736842105263, abs=ABS)
    assert r.ppv == pytest.approx(0.573529411764706, abs=ABS)
    assert r.npv == pytest.approx(0.804878048780488, abs=ABS)
    assert (r.best.tp, r.best.fp, r.best.tn, r.best.fn) == (39, 29, 66, 16)
    # coords(r, "best", best.method = "closest.topleft")
    assert r.closest_topleft_cutoff == pytest.approx(2.95, abs=ABS)
    assert (r.n_pos, r.n_neg, r.n_missing) == (55, 95, 0)
    assert r.ci_method == "delong" and r.ci_note is None


def test_vbq2_continuous_matches_proc(data):
    r = roc_analysis(data.y, data.vbq2)
    # R 4.2.2, pROC 1.18.0: r <- roc(d$y, d$vbq2, direction = "<"); auc, ci.auc delong, var
    assert r.auc == pytest.approx(0.742200956937799, abs=ABS)
    assert r.auc_ci == pytest.approx((0.658825755017767, 0.825576158857831), abs=ABS)
    assert r.auc_se**2 == pytest.approx(0.00180957928216189, abs=1e-9)
    # coords(r, "best", best.method = "youden", ...): 3.1062 0.618181818 0.789473684 0.62962963 0.78125
    assert r.cutoff == pytest.approx(3.1062, abs=ABS)
    assert (r.sensitivity, r.specificity) == pytest.approx(
        (0.618181818181818, 0.789473684210526), abs=ABS
    )
    assert (r.ppv, r.npv) == pytest.approx((0.62962962962963, 0.78125), abs=ABS)
    # coords(r, "best", best.method = "closest.topleft")
    assert r.closest_topleft_cutoff == pytest.approx(3.1062, abs=ABS)


def test_hu_lower_is_positive_matches_proc(data):
    r = roc_analysis(data.y, data.hu, higher_is_positive=False)
    # R 4.2.2, pROC 1.18.0: r <- roc(d$y, d$hu, levels = c(0, 1), direction = ">")
    assert r.auc == pytest.approx(0.783349282296651, abs=ABS)
    assert r.auc_ci == pytest.approx((0.708355222144374, 0.858343342448927), abs=ABS)
    assert r.auc_se**2 == pytest.approx(0.00146405553739791, abs=1e-9)
    # coords(r, "best", best.method = "youden"): 122.5, se 0.836363636, sp 0.578947368,
    # ppv 0.534883721, npv 0.859375, tp 46 fp 40 tn 55 fn 9
    assert r.cutoff == pytest.approx(122.5, abs=ABS)
    assert (r.sensitivity, r.specificity, r.ppv, r.npv) == pytest.approx(
        (0.836363636363636, 0.578947368421053, 0.534883720930233, 0.859375), abs=ABS
    )
    assert (r.best.tp, r.best.fp, r.best.tn, r.best.fn) == (46, 40, 55, 9)
    # coords(r, "best", best.method = "closest.topleft"): 109.5, 0.654545455, 0.747368421
    assert r.closest_topleft_cutoff == pytest.approx(109.5, abs=ABS)
    assert (r.closest_topleft.sensitivity, r.closest_topleft.specificity) == pytest.approx(
        (0.654545454545455, 0.747368421052632), abs=ABS
    )
    # "positive when score <= cutoff": at() reproduces the table
    assert r.at(122.5).tp == 46


def test_wrong_direction_is_kept_and_flagged(data):
    r = roc_analysis(data.y, data.hu, higher_is_positive=True)
    # R 4.2.2, pROC 1.18.0: r <- roc(d$y, d$hu, direction = "<"); auc(r); ci.auc(r)
    assert r.auc == pytest.approx(0.216650717703349, abs=ABS)
    assert r.auc_ci == pytest.approx((0.141656657551073, 0.291644777855626), abs=ABS)
    # coords(r, "best", best.method = "youden") lists -Inf (se 1, sp 0) and Inf (se 0, sp 1)
    assert r.cutoff == -math.inf
    assert r.cutoff_ties == (math.inf, -math.inf)
    # coords(r, "best", best.method = "closest.topleft"): 112.5
    assert r.closest_topleft_cutoff == pytest.approx(112.5, abs=ABS)
    assert "AUC < 0.5" in r.summary() and "not flipped" in r.summary()


@pytest.mark.parametrize(
    ("column", "higher", "csv"),
    [("vbq1", True, "roc_curve_vbq1.csv"), ("hu", False, "roc_curve_hu.csv")],
)
def test_full_curve_matches_proc_coords_all(data, column, higher, csv):
    # R 4.2.2, pROC 1.18.0: coords(r, "all", ret = c("threshold", "sensitivity", "specificity"))
    ref = pd.read_csv(REF / csv).sort_values(["specificity", "sensitivity"],
                                             ascending=[False, True])
    r = roc_analysis(data.y, data[column], higher_is_positive=higher)
    assert r.thresholds.shape[0] == ref.shape[0]
    np.testing.assert_allclose(r.tpr, ref.sensitivity.to_numpy(), atol=ABS)
    np.testing.assert_allclose(r.fpr, 1 - ref.specificity.to_numpy(), atol=ABS)
    np.testing.assert_allclose(r.thresholds, ref.threshold.to_numpy(), atol=ABS)
    # the curve's trapezoidal area is the AUC
    assert np.trapezoid(r.tpr, r.fpr) == pytest.approx(r.auc, abs=1e-12)


def test_youden_ties_take_highest_sensitivity():
    y = [0, 0, 1, 0, 1, 1]
    x = np.array([1.0, 2, 3, 4, 5, 6])
    r = roc_analysis(y, x)
    # R 4.2.2, pROC 1.18.0: coords(roc(y, x, direction = "<"), "best", best.method = "youden")
    # gives two rows, 2.5 (se 1, sp 0.667) first, then 4.5 (se 0.667, sp 1)
    assert r.cutoff == pytest.approx(2.5)
    assert r.cutoff_ties == pytest.approx((4.5, 2.5))
    assert r.sensitivity == 1.0
    # coords(roc(y, -x, direction = ">"), "best"): -2.5 first, then -4.5
    r2 = roc_analysis(y, -x, higher_is_positive=False)
    assert r2.cutoff == pytest.approx(-2.5)
    assert r2.cutoff_ties == pytest.approx((-4.5, -2.5))


def test_wilson_intervals_match_prop_test():
    # R 4.2.2: prop.test(x, n, correct = FALSE)$conf.int
    expected = {
        (40, 55): (0.597678018883292, 0.827192480608942),
        (70, 95): (0.640339790758959, 0.814934752301291),
        (0, 12): (0.0, 0.242494006655241),
        (12, 12): (0.757505993344759, 1.0),
        (5, 17): (0.132799896102952, 0.531331100665398),
    }
    for (x, n), ci in expected.items():
        # a table whose sensitivity is x / n
        y = np.r_[np.ones(n), np.zeros(3)]
        s = np.r_[np.full(x, 2.0), np.zeros(n - x), [1.0, 1.0, 1.0]]
        m = roc_analysis(y, s).at(1.5)
        assert (m.tp, m.tp + m.fn) == (x, n)
        assert m.sensitivity_ci == pytest.approx(ci, abs=ABS)
    # prop.test(40, 55, correct = FALSE, conf.level = 0.9)$conf.int
    y = np.r_[np.ones(55), np.zeros(3)]
    s = np.r_[np.full(40, 2.0), np.zeros(15), [1.0, 1.0, 1.0]]
    m = roc_analysis(y, s, confidence=0.9).at(1.5)
    assert m.sensitivity_ci == pytest.approx((0.619595762630375, 0.813638178228139), abs=ABS)


# ------------------------------------------------------------------------------------------
# DeLong tests against pROC
# ------------------------------------------------------------------------------------------
def test_paired_delong_matches_roc_test(data):
    t = delong_test(data.y, data.vbq1, data.vbq2)
    # R 4.2.2, pROC 1.18.0: roc.test(r_vbq1, r_vbq2, method = "delong", paired = TRUE)
    assert t.z == pytest.approx(1.09125658338697, abs=ABS)
    assert t.p_value == pytest.approx(0.275159996204047, abs=ABS)
    assert t.difference_ci == pytest.approx((-0.0286429799722521, 0.1006047024602901), abs=ABS)
    # var(r1) + var(r2) - 2 * cov(r1, r2)
    assert t.difference_se**2 == pytest.approx(0.00108714971277271, abs=1e-9)
    assert t.difference == pytest.approx(0.778181818181818 - 0.742200956937799, abs=ABS)


def test_paired_delong_opposite_directions_matches_roc_test(data):
    t = delong_test(data.y, data.vbq1, data.hu, higher_is_positive=(True, False))
    # R 4.2.2, pROC 1.18.0: roc.test(r_vbq1, r_hu, method = "delong", paired = TRUE) with
    # r_hu <- roc(d$y, d$hu, direction = ">"). (pROC warns about the different directions.)
    assert t.z == pytest.approx(-0.155785390300511, abs=ABS)
    assert t.p_value == pytest.approx(0.876202186870285, abs=ABS)
    assert t.difference_ci == pytest.approx((-0.0701802585555577, 0.0598453303258923), abs=ABS)
    # var(r1) + var(r2) - 2 * cov(r1, r2, method = "delong"), read from roc_reference.out (pROC's
    # default cov() falls back to a random bootstrap for curves of different directions)
    section = "paired vbq1 vs hu"
    assert t.difference_se**2 == pytest.approx(
        r_values("roc_reference", "var(r1)+var(r2)-2cov", section)[0], abs=1e-15)
    cov = r_values("roc_reference", "cov", section)[0]
    var_a = roc_analysis(data.y, data.vbq1).auc_se ** 2
    var_b = roc_analysis(data.y, data.hu, higher_is_positive=False).auc_se ** 2
    assert t.correlation == pytest.approx(cov / math.sqrt(var_a * var_b), abs=1e-12)


def test_unpaired_delong_matches_roc_test(data):
    c = data[data.group == "control"]
    g = data[data.group == "degenerative"]
    t = delong_test_unpaired(c.y, c.vbq1, g.y, g.vbq1)
    # R 4.2.2, pROC 1.18.0: roc.test(r_c, r_d, method = "delong", paired = FALSE)
    assert (t.auc_a, t.auc_b) == pytest.approx((0.800480769230769, 0.758064516129032), abs=ABS)
    assert t.z == pytest.approx(0.538890876909898, abs=ABS)
    assert t.df == pytest.approx(124.62153051619, abs=1e-5)
    assert t.p_value == pytest.approx(0.590923521616673, abs=ABS)
    assert (t.n_a, t.n_b) == (90, 60)


def test_compare_markers_holm_matches_p_adjust(data):
    c = compare_markers(
        data.y,
        {"vbq1": data.vbq1, "vbq2": data.vbq2, "hu": data.hu},
        higher_is_positive={"vbq1": True, "vbq2": True, "hu": False},
    )
    tab = c.to_frame().set_index(["marker_a", "marker_b"])
    # R 4.2.2, pROC 1.18.0: roc.test(..., method = "delong", paired = TRUE)$p.value per pair,
    # then p.adjust(c(p12, p13, p23), "holm")
    assert tab.loc[("vbq1", "vbq2"), "p_value"] == pytest.approx(0.275159996204047, abs=ABS)
    assert tab.loc[("vbq1", "hu"), "p_value"] == pytest.approx(0.876202186870285, abs=ABS)
    assert tab.loc[("vbq2", "hu"), "p_value"] == pytest.approx(0.328116943501408, abs=ABS)
    assert tab.loc[("vbq2", "hu"), "statistic"] == pytest.approx(-0.97791383180248, abs=ABS)
    assert tab["p_adjusted"].to_numpy() == pytest.approx(
        [0.825479988612142, 0.876202186870285, 0.825479988612142], abs=ABS
    )
    assert c.aucs["hu"] == pytest.approx(0.783349282296651, abs=ABS)
    assert "holm" in c.summary()


# ------------------------------------------------------------------------------------------
# degenerate inputs
# ------------------------------------------------------------------------------------------
def test_one_class_only_is_named():
    with pytest.raises(DegenerateInputError, match="no positives"):
        roc_analysis([0, 0, 0], [1.0, 2.0, 3.0])
    with pytest.raises(DegenerateInputError, match="no negatives"):
        roc_analysis([1, 1, np.nan], [1.0, 2.0, 3.0])
    with pytest.raises(DegenerateInputError, match="one class only"):
        delong_test([1, 1, 1], [1, 2, 3], [3, 2, 1])


def test_n_pos_one_gives_nan_ci_with_reason():
    r = roc_analysis([0, 0, 1], [1.0, 2.0, 3.0])
    # R 4.2.2, pROC 1.18.0: auc(roc(c(0,0,1), c(1,2,3), direction = "<")) = 1;
    # ci.auc(..., method = "delong") = NA NA NA
    assert r.auc == 1.0
    assert all(math.isnan(v) for v in r.auc_ci) and math.isnan(r.auc_se)
    assert "n_pos = 1" in r.ci_note
    with pytest.raises(DegenerateInputError, match="at least 2 positives"):
        delong_test([0, 0, 1], [1.0, 2.0, 3.0], [3.0, 2.0, 1.0])


def test_constant_score_documented_result():
    r = roc_analysis([0, 0, 1, 1, 0], np.full(5, 2.5))
    # R 4.2.2, pROC 1.18.0: auc = 0.5; ci.auc(method = "delong") = 0.5 0.5 0.5;
    # coords(r, "best") lists -Inf and Inf
    assert r.auc == 0.5 and r.auc_ci == (0.5, 0.5) and r.auc_se == 0.0
    assert "variance is 0" in r.ci_note
    assert r.cutoff == -math.inf and r.cutoff_ties == (math.inf, -math.inf)
    assert r.youden == 0.0


def test_nan_pairs_dropped_and_counted():
    y, s = seeded()
    s2 = s.astype(float).copy()
    s2[[3, 7]] = np.nan
    y2 = y.astype(float).copy()
    y2[11] = np.nan
    r = roc_analysis(y2, s2)
    keep = ~(np.isnan(s2) | np.isnan(y2))
    assert r.n_missing == 3
    assert r.auc == pytest.approx(roc_analysis(y[keep], s[keep]).auc, abs=1e-15)
    assert "3 dropped" in r.summary()
    t = delong_test(y2, s2, -s2 + 0.0)
    assert t.n_missing == 3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ci": "wald"}, "ci: expected one of"),
        ({"confidence": 1.5}, "confidence"),
        ({"higher_is_positive": "yes"}, "higher_is_positive"),
        ({"target_sensitivity": 0.0}, "target_sensitivity"),
        ({"ci": "bootstrap", "n_boot": 1}, "n_boot"),
    ],
)
def test_bad_options_raise_input_error(kwargs, match):
    y, s = seeded(30)
    with pytest.raises(InputError, match=match):
        roc_analysis(y, s, **kwargs)


def test_bad_data_raise_input_error():
    with pytest.raises(InputError, match="0/1"):
        roc_analysis([0, 1, 2], [1.0, 2.0, 3.0])
    with pytest.raises(InputError, match="finite"):
        roc_analysis([0, 1, 1], [1.0, np.inf, 3.0])
    with pytest.raises(InputError, match="same length"):
        roc_analysis([0, 1, 1], [1.0, 3.0])
    with pytest.raises(InputError, match="numeric"):
        roc_analysis([0, 1], ["a", "b"])
    with pytest.raises(InputError, match="one-dimensional"):
        roc_analysis(np.zeros((2, 2)), np.zeros((2, 2)))


def test_ties_everywhere_two_values():
    y = np.array([0] * 10 + [1] * 10)
    s = np.array([1.0] * 7 + [2.0] * 3 + [1.0] * 2 + [2.0] * 8)
    r = roc_analysis(y, s)
    auc, var = oracle_delong(y, s)
    assert r.auc == pytest.approx(auc, abs=1e-12)
    assert r.auc_se**2 == pytest.approx(var, abs=1e-12)
    assert r.cutoff == 1.5 and r.thresholds.tolist() == [math.inf, 1.5, -math.inf]


# ------------------------------------------------------------------------------------------
# oracles on seeded random data
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("decimals", [0, 2, 6])
def test_auc_and_delong_variance_match_double_sum(seed, decimals):
    y, s = seeded(150, seed, decimals)
    r = roc_analysis(y, s)
    auc, var = oracle_delong(y, s)
    assert r.auc == pytest.approx(auc, abs=1e-12)
    assert r.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert r.auc_se**2 == pytest.approx(var, abs=1e-12)
    cut, youden = oracle_youden(y, s)
    assert r.cutoff == pytest.approx(cut, abs=1e-12)
    assert r.youden == pytest.approx(youden, abs=1e-12)


@pytest.mark.parametrize("seed", [4, 5])
def test_paired_covariance_matches_double_sum(seed):
    y, a = seeded(130, seed, 1)
    b = np.round(a + np.random.default_rng(seed).normal(size=a.shape[0]), 2)
    t = delong_test(y, a, b, higher_is_positive=(True, True))
    _, va = oracle_delong(y, a)
    _, vb = oracle_delong(y, b)
    cov = oracle_cov(y, a, b)
    assert t.difference_se**2 == pytest.approx(va + vb - 2 * cov, abs=1e-12)
    z = t.difference / math.sqrt(va + vb - 2 * cov)
    assert t.z == pytest.approx(z, abs=1e-9)
    assert t.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), abs=1e-12)


def test_bootstrap_auc_ci_matches_loop_over_resamples():
    y, s = seeded(60, 8, 1)
    r = roc_analysis(y, s, ci="bootstrap", n_boot=300, seed=11)
    # the documented draws: positives then negatives, rows of rng.integers, in one chunk here
    rng = np.random.default_rng(11)
    pos, neg = s[y == 1], s[y == 0]
    ip = rng.integers(0, pos.shape[0], (300, pos.shape[0]))
    ineg = rng.integers(0, neg.shape[0], (300, neg.shape[0]))
    aucs = [psi_matrix(np.r_[np.ones(len(a)), np.zeros(len(b))] == 1, np.r_[pos[a], neg[b]]).mean()
            for a, b in zip(ip, ineg, strict=True)]
    assert r.auc_ci == pytest.approx(tuple(np.quantile(aucs, [0.025, 0.975])), abs=1e-12)
    assert r.auc_se == pytest.approx(np.std(aucs, ddof=1), abs=1e-12)
    assert (r.seed, r.n_boot, r.ci_method) == (11, 300, "bootstrap")
    assert r.auc == roc_analysis(y, s).auc  # the point estimate does not depend on the CI


def test_bootstrap_cutoff_matches_loop_over_resamples():
    y, s = seeded(80, 9, 1)
    res = bootstrap_cutoff(y, s, n_boot=150, seed=5)
    idx = np.random.default_rng(5).integers(0, y.shape[0], (150, y.shape[0]))
    for b in range(150):
        yb, sb = y[idx[b]], s[idx[b]]
        assert 0 < yb.sum() < yb.shape[0]  # no redraw happened in this seed
        inbag = roc_analysis(yb, sb)
        assert res.cutoffs[b] == pytest.approx(inbag.cutoff, abs=1e-12)
        assert res.sensitivity_in_bag[b] == pytest.approx(inbag.sensitivity, abs=1e-12)
        assert res.specificity_in_bag[b] == pytest.approx(inbag.specificity, abs=1e-12)
        oob = np.ones(y.shape[0], bool)
        oob[idx[b]] = False
        yo, so = y[oob], s[oob]
        sens = np.mean(so[yo == 1] >= inbag.cutoff) if (yo == 1).any() else np.nan
        spec = np.mean(so[yo == 0] < inbag.cutoff) if (yo == 0).any() else np.nan
        np.testing.assert_allclose(res.sensitivity_oob[b], sens, atol=1e-12)
        np.testing.assert_allclose(res.specificity_oob[b], spec, atol=1e-12)
    ok = ~(np.isnan(res.sensitivity_oob) | np.isnan(res.specificity_oob))
    assert res.optimism_sensitivity == pytest.approx(
        np.mean(res.sensitivity_in_bag[ok] - res.sensitivity_oob[ok]), abs=1e-12
    )
    assert res.cutoff == roc_analysis(y, s).cutoff
    assert res.cutoff_ci == pytest.approx(tuple(np.quantile(res.cutoffs, [0.025, 0.975])))
    assert res.seed == 5 and not res.stratified


def test_bootstrap_cutoff_lower_is_positive_mirrors():
    y, s = seeded(80, 10, 1)
    a = bootstrap_cutoff(y, s, n_boot=200, seed=3)
    b = bootstrap_cutoff(y, -s, n_boot=200, seed=3, higher_is_positive=False)
    np.testing.assert_allclose(b.cutoffs, -a.cutoffs)
    assert b.cutoff_ci == pytest.approx((-a.cutoff_ci[1], -a.cutoff_ci[0]))
    assert b.optimism_youden == pytest.approx(a.optimism_youden)


def test_bootstrap_cutoff_is_reproducible():
    # speed is measured in bench/bench_roc.py, never asserted in a test
    y, s = seeded(235, 12, 2)
    a = bootstrap_cutoff(y, s, n_boot=2000, seed=1)
    b = bootstrap_cutoff(y, s, n_boot=2000, seed=1)
    np.testing.assert_array_equal(a.cutoffs, b.cutoffs)
    assert a.cutoff_ci[0] <= a.cutoff <= a.cutoff_ci[1]
    assert a.optimism_youden > 0  # in-bag cutoffs flatter their own resample
    assert stratified_classes_kept(y, s)


def stratified_classes_kept(y, s):
    res = bootstrap_cutoff(y, s, n_boot=100, seed=2, stratified=True)
    return res.stratified and np.isfinite(res.cutoffs).all()


# ------------------------------------------------------------------------------------------
# cutoff metrics, prevalence, grey zone
# ------------------------------------------------------------------------------------------
def test_at_cutoff_counts_directly():
    y, s = seeded(100, 13, 1)
    r = roc_analysis(y, s, cutoff=0.3, target_sensitivity=0.9, target_specificity=0.8)
    m = r.fixed
    assert m.tp == np.sum((s >= 0.3) & (y == 1)) and m.fp == np.sum((s >= 0.3) & (y == 0))
    assert m.lr_pos == pytest.approx(m.sensitivity / (1 - m.specificity))
    assert m.accuracy == pytest.approx((m.tp + m.tn) / 100)
    assert r.at_target_sensitivity.sensitivity >= 0.9
    assert r.at_target_specificity.specificity >= 0.8
    # best specificity among cutoffs reaching the target sensitivity
    feasible = [c for c in r.thresholds if np.mean(s[y == 1] >= c) >= 0.9]
    assert r.at_target_sensitivity.specificity == pytest.approx(
        max(np.mean(s[y == 0] < c) for c in feasible)
    )
    frame = m.to_frame()
    assert {"estimate", "ci_low", "ci_high", "n", "method"} <= set(frame.columns)
    with pytest.raises(InputError, match="cutoff"):
        r.at(float("nan"))


def mercaldo_oracle(tp, fn, tn, fp, prev, conf=0.95):
    """Adjusted logit CI of Mercaldo, Lau & Zhou (2007), written out as in their paper."""
    z = stats.norm.ppf(1 - (1 - conf) / 2)
    k = z**2 / 2
    tp, fn, tn, fp = tp + k, fn + k, tn + k, fp + k
    n1, n0 = tp + fn, tn + fp
    se, sp = tp / n1, tn / n0
    lp = math.log(prev * se / ((1 - prev) * (1 - sp)))
    vp = (1 - se) / se / n1 + sp / (1 - sp) / n0
    ln = math.log((1 - prev) * sp / (prev * (1 - se)))
    vn = se / (1 - se) / n1 + (1 - sp) / sp / n0
    ex = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    return (ex(lp - z * math.sqrt(vp)), ex(lp + z * math.sqrt(vp))), (
        ex(ln - z * math.sqrt(vn)), ex(ln + z * math.sqrt(vn)))


def test_ppv_npv_at_prevalence(data):
    m = roc_analysis(data.y, data.vbq1).best  # tp 39 fp 29 tn 66 fn 16
    pv = m.ppv_npv_at_prevalence(0.2)
    se, sp = 39 / 55, 66 / 95
    assert pv.ppv == pytest.approx(0.2 * se / (0.2 * se + 0.8 * (1 - sp)), abs=1e-12)
    assert pv.npv == pytest.approx(0.8 * sp / (0.8 * sp + 0.2 * (1 - se)), abs=1e-12)
    ppv_ci, npv_ci = mercaldo_oracle(39, 16, 66, 29, 0.2)
    assert pv.ppv_ci == pytest.approx(ppv_ci, abs=1e-12)
    assert pv.npv_ci == pytest.approx(npv_ci, abs=1e-12)
    # at the sample's own prevalence the Bayes estimate is the sample PPV / NPV
    own = m.ppv_npv_at_prevalence(55 / 150)
    assert (own.ppv, own.npv) == pytest.approx((m.ppv, m.npv), abs=1e-12)
    # defined even at sensitivity 1 (the adjustment)
    perfect = roc_analysis([0, 0, 0, 1, 1], [1, 2, 3, 4, 5.0]).best
    ci = perfect.ppv_npv_at_prevalence(0.1).npv_ci
    assert 0 < ci[0] < ci[1] <= 1
    with pytest.raises(InputError, match="prevalence"):
        m.ppv_npv_at_prevalence(1.0)


def test_grey_zone_counts(data):
    gz = grey_zone(data.y, data.vbq1, rule_out=2.6, rule_in=3.1)
    x, y = data.vbq1.to_numpy(), data.y.to_numpy() == 1
    out, into = x < 2.6, x >= 3.1
    assert (gz.n_rule_out, gz.n_rule_in) == (out.sum(), into.sum())
    assert gz.n_grey == 150 - out.sum() - into.sum()
    # false omission rate: FN / N_out = 1 - NPV among the ruled-out; false discovery rate:
    # FP / N_in = 1 - PPV among the ruled-in
    assert gz.false_omission_rate == pytest.approx((out & y).sum() / out.sum())
    assert gz.false_discovery_rate == pytest.approx((into & ~y).sum() / into.sum())
    frame = gz.to_frame().set_index("term")
    assert frame.loc["false_omission_rate", "n"] == out.sum()
    assert frame.loc["false_discovery_rate", "estimate"] == gz.false_discovery_rate
    assert gz.sensitivity_decided == pytest.approx(
        (into & y).sum() / ((into & y).sum() + (out & y).sum())
    )
    assert gz.share_rule_out + gz.share_grey + gz.share_rule_in == pytest.approx(1.0)
    # one threshold: no grey zone, and the metrics of roc_analysis(...).at(c)
    one = grey_zone(data.y, data.hu, rule_out=122.5, rule_in=122.5, higher_is_positive=False)
    at = roc_analysis(data.y, data.hu, higher_is_positive=False).at(122.5)
    assert one.n_grey == 0
    assert (one.sensitivity_decided, one.specificity_decided) == pytest.approx(
        (at.sensitivity, at.specificity)
    )
    assert one.sensitivity_decided_ci == pytest.approx(at.sensitivity_ci)
    with pytest.raises(InputError, match="rule_out must be <="):
        grey_zone(data.y, data.vbq1, rule_out=3.1, rule_in=2.6)


def test_grey_zone_old_names_are_gone(data):
    # the deprecated false_*_rate_ruled_* names are removed (issue 17)
    gz = grey_zone(data.y, data.vbq1, rule_out=2.6, rule_in=3.1)
    for old in ("false_negative_rate_ruled_out", "false_negative_rate_ruled_out_ci",
                "false_positive_rate_ruled_in", "false_positive_rate_ruled_in_ci"):
        assert not hasattr(gz, old)
    assert gz.false_omission_rate != gz.false_discovery_rate


def _metrics(tp, fn, tn, fp, confidence=0.95):
    return CutoffMetrics._from_counts(1.0, True, tp, fp, tp + fn, tn + fp, confidence)


@settings(max_examples=300, deadline=None)
@given(tp=st.integers(0, 60), fn=st.integers(0, 60), tn=st.integers(0, 60),
       fp=st.integers(0, 60), prevalence=st.floats(1e-4, 1 - 1e-4),
       confidence=st.sampled_from([0.8, 0.95, 0.99]))
def test_property_predictive_values_lie_in_their_intervals(tp, fn, tn, fp, prevalence,
                                                           confidence):
    if tp + fn == 0 or tn + fp == 0:
        return  # a table needs both classes (roc_analysis refuses one class)
    m = _metrics(tp, fn, tn, fp, confidence)
    pv = m.ppv_npv_at_prevalence(prevalence)
    (ppv_ci, npv_ci) = mercaldo_oracle(tp, fn, tn, fp, prevalence, confidence)
    for est, ci, oracle in ((pv.ppv, pv.ppv_ci, ppv_ci), (pv.npv, pv.npv_ci, npv_ci)):
        if math.isnan(est):
            assert all(math.isnan(b) for b in ci) and any("undefined" in n for n in pv.notes)
            continue
        assert ci[0] <= est <= ci[1]
        # the interval is Mercaldo's, with only the bound on the estimate's side moved
        assert ci == pytest.approx((min(oracle[0], est), max(oracle[1], est)), abs=1e-12)
    se_zero_sp_one = tp == 0 and fp == 0
    assert math.isnan(pv.ppv) == se_zero_sp_one


@pytest.mark.parametrize(("tp", "fn", "tn", "fp"), [
    (0, 20, 30, 0),   # Se 0, Sp 1: PPV 0/0
    (0, 20, 25, 5),   # Se 0: PPV 0
    (16, 4, 30, 0),   # Sp 1: PPV 1, the case of issue 8 (was "1.000 (0.375-0.907)")
    (20, 0, 0, 30),   # Se 1, Sp 0: NPV 0/0
])
def test_predictive_values_at_the_edges(tp, fn, tn, fp):
    pv = _metrics(tp, fn, tn, fp).ppv_npv_at_prevalence(0.1)
    for est, ci in ((pv.ppv, pv.ppv_ci), (pv.npv, pv.npv_ci)):
        assert (math.isnan(est) and math.isnan(ci[0])) or ci[0] <= est <= ci[1]
    if (tp, fp) == (16, 0):
        assert pv.ppv == 1.0 and pv.ppv_ci[1] == 1.0 and "upper bound" in pv.summary()
    if (tp, fp) == (0, 0):
        assert math.isnan(pv.ppv) and "nobody would test positive" in pv.notes[0]


@pytest.mark.parametrize(("cutoff", "decimals", "higher", "expected"), [
    (2.83, 1, True, 2.9),     # the paper's VBQ 2.83 -> 2.9
    (2.56, 1, True, 2.6),     # and 2.56 -> 2.6
    (2.6, 1, True, 2.6),      # 2.6 * 10 is 26.000000000000004 in binary: stays 2.6
    (2.83, 1, False, 2.8),    # lower is positive: down
    (104.37, 0, False, 104.0),  # HU
    (104.37, 0, True, 105.0),
    (-1.05, 1, False, -1.1),  # a T-score: down is more negative
    (float("inf"), 1, True, float("inf")),
])
def test_round_cutoff(cutoff, decimals, higher, expected):
    assert round_cutoff(cutoff, decimals=decimals, higher_is_positive=higher) == expected


@settings(max_examples=200, deadline=None)
@given(scores=st.lists(st.floats(-5, 5), min_size=4, max_size=40), cut=st.floats(-5, 5),
       higher=st.booleans())
def test_property_round_cutoff_is_more_specific(scores, cut, higher):
    # rounding toward the specific side never calls more patients positive (cutoffs within
    # 1e-9 of a grid point are first snapped onto it, by design: 2.6 stays 2.6)
    assume(abs(cut * 10 - round(cut * 10)) > 1e-6)
    x = np.array(scores)
    r = round_cutoff(cut, decimals=1, higher_is_positive=higher)
    positive = (lambda c: x >= c) if higher else (lambda c: x <= c)
    assert positive(r).sum() <= positive(cut).sum()
    assert abs(r - cut) < 0.1 + 1e-9


# ------------------------------------------------------------------------------------------
# combined marker
# ------------------------------------------------------------------------------------------
def test_combined_marker_matches_glm_and_cv_loop(data):
    X = data[["vbq2", "hu", "group"]]
    r = combined_marker(data.y, X, n_splits=5, seed=3)
    coef = r.coefficients.set_index("term")
    # R 4.2.2: fit <- glm(y ~ vbq2 + hu + group, family = binomial, data = d); coef(fit)
    assert coef.estimate.to_numpy() == pytest.approx(
        [-1.8521522504259460, 1.2299381226022823, -0.0248489026187085, 0.9649895852557169],
        abs=1e-5,
    )
    # sqrt(diag(vcov(fit)))
    se = (coef.ci_high - coef.ci_low) / (2 * stats.norm.ppf(0.975))
    assert se.to_numpy() == pytest.approx(
        [1.92797245493189484, 0.46813551088583005, 0.00730671334804133, 0.42406214220793004],
        abs=1e-5,
    )
    # pROC 1.18.0: auc(roc(d$y, fitted(fit), direction = "<"))
    assert r.apparent_auc == pytest.approx(0.812248803827751, abs=ABS)
    # CV oracle: the same folds, refitted in a loop
    design = np.column_stack([np.ones(150), data.vbq2, data.hu, data.group == "degenerative"])
    design = design.astype(float)
    y = data.y.to_numpy()
    folds = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=3).split(design, y):
        fit = sm.Logit(y[train], design[train]).fit(disp=False)
        folds.append(roc_auc_score(y[test], design[test] @ fit.params))
    np.testing.assert_allclose(r.cv_auc_folds, folds, atol=1e-9)
    assert r.cv_auc == pytest.approx(np.mean(folds))
    assert r.seed == 3 and r.predictors == ("vbq2", "hu", "group_degenerative")
    assert "cross-validated" in r.summary()


def test_combined_marker_degenerate():
    X = pd.DataFrame({"v": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10]})
    y = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    with pytest.raises(DegenerateInputError, match="separation"):
        combined_marker(y, X, n_splits=2)
    with pytest.raises(DegenerateInputError, match="n_splits"):
        combined_marker([0] * 8 + [1] * 2, X, n_splits=5)


# samples from the degenerate-input fuzz (tests/stats/test_degenerate_fuzz.py) on which numpy
# warned "overflow encountered in exp" inside statsmodels' Logit before the named error (the
# first two under statsmodels 0.14.6 and numpy 2.0, the third under 0.15.0 and numpy 2.4)
QUASI_SEPARATED = [
    ([0, 1, 1, 0, 1, 1, 0, 0], [0.0, 3.0, 1.0, 2.0, -1.0, -1.0, 1.0, 0.0],
     [2.0, 3.0, 2.5, 0.0, 2.5, 1.0, 1.0, 2.0]),
    ([1, 0, 1, 1, 0, 0, 0, 0, 1], [1.0, 1.0, 0.0, 0.0, 3.0, 1.0, 3.0, 2.5, -1.0],
     [2.0, 3.0, 3.0, 0.0, 2.0, 2.0, 1.0, 2.0, 1.0]),
    ([0, 1, 1, 0, 1, 1, 0, 0], [1.0, 3.0, 2.5, 0.0, 3.0, 3.0, 2.5, 2.5],
     [3.0, 3.0, 3.0, 1.0, 2.0, 1.0, 2.5, 1.0]),
]


@pytest.mark.parametrize("y, a, b", QUASI_SEPARATED)
def test_combined_marker_on_separated_samples_is_a_named_error_and_no_numpy_warning(y, a, b):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(DegenerateInputError, match="separat"):
            combined_marker(y, pd.DataFrame({"vbq": a, "age": b}), n_splits=3)


def test_a_converged_fit_with_fitted_probabilities_of_0_or_1_is_quasi_separation():
    # statsmodels 0.14.6's Newton steps report convergence here (score 0 after 96 steps) with
    # coefficients (1024.7, -512.3, 145.5): fitted probabilities 6.7e-64, 1, 0.5, 2.7e-65, 1,
    # 0.5, which R's glm flags as "fitted probabilities numerically 0 or 1 occurred" (0.15.0
    # stops without converging); either way a named error, never those coefficients
    y, a, b = [0, 1, 0, 0, 1, 1], [2.0, 2.5, 2.0, 3.0, 1.0, 2.0], [-1.0, 3.0, 0.0, 2.5, 2.0, 0.0]
    X = np.column_stack([np.ones(6), a, b])
    with np.errstate(over="ignore", divide="ignore"):  # (as combined_marker fits it)
        fit = sm.Logit(np.array(y, float), X).fit(disp=False, method="newton", maxiter=100)
    converged = fit.mle_retvals["converged"]
    with pytest.raises(DegenerateInputError,
                       match="numerically 0 or 1" if converged else "did not converge"):
        combined_marker(y, pd.DataFrame({"vbq": a, "age": b}), n_splits=2)


# ------------------------------------------------------------------------------------------
# properties
# ------------------------------------------------------------------------------------------
labelled = st.integers(min_value=4, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(
            lambda v: 2 <= sum(v) <= len(v) - 2
        ),
        st.lists(st.integers(-20, 20), min_size=n, max_size=n),
    )
)


@settings(max_examples=50, deadline=None)
@given(labelled)
def test_property_direction_flip_gives_one_minus_auc(case):
    y, s = np.array(case[0]), np.array(case[1], float) / 4
    a = roc_analysis(y, s)
    b = roc_analysis(y, s, higher_is_positive=False)
    assert 0 <= a.auc <= 1
    assert a.auc + b.auc == pytest.approx(1.0, abs=1e-12)
    assert a.auc_se == pytest.approx(b.auc_se, abs=1e-12)
    assert a.auc == pytest.approx(psi_matrix(y, s).mean(), abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(labelled)
def test_property_monotone_transform_and_row_order_invariance(case):
    y, s = np.array(case[0]), np.array(case[1], float)
    a = roc_analysis(y, s)
    b = roc_analysis(y, np.exp(s / 10))  # strictly increasing
    perm = np.random.default_rng(0).permutation(y.shape[0])
    c = roc_analysis(y[perm], s[perm])
    assert a.auc == pytest.approx(b.auc, abs=1e-12) and a.auc == c.auc
    assert (a.sensitivity, a.specificity) == pytest.approx((b.sensitivity, b.specificity))
    np.testing.assert_array_equal(a.tpr, c.tpr)
    assert a.at(a.cutoff).youden == pytest.approx(a.youden)
    assert np.all(np.diff(a.fpr) >= 0) and np.all(np.diff(a.tpr) >= 0)


@settings(max_examples=50, deadline=None)
@given(labelled, labelled)
def test_property_paired_test_self_and_antisymmetry(case, other):
    y = np.array(case[0])
    s = np.array(case[1], float)
    rng = np.random.default_rng(len(other[1]))
    t = s + rng.integers(-3, 4, size=s.shape[0])
    same = delong_test(y, s, s)
    assert same.difference == 0 and same.z == 0 and same.p_value == 1.0
    ab, ba = delong_test(y, s, t), delong_test(y, t, s)
    assert ab.difference == pytest.approx(-ba.difference, abs=1e-12)
    assert ab.p_value == pytest.approx(ba.p_value, abs=1e-9)
    assert 0 <= ab.p_value <= 1


VOCABULARY = {"term", "estimate", "ci_low", "ci_high", "statistic", "df1", "df2", "p_value", "n",
              "method", "cutoff", "prevalence", "odds_ratio", "marker_a", "marker_b", "auc_a",
              "auc_b", "p_adjusted"}


def test_every_result_has_tidy_frame_and_summary(data):
    c, g = data[data.group == "control"], data[data.group != "control"]
    results = [
        roc_analysis(data.y, data.vbq1, cutoff=2.9),
        roc_analysis(data.y, data.vbq1).best,
        roc_analysis(data.y, data.vbq1).best.ppv_npv_at_prevalence(0.2),
        delong_test(data.y, data.vbq1, data.vbq2),
        delong_test_unpaired(c.y, c.vbq1, g.y, g.vbq1),
        compare_markers(data.y, {"a": data.vbq1, "b": data.vbq2},
                        higher_is_positive={"a": True, "b": True}),
        bootstrap_cutoff(data.y, data.vbq1, n_boot=100),
        grey_zone(data.y, data.vbq1, rule_out=2.6, rule_in=3.1),
        combined_marker(data.y, data[["vbq1", "hu"]]),
    ]
    for res in results:
        frame = res.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) >= 1
        assert set(frame.columns) <= VOCABULARY, type(res).__name__
        assert isinstance(res.summary(), str) and res.summary()
    assert "2.9" in results[0].summary()


def test_compare_markers_validation(data):
    with pytest.raises(InputError, match="at least two"):
        compare_markers(data.y, {"a": data.vbq1}, higher_is_positive={"a": True})
    with pytest.raises(InputError, match="direction of every marker"):
        compare_markers(data.y, {"a": data.vbq1, "b": data.hu}, higher_is_positive={"a": True})
    with pytest.raises(InputError, match="correction"):
        compare_markers(data.y, {"a": data.vbq1, "b": data.hu},
                        higher_is_positive={"a": True, "b": False}, correction="nope")


def test_combined_marker_linear_predictor_reproduces_apparent_auc():
    rng = np.random.default_rng(3)
    y = rng.random(120) < 0.35
    X = pd.DataFrame({"vbq": 2.8 + 0.5 * y + rng.normal(0, 0.4, 120),
                      "age": rng.normal(60, 8, 120)})
    X.loc[5, "age"] = np.nan
    r = combined_marker(y, X, n_splits=5, seed=0)
    assert np.isnan(r.linear_predictor[5]) and np.isfinite(np.delete(r.linear_predictor, 5)).all()
    again = roc_analysis(y, r.linear_predictor)
    assert again.n_missing == 1
    assert again.auc == pytest.approx(r.apparent_auc, abs=1e-12)


def _holm_by_definition(p):
    """Holm (1979) written from the definition: p_adj(i) = max over j <= i (in sorted order) of
    min(1, (m - j + 1) p(j)), then back in input order. A loop, slow and obvious."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_equals_its_definition(pvals):
    from vbq.stats.delong import _holm

    np.testing.assert_allclose(_holm(np.array(pvals)), _holm_by_definition(pvals), atol=1e-12)


def test_holm_equals_statsmodels():
    # a few calls only: multipletests runs gc.collect() on every call (the reason _holm exists),
    # which made the 60-example version of this test take over 5 s
    from statsmodels.stats.multitest import multipletests

    from vbq.stats.delong import _holm

    rng = np.random.default_rng(1979)
    for p in (rng.random(3), rng.random(12) ** 3, np.array([0.02, 0.02, 0.5, 1.0, 0.0])):
        np.testing.assert_allclose(_holm(p), multipletests(p, method="holm")[1], atol=1e-12)


def test_holm_matches_r_p_adjust():
    from vbq.stats.delong import _holm

    # R 4.2.2: p.adjust(c(0.01, 0.04, 0.03, 0.2), "holm") -> 0.04 0.09 0.09 0.20
    np.testing.assert_allclose(_holm(np.array([0.01, 0.04, 0.03, 0.2])),
                               [0.04, 0.09, 0.09, 0.20], atol=1e-12)


def test_bootstrap_cutoff_of_a_constant_score_has_infinite_bounds_not_nan():
    # every resample of a constant score finds no finite cutoff: the percentile interval is
    # (-inf, -inf), computed without numpy's NaN from inf - inf
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        res = bootstrap_cutoff([0, 1, 0, 1], [2.0, 2.0, 2.0, 2.0], n_boot=30)
    assert np.isneginf(res.cutoffs).all()
    assert res.cutoff_ci == (-np.inf, -np.inf)


def test_quantiles_type7_match_numpy_and_take_infinite_limits():
    from vbq.stats.cutoffs import _quantiles_type7

    x = np.array([3.0, 1.0, 2.0, 7.5, 4.0])
    assert _quantiles_type7(x, (0.025, 0.5, 0.975)) == pytest.approx(
        np.quantile(x, [0.025, 0.5, 0.975]))
    y = np.array([-np.inf, -np.inf, 1.0, 2.0, np.inf])
    # R 4.2.2: quantile(c(-Inf, -Inf, 1, 2, Inf), c(0.1, 0.5, 0.9), type = 7) gives
    # -Inf 1 Inf (R takes the infinite neighbour's limit; numpy returns NaN with a warning)
    assert _quantiles_type7(y, (0.1, 0.5, 0.9)) == [-np.inf, 1.0, np.inf]
