"""What is in force for an analysis, in words: one line for every page, figure and report.

The analysis pages and the report state, next to every figure and table, the definitions that
produced it (degenerative-group rule, filters, DXA reference standard, VBQ thresholds and where
they came from, n per group), and warn when a derived threshold rests on few patients. The paper's
own results are given as labelled references, never as the current result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import paper
from .cohort import PreparedCohort
from .errors import InputError
from .schema import DIAGNOSES, LEVELS
from .settings import Settings

__all__ = ["InForce", "in_force", "prevalence_against_paper", "PAPER_PREVALENCE",
           "MIN_THRESHOLD_CLASS"]

MIN_THRESHOLD_CLASS = 10
"""Fewest control patients on either side of the DXA classification (positive and negative) behind
a derived VBQ threshold before it is flagged as resting on few patients. A design choice, not a
statistical rule: Youden-optimal cutoffs from small samples vary widely between samples and are
optimistically biased (Leeflang et al., Clin Chem 2008;54:729-37; Ewald, J Clin Epidemiol
2006;59:798-801)."""

PAPER_PREVALENCE: dict[str, tuple[float, float]] = dict(paper.PREVALENCE)
"""Chen et al. 2023 (Results and Abstract): osteoporosis, % of the degenerative and the control
group, by DXA T-score ("reference"), by VBQ at the paper's adjusted thresholds ("test"), and
VBQ-positive among the DXA-negative. The paper reports these for osteoporosis only."""

PAPER_THRESHOLDS_TEXT = (f"VBQ ≥ {paper.PAPER_THRESHOLDS['vbq_osteopenia']} osteopenia, "
                         f"≥ {paper.PAPER_THRESHOLDS['vbq_osteoporosis']} osteoporosis")

_SITES = {
    "lowest": "lowest T-score of L1-L4, femoral neck and total hip",
    "l1_l4": "L1-L4 T-score",
    "femoral_neck": "femoral neck T-score",
    "total_hip": "total hip T-score",
}
_DIAGNOSES = {"stenosis": "spinal stenosis", "disc_herniation": "disc herniation",
              "spondylolisthesis": "degenerative slip", "scoliosis": "degenerative scoliosis"}
_UCLA = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class InForce:
    """What an analysis used, in words (`in_force`).

    Attributes
    ----------
    criteria, filters, reference, thresholds, groups : str
        One clause each: the degenerative-group rule, the patient filters, the DXA reference
        standard, the VBQ thresholds with where they came from, and n per group.
    warnings : tuple of str
        Derived thresholds that rest on few control patients (fewer than `MIN_THRESHOLD_CLASS`
        positive or negative by DXA), and the derivation's own note.
    """

    criteria: str
    filters: str
    reference: str
    thresholds: str
    groups: str
    warnings: tuple[str, ...] = ()

    @property
    def line(self) -> str:
        """The one-line summary: every clause, separated by " · "."""
        return " · ".join((self.groups, self.criteria, self.filters, self.reference,
                           self.thresholds))

    def summary(self) -> str:
        return "\n".join((self.line, *self.warnings))


def in_force(prepared: PreparedCohort) -> InForce:
    """Describe, in words, what produced a prepared cohort's analyses.

    Parameters
    ----------
    prepared : PreparedCohort
        The result of `vbq.prepare_cohort`.

    Returns
    -------
    InForce
        One clause per part and the warnings; ``.line`` joins the clauses in one line.

    Examples
    --------
    >>> import vbq
    >>> prepared = vbq.prepare_cohort(*vbq.demo.load())
    >>> print(vbq.in_force(prepared).groups)
    n = 101 degenerative, 134 control (235 of 235 cohort patients analysed)
    """
    if not isinstance(prepared, PreparedCohort):
        raise InputError(f"prepared: expected a vbq.PreparedCohort, got {type(prepared).__name__}")
    s, th, c = prepared.settings, prepared.thresholds, prepared.counts
    return InForce(
        criteria=_criteria(s),
        filters=_filters(s),
        reference=(f"Reference: DXA {_SITES[s.dxa_site]}, osteoporosis T ≤ {s.osteoporosis_t:g}, "
                   f"osteopenia T < {s.osteopenia_t:g}"),
        thresholds=_thresholds(th),
        groups=(f"n = {c.n_degenerative} degenerative, {c.n_control} control "
                f"({c.n_analysed} of {c.n_cohort} cohort patients analysed)"),
        warnings=_warnings(th),
    )


def criterion_phrases(criteria) -> list[str]:
    """The enabled criteria of a degenerative vertebra in words, one phrase each (the in-force
    line and the report's methods both use them)."""
    parts = []
    if criteria.facet:
        parts.append(f"facet osteoarthritis grade ≥ {criteria.facet_min}")
    if criteria.genant:
        parts.append(f"Genant grade ≥ {criteria.genant_min}")
    if criteria.ucla:
        parts.append(f"UCLA grade ≥ {_UCLA.get(criteria.ucla_min, criteria.ucla_min)}")
    if criteria.osteophyte:
        dirs = ", ".join(criteria.osteophyte_dirs) or "no direction"
        parts.append(f"osteophyte ({dirs}) > {criteria.osteophyte_min_mm:g} mm")
    return parts


def _criteria(s: Settings) -> str:
    cr = s.criteria
    parts = criterion_phrases(cr)
    levels = ("L1-L4" if cr.levels == LEVELS else ", ".join(cr.levels))
    if not parts:
        return "Degenerative: no criterion enabled (everyone is control)"
    return (f"Degenerative: ≥ {cr.min_vertebrae} of {levels} with "
            + (" or ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " or " + parts[-1]))


def _filters(s: Settings) -> str:
    parts = []
    if s.sexes != ("F", "M"):
        parts.append({"F": "women only", "M": "men only"}.get("".join(s.sexes), "nobody by sex"))
    if s.age_min is not None or s.age_max is not None:
        if s.age_max is None:
            parts.append(f"age ≥ {s.age_min:g}")
        elif s.age_min is None:
            parts.append(f"age ≤ {s.age_max:g}")
        else:
            parts.append(f"age {s.age_min:g} to {s.age_max:g}")
    if s.diagnoses != DIAGNOSES:
        parts.append("diagnoses: " + (", ".join(_DIAGNOSES[d] for d in s.diagnoses) or "none"))
    return "Filters: " + ("; ".join(parts) if parts else "none")


def _source(source: str, n_control: int) -> str:
    if source == "control-group Youden":
        return f"derived from the {n_control} control patients (Youden cutoff, rounded)"
    if source == "settings":
        return "set by hand"
    return "the paper's (could not be derived)"


def _thresholds(th) -> str:
    a = _source(th.source_osteopenia, th.n_control)
    b = _source(th.source_osteoporosis, th.n_control)
    values = f"VBQ thresholds: osteopenia ≥ {th.vbq_osteopenia:g}, osteoporosis ≥ {th.vbq_osteoporosis:g}"
    return f"{values}, both {a}" if a == b else f"{values} ({a}; {b})"


def _warnings(th) -> tuple[str, ...]:
    out = []
    for name, label in (("osteopenia", "osteopenia or worse"), ("osteoporosis", "osteoporosis")):
        if getattr(th, f"source_{name}") != "control-group Youden":
            continue
        pos = getattr(th, f"n_control_positive_{name}")
        neg = th.n_control - pos
        if min(pos, neg) < MIN_THRESHOLD_CLASS:
            out.append(
                f"The {name} threshold ({getattr(th, 'vbq_' + name):g}) is derived from "
                f"{th.n_control} control patients, {pos} with and {neg} without {label} by DXA: "
                f"fewer than {MIN_THRESHOLD_CLASS} on one side makes a cutoff unstable. Consider "
                f"the paper's thresholds ({PAPER_THRESHOLDS_TEXT}) or set them by hand.")
    if th.note:
        out.append(f"Threshold derivation: {th.note}.")
    return tuple(out)


def prevalence_against_paper(prevalence: pd.DataFrame, *, target: str = "osteoporosis"
                             ) -> pd.DataFrame:
    """This analysis's prevalences beside the paper's, each labelled with its thresholds.

    Parameters
    ----------
    prevalence : DataFrame
        ``vbq.study.prevalence(table, target=target).to_frame()`` (columns ``measure`` and
        ``percent_degenerative``, ``percent_control``).
    target : {"osteoporosis", "osteopenia_or_worse"}
        The DXA target of `prevalence`. The paper reports osteoporosis only: for another target
        the paper's columns are NaN.

    Returns
    -------
    DataFrame
        One row per measure (``reference``, ``test``, ``test_among_reference_negative``):
        ``measure, degenerative, control`` (this analysis, %) and ``paper_degenerative,
        paper_control`` (Chen et al. 2023, %, thresholds `PAPER_THRESHOLDS_TEXT`).
    """
    if target not in ("osteoporosis", "osteopenia_or_worse"):
        raise InputError(f"target: expected 'osteoporosis' or 'osteopenia_or_worse', got {target!r}")
    rows = []
    for _, r in prevalence.iterrows():
        paper = PAPER_PREVALENCE.get(r["measure"], (np.nan, np.nan)) \
            if target == "osteoporosis" else (np.nan, np.nan)
        rows.append({"measure": r["measure"], "degenerative": r.get("percent_degenerative"),
                     "control": r.get("percent_control"), "paper_degenerative": paper[0],
                     "paper_control": paper[1]})
    return pd.DataFrame(rows, columns=["measure", "degenerative", "control",
                                       "paper_degenerative", "paper_control"])
