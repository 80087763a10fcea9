"""Test-only hooks, drawn only when the server runs with ``VBQ_TEST_HOOKS=1`` (tests/browser set
it on a server of their own; nothing reads it otherwise and no user sees it).

* `live_images`: a sidebar line counting the image series alive in the server process and
  their pixel bytes, after a garbage collection, with a button to count again. The browser
  test of issue 18 watches it fall back when a tab that uploaded DICOM is closed.
"""

from __future__ import annotations

import gc
import os

import streamlit as st

from vbq import imaging

ENV = "VBQ_TEST_HOOKS"


def enabled() -> bool:
    return os.environ.get(ENV) == "1"


def live_images() -> None:
    """Count every `vbq.imaging.Series` alive in this process (every session's) and their
    pixel bytes, numbered by the session's run (a test waits for the next number); a "Count
    live images" button reruns the page to count again."""
    gc.collect()
    series = [o for o in gc.get_objects() if isinstance(o, imaging.Series)]
    held = sum(int(s.pixels.nbytes) for s in series)
    st.sidebar.button("Count live images", key="testhooks_count")
    run = st.session_state["testhooks_run"] = st.session_state.get("testhooks_run", 0) + 1
    st.sidebar.text(f"count {run}: live image series: {len(series)}; pixel bytes: {held}")

