"""Display windows (PS3.3 C.11.2): for the screen only, never for a statistic (internal to
`vbq.imaging`)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..errors import InputError
from ._series import Series


class Window(NamedTuple):
    """A display window: `center` and `width` in modality-LUT units; `source` "file" or
    "percentile". A tuple, so ``center, width, source = default_window(series)`` works."""

    center: float
    width: float
    source: str




def window_image(image: np.ndarray, center: float, width: float) -> np.ndarray:
    """Map modality-LUT values to 0-255 for display with a linear window (uint8).

    Raises
    ------
    InputError
        `width` below 1 (the standard's minimum) or not finite, `center` not finite.

    Notes
    -----
    The linear VOI LUT function of PS3.3 C.11.2.1.2.1: values at or below
    c - 0.5 - (w - 1) / 2 are 0, above c - 0.5 + (w - 1) / 2 are 255, and in between
    ((x - (c - 0.5)) / (w - 1) + 0.5) * 255, rounded. Display only: statistics are computed
    on the unwindowed values.
    """
    c, w = float(center), float(width)
    if not (math.isfinite(c) and math.isfinite(w)) or w < 1:
        raise InputError(f"width: expected a finite window width >= 1 and a finite center, got "
                         f"center {center!r}, width {width!r}")
    x = np.asarray(image, dtype=np.float64)
    if w == 1:
        return np.where(x > c - 0.5, 255, 0).astype(np.uint8)
    y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0
    return np.clip(np.rint(y), 0, 255).astype(np.uint8)


def default_window(source: Series | np.ndarray, *, slice_index: int | None = None,
                   percentiles: tuple[float, float] = (1.0, 99.0)) -> Window:
    """The window to show a series with: the file's Window Center/Width, else percentiles.

    Parameters
    ----------
    source : Series or array
        A series (its file window is used when present) or an image (2-D or a stack).
    slice_index : int, keyword-only
        The slice whose percentiles set an automatic window (default: the middle slice).
    percentiles : (low, high), keyword-only
        The automatic window spans these percentiles of the slice.

    Returns
    -------
    Window
        ``center``, ``width`` (>= 1) and ``source`` ("file" or "percentile").
    """
    lo_p, hi_p = percentiles
    if not 0 <= lo_p < hi_p <= 100:
        raise InputError(f"percentiles: expected 0 <= low < high <= 100, got {percentiles!r}")
    if isinstance(source, Series):
        if source.window is not None:
            return Window(float(source.window[0]), float(source.window[1]), "file")
        stack = source.pixels
    else:
        stack = np.asarray(source, dtype=np.float64)
    if stack.ndim == 3:
        k = stack.shape[0] // 2 if slice_index is None else int(slice_index)
        stack = stack[k]
    if stack.ndim != 2 or stack.size == 0:
        raise InputError(f"source: expected an image, got shape {np.shape(stack)}")
    lo, hi = np.percentile(stack, [lo_p, hi_p])
    width = max(float(hi - lo), 1.0)
    return Window(float(lo + hi) / 2, width, "percentile")
