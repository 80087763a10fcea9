"""The study's tables, composed from `vbq.stats` on a prepared table.

Each function here is one table or figure of Chen et al. 2023, with the paper's variable lists as
defaults, so the dashboard, the report and a notebook produce the same numbers. The statistics
themselves (and their validation) live in `vbq.stats`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS

from .cohort import Counts, PreparedCohort, Thresholds, group_arrays
from .errors import DegenerateInputError, InputError
from .settings import GroupCriteria
from .stats import (
    GroupComparison,
    ModicTable,
    PrevalenceShift,
    cohen_kappa,
    combined_marker,
    compare_groups,
    compare_markers,
    correlation_table,
    icc,
    modic_table,
    prevalence_by,
    prevalence_shift,
    risk_model,
    roc_analysis,
    round_cutoff,
    to_long,
)
from .stats import grey_zone as _grey_zone
from .stats import reclassification as _reclassification
from .stats._threads import one_blas_thread

__all__ = [
    "TABLE2_CONTINUOUS",
    "TABLE2_CATEGORICAL",
    "GROUP_ORDER",
    "table2",
    "table5",
    "grouping_kappa",
    "vbq_reliability",
    "TABLE3_Y",
    "table3",
    "fit_line",
    "FitLine",
    "MARKERS",
    "TARGETS",
    "adjusted_cutoff",
    "ROUNDINGS",
    "roc_subset",
    "roc_study",
    "ROCStudy",
    "cutoff_table",
    "prevalence",
    "prevalence_breakdowns",
    "reclassification",
    "grey_zone",
    "threshold_point",
    "StudyAnalysis",
    "Unavailable",
    "analyse",
    "RISK_PREDICTORS",
    "risk_calculator",
]

GROUP_ORDER = ("degenerative", "control")


@dataclass(frozen=True)
class Unavailable:
    """A part of the study that could not be computed on this data, and why.

    Functions that return several parts (`grouping_kappa`, `vbq_reliability`,
    `prevalence_breakdowns`, `analyse`) put one of these where a part is undefined (one class
    only, too few patients, a column not recorded), so the other parts still come back and
    nothing fails silently. ``str(x)`` is the reason.
    """

    reason: str

    def __str__(self) -> str:
        return self.reason

    def summary(self) -> str:
        return f"not computed: {self.reason}"

TABLE2_CONTINUOUS: tuple[str, ...] = (
    "age", "bmi", "vbq", "hu_l1", "bmd_l1_l4", "t_l1_l4", "bmd_femoral_neck", "t_femoral_neck",
    "bmd_total_hip", "t_total_hip", "bmd_lowest", "t_lowest",
)
"""Continuous rows of Table 2, in the paper's order."""

TABLE2_CATEGORICAL: tuple[str, ...] = (
    "sex", "smoking", "alcohol", "diabetes", "hypertension", "rheumatic_disease",
    "antiresorptive", "anabolic", "prior_osteo_dx", "current_osteo_dx",
)
"""Categorical rows of Table 2, in the paper's order."""


def _present(table: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """The `columns` in `table` with at least one value (column by column: selecting them as a
    sub-frame first copies them all)."""
    return [c for c in columns if c in table.columns and table[c].count() > 0]


def table2(table: pd.DataFrame, *, covariates: Sequence[str] = ("age",), equal_var: bool = True):
    """Table 2: demographics, VBQ, HU and DXA compared between the groups.

    Continuous variables: mean ± SD, Student's t (Welch with ``equal_var=False``) and the ANCOVA p
    adjusted for `covariates` (Type III); categorical: n (%), Pearson chi-square or Fisher's exact
    test when an expected count is below 5. Columns absent from `table`, or entirely empty, are
    left out. See `vbq.stats.compare_groups`.

    Returns
    -------
    vbq.stats.groups.GroupComparison
    """

    covariates = tuple(covariates)
    missing = [c for c in covariates if c not in table.columns]
    if missing:
        raise InputError(f"covariates: columns {missing} are not in the table")
    return compare_groups(
        table,
        between="group",
        continuous=_present(table, TABLE2_CONTINUOUS),
        categorical=_present(table, TABLE2_CATEGORICAL),
        covariates=covariates,
        equal_var=equal_var,
        order=GROUP_ORDER,
    )


def table5(table: pd.DataFrame):
    """Table 5: Modic type, number of levels and grade by group (`vbq.stats.modic_table`)."""

    for col in ("modic_type", "modic_levels", "modic_grade"):
        if col not in table.columns:
            raise InputError(f"the table has no {col!r} column: Modic changes were not recorded")
    return modic_table(table, between="group", order=GROUP_ORDER)


def grouping_kappa(cohort: pd.DataFrame, criteria: GroupCriteria | None = None) -> dict:
    """Agreement of the degenerative grouping between readings, under `criteria`.

    The group is recomputed from each reading's grades (primary; observer 1's repeat, columns
    ``*_repeat``; observer 2, ``*_obs2``) and compared by Cohen's kappa on the patients graded by
    both.

    Returns
    -------
    dict
        ``{"intra": KappaResult, "inter": KappaResult}`` for the readings present; a reading
        whose kappa is undefined maps to an `Unavailable` with the reason instead.
    """

    criteria = criteria or GroupCriteria()
    # the groups as arrays (`cohort.group_arrays`): `assign_groups`' table of every patient,
    # three times, was most of the time at 100,000 patients
    primary = group_arrays(cohort, criteria).group
    out: dict = {}
    for name, rater in (("intra", "repeat"), ("inter", "obs2")):
        cols = [c for c in cohort.columns if c.endswith(f"_{rater}") and not c.startswith("vbq")]
        if not cols:
            continue
        graded = np.zeros(len(cohort), dtype=bool)
        for c in cols:  # column by column: `cohort[cols]` first copies them all
            graded |= cohort[c].notna().to_numpy()
        if not graded.any():
            continue
        other = group_arrays(cohort, criteria, rater=rater).group
        try:
            out[name] = cohen_kappa(primary[graded], other[graded], categories=list(GROUP_ORDER))
        except DegenerateInputError as exc:
            out[name] = Unavailable(str(exc))
    return out


def vbq_reliability(table: pd.DataFrame) -> dict:
    """ICC of repeated VBQ measurements: intra (``vbq`` vs ``vbq_repeat``) and inter-observer
    (``vbq`` vs ``vbq_obs2``), all six Shrout & Fleiss forms each (`vbq.stats.icc`).

    Returns
    -------
    dict
        ``{"intra": ICCResult, "inter": ICCResult}`` for the measurements present (patients
        measured once are reported as incomplete targets by `icc`); a reading whose ICC is
        undefined maps to an `Unavailable` with the reason.
    """

    out: dict = {}
    for name, col in (("intra", "vbq_repeat"), ("inter", "vbq_obs2")):
        if col not in table.columns or not table[col].notna().any():
            continue
        long = to_long(table, "patient_id", ["vbq", col])
        try:
            out[name] = icc(long, "patient_id", "rater", "rating")
        except DegenerateInputError as exc:
            out[name] = Unavailable(str(exc))
    return out


TABLE3_Y: tuple[str, ...] = (
    "bmd_l1_l4", "t_l1_l4", "t_lowest", "t_femoral_neck", "t_total_hip", "hu_l1",
)
"""Measures correlated with VBQ on the Correlations page (Table 3 and the overall correlations)."""


def table3(table: pd.DataFrame, *, ys: Sequence[str] = TABLE3_Y, method: str = "pearson",
           confidence: float = 0.95) -> pd.DataFrame:
    """Table 3: VBQ against bone density measures, per group and overall, with the Fisher z-test
    of the groups' difference (`vbq.stats.correlation_table`). Absent columns are left out."""

    ys = _present(table, ys)
    if not ys:
        raise InputError("none of the measures to correlate with VBQ are in the table")
    return correlation_table(table, "vbq", ys, by="group", method=method,
                             confidence=confidence, order=GROUP_ORDER)


@dataclass(frozen=True, eq=False)
class FitLine:
    """Result of `fit_line`.

    Attributes
    ----------
    frame : DataFrame
        ``x, fit, ci_low, ci_high`` (n_points rows): the line and its confidence band.
    n : int
        Complete pairs used.
    n_missing : int
        Pairs left out because either value was missing.
    confidence : float
    """

    frame: pd.DataFrame
    n: int
    n_missing: int
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()


@one_blas_thread
def fit_line(x, y, *, confidence: float = 0.95, n_points: int = 50) -> FitLine:
    """Least-squares line of `y` on `x` with the confidence band of the mean response.

    Parameters
    ----------
    x, y : array-like
        Pairs with a missing value on either side are left out.
    confidence : float, keyword-only
    n_points : int, keyword-only
        Points of the band, evenly spaced over the range of `x`.

    Returns
    -------
    FitLine
        The band as ``frame`` (``x, fit, ci_low, ci_high``), pairs used ``n`` and left out
        ``n_missing``.

    Raises
    ------
    DegenerateInputError
        Fewer than 3 complete pairs, or `x` constant.

    Notes
    -----
    Ordinary least squares; band = fit -/+ t_(1-a/2, n-2) * s * sqrt(1/n + (x0 - mean x)^2 / Sxx),
    computed by statsmodels ``OLS(y, [1, x]).fit().get_prediction([1, x0]).conf_int()``.

    Validated against R 4.2.2 ``predict(lm(y ~ x), newdata, interval = "confidence")``
    (tests/reference/study_fit_line.R).
    """

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise InputError(f"x and y must be 1-D of equal length, got {x.shape} and {y.shape}")
    ok = np.isfinite(x) & np.isfinite(y)
    xs, ys = x[ok], y[ok]
    if len(xs) < 3:
        raise DegenerateInputError(f"a regression line needs at least 3 complete pairs, got {len(xs)}")
    if np.ptp(xs) == 0:
        raise DegenerateInputError("x is constant: no regression line")
    model = OLS(ys, np.column_stack([np.ones_like(xs), xs])).fit()
    grid = np.linspace(xs.min(), xs.max(), n_points)
    pred = model.get_prediction(np.column_stack([np.ones_like(grid), grid]))
    band = pred.conf_int(alpha=1 - confidence)
    out = pd.DataFrame({"x": grid, "fit": pred.predicted_mean, "ci_low": band[:, 0],
                        "ci_high": band[:, 1]})
    return FitLine(frame=out, n=int(ok.sum()), n_missing=int((~ok).sum()), confidence=confidence)


# ---------------------------------------------------------------------------------------------
# ROC (Fig. 5, Table 4)

MARKERS: dict[str, tuple[str, bool]] = {
    "vbq": ("VBQ", True),
    "hu_l1": ("L1 HU", False),
    "bmd_l1_l4": ("L1-4 BMD", False),
    "combined": ("VBQ + age + sex (logistic)", True),
}
"""Marker -> (label, higher_is_positive). The direction is fixed by physiology, never by the
data: a higher VBQ (more marrow fat) and a lower HU or BMD point to osteoporosis."""

TARGETS: dict[str, tuple[str, ...]] = {
    "osteoporosis": ("osteoporosis",),
    "osteopenia_or_worse": ("osteopenia", "osteoporosis"),
}
"""ROC target -> the DXA statuses counted positive."""

SUBSETS = ("control", "degenerative", "all")
COMBINED_PREDICTORS = ("vbq", "age", "sex")


ROUNDINGS = ("specific", "up", "down", "nearest")
"""How `adjusted_cutoff` may round: toward the marker's more specific side (the default), or
always up, down or to the nearest value."""


def adjusted_cutoff(cutoff: float, *, decimals: int = 1, rounding: str = "specific",
                    higher_is_positive: bool = True) -> float:
    """Round a cutoff for clinical use (the paper's "adjustment threshold").

    Parameters
    ----------
    cutoff : float
    decimals : int, keyword-only
        Decimals kept (the paper: 1).
    rounding : {"specific", "up", "down", "nearest"}, keyword-only
        "specific" (default) rounds toward the more specific side of the marker
        (`vbq.stats.round_cutoff`): up when higher is positive (VBQ: the paper's 2.83 -> 2.9 and
        2.56 -> 2.6), down when lower is positive (L1 HU, BMD). "up", "down" and "nearest"
        round that way whatever the marker ("nearest" would give 2.8 for 2.83).
    higher_is_positive : bool, keyword-only
        The marker's direction (`MARKERS`); used by "specific" only.

    Notes
    -----
    The value is first rounded to 9 decimals at the target scale, so that 2.6 stays 2.6 and is not
    taken up to 2.7 by the binary representation of 26.000000000000004.
    """
    if rounding not in ROUNDINGS:
        raise InputError(f"rounding: expected one of {ROUNDINGS}, got {rounding!r}")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise InputError(f"decimals: expected an integer from 0 to 6, got {decimals!r}")
    if not math.isfinite(cutoff):
        return cutoff
    if rounding == "specific":
        return round_cutoff(cutoff, decimals=decimals, higher_is_positive=higher_is_positive)
    scale = 10.0 ** decimals
    x = round(cutoff * scale, 9)
    f = {"up": math.ceil, "down": math.floor, "nearest": lambda v: math.floor(v + 0.5)}[rounding]
    return f(x) / scale


def roc_subset(table: pd.DataFrame, group: str, target: str, columns: Sequence[str] | None = None):
    """(labels, rows) for a ROC analysis: the patients of `group` and whether each meets the
    DXA `target` (True/False). `columns` limits the rows returned to those columns (the prepared
    table is wide; copying all of it for a few markers dominated the analysis time).

    Raises
    ------
    InputError
        Unknown group or target.
    """
    mask, y = _subset(table, group, target)
    keep = (table.columns if columns is None else
            list(dict.fromkeys(["group", "dxa_status", *[c for c in columns
                                                         if c in table.columns]])))
    rows = table.loc[:, keep] if mask is None else table.loc[mask, keep]
    return y, rows


def _subset(table: pd.DataFrame, group: str, target: str):
    """(row mask or None for all rows, labels of those rows) of `roc_subset`, without copying
    the rows: a mixed-dtype frame costs ~0.5 ms per take, more than the ROC analysis itself."""

    if group not in SUBSETS:
        raise InputError(f"group: expected one of {SUBSETS}, got {group!r}")
    if target not in TARGETS:
        raise InputError(f"target: expected one of {tuple(TARGETS)}, got {target!r}")
    mask = (None if group == "all"
            else (table["group"] == group).to_numpy(dtype=bool, na_value=False))
    y = table["dxa_status"].isin(TARGETS[target]).to_numpy(dtype=bool, na_value=False)
    return mask, np.asarray(y if mask is None else y[mask], dtype=bool)


@dataclass(frozen=True, eq=False)
class ROCStudy:
    """Result of `roc_study`.

    Attributes
    ----------
    group, target : str
    markers : tuple of str
        As requested.
    results : dict
        {marker: `vbq.stats.ROCResult`} for the markers that could be analysed.
    combined : CombinedMarkerResult or None
        The logistic model behind the "combined" marker (apparent and cross-validated AUC).
    comparison : MarkerComparison or None
        Every pair by paired DeLong test with Holm-adjusted p (None with fewer than 2 markers).
    errors : dict
        {marker: why it could not be analysed}; never silent.
    n, n_positive : int
        Patients in the subset, and those meeting the target.
    """

    group: str
    target: str
    markers: tuple
    results: dict
    combined: object
    comparison: object
    errors: dict
    n: int
    n_positive: int

    def to_frame(self, *, decimals: int = 1, rounding: str = "specific") -> pd.DataFrame:
        """Table 4 (`cutoff_table`)."""
        return cutoff_table(self.results, decimals=decimals, rounding=rounding)

    def summary(self) -> str:
        lines = [f"ROC for {self.target} in the {self.group} group: n = {self.n}, "
                 f"{self.n_positive} positive"]
        lines += [res.summary() for res in self.results.values()]
        lines += [f"{m}: not analysed ({why})" for m, why in self.errors.items()]
        return "\n".join(lines)


def roc_study(table: pd.DataFrame, *, group: str = "control", target: str = "osteoporosis",
              markers: Sequence[str] = ("vbq", "hu_l1"), ci: str = "delong", seed: int = 0,
              n_splits: int = 5) -> ROCStudy:
    """Fig. 5 and Table 4: ROC analysis of each marker for a DXA target in one group.

    Parameters
    ----------
    table : DataFrame
        Prepared table (`vbq.prepare_cohort(...).table`); its ``dxa_status`` follows the settings' reference site.
    group : {"control", "degenerative", "all"}, keyword-only
        The paper derives its thresholds in the control group.
    target : {"osteoporosis", "osteopenia_or_worse"}, keyword-only
    markers : sequence of str, keyword-only
        Keys of `MARKERS`; "combined" is a logistic model of VBQ, age and sex, reported with its
        cross-validated AUC beside the apparent one (`vbq.stats.combined_marker`).
    ci : {"delong", "bootstrap"}, keyword-only
    seed, n_splits : int, keyword-only
        Seed of any resampling (bootstrap CI, CV folds), stored in the results.

    Returns
    -------
    ROCStudy
    """
    mask, y = _subset(table, group, target)
    unknown = [m for m in markers if m not in MARKERS]
    if unknown:
        raise InputError(f"markers: unknown {unknown}; expected keys of {tuple(MARKERS)}")
    if y.all() or not y.any():
        raise DegenerateInputError(
            f"the {group} subset has {int(y.sum())} positive and {int((~y).sum())} negative "
            f"patient(s) for {target}: a ROC curve needs both")
    errors: dict = {}
    scores, combined = _marker_scores(table, mask, y, markers, errors, seed=seed,
                                      n_splits=n_splits)
    results = {}
    for m, s in scores.items():
        try:
            results[m] = roc_analysis(y, s, higher_is_positive=MARKERS[m][1], ci=ci, seed=seed)
        except (InputError, DegenerateInputError) as exc:
            errors[m] = str(exc)
    comparison = _compare_usable(y, scores, [m for m in markers if m in results], errors)
    return ROCStudy(group=group, target=target, markers=tuple(markers), results=results,
                    combined=combined, comparison=comparison, errors=errors, n=len(y),
                    n_positive=int(y.sum()))


def _marker_scores(table: pd.DataFrame, mask, y: np.ndarray, markers: Sequence[str],
                   errors: dict, *, seed: int, n_splits: int):
    """({marker: scores of the subset}, the combined model or None); why a marker has no
    scores goes into `errors`."""
    scores: dict = {}
    combined = None
    for m in markers:
        if m == "combined":
            try:
                combined = _combined(table, mask, y, seed=seed, n_splits=n_splits)
                scores[m] = combined.linear_predictor
            except (InputError, DegenerateInputError) as exc:
                errors[m] = str(exc)
            continue
        if m not in table.columns:
            errors[m] = f"no {MARKERS[m][0]} values in this dataset"
            continue
        values = table[m].to_numpy(dtype=float, na_value=np.nan)
        values = values if mask is None else values[mask]
        if np.isnan(values).all():
            errors[m] = f"no {MARKERS[m][0]} values in this dataset"
        else:
            scores[m] = values
    return scores, combined


def _combined(table: pd.DataFrame, mask, y: np.ndarray, *, seed: int, n_splits: int):
    """The logistic model of `COMBINED_PREDICTORS` on the subset (`combined_marker`)."""
    missing = [c for c in COMBINED_PREDICTORS if c not in table.columns]
    if missing:
        raise InputError(f"the combined marker needs the column(s) {missing}")
    preds = table.loc[:, list(COMBINED_PREDICTORS)]
    return combined_marker(y, preds if mask is None else preds.loc[mask], seed=seed,
                           n_splits=n_splits)


def _compare_usable(y: np.ndarray, scores: dict, usable: list, errors: dict):
    """DeLong comparison of the markers with a ROC result (None for fewer than two)."""
    if len(usable) < 2:
        return None
    try:
        return compare_markers(
            y, {MARKERS[m][0]: scores[m] for m in usable},
            higher_is_positive={MARKERS[m][0]: MARKERS[m][1] for m in usable})
    except (InputError, DegenerateInputError) as exc:
        errors["comparison"] = str(exc)
        return None


def cutoff_table(results: dict, *, decimals: int = 1, rounding: str = "specific") -> pd.DataFrame:
    """Table 4: per marker, the Youden cutoff and the adjusted (rounded) cutoff with
    sensitivity and specificity (Wilson CIs), PPV, NPV, LR+, LR- and the AUC with its CI.
    The adjusted cutoff is rounded as `adjusted_cutoff` (by default toward each marker's more
    specific side, from its ROC direction).

    Returns
    -------
    DataFrame
        One row per marker and cutoff kind (``"Youden"``, ``"adjusted"``): ``marker, kind,
        cutoff, auc, auc_ci_low, auc_ci_high, sensitivity, sensitivity_ci_low,
        sensitivity_ci_high, specificity, specificity_ci_low, specificity_ci_high, ppv, npv,
        lr_pos, lr_neg, tp, fp, tn, fn``.
    """
    rows = []
    for m, res in results.items():
        adj = adjusted_cutoff(res.cutoff, decimals=decimals, rounding=rounding,
                              higher_is_positive=res.higher_is_positive)
        for kind, metrics in (("Youden", res.at(res.cutoff)), ("adjusted", res.at(adj))):
            rows.append({
                "marker": m, "kind": kind, "cutoff": metrics.cutoff, "auc": res.auc,
                "auc_ci_low": res.auc_ci[0], "auc_ci_high": res.auc_ci[1],
                "sensitivity": metrics.sensitivity,
                "sensitivity_ci_low": metrics.sensitivity_ci[0],
                "sensitivity_ci_high": metrics.sensitivity_ci[1],
                "specificity": metrics.specificity,
                "specificity_ci_low": metrics.specificity_ci[0],
                "specificity_ci_high": metrics.specificity_ci[1],
                "ppv": metrics.ppv, "npv": metrics.npv, "lr_pos": metrics.lr_pos,
                "lr_neg": metrics.lr_neg, "tp": metrics.tp, "fp": metrics.fp, "tn": metrics.tn,
                "fn": metrics.fn,
            })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Prevalence (Results: 19.8% vs 20.1% by T-score, 53.5% vs 38.8% by VBQ, 46.9% vs 30.8%)


def prevalence(table: pd.DataFrame, *, target: str = "osteoporosis"):
    """Prevalence of `target` by DXA and by the VBQ threshold per group, and the share of
    DXA-negative patients that VBQ flags (`vbq.stats.prevalence_shift`)."""

    if target not in TARGETS:
        raise InputError(f"target: expected one of {tuple(TARGETS)}, got {target!r}")
    return prevalence_shift(table, between="group", reference_col="dxa_status",
                            test_col="vbq_status", positive=TARGETS[target], order=GROUP_ORDER)


def prevalence_breakdowns(table: pd.DataFrame, *, target: str = "osteoporosis") -> dict:
    """VBQ-positive rates by primary diagnosis (all patients) and by age 60 and over (among the
    DXA-negative, as the paper's 51.5% vs 34.5%), each with its chi-square or Fisher p
    (`vbq.stats.prevalence_by`). A breakdown that cannot be computed maps to an `Unavailable`."""

    positive = TARGETS[target]
    out: dict = {}
    if "diagnosis" in table.columns and table["diagnosis"].notna().any():
        try:
            out["diagnosis"] = prevalence_by(table, "diagnosis", status_col="vbq_status",
                                             positive=positive)
        except (InputError, DegenerateInputError) as exc:
            out["diagnosis"] = Unavailable(str(exc))
    negative = table[~table["dxa_status"].isin(positive)]
    try:
        age = pd.Series(pd.Categorical((negative["age"] >= 60).map(
            {True: "60 and over", False: "under 60"}), categories=["60 and over", "under 60"]),
            index=negative.index)
        out["age_60_dxa_negative"] = prevalence_by(negative.assign(age_band=age), "age_band",
                                                   status_col="vbq_status", positive=positive)
    except (InputError, DegenerateInputError) as exc:
        out["age_60_dxa_negative"] = Unavailable(str(exc))
    return out


def reclassification(table: pd.DataFrame):
    """DXA status by VBQ status cross-tabulation (`vbq.stats.reclassification`)."""

    return _reclassification(table, "dxa_status", "vbq_status")


def grey_zone(table: pd.DataFrame, *, rule_out: float, rule_in: float, group: str = "all",
              target: str = "osteoporosis"):
    """Two VBQ cutoffs: below `rule_out` DXA is spared, above `rule_in` osteoporosis is called,
    between them the patient is referred to DXA (`vbq.stats.grey_zone`)."""

    y, rows = roc_subset(table, group, target, columns=["vbq"])
    return _grey_zone(y, rows["vbq"].to_numpy(dtype=float), rule_out=rule_out, rule_in=rule_in,
                      higher_is_positive=True)


def threshold_point(prepared: PreparedCohort, *, target: str = "osteoporosis"):
    """The VBQ threshold in force for `target` placed on the control group's VBQ ROC curve.

    Parameters
    ----------
    prepared : PreparedCohort
        From `vbq.prepare_cohort`; its ``thresholds`` hold the thresholds in force (derived,
        manual or the paper's, see `vbq.Settings`).
    target : {"osteoporosis", "osteopenia_or_worse"}, keyword-only
        The osteoporosis threshold for the first, the osteopenia threshold for the second.

    Returns
    -------
    tuple
        ``(roc, threshold, metrics)``: the control-group `ROCResult` of VBQ, the threshold, and
        ``roc.at(threshold)`` (sensitivity, specificity with Wilson CIs, PPV, NPV...).

    Raises
    ------
    InputError
        Unknown target, or not a `PreparedCohort`.
    DegenerateInputError
        No ROC curve in the control group (one class only, no VBQ values).
    """
    if target not in TARGETS:
        raise InputError(f"target: expected one of {tuple(TARGETS)}, got {target!r}")
    if not isinstance(prepared, PreparedCohort):
        raise InputError("prepared: expected a vbq.PreparedCohort (from vbq.prepare_cohort), "
                         f"got {type(prepared).__name__}")
    threshold = prepared.thresholds.for_target(target)
    study = roc_study(prepared.table, group="control", target=target, markers=("vbq",))
    if "vbq" not in study.results:
        raise DegenerateInputError(study.errors.get("vbq", "no VBQ ROC curve"))
    res = study.results["vbq"]
    return res, threshold, res.at(threshold)


# ---------------------------------------------------------------------------------------------
# The whole study at once (the report, the command line and the benchmark use it)


@dataclass(frozen=True, eq=False)
class StudyAnalysis:
    """Every table of the study on one prepared cohort (`analyse`).

    Each part is its result, or an `Unavailable` saying why it could not be computed.

    Attributes
    ----------
    table2 : GroupComparison or Unavailable
    table3 : DataFrame or Unavailable
    roc : dict
        {target: ROCStudy or Unavailable} for "osteoporosis" and "osteopenia_or_worse"
        (control group, VBQ and L1 HU).
    prevalence : PrevalenceShift or Unavailable
    table5 : ModicTable or Unavailable
    reliability : dict
        `vbq_reliability` (ICC intra / inter) when repeat measurements are present, else empty.
    thresholds : Thresholds or None
        The VBQ thresholds in force (None when `analyse` was given a bare table).
    counts : Counts or None
        How the input rows reconcile (None when `analyse` was given a bare table).
    """

    table2: GroupComparison | Unavailable
    table3: pd.DataFrame | Unavailable
    roc: dict[str, ROCStudy | Unavailable]
    prevalence: PrevalenceShift | Unavailable
    table5: ModicTable | Unavailable
    reliability: dict
    thresholds: Thresholds | None
    counts: Counts | None


def analyse(prepared: PreparedCohort | pd.DataFrame, *, covariates: Sequence[str] = ("age",),
            reliability: bool = True) -> StudyAnalysis:
    """Run the study's analysis on a prepared cohort: Table 2 with ANCOVA, Table 3, the control
    group's ROC for both targets (VBQ and L1 HU, paired DeLong), the prevalence shift, Table 5 and
    (unless ``reliability=False``) the VBQ reliability.

    Parameters
    ----------
    prepared : PreparedCohort or DataFrame
        From `vbq.prepare_cohort` (its thresholds and counts are carried into the result), or
        its ``.table``.
    covariates : sequence of str, default ("age",), keyword-only
        The covariates of Table 2's ANCOVA (`table2`).
    reliability : bool, default True, keyword-only
        Compute the VBQ reliability (`vbq_reliability`) when the table has repeated readings;
        False leaves it empty.

    Returns
    -------
    StudyAnalysis
        A part that cannot be computed holds an `Unavailable` with the reason, never a crash.
    """
    if isinstance(prepared, PreparedCohort):
        table, thresholds, counts = prepared.table, prepared.thresholds, prepared.counts
    elif isinstance(prepared, pd.DataFrame):
        table, thresholds, counts = prepared, None, None
    else:
        raise InputError("prepared: expected a vbq.PreparedCohort or its table, got "
                         f"{type(prepared).__name__}")

    def attempt(f, *a, **k):
        try:
            return f(*a, **k)
        except (InputError, DegenerateInputError) as exc:
            return Unavailable(str(exc))

    return StudyAnalysis(
        table2=attempt(table2, table, covariates=covariates),
        table3=attempt(table3, table),
        roc={t: attempt(roc_study, table, group="control", target=t, markers=("vbq", "hu_l1"))
             for t in TARGETS},
        prevalence=attempt(prevalence, table),
        table5=attempt(table5, table),
        reliability=(vbq_reliability(table)
                     if reliability and "vbq_repeat" in table.columns else {}),
        thresholds=thresholds,
        counts=counts,
    )


# --------------------------------------------------------------------------------------------
# the risk calculator (issue 20)
# --------------------------------------------------------------------------------------------
RISK_PREDICTORS = ("vbq", "age", "sex")
"""The risk calculator's predictors; L1 HU is added on request."""


def risk_calculator(table: pd.DataFrame, *, group: str = "all", target: str = "osteoporosis",
                    include_hu: bool = False, n_boot: int = 200, seed: int = 0):
    """The risk model of the DXA `target` on VBQ, age and sex (and L1 HU with `include_hu`) for
    the patients of `group` (`vbq.stats.risk_model`).

    Parameters
    ----------
    table : pandas.DataFrame
        A prepared table (`vbq.PreparedCohort.table`).
    group : {"all", "control", "degenerative"}, default "all"
    target : {"osteoporosis", "osteopenia_or_worse"}, default "osteoporosis"
    include_hu : bool, default False
        Add L1 HU (CT) as a fourth predictor.
    n_boot, seed : int
        Bootstrap resamples and their seed, as `vbq.stats.risk_model`.

    Returns
    -------
    vbq.stats.RiskModelResult
        A patient without a DXA status counts as missing, never as a patient without the target.

    Raises
    ------
    InputError
        Unknown group or target, or a predictor column missing from `table`.
    DegenerateInputError
        As `vbq.stats.risk_model`.
    """
    columns = [*RISK_PREDICTORS, *(["hu_l1"] if include_hu else [])]
    missing = [c for c in [*columns, "dxa_status"] if c not in table.columns]
    if missing:
        raise InputError(f"the risk calculator needs the column(s) {missing}")
    mask, y = _subset(table, group, target)
    rows = table if mask is None else table.loc[mask]
    outcome = np.where(rows["dxa_status"].isna().to_numpy(), np.nan, y.astype(float))
    return risk_model(outcome, rows.loc[:, columns].reset_index(drop=True), n_boot=n_boot,
                      seed=seed)
