"""Decoding the files of one series side by side (internal to `vbq.imaging`).

Processes, not threads, for compressed pixel data: neither of pydicom's JPEG 2000 decoders
here lets go of the GIL while it decodes (GDCM's SWIG wrapper calls no
``PyEval_SaveThread``; pylibjpeg's OpenJPEG Cython has no ``nogil`` block and reads through a
Python file object), so threads decode one file at a time. A pool of worker processes (started
once per Python process from `vbq._worker`'s fork server, ``spawn`` where there is none, and
kept) decodes a compressed series' files at once; each worker reads and checks its file
exactly as a serial load does (`_read_file`) and sends back its slices. Uncompressed files are a view on their
bytes (`_native_view`): copying them between processes costs more than it saves, so they are
read here, one after another. bench/bench_imaging.py --worklist measures both against plain
pydicom.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .. import _worker
from ..errors import InputError
from ._deid import _fingerprint_key
from ._folders import _Member, _Unreadable
from ._read import _Budget, _mib, _read_file, _Slice
from ._series import Series, _assemble
from ._sources import FileProblem

MAX_WORKERS = 4  # processes decoding at once, at most (and at most the processors)
_POOL: dict[int, Executor] = {}  # workers -> the pool, made on first use, kept for the process
_POOL_LOCK = threading.Lock()


def _pool(workers: int) -> Executor:
    """The process pool of `workers` workers, started on first use and kept (a worklist opens
    series after series: starting workers for each would cost more than decoding)."""
    with _POOL_LOCK:
        if workers not in _POOL:
            # the fork server (shared with `vbq._worker`) imports vbq.imaging once and forks
            # each worker from it
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=_worker.context())
            with _worker.without_main():
                # a worker starts on a submit that finds none idle: these start all of them
                # now, while no main script is named (each holds its worker 50 ms, once)
                for _ in range(workers):
                    pool.submit(time.sleep, 0.05)
            _POOL[workers] = pool
        return _POOL[workers]


@atexit.register
def _shutdown() -> None:
    with _POOL_LOCK:
        for pool in _POOL.values():
            pool.shutdown(wait=False, cancel_futures=True)
        _POOL.clear()


def _decode_file(name: str, data: bytes | str, max_pixel_bytes: int
                 ) -> tuple[list[_Slice], list[FileProblem]]:
    """One file read and decoded as a serial load does (in a worker process)."""
    problems: list[FileProblem] = []
    slices = _read_file(name, data, problems, {}, _Budget(max_pixel_bytes, max_pixel_bytes))
    return slices, problems


def _decode_series(files: Sequence[tuple[str, Any]], label: str, *, workers: int | None,
                   progress: Callable[[int, int], object] | None,
                   max_pixel_bytes: int, compressed: bool = True) -> Series:
    """Decode the files of one series (compressed ones in worker processes), then sort,
    rescale and stack them as `load_series` does (`_assemble`); ``patient`` is `label`."""
    workers = _check_workers(workers, max_pixel_bytes)
    if not compressed or len(files) < 2:
        workers = 1
    budget = _Budget(max_pixel_bytes, max_pixel_bytes)
    per_file: list[list[FileProblem]] = [[] for _ in files]
    slices: list[_Slice] = []
    for done, (k, got) in enumerate(_decoded(files, workers, budget, per_file), start=1):
        slices.extend(_within_budget(files[k][0], got, budget, per_file[k]))
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
        return max(1, min(MAX_WORKERS, os.cpu_count() or 1))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"workers: expected a positive integer or None, got {workers!r}")
    return workers


def _bytes_of(name: str, data: Any, problems: list[FileProblem]) -> bytes | str | None:
    """A zip member's bytes (a path or bytes as they are); None, named, when unreadable."""
    if isinstance(data, _Unreadable):
        problems.append(FileProblem(name, data.reason))
        return None
    if not isinstance(data, _Member):
        return data
    try:
        return data.read()
    except ValueError as exc:
        problems.append(FileProblem(name, str(exc)))
        return None


def _decoded(files: Sequence[tuple[str, Any]], workers: int, budget: _Budget,
             per_file: list[list[FileProblem]]):
    """(file index, its slices) for every file in order: in the pool when `workers` is more
    than 1, else (or from the first file the pool could not give, when it cannot start or
    breaks) in this process, one after another."""
    start = 0
    if workers > 1:
        try:
            pool = _pool(workers)
            futures = []
            for k, (name, data) in enumerate(files):
                data = _bytes_of(name, data, per_file[k])
                futures.append(None if data is None else
                               pool.submit(_decode_file, name, data, budget.limit))
            for k, future in enumerate(futures):
                start = k
                if future is None:
                    yield k, []
                    continue
                got, problems = future.result()
                per_file[k].extend(problems)
                yield k, got
            return
        except (BrokenProcessPool, OSError, RuntimeError):
            with _POOL_LOCK:
                _POOL.pop(workers, None)
            for k in range(start, len(per_file)):
                per_file[k].clear()
    for k in range(start, len(files)):
        name, data = files[k]
        data = _bytes_of(name, data, per_file[k])
        yield k, ([] if data is None else _read_file(name, data, per_file[k], {},
                                                     _Budget(budget.limit, budget.limit)))


def _within_budget(name: str, slices: list[_Slice], budget: _Budget,
                   problems: list[FileProblem]) -> list[_Slice]:
    """The file's slices when their decoded samples and float32 copy fit what is left of the
    load's budget (charged), else none, with the reason."""
    need = sum(s.pixels.nbytes + 4 * s.pixels.size for s in slices)
    if need > budget.left:
        problems.append(FileProblem(name, f"its pixels need {_mib(need)} in memory, more than "
                                          f"the {_mib(budget.left)} left of the "
                                          f"{_mib(budget.limit)} one load may use; not read"))
        return []
    budget.left -= need
    return slices
