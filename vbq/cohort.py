"""From validated tables to the analysis-ready cohort: VBQ, DXA status, degenerative group.

Definitions follow Chen et al. 2023 (Methods) and are configurable through `vbq.Settings`:

* VBQ = median(SI of the non-collapsed L1-L4 bodies) / SI of the CSF (L3, or an adjacent level when
  L3 is obstructed) (Ehresman et al. 2020).
* DXA status by the WHO criteria at the reference site: osteoporosis T <= -2.5, osteopenia
  -2.5 < T < -1, normal T >= -1 (WHO Study Group 1994; Kanis 1994).
* A vertebra is degenerative when it meets any enabled criterion of Table 1; a patient is in the
  degenerative group with at least `min_vertebrae` such vertebrae among the levels considered.

Nothing is dropped silently: every excluded patient, and every vertebra left out of a VBQ median,
is written to the exclusion log with its reason.

The score and the two classifications live in `vbq.score` (re-exported here and as `vbq.*`); the
VBQ thresholds derived from the control group use `vbq.stats`, imported by `vbq_thresholds` when
it first derives one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import io as _io
from .errors import InputError
from .schema import LEVELS
from .score import VBQResult, classify_dxa, classify_vbq, compute_vbq
from .settings import PAPER_THRESHOLDS, GroupCriteria, Settings

__all__ = [
    "PreparedCohort",
    "Counts",
    "Thresholds",
    "prepare_cohort",
    "VBQResult",
    "compute_vbq",
    "classify_dxa",
    "classify_vbq",
    "degeneration_detail",
    "assign_groups",
    "group_arrays",
    "GroupArrays",
    "exclusion_log",
    "EXCLUSION_COLUMNS",
    "cohort_summary",
    "vbq_thresholds",
    "degeneration_summary",
]

EXCLUSION_COLUMNS = ("patient_id", "level", "stage", "reason", "patient_excluded")
"""Columns of the exclusion log returned by `exclusion_log`."""

GROUPS = ("degenerative", "control")
DXA_STATUSES = ("normal", "osteopenia", "osteoporosis")


def _level_cols(stem: str, suffix: str, levels: tuple[str, ...]) -> list[str]:
    return [f"{stem}_{lv.lower()}{suffix}" for lv in levels]


def _criterion(
    table: pd.DataFrame, stem: str, suffix: str, levels: tuple[str, ...], test, *,
    numeric: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(met, known) boolean arrays of shape (n, k) for one criterion; `test` gets the known
    values, as floats when `numeric`, else as objects."""
    cols = _level_cols(stem, suffix, levels)
    n = len(table)
    if not all(c in table.columns for c in cols):
        return np.zeros((n, len(levels)), bool), np.zeros((n, len(levels)), bool)
    vals = table[cols]
    if numeric:  # grades and sizes straight to float: through objects took 0.1 s at 100,000 rows
        x = vals.to_numpy(dtype=float, na_value=np.nan)
        known = ~np.isnan(x)
    else:
        x = vals.to_numpy(dtype=object)
        known = vals.notna().to_numpy()
    met = np.zeros(known.shape, bool)
    met[known] = test(x[known])
    return met, known


def degeneration_detail(
    cohort: pd.DataFrame, criteria: GroupCriteria | None = None, *, rater: str = ""
) -> pd.DataFrame:
    """Which vertebra met which criterion: one row per patient and level.

    Parameters
    ----------
    cohort : DataFrame
        Canonical cohort table (as from `vbq.io.load_cohort`).
    criteria : GroupCriteria, optional
        The rule (default: the paper's Table 1).
    rater : {"", "repeat", "obs2"}, keyword-only
        Whose grades to read: the primary grades, observer 1's repeat or observer 2's.

    Returns
    -------
    DataFrame
        Columns ``patient_id, level, facet, genant, ucla, osteophyte`` (bool or NA: criterion met,
        NA where its grade is missing), ``degenerative`` (True, False or NA when undetermined).
    """
    criteria = criteria or GroupCriteria()
    per = _per_level_matrices(cohort, criteria, rater)
    n, k = len(cohort), len(criteria.levels)
    frame = {
        "patient_id": np.repeat(cohort["patient_id"].to_numpy(), k),
        "level": np.tile(np.array(criteria.levels, dtype=object), n),
    }
    for name, (met, known) in per["criteria"].items():
        col = pd.array(met.ravel(), dtype="boolean")
        col[~known.ravel()] = pd.NA
        frame[name] = col
    deg = pd.array(per["degenerative"].ravel(), dtype="boolean")
    deg[per["unknown"].ravel()] = pd.NA
    frame["degenerative"] = deg
    return pd.DataFrame(frame)


def _per_level_matrices(cohort: pd.DataFrame, criteria: GroupCriteria, rater: str) -> dict:
    suffix = f"_{rater}" if rater else ""
    lv = criteria.levels
    found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if criteria.facet:
        found["facet"] = _criterion(cohort, "facet", suffix, lv, lambda x: x >= criteria.facet_min)
    if criteria.genant:
        found["genant"] = _criterion(cohort, "genant", suffix, lv,
                                     lambda x: x >= criteria.genant_min)
    if criteria.ucla:
        found["ucla"] = _criterion(cohort, "ucla", suffix, lv, lambda x: x >= criteria.ucla_min)
    if criteria.osteophyte:
        d_met, d_known = _criterion(
            cohort, "osteophyte_dir", suffix, lv,
            lambda x: pd.Index(x, dtype=object).isin(criteria.osteophyte_dirs), numeric=False,
        )
        m_met, m_known = _criterion(
            cohort, "osteophyte_mm", suffix, lv, lambda x: x > criteria.osteophyte_min_mm
        )
        met = d_met & m_met
        # known when both are known, or when either alone already rules the criterion out
        known = (d_known & m_known) | (d_known & ~d_met) | (m_known & ~m_met)
        found["osteophyte"] = (met, known)
    n, k = len(cohort), len(lv)
    any_met = np.zeros((n, k), bool)
    all_known_false = np.ones((n, k), bool)
    for met, known in found.values():
        any_met |= met
        all_known_false &= known & ~met
    unknown = ~any_met & ~all_known_false
    return {"criteria": found, "degenerative": any_met, "unknown": unknown}


def assign_groups(
    cohort: pd.DataFrame, criteria: GroupCriteria | None = None, *, rater: str = ""
) -> pd.DataFrame:
    """Degenerative-group assignment per patient.

    Returns
    -------
    DataFrame
        ``patient_id``, ``n_degenerative`` (vertebrae meeting a criterion), ``n_ungradable``
        (levels whose grades cannot decide), ``group`` ("degenerative", "control", or None when
        the ungradable levels could tip the count either way) and ``reason`` (why undetermined).
    """
    n_deg, n_unk, group, reason = group_arrays(cohort, criteria, rater=rater)
    return pd.DataFrame(
        {
            "patient_id": cohort["patient_id"].to_numpy(),
            "n_degenerative": n_deg,
            "n_ungradable": n_unk,
            "group": group,
            "reason": reason.astype(str),  # text, as for the empty table
        }
    )


class GroupArrays(NamedTuple):
    """The degenerative-group assignment as arrays, one entry per row of the cohort
    (`group_arrays`)."""

    n_degenerative: np.ndarray
    """int: vertebrae meeting a criterion."""
    n_ungradable: np.ndarray
    """int: levels whose grades cannot decide."""
    group: np.ndarray
    """object: "degenerative", "control" or None (undetermined)."""
    reason: np.ndarray
    """object: why the group is undetermined; "" where it is determined."""


def group_arrays(
    cohort: pd.DataFrame, criteria: GroupCriteria | None = None, *, rater: str = ""
) -> GroupArrays:
    """`assign_groups` as arrays, without building its table.

    For callers that need the groups of many patients, or of several readings, and no table
    (`prepare_cohort`, `vbq.study.grouping_kappa`): at 100,000 patients building the table three
    times was most of the time of the grouping kappa.

    Parameters
    ----------
    cohort : DataFrame
        Canonical cohort table (as from `vbq.io.load_cohort`).
    criteria : GroupCriteria, optional
        The rule (default: the paper's Table 1).
    rater : {"", "repeat", "obs2"}, keyword-only
        Whose grades to read: the primary grades, observer 1's repeat or observer 2's.

    Returns
    -------
    GroupArrays
        ``n_degenerative``, ``n_ungradable``, ``group``, ``reason``: the columns of
        `assign_groups` but ``patient_id``, in the cohort's row order.
    """
    criteria = criteria or GroupCriteria()
    return _groups_from(_per_level_matrices(cohort, criteria, rater), criteria)


def _groups_from(per: dict, criteria: GroupCriteria) -> GroupArrays:
    """`group_arrays` from the `_per_level_matrices` already made; the reason is written for the
    undetermined patients only (for every patient it was 0.09 s at 100,000)."""
    n_deg = per["degenerative"].sum(axis=1).astype(int)
    n_unk = per["unknown"].sum(axis=1).astype(int)
    m = criteria.min_vertebrae
    group = np.where(n_deg >= m, "degenerative", np.where(n_deg + n_unk < m, "control", None))
    group = group.astype(object)
    reason = np.full(len(group), "", dtype=object)
    undetermined = np.flatnonzero(group == None)  # noqa: E711 - elementwise on an object array
    reason[undetermined] = [
        f"group undetermined: {d} degenerative and {u} ungradable level(s), {m} needed"
        for d, u in zip(n_deg[undetermined].tolist(), n_unk[undetermined].tolist(), strict=True)
    ]
    return GroupArrays(n_deg, n_unk, group, reason)


def _lowest(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    present = [c for c in cols if c in frame.columns]
    if not present:
        return pd.Series(np.nan, index=frame.index)
    return frame[present].astype(float).min(axis=1, skipna=True)


@dataclass(frozen=True)
class Counts:
    """How the rows of the two files reconcile with the analysed table (`PreparedCohort.counts`).

    The cohort first loses its exclusions (each with a reason); the patients left are eligible;
    the settings' filters (sex, age, diagnosis) then choose the subgroup analysed among them. A
    patient outside the subgroup is not an exclusion: they are counted apart.

    Attributes
    ----------
    n_cohort : int
        Rows of the cohort table. ``n_cohort == n_excluded + n_eligible`` and
        ``n_eligible == n_analysed + n_outside_subgroup`` always.
    n_dxa : int
        Rows of the DXA table. ``n_dxa == n_dxa_matched + n_dxa_without_cohort`` always.
    n_excluded : int
        Cohort patients excluded (no DXA row, no VBQ score, group undetermined, no T-score at the
        reference site), each with a reason in the exclusion log.
    n_eligible : int
        Cohort patients not excluded.
    n_outside_subgroup : int
        Eligible patients outside the subgroup the filters choose (not analysed, not excluded;
        listed in the log at the stage "filter" with ``patient_excluded`` False). 0 without
        filters.
    n_analysed : int
        Patients analysed: the eligible patients of the subgroup.
    n_no_dxa : int
        Cohort patients excluded because the DXA file has no row for them (part of `n_excluded`).
    n_dxa_matched : int
        DXA rows whose patient is in the cohort table.
    n_dxa_without_cohort : int
        DXA rows whose patient is not in the cohort table (not analysed; listed in the log with
        ``patient_excluded`` False, since they are not cohort patients).
    n_degenerative, n_control : int
        Analysed patients per group.
    n_levels_left_out : int
        Vertebral levels of cohort patients left out of a VBQ median.
    """

    n_cohort: int
    n_dxa: int
    n_analysed: int
    n_excluded: int
    n_no_dxa: int
    n_dxa_matched: int
    n_dxa_without_cohort: int
    n_degenerative: int
    n_control: int
    n_levels_left_out: int
    n_eligible: int
    n_outside_subgroup: int

    def __post_init__(self) -> None:
        if (self.n_excluded + self.n_eligible != self.n_cohort
                or self.n_analysed + self.n_outside_subgroup != self.n_eligible):
            raise RuntimeError(  # pragma: no cover - invariant
                f"exclusion log does not reconcile with the cohort: {self}")
        if self.n_dxa_matched + self.n_dxa_without_cohort != self.n_dxa:  # pragma: no cover
            raise RuntimeError(f"exclusion log does not reconcile with the DXA file: {self}")

    @property
    def subgroup(self) -> bool:
        """True when the filters leave eligible patients out of the analysis."""
        return self.n_outside_subgroup > 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Thresholds:
    """The VBQ thresholds in force and where each came from (`PreparedCohort.thresholds`).

    Attributes
    ----------
    vbq_osteopenia, vbq_osteoporosis : float
        VBQ at or above which a patient is VBQ-positive for osteopenia-or-worse / osteoporosis.
    source_osteopenia, source_osteoporosis : str
        "settings" (set by hand), "control-group Youden" (derived as the paper did) or
        "paper (fallback)" (the control group could not give a cutoff; see `note`).
    youden_osteopenia, youden_osteoporosis : float
        The unrounded Youden cutoffs; NaN when not derived.
    n_control : int
        Patients of the control group the derivation used (the fewer, the less stable).
    n_control_positive_osteopenia, n_control_positive_osteoporosis : int
        Of those, how many were positive by DXA for each target.
    note : str
        Why a fallback was used, or that the thresholds came out inverted or equal (so VBQ
        classes nobody osteopenic); "" when there is nothing to say.
    """

    vbq_osteopenia: float
    vbq_osteoporosis: float
    source_osteopenia: str
    source_osteoporosis: str
    youden_osteopenia: float = float("nan")
    youden_osteoporosis: float = float("nan")
    n_control: int = 0
    n_control_positive_osteopenia: int = 0
    n_control_positive_osteoporosis: int = 0
    note: str = ""

    def for_target(self, target: str) -> float:
        """The threshold of a DXA target: "osteoporosis" or "osteopenia_or_worse"."""
        if target == "osteoporosis":
            return self.vbq_osteoporosis
        if target == "osteopenia_or_worse":
            return self.vbq_osteopenia
        raise InputError(f"target: expected 'osteoporosis' or 'osteopenia_or_worse', got {target!r}")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class PreparedCohort:
    """The analysis-ready cohort and everything `prepare_cohort` found on the way.

    Attributes
    ----------
    table : DataFrame
        One row per analysed patient: the cohort and DXA columns merged on ``patient_id`` plus
        the derived ``bmd_lowest``, ``t_lowest``, ``vbq``, ``vbq_levels``, ``n_degenerative``,
        ``group`` ("degenerative"/"control"), ``dxa_status`` ("normal"/"osteopenia"/
        "osteoporosis" at the reference site) and ``vbq_status`` (same labels by the VBQ
        thresholds). Its ``attrs`` are empty.
    exclusions : DataFrame
        The exclusion log, columns `EXCLUSION_COLUMNS`: every excluded patient, every DXA row
        without a cohort row and every vertebra left out of a VBQ median, with the reason.
    counts : Counts
        How the input rows reconcile with the analysed table.
    thresholds : Thresholds
        The VBQ thresholds in force and where they came from.
    settings : Settings
        The settings the table was prepared with.
    warnings : tuple of vbq.io.Problem
        Warnings from validating the two tables as given (problems are named by the table
        names "cohort" and "DXA"; the files' own reading warnings are in the reports of
        `vbq.io.read_table`). Empty when called with ``validate=False``.

    A frozen result: share it freely; the frames are not copied on access, so do not modify
    them in place (take ``.copy()`` first).
    """

    table: pd.DataFrame
    exclusions: pd.DataFrame
    counts: Counts
    thresholds: Thresholds
    settings: Settings
    warnings: tuple = field(default=())

    def exclusion_log(self) -> pd.DataFrame:
        """A copy of the exclusion log (columns `EXCLUSION_COLUMNS`)."""
        return self.exclusions.copy()

    def summary(self) -> str:
        c, t = self.counts, self.thresholds
        lines = [
            f"{c.n_cohort} cohort rows = {c.n_excluded} excluded + {c.n_eligible} eligible"
            + (f" ({c.n_analysed} analysed in the subgroup, {c.n_outside_subgroup} outside it)"
               if c.subgroup else f", all analysed ({c.n_analysed})") + "; "
            f"{c.n_dxa} DXA rows = {c.n_dxa_matched} matched + {c.n_dxa_without_cohort} "
            "without a cohort row",
            f"groups: {c.n_degenerative} degenerative, {c.n_control} control",
            f"VBQ thresholds: osteopenia {t.vbq_osteopenia:g} ({t.source_osteopenia}), "
            f"osteoporosis {t.vbq_osteoporosis:g} ({t.source_osteoporosis})",
        ]
        if t.note:
            lines.append(f"note: {t.note}")
        return "\n".join(lines)


class _Log:
    """The exclusion log while `prepare_cohort` builds it: one chunk of rows per call, so that a
    filter excluding tens of thousands of patients adds columns, not a dict per patient."""

    def __init__(self) -> None:
        self.chunks: list[tuple[list, str, str, list, bool]] = []

    def exclude(self, ids, stage: str, reasons, level: str = "", *, patient: bool = True) -> None:
        ids = list(ids)
        if isinstance(reasons, str):
            reasons = [reasons] * len(ids)
        reasons = list(reasons)
        if len(reasons) != len(ids):  # pragma: no cover - a programming error
            raise ValueError(f"{len(ids)} patient(s) but {len(reasons)} reason(s)")
        if ids:
            self.chunks.append((ids, level, stage, reasons, patient))

    def count(self, *, patient: bool, stage: str | None = None) -> int:
        return sum(len(ids) for ids, _, st, _, pat in self.chunks
                   if pat == patient and (stage is None or st == stage))

    def frame(self) -> pd.DataFrame:
        columns = {c: [] for c in EXCLUSION_COLUMNS}
        for ids, level, stage, reasons, patient in self.chunks:
            columns["patient_id"] += ids
            columns["level"] += [level] * len(ids)
            columns["stage"] += [stage] * len(ids)
            columns["reason"] += reasons
            columns["patient_excluded"] += [patient] * len(ids)
        if not columns["patient_id"]:
            return pd.DataFrame([], columns=list(EXCLUSION_COLUMNS))
        return pd.DataFrame(columns, columns=list(EXCLUSION_COLUMNS))


def _merge(cohort: pd.DataFrame, dxa: pd.DataFrame, log: _Log) -> pd.DataFrame:
    """Cohort rows with their DXA row; cohort rows without one and DXA rows without a cohort
    row go to the log."""
    # As object arrays: the IDs of a table built with pandas' string dtype (pyarrow) are iterated
    # one scalar at a time by `isin` and `set` (0.74 s at 100,000 rows, against 0.03 s).
    cid = cohort["patient_id"].to_numpy(dtype=object)
    did = dxa["patient_id"].to_numpy(dtype=object)
    no_dxa = ~pd.Index(cid, dtype=object).isin(did)
    log.exclude(cid[no_dxa].tolist(), "merge", "no row for this patient_id in the DXA file")
    orphans = sorted(set(did.tolist()) - set(cid.tolist()))
    log.exclude(orphans, "merge", "row of the DXA file with no patient in the cohort file "
                "(not a cohort patient: not counted among the cohort rows)", patient=False)
    table = cohort.loc[~no_dxa].merge(dxa, on="patient_id", how="left", validate="one_to_one")
    table["bmd_lowest"] = _lowest(table, ["bmd_l1_l4", "bmd_femoral_neck", "bmd_total_hip"])
    table["t_lowest"] = _lowest(table, ["t_l1_l4", "t_femoral_neck", "t_total_hip"])
    return table


def _outside_subgroup(table: pd.DataFrame, settings: Settings, log: _Log,
                      eligible: np.ndarray) -> np.ndarray:
    """The rows outside the subgroup the settings' filters (sex, age range, primary diagnosis)
    choose. Eligible ones are logged at the stage "filter", not as exclusions (a subgroup is not
    an exclusion); each under the first filter that leaves them out."""
    keep = pd.Series(True, index=table.index)
    eligible = pd.Series(eligible, index=table.index)

    def leave_out(bad: pd.Series, reason: str) -> None:
        nonlocal keep
        log.exclude(table.loc[bad & keep & eligible, "patient_id"].tolist(), "filter", reason,
                    patient=False)
        keep &= ~bad

    if set(settings.sexes) != {"F", "M"}:
        leave_out(~table["sex"].isin(settings.sexes),
                  {("F",): "male (women only analysed)", ("M",): "female (men only analysed)"
                   }.get(tuple(settings.sexes), "sex not selected"))
    if settings.age_min is not None or settings.age_max is not None:
        age = table["age"].astype(float)
        leave_out(age.isna(), "age missing (an age range is analysed)")
        if settings.age_min is not None:
            leave_out(age < settings.age_min, f"younger than {settings.age_min:g}")
        if settings.age_max is not None:
            leave_out(age > settings.age_max, f"older than {settings.age_max:g}")
    if "diagnosis" in table.columns and len(settings.diagnoses) < 4:
        leave_out(~table["diagnosis"].isin(settings.diagnoses), "primary diagnosis not selected")
    return ~keep.to_numpy(dtype=bool)


def _score(table: pd.DataFrame, settings: Settings, log: _Log) -> np.ndarray:
    """Add ``vbq``, ``vbq_levels``, ``n_degenerative``, ``group`` and ``dxa_status``; log levels
    left out and patients without a VBQ, a group or a T-score. Returns the rows to drop."""
    si = table[[f"si_{lv.lower()}" for lv in LEVELS]].to_numpy(dtype=float)
    collapsed = np.zeros(si.shape, bool)
    for j, lv in enumerate(LEVELS):
        c = f"collapsed_{lv.lower()}"
        if c in table.columns:
            collapsed[:, j] = table[c].fillna(False).to_numpy(dtype=bool)
    res = compute_vbq(si, table["si_csf"].to_numpy(dtype=float), collapsed,
                      min_levels=settings.min_vbq_levels)
    table["vbq"] = res.vbq
    table["vbq_levels"] = res.n_levels
    ids = table["patient_id"].to_numpy()
    for row, level, why in res.level_notes:
        log.exclude([ids[row]], "vbq", why, level, patient=False)
    no_vbq = np.isnan(res.vbq)
    log.exclude(ids[no_vbq].tolist(), "vbq", [res.reasons[i] for i in np.flatnonzero(no_vbq)])

    n_deg, _, group, reason = group_arrays(table, settings.criteria)
    table["n_degenerative"] = n_deg
    table["group"] = group
    undetermined = (group == None) & ~no_vbq  # noqa: E711 - elementwise on an object array
    log.exclude(ids[undetermined].tolist(), "group", reason[undetermined].tolist())

    t = table[settings.t_column].astype(float).to_numpy()
    table["dxa_status"] = classify_dxa(t, osteoporosis_t=settings.osteoporosis_t,
                                       osteopenia_t=settings.osteopenia_t)
    no_t = np.isnan(t) & ~no_vbq & ~undetermined
    log.exclude(ids[no_t].tolist(), "dxa", f"no T-score at the reference site ({settings.dxa_site})")
    return no_vbq | undetermined | no_t


_LEAD = ("patient_id", "age", "sex", "group", "vbq", "hu_l1", "bmd_l1_l4", "t_l1_l4", "t_lowest",
         "dxa_status", "vbq_status", "n_degenerative", "vbq_levels")


def prepare_cohort(cohort: pd.DataFrame, dxa: pd.DataFrame, settings: Settings | None = None,
                   *, validate: bool = True) -> PreparedCohort:
    """The analysis-ready cohort under `settings`, with its exclusion log, counts and thresholds.

    The jobs, in order: validate both tables (`vbq.io.coerce_cohort` / `coerce_dxa`); merge them
    on ``patient_id``; apply the filters; score VBQ, assign the degenerative group and the DXA
    status; derive or take the VBQ thresholds (`vbq_thresholds`) and classify by them. Every
    patient left out at any step, and every vertebra left out of a VBQ median, is logged.

    Parameters
    ----------
    cohort, dxa : DataFrame
        Cohort and DXA tables, canonical (from `vbq.io.load_cohort` / `load_dxa`) or raw with
        recognisable headers; they are validated the same way as files are.
    settings : Settings, optional
        Criteria, thresholds and filters; default the paper's (`vbq.PAPER_SETTINGS`).
    validate : bool, keyword-only
        False skips validation: only for canonical tables returned without errors by `vbq.io`
        (the app validates once per upload and prepares again on every change of settings).

    Returns
    -------
    PreparedCohort
        ``table``, ``exclusions``, ``counts``, ``thresholds``, ``settings``, ``warnings``.

    Raises
    ------
    InputError
        When either table has errors (missing required columns, unparseable values, duplicates).

    Examples
    --------
    >>> import vbq
    >>> cohort, dxa = vbq.demo.load()
    >>> prepared = vbq.prepare_cohort(cohort, dxa)
    >>> prepared.table["group"].value_counts().to_dict()
    {'control': 134, 'degenerative': 101}
    >>> prepared.counts.n_cohort == prepared.counts.n_analysed + prepared.counts.n_excluded
    True
    """
    settings = settings or Settings()
    if not isinstance(settings, Settings):
        raise InputError(f"settings: expected vbq.Settings, got {type(settings).__name__}")
    warnings: tuple = ()
    if validate:
        cohort, creport = _io.coerce_cohort(cohort, source="cohort")
        dxa, dreport = _io.coerce_dxa(dxa, source="DXA")
        for report in (creport, dreport):
            report.raise_if_errors()
        warnings = tuple(creport.warnings + dreport.warnings)
    else:
        for name, frame in (("cohort", cohort), ("dxa", dxa)):
            if not isinstance(frame, pd.DataFrame) or "patient_id" not in frame.columns:
                raise InputError(f"{name}: expected a canonical table from vbq.io "
                                 "(validate=False), with a patient_id column")

    log = _Log()
    table = _merge(cohort, dxa, log)
    # exclusions first, on every cohort patient; then the subgroup among those left
    dropped = _score(table, settings, log)
    outside = _outside_subgroup(table, settings, log, ~dropped)
    n_outside = int((outside & ~dropped).sum())
    table = table.loc[~dropped & ~outside].reset_index(drop=True)
    thresholds = vbq_thresholds(table, settings)
    table["vbq_status"] = classify_vbq(table["vbq"], osteopenia=thresholds.vbq_osteopenia,
                                       osteoporosis=thresholds.vbq_osteoporosis)
    lead = [c for c in _LEAD if c in table.columns]  # optional ones (hu_l1) may be absent
    table = table[lead + [c for c in table.columns if c not in lead]]

    n_orphans = log.count(patient=False, stage="merge")
    counts = Counts(
        n_cohort=len(cohort),
        n_dxa=len(dxa),
        n_analysed=len(table),
        n_excluded=log.count(patient=True),
        n_no_dxa=log.count(patient=True, stage="merge"),
        n_dxa_matched=len(dxa) - n_orphans,
        n_dxa_without_cohort=n_orphans,
        n_degenerative=int((table["group"] == "degenerative").sum()),
        n_control=int((table["group"] == "control").sum()),
        n_levels_left_out=log.count(patient=False, stage="vbq"),
        n_eligible=len(cohort) - log.count(patient=True),
        n_outside_subgroup=n_outside,
    )
    return PreparedCohort(table=table, exclusions=log.frame(), counts=counts,
                          thresholds=thresholds, settings=settings, warnings=warnings)


def vbq_thresholds(table: pd.DataFrame, settings: Settings | None = None) -> Thresholds:
    """The VBQ thresholds in force: the settings' values, or those derived as the paper did.

    A threshold left as None in `settings` is the Youden-optimal cutoff of VBQ (higher is
    positive) in the control group for the DXA target (osteopenia-or-worse; osteoporosis), rounded
    up to ``settings.threshold_decimals`` (`vbq.stats.round_cutoff`: VBQ is positive when high,
    so up is its more specific side, as the paper's 2.83 -> 2.9). When the control group
    cannot give one (no patient, or only one DXA class), the paper's published value is used and
    the reason recorded.

    Parameters
    ----------
    table : DataFrame
        Rows with ``group``, ``vbq`` and ``dxa_status`` (as made inside `prepare_cohort`).
    settings : Settings, optional

    Returns
    -------
    Thresholds
    """
    # The ROC analysis is imported here, on the first derivation, and only here: it brings
    # vbq.stats with scipy, statsmodels and scikit-learn (over a second), which nothing else in
    # this module needs; `import vbq`, the readers and the demo, which import this module for its
    # tables and groups, stay at the cost of pandas.
    from .stats import roc_analysis, round_cutoff

    settings = settings or Settings()
    out: dict = {}
    notes = []
    control = table[table["group"] == "control"]
    out["n_control"] = len(control)
    for name, positive in (("osteopenia", ("osteopenia", "osteoporosis")),
                           ("osteoporosis", ("osteoporosis",))):
        key = f"vbq_{name}"
        fixed = getattr(settings, key)
        y = control["dxa_status"].isin(positive).to_numpy()
        out[f"n_control_positive_{name}"] = int(y.sum())
        out[f"youden_{name}"] = float("nan")
        if fixed is not None:
            out[key], out[f"source_{name}"] = float(fixed), "settings"
            continue
        if len(y) == 0 or y.all() or not y.any():
            out[key], out[f"source_{name}"] = PAPER_THRESHOLDS[key], "paper (fallback)"
            notes.append(f"{name}: the control group has {int(y.sum())} positive and "
                         f"{int((~y).sum())} negative patient(s), so no cutoff can be derived")
            continue
        res = roc_analysis(y, control["vbq"].to_numpy(dtype=float), higher_is_positive=True)
        if not np.isfinite(res.cutoff):
            out[key], out[f"source_{name}"] = PAPER_THRESHOLDS[key], "paper (fallback)"
            notes.append(f"{name}: no finite Youden cutoff in the control group")
            continue
        out[f"youden_{name}"] = float(res.cutoff)
        out[key] = round_cutoff(res.cutoff, decimals=settings.threshold_decimals,
                                higher_is_positive=True)
        out[f"source_{name}"] = "control-group Youden"
    if out["vbq_osteopenia"] > out["vbq_osteoporosis"]:
        notes.append(f"the osteopenia threshold ({out['vbq_osteopenia']:g}) came out above the "
                     f"osteoporosis threshold ({out['vbq_osteoporosis']:g}); it is lowered to "
                     "it, so no patient is classed osteopenic by VBQ")
        out["vbq_osteopenia"] = out["vbq_osteoporosis"]
    elif out["vbq_osteopenia"] == out["vbq_osteoporosis"]:
        notes.append(f"the osteopenia and osteoporosis thresholds coincide "
                     f"({out['vbq_osteoporosis']:g}), so no patient is classed osteopenic by VBQ")
    return Thresholds(note="; ".join(notes), **out)


def exclusion_log(prepared: PreparedCohort) -> pd.DataFrame:
    """The exclusion log of a prepared cohort as a DataFrame (columns `EXCLUSION_COLUMNS`).

    Raises
    ------
    InputError
        `prepared` is not a `PreparedCohort`.
    """
    if not isinstance(prepared, PreparedCohort):
        raise InputError("prepared: expected a vbq.PreparedCohort (from vbq.prepare_cohort), "
                         f"got {type(prepared).__name__}")
    return prepared.exclusion_log()


def cohort_summary(table: pd.DataFrame, *, between: str = "group") -> pd.DataFrame:
    """Descriptive overview of a prepared table, per group and overall.

    Returns
    -------
    DataFrame
        One row per group ("all" last) with ``n``, ``female_n``, ``female_percent``, ``age_mean``,
        ``age_sd``, ``vbq_mean``, ``vbq_sd`` and the count of each DXA status (``dxa_normal``,
        ``dxa_osteopenia``, ``dxa_osteoporosis``). Sample SDs (ddof = 1); NaN for n < 2.
    """
    rows = []
    # only the columns summarised: taking each group's rows of the whole prepared table (over
    # 100 columns) was nearly all of the time (0.24 s at 100,000 patients)
    narrow = table[list(dict.fromkeys([between, "sex", "age", "vbq", "dxa_status"]))]
    parts = [(g, narrow[narrow[between] == g]) for g in GROUPS if (narrow[between] == g).any()]
    parts.append(("all", narrow))
    for name, part in parts:
        n = len(part)
        female = int((part["sex"] == "F").sum())
        row = {
            "group": name,
            "n": n,
            "female_n": female,
            "female_percent": 100.0 * female / n if n else np.nan,
            "age_mean": part["age"].mean(),
            "age_sd": part["age"].std(ddof=1),
            "vbq_mean": part["vbq"].mean(),
            "vbq_sd": part["vbq"].std(ddof=1),
        }
        for status in DXA_STATUSES:
            row[f"dxa_{status}"] = int((part["dxa_status"] == status).sum())
        rows.append(row)
    return pd.DataFrame(rows)


_CRITERION_LABELS = {"facet": "facet", "genant": "Genant", "ucla": "UCLA", "osteophyte": "osteophyte"}


def degeneration_summary(
    cohort: pd.DataFrame, criteria: GroupCriteria | None = None, *, rater: str = ""
) -> pd.DataFrame:
    """Wide view of `degeneration_detail`: one row per patient, one column per level.

    Returns
    -------
    DataFrame
        ``patient_id``, ``group`` (as `assign_groups`), ``n_degenerative``, ``n_ungradable`` and a
        column per level considered listing the criteria met there ("facet + UCLA"), "" when none,
        "ungradable" when its grades cannot decide.
    """
    criteria = criteria or GroupCriteria()
    # from the per-level matrices directly: the long per-level table of `degeneration_detail`
    # (400,000 rows for 100,000 patients) and a second pass for the groups took 0.26 s
    per = _per_level_matrices(cohort, criteria, rater)
    n_deg, n_unk, group, _ = _groups_from(per, criteria)
    names = [c for c in _CRITERION_LABELS if c in per["criteria"]]
    k = len(criteria.levels)
    # each level's combination of criteria as a bit code, its text written once per code (row
    # by row, the join took 1.8 s for 100,000 patients)
    code = np.zeros((len(cohort), k), dtype=np.int64)
    for j, c in enumerate(names):
        code |= per["criteria"][c][0].astype(np.int64) << j
    texts = np.array([" + ".join(_CRITERION_LABELS[c] for j, c in enumerate(names) if b >> j & 1)
                      for b in range(1 << len(names))], dtype=object)
    grid = texts[code]
    grid[per["unknown"]] = "ungradable"
    out = pd.DataFrame({"patient_id": cohort["patient_id"].to_numpy(), "group": group,
                        "n_degenerative": n_deg, "n_ungradable": n_unk})
    for j, level in enumerate(criteria.levels):
        out[level] = grid[:, j]
    return out
