"""Would the loaded cohort have been large enough? Sample-size results of `vbq.stats`
(`sample_size_accuracy`, `sample_size_auc`, `sample_size_auc_difference`,
`sample_size_prediction_model`) set against the patients of a prepared table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import InputError
from .stats import (
    AccuracySampleSize,
    AUCDifferenceSampleSize,
    AUCSampleSize,
    PredictionModelSampleSize,
)
from .study import roc_subset

__all__ = ["CohortSize", "CohortCheck", "cohort_size", "check_cohort"]


@dataclass(frozen=True)
class CohortSize:
    """Patients of the cohort that a study of VBQ against DXA could use.

    Attributes
    ----------
    group, target : str
    n : int
        Patients of the group with a VBQ and a DXA status.
    n_cases, n_controls : int
        Those with and without the target condition by DXA.
    """

    group: str
    target: str
    n: int
    n_cases: int
    n_controls: int


def cohort_size(table: pd.DataFrame, *, group: str = "all",
                target: str = "osteoporosis") -> CohortSize:
    """Patients with a VBQ and a DXA status in `group`, split by the DXA `target`.

    Parameters
    ----------
    table : DataFrame
        Prepared table (`vbq.prepare_cohort(...).table`).
    group : {"all", "control", "degenerative"}, keyword-only
    target : {"osteoporosis", "osteopenia_or_worse"}, keyword-only

    Returns
    -------
    CohortSize
    """
    y, rows = roc_subset(table, group, target, columns=["vbq"])
    status = rows["dxa_status"].notna().to_numpy()
    vbq = (rows["vbq"].notna().to_numpy() if "vbq" in rows.columns
           else np.zeros(len(rows), dtype=bool))
    keep = status & vbq
    cases = int((y & keep).sum())
    return CohortSize(group=group, target=target, n=int(keep.sum()), n_cases=cases,
                      n_controls=int(keep.sum()) - cases)


@dataclass(frozen=True)
class CohortCheck:
    """Whether a cohort meets a sample-size requirement.

    Attributes
    ----------
    enough : bool
    needed_cases, needed_controls : int or None
        Cases and controls the requirement asks for (None where it counts patients and
        events instead).
    needed_total, needed_events : int or None
        Patients and events (the prediction model); None otherwise.
    have : CohortSize
    short_by : int
        Patients still missing in the scarcest group (0 when enough).
    """

    enough: bool
    needed_cases: int | None
    needed_controls: int | None
    needed_total: int | None
    needed_events: int | None
    have: CohortSize
    short_by: int


def check_cohort(result, have: CohortSize) -> CohortCheck:
    """Set a sample-size result against the cohort.

    Parameters
    ----------
    result : AccuracySampleSize, AUCSampleSize, AUCDifferenceSampleSize or PredictionModelSampleSize
        For accuracy and AUCs the cohort needs the cases and controls asked for (for two
        independent samples, those of one sample: the cohort is one of them); for a prediction
        model, the patients and the events.
    have : CohortSize

    Returns
    -------
    CohortCheck

    Raises
    ------
    InputError
        `result` is not one of the sample-size results.
    """
    if isinstance(result, PredictionModelSampleSize):
        short = max(result.n_total - have.n, result.n_events - have.n_cases, 0)
        return CohortCheck(enough=short == 0, needed_cases=None, needed_controls=None,
                           needed_total=result.n_total, needed_events=result.n_events,
                           have=have, short_by=short)
    if isinstance(result, AccuracySampleSize | AUCSampleSize | AUCDifferenceSampleSize):
        short = max(result.n_cases - have.n_cases, result.n_controls - have.n_controls, 0)
        return CohortCheck(enough=short == 0, needed_cases=result.n_cases,
                           needed_controls=result.n_controls, needed_total=None,
                           needed_events=None, have=have, short_by=short)
    raise InputError(f"result: expected a sample-size result of vbq.stats, got "
                     f"{type(result).__name__}")
