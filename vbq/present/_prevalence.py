"""Prevalence, its breakdowns, the reclassification and the grey zone."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..describe import prevalence_against_paper
from ..settings import PAPER_THRESHOLDS
from ._format import (
    NOT_APPLICABLE,
    FormattedTable,
    _frame,
    _humanise,
    _Marks,
    _missing,
    _pct_ci,
    format_count_percent,
    format_number,
    format_p,
    format_percent,
    group_label,
    label,
    target_label,
    value_label,
)

# ---------------------------------------------------------------------------------------------
# Prevalence, breakdowns, reclassification, grey zone


_PAPER = "Chen et al. 2023"


def _cutoff_text(value: Any) -> str:
    """A VBQ threshold as the pages write it: 2.9, 3.1, 2.85 (no trailing zeros)."""
    return format_number(value, 2).rstrip("0").rstrip(".")


def prevalence_table(result, *, target: str = "osteoporosis", thresholds=None,
                     title: str | None = None) -> FormattedTable:
    """Prevalence by DXA and by VBQ per group (`vbq.study.prevalence`, a
    `vbq.stats.PrevalenceShift`), with one p per row.

    Parameters
    ----------
    result : PrevalenceShift
    target : str, keyword-only
        The `vbq.study.TARGETS` key the result was computed for (named in the title).
    thresholds : vbq.Thresholds, optional, keyword-only
        When given, the VBQ threshold in force is named in the VBQ rows.
    title : str, optional, keyword-only
        The table's title; by default "Prevalence of <target> by DXA and by VBQ".

    Returns
    -------
    FormattedTable
        ``data`` is ``result.to_frame()``: ``measure`` ("reference", "test",
        "test_among_reference_negative"), ``count_<g>, n_<g>, percent_<g>``, ``statistic, df1,
        p_value, n, n_missing, method``.
    """
    frame = result.to_frame()
    groups = list(result.groups)
    what = target_label(target).lower()
    thr = ""
    if thresholds is not None:
        thr = f" (VBQ ≥ {_cutoff_text(thresholds.for_target(target))})"
    names = {
        "reference": f"{target_label(target)} by DXA",
        "test": f"{target_label(target)} by VBQ{thr}",
        "test_among_reference_negative": f"VBQ-positive{thr} among the DXA-negative",
    }
    headers = ["Measure"] + [group_label(g) + ", n/N (%)" for g in groups] + ["p"]
    marks = _Marks()
    rows = []
    for _, r in frame.iterrows():
        row = {"Measure": names.get(r["measure"], _humanise(r["measure"]))}
        for g, h in zip(groups, headers[1:], strict=False):
            row[h] = format_count_percent(r[f"count_{g}"], r[f"percent_{g}"], total=r[f"n_{g}"])
        p = format_p(r["p_value"])
        row["p"] = p + (marks.mark(r["method"]) if p != NOT_APPLICABLE else "")
        rows.append(row)
    foot = [f"n/N (%): patients positive for {what} / patients in the group (or, in the last "
            "row, the group's DXA-negative patients)."] + marks.footnotes()
    return FormattedTable(
        key="prevalence", title=title or f"Prevalence of {what} by DXA and by VBQ",
        shown=_frame(rows, headers), data=frame, footnotes=tuple(foot))


def prevalence_against_paper_table(result, *, target: str = "osteoporosis", thresholds=None,
                                   title: str | None = None) -> FormattedTable:
    """This analysis's prevalences beside the paper's, group by group
    (`vbq.describe.prevalence_against_paper` of a `vbq.study.prevalence` result).

    The paper's percentages (Chen et al. 2023, Results and Abstract: osteoporosis by the lowest
    T-score, by VBQ ≥ 2.9, and VBQ-positive among the DXA-negative) are a labelled reference, not
    this result; it reports them for osteoporosis only, so for another target its cells are "–".

    Parameters
    ----------
    result : PrevalenceShift
        ``vbq.study.prevalence(table, target=target)``.
    target : str, keyword-only
        The `vbq.study.TARGETS` key the result was computed for.
    thresholds : vbq.Thresholds, optional, keyword-only
        When given, this analysis's VBQ threshold for `target` heads its columns.
    title : str, optional, keyword-only
        The table's title, in place of the default one.

    Returns
    -------
    FormattedTable
        ``data``: ``measure`` (reference, test, test_among_reference_negative),
        ``percent_<g>`` (this analysis) and ``paper_percent_<g>`` (the paper; NaN where it
        reports none), percentages of the group (of its DXA-negative patients in the last row).

    Raises
    ------
    InputError
        For a target other than "osteoporosis" or "osteopenia_or_worse".
    """

    frame = prevalence_against_paper(result.to_frame(), target=target)
    groups = ("degenerative", "control")
    reported = target == "osteoporosis"
    ours = "this analysis" + ("" if thresholds is None else
                              f", VBQ ≥ {_cutoff_text(thresholds.for_target(target))}")
    paper = _PAPER + (f", VBQ ≥ {_cutoff_text(PAPER_THRESHOLDS['vbq_osteoporosis'])}"
                      if reported else "")
    headers = {}
    for g in groups:
        headers[g] = f"{group_label(g)}: {ours} (%)"
        headers[f"paper_{g}"] = f"{group_label(g)}: {paper} (%)"
    names = {
        "reference": f"{target_label(target)} by DXA",
        "test": f"{target_label(target)} by VBQ",
        "test_among_reference_negative": "VBQ-positive among the DXA-negative",
    }
    rows = []
    for r in frame.to_dict("records"):
        row = {"Measure": names.get(r["measure"], _humanise(r["measure"]))}
        for col, header in headers.items():
            row[header] = NOT_APPLICABLE if _missing(r[col]) else format_number(r[col], 1)
        rows.append(row)
    foot = ["Percentages of each group; in the last row, of the group's patients negative by "
            "DXA."]
    if reported:
        foot.append(f"{_PAPER} (Results and Abstract): its own 235 patients, DXA by the lowest "
                    "T-score, at its published thresholds; a reference, not this result.")
    else:
        foot.append(f"{NOT_APPLICABLE}: {_PAPER} reports these percentages for osteoporosis "
                    "only.")
    data = frame.rename(columns={**{g: f"percent_{g}" for g in groups},
                                 **{f"paper_{g}": f"paper_percent_{g}" for g in groups}})
    return FormattedTable(
        key="prevalence_vs_paper",
        title=title or f"Prevalence of {target_label(target).lower()}: this analysis beside "
                       "the paper",
        shown=_frame(rows, ["Measure", *headers.values()]), data=data, footnotes=tuple(foot))


_BREAKDOWN_TITLES = {"diagnosis": "VBQ-positive patients by primary diagnosis",
                     "age_band": "VBQ-positive patients among the DXA-negative, by age"}


def breakdown_table(result, *, title: str | None = None, key: str | None = None
                    ) -> FormattedTable:
    """A prevalence breakdown (`vbq.study.prevalence_breakdowns`, a `vbq.stats.PrevalenceBy`):
    a row with the p, then n/N (%) VBQ-positive per level.

    Returns
    -------
    FormattedTable
        ``data`` is ``result.to_frame()``: ``by, level, count, n, percent, statistic, df1,
        p_value, n_missing, method``.
    """
    marks = _Marks()
    headers = [label(result.by, unit=False) if result.by != "age_band" else "Age",
               "VBQ-positive, n/N (%)", "p"]
    p = format_p(result.p_value)
    k_all, n_all = int(np.sum(result.count)), int(np.sum(result.n))
    rows = [{headers[0]: "All", headers[1]: format_count_percent(
                k_all, 100.0 * k_all / n_all if n_all else math.nan, total=n_all),
             "p": p + (marks.mark(result.method) if p != NOT_APPLICABLE else "")}]
    indent = [0]
    for lev, k, n, pct in zip(result.levels, result.count, result.n, result.percent,
                              strict=True):
        rows.append({headers[0]: value_label(result.by, lev),
                     headers[1]: format_count_percent(k, pct, total=n), "p": ""})
        indent.append(1)
    return FormattedTable(
        key=key or f"breakdown_{result.by}",
        title=title or _BREAKDOWN_TITLES.get(result.by, f"VBQ-positive by {headers[0].lower()}"),
        shown=_frame(rows, headers), data=result.to_frame(),
        footnotes=tuple(marks.footnotes()), indent=tuple(indent))


def reclassification_table(result, *, title: str | None = None) -> FormattedTable:
    """DXA status (rows) by VBQ status (columns), counts with row totals
    (`vbq.study.reclassification`, a `vbq.stats.Reclassification`).

    Returns
    -------
    FormattedTable
        ``data`` is ``result.to_frame()``: ``reference, test, count, percent`` (% of n).
    """
    levels = list(result.levels)
    headers = ["DXA status"] + [f"VBQ {value_label('vbq_status', lv).lower()}" for lv in levels] \
        + ["Total"]
    rows = []
    for i, lv in enumerate(levels):
        row = {"DXA status": value_label("dxa_status", lv)}
        for j, h in enumerate(headers[1:-1]):
            row[h] = str(int(result.counts[i, j]))
        row["Total"] = str(int(result.counts[i].sum()))
        rows.append(row)
    total = {"DXA status": "Total"} | {h: str(int(result.counts[:, j].sum()))
                                       for j, h in enumerate(headers[1:-1])}
    total["Total"] = str(int(result.n))
    rows.append(total)
    foot = [f"Same status by both: {format_percent(result.agreement)}% of {result.n} patients."]
    if result.n_missing:
        foot.append(f"{result.n_missing} patient(s) without both statuses left out.")
    return FormattedTable(key="reclassification",
                          title=title or "DXA status by VBQ status",
                          shown=_frame(rows, headers), data=result.to_frame(),
                          footnotes=tuple(foot))


def grey_zone_table(result, *, group: str = "all",
                    title: str | None = None) -> FormattedTable:
    """The two-cutoff triage (`vbq.study.grey_zone`, a `vbq.stats.GreyZoneResult`): patients
    ruled out, referred to DXA and ruled in, then the error rates and the accuracy among
    decided patients, in % with Wilson 95% CIs.

    Parameters
    ----------
    result : vbq.stats.GreyZoneResult
    group : {"all", "control", "degenerative"}, keyword-only
        The patients `result` was computed on (`vbq.study.grey_zone`'s `group`), named in the
        footnote: the shares are of those patients.
    title : str, optional

    Returns
    -------
    FormattedTable
        ``data`` is ``result.to_frame()``: ``term, estimate, ci_low, ci_high, n, method``
        (fractions, not %).
    """
    frame = result.to_frame()
    op_in, op_out = ("≥", "<") if result.higher_is_positive else ("≤", ">")
    out_v = format_number(result.rule_out, 2)
    in_v = format_number(result.rule_in, 2)
    names = {
        "share_rule_out": f"Ruled out (VBQ {op_out} {out_v})",
        "share_grey": "Referred to DXA (grey zone)",
        "share_rule_in": f"Ruled in (VBQ {op_in} {in_v})",
        "false_omission_rate": "Positive by DXA among the ruled out (1 − NPV)",
        "false_discovery_rate": "Negative by DXA among the ruled in (1 − PPV)",
        "false_negative_rate_ruled_out": "Positive by DXA among the ruled out (1 − NPV)",
        "false_positive_rate_ruled_in": "Negative by DXA among the ruled in (1 − PPV)",
        "sensitivity_decided": "Sensitivity among decided patients",
        "specificity_decided": "Specificity among decided patients",
    }
    counts = {"share_rule_out": result.n_rule_out, "share_grey": result.n_grey,
              "share_rule_in": result.n_rule_in}
    headers = ["", "Patients, n", "% (95% CI)"]
    rows = []
    for _, r in frame.iterrows():
        term = r["term"]
        n = counts.get(term, r["n"])
        rows.append({"": names.get(term, _humanise(term)),
                     "Patients, n": NOT_APPLICABLE if _missing(n) else str(int(n)),
                     "% (95% CI)": _pct_ci(r["estimate"], r["ci_low"], r["ci_high"])})
    whose = "all patients" if group == "all" else f"the {group_label(group).lower()} group"
    foot = [f"Shares of {whose}; the last four rows with Wilson 95% CIs, each among the "
            "patients its name gives (n)."]
    if result.n_missing:
        foot.append(f"{result.n_missing} patient(s) without a VBQ score or DXA status left out.")
    return FormattedTable(key="grey_zone", title=title or "Grey zone: rule out, refer to DXA, "
                          "rule in", shown=_frame(rows, headers), data=frame,
                          footnotes=tuple(foot))
