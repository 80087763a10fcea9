"""The risk calculator's tables and sentences (`vbq.stats.risk_model`): the model, its
performance, the sample-size statement and one patient's probability."""

from __future__ import annotations

import pandas as pd

from ._format import (
    FormattedTable,
    _estimate_ci,
    _frame,
    format_ci,
    format_number,
    format_p,
    format_percent,
    label,
    value_label,
)

# a design term of the risk model -> what a reader sees
_PER = {"vbq": "VBQ (per 1 unit)", "age": "Age (per year)", "hu_l1": "L1 HU (per 1 HU)"}
_MEASURES = {
    "c_statistic": ("C statistic (AUC)", 3),
    "calibration_slope": ("Calibration slope", 3),
    "calibration_in_the_large": ("Calibration-in-the-large", 3),
    "brier": ("Brier score", 3),
}


def risk_term_label(term: str, model=None) -> str:
    """"VBQ (per 1 unit)", "Age (per year)", "Male (vs female)" for ``sex_M``; the intercept
    as "Intercept"."""
    if term == "intercept":
        return "Intercept"
    if term in _PER:
        return _PER[term]
    for column, levels in (model.levels.items() if model is not None else []):
        prefix = f"{column}_"
        if term.startswith(prefix):
            level = term[len(prefix):]
            return (f"{value_label(column, level)} (vs "
                    f"{value_label(column, levels[0]).lower()})")
    return label(term)


def risk_coefficients_table(model, *, title: str | None = None) -> FormattedTable:
    """The full model (TRIPOD+AI asks for every coefficient and the intercept): log-odds and
    odds ratio with Wald CIs, and p.

    Returns
    -------
    FormattedTable
        ``data``: the model's ``coefficients`` (term, estimate, ci_low, ci_high, odds_ratio,
        or_ci_low, or_ci_high, statistic, p_value, n, method).
    """
    pct = round(100 * model.confidence)
    headers = ["Predictor", f"Coefficient, log-odds ({pct}% CI)", f"Odds ratio ({pct}% CI)", "p"]
    rows = []
    for r in model.coefficients.itertuples():
        intercept = r.term == "intercept"
        rows.append({
            "Predictor": risk_term_label(r.term, model),
            headers[1]: _estimate_ci(r.estimate, r.ci_low, r.ci_high, 3 if not intercept else 2),
            headers[2]: ("–" if intercept
                         else _estimate_ci(r.odds_ratio, r.or_ci_low, r.or_ci_high, 2)),
            "p": "–" if intercept else format_p(r.p_value),
        })
    foot = (f"Logistic regression, maximum likelihood, {model.n} patients ({model.n_events} "
            f"with the outcome). {pct}% CIs and p by the Wald method. Predicted probability = "
            "1 / (1 + exp(−(intercept + Σ coefficient × value))).",)
    return FormattedTable(key="risk_model", title=title or "Risk model: coefficients",
                          shown=_frame(rows, headers), data=model.coefficients.copy(),
                          footnotes=foot)


def risk_performance_table(model, *, title: str | None = None) -> FormattedTable:
    """Apparent, optimism and optimism-corrected C statistic, calibration slope,
    calibration-in-the-large and Brier score.

    Returns
    -------
    FormattedTable
        ``data``: the model's ``performance`` (measure, apparent, optimism, corrected, n_boot,
        method).
    """
    headers = ["Measure", "Apparent", "Optimism", "Corrected for optimism", "Ideal"]
    ideal = {"c_statistic": "1", "calibration_slope": "1", "calibration_in_the_large": "0",
             "brier": "0"}
    rows = []
    for r in model.performance.itertuples():
        name, decimals = _MEASURES[r.measure]
        rows.append({"Measure": name, "Apparent": format_number(r.apparent, decimals),
                     "Optimism": format_number(r.optimism, decimals),
                     "Corrected for optimism": format_number(r.corrected, decimals),
                     "Ideal": ideal[r.measure]})
    used = model.n_boot - model.n_boot_failed
    failed = (f"; {model.n_boot_failed} resample(s) whose model could not be fitted were left out"
              if model.n_boot_failed else "")
    foot = (
        f"Apparent: on the {model.n} patients the model was fitted to. Corrected: apparent minus "
        f"the optimism estimated by the Efron-Harrell bootstrap ({used} resamples, seed "
        f"{model.seed}{failed}), as the R package rms computes it.",
        "Calibration slope: slope of the log-odds of the outcome on the model's log-odds (below "
        "1: predictions too extreme). Calibration-in-the-large: intercept with the model's "
        "log-odds as offset (above 0: risks underestimated on average). Brier score: mean "
        "squared difference between predicted probability and outcome.",
    )
    return FormattedTable(key="risk_performance", title=title or "Risk model: performance",
                          shown=_frame(rows, headers), data=model.performance.copy(),
                          footnotes=foot)


def risk_sample_size_text(model, *, outcome: str = "osteoporosis by DXA") -> str:
    """Events per parameter and whether the sample meets Riley et al.'s minimum, in words."""
    prevalence = format_percent(model.prevalence)
    verdict = ("meets this minimum" if model.meets_riley_minimum else
               "is below this minimum: the model is likely to be overfitted, and its "
               "predictions too extreme for new patients")
    return (
        f"{model.n_events} of {model.n} patients ({prevalence}%) had {outcome}: "
        f"{format_number(model.events_per_parameter, 1)} events per parameter for "
        f"{model.n_parameters} parameters. Developing a model with {model.n_parameters} "
        f"parameters at this prevalence and a C statistic of "
        f"{format_number(model.c_statistic_corrected, 2)} (the optimism-corrected one) needs at "
        f"least {model.riley_n_required} patients ({model.riley_events_required} with the "
        f"outcome) by Riley et al. (BMJ 2020; target shrinkage 0.9, optimism in R² at most "
        f"0.05, overall risk within ±0.05). This sample of {model.n} {verdict}."
    )


def risk_prediction_text(prediction: pd.Series, *, confidence: float = 0.95,
                         outcome: str = "osteoporosis by DXA") -> str:
    """"Probability of osteoporosis by DXA: 27.3% (95% CI 18.5% to 38.3%)." for one row of
    `vbq.stats.RiskModelResult.predict`."""
    return (f"Probability of {outcome}: {format_percent(prediction['probability'])}% "
            f"({risk_ci_text(prediction, confidence=confidence)}).")


def risk_ci_text(prediction: pd.Series, *, confidence: float = 0.95) -> str:
    """"95% CI 18.5% to 38.3%" for one row of `vbq.stats.RiskModelResult.predict`."""
    low, high = (format_percent(prediction["ci_low"]), format_percent(prediction["ci_high"]))
    return f"{round(100 * confidence)}% CI {low}% to {high}%"


def risk_ranges_text(model) -> str:
    """The range of each numeric predictor in the development data ("VBQ 1.50 to 4.50; ...")."""
    parts = []
    for column, (lo, hi) in model.ranges.items():
        decimals = 2 if column == "vbq" else 0
        parts.append(f"{risk_term_label(column).split(' (')[0]} {format_ci(lo, hi, decimals)}")
    return "; ".join(parts)


def tripod_checklist_table(rows, *, title: str | None = None) -> FormattedTable:
    """The TRIPOD+AI checklist (`vbq.tripod.tripod_ai_checklist`) as a table: item, topic,
    what it asks, its status and what the app reports for it.

    Returns
    -------
    FormattedTable
        ``data``: section, item, topic, asks, status, text.
    """
    headers = ["Item", "Topic", "The item asks for", "Status", "What the app reports"]
    shown, data = [], []
    for r in rows:
        shown.append({"Item": r.item, "Topic": f"{r.section}: {r.topic}"
                      if r.section != r.topic else r.topic, "The item asks for": r.asks,
                      "Status": r.status, "What the app reports": r.text or "–"})
        data.append({"section": r.section, "item": r.item, "topic": r.topic, "asks": r.asks,
                     "status": r.status, "text": r.text})
    n_author = sum(r.status.startswith(("For the author", "Partly")) for r in rows)
    foot = (f"TRIPOD+AI (Collins et al., BMJ 2024;385:e078378), 52 items. {n_author} need the "
            "author's words (marked for the author or partly filled). Item wording abridged: "
            "report against the statement's own checklist.",)
    return FormattedTable(key="tripod_ai", title=title or "TRIPOD+AI checklist",
                          shown=_frame(shown, headers),
                          data=pd.DataFrame(data, columns=["section", "item", "topic", "asks",
                                                           "status", "text"]),
                          footnotes=foot)
