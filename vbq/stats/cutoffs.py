"""Cutoffs beyond the single Youden point: how variable and optimistic it is, and a grey zone.

- `bootstrap_cutoff`: the sampling variability and optimism of the Youden cutoff.
- `grey_zone`: a two-threshold rule-out / refer-to-DXA / rule-in triage.

Kernels come from `_roc_kernels`; conventions as in `vbq.stats.roc`.
"""


from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vbq.errors import DegenerateInputError, InputError

from ._roc_kernels import (
    _MAX_BOOT_CELLS,
    _group_counts,
    _midpoint,
    _orient,
    _prepare,
    _ratio,
    _wilson,
)
from ._validation import (
    check_bool,
    check_confidence,
    check_int,
    check_number,
)

__all__ = [
    "BootstrapCutoffResult",
    "GreyZoneResult",
    "bootstrap_cutoff",
    "grey_zone",
]

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
