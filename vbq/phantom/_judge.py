"""Judging `vbq.imaging.suggest_rois` on varied phantoms against their truth (internal to
`vbq.phantom`; used by tests/imaging/test_suggest.py and bench/bench_suggest.py)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..imaging import load_series, measure_vbq, roi_stats, suggest_rois
from . import series_bytes
from ._anatomy import LUMBAR

DEVELOPMENT_SEEDS = range(1000, 1160)
"""Seeds the suggestion was developed and tuned on."""

HELD_OUT_SEEDS = range(5000, 5060)
"""Seeds never looked at while the suggestion was developed: the test set."""


@dataclass(frozen=True)
class Judgement:
    """How one suggestion fared against a phantom's truth.

    Attributes
    ----------
    seed : int
    anchor_level : str or None
        The level clicked (None: no anchor).
    labels_right : bool
        Each of L1-L4 was suggested with its centre inside the true body of that level.
    bodies_inside : bool
        Each of the four body ROIs lies wholly inside its own body.
    csf_inside : bool
        The CSF ROI lies wholly inside the canal behind L3.
    vbq_error : float
        VBQ from the suggested ROIs (the collapsed level marked, as a reader would) / true
        VBQ - 1; NaN when a ROI is missing.
    seconds : float
        Time `suggest_rois` took.
    transitional, collapsed : str
        The phantom's transitional L5-S1 ("none", ...) and collapsed level ("" for none).
    """

    seed: int
    anchor_level: str | None
    labels_right: bool
    bodies_inside: bool
    csf_inside: bool
    vbq_error: float
    seconds: float
    transitional: str
    collapsed: str

    @property
    def meets_targets(self) -> bool:
        """Labels right, every ROI inside its structure, VBQ within 2% of the truth."""
        return (self.labels_right and self.bodies_inside and self.csf_inside
                and abs(self.vbq_error) <= 0.02)


def anchor_click(seed: int, truth) -> tuple[str, tuple[float, float]]:
    """The reader's click for phantom `seed`: the level L1 ... L5 in turn by seed, at a point
    up to 4 mm from the middle of that body (less in a collapsed body) in a seeded direction."""
    level = LUMBAR[seed % 5]
    angle = np.random.default_rng([seed, 0xC11C]).uniform(0.0, 2 * math.pi)
    dr, dc = truth.pixel_spacing
    reach = min(4.0, truth.roi_radius_mm[level])
    row, col = truth.centres[level]
    return level, (row + reach / dr * math.sin(angle), col + reach / dc * math.cos(angle))


def judge(seed: int, datasets_truth, *, anchored: bool) -> Judgement:
    """Suggest ROIs on one phantom (``make_varied_series(seed)``'s output) and judge them."""
    datasets, truth = datasets_truth
    series = load_series(series_bytes(datasets))
    anchor = anchor_click(seed, truth) if anchored else None
    start = time.perf_counter()
    s = suggest_rois(series, anchor=anchor)
    seconds = time.perf_counter() - start
    labels = all(lv in s.centres and truth.contains(lv, s.centres[lv]) for lv in LUMBAR[:4])
    inside = labels and all(truth.roi_inside(lv, s.centres[lv], s.radii_mm[lv])
                            for lv in LUMBAR[:4])
    csf = "CSF" in s.centres and truth.roi_inside("CSF", s.centres["CSF"], s.radii_mm["CSF"])
    error = math.nan
    if s.complete:
        image = series.pixels[s.slice_index]
        rois = {name: roi_stats(image, series.spacing_mm, s.centres[name], s.radii_mm[name])
                for name in s.centres}
        error = measure_vbq(rois, collapsed=truth.collapsed).vbq / truth.vbq - 1
    return Judgement(seed=seed, anchor_level=anchor[0] if anchor else None, labels_right=labels,
                     bodies_inside=inside, csf_inside=csf, vbq_error=float(error),
                     seconds=seconds, transitional=truth.anatomy.transitional,
                     collapsed=truth.anatomy.collapsed or "")
