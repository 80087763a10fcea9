"""Decision curves of the cohort: is using VBQ to decide who gets DXA worth it?

`decision_study` composes `vbq.stats.decision_curve` on a prepared table, as `vbq.study` does
for the paper's tables, so the Decide page, the report and a notebook draw the same curves.

Strategies, for the condition chosen (osteoporosis by DXA, say):

* "all": DXA for every patient; "none": DXA for nobody;
* "vbq": DXA if VBQ >= the cut-off. A VBQ score is not a probability: the rule is a binary
  test, its positives referred whatever the threshold probability, and its net benefit at each
  threshold probability p_t is TP/n - FP/n * p_t / (1 - p_t) (Vickers & Elkin 2006);
* "model": DXA if the risk of the combined logistic model (VBQ, age, sex;
  `vbq.stats.combined_marker`) is at or above p_t. The risk is the model's apparent one, fitted
  on the same patients, so its curve is optimistic; the C statistic it would have on new
  patients is the cross-validated one the ROC page shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import DegenerateInputError, InputError
from .stats import DecisionCurveResult, combined_marker, decision_curve
from .stats.decision import DEFAULT_THRESHOLDS
from .study import COMBINED_PREDICTORS, roc_subset

__all__ = ["DecisionStudy", "decision_study", "STRATEGIES"]

STRATEGIES = ("vbq", "model", "all", "none")
"""Keys of the strategies `decision_study` draws (`vbq.present.strategy_label` names them)."""


@dataclass(frozen=True, eq=False)
class DecisionStudy:
    """Result of `decision_study`.

    Attributes
    ----------
    result : vbq.stats.DecisionCurveResult
        The curves (strategies "vbq", "model" when it could be fitted, "all", "none") and the
        difference of the compared pair with its bootstrap band.
    group, target : str
    vbq_cutoff : float
        The cut-off of the "vbq" strategy (VBQ >= cut-off: DXA).
    model : CombinedMarkerResult or None
        The logistic model behind "model" (None when it could not be fitted).
    errors : dict
        {strategy: why it is not drawn}; never silent.
    """

    result: DecisionCurveResult
    group: str
    target: str
    vbq_cutoff: float
    model: object = None
    errors: dict = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"Decision curves for {self.target} ({self.group} patients), DXA if VBQ >= "
                 f"{self.vbq_cutoff:g}", self.result.summary()]
        lines += [f"{k}: not drawn ({why})" for k, why in self.errors.items()]
        return "\n".join(lines)


def _model_risk(y: np.ndarray, rows: pd.DataFrame, errors: dict, *, seed: int):
    missing = [c for c in COMBINED_PREDICTORS if c not in rows.columns]
    if missing:
        errors["model"] = f"the model needs the column(s) {missing}"
        return None, None
    try:
        model = combined_marker(y, rows.loc[:, list(COMBINED_PREDICTORS)], seed=seed)
    except (InputError, DegenerateInputError) as exc:
        errors["model"] = str(exc)
        return None, None
    return 1.0 / (1.0 + np.exp(-model.linear_predictor)), model


def decision_study(table: pd.DataFrame, *, vbq_cutoff: float, group: str = "all",
                   target: str = "osteoporosis", thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
                   harm: float | Mapping[str, float] = 0.0,
                   compare: tuple[str, str] | None = ("vbq", "all"), model: bool = True,
                   n_boot: int = 1000, seed: int = 0) -> DecisionStudy:
    """Decision curves of DXA for all, for none, if VBQ >= `vbq_cutoff`, and by the combined
    model's risk, for a DXA target in a group of the prepared table.

    Parameters
    ----------
    table : DataFrame
        Prepared table (`vbq.prepare_cohort(...).table`).
    vbq_cutoff : float, keyword-only
        The VBQ cut-off of the "vbq" strategy (the threshold in force, say).
    group : {"all", "control", "degenerative"}, keyword-only
    target : {"osteoporosis", "osteopenia_or_worse"}, keyword-only
    thresholds : sequence of float, keyword-only
        Threshold probabilities, in (0, 1).
    harm : float or mapping, keyword-only
        Harm of using the test, in net-benefit units (0: the MRI already exists); a mapping
        gives it per strategy ("vbq", "model").
    compare : tuple of two str or None, keyword-only
        The pair whose net-benefit difference gets a bootstrap band (keys of `STRATEGIES`).
    model : bool, keyword-only
        Draw the combined model's strategy.
    n_boot, seed : int, keyword-only
        Bootstrap resamples and seed of the band (and of the model's cross-validation).

    Returns
    -------
    DecisionStudy

    Raises
    ------
    InputError
        Unknown group or target, no VBQ column, a bad argument of `decision_curve`.
    DegenerateInputError
        No patient with a VBQ and a DXA status.
    """
    if "vbq" not in table.columns:
        raise InputError("the decision curves need VBQ values (column 'vbq')")
    y, rows = roc_subset(table, group, target, columns=["vbq", *COMBINED_PREDICTORS])
    values = rows["vbq"].to_numpy(dtype=float, na_value=np.nan)
    test = np.where(np.isnan(values), np.nan, (values >= float(vbq_cutoff)).astype(float))
    strategies: dict = {"vbq": test}
    errors: dict = {}
    fitted = None
    if model:
        risk, fitted = _model_risk(y, rows, errors, seed=seed)
        if risk is not None:
            strategies["model"] = risk
    if compare is not None and any(c not in (*strategies, "all", "none") for c in compare):
        compare = ("vbq", "all")  # the model could not be fitted: compare what is drawn
    if isinstance(harm, Mapping):
        harm = {k: v for k, v in harm.items() if k in strategies}
    result = decision_curve(y, strategies, thresholds=thresholds, harm=harm, compare=compare,
                            n_boot=n_boot, seed=seed)
    return DecisionStudy(result=result, group=group, target=target,
                         vbq_cutoff=float(vbq_cutoff), model=fitted, errors=errors)
