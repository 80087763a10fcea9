"""Tests of vbq.stats.decision: net benefit and decision curves.

Independent checks: the Python package dcurves 1.1.7 (Apache-2.0; a test-only dependency,
requirements-dcurves.txt) on the same data, the formulas of Vickers & Elkin (2006) written out
here, and the bootstrap band against a plainly written loop of resamples.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import dcurves
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vbq
from vbq.errors import DegenerateInputError, InputError
from vbq.stats.decision import decision_curve, net_benefit

THRESHOLDS = np.round(np.arange(1, 100) / 100, 2)


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    """Seeded patients: osteoporosis in about a quarter, a VBQ score higher with it, and a
    logistic risk of the kind the combined model gives."""
    rng = np.random.default_rng(2006)
    n = 240
    y = rng.random(n) < 0.25
    score = 2.8 + 0.45 * y + rng.normal(0, 0.45, n)
    risk = 1 / (1 + np.exp(-(-1.1 + 2.2 * (score - 3.0) + rng.normal(0, 0.5, n))))
    return pd.DataFrame({"y": y.astype(int), "risk": risk, "vbq": score,
                         "test": (score >= 2.9).astype(int)})


def _dcurves(frame: pd.DataFrame, models: list[str], harm=None) -> pd.DataFrame:
    # dcurves 1.1.7: dca(data, outcome, modelnames, thresholds, harm, nper=100)
    return dcurves.dca(data=frame, outcome="y", modelnames=models, thresholds=THRESHOLDS,
                       harm=harm, nper=100)


@pytest.mark.parametrize("column", ["risk", "test"])
def test_net_benefit_matches_dcurves(data, column):
    ref = _dcurves(data, [column])
    got = net_benefit(data["y"], data[column], THRESHOLDS)
    model = ref[ref["model"] == column].reset_index(drop=True)
    everyone = ref[ref["model"] == "all"].reset_index(drop=True)
    np.testing.assert_allclose(got["net_benefit"], model["net_benefit"], atol=1e-12)
    np.testing.assert_allclose(got["treat_all"], everyone["net_benefit"], atol=1e-12)
    np.testing.assert_allclose(got["interventions_avoided"],
                               model["net_intervention_avoided"], atol=1e-9)


def test_decision_curve_matches_dcurves_with_harm(data):
    harm = {"risk": 0.01, "test": 0.02}
    ref = _dcurves(data, ["risk", "test"], harm=harm)
    res = decision_curve(data["y"], {"risk": data["risk"], "test": data["test"].astype(bool)},
                         thresholds=THRESHOLDS, harm=harm)
    assert res.strategies == ("risk", "test", "all", "none")
    for name in res.strategies:
        mine = res.curve(name)
        theirs = ref[ref["model"] == name].reset_index(drop=True)
        np.testing.assert_allclose(mine["net_benefit"], theirs["net_benefit"], atol=1e-12)
        np.testing.assert_allclose(mine["interventions_avoided"],
                                   theirs["net_intervention_avoided"], atol=1e-9)
    assert res.harm == {"risk": 0.01, "test": 0.02, "all": 0.0, "none": 0.0}


def test_formulas_written_out_on_a_small_example():
    # eight patients; at p_t = 0.25 the treated (risk >= 0.25) are 0.9, 0.6, 0.4, 0.3, 0.7:
    # three with the outcome (TP) and two without (FP)
    y = [1, 0, 1, 0, 0, 1, 0, 0]
    risk = [0.9, 0.2, 0.6, 0.4, 0.1, 0.3, 0.7, 0.2]
    out = net_benefit(y, risk, [0.25], harm=0.01).iloc[0]
    odds = 0.25 / 0.75
    nb = 3 / 8 - 2 / 8 * odds - 0.01  # Vickers & Elkin 2006: TP/n - FP/n * p/(1-p) - harm
    treat_all = 3 / 8 - 5 / 8 * odds  # every patient treated
    assert out["net_benefit"] == pytest.approx(nb, abs=1e-15)
    assert out["treat_all"] == pytest.approx(treat_all, abs=1e-15)
    assert out["interventions_avoided"] == pytest.approx(100 * (nb - treat_all) / odds)
    assert (out["true_positives"], out["false_positives"], out["n"]) == (3, 2, 8)


def test_a_vbq_cutoff_is_a_binary_test_at_every_threshold(data):
    # "DXA if VBQ >= 2.9": the same patients are referred whatever the threshold probability
    y = data["y"].to_numpy()
    positive = data["vbq"].to_numpy() >= 2.9
    out = net_benefit(y, positive, THRESHOLDS)
    tp, fp = int((positive & (y == 1)).sum()), int((positive & (y == 0)).sum())
    assert set(out["true_positives"]) == {tp} and set(out["false_positives"]) == {fp}
    with pytest.raises(InputError, match="not a probability"):
        net_benefit(y, data["vbq"], THRESHOLDS)


def test_missing_values_are_left_out_and_counted(data):
    y = data["y"].astype(float).to_numpy().copy()
    risk = data["risk"].to_numpy().copy()
    y[0], risk[5] = np.nan, np.nan
    out = net_benefit(y, risk, [0.2])
    ref = net_benefit(np.delete(y, [0, 5]), np.delete(risk, [0, 5]), [0.2])
    assert out["n_missing"].iloc[0] == 2 and out["n"].iloc[0] == len(y) - 2
    assert out["net_benefit"].iloc[0] == ref["net_benefit"].iloc[0]
    res = decision_curve(y, {"a": risk, "b": data["test"]}, thresholds=[0.2])
    assert (res.n, res.n_missing) == (len(y) - 2, 2)


def _plain_bootstrap(y, a, b, thresholds, n_boot, seed):
    """The band written plainly: draw each resample, compute both net benefits by the formula,
    subtract; percentiles over resamples (numpy's default, R's type 7)."""
    n = len(y)
    draws = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    diffs = []
    for idx in draws:
        yy, aa, bb = y[idx], a[idx], b[idx]
        row = []
        for t in thresholds:
            odds = t / (1 - t)
            nb_a = (sum((aa >= t) & (yy == 1)) - sum((aa >= t) & (yy == 0)) * odds) / n
            nb_b = (sum((bb >= t) & (yy == 1)) - sum((bb >= t) & (yy == 0)) * odds) / n
            row.append(nb_a - nb_b)
        diffs.append(row)
    diffs = np.array(diffs)
    return np.quantile(diffs, 0.025, axis=0), np.quantile(diffs, 0.975, axis=0), diffs


def test_bootstrap_band_matches_a_plain_loop(data):
    t = np.array([0.05, 0.1, 0.2, 0.3, 0.5])
    y = data["y"].to_numpy()
    a, b = data["risk"].to_numpy(), data["test"].to_numpy().astype(float)
    res = decision_curve(y, {"model": a, "VBQ": b}, thresholds=t, compare=("model", "VBQ"),
                         n_boot=300, seed=11)
    low, high, _ = _plain_bootstrap(y, a, b, t, 300, 11)
    d = res.difference
    np.testing.assert_allclose(d["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(d["ci_high"], high, atol=1e-12)
    point = res.curve("model")["net_benefit"] - res.curve("VBQ")["net_benefit"]
    np.testing.assert_allclose(d["difference"], point, atol=1e-12)
    # the same seed gives the same band; another seed another one
    again = decision_curve(y, {"model": a, "VBQ": b}, thresholds=t, compare=("model", "VBQ"),
                           n_boot=300, seed=11)
    pd.testing.assert_frame_equal(again.difference, d)
    other = decision_curve(y, {"model": a, "VBQ": b}, thresholds=t, compare=("model", "VBQ"),
                           n_boot=300, seed=12)
    assert not np.allclose(other.difference["ci_low"], d["ci_low"])


def test_difference_against_treat_all_with_harm(data):
    t = np.array([0.1, 0.3])
    y = data["y"].to_numpy()
    res = decision_curve(y, {"VBQ": data["test"].astype(bool)}, thresholds=t,
                         compare=("VBQ", "all"), harm=0.02, n_boot=200)
    expected = res.curve("VBQ")["net_benefit"] - res.curve("all")["net_benefit"]
    np.testing.assert_allclose(res.difference["difference"], expected, atol=1e-12)
    assert (res.difference["ci_low"] <= res.difference["difference"]).all()
    assert (res.difference["difference"] <= res.difference["ci_high"]).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=2, max_size=40),
       st.floats(0.01, 0.99))
def test_treat_none_is_zero_and_a_perfect_risk_is_the_prevalence(rows, t):
    y = np.array([r[0] for r in rows], dtype=float)
    risk = np.array([r[1] for r in rows])
    res = decision_curve(y, {"r": risk, "perfect": y.astype(bool)}, thresholds=[t])
    assert res.curve("none")["net_benefit"].iloc[0] == 0
    assert res.curve("perfect")["net_benefit"].iloc[0] == pytest.approx(y.mean())
    # no strategy beats knowing the outcome
    assert res.curve("r")["net_benefit"].iloc[0] <= y.mean() + 1e-12


def test_bad_input_is_refused():
    y = [0, 1, 1, 0]
    with pytest.raises(InputError, match="^thresholds:"):
        net_benefit(y, [0.1, 0.2, 0.3, 0.4], [0.0, 0.5])
    with pytest.raises(InputError, match="^y_true:"):
        net_benefit([0, 1, 2, 0], [0.1, 0.2, 0.3, 0.4], [0.5])
    with pytest.raises(InputError, match="^harm:"):
        net_benefit(y, [0.1, 0.2, 0.3, 0.4], [0.5], harm=-0.1)
    with pytest.raises(InputError, match="^strategies:"):
        decision_curve(y, {"all": [0.1, 0.2, 0.3, 0.4]})
    with pytest.raises(InputError, match="^compare:"):
        decision_curve(y, {"a": [0.1, 0.2, 0.3, 0.4]}, compare=("a", "b"))
    with pytest.raises(InputError, match="^harm:"):
        decision_curve(y, {"a": [0.1, 0.2, 0.3, 0.4]}, harm={"b": 0.1})
    with pytest.raises(DegenerateInputError):
        net_benefit([np.nan, np.nan], [0.1, 0.2], [0.5])


def test_public_names_and_frame_columns():
    import inspect

    sig = inspect.signature(vbq.stats.net_benefit)
    assert list(sig.parameters) == ["y_true", "risk", "thresholds", "harm"]
    assert sig.parameters["harm"].default == 0.0
    assert sig.parameters["harm"].kind is inspect.Parameter.KEYWORD_ONLY
    out = vbq.stats.net_benefit([0, 1, 1, 0], [0.1, 0.8, 0.6, 0.3], [0.2, 0.5])
    assert list(out.columns[:4]) == ["threshold", "net_benefit", "treat_all",
                                     "interventions_avoided"]
    assert len(out) == 2
    assert vbq.stats.decision_curve is decision_curve


def test_dcurves_runs_without_the_network():
    # the reference package must not fetch anything when run: its import and a dca() call in a
    # fresh interpreter whose sockets refuse to connect
    code = textwrap.dedent("""
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network use attempted")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        import numpy as np, pandas as pd, dcurves
        d = pd.DataFrame({"y": [0, 1, 1, 0, 1, 0], "r": [.1, .9, .6, .3, .4, .2]})
        out = dcurves.dca(data=d, outcome="y", modelnames=["r"], thresholds=[0.1, 0.5])
        print(len(out))
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "6"
