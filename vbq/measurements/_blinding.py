"""Reading a worklist blind: each study's status for one observer and session, which earlier
readings of a patient must be hidden, and the seed of a repeat session's shuffled order."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..errors import InputError

STATUSES: tuple[str, ...] = ("not read", "read", "flagged")
"""A worklist study's status for one observer and session (`reading_status`)."""


@dataclass(frozen=True)
class Blinding:
    """Whether a reading is made blind, and what is hidden from its reader.

    Attributes
    ----------
    patient_id : str
    observer : str
    session : int
    blinded : bool
        True while this observer has not saved this session's reading of the patient and
        another reading of the patient exists (another observer's, or this observer's in
        another session): every ROI and value of those readings is hidden until this one is
        saved, and the reading is saved with ``blinded`` True.
    hidden : tuple of (str, int)
        The (observer, session) of each reading hidden, in order.
    """

    patient_id: str
    observer: str
    session: int
    blinded: bool
    hidden: tuple[tuple[str, int], ...]

    def summary(self) -> str:
        """One sentence for the reader, naming no value."""
        if not self.blinded:
            return "Not blinded: no other reading of this patient is hidden."
        n = len(self.hidden)
        return (f"Blinded: {n} other reading{'s' if n != 1 else ''} of this patient "
                f"{'are' if n != 1 else 'is'} hidden (ROIs and values) until you save yours.")


def _keys(measurements: pd.DataFrame) -> pd.DataFrame:
    cols = ["patient_id", "observer", "session"]
    missing = [c for c in cols if c not in measurements.columns]
    if missing:
        raise InputError(f"measurements: missing column(s) {missing}; expected the table of "
                         "MeasurementStore.load()")
    return measurements[cols].drop_duplicates()


def blinding(measurements: pd.DataFrame, patient_id: str, *, observer: str,
             session: int) -> Blinding:
    """Whether `observer`'s reading of `patient_id` in `session` is made blind.

    Parameters
    ----------
    measurements : DataFrame
        The stored readings (`MeasurementStore.load`; at least ``patient_id, observer,
        session``).
    patient_id : str
    observer : str, keyword-only
    session : int, keyword-only

    Returns
    -------
    Blinding
        Blinded when the patient has a reading by someone else or in another session and this
        observer has not yet saved this session's: a second observer reading a patient already
        read, or an observer reading a patient again in a later session. Once this reading is
        saved, nothing is hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> stored = pd.DataFrame({"patient_id": ["P1"], "observer": ["AB"], "session": [1]})
    >>> blinding(stored, "P1", observer="AB", session=2).blinded
    True
    >>> blinding(stored, "P1", observer="AB", session=1).blinded
    False
    """
    keys = _keys(measurements)
    mine = keys[keys["patient_id"] == patient_id]
    own = ((mine["observer"] == observer) & (mine["session"] == int(session))).any()
    others = mine[~((mine["observer"] == observer) & (mine["session"] == int(session)))]
    hidden = tuple(sorted((str(o), int(s)) for o, s in zip(others["observer"],
                                                            others["session"], strict=True)))
    return Blinding(patient_id=patient_id, observer=observer, session=int(session),
                    blinded=bool(hidden) and not bool(own), hidden=() if own else hidden)


def reading_status(measurements: pd.DataFrame, patient_ids: Sequence[str | None], *,
                   observer: str, session: int) -> list[str]:
    """Each worklist study's status for one observer and session.

    Parameters
    ----------
    measurements : DataFrame
        The stored readings (`MeasurementStore.load`; ``series_flags`` marks flagged ones).
    patient_ids : sequence of str or None
        Each study's ID (None: no ID yet, so "not read").
    observer : str, keyword-only
    session : int, keyword-only

    Returns
    -------
    list of str
        One of `STATUSES` per study: "read" when `observer` saved a reading of it in
        `session`, "flagged" when that reading was measured on a flagged series (its
        ``series_flags``: e.g. T1 FLAIR, lossy compression), else "not read". Readings by
        other observers or in other sessions do not count.
    """
    _keys(measurements)
    own = measurements[(measurements["observer"] == observer)
                       & (measurements["session"] == int(session))]
    read = set(own["patient_id"])
    flags = own["series_flags"] if "series_flags" in own.columns else pd.Series(dtype=object)
    flagged = set(own.loc[flags.map(lambda t: isinstance(t, str) and bool(t.strip())),
                          "patient_id"]) if len(own) else set()
    return ["flagged" if pid in flagged else "read" if pid in read else "not read"
            for pid in patient_ids]


def session_seed(observer: str, session: int) -> int:
    """The seed of the shuffled order of `observer`'s repeat `session`.

    Parameters
    ----------
    observer : str
    session : int

    Returns
    -------
    int
        The first 4 bytes, big-endian, of SHA-256 of ``"vbq-worklist-order\\x00<observer>\\x00
        <session>"`` (0 to 2**32 - 1): the same observer and session always give the same
        seed, so the order is recorded by the readings themselves (their observer and
        session) and can be drawn again with `vbq.imaging.Worklist.order`.

    Examples
    --------
    >>> session_seed("AB", 2) == session_seed("AB", 2) != session_seed("AB", 3)
    True
    """
    text = f"vbq-worklist-order\x00{observer}\x00{int(session)}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "big")
