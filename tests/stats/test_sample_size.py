"""Tests of vbq.stats.sample_size: Buderer, Obuchowski (one AUC, two AUCs) and Riley et al.

Expected values come from R 4.2.2 with pROC 1.18.0 (tests/reference/sample_size_reference.R,
output in sample_size_reference.out: pROC's power.roc.test, the published formulas written out
in R, and Riley's Cox-Snell R2 by simulation with glm) and from published worked examples
(easyROC's outputs, Buderer's formula on the paper's VBQ accuracy, Riley's 289 patients).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

import vbq
from tests.r_reference import r_values
from vbq.errors import InputError
from vbq.stats.sample_size import (
    _norm_pdf,
    cox_snell_r2_from_c,
    obuchowski_variance,
    sample_size_accuracy,
    sample_size_auc,
    sample_size_auc_difference,
    sample_size_prediction_model,
)

R = "sample_size_reference"


# --- Buderer ---------------------------------------------------------------------------------
def test_buderer_worked_example_254():
    # Published example (issue 20): Se 0.93, Sp 0.654, half-width 0.07, prevalence 0.30 -> 254
    res = sample_size_accuracy(0.93, 0.654, half_width=0.07, prevalence=0.30)
    assert res.n_total == 254
    assert res.binding == "specificity"
    # R 4.2.2, Buderer written out: cases, controls, n for Se, n for Sp
    cases, controls, n_se, n_sp = r_values(R, "buderer 0.93 0.654 0.07 0.30")
    assert (res.n_cases, res.n_controls) == (math.ceil(cases), math.ceil(controls)) == (52, 178)
    assert (res.n_for_sensitivity, res.n_for_specificity) == (math.ceil(n_se), math.ceil(n_sp))
    frame = res.to_frame()
    assert frame["n_total"].tolist() == [171, 254] and frame["binding"].tolist() == [False, True]
    assert "254" in res.summary()


def test_buderer_other_confidence_and_the_sensitivity_binding():
    res = sample_size_accuracy(0.80, 0.90, half_width=0.05, prevalence=0.10, confidence=0.90)
    # R 4.2.2, Buderer written out with qnorm(0.95)
    cases, controls, n_se, n_sp = r_values(R, "buderer 0.80 0.90 0.05 0.10 conf 0.90")
    assert res.n_total == math.ceil(n_se) == 1732
    assert res.n_for_specificity == math.ceil(n_sp) and res.binding == "sensitivity"


@pytest.mark.parametrize("kwargs, name", [
    ({"half_width": 0.0, "prevalence": 0.3}, "half_width"),
    ({"half_width": 0.6, "prevalence": 0.3}, "half_width"),
    ({"half_width": 0.05, "prevalence": 1.0}, "prevalence"),
    ({"half_width": 0.05, "prevalence": 0.3, "confidence": "0.95"}, "confidence"),
])
def test_buderer_refuses_bad_input(kwargs, name):
    with pytest.raises(InputError, match=f"^{name}:"):
        sample_size_accuracy(0.9, 0.8, **kwargs)


# --- one AUC ---------------------------------------------------------------------------------
@pytest.mark.parametrize("alternative", ["one-sided", "two-sided"])
@pytest.mark.parametrize("auc", [0.6, 0.7, 0.8, 0.9])
@pytest.mark.parametrize("kappa", [1, 2.5])
def test_one_auc_matches_proc_power_roc_test(alternative, auc, kappa):
    # R 4.2.2, pROC 1.18.0: power.roc.test(auc=, sig.level=0.05, power=0.8, kappa=,
    # alternative=) -> ncases (unrounded)
    expected = r_values(R, f"ncases {alternative.replace('-', '.')} auc {auc:g} kappa {kappa:g}")[0]
    res = sample_size_auc(auc, ratio=kappa, alternative=alternative)
    assert res.n_cases_exact == pytest.approx(expected, abs=1e-6)
    assert res.n_cases == math.ceil(expected)
    assert res.n_controls == math.ceil(kappa * res.n_cases)
    assert res.n_total == res.n_cases + res.n_controls


def test_easyroc_one_test_97_and_why_we_ask_for_98():
    # easyROC's worked output (issue 20): AUC 0.6 vs 0.5, alpha 0.05, power 0.8, one-sided:
    # 97 cases and 97 controls, which is the exact requirement rounded to the nearest patient
    res = sample_size_auc(0.6, null_auc=0.5, alpha=0.05, power=0.8, alternative="one-sided")
    assert round(res.n_cases_exact) == 97 and round(res.ratio * res.n_cases_exact) == 97
    # ... while 97 patients fall short of the power asked for: R 4.2.2, pROC 1.18.0
    # power.roc.test(auc=0.6, ncases=97, ncontrols=97, alternative="one.sided")$power
    assert r_values(R, "power at 97 and 97, one.sided auc 0.6")[0] < 0.8
    assert r_values(R, "power at 98 and 98, one.sided auc 0.6")[0] >= 0.8
    assert (res.n_cases, res.n_controls) == (98, 98)


@pytest.mark.parametrize("name, kwargs", [
    ("n one auc 0.85 null 0.7 two-sided R 1", {"alternative": "two-sided"}),
    ("n one auc 0.85 null 0.7 one-sided R 2", {"alternative": "one-sided", "ratio": 2.0,
                                                "power": 0.9}),
])
def test_one_auc_against_a_null_other_than_half(name, kwargs):
    # R 4.2.2: Obuchowski's formula written out (pROC fixes the null at 0.5: its issue 71)
    res = sample_size_auc(0.85, null_auc=0.7, **kwargs)
    assert res.n_cases_exact == pytest.approx(r_values(R, name)[0], abs=1e-6)


def test_null_variance_at_half_is_procs_constant():
    # pROC's v0 = 0.0792 * (1 + 1 / kappa) at AUC 0.5
    for ratio in (0.5, 1.0, 3.0):
        assert obuchowski_variance(0.5, ratio) == pytest.approx(0.0792 * (1 + 1 / ratio))


def test_one_auc_refuses_bad_input():
    with pytest.raises(InputError, match="^auc:"):
        sample_size_auc(0.5)
    with pytest.raises(InputError, match="^alternative:"):
        sample_size_auc(0.7, alternative="greater")
    with pytest.raises(InputError, match="^null_auc:"):
        sample_size_auc(0.7, null_auc=0.3)
    with pytest.raises(InputError, match="^ratio:"):
        sample_size_auc(0.7, ratio=0)
    with pytest.raises(InputError, match="^power:"):
        sample_size_auc(0.7, power=0.4)


@settings(max_examples=40, deadline=None)
@given(auc=st.floats(0.55, 0.95), power=st.floats(0.6, 0.95))
def test_more_power_or_a_smaller_effect_needs_more_patients(auc, power):
    base = sample_size_auc(auc, power=power).n_cases_exact
    assert sample_size_auc(auc, power=min(power + 0.04, 0.99)).n_cases_exact > base
    assert sample_size_auc(auc, power=power, alternative="one-sided").n_cases_exact < base
    if auc > 0.56:
        assert sample_size_auc(auc - 0.01, power=power).n_cases_exact > base


# --- two AUCs --------------------------------------------------------------------------------
def test_easyroc_two_independent_tests_45():
    # easyROC's worked output (issue 20): two independent tests, 0.9 vs 0.7: 45 and 45 (the
    # exact requirement rounded to the nearest patient); R 4.2.2, formula written out
    res = sample_size_auc_difference(0.9, 0.7, design="independent")
    expected = r_values(R, "n two independent 0.9 vs 0.7 two-sided")[0]
    assert res.n_cases_exact == pytest.approx(expected, abs=1e-6)
    assert round(res.n_cases_exact) == 45
    assert (res.n_cases, res.n_controls) == (46, 46)
    assert res.n_total == 2 * (46 + 46)  # two samples


@pytest.mark.parametrize("name, a1, a2, kwargs", [
    ("n two paired 0.865 vs 0.818 r 0.5 two-sided", 0.865, 0.818, {"correlation": 0.5}),
    ("n two paired 0.8 vs 0.7 r 0.3 one-sided R 1.5", 0.8, 0.7,
     {"correlation": 0.3, "alternative": "one-sided", "ratio": 1.5}),
])
def test_paired_aucs_match_the_formula_in_r(name, a1, a2, kwargs):
    res = sample_size_auc_difference(a1, a2, design="paired", **kwargs)
    assert res.n_cases_exact == pytest.approx(r_values(R, name)[0], abs=1e-6)
    assert res.n_total == res.n_cases + res.n_controls


def test_correlation_lowers_the_paired_requirement():
    n = [sample_size_auc_difference(0.85, 0.75, correlation=r).n_cases_exact
         for r in (0.0, 0.3, 0.6)]
    assert n[0] > n[1] > n[2]


def test_two_aucs_refuse_bad_input():
    with pytest.raises(InputError, match="^correlation:"):
        sample_size_auc_difference(0.9, 0.7, design="independent", correlation=0.4)
    with pytest.raises(InputError, match="^auc2:"):
        sample_size_auc_difference(0.8, 0.8)
    with pytest.raises(InputError, match="^design:"):
        sample_size_auc_difference(0.9, 0.7, design="crossover")


# --- Riley et al. ----------------------------------------------------------------------------
def test_riley_worked_example_289_with_73_events():
    # Issue 20's worked example: C 0.80, prevalence 0.25, 4 parameters -> 289 (73 events)
    res = sample_size_prediction_model(0.80, 0.25, 4)
    assert res.n_total == 289 and res.n_events == 73 and res.binding == 3
    assert res.events_per_parameter == pytest.approx(73 / 4)
    frame = res.to_frame()
    assert frame["binding"].tolist() == [False, False, True]


@pytest.mark.parametrize("c, prev, p", [(0.80, 0.25, 4), (0.75, 0.10, 10), (0.85, 0.40, 20)])
def test_riley_criteria_match_r_with_simulated_r2(c, prev, p):
    # R 4.2.2: R2 of glm(events ~ lp) on a million simulated patients (sampling error about
    # 0.001), and the three criteria written out from Riley et al. (2020)
    tag = f"C {c:g} prev {prev:g} P {p:g}"
    r2 = r_values(R, f"r2cs {tag}")[0]
    n1, n2, n3, maxr2, s2 = r_values(R, f"criteria n1 n2 n3 maxr2 S2 {tag}")
    res = sample_size_prediction_model(c, prev, p)
    assert res.r2_cox_snell == pytest.approx(r2, abs=2e-3)
    assert res.max_r2_cox_snell == pytest.approx(maxr2, abs=1e-12)
    assert res.n_criteria[2] == math.ceil(n3)
    # the quadrature's R2 against the simulated one: criteria 1 and 2 within 1%
    assert res.n_criteria[0] == pytest.approx(n1, rel=0.01)
    assert res.n_criteria[1] == pytest.approx(n2, rel=0.01)
    assert res.shrinkage_criterion2 == pytest.approx(s2, abs=2e-3)
    assert res.n_total == max(res.n_criteria)
    assert res.binding == res.n_criteria.index(res.n_total) + 1


def test_cox_snell_r2_by_quadrature_matches_a_plain_simulation():
    # an oracle written plainly: simulate the binormal linear predictor and fit a logistic
    # regression with statsmodels; R2_CS = 1 - exp(-LR / n)
    rng = np.random.default_rng(7)
    n, c, prev = 150_000, 0.78, 0.3
    events = rng.random(n) < prev
    z = NormalDist().inv_cdf(c)  # the events' mean is sqrt(2) z: C = Phi(mean / sqrt(2))
    lp = rng.normal(np.where(events, math.sqrt(2) * z, 0.0), 1.0)
    fit = sm.Logit(events.astype(float), sm.add_constant(lp)).fit(disp=False)
    r2_sim = 1 - math.exp(-2 * (fit.llf - fit.llnull) / n)
    assert cox_snell_r2_from_c(c, prev) == pytest.approx(r2_sim, abs=3e-3)


def test_riley_refuses_bad_input():
    with pytest.raises(InputError, match="^c_statistic:"):
        sample_size_prediction_model(0.5, 0.2, 3)
    with pytest.raises(InputError, match="^n_parameters:"):
        sample_size_prediction_model(0.8, 0.2, 0)
    with pytest.raises(InputError, match="^shrinkage:"):
        sample_size_prediction_model(0.8, 0.2, 3, shrinkage=1.0)
    # C 0.99 at prevalence 0.5 implies a Cox-Snell R2 of about 0.68: a shrinkage of 0.5 is
    # unreachable (criterion 1's logarithm is undefined), said rather than a math error
    with pytest.raises(InputError, match="^shrinkage: expected a value above"):
        sample_size_prediction_model(0.99, 0.5, 3, shrinkage=0.5)


def test_public_names_and_signatures():
    import inspect

    s = vbq.stats
    assert list(inspect.signature(s.sample_size_accuracy).parameters) == [
        "sensitivity", "specificity", "half_width", "prevalence", "confidence"]
    assert list(inspect.signature(s.sample_size_prediction_model).parameters) == [
        "c_statistic", "prevalence", "n_parameters", "shrinkage"]
    sig = inspect.signature(s.sample_size_auc)
    assert [p.name for p in sig.parameters.values()] == [
        "auc", "null_auc", "alpha", "power", "ratio", "alternative"]
    assert sig.parameters["null_auc"].default == 0.5
    for res in (s.sample_size_accuracy(0.9, 0.8, half_width=0.05, prevalence=0.3),
                s.sample_size_auc(0.7), s.sample_size_auc_difference(0.8, 0.7),
                s.sample_size_prediction_model(0.8, 0.2, 3)):
        assert isinstance(res.n_total, int)
        with pytest.raises(AttributeError):
            res.n_total = 1  # frozen


def test_the_integrands_normal_density_is_scipys_to_the_last_bit():
    # issue 21: cox_snell_r2_from_c's integrand computes scipy.stats.norm.pdf itself (quad calls
    # it one number at a time, where scipy's machinery cost five times the formula)
    xs = np.random.default_rng(0).normal(0.0, 5.0, 20_000)
    assert all(_norm_pdf(x) == scipy_stats.norm.pdf(x) for x in xs.tolist())
