"""Measured SIs into the cohort: one primary reading per patient (or the mean of several), the
readings of flagged series marked or left out, and the rules of the merge in words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io import coerce_cohort
from ..schema import CSF_LEVELS, LEVELS, SEQUENCE_FAMILIES, sequence_family
from ._records import ROI_LEVELS
from ._store import _check_measurements

_SI_COLUMNS = tuple(f"si_{lv.lower()}" for lv in LEVELS)
_COLLAPSED_COLUMNS = tuple(f"collapsed_{lv.lower()}" for lv in LEVELS)
COHORT_SI_COLUMNS: tuple[str, ...] = (*_SI_COLUMNS, "si_csf", "csf_level", *_COLLAPSED_COLUMNS)
COMBINE = ("primary", "mean")
"""How a patient's readings become the cohort's SIs: ``"primary"`` one reading (an observer and a
session; the default), ``"mean"`` the mean of the chosen readings, level by level."""

_READING = ["patient_id", "observer", "session"]
_FLAG_WORDS = {
    "not_validated_sequence": "unvalidated sequence (e.g. T1 FLAIR)",
    "not_t1_like": "not T1-weighted",
    "not_sagittal": "not sagittal",
    "lossy_compression": "lossy compression",
    "not_mr": "not MR",
    "no_pixel_spacing": "no pixel spacing",
    "burned_in_annotation": "burned-in annotation",
    "contrast": "contrast agent",
}


def describe_flags(codes: str | Iterable[str] | None) -> str:
    """Series flag codes (as stored in ``series_flags``) in words, e.g. ``"lossy compression;
    not sagittal"`` -> ``"lossy compression, not sagittal"``; ``""`` when there are none.

    A code this version does not know is shown as it is, with underscores as spaces.
    """
    return ", ".join(_FLAG_WORDS.get(c, c.replace("_", " ")) for c in _codes(codes))


def _codes(text: str | Iterable[str] | None) -> list[str]:
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return []
    parts = text.split(";") if isinstance(text, str) else list(text)
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _check_exclude(exclude_flagged: Any, func: str) -> bool | frozenset[str]:
    """False (keep flagged readings), True (leave out any flagged one) or the codes to leave
    out."""
    if isinstance(exclude_flagged, bool | np.bool_):
        return bool(exclude_flagged)
    codes = [exclude_flagged] if isinstance(exclude_flagged, str) else exclude_flagged
    if not isinstance(codes, Iterable) or not all(isinstance(c, str) for c in codes):
        raise InputError(f"{func}: `exclude_flagged` must be True, False or flag codes such as "
                         f"'not_validated_sequence', got {exclude_flagged!r}")
    return frozenset(codes) or False


_PRIMARY_HOW = {
    ("observer", "session"): "the first observer in alphabetical order and that observer's first "
                             "session, as none was chosen",
    ("observer",): "the session as chosen, and the first observer in alphabetical order, as no "
                   "observer was chosen",
    ("session",): "the observer as chosen, and that observer's first session, as no session was "
                  "chosen",
    (): "as chosen",
}
"""How the primary reading was chosen, by which of observer and session took the default."""


@dataclass(frozen=True, eq=False)
class _Selection:
    """The readings chosen for the cohort, and how they were chosen."""

    rows: pd.DataFrame
    observer: Any
    session: Any
    combine: str
    defaulted: tuple[str, ...]  # "observer" and/or "session": chosen by the default rule
    exclude_flagged: bool | frozenset[str]
    left_out_flagged: tuple[str, ...]

    def rules(self) -> str:
        """The rules of the merge, in plain words (for the page and the report)."""
        return " ".join([self._which(), _COMMON_RULE, self._flag_rule()])

    def _which(self) -> str:
        if self.combine == "primary":
            how = _PRIMARY_HOW[self.defaulted]
            return (f"One primary reading per patient: observer {self.observer}, session "
                    f"{self.session} ({how}). A patient without that reading keeps the "
                    "spreadsheet's SIs, if any: no other observer's or session's reading is used "
                    "in its place.")
        who = ("every observer" if self.observer is None else "observer(s) " + ", ".join(
            map(str, [self.observer] if isinstance(self.observer, str) else self.observer)))
        when = ("every session" if self.session is None else "session(s) " + ", ".join(
            map(str, [self.session] if isinstance(self.session, int | np.integer)
                else self.session)))
        return (f"The mean of the readings of {who} in {when}: each level's SI is the mean of its "
                "readings' ROI means (the CSF SI too, even when the readings placed the CSF ROI "
                "at different levels); a level marked collapsed in any one reading is left out "
                "for all; patients may be averaged over different numbers and mixes of "
                "observers and sessions (the readings column counts them).")

    def _flag_rule(self) -> str:
        if self.exclude_flagged is False:
            return ("Readings from a series flagged when it was measured (e.g. inversion "
                    "recovery / T1 FLAIR, lossy compression, not sagittal) are used and marked.")
        which = ("any flag" if self.exclude_flagged is True
                 else describe_flags(sorted(self.exclude_flagged)))
        return (f"Readings from a series flagged with {which} are left out "
                f"({len(self.left_out_flagged)} patient(s)).")


_COMMON_RULE = ("A patient's VBQ is then computed as for a spreadsheet patient: the median of "
                "the SIs of the levels not marked collapsed over the CSF SI.")


def _choose_primary(m: pd.DataFrame, observer: Any, session: Any, func: str
                    ) -> tuple[pd.DataFrame, Any, Any]:
    if observer is not None and not isinstance(observer, str):
        raise InputError(f"{func}: the primary reading is one observer's; got {observer!r} "
                         "(combine='mean' averages several)")
    if session is not None and not isinstance(session, int | np.integer):
        raise InputError(f"{func}: the primary reading is one session's; got {session!r} "
                         "(combine='mean' averages several)")
    observers = sorted(set(m["observer"]))
    if not observers:
        return m, observer, session
    if observer is None:
        observer = observers[0]
    elif observer not in observers:
        raise InputError(f"{func}: no readings by observer {observer}; observers are "
                         f"{', '.join(observers)}")
    own = m[m["observer"] == observer]
    sessions = sorted(int(s) for s in set(own["session"]))
    if session is None:
        session = sessions[0]
    elif int(session) not in sessions:
        raise InputError(f"{func}: observer {observer} has no readings in session {session}; "
                         f"their sessions are {', '.join(map(str, sessions))}")
    return own[own["session"] == int(session)], observer, int(session)


def _choose_mean(m: pd.DataFrame, observer: Any, session: Any, func: str) -> pd.DataFrame:
    if observer is not None:
        observers = [observer] if isinstance(observer, str) else list(observer)
        unknown = sorted(set(observers) - set(m["observer"]))
        if unknown:
            raise InputError(f"{func}: no readings by observer(s) {unknown}; observers are "
                             f"{sorted(set(m['observer']))}")
        m = m[m["observer"].isin(observers)]
    if session is not None:
        sessions = [session] if isinstance(session, int | np.integer) else list(session)
        m = m[m["session"].isin(sessions)]
        if m.empty:
            raise InputError(f"{func}: no readings in session(s) {sessions}")
    return m


def _drop_flagged(m: pd.DataFrame, exclude: bool | frozenset[str]
                  ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Leave out every reading (all its ROIs) whose series carried a flag to exclude."""
    if exclude is False or "series_flags" not in m.columns or m.empty:
        return m, ()
    codes = m["series_flags"].map(lambda t: set(_codes(t)))
    hit = codes.map(bool) if exclude is True else codes.map(lambda c: bool(c & exclude))
    keys = pd.MultiIndex.from_frame(m[_READING])
    bad = keys[hit.to_numpy(dtype=bool)]
    drop = keys.isin(bad)
    return m[~drop], tuple(sorted(set(bad.get_level_values("patient_id"))))


def _select(measurements: Any, observer: Any, session: Any, combine: str, exclude_flagged: Any,
            func: str) -> _Selection:
    m = _check_measurements(measurements, func)
    if combine not in COMBINE:
        raise InputError(f"{func}: `combine` must be 'primary' (one reading per patient) or "
                         f"'mean', got {combine!r}")
    exclude = _check_exclude(exclude_flagged, func)
    by_default = tuple(name for name, value in (("observer", observer), ("session", session))
                       if value is None)
    if combine == "primary":
        m, observer, session = _choose_primary(m, observer, session, func)
    else:
        m = _choose_mean(m, observer, session, func)
    m, left_out = _drop_flagged(m, exclude)
    return _Selection(rows=m, observer=observer, session=session, combine=combine,
                      defaulted=by_default, exclude_flagged=exclude,
                      left_out_flagged=left_out)


def _csf_levels(m: pd.DataFrame, ids: Sequence[str]) -> pd.Series:
    """Per patient, the CSF level most readings used (ties: the first in T12..L5 order)."""
    csf = m.loc[m["level"] == "CSF", ["patient_id", "csf_level"]]
    counts = csf.assign(csf_level=csf["csf_level"].fillna("L3")).value_counts().rename("n")
    counts = counts.reset_index()
    counts["order"] = counts["csf_level"].map({lv: i for i, lv in enumerate(CSF_LEVELS)})
    best = counts.sort_values(["patient_id", "n", "order"], ascending=[True, False, True],
                              kind="stable").drop_duplicates("patient_id")
    mode = best.set_index("patient_id")["csf_level"].reindex(ids)
    return pd.Series([v if isinstance(v, str) else None for v in mode], dtype=object)


def _joined(pairs: pd.DataFrame, sep: str, ids: Sequence[str]) -> pd.Series:
    """Per patient, the distinct non-empty texts of ``pairs`` (``patient_id, text``) joined by
    `sep`, in order of appearance; None when there are none."""
    pairs = pairs[pairs["text"].astype(bool)].drop_duplicates()
    joined = pairs.groupby("patient_id", sort=False)["text"].agg(sep.join).reindex(ids)
    return pd.Series([v if isinstance(v, str) else None for v in joined], dtype=object)


def _patient_flags(m: pd.DataFrame, ids: Sequence[str]) -> pd.Series:
    """Per patient, the flag codes of the readings used (semicolon-separated; None if none)."""
    if "series_flags" not in m.columns:
        return pd.Series([None] * len(ids), dtype=object)
    flags = m[["patient_id", "series_flags"]].dropna()
    codes = flags.assign(text=flags["series_flags"].astype(str).str.split(";")).explode("text")
    return _joined(codes[["patient_id", "text"]].fillna(""), ";", ids)


def _patient_scanners(m: pd.DataFrame, ids: Sequence[str]) -> tuple[np.ndarray, pd.Series]:
    """Per patient, the field strength of the readings used (NaN when unknown or when they
    differ) and the scanner in words (manufacturer and model; readings that differ joined with
    " / "; None when unknown)."""
    if "field_strength_t" not in m.columns:
        return np.full(len(ids), np.nan), pd.Series([None] * len(ids), dtype=object)
    strengths = m.groupby("patient_id")["field_strength_t"]
    field_t = strengths.first().where(strengths.nunique() == 1).reindex(ids)
    parts = [m[c].astype(object).fillna("").astype(str) if c in m.columns
             else pd.Series("", index=m.index) for c in ("manufacturer", "model_name")]
    text = (parts[0] + " " + parts[1]).str.strip()
    pairs = pd.DataFrame({"patient_id": m["patient_id"], "text": text})
    return field_t.to_numpy(dtype=float), _joined(pairs, " / ", ids)


def _acquisition_words(m: pd.DataFrame) -> pd.Series:
    """Each reading's sequence in words: its kind (`SEQUENCE_FAMILIES`) and TR, TE and TI where
    recorded, e.g. "spin echo, TR 600 ms, TE 20 ms"; "" when none is recorded."""
    parts = []
    if "scanning_sequence" in m.columns:
        family = m["scanning_sequence"].map(sequence_family)
        parts.append(family.map(lambda f: SEQUENCE_FAMILIES.get(f, "") if f else ""))
    for col, unit in (("tr_ms", "TR"), ("te_ms", "TE"), ("ti_ms", "TI")):
        if col in m.columns:
            values = pd.to_numeric(m[col], errors="coerce")
            parts.append(values.map(lambda v, u=unit: "" if pd.isna(v) else f"{u} {v:g} ms"))
    if not parts:
        return pd.Series("", index=m.index, dtype=object)
    words = pd.concat(parts, axis=1).astype(str)
    return words.apply(lambda row: ", ".join(w for w in row if w), axis=1).astype(object)


def _patient_sequences(m: pd.DataFrame, ids: Sequence[str]) -> pd.Series:
    """Per patient, the sequence of the readings used in words (differing ones joined with
    " / "; None when not recorded)."""
    if m.empty:
        return pd.Series([None] * len(ids), dtype=object)
    pairs = pd.DataFrame({"patient_id": m["patient_id"], "text": _acquisition_words(m)})
    return _joined(pairs, " / ", ids)


def _cohort_si(m: pd.DataFrame) -> pd.DataFrame:
    ids = sorted(set(m["patient_id"]))
    out = pd.DataFrame({"patient_id": pd.Series(ids, dtype=object)})
    if m.empty:
        for c in COHORT_SI_COLUMNS:
            out[c] = pd.Series(dtype=float if c.startswith("si") else object)
        out["n_readings"] = pd.Series(dtype=np.int64)
        out["series_flags"] = pd.Series(dtype=object)
        out["field_strength_t"] = pd.Series(dtype=float)
        out["scanner"] = pd.Series(dtype=object)
        out["sequence"] = pd.Series(dtype=object)
        return out
    means = m.groupby(["patient_id", "level"])["si_mean"].mean().unstack("level")
    means = means.reindex(index=ids, columns=list(ROI_LEVELS))
    coll = m.groupby(["patient_id", "level"])["excluded"].any().unstack("level")
    coll = coll.reindex(index=ids, columns=list(LEVELS))
    for lv, col in zip(LEVELS, _SI_COLUMNS, strict=True):
        out[col] = means[lv].to_numpy(dtype=float)
    out["si_csf"] = means["CSF"].to_numpy(dtype=float)
    out["csf_level"] = _csf_levels(m, ids)
    for lv, col in zip(LEVELS, _COLLAPSED_COLUMNS, strict=True):
        out[col] = pd.array(coll[lv].to_numpy(dtype=object), dtype="boolean")
    n_read = m[_READING].drop_duplicates().groupby("patient_id").size()
    out["n_readings"] = n_read.reindex(ids).to_numpy(dtype=np.int64)
    out["series_flags"] = _patient_flags(m, ids)
    out["field_strength_t"], out["scanner"] = _patient_scanners(m, ids)
    out["sequence"] = _patient_sequences(m, ids)
    return out


def to_cohort_si(measurements: Any, *, observer: str | Sequence[str] | None = None,
                 session: int | Sequence[int] | None = None, combine: str = "primary",
                 exclude_flagged: bool | Iterable[str] = False) -> pd.DataFrame:
    """Measured SIs as the cohort's SI columns, one row per patient.

    Parameters
    ----------
    measurements : DataFrame or MeasurementStore
        ROI readings as `MeasurementStore.load` returns them.
    observer : str or sequence of str, optional, keyword-only
        ``combine="primary"``: the observer of the primary reading (None: the first observer in
        alphabetical order). ``combine="mean"``: the observer(s) averaged (None: all).
    session : int or sequence of int, optional, keyword-only
        ``combine="primary"``: the session of the primary reading (None: that observer's first
        session). ``combine="mean"``: the session(s) averaged (None: all).
    combine : {"primary", "mean"}, keyword-only
        ``"primary"`` (default, as the paper analysed one reading): each patient's values are
        those of the one reading by `observer` in `session`; a patient without it gets none
        (no other reading is put in its place). ``"mean"``: every chosen reading of a patient
        averaged, level by level.
    exclude_flagged : bool or collection of str, keyword-only
        Leave out readings measured on a flagged series (``series_flags``): True any flag,
        flag codes (e.g. ``{"not_validated_sequence"}``) only those. Default False: used.

    Returns
    -------
    DataFrame
        ``patient_id, si_l1, si_l2, si_l3, si_l4, si_csf, csf_level, collapsed_l1..collapsed_l4,
        n_readings, series_flags, field_strength_t, scanner``: SIs float (NaN for a level not
        measured), ``csf_level`` text, ``collapsed_*`` boolean (NA for a level not measured),
        ``n_readings`` the readings combined, ``series_flags`` the flag codes of those readings
        (None: none), ``field_strength_t`` theirs (NaN when unknown or when they differ),
        ``scanner`` manufacturer and model (differing ones joined by " / "; None: unknown),
        ``sequence`` the kind of sequence with TR, TE and TI in words, e.g. "spin echo, TR
        600 ms, TE 20 ms" (likewise).
        Sorted by ``patient_id``.

    Raises
    ------
    InputError
        Bad `measurements`; an unknown observer; a session the observer did not read; several
        observers or sessions for the primary reading; an unknown `combine`.

    Notes
    -----
    With ``combine="mean"`` the SI of a level is the mean of its readings' ROI means (so the VBQ
    of the merged row is the VBQ of the averaged SIs, not the mean of per-reading VBQs); a level
    is collapsed when any combined reading marked it so; ``csf_level`` is the level most
    readings used (ties: the first in T12..L5 order), and `merge_into_cohort` notes patients
    whose readings disagree on it. `CohortMerge.rules` says all this in words.
    """
    return _cohort_si(_select(measurements, observer, session, combine, exclude_flagged,
                              "to_cohort_si").rows)


@dataclass(frozen=True, eq=False)
class CohortMerge:
    """A cohort with measured SIs merged in, which patients they came for, and the rules.

    Attributes
    ----------
    cohort : DataFrame
        The cohort (validated and canonical, as `vbq.io.coerce_cohort` returns it) whose
        measured patients carry the measured ``si_l1..si_l4, si_csf, csf_level,
        collapsed_l1..l4``, and ``field_strength_t`` where the readings recorded one (the
        file's value otherwise); the others keep their spreadsheet values (or missing SIs,
        which `vbq.prepare_cohort` then reports as an exclusion).
    measured : tuple of str
        Cohort patients with measurements, in cohort order.
    not_measured : tuple of str
        Cohort patients without, in cohort order.
    not_in_cohort : tuple of str
        Measured IDs with no cohort row (not added: the cohort holds their age, sex and DXA).
    replaced : tuple of str
        Measured patients whose spreadsheet SI values were different and have been replaced.
    observer, session
        The readings used: for ``combine="primary"`` the observer and session actually used
        (the defaults resolved), for ``"mean"`` as passed.
    combine : {"primary", "mean"}
    notes : tuple of str
        E.g. patients whose combined readings disagree on the CSF level.
    flagged : tuple of str
        Measured cohort patients whose readings used came from a flagged series, in cohort
        order; their codes in ``series_flags``.
    series_flags : mapping of str to str
        Patient -> flag codes (semicolon-separated) of the readings used, for `flagged`.
    left_out_flagged : tuple of str
        Patients whose flagged readings were left out (``exclude_flagged``).
    exclude_flagged : bool or frozenset of str
        As passed (codes as a frozenset).
    rules : str
        How the readings became the cohort's SIs, in plain words (shown by the app and the
        report).
    n_readings : mapping of str to int
        Patient -> readings combined.
    field_strengths : mapping of str to float
        Measured cohort patient -> field strength (T) of the readings used (NaN: unknown, or
        readings that differ).
    scanners : mapping of str to str
        Measured cohort patient -> manufacturer and model (None: unknown).
    sequences : mapping of str to str
        Measured cohort patient -> the sequence of the readings used in words (kind, TR, TE,
        TI; None: not recorded).
    """

    cohort: pd.DataFrame
    measured: tuple[str, ...]
    not_measured: tuple[str, ...]
    not_in_cohort: tuple[str, ...]
    replaced: tuple[str, ...]
    observer: Any
    session: Any
    combine: str
    notes: tuple[str, ...] = ()
    flagged: tuple[str, ...] = ()
    series_flags: Mapping[str, str] = field(default_factory=dict)
    left_out_flagged: tuple[str, ...] = ()
    exclude_flagged: bool | frozenset[str] = False
    rules: str = ""
    n_readings: Mapping[str, int] = field(default_factory=dict)
    field_strengths: Mapping[str, float] = field(default_factory=dict)
    scanners: Mapping[str, str | None] = field(default_factory=dict)
    sequences: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def mixed_acquisition(self) -> bool:
        """Whether the measured patients in use were read at more than one field strength or
        on more than one manufacturer's scanner (VBQ depends on both)."""
        strengths = {v for v in self.field_strengths.values() if np.isfinite(v)}
        makers = {v.split(" ")[0].casefold() for v in self.scanners.values() if v}
        return len(strengths) > 1 or len(makers) > 1

    def _scanner_line(self) -> str | None:
        strengths = pd.Series([self.field_strengths.get(pid, np.nan) for pid in self.measured],
                              dtype=float)
        if strengths.notna().sum() == 0:
            return None
        counts = strengths.value_counts(dropna=False).sort_index()
        parts = [f"{'unknown' if np.isnan(t) else f'{t:g} T'} {n}" for t, n in counts.items()]
        return ("Field strength of the readings used (patients): " + ", ".join(parts)
                + ("; more than one field strength or manufacturer is in use"
                   if self.mixed_acquisition else ""))

    def to_frame(self) -> pd.DataFrame:
        """One row per patient of the cohort or the measurements: ``patient_id, in_cohort,
        measured, si_source`` ("measurements", "spreadsheet" or "none"), ``readings`` (the
        readings combined; 0 when not measured), ``series_flags`` (the flags of those
        readings in words; "" when none), ``field_strength_t``, ``scanner`` and ``sequence``
        (see `field_strengths`, `scanners`, `sequences`)."""
        cohort_ids = self.cohort["patient_id"].tolist()
        has_si = self.cohort[list(_SI_COLUMNS) + ["si_csf"]].notna().any(axis=1).to_numpy()
        measured = set(self.measured)
        rows = [
            {"patient_id": pid, "in_cohort": True, "measured": pid in measured,
             "si_source": "measurements" if pid in measured else (
                 "spreadsheet" if has else "none")}
            for pid, has in zip(cohort_ids, has_si, strict=True)
        ]
        rows += [{"patient_id": pid, "in_cohort": False, "measured": True, "si_source": "none"}
                 for pid in self.not_in_cohort]
        for row in rows:
            pid = row["patient_id"]
            row["readings"] = int(self.n_readings.get(pid, 0))
            row["series_flags"] = describe_flags(self.series_flags.get(pid))
            row["field_strength_t"] = float(self.field_strengths.get(pid, np.nan))
            row["scanner"] = self.scanners.get(pid)
            row["sequence"] = self.sequences.get(pid)
        return pd.DataFrame(rows, columns=["patient_id", "in_cohort", "measured", "si_source",
                                           "readings", "series_flags", "field_strength_t",
                                           "scanner", "sequence"])

    def summary(self) -> str:
        """Readable text: which readings were used, whom they cover, the flagged ones, the
        rules."""
        if self.combine == "primary":
            choice = f"one primary reading, observer {self.observer}, session {self.session}"
        else:
            choice = (f"the mean of observer {self.observer if self.observer is not None else 'any'}"
                      f", session {self.session if self.session is not None else 'any'}")
        lines = [
            f"Measurements used: {choice}",
            f"{len(self.measured)} cohort patient(s) measured; {len(self.not_measured)} not "
            f"measured (spreadsheet SIs kept where present)",
        ]
        if self.replaced:
            lines.append(f"{len(self.replaced)} patient(s) had different spreadsheet SIs, "
                         "replaced by the measurements")
        if self.flagged:
            lines.append(f"{len(self.flagged)} patient(s) measured on a flagged series, used: "
                         + "; ".join(f"{pid} ({describe_flags(self.series_flags[pid])})"
                                     for pid in self.flagged[:10])
                         + (" ..." if len(self.flagged) > 10 else ""))
        if self.left_out_flagged:
            lines.append(f"{len(self.left_out_flagged)} patient(s) with readings from a flagged "
                         "series left out of them: " + _some(self.left_out_flagged))
        if self.not_in_cohort:
            lines.append(f"{len(self.not_in_cohort)} measured ID(s) not in the cohort: "
                         + _some(self.not_in_cohort))
        scanners = self._scanner_line()
        if scanners:
            lines.append(scanners)
        sequences = pd.Series([self.sequences.get(pid) for pid in self.measured], dtype=object)
        if sequences.notna().any():
            counts = sequences.fillna("not recorded").value_counts()
            lines.append("Sequences of the readings used (patients): "
                         + "; ".join(f"{k} {n}" for k, n in counts.items()))
        lines.extend(f"Note: {n}" for n in self.notes)
        if self.rules:
            lines.append(f"Rules: {self.rules}")
        return "\n".join(lines)


def _some(ids: Sequence[str], n: int = 10) -> str:
    return ", ".join(ids[:n]) + (" ..." if len(ids) > n else "")


def _canonical_cohort(cohort: pd.DataFrame) -> pd.DataFrame:
    """The cohort validated (`vbq.io.coerce_cohort`) with every SI column present."""


    base = cohort.copy()
    for c in (*_SI_COLUMNS, "si_csf"):
        if c not in base.columns:
            base[c] = np.nan
    table, report = coerce_cohort(base, source=str(cohort.attrs.get("source", "cohort")))
    report.raise_if_errors()
    table = table.copy()
    if "csf_level" not in table.columns:
        table["csf_level"] = pd.Series([None] * len(table), dtype=object)
    for c in _COLLAPSED_COLUMNS:
        if c not in table.columns:
            table[c] = pd.array([pd.NA] * len(table), dtype="boolean")
    if "field_strength_t" not in table.columns:
        table["field_strength_t"] = np.nan
    return table


def _put_measured(table: pd.DataFrame, by_id: pd.DataFrame, mask: np.ndarray) -> None:
    """Write the measured patients' SIs, CSF level and collapsed flags into `table`."""
    rows = table["patient_id"][mask]
    for c in (*_SI_COLUMNS, "si_csf"):
        col = table[c].to_numpy(dtype=float, na_value=np.nan).copy()
        col[mask] = by_id.loc[rows, c].to_numpy(dtype=float)
        table[c] = col
    level = table["csf_level"].astype(object).to_numpy().copy()
    level[mask] = by_id.loc[rows, "csf_level"].to_numpy(dtype=object)
    table["csf_level"] = pd.Series(level, index=table.index, dtype=object)
    for c in _COLLAPSED_COLUMNS:
        col = pd.array(table[c], dtype="boolean").copy()
        col[mask] = pd.array(by_id.loc[rows, c].to_numpy(dtype=object), dtype="boolean")
        table[c] = col
    # the field strength the readings recorded replaces the file's; unknown keeps the file's
    field = table["field_strength_t"].to_numpy(dtype=float, na_value=np.nan).copy()
    measured = by_id.loc[rows, "field_strength_t"].to_numpy(dtype=float)
    field[mask] = np.where(np.isfinite(measured), measured, field[mask])
    table["field_strength_t"] = field


def _merge_notes(ids: pd.Series, not_in_cohort: Sequence[str], sel: _Selection) -> list[str]:
    notes = []
    folded = {str(pid).casefold(): pid for pid in ids}
    near = [f"{pid} ({folded[pid.casefold()]})" for pid in not_in_cohort
            if pid.casefold() in folded]
    if near:
        notes.append("measured ID(s) matching a cohort ID except for upper/lower case, not "
                     "merged: " + _some(near))
    if sel.combine == "mean":
        csf = sel.rows[sel.rows["level"] == "CSF"]
        split = csf.groupby("patient_id")["csf_level"].nunique()
        split = sorted(split[split > 1].index)
        if split:
            notes.append("the averaged readings placed the CSF ROI at different levels for "
                         + _some(split) + "; the level most readings used is recorded")
    return notes


def merge_into_cohort(cohort: pd.DataFrame, measurements: Any, *,
                      observer: str | Sequence[str] | None = None,
                      session: int | Sequence[int] | None = None,
                      combine: str = "primary",
                      exclude_flagged: bool | Iterable[str] = False) -> CohortMerge:
    """Put measured SIs into the cohort's SI columns, ready for `vbq.prepare_cohort`.

    Parameters
    ----------
    cohort : DataFrame
        The cohort table (raw or canonical). Its SI columns may be absent: a cohort whose SIs
        are all measured in the app need not have them.
    measurements : DataFrame or MeasurementStore
        ROI readings (`MeasurementStore.load`).
    observer, session, combine, exclude_flagged : keyword-only
        Which readings and how they are combined, as in `to_cohort_si`: by default one primary
        reading per patient (the first observer in alphabetical order, that observer's first
        session), flagged readings used and marked.

    Returns
    -------
    CohortMerge
        The merged ``cohort`` and the report: ``measured``, ``not_measured``,
        ``not_in_cohort``, ``replaced``, ``flagged`` (with ``series_flags``),
        ``left_out_flagged``, ``notes``, ``rules``; ``to_frame()`` and ``summary()``.

    Raises
    ------
    InputError
        The cohort has errors (`vbq.io.coerce_cohort`), or the choice of readings is invalid.

    Notes
    -----
    The merged values are exactly those `to_cohort_si` returns, so `vbq.prepare_cohort` computes a
    measured patient's VBQ with the same `vbq.compute_vbq` as a spreadsheet patient's: median of
    the non-collapsed L1-L4 SIs over the CSF SI.

    Examples
    --------
    >>> import vbq
    >>> from vbq.measurements import MeasurementStore, ROIMeasurement, merge_into_cohort
    >>> cohort, dxa = vbq.demo.load()
    >>> store = MeasurementStore("sqlite://")
    >>> _ = store.save([ROIMeasurement("DEMO-001", "AB", 1, lv, si) for lv, si in
    ...                 [("L1", 300.0), ("L2", 320.0), ("L3", 310.0), ("L4", 330.0),
    ...                  ("CSF", 110.0)]])
    >>> merged = merge_into_cohort(cohort, store)
    >>> merged.measured, len(merged.not_measured), merged.observer, merged.session
    (('DEMO-001',), 234, 'AB', 1)
    """
    if not isinstance(cohort, pd.DataFrame):
        raise InputError(f"merge_into_cohort: `cohort` must be a DataFrame, got "
                         f"{type(cohort).__name__}")
    sel = _select(measurements, observer, session, combine, exclude_flagged, "merge_into_cohort")
    by_id = _cohort_si(sel.rows).set_index("patient_id")
    table = _canonical_cohort(cohort)
    ids = table["patient_id"]
    mask = ids.isin(by_id.index).to_numpy()
    rows = ids[mask]
    old = table.loc[mask, [*_SI_COLUMNS, "si_csf"]].to_numpy(dtype=float)
    new = by_id.loc[rows, [*_SI_COLUMNS, "si_csf"]].to_numpy(dtype=float)
    differs = (~np.isnan(old) & ~(old == new)).any(axis=1) if len(old) else np.zeros(0, bool)
    _put_measured(table, by_id, mask)
    not_in_cohort = tuple(sorted(set(by_id.index) - set(ids)))
    flags = {pid: by_id.loc[pid, "series_flags"] for pid in rows
             if isinstance(by_id.loc[pid, "series_flags"], str)}
    return CohortMerge(
        cohort=table, measured=tuple(rows.tolist()), not_measured=tuple(ids[~mask].tolist()),
        not_in_cohort=not_in_cohort, replaced=tuple(rows[differs].tolist()),
        observer=sel.observer, session=sel.session, combine=combine,
        notes=tuple(_merge_notes(ids, not_in_cohort, sel)), flagged=tuple(flags),
        series_flags=flags, left_out_flagged=sel.left_out_flagged,
        exclude_flagged=sel.exclude_flagged, rules=sel.rules(),
        n_readings={pid: int(n) for pid, n in by_id["n_readings"].items()},
        field_strengths={pid: float(by_id.loc[pid, "field_strength_t"]) for pid in rows},
        scanners={pid: by_id.loc[pid, "scanner"] for pid in rows},
        sequences={pid: by_id.loc[pid, "sequence"] for pid in rows})
