"""Every published number of Chen et al. 2023 that VBQ Explorer uses, with where it is printed.

The one source of the study's numbers: the demo's calibration targets (`vbq.demo`), the paper's
adjusted VBQ thresholds (`vbq.settings.PAPER_THRESHOLDS`), the reference prevalences shown beside
the current ones (`vbq.describe.PAPER_PREVALENCE`) and the operating points of Table 4. Each
constant names the table, figure or section of the paper that prints it. Nothing here is computed:
percentages are in percent as printed, correlations are Pearson's r as printed.

The paper is read as printed, with the corrections listed in `INCONSISTENCIES` (the numbers that
cannot all be right, and which reading the product takes).

References
----------
Chen Z, Lei F, Ye F, Yuan H, Li S, Feng D. MRI-based vertebral bone quality score for the
assessment of osteoporosis in patients undergoing surgery for lumbar degenerative diseases.
J Orthop Surg Res 2023;18:257. doi:10.1186/s13018-023-03746-0.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CITATION",
    "DOI",
    "GROUP_SIZES",
    "N_MALE",
    "N_FEMALE",
    "TABLE2_CONTINUOUS",
    "TABLE2_P",
    "TABLE2_PERCENT",
    "TABLE2_COUNTS",
    "TABLE3",
    "OVERALL_CORRELATIONS",
    "OperatingPoint",
    "TABLE4",
    "PAPER_THRESHOLDS",
    "PREVALENCE",
    "PREVALENCE_P",
    "RELIABILITY",
    "N_RELIABILITY",
    "DIAGNOSES",
    "SCOLIOSIS_DEGENERATIVE",
    "TABLE5",
    "TABLE5_P",
    "INCONSISTENCIES",
]

CITATION = (
    "Chen Z, Lei F, Ye F, Yuan H, Li S, Feng D. MRI-based vertebral bone quality score for the "
    "assessment of osteoporosis in patients undergoing surgery for lumbar degenerative diseases. "
    "J Orthop Surg Res 2023;18:257."
)
DOI = "10.1186/s13018-023-03746-0"

GROUP_SIZES: dict[str, int] = {"degenerative": 101, "control": 134, "all": 235}
"""Patients analysed per group (Results, first paragraph; Table 2's column heads)."""

N_MALE = 89
N_FEMALE = 146
"""Men and women among the 235 (Results: "There were 89 males and 146 females")."""

TABLE2_CONTINUOUS: dict[str, tuple[str, tuple[float, float], tuple[float, float]]] = {
    # key: (label, (degenerative mean, SD), (control mean, SD))
    "age": ("Age, years", (61.8, 8.1), (59.4, 7.8)),
    "bmi": ("BMI, kg/m2", (24.0, 3.2), (23.9, 3.1)),
    "vbq": ("VBQ score", (2.9, 0.5), (2.8, 0.5)),
    "hu_l1": ("L1 HU", (109.7, 37.6), (130.2, 37.6)),
    "bmd_l1_l4": ("L1-4 BMD, g/cm2", (1.015, 0.172), (0.965, 0.151)),
    "t_l1_l4": ("L1-4 T-score", (-0.69, 1.50), (-1.15, 1.27)),
    "bmd_femoral_neck": ("Femoral neck BMD, g/cm2", (0.848, 0.139), (0.86, 0.119)),
    # printed "-0.85 +/- 0.14": SD read as 1.14 (INCONSISTENCIES)
    "t_femoral_neck": ("Femoral neck T-score (deg. SD read as 1.14)", (-0.85, 1.14), (-0.64, 1.01)),
    "bmd_total_hip": ("Total hip BMD, g/cm2", (0.908, 0.146), (0.907, 0.120)),
    "t_total_hip": ("Total hip T-score", (-0.57, 1.09), (-0.53, 0.92)),
    "bmd_lowest": ("Lowest BMD, g/cm2", (0.821, 0.136), (0.833, 0.115)),
    "t_lowest": ("Lowest T-score", (-1.41, 1.12), (-1.48, 1.04)),
}
"""Table 2: mean and SD per group of the continuous characteristics."""

TABLE2_P: dict[str, tuple[float, float | None]] = {
    # key: (P of the group comparison, age-adjusted ANCOVA P or None where not printed);
    # "< 0.0001" is written 0.0001
    "age": (0.026, None),
    "bmi": (0.729, 0.746),
    "vbq": (0.012, 0.047),
    "hu_l1": (0.0001, 0.001),
    "bmd_l1_l4": (0.018, 0.006),
    "t_l1_l4": (0.011, 0.003),
    "bmd_femoral_neck": (0.478, 0.98),
    "t_femoral_neck": (0.157, 0.484),
    "bmd_total_hip": (0.984, 0.625),
    "t_total_hip": (0.755, 0.865),
    "bmd_lowest": (0.444, 0.888),
    "t_lowest": (0.605, 0.284),
}
"""Table 2: P values of the continuous rows (the test is not named; the ANCOVA is age-adjusted)."""

TABLE2_PERCENT: dict[str, tuple[str, float, float, str]] = {
    # key: (label, degenerative %, control %, source); "columns swapped": the printed
    # percentages fit the other group's n (INCONSISTENCIES), read here with the columns swapped
    "female": ("Female, %", 48.5, 72.3, "Table 2"),
    "smoking": ("Smoking, %", 5.9, 2.9, "Table 2 (columns swapped)"),
    "alcohol": ("Alcohol, %", 1.9, 2.2, "Table 2 (columns swapped)"),
    "diabetes": ("Diabetes, %", 12.8, 12.6, "Table 2 (columns swapped)"),
    "hypertension": ("Hypertension, %", 27.7, 24.6, "Table 2 (columns swapped)"),
    "rheumatic_disease": ("Rheumatic disease, %", 3.9, 2.2, "Table 2 (columns swapped)"),
    "antiresorptive": ("Antiresorptive medication, %", 8.9, 8.2, "Table 2"),
    "anabolic": ("Anabolic medication, %", 3.0, 3.7, "Table 2"),
    "prior_osteo_dx": ("Osteopenia/osteoporosis diagnosed before, %", 17.8, 16.4, "Table 2"),
    "current_osteo_dx": ("Osteopenia/osteoporosis diagnosed now, %", 65.3, 63.4,
                         "Table 2 (columns swapped)"),
}
"""Table 2: percentages per group of the binary characteristics."""

TABLE2_COUNTS: dict[str, tuple[int, int]] = {
    # (degenerative of 101, control of 134); rows marked swapped in TABLE2_PERCENT read so
    "smoking": (6, 4),
    "alcohol": (2, 3),
    "diabetes": (13, 17),
    "hypertension": (28, 33),
    "rheumatic_disease": (4, 3),
    "prior_osteo_dx": (18, 22),
    "antiresorptive": (9, 11),
    "anabolic": (3, 5),
    "current_osteo_dx": (66, 85),
}
"""Table 2: the counts behind `TABLE2_PERCENT` (female: `GROUP_SIZES` less the men, 52 and 37)."""

TABLE3: dict[tuple[str, str], float] = {
    ("bmd_l1_l4", "degenerative"): -0.453,
    ("bmd_l1_l4", "control"): -0.611,
    ("t_l1_l4", "degenerative"): -0.460,
    ("t_l1_l4", "control"): -0.620,
    ("hu_l1", "degenerative"): -0.630,
    ("hu_l1", "control"): -0.611,
}
"""Table 3: Pearson's r of VBQ with (measure, group); all printed with p < 0.05."""

OVERALL_CORRELATIONS: dict[str, float] = {
    "t_femoral_neck": -0.372,
    "t_total_hip": -0.438,
    "t_l1_l4": -0.501,
    "t_lowest": -0.537,
}
"""Results (after Table 3): Pearson's r of VBQ with each T-score in all 235 patients (all
p < 0.0001)."""


@dataclass(frozen=True)
class OperatingPoint:
    """One diagnostic operating point of the control group's ROC analysis (Table 4, Fig. 5).

    Attributes
    ----------
    marker : {"vbq", "hu_l1"}
        The score (VBQ: higher is positive; L1 HU: lower is positive).
    target : {"osteoporosis", "osteopenia_or_worse"}
        DXA reference (lowest T-score at or below -2.5; below -1).
    cutoff : float or None
        The Youden-optimal cutoff as printed ("VBQ threshold"); None where not printed.
    threshold : float or None
        The cutoff "adjusted to one decimal place" (rounded up); None where not printed.
    sensitivity, specificity : float
        In percent, as printed.
    auc : float
        Area under the ROC curve.
    auc_ci : tuple of float
        Its 95% confidence interval as printed.
    source : str
        Where the numbers are printed.
    """

    marker: str
    target: str
    cutoff: float | None
    threshold: float | None
    sensitivity: float
    specificity: float
    auc: float
    auc_ci: tuple[float, float]
    source: str


TABLE4: dict[tuple[str, str], OperatingPoint] = {
    ("vbq", "osteopenia_or_worse"): OperatingPoint(
        "vbq", "osteopenia_or_worse", 2.56, 2.6, 83.5, 53.1, 0.733, (0.645, 0.821), "Table 4"),
    ("vbq", "osteoporosis"): OperatingPoint(
        "vbq", "osteoporosis", 2.83, 2.9, 93.0, 65.4, 0.818, (0.734, 0.902),
        "Table 4; Abstract; Fig. 5 caption"),
    # the paper prints no HU cutoff and no HU operating point for osteopenia
    ("hu_l1", "osteoporosis"): OperatingPoint(
        "hu_l1", "osteoporosis", None, None, 80.4, 88.9, 0.865, (0.794, 0.9037),
        "Results (AUC, CI as printed); Fig. 5 caption (sensitivity, specificity)"),
}
"""Table 4 and Fig. 5: the control group's ROC operating points, keyed by (marker, target)."""

PAPER_THRESHOLDS: dict[str, float] = {
    "vbq_osteopenia": TABLE4[("vbq", "osteopenia_or_worse")].threshold,
    "vbq_osteoporosis": TABLE4[("vbq", "osteoporosis")].threshold,
}
"""The VBQ thresholds the paper published (Table 4, "adjustment threshold"): 2.6 and 2.9."""

PREVALENCE: dict[str, tuple[float, float]] = {
    "reference": (19.8, 20.1),
    "test": (53.5, 38.8),
    "test_among_reference_negative": (46.9, 30.8),
}
"""Osteoporosis, % of the (degenerative, control) group: by DXA T-score ("reference", Results),
by VBQ at the paper's adjusted threshold 2.9 ("test", Results) and VBQ-positive among the patients
not osteoporotic by T-score ("test_among_reference_negative", Abstract and Results)."""

PREVALENCE_P: dict[str, float] = {"reference": 0.541, "test": 0.025}
"""Results: P of the group difference in osteoporosis by T-score and by VBQ."""

RELIABILITY: dict[str, float] = {
    "icc_intra": 0.846,
    "icc_inter": 0.835,
    "kappa_intra": 0.819,
    "kappa_inter": 0.809,
}
"""Results: ICC of the VBQ score and Cohen's kappa of the degenerative grouping, within and
between observers."""

N_RELIABILITY = 100
"""Methods: patients measured twice by one observer and once by a second."""

DIAGNOSES: dict[str, int] = {
    "stenosis": 143, "disc_herniation": 47, "spondylolisthesis": 35, "scoliosis": 10}
"""Results: primary diagnoses of the 235 patients (degenerative slip = spondylolisthesis)."""

SCOLIOSIS_DEGENERATIVE = 9
"""Results: degenerative scoliosis patients in the degenerative group ("90% vs. 40.9%")."""

TABLE5: dict[str, dict[str, dict[str, int]]] = {
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
"""Table 5: Modic change type, number of affected levels and grade, per group (56 and 45)."""

TABLE5_P: dict[str, float] = {"type": 0.099, "levels": 0.007, "grade": 0.149}
"""Table 5: P of each group comparison (the test is not named; Fisher's exact test on the printed
counts gives the same three values)."""

INCONSISTENCIES: tuple[str, ...] = (
    "Results: overall age 62.9 +/- 8.9 is above both group means (61.8 and 59.4); the group "
    "values are used.",
    "Table 2: the rows smoking, alcohol, diabetes, hypertension, rheumatic disease and 'current "
    "diagnosed' print percentages that fit the other group's n (4 (2.9%) is 4/134, not 4/101): "
    "read with the columns swapped (TABLE2_PERCENT, TABLE2_COUNTS).",
    "Table 2: femoral neck T-score SD 0.14 in the degenerative group is implausible; read as 1.14.",
    "Methods and Results write osteoporosis as T < -2.5 and osteopenia as '-1 < T < -2.5'; WHO "
    "(used here) is T <= -2.5 and -2.5 < T < -1.",
    "Results: the HU AUC interval is printed '0.794-0.9037'.",
    "Results: '19.8% vs 20.1%, P = 0.541' cannot come from a chi-square on 20/101 vs 27/134 "
    "(P = 0.947).",
    "Fig. 2's caption says 'non-T1-weighted'; the method uses non-contrast T1-weighted images.",
    "Table 4 rounds 2.83 to 2.9: the adjustment rounds up (toward the more specific side), not to "
    "the nearest decimal.",
    "Abstract and Results: with 27 of 134 control patients osteoporotic (20.1%), VBQ >= 2.9 in "
    "38.8% (52) and in 30.8% of the 107 others (33) means 19 of the 27 (70.4%) are VBQ-positive at "
    "2.9, while Table 4 gives a sensitivity of 93% (25 of 27) at 2.83: 6 of 27 osteoporotic "
    "patients (22%) would lie in the band 2.83 to 2.9, which holds about 6% of a normal group "
    "of mean 2.8 and SD 0.5 (Table 2). Both cannot come from one smooth population; the demo meets each within its "
    "tolerance (see vbq.demo).",
    "Fig. 5: HU sensitivity 80.4% and specificity 88.9% are not k/27 and k/107 for any k (21/27 = "
    "77.8%, 22/27 = 81.5%; 95/107 = 88.8%): they were computed on other denominators.",
    "Results: 'PPV 86.8%, NPV 50%' for osteoporosis/osteopenia fits neither Table 4 row on 134 "
    "patients (osteopenia: PPV 71/94 = 75.5%, NPV 26/40 = 65%); not used.",
    "Results: the text finds 'no statistically significant differences' in the Modic changes, "
    "but Table 5 prints P = 0.007 for the number of affected levels.",
    "Discussion: '37.6% of the degenerative group diagnosed with osteoporosis' matches neither "
    "19.8% (T-score) nor 53.5% (VBQ); not used.",
)
"""Numbers of the paper that cannot all be right, and the reading taken here."""
