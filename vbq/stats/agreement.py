"""Reliability statistics: intraclass correlation (ICC) and Cohen's kappa.

The study reports the intra- and inter-observer reliability of the VBQ score as ICCs (0.846 and
0.835; 100 patients, two observers) and the agreement on the degenerative grouping as Cohen's
kappa (0.819 and 0.809). `icc` computes all six Shrout & Fleiss (1979) forms from long-format
ratings (`to_long` melts wide columns such as ``vbq, vbq_repeat, vbq_obs2``); `cohen_kappa`
computes unweighted, linear- or quadratic-weighted kappa for two raters.

Nothing is dropped silently: incomplete targets (ICC) and missing pairs (kappa) are counted and
returned in the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special
from statsmodels.stats.inter_rater import cohens_kappa as _sm_cohens_kappa

from ..errors import DegenerateInputError, InputError
from ._validation import as_labels_1d, check_confidence, check_same_length

__all__ = [
    "ICC_FORMS",
    "KAPPA_WEIGHTS",
    "ICCForm",
    "ICCResult",
    "KappaResult",
    "icc",
    "to_long",
    "cohen_kappa",
]

ICC_FORMS: tuple[str, ...] = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
"""Shrout & Fleiss (1979) forms returned by `icc`, in this order (psych::ICC's ``type`` names)."""

KAPPA_WEIGHTS: tuple[str | None, ...] = (None, "linear", "quadratic")
"""Accepted values of `cohen_kappa`'s ``weights``."""

_MCGRAW_WONG = {
    "ICC1": "ICC(1)",
    "ICC2": "ICC(A,1)",
    "ICC3": "ICC(C,1)",
    "ICC1k": "ICC(k)",
    "ICC2k": "ICC(A,k)",
    "ICC3k": "ICC(C,k)",
}
_SHROUT_FLEISS = {
    "ICC1": "ICC(1,1)",
    "ICC2": "ICC(2,1)",
    "ICC3": "ICC(3,1)",
    "ICC1k": "ICC(1,k)",
    "ICC2k": "ICC(2,k)",
    "ICC3k": "ICC(3,k)",
}
_DESCRIPTIONS = {
    "ICC1": "one-way random effects, single rater, absolute agreement",
    "ICC2": "two-way random effects, single rater, absolute agreement",
    "ICC3": "two-way mixed effects, single rater, consistency",
    "ICC1k": "one-way random effects, mean of k raters, absolute agreement",
    "ICC2k": "two-way random effects, mean of k raters, absolute agreement",
    "ICC3k": "two-way mixed effects, mean of k raters, consistency",
}
_ICC_COLUMNS = (
    "type",
    "mcgraw_wong",
    "description",
    "estimate",
    "ci_low",
    "ci_high",
    "statistic",
    "df1",
    "df2",
    "p_value",
    "n",
    "method",
)
_KAPPA_COLUMNS = (
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "statistic",
    "p_value",
    "n",
    "n_missing",
    "method",
)
# Quantities within this many units of rounding of zero (relative to the largest absolute rating
# for sums of squares, to O(1) terms for kappa variances) are treated as exactly zero, so data
# that agree perfectly are recognised despite floating point.
_ZERO_ULPS = 64.0


# --------------------------------------------------------------------------------------------
# ICC
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ICCForm:
    """One ICC form with its F test and confidence interval.

    Attributes
    ----------
    type : str
        Shrout & Fleiss form as psych::ICC names it: ``ICC1`` ... ``ICC3k``.
    mcgraw_wong : str
        McGraw & Wong (1996) name: ``ICC(1)``, ``ICC(A,1)``, ``ICC(C,1)``, ``ICC(k)``,
        ``ICC(A,k)``, ``ICC(C,k)``.
    description : str
        Model, unit (single rater or mean of k raters) and definition (agreement/consistency).
    estimate : float
        The ICC.
    ci_low, ci_high : float
        Confidence limits (F-based; see `icc`).
    statistic : float
        F statistic of H0: ICC = 0 (``MSR / MSW`` for the one-way forms, ``MSR / MSE`` for the
        two-way forms); ``inf`` when the denominator mean square is zero.
    df1, df2 : int
        Degrees of freedom of the F test.
    p_value : float
        One-sided p-value, ``P(F > statistic)``.
    """

    type: str
    mcgraw_wong: str
    description: str
    estimate: float
    ci_low: float
    ci_high: float
    statistic: float
    df1: int
    df2: int
    p_value: float


@dataclass(frozen=True)
class ICCResult:
    """All six intraclass correlations of one set of ratings.

    Attributes
    ----------
    forms : tuple of ICCForm
        ``ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k`` in that order.
    n : int
        Complete targets that entered the ANOVA.
    n_raters : int
        Raters (k).
    raters : tuple
        Rater labels, in order of first appearance.
    excluded_targets : tuple
        Targets left out because at least one rater's rating is missing, in order of first
        appearance.
    n_excluded : int
        ``len(excluded_targets)``.
    confidence : float
        Confidence level of the intervals.
    ms_targets, ms_raters, ms_error, ms_within : float
        Mean squares of the two-way ANOVA: between targets (MSR, df n - 1), between raters (MSC,
        df k - 1), residual (MSE, df (n - 1)(k - 1)) and within targets (MSW, df n(k - 1), the
        pooled raters + residual of the one-way model).
    notes : tuple of str
        Why some values sit at a limit (e.g. zero residual variance); empty normally.
    method : str
        How the values were computed.
    """

    forms: tuple[ICCForm, ...]
    n: int
    n_raters: int
    raters: tuple
    excluded_targets: tuple
    n_excluded: int
    confidence: float
    ms_targets: float
    ms_raters: float
    ms_error: float
    ms_within: float
    notes: tuple[str, ...] = ()
    method: str = "Shrout & Fleiss (1979) ICC from two-way ANOVA mean squares; F-based CIs"

    def form(self, name: str) -> ICCForm:
        """The form called `name`: ``"ICC2"``, ``"ICC(2,1)"`` or ``"ICC(A,1)"`` alike."""
        for f in self.forms:
            if name in (f.type, f.mcgraw_wong, _SHROUT_FLEISS[f.type]):
                return f
        known = ", ".join(f"{f.type}/{f.mcgraw_wong}" for f in self.forms)
        raise InputError(f"form: unknown ICC form {name!r}; expected one of {known}")

    def to_frame(self) -> pd.DataFrame:
        """One row per form with columns ``type, mcgraw_wong, description, estimate, ci_low,
        ci_high, statistic, df1, df2, p_value, n, method``."""
        rows = [
            {
                "type": f.type,
                "mcgraw_wong": f.mcgraw_wong,
                "description": f.description,
                "estimate": f.estimate,
                "ci_low": f.ci_low,
                "ci_high": f.ci_high,
                "statistic": f.statistic,
                "df1": f.df1,
                "df2": f.df2,
                "p_value": f.p_value,
                "n": self.n,
                "method": f"Shrout & Fleiss {_SHROUT_FLEISS[f.type]}; F test; "
                + ("Satterthwaite CI" if f.type in ("ICC2", "ICC2k") else "exact F CI"),
            }
            for f in self.forms
        ]
        return pd.DataFrame(rows, columns=list(_ICC_COLUMNS))

    def summary(self) -> str:
        """Readable text: sample, exclusions, one line per form, notes."""
        pct = f"{100 * self.confidence:g}%"
        lines = [
            f"Intraclass correlation: {self.n} targets x {self.n_raters} raters",
            f"Incomplete targets excluded: {self.n_excluded}"
            + (f" ({', '.join(map(str, self.excluded_targets))})" if self.n_excluded else ""),
            f"{'form':<6} {'McGraw-Wong':<11} {'ICC':>7}  {pct + ' CI':<17} {'F':>9} "
            f"{'df1':>4} {'df2':>5} {'p':>9}",
        ]
        for f in self.forms:
            lines.append(
                f"{f.type:<6} {f.mcgraw_wong:<11} {f.estimate:>7.3f}  "
                f"{f.ci_low:>6.3f} to {f.ci_high:<6.3f} {f.statistic:>9.3f} "
                f"{f.df1:>4d} {f.df2:>5d} {f.p_value:>9.3g}"
            )
        lines.extend(f"Note: {note}" for note in self.notes)
        lines.append(f"Method: {self.method}")
        return "\n".join(lines)


def to_long(frame: pd.DataFrame, targets: str, rater_columns: Sequence[str]) -> pd.DataFrame:
    """Melt wide rating columns into the long format that `icc` reads.

    Parameters
    ----------
    frame : DataFrame
        One row per target, e.g. the cohort table.
    targets : str
        Column with the target (patient) ids.
    rater_columns : sequence of str
        Columns holding one rating each, e.g. ``["vbq", "vbq_repeat"]`` (intra-observer) or
        ``["vbq", "vbq_obs2"]`` (inter-observer).

    Returns
    -------
    DataFrame
        Columns ``<targets>, rater, rating``: one row per target and rater column, target-major
        (all ratings of the first target, then the second...). ``rater`` holds the column name.
        Missing ratings stay as NaN rows, so `icc` counts and reports the incomplete targets.

    Raises
    ------
    InputError
        `frame` is not a DataFrame; a named column is missing; `rater_columns` is empty,
        repeats a column or names a non-numeric column; `targets` is also a rater column or is
        named ``rater``/``rating``.

    Examples
    --------
    >>> wide = pd.DataFrame({"id": ["a", "b"], "vbq": [2.5, 3.1], "vbq_obs2": [2.6, 3.0]})
    >>> to_long(wide, "id", ["vbq", "vbq_obs2"])
      id     rater  rating
    0  a       vbq     2.5
    1  a  vbq_obs2     2.6
    2  b       vbq     3.1
    3  b  vbq_obs2     3.0
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"to_long: `frame` must be a pandas DataFrame, got {type(frame).__name__}")
    if isinstance(rater_columns, str):
        rater_columns = [rater_columns]
    rater_columns = list(rater_columns)
    if not rater_columns:
        raise InputError("to_long: `rater_columns` must name at least one column, got none")
    if len(set(rater_columns)) != len(rater_columns):
        raise InputError(f"to_long: `rater_columns` repeats a column: {rater_columns}")
    if targets in ("rater", "rating") or targets in rater_columns:
        raise InputError(
            f"to_long: `targets` column {targets!r} clashes with the output columns "
            f"'rater'/'rating' or with `rater_columns`"
        )
    missing = [c for c in [targets, *rater_columns] if c not in frame.columns]
    if missing:
        raise InputError(
            f"to_long: column(s) {missing} not in `frame`; columns are {list(frame.columns)}"
        )
    not_numeric = [
        c
        for c in rater_columns
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])
    ]
    if not_numeric:
        raise InputError(
            f"to_long: rater column(s) {not_numeric} must be numeric, got dtypes "
            f"{[str(frame[c].dtype) for c in not_numeric]}"
        )
    n, k = len(frame), len(rater_columns)
    return pd.DataFrame(
        {
            targets: np.repeat(frame[targets].to_numpy(), k),
            "rater": np.tile(np.array(rater_columns, dtype=object), n),
            "rating": frame[rater_columns].to_numpy(dtype=float, na_value=np.nan).ravel(),
        }
    )


def icc(
    data: pd.DataFrame,
    targets: str,
    raters: str,
    ratings: str,
    *,
    confidence: float = 0.95,
    nan_policy: str = "report",
) -> ICCResult:
    """Intraclass correlation coefficients: the six Shrout & Fleiss (1979) forms.

    Parameters
    ----------
    data : DataFrame
        Long format: one row per (target, rater) rating. `to_long` builds it from wide columns.
    targets : str
        Column with the target ids (patients).
    raters : str
        Column with the rater ids (observers, or sessions of one observer).
    ratings : str
        Numeric column with the ratings (e.g. VBQ). NaN counts as a missing rating.
    confidence : float, keyword-only
        Confidence level of the intervals, in (0, 1).
    nan_policy : {"report", "raise"}, keyword-only
        What to do with incomplete targets, those lacking a rating by at least one rater (a NaN
        rating or no row at all). ``"report"``: leave them out of the ANOVA and return them in
        ``excluded_targets``/``n_excluded``. ``"raise"``: raise `InputError` naming them.

    Returns
    -------
    ICCResult
        ``forms`` (six `ICCForm`: ``type, mcgraw_wong, description, estimate, ci_low, ci_high,
        statistic, df1, df2, p_value``), ``n`` (complete targets), ``n_raters``, ``raters``,
        ``excluded_targets``, ``n_excluded``, ``confidence``, the mean squares ``ms_targets,
        ms_raters, ms_error, ms_within``, ``notes`` and ``method``. ``to_frame()`` gives one row
        per form; ``form("ICC(A,1)")`` picks one.

    Raises
    ------
    InputError
        `data` is not a DataFrame; a column is missing or named twice; `ratings` is not numeric
        or holds infinities; a target or rater id is missing; a (target, rater) pair occurs more
        than once (the pairs are named); `confidence` or `nan_policy` is invalid; incomplete
        targets with ``nan_policy="raise"``.
    DegenerateInputError
        Fewer than 2 raters or fewer than 2 complete targets; no between-target variance (every
        complete target has the same mean rating, which includes all ratings equal): the ICC is
        a ratio with nothing to explain and is not reported.

    Notes
    -----
    With n complete targets and k raters, the two-way ANOVA gives the mean squares MSR (targets,
    df n - 1), MSC (raters, df k - 1), MSE (residual, df (n - 1)(k - 1)) and the one-way
    within-target MSW = (SSC + SSE) / (n(k - 1)). Then (Shrout & Fleiss 1979, Table 1):

    - ICC1 = (MSR - MSW) / (MSR + (k - 1) MSW);  ICC1k = (MSR - MSW) / MSR
    - ICC2 = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n);
      ICC2k = (MSR - MSE) / (MSR + (MSC - MSE) / n)
    - ICC3 = (MSR - MSE) / (MSR + (k - 1) MSE);  ICC3k = (MSR - MSE) / MSR

    The F tests of ICC = 0 use F = MSR / MSW on (n - 1, n(k - 1)) df for the one-way forms and
    F = MSR / MSE on (n - 1, (n - 1)(k - 1)) df for the others. The CIs of ICC1, ICC3 and their
    k-forms are exact F intervals; those of ICC2/ICC2k use Satterthwaite's approximate df
    (Shrout & Fleiss 1979, eqs. 6-7; McGraw & Wong 1996, Table 7), ICC2k's limits being the
    Spearman-Brown step-up of ICC2's. No bound is clipped. ICC2/``ICC(A,1)`` is the usual
    choice for two observers measuring the same patients.

    Zero within-variance. When the residual mean square is zero (every rater's ratings differ
    from every other's by a constant), F = MSR / MSE is infinite and p = 0; ICC3 and ICC3k are 1
    with CI [1, 1], and ICC2's CI uses the limit k - 1 of its Satterthwaite df. When in addition
    the raters agree exactly (MSW = 0) every form is 1 with CI [1, 1]. Both cases are recorded in
    ``notes``. Sums of squares within 64 units of rounding (of the largest absolute rating) of
    zero count as zero.

    No target variance (MSR <= MSE, F <= 1). The estimates are then <= 0 and, with few targets,
    some quantities leave their domain. Rather than doing arithmetic on them as psych does:
    ICC2k is NaN when MSR + (MSC - MSE) / n <= 0 (within rounding); an ICC2 limit is NaN when
    the Satterthwaite df degenerate (0/0); ICC2k's lower limit is -inf when ICC2's lower limit is
    at or below -1/(k - 1), the pole of the Spearman-Brown step-up. `notes` names each case.
    The F-exact intervals (ICC1, ICC3 and their k forms) always contain the estimate; ICC2's
    approximate interval contained it in all our randomized checks with F > 1, but not always
    with F <= 1.

    The mean squares are three lines of numpy for a complete balanced table; no scipy or
    statsmodels function returns ICCs (statsmodels' ``anova_lm`` would fit n + k dummies).

    Validated against R 4.2.2, psych 2.2.9:
    ``ICC(x, lmer = FALSE, alpha = 0.05)`` (all values, to 6 decimals), and the published
    Shrout & Fleiss (1979) Table 2 example (their Tables 3-4, 2 decimals). psych's default
    ``lmer = TRUE`` estimates variance components by REML, which truncates a negative rater
    variance (MSC < MSE) at 0: its values then differ from the ANOVA ones computed here.

    References
    ----------
    Shrout PE, Fleiss JL. Intraclass correlations: uses in assessing rater reliability.
    Psychol Bull 1979;86(2):420-428.
    McGraw KO, Wong SP. Forming inferences about some intraclass correlation coefficients.
    Psychol Methods 1996;1(1):30-46.

    Examples
    --------
    >>> wide = pd.DataFrame({"id": [1, 2, 3, 4], "obs1": [2.1, 2.9, 3.4, 2.5],
    ...                      "obs2": [2.2, 3.1, 3.3, 2.4]})
    >>> res = icc(to_long(wide, "id", ["obs1", "obs2"]), "id", "rater", "rating")
    >>> round(res.form("ICC(A,1)").estimate, 3)
    0.97
    >>> res.to_frame()["type"].tolist()
    ['ICC1', 'ICC2', 'ICC3', 'ICC1k', 'ICC2k', 'ICC3k']
    """
    confidence = check_confidence(confidence)
    if nan_policy not in ("report", "raise"):
        raise InputError(f"icc: `nan_policy` must be 'report' or 'raise', got {nan_policy!r}")
    matrix, rater_ids, excluded = _icc_matrix(data, targets, raters, ratings)
    if excluded and nan_policy == "raise":
        raise InputError(
            f"icc: {len(excluded)} target(s) lack a rating by at least one of the "
            f"{len(rater_ids)} raters: {_preview(excluded)}; use nan_policy='report' to leave "
            f"them out",
            problems=list(excluded),
        )
    n = matrix.shape[0]
    if n < 2:
        raise DegenerateInputError(
            f"icc: need at least 2 targets rated by every rater, got {n} "
            f"({len(excluded)} incomplete target(s) excluded)"
        )
    forms, ms, notes = _icc_kernel(matrix, confidence)
    return ICCResult(
        forms=forms,
        n=n,
        n_raters=matrix.shape[1],
        raters=tuple(rater_ids),
        excluded_targets=tuple(excluded),
        n_excluded=len(excluded),
        confidence=float(confidence),
        ms_targets=ms["targets"],
        ms_raters=ms["raters"],
        ms_error=ms["error"],
        ms_within=ms["within"],
        notes=notes,
    )


def _icc_checked_ratings(data: object, targets: str, raters: str, ratings: str) -> np.ndarray:
    """The ratings as floats, once `data` is a frame with three distinct columns, numeric finite
    ratings and every target and rater id present (InputError otherwise)."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"icc: `data` must be a pandas DataFrame, got {type(data).__name__}")
    names = {"targets": targets, "raters": raters, "ratings": ratings}
    for param, col in names.items():
        if col not in data.columns:
            raise InputError(
                f"icc: `{param}` column {col!r} is not in data; columns are {list(data.columns)}"
            )
    if len(set(names.values())) != 3:
        raise InputError(
            f"icc: `targets`, `raters`, `ratings` must be 3 different columns, got {names}"
        )
    values = data[ratings]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise InputError(
            f"icc: `ratings` column {ratings!r} must be numeric, got dtype {values.dtype}"
        )
    y = values.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(y).any():
        raise InputError(
            f"icc: `ratings` column {ratings!r} holds {int(np.isinf(y).sum())} infinite value(s)"
        )
    for param in ("targets", "raters"):
        bad = data[names[param]].isna()
        if bad.any():
            raise InputError(
                f"icc: `{param}` column {names[param]!r} is missing in {int(bad.sum())} row(s) "
                f"(first at index {bad.index[bad.to_numpy()][0]!r}); every rating needs its ids"
            )
    return y


def _icc_matrix(
    data: pd.DataFrame, targets: str, raters: str, ratings: str
) -> tuple[np.ndarray, list, list]:
    """Validate long data; return (complete n x k matrix, rater ids, excluded target ids)."""
    y = _icc_checked_ratings(data, targets, raters, ratings)
    # Codes in first-appearance order, so any hashable id type and the order survive; one pass
    # per column (duplicated + unique + get_indexer took ~3 ms on 470 rows).
    ti, target_ids = pd.factorize(data[targets])
    ri, rater_index = pd.factorize(data[raters])
    rater_ids = list(rater_index)
    key = ti.astype(np.int64) * len(rater_ids) + ri
    dup = np.ones(key.size, dtype=bool)
    dup[np.unique(key, return_index=True)[1]] = False  # every occurrence after the first
    if dup.any():
        pairs = list(dict.fromkeys(zip(data.loc[dup, targets], data.loc[dup, raters], strict=True)))
        raise InputError(
            f"icc: {len(pairs)} (target, rater) pair(s) occur more than once: {_preview(pairs)}; "
            f"each target needs exactly one rating per rater",
            problems=pairs,
        )
    if len(rater_ids) < 2:
        raise DegenerateInputError(f"icc: need at least 2 raters, got {len(rater_ids)}")
    wide = np.full((len(target_ids), len(rater_ids)), np.nan)
    wide[ti, ri] = y
    complete = ~np.isnan(wide).any(axis=1)
    excluded = [t.item() if isinstance(t, np.generic) else t for t in target_ids[~complete]]
    return wide[complete], rater_ids, excluded


def _icc_kernel(x: np.ndarray, confidence: float) -> tuple[tuple[ICCForm, ...], dict, tuple]:
    """Six ICC forms from a complete n x k matrix (rows targets, columns raters)."""
    n, k = x.shape
    # Rounding in the input is relative to the raw magnitudes, so the zero threshold uses them.
    scale = max(float(np.abs(x).max()), np.finfo(float).tiny)
    tol = x.size * (_ZERO_ULPS * np.finfo(float).eps * scale) ** 2
    x = x - x.mean()  # centre first: better sums of squares, exact shift invariance in theory
    grand = x.mean()
    row = x.mean(axis=1)
    col = x.mean(axis=0)
    ss_rows = k * np.sum((row - grand) ** 2)
    ss_cols = n * np.sum((col - grand) ** 2)
    ss_err = np.sum((x - row[:, None] - col[None, :] + grand) ** 2)
    if ss_rows <= tol:
        raise DegenerateInputError(
            "icc: every complete target has the same mean rating (no between-target variance), "
            "so the ICC is undefined"
        )
    ss_cols = 0.0 if ss_cols <= tol else float(ss_cols)
    ss_err = 0.0 if ss_err <= tol else float(ss_err)
    df_r, df_c, df_e, df_w = n - 1, k - 1, (n - 1) * (k - 1), n * (k - 1)
    msr = float(ss_rows) / df_r
    msc = ss_cols / df_c
    mse = ss_err / df_e
    msw = (ss_cols + ss_err) / df_w
    notes: list[str] = []
    q = 1 - (1 - confidence) / 2

    # One-way forms (ICC1, ICC1k): F = MSR / MSW.
    if msw == 0.0:
        f1 = np.inf
        lo1 = hi1 = lo1k = hi1k = 1.0
        notes.append(
            "all raters gave identical ratings to every target (MSW = 0): every ICC is 1, "
            "F is infinite, p = 0 and every CI is [1, 1]"
        )
    else:
        f1 = msr / msw
        f1l = f1 / special.fdtri(df_r, df_w, q)
        f1u = f1 * special.fdtri(df_w, df_r, q)
        lo1, hi1 = (f1l - 1) / (f1l + k - 1), (f1u - 1) / (f1u + k - 1)
        lo1k, hi1k = 1 - 1 / f1l, 1 - 1 / f1u
    icc1 = (msr - msw) / (msr + (k - 1) * msw)
    icc1k = (msr - msw) / msr

    # Two-way forms: F = MSR / MSE.
    icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    # The denominator of ICC2k, the ANOVA estimate of a k-rater mean's variance (over k), can be
    # <= 0 when MSR is far below MSE; the form is then undefined.
    denom2k = msr + (msc - mse) / n
    defined2k = denom2k > _ZERO_ULPS * np.finfo(float).eps * (msr + (msc + mse) / n)
    icc2k = (msr - mse) / denom2k if defined2k else float("nan")
    icc3 = (msr - mse) / (msr + (k - 1) * mse)
    icc3k = (msr - mse) / msr
    if mse == 0.0:
        f2 = np.inf
        lo3 = hi3 = lo3k = hi3k = 1.0
        if msw > 0.0:
            notes.append(
                "zero residual variance (MSE = 0: the raters differ only by constant offsets): "
                "F is infinite, p = 0, ICC3 and ICC3k are 1 with CI [1, 1]"
            )
    else:
        f2 = msr / mse
        f3l = f2 / special.fdtri(df_r, df_e, q)
        f3u = f2 * special.fdtri(df_e, df_r, q)
        lo3, hi3 = (f3l - 1) / (f3l + k - 1), (f3u - 1) / (f3u + k - 1)
        lo3k, hi3k = 1 - 1 / f3l, 1 - 1 / f3u

    # ICC2 interval: Satterthwaite df v (Shrout & Fleiss 1979, eq. 6), then eq. 7.
    if msc == 0.0 and mse == 0.0:
        lo2 = hi2 = 1.0
    else:
        if mse == 0.0:
            v = float(k - 1)  # limit of the Satterthwaite df as MSC / MSE grows without bound
        else:
            fj = msc / mse
            a = k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2
            b = n * (1 + (k - 1) * icc2) - k * icc2
            v = df_e * a**2 / (df_r * k**2 * icc2**2 * fj**2 + b**2)
        c = k * msc + (k * n - k - n) * mse  # >= 0 since kn - k - n >= 0 for n, k >= 2
        # With F <= 1 and few targets v can be ~0, the quantiles infinite and eq. 7 0/0: such
        # limits are reported as NaN and explained in `notes`.
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            fu = np.float64(special.fdtri(df_r, v, q))
            fl = np.float64(special.fdtri(v, df_r, q))
            lo2 = n * (msr - fu * mse) / (fu * c + n * msr)
            hi2 = n * (fl * msr - mse) / (c + n * fl * msr)
        lo2 = float(lo2) if np.isfinite(lo2) else float("nan")
        hi2 = float(hi2) if np.isfinite(hi2) else float("nan")
    # ICC2k limits: Spearman-Brown step-up m(r) = k r / (1 + (k - 1) r), increasing on
    # r > -1/(k - 1). A lower limit of ICC2 at or below that pole leaves ICC2k unbounded below.
    pole = -1.0 / (k - 1)
    lo2k = _step_up(lo2, k) if lo2 > pole else (-np.inf if lo2 <= pole else float("nan"))
    hi2k = _step_up(hi2, k) if hi2 > pole else float("nan")
    if lo2 <= pole:
        notes.append(
            "ICC2's lower limit is at or below -1/(k - 1), so ICC2k has no lower limit (-inf)"
        )

    p1 = float(special.fdtrc(df_r, df_w, f1))
    p2 = float(special.fdtrc(df_r, df_e, f2))
    values = {
        "ICC1": (icc1, lo1, hi1, f1, df_r, df_w, p1),
        "ICC2": (icc2, lo2, hi2, f2, df_r, df_e, p2),
        "ICC3": (icc3, lo3, hi3, f2, df_r, df_e, p2),
        "ICC1k": (icc1k, lo1k, hi1k, f1, df_r, df_w, p1),
        "ICC2k": (icc2k, lo2k, hi2k, f2, df_r, df_e, p2),
        "ICC3k": (icc3k, lo3k, hi3k, f2, df_r, df_e, p2),
    }
    forms = tuple(
        ICCForm(
            type=name,
            mcgraw_wong=_MCGRAW_WONG[name],
            description=_DESCRIPTIONS[name],
            estimate=float(est),
            ci_low=float(lo),
            ci_high=float(hi),
            statistic=float(fstat),
            df1=int(d1),
            df2=int(d2),
            p_value=p,
        )
        for name, (est, lo, hi, fstat, d1, d2, p) in values.items()
    )
    undefined = [
        f"{f.type} {what}"
        for f in forms
        for what, value in (("estimate", f.estimate), ("ci_low", f.ci_low), ("ci_high", f.ci_high))
        if np.isnan(value)
    ]
    if undefined:
        reason = " (MSR is not above MSE: no target variance to estimate)" if msr <= mse else ""
        notes.append(f"not defined for these data, reported as NaN: {', '.join(undefined)}{reason}")
    ms = {"targets": msr, "raters": msc, "error": mse, "within": msw}
    return forms, ms, tuple(notes)


def _step_up(r: float, k: int) -> float:
    """Spearman-Brown: reliability of the mean of k ratings from that of one."""
    return r * k / (1 + r * (k - 1))


# --------------------------------------------------------------------------------------------
# Cohen's kappa
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KappaResult:
    """Cohen's kappa of two raters.

    Attributes
    ----------
    estimate : float
        Kappa (weighted kappa when `weights` is set).
    std_error : float
        Asymptotic standard error (Fleiss, Cohen & Everitt 1969), used for the CI.
    std_error_null : float
        Standard error under H0: kappa = 0 (same paper), used for the z test.
    ci_low, ci_high : float
        Wald interval ``estimate -/+ z_(1-alpha/2) * std_error``, not clipped to [-1, 1].
    statistic : float
        ``z = estimate / std_error_null``; NaN when `std_error_null` is 0 (a rater used one
        category only, or the raters never share a category; see `notes`).
    p_value : float
        Two-sided p-value of the z test; NaN with `statistic`.
    n : int
        Pairs rated by both raters.
    n_missing : int
        Pairs left out because either rating is missing.
    categories : tuple
        Category order (rows and columns of `table`; the order the weights use).
    table : ndarray of int
        K x K counts, rater `a` in rows, rater `b` in columns (read-only).
    weights : {None, "linear", "quadratic"}
        Weighting scheme.
    observed_agreement, expected_agreement : float
        (Weighted) proportion of agreement observed and expected by chance.
    confidence : float
        Confidence level of the interval.
    notes : tuple of str
        Why some value is undefined; empty normally.
    method : str
        How the values were computed.
    """

    estimate: float
    std_error: float
    std_error_null: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    n: int
    n_missing: int
    categories: tuple
    table: np.ndarray = field(compare=False, repr=False)
    weights: str | None
    observed_agreement: float
    expected_agreement: float
    confidence: float
    notes: tuple[str, ...] = ()
    method: str = ""

    def to_frame(self) -> pd.DataFrame:
        """One row with ``estimate, std_error, ci_low, ci_high, statistic, p_value, n, n_missing,
        method``."""
        row = {c: getattr(self, c) for c in _KAPPA_COLUMNS}
        return pd.DataFrame([row], columns=list(_KAPPA_COLUMNS))

    def summary(self) -> str:
        """Readable text: kappa, CI, test, sample and missing pairs."""
        pct = f"{100 * self.confidence:g}%"
        lines = [
            self.method,
            f"kappa = {self.estimate:.3f} (SE {self.std_error:.3f}; {pct} CI "
            f"{self.ci_low:.3f} to {self.ci_high:.3f})",
            f"z = {self.statistic:.3f}, p = {self.p_value:.3g} (H0: kappa = 0)",
            f"n = {self.n} pairs; {self.n_missing} pair(s) with a missing rating left out",
            f"Observed agreement {self.observed_agreement:.3f}, expected by chance "
            f"{self.expected_agreement:.3f}; categories {list(self.categories)}",
        ]
        lines.extend(f"Note: {note}" for note in self.notes)
        return "\n".join(lines)


def cohen_kappa(
    a,
    b,
    *,
    weights: str | None = None,
    categories: Sequence | None = None,
    confidence: float = 0.95,
) -> KappaResult:
    """Cohen's kappa for two raters, unweighted or with linear/quadratic weights.

    Parameters
    ----------
    a, b : array-like, 1-D, same length
        Category given to each subject by rater `a` and by rater `b` (strings, integers, bools).
        Missing values (None, NaN, pd.NA) drop the pair; such pairs are counted in `n_missing`.
    weights : {None, "linear", "quadratic"}, keyword-only
        None: unweighted kappa. ``"linear"``: agreement weights ``1 - |i - j| / (K - 1)``;
        ``"quadratic"``: 1 - (i - j)^2 / (K - 1)^2 (Fleiss-Cohen), where i, j are positions in
        `categories`. Use weights only for ordinal grades.
    categories : sequence, optional, keyword-only
        All categories in order. Default: the sorted union of the values observed. Give it to
        keep unused levels of an ordinal scale (they change K and hence the weights) or to fix
        an order that sorting would not give.
    confidence : float, keyword-only
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    KappaResult
        ``estimate, std_error, std_error_null, ci_low, ci_high, statistic, p_value, n, n_missing,
        categories, table, weights, observed_agreement, expected_agreement, confidence, notes,
        method``.

    Raises
    ------
    InputError
        `a`/`b` not 1-D or of different lengths; a value not in `categories`; `categories`
        repeating a value or containing a missing value; unsortable values without
        `categories`; an unknown `weights`; `confidence` outside (0, 1).
    DegenerateInputError
        Fewer than 2 complete pairs; both raters used one and the same category for every
        subject (observed and chance agreement are both 1, kappa is 0/0).

    Notes
    -----
    With ``p_ij`` the proportion of subjects put in category i by `a` and j by `b`, ``p_i.`` and
    ``p_.j`` the margins and agreement weights ``w_ij`` (``w_ii = 1``)::

        p_o = sum w_ij p_ij,  p_e = sum w_ij p_i. p_.j,  kappa = (p_o - p_e) / (1 - p_e).

    Standard errors are those of Fleiss, Cohen & Everitt (1969): with ``wbar_i. = sum_j p_.j w_ij``
    and ``wbar_.j = sum_i p_i. w_ij``::

        var = [sum p_ij (w_ij - (wbar_i. + wbar_.j)(1 - kappa))^2
               - (kappa - p_e (1 - kappa))^2] / (n (1 - p_e)^2)
        var0 = [sum p_i. p_.j (w_ij - (wbar_i. + wbar_.j))^2 - p_e^2] / (n (1 - p_e)^2)

    `std_error` = sqrt(var) gives the Wald CI; the test of kappa = 0 uses var0, the variance
    when the raters are independent. The kernel is statsmodels'
    ``statsmodels.stats.inter_rater.cohens_kappa``. Variances within rounding of 0 (perfect
    agreement gives exactly 0 in theory) are set to 0, so identical raters give kappa 1 with
    CI [1, 1].

    If one rater used a single category, p_o = p_e and kappa is 0 by construction, with SE 0;
    var0 is 0 too, so `statistic` and `p_value` are NaN and `notes` says why. The same holds
    whenever var0 is 0, e.g. when the two raters never use a common category.

    Validated against R 4.2.2, vcd 1.4-11: ``Kappa(table(a, b))`` and its ``confint`` (kappa,
    ASE and CI, unweighted, ``weights = "Equal-Spacing"`` = linear and ``"Fleiss-Cohen"`` =
    quadratic, to 6 decimals), psych 2.2.9 ``cohen.kappa`` (unweighted), scikit-learn's
    ``cohen_kappa_score`` (estimate), and a SAS PROC FREQ printout for the test under H0.

    References
    ----------
    Cohen J. A coefficient of agreement for nominal scales. Educ Psychol Meas 1960;20:37-46.
    Cohen J. Weighted kappa. Psychol Bull 1968;70(4):213-220.
    Fleiss JL, Cohen J, Everitt BS. Large sample standard errors of kappa and weighted kappa.
    Psychol Bull 1969;72(5):323-327.

    Examples
    --------
    >>> a = ["yes", "yes", "no", "no", "yes", "no", "no", "yes"]
    >>> b = ["yes", "no", "no", "no", "yes", "no", "yes", "yes"]
    >>> res = cohen_kappa(a, b)
    >>> res.estimate, res.n
    (0.5, 8)
    >>> round(cohen_kappa([1, 2, 3, 4, 2], [1, 2, 4, 4, 3], weights="quadratic").estimate, 3)
    0.844
    """
    confidence = check_confidence(confidence)
    if weights not in KAPPA_WEIGHTS:
        raise InputError(
            f"cohen_kappa: `weights` must be None, 'linear' or 'quadratic', got {weights!r}"
        )
    table, cats, n_missing = _kappa_table(a, b, categories)
    n = int(table.sum())
    if n < 2:
        raise DegenerateInputError(
            f"cohen_kappa: need at least 2 pairs rated by both raters, got {n} "
            f"({n_missing} pair(s) with a missing rating)"
        )
    rows_used = np.flatnonzero(table.sum(axis=1))
    cols_used = np.flatnonzero(table.sum(axis=0))
    if len(rows_used) == 1 and len(cols_used) == 1 and rows_used[0] == cols_used[0]:
        raise DegenerateInputError(
            f"cohen_kappa: both raters put all {n} subjects in the category "
            f"{cats[rows_used[0]]!r}; observed and chance agreement are both 1, so kappa is "
            f"undefined (0/0)"
        )
    k = len(cats)
    # statsmodels also derives SEs, z and p; we take only kappa and the two variances (its own
    # sqrt and division warn on the rounding-level negatives and zeros handled below).
    with np.errstate(invalid="ignore", divide="ignore"):
        if weights is None:
            res = _sm_cohens_kappa(table)
            w = np.eye(k)
        else:
            res = _sm_cohens_kappa(table, wt=weights)
            w = 1.0 - np.asarray(res.weights, dtype=float)  # statsmodels: disagreement weights
    p = table / n
    po = float(np.sum(w * p))
    pe = float(np.sum(w * np.outer(p.sum(axis=1), p.sum(axis=0))))
    kappa = float(res.kappa)
    se = _se_from_var(float(res.var_kappa), n, pe)
    se0 = _se_from_var(float(res.var_kappa0), n, pe)
    notes: list[str] = []
    if len(rows_used) == 1 or len(cols_used) == 1:
        which = "a" if len(rows_used) == 1 else "b"
        notes.append(
            f"rater {which} used a single category: observed agreement equals chance agreement, "
            f"so kappa is 0 by construction (SE 0) and the test of kappa = 0 is undefined (NaN)"
        )
        se0 = 0.0
        z = p_value = float("nan")
    elif se0 == 0.0:
        notes.append(
            "the variance of kappa under H0 is 0 (the raters' category distributions leave no "
            "room for chance variation, e.g. they never use a common category): the test of "
            "kappa = 0 is undefined (NaN)"
        )
        z = p_value = float("nan")
    else:
        z = kappa / se0
        p_value = float(2 * special.ndtr(-abs(z)))
    half = special.ndtri(1 - (1 - confidence) / 2) * se
    table = table.copy()
    table.flags.writeable = False
    kind = "unweighted" if weights is None else f"{weights} weights"
    return KappaResult(
        estimate=kappa,
        std_error=se,
        std_error_null=se0,
        ci_low=float(kappa - half),
        ci_high=float(kappa + half),
        statistic=float(z),
        p_value=p_value,
        n=n,
        n_missing=n_missing,
        categories=tuple(cats),
        table=table,
        weights=weights,
        observed_agreement=po,
        expected_agreement=pe,
        confidence=float(confidence),
        notes=tuple(notes),
        method=(
            f"Cohen's kappa ({kind}); SE of Fleiss, Cohen & Everitt (1969); Wald CI; "
            f"z test of kappa = 0 with the SE under H0"
        ),
    )


def _kappa_table(a, b, categories) -> tuple[np.ndarray, list, int]:
    """Validate two rating vectors; return (K x K count table, categories, missing pairs)."""
    va, vb = as_labels_1d(a, "a"), as_labels_1d(b, "b")
    check_same_length(("a", va), ("b", vb))
    missing = pd.isna(va) | pd.isna(vb)
    va, vb = va[~missing], vb[~missing]
    if categories is None:
        observed = set(pd.unique(np.concatenate([va, vb])))
        try:
            cats = sorted(observed)
        except TypeError as exc:
            raise InputError(
                f"cohen_kappa: the values {sorted(map(repr, observed))} cannot be sorted; pass "
                f"`categories` in the order you want"
            ) from exc
    else:
        if isinstance(categories, str | bytes) or not np.iterable(categories):
            raise InputError(f"cohen_kappa: `categories` must be a sequence, got {categories!r}")
        cats = list(categories)
        if any(pd.isna(c) for c in cats):
            raise InputError(
                f"cohen_kappa: `categories` must not contain a missing value, got {cats}"
            )
        if len(set(cats)) != len(cats):
            raise InputError(f"cohen_kappa: `categories` repeats a value: {cats}")
    index = pd.Index(cats, dtype=object)
    ca, cb = index.get_indexer(va), index.get_indexer(vb)
    unknown = list(dict.fromkeys([*va[ca < 0], *vb[cb < 0]]))
    if unknown:
        raise InputError(
            f"cohen_kappa: value(s) {_preview(unknown)} are not in `categories` {cats}",
            problems=unknown,
        )
    k = len(cats)
    table = np.bincount(ca * k + cb, minlength=k * k).reshape(k, k)
    return table, cats, int(missing.sum())


def _se_from_var(var: float, n: int, pe: float) -> float:
    """Square root of a kappa variance, with rounding-level values (either sign) set to 0.

    The variances are differences of O(1) sums scaled by 1 / (n (1 - pe)^2); perfect agreement
    makes them exactly 0 in theory but +-1e-17 or so in floating point.
    """
    if var * n * (1 - pe) ** 2 <= _ZERO_ULPS * np.finfo(float).eps:
        return 0.0
    return float(np.sqrt(var))


def _preview(items: Sequence, limit: int = 10) -> str:
    shown = ", ".join(repr(i) for i in list(items)[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")
