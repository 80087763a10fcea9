"""`vbq.stats._threads.one_blas_thread`: BLAS runs on one thread inside the kernels over
patients, and the process's setting is restored afterwards."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from vbq import study
from vbq.stats import _roc_kernels, combined, correlation, delong, groups
from vbq.stats._threads import one_blas_thread


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_is_limited_to_one_thread_inside_and_restored_after():
    with threadpool_limits(limits=2, user_api="blas"):  # as on the 2-core machine
        before = _blas_threads()
        assert before and max(before) == 2

        @one_blas_thread
        def inside(x):
            return _blas_threads(), float(x @ x)

        seen, value = inside(np.arange(4.0))
        assert seen and set(seen) == {1}
        assert value == 14.0
        assert _blas_threads() == before


def test_restored_when_the_kernel_raises():
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()

        @one_blas_thread
        def fails():
            raise ValueError("degenerate")

        try:
            fails()
        except ValueError:
            pass
        assert _blas_threads() == before


def test_the_kernels_over_patients_are_limited():
    for kernel in (correlation._corr_kernel, groups._ancova_fit,
                   _roc_kernels._delong_group_placements, _roc_kernels._delong_variance,
                   delong._paired_covariance, combined.combined_marker,
                   study.fit_line):
        assert hasattr(kernel, "__wrapped__"), kernel.__name__
