"""Reading DICOM attributes without pydicom's value conversion: raw bytes, numbers from DS/IS
text, functional-group look-ups (internal to `vbq.imaging`).

Why by hand: pydicom converts an element's value on first access (DSfloat, IS, person names),
validating and sometimes logging it. Reading the raw bytes keeps identifying values out of any
warning or log and costs a fraction of the conversion for the few attributes a series needs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence as SequenceABC
from typing import Any

from pydicom.datadict import tag_for_keyword


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


@functools.cache
def _tag(keyword: str) -> int | None:
    return tag_for_keyword(keyword)


def _raw_bytes(ds: Any, keyword: str) -> bytes:
    """An element's value as bytes WITHOUT converting it (no validation warning, no log)."""
    tag = _tag(keyword)
    return b"" if tag is None else _element_bytes(ds.get_item(tag))


def _text(ds: Any, keyword: str) -> str:
    """A code-string (CS) attribute from its raw bytes: ASCII by definition (PS3.5 6.2)."""
    return _raw_bytes(ds, keyword).decode("ascii", "replace").strip(" \x00")


def _element_bytes(elem: Any) -> bytes:
    value = getattr(elem, "value", None)
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "replace")
    if isinstance(value, SequenceABC):  # MultiValue, list
        return "\\".join(str(v) for v in value).encode("utf-8", "replace")
    return str(value).encode("utf-8", "replace")


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        value = value[0] if len(value) else None
        if value is None:
            return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _numbers(ds: Any, keyword: str) -> tuple[float, ...]:
    """A DS/IS attribute parsed from its raw text (faster than pydicom's DSfloat, same values)."""
    raw = _raw_bytes(ds, keyword)
    out = []
    for part in raw.split(b"\\"):
        part = part.strip(b" \x00")
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            return ()
        if not math.isfinite(value):
            return ()
        out.append(value)
    return tuple(out)


def _vector(ds: Any, keyword: str, n: int) -> tuple[float, ...] | None:
    values = _numbers(ds, keyword)
    return values if len(values) == n else None


def _number(ds: Any, keyword: str) -> float | None:
    values = _numbers(ds, keyword)
    return values[0] if values else None


def _floats(value: Any, n: int) -> tuple[float, ...] | None:
    try:
        out = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return out if len(out) == n and all(math.isfinite(v) for v in out) else None


def _functional(ds: Any, frame: int, seq: str, attr: str) -> Any:
    """`attr` of functional-group sequence `seq` for `frame`: per-frame first, then shared."""
    for groups, index in (("PerFrameFunctionalGroupsSequence", frame),
                          ("SharedFunctionalGroupsSequence", 0)):
        items = ds.get(groups)
        if not items or index >= len(items):
            continue
        inner = items[index].get(seq)
        if inner and attr in inner[0]:
            return inner[0].get(attr)
    return None


def _us(ds: Any, keyword: str) -> int | None:
    """A single Unsigned Short (US) of a little-endian dataset, from its two raw bytes (without
    pydicom's element conversion); None when absent or not one value."""
    tag = _tag(keyword)
    value = getattr(ds.get_item(tag), "value", None) if tag is not None else None
    if isinstance(value, bytes):
        return int.from_bytes(value, "little") if len(value) == 2 else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None

