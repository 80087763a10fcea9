"""The scanner behind every VBQ: the ROC analysis stratified by MRI field strength (issue 19).

VBQ is a ratio of T1 signal intensities, and T1 contrast depends on the field strength, the
sequence and the receiver bandwidth: one study measured a mean VBQ of 2.77 at 1.5 T and 2.20 at
3 T. A cohort measured on more than one scanner can hide two different diagnostic accuracies
(and two different optimal thresholds) behind one pooled ROC curve. `roc_by_field_strength`
analyses each field strength on its own and tests whether the AUC differs between them.

The field strength of a patient is the cohort's ``field_strength_t`` column (from the cohort
file, or from the MRI measurements merged into it by `vbq.measurements.merge_into_cohort`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from .errors import DegenerateInputError, InputError
from .stats import DeLongUnpairedResult, ROCResult, delong_test_unpaired, roc_analysis
from .stats.delong import _holm
from .study import MARKERS, ROUNDINGS, adjusted_cutoff, roc_subset

__all__ = ["FIELD_STRENGTH", "StratumComparison", "StratifiedROC", "field_strengths",
           "roc_by_field_strength"]

FIELD_STRENGTH = "field_strength_t"
"""The column of the analysis table that holds each patient's MRI field strength (T)."""


def field_strengths(table: pd.DataFrame) -> pd.Series:
    """Patients per field strength in `table` (ascending; NaN counts the patients without one).

    Returns an empty Series when the table has no ``field_strength_t`` column.
    """
    if FIELD_STRENGTH not in table.columns:
        return pd.Series(dtype=np.int64, name="n")
    field = pd.to_numeric(table[FIELD_STRENGTH], errors="coerce").round(3)
    return field.value_counts(dropna=False).sort_index().rename("n")


@dataclass(frozen=True)
class StratumComparison:
    """One pair of field strengths compared by the unpaired DeLong test.

    Attributes
    ----------
    stratum_a, stratum_b : float
        The field strengths (T); the difference is a - b.
    test : vbq.stats.DeLongUnpairedResult
        D, df, two-sided p and the CI of the difference, as pROC's ``roc.test(paired =
        FALSE, method = "delong")``.
    p_adjusted : float
        Holm-adjusted over every pair (the p-value itself when there is one pair).
    """

    stratum_a: float
    stratum_b: float
    test: DeLongUnpairedResult
    p_adjusted: float


@dataclass(frozen=True, eq=False)
class StratifiedROC:
    """Result of `roc_by_field_strength`.

    Attributes
    ----------
    group, target, marker : str
        As requested.
    results : dict
        {field strength (T): `vbq.stats.ROCResult`} for each stratum that could be analysed,
        ascending.
    n, n_positive : dict
        {field strength: patients of the subset}, {field strength: those meeting the target},
        for every stratum found (analysed or not).
    errors : dict
        {field strength: why it could not be analysed} (e.g. no patient with the target); never
        silent.
    n_not_recorded : int
        Patients of the subset without a field strength (in no stratum).
    comparisons : tuple of StratumComparison
        Every pair of analysed strata (one pair for 1.5 T and 3 T).
    decimals, rounding : int, str
        How the Youden cutoffs were rounded into thresholds (`vbq.study.adjusted_cutoff`).
    """

    group: str
    target: str
    marker: str
    results: dict
    n: dict
    n_positive: dict
    errors: dict
    n_not_recorded: int
    comparisons: tuple[StratumComparison, ...]
    decimals: int = 1
    rounding: str = "specific"

    @property
    def strata(self) -> tuple[float, ...]:
        """The analysed field strengths, ascending."""
        return tuple(self.results)

    def threshold(self, stratum: float) -> float:
        """The stratum's Youden cutoff rounded as the paper rounded its own (2.83 -> 2.9)."""
        res = self.results[stratum]
        return adjusted_cutoff(res.cutoff, decimals=self.decimals, rounding=self.rounding,
                               higher_is_positive=res.higher_is_positive)

    def to_frame(self) -> pd.DataFrame:
        """One row per stratum found: ``field_strength_t, n, n_positive, auc, ci_low, ci_high,
        cutoff`` (Youden), ``threshold`` (rounded), ``sensitivity, specificity`` (at the
        cutoff), ``threshold_sensitivity, threshold_specificity`` (at the rounded threshold,
        which can differ: the rounding moves the cutoff), ``note`` (why a stratum was not
        analysed; "" otherwise)."""
        rows = []
        for t in sorted(self.n):
            res: ROCResult | None = self.results.get(t)
            at = res.at(self.threshold(t)) if res else None
            rows.append({
                FIELD_STRENGTH: t, "n": self.n[t], "n_positive": self.n_positive[t],
                "auc": res.auc if res else math.nan,
                "ci_low": res.auc_ci[0] if res else math.nan,
                "ci_high": res.auc_ci[1] if res else math.nan,
                "cutoff": res.cutoff if res else math.nan,
                "threshold": self.threshold(t) if res else math.nan,
                "sensitivity": res.sensitivity if res else math.nan,
                "specificity": res.specificity if res else math.nan,
                "threshold_sensitivity": at.sensitivity if at else math.nan,
                "threshold_specificity": at.specificity if at else math.nan,
                "note": self.errors.get(t, ""),
            })
        return pd.DataFrame(rows, columns=[FIELD_STRENGTH, "n", "n_positive", "auc", "ci_low",
                                           "ci_high", "cutoff", "threshold", "sensitivity",
                                           "specificity", "threshold_sensitivity",
                                           "threshold_specificity", "note"])

    def comparison_frame(self) -> pd.DataFrame:
        """One row per pair: ``term`` ("AUC 1.5 T - AUC 3 T"), ``estimate, ci_low, ci_high,
        statistic`` (D), ``df1`` (Welch-Satterthwaite df), ``p_value, p_adjusted, n,
        method``."""
        rows = [{"term": f"AUC {c.stratum_a:g} T - AUC {c.stratum_b:g} T",
                 "estimate": c.test.difference, "ci_low": c.test.difference_ci[0],
                 "ci_high": c.test.difference_ci[1], "statistic": c.test.z, "df1": c.test.df,
                 "p_value": c.test.p_value, "p_adjusted": c.p_adjusted,
                 "n": c.test.n_a + c.test.n_b, "method": c.test.method}
                for c in self.comparisons]
        return pd.DataFrame(rows, columns=["term", "estimate", "ci_low", "ci_high", "statistic",
                                           "df1", "p_value", "p_adjusted", "n", "method"])

    def summary(self) -> str:
        """Readable text: each stratum's AUC and threshold, and the tests."""
        lines = [f"{MARKERS[self.marker][0]} for {self.target} in the {self.group} group, by "
                 "MRI field strength"]
        for t, res in self.results.items():
            lines.append(f"{t:g} T: n = {self.n[t]} ({self.n_positive[t]} positive), AUC "
                         f"{res.auc:.3f} ({res.auc_ci[0]:.3f} to {res.auc_ci[1]:.3f}), Youden "
                         f"cutoff {res.cutoff:.3f}, threshold {self.threshold(t):g}")
        lines += [f"{t:g} T: not analysed ({why})" for t, why in self.errors.items()]
        if self.n_not_recorded:
            lines.append(f"{self.n_not_recorded} patient(s) without a recorded field strength")
        lines += [f"{c.stratum_a:g} T vs {c.stratum_b:g} T: difference "
                  f"{c.test.difference:.3f}, D = {c.test.z:.3f}, df = {c.test.df:.1f}, p = "
                  f"{c.test.p_value:.3g}" for c in self.comparisons]
        return "\n".join(lines)


def _check_options(marker: str, decimals: int, rounding: str) -> None:
    if marker not in MARKERS or marker == "combined":
        raise InputError(f"marker: expected one of {[m for m in MARKERS if m != 'combined']}, "
                         f"got {marker!r}")
    if rounding not in ROUNDINGS:
        raise InputError(f"rounding: expected one of {ROUNDINGS}, got {rounding!r}")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise InputError(f"decimals: expected an integer from 0 to 6, got {decimals!r}")


def _analyse_strata(y: np.ndarray, score: np.ndarray, field: np.ndarray, higher: bool,
                    confidence: float):
    """Per stratum: its n and positives, its ROC result or why not, and its labels and
    scores for the tests."""
    n, n_pos, results, errors, data = {}, {}, {}, {}, {}
    for t in np.unique(field[~np.isnan(field)]):
        t = float(t)
        inside = field == t
        yt, st = y[inside], score[inside]
        n[t], n_pos[t] = int(inside.sum()), int(yt.sum())
        try:
            results[t] = roc_analysis(yt, st, higher_is_positive=higher, confidence=confidence)
            data[t] = (yt, st)
        except (InputError, DegenerateInputError) as exc:
            errors[t] = str(exc)
    return n, n_pos, results, errors, data


def _compare(data: dict, higher: bool, confidence: float) -> tuple[StratumComparison, ...]:
    """Every pair of analysed strata by the unpaired DeLong test, Holm-adjusted."""
    pairs, tests = [], []
    for a, b in combinations(sorted(data), 2):
        try:
            tests.append(delong_test_unpaired(*data[a], *data[b], higher_is_positive=higher,
                                              confidence=confidence))
            pairs.append((a, b))
        except (InputError, DegenerateInputError):
            continue  # a stratum too small for DeLong's variance: its ROC row says so
    adjusted = _holm(np.array([t.p_value for t in tests])) if tests else np.array([])
    return tuple(StratumComparison(a, b, t, float(p))
                 for (a, b), t, p in zip(pairs, tests, adjusted, strict=True))


def roc_by_field_strength(table: pd.DataFrame, *, group: str = "control",
                          target: str = "osteoporosis", marker: str = "vbq",
                          decimals: int = 1, rounding: str = "specific",
                          confidence: float = 0.95) -> StratifiedROC:
    """The ROC analysis of one marker in each MRI field strength, and whether the AUC differs.

    Parameters
    ----------
    table : DataFrame
        The analysis table (`vbq.prepare_cohort(...).table`) with ``field_strength_t``.
    group : {"control", "degenerative", "all"}, keyword-only
        The patients analysed, as in `vbq.study.roc_study`.
    target : {"osteoporosis", "osteopenia_or_worse"}, keyword-only
        The DXA status counted positive.
    marker : {"vbq", "hu_l1", "bmd_l1_l4"}, keyword-only
        Its direction is `vbq.study.MARKERS`' (never flipped).
    decimals, rounding : keyword-only
        How each stratum's Youden cutoff is rounded into a threshold
        (`vbq.study.adjusted_cutoff`; the paper: one decimal, toward the specific side).
    confidence : float, keyword-only
        Level of the AUC CIs and of the CI of each difference.

    Returns
    -------
    StratifiedROC
        Per stratum the `vbq.stats.ROCResult` (AUC with DeLong CI, Youden cutoff), and every
        pair of strata compared.

    Raises
    ------
    InputError
        No ``field_strength_t`` column, or fewer than two field strengths recorded; an
        unknown group, target, marker or rounding.

    Notes
    -----
    Patients at different field strengths are different patients, so their AUCs are
    independent: the test is DeLong's for two unpaired ROC curves, D = (A1 - A2) /
    sqrt(V1 + V2) with V the DeLong variance of each AUC, referred to Student's t with the
    Welch-Satterthwaite degrees of freedom, exactly as pROC's ``roc.test(paired = FALSE,
    method = "delong")`` (`vbq.stats.delong_test_unpaired`). With more than two strata every
    pair is tested and the p-values are Holm-adjusted. A stratum with one class only is
    reported in ``errors``, not dropped silently; patients without a field strength are
    counted in ``n_not_recorded``.

    Validated against: R 4.2.2, pROC 1.18.0: ``roc(y, x, direction = "<")`` per stratum
    (``auc``, ``ci.auc``, ``coords(r, "best", best.method = "youden")``) and ``roc.test(r_a,
    r_b, method = "delong", paired = FALSE)``; ``p.adjust(p, "holm")``
    (tests/reference/strata_reference.R).

    References
    ----------
    DeLong ER, DeLong DM, Clarke-Pearson DL. Biometrics 1988;44:837-845.
    Robin X et al. pROC. BMC Bioinformatics 2011;12:77.
    Holm S. Scand J Stat 1979;6:65-70.

    Examples
    --------
    >>> import vbq
    >>> from vbq.scanners import roc_by_field_strength
    >>> prepared = vbq.prepare_cohort(*vbq.demo.load())
    >>> strat = roc_by_field_strength(prepared.table)
    >>> strat.strata
    (1.5, 3.0)
    """
    _check_options(marker, decimals, rounding)
    if FIELD_STRENGTH not in table.columns:
        raise InputError("no MRI field strength in this dataset: add a field_strength_t column "
                         "to the cohort file, or use MRI measurements that recorded it")
    y, rows = roc_subset(table, group, target, [marker, FIELD_STRENGTH])
    if marker not in rows.columns:
        raise InputError(f"no {MARKERS[marker][0]} values in this dataset")
    field = pd.to_numeric(rows[FIELD_STRENGTH], errors="coerce").round(3).to_numpy(dtype=float)
    recorded = np.unique(field[~np.isnan(field)])
    if len(recorded) < 2:
        what = "none" if not len(recorded) else f"only {recorded[0]:g} T"
        raise InputError(f"the {group} group has {what} recorded as MRI field strength: a "
                         "comparison by field strength needs two or more")
    higher = MARKERS[marker][1]
    score = rows[marker].to_numpy(dtype=float, na_value=np.nan)
    n, n_pos, results, errors, data = _analyse_strata(y, score, field, higher, confidence)
    return StratifiedROC(group=group, target=target, marker=marker, results=results, n=n,
                         n_positive=n_pos, errors=errors,
                         n_not_recorded=int(np.isnan(field).sum()),
                         comparisons=_compare(data, higher, confidence), decimals=decimals,
                         rounding=rounding)
