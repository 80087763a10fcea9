"""Tables beyond the paper: decision curves at chosen threshold probabilities, the net-benefit
difference of two strategies, and the sample sizes a new study needs beside the cohort's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._format import (
    NOT_APPLICABLE,
    FormattedTable,
    _frame,
    format_ci,
    format_number,
    group_label,
    target_label,
)

# ---------------------------------------------------------------------------------------------
# decision curves


def strategy_label(strategy: str, vbq_cutoff: float | None = None) -> str:
    """A strategy of `vbq.decide.decision_study` in words: "DXA for all", "DXA for none",
    "DXA if VBQ ≥ 2.9", "DXA if the risk model (VBQ, age, sex) ≥ threshold"."""
    if strategy == "all":
        return "DXA for all"
    if strategy == "none":
        return "DXA for none"
    if strategy == "vbq":
        return ("DXA if VBQ ≥ the cut-off" if vbq_cutoff is None
                else f"DXA if VBQ ≥ {format_number(vbq_cutoff, 2)}")
    if strategy == "model":
        return "DXA if the risk model (VBQ, age, sex) ≥ threshold"
    return strategy


def _pct(t: float) -> str:
    return f"{format_number(100 * t, 0)}%"


def _nearest_rows(curve: pd.DataFrame, thresholds: Sequence[float]) -> pd.DataFrame:
    t = curve["threshold"].to_numpy()
    idx = [int(np.argmin(np.abs(t - x))) for x in thresholds]
    return curve.iloc[sorted(set(idx))].reset_index(drop=True)


def decision_table(study, *, thresholds: Sequence[float] = (0.1, 0.2, 0.3, 0.4),
                   title: str | None = None) -> FormattedTable:
    """Net benefit of each strategy, and the DXAs avoided per 100 patients, at a few threshold
    probabilities (the nearest computed ones) of a `vbq.decide.DecisionStudy`: one row per
    strategy, one column per threshold probability.

    Returns
    -------
    FormattedTable
        ``data``: ``strategy, threshold, net_benefit, interventions_avoided, harm`` (the rows of
        `vbq.stats.DecisionCurveResult.curves` at those thresholds).
    """
    res = study.result
    tested = [s for s in res.strategies if s not in ("all", "none")]
    order = [*tested, "all", "none"]
    frames = {s: _nearest_rows(res.curve(s), thresholds) for s in order}
    steps = frames["all"]["threshold"].tolist()
    headers = ["Strategy", *[f"At {_pct(t)}" for t in steps]]
    rows, indent = [], []
    for s in order:
        rows.append({"Strategy": f"Net benefit: {strategy_label(s, study.vbq_cutoff)}",
                     **{h: format_number(v, 3) for h, v in
                        zip(headers[1:], frames[s]["net_benefit"], strict=True)}})
        indent.append(0)
    for s in tested:
        rows.append({"Strategy": f"DXAs avoided per 100: {strategy_label(s, study.vbq_cutoff)}",
                     **{h: format_number(v, 1) for h, v in
                        zip(headers[1:], frames[s]["interventions_avoided"], strict=True)}})
        indent.append(0)
    data = pd.concat([frames[s] for s in order], ignore_index=True)
    harm = {s: res.harm[s] for s in tested}
    foot = [
        "Columns: the threshold probability, the risk of the condition at which a DXA is "
        "worth doing.",
        "Net benefit: true positives per patient minus false positives per patient weighted by "
        "p / (1 − p), p the threshold probability (Vickers & Elkin 2006); 0.100 is the benefit "
        "of finding 10 patients with the condition per 100 with no unneeded DXA.",
        f"On {res.n} patients ({res.n_events} with {target_label(study.target).lower()} by "
        f"DXA){f'; {res.n_missing} left out for a missing value' if res.n_missing else ''}.",
        "VBQ is not a probability: “DXA if VBQ ≥ cut-off” is a yes/no test whose positives are "
        "referred at every threshold probability.",
        "DXAs avoided per 100 patients: against DXA for all, at the same net benefit.",
        "Harm of using the test: " + "; ".join(
            f"{strategy_label(s, study.vbq_cutoff)}: {format_number(h, 3)}" for s, h in
            harm.items()) + " (0: the MRI already exists).",
    ]
    if "model" in tested:
        foot.append("The risk model is fitted on these same patients (apparent risks): its "
                    "curve is optimistic.")
    return FormattedTable(key="decision_curve", title=title or "Net benefit of DXA strategies",
                          shown=_frame(rows, headers), data=data, footnotes=tuple(foot),
                          indent=tuple(indent))


def difference_table(study, *, thresholds: Sequence[float] = (0.1, 0.2, 0.3, 0.4),
                     title: str | None = None) -> FormattedTable:
    """The net-benefit difference of the compared pair with its bootstrap interval at a few
    threshold probabilities.

    Returns
    -------
    FormattedTable
        ``data``: ``threshold, difference, ci_low, ci_high`` (the rows of
        `vbq.stats.DecisionCurveResult.difference` at those thresholds); empty with a footnote
        when no pair was compared.
    """
    res = study.result
    if res.difference is None:
        return FormattedTable(key="net_benefit_difference", title=title or "Difference",
                              shown=pd.DataFrame(), data=pd.DataFrame(),
                              footnotes=("No pair of strategies was compared.",))
    a, b = (strategy_label(s, study.vbq_cutoff) for s in res.compare)
    pct = f"{100 * res.confidence:g}%"
    headers = ["Threshold probability", "Difference in net benefit", f"{pct} CI",
               "Per 100 patients"]
    d = _nearest_rows(res.difference, thresholds)
    rows = [{headers[0]: _pct(r.threshold), headers[1]: format_number(r.difference, 3),
             headers[2]: format_ci(r.ci_low, r.ci_high, 3),
             headers[3]: format_number(100 * r.difference, 1)} for r in d.itertuples()]
    foot = (f"{a} minus {b}: above 0 favours the first.",
            f"{pct} CI: percentile bootstrap of the patients, {res.n_boot} resamples, seed "
            f"{res.seed}; pointwise at each threshold probability.")
    return FormattedTable(key="net_benefit_difference",
                          title=title or f"Net benefit of {a} minus {b}",
                          shown=_frame(rows, headers), data=d, footnotes=foot)


# ---------------------------------------------------------------------------------------------
# sample sizes

_QUESTIONS = {
    "accuracy": "Estimate sensitivity and specificity",
    "auc": "Show VBQ's AUC beats a minimum",
    "auc_difference": "Show two AUCs differ",
    "prediction_model": "Develop a risk model",
}


def _question(key: str, result) -> str:
    if key == "auc" and result.null_auc == 0.5:
        return "Show VBQ's AUC beats chance"
    return _QUESTIONS[key]


def _needed(result) -> tuple[str, dict]:
    cls = type(result).__name__
    if cls == "PredictionModelSampleSize":
        text = f"{result.n_total} patients, {result.n_events} with the condition"
        return text, {"n_total": result.n_total, "n_events": result.n_events}
    text = f"{result.n_cases} with and {result.n_controls} without the condition"
    if cls == "AUCDifferenceSampleSize" and result.design == "independent":
        text += " in each of two samples"
    elif cls == "AccuracySampleSize":
        text += f" ({result.n_total} consecutive patients)"
    return text, {"n_cases": result.n_cases, "n_controls": result.n_controls,
                  "n_total": result.n_total}


def _method_note(key: str, result) -> str:
    if key == "accuracy":
        return (f"{_QUESTIONS[key]}: Buderer (1996), {format_number(100 * result.confidence, 0)}"
                f"% CI of ± {format_number(100 * result.half_width, 1)} points at a prevalence "
                f"of {format_number(100 * result.prevalence, 1)}%; set by the "
                f"{result.binding}.")
    if key == "auc":
        return (f"{_question(key, result)}: Obuchowski (1998), AUC {format_number(result.auc, 3)} "
                f"against {format_number(result.null_auc, 3)}, {result.alternative}, α "
                f"{result.alpha:g}, power {format_number(100 * result.power, 0)}"
                f"%; exact requirement {format_number(result.n_cases_exact, 1)} cases, rounded "
                "up. Checked against pROC's power.roc.test.")
    if key == "auc_difference":
        how = ("the same patients" if result.design == "paired"
               else "independent samples")
        return (f"{_QUESTIONS[key]}: Obuchowski (1998), AUC {format_number(result.auc1, 3)} vs "
                f"{format_number(result.auc2, 3)} on {how} (correlation "
                f"{format_number(result.correlation, 2)}), {result.alternative}, α "
                f"{result.alpha:g}, power {format_number(100 * result.power, 0)}"
                f"%; exact {format_number(result.n_cases_exact, 1)} cases, rounded up.")
    return (f"{_QUESTIONS[key]}: Riley et al. (BMJ 2020), {result.n_parameters} parameters, C "
            f"{format_number(result.c_statistic, 3)} (Cox-Snell R² "
            f"{format_number(result.r2_cox_snell, 3)}), prevalence "
            f"{format_number(100 * result.prevalence, 1)}%; criterion {result.binding} sets the "
            f"size (criteria 1–3: {', '.join(map(str, result.n_criteria))} patients).")


def sample_size_table(results: Mapping[str, object], checks: Mapping[str, object], *,
                      title: str | None = None) -> FormattedTable:
    """What each planned study needs beside what the loaded cohort has.

    Parameters
    ----------
    results : mapping
        {"accuracy" | "auc" | "auc_difference" | "prediction_model": a sample-size result of
        `vbq.stats`}.
    checks : mapping
        {the same keys: `vbq.plan.CohortCheck`}.
    title : str, optional

    Returns
    -------
    FormattedTable
        ``data``: ``question, n_cases, n_controls, n_total, n_events, have_cases,
        have_controls, have_total, enough, short_by``.
    """
    headers = ["Question", "Patients needed", "This cohort has", "Large enough?"]
    rows, data, foot = [], [], []
    for key, res in results.items():
        text, numbers = _needed(res)
        check = checks[key]
        have = check.have
        has = f"{have.n_cases} with and {have.n_controls} without ({have.n} patients)"
        verdict = "Yes" if check.enough else f"No: {check.short_by} short"
        rows.append({"Question": _question(key, res), "Patients needed": text,
                     "This cohort has": has, "Large enough?": verdict})
        data.append({"question": key, **{k: numbers.get(k) for k in
                                         ("n_cases", "n_controls", "n_total", "n_events")},
                     "have_cases": have.n_cases, "have_controls": have.n_controls,
                     "have_total": have.n, "enough": check.enough, "short_by": check.short_by})
        foot.append(_method_note(key, res))
    if rows:
        have = next(iter(checks.values())).have
        foot.append(f"This cohort: {have.n} patients with a VBQ and a DXA status "
                    f"(group: {group_label(have.group)}), {target_label(have.target).lower()} by DXA as "
                    "the condition. A cohort is large enough when it has the patients with and "
                    "without the condition (or the patients and events) asked for; for two "
                    "independent samples it is one of them.")
    return FormattedTable(key="sample_size", title=title or "Sample sizes for a new study",
                          shown=_frame(rows, headers) if rows else pd.DataFrame(),
                          data=pd.DataFrame(data), footnotes=tuple(foot) or (NOT_APPLICABLE,))
