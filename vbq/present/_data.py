"""Tables of the Data and Groups pages: the exclusion log, validation problems, the
degeneration by level and the cohort summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ._format import (
    NOT_APPLICABLE,
    FormattedTable,
    _cells,
    _decimals,
    _frame,
    _humanise,
    _missing,
    format_count_percent,
    format_mean_sd,
    group_label,
    label,
    message,
)

# ---------------------------------------------------------------------------------------------
# Data page tables


_STAGES = {"merge": "Joining the files", "filter": "Subgroup (filters)", "vbq": "VBQ score",
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
    n_sub = int(((log["stage"] == "filter") & ~log["patient_excluded"].astype(bool)).sum()
                ) if len(log) else 0
    foot = [f"{n_pat} row(s) exclude a cohort patient"
            + (f"; {n_sub} record an eligible patient outside the subgroup the filters choose "
               "(not analysed, not an exclusion)" if n_sub else "")
            + "; the others record a vertebral level left out of a VBQ median or a DXA row with "
            "no patient in the cohort file."]
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
