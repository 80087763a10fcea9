"""The decoding pool (`vbq.imaging._parallel`) stopped past a load's time limit while a worker
is in the middle of sending its result: the process must still exit (a hang seen once in CI,
pytest on Python 3.12 waiting 16 minutes at interpreter exit)."""

from __future__ import annotations

import os
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
    with open(os.environ["VBQ_TEST_STALLED"], "a") as fh:
        fh.write(f"{len(message)}\\n")
    time.sleep(3600)


parallel._decode_files = _stalled
'''

# The app's time-limited load of a compressed series (`Study.load(time_limit=)`'s pool path):
# `_decode_series` with a limit that runs out once a worker is stalled mid-write, so `_stop`
# kills the workers then. Prints what happened; the process must then exit by itself.
_STOP_MID_WRITE = '''
import multiprocessing
import os
import sys
import time

import vbq._worker

vbq._worker.PRELOAD.append("stalled_writer")

from vbq.errors import InputError
from vbq.imaging import _parallel, read_worklist
from vbq.imaging._budget import MAX_PIXEL_BYTES

MARKER = os.environ["VBQ_TEST_STALLED"]


class _UntilAWorkerIsMidWrite(_parallel._Limit):
    def left(self):
        deadline = time.monotonic() + 30
        while not os.path.exists(MARKER) and time.monotonic() < deadline:
            time.sleep(0.01)
        return 0.0


study = read_worklist(sys.argv[1])[0]
pool = _parallel._ready_pool(2, wait=True)
manager = pool._executor_manager_thread
workers = list(pool._processes.values())
files = study.series[study.chosen].files
try:
    _parallel._decode_series(files, study.label, workers=2, progress=None,
                             max_pixel_bytes=MAX_PIXEL_BYTES,
                             limit=_UntilAWorkerIsMidWrite.starting_now(study.label, 60))
    print("loaded")
except InputError as exc:
    print("refused", "reading took longer than 60 s" in str(exc))
with open(MARKER) as fh:
    print("stalled", *fh.read().split())
manager.join(20)
print("manager ended", not manager.is_alive())
print("workers ended", not any(p.is_alive() for p in workers))
sys.stdout.flush()
'''


@pytest.fixture(scope="module")
def compressed_study(tmp_path_factory):
    datasets, _ = phantom.make_series(seed=4, n_slices=6)
    for ds in datasets:
        ds.compress(JPEG2000Lossless)
    folder = tmp_path_factory.mktemp("pool") / "VBQ-013"
    phantom.write_series(datasets, folder)
    return folder


def test_a_pool_stopped_while_a_worker_sends_its_result_lets_the_process_exit(
        compressed_study, tmp_path):
    (tmp_path / "stalled_writer.py").write_text(_STALLED_WRITER)
    marker = tmp_path / "stalled.txt"
    env = dict(os.environ, VBQ_TEST_STALLED=str(marker),
               PYTHONPATH=os.pathsep.join(filter(None, [str(tmp_path),
                                                        os.environ.get("PYTHONPATH")])))
    try:
        done = subprocess.run([sys.executable, "-c", _STOP_MID_WRITE, str(compressed_study)],
                              capture_output=True, text=True, timeout=60, env=env,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail("the process did not exit within 60 s of a load stopped while a worker "
                    f"sent its result; it printed: {exc.stdout!r}")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "refused True", done.stdout
    # the race was forced: a worker was stopped with part of a message larger than a pipe's
    # buffer (64 KiB) written
    sizes = [int(n) for n in lines[1].split()[1:]]
    assert lines[1].startswith("stalled ") and sizes, done.stdout
    assert min(sizes) > 64 * 1024, lines[1]
    assert lines[2:] == ["manager ended True", "workers ended True"], done.stdout
    assert "Traceback" not in done.stderr, done.stderr
