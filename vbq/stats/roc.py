"""ROC analysis of a screening score: the curve, the AUC with a DeLong or bootstrap CI, cutoffs.

The study (Chen et al. 2023) derives the VBQ threshold for osteoporosis from the control group's ROC
curve by the Youden index. This module holds that analysis:

- `roc_analysis`: the curve, AUC with a DeLong (or stratified bootstrap) CI, the Youden-optimal and
  closest-to-top-left cutoffs, and the metrics at any cutoff (`ROCResult.at`).
- `round_cutoff`: the paper's rounding of a cutoff to a threshold a clinician can use.

Its neighbours: `delong` (DeLong comparisons of AUCs), `cutoffs` (bootstrap of the Youden cutoff,
grey zone), `combined` (a logistic combination of markers); `_roc_kernels` holds what they share.

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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from vbq.errors import InputError

from ._roc_kernels import (
    _auc_bootstrap,
    _containing,
    _curve_counts,
    _delong_variance,
    _group_counts,
    _orient,
    _prepare,
    _ratio,
    _wilson,
)
from ._validation import (
    check_bool,
    check_choice,
    check_confidence,
    check_int,
    check_number,
    check_proportion,
)

__all__ = [
    "CutoffMetrics",
    "PredictiveValues",
    "ROCResult",
    "roc_analysis",
    "round_cutoff",
]

_CI_METHODS = ("delong", "bootstrap")


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
        extreme = se in (0.0, 1.0) or sp in (0.0, 1.0)
        ppv_ci = _containing(
            "PPV", ppv, (float(expit(logit_ppv - half_ppv)), float(expit(logit_ppv + half_ppv))),
            "sensitivity 0 and specificity 1: nobody would test positive", notes,
            extreme=extreme)
        npv_ci = _containing(
            "NPV", npv, (float(expit(logit_npv - half_npv)), float(expit(logit_npv + half_npv))),
            "sensitivity 1 and specificity 0: nobody would test negative", notes,
            extreme=extreme)
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
