"""Headers: the comparison key of a header, the schema's lookup, finding the header row."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import InputError
from ..schema import COHORT_COLUMNS, DXA_COLUMNS, MEASUREMENT_COLUMNS, Column
from . import _source
from ._cells import _cell_text


def normalise_header(text: Any) -> str:
    """Comparison key of a header: lower case, units in brackets dropped, only letters and digits.

    >>> normalise_header("L1-4 BMD (g/cm2)")
    'l1l4bmd'
    """
    s = str(text).strip().lower()
    s = re.sub(r"\(.*?\)|\[.*?\]", "", s)
    s = s.replace("µ", "u")
    s = re.sub(r"[^a-z0-9]", "", s)
    s = re.sub(r"l1l?4", "l1l4", s)  # "L1-4", "L1-L4", "L14"
    return s.replace("tscore", "t")


def _lookup(columns: Sequence[Column]) -> dict[str, str]:
    table: dict[str, str] = {}
    for c in columns:
        for key in (c.name, *c.synonyms):
            table.setdefault(normalise_header(key), c.name)
    return table


_COHORT_LOOKUP = _lookup(COHORT_COLUMNS)
_DXA_LOOKUP = _lookup(DXA_COLUMNS)
_MEASUREMENT_LOOKUP = _lookup(MEASUREMENT_COLUMNS)


def suggest_mapping(headers: Iterable[Any], kind: str = "cohort") -> dict[str, str | None]:
    """Map each header to a canonical column name (None when unrecognised).

    Parameters
    ----------
    headers : iterable
        Headers as written in the file.
    kind : {"cohort", "dxa", "measurements"}
    """
    lookup = _kind(kind)[1]
    return {str(h): lookup.get(normalise_header(h)) for h in headers}


def _kind(kind: str) -> tuple[Sequence[Column], dict[str, str]]:
    if kind == "cohort":
        return COHORT_COLUMNS, _COHORT_LOOKUP
    if kind == "dxa":
        return DXA_COLUMNS, _DXA_LOOKUP
    if kind == "measurements":
        return MEASUREMENT_COLUMNS, _MEASUREMENT_LOOKUP
    raise InputError(f"kind: expected 'cohort', 'dxa' or 'measurements', got {kind!r}")


_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]*\.?[0-9]+")


def _header_key(cell: Any) -> str:
    """`normalise_header` of a cell; a plain number (most cells of the rows under the header)
    is keyed by its digits without the regular expressions."""
    text = str(cell)
    if _PLAIN_NUMBER.fullmatch(text):
        return text.replace("+", "").replace("-", "").replace(".", "")
    return normalise_header(text)


def _find_header(cells: list[list[Any]], lookup: dict[str, str]) -> int | None:
    best, best_i = 0, None
    keys: dict[str, str] = {}  # each distinct cell keyed once (yes, no, F, M... repeat)
    for i, row in enumerate(cells[:_source.HEADER_ROWS]):
        found = set()
        for c in row:
            if not _cell_text(c):
                continue
            text = str(c)
            k = keys.get(text)
            if k is None:
                k = keys[text] = _header_key(text)
            if k in lookup:
                found.add(lookup[k])
        hits = len(found)
        if hits > best:
            best, best_i = hits, i
    return best_i if best >= 1 else None


def _headers_for(lookup: dict[str, str], targets: set[str]) -> set[str]:
    """Any header text that maps to one of `targets` is recognised by its normalised key; this
    returns the keys, which `_fast_csv_grid` compares after normalising."""
    return {k for k, v in lookup.items() if v in targets}
