"""Every public statistic on small, tied, constant, one-class or incomplete inputs: a result or a
named error (`InputError`, `DegenerateInputError`), never another exception and never a warning
leaking from numpy (issue 3: "never a crash or a silent NaN").

Values come from tiny pools so that ties, constant columns, single classes and n < 3 are common.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vbq import stats
from vbq.errors import DegenerateInputError, InputError

NAMED = (InputError, DegenerateInputError)
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

values = st.sampled_from([0.0, 1.0, 1.0, 2.0, 2.5, 3.0, -1.0, math.nan])
labels = st.sampled_from([0, 1, 1])


@st.composite
def scored(draw, extra_scores: int = 0):
    n = draw(st.integers(0, 9))
    y = draw(st.lists(labels, min_size=n, max_size=n))
    scores = [draw(st.lists(values, min_size=n, max_size=n)) for _ in range(1 + extra_scores)]
    return np.array(y), [np.array(s) for s in scores]


def _call(f, *args, **kwargs):
    """Run `f`; a named error is an accepted outcome. numpy warnings become failures."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return f(*args, **kwargs)
        except NAMED as exc:
            assert str(exc), "a named error must say why"
            return None


@SETTINGS
@given(data=scored(), ci=st.sampled_from(["delong", "bootstrap"]))
def test_roc_analysis(data, ci):
    y, (s,) = data
    res = _call(stats.roc_analysis, y, s, higher_is_positive=True, ci=ci, n_boot=50)
    if res is not None:
        assert 0.0 <= res.auc <= 1.0
        assert res.n_pos + res.n_neg + res.n_missing == len(y)
        lo, hi = res.auc_ci
        if math.isnan(lo) or math.isnan(hi):  # NaN only with a reason, and the reason is shown
            assert ci == "delong" and res.ci_note and res.ci_note in res.summary()
        else:
            assert lo <= res.auc <= hi
        assert res.to_frame().loc[0, "estimate"] == res.auc
        assert res.at(res.cutoff).youden == pytest.approx(res.youden)


@SETTINGS
@given(data=scored(extra_scores=1))
def test_delong_paired_and_markers(data):
    y, (a, b) = data
    res = _call(stats.delong_test, y, a, b, higher_is_positive=(True, False))
    if res is not None:
        assert 0.0 <= res.p_value <= 1.0
        assert res.n_pos + res.n_neg + res.n_missing == len(y)
        assert res.difference == pytest.approx(res.auc_a - res.auc_b)
    both = _call(stats.compare_markers, y, {"a": a, "b": b},
                 higher_is_positive={"a": True, "b": False})
    assert (res is None) == (both is None)  # the same patients, the same test
    if both is not None:
        assert both.table.loc[0, "p_value"] == pytest.approx(res.p_value)


@SETTINGS
@given(first=scored(), second=scored())
def test_delong_unpaired(first, second):
    (ya, (sa,)), (yb, (sb,)) = first, second
    res = _call(stats.delong_test_unpaired, ya, sa, yb, sb)
    if res is not None:
        assert 0.0 <= res.p_value <= 1.0
        assert res.n_a + res.n_b + res.n_missing == len(ya) + len(yb)


@SETTINGS
@given(data=scored(), cuts=st.tuples(values, values))
def test_bootstrap_cutoff_and_grey_zone(data, cuts):
    y, (s,) = data
    boot = _call(stats.bootstrap_cutoff, y, s, n_boot=40)
    if boot is not None:
        assert boot.cutoff_ci[0] <= boot.cutoff_ci[1] and boot.cutoffs.shape == (40,)
    lo, hi = sorted(cuts, key=lambda v: (math.isnan(v), v))
    gz = _call(stats.grey_zone, y, s, rule_out=lo, rule_in=hi)
    if gz is not None:
        assert gz.n_rule_out + gz.n_grey + gz.n_rule_in == gz.n_pos + gz.n_neg
        assert gz.n_pos + gz.n_neg + gz.n_missing == len(y)
        assert gz.positives_in_grey + gz.negatives_in_grey == gz.n_grey


@SETTINGS
@given(data=scored(extra_scores=1))
def test_combined_marker(data):
    y, (a, b) = data
    res = _call(stats.combined_marker, y, pd.DataFrame({"vbq": a, "age": b}), n_splits=3)
    if res is not None:
        assert 0.0 <= res.cv_auc <= 1.0 and res.cv_auc_folds.shape == (3,)
        assert res.n_pos + res.n_neg + res.n_missing == len(y)


@SETTINGS
@given(data=scored(extra_scores=1), method=st.sampled_from(["pearson", "spearman"]))
def test_pearson(data, method):
    _, (x, y) = data
    res = _call(stats.pearson if method == "pearson" else stats.spearman, x, y)
    if res is not None:
        assert -1.0 <= res.r <= 1.0


@SETTINGS
@given(a=st.lists(st.sampled_from(["x", "y", "z", None]), max_size=8), data=st.data(),
       weights=st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_kappa(a, data, weights):
    b = data.draw(st.lists(st.sampled_from(["x", "y", "z", None]), min_size=len(a),
                           max_size=len(a)))
    cats = ["x", "y", "z"] if weights else None
    res = _call(stats.cohen_kappa, a, b, weights=weights, categories=cats)
    if res is not None:
        assert res.n + res.n_missing == len(a)
        assert -1.0 <= res.estimate <= 1.0 and res.ci_low <= res.estimate <= res.ci_high
        assert res.to_frame().loc[0, "estimate"] == res.estimate


@SETTINGS
@given(n=st.integers(0, 6), k=st.integers(1, 3), data=st.data())
def test_icc(n, k, data):
    rows = [(t, r, data.draw(values)) for t in range(n) for r in range(k)]
    long = pd.DataFrame(rows, columns=["t", "r", "y"]) if rows else pd.DataFrame(
        {"t": [], "r": [], "y": []})
    res = _call(stats.icc, long, "t", "r", "y")
    if res is not None:
        assert res.n + res.n_excluded == n and res.n_raters == k
        assert res.to_frame()["type"].tolist() == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k",
                                                   "ICC3k"]


@st.composite
def two_group_table(draw):
    n = draw(st.integers(0, 10))
    col = lambda pool: draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))  # noqa: E731
    return pd.DataFrame({
        "group": col(["degenerative", "control", None]),
        "age": col([50.0, 60.0, 60.0, 70.0, math.nan]),
        "vbq": col([2.0, 2.5, 3.0, 3.0, math.nan]),
        "sex": col(["F", "M", None]),
        "flag": col([True, False, None]),
        "dxa_status": col(["normal", "osteopenia", "osteoporosis", None]),
        "vbq_status": col(["normal", "osteopenia", "osteoporosis", None]),
        "modic_type": col(["none", "1", "2", "3", None]),
        "modic_levels": col([0.0, 1.0, 2.0, math.nan]),
        "modic_grade": col(["A", "B", "C", None]),
    })


@pytest.mark.slow  # ~5 s: five table statistics per example, each through scipy/statsmodels
@SETTINGS
@given(d=two_group_table(), equal_var=st.booleans())
def test_group_comparisons(d, equal_var):
    order = ["degenerative", "control"]
    res = _call(stats.compare_groups, d, continuous=["age", "vbq"], categorical=["sex", "flag"],
                equal_var=equal_var, order=order)
    if res is not None:
        frame = res.to_frame()
        # every row: analysed + missing = all rows, whether tested or not
        assert (frame["n"] + frame["n_missing"] == len(d)).all()
        assert frame["p_value"].dropna().between(0, 1).all()
    fit = _call(stats.ancova, d, "vbq", "group", ["age"], order=order)
    if fit is not None:
        assert int(fit.n.sum()) + fit.n_missing == len(d)
    modic = _call(stats.modic_table, d, order=order)
    if modic is not None:
        assert int(modic.n_with_modic.sum()) + modic.n_without + modic.n_missing == len(d)
    shift = _call(stats.prevalence_shift, d, order=order)
    if shift is not None:
        assert int(shift.reference.n.sum()) + shift.reference.n_missing == len(d)
    cross = _call(stats.reclassification, d, "dxa_status", "vbq_status")
    if cross is not None:
        assert cross.n + cross.n_missing == len(d) and int(cross.counts.sum()) == cross.n


def test_the_fuzz_reaches_results_not_only_errors():
    # guard against a fuzz that only ever exercises the error paths
    y = np.array([0, 1, 0, 1, 1, 0])
    s = np.array([1.0, 2.0, 1.0, 3.0, 2.0, 2.5])
    res = _call(stats.roc_analysis, y, s)
    # positives 2, 3, 2 against negatives 1, 1, 2.5: 2 + 3 + 2 of 9 pairs ranked right
    assert res.auc == pytest.approx(7 / 9)
    with pytest.raises(AssertionError):  # and a warning would fail it
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                np.log(np.array([-1.0]))
            except RuntimeWarning as w:
                raise AssertionError from w
