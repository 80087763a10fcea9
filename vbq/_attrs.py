"""Immutable containers for `DataFrame.attrs`.

pandas deep-copies ``attrs`` whenever an operation derives a new frame (every column access,
filter or merge), so a large exclusion log stored as plain lists would be copied again and again.
These containers are immutable, so their deep copy is themselves: O(1) instead of O(size). Both
pickle (Streamlit's cache pickles what it stores).
"""

from __future__ import annotations

from typing import Any


class FrozenList(tuple):
    """A tuple whose `copy.deepcopy` is itself (its items must be immutable)."""

    def __deepcopy__(self, memo: dict) -> FrozenList:
        return self


class FrozenDict(dict):
    """A read-only dict whose `copy.deepcopy` is itself (its values must be immutable)."""

    def _readonly(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("this mapping is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _readonly  # type: ignore[assignment]

    def __deepcopy__(self, memo: dict) -> FrozenDict:
        return self

    def __reduce__(self):
        return (FrozenDict, (dict(self),))


def frozen_records(records: list[dict[str, Any]]) -> FrozenList:
    """Records as read-only dicts in a `FrozenList`."""
    return FrozenList(FrozenDict(r) for r in records)
