"""Sample-size planning for a study of a screening test such as VBQ.

- `sample_size_accuracy`: patients needed to estimate sensitivity and specificity to a chosen
  confidence-interval half-width at an expected prevalence (Buderer 1996).
- `sample_size_auc`: cases and controls needed to show that an AUC exceeds a null value, which is
  not fixed at 0.5 (Obuchowski 1998; the variance function of Obuchowski & McClish 1997).
- `sample_size_auc_difference`: cases and controls needed to show that two AUCs differ, the two
  tests read on the same patients (correlated AUCs) or on independent samples.
- `sample_size_prediction_model`: the minimum sample size to develop a logistic prediction model
  (Riley et al., BMJ 2020, its three criteria), with the anticipated C statistic converted to a
  Cox-Snell R squared (Riley, Van Calster & Collins, Stat Med 2021).

Every function returns a frozen result at full precision: the unrounded requirement (``*_exact``)
and the whole numbers of patients to recruit, always rounded up (a smaller study misses the
target precision or power). Implemented from the papers; no code of pmsampsize or easyROC (GPL)
was used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import integrate, stats

from ..errors import InputError
from ._validation import check_choice, check_confidence, check_int, check_proportion

__all__ = [
    "AccuracySampleSize",
    "AUCSampleSize",
    "AUCDifferenceSampleSize",
    "PredictionModelSampleSize",
    "sample_size_accuracy",
    "sample_size_auc",
    "sample_size_auc_difference",
    "sample_size_prediction_model",
    "ALTERNATIVES",
    "CRITERIA",
    "obuchowski_variance",
    "cox_snell_r2_from_c",
]

ALTERNATIVES = ("two-sided", "one-sided")
"""Choices of ``alternative``: a two-sided test, or a one-sided test in the direction of the
anticipated difference."""
_DESIGNS = ("paired", "independent")


def _ceil(x: float) -> int:
    """Round a requirement up to whole patients; 1e-9 absorbs floating-point noise (a
    requirement of exactly 254 must not become 255)."""
    return int(math.ceil(x - 1e-9))


def _check_positive_number(value: Any, name: str) -> float:
    ok = (isinstance(value, int | float | np.integer | np.floating)
          and not isinstance(value, bool | np.bool_) and math.isfinite(value) and value > 0)
    if not ok:
        raise InputError(f"{name}: expected a positive number, got {value!r}")
    return float(value)


def _z_alpha(alpha: float, alternative: str) -> float:
    return float(stats.norm.ppf(1.0 - (alpha / 2.0 if alternative == "two-sided" else alpha)))


# --------------------------------------------------------------------------------------------
# sensitivity and specificity (Buderer 1996)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccuracySampleSize:
    """Result of `sample_size_accuracy`.

    Attributes
    ----------
    sensitivity, specificity, half_width, prevalence, confidence : float
        The inputs.
    n_cases : int
        Patients with the condition needed for the sensitivity's CI to have the half-width,
        z^2 Se (1 - Se) / d^2 rounded up.
    n_controls : int
        Patients without the condition needed for the specificity's CI, rounded up.
    n_for_sensitivity, n_for_specificity : int
        Consecutive patients to recruit at the expected prevalence so that n_cases (or
        n_controls) are expected among them: the requirement divided by the prevalence (by
        1 - prevalence), rounded up once at the end.
    n_total : int
        Patients to recruit: the larger of the two.
    binding : str
        "sensitivity" or "specificity": the estimate whose precision sets n_total.
    method : str
    """

    sensitivity: float
    specificity: float
    half_width: float
    prevalence: float
    confidence: float
    n_cases: int
    n_controls: int
    n_for_sensitivity: int
    n_for_specificity: int
    n_total: int
    binding: str
    method: str = "Buderer 1996 (normal approximation)"

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate: ``quantity`` (sensitivity or specificity), ``value``,
        ``patients_needed_in_group`` (cases or controls), ``n_total`` (patients to recruit for
        it), ``binding``, ``method``."""
        return pd.DataFrame({
            "quantity": ["sensitivity", "specificity"],
            "value": [self.sensitivity, self.specificity],
            "patients_needed_in_group": [self.n_cases, self.n_controls],
            "n_total": [self.n_for_sensitivity, self.n_for_specificity],
            "binding": [self.binding == "sensitivity", self.binding == "specificity"],
            "method": self.method,
        })

    def summary(self) -> str:
        return (f"Sensitivity {self.sensitivity:g} and specificity {self.specificity:g} to "
                f"+/- {self.half_width:g} ({100 * self.confidence:g}% CI) at prevalence "
                f"{self.prevalence:g}: {self.n_cases} cases and {self.n_controls} controls; "
                f"recruit {self.n_total} patients (set by the {self.binding}; {self.method}).")


def sample_size_accuracy(
    sensitivity: float,
    specificity: float,
    *,
    half_width: float,
    prevalence: float,
    confidence: float = 0.95,
) -> AccuracySampleSize:
    """Patients needed to estimate sensitivity and specificity to a CI half-width.

    Parameters
    ----------
    sensitivity, specificity : float
        Anticipated values, in (0, 1).
    half_width : float
        Half-width d of the confidence interval wanted for each (0.07 for +/- 7 points).
    prevalence : float
        Expected prevalence of the condition among the patients recruited, in (0, 1).
    confidence : float, default 0.95
        Level of the confidence intervals.

    Returns
    -------
    AccuracySampleSize

    Raises
    ------
    InputError
        A value outside (0, 1), or a half-width outside (0, 0.5].

    Notes
    -----
    With z the two-sided normal quantile of `confidence`::

        cases    = z^2 Se (1 - Se) / d^2        n_Se = cases / prevalence
        controls = z^2 Sp (1 - Sp) / d^2        n_Sp = controls / (1 - prevalence)
        n_total  = max(n_Se, n_Sp)

    each rounded up to whole patients once, at the end (rounding the cases first would add a
    patient or two). The interval is the normal (Wald) one; near 0 or 1 it is too narrow.

    Validated against: Buderer's formula written out in R 4.2.2
    (tests/reference/sample_size_reference.R) and the worked example Se 0.93, Sp 0.654,
    d 0.07, prevalence 0.30 -> 254 patients.

    References
    ----------
    Buderer NM. Statistical methodology: I. Incorporating the prevalence of disease into the
    sample size calculation for sensitivity and specificity. Acad Emerg Med 1996;3:895-900.

    Examples
    --------
    >>> sample_size_accuracy(0.93, 0.654, half_width=0.07, prevalence=0.30).n_total
    254
    """
    se = check_proportion(sensitivity, "sensitivity")
    sp = check_proportion(specificity, "specificity")
    d = check_proportion(half_width, "half_width")
    if d > 0.5:
        raise InputError(f"half_width: expected a number in (0, 0.5], got {half_width!r}")
    prev = check_proportion(prevalence, "prevalence")
    confidence = check_confidence(confidence)
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    cases = z * z * se * (1.0 - se) / (d * d)
    controls = z * z * sp * (1.0 - sp) / (d * d)
    n_se, n_sp = _ceil(cases / prev), _ceil(controls / (1.0 - prev))
    return AccuracySampleSize(
        sensitivity=se, specificity=sp, half_width=d, prevalence=prev, confidence=confidence,
        n_cases=_ceil(cases), n_controls=_ceil(controls), n_for_sensitivity=n_se,
        n_for_specificity=n_sp, n_total=max(n_se, n_sp),
        binding="sensitivity" if n_se > n_sp else "specificity",
    )


# --------------------------------------------------------------------------------------------
# one AUC against a null value, two AUCs (Obuchowski)
# --------------------------------------------------------------------------------------------
def obuchowski_variance(auc: float, ratio: float) -> float:
    """Variance function V(AUC) of Obuchowski & McClish (1997) for a binormal ROC curve with
    equal variances: the variance of the estimated AUC is V / n_cases.

    ``V = 0.0099 exp(-A^2 / 2) [(5 A^2 + 8) + (A^2 + 8) / R]`` with ``A = 1.414 Phi^-1(AUC)``
    (the published constant, as pROC uses) and R = controls / cases.
    """
    a = 1.414 * float(stats.norm.ppf(auc))
    return 0.0099 * math.exp(-a * a / 2.0) * ((5.0 * a * a + 8.0) + (a * a + 8.0) / ratio)


@dataclass(frozen=True)
class AUCSampleSize:
    """Result of `sample_size_auc`.

    Attributes
    ----------
    auc, null_auc, alpha, power, ratio : float
        The inputs (ratio = controls per case).
    alternative : str
        "two-sided" or "one-sided" (AUC above, or below, the null in the anticipated direction).
    variance_null, variance_alternative : float
        Obuchowski's variance function V at the null and at the anticipated AUC.
    n_cases_exact : float
        The unrounded solution (what pROC's ``power.roc.test`` returns).
    n_cases, n_controls : int
        Rounded up: cases, and ratio x cases controls.
    n_total : int
        n_cases + n_controls.
    method : str
    """

    auc: float
    null_auc: float
    alpha: float
    power: float
    ratio: float
    alternative: str
    variance_null: float
    variance_alternative: float
    n_cases_exact: float
    n_cases: int
    n_controls: int
    n_total: int
    method: str = "Obuchowski 1998, binormal variance (Obuchowski & McClish 1997)"

    def to_frame(self) -> pd.DataFrame:
        """One row: the inputs, ``n_cases_exact, n_cases, n_controls, n_total, method``."""
        return pd.DataFrame([{k: getattr(self, k) for k in self.__dataclass_fields__}])

    def summary(self) -> str:
        return (f"AUC {self.auc:g} against {self.null_auc:g} ({self.alternative}, alpha "
                f"{self.alpha:g}, power {self.power:g}): {self.n_cases} cases and "
                f"{self.n_controls} controls (exact {self.n_cases_exact:.2f} cases; "
                f"{self.method}).")


def _check_auc(value: Any, name: str) -> float:
    auc = check_proportion(value, name)
    if auc < 0.5:
        raise InputError(f"{name}: expected an AUC in [0.5, 1), got {value!r} (an AUC below 0.5 "
                         "is the same test read the other way round)")
    return auc


def _check_test_args(alpha, power, ratio, alternative) -> tuple[float, float, float, str]:
    alpha = check_proportion(alpha, "alpha")
    power = check_proportion(power, "power")
    if power <= 0.5:
        raise InputError(f"power: expected a number in (0.5, 1), got {power!r}")
    ratio = _check_positive_number(ratio, "ratio")
    check_choice(alternative, "alternative", ALTERNATIVES)
    return alpha, power, ratio, alternative


def sample_size_auc(
    auc: float,
    *,
    null_auc: float = 0.5,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> AUCSampleSize:
    """Cases and controls needed to show that a test's AUC differs from a null value.

    Parameters
    ----------
    auc : float
        Anticipated AUC, in [0.5, 1).
    null_auc : float, default 0.5
        The AUC under the null hypothesis, in [0.5, 1): 0.5 is "no better than chance"; a
        higher value asks whether the test beats a minimum useful accuracy (e.g. 0.7).
    alpha : float, default 0.05
        Significance level (the total of both tails for a two-sided test).
    power : float, default 0.8
        Wanted power, in (0.5, 1).
    ratio : float, default 1.0
        Controls per case (``kappa`` of pROC).
    alternative : {"two-sided", "one-sided"}, default "two-sided"
        One-sided tests only the direction of the anticipated AUC (above the null when
        ``auc > null_auc``).

    Returns
    -------
    AUCSampleSize

    Raises
    ------
    InputError
        A value out of range, or ``auc == null_auc``.

    Notes
    -----
    ``n_cases = (z_a sqrt(V(null_auc)) + z_b sqrt(V(auc)))^2 / (auc - null_auc)^2`` with
    z_a = Phi^-1(1 - alpha/2) (two-sided) or Phi^-1(1 - alpha) (one-sided), z_b = Phi^-1(power)
    and V Obuchowski's binormal variance function (`obuchowski_variance`; it assumes a binormal
    ROC curve with equal variances in both groups). With null_auc 0.5, V(0.5) = 0.0792 (1 + 1/R),
    as pROC's ``power.roc.test``, which fixes the null at 0.5.

    The counts are rounded up. easyROC reports the exact solution rounded to the nearest
    patient: its worked example (AUC 0.6 vs 0.5, alpha 0.05, power 0.8, one-sided) is 97 cases
    and 97 controls, where the exact requirement is 97.37 and this function asks for 98 (at 97
    pROC's power is 0.7987, just under 0.8).

    Validated against: R 4.2.2, pROC 1.18.0 ``power.roc.test(auc=, sig.level=, power=, kappa=,
    alternative=)`` (tests/reference/sample_size_reference.R), and the formula written out in R
    for a null other than 0.5.

    References
    ----------
    Obuchowski NA. Sample size calculations in studies of test accuracy. Stat Methods Med Res
    1998;7:371-392.
    Obuchowski NA, McClish DK. Sample size determination for diagnostic accuracy studies
    involving binormal ROC curve indices. Stat Med 1997;16:1529-1542.

    Examples
    --------
    >>> r = sample_size_auc(0.6, alternative="one-sided")
    >>> round(r.n_cases_exact, 2), r.n_cases
    (97.37, 98)
    """
    auc = _check_auc(auc, "auc")
    null_auc = _check_auc(null_auc, "null_auc")
    alpha, power, ratio, alternative = _check_test_args(alpha, power, ratio, alternative)
    if auc == null_auc:
        raise InputError(f"auc: expected a value different from null_auc ({null_auc:g}), "
                         f"got {auc!r}")
    v0, va = obuchowski_variance(null_auc, ratio), obuchowski_variance(auc, ratio)
    za, zb = _z_alpha(alpha, alternative), float(stats.norm.ppf(power))
    n = (za * math.sqrt(v0) + zb * math.sqrt(va)) ** 2 / (auc - null_auc) ** 2
    cases = _ceil(n)
    controls = _ceil(ratio * cases)
    return AUCSampleSize(
        auc=auc, null_auc=null_auc, alpha=alpha, power=power, ratio=ratio,
        alternative=alternative, variance_null=v0, variance_alternative=va, n_cases_exact=n,
        n_cases=cases, n_controls=controls, n_total=cases + controls,
    )


@dataclass(frozen=True)
class AUCDifferenceSampleSize:
    """Result of `sample_size_auc_difference`.

    Attributes
    ----------
    auc1, auc2, correlation, alpha, power, ratio : float
        The inputs (correlation of the two AUC estimates; 0 for independent samples).
    alternative, design : str
        design "paired" (both tests read on the same patients) or "independent" (each test on
        its own sample of patients).
    variance_null, variance_alternative : float
        Variance function of the difference under the null (both AUCs at their mean) and at
        the anticipated AUCs.
    n_cases_exact : float
        Unrounded cases per sample.
    n_cases, n_controls : int
        Per sample, rounded up (for "paired", the one sample; for "independent", each of the
        two).
    n_total : int
        Every patient of the study: n_cases + n_controls, twice for "independent".
    method : str
    """

    auc1: float
    auc2: float
    correlation: float
    alpha: float
    power: float
    ratio: float
    alternative: str
    design: str
    variance_null: float
    variance_alternative: float
    n_cases_exact: float
    n_cases: int
    n_controls: int
    n_total: int
    method: str = "Obuchowski 1998, binormal variance (Obuchowski & McClish 1997)"

    def to_frame(self) -> pd.DataFrame:
        """One row: the inputs, ``n_cases_exact, n_cases, n_controls, n_total, method``."""
        return pd.DataFrame([{k: getattr(self, k) for k in self.__dataclass_fields__}])

    def summary(self) -> str:
        per = "" if self.design == "paired" else " in each of the two samples"
        return (f"AUC {self.auc1:g} vs {self.auc2:g} ({self.design}, correlation "
                f"{self.correlation:g}, {self.alternative}, alpha {self.alpha:g}, power "
                f"{self.power:g}): {self.n_cases} cases and {self.n_controls} controls{per}, "
                f"{self.n_total} patients in all ({self.method}).")


def sample_size_auc_difference(
    auc1: float,
    auc2: float,
    *,
    design: str = "paired",
    correlation: float = 0.0,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> AUCDifferenceSampleSize:
    """Cases and controls needed to show that two tests' AUCs differ.

    Parameters
    ----------
    auc1, auc2 : float
        Anticipated AUCs, in [0.5, 1), different.
    design : {"paired", "independent"}, default "paired"
        "paired": both tests on the same patients (VBQ and HU from one MRI and CT), whose AUC
        estimates are correlated; "independent": each test on its own patients.
    correlation : float, default 0.0
        Correlation r of the two AUC estimates for a paired design, in [0, 1); must be 0 for
        "independent". Obuchowski (1998) suggests it from the correlation of the two tests'
        results within cases and within controls; 0.3 to 0.6 are common.
    alpha, power, ratio, alternative : as `sample_size_auc`

    Returns
    -------
    AUCDifferenceSampleSize

    Raises
    ------
    InputError
        A value out of range, equal AUCs, or a correlation other than 0 for "independent".

    Notes
    -----
    With V Obuchowski's variance function (`obuchowski_variance`) and theta = (auc1 + auc2) / 2::

        V_A = V(auc1) + V(auc2) - 2 r sqrt(V(auc1) V(auc2))
        V_0 = 2 V(theta) (1 - r)
        n_cases = (z_a sqrt(V_0) + z_b sqrt(V_A))^2 / (auc1 - auc2)^2

    Under the null both AUCs equal their mean. For independent samples (r = 0) each sample needs
    n_cases and ratio x n_cases controls. easyROC's worked example, two independent tests 0.9
    vs 0.7 (two-sided, alpha 0.05, power 0.8), reports 45 and 45: the exact requirement is
    45.36 cases, rounded here up to 46.

    Validated against: the formula written out in R 4.2.2
    (tests/reference/sample_size_reference.R) and easyROC's worked example.

    References
    ----------
    Obuchowski NA. Sample size calculations in studies of test accuracy. Stat Methods Med Res
    1998;7:371-392.
    Obuchowski NA, McClish DK. Stat Med 1997;16:1529-1542.

    Examples
    --------
    >>> r = sample_size_auc_difference(0.9, 0.7, design="independent")
    >>> round(r.n_cases_exact, 2), r.n_cases, r.n_total
    (45.36, 46, 184)
    """
    auc1, auc2 = _check_auc(auc1, "auc1"), _check_auc(auc2, "auc2")
    check_choice(design, "design", _DESIGNS)
    alpha, power, ratio, alternative = _check_test_args(alpha, power, ratio, alternative)
    ok = (isinstance(correlation, int | float | np.integer | np.floating)
          and not isinstance(correlation, bool | np.bool_) and 0.0 <= correlation < 1.0)
    if not ok:
        raise InputError(f"correlation: expected a number in [0, 1), got {correlation!r}")
    r = float(correlation)
    if design == "independent" and r != 0.0:
        raise InputError(f"correlation: expected 0 for independent samples, got {correlation!r}")
    if auc1 == auc2:
        raise InputError(f"auc2: expected a value different from auc1 ({auc1:g}), got {auc2!r}")
    v1, v2 = obuchowski_variance(auc1, ratio), obuchowski_variance(auc2, ratio)
    va = v1 + v2 - 2.0 * r * math.sqrt(v1 * v2)
    v0 = 2.0 * obuchowski_variance((auc1 + auc2) / 2.0, ratio) * (1.0 - r)
    za, zb = _z_alpha(alpha, alternative), float(stats.norm.ppf(power))
    n = (za * math.sqrt(v0) + zb * math.sqrt(va)) ** 2 / (auc1 - auc2) ** 2
    cases = _ceil(n)
    controls = _ceil(ratio * cases)
    samples = 1 if design == "paired" else 2
    return AUCDifferenceSampleSize(
        auc1=auc1, auc2=auc2, correlation=r, alpha=alpha, power=power, ratio=ratio,
        alternative=alternative, design=design, variance_null=v0, variance_alternative=va,
        n_cases_exact=n, n_cases=cases, n_controls=controls,
        n_total=samples * (cases + controls),
    )


# --------------------------------------------------------------------------------------------
# developing a prediction model (Riley et al. 2020)
# --------------------------------------------------------------------------------------------
CRITERIA = {
    1: "shrinkage of predictor effects at least the target (small overfitting)",
    2: "apparent and adjusted Nagelkerke R squared within 0.05",
    3: "overall risk (intercept) estimated to within +/- 0.05",
}
"""Riley et al.'s three criteria for a binary outcome, in their order."""


_SQRT_2PI = np.sqrt(2.0 * np.pi)


def _norm_pdf(x: float) -> np.float64:
    """``scipy.stats.norm.pdf(x)`` of one number, by scipy's own formula on a one-element array
    (the same floating-point value: numpy's exp of a bare scalar can differ in the last bit).
    ``integrate.quad`` calls the integrand of `cox_snell_r2_from_c` about 270 times per
    integral with one number at a time, and scipy's distribution machinery around the formula
    took 0.19 ms a call against 0.04 ms here (issue 21)."""
    z = np.array([x], dtype=float)
    return (np.exp(-(z**2) / 2.0) / _SQRT_2PI)[0]


def cox_snell_r2_from_c(c_statistic: float, prevalence: float) -> float:
    """Cox-Snell R squared implied by a C statistic at an outcome prevalence.

    As Riley, Van Calster & Collins (Stat Med 2021) describe: the linear predictor is normal
    with equal variances in events and non-events, the mean difference giving the C statistic
    (``mu = sqrt(2) Phi^-1(C)``); a logistic model of the outcome on it is then exactly
    ``logit p = log(phi / (1 - phi)) - mu^2 / 2 + mu x`` for a non-event LP ~ N(0, 1). They
    simulate a million patients and fit it; here the expected log-likelihood per patient is
    integrated numerically instead (no sampling noise), and
    ``R2_CS = 1 - exp(-2 (E[loglik] - loglik_null))``.
    """
    mu = math.sqrt(2.0) * float(stats.norm.ppf(c_statistic))
    a = math.log(prevalence / (1.0 - prevalence)) - mu * mu / 2.0

    def expected(mean: float, event: bool) -> float:
        sign = -1.0 if event else 1.0  # log p = -log(1 + e^-eta), log(1 - p) = -log(1 + e^eta)
        f = lambda x: _norm_pdf(x - mean) * -np.logaddexp(0.0, sign * (a + mu * x))  # noqa: E731
        return integrate.quad(f, mean - 12.0, mean + 12.0, epsabs=1e-13, epsrel=1e-12,
                              limit=200)[0]

    loglik = prevalence * expected(mu, True) + (1.0 - prevalence) * expected(0.0, False)
    null = prevalence * math.log(prevalence) + (1.0 - prevalence) * math.log(1.0 - prevalence)
    return 1.0 - math.exp(-2.0 * (loglik - null))


@dataclass(frozen=True)
class PredictionModelSampleSize:
    """Result of `sample_size_prediction_model`.

    Attributes
    ----------
    c_statistic, prevalence, shrinkage : float
        The inputs.
    n_parameters : int
        Candidate predictor parameters (a categorical predictor of k levels counts k - 1).
    r2_cox_snell : float
        Anticipated Cox-Snell R squared, converted from the C statistic.
    max_r2_cox_snell : float
        Its largest possible value at this prevalence, 1 - (phi^phi (1 - phi)^(1 - phi))^2.
    shrinkage_criterion2 : float
        The shrinkage that criterion 2 requires (when larger than `shrinkage` it tightens
        criterion 1's bound).
    n_criteria : tuple of int
        Patients each criterion needs (1, 2, 3), rounded up.
    n_total : int
        The minimum sample size: the largest of the three.
    n_events : int
        Events expected among them, n_total x prevalence rounded up.
    events_per_parameter : float
        n_events / n_parameters.
    binding : int
        The criterion that sets n_total (1, 2 or 3; the first of them on a tie).
    method : str
    """

    c_statistic: float
    prevalence: float
    n_parameters: int
    shrinkage: float
    r2_cox_snell: float
    max_r2_cox_snell: float
    shrinkage_criterion2: float
    n_criteria: tuple[int, int, int]
    n_total: int
    n_events: int
    events_per_parameter: float
    binding: int
    method: str = "Riley et al. 2020 (three criteria, binary outcome)"

    def to_frame(self) -> pd.DataFrame:
        """One row per criterion: ``criterion, description, n, n_events, binding``."""
        n = np.asarray(self.n_criteria)
        return pd.DataFrame({
            "criterion": [1, 2, 3],
            "description": [CRITERIA[k] for k in (1, 2, 3)],
            "n": n,
            "n_events": [_ceil(k * self.prevalence) for k in n],
            "binding": [k == self.binding for k in (1, 2, 3)],
            "method": self.method,
        })

    def summary(self) -> str:
        return (f"Prediction model with {self.n_parameters} parameters, C {self.c_statistic:g} "
                f"(Cox-Snell R2 {self.r2_cox_snell:.3f}), prevalence {self.prevalence:g}: at "
                f"least {self.n_total} patients ({self.n_events} events, "
                f"{self.events_per_parameter:.1f} per parameter); criterion {self.binding} "
                f"binds ({CRITERIA[self.binding]}). Criteria 1-3: "
                f"{', '.join(map(str, self.n_criteria))}.")


def _n_shrinkage(n_parameters: int, r2: float, s: float) -> float:
    """Riley et al. eq. (criterion 1): n = P / ((S - 1) ln(1 - R2_CS / S))."""
    return n_parameters / ((s - 1.0) * math.log(1.0 - r2 / s))


def sample_size_prediction_model(
    c_statistic: float,
    prevalence: float,
    n_parameters: int,
    *,
    shrinkage: float = 0.9,
) -> PredictionModelSampleSize:
    """Minimum sample size to develop a logistic prediction model (Riley et al. 2020).

    Parameters
    ----------
    c_statistic : float
        Anticipated C statistic (AUC) of the model, in (0.5, 1).
    prevalence : float
        Anticipated outcome proportion, in (0, 1).
    n_parameters : int
        Candidate predictor parameters, at least 1 (VBQ, age and sex: 3).
    shrinkage : float, default 0.9
        Target expected shrinkage of the predictor effects (0.9: at most 10% overfitting).

    Returns
    -------
    PredictionModelSampleSize

    Raises
    ------
    InputError
        A value out of range, or a shrinkage not above the anticipated Cox-Snell R squared
        (criterion 1 then has no solution).

    Notes
    -----
    The C statistic is converted to an anticipated Cox-Snell R squared R2 (see
    `cox_snell_r2_from_c`). Then, for P parameters and prevalence phi (Riley et al. 2020, box 1
    and the supplement):

    1. shrinkage S: ``n1 = P / ((S - 1) ln(1 - R2 / S))``;
    2. optimism in Nagelkerke R squared at most delta = 0.05:
       ``S2 = R2 / (R2 + delta max_R2)``, ``n2 = P / ((S2 - 1) ln(1 - R2 / S2))``, with
       ``max_R2 = 1 - (phi^phi (1 - phi)^(1 - phi))^2``;
    3. overall risk to within a margin of 0.05: ``n3 = (1.96 / 0.05)^2 phi (1 - phi)``.

    The minimum is the largest, rounded up; the events expected among them are
    ``ceil(n prevalence)``.

    Validated against: the worked example C 0.80, prevalence 0.25, 4 parameters -> 289
    patients (73 events), and the formulas written out in R 4.2.2 with the R squared from a
    simulation of a million patients fitted by ``glm`` (tests/reference/sample_size_reference.R).

    References
    ----------
    Riley RD, Ensor J, Snell KIE, et al. Calculating the sample size required for developing a
    clinical prediction model. BMJ 2020;368:m441.
    Riley RD, Van Calster B, Collins GS. A note on estimating the Cox-Snell R2 from a reported
    C statistic (AUROC) to inform sample size calculations for developing a prediction model
    with a binary outcome. Stat Med 2021;40:859-864.

    Examples
    --------
    >>> r = sample_size_prediction_model(0.80, 0.25, 4)
    >>> r.n_total, r.n_events, r.binding
    (289, 73, 3)
    """
    c = check_proportion(c_statistic, "c_statistic")
    if c <= 0.5:
        raise InputError(f"c_statistic: expected a number in (0.5, 1), got {c_statistic!r}")
    phi = check_proportion(prevalence, "prevalence")
    p = check_int(n_parameters, "n_parameters", minimum=1)
    s = check_proportion(shrinkage, "shrinkage")
    r2 = cox_snell_r2_from_c(c, phi)
    if r2 >= s:  # criterion 1's logarithm is undefined: no sample size reaches that shrinkage
        raise InputError(f"shrinkage: expected a value above the anticipated Cox-Snell R2 "
                         f"({r2:.3f}, from C {c:g} at prevalence {phi:g}), got {shrinkage!r}")
    max_r2 = 1.0 - (phi ** phi * (1.0 - phi) ** (1.0 - phi)) ** 2
    s2 = r2 / (r2 + 0.05 * max_r2)
    n_crit = (_ceil(_n_shrinkage(p, r2, s)), _ceil(_n_shrinkage(p, r2, s2)),
              _ceil((1.96 / 0.05) ** 2 * phi * (1.0 - phi)))
    n = max(n_crit)
    events = _ceil(n * phi)
    return PredictionModelSampleSize(
        c_statistic=c, prevalence=phi, n_parameters=p, shrinkage=s, r2_cox_snell=r2,
        max_r2_cox_snell=max_r2, shrinkage_criterion2=s2, n_criteria=n_crit, n_total=n,
        n_events=events, events_per_parameter=events / p, binding=n_crit.index(n) + 1,
    )
