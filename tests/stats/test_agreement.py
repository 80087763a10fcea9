"""Tests of vbq.stats.agreement: ICC and Cohen's kappa.

Expected values come from R (tests/reference/agreement_icc.R and agreement_kappa.R, whose printed
output is saved beside them as .out) or from published tables, and are compared to 6 decimals.
Slow, obvious re-implementations below serve as oracles on seeded random data; hypothesis checks
the invariants.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import cohen_kappa_score

from vbq.errors import DegenerateInputError, InputError
from vbq.stats.agreement import ICC_FORMS, cohen_kappa, icc, to_long

REF = Path(__file__).resolve().parents[1] / "reference"
ATOL = 1e-6
FIELDS = ("estimate", "statistic", "df1", "df2", "p_value", "ci_low", "ci_high")
HYP = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _sf_long() -> pd.DataFrame:
    return pd.read_csv(REF / "agreement_icc_shrout_fleiss.csv")


def _vbq_wide() -> pd.DataFrame:
    return pd.read_csv(REF / "agreement_icc_vbq.csv")


def _long_from_matrix(x: np.ndarray) -> pd.DataFrame:
    n, k = x.shape
    return pd.DataFrame(
        {"t": np.repeat(np.arange(n), k), "r": np.tile(np.arange(k), n), "y": x.ravel()}
    )


def _check_psych(res, expected: dict, ms: tuple | None = None) -> None:
    """Compare an ICCResult with rows of psych::ICC output: (ICC, F, df1, df2, p, lower, upper)."""
    for name, (est, f, d1, d2, p, lo, hi) in expected.items():
        got = res.form(name)
        np.testing.assert_allclose(
            [got.estimate, got.statistic, got.df1, got.df2, got.p_value, got.ci_low, got.ci_high],
            [est, f, d1, d2, p, lo, hi],
            atol=ATOL,
            rtol=0,
            err_msg=name,
        )
    if ms is not None:
        np.testing.assert_allclose(
            [res.ms_targets, res.ms_raters, res.ms_error, res.ms_within], ms, atol=ATOL, rtol=0
        )


# ------------------------------------------------------------------------------------------
# ICC: published and R references
# ------------------------------------------------------------------------------------------


def test_icc_shrout_fleiss_published_table():
    # Shrout & Fleiss (1979), Psychol Bull 86:420, Table 2 data (6 targets x 4 judges);
    # Table 3 mean squares and Table 4 ICCs as printed (2 decimals).
    res = icc(_sf_long(), "target", "judge", "rating")
    assert res.n == 6 and res.n_raters == 4 and res.n_excluded == 0
    published_ms = {"targets": 11.24, "within": 6.26, "raters": 32.49, "error": 1.02}
    for name, value in published_ms.items():
        assert getattr(res, f"ms_{name}") == pytest.approx(value, abs=0.005)
    published = {
        "ICC(1,1)": 0.17,
        "ICC(2,1)": 0.29,
        "ICC(3,1)": 0.71,
        "ICC(1,k)": 0.44,
        "ICC(2,k)": 0.62,
        "ICC(3,k)": 0.91,
    }
    for name, value in published.items():
        assert res.form(name).estimate == pytest.approx(value, abs=0.005), name


def test_icc_shrout_fleiss_matches_psych():
    # R 4.2.2, psych 2.2.9: ICC(sfw[, -1], lmer = FALSE, alpha = 0.05), tests/reference/agreement_icc.R
    expected = {
        "ICC1": (0.165741768405476, 1.79467849223947, 5, 18, 0.164768808344639611, -0.1329323248747509, 0.722560062328121),
        "ICC2": (0.289763779527559, 11.02724795640327, 5, 15, 0.000134566516484337, 0.0187865133747120, 0.761084369648953),
        "ICC3": (0.714840714840715, 11.02724795640327, 5, 15, 0.000134566516484337, 0.3424647650339254, 0.945858259955360),
        "ICC1k": (0.442797133679269, 1.79467849223947, 5, 18, 0.164768808344639611, -0.8844421552381190, 0.912415420340776),
        "ICC2k": (0.620050547598989, 11.02724795640327, 5, 15, 0.000134566516484337, 0.0711368153025035, 0.927232040167722),
        "ICC3k": (0.909315542377069, 11.02724795640327, 5, 15, 0.000134566516484337, 0.6756747138163047, 0.985891678169062),
    }  # fmt: skip
    # psych: r$stats[3, ] (MSB, MSJ, MSE) and (SSJ + SSE) / (dfJ + dfE) for MSW
    ms = (11.24166666666667, 32.48611111111109, 1.01944444444444, 6.26388888888889)
    _check_psych(icc(_sf_long(), "target", "judge", "rating"), expected, ms)


def test_icc_vbq_intra_two_raters_100_targets():
    # R 4.2.2, psych 2.2.9: ICC(v[, c("vbq", "vbq_repeat")], lmer = FALSE), agreement_icc.R
    expected = {
        "ICC1": (0.810161458282178, 9.53526845445759, 99, 100, 3.47429352987796e-25, 0.730583169559868, 0.868075968527124),
        "ICC2": (0.809994992182987, 9.44806190715469, 99, 99, 7.74323924498397e-25, 0.730008405578450, 0.868080141547654),
        "ICC3": (0.808576938213734, 9.44806190715469, 99, 99, 7.74323924498397e-25, 0.728151897145398, 0.867039210786992),
        "ICC1k": (0.895126182888693, 9.53526845445759, 99, 100, 3.47429352987796e-25, 0.844320206518216, 0.929379728825006),
        "ICC2k": (0.895024567118911, 9.44806190715469, 99, 99, 7.74323924498397e-25, 0.843936252823422, 0.929382120435661),
        "ICC3k": (0.894158187168234, 9.44806190715469, 99, 99, 7.74323924498397e-25, 0.842694323743389, 0.928785218625932),
    }  # fmt: skip
    ms = (0.39669868176767709, 0.00358704500000053, 0.04198730762626257, 0.041603305)
    long = to_long(_vbq_wide(), "patient_id", ["vbq", "vbq_repeat"])
    res = icc(long, "patient_id", "rater", "rating")
    assert (res.n, res.n_raters, res.n_excluded) == (100, 2, 0)
    assert res.raters == ("vbq", "vbq_repeat")
    _check_psych(res, expected, ms)


def test_icc_vbq_inter_reports_incomplete_targets():
    # R 4.2.2, psych 2.2.9: ICC(na.omit(v[, c("vbq", "vbq_obs2")]), lmer = FALSE), agreement_icc.R
    expected = {
        "ICC1": (0.774129972434571, 7.85464982475663, 96, 97, 3.13290860797485e-21, 0.680450843888031, 0.842974449898188),
        "ICC2": (0.773921201758744, 7.79094516512847, 96, 96, 6.10372339152161e-21, 0.679808357656796, 0.842953922632273),
        "ICC3": (0.772493177646755, 7.79094516512847, 96, 96, 6.10372339152161e-21, 0.677917409853785, 0.841914344314798),
        "ICC1k": (0.872686876905937, 7.85464982475663, 96, 97, 3.13290860797485e-21, 0.809843199356767, 0.914797760701193),
        "ICC2k": (0.872554204765628, 7.79094516512847, 96, 96, 6.10372339152161e-21, 0.809387993050680, 0.914785673456545),
        "ICC3k": (0.871645868530059, 7.79094516512847, 96, 96, 6.10372339152161e-21, 0.808046219525023, 0.914173177393865),
    }  # fmt: skip
    ms = (0.4102002607388319, 0.0112297731958761, 0.0526508981958760, 0.0522238762886596)
    long = to_long(_vbq_wide(), "patient_id", ["vbq", "vbq_obs2"])
    res = icc(long, "patient_id", "rater", "rating")
    assert res.n == 97
    assert res.n_excluded == 3
    assert res.excluded_targets == ("P017", "P054", "P088")  # the empty cells written by make_data
    _check_psych(res, expected, ms)
    assert "P054" in res.summary()
    with pytest.raises(InputError, match="P017"):
        icc(long, "patient_id", "rater", "rating", nan_policy="raise")
    # A missing row is the same as a NaN rating.
    dropped = long.dropna(subset=["rating"])
    res2 = icc(dropped, "patient_id", "rater", "rating")
    assert res2.excluded_targets == res.excluded_targets
    assert res2.form("ICC2").estimate == res.form("ICC2").estimate


def test_icc_vbq_three_raters():
    # R 4.2.2, psych 2.2.9: ICC(na.omit(v[, c("vbq", "vbq_repeat", "vbq_obs2")]), lmer = FALSE)
    expected = {
        "ICC1": (0.792446566855484, 12.4541092601978, 96, 194, 2.34921027503015e-48, 0.724495322288141, 0.848583463713745),
        "ICC2": (0.792330254734425, 12.3540968073139, 96, 192, 9.52229703551589e-48, 0.724189740299600, 0.848564307022741),
        "ICC3": (0.791000434212524, 12.3540968073139, 96, 192, 9.52229703551589e-48, 0.722517681491285, 0.847550244444877),
        "ICC1k": (0.919705217040619, 12.4541092601978, 96, 194, 2.34921027503015e-48, 0.887502764323738, 0.943860895391197),
        "ICC2k": (0.919652989433319, 12.3540968073139, 96, 192, 9.52229703551589e-48, 0.887349872891068, 0.943852995297055),
        "ICC3k": (0.919055191520923, 12.3540968073139, 96, 192, 9.52229703551589e-48, 0.886511940600225, 0.943434481874209),
    }  # fmt: skip
    ms = (0.5954772707617404, 0.0106544776632302, 0.0482007936354525, 0.0478137182130584)
    long = to_long(_vbq_wide(), "patient_id", ["vbq", "vbq_repeat", "vbq_obs2"])
    res = icc(long, "patient_id", "rater", "rating")
    assert (res.n, res.n_raters, res.n_excluded) == (97, 3, 3)
    _check_psych(res, expected, ms)


def test_icc_confidence_level():
    # R 4.2.2, psych 2.2.9: ICC(na.omit(v[, c("vbq", "vbq_obs2")]), lmer = FALSE, alpha = 0.10)
    expected = {
        "ICC1": (0.697474671433555, 0.833321722174957),
        "ICC2": (0.696921603998062, 0.833279751068078),
        "ICC3": (0.695106720876154, 0.832182364448751),
        "ICC1k": (0.821779179590965, 0.909083999928117),
        "ICC2k": (0.821395169177018, 0.909059024497057),
        "ICC3k": (0.820133284017507, 0.908405604809028),
    }
    long = to_long(_vbq_wide(), "patient_id", ["vbq", "vbq_obs2"])
    res = icc(long, "patient_id", "rater", "rating", confidence=0.90)
    assert res.confidence == 0.90
    for name, (lo, hi) in expected.items():
        f = res.form(name)
        assert (f.ci_low, f.ci_high) == pytest.approx((lo, hi), abs=ATOL), name


# ------------------------------------------------------------------------------------------
# ICC: result object and to_long
# ------------------------------------------------------------------------------------------


def test_icc_result_frame_and_names():
    res = icc(_sf_long(), "target", "judge", "rating")
    frame = res.to_frame()
    assert list(frame.columns) == [
        "type", "mcgraw_wong", "description", "estimate", "ci_low", "ci_high",
        "statistic", "df1", "df2", "p_value", "n", "method",
    ]  # fmt: skip
    assert frame["type"].tolist() == list(ICC_FORMS)
    assert frame["mcgraw_wong"].tolist() == [
        "ICC(1)", "ICC(A,1)", "ICC(C,1)", "ICC(k)", "ICC(A,k)", "ICC(C,k)",
    ]  # fmt: skip
    assert (frame["n"] == 6).all()
    assert res.form("ICC2") is res.form("ICC(A,1)") is res.form("ICC(2,1)")
    assert "absolute agreement" in res.form("ICC2").description
    with pytest.raises(InputError, match="unknown ICC form"):
        res.form("ICC4")
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.n = 3  # type: ignore[misc]
    text = res.summary()
    assert "ICC(A,1)" in text and "6 targets x 4 raters" in text


def test_to_long_layout_and_missing_kept():
    wide = pd.DataFrame({"id": ["a", "b"], "x": [1.0, np.nan], "y": [2.0, 3.0]})
    long = to_long(wide, "id", ["x", "y"])
    assert long.columns.tolist() == ["id", "rater", "rating"]
    assert long["id"].tolist() == ["a", "a", "b", "b"]
    assert long["rater"].tolist() == ["x", "y", "x", "y"]
    np.testing.assert_array_equal(long["rating"], [1.0, 2.0, np.nan, 3.0])


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("id", []), "at least one"),
        (("id", ["x", "x"]), "repeats"),
        (("id", ["x", "zz"]), "zz"),
        (("nope", ["x"]), "nope"),
        (("x", ["x", "y"]), "clashes"),
        (("id", ["x", "s"]), "numeric"),
    ],
)
def test_to_long_errors(args, match):
    wide = pd.DataFrame({"id": ["a"], "x": [1.0], "y": [2.0], "s": ["2.0"]})
    with pytest.raises(InputError, match=match):
        to_long(wide, *args)


def test_to_long_requires_dataframe():
    with pytest.raises(InputError, match="DataFrame"):
        to_long({"id": [1]}, "id", ["x"])


# ------------------------------------------------------------------------------------------
# ICC: oracles
# ------------------------------------------------------------------------------------------


def _icc_oracle(x: np.ndarray) -> dict:
    """Shrout & Fleiss (1979) Table 1 from sums of squares written out with loops."""
    n, k = x.shape
    grand = sum(x[i, j] for i in range(n) for j in range(k)) / (n * k)
    row = [sum(x[i, j] for j in range(k)) / k for i in range(n)]
    col = [sum(x[i, j] for i in range(n)) / n for j in range(k)]
    ssr = sum(k * (row[i] - grand) ** 2 for i in range(n))
    ssc = sum(n * (col[j] - grand) ** 2 for j in range(k))
    sst = sum((x[i, j] - grand) ** 2 for i in range(n) for j in range(k))
    sse = sst - ssr - ssc
    ssw = sum((x[i, j] - row[i]) ** 2 for i in range(n) for j in range(k))
    bms, jms = ssr / (n - 1), ssc / (k - 1)
    ems, wms = sse / ((n - 1) * (k - 1)), ssw / (n * (k - 1))
    return {
        "ICC1": ((bms - wms) / (bms + (k - 1) * wms), bms / wms),
        "ICC2": ((bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n), bms / ems),
        "ICC3": ((bms - ems) / (bms + (k - 1) * ems), bms / ems),
        "ICC1k": ((bms - wms) / bms, bms / wms),
        "ICC2k": ((bms - ems) / (bms + (jms - ems) / n), bms / ems),
        "ICC3k": ((bms - ems) / bms, bms / ems),
    }


@pytest.mark.parametrize(("seed", "n", "k"), [(1, 10, 2), (2, 25, 3), (3, 7, 5), (4, 60, 2)])
def test_icc_matches_slow_oracle(seed, n, k):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, size=(n, 1)) + rng.normal(0, 0.6, size=(n, k)) + rng.normal(0, 0.3, k)
    res = icc(_long_from_matrix(x), "t", "r", "y")
    for name, (est, f) in _icc_oracle(x).items():
        assert res.form(name).estimate == pytest.approx(est, abs=1e-10), name
        assert res.form(name).statistic == pytest.approx(f, rel=1e-10), name


def test_icc_mean_squares_match_statsmodels_anova():
    # Independent oracle for the two-way ANOVA: statsmodels OLS with target and rater dummies.
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    rng = np.random.default_rng(11)
    x = rng.normal(size=(15, 1)) + rng.normal(scale=0.5, size=(15, 3))
    long = _long_from_matrix(x)
    table = anova_lm(smf.ols("y ~ C(t) + C(r)", data=long).fit())
    res = icc(long, "t", "r", "y")
    assert res.ms_targets == pytest.approx(table.loc["C(t)", "mean_sq"], rel=1e-10)
    assert res.ms_raters == pytest.approx(table.loc["C(r)", "mean_sq"], rel=1e-10)
    assert res.ms_error == pytest.approx(table.loc["Residual", "mean_sq"], rel=1e-10)
    f2 = res.form("ICC2")
    assert f2.p_value == pytest.approx(stats.f.sf(f2.statistic, 14, 28), rel=1e-12)


# ------------------------------------------------------------------------------------------
# ICC: properties
# ------------------------------------------------------------------------------------------

_ratings = st.integers(min_value=2, max_value=12).flatmap(
    lambda n: st.integers(min_value=2, max_value=4).flatmap(
        lambda k: st.lists(
            st.integers(min_value=0, max_value=20), min_size=n * k, max_size=n * k
        ).map(lambda v: np.array(v, dtype=float).reshape(n, k) / 4)
    )
)


def _icc_or_error(x: np.ndarray):
    try:
        return icc(_long_from_matrix(x), "t", "r", "y")
    except DegenerateInputError:
        return None


@HYP
@given(x=_ratings, shift=st.floats(min_value=-100, max_value=100, allow_nan=False))
def test_icc_invariant_to_adding_a_constant(x, shift):
    base, moved = _icc_or_error(x), _icc_or_error(x + shift)
    assert (base is None) == (moved is None)
    if base is None:
        return
    for f, g in zip(base.forms, moved.forms, strict=True):
        assert g.estimate == pytest.approx(f.estimate, rel=1e-6, abs=1e-9, nan_ok=True)
        assert g.ci_low == pytest.approx(f.ci_low, rel=1e-6, abs=1e-9, nan_ok=True)
        assert g.ci_high == pytest.approx(f.ci_high, rel=1e-6, abs=1e-9, nan_ok=True)
        assert g.statistic == pytest.approx(f.statistic, rel=1e-6, nan_ok=True)


@HYP
@given(x=_ratings, scale=st.floats(min_value=0.01, max_value=100))
def test_icc_invariant_to_rescaling_and_rater_order(x, scale):
    base = _icc_or_error(x)
    assume(base is not None)
    other = _icc_or_error(x[:, ::-1] * scale)
    for f, g in zip(base.forms, other.forms, strict=True):
        assert g.estimate == pytest.approx(f.estimate, rel=1e-6, abs=1e-9, nan_ok=True)


@HYP
@given(x=_ratings)
def test_icc_ci_contains_estimate(x):
    res = _icc_or_error(x)
    assume(res is not None)
    for f in res.forms:
        assert 0.0 <= f.p_value <= 1.0
        if f.type in ("ICC2", "ICC2k") and f.statistic <= 1:
            continue  # Satterthwaite approximation: documented to hold for F > 1 only
        assert f.ci_low <= f.estimate + 1e-12 and f.estimate <= f.ci_high + 1e-12, f.type


# ------------------------------------------------------------------------------------------
# ICC: degenerate and invalid input
# ------------------------------------------------------------------------------------------


def test_icc_identical_raters_is_one_with_note():
    x = np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]])
    res = icc(_long_from_matrix(x), "t", "r", "y")
    for f in res.forms:
        assert (f.estimate, f.ci_low, f.ci_high) == (1.0, 1.0, 1.0), f.type
        assert f.statistic == np.inf and f.p_value == 0.0
    assert res.ms_within == 0.0
    assert any("identical" in note for note in res.notes)


def test_icc_constant_offset_between_raters():
    # Rater 2 reads exactly 0.5 higher: perfect consistency, imperfect absolute agreement.
    x = np.array([[1.0, 1.5], [2.0, 2.5], [4.0, 4.5], [3.0, 3.5]])
    res = icc(_long_from_matrix(x), "t", "r", "y")
    for name in ("ICC3", "ICC3k"):
        f = res.form(name)
        assert (f.estimate, f.ci_low, f.ci_high, f.statistic) == (1.0, 1.0, 1.0, np.inf)
    f2 = res.form("ICC2")
    with np.errstate(divide="ignore"):
        oracle = _icc_oracle(x)["ICC2"][0]
    assert f2.estimate == pytest.approx(oracle, abs=1e-12) and f2.estimate < 1
    assert np.isfinite(f2.ci_low) and f2.ci_low <= f2.estimate <= f2.ci_high <= 1
    assert res.form("ICC1").estimate < 1
    assert any("zero residual variance" in note for note in res.notes)


def test_icc_constant_ratings_raise():
    x = np.full((5, 2), 2.7)
    with pytest.raises(DegenerateInputError, match="between-target"):
        icc(_long_from_matrix(x), "t", "r", "y")


def test_icc_equal_target_means_raise():
    x = np.array([[1.0, 3.0], [3.0, 1.0], [2.0, 2.0]])
    with pytest.raises(DegenerateInputError, match="same mean"):
        icc(_long_from_matrix(x), "t", "r", "y")


def test_icc_too_few_raters_or_targets():
    one_rater = pd.DataFrame({"t": [1, 2, 3], "r": ["a"] * 3, "y": [1.0, 2.0, 3.0]})
    with pytest.raises(DegenerateInputError, match="2 raters"):
        icc(one_rater, "t", "r", "y")
    one_target = _long_from_matrix(np.array([[1.0, 2.0]]))
    with pytest.raises(DegenerateInputError, match="at least 2 targets"):
        icc(one_target, "t", "r", "y")
    # Two targets, but one incomplete: one complete target left.
    partial = pd.DataFrame({"t": [1, 1, 2], "r": ["a", "b", "a"], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(DegenerateInputError, match="1 incomplete"):
        icc(partial, "t", "r", "y")


def test_icc_duplicate_pairs_are_named():
    long = _sf_long()
    long = pd.concat([long, long.iloc[[5, 9]]], ignore_index=True)
    with pytest.raises(InputError, match=r"\(2, 2\).*\(3, 2\)") as info:
        icc(long, "target", "judge", "rating")
    assert info.value.problems == [(2, 2), (3, 2)]


def test_icc_nullable_and_categorical_columns():
    long = _sf_long()
    expected = icc(long, "target", "judge", "rating").form("ICC2").estimate
    odd = long.assign(
        target=long["target"].map("T{}".format).astype("category"),
        judge=long["judge"].map("J{}".format),
        rating=long["rating"].astype("Float64"),
    )
    odd.loc[0, "rating"] = pd.NA
    res = icc(odd, "target", "judge", "rating")
    assert res.excluded_targets == ("T1",) and res.n == 5
    full = icc(odd.dropna(subset=["rating"]).query("target != 'T1'"), "target", "judge", "rating")
    assert res.form("ICC2").estimate == full.form("ICC2").estimate
    odd.loc[0, "rating"] = 9
    assert icc(odd, "target", "judge", "rating").form("ICC2").estimate == pytest.approx(expected)


def test_icc_nan_ratings_only_in_one_rater():
    x = np.array([[1.0, 1.2], [2.0, 2.1], [4.0, 3.7], [3.0, 3.4]])
    long = _long_from_matrix(x)
    long.loc[long.index[-1], "y"] = np.nan
    res = icc(long, "t", "r", "y")
    assert res.n == 3 and res.excluded_targets == (3,)
    assert type(res.excluded_targets[0]) is int


@pytest.mark.parametrize(
    ("mutate", "kwargs", "match"),
    [
        (lambda d: d.assign(rating=d["rating"].astype(str)), {}, "numeric"),
        (lambda d: d.assign(rating=d["rating"] > 4), {}, "numeric"),
        (lambda d: d.assign(rating=d["rating"].replace(9, np.inf)), {}, "infinite"),
        (lambda d: d.assign(target=d["target"].where(d.index != 3)), {}, "targets"),
        (lambda d: d.assign(judge=d["judge"].where(d.index != 0)), {}, "raters"),
        (lambda d: d, {"confidence": 1.0}, "confidence"),
        (lambda d: d, {"confidence": "95%"}, "confidence"),
        (lambda d: d, {"nan_policy": "omit"}, "nan_policy"),
    ],
)
def test_icc_invalid_input(mutate, kwargs, match):
    with pytest.raises(InputError, match=match):
        icc(mutate(_sf_long()), "target", "judge", "rating", **kwargs)


def test_icc_invalid_columns_and_data():
    with pytest.raises(InputError, match="'score'"):
        icc(_sf_long(), "target", "judge", "score")
    with pytest.raises(InputError, match="3 different"):
        icc(_sf_long(), "target", "target", "rating")
    with pytest.raises(InputError, match="DataFrame"):
        icc(_sf_long().to_numpy(), "target", "judge", "rating")


# ------------------------------------------------------------------------------------------
# Cohen's kappa: R and published references
# ------------------------------------------------------------------------------------------


def _binary():
    d = pd.read_csv(REF / "agreement_kappa_binary.csv")
    return d["degenerative"], d["degenerative_obs2"]


def _ordinal():
    d = pd.read_csv(REF / "agreement_kappa_ordinal.csv")
    return d["ucla"], d["ucla_obs2"]


def _check_vcd(res, kappa, ase, ci):
    np.testing.assert_allclose(
        [res.estimate, res.std_error, res.ci_low, res.ci_high], [kappa, ase, *ci], atol=ATOL, rtol=0
    )


def test_kappa_binary_matches_vcd_psych_sklearn():
    a, b = _binary()
    res = cohen_kappa(a, b)
    # R 4.2.2, vcd 1.4-11: Kappa(table(factor(a, lv), factor(b, lv)))$Unweighted and confint(),
    # tests/reference/agreement_kappa.R
    _check_vcd(res, 0.8191318327974277, 0.0574958948541253, (0.706441949624440, 0.931821715970415))
    # R 4.2.2, psych 2.2.9: cohen.kappa(cbind(a, b)): kappa, var.kappa
    assert res.estimate == pytest.approx(0.81913183279742752, abs=ATOL)
    assert res.std_error**2 == pytest.approx(0.00330577792507664, abs=ATOL)
    # scikit-learn oracle for the point estimate
    assert res.estimate == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert (res.n, res.n_missing, res.categories) == (100, 0, ("no", "yes"))
    np.testing.assert_array_equal(res.table, [[49, 5], [4, 42]])
    assert res.observed_agreement == pytest.approx(0.91)
    assert res.estimate == pytest.approx(0.819, abs=0.001)  # the paper's intra-observer kappa


def test_kappa_ordinal_weights_match_vcd():
    a, b = _ordinal()
    # R 4.2.2, vcd 1.4-11: Kappa(table(factor(ucla, levels = 1:4), factor(ucla_obs2, levels = 1:4)),
    # weights = w) and confint(); table() drops the 3 NA pairs. agreement_kappa.R
    expected = {
        None: (0.6597472924187725, 0.0551562110184156, (0.551643105298987, 0.767851479538558)),
        # weights = "Equal-Spacing"
        "linear": (0.7661960935989170, 0.0410076896720782, (0.685822498752449, 0.846569688445385)),
        # weights = "Fleiss-Cohen"
        "quadratic": (0.8588271796462925, 0.0308863981132947, (0.798290951732069, 0.919363407560516)),
    }  # fmt: skip
    for weights, (kappa, ase, ci) in expected.items():
        res = cohen_kappa(a, b, weights=weights)
        _check_vcd(res, kappa, ase, ci)
        assert (res.n, res.n_missing) == (117, 3)
        assert res.categories == (1, 2, 3, 4)
        keep = a.notna() & b.notna()
        assert res.estimate == pytest.approx(
            cohen_kappa_score(a[keep], b[keep], weights=weights), abs=1e-12
        )
    # R 4.2.2, psych 2.2.9: cohen.kappa(na.omit(o[, c("ucla", "ucla_obs2")])): var.kappa
    assert cohen_kappa(a, b).std_error ** 2 == pytest.approx(0.00304220761390799, abs=ATOL)


def test_kappa_categories_order_drives_weights():
    a, b = _ordinal()
    # R 4.2.2, vcd 1.4-11: Kappa(table(factor(ucla, levels = c(1, 3, 2, 4)), ...), weights = w)
    expected = {
        "linear": (0.6275978281220743, 0.0638864771730036, (0.502382633763847, 0.752813022480302)),
        "quadratic": (0.6360153256704980, 0.0685916000715428, (0.501578259888299, 0.770452391452697)),
    }  # fmt: skip
    for weights, (kappa, ase, ci) in expected.items():
        res = cohen_kappa(a, b, weights=weights, categories=[1, 3, 2, 4])
        _check_vcd(res, kappa, ase, ci)
    # An unused end level leaves weighted kappa unchanged (weights are only rescaled).
    # R: Kappa(table(factor(ucla, levels = 0:4), ...), weights = "Fleiss-Cohen")
    res = cohen_kappa(a, b, weights="quadratic", categories=[0, 1, 2, 3, 4])
    _check_vcd(res, 0.858827179646292, 0.030886398113295, (0.798290951732068, 0.919363407560516))
    assert res.table.shape == (5, 5) and res.table[0].sum() == 0


def test_kappa_sas_example_test_under_null():
    # Published SAS PROC FREQ printout (4 decimals) for table [[0, 4, 1], [0, 8, 0], [0, 1, 5]],
    # as reproduced in statsmodels' stats/tests/test_inter_rater.py (TestUnweightedCohens,
    # TestWeightedCohens): kappa, ASE, 95% CI; ASE under H0, Z, one- and two-sided p.
    table = np.array([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    i, j = np.nonzero(table)
    a = np.repeat(i, table[i, j])
    b = np.repeat(j, table[i, j])
    sas = {
        None: (0.4842, 0.1380, 0.2137, 0.7547, 0.1484, 3.2626, 0.0006, 0.0011),
        "linear": (0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971, 0.0005, 0.0010),
    }
    for weights, values in sas.items():
        res = cohen_kappa(a, b, weights=weights)
        got = (
            res.estimate,
            res.std_error,
            res.ci_low,
            res.ci_high,
            res.std_error_null,
            res.statistic,
            res.p_value / 2,
            res.p_value,
        )
        np.testing.assert_allclose(got, values, atol=5e-5, rtol=0, err_msg=str(weights))
    # R 4.2.2, vcd 1.4-11: Kappa(as.table(sas))$Unweighted and $Weighted (Equal-Spacing)
    assert cohen_kappa(a, b).std_error == pytest.approx(0.138013578305815, abs=ATOL)
    assert cohen_kappa(a, b, weights="linear").std_error == pytest.approx(
        0.145746045141926, abs=ATOL
    )
    # R: Kappa(as.table(sas), weights = "Fleiss-Cohen")$Weighted
    res = cohen_kappa(a, b, weights="quadratic")
    _check_vcd(res, 0.450160771704180, 0.192232663357261, (0.0733916748717365, 0.8269298685366233))


def test_kappa_result_frame_and_summary():
    a, b = _ordinal()
    res = cohen_kappa(a, b, weights="linear")
    frame = res.to_frame()
    assert list(frame.columns) == [
        "estimate", "std_error", "ci_low", "ci_high", "statistic", "p_value", "n",
        "n_missing", "method",
    ]  # fmt: skip
    assert frame.loc[0, "n_missing"] == 3 and "linear" in frame.loc[0, "method"]
    assert "3 pair(s)" in res.summary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.estimate = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        res.table[0, 0] = 1


# ------------------------------------------------------------------------------------------
# Cohen's kappa: oracle
# ------------------------------------------------------------------------------------------


def _kappa_oracle(a, b, cats, weights):
    """Fleiss, Cohen & Everitt (1969) written out with loops over the K x K cells."""
    k, n = len(cats), len(a)
    pos = {c: i for i, c in enumerate(cats)}
    p = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b, strict=True):
        p[pos[x]][pos[y]] += 1 / n
    r = [sum(p[i][j] for j in range(k)) for i in range(k)]
    c = [sum(p[i][j] for i in range(k)) for j in range(k)]

    def w(i, j):
        if weights is None:
            return float(i == j)
        d = abs(i - j) / (k - 1)
        return 1 - d if weights == "linear" else 1 - d * d

    po = sum(w(i, j) * p[i][j] for i in range(k) for j in range(k))
    pe = sum(w(i, j) * r[i] * c[j] for i in range(k) for j in range(k))
    kap = (po - pe) / (1 - pe)
    wi = [sum(c[j] * w(i, j) for j in range(k)) for i in range(k)]
    wj = [sum(r[i] * w(i, j) for i in range(k)) for j in range(k)]
    var = sum(
        p[i][j] * (w(i, j) - (wi[i] + wj[j]) * (1 - kap)) ** 2 for i in range(k) for j in range(k)
    )
    var = (var - (kap - pe * (1 - kap)) ** 2) / (n * (1 - pe) ** 2)
    var0 = sum(r[i] * c[j] * (w(i, j) - (wi[i] + wj[j])) ** 2 for i in range(k) for j in range(k))
    var0 = (var0 - pe**2) / (n * (1 - pe) ** 2)
    return kap, var**0.5, var0**0.5


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", [5, 6, 7])
def test_kappa_matches_slow_oracle(seed, weights):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, size=80)
    b = np.where(rng.random(80) < 0.6, a, rng.integers(0, 4, size=80))
    res = cohen_kappa(a, b, weights=weights)
    kap, se, se0 = _kappa_oracle(a, b, [0, 1, 2, 3], weights)
    assert res.estimate == pytest.approx(kap, abs=1e-12)
    assert res.std_error == pytest.approx(se, abs=1e-12)
    assert res.std_error_null == pytest.approx(se0, abs=1e-12)
    assert res.statistic == pytest.approx(kap / se0, rel=1e-10)
    assert res.p_value == pytest.approx(2 * stats.norm.sf(abs(kap / se0)), rel=1e-8)
    assert res.estimate == pytest.approx(cohen_kappa_score(a, b, weights=weights), abs=1e-12)


# ------------------------------------------------------------------------------------------
# Cohen's kappa: properties
# ------------------------------------------------------------------------------------------

_grades = st.lists(st.integers(min_value=0, max_value=3), min_size=2, max_size=40)
_pairs = st.integers(min_value=2, max_value=40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
    )
)
_weights = st.sampled_from([None, "linear", "quadratic"])


@HYP
@given(a=_grades, weights=_weights)
def test_kappa_identical_raters_is_one(a, weights):
    assume(len(set(a)) > 1)
    res = cohen_kappa(a, a, weights=weights)
    assert res.estimate == 1.0
    assert (res.std_error, res.ci_low, res.ci_high) == (0.0, 1.0, 1.0)
    assert res.p_value < 1


@HYP
@given(pair=_pairs, weights=_weights)
def test_kappa_symmetric_in_a_and_b(pair, weights):
    a, b = pair
    try:
        ab = cohen_kappa(a, b, weights=weights)
    except DegenerateInputError:
        with pytest.raises(DegenerateInputError):
            cohen_kappa(b, a, weights=weights)
        return
    ba = cohen_kappa(b, a, weights=weights)
    for name in ("estimate", "std_error", "std_error_null", "ci_low", "ci_high", "statistic"):
        x, y = getattr(ab, name), getattr(ba, name)
        assert (np.isnan(x) and np.isnan(y)) or y == pytest.approx(x, rel=1e-9, abs=1e-12), name
    np.testing.assert_array_equal(ab.table, ba.table.T)


@HYP
@given(pair=_pairs, weights=_weights, confidence=st.floats(min_value=0.5, max_value=0.999))
def test_kappa_ci_contains_estimate(pair, weights, confidence):
    a, b = pair
    try:
        res = cohen_kappa(a, b, weights=weights, confidence=confidence)
    except DegenerateInputError:
        return
    assert res.ci_low <= res.estimate <= res.ci_high
    assert res.std_error >= 0 and res.std_error_null >= 0


@HYP
@given(pair=_pairs)
def test_kappa_unweighted_invariant_to_relabelling(pair):
    a, b = pair
    names = {0: "d", 1: "b", 2: "a", 3: "c"}
    try:
        base = cohen_kappa(a, b)
    except DegenerateInputError:
        return
    other = cohen_kappa([names[v] for v in a], [names[v] for v in b])
    assert other.estimate == pytest.approx(base.estimate, abs=1e-12)
    assert other.std_error == pytest.approx(base.std_error, abs=1e-12)


# ------------------------------------------------------------------------------------------
# Cohen's kappa: degenerate and invalid input
# ------------------------------------------------------------------------------------------


def test_kappa_one_shared_category_is_undefined():
    with pytest.raises(DegenerateInputError, match="'no'"):
        cohen_kappa(["no"] * 5, ["no"] * 5)
    # Same with a declared but unused second category.
    with pytest.raises(DegenerateInputError, match="undefined"):
        cohen_kappa(["no"] * 5, ["no"] * 5, categories=["no", "yes"], weights="linear")


def test_kappa_one_rater_constant_gives_zero_and_nan_test():
    res = cohen_kappa(["no"] * 6, ["no", "yes", "no", "no", "yes", "no"])
    assert res.estimate == 0.0
    assert np.isnan(res.statistic) and np.isnan(res.p_value)
    assert (res.std_error, res.std_error_null, res.ci_low, res.ci_high) == (0.0, 0.0, 0.0, 0.0)
    assert any("single category" in note for note in res.notes)


def test_kappa_disjoint_categories_nan_test_with_note():
    res = cohen_kappa(["a", "b", "a"], ["c", "d", "d"])
    assert res.estimate == 0.0 and res.std_error_null == 0.0
    assert np.isnan(res.statistic) and np.isnan(res.p_value)
    assert any("under H0 is 0" in note for note in res.notes)


def test_kappa_missing_pairs_counted():
    a = ["yes", None, "no", "no", np.nan, "yes", "no", "yes"]
    b = ["yes", "yes", "no", pd.NA, "no", "yes", "yes", "no"]
    res = cohen_kappa(a, b)
    assert (res.n, res.n_missing) == (5, 3)
    keep = [0, 2, 5, 6, 7]
    assert res.estimate == pytest.approx(
        cohen_kappa_score([a[i] for i in keep], [b[i] for i in keep]), abs=1e-12
    )


def test_kappa_too_few_pairs():
    with pytest.raises(DegenerateInputError, match="at least 2 pairs"):
        cohen_kappa(["a", None, "b"], ["a", "b", None])
    with pytest.raises(DegenerateInputError, match="at least 2 pairs"):
        cohen_kappa([], [])


def test_kappa_accepts_pandas_categorical_and_bools():
    a = pd.Series(pd.Categorical(["x", "y", "x", "y", "x"]))
    b = pd.Series(pd.Categorical(["x", "y", "y", "y", "x"]))
    assert cohen_kappa(a, b).estimate == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    ta = [True, False, True, True, False]
    tb = [True, False, False, True, False]
    assert cohen_kappa(ta, tb).categories == (False, True)


@pytest.mark.parametrize(
    ("a", "b", "kwargs", "match"),
    [
        ([1, 2, 3], [1, 2], {}, "same length"),
        ([[1, 2], [2, 1]], [[1, 2], [2, 1]], {}, "one-dimensional"),
        ([1, 2, 3], [1, 2, 5], {"categories": [1, 2, 3]}, "5"),
        ([1, 2, 3], [1, 2, 2], {"categories": [1, 2, 2, 3]}, "repeats"),
        ([1, 2, 3], [1, 2, 2], {"categories": [1, None, 3]}, "missing"),
        ([1, 2, 3], [1, 2, 2], {"categories": "123"}, "sequence"),
        ([1, 2, 3], [1, 2, 2], {"categories": 3}, "sequence"),
        ([1, "a", 3], [1, 3, 3], {}, "cannot be sorted"),
        ([1, 2, 3], [1, 2, 2], {"weights": "squared"}, "weights"),
        ([1, 2, 3], [1, 2, 2], {"confidence": 95}, "confidence"),
    ],
)
def test_kappa_invalid_input(a, b, kwargs, match):
    with pytest.raises(InputError, match=match):
        cohen_kappa(a, b, **kwargs)


def test_kappa_mixed_types_ok_with_categories():
    res = cohen_kappa([1, "a", 1, "a"], [1, "a", "a", "a"], categories=["a", 1])
    assert res.categories == ("a", 1)
    assert res.estimate == pytest.approx(0.5)


def test_icc_report_policy_equals_dropping_incomplete_targets_first():
    wide = _vbq_wide()
    for pair in itertools.combinations(["vbq", "vbq_repeat", "vbq_obs2"], 2):
        long = to_long(wide, "patient_id", list(pair))
        sub = to_long(wide.dropna(subset=list(pair)), "patient_id", list(pair))
        a = icc(long, "patient_id", "rater", "rating").form("ICC2").estimate
        b = icc(sub, "patient_id", "rater", "rating").form("ICC2").estimate
        assert a == b
