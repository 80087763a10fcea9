"""The one neutraliser of spreadsheet formulas, for every export (`vbq.export`) and the measurement
CSV (`vbq.measurements`).

A text cell that starts (after any spaces) with one of `FORMULA_TRIGGERS` is written with a
leading apostrophe; numbers are never touched. Kept here, apart from `vbq.export`, so that the
measurement store can write safe CSV without importing the presentation layer (`vbq.present`,
which `vbq.export` needs for its tables). The public names are re-exported by `vbq.export`.
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "neutralise_formula", "neutralise_frame", "safe_csv"]

FORMULA_TRIGGERS: tuple[str, ...] = (
    "=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20",
)
"""First characters that make a spreadsheet read a text cell as a formula, or hide its start
(OWASP, "CSV injection"; ASVS 5.0 requirement 1.2.10), full-width forms included; checked after
any leading spaces, which some spreadsheets skip. Such a cell is exported with a leading
apostrophe instead."""


def neutralise_formula(value: Any) -> Any:
    """`value` made inert for a spreadsheet: a string starting with one of `FORMULA_TRIGGERS`
    gets a leading apostrophe; anything else (numbers, including negative ones, booleans,
    missing values, other strings) comes back unchanged.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://evil.example","x")')
    '\\'=HYPERLINK("http://evil.example","x")'
    >>> neutralise_formula(-1.5)
    -1.5
    """
    if isinstance(value, str) and value:
        first = value.lstrip(" ")[:1] or value[:1]
        if first in FORMULA_TRIGGERS:
            return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell (and text column header) passed through
    `neutralise_formula`.

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
                values[texts] = [neutralise_formula(v) for v in values[texts]]
                dtype = col.dtype if isinstance(col.dtype, pd.StringDtype) else object
                out.isetitem(j, pd.Series(values, index=out.index, dtype=dtype))
    out.columns = [neutralise_formula(c) for c in out.columns]
    return out


def safe_csv(frame: pd.DataFrame, target: str | os.PathLike | Any | None = None,
             **kwargs) -> str | None:
    """Write `frame` as CSV text through `neutralise_frame` (the measurement exports).

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
        buf = io.StringIO()
        safe.to_csv(buf, **kwargs)
        return buf.getvalue()
    safe.to_csv(target, **kwargs)
    return None
