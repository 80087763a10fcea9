"""Test-only hooks, drawn only when the server runs with ``VBQ_TEST_HOOKS=1`` (the browser test
of issue 18 sets it on a server of its own; nothing else reads it and no user sees it).

* `live_images`: a sidebar line counting what of the uploaded DICOM is alive in the server
  process, after a garbage collection: the decoded image series (`vbq.imaging.Series`) with
  their pixel bytes, the worklists read from uploads (`vbq.imaging.Worklist`, which hold the
  uploaded files' bytes), and the process's resident memory; with a button to count again.
  tests/browser/test_session_memory.py watches it fall back when a tab that uploaded DICOM
  is closed. It also shows the bytes Streamlit itself still holds as uploaded files (its
  `MemoryUploadedFileManager`, every session's), which outlive the tab (streamlit#9218).
"""

from __future__ import annotations

import gc
import os

import streamlit as st
from streamlit import runtime

from vbq import imaging

ENV = "VBQ_TEST_HOOKS"
RUN_KEY = "testhooks_run"


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


def resident_bytes() -> int:
    """The server process's resident memory (Linux's /proc; 0 where there is none)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def uploaded_bytes() -> int:
    """The bytes of every session's uploaded files that Streamlit holds in memory (its own
    upload manager: an internal of Streamlit 1.67, read by this test-only hook alone)."""
    storage = getattr(runtime.get_instance().uploaded_file_mgr, "file_storage", {})
    return sum(len(rec.data) for files in list(storage.values()) for rec in list(files.values()))


def live_images() -> None:
    """Count every `vbq.imaging.Series` and `vbq.imaging.Worklist` alive in this process
    (every session's and the shared phantom's) and the series' pixel bytes, numbered by the
    session's run (a test waits for the next number); a "Count live images" button reruns the
    page to count again."""
    # counted before and after a collection: equal when what was freed went by reference
    # counting alone (the server runs with runner.postScriptGC off)
    uncollected = sum(isinstance(o, imaging.Series) for o in gc.get_objects())
    gc.collect()
    alive = gc.get_objects()
    series = [o for o in alive if isinstance(o, imaging.Series)]
    worklists = sum(isinstance(o, imaging.Worklist) for o in alive)
    del alive
    held = sum(int(s.pixels.nbytes) for s in series)
    st.sidebar.button("Count live images", key="testhooks_count")
    run = st.session_state[RUN_KEY] = st.session_state.get(RUN_KEY, 0) + 1
    st.sidebar.text(f"count {run}: live image series: {len(series)}; pixel bytes: {held}; "
                    f"worklists: {worklists}; resident bytes: {resident_bytes()}; "
                    f"uploaded bytes: {uploaded_bytes()}; series before collection: "
                    f"{uncollected}")
