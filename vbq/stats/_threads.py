"""One BLAS thread for the statistics' products over patients.

The kernels of `vbq.stats` multiply vectors and thin matrices with one row per patient (the
DeLong placements, a correlation's cross-products, the ANCOVA's and logistic model's least
squares). OpenBLAS splits such a product over every core once it is long enough (about 10,000
rows), and on a shared server whose cores are busy with other sessions its threads then wait
for one another: measured on the 2-core development machine at a load average of 4-5,
`vbq.study.analyse` on 100,000 patients took 2.9 s with OpenBLAS's 2 threads and 0.73 s with one
(bench/bench_study.py), and one 100,000-element dot product 16 ms against 0.02 ms. A product of
a vector or a thin matrix reads each element once: a second thread has nothing to gain even on
an idle machine.

`one_blas_thread` limits BLAS to one thread while the decorated kernel runs, through
threadpoolctl (scikit-learn's own dependency for the same purpose), and restores it afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread"]

F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def _controller() -> ThreadpoolController:
    """The BLAS libraries loaded in this process (made once: inspecting them takes ~10 ms;
    numpy's and scipy's are loaded by the time a kernel first runs)."""
    return ThreadpoolController()


def one_blas_thread(fn: F) -> F:
    """Run `fn` with BLAS limited to one thread (about 25 µs per call)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _controller().limit(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
