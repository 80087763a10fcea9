"""``streamlit run`` that also writes how long each script run took, for the browser benchmark.

Usage (what bench_measure_browser.py does): ``python bench/_timed_streamlit.py run app.py ...``
with the environment variable ``VBQ_BENCH_RUNLOG`` naming a file; each finished run appends one
line: ``<seconds> <full|fragment>``. The time is the script's execution on the server (widget
callbacks, the page code and the queuing of its elements), not the transfer or the drawing in
the browser.

It wraps ``exec_func_with_error_handling`` of Streamlit's script runner (a private name, checked
against Streamlit 1.67); when that name is gone, the app runs untimed and the benchmark says so.
"""

from __future__ import annotations

import os
import sys
import time


def _install(log_path: str) -> bool:
    try:
        from streamlit.runtime.scriptrunner import script_runner
    except ImportError:
        return False
    original = getattr(script_runner, "exec_func_with_error_handling", None)
    if original is None:
        return False
    log = open(log_path, "a", encoding="utf-8")  # open for the server's lifetime

    def timed(func, ctx):
        fragment = bool(getattr(ctx, "fragment_ids_this_run", None))
        start = time.perf_counter()
        try:
            return original(func, ctx)
        finally:
            log.write(f"{time.perf_counter() - start:.6f} {'fragment' if fragment else 'full'}\n")
            log.flush()

    script_runner.exec_func_with_error_handling = timed
    return True


if __name__ == "__main__":
    if "VBQ_BENCH_RUNLOG" in os.environ:
        _install(os.environ["VBQ_BENCH_RUNLOG"])
    from streamlit.web.cli import main

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(main())
