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
        lo, hi = res.auc_ci
        assert not (math.isnan(lo) or math.isnan(hi)) or res.summary()  # NaN only with a reason
        res.to_frame()
        res.at(res.cutoff)


@SETTINGS
@given(data=scored(extra_scores=1))
def test_delong_paired_and_markers(data):
    y, (a, b) = data
    _call(stats.delong_test, y, a, b, higher_is_positive=(True, False))
    _call(stats.compare_markers, y, {"a": a, "b": b},
          higher_is_positive={"a": True, "b": False})


@SETTINGS
@given(first=scored(), second=scored())
def test_delong_unpaired(first, second):
    (ya, (sa,)), (yb, (sb,)) = first, second
    _call(stats.delong_test_unpaired, ya, sa, yb, sb)


@SETTINGS
@given(data=scored(), cuts=st.tuples(values, values))
def test_bootstrap_cutoff_and_grey_zone(data, cuts):
    y, (s,) = data
    _call(stats.bootstrap_cutoff, y, s, n_boot=40)
    lo, hi = sorted(cuts, key=lambda v: (math.isnan(v), v))
    _call(stats.grey_zone, y, s, rule_out=lo, rule_in=hi)


@SETTINGS
@given(data=scored(extra_scores=1))
def test_combined_marker(data):
    y, (a, b) = data
    _call(stats.combined_marker, y, pd.DataFrame({"vbq": a, "age": b}), n_splits=3)


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
        res.to_frame()


@SETTINGS
@given(n=st.integers(0, 6), k=st.integers(1, 3), data=st.data())
def test_icc(n, k, data):
    rows = [(t, r, data.draw(values)) for t in range(n) for r in range(k)]
    long = pd.DataFrame(rows, columns=["t", "r", "y"]) if rows else pd.DataFrame(
        {"t": [], "r": [], "y": []})
    res = _call(stats.icc, long, "t", "r", "y")
    if res is not None:
        res.to_frame()


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


@SETTINGS
@given(d=two_group_table(), equal_var=st.booleans())
def test_group_comparisons(d, equal_var):
    order = ["degenerative", "control"]
    res = _call(stats.compare_groups, d, continuous=["age", "vbq"], categorical=["sex", "flag"],
                equal_var=equal_var, order=order)
    if res is not None:
        res.to_frame()
    _call(stats.ancova, d, "vbq", "group", ["age"], order=order)
    _call(stats.modic_table, d, order=order)
    _call(stats.prevalence_shift, d, order=order)
    _call(stats.reclassification, d, "dxa_status", "vbq_status")


def test_the_fuzz_reaches_results_not_only_errors():
    # guard against a fuzz that only ever exercises the error paths
    y = np.array([0, 1, 0, 1, 1, 0])
    s = np.array([1.0, 2.0, 1.0, 3.0, 2.0, 2.5])
    assert _call(stats.roc_analysis, y, s) is not None
    with pytest.raises(AssertionError):  # and a warning would fail it
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                np.log(np.array([-1.0]))
            except RuntimeWarning as w:
                raise AssertionError from w
