"""Tables of the analysis by MRI field strength (issue 19): each stratum's ROC and threshold,
and the test of whether the AUC differs between strata; and of the published thresholds and
the pooled estimate they are set beside (issue 20)."""

from __future__ import annotations

import pandas as pd

from ..published import META_ANALYSIS, PUBLISHED_THRESHOLDS
from ..study import MARKERS
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
    target_label,
)


def _test_sentence(c, several: bool) -> str:
    t = c.test
    return (f"AUC at {c.stratum_a:g} T minus AUC at {c.stratum_b:g} T: "
            f"{_estimate_ci(t.difference, *t.difference_ci, 3)}, D = {format_number(t.z, 2)}, "
            f"df = {format_number(t.df, 1)}, p = {format_p(t.p_value)}"
            + (f", Holm-adjusted p = {format_p(c.p_adjusted)}" if several else ""))


_AT_CUTOFF = "Sensitivity / specificity at the cutoff, %"
_AT_THRESHOLD = "Sensitivity / specificity at the threshold, %"


def _pair(sensitivity: float, specificity: float) -> str:
    return f"{format_percent(sensitivity)} / {format_percent(specificity)}"


def field_strength_roc_table(strat, *, title: str | None = None) -> FormattedTable:
    """Each MRI field strength's ROC analysis and Youden threshold, with the test of whether
    the AUC differs between them (`vbq.scanners.StratifiedROC`).

    Returns
    -------
    FormattedTable
        ``data`` is ``strat.to_frame()``: ``field_strength_t, n, n_positive, auc, ci_low,
        ci_high, cutoff, threshold, sensitivity, specificity, threshold_sensitivity,
        threshold_specificity, note``; the tests are in the footnotes
        (``strat.comparison_frame()`` has them as data).
    """
    frame = strat.to_frame()
    d = _cutoff_decimals(strat.marker)
    op = "≥" if MARKERS[strat.marker][1] else "≤"
    # each cutoff with the sensitivity and specificity at it: the rounded threshold is the one
    # a reader would apply, and its accuracy is not the Youden cutoff's
    headers = ["Field strength", "Patients (positive)", "AUC (95% CI)", "Youden cutoff",
               _AT_CUTOFF, "Threshold", _AT_THRESHOLD]
    rows = []
    for _, r in frame.iterrows():
        ok = not r["note"]
        rows.append({
            "Field strength": f"{r['field_strength_t']:g} T",
            "Patients (positive)": f"{int(r['n'])} ({int(r['n_positive'])})",
            "AUC (95% CI)": (_estimate_ci(r["auc"], r["ci_low"], r["ci_high"], 3) if ok
                             else "not analysed"),
            "Youden cutoff": f"{op}\u00a0{format_number(r['cutoff'], d)}" if ok else "",
            _AT_CUTOFF: _pair(r["sensitivity"], r["specificity"]) if ok else "",
            "Threshold": f"{op}\u00a0{format_number(r['threshold'], strat.decimals)}" if ok
                         else "",
            _AT_THRESHOLD: (_pair(r["threshold_sensitivity"], r["threshold_specificity"])
                            if ok else ""),
        })
    places = f"{strat.decimals} decimal{'' if strat.decimals == 1 else 's'}"
    foot = [f"{marker_label(strat.marker)} for {target_label(strat.target).lower()} by DXA in "
            f"the {strat.group} group{'s' if strat.group == 'all' else ''}, each MRI field "
            "strength analysed on its own: AUC with DeLong's 95% CI, Youden cutoff, threshold "
            f"= the cutoff rounded to {places} as the paper rounded its own; sensitivity and "
            "specificity at each (rounding moves the cutoff, so they can differ)."]
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


def _pct_or_blank(x) -> str:
    return "" if x is None or x != x else format_percent(x)


def published_thresholds_table(applied, *, group: str = "control",
                               title: str | None = None) -> FormattedTable:
    """Published VBQ thresholds applied to the cohort beside its own (`vbq.published.
    apply_published`), with each threshold's study and scanner.

    Returns
    -------
    FormattedTable
        ``data`` is `applied` with ``warnings`` joined by " " and each published threshold's
        ``study, field_strength_t, sequence, population, n_published, source_read`` added.
    """
    by_key = {t.key: t for t in PUBLISHED_THRESHOLDS}
    headers = ["Threshold", "Study", "Scanner", "Sensitivity here, % (95% CI)",
               "Specificity here, % (95% CI)", "Published sensitivity / specificity, %"]
    rows, extra = [], []
    for _, r in applied.iterrows():
        t = by_key.get(r["key"])
        scanner = ("this cohort" if t is None else
                   (f"{t.field_strength_t:g} T" if t.field_strength_t else "field strength not "
                    "stated") + "; " + ("sequence not stated" if t.sequence.startswith(
                        "not stated") else t.sequence))
        published = ("" if t is None or t.sensitivity is None else
                     f"{_pct_or_blank(t.sensitivity)} / {_pct_or_blank(t.specificity)}")
        rows.append({
            "Threshold": f"VBQ ≥\u00a0{r['threshold']:g}, {target_label(r['target']).lower()}",
            "Study": ("Youden cutoff of this cohort, rounded up to one decimal" if t is None
                      else f"{t.short} (n = {t.n})"),
            "Scanner": scanner,
            "Sensitivity here, % (95% CI)": _pct_ci(r["sensitivity"], r["sensitivity_ci_low"],
                                                    r["sensitivity_ci_high"]),
            "Specificity here, % (95% CI)": _pct_ci(r["specificity"], r["specificity_ci_low"],
                                                    r["specificity_ci_high"]),
            "Published sensitivity / specificity, %": published})
        extra.append({"study": "this cohort" if t is None else t.citation,
                      "field_strength_t": None if t is None else t.field_strength_t,
                      "sequence": None if t is None else t.sequence,
                      "population": None if t is None else t.population,
                      "n_published": None if t is None else t.n,
                      "source_read": None if t is None else t.source_read})
    data = applied.assign(warnings=applied["warnings"].map(" ".join)).reset_index(drop=True)
    data = data.join(pd.DataFrame(extra))
    foot = [f"Applied to the {group} group{'s' if group == 'all' else ''}: a patient is "
            "positive at VBQ ≥ the threshold; 95% CIs by Wilson's score method. Published "
            "values as printed in the source; each study's threshold came from its own "
            "scanner, population and reference standard, so its accuracy here may differ."]
    foot += [f"{t.short}: {t.population}. {t.citation.rstrip('.')}"
             + (f", doi:{t.doi}" if t.doi else "") + f". Read in: {t.source_read}."
             for t in _unique(by_key, applied["key"])]
    return FormattedTable(key="published_thresholds",
                          title=title or "Published VBQ thresholds applied to this cohort",
                          shown=_frame(rows, headers), data=data, footnotes=tuple(foot))


def _unique(by_key, keys):
    seen, out = set(), []
    for k in keys:
        t = by_key.get(k)
        if t is not None and t.citation not in seen:
            seen.add(t.citation)
            out.append(t)
    return out


def meta_analysis_table(frame, *, pooled=META_ANALYSIS, threshold_text: str = "",
                        title: str | None = None) -> FormattedTable:
    """The cohort's sensitivity, specificity and AUC beside a meta-analysis' pooled ones
    (`vbq.published.against_meta_analysis`).

    Returns
    -------
    FormattedTable
        ``data`` is `frame`: ``measure, cohort, cohort_ci_low, cohort_ci_high, pooled,
        pooled_ci_low, pooled_ci_high``.
    """
    words = {"sensitivity": "Sensitivity, %", "specificity": "Specificity, %", "auc": "AUC"}
    rows = []
    for _, r in frame.iterrows():
        if r["measure"] == "auc":
            here = _estimate_ci(r["cohort"], r["cohort_ci_low"], r["cohort_ci_high"], 3)
            there = _estimate_ci(r["pooled"], r["pooled_ci_low"], r["pooled_ci_high"], 2)
        else:
            here = _estimate_ci(100 * r["cohort"], 100 * r["cohort_ci_low"],
                                100 * r["cohort_ci_high"], 1)
            there = _estimate_ci(100 * r["pooled"], 100 * r["pooled_ci_low"],
                                 100 * r["pooled_ci_high"], 0)
        rows.append({"": words[r["measure"]], "This cohort (95% CI)": here,
                     "Pooled, meta-analysis (95% CI)": there})
    foot = [f"This cohort: {threshold_text or 'at its Youden cutoff'}; Wilson CIs for "
            "sensitivity and specificity, DeLong's for the AUC.",
            f"Pooled: {pooled.n_studies} studies, {pooled.n_patients} patients, "
            f"{pooled.method}; target: {pooled.target}; the pooled AUC is the area under the "
            f"summary ROC curve. {pooled.citation}. doi:{pooled.doi}. Read in: "
            f"{pooled.source_read}."]
    return FormattedTable(key="meta_analysis", title=title or "Beside a published "
                          "meta-analysis", shown=_frame(rows, list(rows[0])), data=frame,
                          footnotes=tuple(foot))
