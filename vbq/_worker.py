"""One read in a worker process, with a time limit and a memory limit (internal to `vbq`).

A server serves every session from one Python process, and a read that parses a spreadsheet
or DICOM headers holds the GIL for its whole length: a 100,000-row workbook read on one
session's script thread (78 s) took the other sessions' p95 from 1.7 s to 5.2 s (issue 18).
`run` reads in a child process instead: the calling thread waits on a pipe (which lets go of
the GIL), passes the child's progress on, and kills the child when the read passes its time
limit, refusing it with a message that names the file and the limit. A
``concurrent.futures`` pool cannot stop a task once it runs, hence one process per read.

The children are forked from a fork server started once per process, with `vbq.io` and
`vbq.imaging` imported (`PRELOAD`), so a read does not pay the imports (a child starts in
tens of milliseconds). ``RLIMIT_AS`` bounds the child's address space as a second bound behind
the readers' own byte budgets: a read past it fails in the child, never in the server.
The standard library's ``multiprocessing`` does the work; what is written here is the
waiting, the time limit and the messages.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import sys
import threading
import time
import types
from collections.abc import Callable
from multiprocessing import shared_memory
from typing import Any

from .errors import InputError

try:
    import resource
except ImportError:  # not POSIX: the readers' own budgets are the only memory bound
    resource = None  # type: ignore[assignment]

#: The longest one read may take, in seconds, before it is stopped and refused.
TIME_LIMIT_S = 60.0
#: Address space a read may add to the worker's own (``RLIMIT_AS``), in bytes.
MEMORY_LIMIT_BYTES = 3 * 1024**3
#: Modules the fork server imports once, so each read's child starts with them loaded.
PRELOAD = ["vbq.io", "vbq.imaging", "openpyxl"]
#: Results whose arrays hold this many bytes or more come back through shared memory.
_SHARED_FROM = 16 * 1024**2
#: Seconds between two progress reports the child sends (more would only load the pipe).
_PROGRESS_EVERY_S = 0.1

#: Seconds a worker may take to start (the fork server's first start imports pandas and
#: pydicom); the read's own time limit runs from then.
_START_LIMIT_S = 120.0

#: Reads running at once in one server process; more wait for a slot (within
#: `_START_LIMIT_S`), so memory stays bounded by this many times `MEMORY_LIMIT_BYTES`.
MAX_AT_ONCE = 2
_SLOTS = threading.BoundedSemaphore(MAX_AT_ONCE)

_CONTEXT_LOCK = threading.Lock()
_MAIN_LOCK = threading.Lock()


def context() -> multiprocessing.context.BaseContext:
    """The start method for worker processes: ``forkserver`` with `PRELOAD` (``spawn`` where
    there is no fork server); shared with `vbq.imaging`'s decoding pool."""
    with _CONTEXT_LOCK:
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(PRELOAD)
            return ctx
        return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def without_main():
    """No ``__main__`` for a child to run while it starts.

    A child started by ``spawn`` or ``forkserver`` first runs the parent's main script again
    (``multiprocessing.spawn.prepare``) unless that script is guarded, and a Streamlit app's
    script (which Streamlit runs as ``__main__``) is not: each child would run the whole app.
    While a child starts, ``sys.modules["__main__"]`` is an empty module, so it imports what
    its function needs and nothing else."""
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        empty = sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            # a ``__main__`` set meanwhile (a Streamlit rerun starting) is left as it is
            if main is not None and sys.modules.get("__main__") is empty:
                sys.modules["__main__"] = main


def run(fn: Callable[..., Any], /, *args: Any, what: str, time_limit: float = TIME_LIMIT_S,
        memory_limit: int = MEMORY_LIMIT_BYTES, hint: str = "",
        progress: Callable[[int, int], object] | None = None, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in a child process; its result, or its `InputError` raised here.

    `fn` and its arguments must pickle (a module-level function, bytes, frames). With
    `progress`, `fn` is also given ``progress=`` and its calls reach `progress` in this
    thread. `what` names the input in messages ("cohort.xlsx"); `hint` says what to do when
    the time limit is passed.

    At most `MAX_AT_ONCE` reads run at once; another waits for one to end.

    Raises
    ------
    InputError
        `fn`'s own; or the read took longer than `time_limit` seconds (the child is killed);
        or the child needed more memory than `memory_limit` allows, or ended without a
        result.
    """
    if not _SLOTS.acquire(timeout=_START_LIMIT_S):
        raise InputError(_late(what, False, time_limit, hint))
    try:
        return _run(fn, args, kwargs, what, time_limit, memory_limit, hint, progress)
    finally:
        _SLOTS.release()


def _run(fn, args, kwargs, what, time_limit, memory_limit, hint, progress) -> Any:
    parent, child = multiprocessing.Pipe(duplex=False)
    ctx = context()
    proc = ctx.Process(target=_child, args=(child, fn, args, kwargs, memory_limit,
                                            progress is not None), daemon=True)
    try:
        with without_main():
            proc.start()
    except OSError as exc:  # no process left to start (a limit of the server)
        parent.close()
        child.close()
        raise InputError(f"{what}: the server could not start a worker to read it "
                         f"({type(exc).__name__}); not loaded. Try again later.") from None
    child.close()
    try:
        return _wait(proc, parent, what, time_limit, hint, progress)
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
        proc.close()


def _wait(proc, conn, what: str, time_limit: float, hint: str,
          progress: Callable[[int, int], object] | None) -> Any:
    """The child's answer, passing progress on, within `time_limit` seconds of its start
    (the fork server's own start, once per process, is not the read's time)."""
    deadline = time.monotonic() + _START_LIMIT_S
    started = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise InputError(_late(what, started, time_limit, hint))
        if not multiprocessing.connection.wait([conn, proc.sentinel], timeout=left):
            continue
        try:
            kind, *payload = conn.recv()
        except (EOFError, OSError):
            proc.join()
            raise InputError(f"{what}: the reading stopped before it finished (the worker "
                             f"ended with code {proc.exitcode}); not loaded.") from None
        if kind == "started":
            started, deadline = True, time.monotonic() + time_limit
        elif kind == "progress":
            if progress is not None:
                progress(*payload)
        else:
            return _answer(kind, payload, what)


def _late(what: str, started: bool, time_limit: float, hint: str) -> str:
    if not started:
        return (f"{what}: the reading could not start within {_START_LIMIT_S:g} s (the server "
                "is busy reading other files); not loaded. Try again later.")
    return (f"{what}: reading took longer than {time_limit:g} s, the most one read may take "
            f"on this server; not loaded. {hint}").rstrip()


def _answer(kind: str, payload: list, what: str) -> Any:
    """The result the child sent, or its refusal raised."""
    if kind == "done":
        return payload[0]
    if kind == "shared":
        try:
            return _unpacked(*payload)
        except OSError as exc:
            raise InputError(f"{what}: the result could not be taken over from the worker "
                             f"({type(exc).__name__}); not loaded.") from None
    if kind == "memory":
        raise InputError(f"{what}: reading it needs more than the "
                         f"{memory_limit_text(payload[0])} of memory one read may use on this "
                         "server; not loaded.")
    if kind == "failed":
        raise InputError(f"{what}: could not be read ({payload[0]}); not loaded.")
    raise payload[0]


def memory_limit_text(limit: int) -> str:
    return f"{limit / 1024**3:g} GiB" if limit >= 1024**3 else f"{limit / 1024**2:g} MiB"


def _child(conn, fn, args, kwargs, memory_limit: int, with_progress: bool) -> None:
    """In the child: bound the address space, run `fn`, send its result or its error."""
    _limit_memory(memory_limit)
    conn.send(("started",))
    if with_progress:
        kwargs = dict(kwargs, progress=_Progress(conn))
    try:
        result = fn(*args, **kwargs)
    except MemoryError:
        conn.send(("memory", memory_limit))
        return
    except InputError as exc:
        conn.send(("error", exc))
        return
    except Exception as exc:  # any other failure is named, never a traceback
        conn.send(("failed", type(exc).__name__))
        return
    try:
        conn.send(_packed(result))
    except MemoryError:
        conn.send(("memory", memory_limit))


def _packed(result: Any) -> tuple:
    """The message that carries `result` back: pickled through the pipe, or, when its arrays
    hold `_SHARED_FROM` bytes or more, pickled (protocol 5) with the arrays' bytes in one
    shared memory block that the parent copies out and removes (half the time of the pipe
    for 150 MiB at load 11 on the shared 2-core machine). The pipe when /dev/shm has not the
    room (a container's is often 64 MB; writing past it would kill the worker)."""
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(result, protocol=5, buffer_callback=buffers.append)
    raws = [b.raw() for b in buffers]
    size = sum(r.nbytes for r in raws)
    if size < _SHARED_FROM or size > _shm_room():
        return ("done", result)
    block = shared_memory.SharedMemory(create=True, size=size)
    try:
        at = 0
        for r in raws:
            block.buf[at:at + r.nbytes] = r
            at += r.nbytes
        return ("shared", payload, block.name, [r.nbytes for r in raws])
    finally:
        block.close()


def _unpacked(payload: bytes, name: str, sizes: list[int]) -> Any:
    """`_packed`'s result rebuilt here, its arrays copied out of the shared block, which is
    then removed."""
    block = shared_memory.SharedMemory(name)
    try:
        buffers, at = [], 0
        for n in sizes:
            buffers.append(bytearray(block.buf[at:at + n]))
            at += n
        return pickle.loads(payload, buffers=buffers)
    finally:
        block.close()
        block.unlink()


def _shm_room() -> int:
    try:
        st = os.statvfs("/dev/shm")
    except OSError:
        return 0
    return st.f_bavail * st.f_frsize


class _Progress:
    """``progress(done, total)`` in the child: sent to the parent at most every 0.1 s, and
    always for the last step."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last >= _PROGRESS_EVERY_S:
            self.last = now
            self.conn.send(("progress", done, total))


def _limit_memory(extra: int) -> None:
    """``RLIMIT_AS`` at what the child has mapped now plus `extra` (Linux; elsewhere none)."""
    if resource is None:
        return
    try:
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    limit = mapped + extra
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
