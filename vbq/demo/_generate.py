# SYNTHETIC DATA: this module invents patients; nothing here comes from a real person.
"""The generator of the SYNTHETIC demo cohort: the steps of the model in `vbq.demo`'s docstring."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import paper
from ..errors import InputError
from ..schema import COHORT_COLUMNS, DXA_COLUMNS, LEVELS
from ._model import (
    _MODEL,
    DEFAULT_SEED,
    DXA_REFERENCE,
    N_DEGENERATIVE,
    N_MALE,
    N_MALE_DEGENERATIVE,
    N_PATIENTS,
    N_RELIABILITY,
    _Model,
)

__all__ = ["generate"]

_DRAWN_COUNTS: dict[str, tuple[int, int]] = {
    k: v for k, v in paper.TABLE2_COUNTS.items() if k != "current_osteo_dx"}
"""Table 2's counts the generator assigns at random; "diagnosed now" follows from the T-scores."""

def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std(ddof=1)


def _exact_normals(z: np.ndarray) -> np.ndarray:
    """Columns of `z` centred, made mutually orthogonal (Gram-Schmidt) and scaled to SD 1.

    Written with elementwise sums rather than a QR factorisation so the result does not depend on
    the BLAS/LAPACK build or its threading.
    """
    z = z - z.mean(axis=0)
    out = np.empty_like(z)
    for j in range(z.shape[1]):
        v = z[:, j].copy()
        for i in range(j):
            v -= np.sum(v * out[:, i]) / np.sum(out[:, i] * out[:, i]) * out[:, i]
        out[:, j] = v / np.sqrt(np.sum(v * v) / (len(v) - 1))
    return out


def _split_by_severity(severity: np.ndarray, male: np.ndarray) -> tuple[np.ndarray, float]:
    """The 101 most severe patients with 52 men among them, and the male offset that makes them
    the top 101 of ``severity + offset * male``."""
    deg = np.zeros(len(severity), bool)
    cut = []
    for mask, k in ((male, N_MALE_DEGENERATIVE), (~male, N_DEGENERATIVE - N_MALE_DEGENERATIVE)):
        idx = np.flatnonzero(mask)
        order = idx[np.argsort(-severity[idx], kind="stable")]
        deg[order[:k]] = True
        cut.append((severity[order[k - 1]] + severity[order[k]]) / 2)
    return deg, cut[1] - cut[0]


def _weighted_pick(rng: np.random.Generator, idx: np.ndarray, k: int, weight: np.ndarray) -> np.ndarray:
    """`k` distinct elements of `idx` drawn with probability proportional to `weight`."""
    p = weight / weight.sum()
    return np.sort(rng.choice(idx, size=k, replace=False, p=p))


def _soft_floor(x: np.ndarray, floor: float, knee: float) -> np.ndarray:
    """Identity above `knee`; below it ``floor + (knee - floor) * exp((x - knee) / (knee -
    floor))``, which meets the identity with slope 1 at the knee and never reaches `floor`: a
    floor that keeps the order of the values and moves only the few below the knee."""
    x = np.asarray(x, dtype=float)
    width = knee - floor
    return np.where(x < knee, floor + width * np.exp(np.minimum(x - knee, 0.0) / width), x)


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _grades(rng: np.random.Generator, m: _Model, zsev: np.ndarray, deglev: np.ndarray,
            collapsed: np.ndarray) -> dict[str, np.ndarray]:
    """Per-level grades (n, 4) consistent with the degenerative-level pattern `deglev`.

    A degenerative level meets at least one of the paper's criteria, a non-degenerative level
    none; a collapsed level has Genant grade 2-3.
    """
    n = len(zsev)
    inten = 0.5 * zsev[:, None] + 0.8 * rng.standard_normal((n, 4))
    draw = rng.random((n, 4, 3))
    prob = np.array([m.p_facet, m.p_ucla, m.p_osteophyte])
    met = deglev[:, :, None] & (draw < prob)
    need = deglev & ~collapsed & ~met.any(axis=2)
    pick = np.argmin(draw / prob, axis=2)
    for c in range(3):
        met[:, :, c] |= need & (pick == c)
    u = rng.random((n, 4, 6))
    facet = np.where(met[:, :, 0], 2 + (u[..., 0] < _logistic(inten - 0.8)),
                     (u[..., 0] < _logistic(inten + 0.2)).astype(int))
    ucla = np.where(met[:, :, 1], 3 + (u[..., 1] < _logistic(inten - 0.6)),
                    1 + (u[..., 1] < _logistic(inten + 0.3)))
    genant = np.where(collapsed, 2 + (u[..., 2] < 0.3), (u[..., 2] < 0.05).astype(int))
    # osteophytes: direction group and length of the largest anterior osteophyte
    met_dirs = np.array(["C", "D", "E"], dtype=object)
    other_dirs = np.array(["A", "B", "C", "D", "E", "F"], dtype=object)
    other_p = np.cumsum([0.45, 0.30, 0.05, 0.07, 0.08, 0.05])
    d_met = met_dirs[np.searchsorted(np.cumsum([0.25, 0.35, 0.40]), u[..., 3] * 0.999999)]
    d_other = other_dirs[np.searchsorted(other_p, u[..., 3] * 0.999999)]
    direction = np.where(met[:, :, 2], d_met, d_other)
    z = rng.standard_normal((n, 4))
    len_met = 2.1 + np.exp(np.log(2.0) + 0.5 * z + 0.3 * inten)
    len_b = np.minimum(0.5 + np.exp(0.6 * z), 8.0)
    len_small = 0.3 + 1.7 * u[..., 4]
    len_f = np.exp(np.log(1.5) + 0.5 * z)
    length = np.where(
        met[:, :, 2], len_met,
        np.where(direction == "A", 0.0,
                 np.where(direction == "B", len_b, np.where(direction == "F", len_f, len_small))),
    )
    return {
        "facet": facet.astype(int),
        "ucla": ucla.astype(int),
        "genant": genant.astype(int),
        "osteophyte_dir": direction,
        "osteophyte_mm": np.round(length, 1),
    }


def _reread(rng: np.random.Generator, g: dict[str, np.ndarray], p: float) -> dict[str, np.ndarray]:
    """A second reading of the grades: each grade moves one step with probability `p`."""
    shape = g["facet"].shape

    def step(values, low, high, prob):
        move = rng.random(shape) < prob
        sign = np.where(rng.random(shape) < 0.5, -1, 1)
        return np.clip(values + move * sign, low, high)

    out = {
        "facet": step(g["facet"], 0, 3, p),
        "ucla": step(g["ucla"], 1, 4, p),
        "genant": np.where(g["genant"] >= 2, step(g["genant"], 2, 3, p / 2),
                           step(g["genant"], 0, 1, p / 4)),
    }
    direction = g["osteophyte_dir"].copy()
    swap = rng.random(shape) < p / 2
    alt = np.array(["B", "C", "D", "E"], dtype=object)[rng.integers(0, 4, shape)]
    direction = np.where(swap & np.isin(direction, ["B", "C", "D", "E"]), alt, direction)
    length = g["osteophyte_mm"] * np.exp(0.12 * rng.standard_normal(shape))
    length = length + 0.2 * rng.standard_normal(shape)
    out["osteophyte_dir"] = direction
    out["osteophyte_mm"] = np.where(direction == "A", 0.0, np.round(np.clip(length, 0.1, 40), 1))
    return out


def _artefact(m: _Model, g: dict[str, np.ndarray]) -> np.ndarray:
    """Mineral the AP DXA projection adds per patient, from the per-level grades (g/cm2)."""
    per_level = (
        m.art_facet * g["facet"]
        + m.art_ucla * np.maximum(g["ucla"] - 2, 0)
        + m.art_osteophyte * np.where(g["osteophyte_dir"] == "A", 0.0, g["osteophyte_mm"])
        + m.art_genant * g["genant"]
    )
    return per_level.sum(axis=1)


def _vbq_from_si(si: np.ndarray, csf: np.ndarray, collapsed: np.ndarray) -> np.ndarray:
    usable = np.where(collapsed, np.nan, si)
    return np.nanmedian(usable, axis=1) / csf


@dataclass(frozen=True, eq=False)
class _People:
    """Step 1's draws: sex and age of every patient."""

    male: np.ndarray  # bool (n,)
    age: np.ndarray  # whole years (n,)
    za: np.ndarray  # age standardised by the model's mean and SD

    @property
    def female(self) -> np.ndarray:
        return ~self.male


@dataclass(frozen=True, eq=False)
class _Degeneration:
    """Step 2's draws: degeneration severity, the group it implies, the degenerative levels."""

    degenerative: np.ndarray  # bool (n,): the 101 patients the grades make degenerative
    severity: np.ndarray  # standardised severity including the male offset
    n_levels: np.ndarray  # degenerative vertebrae among L1-L4 (n,)
    levels: np.ndarray  # bool (n, 4): which of L1-L4 are degenerative
    age_coefficient: float
    male_offset: float

    @property
    def groups(self) -> dict[str, np.ndarray]:
        """Row indices of each group, degenerative first (the order the counts are drawn in)."""
        return {"degenerative": np.flatnonzero(self.degenerative),
                "control": np.flatnonzero(~self.degenerative)}


_NOISE_TERMS = ("bone", "hu", "vbq", "spine", "hip", "femoral_neck", "total_hip", "bmi",
                "artefact")
"""The independent noise terms of step 3, in the order of their columns in the draw."""


@dataclass(frozen=True, eq=False)
class _Bone:
    """Step 3's latent bone quality and what follows from it without further draws."""

    quality: np.ndarray  # higher is denser
    hu: np.ndarray  # L1 HU
    vbq_subject: np.ndarray  # VBQ before level variation and observer noise
    bmi: np.ndarray


@dataclass(frozen=True, eq=False)
class _Dxa:
    """Steps 4 and 5: the DXA report of every patient and the parts it is made of."""

    bmd: dict[str, np.ndarray]  # per site, rounded to 0.001 g/cm2
    tscore: dict[str, np.ndarray]  # per site, rounded to 0.1
    spine_true: np.ndarray  # L1-4 BMD without the degeneration artefact
    artefact: np.ndarray  # what the degeneration adds to the L1-4 scan
    hip_artefact: np.ndarray  # what hip osteoarthritis adds to both hip sites


@dataclass(frozen=True, eq=False)
class _Scanner:
    """Step 6's examinations before anyone reads them: true SIs of L1-L4 and of the CSF."""

    si: np.ndarray  # (n, 4)
    csf: np.ndarray  # (n,)


@dataclass(frozen=True, eq=False)
class _Reading:
    """Step 6's reading of every examination in a PACS viewer (observer 1, first read)."""

    si: np.ndarray  # (n, 4), rounded to 0.1
    csf: np.ndarray  # (n,), rounded to 0.1
    csf_level: np.ndarray  # level of the CSF ROI


@dataclass(frozen=True, eq=False)
class _Reliability:
    """The reliability study's second reads of the same patients."""

    rows: np.ndarray  # sorted row indices of its patients
    vbq_repeat: np.ndarray  # (n,), NaN outside the study
    vbq_obs2: np.ndarray  # (n,), NaN outside the study
    grades: dict[str, dict[str, np.ndarray]]  # rater ("repeat", "obs2") -> stem -> (k, 4)


@dataclass(frozen=True, eq=False)
class _Modic:
    """Table 5's Modic changes per patient."""

    type: np.ndarray
    levels: np.ndarray
    grade: np.ndarray


def _draw_people(rng: np.random.Generator, m: _Model, n: int) -> _People:
    """Step 1, demographics: sex and age.

    Targets: the paper's totals of 89 men and 146 women (Table 2's female percentages with the
    group sizes), and Table 2's age, mean and SD pooled over the two groups.
    """
    male = np.zeros(n, bool)
    male[rng.permutation(n)[:N_MALE]] = True
    raw_age = rng.beta(1.3, 2.6, n)
    age = np.clip(np.round(m.age_mean + m.age_sd * _standardise(raw_age)), 50, 85)
    return _People(male=male, age=age, za=(age - m.age_mean) / m.age_sd)


def _draw_degeneration(rng: np.random.Generator, m: _Model, people: _People) -> _Degeneration:
    """Step 2: degeneration severity, the group it implies and the degenerative levels.

    Targets: the group sizes (Results: 101 degenerative, 134 control), Table 2's age difference
    between the groups (the age coefficient is searched on `_Model.age_grid`) and its female
    percentages (52 of the 89 men degenerative); the degenerative group is three or four
    degenerative vertebrae among L1-L4 by the paper's criteria (Methods, Fig. 1).
    """
    n = len(people.age)
    za, male, age = people.za, people.male, people.age
    e = _exact_normals(np.column_stack([za, rng.standard_normal(n)]))[:, 1]
    best = None
    for c in m.age_grid:
        sev = c * _standardise(za) + np.sqrt(1 - c * c) * e
        deg, _ = _split_by_severity(sev, male)
        gap = abs(age[deg].mean() - m.age_gap_target)
        if best is None or gap < best[0] - 1e-12:
            best = (gap, c)
    c_age = best[1]
    sev = c_age * _standardise(za) + np.sqrt(1 - c_age * c_age) * e
    deg, offset = _split_by_severity(sev, male)
    zsev = _standardise(sev + offset * male)

    u = zsev + 0.8 * rng.standard_normal(n)
    n_levels = np.zeros(n, int)
    for mask, cuts, base in ((deg, (1 - m.frac_four,), 3),
                             (~deg, tuple(np.cumsum(m.control_levels)[:2]), 0)):
        idx = np.flatnonzero(mask)
        q = (np.argsort(np.argsort(u[idx], kind="stable"), kind="stable") + 0.5) / len(idx)
        n_levels[idx] = base + np.searchsorted(np.asarray(cuts), q)
    propensity = np.asarray(m.level_offset) + rng.standard_normal((n, 4))
    rank = np.argsort(np.argsort(-propensity, axis=1, kind="stable"), axis=1, kind="stable")
    return _Degeneration(degenerative=deg, severity=zsev, n_levels=n_levels,
                         levels=rank < n_levels[:, None], age_coefficient=c_age,
                         male_offset=offset)


def _draw_noise(rng: np.random.Generator, m: _Model, degenerative: np.ndarray, seed: int
                ) -> dict[str, np.ndarray]:
    """Step 3's independent noise terms (`_NOISE_TERMS`), with exact sample moments within each
    group (mean 0, SD 1, uncorrelated), the bone term given a longer low tail.

    Not a paper number itself: it keeps the Table 2 SDs and the Table 3 correlations that the
    structural terms produce from being blurred by sampling noise.
    """
    n = len(degenerative)
    noise = np.empty((n, len(_NOISE_TERMS)))
    zraw = rng.standard_normal((n, len(_NOISE_TERMS)))
    for mask in (degenerative, ~degenerative):
        noise[mask] = _exact_normals(zraw[mask])
    if m.b_skew > 0:  # a longer tail of poor bone: (1 - exp(-s z)) / s, re-standardised
        for mask in (degenerative, ~degenerative):
            noise[mask, 0] = _standardise(-np.expm1(-m.b_skew * noise[mask, 0]) / m.b_skew)
    out = dict(zip(_NOISE_TERMS, noise.T, strict=True))
    if m.marrow_stream is not None:
        _redraw_marrow_terms(seed, m.marrow_stream, degenerative, out)
    return out


_MARROW_TERMS = ("hu", "vbq")
"""Noise terms drawn from the second stream (`_Model.marrow_stream`)."""


def _redraw_marrow_terms(seed: int, stream: int, degenerative: np.ndarray,
                         noise: dict[str, np.ndarray]) -> None:
    """Replace the L1 HU and VBQ noise terms by draws of a second stream, ``default_rng([seed,
    stream])``, made exactly orthogonal (within each group) to the other terms and to each other,
    with mean 0 and SD 1; the other terms, hence the DXA, are left as they are.

    Why a second stream: the VBQ and HU operating points of Table 4 depend on the few patients
    near the cutoffs, so the calibration chooses this stream's number among draws that leave the
    demographics, the grades and the DXA of `DEFAULT_SEED` untouched.
    """
    rng = np.random.default_rng([seed, stream])
    z = rng.standard_normal((len(degenerative), len(_MARROW_TERMS)))
    fixed = [noise[k] for k in _NOISE_TERMS if k not in _MARROW_TERMS]
    for mask in (degenerative, ~degenerative):
        basis = [f[mask] for f in fixed]
        for j, key in enumerate(_MARROW_TERMS):
            v = z[mask, j] - z[mask, j].mean()
            for b in basis:
                v = v - np.sum(v * b) / np.sum(b * b) * b
            v = v / np.sqrt(np.sum(v * v) / (len(v) - 1))
            noise[key][mask] = v
            basis.append(v)


def _bone_quality(m: _Model, people: _People, severity: np.ndarray,
                  noise: dict[str, np.ndarray]) -> _Bone:
    """Step 3: latent bone quality and the L1 HU, subject-level VBQ and BMI (no draws).

    Targets: Table 2's VBQ, L1 HU and BMI means and SDs per group, Table 3's and Fig. 4's VBQ
    correlations, and the control group's ROC of VBQ and HU in Table 4 and Fig. 5 (the VBQ's
    saturation at poor bone quality leans its operating point toward high sensitivity; the exact
    point depends on the draw of the HU and VBQ noise, `_redraw_marrow_terms`).
    """
    bone = -m.b_age * people.za - m.b_sev * severity + m.b_male * people.male + noise["bone"]
    hu = _soft_floor(m.hu0 + m.hu_b * bone + m.hu_e * noise["hu"], m.hu_floor, m.hu_knee)
    if m.vbq_curv > 0:  # fat fraction saturates: VBQ flattens at poor bone quality
        fat = np.expm1(m.vbq_curv * bone) / m.vbq_curv
    else:
        fat = bone
    vbq_subject = m.vbq0 - m.vbq_b * fat + m.vbq_female * people.female + m.vbq_e * noise["vbq"]
    bmi = m.bmi_mean + m.bmi_sd * noise["bmi"]
    return _Bone(quality=bone, hu=hu, vbq_subject=vbq_subject, bmi=bmi)


def _draw_collapsed(rng: np.random.Generator, m: _Model, degeneration: _Degeneration,
                    bone: np.ndarray) -> np.ndarray:
    """Collapsed vertebrae (n, 4): `_Model.n_collapsed` patients with low bone quality, one
    degenerative level each.

    Not a paper number: the paper leaves collapsed vertebrae out of the VBQ median (Methods,
    Fig. 1 B), and these few exercise that rule and the exclusion log.
    """
    collapsed = np.zeros(degeneration.levels.shape, bool)
    cand = np.flatnonzero(degeneration.n_levels >= 1)
    chosen = _weighted_pick(rng, cand, m.n_collapsed, np.exp(-1.5 * bone[cand]))
    for i in chosen:
        w = np.where(degeneration.levels[i], [0.4, 0.3, 0.2, 0.1], 0.0)
        collapsed[i, rng.choice(4, p=w / w.sum())] = True
    return collapsed


def _draw_dxa(rng: np.random.Generator, m: _Model, people: _People, severity: np.ndarray,
              bone: np.ndarray, grades: dict[str, np.ndarray],
              noise: dict[str, np.ndarray]) -> _Dxa:
    """Step 4: DXA BMD at L1-4, femoral neck and total hip; step 5: their T-scores.

    Targets: Table 2's BMD and T-score means and SDs per site and group (the L1-4 excess of the
    degenerative group comes from the projection artefact of the grades, the wider hip spread
    from hip osteoarthritis), hence the prevalences by T-score in the Results.
    """
    male = people.male
    spine_true = m.spine0 + m.spine_b * bone + m.spine_male * male + m.spine_e * noise["spine"]
    art = _artefact(m, grades) * np.exp(m.art_sd * noise["artefact"] - m.art_sd**2 / 2)
    art = np.minimum(art, m.art_max)
    # generalised osteoarthritis: hip osteophytes and sclerosis add to the hip scans too
    oa_spread = np.exp(0.6 * rng.standard_normal(len(bone)) - 0.18)
    hip_art = m.hip_oa * np.maximum(severity, 0.0) * oa_spread
    s = m.hip_shared
    fn = (m.fn0 + m.fn_b * bone + m.fn_male * male + hip_art
          + m.fn_e * (s * noise["hip"] + np.sqrt(1 - s * s) * noise["femoral_neck"]))
    th = (m.th0 + m.th_b * bone + m.th_male * male + hip_art
          + m.th_e * (s * noise["hip"] + np.sqrt(1 - s * s) * noise["total_hip"]))
    # floor at a BMD below any seen in this population (keeps T-scores inside -7..7)
    spine_true, fn, th = (np.maximum(v, m.bmd_min) for v in (spine_true, fn, th))
    bmd = {"l1_l4": np.round(spine_true + art, 3), "femoral_neck": np.round(fn, 3),
           "total_hip": np.round(th, 3)}
    return _Dxa(bmd=bmd, tscore=_t_scores(bmd, male), spine_true=spine_true, artefact=art,
                hip_artefact=hip_art)


def _t_scores(bmd: dict[str, np.ndarray], male: np.ndarray) -> dict[str, np.ndarray]:
    """Step 5: T-scores from BMD with the sex-specific young-adult references `DXA_REFERENCE`
    (the ones Table 2's BMD and T-score rows imply), rounded to 0.1 as a DXA report prints them."""
    tscore = {}
    for site, values in bmd.items():
        ref = np.array([DXA_REFERENCE[(site, "M" if x else "F")] for x in male])
        tscore[site] = np.round((values - ref[:, 0]) / ref[:, 1], 1)
    return tscore


def _draw_scanner(rng: np.random.Generator, m: _Model, vbq_subject: np.ndarray,
                  degenerative_levels: np.ndarray, collapsed: np.ndarray) -> _Scanner:
    """Step 6: true SIs of every examination: a CSF SI scaled by the scanner's gain, vertebral
    SIs = VBQ x CSF SI with level-to-level variation, brighter next to degenerated discs and
    darker where collapsed.

    Target: through the readings, Table 2's VBQ mean and SD per group (the paper's VBQ is the
    median L1-L4 SI over the CSF SI, Methods and Fig. 2).
    """
    n = len(vbq_subject)
    gain = np.exp(m.gain_sd * rng.standard_normal(n))
    csf_true = m.csf_mean * gain
    level_factor = np.exp(m.level_sd * rng.standard_normal((n, 4)))
    level_factor *= 1 + m.deg_level_si * degenerative_levels
    level_factor *= np.where(collapsed, m.collapsed_si, 1.0)
    return _Scanner(si=(vbq_subject * csf_true)[:, None] * level_factor, csf=csf_true)


def _read(rng: np.random.Generator, m: _Model, scanner: _Scanner, rows: np.ndarray,
          csf_bias: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """One reading of the examinations `rows`: every ROI with observer noise (and an observer's
    CSF bias), rounded to 0.1 like a PACS viewer. Returns the (k, 4) SIs and the CSF SIs."""
    k = len(rows)
    si = np.round(scanner.si[rows] * np.exp(m.read_si_sd * rng.standard_normal((k, 4))), 1)
    csf = scanner.csf[rows] * (1 + csf_bias) * np.exp(m.read_csf_sd * rng.standard_normal(k))
    return si, np.round(csf, 1)


def _read_everyone(rng: np.random.Generator, m: _Model, scanner: _Scanner,
                   collapsed: np.ndarray) -> _Reading:
    """Step 6: observer 1's reading of every examination, the CSF ROI at L3 but for
    `_Model.n_csf_moved` patients read at L2 or L4.

    Target: Table 2's VBQ mean and SD per group; the moved CSF ROIs are not a paper number (they
    exercise the ``csf_level`` column).
    """
    n = len(scanner.csf)
    si, si_csf = _read(rng, m, scanner, np.arange(n))
    csf_level = np.full(n, "L3", dtype=object)
    moved = _weighted_pick(rng, np.flatnonzero(~collapsed.any(axis=1)), m.n_csf_moved,
                           np.ones(int((~collapsed.any(axis=1)).sum())))
    csf_level[moved] = np.where(rng.random(len(moved)) < 0.5, "L2", "L4")
    return _Reading(si=si, csf=si_csf, csf_level=csf_level)


def _reliability_study(rng: np.random.Generator, m: _Model, scanner: _Scanner,
                       collapsed: np.ndarray, grades: dict[str, np.ndarray]) -> _Reliability:
    """The reliability study: 100 random patients read again by observer 1 and by observer 2,
    both their VBQ and their grades.

    Targets (Methods and Results): 100 patients; ICC of VBQ 0.846 within and 0.835 between
    observers; Cohen's kappa of the degenerative grouping 0.819 and 0.809.
    """
    n = len(scanner.csf)
    rel = np.sort(rng.choice(n, size=N_RELIABILITY, replace=False))
    si_r, csf_r = _read(rng, m, scanner, rel)
    si_o, csf_o = _read(rng, m, scanner, rel, m.obs2_csf_bias)
    vbq_repeat = np.full(n, np.nan)
    vbq_obs2 = np.full(n, np.nan)
    vbq_repeat[rel] = np.round(_vbq_from_si(si_r, csf_r, collapsed[rel]), 3)
    vbq_obs2[rel] = np.round(_vbq_from_si(si_o, csf_o, collapsed[rel]), 3)
    sub = {k: v[rel] for k, v in grades.items()}
    rereads = {"repeat": _reread(rng, sub, m.p_reread), "obs2": _reread(rng, sub, m.p_obs2)}
    return _Reliability(rows=rel, vbq_repeat=vbq_repeat, vbq_obs2=vbq_obs2, grades=rereads)


def _draw_covariates(rng: np.random.Generator, people: _People, groups: dict[str, np.ndarray],
                     bone: _Bone, tscore: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Comorbidities, habits and osteoporosis history and treatment: exact counts per group
    (`_DRAWN_COUNTS`), assigned at random weighted by plausible risk factors; "diagnosed now"
    follows from the lowest T-score (below -1), with no draw.

    Targets: Table 2's percentages (read as `vbq.paper.TABLE2_PERCENT` does, some rows with the columns swapped).
    """
    n = len(people.age)
    male, female, age, bmi = people.male, people.female, people.age, bone.bmi
    flags = {k: np.zeros(n, bool) for k in _DRAWN_COUNTS}
    weights = {
        "smoking": np.where(male, 5.0, 1.0),
        "alcohol": np.where(male, 5.0, 1.0),
        "diabetes": np.exp(0.03 * (age - 60) + 0.15 * (bmi - 24)),
        "hypertension": np.exp(0.04 * (age - 60) + 0.1 * (bmi - 24)),
        "rheumatic_disease": np.where(male, 1.0, 2.0),
        "prior_osteo_dx": np.exp(-1.0 * bone.quality + 0.7 * female),
    }
    for j, idx in enumerate(groups.values()):
        for key, w in weights.items():
            flags[key][_weighted_pick(rng, idx, _DRAWN_COUNTS[key][j], w[idx])] = True
        prior = idx[flags["prior_osteo_dx"][idx]]
        anti = _weighted_pick(rng, prior, _DRAWN_COUNTS["antiresorptive"][j], np.ones(len(prior)))
        flags["antiresorptive"][anti] = True
        rest = prior[~flags["antiresorptive"][prior]]
        flags["anabolic"][_weighted_pick(rng, rest, _DRAWN_COUNTS["anabolic"][j],
                                         np.ones(len(rest)))] = True
    t_lowest = np.minimum(np.minimum(tscore["l1_l4"], tscore["femoral_neck"]), tscore["total_hip"])
    flags["current_osteo_dx"] = t_lowest < -1.0
    return flags


def _draw_diagnoses(rng: np.random.Generator, people: _People, groups: dict[str, np.ndarray],
                    severity: np.ndarray) -> np.ndarray:
    """Primary diagnoses, exact counts (`paper.DIAGNOSES`): scoliosis mostly in the
    degenerative group and in the more severe, disc herniation in the younger and less severe,
    degenerative slip more often in women.

    Targets (Results): 143 stenosis, 47 disc herniation, 35 degenerative slip, 10 scoliosis of
    which 9 in the degenerative group.
    """
    za, female = people.za, people.female
    diagnosis = np.full(len(za), "stenosis", dtype=object)
    scol = np.concatenate([
        _weighted_pick(rng, groups["degenerative"], paper.SCOLIOSIS_DEGENERATIVE,
                       np.exp(severity[groups["degenerative"]])),
        _weighted_pick(rng, groups["control"], paper.DIAGNOSES["scoliosis"] - paper.SCOLIOSIS_DEGENERATIVE,
                       np.exp(severity[groups["control"]])),
    ])
    diagnosis[scol] = "scoliosis"
    free = np.flatnonzero(diagnosis == "stenosis")
    herniation = _weighted_pick(rng, free, paper.DIAGNOSES["disc_herniation"],
                                np.exp(-0.5 * za[free] - 0.5 * severity[free]))
    diagnosis[herniation] = "disc_herniation"
    free = np.flatnonzero(diagnosis == "stenosis")
    slip = _weighted_pick(rng, free, paper.DIAGNOSES["spondylolisthesis"],
                          np.where(female[free], 2.0, 1.0))
    diagnosis[slip] = "spondylolisthesis"
    return diagnosis


def _draw_modic(rng: np.random.Generator, groups: dict[str, np.ndarray],
                severity: np.ndarray) -> _Modic:
    """Modic changes: who has them, their type, number of affected levels and grade, exact
    counts per group, more affected levels with more severe degeneration.

    Target: every count of Table 5 (type, levels and grade per group; grading as in Fig. 3).
    """
    n = len(severity)
    modic_type = np.full(n, "none", dtype=object)
    modic_levels = np.zeros(n, int)
    modic_grade = np.full(n, None, dtype=object)
    for gname, idx in groups.items():
        t5 = paper.TABLE5[gname]
        k = sum(t5["type"].values())
        who = _weighted_pick(rng, idx, k, np.exp(0.5 * severity[idx]))
        order = who[np.argsort(severity[who] + rng.standard_normal(k), kind="stable")]
        modic_levels[order] = np.repeat([int(v) for v in t5["levels"]], list(t5["levels"].values()))
        modic_type[who] = rng.permutation(np.repeat(list(t5["type"]), list(t5["type"].values())))
        modic_grade[who] = rng.permutation(np.repeat(list(t5["grade"]), list(t5["grade"].values())))
    return _Modic(type=modic_type, levels=modic_levels, grade=modic_grade)


_GRADE_STEMS = ("facet", "genant", "ucla", "osteophyte_dir", "osteophyte_mm")


def _cohort_table(ids: np.ndarray, people: _People, bone: _Bone, flags: dict[str, np.ndarray],
                  diagnosis: np.ndarray, reading: _Reading, collapsed: np.ndarray,
                  grades: dict[str, np.ndarray], modic: _Modic,
                  reliability: _Reliability) -> pd.DataFrame:
    """The canonical cohort table (`vbq.schema.COHORT_COLUMNS`) from the steps' draws."""
    n = len(ids)
    cols: dict[str, object] = {
        "patient_id": ids,
        "age": people.age.astype(float),
        "sex": np.where(people.male, "M", "F").astype(object),
        "bmi": np.round(bone.bmi, 1),
    }
    for key in ("smoking", "alcohol", "diabetes", "hypertension", "rheumatic_disease",
                "antiresorptive", "anabolic", "prior_osteo_dx", "current_osteo_dx"):
        cols[key] = pd.array(flags[key], dtype="boolean")
    cols["diagnosis"] = diagnosis
    for j, lv in enumerate(LEVELS):
        cols[f"si_{lv.lower()}"] = reading.si[:, j]
    cols["si_csf"] = reading.csf
    cols["csf_level"] = reading.csf_level
    for j, lv in enumerate(LEVELS):
        cols[f"collapsed_{lv.lower()}"] = pd.array(collapsed[:, j], dtype="boolean")
    cols["field_strength_t"] = np.full(n, np.nan)  # step 7, drawn last (_simulate)
    cols["hu_l1"] = np.round(bone.hu, 1)
    for stem in _GRADE_STEMS:
        for j, lv in enumerate(LEVELS):
            cols[f"{stem}_{lv.lower()}"] = _column(grades[stem][:, j], stem)
    cols["modic_type"] = modic.type
    cols["modic_levels"] = pd.array(modic.levels, dtype="Int64")
    cols["modic_grade"] = modic.grade
    cols["vbq_repeat"] = reliability.vbq_repeat
    cols["vbq_obs2"] = reliability.vbq_obs2
    for rater, rg in reliability.grades.items():
        for stem in _GRADE_STEMS:
            for j, lv in enumerate(LEVELS):
                full = np.full(n, None, dtype=object)
                full[reliability.rows] = rg[stem][:, j]
                cols[f"{stem}_{lv.lower()}_{rater}"] = _column(full, stem)
    return pd.DataFrame(cols)[[c.name for c in COHORT_COLUMNS]]


def _dxa_table(ids: np.ndarray, dxa: _Dxa) -> pd.DataFrame:
    """The canonical DXA table (`vbq.schema.DXA_COLUMNS`)."""
    return pd.DataFrame({
        "patient_id": ids,
        "bmd_l1_l4": dxa.bmd["l1_l4"],
        "t_l1_l4": dxa.tscore["l1_l4"],
        "bmd_femoral_neck": dxa.bmd["femoral_neck"],
        "t_femoral_neck": dxa.tscore["femoral_neck"],
        "bmd_total_hip": dxa.bmd["total_hip"],
        "t_total_hip": dxa.tscore["total_hip"],
    })[[c.name for c in DXA_COLUMNS]]


def _latent_table(ids: np.ndarray, degeneration: _Degeneration, bone: _Bone,
                  dxa: _Dxa) -> pd.DataFrame:
    """The latent variables ``generate(return_latent=True)`` returns (documented there)."""
    return pd.DataFrame({
        "patient_id": ids,
        "severity": degeneration.severity,
        "bone_quality": bone.quality,
        "n_degenerative_levels": degeneration.n_levels,
        "intended_group": np.where(degeneration.degenerative, "degenerative",
                                   "control").astype(object),
        "vbq_subject": bone.vbq_subject,
        "bmd_l1_l4_true": dxa.spine_true,
        "bmd_l1_l4_artefact": dxa.artefact,
        "bmd_hip_artefact": dxa.hip_artefact,
        "age_coefficient": degeneration.age_coefficient,
        "male_offset": degeneration.male_offset,
    })


def _simulate(seed: int, m: _Model) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The cohort, DXA and latent tables of `seed`: the steps of the module docstring in order.

    Every step draws from the one generator in the order written here; the shipped files depend
    on that order (tests/test_demo.py regenerates them byte for byte), so a new draw goes after
    the last one, never between two.
    """
    rng = np.random.default_rng(seed)
    ids = np.array([f"DEMO-{i + 1:03d}" for i in range(N_PATIENTS)], dtype=object)
    people = _draw_people(rng, m, N_PATIENTS)
    degeneration = _draw_degeneration(rng, m, people)
    noise = _draw_noise(rng, m, degeneration.degenerative, seed)
    bone = _bone_quality(m, people, degeneration.severity, noise)
    collapsed = _draw_collapsed(rng, m, degeneration, bone.quality)
    grades = _grades(rng, m, degeneration.severity, degeneration.levels, collapsed)
    dxa = _draw_dxa(rng, m, people, degeneration.severity, bone.quality, grades, noise)
    scanner = _draw_scanner(rng, m, bone.vbq_subject, degeneration.levels, collapsed)
    reading = _read_everyone(rng, m, scanner, collapsed)
    reliability = _reliability_study(rng, m, scanner, collapsed, grades)
    groups = degeneration.groups
    flags = _draw_covariates(rng, people, groups, bone, dxa.tscore)
    diagnosis = _draw_diagnoses(rng, people, groups, degeneration.severity)
    modic = _draw_modic(rng, groups, degeneration.severity)
    cohort = _cohort_table(ids, people, bone, flags, diagnosis, reading, collapsed, grades, modic,
                           reliability)
    cohort["field_strength_t"] = _draw_field_strength(seed, m, N_PATIENTS)
    return (cohort,
            _dxa_table(ids, dxa),
            _latent_table(ids, degeneration, bone, dxa))


def _draw_field_strength(seed: int, m: _Model, n: int) -> np.ndarray:
    """Step 7: the MRI field strength of each patient's examination, 1.5 T with probability
    `_Model.share_1_5t`, else 3.0 T; from its own stream (`_Model.field_stream`), so no other
    value depends on it and it depends on no other value."""
    rng = np.random.default_rng([seed, m.field_stream])
    return np.where(rng.random(n) < m.share_1_5t, 1.5, 3.0)


def _column(values: np.ndarray, stem: str):
    if stem in ("facet", "genant", "ucla"):
        return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
    if stem == "osteophyte_mm":
        return np.array([np.nan if v is None else float(v) for v in values])
    return np.asarray(values, dtype=object)


# ------------------------------------------------------------------------------------------------
# public API


def generate(seed: int = DEFAULT_SEED, *, return_latent: bool = False):
    """Generate the SYNTHETIC demo cohort.

    Parameters
    ----------
    seed : int
        Seed of `numpy.random.default_rng`; the shipped files use `DEFAULT_SEED`.
    return_latent : bool, keyword-only
        Also return the latent variables (for tests and teaching).

    Returns
    -------
    cohort : DataFrame
        Canonical cohort table (`vbq.schema.COHORT_COLUMNS`), 235 rows, one per patient.
    dxa : DataFrame
        Canonical DXA table (`vbq.schema.DXA_COLUMNS`), same patients.
    latent : DataFrame, only with ``return_latent=True``
        ``patient_id``, ``severity`` (standardised degeneration severity), ``bone_quality``
        (latent trabecular bone quality, higher is denser), ``n_degenerative_levels``,
        ``intended_group`` (what the grades were generated to give), ``vbq_subject`` (VBQ before
        level variation and observer noise), ``bmd_l1_l4_true`` (L1-4 BMD without the
        degeneration artefact, g/cm2), ``bmd_l1_l4_artefact`` (the artefact, g/cm2),
        ``age_coefficient`` and ``male_offset`` (of the severity model).

    Raises
    ------
    InputError
        If `seed` is not a non-negative integer.

    Notes
    -----
    The model is described in the module docstring. Values are rounded as a viewer or DXA report
    shows them: age in whole years, SIs and HU to 0.1, BMD to 0.001 g/cm2, T-scores to 0.1,
    osteophyte lengths to 0.1 mm, repeated VBQ readings to 0.001.

    Examples
    --------
    >>> cohort, dxa = generate()
    >>> len(cohort), len(dxa)
    (235, 235)
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed: expected a non-negative integer, got {seed!r}")
    cohort, dxa, latent = _simulate(int(seed), _MODEL)
    return (cohort, dxa, latent) if return_latent else (cohort, dxa)
