"""Reliability: the grouping's kappa, the VBQ ICC and Bland-Altman agreement."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

from ..study import Unavailable
from ._format import (
    NOT_APPLICABLE,
    FormattedTable,
    _estimate_ci,
    _frame,
    _humanise,
    _missing,
    format_ci,
    format_number,
    format_p,
    format_percent,
    label,
    message,
)

# ---------------------------------------------------------------------------------------------
# Reliability


RELIABILITY_MIN_PATIENTS = 30
"""Patients a reliability study should measure twice at the least (Koo & Li 2016: "at least 30
heterogeneous samples")."""

_TWICE = {True: "read twice by the same observer", False: "read by both observers",
          None: "with both readings"}


def reliability_too_few(n_pairs: int, *, intra: bool | None = None) -> str:
    """Why no ICC or Bland-Altman can be computed from `n_pairs` patients with both readings
    (fewer than 2), and what to do, in words for the Reliability page and the report.

    `intra`: True for one observer's two sessions, False for two observers, None for either."""
    have = ("no patient has" if n_pairs == 0 else
            "only 1 patient has" if n_pairs == 1 else f"only {n_pairs} patients have")
    return (f"Reliability needs patients {_TWICE[intra]}, and {have} both readings (at least 2 "
            f"are needed to compute it at all). Measure at least {RELIABILITY_MIN_PATIENTS} "
            f"patients twice (Koo & Li 2016).")


def reliability_caution(n: int) -> str | None:
    """A caution when fewer than `RELIABILITY_MIN_PATIENTS` patients carry a reliability estimate
    (ICC or Bland-Altman), else None: Koo & Li (2016) ask for at least 30."""
    if n >= RELIABILITY_MIN_PATIENTS:
        return None
    more = RELIABILITY_MIN_PATIENTS - n
    carry = "patient carries" if n == 1 else "patients carry"
    return (f"Only {n} {carry} this estimate. Koo & Li (2016) ask "
            f"for at least {RELIABILITY_MIN_PATIENTS} patients measured twice: with fewer, "
            "neither the estimate nor its confidence interval can be relied on, however narrow "
            f"the interval. Measure at least {more} more patient{'' if more == 1 else 's'} "
            "twice.")


def reliability_missing(column: str) -> str:
    """What to do when the cohort file has no second VBQ reading (`column`: ``vbq_repeat`` or
    ``vbq_obs2``), in words for the Reliability page."""
    who = {"vbq_repeat": "the VBQ score of observer 1's second reading of each patient",
           "vbq_obs2": "the VBQ score of a second observer's reading of each patient"}.get(column, "")
    return (f"The cohort file has no readings in a “{label(column)}” column ({column}): {who}. "
            "Add it to the cohort file, or measure on the MRI measurement page and choose the "
            f"measurement database. Measure at least {RELIABILITY_MIN_PATIENTS} patients twice "
            "(Koo & Li 2016).")


def reliability_reason(reason: object, *, intra: bool | None = None) -> str:
    """Why an ICC or Bland-Altman was not computed (the statistics' message, or an `Unavailable`),
    in a reader's words: too few patients with both readings becomes `reliability_too_few`;
    other reasons lose the function's name and read as a sentence."""
    text = str(reason)
    few = re.match(r"(?:icc: need at least 2 targets rated by every rater|bland_altman: need "
                   r"at least 2 complete pairs), got (\d+)", text)
    if few:
        return reliability_too_few(int(few.group(1)), intra=intra)
    text = re.sub(r"^(icc|bland_altman): ", "", text)
    text = text.replace("every complete target has the same mean rating (no between-target "
                        "variance), so the ICC is undefined", "every patient has the same mean "
                        "VBQ over the readings, so the ICC is undefined")
    text = message(text).strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


_READINGS = {"intra": "Intra-observer (observer 1, repeated)",
             "inter": "Inter-observer (observer 1 vs observer 2)"}
_INTRA = {"intra": True, "inter": False}


def kappa_table(kappas: Mapping, *, title: str | None = None) -> FormattedTable:
    """Agreement of the degenerative grouping between readings (`vbq.study.grouping_kappa`):
    ``{"intra" | "inter": KappaResult or Unavailable}``.

    The Wald interval is shown clipped to [−1, 1] (a footnote gives the unclipped one).

    Returns
    -------
    FormattedTable
        ``data``: ``reading`` then the columns of `vbq.stats.KappaResult.to_frame`
        (``estimate, std_error, ci_low, ci_high, statistic, p_value, n, n_missing, method``,
        unclipped) and ``note``.
    """

    headers = ["Reading", "n", "κ (95% CI)", "Observed agreement, %", "p"]
    rows, datas, foot = [], [], []
    for name, res in kappas.items():
        reading = _READINGS.get(name, _humanise(name))
        if isinstance(res, Unavailable):
            rows.append({"Reading": reading, "n": NOT_APPLICABLE, "κ (95% CI)": NOT_APPLICABLE,
                         "Observed agreement, %": NOT_APPLICABLE, "p": NOT_APPLICABLE})
            foot.append(f"{reading}: not computed: {message(res)}.")
            datas.append(pd.DataFrame([{"reading": name, "note": str(res)}]))
            continue
        lo, hi = max(res.ci_low, -1.0), min(res.ci_high, 1.0)
        if (lo, hi) != (res.ci_low, res.ci_high):
            foot.append(f"{reading}: Wald interval {format_ci(res.ci_low, res.ci_high, 3)} "
                        "shown clipped to [−1, 1].")
        rows.append({"Reading": reading, "n": str(res.n),
                     "κ (95% CI)": _estimate_ci(res.estimate, lo, hi, 3),
                     "Observed agreement, %": format_percent(res.observed_agreement),
                     "p": format_p(res.p_value)})
        foot += [f"{reading}: {message(n)}." for n in res.notes]
        d = res.to_frame()
        d.insert(0, "reading", name)
        d["note"] = "; ".join(res.notes)
        datas.append(d)
    foot.insert(0, "Cohen's kappa of the group (degenerative or control) assigned from each "
                "reading's grades; 95% Wald CI with the standard error of Fleiss, Cohen & "
                "Everitt (1969); p: z test of κ = 0.")
    return FormattedTable(
        key="kappa", title=title or "Reliability of the degenerative grouping",
        shown=_frame(rows, headers),
        data=pd.concat(datas, ignore_index=True) if datas else pd.DataFrame(),
        footnotes=tuple(foot))


_ICC_NAMES = {
    "ICC1": "ICC(1): one-way random, single measurement",
    "ICC2": "ICC(A,1): two-way random, absolute agreement, single measurement",
    "ICC3": "ICC(C,1): two-way mixed, consistency, single measurement",
    "ICC1k": "ICC(k): one-way random, mean of k measurements",
    "ICC2k": "ICC(A,k): two-way random, absolute agreement, mean of k measurements",
    "ICC3k": "ICC(C,k): two-way mixed, consistency, mean of k measurements",
}


_ICC_CI = {
    "ICC2": "its 95% CI from the F distribution with Satterthwaite's approximate degrees of "
            "freedom (an approximate interval)",
    "ICC2k": "its 95% CI from the F distribution with Satterthwaite's approximate degrees of "
             "freedom (an approximate interval)",
}
"""The CI of each form as `vbq.stats.icc` computes it: ICC(A,1) and ICC(A,k) by Satterthwaite's
approximation; the others exact F intervals."""
for _form in ("ICC1", "ICC3", "ICC1k", "ICC3k"):
    _ICC_CI[_form] = "its exact F-based 95% CI"


def icc_table(reliability: Mapping, *, forms: Sequence[str] = ("ICC2",),
              title: str | None = None) -> FormattedTable:
    """VBQ reliability (`vbq.study.vbq_reliability`: ``{"intra" | "inter": ICCResult or
    Unavailable}``), the `forms` chosen (Shrout & Fleiss names; default ICC(A,1), two-way
    random, absolute agreement, single measurement).

    Returns
    -------
    FormattedTable
        ``data``: ``reading`` then every form's row of `vbq.stats.ICCResult.to_frame`
        (``type, mcgraw_wong, description, estimate, ci_low, ci_high, statistic, df1, df2,
        p_value, n, method``).
    """

    headers = ["Reading", "n", "ICC (95% CI)", "F (df)", "p"]
    rows, indent, datas, foot = [], [], [], []
    several = len(forms) > 1
    for name, res in reliability.items():
        reading = _READINGS.get(name, _humanise(name))
        if isinstance(res, Unavailable):
            rows.append({h: NOT_APPLICABLE for h in headers} | {"Reading": reading})
            indent.append(0)
            foot.append(f"{reading}: not computed. "
                        f"{reliability_reason(res, intra=_INTRA.get(name))}")
            continue
        d = res.to_frame()
        d.insert(0, "reading", name)
        datas.append(d)
        if several:
            rows.append({h: "" for h in headers} | {"Reading": reading, "n": str(res.n)})
            indent.append(0)
        for f in forms:
            form = res.form(f)
            rows.append({
                "Reading": _ICC_NAMES.get(form.type, form.type) if several else reading,
                "n": "" if several else str(res.n),
                "ICC (95% CI)": _estimate_ci(form.estimate, form.ci_low, form.ci_high, 3),
                "F (df)": f"{format_number(form.statistic, 2)} ({form.df1}, {form.df2})",
                "p": format_p(form.p_value)})
            indent.append(1 if several else 0)
        if res.n_excluded:
            foot.append(f"{reading}: {res.n_excluded} patient(s) measured once left out.")
        caution = reliability_caution(res.n)
        if caution:
            foot.append(f"{reading}: {caution}")
        foot += [f"{reading}: {message(n)}." for n in res.notes]
    if not several:
        foot.insert(0, _ICC_NAMES.get(forms[0], forms[0]) + " (Shrout & Fleiss 1979; McGraw & "
                    f"Wong 1996), with {_ICC_CI.get(forms[0], 'its F-based 95% CI')}; p: F test "
                    "of ICC = 0.")
    else:
        foot.insert(0, "Shrout & Fleiss (1979) forms, McGraw & Wong (1996) names; 95% CIs from "
                    "the F distribution, exact for the one-way and consistency forms, with "
                    "Satterthwaite's approximate degrees of freedom for ICC(A,1) and ICC(A,k); "
                    "p: F test of ICC = 0.")
    return FormattedTable(
        key="icc", title=title or "Reliability of the VBQ score",
        shown=_frame(rows, headers),
        data=pd.concat(datas, ignore_index=True) if datas else pd.DataFrame(),
        footnotes=tuple(foot), indent=tuple(indent) if several else ())


# how the CIs of the limits of agreement were computed (BlandAltmanResult.limits_ci_method)
_LIMITS_CI_WORDS = {"approximate": "approximate (Bland & Altman 1999)",
                    "exact": "exact (Carkeet 2015)",
                    "bland-altman-1986": "approximate, SE √(3 s²/n) (Bland & Altman 1986)"}


def bland_altman_table(result, *, first: str = "first reading",
                       second: str = "second reading", decimals: int = 3,
                       title: str | None = None) -> FormattedTable:
    """Bland-Altman agreement (`vbq.stats.BlandAltmanResult`): bias, limits of agreement and
    the trend of the difference on the mean, each with its confidence interval.

    Returns
    -------
    FormattedTable
        ``data`` is ``result.to_frame()``: ``quantity, estimate, ci_low, ci_high, p_value, n,
        n_missing, method``.
    """
    pct = f"{100 * result.confidence:g}%"
    headers = ["", "Estimate", f"{pct} CI", "p"]
    names = {"bias": f"Bias (mean difference, {first} minus {second})",
             "loa_low": f"Lower {100 * result.limits:g}% limit of agreement",
             "loa_high": f"Upper {100 * result.limits:g}% limit of agreement",
             "trend_slope": "Trend: slope of the difference on the mean"}
    data = result.to_frame()
    rows = [{"": names[q], "Estimate": format_number(est, decimals),
             f"{pct} CI": format_ci(lo, hi, decimals),
             "p": "" if _missing(p) else format_p(p)}
            for q, est, lo, hi, p in data[["quantity", "estimate", "ci_low", "ci_high",
                                           "p_value"]].itertuples(index=False)]
    foot = [f"{result.n} patients with both readings"
            + (f"; {result.n_missing} with one reading missing left out." if result.n_missing
               else "."),
            f"Limits: bias ± {format_number(result.multiplier, 2)} SD of the differences "
            f"(Bland & Altman 1986); their {pct} CIs "
            f"{_LIMITS_CI_WORDS[result.limits_ci_method]}. A trend "
            "(slope ≠ 0) means the disagreement grows with the size of the measurement."]
    caution = reliability_caution(result.n)
    if caution:
        foot.append(caution)
    return FormattedTable(key="bland_altman", title=title or "Bland-Altman agreement",
                          shown=_frame(rows, headers), data=data, footnotes=tuple(foot))
