"""The calibration targets of the demo cohort: the published numbers of `vbq.paper`, each with a
tolerance and the reason for it."""

from __future__ import annotations

from dataclasses import dataclass

from .. import paper

__all__ = ["Target", "CALIBRATION_TARGETS"]


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


_GROUPS = ("degenerative", "control")


def _sizes() -> list[Target]:
    return [Target("n", g, paper.GROUP_SIZES[g], 0, "Results",
                   "Patients analysed" if g == "all" else "Patients in the group")
            for g in ("degenerative", "control", "all")]


def _table2() -> list[Target]:
    out: list[Target] = []
    for key, (desc, *per_group) in paper.TABLE2_CONTINUOUS.items():
        for group, (mean, sd) in zip(_GROUPS, per_group, strict=True):
            out.append(Target(f"{key}_mean", group, mean, 0.1 * sd, "Table 2", f"{desc}, mean"))
            out.append(Target(f"{key}_sd", group, sd, 0.1 * sd, "Table 2", f"{desc}, SD"))
    for key, (desc, deg, ctl, src) in paper.TABLE2_PERCENT.items():
        for group, value in zip(_GROUPS, (deg, ctl), strict=True):
            out.append(Target(f"{key}_percent", group, value, 3.0, src, desc))
    return out


_TABLE3_LABELS = {"bmd_l1_l4": "L1-4 BMD", "t_l1_l4": "L1-4 T", "hu_l1": "L1 HU"}
_OVERALL_LABELS = {"t_femoral_neck": "femoral neck T", "t_total_hip": "total hip T",
                   "t_l1_l4": "L1-4 T", "t_lowest": "lowest T"}


def _correlations() -> list[Target]:
    out = [Target(f"r_vbq_{m}", g, r, 0.06, "Table 3", f"Pearson r, VBQ vs {_TABLE3_LABELS[m]}")
           for (m, g), r in paper.TABLE3.items()]
    out += [Target(f"r_vbq_{m}", "all", r, 0.06, "Results", f"Pearson r, VBQ vs {_OVERALL_LABELS[m]}")
            for m, r in paper.OVERALL_CORRELATIONS.items()]
    return out


_TARGET_WORDS = {"osteoporosis": ("osteoporosis", "osteoporosis (lowest T <= -2.5)"),
                 "osteopenia_or_worse": ("osteopenia", "osteopenia or worse (lowest T < -1)")}
_MARKER_WORDS = {"vbq": ("vbq", "VBQ"), "hu_l1": ("hu", "L1 HU (lower HU positive)")}
# (cutoff, threshold, sensitivity, specificity) tolerances per (marker, target): see
# CALIBRATION_TARGETS' docstring
_POINT_TOLERANCE = {
    ("vbq", "osteoporosis"): (0.07, 0.0, 7.5, 7.5),
    ("vbq", "osteopenia_or_worse"): (0.06, 0.0, 7.5, 10.0),
    ("hu_l1", "osteoporosis"): (None, None, 10.0, 7.5),
}


def _table4() -> list[Target]:
    out: list[Target] = []
    for (marker, target), point in paper.TABLE4.items():
        short, words = _TARGET_WORDS[target]
        mkey, mwords = _MARKER_WORDS[marker]
        tol_cut, tol_thr, tol_se, tol_sp = _POINT_TOLERANCE[(marker, target)]
        tol_auc = 0.04
        out.append(Target(f"auc_{mkey}_{short}", "control", point.auc, tol_auc, point.source,
                          f"AUC of {mwords} for {words}"))
        if point.cutoff is not None:
            out.append(Target(f"cutoff_{mkey}_{short}", "control", point.cutoff, tol_cut,
                              point.source, f"Youden cutoff of {mwords} for {words}"))
            out.append(Target(f"threshold_{mkey}_{short}", "control", point.threshold, tol_thr,
                              point.source, f"Youden cutoff of {mwords} for {words}, rounded up "
                              "to one decimal (the threshold the default settings derive)"))
        out.append(Target(f"sensitivity_{mkey}_{short}", "control", point.sensitivity, tol_se,
                          point.source, f"Sensitivity (%) of {mwords} for {words} at its "
                          "Youden cutoff"))
        out.append(Target(f"specificity_{mkey}_{short}", "control", point.specificity, tol_sp,
                          point.source, f"Specificity (%) of {mwords} for {words} at its "
                          "Youden cutoff"))
    return out


def _prevalence() -> list[Target]:
    rows = (
        ("osteoporosis_t_percent", "reference", 4.0, "Results",
         "Osteoporosis by lowest T-score, %"),
        ("osteoporosis_vbq_percent", "test", 4.0, "Results",
         "Osteoporosis by VBQ at the derived threshold (the paper: 2.9), %"),
        ("vbq_positive_t_negative_percent", "test_among_reference_negative", 5.0,
         "Abstract; Results",
         "VBQ-positive at the derived threshold among patients not osteoporotic by T-score, %"),
    )
    return [Target(key, g, paper.PREVALENCE[measure][j], tol, src, desc)
            for key, measure, tol, src, desc in rows for j, g in enumerate(_GROUPS)]


def _counts() -> list[Target]:
    t = Target
    words = {"stenosis": "stenosis", "disc_herniation": "disc herniation",
             "spondylolisthesis": "degenerative slip", "scoliosis": "scoliosis"}
    out = [t(f"diagnosis_{dx}_n", "all", n, 0, "Results", f"Primary diagnosis: {words[dx]}")
           for dx, n in paper.DIAGNOSES.items()]
    out.append(t("diagnosis_scoliosis_n", "degenerative", paper.SCOLIOSIS_DEGENERATIVE, 0,
                 "Results", "Degenerative scoliosis in the degenerative group"))
    return out


def _reliability() -> list[Target]:
    t, rel, n = Target, paper.RELIABILITY, paper.N_RELIABILITY
    return [
        t("icc_intra", "all", rel["icc_intra"], 0.04, "Results",
          f"ICC of VBQ, observer 1 twice (n = {n})"),
        t("icc_inter", "all", rel["icc_inter"], 0.04, "Results",
          f"ICC of VBQ, observers 1 and 2 (n = {n})"),
        t("kappa_intra", "all", rel["kappa_intra"], 0.06, "Results",
          "Cohen's kappa of the grouping, intra"),
        t("kappa_inter", "all", rel["kappa_inter"], 0.06, "Results",
          "Cohen's kappa of the grouping, inter"),
        t("n_reliability", "all", n, 0, "Methods", "Patients in the reliability study"),
    ]


def _table5() -> list[Target]:
    out: list[Target] = []
    for group, table in paper.TABLE5.items():
        out.append(Target("modic_any_n", group, sum(table["type"].values()), 0, "Table 5",
                          "Modic change: any"))
        for what, counts in table.items():
            for value, count in counts.items():
                out.append(Target(f"modic_{what}_{value}_n", group, count, 0, "Table 5",
                                  f"Modic change: {what} {value}"))
    return out


CALIBRATION_TARGETS: tuple[Target, ...] = tuple(
    _sizes() + _table2() + _correlations() + _table4() + _prevalence() + _counts()
    + _reliability() + _table5()
)
"""The paper's numbers the demo cohort is calibrated to, with their source and tolerance.

Every value comes from `vbq.paper`. Tolerances: means within 0.1 SD and SDs within 10 % of the
target; percentages within 3 points (4-5 points for the osteoporosis prevalences and the
VBQ-positive shares, whose sampling SE in groups of 101-134 is 3.5-5 points); correlations within
0.06; AUCs within 0.04; ICCs within 0.04; kappas within 0.06; counts exact.

Table 4's operating points (control group): the rounded thresholds exactly (2.9 and 2.6, the
thresholds the default settings derive, so what the app shows by default is what the paper
used); the Youden cutoffs within 0.07 and 0.06 (with the exact rounded threshold: 2.80 < cutoff
<= 2.90 and 2.50 < cutoff <= 2.60); sensitivities and specificities within 7.5 points (10 for
the osteopenia specificity on 49 normal patients and the HU sensitivity on 27 osteoporotic ones).
Those are below the spread of a Youden operating point over seeds of this generator (SD about 10
points: the cutoff that maximises the Youden index of 134 patients moves with the sample), and
about 1.5 binomial SE at the paper's counts. The paper prints no HU cutoff and no HU operating
point for osteopenia, so none is a target.

Published numbers that cannot all be met exactly (`vbq.paper.INCONSISTENCIES`,
``vbq/demo/data/README.md``): the sensitivity of 93% at 2.83 (25 of 27 osteoporotic control
patients) and the 19 of 27 VBQ-positive at 2.9 that the Abstract's shares imply put 6 patients in
a narrow band, which a smooth population rarely does; the shipped demo meets both within
tolerance (22 of 25 at its cutoff 2.81, 18 of 25 at 2.9). L1 HU's 80.4% and 88.9% are not
fractions of 27 and 107, so no cohort of the paper's sizes has both exactly.
"""
