"""Tables of the analysis by MRI field strength (issue 19): each stratum's ROC and threshold,
and the test of whether the AUC differs between strata."""

from __future__ import annotations

from ._format import (
    FormattedTable,
    _cutoff_decimals,
    _estimate_ci,
    _frame,
    format_number,
    format_p,
    format_percent,
    marker_label,
    target_label,
)


def _test_sentence(c, several: bool) -> str:
    t = c.test
    return (f"AUC at {c.stratum_a:g} T minus AUC at {c.stratum_b:g} T: "
            f"{_estimate_ci(t.difference, *t.difference_ci, 3)}, D = {format_number(t.z, 2)}, "
            f"df = {format_number(t.df, 1)}, p = {format_p(t.p_value)}"
            + (f", Holm-adjusted p = {format_p(c.p_adjusted)}" if several else ""))


def field_strength_roc_table(strat, *, title: str | None = None) -> FormattedTable:
    """Each MRI field strength's ROC analysis and Youden threshold, with the test of whether
    the AUC differs between them (`vbq.scanners.StratifiedROC`).

    Returns
    -------
    FormattedTable
        ``data`` is ``strat.to_frame()``: ``field_strength_t, n, n_positive, auc, ci_low,
        ci_high, cutoff, threshold, sensitivity, specificity, note``; the tests are in the
        footnotes (``strat.comparison_frame()`` has them as data).
    """
    frame = strat.to_frame()
    d = _cutoff_decimals(strat.marker)
    op = "≥" if next(iter(strat.results.values())).higher_is_positive else "≤"
    headers = ["Field strength", "Patients (positive)", "AUC (95% CI)", "Youden cutoff",
               "Threshold", "Sensitivity, %", "Specificity, %"]
    rows = []
    for _, r in frame.iterrows():
        ok = not r["note"]
        rows.append({
            "Field strength": f"{r['field_strength_t']:g} T",
            "Patients (positive)": f"{int(r['n'])} ({int(r['n_positive'])})",
            "AUC (95% CI)": (_estimate_ci(r["auc"], r["ci_low"], r["ci_high"], 3) if ok
                             else "not analysed"),
            "Youden cutoff": f"{op}\u00a0{format_number(r['cutoff'], d)}" if ok else "",
            "Threshold": f"{op}\u00a0{format_number(r['threshold'], strat.decimals)}" if ok
                         else "",
            "Sensitivity, %": format_percent(r["sensitivity"]) if ok else "",
            "Specificity, %": format_percent(r["specificity"]) if ok else "",
        })
    foot = [f"{marker_label(strat.marker)} for {target_label(strat.target).lower()} by DXA in "
            f"the {strat.group} group{'s' if strat.group == 'all' else ''}, each MRI field "
            "strength analysed on its own: AUC with DeLong's 95% CI, Youden cutoff, threshold "
            f"= the cutoff rounded to {strat.decimals} decimal(s) as the paper rounded its own."]
    foot += [f"{format_number(t, 1)} T not analysed: {why}" for t, why in strat.errors.items()]
    if strat.comparisons:
        foot.append("Does the AUC differ between field strengths? Unpaired DeLong test "
                    "(independent patients; as pROC's roc.test with paired = FALSE): "
                    + "; ".join(_test_sentence(c, len(strat.comparisons) > 1)
                              for c in strat.comparisons) + ".")
    if strat.n_not_recorded:
        foot.append(f"{strat.n_not_recorded} patient(s) without a recorded field strength are "
                    "in no stratum.")
    return FormattedTable(key="roc_by_field_strength",
                          title=title or "ROC analysis by MRI field strength",
                          shown=_frame(rows, headers), data=frame, footnotes=tuple(foot))
