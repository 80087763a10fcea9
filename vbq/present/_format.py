"""The result (`FormattedTable`), labels and numbers: the conventions every table of
`vbq.present` follows."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..study import MARKERS, TARGETS

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

    return MARKERS[marker][0] if marker in MARKERS else label(marker)


def target_label(target: str) -> str:
    """The label of a ROC target (`vbq.study.TARGETS`): "Osteoporosis", "Osteopenia or
    osteoporosis"."""

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
# Whole sentences of the statistics' messages, which name the argument at fault on purpose
# (a notebook user passed it), said as a reader of a page needs them.
_SENTENCES = [
    (re.compile(r"each class needs at least n_splits = (\d+) patients for stratified CV; "
                r"received n_pos = (\d+), n_neg = (\d+)"),
     lambda m: (f"the model is checked by {m[1]}-fold cross-validation, which needs at least "
                f"{m[1]} patients with the condition and {m[1]} without; the patients chosen "
                f"have {m[2]} with it and {m[3]} without")),
]


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

    text = str(text)
    for sentence, said in _SENTENCES:
        text = sentence.sub(said, text)
    return _WORD.sub(swap, text)


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



def _join(words: Sequence[str]) -> str:
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]




def format_cutoff(x: Any, marker: str) -> str:
    """A Youden cutoff of `marker` as every table and figure shows it: one decimal more than
    the marker's own (`_cutoff_decimals`), a true minus sign; "–" when missing.

    Examples
    --------
    >>> format_cutoff(103.55, "hu_l1"), format_cutoff(2.8075, "vbq")
    ('103.55', '2.808')
    """
    return format_number(x, _cutoff_decimals(marker))


def _cutoff_decimals(marker: str) -> int:
    """Youden cutoffs are midpoints between observed values: one decimal more than the
    marker's own, so the cutoff shown decides every observed value as the true one does."""
    if marker == "combined":
        return 3
    return _decimals(marker, 2) + 1



def _pct_ci(est: Any, low: Any, high: Any) -> str:
    if _missing(est):
        return NOT_APPLICABLE
    return _estimate_ci(100.0 * est, 100.0 * low if not _missing(low) else low,
                        100.0 * high if not _missing(high) else high, 1)
