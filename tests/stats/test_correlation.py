"""Tests of vbq.stats.correlation: Pearson/Spearman with CI, strength labels, Fisher z-test (Table 3).

Expected values come from R 4.2.2 and psych 2.2.9 (tests/reference/correlation_reference.R,
output in correlation_reference.out) on tests/reference/correlation_data.csv, and from the paper.
"""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from vbq.errors import DegenerateInputError, InputError
from vbq.stats.correlation import (
    compare_correlations,
    correlation_table,
    pearson,
    spearman,
    strength_label,
)

REF = Path(__file__).resolve().parents[1] / "reference"
ABS = 1e-6


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "correlation_data.csv")


def test_pearson_matches_cor_test(data):
    res = pearson(data["vbq"], data["bmd_l1_l4"])
    # R 4.2.2: cor.test(d$vbq, d$bmd_l1_l4)
    assert res.estimate == pytest.approx(-0.553337577493911, abs=ABS)
    assert res.statistic == pytest.approx(-6.08845603948179, abs=ABS)
    assert res.df == 84
    assert res.p_value == pytest.approx(3.28875341636345e-08, abs=ABS)
    assert (res.ci_low, res.ci_high) == pytest.approx((-0.684914497878309, -0.386811483892968),
                                                      abs=ABS)
    assert res.n == 86 and res.n_missing == 4
    assert res.strength == "strong"
    assert res.method == "Pearson"


def test_pearson_confidence_level_matches_cor_test(data):
    res = pearson(data["vbq"], data["hu_l1"], confidence=0.90)
    # R 4.2.2: cor.test(d$vbq, d$hu_l1, conf.level = 0.90)
    assert res.estimate == pytest.approx(-0.813069360416322, abs=ABS)
    assert (res.ci_low, res.ci_high) == pytest.approx((-0.865130302306868, -0.743674220299270),
                                                      abs=ABS)
    assert res.p_value == pytest.approx(3.7797752323093e-22, abs=ABS)


@pytest.mark.parametrize("x,y,rho,p,ci", [
    # R 4.2.2: cor.test(x, y, method = "spearman", exact = FALSE); interval: Bonett-Wright formula
    # tanh(atanh(rho) -/+ qnorm(0.975) * sqrt((1 + rho^2/2)/(n - 3))) in correlation_reference.R
    ("vbq", "t_l1_l4", -0.486610369856749, 1.3311976440847e-06,
     (-0.638193035755249, -0.298707315414367)),
    ("t_l1_l4", "bmd_l1_l4", 0.990317360326264, 1.11947700817021e-74,
     (0.983732684027291, 0.994244427718291)),
])
def test_spearman_matches_cor_test(data, x, y, rho, p, ci):
    res = spearman(data[x], data[y])
    assert res.estimate == pytest.approx(rho, abs=ABS)
    assert res.p_value == pytest.approx(p, abs=ABS)
    assert (res.ci_low, res.ci_high) == pytest.approx(ci, abs=ABS)
    assert res.method == "Spearman"


def test_oracle_scipy_on_random_data():
    rng = np.random.default_rng(21)
    for _ in range(20):
        n = int(rng.integers(5, 80))
        x = rng.normal(size=n)
        y = 0.5 * x + rng.normal(size=n)
        y = np.round(y, 1)  # ties
        res = pearson(x, y)
        ref = stats.pearsonr(x, y)
        assert res.estimate == pytest.approx(ref.statistic, abs=1e-12)
        assert res.p_value == pytest.approx(ref.pvalue, abs=1e-12)
        ci = ref.confidence_interval(0.95)
        assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), abs=1e-12)
        sres = spearman(x, y)
        sref = stats.spearmanr(x, y)
        assert sres.estimate == pytest.approx(sref.statistic, abs=1e-12)
        assert sres.p_value == pytest.approx(sref.pvalue, abs=1e-12)


@pytest.mark.parametrize("r,label", [
    (0.0, "negligible"), (0.1, "negligible"), (-0.1 - 1e-7, "weak"), (0.3, "weak"),
    # The paper's overall correlations (Results): femoral neck -0.372 and total hip -0.438
    # "moderate"; L1-4 -0.501 and lowest -0.537 "high"
    (-0.372, "moderate"), (-0.438, "moderate"), (0.5, "moderate"), (-0.501, "strong"),
    (-0.537, "strong"), (1.0, "strong"),
])
def test_strength_label(r, label):
    assert strength_label(r) == label


def test_strength_label_rejects_bad_values():
    for bad in (1.5, -1.01, math.nan):
        with pytest.raises(InputError):
            strength_label(bad)


def test_compare_correlations_matches_r(data):
    ctl = pearson(data.loc[data.group == "control", "vbq"],
                  data.loc[data.group == "control", "bmd_l1_l4"])
    deg = pearson(data.loc[data.group == "degenerative", "vbq"],
                  data.loc[data.group == "degenerative", "bmd_l1_l4"])
    # R 4.2.2: cor.test per group
    assert ctl.estimate == pytest.approx(-0.755755583984586, abs=ABS) and ctl.n == 48
    assert deg.estimate == pytest.approx(-0.555073947896163, abs=ABS) and deg.n == 38
    res = compare_correlations(ctl.estimate, ctl.n, deg.estimate, deg.n)
    # R 4.2.2, psych 2.2.9: r.test(n = 48, r12 = rc, n2 = 38, r34 = rd) -> z = 1.5998 (|z|)
    assert abs(res.statistic) == pytest.approx(1.59981489489684, abs=ABS)
    assert res.statistic < 0
    assert res.p_value == pytest.approx(0.109639653505502, abs=ABS)
    # Zou (2007) interval, formula written out in correlation_reference.R
    assert (res.ci_low, res.ci_high) == pytest.approx((-0.4876838166055488, 0.0429680915850095),
                                                      abs=ABS)


@pytest.mark.parametrize("r1,r2,z,p,ci,ci90", [
    # The paper's Table 3 (control n = 134 first, degenerative n = 101).
    # R 4.2.2, psych 2.2.9: r.test(n = 134, r12 = r1, n2 = 101, r34 = r2); Zou CI by formula.
    (-0.611, -0.453, 1.66255502890371, 0.0964015394251858,
     (-0.3537472705587406, 0.0275271197458181), (-0.32159520747889425, -0.00169456264861062)),
    (-0.620, -0.460, 1.70483420384485, 0.0882253503997734,
     (-0.3538764515496811, 0.0232963417447279), (-0.32198644106523872, -0.00555831737920987)),
    (-0.611, -0.630, 0.2313652861358, 0.81703103121681,
     (-0.146355048943308, 0.177338648426238), (-0.118994452528204, 0.152026350050001)),
])
def test_compare_correlations_paper_table3(r1, r2, z, p, ci, ci90):
    res = compare_correlations(r1, 134, r2, 101)
    assert abs(res.statistic) == pytest.approx(z, abs=ABS)
    assert res.p_value == pytest.approx(p, abs=ABS)
    assert (res.ci_low, res.ci_high) == pytest.approx(ci, abs=ABS)
    res90 = compare_correlations(r1, 134, r2, 101, confidence=0.90)
    assert (res90.ci_low, res90.ci_high) == pytest.approx(ci90, abs=ABS)


@settings(max_examples=50, deadline=None)
@given(st.floats(-0.99, 0.99), st.floats(-0.99, 0.99), st.integers(4, 500), st.integers(4, 500))
def test_compare_correlations_properties(r1, r2, n1, n2):
    a = compare_correlations(r1, n1, r2, n2)
    b = compare_correlations(r2, n2, r1, n1)
    assert b.statistic == pytest.approx(-a.statistic, abs=1e-9)
    assert b.p_value == pytest.approx(a.p_value, abs=1e-12)
    assert a.ci_low <= a.estimate <= a.ci_high
    assert 0 <= a.p_value <= 1


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 100_000), st.integers(4, 60), st.floats(0.01, 100), st.floats(-50, 50))
def test_pearson_properties(seed, n, scale, shift):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n), rng.normal(size=n)
    a = pearson(x, y)
    assert pearson(y, x).estimate == pytest.approx(a.estimate, abs=1e-12)
    assert pearson(x * scale + shift, y).estimate == pytest.approx(a.estimate, abs=1e-9)
    assert pearson(-x, y).estimate == pytest.approx(-a.estimate, abs=1e-12)
    assert a.ci_low <= a.estimate <= a.ci_high
    s = spearman(np.exp(x), y)  # monotone transform: same rho
    assert s.estimate == pytest.approx(spearman(x, y).estimate, abs=1e-12)


def test_degenerate_inputs():
    with pytest.raises(DegenerateInputError, match="at least 4"):
        pearson([1.0, 2.0, 3.0], [2.0, 1.0, 3.0])
    with pytest.raises(DegenerateInputError, match="at least 4"):
        pearson([1.0, 2.0, 3.0, np.nan, 5.0], [2.0, 1.0, np.nan, 4.0, 3.0])
    with pytest.raises(DegenerateInputError, match="x is constant"):
        pearson([1.0] * 6, [1.0, 2, 3, 4, 5, 6])
    with pytest.raises(DegenerateInputError, match="y is constant"):
        spearman([1.0, 2, 3, 4, 5, 6], [3.0] * 6)
    with pytest.raises(InputError, match="same length"):
        pearson([1.0, 2, 3, 4], [1.0, 2, 3])
    with pytest.raises(TypeError, match="method"):  # pearson is Pearson's r only
        pearson([1.0, 2, 3, 4], [1.0, 2, 3, 4], method="kendall")
    with pytest.raises(InputError, match="numbers"):
        pearson(["a", "b", "c", "d"], [1.0, 2, 3, 4])
    with pytest.raises(InputError, match="strictly between"):
        compare_correlations(1.0, 10, 0.2, 10)
    with pytest.raises(InputError, match="sample size"):
        compare_correlations(0.1, 3, 0.2, 10)


def test_perfect_correlation_is_documented():
    res = pearson([1.0, 2, 3, 4, 5], [2.0, 4, 6, 8, 10])
    assert res.estimate == 1.0
    assert (res.ci_low, res.ci_high) == (1.0, 1.0)
    assert res.p_value == 0.0 and math.isinf(res.statistic)


def test_correlation_table(data):
    t3 = correlation_table(data, "vbq", ["bmd_l1_l4", "t_l1_l4"], by="group")
    assert t3["group"].tolist() == ["all", "control", "degenerative"] * 2
    row = t3[(t3.y == "bmd_l1_l4") & (t3.group == "control")].iloc[0]
    # R 4.2.2: cor.test(s$vbq, s$bmd_l1_l4), s = control
    assert row["estimate"] == pytest.approx(-0.755755583984586, abs=ABS)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (-0.856062512976739, -0.600589250146706), abs=ABS)
    # R 4.2.2, psych 2.2.9: r.test(n = 48, r12 = -0.7558, n2 = 38, r34 = -0.5551)$p
    assert row["p_difference"] == pytest.approx(0.109639653505502, abs=ABS)
    trow = t3[(t3.y == "t_l1_l4") & (t3.group == "degenerative")].iloc[0]
    # R 4.2.2: cor.test(s$vbq, s$t_l1_l4), s = degenerative
    assert trow["estimate"] == pytest.approx(-0.50649569545861, abs=ABS)
    assert trow["p_value"] == pytest.approx(0.00117564790361068, abs=ABS)
    assert set(t3["strength"]) <= {"negligible", "weak", "moderate", "strong"}
    plain = correlation_table(data, "vbq", ["bmd_l1_l4"])
    assert plain["group"].tolist() == ["all"] and "p_difference" not in plain


def test_correlation_table_degenerate_group_keeps_row():
    d = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7], "y": [2.0, 1, 4, 3, 6, 5, 8],
                      "g": ["a"] * 5 + ["b"] * 2})
    t = correlation_table(d, "x", ["y"], by="g")
    b = t[t.group == "b"].iloc[0]
    assert "at least 4" in b["note"] and math.isnan(b["estimate"])
    assert t["p_difference"].isna().all()
    with pytest.raises(InputError, match="string"):
        correlation_table(d, "x", "y")
    with pytest.raises(InputError, match="missing column"):
        correlation_table(d, "x", ["z"])


def test_pearson_has_no_spearman_shim():
    # the deprecated pearson(method="spearman") is gone (issue 17): spearman is its own function
    assert "method" not in inspect.signature(pearson).parameters
    with pytest.raises(TypeError, match="method"):
        pearson([1.0, 2, 3, 4, 5], [2.0, 1, 4, 3, 5], method="spearman")


def test_spearman_comparison_uses_the_bonett_wright_variance_of_its_intervals():
    # issue 8: the groups' rho were compared with Pearson's 1/(n - 3) while their intervals used
    # Bonett-Wright; both now use var(atanh rho) = (1 + rho^2 / 2) / (n - 3), written out here
    rng = np.random.default_rng(8)
    n1, n2 = 37, 52
    d = pd.DataFrame({"g": ["a"] * n1 + ["b"] * n2, "x": rng.normal(size=n1 + n2)})
    d["y"] = np.where(d["g"] == "a", -0.7, -0.2) * d["x"] + rng.normal(size=n1 + n2)
    r1 = stats.spearmanr(d.x[d.g == "a"], d.y[d.g == "a"]).statistic
    r2 = stats.spearmanr(d.x[d.g == "b"], d.y[d.g == "b"]).statistic
    v1, v2 = (1 + r1**2 / 2) / (n1 - 3), (1 + r2**2 / 2) / (n2 - 3)
    z = (math.atanh(r1) - math.atanh(r2)) / math.sqrt(v1 + v2)
    p = 2 * stats.norm.sf(abs(z))
    q = stats.norm.ppf(0.975)
    l1, u1 = math.tanh(math.atanh(r1) - q * math.sqrt(v1)), math.tanh(math.atanh(r1) + q * math.sqrt(v1))
    l2, u2 = math.tanh(math.atanh(r2) - q * math.sqrt(v2)), math.tanh(math.atanh(r2) + q * math.sqrt(v2))
    diff = compare_correlations(r1, n1, r2, n2, method="spearman")
    assert (diff.statistic, diff.p_value) == pytest.approx((z, p), abs=1e-12)
    assert (diff.ci_low, diff.ci_high) == pytest.approx(  # Zou (2007) on the BW intervals
        (r1 - r2 - math.sqrt((r1 - l1) ** 2 + (u2 - r2) ** 2),
         r1 - r2 + math.sqrt((u1 - r1) ** 2 + (r2 - l2) ** 2)), abs=1e-12)
    assert "Bonett-Wright" in diff.method
    # each group's own interval is the one the test is built on
    own = spearman(d.x[d.g == "a"], d.y[d.g == "a"])
    assert (own.ci_low, own.ci_high) == pytest.approx((l1, u1), abs=1e-12)
    table = correlation_table(d, "x", ["y"], by="g", method="spearman")
    assert table["z_difference"].iloc[0] == pytest.approx(z, abs=1e-12)
    assert table["p_difference"].iloc[0] == pytest.approx(p, abs=1e-12)
    # and Pearson keeps Fisher's 1/(n - 3)
    pear = compare_correlations(r1, n1, r2, n2)
    assert pear.statistic == pytest.approx(
        (math.atanh(r1) - math.atanh(r2)) / math.sqrt(1 / (n1 - 3) + 1 / (n2 - 3)), abs=1e-12)
