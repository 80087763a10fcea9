# SYNTHETIC DATA: this module invents patients; nothing here comes from a real person.
"""SYNTHETIC demo cohort calibrated to the published numbers of Chen et al. 2023.

Every patient in this module's output is SYNTHETIC: made by a seeded random generator from a
small causal model, never taken from a real person. The cohort reproduces the summary statistics
of the study (235 patients, 101 degenerative / 134 control; Table 2 means, SDs and proportions,
Table 3 correlations, the control group's ROC of Table 4, the prevalence shift, the primary
diagnoses, Table 5's Modic changes and the reliability study) so that the app and the examples
show the paper's findings on data anyone may share.

The model, in the order the generator runs
------------------------------------------
1. Demographics: 89 men and 146 women (the paper's totals); ages 50 + a gamma draw (the study's
   inclusion age is >= 50), integer years.
2. A latent degeneration severity rises with age and male sex. The age effect is picked from a
   grid so that the degenerative group is about as much older as in Table 2; the male effect is
   the offset that puts 52 of the 89 men among the 101 most severe patients (Table 2: 48.5 %
   women). Per-level grades are generated from it: the 101 most severe patients get three or four
   degenerative vertebrae among L1-L4, the other 134 at most two, so the group follows from the
   grades by the paper's criteria (`vbq.assign_groups`) and no group label is stored.
3. A latent trabecular bone quality falls with age and with degeneration severity (shared risk
   factors); it drives, each with its own noise, the L1 HU value, the marrow fat signal (hence
   the VBQ score, inversely), the hip BMD and the *true* (artefact-free) L1-4 BMD. The marrow fat
   signal saturates at poor bone quality (marrow already mostly fat), which is what gives the
   VBQ its high sensitivity and low specificity in Table 4. Women have a higher marrow fat signal
   at equal bone quality. Marrow next to degenerated discs converts to fat (Modic type 2-like),
   raising the T1 signal of a degenerative level a little.
4. The DXA L1-4 BMD is the true BMD plus a projection artefact computed from the per-level grades
   (facet hypertrophy, endplate sclerosis with disc-space narrowing, osteophyte length, vertebral
   collapse add mineral to the AP scan), so a control patient with one or two degenerative levels
   gets a small artefact too. This, not the group label, is why the degenerative group's L1-4 BMD
   and T-score are higher (``generate(return_latent=True)`` exposes ``bmd_l1_l4_true``). Severe
   spinal degeneration often comes with hip osteoarthritis (generalised OA), which adds a smaller,
   patchy artefact to the hip scans; it widens the degenerative group's hip BMD spread (Table 2)
   without a mean excess, because that group's bone quality is lower.
5. T-scores come from BMD with the sex-specific young-adult references in `DXA_REFERENCE`.
6. Signal intensities: a CSF SI near 150 a.u. scaled by a per-examination scanner gain; vertebral
   SIs = VBQ x CSF SI with level-to-level variation; every ROI read with observer noise and
   rounded to 0.1 like a PACS viewer. 100 random patients are read again by observer 1 and once
   by observer 2 (``vbq_repeat``, ``vbq_obs2`` and the ``*_repeat`` / ``*_obs2`` grades).

The independent noise terms of step 3 are drawn with exact sample moments within each group
(mean 0, SD 1, uncorrelated; variance reduction by centring and Gram-Schmidt), so the summary
statistics sit close to the model's expectations while the group differences still come only
from the structural terms. Counts the paper reports exactly (diagnoses, comorbidities, Table 5)
are drawn as random assignments of those counts, weighted by the latent variables where the
literature suggests a link. The DXA reference values and the model constants are parameters of
the simulation, not data of the study.

``python -m vbq.demo`` writes ``data/demo_cohort.csv`` and ``data/demo_dxa.csv`` and prints the
calibration table (target vs achieved).

References
----------
Chen Z, Lei F, Ye F, Yuan H, Li S, Feng D. MRI-based vertebral bone quality score for the
assessment of osteoporosis in patients undergoing surgery for lumbar degenerative diseases.
J Orthop Surg Res 2023;18:257. doi:10.1186/s13018-023-03746-0.
Muraki S et al. Impact of degenerative spinal diseases on bone mineral density of the lumbar
spine in elderly women. Osteoporos Int 2004;15:724-728.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .cohort import assign_groups, prepare_cohort
from .errors import InputError
from .schema import COHORT_COLUMNS, DIAGNOSES, DXA_COLUMNS, LEVELS
from .settings import PAPER_THRESHOLDS, Settings

__all__ = [
    "DEFAULT_SEED",
    "N_PATIENTS",
    "N_DEGENERATIVE",
    "N_CONTROL",
    "N_RELIABILITY",
    "DXA_REFERENCE",
    "COHORT_FILE",
    "DXA_FILE",
    "Target",
    "CALIBRATION_TARGETS",
    "generate",
    "load",
    "write",
    "calibration_report",
    "main",
]

DEFAULT_SEED = 35615
"""Seed of the shipped demo files. Most seeds miss one to five of the 126 targets by sampling
noise alone. Seed 1485, the best of a first scan of about 14,000 seeds, met all of them but its
control group gave an osteopenia Youden cutoff above the osteoporosis one (2.80 and 2.76), so
the derived thresholds coincided at 2.8 and VBQ classed nobody osteopenic. A second scan of about
12,000 seeds (20000-25800, 32000-38060) kept those meeting every target with the two derived
thresholds in the paper's order; of the three found, 35615 is closest to the targets overall
(mean ``|achieved - target|`` / tolerance 0.29, against 0.31 for 1485) and derives 2.6 / 3.1 (the
paper: 2.6 / 2.9)."""

N_PATIENTS = 235
N_DEGENERATIVE = 101
N_CONTROL = 134
N_RELIABILITY = 100
N_MALE = 89
N_MALE_DEGENERATIVE = 52

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COHORT_FILE = DATA_DIR / "demo_cohort.csv"
DXA_FILE = DATA_DIR / "demo_dxa.csv"

DXA_REFERENCE: dict[tuple[str, str], tuple[float, float]] = {
    ("l1_l4", "F"): (1.100, 0.117),
    ("l1_l4", "M"): (1.100, 0.117),
    ("femoral_neck", "F"): (0.920, 0.120),
    ("femoral_neck", "M"): (0.975, 0.120),
    ("total_hip", "F"): (0.970, 0.132),
    ("total_hip", "M"): (0.996, 0.132),
}
"""Young-adult reference (mean, SD) in g/cm2 per (site, sex): T = (BMD - mean) / SD.

Sex-specific, as GE Lunar software applies by default. The values are the ones Table 2 of Chen et
al. implies (its BMD and T-score rows are consistent with them given each group's sex mix); they
are close to, but are not, a published manufacturer database. SYNTHETIC-data parameters only."""

_FILE_HEADER = (
    "# SYNTHETIC demo data generated by `python -m vbq.demo` (seed {seed}); not real patients. "
    "Calibrated to Chen et al. 2023 J Orthop Surg Res 18:257."
)


@dataclass(frozen=True)
class _Model:
    """Constants of the generating model (see the module docstring)."""

    # demographics
    age_shape: float = 1.7
    age_mean: float = 60.43  # pooled mean of Table 2's group means
    age_sd: float = 8.03  # pooled SD of Table 2's groups
    bmi_mean: float = 23.95
    bmi_sd: float = 3.15
    # severity: age coefficient searched on this grid to match the groups' age difference
    age_grid: tuple[float, ...] = tuple(np.round(np.arange(0.0, 0.61, 0.02), 2).tolist())
    age_gap_target: float = 61.8
    # latent bone quality
    b_age: float = 0.2672
    b_sev: float = 0.2836
    b_male: float = 0.0
    b_skew: float = 0.3875  # > 0 gives bone quality a longer low tail
    # L1 HU
    hu0: float = 121.2
    hu_b: float = 31.89
    hu_e: float = 17.81
    # physiological floor of L1 trabecular HU: values below the knee are compressed smoothly
    # towards the floor (slope 1 at the knee), so no patient has implausibly low (negative) HU
    hu_floor: float = 20.0
    hu_knee: float = 50.0
    # VBQ (subject level, before level variation and observer noise)
    vbq0: float = 2.689
    vbq_b: float = 0.3515
    vbq_female: float = 0.2314
    vbq_e: float = 0.242
    vbq_curv: float = 0.2977  # > 0: VBQ saturates at poor bone quality (marrow already fatty)
    deg_level_si: float = 0.02925
    level_sd: float = 0.05
    csf_mean: float = 150.0
    gain_sd: float = 0.15
    read_si_sd: float = 0.08141
    read_csf_sd: float = 0.04824
    obs2_csf_bias: float = 0.01
    collapsed_si: float = 0.8
    # DXA
    spine0: float = 0.8635
    spine_b: float = 0.1201
    spine_male: float = 0.03495
    spine_e: float = 0.06209
    fn0: float = 0.8345
    fn_b: float = 0.06395
    fn_male: float = 0.02344
    fn_e: float = 0.1109
    th0: float = 0.8672
    th_b: float = 0.07198
    th_male: float = 0.08658
    th_e: float = 0.09949
    hip_shared: float = 0.8025
    hip_oa: float = 0.02161  # hip osteoarthritis artefact per unit of severity above the mean
    # artefact weights (g/cm2 per grade step or per mm) and its patient-level spread
    art_facet: float = 0.007817
    art_ucla: float = 0.0244
    art_osteophyte: float = 0.003515
    art_genant: float = 0.03
    art_sd: float = 0.6094
    bmd_min: float = 0.40  # g/cm2, floor of every site's BMD
    art_max: float = 0.6  # largest artefact (keeps every T-score inside the schema's -7..7)
    # grades
    frac_four: float = 0.45  # degenerative patients with 4 degenerative levels
    control_levels: tuple[float, float, float] = (0.30, 0.35, 0.35)  # 0, 1, 2 levels
    level_offset: tuple[float, ...] = (-0.6, -0.2, 0.2, 0.6)
    p_facet: float = 0.55
    p_ucla: float = 0.60
    p_osteophyte: float = 0.50
    n_collapsed: int = 4
    n_csf_moved: int = 3
    # second reads (probability a grade moves by one step)
    p_reread: float = 0.279
    p_obs2: float = 0.285


_MODEL = _Model()


# ------------------------------------------------------------------------------------------------
# counts the paper prints exactly; the generator assigns them at random (weighted by the latent
# variables where the literature suggests a link)

_TABLE5: dict[str, dict[str, dict[str, int]]] = {
    "degenerative": {
        "type": {"1": 4, "2": 39, "3": 4, "mixed": 9},
        "levels": {"1": 16, "2": 21, "3": 15, "4": 4},
        "grade": {"A": 40, "B": 8, "C": 8},
    },
    "control": {
        "type": {"1": 2, "2": 38, "3": 4, "mixed": 1},
        "levels": {"1": 28, "2": 10, "3": 6, "4": 1},
        "grade": {"A": 32, "B": 11, "C": 2},
    },
}
"""Table 5 of Chen et al.: Modic change type, number of affected levels and grade, per group."""

_BINARY_COUNTS: dict[str, tuple[int, int]] = {
    # (degenerative of 101, control of 134); rows marked swapped in NOTES.md read accordingly
    "smoking": (6, 4),
    "alcohol": (2, 3),
    "diabetes": (13, 17),
    "hypertension": (28, 33),
    "rheumatic_disease": (4, 3),
    "prior_osteo_dx": (18, 22),
    "antiresorptive": (9, 11),
    "anabolic": (3, 5),
}

_DIAGNOSIS_COUNTS = {"stenosis": 143, "disc_herniation": 47, "spondylolisthesis": 35, "scoliosis": 10}
_SCOLIOSIS_DEGENERATIVE = 9


# ------------------------------------------------------------------------------------------------
# calibration targets


@dataclass(frozen=True)
class Target:
    """One published number the demo cohort is calibrated to.

    Attributes
    ----------
    key : str
        Identifier, e.g. ``"age_mean"``.
    group : {"degenerative", "control", "all"}
        Group the number describes.
    target : float
        The paper's value (percentages in percent).
    tolerance : float
        Largest accepted absolute difference between achieved and target.
    source : str
        Where in the paper the number is printed.
    description : str
        Readable label.
    """

    key: str
    group: str
    target: float
    tolerance: float
    source: str
    description: str


def _table2() -> list[Target]:
    out: list[Target] = []
    # (key, description, deg mean, deg sd, ctrl mean, ctrl sd)
    rows = [
        ("age", "Age, years", 61.8, 8.1, 59.4, 7.8),
        ("bmi", "BMI, kg/m2", 24.0, 3.2, 23.9, 3.1),
        ("vbq", "VBQ score", 2.9, 0.5, 2.8, 0.5),
        ("hu_l1", "L1 HU", 109.7, 37.6, 130.2, 37.6),
        ("bmd_l1_l4", "L1-4 BMD, g/cm2", 1.015, 0.172, 0.965, 0.151),
        ("t_l1_l4", "L1-4 T-score", -0.69, 1.50, -1.15, 1.27),
        ("bmd_femoral_neck", "Femoral neck BMD, g/cm2", 0.848, 0.139, 0.86, 0.119),
        ("t_femoral_neck", "Femoral neck T-score (deg. SD read as 1.14)", -0.85, 1.14, -0.64, 1.01),
        ("bmd_total_hip", "Total hip BMD, g/cm2", 0.908, 0.146, 0.907, 0.120),
        ("t_total_hip", "Total hip T-score", -0.57, 1.09, -0.53, 0.92),
        ("bmd_lowest", "Lowest BMD, g/cm2", 0.821, 0.136, 0.833, 0.115),
        ("t_lowest", "Lowest T-score", -1.41, 1.12, -1.48, 1.04),
    ]
    for key, desc, dm, ds, cm, cs in rows:
        for group, mean, sd in (("degenerative", dm, ds), ("control", cm, cs)):
            out.append(Target(f"{key}_mean", group, mean, 0.1 * sd, "Table 2", f"{desc}, mean"))
            out.append(Target(f"{key}_sd", group, sd, 0.1 * sd, "Table 2", f"{desc}, SD"))
    # percentages; rows marked * read with the columns swapped (NOTES.md): the printed
    # percentages fit the other group's n
    props = [
        ("female", "Female, %", 48.5, 72.3, "Table 2"),
        ("smoking", "Smoking, %", 5.9, 2.9, "Table 2 (columns swapped)"),
        ("alcohol", "Alcohol, %", 1.9, 2.2, "Table 2 (columns swapped)"),
        ("diabetes", "Diabetes, %", 12.8, 12.6, "Table 2 (columns swapped)"),
        ("hypertension", "Hypertension, %", 27.7, 24.6, "Table 2 (columns swapped)"),
        ("rheumatic_disease", "Rheumatic disease, %", 3.9, 2.2, "Table 2 (columns swapped)"),
        ("antiresorptive", "Antiresorptive medication, %", 8.9, 8.2, "Table 2"),
        ("anabolic", "Anabolic medication, %", 3.0, 3.7, "Table 2"),
        ("prior_osteo_dx", "Osteopenia/osteoporosis diagnosed before, %", 17.8, 16.4, "Table 2"),
        ("current_osteo_dx", "Osteopenia/osteoporosis diagnosed now, %", 65.3, 63.4,
         "Table 2 (columns swapped)"),
    ]
    for key, desc, dp, cp, src in props:
        out.append(Target(f"{key}_percent", "degenerative", dp, 3.0, src, desc))
        out.append(Target(f"{key}_percent", "control", cp, 3.0, src, desc))
    return out


def _other_targets() -> list[Target]:
    t = Target
    out = [
        t("n", "degenerative", 101, 0, "Results", "Patients in the group"),
        t("n", "control", 134, 0, "Results", "Patients in the group"),
        t("n", "all", 235, 0, "Results", "Patients analysed"),
        # Table 3
        t("r_vbq_bmd_l1_l4", "degenerative", -0.453, 0.06, "Table 3", "Pearson r, VBQ vs L1-4 BMD"),
        t("r_vbq_bmd_l1_l4", "control", -0.611, 0.06, "Table 3", "Pearson r, VBQ vs L1-4 BMD"),
        t("r_vbq_t_l1_l4", "degenerative", -0.460, 0.06, "Table 3", "Pearson r, VBQ vs L1-4 T"),
        t("r_vbq_t_l1_l4", "control", -0.620, 0.06, "Table 3", "Pearson r, VBQ vs L1-4 T"),
        t("r_vbq_hu_l1", "degenerative", -0.630, 0.06, "Table 3", "Pearson r, VBQ vs L1 HU"),
        t("r_vbq_hu_l1", "control", -0.611, 0.06, "Table 3", "Pearson r, VBQ vs L1 HU"),
        t("r_vbq_t_femoral_neck", "all", -0.372, 0.06, "Results", "Pearson r, VBQ vs femoral neck T"),
        t("r_vbq_t_total_hip", "all", -0.438, 0.06, "Results", "Pearson r, VBQ vs total hip T"),
        t("r_vbq_t_l1_l4", "all", -0.501, 0.06, "Results", "Pearson r, VBQ vs L1-4 T"),
        t("r_vbq_t_lowest", "all", -0.537, 0.06, "Results", "Pearson r, VBQ vs lowest T"),
        # Table 4 / Fig. 5 (control group; reference: lowest T-score, WHO)
        t("auc_vbq_osteoporosis", "control", 0.818, 0.04, "Table 4",
          "AUC of VBQ for osteoporosis (lowest T <= -2.5)"),
        t("cutoff_vbq_osteoporosis", "control", 2.83, 0.25, "Table 4",
          "Youden cutoff of VBQ for osteoporosis"),
        t("auc_hu_osteoporosis", "control", 0.865, 0.04, "Results / Fig. 5",
          "AUC of L1 HU for osteoporosis (lower HU positive)"),
        t("auc_vbq_osteopenia", "control", 0.733, 0.04, "Table 4",
          "AUC of VBQ for osteopenia or worse (lowest T < -1)"),
        t("cutoff_vbq_osteopenia", "control", 2.56, 0.25, "Table 4",
          "Youden cutoff of VBQ for osteopenia or worse"),
        # prevalence shift
        t("osteoporosis_t_percent", "degenerative", 19.8, 4.0, "Results",
          "Osteoporosis by lowest T-score, %"),
        t("osteoporosis_t_percent", "control", 20.1, 4.0, "Results",
          "Osteoporosis by lowest T-score, %"),
        t("osteoporosis_vbq_percent", "degenerative", 53.5, 4.0, "Results",
          "Osteoporosis by VBQ >= 2.9, %"),
        t("osteoporosis_vbq_percent", "control", 38.8, 4.0, "Results",
          "Osteoporosis by VBQ >= 2.9, %"),
        t("vbq_positive_t_negative_percent", "degenerative", 46.9, 5.0, "Abstract",
          "VBQ >= 2.9 among patients not osteoporotic by T-score, %"),
        t("vbq_positive_t_negative_percent", "control", 30.8, 5.0, "Abstract",
          "VBQ >= 2.9 among patients not osteoporotic by T-score, %"),
        # diagnoses
        t("diagnosis_stenosis_n", "all", 143, 0, "Results", "Primary diagnosis: stenosis"),
        t("diagnosis_disc_herniation_n", "all", 47, 0, "Results",
          "Primary diagnosis: disc herniation"),
        t("diagnosis_spondylolisthesis_n", "all", 35, 0, "Results",
          "Primary diagnosis: degenerative slip"),
        t("diagnosis_scoliosis_n", "all", 10, 0, "Results", "Primary diagnosis: scoliosis"),
        t("diagnosis_scoliosis_n", "degenerative", 9, 0, "Results",
          "Degenerative scoliosis in the degenerative group"),
        # reliability
        t("icc_intra", "all", 0.846, 0.04, "Results", "ICC of VBQ, observer 1 twice (n = 100)"),
        t("icc_inter", "all", 0.835, 0.04, "Results", "ICC of VBQ, observers 1 and 2 (n = 100)"),
        t("kappa_intra", "all", 0.819, 0.06, "Results", "Cohen's kappa of the grouping, intra"),
        t("kappa_inter", "all", 0.809, 0.06, "Results", "Cohen's kappa of the grouping, inter"),
        t("n_reliability", "all", 100, 0, "Methods", "Patients in the reliability study"),
    ]
    # Table 5: Modic changes
    for group, table in _TABLE5.items():
        out.append(t("modic_any_n", group, sum(table["type"].values()), 0, "Table 5",
                     "Modic change: any"))
        for what, counts in table.items():
            for value, count in counts.items():
                out.append(t(f"modic_{what}_{value}_n", group, count, 0, "Table 5",
                             f"Modic change: {what} {value}"))
    return out



CALIBRATION_TARGETS: tuple[Target, ...] = tuple(
    _other_targets()[:3] + _table2() + _other_targets()[3:]
)
"""The paper's numbers the demo cohort is calibrated to, with their source and tolerance.

Tolerances: means within 0.1 SD and SDs within 10 % of the target; percentages within 3 points
(4-5 points for the derived osteoporosis prevalences and the VBQ-positive shares, whose sampling
SE in groups of 101-134 is 3.5-5 points); correlations within 0.06; AUCs within 0.04; ICCs
within 0.04; kappas within 0.06; counts exact. Youden cutoffs within 0.25: the cutoff that
maximises the Youden index of 134 patients is unstable (its SD over seeds of this generator is
about 0.2, and the model's expected osteopenia cutoff is near 2.75, the paper's 2.56 being a
low draw)."""


# ------------------------------------------------------------------------------------------------
# generator


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


def _draw_noise(rng: np.random.Generator, m: _Model, degenerative: np.ndarray
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
    return dict(zip(_NOISE_TERMS, noise.T, strict=True))


def _bone_quality(m: _Model, people: _People, severity: np.ndarray,
                  noise: dict[str, np.ndarray]) -> _Bone:
    """Step 3: latent bone quality and the L1 HU, subject-level VBQ and BMI (no draws).

    Targets: Table 2's VBQ, L1 HU and BMI means and SDs per group, Table 3's and Fig. 4's VBQ
    correlations, and the control group's AUCs of VBQ and HU in Table 4 and Fig. 5 (the VBQ's
    saturation at poor bone quality gives its high sensitivity and low specificity).
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
    (`_BINARY_COUNTS`), assigned at random weighted by plausible risk factors; "diagnosed now"
    follows from the lowest T-score (below -1), with no draw.

    Targets: Table 2's percentages (the rows NOTES.md marks as swapped read accordingly).
    """
    n = len(people.age)
    male, female, age, bmi = people.male, people.female, people.age, bone.bmi
    flags = {k: np.zeros(n, bool) for k in _BINARY_COUNTS}
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
            flags[key][_weighted_pick(rng, idx, _BINARY_COUNTS[key][j], w[idx])] = True
        prior = idx[flags["prior_osteo_dx"][idx]]
        anti = _weighted_pick(rng, prior, _BINARY_COUNTS["antiresorptive"][j], np.ones(len(prior)))
        flags["antiresorptive"][anti] = True
        rest = prior[~flags["antiresorptive"][prior]]
        flags["anabolic"][_weighted_pick(rng, rest, _BINARY_COUNTS["anabolic"][j],
                                         np.ones(len(rest)))] = True
    t_lowest = np.minimum(np.minimum(tscore["l1_l4"], tscore["femoral_neck"]), tscore["total_hip"])
    flags["current_osteo_dx"] = t_lowest < -1.0
    return flags


def _draw_diagnoses(rng: np.random.Generator, people: _People, groups: dict[str, np.ndarray],
                    severity: np.ndarray) -> np.ndarray:
    """Primary diagnoses, exact counts (`_DIAGNOSIS_COUNTS`): scoliosis mostly in the
    degenerative group and in the more severe, disc herniation in the younger and less severe,
    degenerative slip more often in women.

    Targets (Results): 143 stenosis, 47 disc herniation, 35 degenerative slip, 10 scoliosis of
    which 9 in the degenerative group.
    """
    za, female = people.za, people.female
    diagnosis = np.full(len(za), "stenosis", dtype=object)
    scol = np.concatenate([
        _weighted_pick(rng, groups["degenerative"], _SCOLIOSIS_DEGENERATIVE,
                       np.exp(severity[groups["degenerative"]])),
        _weighted_pick(rng, groups["control"], _DIAGNOSIS_COUNTS["scoliosis"] - _SCOLIOSIS_DEGENERATIVE,
                       np.exp(severity[groups["control"]])),
    ])
    diagnosis[scol] = "scoliosis"
    free = np.flatnonzero(diagnosis == "stenosis")
    herniation = _weighted_pick(rng, free, _DIAGNOSIS_COUNTS["disc_herniation"],
                                np.exp(-0.5 * za[free] - 0.5 * severity[free]))
    diagnosis[herniation] = "disc_herniation"
    free = np.flatnonzero(diagnosis == "stenosis")
    slip = _weighted_pick(rng, free, _DIAGNOSIS_COUNTS["spondylolisthesis"],
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
        t5 = _TABLE5[gname]
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


def _generate(seed: int, m: _Model) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The cohort, DXA and latent tables of `seed`: the steps of the module docstring in order.

    Every step draws from the one generator in the order written here; the shipped files depend
    on that order (tests/test_demo.py regenerates them byte for byte), so a new draw goes after
    the last one, never between two.
    """
    rng = np.random.default_rng(seed)
    ids = np.array([f"DEMO-{i + 1:03d}" for i in range(N_PATIENTS)], dtype=object)
    people = _draw_people(rng, m, N_PATIENTS)
    degeneration = _draw_degeneration(rng, m, people)
    noise = _draw_noise(rng, m, degeneration.degenerative)
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
    return (_cohort_table(ids, people, bone, flags, diagnosis, reading, collapsed, grades, modic,
                          reliability),
            _dxa_table(ids, dxa),
            _latent_table(ids, degeneration, bone, dxa))


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
    cohort, dxa, latent = _generate(int(seed), _MODEL)
    return (cohort, dxa, latent) if return_latent else (cohort, dxa)


def load() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The SYNTHETIC demo cohort as shipped in ``data/`` (raw tables, as pandas reads the CSVs).

    Returns
    -------
    cohort : DataFrame
        The cohort file read with `pandas.read_csv`; pass both tables to `vbq.prepare_cohort`,
        which validates and types them.
    dxa : DataFrame
        The DXA file, read the same way.

    Raises
    ------
    InputError
        If the files are missing (run ``python -m vbq.demo`` to write them).

    Examples
    --------
    >>> import vbq
    >>> cohort, dxa = load()
    >>> vbq.prepare_cohort(cohort, dxa).table["group"].value_counts().to_dict()
    {'control': 134, 'degenerative': 101}
    """
    for path in (COHORT_FILE, DXA_FILE):
        if not path.exists():
            raise InputError(f"{path}: demo file not found; run `python -m vbq.demo` to write it")
    return pd.read_csv(COHORT_FILE), pd.read_csv(DXA_FILE)


_DECIMALS = {"age": 0, "bmi": 1, "si_csf": 1, "hu_l1": 1, "vbq_repeat": 3, "vbq_obs2": 3}


def _decimals(name: str) -> int:
    if name in _DECIMALS:
        return _DECIMALS[name]
    if name.startswith("si_") or name.startswith("osteophyte_mm"):
        return 1
    if name.startswith("bmd_"):
        return 3
    if name.startswith("t_"):
        return 1
    raise KeyError(name)


def _to_text(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Every cell as the text written to the CSV: yes/no, fixed decimals, blank when missing."""
    out = {}
    for col in columns:
        s = frame[col.name]
        if col.kind == "bool":
            text = [("yes" if v else "no") if not pd.isna(v) else "" for v in s]
        elif col.kind == "float":
            d = _decimals(col.name)
            text = ["" if pd.isna(v) else f"{float(v):.{d}f}" for v in s]
        elif col.kind == "int":
            text = ["" if pd.isna(v) else str(int(v)) for v in s]
        else:
            text = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in s]
        out[col.name] = text
    return pd.DataFrame(out)


def write(folder: str | Path = DATA_DIR, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Generate the demo cohort and write ``demo_cohort.csv`` and ``demo_dxa.csv`` to `folder`.

    Booleans are written as yes/no, missing values as empty cells, numbers with the decimals they
    were rounded to, so the bytes are the same on every platform.

    Returns
    -------
    list of Path
        The two files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cohort, dxa = generate(seed)
    paths = []
    for frame, columns, name in ((cohort, COHORT_COLUMNS, COHORT_FILE.name),
                                 (dxa, DXA_COLUMNS, DXA_FILE.name)):
        path = folder / name
        _to_text(frame, columns).to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths


# ------------------------------------------------------------------------------------------------
# calibration report


def _youden(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """(AUC, Youden cutoff) with higher `score` positive (`vbq.stats.roc_analysis`)."""
    from .stats import roc_analysis

    res = roc_analysis(y, score, higher_is_positive=True)
    return res.auc, res.cutoff


def _achieved(table: pd.DataFrame) -> dict[tuple[str, str], float]:
    from .stats import cohen_kappa, icc, to_long

    out: dict[tuple[str, str], float] = {}
    parts = {"degenerative": table[table["group"] == "degenerative"],
             "control": table[table["group"] == "control"], "all": table}
    for g, part in parts.items():
        out[("n", g)] = float(len(part))
        for var in ("age", "bmi", "vbq", "hu_l1", "bmd_l1_l4", "t_l1_l4", "bmd_femoral_neck",
                    "t_femoral_neck", "bmd_total_hip", "t_total_hip", "bmd_lowest", "t_lowest"):
            values = part[var].astype(float)
            out[(f"{var}_mean", g)] = float(values.mean())
            out[(f"{var}_sd", g)] = float(values.std(ddof=1))
        out[("female_percent", g)] = 100.0 * float((part["sex"] == "F").mean())
        for key in ("smoking", "alcohol", "diabetes", "hypertension", "rheumatic_disease",
                    "antiresorptive", "anabolic", "prior_osteo_dx", "current_osteo_dx"):
            out[(f"{key}_percent", g)] = 100.0 * float(part[key].astype(bool).mean())
        vbq = part["vbq"].astype(float)
        for other in ("bmd_l1_l4", "t_l1_l4", "hu_l1", "t_femoral_neck", "t_total_hip",
                      "t_lowest"):
            out[(f"r_vbq_{other}", g)] = float(np.corrcoef(vbq, part[other].astype(float))[0, 1])
        porotic = (part["dxa_status"] == "osteoporosis").to_numpy()
        vbq_pos = (part["vbq_status"] == "osteoporosis").to_numpy()
        out[("osteoporosis_t_percent", g)] = 100.0 * porotic.mean()
        out[("osteoporosis_vbq_percent", g)] = 100.0 * vbq_pos.mean()
        out[("vbq_positive_t_negative_percent", g)] = 100.0 * vbq_pos[~porotic].mean()
        for dx in DIAGNOSES:
            out[(f"diagnosis_{dx}_n", g)] = float((part["diagnosis"] == dx).sum())
        if g != "all":
            has = part["modic_type"].astype(str).isin(["1", "2", "3", "mixed"])
            mod = part[has]
            out[("modic_any_n", g)] = float(has.sum())
            for v in ("1", "2", "3", "mixed"):
                out[(f"modic_type_{v}_n", g)] = float((mod["modic_type"].astype(str) == v).sum())
            for v in range(1, 5):
                out[(f"modic_levels_{v}_n", g)] = float((mod["modic_levels"] == v).sum())
            for v in ("A", "B", "C"):
                out[(f"modic_grade_{v}_n", g)] = float((mod["modic_grade"] == v).sum())
    control = parts["control"]
    vbq_c = control["vbq"].to_numpy(dtype=float)
    porotic = (control["dxa_status"] == "osteoporosis").to_numpy()
    auc, cut = _youden(porotic, vbq_c)
    out[("auc_vbq_osteoporosis", "control")] = auc
    out[("cutoff_vbq_osteoporosis", "control")] = cut
    out[("auc_hu_osteoporosis", "control")] = _youden(
        porotic, -control["hu_l1"].to_numpy(dtype=float))[0]
    auc, cut = _youden((control["dxa_status"] != "normal").to_numpy(), vbq_c)
    out[("auc_vbq_osteopenia", "control")] = auc
    out[("cutoff_vbq_osteopenia", "control")] = cut
    # reliability
    rel = table[table["vbq_repeat"].notna() & table["vbq_obs2"].notna()]
    out[("n_reliability", "all")] = float(len(rel))
    for key, col in (("icc_intra", "vbq_repeat"), ("icc_inter", "vbq_obs2")):
        long = to_long(rel, "patient_id", ["vbq", col])
        out[(key, "all")] = icc(long, "patient_id", "rater", "rating").form("ICC2").estimate
    for rater, key in (("repeat", "kappa_intra"), ("obs2", "kappa_inter")):
        second = assign_groups(rel, rater=rater)["group"].to_numpy()
        out[(key, "all")] = cohen_kappa(rel["group"].to_numpy(), second).estimate
    return out


def calibration_report(cohort: pd.DataFrame, dxa: pd.DataFrame) -> pd.DataFrame:
    """Compare a cohort with the paper's published numbers (`CALIBRATION_TARGETS`).

    Parameters
    ----------
    cohort, dxa : DataFrame
        Cohort and DXA tables (canonical, or raw as from `load`); analysed with `vbq.prepare_cohort`
        under the paper's default settings.

    Returns
    -------
    DataFrame
        One row per target: ``key``, ``group``, ``description``, ``source``, ``target``,
        ``achieved``, ``tolerance``, ``ok`` (``|achieved - target| <= tolerance``).

    Notes
    -----
    Percentages are in percent; SDs are sample SDs (ddof = 1); r is Pearson's. Osteoporosis is
    the lowest T-score at or below -2.5, "osteopenia or worse" below -1 (WHO); a VBQ of 2.9 or
    more is VBQ-positive. AUCs and Youden cutoffs are the control group's (`vbq.stats.roc_analysis`;
    cutoff = midpoint between the two scores it separates). ICC is ICC(2,1),
    absolute agreement, of the first reading against the repeat (intra) or observer 2 (inter);
    kappa is Cohen's, of the group from the first grades against the group from the second.

    Examples
    --------
    >>> report = calibration_report(*generate())
    >>> bool(report["ok"].all())
    True
    """
    # the paper's prevalences are "VBQ >= 2.9": its published thresholds, not the ones the
    # default settings derive from the control group
    table = prepare_cohort(cohort, dxa, Settings(**PAPER_THRESHOLDS)).table
    achieved = _achieved(table)
    rows = []
    for t in CALIBRATION_TARGETS:
        value = achieved[(t.key, t.group)]
        rows.append({
            "key": t.key, "group": t.group, "description": t.description, "source": t.source,
            "target": t.target, "achieved": value, "tolerance": t.tolerance,
            "ok": bool(abs(value - t.target) <= t.tolerance + 1e-9),
        })
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """``python -m vbq.demo [--out FOLDER] [--seed N]``: write the files, print the calibration."""
    parser = argparse.ArgumentParser(prog="python -m vbq.demo", description=main.__doc__)
    parser.add_argument("--out", default=str(DATA_DIR), help="folder to write the CSV files to")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths = write(args.out, seed=args.seed)
    for p in paths:
        print(f"wrote {p} (SYNTHETIC data, seed {args.seed})")
    report = calibration_report(*generate(args.seed))
    with pd.option_context("display.max_rows", None, "display.width", 160,
                           "display.max_colwidth", 48):
        print(report[["group", "key", "source", "target", "achieved", "tolerance", "ok"]]
              .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    bad = int((~report["ok"]).sum())
    print(f"{len(report) - bad} of {len(report)} targets within tolerance")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
