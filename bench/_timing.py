"""The one timing helper of the benchmarks: median wall time of a call after a warm-up.

The benchmarks run as scripts (``python bench/bench_x.py`` or ``make bench``), so the folder is
on ``sys.path`` and they import this as ``from _timing import median_time``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_time(fn: Callable[[], object], repeats: int = 7) -> float:
    """Median seconds of `repeats` calls of `fn`, after one untimed warm-up call."""
    fn()  # warm-up: imports, caches and first-call allocation are not what we measure
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)
