"""Tables 1-5 of the paper."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import paper
from ..settings import GroupCriteria
from ..study import Unavailable
from ._format import (
    MINUS,
    NOT_APPLICABLE,
    FormattedTable,
    _cutoff_decimals,
    _decimals,
    _estimate_ci,
    _frame,
    _group_header,
    _join,
    _Marks,
    _missing,
    _pct_ci,
    _records_by,
    format_count_percent,
    format_mean_sd,
    format_number,
    format_p,
    format_percent,
    group_label,
    label,
    marker_label,
    message,
    target_label,
    value_label,
)

_PAPER_VBQ_POINT = paper.TABLE4[("vbq", "osteoporosis")]

# ---------------------------------------------------------------------------------------------
# Table 1: the grading criteria


_FACET_GRADES = (
    (0, "Normal facet joint space (2-4 mm)"),
    (1, "Narrowing of the joint space (< 2 mm) and/or small osteophytes and/or mild "
        "hypertrophy of the articular process"),
    (2, "Narrowing and/or moderate osteophytes and/or moderate hypertrophy and/or mild "
        "subarticular bone erosions"),
    (3, "Narrowing and/or large osteophytes and/or severe hypertrophy and/or severe "
        "subarticular bone erosions and/or subchondral cysts"),
)
_GENANT_GRADES = (
    (0, "Normal"),
    (1, "Mild deformity: height loss 20-25%"),
    (2, "Moderate deformity: height loss 25-40%"),
    (3, "Severe deformity: height loss > 40%"),
)
_UCLA_GRADES = (
    (1, "I: normal disc height, no osteophytes, no endplate sclerosis"),
    (2, "II: one of disc-space narrowing, osteophytes, endplate sclerosis"),
    (3, "III: two of them"),
    (4, "IV: all three"),
)
_OSTEOPHYTE_DIRECTIONS = (
    ("A", "No osteophytes"),
    ("B", "The pair of osteophytes extends toward the adjacent disc"),
    ("C", "Almost complete bone bridge across the disc space"),
    ("D", "The pair of osteophytes extends away from the adjacent disc"),
    ("E", "Osteophytes extend nearly horizontally, without closing the disc space"),
    ("F", "Ungroupable"),
)


def table1(settings) -> FormattedTable:
    """Table 1: the criteria that make a vertebra degenerative, with the grades that count under
    `settings` (a `vbq.Settings` or `vbq.GroupCriteria`).

    Returns
    -------
    FormattedTable
        ``data`` columns: ``criterion, grade, definition, counts_as_degenerative`` (bool; for
        osteophytes, the direction counts when the osteophyte is also longer than the length
        in force), ``enabled`` (the criterion is switched on).
    """

    c = settings if isinstance(settings, GroupCriteria) else settings.criteria
    blocks = [
        ("facet", "Facet joint osteoarthritis (Pathria)", c.facet, _FACET_GRADES,
         lambda g: g >= c.facet_min, f"grade {c.facet_min} or higher"),
        ("genant", "Vertebral deformity (Genant semiquantitative grade)", c.genant,
         _GENANT_GRADES, lambda g: g >= c.genant_min, f"grade {c.genant_min} or higher"),
        ("ucla", "Disc-space degeneration (UCLA grade)", c.ucla, _UCLA_GRADES,
         lambda g: g >= c.ucla_min, f"grade {['', 'I', 'II', 'III', 'IV'][c.ucla_min]} or "
         "higher"),
        ("osteophyte", "Direction of anterior osteophytes", c.osteophyte, _OSTEOPHYTE_DIRECTIONS,
         lambda g: g in c.osteophyte_dirs,
         f"{', '.join(c.osteophyte_dirs) or 'none'}, longer than "
         f"{format_number(c.osteophyte_min_mm, 1)} mm"),
    ]
    rows, data, indent = [], [], []
    for key, title, enabled, grades, counts, rule in blocks:
        rows.append({"Criterion and grade": title, "Definition": "",
                     "Degenerative": ("Yes: " + rule) if enabled else "Not used"})
        indent.append(0)
        for grade, text in grades:
            yes = bool(enabled and counts(grade))
            rows.append({"Criterion and grade": str(grade), "Definition": text,
                         "Degenerative": "Yes" if yes else "No"})
            indent.append(1)
            data.append({"criterion": key, "grade": grade, "definition": text,
                         "counts_as_degenerative": yes, "enabled": bool(enabled)})
    levels = ", ".join(c.levels)
    notes = (
        f"A vertebra is degenerative when it meets any criterion in use; a patient is in the "
        f"degenerative group with at least {c.min_vertebrae} degenerative vertebrae among "
        f"{levels}.",
        "Grades as in Chen et al. 2023, Table 1 (facet joints: Pathria et al. 1987; osteophyte "
        "directions: Table 1 of the paper); Genant et al. 1993; UCLA grading of disc-space "
        "degeneration.",
    )
    return FormattedTable(
        key="table1", title="Table 1. Criteria for a degenerative vertebra",
        shown=_frame(rows, ["Criterion and grade", "Definition", "Degenerative"]),
        data=pd.DataFrame(data), footnotes=notes, indent=tuple(indent))


# ---------------------------------------------------------------------------------------------
# Table 2


_T2_ORDER = {v: i for i, v in enumerate((
    "age", "sex", "bmi", "smoking", "alcohol", "diabetes", "hypertension", "rheumatic_disease",
    "antiresorptive", "anabolic", "prior_osteo_dx", "current_osteo_dx", "vbq", "hu_l1",
    "bmd_l1_l4", "t_l1_l4", "bmd_femoral_neck", "t_femoral_neck", "bmd_total_hip",
    "t_total_hip", "bmd_lowest", "t_lowest"))}
"""The paper's order of Table 2's rows; other variables follow in the order requested."""

_T2_SECTIONS = {"diabetes": "Comorbidities", "hypertension": "Comorbidities",
                "rheumatic_disease": "Comorbidities", "antiresorptive": "Osteoporosis treatment",
                "anabolic": "Osteoporosis treatment"}
"""Section rows of Table 2, as the paper prints them."""

_SHOWN_LEVEL = {"sex": "F"}
"""Binary variables shown as one row: the level whose n (%) is printed (yes for a yes/no)."""


def _yes_level(variable: str, levels: Sequence) -> Any:
    """The level of a binary variable shown as its one row, or None when it has another shape."""
    if variable in _SHOWN_LEVEL and _SHOWN_LEVEL[variable] in levels:
        return _SHOWN_LEVEL[variable]
    if len(levels) <= 2:
        for lev in levels:
            if isinstance(lev, bool | np.bool_) and lev:
                return lev
            if str(lev).strip().lower() in ("true", "yes", "y", "1"):
                return lev
    return None


@dataclass
class _Table2:
    """What Table 2 collects while its rows are laid out, one variable at a time."""

    groups: list
    headers: list[str]
    adj_header: str | None
    marks: _Marks = field(default_factory=_Marks)
    rows: list[dict] = field(default_factory=list)
    indent: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    kinds: set = field(default_factory=set)

    def add(self, row: dict, level: int, *, p: str = "", adjusted: str = NOT_APPLICABLE) -> None:
        """A row, with its p and (when there are covariates) its adjusted p."""
        row["p"] = p
        if self.adj_header:
            row[self.adj_header] = adjusted
        self.rows.append(row)
        self.indent.append(level)

    def counts(self, name: str, rec: Mapping) -> dict:
        """A row of n (%) per group."""
        return {"Characteristic": name} | {
            h: format_count_percent(rec[f"count_{g}"], rec[f"percent_{g}"])
            for g, h in zip(self.groups, self.headers[1:], strict=False)}


def _t2_sizes(frame: pd.DataFrame, groups: Sequence) -> dict:
    """The size of each group: the largest n of any row (None when no row has one)."""
    sizes = {}
    for g in groups:
        col = frame[f"n_{g}"].dropna()
        sizes[g] = int(col.max()) if len(col) else None
    return sizes


def _t2_variable(t: _Table2, var: str, kind: str, part: list[dict], base: int) -> None:
    """The row(s) of one variable: mean ± SD, one n (%) row for a binary variable, or a row
    for the variable (with its p) and one per level."""
    first = part[0]
    p_cell = format_p(first["p_value"])
    if p_cell != NOT_APPLICABLE:
        p_cell += t.marks.mark(first["method"])
    if first["note"]:
        t.notes.append(f"{label(var)}: {message(first['note'])}.")
    if int(first["n_missing"] or 0):
        t.missing.append(f"{label(var, unit=False)} {int(first['n_missing'])}")
    if kind == "continuous":
        t.kinds.add("continuous")
        d = _decimals(var)
        row = {"Characteristic": label(var)} | {
            h: format_mean_sd(first[f"mean_{g}"], first[f"sd_{g}"], d)
            for g, h in zip(t.groups, t.headers[1:], strict=False)}
        t.add(row, base, p=p_cell, adjusted=format_p(first["p_value_ancova"]))
        return
    t.kinds.add("categorical")
    levels = [r["level"] for r in part if not _missing(r["level"])]
    shown_level = _yes_level(var, levels)
    if shown_level is not None:
        rec = next(r for r in part if not _missing(r["level"]) and r["level"] == shown_level)
        name = value_label(var, shown_level) if var in _SHOWN_LEVEL else label(var, unit=False)
        t.add(t.counts(name, rec), base, p=p_cell)
        return
    head = {"Characteristic": label(var, unit=False)} | {
        h: "" for h in t.headers[1:len(t.groups) + 1]}
    t.add(head, base, p=p_cell)
    for rec in part:
        t.add(t.counts(value_label(var, rec["level"]), rec), base + 1, adjusted="")


def _t2_footnotes(t: _Table2, covariates: Sequence[str]) -> list[str]:
    """What the values are, the tests (by their letters), the ANCOVA, the missing values and
    the notes of the statistics."""
    foot = {frozenset({"continuous", "categorical"}): ["Values are mean ± SD or n (%)."],
            frozenset({"continuous"}): ["Values are mean ± SD."],
            frozenset({"categorical"}): ["Values are n (%)."]}.get(frozenset(t.kinds), [])
    foot += t.marks.footnotes()
    if t.adj_header:
        foot.append(f"{t.adj_header}: the group effect in an ANCOVA "
                    f"(linear model of the variable on group and "
                    f"{_join([label(c, unit=False).lower() for c in covariates])}, Type III sums "
                    "of squares); continuous variables other than the covariates only.")
    if t.missing:
        foot.append("Patients without a value, left out of that row: " + ", ".join(t.missing)
                    + ".")
    return foot + t.notes


def table2(result, *, title: str | None = None) -> FormattedTable:
    """Table 2 from a `vbq.stats.GroupComparison` (`vbq.study.table2`).

    One row per variable: mean ± SD to the variable's decimals, or n (%) of "yes" for a yes/no
    variable (female for sex); a categorical variable with more levels gets a row for itself
    (with the p) and one per level. The test behind each p is a superscript letter explained
    in a footnote; the covariate-adjusted ANCOVA p has its own column when there are
    covariates.

    Returns
    -------
    FormattedTable
        ``data`` is ``result.to_frame()`` (columns documented by
        `vbq.stats.GroupComparison.to_frame`: ``variable, level, kind, mean_<g>, sd_<g>,
        count_<g>, percent_<g>, n_<g>, method, statistic, df1, p_value, p_value_ancova, n,
        n_missing, note``).
    """
    frame = result.to_frame()
    groups = list(result.groups)
    covariates = tuple(result.covariates)
    sizes = _t2_sizes(frame, groups)
    headers = ["Characteristic"] + [_group_header(g, sizes[g]) for g in groups] + ["p"]
    adj_header = None
    if covariates:
        adj_header = f"p adjusted for {_join([label(c, unit=False).lower() for c in covariates])}"
        headers.append(adj_header)
    t = _Table2(groups=groups, headers=headers, adj_header=adj_header)
    variables = sorted(result.variables, key=lambda vk: _T2_ORDER.get(vk[0], len(_T2_ORDER)))
    by_var = _records_by(frame, "variable")  # rows as dicts: pandas row filters cost ~3 ms each
    open_section = None
    for var, kind in variables:
        part = by_var.get(var, [])
        if not part:
            continue
        section = _T2_SECTIONS.get(var)
        if section and section != open_section:
            t.rows.append({h: "" for h in headers} | {"Characteristic": section})
            t.indent.append(0)
        open_section = section
        _t2_variable(t, var, kind, part, 1 if section else 0)
    return FormattedTable(
        key="table2",
        title=title or f"Table 2. Characteristics of the {_join([group_label(g).lower() for g in groups])} groups",
        shown=_frame(t.rows, headers), data=frame, footnotes=tuple(_t2_footnotes(t, covariates)),
        indent=tuple(t.indent))


# ---------------------------------------------------------------------------------------------
# Table 3


def table3(frame: pd.DataFrame, *, title: str | None = None) -> FormattedTable:
    """Table 3 from `vbq.study.table3` (`vbq.stats.correlation_table`).

    Per measure, a row carrying the between-group p (Fisher z-test of two independent
    correlations; once per measure), then one row per group and for all patients with n,
    r (95% CI), p and the paper's strength grading.

    Returns
    -------
    FormattedTable
        ``data`` is `frame` (columns documented by `vbq.stats.correlation_table`: ``x, y,
        group, estimate, ci_low, ci_high, statistic, df1, p_value, n, n_missing, method,
        strength, note`` and, with two groups, ``z_difference, p_difference``).
    """
    method = str(frame["method"].dropna().iloc[0]) if frame["method"].notna().any() else "Pearson"
    sym = "r" if method.lower() == "pearson" else "ρ"
    groups = [g for g in pd.unique(frame["group"]) if g != "all"]
    two = "p_difference" in frame.columns and len(groups) == 2
    diff_header = (f"{group_label(groups[0])} vs {group_label(groups[1]).lower()}, p"
                   if two else None)
    headers = ["Measure", "n", f"{sym} (95% CI)", "p", "Strength"] + (
        [diff_header] if diff_header else [])
    rows, indent, notes = [], [], []
    order = groups + ["all"]
    for y, part in _records_by(frame, "y").items():
        head = {h: "" for h in headers}
        head["Measure"] = label(y)
        if diff_header:
            head[diff_header] = format_p(part[0]["p_difference"])
        rows.append(head)
        indent.append(0)
        by_group = {r["group"]: r for r in part}
        for g in order:
            if g not in by_group:
                continue
            r = by_group[g]
            row = {h: "" for h in headers}
            row["Measure"] = group_label(g)
            row["n"] = NOT_APPLICABLE if _missing(r["n"]) else str(int(r["n"]))
            row[f"{sym} (95% CI)"] = _estimate_ci(r["estimate"], r["ci_low"], r["ci_high"], 3)
            row["p"] = format_p(r["p_value"])
            row["Strength"] = NOT_APPLICABLE if _missing(r["strength"]) else str(
                r["strength"]).capitalize()
            rows.append(row)
            indent.append(1)
            if r.get("note"):
                notes.append(f"{label(y)}, {group_label(g).lower()}: {message(r['note'])}.")
    if method.lower() == "pearson":
        ci = ("Pearson's r with its 95% CI by Fisher's z transformation; p tests r = 0 "
              "(t distribution on n − 2 df).")
    else:
        ci = ("Spearman's ρ with its 95% CI by Fisher's z transformation with the Bonett-Wright "
              "variance; p tests ρ = 0 (t distribution on n − 2 df).")
    foot = [ci,
            "Strength as graded in the paper: |r| up to 0.1 negligible, 0.1-0.3 weak, 0.3-0.5 "
            "moderate, above 0.5 strong."]
    if diff_header and method.lower() == "pearson":
        foot.append(f"{diff_header[:-3]}: Fisher z-test of two independent correlations.")
    elif diff_header:  # what vbq.stats.compare_correlations computes for Spearman's rho
        foot.append(f"{diff_header[:-3]}: z-test of two independent correlations on Fisher's z "
                    "scale with the Bonett-Wright variance (1 + ρ²/2)/(n − 3).")
    foot += notes
    return FormattedTable(
        key="table3", title=title or "Table 3. Correlation of the VBQ score with bone density",
        shown=_frame(rows, headers), data=frame.reset_index(drop=True), footnotes=tuple(foot),
        indent=tuple(indent))


# ---------------------------------------------------------------------------------------------
# Table 4



def table4(study, *, decimals: int = 1, rounding: str = "specific",
           title: str | None = None) -> FormattedTable:
    """Table 4 from a `vbq.study.ROCStudy`, or from a mapping ``{target: ROCStudy or
    Unavailable}`` (`vbq.study.StudyAnalysis.roc`: one section per target, as the paper).

    Per marker a row with its AUC (95% CI), then the Youden cutoff and the adjusted (rounded)
    cutoff with sensitivity and specificity in % (Wilson 95% CI), PPV and NPV at the sample's
    prevalence, and the likelihood ratios. `decimals` and `rounding` are those of
    `vbq.study.cutoff_table`.

    Returns
    -------
    FormattedTable
        ``data`` is `vbq.study.cutoff_table`'s frame (``marker, kind, cutoff, auc, auc_ci_low,
        auc_ci_high, sensitivity, sensitivity_ci_low, sensitivity_ci_high, specificity, ...,
        ppv, npv, lr_pos, lr_neg, tp, fp, tn, fn``; fractions, not %), with a leading ``target``
        column for a mapping.
    """

    studies = study if isinstance(study, Mapping) else {None: study}
    headers = ["Marker and cutoff", "AUC (95% CI)", "Cutoff", "Sensitivity, % (95% CI)",
               "Specificity, % (95% CI)", "PPV, %", "NPV, %", "LR+", f"LR{MINUS}"]
    rows, indent, datas, foot = [], [], [], []
    base = 1 if None not in studies else 0
    group = None
    ci_methods = set()
    for target, st in studies.items():
        if target is not None:
            rows.append({h: "" for h in headers} | {"Marker and cutoff": target_label(target)})
            indent.append(0)
        if isinstance(st, Unavailable):
            rows.append({h: "" for h in headers} | {"Marker and cutoff": "Not computed",
                                                    "AUC (95% CI)": NOT_APPLICABLE})
            indent.append(base)
            foot.append(f"{target_label(target) if target else 'ROC'}: not computed: "
                        f"{message(st)}.")
            continue
        group = st.group
        frame = st.to_frame(decimals=decimals, rounding=rounding)
        if target is not None:
            frame.insert(0, "target", target)
        datas.append(frame)
        for m, part in _records_by(frame, "marker").items():
            res = st.results[m]
            ci_methods.add(getattr(res, "ci_method", "delong"))
            first = part[0]
            rows.append({h: "" for h in headers} | {
                "Marker and cutoff": marker_label(m),
                "AUC (95% CI)": _estimate_ci(first["auc"], first["auc_ci_low"],
                                             first["auc_ci_high"], 3)})
            indent.append(base)
            op = "≥" if res.higher_is_positive else "≤"
            for r in part:
                youden = r["kind"] == "Youden"
                d = _cutoff_decimals(m) if youden else decimals
                rows.append({
                    "Marker and cutoff": "Youden" if youden else "Adjusted",
                    "AUC (95% CI)": "",
                    "Cutoff": f"{op}\u00a0{format_number(r['cutoff'], d)}",
                    "Sensitivity, % (95% CI)": _pct_ci(r["sensitivity"], r["sensitivity_ci_low"],
                                                       r["sensitivity_ci_high"]),
                    "Specificity, % (95% CI)": _pct_ci(r["specificity"], r["specificity_ci_low"],
                                                       r["specificity_ci_high"]),
                    "PPV, %": format_percent(r["ppv"]),
                    "NPV, %": format_percent(r["npv"]),
                    "LR+": format_number(r["lr_pos"], 2),
                    f"LR{MINUS}": format_number(r["lr_neg"], 2),
                })
                indent.append(base + 1)
        who = f"{group_label(st.group)} group" if st.group != "all" else "All patients"
        foot.append(f"{who}{', ' + target_label(st.target).lower() if target else ''}: "
                    f"n = {st.n}, {st.n_positive} positive by DXA.")
        for m, why in st.errors.items():
            foot.append(f"{marker_label(m) if m != 'comparison' else 'Comparison'}: not "
                        f"analysed: {message(why)}.")
    ci_text = " or ".join(sorted({"DeLong" if c == "delong" else "stratified bootstrap"
                                  for c in ci_methods})) or "DeLong"
    way = {"specific": "rounded toward the more specific side (up for a marker positive at "
           "or above it, down for one positive at or below it)", "up": "rounded up",
           "down": "rounded down", "nearest": "rounded to the nearest value"}.get(rounding,
                                                                                   rounding)
    foot = [
        f"AUC with its 95% CI ({ci_text}). Youden cutoff: the cutoff that maximises "
        "sensitivity + specificity − 1 (a midpoint between observed values). Adjusted cutoff: "
        f"the Youden cutoff {way} to {decimals} decimal{'s' if decimals != 1 else ''} "
        f"(the paper: {_PAPER_VBQ_POINT.cutoff:g} to {_PAPER_VBQ_POINT.threshold:g}).",
        "A patient is positive at or above the cutoff (≥) or at or below it (≤), by the "
        "marker's direction. Sensitivity and specificity with Wilson 95% CIs; PPV and NPV at "
        f"the sample's prevalence; LR+ and LR{MINUS}: positive and negative likelihood ratios.",
    ] + foot
    data = pd.concat(datas, ignore_index=True) if datas else pd.DataFrame()
    where = f"the {group_label(group).lower()} group" if group and group != "all" else (
        "all patients")
    return FormattedTable(
        key="table4",
        title=title or f"Table 4. Diagnostic performance of the markers in {where}",
        shown=_frame(rows, headers), data=data, footnotes=tuple(foot), indent=tuple(indent))




# ---------------------------------------------------------------------------------------------
# Table 5 and other categorical tables


def _categorical_block(res, column: str, headers: list[str], groups: Sequence, marks: _Marks,
                       title: str, rows: list, indent: list) -> None:
    """A variable row (with its p) and one row per level, n (%) per group."""
    p_cell = format_p(res.p_value)
    if p_cell != NOT_APPLICABLE:
        p_cell += marks.mark(res.method)
    rows.append({h: "" for h in headers} | {headers[0]: title, "p": p_cell})
    indent.append(0)
    for i, lev in enumerate(res.levels):
        row = {h: "" for h in headers}
        row[headers[0]] = value_label(column, lev)
        for j, _g in enumerate(groups):
            row[headers[1 + j]] = format_count_percent(res.counts[i, j], res.percent[i, j])
        rows.append(row)
        indent.append(1)


def table5(result, *, title: str | None = None) -> FormattedTable:
    """Table 5 from a `vbq.stats.ModicTable` (`vbq.study.table5`): Modic type, levels affected
    and grade, n (%) per group among the patients with a Modic change, one p per
    characteristic on its row.

    Returns
    -------
    FormattedTable
        ``data`` is ``result.to_frame()`` (the three `vbq.stats.CategoricalComparison` frames
        stacked: ``variable, level, count_<g>, percent_<g>, n_<g>, statistic, df1, p_value, n,
        n_missing, method``).
    """
    groups = list(result.groups)
    headers = ["Characteristic"] + [_group_header(g, n) for g, n in
                                    zip(groups, result.n_with_modic, strict=True)] + ["p"]
    rows: list[dict] = []
    indent: list[int] = []
    marks = _Marks()
    for res, column in ((result.type, "modic_type"), (result.levels, "modic_levels"),
                        (result.grade, "modic_grade")):
        _categorical_block(res, column, headers, groups, marks, label(column, unit=False), rows,
                           indent)
    foot = [f"Values are n (%) of the patients with a Modic change in each group; "
            f"{result.n_without} patient(s) without a Modic change are not in the table"
            + (f", nor {result.n_missing} whose Modic type is missing" if result.n_missing
               else "") + "."]
    foot += marks.footnotes()
    return FormattedTable(
        key="table5",
        title=title or "Table 5. Characteristics of Modic changes in the "
        f"{_join([group_label(g).lower() for g in groups])} groups",
        shown=_frame(rows, headers), data=result.to_frame(), footnotes=tuple(foot),
        indent=tuple(indent))
