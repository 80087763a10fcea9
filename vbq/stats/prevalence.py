"""Prevalence of osteoporosis by DXA and by the VBQ threshold, and how the VBQ reclassifies
patients (Chen et al. 2023, Results: 19.8% vs 20.1% by T-score, 53.5% vs 38.8% by VBQ, and 46.9%
vs 30.8% VBQ-positive among T-score-negative patients).

Tests between groups follow `vbq.stats.groups.compare_categorical`: Pearson chi-square without
continuity correction, Fisher's exact test when an expected count is below 5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ._contingency import CategoricalComparison, categorical_kernel, check_test
from ._validation import check_bool, check_frame, check_same_length, frozen_array, group_codes

__all__ = [
    "PrevalenceShift",
    "PrevalenceBy",
    "Reclassification",
    "prevalence_shift",
    "prevalence_by",
    "reclassification",
    "STATUS_LEVELS",
]

STATUS_LEVELS = ("normal", "osteopenia", "osteoporosis")
"""Bone status labels of ``dxa_status`` and ``vbq_status`` (WHO categories)."""
_FLAG_LEVELS = (True, False)


def _check_positive(positive: Any, observed: set) -> tuple:
    if isinstance(positive, str):
        positive = (positive,)
    positive = tuple(positive)
    if not positive:
        raise InputError("positive: expected at least one status label, got none")
    unknown = [p for p in positive if p not in observed and p not in STATUS_LEVELS]
    if unknown:
        raise InputError(
            f"positive: label(s) {unknown} are neither observed ({sorted(map(str, observed))}) "
            f"nor one of {STATUS_LEVELS}"
        )
    return positive


def _flag(values: pd.Series, positive: tuple) -> pd.Series:
    """True when the status is one of `positive`, False otherwise, missing stays missing."""
    # a nullable boolean array: its codes come without hashing (see groups._labels)
    flag = values.isin(positive).to_numpy(dtype=bool, na_value=False)
    return pd.Series(pd.arrays.BooleanArray(flag, values.isna().to_numpy()), index=values.index)


def _row(measure: str, res: CategoricalComparison) -> dict[str, Any]:
    row: dict[str, Any] = {"measure": measure}
    for j, g in enumerate(res.groups):
        row[f"count_{g}"] = int(res.counts[0, j])
        row[f"n_{g}"] = int(res.n[j])
        row[f"percent_{g}"] = float(res.percent[0, j])
    row.update(statistic=res.statistic, df1=res.df, p_value=res.p_value, n=int(res.n.sum()),
               n_missing=res.n_missing, method=res.method)
    return row


@dataclass(frozen=True)
class PrevalenceShift:
    """Prevalence per group by the reference standard (DXA) and by the test (VBQ).

    Attributes
    ----------
    between, reference_col, test_col : str
    positive : tuple of str
        Status labels counted as positive.
    groups : tuple
    reference : CategoricalComparison
        Positive by the reference (level True = positive, first row), per group, with its test.
    test : CategoricalComparison
        Positive by the test, per group.
    test_among_reference_negative : CategoricalComparison
        Among patients negative by the reference, positive by the test (the paper's 46.9% vs
        30.8%).
    """

    between: str
    reference_col: str
    test_col: str
    positive: tuple
    groups: tuple
    reference: CategoricalComparison
    test: CategoricalComparison
    test_among_reference_negative: CategoricalComparison

    def to_frame(self) -> pd.DataFrame:
        """Three rows (``measure`` = "reference", "test", "test_among_reference_negative") with
        ``count_<g>, n_<g>, percent_<g>`` per group, then ``statistic, df1, p_value, n,
        n_missing, method``."""
        return pd.DataFrame([
            _row("reference", self.reference),
            _row("test", self.test),
            _row("test_among_reference_negative", self.test_among_reference_negative),
        ])

    def summary(self) -> str:
        pos = "/".join(self.positive)
        lines = [f"Prevalence of {pos} by {self.between}"]
        for label, res in (
            (f"by {self.reference_col}", self.reference),
            (f"by {self.test_col}", self.test),
            (f"by {self.test_col} among {self.reference_col}-negative",
             self.test_among_reference_negative),
        ):
            cells = "; ".join(f"{g}: {int(res.counts[0, j])}/{int(res.n[j])} "
                              f"({res.percent[0, j]:.1f}%)" for j, g in enumerate(res.groups))
            lines.append(f"  {label}: {cells}; {res.method} p = {res.p_value:.4g}")
        return "\n".join(lines)


def prevalence_shift(
    data: pd.DataFrame,
    *,
    between: str = "group",
    reference_col: str = "dxa_status",
    test_col: str = "vbq_status",
    positive: Any = ("osteoporosis",),
    correction: bool = False,
    test: str = "auto",
    order: Any = None,
) -> PrevalenceShift:
    """Prevalence by DXA and by VBQ in each group, and VBQ positives among DXA negatives.

    Parameters
    ----------
    data : DataFrame
    between : str, default "group"
    reference_col : str, default "dxa_status"
        Status by the reference standard.
    test_col : str, default "vbq_status"
        Status by the VBQ threshold.
    positive : str or sequence of str, default ("osteoporosis",)
        Labels counted as positive; ``("osteopenia", "osteoporosis")`` for low bone mass.
    correction : bool, default False
        Yates' correction for the 2 x 2 chi-square (off: SPSS's Pearson row; the paper's
        p = 0.025 for 53.5% vs 38.8% is reproduced only without it).
    test : {"auto", "chi2", "fisher"}, default "auto"
        As `compare_categorical`.
    order : sequence, optional
        Group order.

    Returns
    -------
    PrevalenceShift

    Raises
    ------
    InputError
        Missing column, unknown `positive` label, bad `test` or `order`.
    DegenerateInputError
        A group without patients for a comparison.

    Notes on degenerate tables: when everybody (or nobody) is positive in a comparison, its
    counts are kept and its statistic and p are NaN, with ``method`` "not tested (...)" saying
    why (the chi-square is undefined; R's ``chisq.test`` returns NaN there too).

    Notes
    -----
    Each comparison is a 2 x g table (positive / negative by group); patients missing the status
    needed are left out of that comparison and counted in its ``n_missing``. Reference-negative
    means a reference status that is present and not in `positive`.

    Validated against: R 4.2.2 ``chisq.test(correct=FALSE)`` / ``fisher.test`` on the same tables
    (tests/reference/prevalence_reference.R), and the paper's 54/101 vs 52/134, p = 0.025
    (R: 0.0253710).

    References
    ----------
    Chen Z, et al. J Orthop Surg Res 2023;18:257 (Results).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"group": ["a"] * 6 + ["b"] * 6,
    ...     "dxa_status": ["osteoporosis", "normal", "osteopenia"] * 4,
    ...     "vbq_status": ["osteoporosis", "osteoporosis", "normal"] * 4})
    >>> prevalence_shift(d).test.percent[0].tolist()
    [66.66666666666667, 66.66666666666667]
    """
    data = check_frame(data, [between, reference_col, test_col])
    check_test(test)
    correction = check_bool(correction, "correction")
    observed = set(pd.unique(data[reference_col].dropna()).tolist()) | set(
        pd.unique(data[test_col].dropna()).tolist())
    positive = _check_positive(positive, observed)
    codes, groups = group_codes(data[between], order, between)
    ref = _flag(data[reference_col], positive)
    tst = _flag(data[test_col], positive)
    r_ref = categorical_kernel(ref, codes, groups, reference_col, between, _FLAG_LEVELS,
                                correction, test, untestable_ok=True)
    r_tst = categorical_kernel(tst, codes, groups, test_col, between, _FLAG_LEVELS,
                                correction, test, untestable_ok=True)
    neg = ~ref.to_numpy(dtype=bool, na_value=True)  # present and not positive
    r_neg = categorical_kernel(tst[neg], codes[neg], groups, f"{test_col} | {reference_col} "
                                "negative", between, _FLAG_LEVELS, correction, test,
                                untestable_ok=True)
    return PrevalenceShift(
        between=between, reference_col=reference_col, test_col=test_col, positive=positive,
        groups=groups, reference=r_ref, test=r_tst, test_among_reference_negative=r_neg,
    )


@dataclass(frozen=True)
class PrevalenceBy:
    """Prevalence of a positive status in each level of a breakdown (diagnosis, age >= 60 ...).

    Attributes
    ----------
    by, status_col : str
    positive : tuple
    levels : tuple
        Levels of the breakdown.
    count, n : ndarray of int
        Positive patients and patients with a status, per level.
    percent : ndarray of float
        ``100 * count / n``.
    comparison : CategoricalComparison
        The positive/negative by level table and its chi-square or Fisher test (``p_value``,
        ``method``).
    """

    by: str
    status_col: str
    positive: tuple
    levels: tuple
    count: np.ndarray
    n: np.ndarray
    percent: np.ndarray
    comparison: CategoricalComparison

    @property
    def p_value(self) -> float:
        return self.comparison.p_value

    @property
    def method(self) -> str:
        return self.comparison.method

    def to_frame(self) -> pd.DataFrame:
        """One row per level: ``level, count, n, percent``, then the test (repeated)."""
        c = self.comparison
        return pd.DataFrame({
            "by": self.by, "level": list(self.levels), "count": self.count, "n": self.n,
            "percent": self.percent, "statistic": c.statistic, "df1": c.df, "p_value": c.p_value,
            "n_missing": c.n_missing, "method": c.method,
        })

    def summary(self) -> str:
        cells = "; ".join(f"{lv}: {int(k)}/{int(m)} ({p:.1f}%)" for lv, k, m, p in
                          zip(self.levels, self.count, self.n, self.percent, strict=True))
        return (f"{'/'.join(self.positive)} by {self.status_col}, per {self.by}: {cells}; "
                f"{self.method} p = {self.p_value:.4g}")


def prevalence_by(
    data: pd.DataFrame,
    by: Any,
    *,
    status_col: str = "vbq_status",
    positive: Any = ("osteoporosis",),
    correction: bool = False,
    test: str = "auto",
    order: Any = None,
) -> PrevalenceBy:
    """Prevalence per level of a breakdown, with a chi-square or Fisher test across levels.

    Parameters
    ----------
    data : DataFrame
    by : str or array-like
        A column name (e.g. "diagnosis") or values aligned with `data` (e.g.
        ``data["age"] >= 60``; named "by").
    status_col : str, default "vbq_status"
    positive : str or sequence of str, default ("osteoporosis",)
    correction, test : as `prevalence_shift`
    order : sequence, optional
        Order of the breakdown levels.

    Returns
    -------
    PrevalenceBy

    Raises
    ------
    InputError
        Missing column, `by` of the wrong length, unknown `positive` label.
    DegenerateInputError
        Fewer than two levels with patients, or nobody / everybody positive.

    Notes
    -----
    Table positive/negative x levels; test as `vbq.stats.groups.compare_categorical`. Patients
    with a missing status or breakdown value are left out and counted (``comparison.n_missing``).
    The paper compares the VBQ prevalence across the four diagnoses (P = 0.121).

    Validated against: R 4.2.2 ``chisq.test(table(positive, by), correct=FALSE)`` and
    ``fisher.test`` (tests/reference/prevalence_reference.R).

    References
    ----------
    Chen Z, et al. J Orthop Surg Res 2023;18:257 (Results).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"age": [55, 62, 70, 48, 66, 59, 61, 75],
    ...     "vbq_status": ["normal", "osteoporosis", "osteoporosis", "normal",
    ...                    "osteopenia", "osteoporosis", "osteoporosis", "normal"]})
    >>> prevalence_by(d, d["age"] >= 60).levels
    (False, True)
    """
    if isinstance(by, str):
        data = check_frame(data, [by, status_col])
        name, values = by, data[by]
    else:
        data = check_frame(data, [status_col])
        raw = by.to_numpy() if isinstance(by, pd.Series) else np.asarray(by, dtype=object).ravel()
        check_same_length(("data", data), ("by", raw))
        values = pd.Series(raw, index=data.index)
        name = by.name if isinstance(by, pd.Series) and by.name is not None else "by"
    check_test(test)
    correction = check_bool(correction, "correction")
    observed = set(pd.unique(data[status_col].dropna()).tolist())
    positive = _check_positive(positive, observed)
    codes, levels = group_codes(values, order, str(name))
    flag = _flag(data[status_col], positive)
    res = categorical_kernel(flag, codes, levels, status_col, str(name), _FLAG_LEVELS,
                              correction, test)
    return PrevalenceBy(
        by=str(name), status_col=status_col, positive=positive, levels=levels,
        count=frozen_array(res.counts[0]), n=frozen_array(res.n), percent=frozen_array(res.percent[0]),
        comparison=res,
    )


@dataclass(frozen=True)
class Reclassification:
    """Cross-tabulation of the reference status (rows) against the test status (columns).

    Attributes
    ----------
    reference_col, test_col : str
    levels : tuple
        Status labels, the order of rows and columns.
    counts : ndarray of int, shape (levels, levels)
    n : int
        Patients with both statuses.
    n_missing : int
        Patients left out (either status missing).
    """

    reference_col: str
    test_col: str
    levels: tuple
    counts: np.ndarray
    n: int
    n_missing: int

    @property
    def agreement(self) -> float:
        """Share of patients with the same status by both (diagonal / n)."""
        return float(np.trace(self.counts) / self.n) if self.n else math.nan

    def crosstab(self) -> pd.DataFrame:
        """Wide table: index = reference status, columns = test status, cells = counts."""
        return pd.DataFrame(self.counts, index=pd.Index(self.levels, name=self.reference_col),
                            columns=pd.Index(self.levels, name=self.test_col))

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per (reference, test) pair with ``count`` and ``percent`` of n."""
        ref, tst = np.meshgrid(np.arange(len(self.levels)), np.arange(len(self.levels)),
                               indexing="ij")
        return pd.DataFrame({
            "reference": [self.levels[i] for i in ref.ravel()],
            "test": [self.levels[j] for j in tst.ravel()],
            "count": self.counts.ravel(),
            "percent": 100.0 * self.counts.ravel() / self.n if self.n else math.nan,
        })

    def summary(self) -> str:
        return (f"{self.reference_col} (rows) by {self.test_col} (columns), n = {self.n}, "
                f"{self.n_missing} missing:\n{self.crosstab().to_string()}")


def reclassification(
    data: pd.DataFrame,
    reference_col: str = "dxa_status",
    test_col: str = "vbq_status",
    *,
    levels: Any = STATUS_LEVELS,
) -> Reclassification:
    """How the test status (VBQ) reclassifies patients relative to the reference (DXA).

    Parameters
    ----------
    data : DataFrame
    reference_col : str, default "dxa_status"
    test_col : str, default "vbq_status"
    levels : sequence, default ("normal", "osteopenia", "osteoporosis")
        Status labels in row/column order; a value outside them raises.

    Returns
    -------
    Reclassification

    Raises
    ------
    InputError
        Missing column, or a status not in `levels`.

    Notes
    -----
    Counts of the pairs (reference, test); patients missing either status are left out and
    counted in ``n_missing``.

    Validated against: R 4.2.2 ``table(factor(dxa_status, levels), factor(vbq_status, levels))``
    (tests/reference/prevalence_reference.R).

    References
    ----------
    Chen Z, et al. J Orthop Surg Res 2023;18:257 (Results).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"dxa_status": ["normal", "osteoporosis", "osteopenia"],
    ...                   "vbq_status": ["osteoporosis", "osteoporosis", "normal"]})
    >>> int(reclassification(d).counts[0, 2])
    1
    """
    data = check_frame(data, [reference_col, test_col])
    levels = tuple(levels)
    rc, _ = group_codes(data[reference_col], levels, reference_col)
    tc, _ = group_codes(data[test_col], levels, test_col)
    ok = (rc >= 0) & (tc >= 0)
    k = len(levels)
    counts = np.bincount(rc[ok] * k + tc[ok], minlength=k * k).reshape(k, k)
    return Reclassification(
        reference_col=reference_col, test_col=test_col, levels=levels, counts=frozen_array(counts),
        n=int(ok.sum()), n_missing=int(ok.size - ok.sum()),
    )
