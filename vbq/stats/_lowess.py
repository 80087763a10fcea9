"""Cleveland's lowess (local linear, tricube weights, no robustness iterations), computed for all
the points of a curve at once.

Written out rather than calling ``statsmodels.nonparametric.lowess`` because `risk_model` smooths
401 calibration curves (the apparent one and two per bootstrap resample): statsmodels' kernel
visits the points one at a time with several small numpy calls each, 1.2 ms a curve of 235
points, half of the command-line report's statistics. Here every local regression of a curve is
one row of a 2-D array. The arithmetic is statsmodels' own, operation for operation and in the
same order (its sequential sums as cumulative sums, its pairwise sum of the weights as numpy's),
so the fitted values are the same floating-point numbers (tests/stats/test_lowess.py checks
equality with statsmodels on random data with ties, and `risk_model`'s curves are checked
against R's ``lowess`` through ``rms::calibrate``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["lowess_sorted"]


def _fit_points(x: np.ndarray, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """The points (indices into sorted `x`) where a local regression is run, and for each point
    the last index tied with it.

    statsmodels' ``update_indices``: after a fit at i, the points tied with x[i] take its value,
    the next fit is at the last point within x[i] + delta (at least one past the ties), and the
    points skipped are interpolated linearly."""
    n = x.size
    tie_end = np.searchsorted(x, x, side="right") - 1
    first_beyond = np.searchsorted(x, x + delta, side="right")
    following = np.maximum(np.where(first_beyond < n, first_beyond, n - 1) - 1, tie_end + 1)
    fits, i = [], 0
    ends, nexts = tie_end.tolist(), following.tolist()
    while True:  # a chain of at most n steps, each one list look-up
        fits.append(i)
        if ends[i] >= n - 1:
            return np.array(fits), tie_end
        i = nexts[i]


def _local_fits(x: np.ndarray, y: np.ndarray, at: np.ndarray, k: int) -> np.ndarray:
    """Fitted values at x[at], one local weighted linear regression each on its k nearest
    points (statsmodels' ``update_neighborhood``, ``calculate_weights``, ``calculate_y_fit``).

    The windows are the columns of (k, fits) arrays: numpy's sum over the first axis of such an
    array adds row after row, the sequential order of statsmodels' loops, at the speed of vector
    additions; its sum of the weights (numpy's pairwise sum of each window) is taken on the
    transposed copy, as statsmodels takes it on each window."""
    n = x.size
    xval = x[at]
    midpoints = (x[: n - k] + x[k:]) / 2.0
    left = np.searchsorted(midpoints, xval, side="left")
    radius = np.fmax(xval - x[left], x[left + k - 1] - xval)
    window = np.arange(k)[:, None] + left
    xw, yw = x[window], y[window]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.abs(xw - xval) / radius
        w = w * w * w
        w = 1.0 - w
        w = w * w * w
        ok = np.count_nonzero(w > 1e-12, axis=0) >= 2
        w = w / np.sum(np.ascontiguousarray(w.T), axis=1)
        mean_x = np.add.reduce(w * xw, axis=0)
        dev = xw - mean_x
        spread = np.fmax(np.add.reduce(w * (dev * dev), axis=0), 1e-12)
        proj = w * (1.0 + (xval - mean_x) * dev / spread)
        fitted = np.add.reduce(proj * yw, axis=0)
    return np.where(ok, fitted, y[at])


def lowess_sorted(y: np.ndarray, x: np.ndarray, *, frac: float = 2.0 / 3.0,
                  delta: float = 0.0) -> np.ndarray:
    """``statsmodels.nonparametric.lowess(y, x, frac=frac, it=0, delta=delta)``: an (n, 2) array
    of x sorted and the lowess fit there.

    Parameters
    ----------
    y, x : 1-D float arrays of equal length, finite (the caller checks)
    frac : float
        Share of the points in each local regression (k = int(frac * n), at least 2).
    delta : float
        Points within `delta` of the last fit are interpolated linearly instead of fitted.

    Notes
    -----
    Cleveland (1979): at each fitting point x0 the k nearest points get tricube weights
    (1 - (|x - x0| / r)^3)^3, r the distance to the farthest of them, and the fit is the
    weighted least-squares line's value at x0. Validated against statsmodels 0.15
    ``lowess(..., it=0)`` (equal floating-point values) and, through `risk_model`, R's
    ``lowess(iter = 0)``.

    References
    ----------
    Cleveland WS. Robust locally weighted regression and smoothing scatterplots. J Am Stat
    Assoc 1979;74:829-36.
    """
    order = np.argsort(x)  # statsmodels' sort, so that tied x keep its order of y
    x, y = np.array(x[order], dtype=float), np.array(y[order], dtype=float)
    n = x.size
    k = min(max(int(frac * n + 1e-10), 2), n)
    at, tie_end = _fit_points(x, delta)
    fitted = np.empty(n)
    fitted[at] = _local_fits(x, y, at, k)
    # every other point: tied with a fitting point (its value), or between the last tie of one
    # fitting point and the next fitting point (linear interpolation, statsmodels' formula)
    segment = np.searchsorted(at, np.arange(n), side="right") - 1
    last = tie_end[at][segment]
    tied = ~np.isin(np.arange(n), at) & (np.arange(n) <= last)
    fitted[tied] = fitted[at[segment[tied]]]
    between = np.arange(n) > last
    lo, hi = last[between], at[segment[between] + 1]
    a = (x[between] - x[lo]) / (x[hi] - x[lo])
    fitted[between] = a * fitted[hi] + (1.0 - a) * fitted[lo]
    return np.column_stack([x, fitted])
