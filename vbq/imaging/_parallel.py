"""Decoding the files of one series side by side (internal to `vbq.imaging`).

Processes, not threads, for compressed pixel data: neither of pydicom's JPEG 2000 decoders
here lets go of the GIL while it decodes (GDCM's SWIG wrapper calls no
``PyEval_SaveThread``; pylibjpeg's OpenJPEG Cython has no ``nogil`` block and reads through a
Python file object), so threads decode one file at a time. A pool of worker processes (started
once per Python process from `vbq._worker`'s fork server, ``spawn`` where there is none, in a
background thread, and kept) decodes a compressed series' files at once; each worker reads and checks its
file exactly as a serial load does (`_read_file`) and sends back its slices. Until the
workers run (the first series of a session) the files are decoded in this process. Uncompressed files are a view on their
bytes (`_native_view`): copying them between processes costs more than it saves, so they are
read here, one after another. bench/bench_imaging.py --worklist measures both against plain
pydicom.
"""

from __future__ import annotations

import atexit
import dataclasses
import multiprocessing
import multiprocessing.connection
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pydicom.pixels
from pydicom.uid import (
    JPEG2000,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGLSLossless,
    RLELossless,
)

from .. import _worker
from ..errors import InputError
from ._deid import _fingerprint_key
from ._folders import _Member, _Unreadable
from ._read import _Budget, _mib, _read_file, _Slice
from ._series import Series, _assemble
from ._sources import FileProblem

MAX_WORKERS = 4  # processes decoding at once, at most (and at most the processors)
_CHUNKS_PER_WORKER = 10  # tasks per worker for a long series (`_pooled`)
_WATCH_S = 1.0  # how often a wait on the pool looks whether its workers live (`_result`)
# the compressed syntaxes whose decoder plugins each worker imports while it starts (pydicom
# imports them on first use: GDCM alone takes about 0.1 s)
_WARM_SYNTAXES = (JPEG2000, JPEG2000Lossless, RLELossless, JPEGBaseline8Bit, JPEGLSLossless)


@dataclasses.dataclass
class _Starting:
    """A pool of worker processes being started in the background; `pool` is set (None when
    it could not start) before `ready` is."""

    pool: Executor | None = None
    ready: threading.Event = dataclasses.field(default_factory=threading.Event)


_POOLS: dict[int, _Starting] = {}  # workers -> its pool, started on first use, kept
_POOL_LOCK = threading.Lock()
_STOP_LOCK = threading.Lock()


def _ready_pool(workers: int, *, wait: bool = False) -> Executor | None:
    """The pool of `workers` worker processes once its workers run, else None (or, with
    `wait`, once it runs or has failed to start).

    The first call starts the pool in a background thread and returns None at once: starting
    the workers (a fresh interpreter importing numpy, pandas and pydicom, about 3 s on a busy
    2-core machine) costs more than decoding a series in this process, so the first series
    is decoded here while the workers start, and the next ones by the workers, which are
    kept (a worklist opens series after series)."""
    with _POOL_LOCK:
        starting = _POOLS.get(workers)
        if starting is None:
            starting = _POOLS[workers] = _Starting()
            threading.Thread(target=_start, args=(workers, starting), daemon=True,
                             name="vbq-decode-pool").start()
    if wait:
        starting.ready.wait()
    return starting.pool if starting.ready.is_set() else None


def _start(workers: int, starting: _Starting) -> None:
    """Start the pool (``forkserver``, ``spawn`` where there is none) and each of its workers,
    which import the decoder plugins; `starting` says when it is done."""
    pool = None
    before: set[multiprocessing.Process] = set()
    try:
        # the fork server (shared with `vbq._worker`) imports vbq.imaging once and forks
        # each worker from it
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_worker.context())
        before = set(multiprocessing.active_children())
        with _worker.without_main():
            # a worker starts on a submit that finds none idle: these start all of them now,
            # while no main script is named (each holds its worker at least 50 ms, once)
            warming = [pool.submit(_warm) for _ in range(workers)]
        for future in warming:
            future.result()
        starting.pool = pool
    except (BrokenProcessPool, OSError, RuntimeError):  # decoded in the caller from now on
        # (RuntimeError also when the interpreter exits while the pool starts)
        if pool is not None:
            _abandon(pool, set(multiprocessing.active_children()) - before)
    finally:
        starting.ready.set()


def _abandon(pool: ProcessPoolExecutor, launched: set[multiprocessing.Process]) -> None:
    """Stop a pool that failed to start, and the worker processes it `launched`, before this
    process's semaphores go (a worker still starting then prints a traceback about them).

    A submit launches a worker, then starts the pool's manager thread, which stops the
    workers. From Python 3.12 no thread starts once the interpreter has begun to exit, so a
    submit under way as the main script ends launches a worker that nothing will stop (and
    `shutdown(wait=True)` raises, the thread never having started): those are stopped here."""
    try:
        pool.shutdown(wait=True, cancel_futures=True)
    except RuntimeError:  # its manager thread never started
        for process in launched:
            process.terminate()
        for process in launched:
            process.join(_EXIT_WAIT_S)


def _warm() -> list[tuple[str, ...]]:
    """In a worker as it starts: import the decoder plugins (pydicom imports them as it lists
    a decoder's available plugins, which are returned)."""
    plugins = [pydicom.pixels.get_decoder(syntax).available_plugins
               for syntax in _WARM_SYNTAXES]
    time.sleep(0.05)
    return plugins


def _forget(workers: int, pool: Executor) -> None:
    """A broken pool is dropped (the next load starts a new one)."""
    with _POOL_LOCK:
        starting = _POOLS.get(workers)
        if starting is not None and starting.pool is pool:
            del _POOLS[workers]


_EXIT_WAIT_S = 30.0


@atexit.register
def _shutdown() -> None:
    """Stop the pools as the interpreter exits; a pool still starting finishes first (a worker
    half started as its parent exits finds the parent's semaphores gone and prints a
    traceback)."""
    with _POOL_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for starting in pools:
        starting.ready.wait(_EXIT_WAIT_S)
        if starting.pool is not None:
            starting.pool.shutdown(wait=False, cancel_futures=True)


def _decode_files(chunk: Sequence[tuple[str, bytes | str]], max_pixel_bytes: int
                  ) -> list[tuple[list[_Slice], list[FileProblem]]]:
    """Files read and decoded as a serial load does (in a worker process); the series-level
    attributes are read once per chunk (`_read_file`'s memo)."""
    memo: dict = {}
    out = []
    for name, data in chunk:
        problems: list[FileProblem] = []
        slices = _read_file(name, data, problems, memo,
                            _Budget(max_pixel_bytes, max_pixel_bytes))
        out.append((slices, problems))
    return out


def _decode_series(files: Sequence[tuple[str, Any]], label: str, *, workers: int | None,
                   progress: Callable[[int, int], object] | None,
                   max_pixel_bytes: int, compressed: bool = True,
                   limit: _Limit | None = None) -> Series:
    """Decode the files of one series (compressed ones in worker processes), then sort,
    rescale and stack them as `load_series` does (`_assemble`); ``patient`` is `label`.
    With `limit`, only the pool decodes (the caller checked `pool_ready`), stopped and
    refused past the limit."""
    workers = _check_workers(workers, max_pixel_bytes)
    if not compressed or len(files) < 2:
        workers = 1
    budget = _Budget(max_pixel_bytes, max_pixel_bytes)
    per_file: list[list[FileProblem]] = [[] for _ in files]
    slices: list[_Slice] = []
    decoded = _decoded(files, workers, budget, per_file, limit)
    for done, (k, got) in enumerate(decoded, start=1):
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
             per_file: list[list[FileProblem]], limit: _Limit | None = None):
    """(file index, its slices) for every file in order: in the pool when `workers` is more
    than 1 and its workers run (`_ready_pool`), else (or from the first file the pool could
    not give, when it breaks) in this process, one after another."""
    start = 0
    pool = _ready_pool(workers) if workers > 1 else None
    if pool is None and limit is not None:
        raise InputError(f"{limit.what}: the decoding workers are not running; not loaded. "
                         "Try again.")
    if pool is not None:
        try:
            for k, got in _pooled(pool, files, workers, budget.limit, per_file, limit):
                yield k, got
                start = k + 1
            return
        except FutureTimeout:
            _stop(workers, pool)
            raise InputError(limit.refusal()) from None
        except (BrokenProcessPool, OSError, RuntimeError):
            _stop(workers, pool)  # its manager may be stuck on a dead worker's message
            if limit is not None:  # never decoded here, on the server's script thread
                raise InputError(f"{limit.what}: the decoding workers stopped; not loaded. "
                                 f"{limit.hint}").rstrip() from None
            for k in range(start, len(per_file)):
                per_file[k].clear()
    memo: dict = {}  # the series-level attributes, read once for the load (`_read_file`)
    for k in range(start, len(files)):
        name, data = files[k]
        data = _bytes_of(name, data, per_file[k])
        yield k, ([] if data is None else _read_file(name, data, per_file[k], memo,
                                                     _Budget(budget.limit, budget.limit)))


def _pooled(pool: Executor, files: Sequence[tuple[str, Any]], workers: int,
            max_pixel_bytes: int, per_file: list[list[FileProblem]],
            limit: _Limit | None = None):
    """(file index, its slices) for every file in order, decoded by the pool in chunks of
    consecutive files, `_CHUNKS_PER_WORKER` per worker: one file a task for a short series (on a
    busy machine a worker that is paused leaves its next files to the other), a few for a long
    one (each task reads the series-level attributes once, 1 ms)."""
    jobs = []
    for k, (name, data) in enumerate(files):
        data = _bytes_of(name, data, per_file[k])
        if data is not None:
            jobs.append((k, name, data))
    size = max(1, -(-len(jobs) // (_CHUNKS_PER_WORKER * workers)))
    where: dict[int, tuple[Any, int]] = {}  # file index -> (its chunk's future, place in it)
    for i in range(0, len(jobs), size):
        chunk = jobs[i:i + size]
        future = pool.submit(_decode_files, [(name, data) for _, name, data in chunk],
                             max_pixel_bytes)
        where.update((k, (future, place)) for place, (k, _, _) in enumerate(chunk))
    for k in range(len(files)):
        if k not in where:
            yield k, []
            continue
        future, place = where[k]
        got, problems = _result(pool, future, limit)[place]
        per_file[k].extend(problems)
        yield k, got


def _result(pool: Executor, future: Any, limit: _Limit | None) -> Any:
    """`future`'s result (``FutureTimeout`` past `limit`), watching the pool's workers.

    A worker that dies while it writes its result (the kernel's out-of-memory killer picks
    the largest process, and one holding a pickled series is) leaves part of a message in the
    pool's result pipe, and the pool's manager thread waits for the rest instead of seeing
    the death (see `_stop`): the future would never end. So the wait looks every `_WATCH_S`
    seconds whether a worker has ended (the workers of a running pool never do) and takes
    the pool as broken then."""
    while True:
        wait = _WATCH_S if limit is None else min(_WATCH_S, limit.left())
        try:
            return future.result(wait)
        except FutureTimeout:
            if limit is not None and limit.left() <= 0:
                raise
            if _lost_a_worker(pool):
                raise BrokenProcessPool("a decoding worker ended before sending its "
                                        "result") from None


def _lost_a_worker(pool: Executor) -> bool:
    """Whether a worker process of `pool` has ended."""
    processes = getattr(pool, "_processes", None)
    if not processes:  # shut down (None) or no ProcessPoolExecutor
        return False
    sentinels = [process.sentinel for process in list(processes.values())]
    return bool(multiprocessing.connection.wait(sentinels, timeout=0))


@dataclasses.dataclass(frozen=True)
class _Limit:
    """How long a decode in the pool may take, and what its refusal says (the words of
    `vbq._worker`'s refusal for a read past its time limit)."""

    what: str
    seconds: float
    hint: str = ""
    deadline: float = dataclasses.field(default=0.0)

    @classmethod
    def starting_now(cls, what: str, seconds: float, hint: str = "") -> _Limit:
        return cls(what, seconds, hint, time.monotonic() + seconds)

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def refusal(self) -> str:
        return (f"{self.what}: reading took longer than {self.seconds:g} s, the most one read "
                f"may take on this server; not loaded. {self.hint}").rstrip()


def pool_ready(workers: int | None) -> bool:
    """Whether the decoding pool of `workers` (None: as `_check_workers` says) runs now; the
    first call starts it in the background."""
    n = _check_workers(workers, 1)
    return n > 1 and _ready_pool(n) is not None


def _stop(workers: int, pool: Executor) -> None:
    """Kill a pool's workers (a decode past its time limit, or a pool that broke) and forget
    the pool (the next load starts a new one).

    `ProcessPoolExecutor` cannot cancel a running task (`shutdown` waits for it or leaves it
    running), and `terminate_workers` is new in Python 3.14: until then the workers are
    killed through the executor's ``_processes``, the one way to reach them.

    A worker killed in the middle of writing its result (megabytes of pixels) to the pool's
    result pipe leaves part of a message there, and the pool's manager thread, woken by the
    readable pipe, waits in ``recv()`` for the rest. It would wait for ever: this process
    holds the pipe's other end open too, so the read never ends, and ``concurrent.futures``
    joins that thread as the interpreter exits (a hang, seen under CI's load on Python
    3.12). So this process's end is closed once no worker can start (``shutdown`` first):
    with the killed workers' ends closed by their exit, the read ends (``EOFError``), the
    manager marks the pool broken, cleans it up and ends. Nothing in this process writes to
    that pipe (the manager is woken through a pipe of its own)."""
    _forget(workers, pool)
    with _STOP_LOCK:  # one at a time: the second finds the pool shut down, nothing to close
        processes = getattr(pool, "_processes", None) or {}
        writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
        # no worker starts once this returns (a submit meanwhile raises RuntimeError)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in list(processes.values()):
            process.kill()
        if writer is not None:
            writer.close()


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
