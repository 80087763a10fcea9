"""The study's tables at once, in the paper's order."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..study import Unavailable
from ._format import (
    FormattedTable,
    _frame,
    message,
)
from ._prevalence import prevalence_table
from ._reliability import icc_table, kappa_table
from ._tables import table1, table2, table3, table4, table5

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
