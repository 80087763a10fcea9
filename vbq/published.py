"""Published VBQ thresholds, with their scanners, and a pooled estimate (issue 20).

Every number here was read in a source named beside it: the seed paper's text for Chen et al.
2023 (through `vbq.paper`), otherwise the published abstract at the address in ``source_read``.
A number we could not read in a source is not here; `UNVERIFIED` lists the ones we looked for.
Nothing is computed in this module: thresholds, sensitivities and AUCs are as printed.

A threshold travels badly. VBQ is a ratio of T1 signal intensities, so a cutoff derived on one
field strength, sequence, population and DXA reference need not fit another: `scanner_warnings`
says where a threshold's scanner differs from the measurements it is applied to, and
`apply_published` puts each threshold's sensitivity and specificity in the cohort beside the
cohort's own Youden thresholds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import paper
from .errors import DegenerateInputError, InputError
from .schema import SEQUENCE_FAMILIES
from .stats import roc_analysis, round_cutoff
from .study import TARGETS, roc_subset

__all__ = ["PublishedThreshold", "PUBLISHED_THRESHOLDS", "UNVERIFIED", "PooledEstimate",
           "META_ANALYSIS", "published_thresholds", "scanner_warnings", "apply_published",
           "against_meta_analysis"]

_TARGET_WORDS = {"osteoporosis": "osteoporosis", "osteopenia_or_worse": "osteopenia or worse",
                 "fracture": "fracture"}


@dataclass(frozen=True)
class PublishedThreshold:
    """One published VBQ threshold and the study behind it.

    Attributes
    ----------
    key : str
        Short identifier ("chen2023_osteoporosis").
    threshold : float
        VBQ at or above it is positive, as published.
    target : {"osteoporosis", "osteopenia_or_worse", "fracture"}
        What it predicts (the DXA status, or a fragility fracture).
    measure : str
        What was measured: "VBQ (L1-L4)" (median L1-L4 SI over L3 CSF SI, as this product
        computes it) or another variant (e.g. "T12 VBQ"), which this product does not compute.
    citation : str
        The study, as far as the source read names it.
    doi : str or None
    source_read : str
        Where these numbers were read (the paper's text, or the address of the abstract).
    population : str
        Who was studied, in the source's words.
    n : int
        Patients of the analysis the threshold came from.
    field_strength_t : float or None
        MRI field strength (T); None when the source read does not state it.
    sequence : str
        The sequence in words as the source states it; "not stated in the source read".
    sequence_family : str or None
        A key of `vbq.schema.SEQUENCE_FAMILIES` when the source names the sequence.
    reference : str
        The reference standard of the target.
    sensitivity, specificity : float or None
        At the threshold, as fractions, as printed; None when not printed.
    auc : float or None
        Area under the ROC curve as printed.
    auc_ci : tuple of float or None
        Its 95% CI as printed.
    preprint : bool
        Not peer reviewed when read.
    note : str
        Anything a reader needs to weigh the entry.
    short : str
        The study in a few words, for labels ("Chen et al. 2023").
    """

    key: str
    threshold: float
    target: str
    measure: str
    citation: str
    doi: str | None
    source_read: str
    population: str
    n: int
    field_strength_t: float | None
    sequence: str
    sequence_family: str | None
    reference: str
    sensitivity: float | None = None
    specificity: float | None = None
    auc: float | None = None
    auc_ci: tuple[float, float] | None = None
    preprint: bool = False
    note: str = ""

    short: str = ""

    @property
    def label(self) -> str:
        """The threshold in a few words: "VBQ ≥ 2.9, osteoporosis (Chen et al. 2023)"."""
        return (f"VBQ ≥ {self.threshold:g}, {_TARGET_WORDS[self.target]} "
                f"({self.short or self.key})")


_NOT_STATED = "not stated in the source read"
_CHEN = paper.TABLE4
_CHEN_POPULATION = ("patients aged 50 or over undergoing lumbar fusion for degenerative disease, "
                    "China; the threshold derived in the 134 patients of the control group "
                    "(fewer than three degenerative vertebrae among L1-L4)")
_CHEN_READ = ("the paper's full text: Methods (3.0 T Philips Achieva, T1WI TR 600 ms, TE 20 ms) "
              "and Table 4")
_PAPER_REFERENCE = "DXA, lowest T-score of L1-L4, femoral neck and total hip"
_ABSTRACT_100 = ("https://discovery.researcher.life/article/vertebral-bone-quality-score-provides-"
                 "preoperative-bone-density-assessment-for-patients-undergoing-lumbar-spine-"
                 "surgery-a-retrospective-study/a18bf5cb5c6d344aa8386499bbe63142 (abstract)")
_CITE_100 = ("Vertebral bone quality score provides preoperative bone density assessment for "
             "patients undergoing lumbar spine surgery: a retrospective study (authors and "
             "journal not shown in the source read)")
_T12_CITE = ("Opportunistic prediction of osteoporosis in patients with degenerative lumbar "
             "diseases: a simplified T12 vertebral bone quality approach. J Orthop Surg Res 2024")
_T12_READ = ("https://josr-online.biomedcentral.com/articles/10.1186/s13018-024-04782-0 "
             "(abstract)")
_T12_NOTE = ("T12 VBQ: the T12 body's SI over the CSF SI, not the L1-L4 VBQ this product "
             "computes; shown for reference, not applied.")

PUBLISHED_THRESHOLDS: tuple[PublishedThreshold, ...] = (
    PublishedThreshold(
        key="chen2023_osteoporosis", short="Chen et al. 2023", threshold=_CHEN[("vbq", "osteoporosis")].threshold,
        target="osteoporosis", measure="VBQ (L1-L4)", citation=paper.CITATION, doi=paper.DOI,
        source_read=_CHEN_READ, population=_CHEN_POPULATION, n=paper.GROUP_SIZES["control"],
        field_strength_t=3.0, sequence="T1-weighted, TR 600 ms, TE 20 ms (Philips Achieva)",
        sequence_family=None, reference=_PAPER_REFERENCE + " ≤ -2.5",
        sensitivity=_CHEN[("vbq", "osteoporosis")].sensitivity / 100,
        specificity=_CHEN[("vbq", "osteoporosis")].specificity / 100,
        auc=_CHEN[("vbq", "osteoporosis")].auc, auc_ci=_CHEN[("vbq", "osteoporosis")].auc_ci,
        note="The Youden cutoff 2.83 rounded up to one decimal; the seed paper of this product."),
    PublishedThreshold(
        key="chen2023_osteopenia", short="Chen et al. 2023", threshold=_CHEN[("vbq", "osteopenia_or_worse")].threshold,
        target="osteopenia_or_worse", measure="VBQ (L1-L4)", citation=paper.CITATION,
        doi=paper.DOI, source_read=_CHEN_READ, population=_CHEN_POPULATION,
        n=paper.GROUP_SIZES["control"], field_strength_t=3.0,
        sequence="T1-weighted, TR 600 ms, TE 20 ms (Philips Achieva)", sequence_family=None,
        reference=_PAPER_REFERENCE + " < -1",
        sensitivity=_CHEN[("vbq", "osteopenia_or_worse")].sensitivity / 100,
        specificity=_CHEN[("vbq", "osteopenia_or_worse")].specificity / 100,
        auc=_CHEN[("vbq", "osteopenia_or_worse")].auc,
        auc_ci=_CHEN[("vbq", "osteopenia_or_worse")].auc_ci,
        note="The Youden cutoff 2.56 rounded up to one decimal."),
    PublishedThreshold(
        key="lumbar_surgery_100_osteoporosis", short="100 disc herniation patients", threshold=3.05, target="osteoporosis",
        measure="VBQ (L1-L4)", citation=_CITE_100, doi=None, source_read=_ABSTRACT_100,
        population="patients operated on for lumbar disc herniation", n=100,
        field_strength_t=None, sequence="non-contrast T1-weighted", sequence_family=None,
        reference="DXA T-score (osteoporosis)", sensitivity=0.875, specificity=0.618,
        auc=0.810, note="Maximum Youden index; PPV 0.519, NPV 0.913 as printed."),
    PublishedThreshold(
        key="lumbar_surgery_100_reduced_bmd", short="100 disc herniation patients", threshold=3.06, target="osteopenia_or_worse",
        measure="VBQ (L1-L4)", citation=_CITE_100, doi=None, source_read=_ABSTRACT_100,
        population="patients operated on for lumbar disc herniation", n=100,
        field_strength_t=None, sequence="non-contrast T1-weighted", sequence_family=None,
        reference="DXA T-score (reduced BMD)", sensitivity=0.636, specificity=0.870, auc=0.793,
        note="Maximum Youden index; PPV 0.942, NPV 0.417 as printed."),
    PublishedThreshold(
        key="opportunistic_83_osteoporosis", short="83 spine surgery patients", threshold=2.95, target="osteoporosis",
        measure="VBQ (L1-L4)",
        citation=("Opportunistic use of lumbar magnetic resonance imaging for osteoporosis "
                  "screening (authors and journal not shown in the source read)"),
        doi=None,
        source_read=("https://discovery.researcher.life/article/opportunistic-use-of-lumbar-"
                     "magnetic-resonance-imaging-for-osteoporosis-screening/"
                     "85609c986c103e909fa1510edfc7f885 (abstract)"),
        population="thoracolumbar spine surgery patients aged 50 or over (80% women, 96% "
                   "Caucasian)", n=83, field_strength_t=None, sequence="T1-weighted",
        sequence_family=None, reference="clinical osteoporosis", auc=0.806,
        note="The authors recommend VBQ > 3.0 for further evaluation; sensitivity and "
             "specificity not printed in the abstract."),
    PublishedThreshold(
        key="screening_130_osteoporosis", short="130 patients, 2023", threshold=2.7, target="osteoporosis",
        measure="VBQ (L1-L4)",
        citation=("Vertebral bone quality score for opportunistic osteoporosis screening: a "
                  "correlation and optimal threshold analysis. 2023, Springer-Verlag GmbH "
                  "Germany (authors and journal not shown in the source read)"),
        doi=None,
        source_read=("https://physiciansweekly.com/vertebral-bone-quality-score-for-"
                     "opportunistic-osteoporosis-screening-a-correlation-and-optimal-threshold-"
                     "analysis (abstract)"),
        population="single-centre retrospective cohort", n=130, field_strength_t=None,
        sequence=_NOT_STATED, sequence_family=None, reference="DXA (osteoporosis)",
        note="'Fair discriminatory power and high negative predictive value'; AUC, sensitivity "
             "and specificity not printed in the abstract."),
    PublishedThreshold(
        key="postmenopausal_601_osteoporosis", short="Chen A et al. 2024, preprint", threshold=2.979, target="osteoporosis",
        measure="VBQ (L1-L4)",
        citation=("Chen A, Feng S, She D, Yan C. Value of MRI-based VBQ scores in screening for "
                  "osteoporosis in postmenopausal women and diagnostic differences from those "
                  "of DXA. Research Square preprint 2024"),
        doi="10.21203/rs.3.rs-4999045/v1",
        source_read="https://ouci.dntb.gov.ua/en/works/loRagnn4 (abstract)",
        population="postmenopausal women with lumbar MRI and DXA in 2022 (mean age 68.18)",
        n=601, field_strength_t=None, sequence=_NOT_STATED, sequence_family=None,
        reference="DXA (osteoporosis)", preprint=True,
        note="The abstract prints a 'prediction accuracy' of 93.1%, not said to be the AUC; "
             "left out."),
    PublishedThreshold(
        key="t12_166_reduced_bmd", short="T12 VBQ, 166 patients, 2024", threshold=2.94, target="osteopenia_or_worse",
        measure="T12 VBQ", citation=_T12_CITE, doi="10.1186/s13018-024-04782-0",
        source_read=_T12_READ, population="patients treated for lumbar degenerative disease",
        n=166, field_strength_t=None, sequence="T1-weighted", sequence_family=None,
        reference="DXA, lowest T-score (low BMD)", auc=0.756, note=_T12_NOTE),
    PublishedThreshold(
        key="t12_166_osteoporosis", short="T12 VBQ, 166 patients, 2024", threshold=3.18, target="osteoporosis", measure="T12 VBQ",
        citation=_T12_CITE, doi="10.1186/s13018-024-04782-0", source_read=_T12_READ,
        population="patients treated for lumbar degenerative disease", n=166,
        field_strength_t=None, sequence="T1-weighted", sequence_family=None,
        reference="DXA, lowest T-score (osteoporosis)", auc=0.634, note=_T12_NOTE),
)
"""The library: every threshold read in a source (`PublishedThreshold.source_read`)."""

UNVERIFIED: tuple[str, ...] = (
    "Fracture thresholds (VBQ cutoffs of about 3.0-3.7 for fragility fractures): the abstracts "
    "read (e.g. Ehresman et al., fragility fractures in a metabolic bone clinic: mean VBQ 3.50 "
    "with and 3.01 without a fracture) print group means, not a threshold.",
    "Ehresman et al. 2020 (Spine J; 68 patients): the abstract read prints an accuracy of 81% "
    "for osteopenia/osteoporosis (T < -1), not a threshold.",
    "Huang et al. (2.979 in postmenopausal women): the 2.979 read is from Chen A et al.'s "
    "preprint (listed); no Huang et al. source was found.",
    "Salzmann et al. (QCT reference): no threshold read in a source.",
    "Haffer et al. (cited by Chen 2023): VBQ 2.57 healthy vs 3.04 osteopenia/osteoporosis are "
    "group means, not thresholds.",
    "A study of 112 patients (AUC 0.804, sensitivity 71.4%, specificity 81.8% in its control "
    "group): its threshold was cut off in the source read.",
)
"""Published VBQ numbers looked for and not put in the library, and why."""


@dataclass(frozen=True)
class PooledEstimate:
    """A meta-analysis' pooled diagnostic accuracy of VBQ.

    Attributes
    ----------
    citation, doi, source_read : str
    n_studies, n_patients : int
    sensitivity, specificity, auc, dor : tuple of float
        (estimate, CI low, CI high) as printed; ``auc`` is the area under the summary ROC
        curve, ``dor`` the diagnostic odds ratio.
    method : str
        How it was pooled, in the source's words.
    target : str
        What the pooled accuracy is of, in the source's words.
    """

    citation: str
    doi: str
    source_read: str
    n_studies: int
    n_patients: int
    sensitivity: tuple[float, float, float]
    specificity: tuple[float, float, float]
    auc: tuple[float, float, float]
    dor: tuple[float, float, float]
    method: str
    target: str


META_ANALYSIS = PooledEstimate(
    citation=("Yang D, Liu C, Hu Q. Diagnostic value of a magnetic resonance imaging (MRI)-based "
              "vertebral bone quality score for bone mineral density assessment: an updated "
              "systematic review and meta-analysis. Quant Imaging Med Surg 2024"),
    doi="10.21037/qims-24-532",
    source_read=("https://bohrium.dp.tech/paper/arxiv/39429577 (abstract; title and authors "
                 "also at https://qims.amegroups.org/article/view/129162/html)"),
    n_studies=23, n_patients=2981,
    sensitivity=(0.77, 0.73, 0.81), specificity=(0.65, 0.59, 0.71), auc=(0.78, 0.74, 0.82),
    dor=(6.49, 4.82, 8.73),
    method="bivariate random-effects meta-analysis; summary ROC curve",
    target=("BMD assessment, studies with any BMD reference standard pooled together (the "
            "abstract does not separate osteoporosis from low BMD)"),
)
"""The pooled estimate the ROC page sets beside the cohort's (as printed in the abstract)."""


def published_thresholds(target: str | None = None) -> pd.DataFrame:
    """The library as a table, optionally for one target.

    Parameters
    ----------
    target : {"osteoporosis", "osteopenia_or_worse", "fracture"}, optional

    Returns
    -------
    DataFrame
        One row per `PublishedThreshold`, its fields as columns (``auc_ci`` as ``auc_ci_low,
        auc_ci_high``).
    """
    if target is not None and target not in _TARGET_WORDS:
        raise InputError(f"target: expected one of {tuple(_TARGET_WORDS)}, got {target!r}")
    rows = []
    for t in PUBLISHED_THRESHOLDS:
        if target is not None and t.target != target:
            continue
        row = {k: getattr(t, k) for k in t.__dataclass_fields__ if k != "auc_ci"}
        row["auc_ci_low"], row["auc_ci_high"] = t.auc_ci or (math.nan, math.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def _families_words(families: Iterable[str]) -> str:
    return ", ".join(SEQUENCE_FAMILIES.get(f, f) for f in sorted(families))


def scanner_warnings(threshold: PublishedThreshold, *, field_strengths: Iterable[float] = (),
                     sequence_families: Iterable[str] = ()) -> tuple[str, ...]:
    """Why `threshold` may not fit the measurements it is applied to, in words.

    Parameters
    ----------
    threshold : PublishedThreshold
    field_strengths : iterable of float, keyword-only
        The field strengths (T) of the measurements in use (empty: not recorded).
    sequence_families : iterable of str, keyword-only
        Their kinds of sequence (`vbq.schema.sequence_family`; empty: not recorded).

    Returns
    -------
    tuple of str
        One sentence per difference: another field strength, another kind of sequence (a
        source that names no kind is taken as T1-weighted spin echo, so measurements by
        inversion recovery or gradient echo are said to differ), a field strength that cannot
        be checked (not stated in the source, or not recorded for the measurements), another
        measure than L1-L4 VBQ. Empty when nothing differs.
    """
    out = []
    fields = sorted({round(float(f), 3) for f in field_strengths if not pd.isna(f)})
    families = {f for f in sequence_families if f}
    if threshold.measure != "VBQ (L1-L4)":
        out.append(f"Measured as {threshold.measure}, not the L1-L4 VBQ computed here.")
    if threshold.field_strength_t is None:
        out.append("The source read does not state the field strength, so it cannot be "
                   "checked against the measurements in use.")
    elif not fields:
        out.append(f"Derived at {threshold.field_strength_t:g} T; the field strength of the "
                   "measurements in use is not recorded.")
    elif any(f != threshold.field_strength_t for f in fields):
        shown = " and ".join(f"{f:g} T" for f in fields)
        out.append(f"Derived at {threshold.field_strength_t:g} T; the measurements in use are "
                   f"at {shown}.")
    if threshold.sequence_family is None:
        # every source read is a T1-weighted study, which in practice is spin echo (fast or
        # turbo spin echo); inversion recovery (T1 FLAIR) or gradient echo differ from it
        other = families - {"spin_echo"}
        if other:
            out.append(f"Published on {threshold.sequence} images; the measurements in use "
                       f"include {_families_words(other)}.")
    elif families and families != {threshold.sequence_family}:
        out.append(f"Derived on {SEQUENCE_FAMILIES[threshold.sequence_family]}; the "
                   f"measurements in use: {_families_words(families)}.")
    return tuple(out)


def _own_rows(table: pd.DataFrame, group: str, targets: Sequence[str]) -> list[dict]:
    """The cohort's own Youden threshold of each target, rounded up to one decimal as the
    paper rounded its own, with its sensitivity and specificity in the cohort."""
    rows = []
    for target in targets:
        y, rows_ = roc_subset(table, group, target, ["vbq"])
        try:
            res = roc_analysis(y, rows_["vbq"].to_numpy(dtype=float, na_value=np.nan))
        except (InputError, DegenerateInputError):
            continue
        t = round_cutoff(res.cutoff, decimals=1, higher_is_positive=True)
        m = res.at(t)
        rows.append({"key": f"cohort_{target}", "source": "this cohort (Youden, rounded)",
                     "target": target, "threshold": t, "sensitivity": m.sensitivity,
                     "sensitivity_ci_low": m.sensitivity_ci[0],
                     "sensitivity_ci_high": m.sensitivity_ci[1], "specificity": m.specificity,
                     "specificity_ci_low": m.specificity_ci[0],
                     "specificity_ci_high": m.specificity_ci[1],
                     "published_sensitivity": math.nan, "published_specificity": math.nan,
                     "n": len(y), "n_positive": int(y.sum()), "warnings": ()})
    return rows


def apply_published(table: pd.DataFrame, keys: Sequence[str] | None = None, *,
                    group: str = "control", field_strengths: Iterable[float] = (),
                    sequence_families: Iterable[str] = ()) -> pd.DataFrame:
    """Each published threshold applied to the cohort, beside the cohort's own thresholds.

    Parameters
    ----------
    table : DataFrame
        The analysis table (`vbq.prepare_cohort(...).table`): ``group``, ``dxa_status``,
        ``vbq``.
    keys : sequence of str, optional
        `PublishedThreshold.key` of the thresholds to apply; default every L1-L4 VBQ threshold
        whose target is a DXA status (a fracture or T12 threshold cannot be checked against
        DXA-defined targets or an L1-L4 VBQ).
    group : {"control", "degenerative", "all"}, keyword-only
        The patients it is applied to (the paper derived its own in the control group).
    field_strengths, sequence_families : keyword-only
        The scanner of the measurements in use, for `scanner_warnings`.

    Returns
    -------
    DataFrame
        First the cohort's own rounded Youden threshold for each target, then one row per
        published threshold: ``key, source, target, threshold, sensitivity,
        sensitivity_ci_low, sensitivity_ci_high, specificity, specificity_ci_low,
        specificity_ci_high`` (in this cohort, Wilson 95% CIs), ``published_sensitivity,
        published_specificity`` (as printed; NaN when not printed), ``n, n_positive`` and
        ``warnings`` (a tuple of sentences, `scanner_warnings`).

    Raises
    ------
    InputError
        An unknown key, or a threshold that cannot be applied (another measure, a fracture
        target).

    Notes
    -----
    A patient is positive when VBQ ≥ the threshold (`vbq.stats.ROCResult.at`); sensitivity and
    specificity with Wilson score intervals (R ``prop.test(x, n, correct = FALSE)``).
    """
    by_key = {t.key: t for t in PUBLISHED_THRESHOLDS}
    if keys is None:
        chosen = [t for t in PUBLISHED_THRESHOLDS
                  if t.measure == "VBQ (L1-L4)" and t.target in TARGETS]
    else:
        unknown = [k for k in keys if k not in by_key]
        if unknown:
            raise InputError(f"keys: unknown {unknown}; expected keys of PUBLISHED_THRESHOLDS")
        chosen = [by_key[k] for k in keys]
        bad = [t.key for t in chosen if t.measure != "VBQ (L1-L4)" or t.target not in TARGETS]
        if bad:
            raise InputError(f"keys: {bad} cannot be applied to an L1-L4 VBQ with a DXA target")
    fields, families = list(field_strengths), list(sequence_families)
    targets = [t for t in TARGETS if any(c.target == t for c in chosen)]
    rows = _own_rows(table, group, targets)
    results = {}
    for target in targets:
        y, part = roc_subset(table, group, target, ["vbq"])
        try:
            results[target] = (roc_analysis(y, part["vbq"].to_numpy(dtype=float,
                                                                      na_value=np.nan)), y)
        except (InputError, DegenerateInputError):
            continue
    for t in chosen:
        if t.target not in results:
            continue
        res, y = results[t.target]
        m = res.at(t.threshold)
        rows.append({"key": t.key, "source": t.citation, "target": t.target,
                     "threshold": t.threshold, "sensitivity": m.sensitivity,
                     "sensitivity_ci_low": m.sensitivity_ci[0],
                     "sensitivity_ci_high": m.sensitivity_ci[1], "specificity": m.specificity,
                     "specificity_ci_low": m.specificity_ci[0],
                     "specificity_ci_high": m.specificity_ci[1],
                     "published_sensitivity": math.nan if t.sensitivity is None
                     else t.sensitivity,
                     "published_specificity": math.nan if t.specificity is None
                     else t.specificity,
                     "n": len(y), "n_positive": int(y.sum()),
                     "warnings": scanner_warnings(t, field_strengths=fields,
                                                  sequence_families=families)})
    return pd.DataFrame(rows, columns=[
        "key", "source", "target", "threshold", "sensitivity", "sensitivity_ci_low",
        "sensitivity_ci_high", "specificity", "specificity_ci_low", "specificity_ci_high",
        "published_sensitivity", "published_specificity", "n", "n_positive", "warnings"])


def against_meta_analysis(result, *, threshold: float | None = None,
                          pooled: PooledEstimate = META_ANALYSIS) -> pd.DataFrame:
    """The cohort's sensitivity, specificity and AUC beside a meta-analysis' pooled ones.

    Parameters
    ----------
    result : vbq.stats.ROCResult
        The cohort's ROC analysis of VBQ (e.g. ``vbq.study.roc_study(...).results["vbq"]``).
    threshold : float, optional, keyword-only
        Where the cohort's sensitivity and specificity are read; default its Youden cutoff.
    pooled : PooledEstimate, keyword-only
        Default `META_ANALYSIS`.

    Returns
    -------
    DataFrame
        Rows ``sensitivity, specificity, auc``; columns ``measure, cohort, cohort_ci_low,
        cohort_ci_high, pooled, pooled_ci_low, pooled_ci_high`` (Wilson CIs for the cohort's
        proportions, DeLong's for its AUC; the pooled ones as printed).
    """
    m = result.best if threshold is None else result.at(threshold)
    rows = [("sensitivity", m.sensitivity, *m.sensitivity_ci, *pooled.sensitivity),
            ("specificity", m.specificity, *m.specificity_ci, *pooled.specificity),
            ("auc", result.auc, *result.auc_ci, *pooled.auc)]
    return pd.DataFrame(rows, columns=["measure", "cohort", "cohort_ci_low", "cohort_ci_high",
                                       "pooled", "pooled_ci_low", "pooled_ci_high"])
