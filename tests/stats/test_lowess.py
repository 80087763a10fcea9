"""Tests of vbq.stats._lowess (`lowess_sorted`, the calibration curves' smoother of `risk_model`).

The oracle is statsmodels 0.15's ``lowess(y, x, frac, it=0, delta)``, which `lowess_sorted`
replaces for speed: the values must be the same floating-point numbers, not merely close, on
seeded random data with and without ties (bootstrap resamples repeat their probabilities) and
for every ``frac`` and ``delta`` `risk_model` and the edge cases reach. Agreement with R's
``lowess(iter = 0)`` is tested through ``rms::calibrate`` in test_risk.py.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.nonparametric.smoothers_lowess import lowess

from vbq.stats._lowess import lowess_sorted


def _statsmodels(y, x, frac, delta):
    with warnings.catch_warnings():  # 0/0 weights of a window of tied x: NaN, as ours
        warnings.simplefilter("ignore", RuntimeWarning)
        return lowess(y, x, frac=frac, it=0, delta=delta, return_sorted=True)


def _x(rng, n, kind):
    if kind == "continuous":
        return rng.uniform(0, 1, n)
    if kind == "few values":
        return rng.integers(0, 10, n).astype(float)
    if kind == "rounded":
        return np.round(rng.normal(size=n), 2)
    return rng.choice(rng.uniform(size=max(1, n // 3)), n)  # "resample": repeated values


@pytest.mark.parametrize("kind", ["continuous", "few values", "rounded", "resample"])
@pytest.mark.parametrize("frac", [2.0 / 3.0, 0.3, 0.05, 1.0])
@pytest.mark.parametrize("delta_share", [0.0, 0.01, 0.1, 0.6])
def test_equals_statsmodels_to_the_last_bit(kind, frac, delta_share):
    rng = np.random.default_rng(zlib.crc32(repr((kind, frac, delta_share)).encode()))
    for n in (2, 3, 7, 40, 235, 600):
        x = _x(rng, n, kind)
        for y in ((rng.uniform(size=n) < 0.3).astype(float), rng.normal(size=n)):
            delta = delta_share * float(np.ptp(x))
            np.testing.assert_array_equal(lowess_sorted(y, x, frac=frac, delta=delta),
                                          _statsmodels(y, x, frac, delta))


def test_the_risk_models_calibration_curves_are_statsmodels_curves():
    # what risk_model smooths: predicted probabilities of a resample (ties) against 0/1 outcomes
    rng = np.random.default_rng(7)
    n = 235
    lp = rng.normal(-1, 1.5, n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-lp))).astype(float)
    for rows in rng.integers(0, n, size=(50, n)):
        p = 1 / (1 + np.exp(-lp[rows]))
        delta = 0.01 * float(np.ptp(p))
        np.testing.assert_array_equal(lowess_sorted(y[rows], p, frac=2 / 3, delta=delta),
                                      _statsmodels(y[rows], p, 2 / 3, delta))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-50, 50), st.floats(-5, 5)), min_size=2, max_size=80),
       st.floats(0.05, 1.0), st.floats(0.0, 0.5))
def test_equals_statsmodels_on_any_data(points, frac, delta_share):
    x = np.array([p[0] / 7 for p in points])
    y = np.array([p[1] for p in points])
    delta = delta_share * float(np.ptp(x))
    np.testing.assert_array_equal(lowess_sorted(y, x, frac=frac, delta=delta),
                                  _statsmodels(y, x, frac, delta))


def test_a_straight_line_is_reproduced():
    # a local linear fit of points on a line is the line (Cleveland 1979)
    x = np.linspace(0, 10, 50)
    out = lowess_sorted(3 - 0.5 * x, x, frac=0.3, delta=0.2)
    np.testing.assert_allclose(out[:, 1], 3 - 0.5 * x, atol=1e-12)
