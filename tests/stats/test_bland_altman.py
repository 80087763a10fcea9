"""Tests of vbq.stats.bland_altman.

Expected values come from the worked example of Bland & Altman (1986) and from R
(tests/reference/bland_altman.R, output saved beside it as bland_altman.out), compared to
6 decimals. An obvious re-implementation (standard library only) serves as an oracle on seeded
random data; hypothesis checks the invariants.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import vbq
from vbq.errors import DegenerateInputError, InputError
from vbq.stats.bland_altman import bland_altman

REF = Path(__file__).resolve().parents[1] / "reference"
ATOL = 1e-6

# Bland & Altman, Lancet 1986;1:307-310, Table 1: peak expiratory flow rate (l/min), first reading
# by the large Wright meter and by the mini Wright meter, 17 subjects.
WRIGHT = [494, 395, 516, 434, 476, 557, 413, 442, 650, 433, 417, 656, 267, 478, 178, 423, 427]
MINI = [512, 430, 520, 428, 500, 600, 364, 380, 658, 445, 432, 626, 260, 477, 259, 350, 451]


def test_bland_altman_1986_worked_example():
    # The paper: mean difference -2.1, s = 38.8, limits d -/+ 2s = -79.7 to 75.5; SE of a limit
    # sqrt(3 s^2 / n) = 16.3, t(16) = 2.12, CIs -114.3 to -45.1 and 40.9 to 110.1. The paper
    # rounds d and s before forming the limits, and SE and t before the CIs, hence the tolerances.
    res = bland_altman(WRIGHT, MINI, multiplier=2)
    assert res.n == 17 and res.n_missing == 0
    assert res.bias == pytest.approx(-2.1, abs=0.05)
    assert res.sd == pytest.approx(38.8, abs=0.05)
    assert res.loa_low == pytest.approx(-79.7, abs=0.1)
    assert res.loa_high == pytest.approx(75.5, abs=0.1)
    assert res.t_quantile == pytest.approx(2.12, abs=0.005)
    assert math.sqrt(3 * res.sd**2 / 17) == pytest.approx(16.3, abs=0.05)
    assert res.loa_low_ci == pytest.approx((-114.3, -45.1), abs=0.2)
    assert res.loa_high_ci == pytest.approx((40.9, 110.1), abs=0.2)
    # and exactly with the paper's rounded intermediates
    d, s, t, se = -2.1, 38.8, 2.12, 16.3
    assert (d - 2 * s - t * se, d - 2 * s + t * se) == pytest.approx((-114.256, -45.144))


def _r_out() -> dict[str, dict[str, list[float]]]:
    """bland_altman.out parsed: {block label: {quantity: values}}."""
    blocks: dict[str, dict[str, list[float]]] = {}
    label = ""
    for line in (REF / "bland_altman.out").read_text().splitlines():
        if line.startswith("#"):
            label = line.split(":")[0].lstrip("# ").strip()
            blocks[label] = {}
        elif line.strip():
            key, *vals = line.split()
            blocks[label][key] = [float(v) for v in vals]
    return blocks


def test_against_r_reference():
    # R 4.2.2 base: tests/reference/bland_altman.R on agreement_icc_vbq.csv
    v = pd.read_csv(REF / "agreement_icc_vbq.csv")
    ref = _r_out()
    inter = bland_altman(v["vbq"], v["vbq_obs2"])
    r = ref["inter"]
    assert inter.n == 97 and inter.n_missing == 3
    assert (inter.bias, *inter.bias_ci) == pytest.approx(r["bias"], abs=ATOL)
    assert inter.sd == pytest.approx(r["sd"][0], abs=ATOL)
    assert (inter.loa_low, *inter.loa_low_ci) == pytest.approx(r["loa_low"], abs=ATOL)
    assert (inter.loa_high, *inter.loa_high_ci) == pytest.approx(r["loa_high"], abs=ATOL)
    # two = 1.96, conf.int = 0.90
    intra = bland_altman(v["vbq"], v["vbq_repeat"], multiplier=1.96, confidence=0.90)
    r = ref["intra"]
    assert intra.n == 100 and intra.n_missing == 0
    assert (intra.bias, *intra.bias_ci) == pytest.approx(r["bias"], abs=ATOL)
    assert (intra.loa_low, *intra.loa_low_ci) == pytest.approx(r["loa_low"], abs=ATOL)
    assert (intra.loa_high, *intra.loa_high_ci) == pytest.approx(r["loa_high"], abs=ATOL)


def _oracle(a, b, z, conf):
    """Standard-library re-implementation: pairs with a None/NaN dropped."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True)
             if not (x is None or y is None or math.isnan(x) or math.isnan(y))]
    d = [x - y for x, y in pairs]
    n = len(d)
    m = statistics.fmean(d)
    s = statistics.stdev(d)
    t = stats.t.ppf((1 + conf) / 2, n - 1)
    half_bias = t * s / math.sqrt(n)
    half_loa = t * math.sqrt(3 * s * s / n)
    return {
        "bias": (m, m - half_bias, m + half_bias),
        "low": (m - z * s, m - z * s - half_loa, m - z * s + half_loa),
        "high": (m + z * s, m + z * s - half_loa, m + z * s + half_loa),
        "n": n,
        "means": [(x + y) / 2 for x, y in pairs],
    }


@pytest.mark.parametrize("seed", range(5))
def test_oracle_on_seeded_data(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 60))
    a = rng.normal(3, 0.5, n)
    b = a + rng.normal(0.05, 0.2, n)
    a[rng.random(n) < 0.1] = np.nan
    conf = float(rng.choice([0.8, 0.9, 0.95, 0.99]))
    res = bland_altman(a, b, confidence=conf)
    o = _oracle(a.tolist(), b.tolist(), stats.norm.ppf(0.975), conf)
    assert res.n == o["n"] and res.n_missing == n - o["n"]
    assert (res.bias, *res.bias_ci) == pytest.approx(o["bias"], abs=1e-12)
    assert (res.loa_low, *res.loa_low_ci) == pytest.approx(o["low"], abs=1e-12)
    assert (res.loa_high, *res.loa_high_ci) == pytest.approx(o["high"], abs=1e-12)
    np.testing.assert_allclose(res.means, o["means"])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=2, max_size=40),
    st.floats(-100, 100),
)
def test_invariants(pairs, shift):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    res = bland_altman(a, b)
    # ordering, symmetry on swapping a and b, and a shift of one side moving only the bias
    assert res.loa_low <= res.bias <= res.loa_high
    assert res.bias_ci[0] <= res.bias <= res.bias_ci[1]
    swapped = bland_altman(b, a)
    assert swapped.bias == pytest.approx(-res.bias, abs=1e-9)
    assert swapped.sd == pytest.approx(res.sd, abs=1e-9)
    moved = bland_altman(a + shift, b)
    assert moved.bias == pytest.approx(res.bias + shift, abs=1e-6)
    assert moved.loa_high - moved.loa_low == pytest.approx(res.loa_high - res.loa_low, abs=1e-6)


def test_constant_differences_give_zero_width_and_a_note():
    res = bland_altman([1.0, 2.0, 3.0], [0.9, 1.9, 2.9])
    assert res.sd == 0.0
    assert res.loa_low == res.loa_high == res.bias == pytest.approx(0.1)
    assert res.bias_ci[0] == res.bias_ci[1] and res.loa_low_ci[0] == res.loa_low_ci[1]
    assert res.notes and "SD is 0" in res.notes[0]


def test_degenerate_and_invalid_input():
    with pytest.raises(DegenerateInputError, match="at least 2 complete pairs, got 1"):
        bland_altman([1.0, np.nan], [2.0, 3.0])
    with pytest.raises(InputError, match="same length"):
        bland_altman([1, 2, 3], [1, 2])
    with pytest.raises(InputError, match="`a` must be numeric"):
        bland_altman(["x", "y"], [1, 2])
    with pytest.raises(InputError, match="`b` must be numeric"):
        bland_altman([1, 2], [True, False])
    with pytest.raises(InputError, match="finite"):
        bland_altman([1, np.inf], [1, 2])
    with pytest.raises(InputError, match="1-D"):
        bland_altman(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(InputError, match="`confidence` must be a number in"):
        bland_altman([1, 2], [1, 3], confidence=95)
    with pytest.raises(InputError, match="`limits`"):
        bland_altman([1, 2], [1, 3], limits=1.0)
    with pytest.raises(InputError, match="`multiplier`"):
        bland_altman([1, 2], [1, 3], multiplier=-1)


def test_missing_values_in_every_container_are_counted():
    res = bland_altman(pd.Series([1.0, None, 2.0, 4.0]), [1.5, 2.0, None, 4.1])
    assert (res.n, res.n_missing) == (2, 2)
    res = bland_altman([1, None, 2, 4], pd.array([1.5, 2.0, pd.NA, 4.1], dtype="Float64"))
    assert (res.n, res.n_missing) == (2, 2)


def test_result_is_frozen_with_frame_and_summary():
    res = bland_altman(WRIGHT, MINI)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.bias = 0  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.differences[0] = 0
    frame = res.to_frame()
    assert list(frame.columns) == ["quantity", "estimate", "ci_low", "ci_high", "n", "n_missing",
                                   "method"]
    assert frame["quantity"].tolist() == ["bias", "loa_low", "loa_high"]
    assert frame.loc[1, "estimate"] == res.loa_low and frame.loc[2, "ci_high"] == res.loa_high_ci[1]
    text = res.summary()
    assert "n = 17 pairs" in text and "limits of agreement" in text
    assert res.multiplier == pytest.approx(1.959964, abs=1e-6) and res.limits == 0.95


def test_public_name():
    assert vbq.stats.bland_altman is bland_altman
