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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import io as _io
from ._attrs import FrozenDict, frozen_records
from .errors import InputError
from .schema import LEVELS
from .settings import GroupCriteria, Settings

__all__ = [
    "VBQResult",
    "compute_vbq",
    "classify_dxa",
    "classify_vbq",
    "degeneration_detail",
    "assign_groups",
    "prepare",
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
    t_score: np.ndarray | pd.Series, *, osteoporosis_t: float = -2.5, osteopenia_t: float = -1.0
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
    vbq: np.ndarray | pd.Series, *, osteopenia: float = 2.6, osteoporosis: float = 2.9
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


def _level_cols(stem: str, suffix: str, levels: tuple[str, ...]) -> list[str]:
    return [f"{stem}_{lv.lower()}{suffix}" for lv in levels]


def _criterion(
    table: pd.DataFrame, stem: str, suffix: str, levels: tuple[str, ...], test
) -> tuple[np.ndarray, np.ndarray]:
    """(met, known) boolean arrays of shape (n, k) for one criterion."""
    cols = _level_cols(stem, suffix, levels)
    n = len(table)
    if not all(c in table.columns for c in cols):
        return np.zeros((n, len(levels)), bool), np.zeros((n, len(levels)), bool)
    vals = table[cols]
    known = vals.notna().to_numpy()
    met = np.zeros(known.shape, bool)
    met[known] = test(vals.to_numpy(dtype=object)[known])
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

    def num(x):
        return x.astype(float)

    if criteria.facet:
        found["facet"] = _criterion(cohort, "facet", suffix, lv, lambda x: num(x) >= criteria.facet_min)
    if criteria.genant:
        found["genant"] = _criterion(
            cohort, "genant", suffix, lv, lambda x: num(x) >= criteria.genant_min
        )
    if criteria.ucla:
        found["ucla"] = _criterion(cohort, "ucla", suffix, lv, lambda x: num(x) >= criteria.ucla_min)
    if criteria.osteophyte:
        d_met, d_known = _criterion(
            cohort, "osteophyte_dir", suffix, lv, lambda x: np.isin(x, criteria.osteophyte_dirs)
        )
        m_met, m_known = _criterion(
            cohort, "osteophyte_mm", suffix, lv, lambda x: num(x) > criteria.osteophyte_min_mm
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
    criteria = criteria or GroupCriteria()
    per = _per_level_matrices(cohort, criteria, rater)
    n_deg = per["degenerative"].sum(axis=1)
    n_unk = per["unknown"].sum(axis=1)
    m = criteria.min_vertebrae
    group = np.where(n_deg >= m, "degenerative", np.where(n_deg + n_unk < m, "control", None))
    group = group.astype(object)
    reason = np.where(
        group == None,  # noqa: E711 - elementwise on an object array
        [
            f"group undetermined: {d} degenerative and {u} ungradable level(s), {m} needed"
            for d, u in zip(n_deg.tolist(), n_unk.tolist(), strict=True)
        ]
        if len(n_deg)
        else [],
        "",
    )
    return pd.DataFrame(
        {
            "patient_id": cohort["patient_id"].to_numpy(),
            "n_degenerative": n_deg.astype(int),
            "n_ungradable": n_unk.astype(int),
            "group": group,
            "reason": reason,
        }
    )


def _lowest(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    present = [c for c in cols if c in frame.columns]
    if not present:
        return pd.Series(np.nan, index=frame.index)
    return frame[present].astype(float).min(axis=1, skipna=True)


def prepare(
    cohort: pd.DataFrame, dxa: pd.DataFrame, settings: Settings | None = None
) -> pd.DataFrame:
    """The analysis-ready table: one row per analysed patient under `settings`.

    Parameters
    ----------
    cohort, dxa : DataFrame
        Cohort and DXA tables, canonical (from `vbq.io.load_cohort` / `load_dxa`) or raw with
        recognisable headers; they are validated the same way as files are.
    settings : Settings, optional
        Criteria, thresholds and filters; default the paper's (`vbq.PAPER_SETTINGS`).

    Returns
    -------
    DataFrame
        The cohort and DXA columns merged on ``patient_id`` plus the derived ``bmd_lowest``,
        ``t_lowest``, ``vbq``, ``vbq_levels``, ``n_degenerative``, ``group``
        ("degenerative"/"control"), ``dxa_status`` ("normal"/"osteopenia"/"osteoporosis" at the
        reference site) and ``vbq_status`` (same labels by the VBQ thresholds).
        ``table.attrs["exclusions"]`` holds the exclusion log as read-only records (read it as a
        DataFrame with `vbq.exclusion_log`); ``table.attrs["counts"]`` (read-only mapping)
        reconciles the numbers: ``n_cohort == n_analysed + n_excluded``.

    Raises
    ------
    InputError
        When either table has errors (missing required columns, unparseable values, duplicates).

    Examples
    --------
    >>> import vbq
    >>> cohort, dxa = vbq.demo.load()
    >>> table = vbq.prepare(cohort, dxa)
    >>> table["group"].value_counts().to_dict()
    {'control': 134, 'degenerative': 101}
    """
    settings = settings or Settings()
    cohort, creport = _io.coerce_cohort(cohort, source="cohort")
    dxa, dreport = _io.coerce_dxa(dxa, source="DXA")
    for report in (creport, dreport):
        report.raise_if_errors()

    log: list[dict] = []

    def exclude(ids, stage, reasons, level=""):
        if isinstance(reasons, str):
            reasons = [reasons] * len(ids)
        for pid, why in zip(ids, reasons, strict=True):
            log.append(
                {"patient_id": pid, "level": level, "stage": stage, "reason": why,
                 "patient_excluded": True}
            )

    n_cohort = len(cohort)
    dxa_ids = set(dxa["patient_id"])
    cohort_ids = set(cohort["patient_id"])
    no_dxa = ~cohort["patient_id"].isin(dxa_ids)
    exclude(cohort.loc[no_dxa, "patient_id"].tolist(), "merge", "no DXA record for this patient_id")
    orphans = sorted(dxa_ids - cohort_ids)
    for pid in orphans:
        log.append(
            {"patient_id": pid, "level": "", "stage": "merge",
             "reason": "DXA record without a cohort row (not counted in n_cohort)",
             "patient_excluded": False}
        )
    table = cohort.loc[~no_dxa].merge(dxa, on="patient_id", how="left", validate="one_to_one")
    table["bmd_lowest"] = _lowest(table, ["bmd_l1_l4", "bmd_femoral_neck", "bmd_total_hip"])
    table["t_lowest"] = _lowest(table, ["t_l1_l4", "t_femoral_neck", "t_total_hip"])

    # filters
    keep = pd.Series(True, index=table.index)
    if set(settings.sexes) != {"F", "M"}:
        bad = ~table["sex"].isin(settings.sexes)
        exclude(table.loc[bad & keep, "patient_id"].tolist(), "filter",
                f"sex not in {'/'.join(settings.sexes) or 'none'}")
        keep &= ~bad
    if settings.age_min is not None or settings.age_max is not None:
        lo = -np.inf if settings.age_min is None else settings.age_min
        hi = np.inf if settings.age_max is None else settings.age_max
        age = table["age"].astype(float)
        bad = ~age.between(lo, hi)
        exclude(table.loc[bad & keep, "patient_id"].tolist(), "filter",
                f"age outside {settings.age_min if settings.age_min is not None else '-'}"
                f" to {settings.age_max if settings.age_max is not None else '-'}")
        keep &= ~bad
    if "diagnosis" in table.columns and len(settings.diagnoses) < 4:
        bad = ~table["diagnosis"].isin(settings.diagnoses)
        exclude(table.loc[bad & keep, "patient_id"].tolist(), "filter",
                "primary diagnosis not selected")
        keep &= ~bad
    table = table.loc[keep].reset_index(drop=True)

    # VBQ
    si = table[[f"si_{lv.lower()}" for lv in LEVELS]].to_numpy(dtype=float)
    coll_cols = [f"collapsed_{lv.lower()}" for lv in LEVELS]
    collapsed = np.zeros(si.shape, bool)
    for j, c in enumerate(coll_cols):
        if c in table.columns:
            collapsed[:, j] = table[c].fillna(False).to_numpy(dtype=bool)
    res = compute_vbq(si, table["si_csf"].to_numpy(dtype=float), collapsed,
                      min_levels=settings.min_vbq_levels)
    table["vbq"] = res.vbq
    table["vbq_levels"] = res.n_levels
    ids = table["patient_id"].to_numpy()
    for row, level, why in res.level_notes:
        log.append({"patient_id": ids[row], "level": level, "stage": "vbq", "reason": why,
                    "patient_excluded": False})
    no_vbq = np.isnan(res.vbq)
    exclude(ids[no_vbq].tolist(), "vbq", [res.reasons[i] for i in np.flatnonzero(no_vbq)])

    # groups
    groups = assign_groups(table, settings.criteria)
    table["n_degenerative"] = groups["n_degenerative"].to_numpy()
    table["group"] = groups["group"].to_numpy()
    undetermined = table["group"].isna().to_numpy() & ~no_vbq
    exclude(ids[undetermined].tolist(), "group", groups["reason"].to_numpy()[undetermined].tolist())

    # DXA status
    t = table[settings.t_column].astype(float).to_numpy()
    table["dxa_status"] = classify_dxa(
        t, osteoporosis_t=settings.osteoporosis_t, osteopenia_t=settings.osteopenia_t
    )
    no_t = np.isnan(t) & ~no_vbq & ~undetermined
    exclude(ids[no_t].tolist(), "dxa", f"no T-score at the reference site ({settings.dxa_site})")
    table = table.loc[~(no_vbq | undetermined | no_t)].reset_index(drop=True)
    thresholds = vbq_thresholds(table, settings)
    table["vbq_status"] = classify_vbq(
        table["vbq"], osteopenia=thresholds["vbq_osteopenia"],
        osteoporosis=thresholds["vbq_osteoporosis"],
    )
    lead = ["patient_id", "age", "sex", "group", "vbq", "hu_l1", "bmd_l1_l4", "t_l1_l4",
            "t_lowest", "dxa_status", "vbq_status", "n_degenerative", "vbq_levels"]
    lead = [c for c in lead if c in table.columns]  # optional ones (hu_l1) may be absent
    table = table[lead + [c for c in table.columns if c not in lead]]

    n_excluded = sum(1 for r in log if r["patient_excluded"])
    counts = {
        "n_cohort": n_cohort,
        "n_dxa": len(dxa),
        "n_dxa_orphans": len(orphans),
        "n_analysed": len(table),
        "n_excluded": n_excluded,
        "n_degenerative": int((table["group"] == "degenerative").sum()),
        "n_control": int((table["group"] == "control").sum()),
        "n_levels_left_out": sum(1 for r in log if r["stage"] == "vbq" and not r["patient_excluded"]),
    }
    if counts["n_analysed"] + counts["n_excluded"] != n_cohort:  # pragma: no cover - invariant
        raise RuntimeError(f"exclusion log does not reconcile: {counts}")
    # immutable containers: pandas deep-copies attrs on every derived frame (see vbq._attrs)
    table.attrs["exclusions"] = frozen_records(log)
    table.attrs["counts"] = FrozenDict(counts)
    table.attrs["settings"] = FrozenDict({k: tuple(v) if isinstance(v, list) else v for k, v in settings.to_dict().items()})
    table.attrs["thresholds"] = FrozenDict(thresholds)
    table.attrs["warnings"] = frozen_records(
        [p.as_dict() for p in creport.warnings + dreport.warnings])
    return table


def vbq_thresholds(table: pd.DataFrame, settings: Settings | None = None) -> dict:
    """The VBQ thresholds in force: the settings' values, or those derived as the paper did.

    A threshold left as None in `settings` is the Youden-optimal cutoff of VBQ (higher is
    positive) in the control group for the DXA target (osteopenia-or-worse; osteoporosis), rounded
    up to ``settings.threshold_decimals`` (`vbq.study.adjusted_cutoff`). When the control group
    cannot give one (no patient, or only one DXA class), the paper's published value is used and
    the reason recorded.

    Parameters
    ----------
    table : DataFrame
        Rows with ``group``, ``vbq`` and ``dxa_status`` (as made inside `prepare`).

    Returns
    -------
    dict
        ``vbq_osteopenia``, ``vbq_osteoporosis`` (floats), ``source_osteopenia``,
        ``source_osteoporosis`` ("settings", "control-group Youden" or "paper (fallback)"),
        ``youden_osteopenia``, ``youden_osteoporosis`` (the unrounded cutoffs, NaN when not
        derived) and ``note`` (why a fallback was used, or that the two thresholds came out
        inverted or equal, so that VBQ classes nobody osteopenic; else "").
    """
    from .settings import PAPER_THRESHOLDS

    settings = settings or Settings()
    out: dict = {"note": ""}
    notes = []
    control = table[table["group"] == "control"]
    for name, positive in (("osteopenia", ("osteopenia", "osteoporosis")),
                           ("osteoporosis", ("osteoporosis",))):
        key = f"vbq_{name}"
        fixed = getattr(settings, key)
        out[f"youden_{name}"] = float("nan")
        if fixed is not None:
            out[key], out[f"source_{name}"] = float(fixed), "settings"
            continue
        y = control["dxa_status"].isin(positive).to_numpy()
        if len(y) == 0 or y.all() or not y.any():
            out[key], out[f"source_{name}"] = PAPER_THRESHOLDS[key], "paper (fallback)"
            notes.append(f"{name}: the control group has {int(y.sum())} positive and "
                         f"{int((~y).sum())} negative patient(s), so no cutoff can be derived")
            continue
        from .stats import roc_analysis
        from .study import adjusted_cutoff

        res = roc_analysis(y, control["vbq"].to_numpy(dtype=float), higher_is_positive=True)
        if not np.isfinite(res.cutoff):
            out[key], out[f"source_{name}"] = PAPER_THRESHOLDS[key], "paper (fallback)"
            notes.append(f"{name}: no finite Youden cutoff in the control group")
            continue
        out[f"youden_{name}"] = float(res.cutoff)
        out[key] = adjusted_cutoff(res.cutoff, decimals=settings.threshold_decimals,
                                   rounding="up")
        out[f"source_{name}"] = "control-group Youden"
    if out["vbq_osteopenia"] > out["vbq_osteoporosis"]:
        notes.append(f"the osteopenia threshold ({out['vbq_osteopenia']:g}) came out above the "
                     f"osteoporosis threshold ({out['vbq_osteoporosis']:g}); it is lowered to "
                     "it, so no patient is classed osteopenic by VBQ")
        out["vbq_osteopenia"] = out["vbq_osteoporosis"]
    elif out["vbq_osteopenia"] == out["vbq_osteoporosis"]:
        notes.append(f"the osteopenia and osteoporosis thresholds coincide "
                     f"({out['vbq_osteoporosis']:g}), so no patient is classed osteopenic by VBQ")
    out["note"] = "; ".join(notes)
    return out


def exclusion_log(table: pd.DataFrame) -> pd.DataFrame:
    """The exclusion log of a table made by `prepare`, as a DataFrame (columns `EXCLUSION_COLUMNS`)."""
    records = table.attrs.get("exclusions")
    if records is None:
        raise InputError("table has no exclusion log: it was not made by vbq.prepare")
    return pd.DataFrame([dict(r) for r in records], columns=list(EXCLUSION_COLUMNS))


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
    parts = [(g, table[table[between] == g]) for g in GROUPS if (table[between] == g).any()]
    parts.append(("all", table))
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
    detail = degeneration_detail(cohort, criteria, rater=rater)
    groups = assign_groups(cohort, criteria, rater=rater)
    names = [c for c in _CRITERION_LABELS if c in detail.columns]
    met = detail[names].fillna(False).to_numpy(dtype=bool)
    labels = np.array([_CRITERION_LABELS[c] for c in names], dtype=object)
    cells = [" + ".join(labels[row]) for row in met] if names else [""] * len(detail)
    cells = np.array(cells, dtype=object)
    cells[detail["degenerative"].isna().to_numpy()] = "ungradable"
    k = len(criteria.levels)
    out = groups[["patient_id", "group", "n_degenerative", "n_ungradable"]].copy()
    grid = cells.reshape(len(cohort), k) if len(cohort) else np.empty((0, k), dtype=object)
    for j, level in enumerate(criteria.levels):
        out[level] = grid[:, j]
    return out
