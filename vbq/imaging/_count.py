"""Series counted from the files' first bytes, before any file is parsed (internal to
`vbq.imaging`).

Reading a file costs about 17 ms (pydicom's parse, the series' technical attributes, the
series' assembly), so 4,999 one-pixel files, each its own series, took 13 s before the page
could list 4,999 series (issue 18). A load is refused past a stated number of series, counted
here from the raw Study and Series Instance UIDs (0020,000D) and (0020,000E) found in each
file's first 16 KiB, at a few microseconds a file. The loaders count again as they parse (a
file whose UIDs sit beyond its first 16 KiB, or a deflated one, escapes this count, not that
one), so the bound holds either way; this count only makes the common case fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..errors import InputError

#: Series one `load_study` may hold (a lumbar MR study has fewer than 30), and one study of a
#: worklist.
MAX_SERIES = 100
#: Series one worklist may hold: a cohort of 250 studies of about 6 series each is 1,500.
MAX_WORKLIST_SERIES = 2000

_HEAD = 16 * 1024  # bytes of each file searched for its UIDs
_STUDY_UID = b"\x20\x00\x0d\x00"
_SERIES_UID = b"\x20\x00\x0e\x00"
_UID = re.compile(rb"[0-9.]{1,64}")


def _uid(head: bytes, tag: bytes) -> bytes | None:
    """The UID of element `tag` in little-endian `head` (explicit VR "UI" or implicit), or
    None when it is not found as a well-formed UID (a match inside another value is skipped:
    a UID is digits and dots, at most 64 bytes)."""
    start = 132  # the preamble and "DICM"
    while (i := head.find(tag, start)) >= 0:
        start = i + 1
        if head[i + 4:i + 6] == b"UI":  # explicit VR: 2-byte length
            n, at = int.from_bytes(head[i + 6:i + 8], "little"), i + 8
        else:  # implicit VR: 4-byte length
            n, at = int.from_bytes(head[i + 4:i + 8], "little"), i + 8
        value = head[at:at + n].rstrip(b"\x00 ")
        if 0 < n <= 64 and at + n <= len(head) and _UID.fullmatch(value):
            return value
    return None


def _head(data: Any) -> bytes:
    """The first bytes of a file given as bytes, a path or a zip member (`_folders._Member`)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data[:_HEAD])
    try:
        if hasattr(data, "open"):
            with data.lock, data.open() as fh:
                return fh.read(_HEAD)
        with open(data, "rb") as fh:
            return fh.read(_HEAD)
    except (OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        return b""  # named when the file is read


def _series_per_study(files: Iterable[Any]) -> dict[bytes, set[bytes]]:
    """{Study Instance UID: its Series Instance UIDs} of the files whose first bytes name them."""
    studies: dict[bytes, set[bytes]] = {}
    for data in files:
        head = _head(data)
        if head[128:132] != b"DICM":
            continue
        series = _uid(head, _SERIES_UID)
        if series is not None:
            studies.setdefault(_uid(head, _STUDY_UID) or b"", set()).add(series)
    return studies


def _check_series(files: Iterable[Any], *, max_series: int,
                  per_study: int | None = None) -> None:
    """Refuse (`InputError` naming the limit) when the files hold more than `max_series`
    series in all, or more than `per_study` in one study, as counted from their first
    bytes."""
    tally = _Tally(max_series, per_study)
    for study, series in _series_per_study(files).items():
        tally.add_all(study, series)


class _Tally:
    """Series counted as files are read: `add` raises `InputError` naming the limit once
    there are more than `max_series` in all, or more than `per_study` in one study."""

    def __init__(self, max_series: int, per_study: int | None = None) -> None:
        self.max_series, self.per_study = max_series, per_study
        self.studies: dict[Any, set] = {}
        self.total = 0

    def add(self, study: Any, series: Any) -> None:
        self.add_all(study, (series,))

    def add_all(self, study: Any, series: Iterable[Any]) -> None:
        known = self.studies.setdefault(study, set())
        before = len(known)
        known.update(series)
        self.total += len(known) - before
        if self.total > self.max_series:
            raise InputError(f"the files hold more than {self.max_series:,} series, the most "
                             f"one load may hold; not loaded ({_TYPICAL}: load fewer files at "
                             "once)")
        if self.per_study is not None and len(known) > self.per_study:
            raise InputError(f"one study in the files holds more than {self.per_study:,} "
                             f"series, the most one study may hold; not loaded ({_TYPICAL})")


_TYPICAL = "an MR study of the lumbar spine has fewer than 30 series"
