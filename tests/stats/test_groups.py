"""Tests of vbq.stats.groups: Table 2 (t-tests, chi-square / Fisher, ANCOVA) and Table 5 (Modic).

Expected values come from R 4.2.2 (tests/reference/groups_reference.R, output in
groups_reference.out) on tests/reference/groups_cohort.csv, and from the paper's Table 5.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from vbq.errors import DegenerateInputError, InputError
from vbq.stats._contingency import _fisher_rx2_exact
from vbq.stats.groups import (
    CHI2_METHOD,
    FISHER_METHOD,
    ancova,
    compare_categorical,
    compare_continuous,
    compare_groups,
    modic_table,
)

REF = Path(__file__).resolve().parents[1] / "reference"
ABS = 1e-6


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return pd.read_csv(REF / "groups_cohort.csv", dtype={"modic_type": str})


# --------------------------------------------------------------------------------------------
# t-tests
# --------------------------------------------------------------------------------------------
# R 4.2.2: t.test(d[[v]] ~ d$group, var.equal = eq); groups control, degenerative (factor order)
T_REF = {
    ("vbq", True): dict(t=-0.478428214849643, df=115, p=0.633253761470693,
                        ci=(-0.205351228485041, 0.125451754493224),
                        means=(2.83708474576271, 2.87703448275862)),
    ("vbq", False): dict(t=-0.478046047904823, df=113.628675703186, p=0.633535844373337,
                         ci=(-0.205504699339332, 0.125605225347515),
                         means=(2.83708474576271, 2.87703448275862)),
    ("hu_l1", True): dict(t=0.80246854323347, df=118, p=0.423895234781846,
                          ci=(-7.67874610865559, 18.14220818145359),
                          means=(123.163934426230, 117.932203389831)),
    ("hu_l1", False): dict(t=0.803371196319054, df=117.869048124844, p=0.423377331604076,
                           ci=(-7.66438855634067, 18.12785062913866),
                           means=(123.163934426230, 117.932203389831)),
}


@pytest.mark.parametrize("var,equal_var", list(T_REF))
def test_t_test_matches_r(cohort, var, equal_var):
    ref = T_REF[(var, equal_var)]
    res = compare_continuous(cohort, var, "group", equal_var=equal_var)
    assert res.groups == ("control", "degenerative")
    assert res.statistic == pytest.approx(ref["t"], abs=ABS)
    assert res.df == pytest.approx(ref["df"], abs=ABS)
    assert res.p_value == pytest.approx(ref["p"], abs=ABS)
    assert (res.ci_low, res.ci_high) == pytest.approx(ref["ci"], abs=ABS)
    np.testing.assert_allclose(res.mean, ref["means"], atol=ABS)
    assert res.method == ("Student's t-test" if equal_var else "Welch's t-test")
    assert res.n_missing == (3 if var == "vbq" else 0)


def test_t_test_order_flips_the_difference(cohort):
    a = compare_continuous(cohort, "vbq", "group")
    b = compare_continuous(cohort, "vbq", "group", order=["degenerative", "control"])
    assert b.estimate == pytest.approx(-a.estimate, abs=1e-12)
    assert b.p_value == pytest.approx(a.p_value, abs=1e-12)
    assert (b.ci_low, b.ci_high) == pytest.approx((-a.ci_high, -a.ci_low), abs=1e-12)


@pytest.mark.parametrize("equal_var", [True, False])
def test_t_test_oracle_scipy(equal_var):
    # Oracle: scipy.stats.ttest_ind on seeded random data (our kernel is hand-written for speed).
    rng = np.random.default_rng(7)
    for _ in range(20):
        n1, n2 = rng.integers(2, 40, size=2)
        a, b = rng.normal(0, rng.uniform(0.5, 3), n1), rng.normal(0.3, 1, n2)
        d = pd.DataFrame({"y": np.r_[a, b], "g": ["a"] * n1 + ["b"] * n2})
        res = compare_continuous(d, "y", "g", equal_var=equal_var, confidence=0.9)
        ref = stats.ttest_ind(a, b, equal_var=equal_var)
        ci = ref.confidence_interval(0.9)
        assert res.statistic == pytest.approx(ref.statistic, abs=1e-9)
        assert res.p_value == pytest.approx(ref.pvalue, abs=1e-9)
        assert res.df == pytest.approx(ref.df, abs=1e-9)
        assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_t_test_degenerate():
    d = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": ["a", "a", "a", "b"]})
    with pytest.raises(DegenerateInputError, match="group 'b' has 1"):
        compare_continuous(d, "y", "g")
    d = pd.DataFrame({"y": [1.0, 1.0, 1.0, 1.0], "g": ["a", "a", "b", "b"]})
    with pytest.raises(DegenerateInputError, match="constant"):
        compare_continuous(d, "y", "g")
    d = pd.DataFrame({"y": [1.0, 2.0, 3.0], "g": ["a", "a", "a"]})
    with pytest.raises(InputError, match="exactly two groups"):
        compare_continuous(d, "y", "g")
    d = pd.DataFrame({"y": [1.0, 2.0, np.nan, 3.0, 5.0], "g": ["a", "a", "b", "b", None]})
    with pytest.raises(DegenerateInputError, match="group 'b' has 1"):
        compare_continuous(d, "y", "g")
    with pytest.raises(InputError, match="missing column"):
        compare_continuous(d, "nope", "g")
    with pytest.raises(InputError, match="not in order"):
        compare_continuous(d, "y", "g", order=["a", "c"])
    d = pd.DataFrame({"y": ["x", "y", "z", "w"], "g": ["a", "a", "b", "b"]})
    with pytest.raises(InputError, match="numeric"):
        compare_continuous(d, "y", "g")


def test_t_test_welch_allows_one_constant_group():
    d = pd.DataFrame({"y": [1.0, 1.0, 1.0, 2.0, 3.0, 5.0], "g": list("aaabbb")})
    res = compare_continuous(d, "y", "g", equal_var=False)
    # scipy warns on the constant group; the Welch formula is still defined: compare by hand
    se = math.sqrt(np.var([2.0, 3, 5], ddof=1) / 3)
    assert res.statistic == pytest.approx((1 - 10 / 3) / se, abs=1e-12)
    d.loc[1, "y"] = 1.5
    res = compare_continuous(d, "y", "g", equal_var=False)
    ref = stats.ttest_ind([1.0, 1.5, 1], [2.0, 3, 5], equal_var=False)
    assert res.p_value == pytest.approx(ref.pvalue, abs=1e-12)


# --------------------------------------------------------------------------------------------
# chi-square / Fisher
# --------------------------------------------------------------------------------------------
def test_chi_square_sex_matches_r(cohort):
    res = compare_categorical(cohort, "sex", "group")
    # R 4.2.2: chisq.test(table(d$sex, d$group), correct = FALSE)
    assert res.statistic == pytest.approx(10.7147292598112, abs=ABS)
    assert res.p_value == pytest.approx(0.0010628600954496, abs=ABS)
    assert res.method == CHI2_METHOD
    np.testing.assert_array_equal(res.counts, [[48, 29], [13, 29]])
    assert res.n_missing == 1
    # R 4.2.2: chisq.test(table(d$sex, d$group), correct = TRUE)
    yates = compare_categorical(cohort, "sex", "group", correction=True)
    assert yates.p_value == pytest.approx(0.00205994457150682, abs=ABS)
    assert "Yates" in yates.method
    # R 4.2.2: fisher.test(table(d$sex, d$group))
    fisher = compare_categorical(cohort, "sex", "group", test="fisher")
    assert fisher.p_value == pytest.approx(0.00120070025278879, abs=ABS)
    assert fisher.method == "Fisher's exact test"


def test_fisher_switch_diagnosis_matches_r(cohort):
    res = compare_categorical(cohort, "diagnosis", "group")
    # R 4.2.2: min(chisq.test(table(d$diagnosis, d$group))$expected) = 1.475 -> Fisher
    assert res.min_expected == pytest.approx(1.475, abs=ABS)
    assert res.method == FISHER_METHOD
    # R 4.2.2: fisher.test(table(d$diagnosis, d$group))
    assert res.p_value == pytest.approx(0.211569829754676, abs=ABS)
    assert math.isnan(res.statistic)
    # R 4.2.2: chisq.test(table(d$diagnosis, d$group), correct = FALSE)
    assert res.chi2 == pytest.approx(4.72259388291619, abs=ABS)
    assert res.chi2_p_value == pytest.approx(0.193274216250974, abs=ABS)
    forced = compare_categorical(cohort, "diagnosis", "group", test="chi2")
    assert forced.p_value == pytest.approx(0.193274216250974, abs=ABS)


# R 4.2.2: fisher.test(matrix(..., ncol = 2)) on the tables of groups_reference.R
FISHER_TABLES = [
    ([[10, 3], [60, 40], [20, 30], [5, 5], [2, 9]], 0.00753554012595839),
    ([[0, 3], [30, 40], [20, 30], [5, 5], [2, 9], [40, 30]], 0.0614214366947881),
    ([[1, 3], [0, 4], [7, 0]], 0.0013986013986014),
    ([[5, 5], [5, 5], [5, 5], [5, 5]], 1.0),
]


@pytest.mark.parametrize("table,p", FISHER_TABLES)
def test_fisher_rx2_matches_r(table, p):
    t = np.array(table)
    assert _fisher_rx2_exact(t) == pytest.approx(p, abs=ABS)
    assert _fisher_rx2_exact(t[::-1]) == pytest.approx(p, abs=ABS)


def _fisher_brute(table: np.ndarray) -> float:
    """Slow oracle: enumerate every r x 2 table with the observed margins."""
    rows = table.sum(axis=1)
    m = int(table[:, 0].sum())

    def prob(x):
        return math.prod(math.comb(int(n), int(k)) for n, k in zip(rows, x, strict=True))

    total = math.comb(int(rows.sum()), m)
    p_obs = prob(table[:, 0])
    acc = 0
    for x in itertools.product(*[range(int(n) + 1) for n in rows]):
        if sum(x) == m:
            px = prob(x)
            if px <= p_obs * (1 + 1e-7):
                acc += px
    return acc / total


def test_fisher_oracle_brute_force_and_scipy():
    rng = np.random.default_rng(11)
    for _ in range(25):
        r = int(rng.integers(2, 5))
        t = rng.integers(0, 7, size=(r, 2))
        if (t.sum(axis=0) == 0).any():
            continue
        assert _fisher_rx2_exact(t) == pytest.approx(_fisher_brute(t), abs=1e-9)
        if r == 2:
            assert _fisher_rx2_exact(t) == pytest.approx(stats.fisher_exact(t).pvalue, abs=1e-9)


def test_chi_square_oracle_scipy():
    rng = np.random.default_rng(5)
    for _ in range(20):
        shape = (int(rng.integers(2, 5)), int(rng.integers(2, 4)))
        t = rng.integers(5, 40, size=shape)
        levels = np.repeat(np.arange(shape[0]), t.sum(axis=1))
        groups = np.concatenate([np.repeat(np.arange(shape[1]), row) for row in t])
        d = pd.DataFrame({"v": levels, "g": groups})
        for corr in (False, True):
            res = compare_categorical(d, "v", "g", correction=corr, test="chi2")
            ref = stats.chi2_contingency(t, correction=corr)
            assert res.statistic == pytest.approx(ref.statistic, abs=1e-9)
            assert res.p_value == pytest.approx(ref.pvalue, abs=1e-9)
            np.testing.assert_allclose(res.expected, ref.expected_freq, atol=1e-9)


def test_fisher_large_table_falls_back_to_monte_carlo():
    # Too many tables to enumerate within budget: a Monte Carlo p, and the method says so.
    counts = np.array([[1, 2], [3050, 2950], [2000, 2000], [1950, 2050], [1000, 1000]])
    d = pd.DataFrame({"v": np.repeat(np.arange(5).repeat(2), counts.ravel()),
                      "g": np.repeat(np.tile([0, 1], 5), counts.ravel())})
    res = compare_categorical(d, "v", "g")
    assert res.method == ("Fisher's exact test (expected count < 5, Monte Carlo p from 100000 "
                          "tables (seed 20230257))")
    # R 4.2.2 cannot do this one exactly either (FEXACT workspace); the chi-square p is 0.343
    assert res.p_value == pytest.approx(stats.chi2_contingency(counts).pvalue, abs=0.05)


def test_fisher_exact_for_3x3_uses_monte_carlo():
    # R 4.2.2: fisher.test(matrix(c(3,4,5,4,4,1,0,5,6), 3, byrow=TRUE))$p.value
    # (tests/reference/groups_reference.out, "fisher 3x3")
    t = [[3, 4, 5], [4, 4, 1], [0, 5, 6]]
    rows = [(lv, g) for lv, row in enumerate(t) for g, k in enumerate(row) for _ in range(k)]
    res = compare_categorical(pd.DataFrame(rows, columns=["v", "g"]), "v", "g")
    assert "Monte Carlo" in res.method
    assert res.p_value == pytest.approx(0.1004682, abs=0.01)  # Monte Carlo, 100000 tables


def test_categorical_degenerate():
    d = pd.DataFrame({"v": ["x"] * 6, "g": list("aaabbb")})
    with pytest.raises(DegenerateInputError, match="only 1 level"):
        compare_categorical(d, "v", "g")
    d = pd.DataFrame({"v": ["x", "y", None, None], "g": list("aabb")})
    with pytest.raises(DegenerateInputError, match="no non-missing"):
        compare_categorical(d, "v", "g")
    with pytest.raises(InputError, match="test"):
        compare_categorical(d, "v", "g", test="exact")
    with pytest.raises(InputError, match="not in order"):
        compare_categorical(pd.DataFrame({"v": ["x", "z"], "g": ["a", "b"]}), "v", "g",
                            levels=["x", "y"])


def test_categorical_unused_level_is_shown_but_not_tested():
    d = pd.DataFrame({"v": list("xxyyxyxy") * 3, "g": list("aabbabab") * 3})
    res = compare_categorical(d, "v", "g", levels=["x", "y", "z"])
    assert res.levels == ("x", "y", "z")
    np.testing.assert_array_equal(res.counts[2], [0, 0])
    ref = compare_categorical(d, "v", "g")
    assert res.p_value == ref.p_value


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1)), min_size=8, max_size=60))
def test_categorical_properties(pairs):
    d = pd.DataFrame(pairs, columns=["v", "g"])
    try:
        res = compare_categorical(d, "v", "g")
    except DegenerateInputError:
        return
    assert res.counts.sum() == len(d)
    np.testing.assert_allclose(res.percent.sum(axis=0), 100.0)
    assert 0.0 <= res.p_value <= 1.0
    assert (res.method == FISHER_METHOD) == (res.min_expected < 5)
    flipped = compare_categorical(d, "v", "g", order=[1, 0])
    assert flipped.p_value == pytest.approx(res.p_value, abs=1e-12)


# --------------------------------------------------------------------------------------------
# Modic (Table 5)
# --------------------------------------------------------------------------------------------
def test_modic_table_matches_r(cohort):
    res = modic_table(cohort)
    np.testing.assert_array_equal(res.n_with_modic, [27, 23])
    assert res.n_without == 70
    # R 4.2.2: fisher.test(table(m[[v]], m$group)), m = patients with modic_type != "none"
    assert res.type.p_value == pytest.approx(0.72548285313814, abs=ABS)
    assert res.levels.p_value == pytest.approx(0.0777807979593476, abs=ABS)
    assert res.grade.p_value == pytest.approx(0.832231206029024, abs=ABS)
    assert res.type.levels == ("1", "2", "3", "mixed")
    np.testing.assert_array_equal(res.type.counts, [[3, 2], [21, 16], [1, 3], [2, 2]])
    assert all(r.method == FISHER_METHOD for r in (res.type, res.levels, res.grade))
    assert len(res.to_frame()) == 4 + 4 + 3


def _paper_table5() -> pd.DataFrame:
    """Patients with the marginal counts of the paper's Table 5 (degenerative 56, control 45).

    Only the marginals are published; each characteristic is tested on its own, so any joint
    assignment reproduces the p-values."""
    counts = {
        "modic_type": {"1": (4, 2), "2": (39, 38), "3": (4, 4), "mixed": (9, 1)},
        "modic_levels": {1: (16, 28), 2: (21, 10), 3: (15, 6), 4: (4, 1)},
        "modic_grade": {"A": (40, 32), "B": (8, 11), "C": (8, 2)},
    }
    cols = {}
    for col, table in counts.items():
        for j, grp in enumerate(("degenerative", "control")):
            cols.setdefault((col, grp), [])
            for level, k in table.items():
                cols[(col, grp)] += [level] * k[j]
    frames = [pd.DataFrame({"group": grp, **{c: cols[(c, grp)] for c in counts}})
              for grp in ("degenerative", "control")]
    none = pd.DataFrame({"group": ["control"] * 5, "modic_type": "none", "modic_levels": 0,
                         "modic_grade": None})
    return pd.concat(frames + [none], ignore_index=True)


def test_modic_table_reproduces_paper_table5():
    res = modic_table(_paper_table5(), order=["degenerative", "control"])
    np.testing.assert_array_equal(res.n_with_modic, [56, 45])
    # R 4.2.2: fisher.test(matrix(c(4,39,4,9, 2,38,4,1), ncol=2))  -> paper 0.099
    assert res.type.p_value == pytest.approx(0.0991472113055894, abs=ABS)
    # R 4.2.2: fisher.test(matrix(c(16,21,15,4, 28,10,6,1), ncol=2))  -> paper 0.007
    assert res.levels.p_value == pytest.approx(0.00713683329907604, abs=ABS)
    # R 4.2.2: fisher.test(matrix(c(40,8,8, 32,11,2), ncol=2))  -> paper 0.149
    assert res.grade.p_value == pytest.approx(0.148982747095671, abs=ABS)
    # Published, rounded to 3 decimals (Chen et al. 2023, Table 5)
    assert round(res.type.p_value, 3) == 0.099
    assert round(res.levels.p_value, 3) == 0.007
    assert round(res.grade.p_value, 3) == 0.149
    # Table 5 percentages: type 2 69.6% vs 84.4% (39 of 56, 38 of 45), mixed 16.1% vs 2.2%
    assert res.type.percent[1] == pytest.approx([100 * 39 / 56, 100 * 38 / 45], abs=1e-12)
    assert res.n_without == 5


def test_modic_blank_type_with_zero_levels_counts_as_without():
    d = _paper_table5()
    d.loc[d["modic_type"] == "none", "modic_type"] = None
    d.loc[0, "modic_type"] = None  # blank type but levels recorded: missing, not "without"
    res = modic_table(d, order=["degenerative", "control"])
    assert res.n_without == 5 and res.n_missing == 1
    np.testing.assert_array_equal(res.n_with_modic, [55, 45])


def test_modic_degenerate():
    d = pd.DataFrame({"group": ["a", "a", "b"], "modic_type": ["2", "1", "none"],
                      "modic_levels": [1, 2, 0], "modic_grade": ["A", "B", None]})
    with pytest.raises(DegenerateInputError, match="no patient with Modic change"):
        modic_table(d)


# --------------------------------------------------------------------------------------------
# ANCOVA
# --------------------------------------------------------------------------------------------
def test_ancova_matches_car(cohort):
    res = ancova(cohort, "vbq", "group", "age")
    # R 4.2.2, car 3.1-1: Anova(lm(vbq ~ group + age, contrasts=list(group="contr.sum")), type=3)
    np.testing.assert_allclose(res.sum_sq, [0.0383659382749251, 1.7220208866890978,
                                            20.9151827422136698], atol=ABS)
    np.testing.assert_allclose(res.df, [1, 1, 113], atol=ABS)
    np.testing.assert_allclose(res.statistic[:2], [0.207282483662759, 9.303689219177855],
                               atol=ABS)
    np.testing.assert_allclose(res.p_value[:2], [6.49779338188346e-01, 2.84970834537375e-03],
                               atol=ABS)
    assert res.p_between == pytest.approx(0.649779338188346, abs=ABS)
    assert res.n_missing == 4 and res.n.sum() == 116  # R: nrow(complete cases) = 116
    # R 4.2.2: predict(fit, data.frame(group=levels, age=mean(cc$age)), se.fit=TRUE,
    #          interval="confidence")
    np.testing.assert_allclose(res.adjusted_mean, [2.84650048742974, 2.88299072353764], atol=ABS)
    np.testing.assert_allclose(res.adjusted_se, [0.0560950060073495, 0.0570736764895714],
                               atol=ABS)
    np.testing.assert_allclose(res.adjusted_ci_low, [2.73536616326673, 2.76991747663691],
                               atol=ABS)
    np.testing.assert_allclose(res.adjusted_ci_high, [2.95763481159275, 2.99606397043836],
                               atol=ABS)
    eta = res.sum_sq[0] / (res.sum_sq[0] + res.sum_sq[-1])
    assert res.partial_eta_sq[0] == pytest.approx(eta, abs=1e-12)
    frame = res.to_frame()
    assert frame["effect"].tolist() == ["group", "age", "Residual"]
    assert frame["df2"].tolist()[:2] == [113, 113]


def test_ancova_type1_matches_r_anova(cohort):
    res = ancova(cohort, "vbq", "group", "age", ss_type=1)
    # R 4.2.2: anova(lm(vbq ~ group + age, data = d))$`Sum Sq`
    np.testing.assert_allclose(res.sum_sq, [0.089790819373097, 1.722020886689097,
                                            20.915182742213666], atol=ABS)


def test_ancova_two_covariates_matches_car(cohort):
    res = ancova(cohort, "hu_l1", "group", ["age", "bmi"])
    # R 4.2.2, car 3.1-1: Anova(lm(hu_l1 ~ group + age + bmi, contrasts=...contr.sum), type=3)
    np.testing.assert_allclose(res.sum_sq, [572.118782890218, 23412.386275553945,
                                            815.093991581627, 119782.655314105839], atol=1e-5)
    np.testing.assert_allclose(res.statistic[:3], [0.539722736126233, 22.086667240762402,
                                                   0.768939549780354], atol=ABS)
    np.testing.assert_allclose(res.p_value[:3], [4.64069502368547e-01, 7.40363317949732e-06,
                                                 3.82405742709599e-01], atol=ABS)
    # R 4.2.2: predict(...) at mean age and mean bmi of the complete cases
    np.testing.assert_allclose(res.adjusted_mean, [122.178258449006, 117.742184088766], atol=ABS)
    np.testing.assert_allclose(res.adjusted_se, [4.20877549346716, 4.31841232740566], atol=ABS)


def test_ancova_four_groups_matches_car(cohort):
    res = ancova(cohort, "vbq", "diagnosis", "age")
    assert res.groups == ("disc_herniation", "scoliosis", "spondylolisthesis", "stenosis")
    # R 4.2.2, car 3.1-1: Anova(lm(vbq ~ diagnosis + age, contrasts=contr.sum), type=3)
    np.testing.assert_allclose(res.sum_sq, [0.632918793834524, 1.685445820012596,
                                            20.320629886654068], atol=ABS)
    np.testing.assert_allclose(res.df, [3, 1, 111])
    np.testing.assert_allclose(res.p_value[:2], [3.31318452212469e-01, 3.00371309878651e-03],
                               atol=ABS)
    np.testing.assert_allclose(res.adjusted_mean, [2.88204169977338, 2.42818951825233,
                                                   2.82352743451891, 2.88473256757705], atol=ABS)
    np.testing.assert_allclose(res.adjusted_se, [0.0855800675351694, 0.2470982486909898,
                                                 0.1106085530967858, 0.0501079296022749],
                               atol=ABS)


def test_ancova_oracle_statsmodels():
    # Oracle: statsmodels' formula ANCOVA, anova_lm(typ=3) with Sum contrasts.
    import statsmodels.api as sm
    from statsmodels.formula.api import ols

    rng = np.random.default_rng(3)
    for k in (2, 3):
        n = 60
        d = pd.DataFrame({"g": rng.choice(list("abc")[:k], n), "age": rng.normal(60, 8, n),
                          "bmi": rng.normal(24, 3, n)})
        d["y"] = 0.02 * d["age"] + (d["g"] == "a") * 0.3 + rng.normal(0, 0.5, n)
        fit = ols("y ~ C(g, Sum) + age + bmi", data=d).fit()
        table = sm.stats.anova_lm(fit, typ=3)
        res = ancova(d, "y", "g", ["age", "bmi"])
        np.testing.assert_allclose(res.sum_sq, table["sum_sq"].to_numpy()[1:], atol=1e-9)
        np.testing.assert_allclose(res.p_value[:-1], table["PR(>F)"].to_numpy()[1:-1],
                                   atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.1, 50), st.floats(-100, 100))
def test_ancova_invariant_to_covariate_rescaling(seed, scale, shift):
    rng = np.random.default_rng(seed)
    n = 30
    d = pd.DataFrame({"g": np.repeat(["a", "b"], n // 2), "age": rng.normal(60, 8, n)})
    d["y"] = 0.03 * d["age"] + rng.normal(0, 1, n)
    base = ancova(d, "y", "g", "age")
    d2 = d.assign(age=d["age"] * scale + shift)
    other = ancova(d2, "y", "g", "age")
    np.testing.assert_allclose(other.p_value[:-1], base.p_value[:-1], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(other.adjusted_mean, base.adjusted_mean, rtol=1e-9, atol=1e-9)
    flipped = ancova(d, "y", "g", "age", order=["b", "a"])
    assert flipped.p_between == pytest.approx(base.p_between, rel=1e-9)
    np.testing.assert_allclose(flipped.adjusted_mean[::-1], base.adjusted_mean, atol=1e-12)


def test_ancova_degenerate():
    d = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "g": list("aaabbb"),
                      "age": [60.0] * 6})
    with pytest.raises(DegenerateInputError, match="singular"):
        ancova(d, "y", "g", "age")
    d = pd.DataFrame({"y": [1.0, 2.0, 3.0], "g": list("aab"), "age": [50.0, 60.0, 70.0]})
    with pytest.raises(DegenerateInputError, match="no residual"):
        ancova(d, "y", "g", "age")
    d = pd.DataFrame({"y": [1.0, 2.0, np.nan, np.nan], "g": list("aabb"),
                      "age": [50.0, 60.0, 70.0, 80.0]})
    with pytest.raises(DegenerateInputError, match="no complete row"):
        ancova(d, "y", "g", "age")
    d = pd.DataFrame({"y": [2.0] * 6, "g": list("aaabbb"), "age": [50.0, 51, 60, 70, 55, 52]})
    with pytest.raises(DegenerateInputError, match="constant"):
        ancova(d, "y", "g", "age")
    with pytest.raises(InputError, match="ss_type"):
        ancova(d, "y", "g", "age", ss_type=4)
    with pytest.raises(InputError, match="covariates"):
        ancova(d, "y", "g", [])


# --------------------------------------------------------------------------------------------
# Table 2
# --------------------------------------------------------------------------------------------
def test_compare_groups_table2(cohort):
    res = compare_groups(cohort, continuous=["age", "vbq", "hu_l1"],
                         categorical=["sex", "diagnosis"], order=["degenerative", "control"])
    t2 = res.to_frame()
    assert t2["variable"].tolist() == ["age", "vbq", "hu_l1"] + ["sex"] * 2 + ["diagnosis"] * 4
    vbq = t2.set_index("variable").loc["vbq"]
    # R 4.2.2: t.test(vbq ~ group, var.equal = TRUE) (sign: degenerative - control here)
    assert vbq["statistic"] == pytest.approx(0.478428214849643, abs=ABS)
    assert vbq["p_value"] == pytest.approx(0.633253761470693, abs=ABS)
    # R 4.2.2, car 3.1-1: Anova(lm(vbq ~ group + age, contrasts=contr.sum), type=3) group p
    assert vbq["p_value_ancova"] == pytest.approx(0.649779338188346, abs=ABS)
    assert vbq["mean_degenerative"] == pytest.approx(2.87703448275862, abs=ABS)
    assert vbq["n_missing"] == 3
    age = t2.set_index("variable").loc["age"]
    assert math.isnan(age["p_value_ancova"])  # the covariate itself
    sex = t2[t2["variable"] == "sex"].set_index("level")
    assert sex.loc["F", "count_control"] == 48 and sex.loc["F", "count_degenerative"] == 29
    # R 4.2.2: chisq.test(table(d$sex, d$group), correct = FALSE)
    assert sex.loc["F", "p_value"] == pytest.approx(0.0010628600954496, abs=ABS)
    dx = t2[t2["variable"] == "diagnosis"]
    assert (dx["method"] == FISHER_METHOD).all()
    assert "ANCOVA" in res.summary()


def test_compare_groups_batch_equals_one_variable_at_a_time():
    # compare_groups fits all continuous variables together, sharing one design per
    # missing-data pattern; each result must equal the one-variable functions (themselves
    # checked against R above), whatever the patterns, and a degenerate variable in a batch must
    # not disturb the others.
    rng = np.random.default_rng(7)
    n = 80
    d = pd.DataFrame({"group": rng.choice(["degenerative", "control"], n),
                      "age": rng.normal(62, 9, n)})
    for k in range(6):
        d[f"x{k}"] = rng.normal(k, 1 + k, n) + 0.05 * d["age"]
    d.loc[rng.choice(n, 7, replace=False), "x1"] = np.nan  # own pattern
    d.loc[rng.choice(n, 7, replace=False), "x2"] = np.nan  # another
    d["x3"] = d["x3"].where(d["x1"].notna())              # same pattern as x1
    d["x4"] = 5.0                                          # constant: a note, not a crash
    d.loc[[0, 1], "age"] = np.nan                          # covariate missing for all
    names = [f"x{k}" for k in range(6)]
    res = compare_groups(d, continuous=["age", *names], order=["degenerative", "control"])
    for var in names:
        if var == "x4":
            assert "constant" in res.notes["x4"] and "constant" in res.notes["x4 (ANCOVA)"]
            continue
        one_t = compare_continuous(d, var, "group", order=["degenerative", "control"])
        one_a = ancova(d, var, "group", ["age"], order=["degenerative", "control"])
        batch_t, batch_a = res.continuous[var], res.adjusted[var]
        for field in ("estimate", "statistic", "df", "p_value", "ci_low", "ci_high"):
            assert getattr(batch_t, field) == pytest.approx(getattr(one_t, field), rel=1e-12)
        assert batch_t.n_missing == one_t.n_missing
        for field in ("sum_sq", "statistic", "p_value", "adjusted_mean", "adjusted_se",
                      "raw_mean"):
            np.testing.assert_allclose(getattr(batch_a, field), getattr(one_a, field),
                                       rtol=1e-12)
        assert batch_a.n_missing == one_a.n_missing
        assert batch_a.n.tolist() == one_a.n.tolist()
    assert "age" not in res.adjusted  # the covariate is not adjusted for itself


def test_compare_groups_degenerate_rows_carry_a_note():
    d = pd.DataFrame({"group": ["degenerative"] * 1 + ["control"] * 5,
                      "age": [60.0, 61, 55, 70, 66, 58], "vbq": [3.0, 2.5, 2.7, 2.9, 3.1, 2.6],
                      "flag": [True] * 6})
    t2 = compare_groups(d, continuous=["vbq"], categorical=["flag"]).to_frame()
    vbq = t2.iloc[0]
    assert "group 'degenerative' has 1" in vbq["note"]
    assert math.isnan(vbq["p_value"])
    assert vbq["mean_control"] == pytest.approx(np.mean([2.5, 2.7, 2.9, 3.1, 2.6]))
    flag = t2.iloc[1]
    assert "only 1 level" in flag["note"]
    assert flag["count_control"] == 5


def test_compare_groups_input_errors(cohort):
    with pytest.raises(InputError, match="listed more than once"):
        compare_groups(cohort, continuous=["vbq"], categorical=["vbq"])
    with pytest.raises(InputError, match="string"):
        compare_groups(cohort, continuous="vbq")
    with pytest.raises(InputError, match="exactly two groups"):
        compare_groups(cohort, between="diagnosis", continuous=["vbq"])
    with pytest.raises(InputError, match="missing column"):
        compare_groups(cohort, continuous=["nope"])


def test_results_are_frozen(cohort):
    res = compare_continuous(cohort, "vbq", "group")
    with pytest.raises(AttributeError):
        res.p_value = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.mean[0] = 0.0


def test_group_comparison_pickles_for_caches():
    # Streamlit's st.cache_data and multiprocessing pickle results
    import pickle

    rng = np.random.default_rng(0)
    data = pd.DataFrame({"group": ["degenerative", "control"] * 20,
                         "age": rng.normal(60, 8, 40), "vbq": rng.normal(2.8, 0.5, 40),
                         "sex": rng.choice(["F", "M"], 40)})
    res = compare_groups(data, continuous=["age", "vbq"], categorical=["sex"])
    again = pickle.loads(pickle.dumps(res))
    pd.testing.assert_frame_equal(again.to_frame(), res.to_frame())
