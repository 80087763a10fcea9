"""Tables of the ROC page beyond Table 4: predictive values at another prevalence, the
paired AUC comparison and the bootstrap CI of a cutoff."""

from __future__ import annotations

import pandas as pd

from ._format import (
    FormattedTable,
    _cutoff_decimals,
    _estimate_ci,
    _frame,
    _pct_ci,
    format_number,
    format_p,
    format_percent,
    marker_label,
)

# ---------------------------------------------------------------------------------------------
# ROC page extras


def predictive_values_table(study, prevalence: float, *, title: str | None = None
                            ) -> FormattedTable:
    """PPV and NPV of each marker's Youden cutoff at another `prevalence` (a fraction), by
    Bayes' theorem with Mercaldo-Lau-Zhou CIs (`vbq.stats.CutoffMetrics.ppv_npv_at_prevalence`).

    Returns
    -------
    FormattedTable
        ``data``: ``marker, cutoff, sensitivity, specificity, prevalence, ppv, ppv_ci_low,
        ppv_ci_high, npv, npv_ci_low, npv_ci_high`` (fractions).
    """
    headers = ["Marker", "Cutoff", "Sensitivity, %", "Specificity, %", "PPV, % (95% CI)",
               "NPV, % (95% CI)"]
    rows, data = [], []
    for m, res in study.results.items():
        best = res.best
        pv = best.ppv_npv_at_prevalence(prevalence)
        op = "≥" if res.higher_is_positive else "≤"
        rows.append({"Marker": marker_label(m),
                     "Cutoff": f"{op}\u00a0{format_number(best.cutoff, _cutoff_decimals(m))}",
                     "Sensitivity, %": format_percent(best.sensitivity),
                     "Specificity, %": format_percent(best.specificity),
                     "PPV, % (95% CI)": _pct_ci(pv.ppv, *pv.ppv_ci),
                     "NPV, % (95% CI)": _pct_ci(pv.npv, *pv.npv_ci)})
        data.append({"marker": m, "cutoff": best.cutoff, "sensitivity": best.sensitivity,
                     "specificity": best.specificity, "prevalence": pv.prevalence,
                     "ppv": pv.ppv, "ppv_ci_low": pv.ppv_ci[0], "ppv_ci_high": pv.ppv_ci[1],
                     "npv": pv.npv, "npv_ci_low": pv.npv_ci[0], "npv_ci_high": pv.npv_ci[1]})
    foot = [f"At a prevalence of {format_number(100 * prevalence, 1)}%: Bayes' theorem from the "
            "sensitivity and specificity at the Youden cutoff; 95% CIs by the adjusted logit "
            "method of Mercaldo, Lau & Zhou (2007)."]
    return FormattedTable(key="predictive_values",
                          title=title or "Predictive values at another prevalence",
                          shown=_frame(rows, headers), data=pd.DataFrame(data),
                          footnotes=tuple(foot))


def auc_comparison_table(comparison, *, title: str | None = None) -> FormattedTable:
    """Paired DeLong comparisons of the AUCs (`vbq.stats.MarkerComparison`).

    Returns
    -------
    FormattedTable
        ``data`` is ``comparison.to_frame()``: ``marker_a, marker_b, auc_a, auc_b, estimate,
        ci_low, ci_high, statistic, p_value, p_adjusted, n, method``.
    """
    frame = comparison.to_frame()
    headers = ["Comparison", "AUC difference (95% CI)", "z", "p", "Adjusted p"]
    rows = [{"Comparison": f"{r['marker_a']} vs {r['marker_b']}",
             "AUC difference (95% CI)": _estimate_ci(r["estimate"], r["ci_low"], r["ci_high"],
                                                     3),
             "z": format_number(r["statistic"], 2), "p": format_p(r["p_value"]),
             "Adjusted p": format_p(r["p_adjusted"])} for _, r in frame.iterrows()]
    foot = [f"Paired DeLong test (DeLong et al. 1988) on {comparison.n_pos} positive and "
            f"{comparison.n_neg} negative patients with every marker; adjusted p: "
            f"{comparison.correction.capitalize()} correction for multiple comparisons."]
    if comparison.n_missing:
        foot.append(f"{comparison.n_missing} patient(s) without every marker left out.")
    return FormattedTable(key="auc_comparison",
                          title=title or "Paired comparison of the AUCs",
                          shown=_frame(rows, headers), data=frame, footnotes=tuple(foot))


def bootstrap_cutoff_table(result, *, marker: str = "vbq", title: str | None = None
                           ) -> FormattedTable:
    """The bootstrap CI of a Youden cutoff and its optimism (`vbq.stats.bootstrap_cutoff`).

    Returns
    -------
    FormattedTable
        ``data`` is ``result.to_frame()``: ``term, estimate, ci_low, ci_high, n, method``.
    """
    frame = result.to_frame()
    d = _cutoff_decimals(marker)
    rows = [{"": f"Youden cutoff of {marker_label(marker)}",
             "Estimate (95% CI)": _estimate_ci(result.cutoff, *result.cutoff_ci, d)}]
    for term, what in (("optimism_sensitivity", "sensitivity"),
                       ("optimism_specificity", "specificity"),
                       ("optimism_youden", "Youden index")):
        v = frame.loc[frame["term"] == term, "estimate"].iloc[0]
        rows.append({"": f"Optimism of the {what}, percentage points",
                     "Estimate (95% CI)": format_number(100 * v, 1)})
    foot = [f"Percentile interval of {result.n_boot} bootstrap resamples (seed {result.seed}"
            f"{', stratified' if result.stratified else ''}). Optimism: mean of in-bag minus "
            "out-of-bag performance of each resample's own cutoff"
            + (f"; {result.n_oob_undefined} resample(s) without both classes out of bag left "
               "out." if result.n_oob_undefined else ".")]
    return FormattedTable(key="bootstrap_cutoff", title=title or "Bootstrap CI of the cutoff",
                          shown=_frame(rows, ["", "Estimate (95% CI)"]), data=frame,
                          footnotes=tuple(foot))
