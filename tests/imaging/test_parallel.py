"""The decoding pool (`vbq.imaging._parallel`) when a worker stops in the middle of sending its
result, killed past a load's time limit or dying by itself: the load ends and the process
exits (a hang seen once in CI, pytest on Python 3.12 waiting 16 minutes at interpreter exit)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from pydicom.uid import JPEG2000Lossless

from vbq import phantom

# Imported by the fork server (appended to `vbq._worker.PRELOAD`), so in every decoding
# worker: each task decodes its files with the real `_decode_files`, then writes the first half
# of its result's message to the pool's result pipe, holding the pipe's write lock as
# `SimpleQueue.put` does, and waits there: the state a worker killed in the middle of writing
# a large result leaves behind, without waiting for luck to time the kill. The pool's manager
# thread, woken by the readable pipe, waits in `recv()` for the rest of the message.
_STALLED_WRITER = '''
import os
import struct
import sys
import time
from concurrent.futures.process import _ResultItem
from multiprocessing.reduction import ForkingPickler

import vbq.imaging._parallel as parallel

_real = parallel._decode_files


def _stalled(chunk, max_pixel_bytes):
    result = _real(chunk, max_pixel_bytes)
    frame = sys._getframe(1)
    while frame.f_code.co_name != "_process_worker":
        frame = frame.f_back
    queue, item = frame.f_locals["result_queue"], frame.f_locals["call_item"]
    message = bytes(ForkingPickler.dumps(_ResultItem(item.work_id, result=result)))
    queue._wlock.acquire()  # held until this worker is killed
    left = memoryview(struct.pack("!i", len(message)) + message[:len(message) // 2])
    while left:
        left = left[os.write(queue._writer.fileno(), left):]
    marker = os.environ["VBQ_TEST_STALLED"]  # one writer holds the lock: written once
    with open(marker + ".part", "w") as fh:
        fh.write(f"{os.getpid()} {len(message)}\\n")
    os.replace(marker + ".part", marker)  # whole when it appears
    time.sleep(3600)


parallel._decode_files = _stalled
'''

# Both scenarios start alike: the stalled writer in the fork server, the pool running.
_PRELUDE = '''
import os
import signal
import sys
import threading
import time

import numpy as np

import vbq._worker

vbq._worker.PRELOAD.append("stalled_writer")

from vbq.errors import InputError
from vbq.imaging import _parallel, load_series, read_worklist
from vbq.imaging._budget import MAX_PIXEL_BYTES

MARKER = os.environ["VBQ_TEST_STALLED"]


def wait_for_a_stalled_writer():
    deadline = time.monotonic() + 30
    while not os.path.exists(MARKER) and time.monotonic() < deadline:
        time.sleep(0.01)


study = read_worklist(sys.argv[1])[0]
files = study.series[study.chosen].files
pool = _parallel._ready_pool(2, wait=True)
manager = pool._executor_manager_thread
workers = list(pool._processes.values())
'''

# What is left: the pool's manager thread and workers ended, the pool forgotten, how large the
# half-written messages were; the process must then exit by itself.
_EPILOGUE = '''
with open(MARKER) as fh:
    print("stalled", *[line.split()[1] for line in fh])
manager.join(20)
print("manager ended", not manager.is_alive())
print("workers ended", not any(p.is_alive() for p in workers))
print("pool forgotten", _parallel._ready_pool(2) is not pool)
sys.stdout.flush()
'''

# The app's time-limited load of a compressed series (`Study.load(time_limit=)`'s pool path):
# `_decode_series` with a limit that runs out once a worker is stalled mid-write, so `_stop`
# kills the workers then.
_STOP_MID_WRITE = _PRELUDE + '''

class _UntilAWorkerIsMidWrite(_parallel._Limit):
    def left(self):
        wait_for_a_stalled_writer()
        return 0.0


try:
    _parallel._decode_series(files, study.label, workers=2, progress=None,
                             max_pixel_bytes=MAX_PIXEL_BYTES,
                             limit=_UntilAWorkerIsMidWrite.starting_now(study.label, 60))
    print("loaded")
except InputError as exc:
    print("refused", "reading took longer than 60 s" in str(exc))
''' + _EPILOGUE

# A load without a time limit (a notebook's) whose worker dies while it writes its result (as
# by the kernel's out-of-memory killer): the series is decoded here instead, to the pixels the
# serial loader gives.
_DEATH_MID_WRITE = _PRELUDE + '''

def kill_the_writer():
    wait_for_a_stalled_writer()
    with open(MARKER) as fh:
        os.kill(int(fh.read().split()[0]), signal.SIGKILL)


threading.Thread(target=kill_the_writer, daemon=True).start()
series = _parallel._decode_series(files, study.label, workers=2, progress=None,
                                  max_pixel_bytes=MAX_PIXEL_BYTES)
reference = load_series([path for _, path in files])
print("same pixels", np.array_equal(series.pixels, reference.pixels))
''' + _EPILOGUE


@pytest.fixture(scope="module")
def compressed_study(tmp_path_factory):
    datasets, _ = phantom.make_series(seed=4, n_slices=6)
    for ds in datasets:
        ds.compress(JPEG2000Lossless)
    folder = tmp_path_factory.mktemp("pool") / "VBQ-013"
    phantom.write_series(datasets, folder)
    return folder


def _run(script: str, study, tmp_path) -> list[str]:
    """`script` run in a new process (the stalled writer on its path); what it printed, once
    it has exited by itself, cleanly, within 60 s."""
    (tmp_path / "stalled_writer.py").write_text(_STALLED_WRITER)
    env = dict(os.environ, VBQ_TEST_STALLED=str(tmp_path / "stalled.txt"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path),
                                                        os.environ.get("PYTHONPATH")])))
    # its own process group: on a hang, it, its fork server and a worker left waiting go
    with subprocess.Popen([sys.executable, "-c", script, str(study)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env,
                          start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            # (the resource tracker ignores SIGTERM, and removes what they left once they end)
            os.killpg(process.pid, signal.SIGTERM)
            stdout, _ = process.communicate()
            pytest.fail("the process did not exit within 60 s of a worker stopped while it "
                        f"sent its result; it printed: {stdout!r}")
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    lines = stdout.splitlines()
    # the race was forced: a worker stopped with part of a message larger than a pipe's
    # buffer (64 KiB) written
    assert lines[-4].startswith("stalled "), stdout
    assert min(int(n) for n in lines[-4].split()[1:]) > 64 * 1024, stdout
    assert lines[-3:] == ["manager ended True", "workers ended True", "pool forgotten True"], \
        stdout
    return lines[:-4]


def test_a_pool_stopped_while_a_worker_sends_its_result_lets_the_process_exit(
        compressed_study, tmp_path):
    assert _run(_STOP_MID_WRITE, compressed_study, tmp_path) == ["refused True"]


def test_a_worker_dying_while_it_sends_its_result_leaves_the_series_to_this_process(
        compressed_study, tmp_path):
    assert _run(_DEATH_MID_WRITE, compressed_study, tmp_path) == ["same pixels True"]
