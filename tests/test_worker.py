"""One read in a worker process (`vbq._worker`, issue 18): the same result as a read in this
thread, progress passed on, errors with their problems, and a read past its time or memory
limit stopped, its process gone, and refused with a message naming the limit."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import vbq
from vbq import _worker


def _blocks_forever(pid_file: str) -> None:
    """A read that never ends: says which process it is, then waits for ever."""
    Path(pid_file).write_text(str(os.getpid()))
    threading.Event().wait()


def _counts(n: int, progress=None) -> int:
    for k in range(1, n + 1):
        progress(k, n)
    return n


def _refuses(message: str) -> None:
    raise vbq.InputError(message, ["first problem", "second problem"])


def _breaks() -> None:
    raise KeyError("not an InputError")


def _ends_at_once() -> None:
    os._exit(3)


def _allocates(n: int) -> int:
    return len(bytearray(n))


def _arrays(n_mib: int) -> dict:
    rng = np.random.default_rng(n_mib)
    return {"pixels": rng.integers(0, 4096, n_mib * 1024**2 // 2, dtype=np.uint16),
            "frame": pd.DataFrame({"x": rng.normal(size=1000)}), "name": "series"}


def _gone(pid: int) -> bool:
    """The process has ended and been reaped (no zombie left)."""
    return not Path(f"/proc/{pid}").exists()


def test_a_read_in_the_worker_equals_the_read_in_this_thread():
    cohort, _ = vbq.demo.load()
    data = cohort.to_csv(index=False).encode()
    here = vbq.io.read_table(data, "cohort", name="cohort.csv")
    there = _worker.run(vbq.io.read_table, data, "cohort", what="cohort.csv", name="cohort.csv")
    pd.testing.assert_frame_equal(there[0], here[0])
    assert there[1] == here[1]


def test_a_read_past_its_time_limit_is_refused_and_its_process_killed(tmp_path):
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(vbq.InputError, match=r"^big\.xlsx: reading took longer than 1 s, the "
                                             r"most one read may take on this server; not "
                                             r"loaded\. Split it\.$"):
        _worker.run(_blocks_forever, str(pid_file), what="big.xlsx", time_limit=1,
                    hint="Split it.")
    assert time.monotonic() - started < 30  # refused at the limit, not when the read ends
    pid = int(pid_file.read_text())
    assert pid != os.getpid()
    assert _gone(pid)


def test_progress_reaches_the_caller_and_ends_at_the_total():
    seen: list[tuple[int, int]] = []
    assert _worker.run(_counts, 50_000, what="x", progress=lambda d, t: seen.append((d, t))) \
        == 50_000
    assert seen[-1] == (50_000, 50_000)
    assert 1 <= len(seen) < 50_000  # passed on at intervals, not at every step


def test_an_input_error_comes_back_with_its_problems():
    with pytest.raises(vbq.InputError, match="^bad file$") as err:
        _worker.run(_refuses, "bad file", what="x")
    assert err.value.problems == ["first problem", "second problem"]


def test_any_other_failure_is_a_message_not_a_traceback():
    with pytest.raises(vbq.InputError, match=r"^f\.csv: could not be read \(KeyError\); not "
                                             r"loaded\.$"):
        _worker.run(_breaks, what="f.csv")


def test_a_worker_that_ends_without_an_answer_is_named():
    with pytest.raises(vbq.InputError, match=r"the reading stopped before it finished \(the "
                                             r"worker ended with code 3\)"):
        _worker.run(_ends_at_once, what="f.csv")


def test_the_address_space_limit_stops_a_read_in_the_worker_not_the_server():
    with pytest.raises(vbq.InputError, match=r"^f\.csv: reading it needs more than the 256 MiB "
                                             r"of memory one read may use"):
        _worker.run(_allocates, 2 * 1024**3, what="f.csv", memory_limit=256 * 1024**2)
    assert _worker.run(_allocates, 1024**2, what="f.csv", memory_limit=256 * 1024**2) \
        == 1024**2


@pytest.mark.parametrize("n_mib", [1, 40])  # through the pipe; through shared memory
def test_arrays_come_back_equal_and_no_shared_block_is_left(n_mib):
    def blocks() -> set[str]:
        return {n for n in os.listdir("/dev/shm") if n.startswith("psm_")}

    before = blocks()
    got = _worker.run(_arrays, n_mib, what="x")
    expected = _arrays(n_mib)
    np.testing.assert_array_equal(got["pixels"], expected["pixels"])
    pd.testing.assert_frame_equal(got["frame"], expected["frame"])
    assert got["name"] == "series"
    assert blocks() <= before
    packed = _worker._packed(expected)  # the way it came back
    assert packed[0] == ("shared" if n_mib * 1024**2 >= _worker._SHARED_FROM else "done")
    if packed[0] == "shared":
        np.testing.assert_array_equal(_worker._unpacked(*packed[1:])["pixels"],
                                      expected["pixels"])
    assert blocks() <= before


def test_reads_past_the_number_at_once_wait_for_a_slot_and_are_refused_after_a_while(
        monkeypatch, tmp_path):
    monkeypatch.setattr(_worker, "_SLOTS", threading.BoundedSemaphore(1))
    monkeypatch.setattr(_worker, "_START_LIMIT_S", 1.0)
    pid_file = tmp_path / "pid"
    first: list[BaseException] = []

    def hold_the_slot() -> None:
        try:
            _worker.run(_blocks_forever, str(pid_file), what="first.csv", time_limit=5)
        except vbq.InputError as exc:
            first.append(exc)

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    deadline = time.monotonic() + 60
    while not pid_file.exists():  # the first read has its worker
        assert time.monotonic() < deadline
        threading.Event().wait(0.05)
    with pytest.raises(vbq.InputError, match=r"^second\.csv: the reading could not start "
                                             r"within 1 s \(the server is busy reading other "
                                             r"files\)"):
        _worker.run(_counts, 3, what="second.csv")
    holder.join()
    assert "reading took longer than 5 s" in str(first[0])
    monkeypatch.setattr(_worker, "_START_LIMIT_S", 120.0)  # a loaded machine starts slowly
    assert _worker.run(_counts, 3, what="third.csv", progress=lambda d, t: None) == 3
