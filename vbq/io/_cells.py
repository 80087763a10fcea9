"""Parsing the cells of one column by its kind (schema.Column), with every problem reported by
row and column."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import Column
from ._report import ERROR, WARNING, ValidationReport


def _texts(raw: pd.Series) -> pd.Series:
    """`_cell_text` of every cell of a column; one vectorised strip when the cells are text (CSV).

    Text columns keep pandas' string dtype (Arrow-backed when pyarrow is installed, as with
    Streamlit), whose string methods run in C; others come back as object.
    """
    if isinstance(raw.dtype, pd.StringDtype):
        return raw.fillna("").str.strip()
    if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        return raw.fillna("").str.strip().astype(object)
    if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "biuf":  # numbers: text each
        codes, uniques = pd.factorize(raw)  # distinct value once (grades: a handful)
        out = np.array([_cell_text(u) for u in uniques] + [""], dtype=object)
        # code -1 (NaN) -> ""; copy=False: a fresh array, which pandas would copy again
        return pd.Series(out[codes], index=raw.index, copy=False, dtype=object)
    return raw.map(_cell_text).astype(object)


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float | np.floating):
        v = float(v)  # numpy 2 writes np.float64(11.9) for repr(numpy scalar)
        if np.isnan(v):
            return ""
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    return str(v).strip()


_TRUE = {"1", "yes", "y", "true", "t", "x", "ja", "si", "oui", "1.0", "+"}
_FALSE = {"0", "no", "n", "false", "f", "nein", "non", "0.0", "-"}
_MISSING = {"", "na", "n/a", "nan", "none", "null", ".", "missing", "?", "nd", "#n/a",
            "-", "\u2013", "\u2014"}  # a dash alone (hyphen, en or em dash): nothing recorded
_UNICODE_MINUS = "\u2212"  # Word and some Excel locales write "−1.9"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}

def _category_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _parse_category(col: Column, raw: pd.Series, report: ValidationReport, rows: np.ndarray,
                    label: str, distinct: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> tuple[pd.Series, pd.Series]:
    """(parsed values, bad mask)."""
    aliases = dict(col.aliases)  # the schema's other spellings, then the categories themselves
    for cat in col.categories:
        aliases.setdefault(_category_key(cat), cat)
    codes, values = _distinct(raw, distinct)
    blank = pd.isna(values)
    categories = set(col.categories)
    if all(b or v in categories for v, b in zip(values, blank, strict=True)):
        # already canonical (a table from this module, a clean file): no parsing
        canonical = np.where(blank, np.nan, values)
        return (pd.Series(canonical[codes], index=raw.index, copy=False, dtype=object),
                pd.Series(False, index=raw.index))
    text = [_cell_text(v) for v in values]
    keys = [_category_key(t) for t in text]
    spelled = aliases.keys() - {""}
    missing_v = np.array([t.lower() in _MISSING and k not in spelled
                          for t, k in zip(text, keys, strict=True)], dtype=bool)
    parsed_v = np.array([np.nan if m or k not in aliases else aliases[k]  # missing is NaN
                         for m, k in zip(missing_v, keys, strict=True)], dtype=object)
    missing = pd.Series(missing_v[codes], index=raw.index, copy=False)
    if (missing_v & np.array([t != "" for t in text], dtype=bool))[codes].any():
        cell_text = pd.Series(np.array(text, dtype=object)[codes], index=raw.index, copy=False)
        _note_missing(cell_text.where(missing, "x"), report, rows, label)
    parsed = pd.Series(parsed_v[codes], index=raw.index, copy=False, dtype=object)
    bad = parsed.isna() & ~missing
    return parsed, bad


def _rows_text(rows: np.ndarray, idx: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(str(int(rows[i])) for i in idx[:limit])
    return f"row {shown}" if len(idx) == 1 else (
        f"rows {shown}" + (f" and {len(idx) - limit} more" if len(idx) > limit else ""))


def _note_missing(text: pd.Series, report: ValidationReport, rows: np.ndarray,
                  label: str) -> pd.Series:
    """Mask of cells that mean "missing" (blank, NA, N/A, a dash, a full stop...).

    Blank cells are missing without comment; a written spelling of missing gets one warning per
    column naming its rows, so a "-" meant as a minus sign is never lost unseen.
    """
    lower = text.str.lower()
    missing = lower.isin(_MISSING)
    spelled = missing & text.ne("")
    if spelled.any():
        idx = np.flatnonzero(spelled.to_numpy())
        kinds = ", ".join(repr(v) for v in pd.unique(text.iloc[idx])[:6])
        report.add(WARNING, f"{kinds} read as missing in {_rows_text(rows, idx)}",
                   row=int(rows[idx[0]]), column=label, value=text.iloc[idx[0]])
    return missing


def _parse_float(raw: pd.Series, report: ValidationReport, col: Column, label: str,
                 rows: np.ndarray) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype(float), pd.Series(False, index=raw.index)
    text = _texts(raw)
    missing = _note_missing(text, report, rows, label)
    minus = text.str.contains(_UNICODE_MINUS, regex=False)
    if minus.any():
        idx = np.flatnonzero(minus.to_numpy())
        report.add(WARNING, f"Unicode minus sign (\u2212) read as a minus in "
                   f"{_rows_text(rows, idx)}", row=int(rows[idx[0]]), column=label,
                   value=text.iloc[idx[0]])
        text = text.str.replace(_UNICODE_MINUS, "-", regex=False)
    values = pd.to_numeric(text.where(~missing, None), errors="coerce")
    failed = values.isna() & ~missing
    if failed.any():
        comma = text[failed].str.fullmatch(r"[+-]?\d+,\d+")
        fixed_idx = comma[comma].index
        if len(fixed_idx):
            values.loc[fixed_idx] = pd.to_numeric(text[fixed_idx].str.replace(",", "."))
            first = fixed_idx[0]
            n_fixed = len(fixed_idx)
            report.add(WARNING, "decimal comma read as a decimal point"
                       + (f" (here and in {n_fixed - 1} more cell(s) of this column)"
                          if n_fixed > 1 else ""),
                       row=int(rows[first]), column=label, value=text[first])
            failed.loc[fixed_idx] = False
    return values.astype(float), failed


def _distinct(raw: pd.Series, given: tuple[np.ndarray, np.ndarray] | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values): ``values[codes]`` is `raw` again, a missing cell having code
    -1, which picks the trailing None. Yes/no and category columns hold a handful of distinct
    values, so each is parsed once instead of once per patient, in plain Python (pandas' fixed
    cost per call exceeds the work on a handful). ``given``: `raw` already factorised (codes,
    distinct values without the trailing None)."""
    codes, uniques = given if given is not None else pd.factorize(raw)
    values = np.empty(len(uniques) + 1, dtype=object)
    values[:-1] = list(uniques)
    return codes, values


def _parse_bool(raw: pd.Series, distinct: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return raw.astype("boolean"), pd.Series(False, index=raw.index)
    if distinct is None and isinstance(raw.dtype, pd.StringDtype):  # yes / no / blank
        yes, no = raw.eq("yes").to_numpy(bool, na_value=False), raw.eq("no").to_numpy(
            bool, na_value=False)
        blank = raw.isna().to_numpy()
        if (yes | no | blank).all():
            return (pd.Series(pd.arrays.BooleanArray(yes, blank), index=raw.index, copy=False),
                    pd.Series(False, index=raw.index))
    codes, values = _distinct(raw, distinct)
    text = [_cell_text(v).lower() for v in values]
    missing = np.array([t in _MISSING and t != "-" for t in text], dtype=bool)
    true = np.array([t in _TRUE for t in text], dtype=bool)
    unknown = ~true & ~np.array([t in _FALSE for t in text], dtype=bool)  # (no shared spelling)
    bad = unknown & ~missing
    parsed = pd.arrays.BooleanArray(true[codes], unknown[codes])
    return (pd.Series(parsed, index=raw.index, copy=False),
            pd.Series(bad[codes], index=raw.index, copy=False))


def _report_cells(report: ValidationReport, bad: pd.Series | np.ndarray, raw: pd.Series,
                  rows: np.ndarray, label: str, message: str, severity: str = ERROR,
                  limit: int = 50) -> None:
    idx = np.flatnonzero(np.asarray(bad, dtype=bool))
    for i in idx[:limit]:
        report.add(severity, message, row=int(rows[i]), column=label, value=_cell_text(raw.iloc[i]))
    if len(idx) > limit:
        report.add(severity, f"{message}: {len(idx) - limit} more cell(s) in this column",
                   column=label)


def _read_roman(series: pd.Series) -> pd.Series:
    """A copy of `series` with roman numerals ("III", "grade ii") as their numbers; other cells
    as they were (a `schema.Column` with ``roman=True``)."""
    txt = _texts(series).str.lower().str.replace("grade", "").str.strip()
    roman = txt.map(_ROMAN)
    return series.astype(object).where(roman.isna(), roman)


def _parse_column(col: Column, series: pd.Series, rows: np.ndarray, label: str,
                  report: ValidationReport,
                  distinct: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """The parsed values of one column; its problems go to `report`. ``distinct``: the column
    already factorised (codes, distinct values), if it was."""
    parser = _PARSERS.get(col.kind)
    if parser is None:  # pragma: no cover (schema.Column checks its kind)
        raise InputError(f"unknown column kind {col.kind!r}")
    if col.kind != "id" and series.dtype == object and series.isna().all():
        values = _all_blank(col, series.index)  # (in memory: a field nobody filled in)
    else:
        values = parser(col, series, rows, label, report, distinct)
    if col.every_row:
        blank = _texts(series).str.lower().isin(_MISSING).to_numpy(dtype=bool, na_value=True)
        _report_cells(report, blank, series, rows, label,
                      "empty; every row needs a value in this column")
    if col.blank_means is not None:
        values = values.fillna(col.blank_means)
    return values


def _all_blank(col: Column, index: pd.Index) -> pd.Series:
    """What the parser of `col` returns for a column of blank cells, without parsing them."""
    n = len(index)
    if col.kind == "float":
        return pd.Series(np.full(n, np.nan), index=index)
    if col.kind == "int":
        return pd.Series(pd.array([pd.NA] * n, dtype="Int64"), index=index)
    if col.kind == "bool":
        return pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=index)
    if col.kind == "timestamp":
        return pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    return pd.Series(np.nan if col.kind == "category" else None, index=index, dtype=object)


def _parse_id(col: Column, series: pd.Series, rows: np.ndarray, label: str,
              report: ValidationReport, distinct: Any = None) -> pd.Series:
    """The key of a table: text, never empty, never twice."""
    if isinstance(series.dtype, pd.StringDtype):  # text, missing as NA (C parser)
        text = _texts(series)
    elif series.map(type).eq(str).all():  # already text: strip only
        text = series.str.strip()
    else:
        text = _texts(series)
    empty = text.str.lower().isin(_MISSING)
    _report_cells(report, empty, series, rows, label, "patient_id is empty")
    dup = text.duplicated(keep=False) & ~empty
    if dup.any():
        for pid, grp in text[dup].groupby(text[dup]):
            where = _rows_text(rows, grp.index.to_numpy())
            report.add(ERROR, f"duplicated patient_id {pid!r} ({where})",
                       row=int(rows[grp.index[0]]), column=label, value=pid)
    return text.astype(object).where(~empty, None)


def _parse_number(col: Column, series: pd.Series, rows: np.ndarray, label: str,
                  report: ValidationReport, distinct: Any = None) -> pd.Series:
    values, bad = _parse_float(series, report, col, label, rows)
    _report_cells(report, bad, series, rows, label, "not a number")
    return _check_range(col, values, series, rows, label, report)


def _parse_int(col: Column, series: pd.Series, rows: np.ndarray, label: str,
               report: ValidationReport, distinct: Any = None) -> pd.Series:
    if col.roman and not pd.api.types.is_numeric_dtype(series.dtype):
        series = _read_roman(series)
    values, bad = _parse_float(series, report, col, label, rows)
    _report_cells(report, bad, series, rows, label, "not a number")
    v = values.to_numpy(dtype=float, na_value=np.nan)
    frac = ~np.isnan(v) & (v != np.round(v))
    if frac.any():
        _report_cells(report, frac, series, rows, label, "must be a whole number")
        values = values.where(~frac)
    values = _check_range(col, values, series, rows, label, report)
    v = values.to_numpy(dtype=float, na_value=np.nan)
    mask = np.isnan(v)
    return pd.Series(pd.arrays.IntegerArray(
        np.where(mask, 0, np.round(v)).astype(np.int64), mask), index=values.index,
        copy=False)  # (fresh arrays here: pandas would copy them again)


def _parse_yes_no(col: Column, series: pd.Series, rows: np.ndarray, label: str,
                  report: ValidationReport, distinct: Any = None) -> pd.Series:
    values, bad = _parse_bool(series, distinct)
    _report_cells(report, bad, series, rows, label, "expected yes/no (or 1/0, true/false)")
    return values


def _parse_one_of(col: Column, series: pd.Series, rows: np.ndarray, label: str,
                  report: ValidationReport, distinct: Any = None) -> pd.Series:
    values, bad = _parse_category(col, series, report, rows, label, distinct)
    _report_cells(report, bad, series, rows, label,
                  f"expected one of {', '.join(col.categories)}")
    return values


def _parse_text(col: Column, series: pd.Series, rows: np.ndarray, label: str,
                report: ValidationReport, distinct: Any = None) -> pd.Series:
    """Text, stripped, checked against the column's length, `Column.pattern` and
    `Column.refuse`; each bad cell reported once, by the first rule it breaks. Each distinct
    cell is checked once, in Python (codes repeat: observers, versions, the five rows of a
    reading)."""
    codes, uniques = _distinct(series, distinct)
    text = [_cell_text(v) for v in uniques[:-1]] + [""]
    if col.lower:
        text = [t.lower() for t in text]
    if col.separator:
        text = [col.separator.join(dict.fromkeys(
            part.strip() for part in t.split(col.separator) if part.strip())) for t in text]
    spelled = [t.lower() in _MISSING for t in text]
    if any(t and m for t, m in zip(text, spelled, strict=True)):
        cells = pd.Series(np.array(text, dtype=object)[codes], index=series.index, copy=False)
        _note_missing(cells, report, rows, label)
    broken = [None if m else _text_rule_broken(col, t)
              for t, m in zip(text, spelled, strict=True)]
    for message in dict.fromkeys(b for b in broken if b):
        hit = np.array([b == message for b in broken], dtype=bool)[codes]
        _report_cells(report, hit, series, rows, label, message)
    keep = np.array([not m and b is None for m, b in zip(spelled, broken, strict=True)])
    values = np.array([t if k else None for t, k in zip(text, keep, strict=True)], dtype=object)
    return pd.Series(values[codes], index=series.index, copy=False, dtype=object)


def _text_rule_broken(col: Column, text: str) -> str | None:
    """The message of the first rule of `col` that `text` breaks (None: it keeps them all)."""
    if col.max_len is not None and len(text) > col.max_len:
        return f"longer than {col.max_len} characters"
    # the refusals first: they say what the text looks like ("15/01/1980" is a date, not merely
    # a code with a slash in it)
    for rule in col.refuse:
        if re.fullmatch(rule.regex, text):
            return rule.message
    parts = text.split(col.separator) if col.separator else [text]
    if col.pattern is not None and not all(re.fullmatch(col.pattern.regex, t) for t in parts):
        return col.pattern.message
    return None


def _timestamp(value: Any) -> tuple[pd.Timestamp | None, bool]:
    """(the time in UTC to the microsecond, or None; whether the cell is bad). Text must be
    ISO 8601: "1/2/2026" (January or February?) and "now" are refused."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _MISSING:
            return None, False
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return None, True
    elif value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None, False
    if not isinstance(value, dt.datetime | np.datetime64):
        return None, True  # a number is no time
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.floor("us"), False


def _parse_timestamp(col: Column, series: pd.Series, rows: np.ndarray, label: str,
                     report: ValidationReport, distinct: Any = None) -> pd.Series:
    """Dates and times (ISO 8601 text, or datetimes; without a time zone: UTC) as
    ``datetime64[us, UTC]``; each distinct cell parsed once."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series.dt.tz_localize("UTC") if series.dt.tz is None else series.dt.tz_convert(
            "UTC")
        return values.dt.floor("us").astype("datetime64[us, UTC]")
    codes, uniques = _distinct(series.astype(object))
    parsed = [_timestamp(v) for v in uniques[:-1]] + [(None, False)]
    bad = np.array([b for _, b in parsed], dtype=bool)[codes]
    _report_cells(report, bad, series, rows, label,
                  "not a date and time (ISO 8601, e.g. 2026-01-31T14:05:00Z)")
    stamps = pd.DatetimeIndex([pd.NaT if t is None else t for t, _ in parsed], tz="UTC")
    return pd.Series(stamps[codes], index=series.index).astype("datetime64[us, UTC]")


_PARSERS = {"id": _parse_id, "float": _parse_number, "int": _parse_int, "bool": _parse_yes_no,
            "category": _parse_one_of, "text": _parse_text, "timestamp": _parse_timestamp}


def _check_range(col: Column, values: pd.Series, raw: pd.Series, rows: np.ndarray, label: str,
                 report: ValidationReport) -> pd.Series:
    """Report the values outside the column's range, then its advisory; return the values with
    those outside a hard range set missing (an erroneous value is never analysed; the error
    blocks anyway). `values` itself is left as it was.

    An out-of-range value matching one of the column's `schema.Slip` s is reported with the
    slip's message, the others with the plain range message.
    """
    checked = values
    if col.low is not None or col.high is not None:
        lo = -np.inf if col.low is None else col.low
        hi = np.inf if col.high is None else col.high
        v = values.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            outside = ~np.isnan(v) & ((v < lo) | (v > hi) | ((v == lo) & col.low_open))
        if outside.any():
            plain = outside
            for slip in col.slips:
                hit = plain & (v >= slip.low) & (v <= slip.high)
                _report_cells(report, hit, raw, rows, label, slip.message)
                plain = plain & ~hit
            _report_cells(report, plain, raw, rows, label, _range_message(col),
                          ERROR if col.hard else WARNING)
            if col.hard:
                checked = values.mask(outside)
    if col.advisory is not None:
        below = checked.notna().to_numpy() & (checked.to_numpy(dtype=float, na_value=np.nan)
                                              < col.advisory.low)
        _report_cells(report, below, raw, rows, label, col.advisory.message, WARNING,
                      col.advisory.limit)
    return checked


def _range_message(col: Column) -> str:
    lo = "" if col.low is None else (f"above {col.low:g}" if col.low_open else f"{col.low:g}")
    if col.low_open:
        msg = f"outside the plausible range: {lo}, up to {col.high:g}"
    else:
        msg = f"outside the plausible range {lo} to {col.high:g}"
    return f"{msg} {col.unit}" if col.unit else msg
