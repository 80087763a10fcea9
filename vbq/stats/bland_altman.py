"""Bland-Altman analysis of agreement between two measurements of the same quantity.

The study reports the reliability of VBQ as ICCs; a Bland-Altman analysis shows the same repeated
readings on the scale of the score itself: the mean difference between two readings (bias), the
95% limits of agreement within which most differences fall, and the uncertainty of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats

from ..errors import DegenerateInputError, InputError
from . import _validation as _v

__all__ = ["BlandAltmanResult", "bland_altman"]

_COLUMNS = ("quantity", "estimate", "ci_low", "ci_high", "p_value", "n", "n_missing", "method")

# the confidence intervals of the limits of agreement this module computes, and how each is named
LIMITS_CI_METHODS = {
    "approximate": "approximate CIs of the limits (Bland & Altman 1999: SE of a limit "
                   "s sqrt(1/n + z^2 / (2 (n - 1))), t quantile)",
    "exact": "exact CIs of the limits (Carkeet 2015: noncentral t quantiles)",
    "bland-altman-1986": "approximate CIs of the limits (Bland & Altman 1986: SE of a limit "
                         "sqrt(3 s^2 / n), t quantile; valid only for limits near 95%)",
}


@dataclass(frozen=True)
class BlandAltmanResult:
    """Bias and limits of agreement of two paired measurements, with their confidence intervals.

    Attributes
    ----------
    bias : float
        Mean difference ``mean(a - b)``.
    sd : float
        Sample standard deviation of the differences (ddof = 1).
    loa_low, loa_high : float
        Limits of agreement ``bias -/+ multiplier * sd``.
    multiplier : float
        Normal quantile of the limits: 1.959964 for ``limits=0.95``.
    bias_ci : tuple of float
        (low, high) confidence interval of the bias: ``bias -/+ t * sd / sqrt(n)``.
    loa_low_ci, loa_high_ci : tuple of float
        Confidence intervals of the two limits, computed as `limits_ci_method` says.
    limits_ci_method : str
        Which intervals `loa_low_ci` and `loa_high_ci` are: ``"approximate"`` (Bland & Altman
        1999, the general formula), ``"exact"`` (Carkeet 2015) or ``"bland-altman-1986"``
        (sqrt(3 s^2 / n)); see `bland_altman`.
    t_quantile : float
        The t quantile of the bias's interval (and of the approximate limits' intervals),
        ``t_(1 - alpha/2, n - 1)``.
    trend_slope, trend_intercept : float
        Least-squares line of the differences on the means (proportional bias: the differences
        grow or shrink with the size of the measurement when the slope is not 0).
    trend_slope_ci : tuple of float
        Confidence interval of the slope (t with n - 2 df).
    trend_p_value : float
        Two-sided p-value of the t test of slope = 0. NaN (with a note) for n < 3 or when all
        means are equal; NaN with slope 0 when all differences are equal.
    n : int
        Complete pairs analysed.
    n_missing : int
        Pairs left out because either value is missing.
    limits : float
        Proportion of differences the limits of agreement are meant to contain (under
        normality; ``2 Phi(multiplier) - 1`` when `multiplier` was given).
    confidence : float
        Confidence level of the intervals.
    means, differences : ndarray
        Per complete pair, ``(a + b) / 2`` and ``a - b`` (read-only; the points of the plot).
    notes : tuple of str
        Why a value sits at a limit (all differences equal); empty normally.
    method : str
        How the values were computed.
    """

    bias: float
    sd: float
    loa_low: float
    loa_high: float
    multiplier: float
    bias_ci: tuple[float, float]
    loa_low_ci: tuple[float, float]
    loa_high_ci: tuple[float, float]
    limits_ci_method: str
    t_quantile: float
    n: int
    n_missing: int
    limits: float
    confidence: float
    trend_slope: float
    trend_intercept: float
    trend_slope_ci: tuple[float, float]
    trend_p_value: float
    means: np.ndarray = field(compare=False, repr=False)
    differences: np.ndarray = field(compare=False, repr=False)
    notes: tuple[str, ...] = ()
    method: str = ""

    def __post_init__(self) -> None:
        if not self.method:
            object.__setattr__(self, "method", (
                "Bland & Altman (1986, 1999): bias and limits of agreement; t-based CI of the "
                f"bias; {LIMITS_CI_METHODS[self.limits_ci_method]}; OLS trend of the "
                "differences on the means"))

    def to_frame(self) -> pd.DataFrame:
        """Four rows (``bias``, ``loa_low``, ``loa_high``, ``trend_slope``) with ``quantity,
        estimate, ci_low, ci_high, p_value, n, n_missing, method``; ``p_value`` is that of the
        trend's slope (NaN on the other rows)."""
        nan = float("nan")
        rows = [
            ("bias", self.bias, *self.bias_ci, nan),
            ("loa_low", self.loa_low, *self.loa_low_ci, nan),
            ("loa_high", self.loa_high, *self.loa_high_ci, nan),
            ("trend_slope", self.trend_slope, *self.trend_slope_ci, self.trend_p_value),
        ]
        return pd.DataFrame(
            [(*r, self.n, self.n_missing, self.method) for r in rows], columns=list(_COLUMNS)
        )

    def summary(self) -> str:
        """Readable text: bias, SD, limits and their CIs, sample and missing pairs."""
        pct = f"{100 * self.confidence:g}%"
        lines = [
            f"Bland-Altman agreement: n = {self.n} pairs; {self.n_missing} pair(s) with a "
            f"missing value left out",
            f"Bias (mean difference) {self.bias:.4g} ({pct} CI {self.bias_ci[0]:.4g} to "
            f"{self.bias_ci[1]:.4g}); SD of differences {self.sd:.4g}",
            f"{100 * self.limits:g}% limits of agreement {self.loa_low:.4g} to "
            f"{self.loa_high:.4g} (bias -/+ {self.multiplier:.4g} SD)",
            f"  lower limit {pct} CI {self.loa_low_ci[0]:.4g} to {self.loa_low_ci[1]:.4g}; "
            f"upper limit {pct} CI {self.loa_high_ci[0]:.4g} to {self.loa_high_ci[1]:.4g}",
            f"  CIs of the limits: {LIMITS_CI_METHODS[self.limits_ci_method]}",
        ]
        lines.append(
            f"Trend of the differences with the mean: slope {self.trend_slope:.4g} ({pct} CI "
            f"{self.trend_slope_ci[0]:.4g} to {self.trend_slope_ci[1]:.4g}), "
            f"p = {self.trend_p_value:.3g}")
        lines.extend(f"Note: {note}" for note in self.notes)
        lines.append(f"Method: {self.method}")
        return "\n".join(lines)


def bland_altman(
    a, b, *, limits: float = 0.95, confidence: float = 0.95, multiplier: float | None = None,
    limits_ci: str = "approximate",
) -> BlandAltmanResult:
    """Bland-Altman bias and limits of agreement of two paired measurements, with CIs.

    Parameters
    ----------
    a, b : array-like, 1-D, same length
        The two measurements per subject (e.g. VBQ by observer 1 and observer 2, or by one
        observer in two sessions); numbers written as text are read, as in every statistic. A
        pair with a missing value (NaN, None) on either side is left out and counted in
        ``n_missing``.
    limits : float, keyword-only
        Proportion of differences the limits of agreement should contain (0.95: the usual
        ``bias -/+ 1.96 SD``), in (0, 1).
    confidence : float, keyword-only
        Confidence level of the intervals of the bias and of the limits, in (0, 1).
    multiplier : float, optional, keyword-only
        SDs from the bias to each limit. Default: the normal quantile of `limits` (1.959964);
        2 reproduces Bland & Altman (1986), 1.96 R's BlandAltmanLeh. Overrides `limits`.
    limits_ci : {"approximate", "exact", "bland-altman-1986"}, keyword-only
        Confidence intervals of the limits of agreement. ``"approximate"`` (default): the
        general large-sample formula of Bland & Altman (1999), for any `limits`.
        ``"exact"``: the exact intervals from the noncentral t distribution (Carkeet 2015);
        prefer them for small samples (at n = 5 they are far wider and asymmetric).
        ``"bland-altman-1986"``: the shortcut SE sqrt(3 s^2 / n) of the 1986 paper and of R's
        BlandAltmanLeh, valid only for limits near 95% (kept to reproduce them).

    Returns
    -------
    BlandAltmanResult
        ``bias, sd, loa_low, loa_high, multiplier, bias_ci, loa_low_ci, loa_high_ci,
        limits_ci_method, t_quantile, n, n_missing, limits, confidence, means, differences,
        notes, method``; ``to_frame()`` gives one row each for the bias and the two limits.

    Raises
    ------
    InputError
        `a` or `b` not 1-D, of different lengths or not numeric; an infinite value; `limits` or
        `confidence` outside (0, 1); `multiplier` not a positive number; `limits_ci` not one of
        the three choices. The message starts
        with the parameter's name (`vbq.stats._validation`, as every statistic).
    DegenerateInputError
        Fewer than 2 complete pairs (the SD of the differences is undefined).

    Notes
    -----
    With differences d_i = a_i - b_i of n complete pairs, mean dbar and sample SD s
    (Bland & Altman 1986):

        bias = dbar;  limits of agreement = dbar -/+ z s,  z = Phi^-1((1 + limits) / 2)

    The CI of the bias is dbar -/+ t s / sqrt(n), t = t_((1 + confidence) / 2, n - 1).

    CIs of the limits, as `limits_ci` chooses:

    * ``"approximate"`` (Bland & Altman 1999, section 2.2): limit -/+ t SE with
      SE = s sqrt(1/n + z^2 / (2 (n - 1))), from var(dbar + z s) = s^2/n + z^2 s^2 / (2 (n - 1)).
    * ``"exact"`` (Carkeet 2015): sqrt(n) (mu + z sigma - dbar) / s follows a noncentral t
      distribution with n - 1 df and noncentrality sqrt(n) z, so the upper limit's CI is
      dbar + s t'_q / sqrt(n) for q = (1 -/+ confidence) / 2, where t'_q is that distribution's
      quantile (the one-sided tolerance factor), and the lower limit's CI is its mirror image
      about dbar. Exact under normal differences for every n.
    * ``"bland-altman-1986"`` (section 5 of the 1986 paper): SE = sqrt(3 s^2 / n), the
      approximate SE for z near 2 (what R's BlandAltmanLeh reports); it under-covers for other
      limits (below 90% instead of 95% for 99% limits at n = 50 in a seeded simulation).

    When all differences are equal (s = 0) the limits equal the bias and every interval has
    zero width; ``notes`` says so.

    Proportional bias: the least-squares regression of the differences on the means, with the
    t test of its slope (Bland & Altman 1999, section 3.2), reported as ``trend_*``; a slope
    away from 0 means the limits of agreement do not hold over the whole range.

    Validated against the worked example of Bland & Altman (1986) (peak expiratory flow by the
    Wright and mini Wright meters, 17 subjects: bias -2.1, SD 38.8, limits -79.7 to 75.5, CIs of
    the limits -114.3 to -45.1 and 40.9 to 110.1), and against R 4.2.2 base functions (``mean``,
    ``sd``, ``qt``, ``qnorm``, ``lm`` and ``confint`` for the trend;
    ``tests/reference/bland_altman.R``) on seeded data, to 6 decimals; the exact intervals
    against R's noncentral t quantiles (``qt(p, df, ncp)``, same script); the coverage of the
    approximate and exact intervals by a seeded simulation (tests/stats/test_bland_altman.py).

    References
    ----------
    Bland JM, Altman DG. Statistical methods for assessing agreement between two methods of
    clinical measurement. Lancet 1986;1(8476):307-310.
    Bland JM, Altman DG. Measuring agreement in method comparison studies. Stat Methods Med Res
    1999;8(2):135-160.
    Carkeet A. Exact parametric confidence intervals for Bland-Altman limits of agreement.
    Optom Vis Sci 2015;92(3):e71-e80.

    Examples
    --------
    >>> import vbq
    >>> cohort, _ = vbq.demo.load()
    >>> both = cohort.dropna(subset=["vbq_obs2"])
    >>> first = vbq.compute_vbq(both[["si_l1", "si_l2", "si_l3", "si_l4"]].to_numpy(),
    ...                         both["si_csf"].to_numpy()).vbq
    >>> res = bland_altman(first, both["vbq_obs2"])
    >>> res.n == len(both)
    True
    """
    confidence = _v.check_confidence(confidence)
    limits = _v.check_proportion(limits, "limits")
    limits_ci = _v.check_choice(limits_ci, "limits_ci", tuple(LIMITS_CI_METHODS))
    if multiplier is not None:
        multiplier = _v.check_number(multiplier, "multiplier")
        if not 0 < multiplier < np.inf:
            raise InputError(f"multiplier: expected a positive number, got {multiplier!r}")
    va, vb = _v.as_float_1d(a, "a"), _v.as_float_1d(b, "b")
    _v.check_same_length(("a", va), ("b", vb))
    for name, arr in (("a", va), ("b", vb)):
        if np.isinf(arr).any():
            raise InputError(f"{name}: expected finite numbers, got an infinite value")
    complete, n_missing = _v.complete_cases(va, vb)
    n = len(va) - n_missing
    if n < 2:
        raise DegenerateInputError(
            f"bland_altman: need at least 2 complete pairs, got {n} "
            f"({n_missing} pair(s) with a missing value)"
        )
    x, y = va[complete], vb[complete]
    d = x - y
    bias = float(d.mean())
    sd = float(d.std(ddof=1))
    notes: list[str] = []
    # differences equal within rounding: the SD is exactly 0 in theory
    if sd <= 64 * np.finfo(float).eps * max(1.0, float(np.abs(d).max())):
        sd = 0.0
        notes.append(
            "all differences are equal: the SD is 0, the limits equal the bias and every "
            "interval has zero width"
        )
    if multiplier is None:
        z = float(special.ndtri((1 + limits) / 2))
    else:
        z = multiplier
        limits = float(2 * special.ndtr(z) - 1)
    t = float(stats.t.ppf((1 + confidence) / 2, n - 1))
    se_bias = sd / np.sqrt(n)
    lo, hi = bias - z * sd, bias + z * sd
    loa_low_ci, loa_high_ci = _limits_ci(bias, sd, n, z, confidence, limits_ci)
    means = (x + y) / 2
    if sd == 0.0:  # equal differences: no trend, and nothing to test it against
        slope, intercept, slope_ci, p_trend = 0.0, bias, (0.0, 0.0), float("nan")
    else:
        slope, intercept, slope_ci, p_trend = _trend(means, d, confidence, notes)
    means, d = _v.frozen_array(means), _v.frozen_array(d)
    return BlandAltmanResult(
        bias=bias,
        sd=sd,
        loa_low=float(lo),
        loa_high=float(hi),
        multiplier=z,
        bias_ci=(float(bias - t * se_bias), float(bias + t * se_bias)),
        loa_low_ci=loa_low_ci,
        loa_high_ci=loa_high_ci,
        limits_ci_method=limits_ci,
        t_quantile=t,
        trend_slope=slope,
        trend_intercept=intercept,
        trend_slope_ci=slope_ci,
        trend_p_value=p_trend,
        n=n,
        n_missing=n_missing,
        limits=float(limits),
        confidence=float(confidence),
        means=means,
        differences=d,
        notes=tuple(notes),
    )


def _limits_ci(bias: float, sd: float, n: int, z: float, confidence: float, how: str):
    """(lower limit's CI, upper limit's CI) by the method `how` (see `bland_altman`'s Notes)."""
    lo, hi = bias - z * sd, bias + z * sd
    if how == "exact":
        # quantiles of sqrt(n) (mu + z sigma - dbar) / s: noncentral t, n - 1 df, ncp sqrt(n) z
        q_low, q_high = stats.nct.ppf([(1 - confidence) / 2, (1 + confidence) / 2],
                                      n - 1, np.sqrt(n) * z)
        k_low, k_high = sd * float(q_low) / np.sqrt(n), sd * float(q_high) / np.sqrt(n)
        return ((float(bias - k_high), float(bias - k_low)),
                (float(bias + k_low), float(bias + k_high)))
    t = float(stats.t.ppf((1 + confidence) / 2, n - 1))
    if how == "approximate":
        se = sd * np.sqrt(1 / n + z**2 / (2 * (n - 1)))
    else:  # "bland-altman-1986"
        se = np.sqrt(3 * sd**2 / n)
    return ((float(lo - t * se), float(lo + t * se)), (float(hi - t * se), float(hi + t * se)))


def _trend(means: np.ndarray, d: np.ndarray, confidence: float, notes: list[str]):
    """OLS of the differences on the means: slope, intercept, slope CI, p of slope = 0."""
    nan = float("nan")
    n = len(d)
    sxx = float(((means - means.mean()) ** 2).sum())
    if n < 3 or sxx <= 64 * np.finfo(float).eps * max(1.0, float((means**2).sum())):
        notes.append("the trend of the differences with the mean needs at least 3 pairs with "
                     "different means; not computed (NaN)")
        return nan, nan, (nan, nan), nan
    fit = stats.linregress(means, d)
    half = float(stats.t.ppf((1 + confidence) / 2, n - 2)) * float(fit.stderr)
    slope = float(fit.slope)
    return slope, float(fit.intercept), (slope - half, slope + half), float(fit.pvalue)
