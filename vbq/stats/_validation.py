"""Argument checks shared by every statistic in `vbq.stats` (one source for each rule).

Every public statistic validates its arguments through these functions, so the same bad argument
(``confidence="0.9"``, ``confidence=1.5``, a 2-D array, arrays of different lengths, a missing
column) is refused the same way everywhere: with `vbq.errors.InputError`, whose message starts
with the parameter's name, then says what was expected and what was received::

    confidence: expected a number in (0, 1), got '0.9'

Nothing here computes a statistic. Conversions never drop a value silently: `complete_cases`
returns the mask of what is kept with the count of what was left out, for the result's
``n_missing``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = [
    "as_float_1d",
    "as_labels_1d",
    "check_bool",
    "check_choice",
    "check_columns",
    "check_confidence",
    "check_frame",
    "check_int",
    "check_number",
    "check_proportion",
    "check_same_length",
    "complete_cases",
    "frozen_array",
    "group_codes",
]

_NUMERIC_KINDS = "biuf"  # bool, signed, unsigned, float (numpy and the nullable pandas dtypes)


def _shown(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_real(value: Any) -> bool:
    """A real number (Python or numpy), not a bool and not a string."""
    return (not isinstance(value, bool | np.bool_)
            and isinstance(value, int | float | np.integer | np.floating))


# --------------------------------------------------------------------------------------------
# scalars
# --------------------------------------------------------------------------------------------
def check_confidence(confidence: Any, name: str = "confidence") -> float:
    """The confidence level as a float in the open interval (0, 1).

    Raises
    ------
    InputError
        Not a real number (a string such as ``"0.9"``, a bool, None), NaN, or outside (0, 1).
    """
    if not _is_real(confidence) or not 0.0 < float(confidence) < 1.0:
        raise InputError(f"{name}: expected a number in (0, 1), got {_shown(confidence)}")
    return float(confidence)


def check_proportion(value: Any, name: str, *, closed_high: bool = False) -> float:
    """A proportion in (0, 1), or in (0, 1] with ``closed_high`` (a target sensitivity)."""
    ok = _is_real(value) and (0.0 < float(value) < 1.0
                              or (closed_high and float(value) == 1.0))
    if not ok:
        interval = "(0, 1]" if closed_high else "(0, 1)"
        raise InputError(f"{name}: expected a number in {interval}, got {_shown(value)}")
    return float(value)


def check_bool(value: Any, name: str) -> bool:
    """True or False (a numpy bool too); 0, 1 and strings are refused."""
    if not isinstance(value, bool | np.bool_):
        raise InputError(f"{name}: expected True or False, got {_shown(value)}")
    return bool(value)


def check_int(value: Any, name: str, *, minimum: int) -> int:
    """An integer (not a bool) at least `minimum`."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer) \
            or value < minimum:
        raise InputError(f"{name}: expected an integer >= {minimum}, got {_shown(value)}")
    return int(value)


def check_number(value: Any, name: str) -> float:
    """A real number that is not NaN (+/-inf allowed)."""
    if not _is_real(value) or math.isnan(value):
        raise InputError(f"{name}: expected a number, got {_shown(value)}")
    return float(value)


def check_choice(value: Any, name: str, choices: Sequence) -> Any:
    """One of `choices` (compared with ``==``; unhashable values are refused, not raised on)."""
    try:
        ok = value in choices
    except TypeError:
        ok = False
    if not ok:
        raise InputError(f"{name}: expected one of {tuple(choices)}, got {_shown(value)}")
    return value


def check_columns(value: Any, name: str) -> tuple:
    """A sequence of column names; a single string is refused (it would iterate by letter)."""
    if isinstance(value, str | bytes):
        raise InputError(f"{name}: expected a list of column names, got the string {value!r}")
    if not isinstance(value, Iterable):
        raise InputError(f"{name}: expected a list of column names, got {_shown(value)}")
    return tuple(value)


# --------------------------------------------------------------------------------------------
# arrays
# --------------------------------------------------------------------------------------------
def as_float_1d(values: Any, name: str) -> np.ndarray:
    """A one-dimensional float array; missing values (None, NaN, pd.NA) become NaN.

    Numeric and boolean arrays and Series (nullable dtypes included) convert directly; anything
    else is parsed by ``pandas.to_numeric`` (so numbers written as text are read). Dates,
    text that is not a number, scalars and 2-D input are refused.

    Raises
    ------
    InputError
        Not one-dimensional, or not numeric.
    """
    if isinstance(values, pd.DataFrame):
        raise InputError(f"{name}: expected a one-dimensional array, got a DataFrame of shape "
                         f"{values.shape}")
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        series = pd.Series(values, copy=False) if not isinstance(values, pd.Series) else values
    else:
        try:
            arr = np.asarray(values)
        except (TypeError, ValueError) as exc:  # ragged nested lists
            raise InputError(f"{name}: expected a one-dimensional array of numbers; could not "
                             f"convert it: {exc}") from exc
        if arr.ndim != 1:
            raise InputError(f"{name}: expected a one-dimensional array, got shape {arr.shape}")
        if arr.dtype.kind in _NUMERIC_KINDS:
            return arr.astype(float)
        series = pd.Series(arr, dtype=object) if arr.dtype.kind in "OUS" else None
        if series is None:
            raise InputError(f"{name}: expected numbers (a numeric array), got dtype {arr.dtype}")
    dtype = series.dtype
    if dtype.kind in _NUMERIC_KINDS:
        return series.to_numpy(dtype=float, na_value=np.nan)
    if dtype.kind in "mM" or isinstance(dtype, pd.DatetimeTZDtype | pd.PeriodDtype):
        raise InputError(f"{name}: expected numbers (a numeric column), got dtype {dtype}")
    try:
        parsed = pd.to_numeric(series, errors="raise")
        return parsed.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: expected numbers (a numeric column), got dtype {dtype} with "
                         f"values such as {_shown(series.dropna().head(3).tolist())}") from exc


def as_labels_1d(values: Any, name: str) -> np.ndarray:
    """A one-dimensional object array of labels (strings, integers, bools; missing kept)."""
    if isinstance(values, pd.DataFrame) or np.ndim(values) != 1:
        raise InputError(f"{name}: expected a one-dimensional array, got shape "
                         f"{np.shape(values)}")
    if isinstance(values, pd.Series | pd.Index | pd.Categorical
                  | pd.api.extensions.ExtensionArray):
        return np.asarray(pd.Series(values).astype(object).to_numpy(), dtype=object)
    return np.asarray(list(values), dtype=object)


def check_same_length(reference: tuple[str, np.ndarray], *others: tuple[str, Any]) -> None:
    """Every array in `others` as long as the `reference` one (``(name, array)`` pairs)."""
    ref_name, ref = reference
    for name, arr in others:
        if len(arr) != len(ref):
            raise InputError(f"{name}: expected the same length as {ref_name} ({len(ref)}), got "
                             f"{len(arr)}")


def complete_cases(*arrays: np.ndarray) -> tuple[np.ndarray, int]:
    """The mask of positions where no float array is NaN, and the number left out."""
    keep = np.ones(arrays[0].shape[0], dtype=bool)
    for arr in arrays:
        keep &= ~np.isnan(arr)
    return keep, int(keep.size - np.count_nonzero(keep))


def frozen_array(a: Any) -> np.ndarray:
    """A read-only copy, for the arrays of frozen results."""
    a = np.array(a)
    a.setflags(write=False)
    return a


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------
def check_frame(data: Any, columns: Iterable[str], name: str = "data") -> pd.DataFrame:
    """A DataFrame holding every one of `columns`."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{name}: expected a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputError(
            f"{name}: missing column(s) {missing}; available: {list(map(str, data.columns))}"
        )
    return data


def group_codes(values: pd.Series, order: Any, name: str) -> tuple[np.ndarray, tuple]:
    """Integer codes (-1 = missing) and the ordered labels of a grouping column.

    Order: `order` when given (every observed label must be in it); else the categories of a
    pandas Categorical (those observed); else the observed labels sorted as strings.

    Raises
    ------
    InputError
        `order` a string, repeating a label, or missing an observed label.
    """
    # pd.factorize, not pd.Categorical(values, categories=...): the latter costs ~1 ms a call.
    if isinstance(values.dtype, pd.CategoricalDtype):
        raw = values.cat.codes.to_numpy(dtype=np.intp)
        uniq = values.cat.categories.tolist()
        present = [uniq[i] for i in np.unique(raw[raw >= 0])]
    elif values.dtype.kind == "b":  # bool or nullable boolean: codes without hashing
        arr = values.to_numpy(dtype=float, na_value=np.nan)
        raw = np.where(np.isnan(arr), -1, arr).astype(np.intp)
        uniq = [False, True]
        present = [u for u in uniq if (raw == int(u)).any()]
    else:
        raw, uniques = pd.factorize(values, sort=False)
        raw = raw.astype(np.intp)
        uniq = list(uniques.tolist() if hasattr(uniques, "tolist") else uniques)
        present = uniq
    if order is None:
        labels = tuple(present) if isinstance(values.dtype, pd.CategoricalDtype) else tuple(
            sorted(present, key=str))
    else:
        if isinstance(order, str):
            raise InputError(f"order: expected a sequence of {name} labels, got the string "
                             f"{order!r}")
        labels = tuple(order)
        if len(set(labels)) != len(labels):
            raise InputError(f"order: expected distinct {name} labels, got {list(labels)}")
        known = set(labels)
        unknown = [v for v in present if v not in known]
        if unknown:
            raise InputError(f"order: {name} has label(s) {sorted(map(str, unknown))} not in "
                             f"order={list(labels)}")
    pos = {lab: i for i, lab in enumerate(labels)}
    lookup = np.array([pos.get(u, -1) for u in uniq] + [-1], dtype=np.intp)
    return lookup[raw], labels  # raw == -1 (missing) picks the trailing -1
