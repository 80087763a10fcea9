"""What is in force for an analysis, in words: one line for every page, figure and report.

The analysis pages and the report state, next to every figure and table, the definitions that
produced it (degenerative-group rule, filters, DXA reference standard, VBQ thresholds and where
they came from, n per group), and warn when a derived threshold rests on few patients. The paper's
own results are given as labelled references, never as the current result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import paper
from .cohort import PreparedCohort
from .errors import InputError
from .schema import DIAGNOSES, LEVELS, SEQUENCE_FAMILIES, sequence_family
from .settings import Settings

__all__ = ["InForce", "in_force", "MeasurementsInUse", "measurements_in_use", "subgroup_text",
           "field_strength_clause",
           "reconciliation",
           "prevalence_against_paper", "PAPER_PREVALENCE", "MIN_THRESHOLD_CLASS"]

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
    measurements : str
        The MRI measurements whose SIs replaced the cohort file's (`MeasurementsInUse.short`);
        "" when the cohort file's SIs are used.
    field_strength : str
        The MRI field strengths of the patients analysed (`field_strength_clause`), saying
        when there is more than one; "" when none is recorded.
    """

    criteria: str
    filters: str
    reference: str
    thresholds: str
    groups: str
    warnings: tuple[str, ...] = ()
    measurements: str = ""
    field_strength: str = ""

    @property
    def line(self) -> str:
        """The one-line summary: every clause, separated by " · "."""
        return " · ".join(c for c in (self.groups, self.measurements, self.field_strength,
                                      self.criteria, self.filters, self.reference,
                                      self.thresholds) if c)

    def summary(self) -> str:
        return "\n".join((self.line, *self.warnings))


@dataclass(frozen=True)
class MeasurementsInUse:
    """Which MRI measurements replaced the cohort's signal intensities (`measurements_in_use`).

    Attributes
    ----------
    source : str
        Where the readings came from, in words ("the app's measurement database", a file name).
    observer : str or None
        The observer whose readings are used; None: every observer's, averaged.
    session : int or None
        The session used; None: every session, averaged.
    combine : str
        "primary" (one observer's one session, the primary reading) or "mean" (readings averaged
        level by level).
    n_patients : int
        Cohort patients whose SIs came from the measurements.
    n_readings : int
        ROI readings behind them (one per vertebra or CSF ROI, observer and session).
    n_replaced : int
        Of `n_patients`, those whose spreadsheet SIs were different and were replaced.
    n_not_in_cohort : int
        Measured patients with no cohort row (not analysed).
    series : tuple of (str, int)
        Kinds of MRI series measured, in words (field strength, sequence, TR/TE/TI where
        recorded), with the number of patients measured on each; ``()`` when not recorded.
    rules : str
        How the readings were combined into one SI per level and patient, in plain words
        (`vbq.measurements.CohortMerge.rules`: the primary reading or the mean, and what was
        done with readings from flagged series); ``""`` when not known.
    field_strengths : tuple of float
        The distinct field strengths (T) the readings in use recorded, ascending.
    manufacturers : tuple of str
        The distinct scanner manufacturers they recorded (compared without regard to case).
    sequence_families : tuple of str
        The kinds of sequence they recorded (`vbq.schema.sequence_family`), sorted.
    """

    source: str
    observer: str | None
    session: int | None
    combine: str
    n_patients: int
    n_readings: int
    n_replaced: int
    n_not_in_cohort: int
    series: tuple[tuple[str, int], ...] = ()
    rules: str = ""
    field_strengths: tuple[float, ...] = ()
    manufacturers: tuple[str, ...] = ()
    sequence_families: tuple[str, ...] = ()

    @property
    def mixed(self) -> bool:
        """Whether the readings in use come from more than one field strength or more than
        one manufacturer's scanner (VBQ depends on both)."""
        return len(self.field_strengths) > 1 or len(self.manufacturers) > 1

    @property
    def mixed_text(self) -> str:
        """The mix in words ("1.5 T and 3 T; ACME and Other"); "" when not mixed."""
        if not self.mixed:
            return ""
        parts = []
        if len(self.field_strengths) > 1:
            parts.append(_and([f"{t:g} T" for t in self.field_strengths]))
        if len(self.manufacturers) > 1:
            parts.append(_and(list(self.manufacturers)))
        return "; ".join(parts)

    @property
    def choice(self) -> str:
        """Observer and session in words: "observer AB, session 1", "all observers, all
        sessions (averaged)"."""
        who = "all observers" if self.observer is None else f"observer {self.observer}"
        when = "all sessions" if self.session is None else f"session {self.session}"
        averaged = self.combine == "mean" or self.observer is None or self.session is None
        return f"{who}, {when}" + (" (averaged)" if averaged else "")

    @property
    def series_text(self) -> str:
        """The kinds of series measured: "1.5 T, TR 500 ms, TE 10 ms (12 patients)"."""
        if not self.series:
            return "series not recorded"
        return "; ".join(f"{kind} ({n} patient{'s' if n != 1 else ''})"
                         for kind, n in self.series)

    @property
    def short(self) -> str:
        """One clause for the in-force line; it says so when the readings come from more than
        one field strength or manufacturer."""
        mixed = (f"; readings from more than one scanner: {self.mixed_text}" if self.mixed
                 else "")
        return (f"SIs: MRI measurements for {self.n_patients} patient(s) ({self.choice}; "
                f"{self.series_text}{mixed}), the cohort file's for the others")

    def text(self) -> str:
        """The measurements in use in full sentences (the report, the flow diagram)."""
        out = (f"MRI measurements in use: {self.n_readings} ROI readings from {self.source}, "
               f"{self.choice}. Their signal intensities replace the cohort file's for "
               f"{self.n_patients} cohort patient(s)"
               + (f" ({self.n_replaced} of whom had different values in the file)"
                  if self.n_replaced else "")
               + f"; the others keep the cohort file's. Series measured: {self.series_text}.")
        if self.mixed:
            out += (f" The readings come from more than one scanner ({self.mixed_text}); VBQ "
                    "differs between field strengths and manufacturers.")
        if self.n_not_in_cohort:
            out += (f" {self.n_not_in_cohort} measured patient(s) with no cohort row are not "
                    "analysed.")
        if self.rules:
            out += " " + self.rules
        return out


_SERIES_PARTS = (("field_strength_t", "{:g} T"), ("manufacturer", "{}"),
                 ("sequence", "{}"), ("tr_ms", "TR {:g} ms"), ("te_ms", "TE {:g} ms"),
                 ("ti_ms", "TI {:g} ms"))
"""Columns of a reading that describe its series, and how each is written (``sequence``: the
kind of sequence in words, from the stored ``scanning_sequence``)."""


def _with_sequence_words(readings: pd.DataFrame) -> pd.DataFrame:
    if "scanning_sequence" not in readings.columns or "sequence" in readings.columns:
        return readings
    family = readings["scanning_sequence"].map(sequence_family)
    return readings.assign(sequence=family.map(
        lambda f: SEQUENCE_FAMILIES[f] if f else None).astype(object))


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _distinct_scanners(readings: pd.DataFrame) -> tuple[tuple[float, ...], tuple[str, ...]]:
    """The distinct field strengths (ascending) and manufacturers (first spelling of each,
    compared without regard to case) the readings recorded."""
    strengths: tuple[float, ...] = ()
    makers: dict[str, str] = {}
    if "field_strength_t" in readings.columns:
        values = pd.to_numeric(readings["field_strength_t"], errors="coerce").dropna()
        strengths = tuple(sorted({round(float(v), 3) for v in values}))
    if "manufacturer" in readings.columns:
        for v in readings["manufacturer"].dropna():
            if str(v).strip():
                makers.setdefault(str(v).strip().casefold(), str(v).strip())
    return strengths, tuple(makers.values())


def _series_kinds(readings: pd.DataFrame) -> tuple[tuple[str, int], ...]:
    """(kind in words, patients) of the series the readings were measured on, most patients
    first; () when no reading records its series."""
    readings = _with_sequence_words(readings)
    cols = [(c, f) for c, f in _SERIES_PARTS if c in readings.columns]
    if not cols or readings.empty or readings[[c for c, _ in cols]].isna().all().all():
        return ()

    def kind(row) -> str:
        words = [f.format(row[c]) for c, f in cols if not pd.isna(row[c]) and str(row[c]) != ""]
        return ", ".join(words) or "not recorded"

    kinds = readings.assign(_kind=readings.apply(kind, axis=1))
    per = kinds.groupby("_kind")["patient_id"].nunique()
    return tuple(sorted(((str(k), int(n)) for k, n in per.items()), key=lambda kv: (-kv[1], kv[0])))


def measurements_in_use(merge: Any, readings: pd.DataFrame, *,
                        source: str = "the app's measurement database") -> MeasurementsInUse:
    """Describe the MRI measurements a cohort's SIs came from, as data for the pages, the
    report and its flow diagram.

    Parameters
    ----------
    merge : vbq.measurements.CohortMerge
        The merge that put the measured SIs into the cohort (``measured``, ``replaced``,
        ``not_in_cohort``, ``observer``, ``session``, ``combine``).
    readings : DataFrame
        The ROI readings the merge drew from (`vbq.measurements.MeasurementStore.load`, or a
        measurements file): ``patient_id``, ``observer``, ``session`` and, where recorded,
        ``field_strength_t``, ``tr_ms``, ``te_ms`` (and ``manufacturer``,
        ``scanning_sequence``, ``ti_ms``).
    source : str, keyword-only
        Where the readings came from, in words.

    Returns
    -------
    MeasurementsInUse
    """
    frame = pd.DataFrame(readings)
    measured = [str(p) for p in merge.measured]
    used = frame[frame["patient_id"].astype(str).isin(measured)] if len(frame) else frame
    observer = _one(merge.observer)
    session = _one(merge.session)
    if len(used) and observer is not None and "observer" in used.columns:
        used = used[used["observer"].astype(str) == str(observer)]
    if len(used) and session is not None and "session" in used.columns:
        used = used[used["session"].astype(int) == int(session)]
    strengths, makers = _distinct_scanners(used) if len(used) else ((), ())
    families = (tuple(sorted({f for f in used["scanning_sequence"].map(sequence_family) if f}))
                if len(used) and "scanning_sequence" in used.columns else ())
    return MeasurementsInUse(
        source=source, observer=None if observer is None else str(observer),
        session=None if session is None else int(session), combine=str(merge.combine),
        n_patients=len(measured), n_readings=len(used), n_replaced=len(merge.replaced),
        n_not_in_cohort=len(merge.not_in_cohort), series=_series_kinds(used),
        rules=_rules(merge), field_strengths=strengths, manufacturers=makers,
        sequence_families=families)


def _rules(merge: Any) -> str:
    """The merge's rules in words, when it states them (a `CohortMerge` does; a description
    built from readings alone does not)."""
    rules = getattr(merge, "rules", "")
    return str(rules() if callable(rules) else rules or "")


def _one(value: Any) -> Any:
    """A choice of observer or session as one value, or None for "all" (a sequence of several
    counts as all)."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, Sequence):
        return value[0] if len(value) == 1 else None
    return value


def subgroup_text(settings: Settings) -> str:
    """The subgroup the settings' filters choose, in words ("women only; age ≥ 60"); "" when
    there are no filters (every eligible patient is analysed)."""
    return "; ".join(_filter_parts(settings))


def reconciliation(prepared: PreparedCohort) -> str:
    """How the rows of both files reconcile with the patients analysed, in words: the cohort,
    its exclusions, the eligible, the subgroup the filters choose (when they leave patients
    out), and the DXA file's rows."""
    if not isinstance(prepared, PreparedCohort):
        raise InputError(f"prepared: expected a vbq.PreparedCohort, got {type(prepared).__name__}")
    c = prepared.counts
    text = (f"Cohort file: {c.n_cohort} rows = {c.n_excluded} excluded ({c.n_no_dxa} of them "
            f"with no row in the DXA file) + {c.n_eligible} eligible")
    if c.subgroup:
        text += (f"; of the eligible, {c.n_analysed} are in the subgroup analysed "
                 f"({subgroup_text(prepared.settings)}) and {c.n_outside_subgroup} outside it "
                 "(not analysed, not excluded)")
    else:
        text += ", all analysed"
    return (text + f". DXA file: {c.n_dxa} rows = {c.n_dxa_matched} matched to a cohort "
            f"patient + {c.n_dxa_without_cohort} with no patient in the cohort file. "
            f"{c.n_levels_left_out} vertebral level(s) left out of a VBQ median.")


def in_force(prepared: PreparedCohort, *,
             measurements: MeasurementsInUse | None = None) -> InForce:
    """Describe, in words, what produced a prepared cohort's analyses.

    Parameters
    ----------
    prepared : PreparedCohort
        The result of `vbq.prepare_cohort`.
    measurements : MeasurementsInUse, optional, keyword-only
        The MRI measurements whose SIs replaced the cohort file's (`measurements_in_use`);
        named in the line when given.

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
    if measurements is not None and not isinstance(measurements, MeasurementsInUse):
        raise InputError("measurements: expected a vbq.describe.MeasurementsInUse, got "
                         f"{type(measurements).__name__}")
    s, th, c = prepared.settings, prepared.thresholds, prepared.counts
    return InForce(
        criteria=_criteria(s),
        filters=_filters(s),
        reference=(f"Reference: DXA {_SITES[s.dxa_site]}, osteoporosis T ≤ {s.osteoporosis_t:g}, "
                   f"osteopenia T < {s.osteopenia_t:g}"),
        thresholds=_thresholds(th),
        groups=_groups(c, s),
        warnings=_warnings(th),
        measurements=measurements.short if measurements is not None else "",
        field_strength=field_strength_clause(prepared.table),
    )


def field_strength_clause(table: pd.DataFrame) -> str:
    """The MRI field strengths of the patients in `table` in words, for the in-force line.

    Parameters
    ----------
    table : DataFrame
        The analysis table (`PreparedCohort.table`), with ``field_strength_t`` where recorded.

    Returns
    -------
    str
        "" when no patient has a field strength recorded; "Field strength: 3 T" when all
        recorded ones agree; with more than one, "Field strength: more than one (1.5 T 90,
        3 T 145 patients; VBQ can differ between them: see the analyses by field strength)".
        Patients without one are counted as "not recorded".
    """
    if "field_strength_t" not in table.columns or not len(table):
        return ""
    field = pd.to_numeric(table["field_strength_t"], errors="coerce")
    if field.isna().all():
        return ""
    counts = field.round(3).value_counts().sort_index()
    missing = int(field.isna().sum())
    tail = f", not recorded {missing}" if missing else ""
    if len(counts) == 1:
        return f"Field strength: {counts.index[0]:g} T" + (
            f" ({missing} patient(s) not recorded)" if missing else "")
    parts = ", ".join(f"{t:g} T {n}" for t, n in counts.items())
    return (f"Field strength: more than one ({parts}{tail} patients; VBQ can differ between "
            "them: see the analyses by field strength)")


def _groups(c, s: Settings) -> str:
    head = f"n = {c.n_degenerative} degenerative, {c.n_control} control"
    if not c.subgroup:
        return f"{head} ({c.n_analysed} of {c.n_cohort} cohort patients analysed)"
    return (f"{head} (subgroup {subgroup_text(s)}: {c.n_analysed} of {c.n_eligible} eligible "
            f"patients; {c.n_excluded} of {c.n_cohort} cohort patients excluded)")


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


def _filter_parts(s: Settings) -> list[str]:
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
    return parts


def _filters(s: Settings) -> str:
    parts = _filter_parts(s)
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
