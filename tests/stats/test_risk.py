"""Tests of vbq.stats.risk (`risk_model`).

Expected values come from R 4.2.2 with rms 6.5-0, produced by tests/reference/risk_reference.R on
tests/reference/risk_data.csv, and are read from its printed output,
tests/reference/risk_reference.out. The bootstrap is compared on the same resamples: Python's
(tests/reference/risk_boot_indices.csv, written by risk_make_data.py with the function
`risk_model` draws with) are handed to rms's own ``validate`` and ``calibrate``, so the optimism
agrees to the precision of the refits, with no Monte-Carlo error to allow for.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

import vbq
from vbq.errors import DegenerateInputError, InputError
from vbq.stats import risk as risk_module
from vbq.stats.risk import _bootstrap_indices, _riley_minimum, risk_model

from ..r_reference import r_values

REF = Path(__file__).resolve().parents[1] / "reference"
# rms::lrm and statsmodels stop their Newton steps at different tolerances: the estimates agree
# to about 1e-8 (glm's, with a looser tolerance still, differ from lrm's by 2.5e-8)
ABS = 1e-6
SEED, N_BOOT = 11, 200  # those of risk_make_data.py
MODELS = {
    "model 1": ["vbq", "age", "sex"],
    "model 2": ["vbq", "age", "sex", "hu"],
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "risk_data.csv")


@pytest.fixture(scope="module", params=list(MODELS))
def fitted(request, data):
    label = request.param
    return label, risk_model(data["y"], data[MODELS[label]], n_boot=N_BOOT, seed=SEED)


def R(name: str, section: str) -> list[float]:
    return r_values("risk_reference", name, section)


def test_the_resamples_handed_to_r_are_those_risk_model_draws(data):
    exported = np.loadtxt(REF / "risk_boot_indices.csv", delimiter=",", dtype=int)
    np.testing.assert_array_equal(exported, _bootstrap_indices(len(data), N_BOOT, SEED))


def test_coefficients_and_wald_cis_match_rms(fitted):
    label, m = fitted
    c = m.coefficients
    # R: lrm(formula, data = d, x = TRUE, y = TRUE); coef(fit); coef -/+ qnorm(0.975) * se
    assert c["estimate"].tolist() == pytest.approx(R("coef", label), abs=ABS)
    assert c["ci_low"].tolist() == pytest.approx(R("wald ci_low", label), abs=ABS)
    assert c["ci_high"].tolist() == pytest.approx(R("wald ci_high", label), abs=ABS)
    assert np.sqrt(np.diag(m.covariance)).tolist() == pytest.approx(R("se", label), abs=ABS)
    assert c["odds_ratio"].tolist() == pytest.approx(np.exp(R("coef", label)).tolist(), rel=1e-6)
    assert c["or_ci_low"].tolist() == pytest.approx(np.exp(R("wald ci_low", label)).tolist(),
                                                    rel=1e-6)
    assert set(c["method"]) == {"logistic regression, Wald CI"}


def test_apparent_and_corrected_c_statistic_match_rms_validate(fitted):
    label, m = fitted
    # R: validate(fit, method = "boot", B = 200) on Python's resamples; C = Dxy / 2 + 1 / 2.
    # (lrm's own stats["C"] is computed on probabilities binned to 0.002, hence not used.)
    dxy, dxy_optimism, _ = R("validate Dxy index.orig, optimism, index.corrected", label)
    assert m.c_statistic == pytest.approx(dxy / 2 + 0.5, abs=ABS)
    perf = m.performance.set_index("measure")
    assert perf.loc["c_statistic", "optimism"] == pytest.approx(dxy_optimism / 2, abs=ABS)
    assert m.c_statistic_corrected == pytest.approx(R("validate C corrected", label)[0], abs=ABS)
    assert (perf["n_boot"] == R("validate n", label)[0]).all() and m.n_boot_failed == 0


def test_calibration_slope_and_brier_match_rms_validate(fitted):
    label, m = fitted
    perf = m.performance.set_index("measure")
    slope_optimism, slope_corrected = R("validate Slope optimism, index.corrected", label)
    assert perf.loc["calibration_slope", "apparent"] == 1.0
    assert perf.loc["calibration_slope", "optimism"] == pytest.approx(slope_optimism, abs=ABS)
    assert m.calibration_slope_corrected == pytest.approx(slope_corrected, abs=ABS)
    brier, brier_optimism, brier_corrected = R("validate B index.orig, optimism, index.corrected",
                                               label)
    assert m.brier == pytest.approx(brier, abs=ABS)
    assert perf.loc["brier", "optimism"] == pytest.approx(brier_optimism, abs=ABS)
    assert perf.loc["brier", "corrected"] == pytest.approx(brier_corrected, abs=ABS)
    # the plain glm loop of the R script agrees with rms on the slope's optimism
    assert R("loop slope optimism", label)[0] == pytest.approx(slope_optimism, abs=ABS)


def test_calibration_in_the_large_matches_a_glm_offset_loop(fitted):
    label, m = fitted
    # R: coef(glm(y ~ 1, offset = lp, family = binomial)) on each resample and on the data
    apparent, optimism, corrected = R("loop citl apparent, optimism, corrected", label)
    perf = m.performance.set_index("measure")
    assert perf.loc["calibration_in_the_large", "apparent"] == pytest.approx(apparent, abs=ABS)
    assert perf.loc["calibration_in_the_large", "optimism"] == pytest.approx(optimism, abs=ABS)
    assert perf.loc["calibration_in_the_large", "corrected"] == pytest.approx(corrected, abs=ABS)


def test_calibration_curve_matches_rms_calibrate(fitted):
    label, m = fitted
    # R: calibrate(fit, method = "boot", B = 200) (lowess, iter = 0) on Python's resamples
    curve = m.calibration_curve
    assert curve["predicted"].tolist() == pytest.approx(R("calibrate predy", label), abs=ABS)
    assert curve["observed"].tolist() == pytest.approx(R("calibrate calibrated.orig", label),
                                                       abs=ABS)
    assert curve["observed_corrected"].tolist() == pytest.approx(
        R("calibrate calibrated.corrected", label), abs=ABS)


def test_predict_matches_rms_delta_method(fitted):
    label, m = fitted
    patient = {"vbq": 3.2, "age": 65, "sex": "F", "hu": 100}
    row = m.predict({k: patient[k] for k in m.predictors}).iloc[0]
    # R: predict(fit, new, se.fit = TRUE); plogis(lp -/+ qnorm(0.975) * se)
    lp, se = R("predict vbq 3.2 age 65 F hu 100: lp, se", label)
    assert (row["linear_predictor"], row["se"]) == pytest.approx((lp, se), abs=ABS)
    assert (row["probability"], row["ci_low"], row["ci_high"]) == pytest.approx(
        R("predict vbq 3.2 age 65 F hu 100: p, low, high", label), abs=ABS)
    assert not row["outside_range"]


def test_predict_flags_extrapolation_and_refuses_bad_patients(fitted, data):
    _, m = fitted
    base = {"vbq": 3.0, "age": 60, "sex": "M", "hu": 110}
    frame = pd.DataFrame([base, {**base, "vbq": data["vbq"].max() + 0.5},
                          {**base, "age": 20}])[list(m.predictors)]
    out = m.predict(frame)
    assert out["outside_range"].tolist() == [False, True, True]
    # the probability is the logistic of x'b, the CI on the log-odds scale transformed back
    x = np.array([1.0, 3.0, 60.0, 1.0] + ([110.0] if "hu" in m.predictors else []))
    assert out["probability"].iloc[0] == pytest.approx(special.expit(x @ m.params), abs=1e-12)
    assert (out["ci_low"] < out["probability"]).all() and (out["probability"]
                                                           < out["ci_high"]).all()
    with pytest.raises(InputError, match="sex: expected one of \\['F', 'M'\\]"):
        m.predict({**base, "sex": "female"})
    with pytest.raises(InputError, match="missing predictor"):
        m.predict({"vbq": 3.0})
    with pytest.raises(InputError, match="age: a value is missing"):
        m.predict({**base, "age": np.nan})


def test_sample_size_fields(fitted, data):
    _, m = fitted
    events = int(data["y"].sum())
    assert (m.n, m.n_events, m.n_missing) == (200, events, 0)
    assert m.n_parameters == len(m.terms) == len(m.predictors)
    assert m.events_per_parameter == pytest.approx(min(events, 200 - events) / m.n_parameters)
    need, need_events = _riley_minimum(m.c_statistic_corrected, events / 200, m.n_parameters)
    assert (m.riley_n_required, m.riley_events_required) == (need, need_events)
    assert m.meets_riley_minimum == (200 >= need)


def test_riley_minimum_reproduces_the_published_worked_example():
    # Riley et al., BMJ 2020;368:m441 (binary outcome), as issue 20 quotes it (pmsampsize):
    # C 0.80, prevalence 0.25, 4 parameters -> 289 patients (73 events); criterion 3
    # (overall risk within 0.05) decides: 1.96^2 / 0.05^2 * 0.25 * 0.75 = 288.1
    assert _riley_minimum(0.80, 0.25, 4) == (289, 73)
    # the one implementation: vbq.stats.sample_size_prediction_model (tests/stats/
    # test_sample_size.py checks its R2 against a simulated cohort and R)
    need = vbq.stats.sample_size_prediction_model(0.80, 0.25, 30)
    assert _riley_minimum(0.80, 0.25, 30) == (need.n_total, need.n_events)
    assert need.binding == 1  # many parameters: criterion 1 (shrinkage 0.9) decides


def test_riley_minimum_of_a_model_no_better_than_chance_is_refused():
    with pytest.raises(vbq.DegenerateInputError, match="no better than chance"):
        _riley_minimum(0.5, 0.25, 4)


def test_missing_values_are_counted_not_silently_dropped(data):
    X = data[["vbq", "age", "sex"]].copy()
    y = data["y"].astype(float).copy()
    X.loc[:4, "vbq"] = np.nan
    X.loc[3:7, "sex"] = None
    y.iloc[10] = np.nan
    m = risk_model(y, X, n_boot=200, seed=1)
    assert m.n_missing == 9 and m.n == 191
    assert m.missing_by_predictor == {"vbq": 5, "age": 0, "sex": 5, "outcome": 1}
    assert np.isnan(m.linear_predictor[:8]).all() and np.isnan(m.linear_predictor[10])
    assert np.isfinite(m.linear_predictor[11:]).all()


def test_bad_input_is_refused_with_a_message(data):
    X = data[["vbq", "age", "sex"]]
    with pytest.raises(InputError, match="n_boot: expected an integer >= 200"):
        risk_model(data["y"], X, n_boot=50)
    with pytest.raises(InputError, match="X: expected a pandas DataFrame"):
        risk_model(data["y"], X.to_numpy())
    with pytest.raises(InputError, match="same length"):
        risk_model(data["y"][:-1], X)
    with pytest.raises(DegenerateInputError, match="at least 5 patients with and without"):
        risk_model(np.r_[np.ones(3), np.zeros(197)], X)
    with pytest.raises(DegenerateInputError, match="take one value only"):
        risk_model(data["y"], X.assign(age=60))
    with pytest.raises(InputError, match="finite"):
        risk_model(data["y"], X.assign(age=np.r_[np.inf, X["age"].iloc[1:]]))
    with pytest.raises(DegenerateInputError):  # every patient has a missing value
        risk_model(data["y"], X.assign(age=np.nan))
    with pytest.raises(InputError, match="y_true: expected 0/1"):
        risk_model(data["y"] * 2, X)


def test_results_are_reproducible_and_readable(fitted, data):
    label, m = fitted
    again = risk_model(data["y"], data[MODELS[label]], n_boot=N_BOOT, seed=SEED)
    pd.testing.assert_frame_equal(again.performance, m.performance)
    frame = m.to_frame()
    assert frame["term"].tolist()[-4:] == list(risk_module.MEASURES)
    text = m.summary()
    assert f"{m.c_statistic_corrected:.3f}" in text and "Riley" in text


def test_public_name_and_docstring_example():
    assert vbq.stats.risk_model is risk_model
    assert vbq.stats.RiskModelResult is risk_module.RiskModelResult
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(risk_model, "risk_model", globs={"risk_model": risk_model}):
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 4


def test_resamples_whose_model_cannot_be_fitted_are_left_out_and_counted():
    # nearly separated: above x = 1 everyone has the outcome but one, below it no one but one;
    # many resamples miss those two patients and separate completely (as rms, they are dropped)
    rng = np.random.default_rng(3)
    x = rng.normal(size=60)
    y = (x > 1.0).astype(float)
    order = np.argsort(x)
    y[order[-12]], y[order[-20]] = 0.0, 1.0
    m = risk_model(y, pd.DataFrame({"x": x, "age": rng.normal(60, 5, 60)}), n_boot=200, seed=0)
    assert 0 < m.n_boot_failed < 100
    assert (m.performance["n_boot"] == 200 - m.n_boot_failed).all()
    assert f"{m.n_boot_failed} resample(s) whose model could not be fitted" in \
        vbq.present.risk_performance_table(m).footnotes[0]


def _newton_one_at_a_time(y, X, tol=1e-10, max_iter=50):
    """Oracle: the bootstrap's refit of one resample as risk_model did it before issue 21
    (Newton-Raphson from zero on one design); NaN where it had no estimate."""
    beta = np.zeros(X.shape[1])
    for _ in range(max_iter):
        p = special.expit(X @ beta)
        try:
            step = np.linalg.solve((X * (p * (1.0 - p))[:, None]).T @ X, X.T @ (y - p))
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            break
        if np.max(np.abs(step)) < tol:
            return beta
    return np.full(X.shape[1], np.nan)


def _stack_and_loop(y, X, rows):
    yb, Xb = y[rows], X[rows]
    stacked = risk_module._newton_logit_stack(yb, Xb)
    looped = np.array([_newton_one_at_a_time(a, b) for a, b in zip(yb, Xb, strict=True)])
    return stacked, looped


def test_the_stacked_refits_are_the_one_at_a_time_refits(data):
    # issue 21: the bootstrap's refits run as one Newton iteration over the stack of resamples
    for cols in MODELS.values():
        frame = pd.get_dummies(data[cols], drop_first=True, dtype=float)
        X = np.column_stack([np.ones(len(data)), frame.to_numpy()])
        y = data["y"].to_numpy(dtype=float)
        stacked, looped = _stack_and_loop(y, X, _bootstrap_indices(len(data), N_BOOT, SEED))
        np.testing.assert_allclose(stacked, looped, rtol=1e-12, atol=1e-13)
    # nearly separated data: the resamples that separate fail in both, and only those
    rng = np.random.default_rng(3)
    x = rng.normal(size=60)
    y = (x > 1.0).astype(float)
    order = np.argsort(x)
    y[order[-12]], y[order[-20]] = 0.0, 1.0
    X = np.column_stack([np.ones(60), x, rng.normal(60, 5, 60)])
    stacked, looped = _stack_and_loop(y, X, _bootstrap_indices(60, 200, 0))
    failed = np.isnan(looped).any(axis=1)
    assert 0 < failed.sum() < 100
    np.testing.assert_array_equal(np.isnan(stacked).any(axis=1), failed)
    np.testing.assert_allclose(stacked[~failed], looped[~failed], rtol=1e-12, atol=1e-13)


def test_a_singular_refit_is_left_out_and_the_others_kept():
    rng = np.random.default_rng(5)
    x = rng.normal(size=40)
    y = (rng.uniform(size=40) < special.expit(x)).astype(float)
    good = np.column_stack([np.ones(40), x])
    singular = np.column_stack([np.ones(40), np.ones(40)])  # two equal columns
    out = risk_module._newton_logit_stack(np.stack([y, y, y]), np.stack([good, singular, good]))
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()
    np.testing.assert_allclose(out[0], _newton_one_at_a_time(y, good), rtol=1e-12)
