"""Correlation of the VBQ score with DXA and CT measures: Table 3 of Chen et al. 2023.

`pearson` and `spearman` give one coefficient with its Fisher-z confidence interval and the
paper's strength label; `compare_correlations` tests whether two groups' coefficients differ
(z-test for independent correlations, with Zou's interval for the difference);
`correlation_table` builds the tidy Table 3. Incomplete pairs are left out and counted
(``n_missing``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from ..errors import DegenerateInputError, InputError
from ._threads import one_blas_thread
from ._validation import (
    as_float_1d,
    check_choice,
    check_columns,
    check_confidence,
    check_frame,
    check_int,
    check_same_length,
    complete_cases,
    group_codes,
)

__all__ = [
    "CorrelationResult",
    "CorrelationDifference",
    "pearson",
    "spearman",
    "strength_label",
    "compare_correlations",
    "correlation_table",
    "STRENGTH_BOUNDS",
]

STRENGTH_BOUNDS = (0.1, 0.3, 0.5)
"""Upper bounds of |r| for "negligible", "weak" and "moderate"; above the last, "strong"."""
_METHODS = ("pearson", "spearman")
_MIN_PAIRS = 4  # the Fisher-z interval needs n - 3 > 0


def strength_label(r: float) -> str:
    """The paper's verbal strength of a correlation coefficient.

    Parameters
    ----------
    r : float
        Correlation coefficient in [-1, 1].

    Returns
    -------
    str
        "negligible" for ``|r| <= 0.1``, "weak" for ``0.1 < |r| <= 0.3``, "moderate" for
        ``0.3 < |r| <= 0.5``, "strong" for ``|r| > 0.5``.

    Raises
    ------
    InputError
        `r` is NaN or outside [-1, 1].

    Notes
    -----
    Chen et al. (Methods): 0.1-0.3 weak, 0.3-0.5 moderate, above 0.5 strong; the paper does not
    name ``|r| <= 0.1``, called "negligible" here. Bounds belong to the lower label
    (``|r| = 0.5`` is moderate, as the paper calls -0.501 "high" and -0.438 "moderate").

    Validated against: the paper's wording (-0.372 and -0.438 moderate; -0.501 and -0.537 high).

    References
    ----------
    Chen Z, et al. J Orthop Surg Res 2023;18:257.

    Examples
    --------
    >>> strength_label(-0.537)
    'strong'
    """
    r = float(r)
    if not -1.0 <= r <= 1.0:
        raise InputError(f"r: expected a correlation in [-1, 1], got {r!r}")
    a = abs(r)
    if a <= STRENGTH_BOUNDS[0]:
        return "negligible"
    if a <= STRENGTH_BOUNDS[1]:
        return "weak"
    if a <= STRENGTH_BOUNDS[2]:
        return "moderate"
    return "strong"


@dataclass(frozen=True)
class CorrelationResult:
    """A correlation coefficient with its test and confidence interval.

    Attributes
    ----------
    estimate : float
        Pearson's r or Spearman's rho.
    ci_low, ci_high : float
        Confidence interval (Fisher z; see `pearson` Notes). Equal to `estimate` when ``|r| = 1``.
    statistic : float
        ``t = r sqrt((n - 2) / (1 - r^2))`` (inf when ``|r| = 1``).
    df : float
        ``n - 2``.
    p_value : float
        Two-sided p of H0: no correlation (t distribution with n - 2 df).
    n : int
        Complete pairs analysed.
    n_missing : int
        Pairs left out because x or y is missing.
    confidence : float
    method : str
        "Pearson" or "Spearman".
    strength : str
        `strength_label` of the estimate.
    r : float
        Alias of `estimate` (property).
    ci : tuple of float
        ``(ci_low, ci_high)`` (property).
    """

    estimate: float
    ci_low: float
    ci_high: float
    statistic: float
    df: float
    p_value: float
    n: int
    n_missing: int
    confidence: float
    method: str
    strength: str

    @property
    def r(self) -> float:
        """The coefficient (same as `estimate`)."""
        return self.estimate

    @property
    def ci(self) -> tuple[float, float]:
        """``(ci_low, ci_high)``."""
        return (self.ci_low, self.ci_high)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``estimate, ci_low, ci_high, statistic, df1, p_value, n, n_missing, method,
        strength``."""
        return pd.DataFrame([{
            "estimate": self.estimate, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "statistic": self.statistic, "df1": self.df, "p_value": self.p_value, "n": self.n,
            "n_missing": self.n_missing, "method": self.method, "strength": self.strength,
        }])

    def summary(self) -> str:
        sym = "r" if self.method == "Pearson" else "rho"
        return (f"{self.method} {sym} = {self.estimate:.4g} ({self.confidence:.0%} CI "
                f"{self.ci_low:.4g} to {self.ci_high:.4g}), t({self.df:.0f}) = "
                f"{self.statistic:.4g}, p = {self.p_value:.4g}, n = {self.n} "
                f"({self.n_missing} incomplete pair(s) left out); {self.strength}")


def _z_se(r: float, n: int, method: str) -> float:
    """Standard error of atanh(r): 1/sqrt(n - 3) for Pearson's r (Fisher 1921), Bonett and
    Wright's sqrt((1 + r^2/2)/(n - 3)) for Spearman's rho (Bonett & Wright 2000). One function, so
    the interval of a coefficient and the test comparing two coefficients use the same variance."""
    if method == "spearman":
        return math.sqrt((1 + r * r / 2) / (n - 3))
    return 1 / math.sqrt(n - 3)


def _fisher_ci(r: float, se: float, confidence: float) -> tuple[float, float]:
    if abs(r) >= 1.0:
        return r, r
    z = math.atanh(r)
    half = float(special.ndtri(0.5 + confidence / 2)) * se
    return math.tanh(z - half), math.tanh(z + half)


@one_blas_thread
def _corr_kernel(x: np.ndarray, y: np.ndarray, method: str, confidence: float) -> CorrelationResult:
    ok, n_missing = complete_cases(x, y)
    n = int(ok.size - n_missing)
    if n < _MIN_PAIRS:
        raise DegenerateInputError(
            f"{n} complete pair(s); a correlation with a confidence interval needs at least "
            f"{_MIN_PAIRS}"
        )
    a, b = x[ok], y[ok]
    if method == "spearman":
        a, b = stats.rankdata(a), stats.rankdata(b)  # midranks for ties
    a = a - a.mean()
    b = b - b.mean()
    saa, sbb = float(a @ a), float(b @ b)
    if saa == 0 or sbb == 0:
        which = "x" if saa == 0 else "y"
        raise DegenerateInputError(f"{which} is constant over the {n} complete pairs; r is undefined")
    r = float(np.clip((a @ b) / math.sqrt(saa * sbb), -1.0, 1.0))
    df = n - 2
    if abs(r) == 1.0:
        t, p = math.copysign(math.inf, r), 0.0
    else:
        t = r * math.sqrt(df / (1 - r * r))
        p = float(2 * special.stdtr(df, -abs(t)))
    lo, hi = _fisher_ci(r, _z_se(r, n, method), confidence)
    return CorrelationResult(
        estimate=r, ci_low=lo, ci_high=hi, statistic=t, df=float(df), p_value=p, n=n,
        n_missing=n_missing, confidence=confidence, method=method.capitalize(),
        strength=strength_label(r),
    )


def _paired(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    xa, ya = as_float_1d(x, "x"), as_float_1d(y, "y")
    check_same_length(("x", xa), ("y", ya))
    return xa, ya


def pearson(
    x: Any,
    y: Any,
    *,
    confidence: float = 0.95,
) -> CorrelationResult:
    """Pearson's correlation coefficient with confidence interval, p-value and strength label.

    Parameters
    ----------
    x, y : array-like of float, same length
        Paired measurements (e.g. VBQ and L1-L4 BMD). Pairs with a missing value are left out and
        counted in ``n_missing``.
    confidence : float, default 0.95

    Returns
    -------
    CorrelationResult

    Raises
    ------
    InputError
        Different lengths, non-numeric values, bad `confidence`.
    DegenerateInputError
        Fewer than 4 complete pairs, or x or y constant.

    Notes
    -----
    ``r = sum (x - mx)(y - my) / sqrt(sum (x - mx)^2 sum (y - my)^2)``. Test:
    ``t = r sqrt((n - 2) / (1 - r^2))`` on n - 2 df. Interval: ``tanh(atanh(r) ± z_(1+c)/2 SE)``
    with ``SE = 1/sqrt(n - 3)`` (Fisher 1921), as R's ``cor.test``.

    Validated against: R 4.2.2 ``cor.test(x, y)`` (r, t, df, p, conf.int)
    (tests/reference/correlation_reference.R).

    References
    ----------
    Fisher RA. On the probable error of a coefficient of correlation deduced from a small sample.
    Metron 1921;1:3-32.

    Examples
    --------
    >>> res = pearson([2.4, 2.9, 3.1, 2.6, 3.4, 2.8], [1.10, 0.95, 0.90, 1.02, 0.81, 1.00])
    >>> res.strength
    'strong'
    """
    confidence = check_confidence(confidence)
    xa, ya = _paired(x, y)
    return _corr_kernel(xa, ya, "pearson", confidence)


def spearman(x: Any, y: Any, *, confidence: float = 0.95) -> CorrelationResult:
    """Spearman's rank correlation with confidence interval, p-value and strength label.

    Parameters
    ----------
    x, y : array-like of float, same length
        Paired measurements. Pairs with a missing value are left out and counted in
        ``n_missing``.
    confidence : float, default 0.95

    Returns
    -------
    CorrelationResult
        ``method`` is "Spearman".

    Raises
    ------
    InputError
        Different lengths, non-numeric values, bad `confidence`.
    DegenerateInputError
        Fewer than 4 complete pairs, or x or y constant.

    Notes
    -----
    rho is Pearson's r of the midranks (ties share their mean rank). Test: the t approximation
    ``t = rho sqrt((n - 2) / (1 - rho^2))`` on n - 2 df, as R's ``cor.test(method = "spearman",
    exact = FALSE)`` and SPSS (R's default exact p for n < 1290 without ties differs slightly).
    Interval: ``tanh(atanh(rho) ± z_(1+c)/2 SE)`` with the Bonett-Wright
    ``SE = sqrt((1 + rho^2/2)/(n - 3))`` (R's cor.test gives no interval for rho); the same
    variance is used when two groups' rho are compared (`compare_correlations`).

    Validated against: R 4.2.2 ``cor.test(x, y, method = "spearman", exact = FALSE)`` (rho, p);
    the interval against the formula in tests/reference/correlation_reference.R.

    References
    ----------
    Spearman C. The proof and measurement of association between two things. Am J Psychol
    1904;15:72-101.
    Bonett DG, Wright TA. Sample size requirements for estimating Pearson, Kendall and Spearman
    correlations. Psychometrika 2000;65:23-28.

    Examples
    --------
    >>> res = spearman([2.4, 2.9, 3.1, 2.6, 3.4, 2.8], [1.10, 0.95, 0.90, 1.02, 0.81, 1.00])
    >>> res.estimate
    -1.0
    """
    confidence = check_confidence(confidence)
    xa, ya = _paired(x, y)
    return _corr_kernel(xa, ya, "spearman", confidence)


@dataclass(frozen=True)
class CorrelationDifference:
    """Difference between two independent correlations.

    Attributes
    ----------
    r1, r2 : float
    n1, n2 : int
    estimate : float
        ``r1 - r2``.
    ci_low, ci_high : float
        Zou's (2007) confidence interval of the difference.
    statistic : float
        Fisher z-test statistic.
    p_value : float
        Two-sided p.
    confidence : float
    method : str
    """

    r1: float
    r2: float
    n1: int
    n2: int
    estimate: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    confidence: float
    method: str

    def to_frame(self) -> pd.DataFrame:
        """One row: ``r1, n1, r2, n2, estimate, ci_low, ci_high, statistic, p_value, method``."""
        return pd.DataFrame([{k: getattr(self, k) for k in (
            "r1", "n1", "r2", "n2", "estimate", "ci_low", "ci_high", "statistic", "p_value",
            "method")}])

    def summary(self) -> str:
        return (f"r1 = {self.r1:.4g} (n = {self.n1}) vs r2 = {self.r2:.4g} (n = {self.n2}): "
                f"difference {self.estimate:.4g} ({self.confidence:.0%} CI {self.ci_low:.4g} to "
                f"{self.ci_high:.4g}), z = {self.statistic:.4g}, p = {self.p_value:.4g}")


def compare_correlations(
    r1: float,
    n1: int,
    r2: float,
    n2: int,
    *,
    method: str = "pearson",
    confidence: float = 0.95,
) -> CorrelationDifference:
    """Test two correlations from independent samples (z-test; e.g. control vs degenerative).

    Parameters
    ----------
    r1 : float
        The first correlation, in (-1, 1) (pass ``res.estimate`` of a `CorrelationResult`).
    n1 : int
        Its sample size (``res.n``), at least 4.
    r2 : float
        The second correlation, in (-1, 1).
    n2 : int
        Its sample size, at least 4.
    method : {"pearson", "spearman"}, default "pearson"
        The kind of both coefficients; it sets the variance of atanh(r) (see Notes).
    confidence : float, default 0.95

    Returns
    -------
    CorrelationDifference

    Raises
    ------
    InputError
        r outside (-1, 1), n not an integer >= 4, unknown `method`, bad `confidence`.

    Notes
    -----
    ``z = (atanh r1 - atanh r2) / sqrt(v1 + v2)``, two-sided p from the normal distribution,
    where v_i is the variance of atanh(r_i): ``1/(n_i - 3)`` for Pearson's r (Fisher's z-test)
    and the Bonett-Wright ``(1 + r_i^2/2)/(n_i - 3)`` for Spearman's rho, the variance behind
    the rho's own interval (`spearman`), so the test and the intervals agree. Interval of
    ``r1 - r2`` (Zou 2007) from the two coefficients' intervals (l_i, u_i), computed with the
    same variances: ``L = r1 - r2 - sqrt((r1 - l1)^2 + (u2 - r2)^2)``,
    ``U = r1 - r2 + sqrt((u1 - r1)^2 + (r2 - l2)^2)``.

    Validated against: R 4.2.2, psych 2.2.9 ``r.test(n=n1, r12=r1, n2=n2, r34=r2)`` (z, p;
    Pearson) and Zou's formula written out in tests/reference/correlation_reference.R; the
    Spearman variant against the Bonett-Wright formula written out in the tests.

    References
    ----------
    Cohen J, Cohen P, West SG, Aiken LS. Applied multiple regression/correlation analysis for the
    behavioral sciences. 3rd ed. 2003, section 2.8.
    Bonett DG, Wright TA. Sample size requirements for estimating Pearson, Kendall and Spearman
    correlations. Psychometrika 2000;65:23-28.
    Zou GY. Toward using confidence intervals to compare correlations. Psychol Methods
    2007;12:399-413.

    Examples
    --------
    >>> res = compare_correlations(-0.611, 134, -0.453, 101)
    >>> res.p_value > 0.05
    True
    """
    check_choice(method, "method", _METHODS)
    confidence = check_confidence(confidence)
    for name, r in (("r1", r1), ("r2", r2)):
        if isinstance(r, bool | str) or not isinstance(r, int | float | np.number) \
                or not -1.0 < float(r) < 1.0:
            raise InputError(f"{name}: expected a correlation strictly between -1 and 1, got {r!r}")
    for name, n in (("n1", n1), ("n2", n2)):
        if isinstance(n, float | np.floating) and float(n).is_integer():
            n = int(n)
        try:
            check_int(n, name, minimum=_MIN_PAIRS)
        except InputError as exc:
            raise InputError(f"{name}: expected an integer sample size >= {_MIN_PAIRS}, got "
                             f"{n!r}") from exc
    r1, r2, n1, n2 = float(r1), float(r2), int(n1), int(n2)
    se1, se2 = _z_se(r1, n1, method), _z_se(r2, n2, method)
    z = (math.atanh(r1) - math.atanh(r2)) / math.sqrt(se1**2 + se2**2)
    p = float(2 * special.ndtr(-abs(z)))
    l1, u1 = _fisher_ci(r1, se1, confidence)
    l2, u2 = _fisher_ci(r2, se2, confidence)
    d = r1 - r2
    label = ("Fisher z-test for independent correlations" if method == "pearson" else
             "z-test for independent Spearman correlations, Bonett-Wright variance")
    return CorrelationDifference(
        r1=r1, r2=r2, n1=n1, n2=n2, estimate=d,
        ci_low=d - math.sqrt((r1 - l1) ** 2 + (u2 - r2) ** 2),
        ci_high=d + math.sqrt((u1 - r1) ** 2 + (r2 - l2) ** 2),
        statistic=z, p_value=p, confidence=confidence,
        method=f"{label}; Zou (2007) interval",
    )


def correlation_table(
    data: pd.DataFrame,
    x: str,
    ys: Any,
    *,
    by: str | None = None,
    method: str = "pearson",
    confidence: float = 0.95,
    order: Any = None,
) -> pd.DataFrame:
    """Table 3: correlation of `x` with each of `ys`, overall and per group.

    Parameters
    ----------
    data : DataFrame
    x : str
        Column correlated with each y (e.g. "vbq").
    ys : sequence of str
        Columns such as ``["bmd_l1_l4", "t_l1_l4", "hu_l1"]``.
    by : str, optional
        Grouping column (e.g. "group"); rows are given per group and for "all".
    method : {"pearson", "spearman"}, default "pearson"
    confidence : float, default 0.95
    order : sequence, optional
        Group order; default: sorted labels (categories of a Categorical).

    Returns
    -------
    DataFrame
        One row per y and group (``group`` = "all" for everyone, including rows with a missing
        group label), with ``x, y, group, estimate, ci_low, ci_high, statistic, df1, p_value, n,
        n_missing, method, strength, note``. When `by` has exactly two groups, also
        ``z_difference, p_difference``: the z-test of the two groups' coefficients
        (`compare_correlations` with the same `method`: Fisher's variance for Pearson,
        Bonett-Wright's for Spearman, as the intervals; the same on the rows of one y; NaN on a y where a group could not be computed, see ``note``).
        A group whose coefficient is undefined (fewer than 4 pairs, constant) keeps its row with
        NaN values and the reason in ``note``.

    Raises
    ------
    InputError
        Missing column, `ys` a single string, unknown `method`.

    Notes
    -----
    As `pearson` (or `spearman`) and `compare_correlations`, which see.

    Validated against: R 4.2.2 ``cor.test`` per group and psych 2.2.9 ``r.test``
    (tests/reference/correlation_reference.R).

    References
    ----------
    Chen Z, et al. J Orthop Surg Res 2023;18:257, Table 3.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"vbq": rng.normal(2.8, .5, 40), "group": np.repeat(["a", "b"], 20)})
    >>> d["bmd_l1_l4"] = 1.5 - 0.2 * d["vbq"] + rng.normal(0, .1, 40)
    >>> correlation_table(d, "vbq", ["bmd_l1_l4"], by="group")["group"].tolist()
    ['all', 'a', 'b']
    """
    ys = list(check_columns(ys, "ys"))
    check_choice(method, "method", _METHODS)
    confidence = check_confidence(confidence)
    data = check_frame(data, [x, *ys] + ([by] if by is not None else []))
    xa = as_float_1d(data[x], x)
    parts: list[tuple[Any, np.ndarray]] = [("all", np.ones(len(data), dtype=bool))]
    groups: tuple = ()
    if by is not None:
        codes, groups = group_codes(data[by], order, by)
        parts += [(g, codes == i) for i, g in enumerate(groups)]
    rows = []
    for yname in ys:
        ya = as_float_1d(data[yname], yname)
        found: dict[Any, CorrelationResult] = {}
        block = []
        for label, mask in parts:
            row: dict[str, Any] = {"x": x, "y": yname, "group": label}
            try:
                res = _corr_kernel(xa[mask], ya[mask], method, confidence)
            except DegenerateInputError as exc:
                nan = math.nan
                row.update(estimate=nan, ci_low=nan, ci_high=nan, statistic=nan, df1=nan,
                           p_value=nan, n=int((~np.isnan(xa[mask]) & ~np.isnan(ya[mask])).sum()),
                           n_missing=int((np.isnan(xa[mask]) | np.isnan(ya[mask])).sum()),
                           method=method.capitalize(), strength=None, note=str(exc))
            else:
                found[label] = res
                row.update(estimate=res.estimate, ci_low=res.ci_low, ci_high=res.ci_high,
                           statistic=res.statistic, df1=res.df, p_value=res.p_value, n=res.n,
                           n_missing=res.n_missing, method=res.method, strength=res.strength,
                           note="")
            block.append(row)
        if len(groups) == 2:
            z = p = math.nan
            a, b = (found.get(g) for g in groups)
            if a is not None and b is not None and abs(a.estimate) < 1 and abs(b.estimate) < 1:
                diff = compare_correlations(a.estimate, a.n, b.estimate, b.n, method=method,
                                            confidence=confidence)
                z, p = diff.statistic, diff.p_value
            for row in block:
                row.update(z_difference=z, p_difference=p)
        rows.extend(block)
    return pd.DataFrame(rows)
