"""Decoding the files of one series side by side (internal to `vbq.imaging`).

Threads, not processes: GDCM, pydicom's first JPEG 2000 decoder (and its first for JPEG
lossless and JPEG-LS), releases the GIL while it decodes, so two files decode at once on two
cores, and the decoded arrays need no copy between processes. pylibjpeg's OpenJPEG, the second
JPEG 2000 decoder, holds the GIL (its Cython has no ``nogil`` block); uncompressed files are a
view on their bytes and gain little either way (bench/bench_imaging.py measures both)."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..errors import InputError
from ._deid import _fingerprint_key
from ._folders import _Member
from ._read import _Budget, _read_file, _Slice
from ._series import Series, _assemble
from ._sources import FileProblem


class _SharedBudget(_Budget):
    """A `_Budget` that threads spend from one at a time."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit, limit)
        self._lock = threading.Lock()

    def spend(self, need: int, what: str) -> None:
        with self._lock:
            super().spend(need, what)


def _decode_series(files: Sequence[tuple[str, Any]], label: str, *, workers: int | None,
                   progress: Callable[[int, int], object] | None,
                   max_pixel_bytes: int) -> Series:
    """Decode the files of one series side by side in threads, then sort, rescale and stack
    them as `load_series` does (`_assemble`); ``patient`` is `label`."""
    workers = _check_workers(workers, max_pixel_bytes)
    budget = _SharedBudget(max_pixel_bytes)
    memo: dict = {}
    per_file: list[list[FileProblem]] = [[] for _ in files]

    def read(k: int) -> list[_Slice]:
        name, data = files[k]
        if isinstance(data, _Member):
            try:
                data = data.read()
            except ValueError as exc:
                per_file[k].append(FileProblem(name, str(exc)))
                return []
        return _read_file(name, data, per_file[k], memo, budget)

    slices: list[_Slice] = []
    for done, got in enumerate(_mapped(read, len(files), workers), start=1):
        slices.extend(got)
        if progress is not None:
            progress(done, len(files))
    problems = [p for file_problems in per_file for p in file_problems]
    if not slices:
        detail = "; ".join(str(p) for p in problems[:20]) or "no file"
        raise InputError(f"{label}: no image of the series could be decoded: {detail}",
                         problems)
    study = _assemble(slices, problems, _fingerprint_key())
    series = study[0]
    others = [FileProblem(f"series [{i}]", "another series in the same files, not loaded",
                          "note") for i in range(1, len(study))]
    return dataclasses.replace(series, patient=label,
                               problems=(*study.problems, *series.problems, *others))


def _check_workers(workers: int | None, max_pixel_bytes: int) -> int:
    if max_pixel_bytes < 1:
        raise InputError(f"max_pixel_bytes must be positive, got {max_pixel_bytes}")
    if workers is None:
        return min(8, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"workers: expected a positive integer or None, got {workers!r}")
    return workers


def _mapped(read: Callable[[int], list[_Slice]], n: int, workers: int
            ) -> Iterable[list[_Slice]]:
    """``read(0) ... read(n - 1)`` in order, in up to `workers` threads, yielded in the calling
    thread as each completes in turn."""
    if workers == 1 or n < 2:
        yield from map(read, range(n))
        return
    with ThreadPoolExecutor(max_workers=min(workers, n)) as pool:
        yield from pool.map(read, range(n))
