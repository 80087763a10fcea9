"""Suggested ROIs on a sagittal T1 lumbar slice by classical image analysis (internal to
`vbq.imaging`).

The steps, on the slice resampled to 1 mm and taken to the log of its signal (so that a smooth
coil bias becomes a smooth offset that local contrasts ignore):

1. the column of vertebral bodies is where bright bodies alternate with dark discs along the
   spine: the energy of the second difference down the image, pooled over a body's depth,
   traced from top to bottom by dynamic programming (through the anchor when one is given);
2. the signal along that path, across its width, dips at every disc: the dips cut the column
   into bodies, each body's upper and lower edges are the half-way crossings between its own
   signal and the dips, and its front and back edges likewise across the path;
3. the levels: the clicked vertebra and counting from it when an anchor is given, else the
   lowest disc is taken for L5-S1 and the levels are counted up from it;
4. the CSF ROI sits in the middle of the dark canal behind L3, found the same way.

numpy only, written out here (Gaussian smoothing, bilinear sampling, the dynamic programme):
`vbq.imaging` must not load scipy, which reading DICOM does not need (tests/test_architecture).
No model weights, nothing trained, nothing fetched.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ._series import Series

LEVELS = ("L1", "L2", "L3", "L4")
ANCHOR_LEVELS = ("L1", "L2", "L3", "L4", "L5")
CONFIDENCES = ("high", "moderate", "low")
_STEP = 1.0  # mm: the working grid
_MAX_RADIUS, _MIN_RADIUS = 8.0, 2.5  # body ROI radius bounds (mm)
_CSF_MAX_RADIUS = 5.0


@dataclass(frozen=True)
class SuggestedRois:
    """ROIs suggested on one slice: a starting point for a reader, never a measurement.

    Attributes
    ----------
    slice_index : int
        The slice (from 0) the suggestion is for.
    centres : dict
        ``"L1"`` ... ``"L4"`` and ``"CSF"`` -> (row, column) in pixels; a level that could
        not be found is absent.
    radii_mm : dict
        The same keys -> radius in mm (body ROIs keep about 3.5 mm inside the body edges found,
        8 mm at most; the CSF ROI keeps 2.5 mm inside the canal, 5 mm at most).
    confidence : {"high", "moderate", "low"}
        How far to trust the suggestion, in one word; `reasons` says why.
    reasons : tuple of str
        Plain sentences for the reader: how the levels were named, what looked unusual.
    anchor : (str, (float, float)) or None
        The level and point the reader clicked, if any.
    possibly_collapsed : tuple of str
        Levels among L1-L4 whose height is under three quarters of the others' median: check
        them for a fracture (the suggestion never marks a level collapsed).
    n_bodies : int
        Vertebral bodies found along the spine (thoracic and lumbar, the sacrum not counted).
    """

    slice_index: int
    centres: dict[str, tuple[float, float]]
    radii_mm: dict[str, float]
    confidence: str
    reasons: tuple[str, ...]
    anchor: tuple[str, tuple[float, float]] | None = None
    possibly_collapsed: tuple[str, ...] = ()
    n_bodies: int = 0

    @property
    def complete(self) -> bool:
        """All five ROIs (L1-L4 and the CSF) were suggested."""
        return all(name in self.centres for name in (*LEVELS, "CSF"))

    def summary(self) -> str:
        """One paragraph for the reader: the confidence in words, then the reasons."""
        head = {"high": "Suggestion: high confidence.",
                "moderate": "Suggestion: moderate confidence; check the levels.",
                "low": "Suggestion: low confidence; place the ROIs yourself or check each one."
                }[self.confidence]
        return " ".join((head, *self.reasons))

    def to_frame(self) -> pd.DataFrame:
        """One row per suggested ROI: ``roi``, ``row``, ``column``, ``radius_mm``."""
        return pd.DataFrame([{"roi": name, "row": self.centres[name][0],
                              "column": self.centres[name][1], "radius_mm": self.radii_mm[name]}
                             for name in (*LEVELS, "CSF") if name in self.centres],
                            columns=["roi", "row", "column", "radius_mm"])


@dataclass(frozen=True)
class _Body:
    s_top: float  # along the path (mm)
    s_bottom: float
    tau: float  # across the path: the middle between front and back edges (mm)
    depth: float
    centre: tuple[float, float]  # (row, column) in mm on the working grid
    normal: tuple[float, float]

    @property
    def height(self) -> float:
        return self.s_bottom - self.s_top


# --- small numerical kernels (numpy; see the module's docstring for why not scipy) -----------


def _gaussian_kernel(sigma: float) -> np.ndarray:
    half = max(1, int(math.ceil(3 * sigma)))
    x = np.arange(-half, half + 1, dtype=np.float64)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def _filter_axis(img: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    """Correlate along one axis with edge values repeated (scipy's mode="nearest")."""
    half = len(kernel) // 2
    pad = [(0, 0), (0, 0)]
    pad[axis] = (half, half)
    padded = np.pad(img, pad, mode="edge")
    n = img.shape[axis]
    out = np.zeros_like(img, dtype=np.float64)
    for k, w in enumerate(kernel):
        out += w * (padded[k:k + n] if axis == 0 else padded[:, k:k + n])
    return out


def _smooth(img: np.ndarray, sigma_rows: float, sigma_cols: float | None = None) -> np.ndarray:
    sigma_cols = sigma_rows if sigma_cols is None else sigma_cols
    out = _filter_axis(img, _gaussian_kernel(sigma_rows), 0) if sigma_rows > 0 else img
    return _filter_axis(out, _gaussian_kernel(sigma_cols), 1) if sigma_cols > 0 else out


def _box(img: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Mean over a rows x cols box (odd sizes), by cumulative sums, edges repeated."""
    out = img
    for axis, size in ((0, rows), (1, cols)):
        half = size // 2
        pad = [(0, 0), (0, 0)]
        pad[axis] = (half + 1, half)
        c = np.cumsum(np.pad(out, pad, mode="edge"), axis=axis)
        out = ((c[size:] - c[:-size]) if axis == 0 else (c[:, size:] - c[:, :-size])) / size
    return out


def _sample(img: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear interpolation at fractional (row, column) positions, clamped to the image."""
    r = np.clip(rows, 0, img.shape[0] - 1.000001)
    c = np.clip(cols, 0, img.shape[1] - 1.000001)
    r0, c0 = np.floor(r).astype(int), np.floor(c).astype(int)
    fr, fc = r - r0, c - c0
    return ((1 - fr) * ((1 - fc) * img[r0, c0] + fc * img[r0, c0 + 1])
            + fr * ((1 - fc) * img[r0 + 1, c0] + fc * img[r0 + 1, c0 + 1]))


# --- the steps ------------------------------------------------------------------------------


def _working_image(pixels: np.ndarray, spacing: tuple[float, float]) -> np.ndarray:
    """The slice resampled to `_STEP` mm, as the log of its signal, lightly smoothed."""
    dr, dc = spacing
    rows = np.arange(0.0, (pixels.shape[0] - 1) * dr + 1e-9, _STEP) / dr
    cols = np.arange(0.0, (pixels.shape[1] - 1) * dc + 1e-9, _STEP) / dc
    img = np.asarray(pixels, dtype=np.float64)
    img = _sample(img, rows[:, None], cols[None, :])
    floor = max(float(np.percentile(img, 99)) * 0.02, 1e-6)
    return _smooth(np.log(np.maximum(img, floor)), 1.0)


def _column_score(work: np.ndarray) -> np.ndarray:
    """Where the vertebral bodies are, on a grid of 2 mm (half the working grid's size).

    A disc is a dark band across the spine, so the second difference over 4 mm, taken along
    the direction (within 40 degrees of the vertical) where it is largest, less the one across
    it (which an edge or a band along that direction, such as the skin's fat, also has), is high
    on it; squared and pooled over 30 mm down and 22 mm across. The bodies are the brightest
    such column (fatty marrow on T1) and have the posterior elements, which alternate too, 35-65
    mm behind them: the score adds half the best score found there, and so prefers the bodies
    to the posterior elements.
    """
    n_rows, n_cols = (work.shape[0] // 2) * 2, (work.shape[1] // 2) * 2
    sm = work[:n_rows:2, :n_cols:2] + work[1:n_rows:2, :n_cols:2]
    sm = _smooth((sm + work[:n_rows:2, 1:n_cols:2] + work[1:n_rows:2, 1:n_cols:2]) / 4, 1.0)
    rows, cols = np.mgrid[0:sm.shape[0], 0:sm.shape[1]].astype(np.float64)
    k = 2.0

    def second_difference(angle: float) -> np.ndarray:
        dr, dc = k * math.cos(math.radians(angle)), k * math.sin(math.radians(angle))
        return _sample(sm, rows + dr, cols + dc) + _sample(sm, rows - dr, cols - dc) - 2 * sm

    best = np.zeros_like(sm)
    for angle in (-40.0, -20.0, 0.0, 20.0, 40.0):
        best = np.maximum(best, second_difference(angle)
                          - np.abs(second_difference(angle + 90.0)))
    best[:2], best[-2:] = 0.0, 0.0
    score = _box(best ** 2, 15, 11)
    top = float(score.max())
    score = score / top if top > 0 else score
    bright = _box(sm, 15, 11)
    mid, high = np.percentile(bright, [50, 99])
    score = score * (0.25 + np.clip((bright - mid) / max(high - mid, 1e-6), 0.0, 1.0))
    behind = np.zeros_like(score)
    for shift in range(17, 33):  # 34-64 mm towards higher columns (posterior)
        behind[:, :-shift] = np.maximum(behind[:, :-shift], score[:, shift:])
    return score + 0.5 * behind


def _trace(score: np.ndarray, anchor: tuple[float, float] | None) -> np.ndarray:
    """The column of the best path from top to bottom (one column per row, moving at most one
    column a row), by dynamic programming; a path through `anchor` when given."""
    score = score.copy()
    if anchor is not None:  # the reader's click: the path must pass within a few mm of it
        r, c = (int(round(x)) for x in anchor)
        r = min(max(r, 0), score.shape[0] - 1)
        band = np.full(score.shape[1], -1e3)
        band[max(c - 3, 0):c + 4] = 0.0
        score[r] += band
    n_rows, n_cols = score.shape
    penalty = 0.02
    total = score[0].copy()
    back = np.zeros((n_rows, n_cols), dtype=np.int8)
    for r in range(1, n_rows):
        left = np.concatenate(([-np.inf], total[:-1])) - penalty
        right = np.concatenate((total[1:], [-np.inf])) - penalty
        stacked = np.vstack((left, total, right))
        choice = np.argmax(stacked, axis=0)
        back[r] = choice - 1
        total = stacked[choice, np.arange(n_cols)] + score[r]
    path = np.zeros(n_rows, dtype=np.float64)
    c = int(np.argmax(total))
    for r in range(n_rows - 1, -1, -1):
        path[r] = c
        c = c + int(back[r, c]) if r > 0 else c
    return path


def _path_frame(path: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The path smoothed and resampled every `_STEP` mm of its length: points (n, 2) as
    (row, column), unit tangents and unit normals (normal = tangent turned a quarter clockwise
    on screen, pointing to higher columns for a vertical path)."""
    rows = np.arange(len(path), dtype=np.float64)
    cols = _smooth(path[:, None], 8.0, 0)[:, 0]
    seg = np.hypot(np.diff(rows), np.diff(cols))
    s = np.concatenate(([0.0], np.cumsum(seg)))
    grid = np.arange(0.0, s[-1], _STEP)
    pts = np.column_stack((np.interp(grid, s, rows), np.interp(grid, s, cols)))
    tangent = np.gradient(pts, axis=0)
    tangent /= np.maximum(np.hypot(tangent[:, 0], tangent[:, 1]), 1e-9)[:, None]
    normal = np.column_stack((-tangent[:, 1], tangent[:, 0]))
    return pts, tangent, normal


def _across(work, pts, normal, taus) -> np.ndarray:
    """Samples at pts + tau * normal: shape (len(pts), len(taus))."""
    taus = np.asarray(taus, dtype=np.float64)
    r = pts[:, 0:1] + taus[None, :] * normal[:, 0:1]
    c = pts[:, 1:2] + taus[None, :] * normal[:, 1:2]
    return _sample(work, r, c)


def _centre_offsets(work, pts, normal) -> np.ndarray:
    """How far across the path the column's middle lies, smoothed along it: the path follows
    the strongest alternation, which need not be the bodies' middle."""
    taus = np.arange(-30.0, 31.0, _STEP)
    grid = _smooth(_across(work, pts, normal, taus), 6.0, 0)
    # the bright column: a 21 mm window with the most signal, near the path
    box = np.cumsum(np.pad(grid, ((0, 0), (1, 0))), axis=1)
    means = (box[:, 21:] - box[:, :-21]) / 21
    best = taus[10:-10][np.argmax(means, axis=1)]
    return _smooth(best[:, None], 10.0, 0)[:, 0]


def _profile(work, pts, normal) -> np.ndarray:
    """The signal along the column's middle, averaged over +/- 6 mm across it."""
    return _across(work, pts, normal, np.arange(-6.0, 7.0, 2.0)).mean(axis=1)


def _disc_dips(profile: np.ndarray) -> list[int]:
    """Indices of the dips (discs) of the profile: local minima 10 mm apart at least, each a
    clear notch below the body signal on both sides within 20 mm."""
    n = len(profile)
    detrended = profile - _smooth(profile[:, None], 12.0, 0)[:, 0]
    spread = float(np.percentile(detrended, 90) - np.percentile(detrended, 10))
    if spread <= 0:
        return []
    dips = []
    for i in range(5, n - 5):
        lo, hi = max(0, i - 5), min(n, i + 6)
        if profile[i] > profile[lo:hi].min():
            continue
        above = profile[max(0, i - 20):i].max(initial=-np.inf)
        below = profile[i + 1:i + 21].max(initial=-np.inf)
        if min(above, below) - profile[i] >= 0.35 * spread:
            if dips and i - dips[-1] < 10:
                if profile[i] < profile[dips[-1]]:
                    dips[-1] = i
                continue
            dips.append(i)
    return dips


def _half_crossing(values: np.ndarray, start: int, stop: int, level: float) -> float:
    """The first position from `start` towards `stop` where `values` reaches `level`, with
    linear interpolation (`stop` itself when it never does)."""
    step = 1 if stop >= start else -1
    for i in range(start, stop, step):
        a, b = values[i], values[i + step]
        if (a - level) * (b - level) <= 0 and a != b:
            return i + step * (level - a) / (b - a)
    return float(stop)


def _bodies(work, pts, normal, profile, dips) -> list[_Body]:
    """A body between each pair of consecutive dips: its upper and lower edges where the
    profile crosses half-way between the body's signal and each dip, then its front and back
    edges across the path the same way."""
    out = []
    for a, b in zip(dips[:-1], dips[1:], strict=True):
        if b - a < 8:
            continue
        inner = profile[a + (b - a) // 4:b - (b - a) // 4 + 1]
        plateau = float(np.median(inner))
        top = _half_crossing(profile, a, b, (plateau + profile[a]) / 2)
        bottom = _half_crossing(profile, b, a, (plateau + profile[b]) / 2)
        if bottom - top < 5:
            continue
        mid = int(round((top + bottom) / 2))
        tau, depth = _front_and_back(work, pts, normal, mid, bottom - top)
        centre = (float(pts[mid, 0] + tau * normal[mid, 0]),
                  float(pts[mid, 1] + tau * normal[mid, 1]))
        out.append(_Body(top, bottom, tau, depth, centre, (float(normal[mid, 0]),
                                                           float(normal[mid, 1]))))
    return out


def _front_and_back(work, pts, normal, mid, height) -> tuple[float, float]:
    """(middle, width) of the bright body across the path at index `mid` (mm)."""
    half = max(2, int(height / 4))
    taus = np.arange(-40.0, 41.0, _STEP)
    rows = slice(max(0, mid - half), min(len(pts), mid + half + 1))
    across = _across(work, pts[rows], normal[rows], taus).mean(axis=0)
    centre = 40
    inside = float(np.median(across[centre - 4:centre + 5]))
    front_out = float(across[max(0, centre - 33):centre - 7].min())
    back_out = float(across[centre + 8:centre + 34].min())
    front = _half_crossing(across, centre, 0, (inside + front_out) / 2)
    back = _half_crossing(across, centre, len(taus) - 1, (inside + back_out) / 2)
    return float(taus[0] + (front + back) / 2), float(back - front)


def _sacrum_side(bodies: list[_Body], path_length: float) -> bool:
    """Whether the sacrum lies past the last body (towards higher rows): the column after the
    last dip is longer than a body, or runs out of the image."""
    return bool(bodies) and path_length - bodies[-1].s_bottom > 0.5 * bodies[-1].height


def _labels(bodies: list[_Body], anchor_body: int | None, anchor_level: str | None
            ) -> dict[str, int]:
    """Level -> index into `bodies`: from the clicked body, else counted up from the last body
    (L5, above the lowest disc found)."""
    if anchor_body is not None:
        base, base_level = anchor_body, ANCHOR_LEVELS.index(anchor_level)
    else:
        base, base_level = len(bodies) - 1, 4
    out = {}
    for k, level in enumerate(LEVELS):
        j = base + (k - base_level)
        if 0 <= j < len(bodies):
            out[level] = j
    return out


def _anchor_body(bodies: list[_Body], point: tuple[float, float]) -> int | None:
    """The body holding the clicked point (within half a body height of its middle, measured
    along and across the spine)."""
    best, best_d = None, math.inf
    for j, b in enumerate(bodies):
        d = math.hypot(point[0] - b.centre[0], point[1] - b.centre[1])
        if d < best_d:
            best, best_d = j, d
    if best is None or best_d > max(0.6 * bodies[best].height, 10.0):
        return None
    return best


def _csf(work, body: _Body, posterior: int) -> tuple[tuple[float, float], float] | None:
    """The middle of the dark canal behind `body` at its mid-height, and a radius keeping 2.5 mm
    inside it; None when no canal is found."""
    n = np.array(body.normal) * posterior
    start = body.depth / 2
    taus = np.arange(0.0, 45.0, _STEP)
    along = np.array([-n[1], n[0]])
    offsets = np.arange(-3.0, 4.0, 1.0)
    pts = np.array(body.centre)[None, :] + offsets[:, None] * along[None, :]
    across = _sample(work, pts[:, 0:1] + (start + taus)[None, :] * n[0],
                     pts[:, 1:2] + (start + taus)[None, :] * n[1]).mean(axis=0)
    inside = float(np.median(_sample(work, np.array([body.centre[0]]),
                                     np.array([body.centre[1]]))))
    # the canal's own signal, smoothed so that the thin dark ligament in front of it does not
    # stand for the CSF
    wide = _smooth(across[:, None], 3.0, 0)[:, 0]
    k = int(np.argmin(wide[2:25])) + 2
    dark = float(np.median(across[max(k - 3, 0):k + 4]))
    level = dark + 0.4 * (inside - dark)
    lo = _half_crossing(across, k, 0, level)
    hi = _half_crossing(across, k, len(taus) - 1, level)
    width = hi - lo
    if width < 5 or inside - dark < 0.2:
        return None
    mid = start + (lo + hi) / 2
    centre = (body.centre[0] + mid * n[0], body.centre[1] + mid * n[1])
    return centre, float(min(_CSF_MAX_RADIUS, width / 2 - 4.5))


def _straightened(bodies: list[_Body], j: int) -> _Body:
    """Body `j` with its normal taken from the line through its neighbours' middles (the spine's
    direction there), steadier than the smoothed path's."""
    a, b = bodies[max(j - 1, 0)].centre, bodies[min(j + 1, len(bodies) - 1)].centre
    tr, tc = b[0] - a[0], b[1] - a[1]
    norm = math.hypot(tr, tc)
    if norm == 0:
        return bodies[j]
    normal = (-tc / norm, tr / norm)
    old = bodies[j].normal
    if normal[0] * old[0] + normal[1] * old[1] < 0:  # keep the path's sense
        normal = (-normal[0], -normal[1])
    return _Body(bodies[j].s_top, bodies[j].s_bottom, bodies[j].tau, bodies[j].depth,
                 bodies[j].centre, normal)


@dataclass(frozen=True)
class _Layout:
    """How a slice is turned into the layout the method works in, head at the top and the
    front on the left: transposed (rows and columns swapped) first, then flipped top to bottom
    and left to right as needed. Points map both ways; `shape` is the series' (rows, columns)."""

    transpose: bool = False
    flip_rows: bool = False
    flip_cols: bool = False

    def image(self, img: np.ndarray) -> np.ndarray:
        out = img.T if self.transpose else img
        return out[::-1 if self.flip_rows else 1, ::-1 if self.flip_cols else 1]

    def spacing(self, spacing: tuple[float, float]) -> tuple[float, float]:
        return (spacing[1], spacing[0]) if self.transpose else (spacing[0], spacing[1])

    def forward(self, point: tuple[float, float], shape: tuple[int, int]
                ) -> tuple[float, float]:
        (r, c), (rows, cols) = point, shape
        if self.transpose:
            r, c, rows, cols = c, r, cols, rows
        return (rows - 1 - r if self.flip_rows else r, cols - 1 - c if self.flip_cols else c)

    def back(self, point: tuple[float, float], shape: tuple[int, int]) -> tuple[float, float]:
        rows, cols = (shape[1], shape[0]) if self.transpose else shape
        r, c = point
        r = rows - 1 - r if self.flip_rows else r
        c = cols - 1 - c if self.flip_cols else c
        return (c, r) if self.transpose else (r, c)


_NO_ORIENTATION = ("(0020,0037) Image Orientation (Patient) is missing: the slice is taken to "
                   "show the head at the top and the front on the left; check that it does.")


def _layout(series: Series) -> tuple[_Layout, str | None]:
    """The turn that brings the series' slices to the head at the top and the front on the
    left, from (0020,0037) Image Orientation (Patient); with a sentence for the reader when
    that attribute is missing (no turn is made). Refuses an axial or coronal series."""
    if series.orientation in ("axial", "coronal"):
        raise InputError(f"suggestions need a sagittal slice of the lumbar spine; this series "
                         f"is {series.orientation} (from (0020,0037) Image Orientation "
                         "(Patient))")
    iop = series.image_orientation
    if series.orientation != "sagittal" or iop is None or len(iop) != 6:
        return _Layout(), _NO_ORIENTATION
    # LPS patient axes (PS3.3 C.7.6.2.1.1): y towards the back, z towards the head
    across, down = np.asarray(iop[:3], dtype=float), np.asarray(iop[3:], dtype=float)
    transpose = abs(across[2]) > abs(down[2])  # the columns, not the rows, run head to feet
    if transpose:
        across, down = down, across
    return _Layout(transpose=bool(transpose), flip_rows=bool(down[2] > 0),
                   flip_cols=bool(across[1] < 0)), None


def _in_series_layout(found: SuggestedRois, layout: _Layout, shape: tuple[int, int],
                      note: str | None) -> SuggestedRois:
    """The suggestion's centres back in the series' own rows and columns; the note, if any,
    among the reasons (and the confidence then at most moderate)."""
    centres = {name: layout.back(point, shape) for name, point in found.centres.items()}
    if note is None:
        return dataclasses.replace(found, centres=centres)
    confidence = "moderate" if found.confidence == "high" else found.confidence
    return dataclasses.replace(found, centres=centres, confidence=confidence,
                               reasons=(*found.reasons, note))


def _check_inputs(series: Series, slice_index, anchor) -> tuple[int, tuple | None]:
    if not isinstance(series, Series):
        raise InputError(f"series: expected a vbq.imaging.Series, got {type(series).__name__}")
    if series.spacing_mm is None:
        raise InputError("series: (0028,0030) Pixel Spacing is missing, so ROI sizes in mm "
                         "cannot be suggested")
    k = series.mid_slice if slice_index is None else slice_index
    if not isinstance(k, (int, np.integer)) or not 0 <= int(k) < series.n_slices:
        raise InputError(f"slice_index: expected a slice from 0 to {series.n_slices - 1}, "
                         f"got {slice_index!r}")
    if anchor is None:
        return int(k), None
    try:
        level, (row, col) = anchor
        row, col = float(row), float(col)
    except (TypeError, ValueError):
        raise InputError(f'anchor: expected (level, (row, column)), e.g. ("L3", (120, 95)), '
                         f"got {anchor!r}") from None
    if level not in ANCHOR_LEVELS:
        raise InputError(f"anchor: the level must be one of {', '.join(ANCHOR_LEVELS)}, "
                         f"got {level!r}")
    rows, cols = series.shape[1:]
    if not (0 <= row <= rows - 1 and 0 <= col <= cols - 1):
        raise InputError(f"anchor: the point ({row:g}, {col:g}) is outside the {rows} x {cols} "
                         "image")
    return int(k), (level, (row, col))


def suggest_rois(series: Series, *, slice_index: int | None = None,
                 anchor: tuple[str, Sequence[float]] | None = None) -> SuggestedRois:
    """Suggest the L1-L4 and CSF ROIs on a sagittal T1 slice, for a reader to accept or move.

    Classical image analysis only (no trained model, no network): the column of vertebral
    bodies is traced where bright bodies alternate with dark discs, the discs cut it into
    bodies, and the levels are named from the reader's click (`anchor`) or, without one, by
    counting up from the lowest disc found, taken for L5-S1. The result is a starting point:
    it is never a measurement until a reader has accepted or moved it.

    Parameters
    ----------
    series : Series
        A sagittal series (`load_series`). The method works on a slice with the head at the
        top and the front on the left; a slice laid out otherwise (the front on the right,
        the head at the bottom, rows running from front to back) is turned into that layout
        as (0020,0037) Image Orientation (Patient) (`Series.image_orientation`) says, and the
        centres are given in the series' own rows and columns. Without that attribute the
        slice is taken as it is, the confidence is at most "moderate" and a reason says so.
    slice_index : int, optional, keyword-only
        The slice (from 0); by default the middle slice (`Series.mid_slice`), the
        mid-sagittal slice of a sagittal series.
    anchor : (str, (row, column)), optional, keyword-only
        A vertebra the reader has named: its level (``"L1"`` ... ``"L5"``) and a point inside
        its body in pixels, e.g. ``("L3", (130.0, 96.0))``. The levels are then named from it,
        which a transitional L5-S1 or a cut-off sacrum cannot mislead.

    Returns
    -------
    SuggestedRois
        ``centres`` (row, column) and ``radii_mm`` for L1-L4 and the CSF behind L3 (a level
        not found is absent), a ``confidence`` word with ``reasons`` in plain sentences,
        ``possibly_collapsed`` levels, ``summary()`` and ``to_frame()``.

    Raises
    ------
    InputError
        A series without pixel spacing, an axial or coronal series, a slice out of range, or
        an anchor that is not a level L1-L5 with a point inside the image.

    Notes
    -----
    Performance, measured on synthetic phantoms of varied lordosis, tilt, body and disc sizes,
    noise, coil bias, a collapsed level and a transitional L5-S1 (`vbq.phantom`), on a set of
    seeds held out while the method was developed, is reported in ``bench/bench_suggest.py``
    and the README; it has not been validated on patients' images. Without an anchor, a
    transitional vertebra (a sacralised L5 or a lumbarised S1) shifts every label by one level,
    as it misleads a reader counting from the sacrum.

    Examples
    --------
    >>> from vbq import phantom
    >>> from vbq.imaging import load_series
    >>> datasets, truth = phantom.make_series(seed=0)
    >>> s = suggest_rois(load_series(phantom.series_bytes(datasets)))
    >>> sorted(s.centres), s.slice_index
    (['CSF', 'L1', 'L2', 'L3', 'L4'], 5)
    """
    k, anchor = _check_inputs(series, slice_index, anchor)
    layout, note = _layout(series)
    shape = (series.shape[1], series.shape[2])
    dr, dc = layout.spacing(series.spacing_mm)
    work = _working_image(layout.image(series.pixels[k]), (dr, dc))
    if anchor is None:
        anchor_mm = None
    else:
        row, col = layout.forward(anchor[1], shape)
        anchor_mm = (row * dr / _STEP, col * dc / _STEP)
    coarse = _trace(_column_score(work), None if anchor_mm is None else
                    (anchor_mm[0] / 2, anchor_mm[1] / 2))
    path = np.interp(np.arange(work.shape[0]), 2 * np.arange(len(coarse)) + 0.5,
                     2 * coarse + 0.5)
    pts, _, normal = _path_frame(path)
    offsets = _centre_offsets(work, pts, normal)
    pts = pts + offsets[:, None] * normal
    profile = _profile(work, pts, normal)
    bodies = _bodies(work, pts, normal, profile, _disc_dips(profile))
    found = _assemble(work, bodies, k, anchor, anchor_mm, len(pts), (dr, dc))
    return _in_series_layout(found, layout, shape, note)


def _assemble(work, bodies: list[_Body], k: int, anchor, anchor_mm, path_length: int,
              spacing: tuple[float, float]) -> SuggestedRois:
    """Name the levels, size the ROIs and say how far to trust them."""
    dr, dc = spacing
    reasons: list[str] = []
    anchor_body = None
    if anchor is not None:
        anchor_body = _anchor_body(bodies, anchor_mm)
        if anchor_body is None:
            reasons.append(f"No vertebral body was found where {anchor[0]} was clicked; the "
                           "levels are counted from the lowest disc instead.")
    labels = _labels(bodies, anchor_body, anchor[0] if anchor_body is not None else None)
    centres, radii = {}, {}
    for level, j in labels.items():
        b = bodies[j]
        centres[level] = (b.centre[0] * _STEP / dr, b.centre[1] * _STEP / dc)
        radii[level] = float(np.clip(min(b.height, b.depth) / 2 - 3.5, _MIN_RADIUS,
                                     _MAX_RADIUS))
    if "L3" in labels and bodies:
        body = _straightened(bodies, labels["L3"])
        csf = _csf(work, body, 1 if body.normal[1] > 0 else -1)  # posterior: higher columns
        if csf is not None:
            (r, c), radius = csf
            centres["CSF"], radii["CSF"] = (r * _STEP / dr, c * _STEP / dc), max(radius, 2.0)
    heights = {lv: bodies[j].height for lv, j in labels.items()}
    collapsed = tuple(lv for lv, h in heights.items()
                      if h < 0.75 * np.median([x for o, x in heights.items() if o != lv]))
    confidence = _confidence(reasons, labels, centres, bodies, anchor_body, collapsed,
                             _sacrum_side(bodies, path_length))
    return SuggestedRois(slice_index=k, centres=centres, radii_mm=radii, confidence=confidence,
                         reasons=tuple(reasons), anchor=anchor, possibly_collapsed=collapsed,
                         n_bodies=len(bodies))


def _confidence(reasons: list[str], labels, centres, bodies, anchor_body, collapsed,
                sacrum: bool) -> str:
    """The confidence word; appends the reasons behind it to `reasons`."""
    missing = [name for name in (*LEVELS, "CSF") if name not in centres]
    level = "high"
    if anchor_body is not None:
        reasons.append("The levels are named from the vertebra you clicked.")
    else:
        level = "moderate"
        reasons.append("The levels are counted up from the lowest disc found, taken for L5-S1: "
                       "a transitional vertebra would shift them by one level. Click one "
                       "vertebra whose level you know to name them from it.")
        if not sacrum:
            level = "low"
            reasons.append("The sacrum could not be told apart below the lowest disc.")
    if missing:
        level = "low"
        reasons.append(f"Not found: {', '.join(missing)}.")
    if len(bodies) >= 3:
        h = np.array([b.height for b in bodies])
        if float(np.std(h) / np.mean(h)) > 0.35:
            level = "low"
            reasons.append("The vertebral bodies found differ widely in height.")
    if collapsed:
        if level == "high":
            level = "moderate"
        reasons.append(f"{', '.join(collapsed)} looks lower than the other levels: check it "
                       "for a fracture (a collapsed level is left out of the VBQ).")
    return level
