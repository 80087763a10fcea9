"""The memory one load may spend, and what a file will cost before it is opened (internal to
`vbq.imaging`).

A load is given a budget (`MAX_PIXEL_BYTES` unless the caller sets ``max_pixel_bytes``) and
charges it, before allocating, with what the input's own size does not already pay for: the
bytes a zip member unpacks to, the data set a deflated file inflates to, the decoded samples
of each file and the series array they are stacked into. What is over is refused with the file
and the limit named; nothing is allocated for it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

MAX_PIXEL_BYTES = 512 * 1024**2
"""Memory one load may spend beyond its input (512 MiB): bytes unpacked from zips, data sets
inflated from deflated files, decoded samples and the series arrays."""

_DEFLATED = "1.2.840.10008.1.2.1.99"  # Deflated Explicit VR Little Endian
_CHUNK = 4 * 1024**2  # inflated at most this much at a time
# value representations with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2)
_LONG_VRS = frozenset({b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN",
                       b"UR", b"UT", b"UV"})
_UNDEFINED = 0xFFFFFFFF


class OverBudget(Exception):
    """A need past what is left of the budget; `message` says what, how much and the limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class _Budget:
    """What is left of `MAX_PIXEL_BYTES` (or the caller's limit) in one load."""

    limit: int
    left: int

    def check(self, need: int, what: str) -> None:
        """Raise `OverBudget` when `need` bytes are more than is left."""
        if need > self.left:
            raise OverBudget(f"{what} need {_mib(need)} in memory, more than the "
                             f"{_mib(self.left)} left of the {_mib(self.limit)} one load may "
                             "use; not read")

    def spend(self, need: int, what: str) -> None:
        self.check(need, what)
        self.left -= need


def _mib(n: int) -> str:
    return f"{n / 1024**2:,.0f} MiB" if n >= 1024**2 else f"{n:,} bytes"


MAX_SEQUENCE_DEPTH = 64
"""Sequences nested deeper are refused before pydicom reads the file (it recurses once per
level and fails between 100 and 200; real files nest fewer than ten deep)."""
_IMPLICIT = "1.2.840.10008.1.2"  # Implicit VR Little Endian


class TooDeep(Exception):
    """Sequences nested more than `MAX_SEQUENCE_DEPTH` deep."""


def deflated_size(data: bytes, limit: int) -> tuple[int, int]:
    """(size of the inflated data set, bytes of pixel data it declares) of a Deflated Explicit
    VR Little Endian file; (0, 0) for any other transfer syntax. Once the lengths the data set
    declares pass `limit` it stops and returns what it has counted (more than `limit`).

    pydicom inflates the whole data set in one call before reading it, so a file of 262 KB
    could claim gigabytes; this looks first, without keeping what it inflates. It walks the
    element headers (`_walk`) and stops on a declared length as soon as it is read, so a
    bomb costs the few bytes up to its header, not the time to inflate it (inflating 256 MiB
    of zeros takes seconds on a busy server). Raises `TooDeep` for sequences nested past
    `MAX_SEQUENCE_DEPTH`."""
    start, syntax = _meta_end(data)
    if syntax != _DEFLATED:
        return 0, 0
    stream = _Inflating(data[start:])
    try:
        return _walk(stream, limit, implicit=False)
    except zlib.error:
        return stream.end, 0  # pydicom names the damage


def check_depth(data: bytes) -> None:
    """Raise `TooDeep` when a little-endian file (not deflated: `deflated_size` walks those)
    nests sequences more than `MAX_SEQUENCE_DEPTH` deep. A file with fewer items than that
    (nearly every file; counted in C) is not walked."""
    if data.count(b"\xfe\xff\x00\xe0") <= MAX_SEQUENCE_DEPTH:
        return
    start, syntax = _meta_end(data)
    if start is None or syntax == _DEFLATED or syntax == "1.2.840.10008.1.2.2":
        return  # deflated: walked by deflated_size; big endian (retired): pydicom's own guard
    _walk(_Plain(data, start), len(data), implicit=syntax == _IMPLICIT)


def _meta_end(data: bytes) -> tuple[int | None, str]:
    """Where the data set starts (after the file meta group) and the Transfer Syntax UID;
    (None, "") when the meta group is not where PS3.10 puts it."""
    if data[132:136] != b"\x02\x00\x00\x00":
        return None, ""
    end = 144 + int.from_bytes(data[140:144], "little")
    at = data.find(b"\x02\x00\x10\x00UI", 144, end)
    if at < 0:
        return None, ""
    n = int.from_bytes(data[at + 6:at + 8], "little")
    return end, data[at + 8:at + 8 + n].rstrip(b"\x00 ").decode("ascii", "replace")


class _Plain:
    """The `_Inflating` interface over a data set already in memory."""

    def __init__(self, data: bytes, start: int) -> None:
        self._data = memoryview(data)[start:]
        self.end = len(data) - start

    def at(self, pos: int, n: int) -> bytes:
        return bytes(self._data[pos:pos + n])

    def skip(self, pos: int) -> None:
        pass

    def count_rest(self, limit: int) -> int:
        return self.end


class _Inflating:
    """A deflated stream inflated on demand: `at(pos, n)` gives bytes at an offset of the
    inflated data, `skip(pos)` inflates up to `pos` without keeping it; `end` is how far it
    has inflated. Only a window of at most one chunk is kept."""

    def __init__(self, compressed: bytes) -> None:
        self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        self._tail = compressed
        self._buf = b""
        self._start = 0  # offset of _buf[0] in the inflated data
        self.end = 0

    def _more(self, want: int) -> bool:
        """Inflate about `want` bytes more (at least 64 KiB, at most a chunk)."""
        if not self._tail:
            return False
        before = len(self._tail)
        got = self._z.decompress(self._tail, min(_CHUNK, max(want, 65536)))
        self._tail = b"" if self._z.eof else self._z.unconsumed_tail  # anything after: unused
        self._buf += got
        self.end += len(got)
        return bool(got) or len(self._tail) < before  # no progress: a damaged stream

    def at(self, pos: int, n: int) -> bytes:
        while self.end < pos + n and self._more(pos + n - self.end):
            pass
        return self._buf[pos - self._start:pos - self._start + n]

    def skip(self, pos: int) -> None:
        while True:
            if pos <= self.end:
                if pos - self._start > _CHUNK:  # drop what is behind, a chunk at a time
                    self._buf = self._buf[pos - self._start:]
                    self._start = pos
                return
            self._buf, self._start = b"", self.end
            if not self._more(pos - self.end):
                return

    def count_rest(self, limit: int) -> int:
        """Inflate to the end (or past `limit`), keeping nothing; the total size."""
        self._buf, self._start = b"", self.end
        while self.end <= limit and self._more(_CHUNK):
            self._buf, self._start = b"", self.end
        return self.end


def _walk(stream: Any, limit: int, *, implicit: bool) -> tuple[int, int]:
    """Element by element through a data set (PS3.5 7.1, 7.5), without recursion: a sequence or
    item is walked into, a value skipped by its declared length. Returns (size, pixel bytes),
    early (a size past `limit`) when a declared length passes it; raises `TooDeep` when more
    than `MAX_SEQUENCE_DEPTH` sequences are open. A header it cannot follow (an
    undefined-length UN in explicit VR) ends the walk: the rest is counted."""
    pos, pixels, nesting = 0, 0, _Nesting()
    while True:
        nesting.close_before(pos)
        head = stream.at(pos, 12)
        if len(head) < 8:
            return max(pos, stream.end), pixels
        tag = (int.from_bytes(head[:2], "little"), int.from_bytes(head[2:4], "little"))
        step = _step(head, tag, implicit, nesting.fragments)
        if step is None:
            return stream.count_rest(limit), pixels
        size, length, kind = step
        nesting.note(kind, pos + size, length)
        if kind == "value":
            pixels = length if tag == (0x7FE0, 0x0010) else pixels
            pos += length
        pos += size
        if pos > limit:
            return pos, pixels
        stream.skip(pos)


class _Nesting:
    """The sequences open at a point of the walk (each one's end, or None: until its
    delimiter), and whether encapsulated pixel data's fragments are being walked."""

    def __init__(self) -> None:
        self.ends: list[int | None] = []
        self.fragments = False

    def close_before(self, pos: int) -> None:
        while self.ends and self.ends[-1] is not None and self.ends[-1] <= pos:
            self.ends.pop()

    def note(self, kind: str, value_at: int, length: int) -> None:
        if kind == "sequence":
            self.ends.append(None if length == _UNDEFINED else value_at + length)
            if len(self.ends) > MAX_SEQUENCE_DEPTH:
                raise TooDeep(f"sequences nested more than {MAX_SEQUENCE_DEPTH} levels deep "
                              "(a malformed file); not read")
        elif kind == "end of sequence":
            if self.fragments:
                self.fragments = False
            elif self.ends:
                self.ends.pop()
        elif kind == "fragments":
            self.fragments = True


def _step(head: bytes, tag: tuple[int, int], implicit: bool, fragments: bool
          ) -> tuple[int, int, str] | None:
    """(header size, value length, kind) of the element at `head`: a "value" to skip, a
    "sequence" or "item" to walk into, "fragments" (encapsulated pixel data follows as items),
    an "end of sequence"; None when the walk cannot follow it."""
    if tag[0] == 0xFFFE:  # item or delimiter: a tag and a 4-byte length, no VR
        length = int.from_bytes(head[4:8], "little")
        if tag[1] == 0xE0DD:
            return 8, 0, "end of sequence"
        if tag[1] == 0xE000 and fragments and length != _UNDEFINED:
            return 8, length, "value"  # a fragment of encapsulated pixel data
        return 8, 0, "item"
    if implicit:  # PS3.5 7.1.3: a 4-byte length; undefined only for a sequence
        length = int.from_bytes(head[4:8], "little")
        if length == _UNDEFINED:
            return 8, length, "fragments" if tag == (0x7FE0, 0x0010) else "sequence"
        return 8, length, "value"
    vr = head[4:6]
    if vr in _LONG_VRS:
        length = int.from_bytes(head[8:12], "little")
        if vr == b"SQ":
            return 12, length, "sequence"
        if length == _UNDEFINED:
            return (12, 0, "fragments") if vr in (b"OB", b"OW") else None
        return 12, length, "value"
    if vr.isalpha():
        return 8, int.from_bytes(head[6:8], "little"), "value"
    return None
