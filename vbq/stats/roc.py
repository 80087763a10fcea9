"""ROC analysis of a screening score: AUC with DeLong or bootstrap CI, cutoffs, comparisons.

The study (Chen et al. 2023) derives the VBQ threshold for osteoporosis from the control group's ROC
curve by the Youden index. This module reproduces that analysis and the comparisons around it:

- `roc_analysis`: the curve, AUC with a DeLong (or stratified bootstrap) CI, the Youden-optimal and
  closest-to-top-left cutoffs, and the metrics at any cutoff (`ROCResult.at`).
- `delong_test` / `delong_test_unpaired` / `compare_markers`: DeLong comparisons of AUCs.
- `bootstrap_cutoff`: the sampling variability and optimism of the Youden cutoff.
- `grey_zone`: a two-threshold rule-out / refer-to-DXA / rule-in triage.
- `combined_marker`: a logistic combination of several predictors with a cross-validated AUC.

Conventions (all as in R's pROC 1.18.0, which every reference value in the tests comes from):

- Direction is explicit, never guessed. With ``higher_is_positive=True`` a patient is called positive
  when ``score >= cutoff`` (pROC ``direction = "<"``); with ``False`` when ``score <= cutoff``
  (pROC ``direction = ">"``). An AUC below 0.5 is kept as it is and flagged in ``summary()``.
- The candidate cutoffs are pROC's: the midpoints between consecutive distinct scores, plus -inf
  and +inf. A midpoint never equals an observed score, so ``>=`` and ``>`` agree on the data.
- The AUC is the Mann-Whitney probability P(score_pos > score_neg) + 0.5 P(tie), equal to the
  trapezoidal area under the empirical curve.

Internally every score is turned into ``s = score`` (higher is positive) or ``s = -score`` (lower
is positive), so all kernels work in one orientation. Each kernel sorts once and works on the
distinct values with their positive/negative counts: curve, AUC, DeLong placements (Sun & Xu 2014
midranks) and Youden all come from the same cumulative counts, in O(n log n).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import special
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from vbq.errors import DegenerateInputError, InputError

from ._threads import one_blas_thread
from ._validation import (
    as_float_1d,
    check_bool,
    check_choice,
    check_confidence,
    check_int,
    check_number,
    check_proportion,
    check_same_length,
    complete_cases,
)

__all__ = [
    "BootstrapCutoffResult",
    "CombinedMarkerResult",
    "CutoffMetrics",
    "DeLongTestResult",
    "DeLongUnpairedResult",
    "GreyZoneResult",
    "MarkerComparison",
    "PredictiveValues",
    "ROCResult",
    "bootstrap_cutoff",
    "combined_marker",
    "compare_markers",
    "delong_test",
    "delong_test_unpaired",
    "grey_zone",
    "roc_analysis",
    "round_cutoff",
]

_CI_METHODS = ("delong", "bootstrap")
# Cap on the number of cells of one (resamples x values) count matrix in the bootstraps, so memory
# stays near 100 MB whatever n is; resamples are processed in chunks of that size.
_MAX_BOOT_CELLS = 4_000_000


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------
def _prepare(
    y_true: Any, *scores: tuple[Any, str], label: str = "y_true"
) -> tuple[np.ndarray, list[np.ndarray], int]:
    """Validate the labels (parameter `label`) and the scores; drop (and count) patients with a
    NaN anywhere.

    Returns the boolean labels, the float scores and the number of dropped patients.
    """
    y = as_float_1d(y_true, label)
    arrays = [as_float_1d(values, name) for values, name in scores]
    check_same_length((label, y), *[(name, arr) for arr, (_, name) in
                                       zip(arrays, scores, strict=True)])
    keep, n_missing = complete_cases(y, *arrays)
    if n_missing:
        y = y[keep]
        arrays = [arr[keep] for arr in arrays]
    bad = (y != 0.0) & (y != 1.0)
    if bad.any():
        raise InputError(
            f"{label}: expected 0/1 (or False/True), got other values, e.g. "
            f"{np.unique(y[bad])[:5].tolist()}"
        )
    for arr, (_, name) in zip(arrays, scores, strict=True):
        if not np.isfinite(arr).all():
            raise InputError(f"{name}: expected finite numbers, got +/-inf")
    yb = y == 1.0
    n_pos = int(np.count_nonzero(yb))
    n_neg = int(yb.shape[0] - n_pos)
    if n_pos == 0 or n_neg == 0:
        missing = f"positives ({label} == 1)" if n_pos == 0 else f"negatives ({label} == 0)"
        raise DegenerateInputError(
            f"{label} has no {missing}: one class only ({n_pos} positive, {n_neg} negative after "
            f"dropping {n_missing} with missing values); the ROC curve is undefined"
        )
    return yb, arrays, n_missing


# --------------------------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Groups:
    """Distinct oriented scores ``values`` (ascending) with their positive and negative counts."""

    values: np.ndarray
    pos: np.ndarray
    neg: np.ndarray
    order: np.ndarray  # argsort of the oriented scores
    group_sorted: np.ndarray  # group index of each sorted position

    @property
    def n_pos(self) -> int:
        return int(self.pos.sum())

    @property
    def n_neg(self) -> int:
        return int(self.neg.sum())


def _group_counts(y: np.ndarray, s: np.ndarray) -> _Groups:
    """Sort once and count positives and negatives per distinct value (ties by design)."""
    order = np.argsort(s)  # stability is irrelevant: equal values end up in one group
    s_sorted = s[order]
    y_sorted = y[order]
    n = s.shape[0]
    is_new = np.empty(n, dtype=bool)
    is_new[0] = True
    np.not_equal(s_sorted[1:], s_sorted[:-1], out=is_new[1:])
    starts = np.flatnonzero(is_new)
    ends = np.append(starts[1:], n)
    cum_pos = np.concatenate(([0], np.cumsum(y_sorted, dtype=np.int64)))
    pos = cum_pos[ends] - cum_pos[starts]
    neg = (ends - starts) - pos
    group_sorted = np.cumsum(is_new) - 1
    return _Groups(s_sorted[starts], pos, neg, order, group_sorted)


def _midpoint(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """pROC's threshold between oriented values a < b (roc.utils.thresholds), elementwise.

    The midpoint (a + b) / 2; a / 2 + b / 2 when that overflows; and when a and b are adjacent
    floats so the midpoint rounds onto ``a``, ``b`` itself, so ``s >= t`` still splits a from b.
    ``b = +inf`` gives +inf. The one midpoint rule of the curve and of the bootstrap.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        mid = (a + b) / 2.0
        mid = np.where(np.abs(mid) > 1e100, a / 2.0 + b / 2.0, mid)
    return np.where(mid == a, b, mid)


def _curve_counts(g: _Groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Thresholds (oriented, ascending) with tp and fp; positive iff ``s >= threshold``.

    Threshold k (k = 0..U) lies just below distinct value k: -inf, the U - 1 midpoints, +inf.
    """
    thr = np.concatenate(([-np.inf], _midpoint(g.values[:-1], g.values[1:]), [np.inf]))
    tp = g.n_pos - np.concatenate(([0], np.cumsum(g.pos)))
    fp = g.n_neg - np.concatenate(([0], np.cumsum(g.neg)))
    return thr, tp, fp


@one_blas_thread
def _delong_group_placements(g: _Groups) -> tuple[np.ndarray, np.ndarray, float]:
    """DeLong placements per distinct value and the AUC (theta).

    Hand-written: scikit-learn, scipy and statsmodels have no DeLong variance. For a positive with
    value v, V10 = (#neg < v + #neg == v / 2) / n_neg; for a negative, V01 = (#pos > v +
    #pos == v / 2) / n_pos. These are Sun & Xu's (2014) midrank expressions (Tz - Tx) / n_neg and
    1 - (Tz - Ty) / n_pos, computed from cumulative counts per distinct value.
    """
    m, n = g.n_pos, g.n_neg
    neg_below = np.cumsum(g.neg) - g.neg
    pos_above = m - np.cumsum(g.pos)
    twice_v10 = 2 * neg_below + g.neg  # integers: exact
    v10 = twice_v10 / (2.0 * n)
    v01 = (2 * pos_above + g.pos) / (2.0 * m)
    theta = float(np.dot(g.pos, twice_v10)) / (2.0 * m * n)
    return v10, v01, theta


@one_blas_thread
def _delong_variance(g: _Groups) -> tuple[float, np.ndarray, np.ndarray, float]:
    """AUC and its DeLong variance S10/m + S01/n (pROC's ci.auc.delong), plus group placements."""
    v10, v01, theta = _delong_group_placements(g)
    m, n = g.n_pos, g.n_neg
    if m < 2 or n < 2:
        return theta, v10, v01, math.nan
    s10 = float(np.dot(g.pos, (v10 - theta) ** 2)) / (m - 1)
    s01 = float(np.dot(g.neg, (v01 - theta) ** 2)) / (n - 1)
    return theta, v10, v01, s10 / m + s01 / n


def _patient_placements(y: np.ndarray, g: _Groups) -> tuple[np.ndarray, float]:
    """Each patient's DeLong placement (V10 if positive, V01 if negative), in input order."""
    v10, v01, theta = _delong_group_placements(g)
    y_sorted = y[g.order]
    gs = g.group_sorted
    per_sorted = np.where(y_sorted, v10[gs], v01[gs])
    out = np.empty_like(per_sorted)
    out[g.order] = per_sorted
    return out, theta


def _orient(s: np.ndarray, higher_is_positive: bool) -> np.ndarray:
    return s if higher_is_positive else -s


def _wilson(count: int, nobs: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927): statsmodels' ``proportion_confint(method="wilson")``,
    as R's ``prop.test(correct = FALSE)``; (NaN, NaN) when there is no one to count."""
    if nobs == 0:
        return (math.nan, math.nan)
    low, high = proportion_confint(count, nobs, alpha=1.0 - confidence, method="wilson")
    return (float(low), float(high))


def _containing(
    name: str, estimate: float, ci: tuple[float, float], undefined: str, notes: list[str]
) -> tuple[float, float]:
    """`ci` extended to contain `estimate` (a note says which bound moved); (NaN, NaN) and a
    note when the estimate is undefined."""
    if math.isnan(estimate):
        notes.append(f"{name} undefined (0/0) with {undefined}; no interval is given")
        return (math.nan, math.nan)
    low, high = ci
    if low <= estimate <= high:
        return ci
    side = "lower" if estimate < low else "upper"
    notes.append(
        f"the adjusted-logit interval of the {name} ({low:.3f}-{high:.3f}) excluded the estimate "
        f"{estimate:.3f} (sensitivity or specificity at 0 or 1); its {side} bound was moved to "
        "the estimate"
    )
    return (min(low, estimate), max(high, estimate))


def _ratio(num: float, den: float) -> float:
    """num / den with 0/0 -> NaN and x/0 -> inf (likelihood ratios at a perfect specificity)."""
    if den == 0:
        return math.nan if num == 0 else math.inf
    return num / den


def _auc_bootstrap(
    g: _Groups, y_sorted_groups: tuple[np.ndarray, np.ndarray], n_boot: int, seed: int
) -> np.ndarray:
    """AUC of ``n_boot`` stratified resamples (positives and negatives resampled separately).

    Vectorized: each resample is reduced to counts per distinct value, and its AUC is the
    Mann-Whitney sum over those counts. Resample b uses row b of ``rng.integers(0, n_pos,
    (n_boot, n_pos))`` (indices into the positives in input order) then of ``rng.integers(0,
    n_neg, (n_boot, n_neg))``; large n are drawn in chunks of resamples.
    """
    gid_pos, gid_neg = y_sorted_groups
    m, n, u = gid_pos.shape[0], gid_neg.shape[0], g.values.shape[0]
    rng = np.random.default_rng(seed)
    chunk = max(1, _MAX_BOOT_CELLS // max(m + n, u))
    aucs = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        rows = np.arange(b)[:, None] * u
        pc = np.bincount((rows + gid_pos[rng.integers(0, m, (b, m))]).ravel(), minlength=b * u)
        qc = np.bincount((rows + gid_neg[rng.integers(0, n, (b, n))]).ravel(), minlength=b * u)
        pc = pc.reshape(b, u)
        qc = qc.reshape(b, u)
        below = np.cumsum(qc, axis=1) - qc
        aucs[start : start + b] = np.einsum("ij,ij->i", pc, 2 * below + qc) / (2.0 * m * n)
    return aucs


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PredictiveValues:
    """PPV and NPV at a given prevalence, from sensitivity and specificity by Bayes' theorem.

    Attributes
    ----------
    prevalence : float
        The prevalence the values are computed for.
    ppv, npv : float
        Bayes estimates; NaN when undefined (0/0: no one would be called positive / negative).
    ppv_ci, npv_ci : tuple of float
        Adjusted-logit intervals of Mercaldo, Lau & Zhou (2007), extended where needed so that
        each contains its estimate; (NaN, NaN) with an undefined estimate. See `notes`.
    confidence : float
        Confidence level of the intervals.
    method : str
        Name of the interval method.
    notes : tuple of str
        Why an estimate is undefined, or which interval bound was moved to the estimate.
    """

    prevalence: float
    ppv: float
    ppv_ci: tuple[float, float]
    npv: float
    npv_ci: tuple[float, float]
    confidence: float
    method: str = "Bayes; adjusted logit CI (Mercaldo, Lau & Zhou 2007)"
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per predictive value."""
        return pd.DataFrame(
            {
                "term": ["ppv", "npv"],
                "estimate": [self.ppv, self.npv],
                "ci_low": [self.ppv_ci[0], self.npv_ci[0]],
                "ci_high": [self.ppv_ci[1], self.npv_ci[1]],
                "prevalence": [self.prevalence, self.prevalence],
                "method": [self.method, self.method],
            }
        )

    def summary(self) -> str:
        """Readable text."""
        pct = f"{100 * self.confidence:g}%"
        text = (
            f"At prevalence {self.prevalence:.3g}: PPV {self.ppv:.3f} ({pct} CI "
            f"{self.ppv_ci[0]:.3f}-{self.ppv_ci[1]:.3f}), NPV {self.npv:.3f} ({pct} CI "
            f"{self.npv_ci[0]:.3f}-{self.npv_ci[1]:.3f}); {self.method}."
        )
        return "\n".join([text, *(f"Note: {n}." for n in self.notes)])


@dataclass(frozen=True)
class CutoffMetrics:
    """The 2x2 table and its metrics at one cutoff.

    A patient is called positive when ``score >= cutoff`` (``higher_is_positive``) or
    ``score <= cutoff`` (otherwise).

    Attributes
    ----------
    cutoff : float
    higher_is_positive : bool
    tp, fp, tn, fn : int
        Cell counts.
    sensitivity, specificity : float
        tp / (tp + fn) and tn / (tn + fp).
    sensitivity_ci, specificity_ci : tuple of float
        Wilson score intervals (R ``prop.test(x, n, correct = FALSE)$conf.int``).
    ppv, npv : float
        At the sample's prevalence: tp / (tp + fp), tn / (tn + fn); NaN when no patient is called
        positive (negative). See `ppv_npv_at_prevalence` for another prevalence.
    lr_pos, lr_neg : float
        sensitivity / (1 - specificity) and (1 - sensitivity) / specificity; inf when the
        denominator is 0 and the numerator is not, NaN for 0/0.
    accuracy : float
        (tp + tn) / n.
    youden : float
        sensitivity + specificity - 1.
    confidence : float
        Level of the intervals.
    """

    cutoff: float
    higher_is_positive: bool
    tp: int
    fp: int
    tn: int
    fn: int
    sensitivity: float
    sensitivity_ci: tuple[float, float]
    specificity: float
    specificity_ci: tuple[float, float]
    ppv: float
    npv: float
    lr_pos: float
    lr_neg: float
    accuracy: float
    youden: float
    confidence: float

    @classmethod
    def _from_counts(
        cls, cutoff: float, higher_is_positive: bool, tp: int, fp: int, n_pos: int, n_neg: int,
        confidence: float,
    ) -> CutoffMetrics:
        tp, fp = int(tp), int(fp)
        fn, tn = n_pos - tp, n_neg - fp
        sens, spec = tp / n_pos, tn / n_neg
        return cls(
            cutoff=float(cutoff),
            higher_is_positive=higher_is_positive,
            tp=tp,
            fp=fp,
            tn=tn,
            fn=fn,
            sensitivity=sens,
            sensitivity_ci=_wilson(tp, n_pos, confidence),
            specificity=spec,
            specificity_ci=_wilson(tn, n_neg, confidence),
            ppv=_ratio(tp, tp + fp),
            npv=_ratio(tn, tn + fn),
            lr_pos=_ratio(sens, 1.0 - spec),
            lr_neg=_ratio(1.0 - sens, spec),
            accuracy=(tp + tn) / (n_pos + n_neg),
            youden=sens + spec - 1.0,
            confidence=confidence,
        )

    def ppv_npv_at_prevalence(self, prevalence: float) -> PredictiveValues:
        """PPV and NPV with CIs at a prevalence other than the sample's.

        Parameters
        ----------
        prevalence : float
            Prevalence of the target condition in the population of interest, in (0, 1).

        Returns
        -------
        PredictiveValues

        Raises
        ------
        InputError
            If `prevalence` is not in (0, 1).

        Notes
        -----
        Bayes' theorem with p the prevalence, Se the sensitivity and Sp the specificity:
        PPV = p Se / (p Se + (1 - p)(1 - Sp)), NPV = (1 - p) Sp / ((1 - p) Sp + p (1 - Se)).
        The CIs propagate the binomial uncertainty of Se and Sp (the prevalence is taken as known)
        by the delta method on the logit scale, with Mercaldo et al.'s adjustment (z^2 / 2 added
        to each of tp, fn, tn, fp, which keeps the interval defined at Se or Sp of 0 or 1):
        Var(logit PPV) = (1 - Se~) / (Se~ n1~) + Sp~ / ((1 - Sp~) n0~),
        Var(logit NPV) = Se~ / ((1 - Se~) n1~) + (1 - Sp~) / (Sp~ n0~),
        with the tilde quantities from the adjusted counts and logit PPV~ = log(p Se~ / ((1 - p)
        (1 - Sp~))). Suited to case-control samples, whose own prevalence is not the
        population's.

        The point estimate is the unadjusted Bayes value, and it always lies in its interval:
        the adjustment pulls the interval toward 1/2, so where Se or Sp is 0 or 1 the adjusted
        interval can exclude the estimate (Se 0.8, Sp 1: PPV 1 against an interval ending at
        0.91). There the bound on the estimate's side is moved to the estimate (the interval
        becomes [0.375, 1]: the data cannot exclude a PPV of 1), and `notes` says so. Where the
        estimate is 0/0 (PPV with Se 0 and Sp 1: nobody would test positive; NPV with Se 1 and
        Sp 0) it is NaN, its interval is (NaN, NaN) and `notes` says why.

        Validated against: the same formulas written out in the tests (as in R CIfinder's
        ``ppv_npv_ci(method = "zhou", continuity.correction = TRUE)``, not installed here).

        References
        ----------
        Mercaldo ND, Lau KF, Zhou XH. Confidence intervals for predictive values with an emphasis
        to case-control studies. Stat Med 2007;26:2170-2183.

        Examples
        --------
        >>> m = roc_analysis([0, 0, 1, 1, 0, 1], [1.0, 2.0, 3.0, 4.0, 2.5, 2.2]).best
        >>> pv = m.ppv_npv_at_prevalence(0.2)
        """
        p = check_proportion(prevalence, "prevalence")
        n1, n0 = self.tp + self.fn, self.tn + self.fp
        se, sp = self.sensitivity, self.specificity
        ppv = _ratio(p * se, p * se + (1.0 - p) * (1.0 - sp))
        npv = _ratio((1.0 - p) * sp, (1.0 - p) * sp + p * (1.0 - se))
        z = float(special.ndtri(0.5 + self.confidence / 2.0))
        k = z * z / 2.0
        n1a, n0a = n1 + 2.0 * k, n0 + 2.0 * k
        sea, spa = (self.tp + k) / n1a, (self.tn + k) / n0a
        logit_ppv = math.log(p * sea / ((1.0 - p) * (1.0 - spa)))
        logit_npv = math.log((1.0 - p) * spa / (p * (1.0 - sea)))
        half_ppv = z * math.sqrt((1.0 - sea) / (sea * n1a) + spa / ((1.0 - spa) * n0a))
        half_npv = z * math.sqrt(sea / ((1.0 - sea) * n1a) + (1.0 - spa) / (spa * n0a))
        expit = special.expit
        notes: list[str] = []
        ppv_ci = _containing(
            "PPV", ppv, (float(expit(logit_ppv - half_ppv)), float(expit(logit_ppv + half_ppv))),
            "sensitivity 0 and specificity 1: nobody would test positive", notes)
        npv_ci = _containing(
            "NPV", npv, (float(expit(logit_npv - half_npv)), float(expit(logit_npv + half_npv))),
            "sensitivity 1 and specificity 0: nobody would test negative", notes)
        return PredictiveValues(
            prevalence=p,
            ppv=ppv,
            ppv_ci=ppv_ci,
            npv=npv,
            npv_ci=npv_ci,
            confidence=self.confidence,
            notes=tuple(notes),
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per metric (Wilson CIs for sensitivity and specificity)."""
        nan2 = (math.nan, math.nan)
        rows = [
            ("sensitivity", self.sensitivity, self.sensitivity_ci, self.tp + self.fn, "Wilson"),
            ("specificity", self.specificity, self.specificity_ci, self.tn + self.fp, "Wilson"),
            ("ppv", self.ppv, nan2, self.tp + self.fp, "sample prevalence"),
            ("npv", self.npv, nan2, self.tn + self.fn, "sample prevalence"),
            ("lr_pos", self.lr_pos, nan2, self.n, ""),
            ("lr_neg", self.lr_neg, nan2, self.n, ""),
            ("accuracy", self.accuracy, nan2, self.n, ""),
            ("youden", self.youden, nan2, self.n, ""),
        ]
        frame = pd.DataFrame(
            {
                "term": [r[0] for r in rows],
                "estimate": [r[1] for r in rows],
                "ci_low": [r[2][0] for r in rows],
                "ci_high": [r[2][1] for r in rows],
                "n": [r[3] for r in rows],
                "method": [r[4] for r in rows],
            }
        )
        frame.insert(0, "cutoff", self.cutoff)
        return frame

    @property
    def n(self) -> int:
        """Number of patients in the table."""
        return self.tp + self.fp + self.tn + self.fn

    def summary(self) -> str:
        """Readable text."""
        op = ">=" if self.higher_is_positive else "<="
        pct = f"{100 * self.confidence:g}%"
        return (
            f"Positive when score {op} {self.cutoff:.6g}: TP {self.tp}, FP {self.fp}, "
            f"TN {self.tn}, FN {self.fn}. Sensitivity {self.sensitivity:.3f} ({pct} Wilson CI "
            f"{self.sensitivity_ci[0]:.3f}-{self.sensitivity_ci[1]:.3f}), specificity "
            f"{self.specificity:.3f} ({self.specificity_ci[0]:.3f}-{self.specificity_ci[1]:.3f}), "
            f"PPV {self.ppv:.3f}, NPV {self.npv:.3f}, LR+ {self.lr_pos:.3g}, LR- {self.lr_neg:.3g}, "
            f"Youden {self.youden:.3f}."
        )


@dataclass(frozen=True, eq=False)
class ROCResult:
    """Result of `roc_analysis`.

    Attributes
    ----------
    auc : float
        Area under the empirical ROC curve, in the stated direction (never flipped).
    auc_ci : tuple of float
        (low, high) at `confidence`; DeLong normal interval clipped to [0, 1] as pROC does, or
        the percentile interval of a stratified bootstrap. (NaN, NaN) when undefined, see `ci_note`.
    auc_se : float
        DeLong standard error, or the SD of the bootstrap AUCs.
    ci_method : str
        ``"delong"`` or ``"bootstrap"``.
    confidence : float
    n_boot : int or None
        Bootstrap resamples (None for DeLong).
    seed : int or None
        Seed of the bootstrap (None for DeLong).
    ci_note : str or None
        Why the CI is degenerate or undefined (n_pos or n_neg < 2, zero variance), else None.
    n_pos, n_neg, n_missing : int
        Patients per class used, and patients dropped for a missing label or score.
    higher_is_positive : bool
    fpr, tpr, thresholds : numpy.ndarray
        The full empirical curve ordered by increasing fpr (from (0, 0) to (1, 1)); thresholds on
        the score's scale, pROC's midpoints, starting at +inf (-inf when lower is positive).
    cutoff : float
        Youden-optimal cutoff (maximal sensitivity + specificity, pROC's
        ``coords(r, "best", best.method = "youden")``). When several cutoffs tie, the one with the
        highest sensitivity (all are in `cutoff_ties`). It is +/-inf when no finite cutoff beats
        calling everyone positive (e.g. a constant score).
    cutoff_ties : tuple of float
        All Youden-optimal cutoffs, in the order of increasing fpr.
    sensitivity, specificity, ppv, npv, youden : float
        At `cutoff` (ppv, npv at the sample's prevalence).
    best : CutoffMetrics
        Everything at `cutoff`, with Wilson CIs.
    closest_topleft_cutoff : float
        The cutoff minimising (1 - sens)^2 + (1 - spec)^2 (pROC ``best.method =
        "closest.topleft"``); ties broken the same way.
    closest_topleft : CutoffMetrics
    fixed : CutoffMetrics or None
        Metrics at the user's `cutoff` argument.
    at_target_sensitivity, at_target_specificity : CutoffMetrics or None
        The cutoff with the highest specificity among those with sensitivity >= the target (and
        the highest sensitivity among those with specificity >= the target).
    """

    auc: float
    auc_ci: tuple[float, float]
    auc_se: float
    ci_method: str
    confidence: float
    n_boot: int | None
    seed: int | None
    ci_note: str | None
    n_pos: int
    n_neg: int
    n_missing: int
    higher_is_positive: bool
    fpr: np.ndarray = field(repr=False)
    tpr: np.ndarray = field(repr=False)
    thresholds: np.ndarray = field(repr=False)
    cutoff: float
    cutoff_ties: tuple[float, ...]
    sensitivity: float
    specificity: float
    ppv: float
    npv: float
    youden: float
    best: CutoffMetrics = field(repr=False)
    closest_topleft_cutoff: float
    closest_topleft: CutoffMetrics = field(repr=False)
    fixed: CutoffMetrics | None = field(repr=False)
    at_target_sensitivity: CutoffMetrics | None = field(repr=False)
    at_target_specificity: CutoffMetrics | None = field(repr=False)
    # distinct oriented scores and cumulative class counts, for `at`
    _values: np.ndarray = field(repr=False)
    _cum_pos: np.ndarray = field(repr=False)
    _cum_neg: np.ndarray = field(repr=False)

    def at(self, cutoff: float) -> CutoffMetrics:
        """Metrics when patients with ``score >= cutoff`` (or ``<=``, lower positive) are positive.

        Parameters
        ----------
        cutoff : float
            Any value, e.g. the paper's rounded threshold 2.9.

        Returns
        -------
        CutoffMetrics

        Raises
        ------
        InputError
            If `cutoff` is not a number or is NaN.
        """
        return _metrics_at_value(
            cutoff, self._values, self._cum_pos, self._cum_neg, self.higher_is_positive,
            self.confidence,
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: AUC, then cutoff and metrics at the Youden cutoff."""
        n = self.n_pos + self.n_neg
        ci_name = "DeLong" if self.ci_method == "delong" else "stratified percentile bootstrap"
        b = self.best
        rows = [
            ("auc", self.auc, self.auc_ci, n, f"empirical AUC, {ci_name} CI"),
            ("youden_cutoff", self.cutoff, (math.nan, math.nan), n, "Youden index"),
            ("sensitivity", b.sensitivity, b.sensitivity_ci, self.n_pos, "Wilson"),
            ("specificity", b.specificity, b.specificity_ci, self.n_neg, "Wilson"),
            ("ppv", b.ppv, (math.nan, math.nan), b.tp + b.fp, "sample prevalence"),
            ("npv", b.npv, (math.nan, math.nan), b.tn + b.fn, "sample prevalence"),
            ("closest_topleft_cutoff", self.closest_topleft_cutoff, (math.nan, math.nan), n,
             "closest to (0, 1)"),
        ]
        return pd.DataFrame(
            {
                "term": [r[0] for r in rows],
                "estimate": [r[1] for r in rows],
                "ci_low": [r[2][0] for r in rows],
                "ci_high": [r[2][1] for r in rows],
                "n": [r[3] for r in rows],
                "method": [r[4] for r in rows],
            }
        )

    def summary(self) -> str:
        """Readable text, including a warning when the AUC is below 0.5."""
        pct = f"{100 * self.confidence:g}%"
        direction = "higher" if self.higher_is_positive else "lower"
        ci = "DeLong" if self.ci_method == "delong" else (
            f"stratified bootstrap, {self.n_boot} resamples, seed {self.seed}"
        )
        lines = [
            f"ROC analysis: {self.n_pos} positive, {self.n_neg} negative, {self.n_missing} dropped "
            f"for missing values; {direction} score = positive.",
            f"AUC {self.auc:.3f} ({pct} CI {self.auc_ci[0]:.3f}-{self.auc_ci[1]:.3f}, {ci}).",
        ]
        if self.ci_note:
            lines.append(f"Note on the CI: {self.ci_note}.")
        if self.auc < 0.5:
            lines.append(
                f"Warning: AUC < 0.5 in the stated direction ({direction} score = positive): the "
                "score ranks negatives above positives. It was not flipped; check the direction."
            )
        lines.append(f"Youden cutoff: {self.best.summary()}")
        if len(self.cutoff_ties) > 1:
            lines.append(
                f"{len(self.cutoff_ties)} cutoffs tie on the Youden index; the one with the highest "
                "sensitivity is reported."
            )
        lines.append(f"Closest to top-left: cutoff {self.closest_topleft_cutoff:.6g}.")
        if self.fixed is not None:
            lines.append(f"At the given cutoff: {self.fixed.summary()}")
        return "\n".join(lines)


def _metrics_at_value(
    cutoff: Any, values: np.ndarray, cum_pos: np.ndarray, cum_neg: np.ndarray,
    higher_is_positive: bool, confidence: float,
) -> CutoffMetrics:
    """Metrics at a user cutoff from the distinct oriented values and cumulative class counts."""
    c = check_number(cutoff, "cutoff")
    oriented = c if higher_is_positive else -c
    # positives are the patients with oriented score >= c: from the first distinct value >= c on
    k = int(np.searchsorted(values, oriented, side="left"))
    n_pos, n_neg = int(cum_pos[-1]), int(cum_neg[-1])
    tp = n_pos - int(cum_pos[k])
    fp = n_neg - int(cum_neg[k])
    return CutoffMetrics._from_counts(c, higher_is_positive, tp, fp, n_pos, n_neg, confidence)


def roc_analysis(
    y_true: Any,
    score: Any,
    *,
    higher_is_positive: bool = True,
    ci: str = "delong",
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
    cutoff: float | None = None,
    target_sensitivity: float | None = None,
    target_specificity: float | None = None,
) -> ROCResult:
    """ROC curve, AUC with CI, Youden and closest-top-left cutoffs, and metrics at a cutoff.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        Reference standard, 1 = condition present (e.g. osteoporosis by DXA).
    score : array-like of float
        The marker (e.g. VBQ). Pairs where the label or score is NaN are dropped and counted in
        ``n_missing``.
    higher_is_positive : bool, default True
        Direction, never guessed: True calls ``score >= cutoff`` positive (VBQ), False calls
        ``score <= cutoff`` positive (HU, T-score).
    ci : {"delong", "bootstrap"}, default "delong"
        CI of the AUC: DeLong's asymptotic variance, or a stratified percentile bootstrap.
    confidence : float, default 0.95
        Level of every interval.
    n_boot : int, default 2000
        Bootstrap resamples (``ci="bootstrap"`` only).
    seed : int, default 0
        Seed of the bootstrap (stored in the result).
    cutoff : float, optional
        A cutoff of your own (e.g. the paper's rounded 2.9); metrics in ``result.fixed``.
    target_sensitivity, target_specificity : float, optional
        In (0, 1]: report the best cutoff reaching this sensitivity (specificity).

    Returns
    -------
    ROCResult
        See its attributes; ``result.at(c)`` gives the metrics at any cutoff ``c``.

    Raises
    ------
    InputError
        Non-numeric or mis-shaped input, labels other than 0/1, infinite scores, invalid options.
    DegenerateInputError
        Only one class left after dropping missing values.

    Notes
    -----
    With m positives and n negatives, AUC = (1 / mn) sum_i sum_j [1(x_i > y_j) + 0.5 1(x_i = y_j)].
    DeLong variance: Var = S10 / m + S01 / n, where S10 and S01 are the sample variances
    (denominators m - 1, n - 1) of the placements V10(x_i) = mean_j psi(x_i, y_j) and
    V01(y_j) = mean_i psi(x_i, y_j); CI = AUC +/- z sqrt(Var), clipped to [0, 1]. The placements
    come from midranks (Sun & Xu 2014) computed on one sort, so the cost is O(n log n).

    Degenerate cases: with n_pos or n_neg < 2 the DeLong variance is undefined: ``auc_se`` and
    ``auc_ci`` are NaN and ``ci_note`` says why (pROC returns NA). When every placement equals the
    AUC (a constant score, AUC 0.5; or complete separation, AUC 0 or 1) the variance is 0 and the
    CI collapses onto the AUC; ``ci_note`` says so. A constant score gives AUC 0.5 and a Youden
    index of 0 at every cutoff; the reported cutoff is then -inf (everyone positive) when higher
    is positive (+inf otherwise), the highest-sensitivity tie, as pROC lists -Inf and Inf.

    The bootstrap resamples positives and negatives separately (pROC's ``boot.stratified = TRUE``)
    and takes R's type-7 quantiles of the resampled AUCs.

    Validated against: R 4.2.2, pROC 1.18.0: ``auc(r)``, ``ci.auc(r, method = "delong")``,
    ``var(r)``, ``coords(r, "best", best.method = "youden", ret = c("threshold", "sensitivity",
    "specificity", "ppv", "npv"))``, ``coords(r, "best", best.method = "closest.topleft")`` and
    ``coords(r, "all")`` with ``r = roc(y, x, direction = "<" or ">")``; Wilson CIs against
    ``prop.test(x, n, correct = FALSE)$conf.int``.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Comparing the areas under two or more correlated
    receiver operating characteristic curves: a nonparametric approach. Biometrics 1988;44:837-845.
    Sun X, Xu W. Fast implementation of DeLong's algorithm for comparing the areas under
    correlated receiver operating characteristic curves. IEEE Signal Process Lett 2014;21:1389-1393.
    Youden WJ. Index for rating diagnostic tests. Cancer 1950;3:32-35.
    Robin X et al. pROC: an open-source package for R and S+ to analyze and compare ROC curves.
    BMC Bioinformatics 2011;12:77.

    Examples
    --------
    >>> r = roc_analysis([0, 0, 1, 1, 0, 1], [2.1, 2.4, 3.0, 2.9, 2.6, 2.5])
    >>> float(r.auc)
    0.8888888888888888
    >>> r.cutoff
    2.45
    """
    higher_is_positive = check_bool(higher_is_positive, "higher_is_positive")
    confidence = check_confidence(confidence)
    check_choice(ci, "ci", _CI_METHODS)
    if ci == "bootstrap":
        check_int(n_boot, "n_boot", minimum=2)
        check_int(seed, "seed", minimum=0)
    for name, target in (("target_sensitivity", target_sensitivity),
                         ("target_specificity", target_specificity)):
        if target is not None:
            check_proportion(target, name, closed_high=True)

    y, (x,), n_missing = _prepare(y_true, (score, "score"))
    g = _group_counts(y, _orient(x, higher_is_positive))
    m, n = g.n_pos, g.n_neg

    # curve: oriented thresholds ascending (fpr descending); reversed for the result
    thr, tp, fp = _curve_counts(g)
    tpr = tp / m
    fpr = fp / n
    thr_score = thr if higher_is_positive else -thr

    # AUC and CI
    auc, _, _, var = _delong_variance(g)
    ci_note = None
    n_boot_out = seed_out = None
    if ci == "delong":
        if math.isnan(var):
            auc_se = math.nan
            auc_ci = (math.nan, math.nan)
            ci_note = (
                f"DeLong variance undefined with fewer than 2 patients in a class "
                f"(n_pos = {m}, n_neg = {n})"
            )
        else:
            auc_se = math.sqrt(var)
            z = float(special.ndtri(0.5 + confidence / 2.0))
            auc_ci = (max(0.0, auc - z * auc_se), min(1.0, auc + z * auc_se))
            if var == 0.0:
                ci_note = (
                    "DeLong variance is 0 (all placements equal the AUC: constant score or "
                    "complete separation); the CI collapses onto the AUC"
                )
    else:
        gid = np.empty(y.shape[0], dtype=np.int64)
        gid[g.order] = g.group_sorted  # distinct-value index of each patient, input order
        aucs = _auc_bootstrap(g, (gid[y], gid[~y]), n_boot, seed)
        alpha = 1.0 - confidence
        low, high = np.quantile(aucs, [alpha / 2.0, 1.0 - alpha / 2.0])
        auc_ci = (float(low), float(high))
        auc_se = float(np.std(aucs, ddof=1))
        n_boot_out, seed_out = int(n_boot), int(seed)

    # Youden and closest-top-left exactly as pROC computes them (se + 1 * sp; exact ties)
    se = tp / m
    sp = (n - fp) / n
    youden_crit = se + sp
    ties = np.flatnonzero(youden_crit == youden_crit.max())
    k_best = int(ties[0])  # lowest oriented threshold = highest sensitivity
    topleft_crit = -((1.0 - se) ** 2 + 1.0 * (1.0 - sp) ** 2)
    k_tl = int(np.argmax(topleft_crit))

    def metrics_at(k: int) -> CutoffMetrics:
        return CutoffMetrics._from_counts(
            thr_score[k], higher_is_positive, tp[k], fp[k], m, n, confidence
        )

    best = metrics_at(k_best)
    cum_pos = np.concatenate(([0], np.cumsum(g.pos)))
    cum_neg = np.concatenate(([0], np.cumsum(g.neg)))

    at_sens = at_spec = None
    if target_sensitivity is not None:
        k = int(np.flatnonzero(se >= target_sensitivity)[-1])  # k = 0 always qualifies
        at_sens = metrics_at(k)
    if target_specificity is not None:
        k = int(np.flatnonzero(sp >= target_specificity)[0])  # k = U always qualifies
        at_spec = metrics_at(k)

    return ROCResult(
        auc=auc,
        auc_ci=auc_ci,
        auc_se=auc_se,
        ci_method=ci,
        confidence=confidence,
        n_boot=n_boot_out,
        seed=seed_out,
        ci_note=ci_note,
        n_pos=m,
        n_neg=n,
        n_missing=n_missing,
        higher_is_positive=higher_is_positive,
        fpr=fpr[::-1].copy(),
        tpr=tpr[::-1].copy(),
        thresholds=thr_score[::-1].copy(),
        cutoff=best.cutoff,
        cutoff_ties=tuple(float(thr_score[k]) for k in ties[::-1]),
        sensitivity=best.sensitivity,
        specificity=best.specificity,
        ppv=best.ppv,
        npv=best.npv,
        youden=best.youden,
        best=best,
        closest_topleft_cutoff=float(thr_score[k_tl]),
        closest_topleft=metrics_at(k_tl),
        fixed=None if cutoff is None else _metrics_at_value(
            cutoff, g.values, cum_pos, cum_neg, higher_is_positive, confidence
        ),
        at_target_sensitivity=at_sens,
        at_target_specificity=at_spec,
        _values=g.values,
        _cum_pos=cum_pos,
        _cum_neg=cum_neg,
    )


def round_cutoff(cutoff: float, *, decimals: int = 1, higher_is_positive: bool = True) -> float:
    """Round a cutoff for clinical use toward the more specific side of the marker.

    Parameters
    ----------
    cutoff : float
        E.g. a Youden cutoff (VBQ 2.83, L1 HU 104.37). +/-inf is returned as it is.
    decimals : int, default 1
        Decimals kept, 0 to 6 (the paper: 1 for VBQ).
    higher_is_positive : bool, default True
        The marker's direction, as in `roc_analysis`. True (VBQ: positive when ``score >=
        cutoff``) rounds up; False (HU, T-score: positive when ``score <= cutoff``) rounds down.

    Returns
    -------
    float
        The rounded cutoff.

    Raises
    ------
    InputError
        `cutoff` not a number or NaN, `decimals` not an integer in 0-6, `higher_is_positive` not
        a bool.

    Notes
    -----
    Moving a cutoff away from the positive side calls fewer patients positive, so specificity
    cannot fall and sensitivity cannot rise: rounding up is the more specific side when higher
    scores are positive, rounding down when lower scores are. The paper's VBQ cutoffs 2.83 ->
    2.9 and 2.56 -> 2.6 are rounded up. The value is first rounded to 9 decimals at the target
    scale, so 2.6 stays 2.6 rather than going up to 2.7 through the binary 26.000000000000004.

    Validated against: the paper's adjusted thresholds (2.83 -> 2.9, 2.56 -> 2.6) and counts of
    patients on each side in the tests.

    References
    ----------
    Chen Z, et al. J Orthop Surg Res 2023;18:257 (the "adjustment threshold" of Table 4).

    Examples
    --------
    >>> round_cutoff(2.83)
    2.9
    >>> round_cutoff(104.37, decimals=0, higher_is_positive=False)
    104.0
    """
    c = check_number(cutoff, "cutoff")
    hp = check_bool(higher_is_positive, "higher_is_positive")
    if isinstance(decimals, bool) or not isinstance(decimals, int | np.integer) \
            or not 0 <= decimals <= 6:
        raise InputError(f"decimals: expected an integer from 0 to 6, got {decimals!r}")
    if not math.isfinite(c):
        return c
    scale = 10.0 ** int(decimals)
    x = round(c * scale, 9)
    return (math.ceil(x) if hp else math.floor(x)) / scale


# --------------------------------------------------------------------------------------------
# DeLong tests
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeLongTestResult:
    """Result of `delong_test` (paired DeLong test of two AUCs on the same patients).

    Attributes
    ----------
    auc_a, auc_b : float
    difference : float
        auc_a - auc_b.
    difference_ci : tuple of float
        difference +/- z * se (pROC ``roc.test(...)$conf.int``).
    difference_se : float
        sqrt(Var(A) + Var(B) - 2 Cov(A, B)).
    z : float
        difference / se; 0 when both are 0 (as pROC).
    p_value : float
        Two-sided, ``2 * Phi(-|z|)``.
    correlation : float
        DeLong correlation of the two AUC estimates.
    n_pos, n_neg, n_missing : int
    higher_is_positive : tuple of bool
    confidence : float
    method : str
    """

    auc_a: float
    auc_b: float
    difference: float
    difference_ci: tuple[float, float]
    difference_se: float
    z: float
    p_value: float
    correlation: float
    n_pos: int
    n_neg: int
    n_missing: int
    higher_is_positive: tuple[bool, bool]
    confidence: float
    method: str = "DeLong's test for two correlated ROC curves"

    def to_frame(self) -> pd.DataFrame:
        """Tidy one-row table of the difference auc_a - auc_b."""
        return pd.DataFrame(
            {
                "term": ["auc_a - auc_b"],
                "estimate": [self.difference],
                "ci_low": [self.difference_ci[0]],
                "ci_high": [self.difference_ci[1]],
                "statistic": [self.z],
                "p_value": [self.p_value],
                "n": [self.n_pos + self.n_neg],
                "method": [self.method],
            }
        )

    def summary(self) -> str:
        """Readable text."""
        pct = f"{100 * self.confidence:g}%"
        return (
            f"{self.method}: AUC A {self.auc_a:.3f} vs B {self.auc_b:.3f}, difference "
            f"{self.difference:.3f} ({pct} CI {self.difference_ci[0]:.3f} to "
            f"{self.difference_ci[1]:.3f}), z = {self.z:.3f}, p = {self.p_value:.3g} "
            f"({self.n_pos} positive, {self.n_neg} negative, {self.n_missing} dropped)."
        )


@one_blas_thread
def _paired_covariance(
    y: np.ndarray, a: tuple[np.ndarray, float], b: tuple[np.ndarray, float]
) -> tuple[float, float, float]:
    """DeLong variances and covariance (var_a, var_b, cov) of two AUCs on the same patients,
    from each marker's per-patient placements and AUC (`_patient_placements`).

    S = S10 / m + S01 / n with S10, S01 the sample covariance matrices of the placements of the
    m positives and n negatives (DeLong et al. 1988).
    """
    (pa, theta_a), (pb, theta_b) = a, b
    m = int(np.count_nonzero(y))
    n = y.shape[0] - m
    da, db = pa - theta_a, pb - theta_b
    # sums over positives and negatives without boolean-index copies
    w = y.astype(float)
    s10 = np.array([np.dot(w * da, da), np.dot(w * da, db), np.dot(w * db, db)]) / (m - 1)
    tot = np.array([np.dot(da, da), np.dot(da, db), np.dot(db, db)])
    s01 = (tot - s10 * (m - 1)) / (n - 1)
    var_a, cov, var_b = s10 / m + s01 / n
    return float(var_a), float(var_b), float(cov)


def _paired_delong(
    y: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[float, float, float, float, float]:
    """AUCs, variances and covariance of two markers on the same patients (oriented scores)."""
    pa = _patient_placements(y, _group_counts(y, a))
    pb = _patient_placements(y, _group_counts(y, b))
    var_a, var_b, cov = _paired_covariance(y, pa, pb)
    return pa[1], pb[1], var_a, var_b, cov


def _check_delong_sizes(m: int, n: int) -> None:
    if m < 2 or n < 2:
        raise DegenerateInputError(
            f"DeLong's variance needs at least 2 positives and 2 negatives; received n_pos = {m}, "
            f"n_neg = {n}"
        )


def _z_p(d: float, se: float, df: float | None = None) -> tuple[float, float]:
    """Statistic d / se and its two-sided p (normal, or Student's t with `df`).

    A zero standard error gives z = 0 and p = 1 when d = 0 (pROC's convention), else z = +/-inf
    and p = 0: the one rule of every DeLong test here.
    """
    if se == 0.0:
        z = 0.0 if d == 0.0 else math.copysign(math.inf, d)
        return z, 1.0 if z == 0.0 else 0.0
    z = d / se
    tail = special.ndtr(-abs(z)) if df is None else special.stdtr(df, -abs(z))
    return z, float(2.0 * tail)


def delong_test(
    y_true: Any,
    score_a: Any,
    score_b: Any,
    *,
    higher_is_positive: tuple[bool, bool] = (True, True),
    confidence: float = 0.95,
) -> DeLongTestResult:
    """Paired DeLong test of whether two markers measured on the same patients differ in AUC.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
    score_a, score_b : array-like of float
        The two markers; a patient missing either (or the label) is dropped and counted.
    higher_is_positive : (bool, bool), default (True, True)
        Direction of each marker (e.g. (True, False) for VBQ against HU). Each AUC is taken in its
        own direction; pROC warns when directions differ, we allow it deliberately since VBQ and HU
        point opposite ways.
    confidence : float, default 0.95

    Returns
    -------
    DeLongTestResult

    Raises
    ------
    InputError
        Invalid input or options.
    DegenerateInputError
        One class only, or fewer than 2 positives or negatives (the variance is undefined).

    Notes
    -----
    With placements V10, V01 of each marker (see `roc_analysis`), the 2x2 covariance matrix is
    S = S10 / m + S01 / n, with S10, S01 the sample covariance matrices of the placements.
    Var(A - B) = S_aa + S_bb - 2 S_ab, z = (AUC_a - AUC_b) / sqrt(Var(A - B)),
    ``p = 2 Phi(-|z|)``, CI = difference +/- z_{1-alpha/2} sqrt(Var(A - B)). Two sorts and O(n) work
    (Sun & Xu 2014); no loop over patients.

    Validated against: R 4.2.2, pROC 1.18.0: ``roc.test(r1, r2, method = "delong", paired =
    TRUE)`` (statistic, p.value, conf.int) and ``var(r1) + var(r2) - 2 * cov(r1, r2)``.

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-845.
    Sun X, Xu W. IEEE Signal Process Lett 2014;21:1389-1393.

    Examples
    --------
    >>> t = delong_test([0, 0, 1, 1, 0, 1], [1, 2, 3, 4, 2.5, 2.2], [1, 3, 2, 4, 2.5, 3.3])
    >>> round(t.difference, 4)
    0.1111
    """
    hp = _check_direction_pair(higher_is_positive)
    confidence = check_confidence(confidence)
    y, (a, b), n_missing = _prepare(y_true, (score_a, "score_a"), (score_b, "score_b"))
    m = int(np.count_nonzero(y))
    n = y.shape[0] - m
    _check_delong_sizes(m, n)
    auc_a, auc_b, var_a, var_b, cov = _paired_delong(y, _orient(a, hp[0]), _orient(b, hp[1]))
    d = auc_a - auc_b
    var_d = max(var_a + var_b - 2.0 * cov, 0.0)
    sig = math.sqrt(var_d)
    z, p = _z_p(d, sig)
    crit = float(special.ndtri(0.5 + confidence / 2.0))
    denom = math.sqrt(var_a * var_b)
    return DeLongTestResult(
        auc_a=auc_a,
        auc_b=auc_b,
        difference=d,
        difference_ci=(d - crit * sig, d + crit * sig),
        difference_se=sig,
        z=z,
        p_value=p,
        correlation=cov / denom if denom > 0 else math.nan,
        n_pos=m,
        n_neg=n,
        n_missing=n_missing,
        higher_is_positive=hp,
        confidence=confidence,
    )


def _check_direction_pair(value: Any) -> tuple[bool, bool]:
    if not (isinstance(value, tuple | list) and len(value) == 2):
        raise InputError(
            f"higher_is_positive must be a pair of booleans, one per score; received {value!r}"
        )
    return (check_bool(value[0], "higher_is_positive[0]"),
            check_bool(value[1], "higher_is_positive[1]"))


@dataclass(frozen=True)
class DeLongUnpairedResult:
    """Result of `delong_test_unpaired` (one marker's AUC in two independent groups).

    Attributes
    ----------
    auc_a, auc_b : float
    difference : float
        auc_a - auc_b.
    difference_se : float
        sqrt(Var(A) + Var(B)).
    difference_ci : tuple of float
        difference +/- t_{df, 1-alpha/2} * se (ours: pROC prints no interval for this test).
    z : float
        pROC's statistic D = difference / se.
    df : float
        pROC's Welch-Satterthwaite degrees of freedom.
    p_value : float
        Two-sided, from Student's t with `df` (as pROC).
    n_a, n_b, n_missing : int
        Patients per group, and dropped across both groups.
    higher_is_positive : bool
    confidence : float
    method : str
    """

    auc_a: float
    auc_b: float
    difference: float
    difference_se: float
    difference_ci: tuple[float, float]
    z: float
    df: float
    p_value: float
    n_a: int
    n_b: int
    n_missing: int
    higher_is_positive: bool
    confidence: float
    method: str = "DeLong's test for two ROC curves (unpaired)"

    def to_frame(self) -> pd.DataFrame:
        """Tidy one-row table."""
        return pd.DataFrame(
            {
                "term": ["auc_a - auc_b"],
                "estimate": [self.difference],
                "ci_low": [self.difference_ci[0]],
                "ci_high": [self.difference_ci[1]],
                "statistic": [self.z],
                "df1": [self.df],
                "p_value": [self.p_value],
                "n": [self.n_a + self.n_b],
                "method": [self.method],
            }
        )

    def summary(self) -> str:
        """Readable text."""
        return (
            f"{self.method}: AUC A {self.auc_a:.3f} (n = {self.n_a}) vs B {self.auc_b:.3f} "
            f"(n = {self.n_b}), difference {self.difference:.3f}, D = {self.z:.3f}, "
            f"df = {self.df:.1f}, p = {self.p_value:.3g}; {self.n_missing} dropped."
        )


def delong_test_unpaired(
    y_a: Any,
    score_a: Any,
    y_b: Any,
    score_b: Any,
    *,
    higher_is_positive: bool = True,
    confidence: float = 0.95,
) -> DeLongUnpairedResult:
    """Compare one marker's AUC between two independent groups (e.g. control vs degenerative).

    Parameters
    ----------
    y_a, score_a : array-like
        Labels and scores of group A.
    y_b, score_b : array-like
        Labels and scores of group B.
    higher_is_positive : bool, default True
        Direction of the marker, the same in both groups.
    confidence : float, default 0.95
        Level of `difference_ci`.

    Returns
    -------
    DeLongUnpairedResult

    Raises
    ------
    InputError
    DegenerateInputError
        A group with one class only, or fewer than 2 positives or negatives.

    Notes
    -----
    As pROC: D = (AUC_a - AUC_b) / sqrt(V_a + V_b) with V the DeLong variance of each AUC, and
    df = (V_a + V_b)^2 / (V_a^2 / (N_a - 1) + V_b^2 / (N_b - 1)) with N the group sizes;
    ``p = 2 P(T_df > |D|)``.

    Validated against: R 4.2.2, pROC 1.18.0: ``roc.test(r_a, r_b, method = "delong", paired =
    FALSE)`` (statistic D, parameter df, p.value).

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-845.
    Robin X et al. BMC Bioinformatics 2011;12:77.

    Examples
    --------
    >>> t = delong_test_unpaired([0, 1, 0, 1, 1, 0], [1, 3, 2, 4, 2.5, 2.2],
    ...                          [0, 0, 1, 1, 0, 1], [1, 2, 3, 4, 2.5, 2.2])
    """
    hp = check_bool(higher_is_positive, "higher_is_positive")
    confidence = check_confidence(confidence)
    ya, (sa,), miss_a = _prepare(y_a, (score_a, "score_a"), label="y_a")
    yb, (sb,), miss_b = _prepare(y_b, (score_b, "score_b"), label="y_b")
    ga = _group_counts(ya, _orient(sa, hp))
    gb = _group_counts(yb, _orient(sb, hp))
    _check_delong_sizes(ga.n_pos, ga.n_neg)
    _check_delong_sizes(gb.n_pos, gb.n_neg)
    auc_a, _, _, var_a = _delong_variance(ga)
    auc_b, _, _, var_b = _delong_variance(gb)
    d = auc_a - auc_b
    se = math.sqrt(var_a + var_b)
    na, nb = ya.shape[0], yb.shape[0]
    if se == 0.0:
        df, half = math.nan, 0.0
    else:
        df = (var_a + var_b) ** 2 / (var_a**2 / (na - 1) + var_b**2 / (nb - 1))
        half = float(special.stdtrit(df, 0.5 + confidence / 2.0)) * se
    z, p = _z_p(d, se, df)
    return DeLongUnpairedResult(
        auc_a=auc_a,
        auc_b=auc_b,
        difference=d,
        difference_se=se,
        difference_ci=(d - half, d + half),
        z=z,
        df=df,
        p_value=p,
        n_a=na,
        n_b=nb,
        n_missing=miss_a + miss_b,
        higher_is_positive=hp,
        confidence=confidence,
    )


@dataclass(frozen=True, eq=False)
class MarkerComparison:
    """Result of `compare_markers`: every pairwise paired DeLong test, with adjusted p-values.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per pair: marker_a, marker_b, auc_a, auc_b, estimate (auc_a - auc_b), ci_low,
        ci_high, statistic (z), p_value, p_adjusted, n, method.
    aucs : dict of str to float
        Each marker's AUC in its own direction.
    correction : str
        The statsmodels ``multipletests`` method.
    n_pos, n_neg, n_missing : int
        Patients used (complete cases across every marker) and dropped.
    """

    table: pd.DataFrame
    aucs: dict[str, float]
    correction: str
    n_pos: int
    n_neg: int
    n_missing: int

    def to_frame(self) -> pd.DataFrame:
        """The pairwise table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """Readable text."""
        lines = [
            f"Pairwise paired DeLong tests ({self.correction}-adjusted), {self.n_pos} positive, "
            f"{self.n_neg} negative, {self.n_missing} dropped (complete cases across markers)."
        ]
        for row in self.table.itertuples():
            lines.append(
                f"  {row.marker_a} ({row.auc_a:.3f}) vs {row.marker_b} ({row.auc_b:.3f}): "
                f"difference {row.estimate:.3f}, z = {row.statistic:.3f}, p = {row.p_value:.3g}, "
                f"adjusted p = {row.p_adjusted:.3g}"
            )
        return "\n".join(lines)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values, as R's ``p.adjust(p, "holm")``.

    Written out because statsmodels 0.15's ``multipletests(method="holm")`` calls
    ``gc.collect()`` on every call: measured at 146 ms a call (median of 30) in a process running
    the app's ROC page in AppTest (185,000 live objects), against 0.007 ms here, on the page-rerun
    path (`compare_markers` runs whenever the ROC study is recomputed), whose budget is 300 ms.
    The tests compare both on random p-values and against R.
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def compare_markers(
    y_true: Any,
    scores: dict[str, Any],
    *,
    higher_is_positive: dict[str, bool],
    correction: str = "holm",
    confidence: float = 0.95,
) -> MarkerComparison:
    """All pairwise paired DeLong comparisons of several markers, with multiplicity correction.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
    scores : dict of str to array-like
        At least two markers, each as long as `y_true`.
    higher_is_positive : dict of str to bool
        The direction of every marker in `scores` (required: never guessed).
    correction : str, default "holm"
        Any ``statsmodels.stats.multitest.multipletests`` method ("holm", "bonferroni",
        "fdr_bh", ...).
    confidence : float, default 0.95

    Returns
    -------
    MarkerComparison

    Raises
    ------
    InputError
        Fewer than two markers, a direction missing, an unknown correction.
    DegenerateInputError
        One class only, or fewer than 2 positives or negatives.

    Notes
    -----
    Patients missing any marker are dropped from every comparison (complete cases, counted), so
    all tests use the same patients. Each pair is `delong_test`; the p-values of all pairs are
    adjusted together.

    Validated against: R 4.2.2, pROC 1.18.0 ``roc.test(..., paired = TRUE)`` for each pair and
    ``p.adjust(p, "holm")``.

    References
    ----------
    DeLong ER et al. Biometrics 1988;44:837-845. Holm S. A simple sequentially rejective multiple
    test procedure. Scand J Stat 1979;6:65-70.

    Examples
    --------
    >>> c = compare_markers([0, 0, 1, 1, 0, 1], {"a": [1, 2, 3, 4, 2.5, 2.2],
    ...     "b": [1, 3, 2, 4, 2.5, 3.3], "c": [3, 2, 1, 0, 2, 1]},
    ...     higher_is_positive={"a": True, "b": True, "c": False})
    """
    if not isinstance(scores, dict) or len(scores) < 2:
        raise InputError(f"scores must be a dict of at least two markers; received {scores!r:.80}")
    if not isinstance(higher_is_positive, dict) or set(higher_is_positive) != set(scores):
        raise InputError(
            "higher_is_positive must be a dict giving the direction of every marker in scores "
            f"({sorted(scores)}); received {higher_is_positive!r}"
        )
    confidence = check_confidence(confidence)
    names = list(scores)
    directions = {k: check_bool(v, f"higher_is_positive[{k!r}]")
                  for k, v in higher_is_positive.items()}
    y, arrays, n_missing = _prepare(y_true, *[(scores[k], f"scores[{k!r}]") for k in names])
    m = int(np.count_nonzero(y))
    n = y.shape[0] - m
    _check_delong_sizes(m, n)
    oriented = {k: _orient(a, directions[k]) for k, a in zip(names, arrays, strict=True)}
    place = {k: _patient_placements(y, _group_counts(y, oriented[k])) for k in names}
    rows = []
    crit = float(special.ndtri(0.5 + confidence / 2.0))
    for ka, kb in combinations(names, 2):
        ta, tb = place[ka][1], place[kb][1]
        var_a, var_b, cov = _paired_covariance(y, place[ka], place[kb])
        d = ta - tb
        sig = math.sqrt(max(var_a + var_b - 2.0 * cov, 0.0))
        z, p = _z_p(d, sig)
        rows.append(
            {
                "marker_a": ka,
                "marker_b": kb,
                "auc_a": ta,
                "auc_b": tb,
                "estimate": d,
                "ci_low": d - crit * sig,
                "ci_high": d + crit * sig,
                "statistic": z,
                "p_value": p,
            }
        )
    pvals = np.array([r["p_value"] for r in rows])
    try:
        adjusted = (_holm(pvals) if correction == "holm"
                    else multipletests(pvals, method=correction)[1])
    except ValueError as exc:
        raise InputError(
            f"correction must be a statsmodels multipletests method (e.g. 'holm'); received "
            f"{correction!r}"
        ) from exc
    # one frame from columns (a frame from records plus three inserts cost ~1 ms)
    columns = {k: [r[k] for r in rows] for k in rows[0]}
    table = pd.DataFrame({**columns, "p_adjusted": adjusted, "n": [m + n] * len(rows),
                          "method": ["paired DeLong"] * len(rows)})
    return MarkerComparison(
        table=table,
        aucs={k: place[k][1] for k in names},
        correction=correction,
        n_pos=m,
        n_neg=n,
        n_missing=n_missing,
    )


# --------------------------------------------------------------------------------------------
# bootstrap of the cutoff
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class BootstrapCutoffResult:
    """Result of `bootstrap_cutoff`.

    Attributes
    ----------
    cutoff : float
        Youden-optimal cutoff on the full sample (as `roc_analysis`).
    cutoff_ci : tuple of float
        Percentile interval (R type-7 quantiles) of the resampled cutoffs; a bound is -inf or
        +inf when that tail of resamples has no finite cutoff (a constant score, say).
    cutoffs : numpy.ndarray
        The Youden cutoff of each resample (+/-inf when no finite cutoff wins in it).
    sensitivity_in_bag, specificity_in_bag : numpy.ndarray
        Each resample's metrics at its own cutoff, on the resample.
    sensitivity_oob, specificity_oob : numpy.ndarray
        The same cutoff applied to the patients left out of that resample (NaN when the
        out-of-bag set has no positive / negative).
    optimism_sensitivity, optimism_specificity, optimism_youden : float
        Mean of in-bag minus out-of-bag, over resamples where it is defined.
    n_oob_undefined : int
        Resamples whose out-of-bag set lacked a class (left out of the optimism means).
    n_boot, seed : int
    stratified : bool
    confidence : float
    n_pos, n_neg, n_missing : int
    higher_is_positive : bool
    """

    cutoff: float
    cutoff_ci: tuple[float, float]
    cutoffs: np.ndarray = field(repr=False)
    sensitivity_in_bag: np.ndarray = field(repr=False)
    specificity_in_bag: np.ndarray = field(repr=False)
    sensitivity_oob: np.ndarray = field(repr=False)
    specificity_oob: np.ndarray = field(repr=False)
    optimism_sensitivity: float
    optimism_specificity: float
    optimism_youden: float
    n_oob_undefined: int
    n_boot: int
    seed: int
    stratified: bool
    confidence: float
    n_pos: int
    n_neg: int
    n_missing: int
    higher_is_positive: bool

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: the cutoff with its CI, then the optimism of each metric."""
        nan = math.nan
        method = f"percentile bootstrap, {self.n_boot} resamples, seed {self.seed}"
        return pd.DataFrame(
            {
                "term": ["cutoff", "optimism_sensitivity", "optimism_specificity",
                         "optimism_youden"],
                "estimate": [self.cutoff, self.optimism_sensitivity, self.optimism_specificity,
                             self.optimism_youden],
                "ci_low": [self.cutoff_ci[0], nan, nan, nan],
                "ci_high": [self.cutoff_ci[1], nan, nan, nan],
                "n": [self.n_pos + self.n_neg] * 4,
                "method": [method, "in-bag minus out-of-bag", "in-bag minus out-of-bag",
                           "in-bag minus out-of-bag"],
            }
        )

    def summary(self) -> str:
        """Readable text."""
        pct = f"{100 * self.confidence:g}%"
        return (
            f"Youden cutoff {self.cutoff:.6g} ({pct} bootstrap CI {self.cutoff_ci[0]:.6g} to "
            f"{self.cutoff_ci[1]:.6g}; {self.n_boot} resamples, seed {self.seed}). Optimism "
            f"(in-bag minus out-of-bag): sensitivity {self.optimism_sensitivity:.3f}, "
            f"specificity {self.optimism_specificity:.3f}, Youden {self.optimism_youden:.3f}"
            f" ({self.n_oob_undefined} resamples without both classes out of bag left out)."
        )


def _draw_resamples(
    rng: np.random.Generator, y: np.ndarray, n_boot: int, stratified: bool
) -> np.ndarray:
    """(n_boot, n) resample indices; non-stratified rows lacking a class are redrawn."""
    n = y.shape[0]
    if stratified:
        pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
        return np.concatenate(
            [pos[rng.integers(0, pos.shape[0], (n_boot, pos.shape[0]))],
             neg[rng.integers(0, neg.shape[0], (n_boot, neg.shape[0]))]],
            axis=1,
        )
    idx = rng.integers(0, n, (n_boot, n))
    for _ in range(1000):  # rounds over the few bad resamples, not over patients
        n_pos_b = np.count_nonzero(y[idx], axis=1)
        bad = np.flatnonzero((n_pos_b == 0) | (n_pos_b == n))
        if bad.shape[0] == 0:
            return idx
        idx[bad] = rng.integers(0, n, (bad.shape[0], n))
    raise DegenerateInputError(
        "could not draw bootstrap resamples holding both classes; too few patients of one class"
    )


def _youden_per_row(
    pc: np.ndarray, qc: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Youden-optimal oriented cutoff, sensitivity and specificity of each row of counts.

    ``pc``, ``qc``: (B, U) positive and negative counts per distinct value. Candidate cutoffs are
    -inf and, just above each value present in the row, the midpoint to the next present value
    (+inf after the last); ties go to the highest sensitivity, as in `roc_analysis`.
    """
    b, u = pc.shape
    present = (pc + qc) > 0
    cum_p = np.cumsum(pc, axis=1)
    cum_q = np.cumsum(qc, axis=1)
    m_b = cum_p[:, -1:]
    n_b = cum_q[:, -1:]
    tp = np.concatenate((m_b, m_b - cum_p), axis=1)
    tn = np.concatenate((np.zeros((b, 1), dtype=cum_q.dtype), cum_q), axis=1)
    sens = tp / m_b
    spec = tn / n_b
    crit = sens + spec
    crit[:, 1:][~present] = -np.inf
    j = np.argmax(crit, axis=1)
    rows = np.arange(b)
    # next present value above the chosen one (index u when none)
    idx = np.where(present, np.arange(u), u)
    next_present = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]
    next_present = np.concatenate((next_present, np.full((b, 1), u)), axis=1)
    k = j - 1
    nxt = next_present[rows, np.maximum(j, 0)]  # first present value at index >= j
    padded = np.append(values, np.inf)
    mid = _midpoint(values[np.maximum(k, 0)], padded[nxt])
    cut = np.where(j == 0, -np.inf, np.where(nxt == u, np.inf, mid))
    return cut, sens[rows, j], spec[rows, j]


def _bootstrap_cutoff_chunk(
    idx: np.ndarray, key: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """In-bag Youden cutoff and metrics, and out-of-bag metrics, of each row of ``idx``.

    ``key`` = 2 * (distinct-value index) + label of each patient; ``values`` the distinct
    oriented scores.
    """
    b, n = idx.shape
    u = values.shape[0]
    rows = np.arange(b)[:, None]
    cells = np.bincount((rows * 2 * u + key[idx]).ravel(), minlength=b * 2 * u)
    cells = cells.reshape(b, u, 2)
    cut, sens_in, spec_in = _youden_per_row(cells[:, :, 1], cells[:, :, 0], values)

    drawn = np.bincount((rows * n + idx).ravel(), minlength=b * n).reshape(b, n)
    oob = drawn == 0
    oob_cells = np.bincount(
        np.broadcast_to(rows * 2 * u + key[None, :], oob.shape)[oob], minlength=b * 2 * u
    ).reshape(b, u, 2)
    zero = np.zeros((b, 1), dtype=np.int64)
    cum_op = np.concatenate((zero, np.cumsum(oob_cells[:, :, 1], axis=1)), axis=1)
    cum_oq = np.concatenate((zero, np.cumsum(oob_cells[:, :, 0], axis=1)), axis=1)
    below = np.searchsorted(values, cut, side="left")  # distinct values < cutoff
    r = np.arange(b)
    op_total, oq_total = cum_op[:, -1], cum_oq[:, -1]
    with np.errstate(invalid="ignore", divide="ignore"):
        sens_oob = np.where(op_total > 0, (op_total - cum_op[r, below]) / op_total, np.nan)
        spec_oob = np.where(oq_total > 0, cum_oq[r, below] / oq_total, np.nan)
    return cut, sens_in, spec_in, sens_oob, spec_oob


def _quantiles_type7(x: np.ndarray, probs: tuple[float, ...]) -> list[float]:
    """R's type-7 (numpy's default "linear") quantiles of values that may hold +/-inf.

    numpy interpolates ``a + (b - a) * t``, which is NaN (with a RuntimeWarning) when a
    neighbour is infinite; the limit is the infinite neighbour whenever it has positive weight,
    and the common value when both neighbours are equal.
    """
    if np.isfinite(x).all():
        return [float(v) for v in np.quantile(x, probs)]
    xs = np.sort(x)
    out = []
    for q in probs:
        h = (xs.size - 1) * q
        lo = int(math.floor(h))
        hi = min(lo + 1, xs.size - 1)
        t = h - lo
        a, b = float(xs[lo]), float(xs[hi])
        if t == 0.0 or a == b:
            out.append(a)
        elif not math.isfinite(a):
            out.append(a)
        elif not math.isfinite(b):
            out.append(b)
        else:
            out.append(a + (b - a) * t)
    return out


def bootstrap_cutoff(
    y_true: Any,
    score: Any,
    *,
    higher_is_positive: bool = True,
    n_boot: int = 2000,
    seed: int = 0,
    confidence: float = 0.95,
    stratified: bool = False,
) -> BootstrapCutoffResult:
    """Bootstrap CI of the Youden-optimal cutoff, with out-of-bag metrics and optimism.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
    score : array-like of float
    higher_is_positive : bool, default True
    n_boot : int, default 2000
    seed : int, default 0
        Seed of ``numpy.random.default_rng``; stored in the result.
    confidence : float, default 0.95
    stratified : bool, default False
        False resamples patients (cutpointr's default ``boot_stratify = FALSE``); True resamples
        positives and negatives separately.

    Returns
    -------
    BootstrapCutoffResult

    Raises
    ------
    InputError
    DegenerateInputError
        One class only.

    Notes
    -----
    Like cutpointr's ``boot_runs``: in each resample the Youden-optimal cutoff is found (same
    rule and midpoint candidates as `roc_analysis`; ties to the highest sensitivity, where
    cutpointr takes the median of tied cutoffs and uses observed values), then applied to the
    same resample (in-bag) and to the patients not drawn (out-of-bag). Optimism = mean(in-bag -
    out-of-bag). Resample b is row b of ``rng.integers(0, n, (n_boot, n))`` (a row lacking a class
    is redrawn; for n above 2000 the rows are drawn in chunks of resamples to bound memory). Vectorized over resamples: counts per distinct value form a (n_boot, U) matrix
    whose cumulative sums give every resample's curve; no loop over resamples or patients.

    Validated against: an explicit loop over resamples in the tests (cutpointr's bootstrap is
    random, so not against R values).

    References
    ----------
    Thiele C, Hirschfeld G. cutpointr: improved estimation and validation of optimal cutpoints in
    R. J Stat Softw 2021;98(11). Efron B, Tibshirani R. An Introduction to the Bootstrap. 1993.

    Examples
    --------
    >>> b = bootstrap_cutoff([0, 0, 1, 1, 0, 1, 0, 1], [1, 2, 3, 4, 2.5, 2.2, 1.5, 3.5], n_boot=50)
    """
    hp = check_bool(higher_is_positive, "higher_is_positive")
    stratified = check_bool(stratified, "stratified")
    n_boot = check_int(n_boot, "n_boot", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    confidence = check_confidence(confidence)
    y, (x,), n_missing = _prepare(y_true, (score, "score"))
    g = _group_counts(y, _orient(x, hp))
    u = g.values.shape[0]
    n = y.shape[0]
    gid = np.empty(n, dtype=np.int64)
    gid[g.order] = g.group_sorted
    key = 2 * gid + y  # (distinct value, class) cell of each patient

    # full-sample cutoff with the same kernel
    full_cut, _, _ = _youden_per_row(g.pos[None, :], g.neg[None, :], g.values)

    rng = np.random.default_rng(seed)
    # resamples in chunks so no (resamples x patients) matrix exceeds _MAX_BOOT_CELLS cells
    chunk = max(1, _MAX_BOOT_CELLS // max(n, u))
    parts = [
        _bootstrap_cutoff_chunk(_draw_resamples(rng, y, min(chunk, n_boot - start), stratified),
                                key, g.values)
        for start in range(0, n_boot, chunk)
    ]
    cut, sens_in, spec_in, sens_oob, spec_oob = (np.concatenate(a) for a in zip(*parts,
                                                                                 strict=True))
    defined = ~(np.isnan(sens_oob) | np.isnan(spec_oob))
    opt_sens = sens_in[defined] - sens_oob[defined]
    opt_spec = spec_in[defined] - spec_oob[defined]
    alpha = 1.0 - confidence
    low, high = _quantiles_type7(cut, (alpha / 2.0, 1.0 - alpha / 2.0))
    sign = 1.0 if hp else -1.0
    return BootstrapCutoffResult(
        cutoff=float(sign * full_cut[0]),
        cutoff_ci=(float(low), float(high)) if hp else (float(-high), float(-low)),
        cutoffs=sign * cut,
        sensitivity_in_bag=sens_in,
        specificity_in_bag=spec_in,
        sensitivity_oob=sens_oob,
        specificity_oob=spec_oob,
        optimism_sensitivity=float(opt_sens.mean()) if opt_sens.size else math.nan,
        optimism_specificity=float(opt_spec.mean()) if opt_spec.size else math.nan,
        optimism_youden=float((opt_sens + opt_spec).mean()) if opt_sens.size else math.nan,
        n_oob_undefined=int(n_boot - np.count_nonzero(defined)),
        n_boot=n_boot,
        seed=seed,
        stratified=stratified,
        confidence=confidence,
        n_pos=g.n_pos,
        n_neg=g.n_neg,
        n_missing=n_missing,
        higher_is_positive=hp,
    )


# --------------------------------------------------------------------------------------------
# grey zone
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GreyZoneResult:
    """Result of `grey_zone`: a two-threshold triage.

    Attributes
    ----------
    rule_out, rule_in : float
    higher_is_positive : bool
    n_rule_out, n_grey, n_rule_in : int
        Patients per zone.
    share_rule_out, share_grey, share_rule_in : float
        Fractions of all patients.
    false_omission_rate : float
        FN_out / N_out: the share of the ruled-out patients who have the condition (1 - NPV of
        the rule-out zone); NaN if none ruled out.
    false_discovery_rate : float
        FP_in / N_in: the share of the ruled-in patients who do not have it (1 - PPV of the
        rule-in zone); NaN if none ruled in.
    sensitivity_decided, specificity_decided : float
        Among patients outside the grey zone: ruled-in positives / decided positives, ruled-out
        negatives / decided negatives.
    *_ci : tuple of float
        Wilson intervals of the four rates above.
    positives_in_grey, negatives_in_grey : int
    n_pos, n_neg, n_missing : int
    confidence : float
    false_negative_rate_ruled_out, false_positive_rate_ruled_in : float
        Deprecated names of `false_omission_rate` and `false_discovery_rate` (with their
        ``*_ci``), kept for one release; reading them warns (`DeprecationWarning`). They were
        not false negative / positive rates (FN / positives, FP / negatives).
    """

    rule_out: float
    rule_in: float
    higher_is_positive: bool
    n_rule_out: int
    n_grey: int
    n_rule_in: int
    share_rule_out: float
    share_grey: float
    share_rule_in: float
    false_omission_rate: float
    false_omission_rate_ci: tuple[float, float]
    false_discovery_rate: float
    false_discovery_rate_ci: tuple[float, float]
    sensitivity_decided: float
    sensitivity_decided_ci: tuple[float, float]
    specificity_decided: float
    specificity_decided_ci: tuple[float, float]
    positives_in_grey: int
    negatives_in_grey: int
    n_pos: int
    n_neg: int
    n_missing: int
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: zone shares, then the error rates and decided-patient metrics."""
        nan2 = (math.nan, math.nan)
        n = self.n_pos + self.n_neg
        dec_pos = self.n_pos - self.positives_in_grey
        dec_neg = self.n_neg - self.negatives_in_grey
        rows = [
            ("share_rule_out", self.share_rule_out, nan2, n, "fraction of patients"),
            ("share_grey", self.share_grey, nan2, n, "fraction of patients"),
            ("share_rule_in", self.share_rule_in, nan2, n, "fraction of patients"),
            ("false_omission_rate", self.false_omission_rate, self.false_omission_rate_ci,
             self.n_rule_out, "Wilson"),
            ("false_discovery_rate", self.false_discovery_rate, self.false_discovery_rate_ci,
             self.n_rule_in, "Wilson"),
            ("sensitivity_decided", self.sensitivity_decided, self.sensitivity_decided_ci,
             dec_pos, "Wilson"),
            ("specificity_decided", self.specificity_decided, self.specificity_decided_ci,
             dec_neg, "Wilson"),
        ]
        return pd.DataFrame(
            {
                "term": [r[0] for r in rows],
                "estimate": [r[1] for r in rows],
                "ci_low": [r[2][0] for r in rows],
                "ci_high": [r[2][1] for r in rows],
                "n": [r[3] for r in rows],
                "method": [r[4] for r in rows],
            }
        )

    def summary(self) -> str:
        """Readable text."""
        return (
            f"Rule out {self.n_rule_out} ({100 * self.share_rule_out:.1f}%), refer to DXA "
            f"{self.n_grey} ({100 * self.share_grey:.1f}%), rule in {self.n_rule_in} "
            f"({100 * self.share_rule_in:.1f}%). False omission rate (with the condition among "
            f"the ruled-out) {self.false_omission_rate:.3f}, false discovery rate (without it "
            f"among the ruled-in) {self.false_discovery_rate:.3f}; among decided patients "
            f"sensitivity {self.sensitivity_decided:.3f}, specificity "
            f"{self.specificity_decided:.3f}."
        )

    def _deprecated(self, old: str, new: str) -> Any:
        warnings.warn(
            f"GreyZoneResult.{old} is deprecated and will be removed in the next release; it is "
            f"the {new.replace('_', ' ')}: use GreyZoneResult.{new}",
            DeprecationWarning, stacklevel=3,
        )
        return getattr(self, new)

    @property
    def false_negative_rate_ruled_out(self) -> float:
        """Deprecated: `false_omission_rate`."""
        return self._deprecated("false_negative_rate_ruled_out", "false_omission_rate")

    @property
    def false_negative_rate_ruled_out_ci(self) -> tuple[float, float]:
        """Deprecated: `false_omission_rate_ci`."""
        return self._deprecated("false_negative_rate_ruled_out_ci", "false_omission_rate_ci")

    @property
    def false_positive_rate_ruled_in(self) -> float:
        """Deprecated: `false_discovery_rate`."""
        return self._deprecated("false_positive_rate_ruled_in", "false_discovery_rate")

    @property
    def false_positive_rate_ruled_in_ci(self) -> tuple[float, float]:
        """Deprecated: `false_discovery_rate_ci`."""
        return self._deprecated("false_positive_rate_ruled_in_ci", "false_discovery_rate_ci")


def grey_zone(
    y_true: Any,
    score: Any,
    *,
    rule_out: float,
    rule_in: float,
    higher_is_positive: bool = True,
    confidence: float = 0.95,
) -> GreyZoneResult:
    """Triage with two thresholds: rule out, refer to DXA (grey zone), rule in.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
    score : array-like of float
    rule_out, rule_in : float
        With higher_is_positive: ruled out when ``score < rule_out``, ruled in when
        ``score >= rule_in``, grey in between; requires ``rule_out <= rule_in``. Otherwise ruled
        out when ``score > rule_out``, ruled in when ``score <= rule_in``; requires
        ``rule_out >= rule_in``. (Both thresholds follow `roc_analysis`'s convention: positive at
        ``score >= cutoff``).
    higher_is_positive : bool, default True
    confidence : float, default 0.95
        Level of the Wilson intervals.

    Returns
    -------
    GreyZoneResult

    Raises
    ------
    InputError
        Thresholds not numbers or in the wrong order.
    DegenerateInputError
        One class only.

    Notes
    -----
    False omission rate FOR = FN_out / N_out (1 - NPV among the ruled-out), false discovery rate
    FDR = FP_in / N_in (1 - PPV among the ruled-in), Se(decided) = TP_in / (TP_in + FN_out),
    Sp(decided) = TN_out / (TN_out + FP_in), each with a Wilson interval.

    Validated against: direct counting in the tests; Wilson against R ``prop.test(correct =
    FALSE)``.

    References
    ----------
    Coste J, Pouchot J. A grey zone for quantitative diagnostic and screening tests. Int J
    Epidemiol 2003;32:304-313.

    Examples
    --------
    >>> gz = grey_zone([0, 0, 1, 1, 0, 1], [1, 2, 3, 4, 2.5, 2.2], rule_out=2.0, rule_in=3.0)
    >>> gz.n_grey
    3
    """
    hp = check_bool(higher_is_positive, "higher_is_positive")
    confidence = check_confidence(confidence)
    rule_out = check_number(rule_out, "rule_out")
    rule_in = check_number(rule_in, "rule_in")
    if (hp and rule_out > rule_in) or (not hp and rule_out < rule_in):
        op = "<=" if hp else ">="
        raise InputError(
            f"rule_out must be {op} rule_in when higher_is_positive={hp}; received "
            f"rule_out={rule_out!r}, rule_in={rule_in!r}"
        )
    y, (x,), n_missing = _prepare(y_true, (score, "score"))
    s = _orient(x, hp)
    out = s < _orient(np.float64(rule_out), hp)
    into = s >= _orient(np.float64(rule_in), hp)
    n = y.shape[0]
    n_out, n_in = int(np.count_nonzero(out)), int(np.count_nonzero(into))
    fn_out = int(np.count_nonzero(out & y))
    fp_in = int(np.count_nonzero(into & ~y))
    tp_in, tn_out = n_in - fp_in, n_out - fn_out
    m = int(np.count_nonzero(y))
    grey = ~(out | into)
    pos_grey = int(np.count_nonzero(grey & y))
    neg_grey = int(np.count_nonzero(grey)) - pos_grey
    return GreyZoneResult(
        rule_out=float(rule_out),
        rule_in=float(rule_in),
        higher_is_positive=hp,
        n_rule_out=n_out,
        n_grey=n - n_out - n_in,
        n_rule_in=n_in,
        share_rule_out=n_out / n,
        share_grey=(n - n_out - n_in) / n,
        share_rule_in=n_in / n,
        false_omission_rate=_ratio(fn_out, n_out),
        false_omission_rate_ci=_wilson(fn_out, n_out, confidence),
        false_discovery_rate=_ratio(fp_in, n_in),
        false_discovery_rate_ci=_wilson(fp_in, n_in, confidence),
        sensitivity_decided=_ratio(tp_in, tp_in + fn_out),
        sensitivity_decided_ci=_wilson(tp_in, tp_in + fn_out, confidence),
        specificity_decided=_ratio(tn_out, tn_out + fp_in),
        specificity_decided_ci=_wilson(tn_out, tn_out + fp_in, confidence),
        positives_in_grey=pos_grey,
        negatives_in_grey=neg_grey,
        n_pos=m,
        n_neg=n - m,
        n_missing=n_missing,
        confidence=confidence,
    )


# --------------------------------------------------------------------------------------------
# combined marker
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class CombinedMarkerResult:
    """Result of `combined_marker`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        term, estimate (log-odds), ci_low, ci_high, odds_ratio, statistic (Wald z), p_value,
        n, method.
    apparent_auc : float
        AUC of the fitted probabilities on the data the model was fitted to (optimistic).
    cv_auc : float
        Mean of the per-fold test AUCs of stratified k-fold cross-validation.
    cv_auc_folds : numpy.ndarray
    n_splits, seed : int
    predictors : tuple of str
        Design columns after encoding (categorical columns become 0/1 dummies).
    n_pos, n_neg, n_missing : int
    linear_predictor : numpy.ndarray
        Fitted log-odds per input row (NaN for rows dropped for a missing value), aligned with
        `y_true`: a score to pass to `roc_analysis` (higher is positive) for the apparent curve.
    """

    coefficients: pd.DataFrame
    apparent_auc: float
    cv_auc: float
    cv_auc_folds: np.ndarray = field(repr=False)
    n_splits: int = 5
    seed: int = 0
    predictors: tuple[str, ...] = ()
    n_pos: int = 0
    n_neg: int = 0
    n_missing: int = 0
    linear_predictor: np.ndarray = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Coefficients, then the apparent and cross-validated AUC."""
        n = self.n_pos + self.n_neg
        aucs = pd.DataFrame(
            {
                "term": ["apparent_auc", "cv_auc"],
                "estimate": [self.apparent_auc, self.cv_auc],
                "n": [n, n],
                "method": ["in-sample", f"stratified {self.n_splits}-fold CV, seed {self.seed}"],
            }
        )
        return pd.concat([self.coefficients, aucs], ignore_index=True)

    def summary(self) -> str:
        """Readable text."""
        return (
            f"Logistic model on {', '.join(self.predictors)} ({self.n_pos} positive, "
            f"{self.n_neg} negative, {self.n_missing} dropped): apparent AUC "
            f"{self.apparent_auc:.3f}, {self.n_splits}-fold cross-validated AUC "
            f"{self.cv_auc:.3f} (seed {self.seed})."
        )


def _fit_logit(y: np.ndarray, X: np.ndarray):

    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            fit = sm.Logit(y.astype(float), X).fit(disp=False, method="newton", maxiter=100)
        except (PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
            raise DegenerateInputError(
                f"logistic regression cannot be fitted (perfect separation or singular design): "
                f"{exc}"
            ) from exc
        except ConvergenceWarning as exc:  # quasi-separation: the estimates run off to infinity
            raise DegenerateInputError(
                "logistic regression did not converge in 100 Newton steps (the classes are "
                "(quasi-)separated by the predictors, or a group is very small); its "
                "coefficients would be unreliable"
            ) from exc
    return fit


@one_blas_thread
def combined_marker(
    y_true: Any,
    X: pd.DataFrame,
    *,
    n_splits: int = 5,
    seed: int = 0,
    confidence: float = 0.95,
) -> CombinedMarkerResult:
    """Logistic regression of several predictors (VBQ, age, sex) with apparent and CV AUC.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
    X : pandas.DataFrame
        Predictors, one column each. Numeric and boolean columns enter as they are; object or
        categorical columns (e.g. sex) become 0/1 dummies with the first level as reference.
        Rows with a missing value are dropped and counted.
    n_splits : int, default 5
        Folds of ``sklearn.model_selection.StratifiedKFold(shuffle=True)``.
    seed : int, default 0
        ``random_state`` of the fold split; stored in the result.
    confidence : float, default 0.95
        Level of the coefficient CIs.

    Returns
    -------
    CombinedMarkerResult

    Raises
    ------
    InputError
        X not a DataFrame, lengths differ, bad n_splits.
    DegenerateInputError
        One class only, a class smaller than n_splits, perfect separation, or a fit (full
        sample or any fold) that does not converge (quasi-separation).

    Notes
    -----
    Unpenalized maximum likelihood (statsmodels ``Logit``): logit P(y = 1) = b0 + sum_k b_k x_k.
    The apparent AUC is the AUC of the fitted probabilities on the same data, which is
    optimistic; the cross-validated AUC refits the model on k - 1 folds and scores the held-out
    fold, averaging the k fold AUCs.

    Validated against: R 4.2.2 ``glm(y ~ ., family = binomial)`` coefficients and pROC
    ``auc(roc(y, fitted(fit)))``; the CV AUC against scikit-learn fitting the same folds.

    References
    ----------
    Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019 (ch. 17, internal
    validation).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(80) < 0.4
    >>> X = pd.DataFrame({"vbq": 2.8 + 0.4 * y + rng.normal(0, 0.4, 80),
    ...                   "age": rng.normal(60, 8, 80)})
    >>> r = combined_marker(y, X, n_splits=5, seed=0)
    >>> r.predictors
    ('vbq', 'age')
    """
    from sklearn.model_selection import StratifiedKFold

    if not isinstance(X, pd.DataFrame) or X.shape[1] == 0:
        raise InputError(f"X must be a pandas DataFrame with at least one column; received "
                         f"{type(X).__name__}")
    n_splits = check_int(n_splits, "n_splits", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    confidence = check_confidence(confidence)
    y = as_float_1d(y_true, "y_true")
    check_same_length(("y_true", y), ("X", X))
    keep = ~np.isnan(y) & ~X.isna().any(axis=1).to_numpy()
    n_missing = int(y.shape[0] - np.count_nonzero(keep))
    design = pd.get_dummies(X.loc[keep], drop_first=True, dtype=float)
    try:
        design = design.astype(float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"X columns must be numeric, boolean or categorical: {exc}") from exc
    yb, _, _ = _prepare(y[keep], (np.zeros(int(keep.sum())), "y_true"))
    m = int(yb.sum())
    n = yb.shape[0] - m
    if min(m, n) < n_splits:
        raise DegenerateInputError(
            f"each class needs at least n_splits = {n_splits} patients for stratified CV; "
            f"received n_pos = {m}, n_neg = {n}"
        )
    names = tuple(design.columns.astype(str))
    Xd = np.column_stack([np.ones(yb.shape[0]), design.to_numpy()])
    fit = _fit_logit(yb, Xd)
    ci = np.asarray(fit.conf_int(alpha=1.0 - confidence))
    params = np.asarray(fit.params)
    coefficients = pd.DataFrame(
        {
            "term": ("intercept",) + names,
            "estimate": params,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "odds_ratio": np.exp(params),
            "statistic": np.asarray(fit.tvalues),
            "p_value": np.asarray(fit.pvalues),
            "n": yb.shape[0],
            "method": "logistic regression (Wald)",
        }
    )

    def auc_of(labels: np.ndarray, prob: np.ndarray) -> float:
        return _delong_group_placements(_group_counts(labels, prob))[2]

    apparent = auc_of(yb, Xd @ params)
    lp = np.full(y.shape[0], np.nan)
    lp[keep] = Xd @ params
    folds = []
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    for train, test in splitter.split(Xd, yb):
        fold_fit = _fit_logit(yb[train], Xd[train])
        folds.append(auc_of(yb[test], Xd[test] @ np.asarray(fold_fit.params)))
    folds_arr = np.asarray(folds)
    return CombinedMarkerResult(
        coefficients=coefficients,
        apparent_auc=apparent,
        cv_auc=float(folds_arr.mean()),
        cv_auc_folds=folds_arr,
        n_splits=n_splits,
        seed=seed,
        predictors=names,
        n_pos=m,
        n_neg=n,
        n_missing=n_missing,
        linear_predictor=lp,
    )
