"""Kernels shared by the ROC modules (`roc`, `delong`, `cutoffs`, `combined`).

Validation of the labels and scores (`_prepare`), the sort-once counts per distinct value
(`_Groups`), the curve's thresholds, the DeLong placements (Sun & Xu 2014 midranks), Wilson
intervals and the stratified AUC bootstrap. Every kernel works in one orientation: scores are
turned into ``s = score`` (higher is positive) or ``s = -score`` (lower is positive) first.
Conventions are those of R's pROC 1.18.0; see `vbq.stats.roc`.
"""


from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from statsmodels.stats.proportion import proportion_confint

from vbq.errors import DegenerateInputError, InputError

from ._threads import one_blas_thread
from ._validation import (
    as_float_1d,
    check_same_length,
    complete_cases,
)

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
    name: str, estimate: float, ci: tuple[float, float], undefined: str, notes: list[str],
    *, extreme: bool = True,
) -> tuple[float, float]:
    """`ci` extended to contain `estimate` (a note says which bound moved and why: `extreme`,
    sensitivity or specificity at 0 or 1; otherwise the interval, centred on the adjusted
    counts' value, missed the estimate); (NaN, NaN) and a note when the estimate is
    undefined."""
    if math.isnan(estimate):
        notes.append(f"{name} undefined (0/0) with {undefined}; no interval is given")
        return (math.nan, math.nan)
    low, high = ci
    if low <= estimate <= high:
        return ci
    side = "lower" if estimate < low else "upper"
    notes.append(
        f"the adjusted-logit interval of the {name} ({low:.3f}-{high:.3f}) excluded the estimate "
        f"{estimate:.3f} ("
        + ("sensitivity or specificity at 0 or 1" if extreme else
           "the interval is centred on the value of the adjusted counts, which lies far from "
           "the estimate at this prevalence")
        + f"); its {side} bound was moved to the estimate"
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
