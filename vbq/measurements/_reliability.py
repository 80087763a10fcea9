"""VBQ of each stored reading and the intra- and inter-observer agreement of readings.

This module imports `vbq.stats` (ICC, Bland-Altman) and `vbq.score` (`compute_vbq`) at its
top. `vbq.measurements` loads it only when one of its names is first used (PEP 562
``__getattr__`` in ``vbq/measurements/__init__.py``), so opening the store, saving, the CSV and
the merge never load the statistics (scipy, statsmodels)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DegenerateInputError, InputError
from ..schema import LEVELS
from ..score import compute_vbq
from ..stats import bland_altman, icc, to_long
from ._records import ROI_LEVELS
from ._store import MeasurementStore, _check_measurements


def reading_vbq(measurements: Any, *, min_levels: int = 3) -> pd.DataFrame:
    """VBQ of every reading (patient, observer, session), with `vbq.compute_vbq`.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
    min_levels : int, keyword-only
        Fewest evaluable levels for a score (`vbq.Settings.min_vbq_levels`; the paper's 3).

    Returns
    -------
    DataFrame
        ``patient_id, observer, session, vbq, vbq_levels, reason``: VBQ NaN with the reason
        when the reading cannot be scored (too few levels, no CSF). Sorted by the key.
    """

    m = _check_measurements(measurements, "reading_vbq")
    keys = ["patient_id", "observer", "session"]
    cols = ["patient_id", "observer", "session", "vbq", "vbq_levels", "reason"]
    if m.empty:
        return pd.DataFrame(columns=cols)
    si = m.pivot(index=keys, columns="level", values="si_mean").reindex(columns=list(ROI_LEVELS))
    coll = m.pivot(index=keys, columns="level", values="excluded").reindex(columns=list(LEVELS))
    si = si.sort_index()
    coll = coll.reindex(si.index)
    res = compute_vbq(si[list(LEVELS)].to_numpy(dtype=float), si["CSF"].to_numpy(dtype=float),
                      coll.fillna(False).to_numpy(dtype=bool), min_levels=min_levels)
    out = si.index.to_frame(index=False)
    out["vbq"] = res.vbq
    out["vbq_levels"] = res.n_levels
    out["reason"] = res.reasons
    out["session"] = out["session"].astype(np.int64)
    return out[cols]


def _label(observer: str, session: int) -> str:
    return f"{observer}/{session}"


def vbq_wide(measurements: Any, readings: Sequence[tuple[str, int]], *,
             min_levels: int = 3) -> pd.DataFrame:
    """Per-patient VBQ of chosen readings side by side, ready for `vbq.stats.to_long` and `icc`.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
    readings : sequence of (observer, session)
        The readings to compare (at least 2, distinct).
    min_levels : int, keyword-only

    Returns
    -------
    DataFrame
        ``patient_id`` and one float column per reading, named ``"<observer>/<session>"`` (e.g.
        ``"AB/1"``), for every patient with at least one of the readings; NaN where a patient
        lacks a reading or it cannot be scored (`vbq.stats.icc` then counts the patient as an
        incomplete target).

    Raises
    ------
    InputError
        Fewer than 2 or repeated readings; a reading not in the data.
    """
    readings = [(str(o), int(s)) for o, s in readings]
    if len(readings) < 2 or len(set(readings)) != len(readings):
        raise InputError(f"vbq_wide: `readings` must name at least 2 different (observer, "
                         f"session) pairs, got {readings}")
    per = reading_vbq(measurements, min_levels=min_levels)
    present = set(zip(per["observer"], per["session"], strict=True))
    absent = [r for r in readings if r not in present]
    if absent:
        raise InputError(f"vbq_wide: no readings for {absent}; stored readings are "
                         f"{sorted(present)}")
    per = per.assign(reading=[_label(o, s) for o, s in zip(per["observer"], per["session"],
                                                               strict=True)])
    labels = [_label(o, s) for o, s in readings]
    per = per[per["reading"].isin(labels)]
    wide = per.pivot(index="patient_id", columns="reading", values="vbq").reindex(columns=labels)
    wide = wide.astype(float).reset_index()
    wide.columns.name = None
    return wide


def intra_observer_vbq(measurements: Any, observer: str | None = None, *,
                       sessions: tuple[int, int] = (1, 2), min_levels: int = 3) -> pd.DataFrame:
    """`vbq_wide` of one observer's two sessions (intra-observer reliability).

    `observer` None: the only observer who read both sessions (else `InputError` lists them).
    """
    m = _check_measurements(measurements, "intra_observer_vbq")
    if observer is None:
        both = [o for o, g in m.groupby("observer") if set(sessions) <= set(g["session"])]
        if len(both) != 1:
            raise InputError(f"intra_observer_vbq: choose the observer; "
                             f"{len(both)} observer(s) read sessions {sessions}: {both}")
        observer = both[0]
    return vbq_wide(m, [(observer, s) for s in sessions], min_levels=min_levels)


def inter_observer_vbq(measurements: Any, observers: Sequence[str] | None = None, *,
                       session: int = 1, min_levels: int = 3) -> pd.DataFrame:
    """`vbq_wide` of two (or more) observers in one session (inter-observer reliability).

    `observers` None: every observer with a reading in `session`, if there are at least 2.
    """
    m = _check_measurements(measurements, "inter_observer_vbq")
    if observers is None:
        observers = sorted(set(m.loc[m["session"] == session, "observer"]))
        if len(observers) < 2:
            raise InputError(f"inter_observer_vbq: need 2 observers in session {session}, found "
                             f"{observers}")
    return vbq_wide(m, [(o, session) for o in observers], min_levels=min_levels)


@dataclass(frozen=True, eq=False)
class ReliabilityResult:
    """ICC and Bland-Altman agreement of readings (from `reliability`).

    Attributes
    ----------
    data : DataFrame
        The wide table analysed (``patient_id`` + one column per reading).
    readings : tuple of str
        The reading columns compared.
    icc : vbq.stats.ICCResult or str
        All six Shrout & Fleiss forms; the error message when undefined.
    bland_altman : vbq.stats.BlandAltmanResult or str
        First reading minus second (only for two readings; a message otherwise or when
        undefined).
    """

    data: pd.DataFrame
    readings: tuple[str, ...]
    icc: Any
    bland_altman: Any


def reliability(wide: pd.DataFrame, *, confidence: float = 0.95) -> ReliabilityResult:
    """ICC (`vbq.stats.icc`) and Bland-Altman (`vbq.stats.bland_altman`) of a `vbq_wide` table.

    Parameters
    ----------
    wide : DataFrame
        ``patient_id`` and two or more reading columns (`intra_observer_vbq`,
        `inter_observer_vbq`).
    confidence : float, keyword-only

    Returns
    -------
    ReliabilityResult
        The same ICC as ``icc(to_long(wide, "patient_id", readings), "patient_id", "rater",
        "rating")``; patients lacking a reading are counted as incomplete targets.
    """

    if not isinstance(wide, pd.DataFrame) or "patient_id" not in wide.columns:
        raise InputError("reliability: `wide` must be a DataFrame with a patient_id column "
                         "(from vbq_wide)")
    readings = tuple(c for c in wide.columns if c != "patient_id")
    long = to_long(wide, "patient_id", list(readings))
    try:
        icc_res: Any = icc(long, "patient_id", "rater", "rating", confidence=confidence)
    except DegenerateInputError as exc:
        icc_res = str(exc)
    if len(readings) == 2:
        try:
            ba: Any = bland_altman(wide[readings[0]], wide[readings[1]], confidence=confidence)
        except DegenerateInputError as exc:
            ba = str(exc)
    else:
        ba = "Bland-Altman compares two readings; choose two"
    return ReliabilityResult(data=wide, readings=readings, icc=icc_res, bland_altman=ba)


PLACEMENTS: tuple[str, ...] = ("suggestion accepted", "hand-placed", "suggestion moved",
                               "not recorded")
"""How a reading's ROIs were placed, from their ``roi_source`` (`reading_placement`)."""


def reading_placement(measurements: Any) -> pd.DataFrame:
    """How each reading's ROIs were placed: suggested ROIs accepted, or placed by hand.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
        A store is asked for the counts per reading (one GROUP BY in the database); it is
        never loaded whole.

    Returns
    -------
    DataFrame
        ``patient_id, observer, session, placement, n_suggested, n_moved, n_manual``, one row
        per reading, sorted by the key. ``placement`` is one of `PLACEMENTS`:
        ``"suggestion accepted"`` (no ROI moved after accepting and at most one placed by hand:
        the vertebra clicked to name the levels), ``"hand-placed"`` (every ROI placed by hand),
        ``"suggestion moved"`` (suggested ROIs moved by the reader, or several placed by hand
        beside accepted ones) and ``"not recorded"`` (an ROI without ``roi_source``, as in
        readings imported from before it was recorded).
    """
    keys = ["patient_id", "observer", "session"]
    cols = [*keys, "placement", "n_suggested", "n_moved", "n_manual"]
    if _is_store(measurements):
        per = measurements._placement_counts()  # counted in the database, nothing loaded
    else:
        per = _placement_counts(_check_measurements(measurements, "reading_placement"))
    if per.empty:
        return pd.DataFrame(columns=cols)
    placement = np.select(
        [per["missing"] > 0, per["suggested"] + per["moved"] == 0,
         (per["moved"] == 0) & (per["manual"] <= 1)],
        ["not recorded", "hand-placed", "suggestion accepted"], default="suggestion moved")
    out = per[keys].assign(placement=placement, n_suggested=per["suggested"],
                           n_moved=per["moved"], n_manual=per["manual"])
    out["session"] = out["session"].astype(np.int64)
    return out[cols]


def _is_store(measurements: Any) -> bool:
    """Whether `measurements` is a `MeasurementStore`, or an object forwarding its methods (the
    app wraps the store to turn database errors into messages): then it is queried."""
    return isinstance(measurements, MeasurementStore) or (
        not isinstance(measurements, pd.DataFrame) and callable(
            getattr(measurements, "_vbq_rows", None)))


def _placement_counts(m: pd.DataFrame) -> pd.DataFrame:
    """Per reading of a measurement table, how many of its ROIs have each ``roi_source`` (and
    none: ``missing``), sorted by the key; `MeasurementStore._placement_counts` in pandas."""
    keys = ["patient_id", "observer", "session"]
    if m.empty:
        return pd.DataFrame(columns=[*keys, "suggested", "moved", "manual", "missing"])
    source = m["roi_source"].astype(object) if "roi_source" in m.columns else pd.Series(
        None, index=m.index, dtype=object)
    counts = pd.DataFrame({kind: (source == kind).astype(int)
                           for kind in ("suggested", "moved", "manual")}).assign(
        missing=source.isna().astype(int))
    return pd.concat([m[keys], counts], axis=1).groupby(keys, sort=True).sum().reset_index()


def suggested_vs_manual_vbq(measurements: Any, *, suggested_by: str | None = None,
                            manual_by: str | None = None, min_levels: int = 3) -> pd.DataFrame:
    """Per-patient VBQ of a suggestion-accepted reading beside a hand-placed one, for `reliability`.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
        A store is queried, never loaded whole: the placements counted in the database
        (`reading_placement`), then the VBQ fields (SI, collapsed, CSF level) of the chosen
        readings only, a few hundred readings per query.
    suggested_by, manual_by : str, optional, keyword-only
        Only this observer's suggestion-accepted (hand-placed) readings; None: any observer's.
    min_levels : int, keyword-only

    Returns
    -------
    DataFrame
        ``patient_id``, ``"suggestion accepted"`` and ``"hand-placed"`` (float VBQ, NaN where
        a patient lacks that kind of reading or it cannot be scored), for every patient with
        either. A patient with several readings of one kind contributes the earliest session's
        (then the first observer's in alphabetical order), so each column is one reading per
        patient, as `vbq.stats.icc` and `vbq.stats.bland_altman` compare them.

    Raises
    ------
    InputError
        No suggestion-accepted or no hand-placed reading (by the observers chosen).

    Notes
    -----
    The comparison of an automatic VBQ with readers' VBQ by ICC and Bland-Altman, as published
    for automatic ROI placement; here the "automatic" readings are readers' acceptances of
    `vbq.imaging.suggest_rois`, classified by `reading_placement`.
    """
    placement = reading_placement(measurements)
    keys = ["patient_id", "observer", "session"]
    chosen = {}
    for kind, who in (("suggestion accepted", suggested_by), ("hand-placed", manual_by)):
        rows = placement[placement["placement"] == kind]
        if who is not None:
            rows = rows[rows["observer"] == str(who)]
        if rows.empty:
            by = "" if who is None else f" by observer {who}"
            raise InputError(f"suggested_vs_manual_vbq: no {kind} reading{by}; readings by "
                             f"placement: {placement['placement'].value_counts().to_dict()}")
        chosen[kind] = rows.sort_values(["session", "observer"]).drop_duplicates("patient_id")
    if _is_store(measurements):  # only the chosen readings' ROIs
        rois = measurements._vbq_rows(pd.concat(chosen.values())[keys])
    else:
        rois = measurements
    per = reading_vbq(rois, min_levels=min_levels)
    columns = {kind: rows[keys].merge(per, on=keys, how="left").set_index("patient_id")[
        "vbq"].astype(float) for kind, rows in chosen.items()}
    wide = pd.DataFrame(columns).sort_index().rename_axis("patient_id").reset_index()
    wide.columns.name = None
    return wide
