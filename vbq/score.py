"""The VBQ score and the two classifications: numpy only, no statistics.

* `compute_vbq`: VBQ = median(SI of the evaluable L1-L4 bodies) / SI of the CSF (Ehresman et al.
  2020), collapsed levels left out as in Chen et al. 2023.
* `classify_dxa`: the WHO T-score classes (WHO Study Group 1994).
* `classify_vbq`: VBQ classes by thresholds.

Separate from `vbq.cohort` (which prepares a whole cohort and derives thresholds with
`vbq.stats`) so that the imaging and measurement code can score a patient without loading the
statistics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .errors import InputError
from .schema import LEVELS

if TYPE_CHECKING:  # annotations only (postponed by the __future__ import)
    from numpy.typing import ArrayLike

__all__ = ["VBQResult", "compute_vbq", "classify_dxa", "classify_vbq"]


@dataclass(frozen=True)
class VBQResult:
    """VBQ scores of a cohort.

    Attributes
    ----------
    vbq : ndarray of float
        VBQ per patient; NaN where the patient cannot be scored (see `reasons`).
    n_levels : ndarray of int
        Levels that entered the median.
    reasons : list of str
        Per patient: "" when scored, else why not.
    level_notes : list of tuple
        (row index, level, reason) for every level left out of a median.
    """

    vbq: np.ndarray
    n_levels: np.ndarray
    reasons: list[str]
    level_notes: list[tuple[int, str, str]]


def compute_vbq(
    si: np.ndarray,
    csf: np.ndarray,
    collapsed: np.ndarray | None = None,
    *,
    min_levels: int = 3,
    levels: tuple[str, ...] = LEVELS,
) -> VBQResult:
    """VBQ = median(SI of evaluable levels) / SI CSF, row-wise.

    Parameters
    ----------
    si : array of shape (n, k)
        Mean ROI signal intensity per vertebral level (k = 4 for L1-L4); NaN when not measured.
    csf : array of shape (n,)
        Mean CSF ROI signal intensity.
    collapsed : bool array of shape (n, k), optional
        True where the body is collapsed (fractured); such a level is left out.
    min_levels : int, keyword-only
        Fewest evaluable levels for a score.
    levels : tuple of str, keyword-only
        Level names for the notes.

    Returns
    -------
    VBQResult

    Notes
    -----
    Ehresman et al. 2020 (Spine J 20:556) define VBQ as median(SI L1-L4) / SI CSF at L3 on
    non-contrast T1; Chen et al. 2023 leave collapsed levels out and take the median of the rest.
    The median of an even count is the mean of the two middle values (as in SPSS and R).

    Examples
    --------
    >>> r = compute_vbq(np.array([[300., 320, 310, 330]]), np.array([110.]))
    >>> round(float(r.vbq[0]), 4)
    2.8636
    """
    si = np.asarray(si, dtype=float)
    csf = np.asarray(csf, dtype=float)
    if si.ndim != 2 or si.shape[1] != len(levels):
        raise InputError(f"si: expected shape (n, {len(levels)}), got {si.shape}")
    if csf.shape != (si.shape[0],):
        raise InputError(f"csf: expected shape ({si.shape[0]},), got {csf.shape}")
    if collapsed is None:
        collapsed = np.zeros(si.shape, dtype=bool)
    collapsed = np.asarray(collapsed, dtype=bool)
    if collapsed.shape != si.shape:
        raise InputError(f"collapsed: expected shape {si.shape}, got {collapsed.shape}")

    missing = np.isnan(si)
    usable = ~missing & ~collapsed
    masked = np.where(usable, si, np.nan)
    n_levels = usable.sum(axis=1)
    with np.errstate(all="ignore"):
        med = np.full(si.shape[0], np.nan)
        ok_rows = n_levels > 0
        if ok_rows.any():
            med[ok_rows] = np.nanmedian(masked[ok_rows], axis=1)
    csf_ok = np.isfinite(csf) & (csf > 0)
    enough = n_levels >= min_levels
    vbq = np.where(enough & csf_ok, med / np.where(csf_ok, csf, 1.0), np.nan)

    reasons = [""] * si.shape[0]
    for i in np.flatnonzero(~(enough & csf_ok)):
        parts = []
        if not enough[i]:
            parts.append(
                f"only {int(n_levels[i])} evaluable level(s) for VBQ; at least {min_levels} required"
            )
        if not csf_ok[i]:
            parts.append("CSF SI missing" if np.isnan(csf[i]) else f"CSF SI must be > 0, got {csf[i]:g}")
        reasons[i] = "; ".join(parts)
    notes = []
    rows, cols = np.nonzero(collapsed | missing)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        why = "collapsed: left out of the VBQ median" if collapsed[r, c] else "SI missing"
        notes.append((r, levels[c], why))
    return VBQResult(vbq=vbq, n_levels=n_levels.astype(int), reasons=reasons, level_notes=notes)


def classify_dxa(
    t_score: ArrayLike, *, osteoporosis_t: float = -2.5, osteopenia_t: float = -1.0
) -> np.ndarray:
    """WHO classification of T-scores: "osteoporosis", "osteopenia", "normal" (object array).

    Osteoporosis at T <= `osteoporosis_t`, osteopenia for `osteoporosis_t` < T < `osteopenia_t`,
    normal at T >= `osteopenia_t`; missing T gives None.

    References
    ----------
    WHO Study Group. Assessment of fracture risk and its application to screening for
    postmenopausal osteoporosis. WHO Tech Rep Ser 843, 1994.

    Examples
    --------
    >>> classify_dxa([-2.5, -2.4, -1.0, 0.3]).tolist()
    ['osteoporosis', 'osteopenia', 'normal', 'normal']
    """
    t = np.asarray(t_score, dtype=float)
    out = np.where(
        t <= osteoporosis_t, "osteoporosis", np.where(t < osteopenia_t, "osteopenia", "normal")
    ).astype(object)
    out[np.isnan(t)] = None
    return out


def classify_vbq(
    vbq: ArrayLike, *, osteopenia: float = 2.6, osteoporosis: float = 2.9
) -> np.ndarray:
    """Classify VBQ scores by thresholds; a score at or above a threshold is positive.

    Returns "osteoporosis" (VBQ >= `osteoporosis`), "osteopenia" (>= `osteopenia`) or "normal".

    Examples
    --------
    >>> classify_vbq([2.5, 2.6, 2.95]).tolist()
    ['normal', 'osteopenia', 'osteoporosis']
    """
    v = np.asarray(vbq, dtype=float)
    out = np.where(
        v >= osteoporosis, "osteoporosis", np.where(v >= osteopenia, "osteopenia", "normal")
    ).astype(object)
    out[np.isnan(v)] = None
    return out
