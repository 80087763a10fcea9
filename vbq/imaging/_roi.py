"""Circular ROI statistics and the VBQ of one measured patient (internal to `vbq.imaging`)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from ..schema import CSF_LEVELS, LEVELS
from ..score import compute_vbq


class RoiOutsideImageError(InputError):
    """A circular ROI holds pixel centres outside the image (it is never silently clipped)."""


@dataclass(frozen=True)
class RoiStats:
    """Statistics of a circular ROI.

    Attributes
    ----------
    mean, median, sd : float
        Of the pixel values inside; `sd` is the sample SD (ddof = 1; 0 for a single pixel).
    n_pixels : int
        Pixels whose centres fall inside the circle.
    area_mm2 : float
        n_pixels x row spacing x column spacing.
    min, max : float
    centre : (float, float)
        (row, column) in pixels, as given; ``centre_mm`` in mm from the centre of pixel (0, 0).
    radius_mm : float
    spacing_mm : (float, float)
    """

    mean: float
    median: float
    sd: float
    n_pixels: int
    area_mm2: float
    min: float
    max: float
    centre: tuple[float, float]
    radius_mm: float
    spacing_mm: tuple[float, float]

    @property
    def centre_mm(self) -> tuple[float, float]:
        """The centre in mm down and across from the centre of pixel (0, 0)."""
        return (self.centre[0] * self.spacing_mm[0], self.centre[1] * self.spacing_mm[1])

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "median": self.median, "sd": self.sd,
                "n_pixels": self.n_pixels, "area_mm2": self.area_mm2, "min": self.min,
                "max": self.max, "centre_row": self.centre[0], "centre_col": self.centre[1],
                "centre_row_mm": self.centre_mm[0], "centre_col_mm": self.centre_mm[1],
                "radius_mm": self.radius_mm}


@dataclass(frozen=True)
class MeasuredVBQ:
    """VBQ of one measured patient.

    Attributes
    ----------
    vbq : float
        median(SI of the non-collapsed L1-L4) / SI CSF; NaN when it cannot be scored.
    message : str
        "" when scored, else why not (CSF SI of zero, too few levels, a missing ROI).
    si : dict
        ``"L1"`` ... ``"L4"`` -> mean SI (NaN when not measured).
    si_csf : float
    csf_level : str
    collapsed : tuple of str
        Levels left out of the median.
    n_levels : int
        Levels that entered the median.
    """

    vbq: float
    message: str
    si: dict[str, float]
    si_csf: float
    csf_level: str
    collapsed: tuple[str, ...]
    n_levels: int

    def cohort_row(self) -> dict[str, Any]:
        """The cohort's columns (`vbq.schema`): si_l1..si_l4, si_csf, csf_level, collapsed_l1..l4."""
        row: dict[str, Any] = {f"si_{lv.lower()}": self.si[lv] for lv in LEVELS}
        row["si_csf"] = self.si_csf
        row["csf_level"] = self.csf_level
        row.update({f"collapsed_{lv.lower()}": lv in self.collapsed for lv in LEVELS})
        return row




def roi_stats(pixels: np.ndarray, spacing_mm: tuple[float, float] | Iterable[float],
              centre: tuple[float, float] | Iterable[float], radius_mm: float) -> RoiStats:
    """Mean, median, SD and pixel count of a circular ROI on one slice.

    Parameters
    ----------
    pixels : 2-D array
        One slice after the modality LUT (``series.pixels[k]``), never display values.
    spacing_mm : (row spacing, column spacing)
        (0028,0030) Pixel Spacing in mm; anisotropic spacing makes the circle an ellipse in
        pixels.
    centre : (row, column)
        In pixels, fractional allowed; pixel (i, j) has its centre at (i, j).
    radius_mm : float
        Radius of the circle in mm.

    Returns
    -------
    RoiStats
        ``mean``, ``median``, ``sd`` (ddof = 1, 0 for one pixel), ``n_pixels``, ``area_mm2``,
        ``min``, ``max``.

    Raises
    ------
    RoiOutsideImageError
        When any pixel centre inside the circle lies outside the image: the ROI is never
        clipped, so a result always describes the whole circle.
    InputError
        Bad parameters (not 2-D, spacing or radius not positive, centre not finite), no pixel
        centre inside the circle, or a non-finite pixel value inside it.

    Notes
    -----
    Pixel (i, j) is inside when ((i - r) * dr)^2 + ((j - c) * dc)^2 <= R^2, with (r, c) the
    centre, (dr, dc) the spacing and R the radius: the pixels whose centres fall inside (or on)
    the circle, with no partial-pixel weighting. The mask is evaluated, vectorised, over the
    circle's bounding box clipped to the image and a one-pixel ring around it, so memory is
    bounded by the image whatever the radius and spacing: the pixel centres inside an
    axis-aligned ellipse form, in every row and column, a run centred on the ellipse's centre,
    so (i) the centre nearest the ellipse's centre is inside whenever any centre is, and (ii)
    when that one lies in the image, any inside centre outside the image implies one inside in
    the ring next to the image. SD is the sample standard deviation (n - 1 in the
    denominator), as viewers such as OsiriX/Horos and ImageJ report it.

    Examples
    --------
    >>> r = roi_stats(np.arange(100.0).reshape(10, 10), (1.0, 1.0), (5, 5), 1.0)
    >>> r.n_pixels, r.mean
    (5, 55.0)
    """
    arr = np.asarray(pixels)
    if arr.ndim != 2:
        raise InputError(f"pixels: expected a 2-D slice, got shape {arr.shape}")
    try:
        dr, dc = (float(v) for v in spacing_mm)
        r0, c0 = (float(v) for v in centre)
    except (TypeError, ValueError) as exc:
        raise InputError(f"spacing_mm and centre: expected two numbers each, got {spacing_mm!r} "
                         f"and {centre!r}") from exc
    radius = float(radius_mm)
    if not (math.isfinite(dr) and math.isfinite(dc) and dr > 0 and dc > 0):
        raise InputError(f"spacing_mm: expected two positive numbers, got {spacing_mm!r}")
    if not (math.isfinite(r0) and math.isfinite(c0)):
        raise InputError(f"centre: expected finite (row, column), got {centre!r}")
    if not (math.isfinite(radius) and radius > 0):
        raise InputError(f"radius_mm: expected a positive number, got {radius_mm!r}")
    rows, cols = arr.shape
    # the pixel centre nearest the circle's centre is inside whenever any is (see Notes)
    ni, nj = round(r0), round(c0)
    if ((ni - r0) * dr) ** 2 + ((nj - c0) * dc) ** 2 > radius * radius:
        raise InputError(f"radius_mm: a circle of {radius:g} mm at ({r0:g}, {c0:g}) holds no "
                         f"pixel centre (pixel spacing {dr:g} x {dc:g} mm)")
    leaves = RoiOutsideImageError(
        f"centre: the ROI of {radius:g} mm at (row {r0:g}, column {c0:g}) leaves the "
        f"{rows} x {cols} image; move it inside or make it smaller")
    if not (0 <= ni < rows and 0 <= nj < cols):
        raise leaves
    # evaluated over the image and a one-pixel ring around it only, whatever the radius
    hr, hc = radius / dr, radius / dc  # half-extent in pixels (may be huge or infinite)
    i0, i1 = math.ceil(max(r0 - hr, -1.0)), math.floor(min(r0 + hr, float(rows)))
    j0, j1 = math.ceil(max(c0 - hc, -1.0)), math.floor(min(c0 + hc, float(cols)))
    ii = np.arange(i0, i1 + 1)[:, None]
    jj = np.arange(j0, j1 + 1)[None, :]
    inside = ((ii - r0) * dr) ** 2 + ((jj - c0) * dc) ** 2 <= radius * radius
    outside = (ii < 0) | (ii >= rows) | (jj < 0) | (jj >= cols)
    if np.any(inside & outside):
        raise leaves
    # the ring holds no centre inside the circle: trim it off
    a0, a1, b0, b1 = max(i0, 0), min(i1, rows - 1), max(j0, 0), min(j1, cols - 1)
    inside = inside[a0 - i0:a1 - i0 + 1, b0 - j0:b1 - j0 + 1]
    n = int(inside.sum())
    values = arr[a0:a1 + 1, b0:b1 + 1][inside].astype(np.float64)
    if not np.all(np.isfinite(values)):
        raise InputError("pixels: the ROI holds non-finite values")
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else 0.0
    return RoiStats(mean=mean, median=float(np.median(values)), sd=sd, n_pixels=n,
                    area_mm2=n * dr * dc, min=float(values.min()), max=float(values.max()),
                    centre=(r0, c0), radius_mm=radius, spacing_mm=(dr, dc))


def measure_vbq(rois: Mapping[str, RoiStats | float | None], *, collapsed: Iterable[str] = (),
                csf_level: str = "L3", min_levels: int = 3) -> MeasuredVBQ:
    """VBQ of one patient from its ROIs, computed by `vbq.compute_vbq` like the cohort's.

    Parameters
    ----------
    rois : mapping
        ``"L1"`` ... ``"L4"`` and ``"CSF"`` -> `RoiStats` (its mean is used) or a mean SI;
        a missing key or None is "not measured".
    collapsed : iterable of str, keyword-only
        Levels marked collapsed (fractured): left out of the median.
    csf_level : str, keyword-only
        Where the CSF ROI sits (L3 by default; an adjacent level when obstructed).
    min_levels : int, keyword-only
        Fewest evaluable levels for a score (3, as `vbq.Settings`).

    Returns
    -------
    MeasuredVBQ
        ``vbq`` and, when it is NaN, the ``message`` saying why (a CSF SI of zero gives a
        message, never an infinite VBQ); ``cohort_row()`` gives the cohort's columns.

    Raises
    ------
    InputError
        Unknown ROI names, levels or `csf_level`.

    Notes
    -----
    VBQ = median(SI of the evaluable L1-L4) / SI CSF (Ehresman et al., Spine J 2020; collapsed
    levels left out, Chen et al. 2023), through `vbq.cohort.compute_vbq`, so a measured patient
    and a spreadsheet patient are computed by the same code.

    Examples
    --------
    >>> m = measure_vbq({"L1": 300.0, "L2": 320.0, "L3": 310.0, "L4": 330.0, "CSF": 110.0})
    >>> round(m.vbq, 4), m.message
    (2.8636, '')
    """
    allowed = {*LEVELS, "CSF"}
    unknown = sorted(set(rois) - allowed)
    if unknown:
        raise InputError(f"rois: unknown names {unknown}; expected {sorted(allowed)}")
    collapsed = tuple(collapsed)
    if set(collapsed) - set(LEVELS):
        raise InputError(f"collapsed: expected levels among {list(LEVELS)}, got {list(collapsed)}")
    if csf_level not in CSF_LEVELS:
        raise InputError(f"csf_level: expected one of {list(CSF_LEVELS)}, got {csf_level!r}")

    def mean_of(value: RoiStats | float | None) -> float:
        if value is None:
            return float("nan")
        return float(value.mean if isinstance(value, RoiStats) else value)

    si = {lv: mean_of(rois.get(lv)) for lv in LEVELS}
    csf = mean_of(rois.get("CSF"))
    result = compute_vbq(np.array([[si[lv] for lv in LEVELS]]), np.array([csf]),
                         np.array([[lv in collapsed for lv in LEVELS]]), min_levels=min_levels)
    message = result.reasons[0]
    if "CSF SI missing" in message:
        message = message.replace("CSF SI missing", "no CSF ROI placed")
    return MeasuredVBQ(vbq=float(result.vbq[0]), message=message, si=si, si_csf=csf,
                       csf_level=csf_level, collapsed=tuple(lv for lv in LEVELS
                                                            if lv in collapsed),
                       n_levels=int(result.n_levels[0]))


