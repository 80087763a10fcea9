"""``python -m vbq``: the command line (`vbq.cli`). ``python -m vbq.demo`` stays the demo writer."""

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
    sys.exit(main())
