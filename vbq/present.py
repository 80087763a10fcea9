"""What a reader sees: labels, numbers and the study's tables as a journal prints them.

The one presentation layer of VBQ Explorer. The pages, the HTML report, the Word document, the
command line and every CSV/XLSX export format their tables here, so a table looks the same
everywhere. Nothing here computes a statistic: each formatter takes a result of `vbq.study` or
`vbq.stats` (at full precision) and returns a `FormattedTable`.

Conventions (the paper's, Chen et al. 2023, where it has one):

* variables by their data-dictionary label with the unit, "BMI (kg/m²)" (`vbq.schema.Column`);
* mean ± SD to the variable's decimals (`vbq.schema.Column.decimals`); n (%) with percentages to
  one decimal; a yes/no variable as one row, n (%) of "yes"; sex as one row, female n (%);
* p to three decimals, "< 0.001" below that; one p per comparison, on the variable's row; the
  test behind each p as a superscript letter explained in a footnote;
* confidence intervals as "low to high"; negative numbers with a true minus sign (U+2212);
  "–" (en dash) where a value does not apply or could not be computed (a footnote says why).

A `FormattedTable` holds both forms of a table: ``shown`` (strings, human headers: what a
manuscript prints) and ``data`` (tidy, full precision, snake_case columns: what an analysis
reads). `vbq.export` writes either form to CSV, XLSX or Word.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import schema

__all__ = [
    "FormattedTable",
    "NOT_APPLICABLE",
    "label",
    "value_label",
    "group_label",
    "marker_label",
    "target_label",
    "format_number",
    "format_p",
    "format_percent",
    "format_ci",
    "format_mean_sd",
    "format_count_percent",
    "table1",
    "table2",
    "table3",
    "table4",
    "table5",
    "kappa_table",
    "icc_table",
    "bland_altman_table",
    "prevalence_table",
    "prevalence_against_paper_table",
    "breakdown_table",
    "reclassification_table",
    "grey_zone_table",
    "predictive_values_table",
    "auc_comparison_table",
    "bootstrap_cutoff_table",
    "exclusion_table",
    "problems_table",
    "degeneration_table",
    "cohort_summary_table",
    "labelled",
    "message",
    "study_tables",
]

MINUS = "\u2212"
NOT_APPLICABLE = "\u2013"
"""Shown where a value does not apply or could not be computed (an en dash, as the paper)."""

_SUPERSCRIPTS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"


# ---------------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True, eq=False)
class FormattedTable:
    """One table in both of its forms.

    Attributes
    ----------
    key : str
        Short snake_case identifier ("table2", "prevalence"): file stem and sheet name.
    title : str
        Printed above the table: "Table 2. Characteristics of the degenerative and control
        groups".
    shown : DataFrame
        The table as printed: every cell a string, human headers, one row per printed line.
        The first column labels the rows; `indent` says which rows sit under another.
    data : DataFrame
        The tidy table behind it, at full precision, with the snake_case columns documented by
        the result it came from (named in the formatter's docstring); numbers are numbers.
    footnotes : tuple of str
        Printed below the table, in order; superscript letters in cells refer to them.
    indent : tuple of int
        Per row of `shown`: 0 for a variable, 1 for a level under it (2 under that). Empty
        means all 0.
    """

    key: str
    title: str
    shown: pd.DataFrame
    data: pd.DataFrame
    footnotes: tuple[str, ...] = ()
    indent: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.indent and len(self.indent) != len(self.shown):
            raise ValueError(f"indent: expected {len(self.shown)} levels, got {len(self.indent)}")

    def levels(self) -> tuple[int, ...]:
        """`indent`, with 0 for every row when it is empty."""
        return self.indent or (0,) * len(self.shown)

    def display(self, indent: str = "\u2003\u2003") -> pd.DataFrame:
        """`shown` with the first column indented by `indent` per level (for a data grid, which
        has no other way to show that a row belongs to the one above)."""
        out = self.shown.copy()
        if len(out.columns) and any(self.levels()):
            first = out.columns[0]
            out[first] = [indent * k + v for k, v in zip(self.levels(), out[first], strict=True)]
        return out

    def to_text(self) -> str:
        """Plain text: title, the table in left-aligned columns with indented rows, footnotes
        (for a terminal or a notebook)."""
        if len(self.shown):
            shown = self.display(indent="  ")
            cols = [str(c) for c in shown.columns]
            cells = shown.to_numpy(dtype=object).tolist()
            widths = [max([len(c)] + [len(str(r[j])) for r in cells]) for j, c in enumerate(cols)]

            def line(values) -> str:
                return "  ".join(str(v).ljust(w) for v, w in zip(values, widths,
                                                                  strict=True)).rstrip()

            body = "\n".join([line(cols), line("-" * w for w in widths)]
                              + [line(r) for r in cells])
        else:
            body = "(empty)"
        return "\n".join([self.title, "", body, "", *self.footnotes]).rstrip() + "\n"

    def to_html(self) -> str:
        """A self-contained ``<table>`` (title as caption, footnotes in ``<tfoot>``), every cell
        escaped; classes ``vbq-table``, ``indent-1``/``indent-2`` on indented rows."""
        cols = list(self.shown.columns)
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
        rows = []
        for level, (_, row) in zip(self.levels(), self.shown.iterrows(), strict=True):
            cls = f' class="indent-{level}"' if level else ""
            cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            rows.append(f"<tr{cls}>{cells}</tr>")
        foot = "".join(f'<tr><td colspan="{len(cols)}">{html.escape(n)}</td></tr>'
                       for n in self.footnotes)
        return (f'<table class="vbq-table"><caption>{html.escape(self.title)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
                + (f"<tfoot>{foot}</tfoot>" if foot else "") + "</table>")

    def summary(self) -> str:
        return self.to_text()


class _Marks:
    """Superscript letters for the tests behind p-values, in order of first use."""

    def __init__(self) -> None:
        self.notes: dict[str, str] = {}

    def mark(self, text: str | None) -> str:
        if not text:
            return ""
        if text not in self.notes:
            self.notes[text] = _SUPERSCRIPTS[len(self.notes) % len(_SUPERSCRIPTS)]
        return self.notes[text]

    def footnotes(self) -> list[str]:
        return [f"{m} {_sentence(t)}" for t, m in self.notes.items()]


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text if text.endswith(".") else text + "."


# ---------------------------------------------------------------------------------------------
# Labels


def label(name: str, *, unit: bool = True) -> str:
    """What a reader sees for column `name`: its data-dictionary label, with the unit unless
    ``unit=False`` ("BMI (kg/m²)", "L1-4 T-score"). An unknown name is spelled out in words
    ("n_levels" -> "N levels") rather than shown raw."""
    try:
        col = schema.column(name)
    except KeyError:
        return _humanise(name)
    if not col.label:
        return _humanise(name)
    return col.heading if unit else col.label


def value_label(column: str, value: Any) -> str:
    """How a value of a category column is shown: ``value_label("diagnosis", "scoliosis")`` is
    "Degenerative scoliosis", ``value_label("sex", "F")`` "Female"; a yes/no value "Yes"/"No";
    a number of Modic levels "2 levels". Unknown values are shown as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_APPLICABLE
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    labels = schema.CATEGORY_LABELS.get(column, {})
    if str(value) in labels:
        return labels[str(value)]
    if column == "modic_levels":
        k = int(value)
        return f"{k} level" + ("" if k == 1 else "s")
    if column == "age_band":
        return str(value).capitalize()
    return str(value)


def group_label(group: str) -> str:
    """"Degenerative", "Control", "All patients"."""
    return value_label("group", group)


def marker_label(marker: str) -> str:
    """The label of a ROC marker (`vbq.study.MARKERS`): "VBQ", "L1 HU" ..."""
    from .study import MARKERS

    return MARKERS[marker][0] if marker in MARKERS else label(marker)


def target_label(target: str) -> str:
    """The label of a ROC target (`vbq.study.TARGETS`): "Osteoporosis", "Osteopenia or
    osteoporosis"."""
    from .study import TARGETS

    if target not in TARGETS:
        return _humanise(target)
    words = [value_label("dxa_status", s) for s in TARGETS[target]]
    return " or ".join([words[0]] + [w.lower() for w in words[1:]])


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its columns renamed to their labels (`label`), for a preview of a table
    whose values are the data themselves; a label shared by two columns gets the column name
    after it so that headers stay unique."""
    names = [label(c) for c in frame.columns]
    seen = {n for n in names if names.count(n) > 1}
    out = frame.copy()
    out.columns = [f"{n} [{c}]" if n in seen else n for n, c in zip(names, frame.columns,
                                                                   strict=True)]
    return out


_TERMS = {"n_pos": "positives", "n_neg": "negatives", "osteopenia_or_worse":
          "osteopenia or osteoporosis", "p_value": "p", "ci_low": "lower CI bound",
          "ci_high": "upper CI bound"}
_WORD = re.compile(r"'?\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b'?")


def message(text: Any) -> str:
    """A message from the statistics (an `Unavailable` reason, an error, a note) in a reader's
    words: column names become their labels ("'modic_type'" -> "Modic type"), other internal
    names their meaning or words ("osteopenia_or_worse" -> "osteopenia or osteoporosis")."""

    def swap(m: re.Match) -> str:
        name = m.group(1)
        if name in _TERMS:
            return _TERMS[name]
        try:
            col = schema.column(name)
        except KeyError:
            return name.replace("_", " ")
        return col.label or name.replace("_", " ")

    return _WORD.sub(swap, str(text))


def _humanise(name: str) -> str:
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# Numbers


def _missing(x: Any) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def format_number(x: Any, decimals: int) -> str:
    """`x` to `decimals` decimals with a true minus sign; "–" when missing, "∞" for infinity.
    A value that rounds to zero is never shown as "−0.00"."""
    if _missing(x):
        return NOT_APPLICABLE
    x = float(x)
    if math.isinf(x):
        return "\u221e" if x > 0 else MINUS + "\u221e"
    text = f"{x:.{decimals}f}"
    if text.startswith("-"):
        text = text[1:] if float(text) == 0 else MINUS + text[1:]
    return text


def format_p(p: Any) -> str:
    """A p-value to three decimals; "< 0.001" below 0.001; "–" when missing."""
    if _missing(p):
        return NOT_APPLICABLE
    p = float(p)
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def format_percent(fraction: Any, decimals: int = 1) -> str:
    """A fraction as a percentage number without the sign (0.93 -> "93.0"); the header says %."""
    return NOT_APPLICABLE if _missing(fraction) else format_number(100.0 * float(fraction),
                                                                    decimals)


def format_ci(low: Any, high: Any, decimals: int) -> str:
    """"low to high" (signs are clear even when both are negative); "–" when missing."""
    if _missing(low) or _missing(high):
        return NOT_APPLICABLE
    return f"{format_number(low, decimals)} to {format_number(high, decimals)}"


def _estimate_ci(est: Any, low: Any, high: Any, decimals: int) -> str:
    if _missing(est):
        return NOT_APPLICABLE
    ci = format_ci(low, high, decimals)
    return format_number(est, decimals) + ("" if ci == NOT_APPLICABLE else f" ({ci})")


def format_mean_sd(mean: Any, sd: Any, decimals: int) -> str:
    """"mean ± SD" to `decimals`; the SD "–" when undefined (one patient)."""
    if _missing(mean):
        return NOT_APPLICABLE
    return f"{format_number(mean, decimals)} ± {format_number(sd, decimals)}"


def format_count_percent(count: Any, percent: Any, *, total: Any = None) -> str:
    """"49 (48.5%)", or with `total` "49/101 (48.5%)"; `percent` is already in %."""
    if _missing(count):
        return NOT_APPLICABLE
    head = f"{int(count)}" if _missing(total) else f"{int(count)}/{int(total)}"
    pct = "" if _missing(percent) else f" ({format_number(percent, 1)}%)"
    return head + pct


def _decimals(name: str, default: int = 2) -> int:
    try:
        d = schema.column(name).decimals
    except KeyError:
        return default
    return default if d is None else d


def _group_header(g: str, n: Any) -> str:
    return group_label(g) + ("" if _missing(n) else f" (n = {int(n)})")


def _records_by(frame: pd.DataFrame, key: str) -> dict[Any, list[dict]]:
    """The rows of `frame` as dicts, grouped by the value of column `key`, in order."""
    out: dict[Any, list[dict]] = {}
    for rec in frame.to_dict("records"):
        out.setdefault(rec[key], []).append(rec)
    return out


def _cells(values: pd.Series, fmt: Callable[[Any], str], missing: str) -> np.ndarray:
    """`values` as text: `fmt` of each distinct value (computed once per value, not per row),
    `missing` where a value is missing (None, NaN, NA). Values are told apart by equality, so
    use it on a column whose values share one type (1 and True would share a text)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    text = np.array([fmt(u) for u in uniques] + [missing], dtype=object)
    return text[codes]  # code -1 (missing) takes the last entry


def _frame(rows: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(str) if rows else pd.DataFrame(
        columns=list(columns), dtype=str)


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
    from .settings import GroupCriteria

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
    sizes = {}
    for g in groups:
        col = frame[f"n_{g}"].dropna()
        sizes[g] = int(col.max()) if len(col) else None
    marks = _Marks()
    headers = ["Characteristic"] + [_group_header(g, sizes[g]) for g in groups] + ["p"]
    adj_header = None
    if covariates:
        adj_header = f"p adjusted for {_join([label(c, unit=False).lower() for c in covariates])}"
        headers.append(adj_header)
    rows: list[dict] = []
    indent: list[int] = []
    notes: list[str] = []
    missing: list[str] = []
    kinds = set()
    variables = sorted(result.variables, key=lambda vk: _T2_ORDER.get(vk[0], len(_T2_ORDER)))
    by_var = _records_by(frame, "variable")  # rows as dicts: pandas row filters cost ~3 ms each
    open_section = None
    for var, kind in variables:
        part = by_var.get(var, [])
        if not part:
            continue
        section = _T2_SECTIONS.get(var)
        if section and section != open_section:
            rows.append({h: "" for h in headers} | {"Characteristic": section})
            indent.append(0)
        open_section = section
        base = 1 if section else 0
        first = part[0]
        p_cell = format_p(first["p_value"])
        if p_cell != NOT_APPLICABLE:
            p_cell += marks.mark(first["method"])
        if first["note"]:
            notes.append(f"{label(var)}: {message(first['note'])}.")
        if int(first["n_missing"] or 0):
            missing.append(f"{label(var, unit=False)} {int(first['n_missing'])}")
        adj = NOT_APPLICABLE
        if kind == "continuous":
            kinds.add("continuous")
            d = _decimals(var)
            row = {"Characteristic": label(var)}
            for g, h in zip(groups, headers[1:], strict=False):
                row[h] = format_mean_sd(first[f"mean_{g}"], first[f"sd_{g}"], d)
            adj = format_p(first["p_value_ancova"])
            row["p"] = p_cell
            if adj_header:
                row[adj_header] = adj
            rows.append(row)
            indent.append(base)
            continue
        kinds.add("categorical")
        levels = [r["level"] for r in part if not _missing(r["level"])]
        shown_level = _yes_level(var, levels)
        if shown_level is not None:
            lrow = next(r for r in part if not _missing(r["level"]) and r["level"] == shown_level)
            name = (value_label(var, shown_level) if var in _SHOWN_LEVEL
                    else label(var, unit=False))
            row = {"Characteristic": name}
            for g, h in zip(groups, headers[1:], strict=False):
                row[h] = format_count_percent(lrow[f"count_{g}"], lrow[f"percent_{g}"])
            row["p"] = p_cell
            if adj_header:
                row[adj_header] = NOT_APPLICABLE
            rows.append(row)
            indent.append(base)
            continue
        row = {"Characteristic": label(var, unit=False)}
        for h in headers[1:len(groups) + 1]:
            row[h] = ""
        row["p"] = p_cell
        if adj_header:
            row[adj_header] = NOT_APPLICABLE
        rows.append(row)
        indent.append(base)
        for lrow in part:
            sub = {"Characteristic": value_label(var, lrow["level"])}
            for g, h in zip(groups, headers[1:], strict=False):
                sub[h] = format_count_percent(lrow[f"count_{g}"], lrow[f"percent_{g}"])
            sub["p"] = ""
            if adj_header:
                sub[adj_header] = ""
            rows.append(sub)
            indent.append(base + 1)
    foot = []
    if kinds == {"continuous", "categorical"}:
        foot.append("Values are mean ± SD or n (%).")
    elif kinds == {"continuous"}:
        foot.append("Values are mean ± SD.")
    elif kinds:
        foot.append("Values are n (%).")
    foot += marks.footnotes()
    if adj_header:
        foot.append(f"{adj_header}: the group effect in an ANCOVA "
                    f"(linear model of the variable on group and "
                    f"{_join([label(c, unit=False).lower() for c in covariates])}, Type III sums "
                    "of squares); continuous variables other than the covariates only.")
    if missing:
        foot.append("Patients without a value, left out of that row: " + ", ".join(missing) + ".")
    foot += notes
    return FormattedTable(
        key="table2",
        title=title or f"Table 2. Characteristics of the {_join([group_label(g).lower() for g in groups])} groups",
        shown=_frame(rows, headers), data=frame, footnotes=tuple(foot), indent=tuple(indent))


def _join(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


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
    if diff_header:
        foot.append(f"{diff_header[:-3]}: Fisher z-test of two independent correlations.")
    foot += notes
    return FormattedTable(
        key="table3", title=title or "Table 3. Correlation of the VBQ score with bone density",
        shown=_frame(rows, headers), data=frame.reset_index(drop=True), footnotes=tuple(foot),
        indent=tuple(indent))


# ---------------------------------------------------------------------------------------------
# Table 4


def _cutoff_decimals(marker: str) -> int:
    """Youden cutoffs are midpoints between observed values: one decimal more than the
    marker's own, so the cutoff shown decides every observed value as the true one does."""
    if marker == "combined":
        return 3
    return _decimals(marker, 2) + 1


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
    from .study import Unavailable

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
        "(the paper: 2.83 to 2.9).",
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


def _pct_ci(est: Any, low: Any, high: Any) -> str:
    if _missing(est):
        return NOT_APPLICABLE
    return _estimate_ci(100.0 * est, 100.0 * low if not _missing(low) else low,
                        100.0 * high if not _missing(high) else high, 1)


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


# ---------------------------------------------------------------------------------------------
# Reliability


_READINGS = {"intra": "Intra-observer (observer 1, repeated)",
             "inter": "Inter-observer (observer 1 vs observer 2)"}


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
    from .study import Unavailable

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
    from .study import Unavailable

    headers = ["Reading", "n", "ICC (95% CI)", "F (df)", "p"]
    rows, indent, datas, foot = [], [], [], []
    several = len(forms) > 1
    for name, res in reliability.items():
        reading = _READINGS.get(name, _humanise(name))
        if isinstance(res, Unavailable):
            rows.append({h: NOT_APPLICABLE for h in headers} | {"Reading": reading})
            indent.append(0)
            foot.append(f"{reading}: not computed: {message(res)}.")
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
        foot += [f"{reading}: {message(n)}." for n in res.notes]
    if not several:
        foot.insert(0, _ICC_NAMES.get(forms[0], forms[0]) + " (Shrout & Fleiss 1979; McGraw & "
                    "Wong 1996), with its F-based 95% CI; p: F test of ICC = 0.")
    else:
        foot.insert(0, "Shrout & Fleiss (1979) forms, McGraw & Wong (1996) names; F-based 95% "
                    "CIs; p: F test of ICC = 0.")
    return FormattedTable(
        key="icc", title=title or "Reliability of the VBQ score",
        shown=_frame(rows, headers),
        data=pd.concat(datas, ignore_index=True) if datas else pd.DataFrame(),
        footnotes=tuple(foot), indent=tuple(indent) if several else ())


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
            f"(Bland & Altman 1986); their {pct} CIs as in Bland & Altman (1999). A trend "
            "(slope ≠ 0) means the disagreement grows with the size of the measurement."]
    return FormattedTable(key="bland_altman", title=title or "Bland-Altman agreement",
                          shown=_frame(rows, headers), data=data, footnotes=tuple(foot))


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
    from .describe import prevalence_against_paper
    from .settings import PAPER_THRESHOLDS

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


def grey_zone_table(result, *, title: str | None = None) -> FormattedTable:
    """The two-cutoff triage (`vbq.study.grey_zone`, a `vbq.stats.GreyZoneResult`): patients
    ruled out, referred to DXA and ruled in, then the error rates and the accuracy among
    decided patients, in % with Wilson 95% CIs.

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
    foot = ["Shares of all patients; the last four rows with Wilson 95% CIs, each among the "
            "patients its name gives (n)."]
    if result.n_missing:
        foot.append(f"{result.n_missing} patient(s) without a VBQ score or DXA status left out.")
    return FormattedTable(key="grey_zone", title=title or "Grey zone: rule out, refer to DXA, "
                          "rule in", shown=_frame(rows, headers), data=frame,
                          footnotes=tuple(foot))


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


# ---------------------------------------------------------------------------------------------
# Data page tables


_STAGES = {"merge": "Joining the files", "filter": "Filters", "vbq": "VBQ score",
           "group": "Grouping", "dxa": "DXA status"}


def _reason(text: Any) -> str:
    """A reason of the exclusion log in a reader's words, starting with a capital."""
    text = "" if _missing(text) else message(text)
    return text[:1].upper() + text[1:]


def exclusion_table(log: pd.DataFrame, *, title: str | None = None) -> FormattedTable:
    """The exclusion log (`vbq.PreparedCohort.exclusion_log`) with human headers; reasons in a
    reader's words (`message`: "patient_id" reads "Patient ID").

    Returns
    -------
    FormattedTable
        ``data`` is `log`: ``patient_id, level, stage, reason, patient_excluded``.
    """
    # column by column: an age filter on a cohort of 100,000 patients logs tens of thousands of
    # rows, and row by row (iterrows) that took seconds (bench/bench_app.py --patients 100000)
    def column(name: str, fmt: Callable[[Any], str]) -> pd.Series:
        return log[name].reset_index(drop=True).astype(object).map(fmt)

    cols = ["Patient ID", "Level", "Step", "Reason", "Patient excluded"]
    shown = pd.DataFrame({
        "Patient ID": column("patient_id", str),
        "Level": column("level", lambda v: str(v or "")),
        "Step": column("stage", lambda v: _STAGES.get(v, _humanise(v))),
        # few distinct reasons: each put in words once (`message` is a regular expression)
        "Reason": pd.Series(_cells(log["reason"], _reason, ""), dtype=object),
        "Patient excluded": column("patient_excluded", lambda v: "Yes" if v else "No"),
    }, columns=cols).astype(str) if len(log) else _frame([], cols)
    n_pat = int(log["patient_excluded"].astype(bool).sum()) if len(log) else 0
    foot = [f"{n_pat} row(s) exclude a cohort patient; the others record a vertebral level left "
            "out of a VBQ median or a DXA row with no patient in the cohort file."]
    return FormattedTable(key="exclusion_log", title=title or "Exclusion log", shown=shown,
                          data=log.reset_index(drop=True), footnotes=tuple(foot))


def problems_table(problems, *, title: str | None = None) -> FormattedTable:
    """Validation problems (a sequence of `vbq.io.Problem`, or ``ValidationReport.to_frame()``)
    with human headers; a CSV file's empty sheet is blank, never "None".

    Returns
    -------
    FormattedTable
        ``data``: ``severity, file, sheet, row, column, message, value``.
    """
    cols = ["severity", "file", "sheet", "row", "column", "message", "value"]
    if isinstance(problems, pd.DataFrame):
        data = problems.reindex(columns=cols)
    else:
        data = pd.DataFrame([p.as_dict() for p in problems], columns=cols)
    data = data.reset_index(drop=True)
    data["row"] = data["row"].astype("Int64")

    def text(v: Any) -> str:
        return "" if _missing(v) else str(v)

    rows = [{"Severity": text(r["severity"]).capitalize(), "File": text(r["file"]),
             "Sheet": text(r["sheet"]), "Row": text(r["row"]), "Column": text(r["column"]),
             "Problem": text(r["message"]), "Value": text(r["value"])}
            for _, r in data.iterrows()]
    shown = _frame(rows, ["Severity", "File", "Sheet", "Row", "Column", "Problem", "Value"])
    # a column blank on every row (the sheet of a CSV, values when none applies) is left out
    empty = [c for c in ("Sheet", "Row", "Column", "Value") if len(shown) and
             (shown[c] == "").all()]
    return FormattedTable(key="problems", title=title or "Problems found in the files",
                          shown=shown.drop(columns=empty), data=data)


def degeneration_table(frame: pd.DataFrame, *, title: str | None = None) -> FormattedTable:
    """Which vertebra met which criterion (`vbq.cohort.degeneration_summary`).

    Returns
    -------
    FormattedTable
        ``data`` is `frame`: ``patient_id, group, n_degenerative, n_ungradable`` and one column
        per level.
    """
    headers = {"patient_id": "Patient ID", "group": "Group",
               "n_degenerative": "Degenerative vertebrae", "n_ungradable": "Ungradable levels"}
    # column by column, each distinct value formatted once (`_cells`): a cohort of 100,000
    # patients has 100,000 rows here, and a label per row took 1.7 s of a Groups page rerun
    shown = {}
    for c in frame.columns:
        if c == "group":
            text = _cells(frame[c], group_label, NOT_APPLICABLE)
        elif c in ("n_degenerative", "n_ungradable"):
            text = _cells(frame[c], lambda v: str(int(v)), NOT_APPLICABLE)
        else:
            text = _cells(frame[c], str, "")
        shown[headers.get(c, c)] = text
    cols = [headers.get(c, c) for c in frame.columns]
    return FormattedTable(
        key="degeneration_by_level", title=title or "Which vertebra met which criterion",
        shown=pd.DataFrame(shown, columns=cols).astype(str) if len(frame) else _frame([], cols), data=frame.reset_index(drop=True),
        footnotes=("Per level, the criteria met there; blank when none; \"ungradable\" when its "
                   "grades cannot decide.",))


def cohort_summary_table(frame: pd.DataFrame, *, title: str | None = None) -> FormattedTable:
    """The cohort overview (`vbq.cohort_summary`): per group and overall, n, female n (%),
    age and VBQ mean ± SD, and the DXA statuses.

    Returns
    -------
    FormattedTable
        ``data`` is `frame`: ``group, n, female_n, female_percent, age_mean, age_sd, vbq_mean,
        vbq_sd, dxa_normal, dxa_osteopenia, dxa_osteoporosis``.
    """
    headers = ["Group", "n", "Female, n (%)", f"{label('age')}, mean ± SD",
               f"{label('vbq')}, mean ± SD", "DXA normal, n", "DXA osteopenia, n",
               "DXA osteoporosis, n"]
    rows = []
    for _, r in frame.iterrows():
        rows.append({
            "Group": group_label(r["group"]), "n": str(int(r["n"])),
            "Female, n (%)": format_count_percent(r["female_n"], r["female_percent"]),
            headers[3]: format_mean_sd(r["age_mean"], r["age_sd"], _decimals("age")),
            headers[4]: format_mean_sd(r["vbq_mean"], r["vbq_sd"], _decimals("vbq")),
            "DXA normal, n": str(int(r["dxa_normal"])),
            "DXA osteopenia, n": str(int(r["dxa_osteopenia"])),
            "DXA osteoporosis, n": str(int(r["dxa_osteoporosis"])),
        })
    return FormattedTable(key="cohort_summary", title=title or "Cohort summary",
                          shown=_frame(rows, headers), data=frame.reset_index(drop=True),
                          footnotes=("DXA status at the reference site in force (WHO).",))


# ---------------------------------------------------------------------------------------------
# The study at once


def _unavailable_table(key: str, title: str, reason: str) -> FormattedTable:
    return FormattedTable(key=key, title=title, shown=_frame([], ["Not computed"]),
                          data=pd.DataFrame({"note": [reason]}),
                          footnotes=(f"Not computed: {message(reason)}.",))


def study_tables(analysis, prepared=None, *, kappas: Mapping | None = None,
                 decimals: int = 1, rounding: str = "specific") -> list[FormattedTable]:
    """The study's tables in the paper's order, formatted: Table 1 (from the settings, when
    `prepared` is given), Tables 2-5, then the prevalence, the VBQ reliability and (when
    `kappas` is given, `vbq.study.grouping_kappa`) the grouping's reliability.

    A part the analysis could not compute comes back as a table that says why.

    Parameters
    ----------
    analysis : vbq.study.StudyAnalysis
    prepared : vbq.PreparedCohort, optional
    kappas : mapping, optional, keyword-only
    decimals, rounding : keyword-only
        The adjusted cutoff of Table 4 (`vbq.study.cutoff_table`).

    Returns
    -------
    list of FormattedTable
    """
    from .study import Unavailable

    out: list[FormattedTable] = []
    if prepared is not None:
        out.append(table1(prepared.settings))

    def part(value, key, title, make):
        if isinstance(value, Unavailable):
            out.append(_unavailable_table(key, title, str(value)))
        else:
            out.append(make(value))

    part(analysis.table2, "table2", "Table 2. Characteristics of the groups", table2)
    part(analysis.table3, "table3", "Table 3. Correlation of the VBQ score with bone density",
         table3)
    out.append(table4(analysis.roc, decimals=decimals, rounding=rounding))
    part(analysis.table5, "table5", "Table 5. Characteristics of Modic changes", table5)
    part(analysis.prevalence, "prevalence", "Prevalence of osteoporosis by DXA and by VBQ",
         lambda r: prevalence_table(r, thresholds=analysis.thresholds))
    if analysis.reliability:
        out.append(icc_table(analysis.reliability))
    if kappas:
        out.append(kappa_table(kappas))
    return out
