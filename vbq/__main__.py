"""``python -m vbq``: the command line (`vbq.cli`). ``python -m vbq.demo`` stays the demo writer."""

import atexit
import gc
import sys

from .cli import main

if __name__ == "__main__":
    # A short-lived process that imports scipy, statsmodels and plotly allocates a few hundred
    # thousand long-lived objects: with CPython's default thresholds (700, 10, 10) the cyclic
    # garbage collector ran 467 times during `python -m vbq report` on the demo and re-scanned
    # those objects each time, 0.2 s of a 2.4 s run (issue 21). Collecting less often, as mypy's
    # command line does, leaves the same objects to collect; the peak memory stayed the same
    # (280 MB). Only this process entry point changes it: `vbq.cli.main` called from Python, and
    # the app, keep the interpreter's settings.
    gc.set_threshold(10_000, 50, 1000)
    # At exit, the interpreter's finalization runs the cyclic collector over every object still
    # alive (160,000 tracked ones after the demo report, most of them the libraries' modules,
    # functions and classes): 0.37 s CPU of `python -m vbq report` on the demo (2.59 -> 2.22 s,
    # alternate runs; issue 21), after the report was written. Freezing them at exit, as Spack's
    # command line does (spack/spack#53020), leaves them to the operating system. What a normal
    # exit guarantees still happens: every atexit handler runs, stdout and stderr are flushed,
    # and each file the command writes is closed before `main` returns. Skipped are only the
    # finalizers of objects alive at exit, which Python does not promise to run.
    atexit.register(gc.freeze)
    sys.exit(main())
