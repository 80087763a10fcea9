"""Decision curve analysis: is using a test (VBQ) or a model to decide who gets DXA worth it?

- `net_benefit`: the net benefit of one strategy ("treat if risk >= threshold probability", or a
  binary test's positives) across threshold probabilities, with "treat all" beside it and the
  interventions avoided per 100 patients (Vickers & Elkin 2006).
- `decision_curve`: several strategies on the same patients, "treat all" and "treat none"
  added, and the net-benefit difference between two of them with a seeded bootstrap band.

A threshold probability p_t is the clinician's: the risk of osteoporosis at which a DXA is
worth doing, so that ``p_t / (1 - p_t)`` is how many unneeded DXAs one is willing to do to find
one patient with osteoporosis. A VBQ score is not a probability. A rule "DXA if VBQ >= t" is a
binary test: its positives are referred whatever p_t, and its net benefit at p_t weighs its
true and false positives by the odds p_t / (1 - p_t), as Vickers & Elkin do for a binary test.
A model's risk (the combined logistic model of VBQ, age and sex) is a probability, and "DXA if
the risk >= p_t" changes with p_t.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DegenerateInputError, InputError
from ._validation import (
    as_float_1d,
    check_confidence,
    check_int,
    check_same_length,
    frozen_array,
)

__all__ = [
    "DecisionCurveResult",
    "net_benefit",
    "decision_curve",
    "TREAT_ALL",
    "TREAT_NONE",
    "DEFAULT_THRESHOLDS",
]

TREAT_ALL = "all"
"""Name of the "treat all" strategy in `decision_curve`'s frames (DXA for every patient)."""
TREAT_NONE = "none"
"""Name of the "treat none" strategy (no DXA): net benefit 0 at every threshold."""
DEFAULT_THRESHOLDS = np.round(np.arange(1, 100) / 100.0, 2)
"""Threshold probabilities 0.01, 0.02, ..., 0.99 (the open interval: at 0 and 1 the odds
p / (1 - p) are 0 or infinite)."""

_METHOD = "net benefit (Vickers & Elkin 2006)"


# --------------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------------
def _labels(y_true: Any) -> np.ndarray:
    y = as_float_1d(y_true, "y_true")
    present = y[~np.isnan(y)]
    if not np.isin(present, (0.0, 1.0)).all():
        raise InputError("y_true: expected 0/1 or True/False outcomes, got other values "
                         f"({sorted(set(np.unique(present).tolist()) - {0.0, 1.0})[:5]})")
    return y


def _risk(values: Any, name: str) -> np.ndarray:
    r = as_float_1d(values, name)
    present = r[~np.isnan(r)]
    if present.size and (present.min() < 0.0 or present.max() > 1.0):
        raise InputError(
            f"{name}: expected probabilities in [0, 1] or a test result (True/False), got values "
            f"from {present.min():g} to {present.max():g}; a VBQ score is not a probability: pass "
            "the test result (vbq >= cutoff) or a model's predicted risk")
    return r


def _thresholds(thresholds: Any) -> np.ndarray:
    t = as_float_1d(thresholds, "thresholds")
    if t.size == 0 or np.isnan(t).any() or (t <= 0.0).any() or (t >= 1.0).any():
        raise InputError("thresholds: expected threshold probabilities in the open interval "
                         f"(0, 1), got {t[:5].tolist()}{' ...' if t.size > 5 else ''}")
    return t


def _harm(value: Any, name: str = "harm") -> float:
    ok = (isinstance(value, int | float | np.integer | np.floating)
          and not isinstance(value, bool | np.bool_) and math.isfinite(value) and value >= 0)
    if not ok:
        raise InputError(f"{name}: expected a number >= 0 (net benefit units), got {value!r}")
    return float(value)


# --------------------------------------------------------------------------------------------
# kernels
# --------------------------------------------------------------------------------------------
def _positive_counts(y: np.ndarray, risk: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """(true positives, false positives) among patients with risk >= t, for every t: one sort
    and a cumulative sum, no loop over thresholds."""
    order = np.argsort(risk, kind="stable")
    r, ys = risk[order], y[order]
    events_below = np.concatenate(([0.0], np.cumsum(ys)))
    below = np.searchsorted(r, t, side="left")  # patients with risk < t
    tp = events_below[-1] - events_below[below]
    fp = (r.size - below) - tp
    return tp, fp


def _nb(tp, fp, n: int, odds: np.ndarray, harm: float) -> np.ndarray:
    return tp / n - fp / n * odds - harm


# --------------------------------------------------------------------------------------------
# one strategy
# --------------------------------------------------------------------------------------------
def net_benefit(y_true: Any, risk: Any, thresholds: Any, *, harm: float = 0.0) -> pd.DataFrame:
    """Net benefit of treating patients whose risk is at or above each threshold probability.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The outcome (osteoporosis by DXA).
    risk : array-like of float in [0, 1], or of bool
        A predicted probability, or a binary test's result (True = refer): a test's positives
        are referred at every threshold probability.
    thresholds : array-like of float
        Threshold probabilities p_t, each in the open interval (0, 1).
    harm : float, default 0.0
        Harm of the test itself, in net-benefit units (true positives per patient), subtracted
        from the strategy's net benefit, not from "treat all". 0: the MRI already exists.

    Returns
    -------
    pandas.DataFrame
        One row per threshold, in the order given: ``threshold``, ``net_benefit``,
        ``treat_all`` (net benefit of treating everybody), ``interventions_avoided`` (net
        reduction in treatments per 100 patients against treating all), ``true_positives``,
        ``false_positives``, ``n``, ``n_missing`` (patients left out for a missing outcome or
        risk) and ``harm``.

    Raises
    ------
    InputError
        Outcomes other than 0/1, risks outside [0, 1], a threshold outside (0, 1), lengths that
        differ, a negative harm.
    DegenerateInputError
        No patient with both an outcome and a risk.

    Notes
    -----
    With n patients, TP and FP the patients with risk >= p_t who do and do not have the
    outcome, and prevalence pi::

        net_benefit           = TP / n - FP / n * p_t / (1 - p_t) - harm
        treat_all             = pi - (1 - pi) * p_t / (1 - p_t)
        interventions_avoided = 100 * (net_benefit - treat_all) / (p_t / (1 - p_t))

    Validated against: the Python package dcurves 1.1.7 (``dca(..., nper=100)``) on the same
    data, and the formulas written out in the tests.

    References
    ----------
    Vickers AJ, Elkin EB. Decision curve analysis: a novel method for evaluating prediction
    models. Med Decis Making 2006;26:565-574.
    Vickers AJ, van Calster B, Steyerberg EW. A simple, step-by-step guide to interpreting
    decision curve analysis. Diagn Progn Res 2019;3:18.

    Examples
    --------
    >>> y = [1, 0, 1, 0, 0, 1, 0, 0]
    >>> risk = [0.9, 0.2, 0.6, 0.4, 0.1, 0.3, 0.7, 0.2]
    >>> net_benefit(y, risk, [0.25, 0.5])["net_benefit"].round(4).tolist()
    [0.2917, 0.125]
    """
    y = _labels(y_true)
    r = _risk(risk, "risk")
    check_same_length(("y_true", y), ("risk", r))
    t = _thresholds(thresholds)
    harm = _harm(harm)
    keep = ~(np.isnan(y) | np.isnan(r))
    n = int(keep.sum())
    if n == 0:
        raise DegenerateInputError("no patient has both an outcome and a risk")
    y, r = y[keep], r[keep]
    odds = t / (1.0 - t)
    tp, fp = _positive_counts(y, r, t)
    nb = _nb(tp, fp, n, odds, harm)
    prevalence = float(y.mean())
    treat_all = prevalence - (1.0 - prevalence) * odds
    return pd.DataFrame({
        "threshold": t, "net_benefit": nb, "treat_all": treat_all,
        "interventions_avoided": 100.0 * (nb - treat_all) / odds,
        "true_positives": tp.astype(int), "false_positives": fp.astype(int), "n": n,
        "n_missing": int(keep.size - n), "harm": harm,
    })


# --------------------------------------------------------------------------------------------
# several strategies and the difference of two
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class DecisionCurveResult:
    """Result of `decision_curve`.

    Attributes
    ----------
    curves : pandas.DataFrame
        Long: one row per strategy and threshold, with ``strategy``, ``threshold``,
        ``net_benefit``, ``interventions_avoided`` (net reduction in treatments per 100
        patients, against treating all), ``harm``. Strategies are those given, then "all" and "none".
    difference : pandas.DataFrame or None
        With `compare` = (a, b): ``threshold``, ``difference`` (net benefit of a minus b),
        ``ci_low``, ``ci_high`` (percentile bootstrap, pointwise).
    compare : tuple of str or None
    strategies : tuple of str
        Every strategy, "all" and "none" last.
    thresholds : numpy.ndarray
    harm : dict
        Harm per strategy (0 for "all" and "none").
    n, n_events, n_missing : int
        Patients analysed (complete outcome and every strategy's risk), with the outcome, and
        left out.
    n_boot, seed : int
    confidence : float
    method : str
    """

    curves: pd.DataFrame
    difference: pd.DataFrame | None
    compare: tuple[str, str] | None
    strategies: tuple[str, ...]
    thresholds: np.ndarray = field(repr=False)
    harm: dict = field(default_factory=dict)
    n: int = 0
    n_events: int = 0
    n_missing: int = 0
    n_boot: int = 0
    seed: int = 0
    confidence: float = 0.95
    method: str = _METHOD

    def to_frame(self) -> pd.DataFrame:
        """The long frame of `curves`."""
        return self.curves

    def curve(self, strategy: str) -> pd.DataFrame:
        """The rows of one strategy, one per threshold."""
        if strategy not in self.strategies:
            raise InputError(f"strategy: expected one of {self.strategies}, got {strategy!r}")
        return self.curves[self.curves["strategy"] == strategy].reset_index(drop=True)

    def useful_thresholds(self, strategy: str) -> np.ndarray:
        """Thresholds at which `strategy` has a higher net benefit than both treating all and
        treating none."""
        nb = self.curve(strategy)["net_benefit"].to_numpy()
        best_default = np.maximum(self.curve(TREAT_ALL)["net_benefit"].to_numpy(), 0.0)
        return self.thresholds[nb > best_default]

    def summary(self) -> str:
        lines = [f"Decision curves on {self.n} patients ({self.n_events} with the outcome, "
                 f"{self.n_missing} left out), thresholds {self.thresholds.min():g} to "
                 f"{self.thresholds.max():g}; {self.method}"]
        for s in self.strategies[:-2]:
            useful = self.useful_thresholds(s)
            span = (f"{useful.min():g} to {useful.max():g}" if useful.size else "none")
            lines.append(f"  {s} (harm {self.harm[s]:g}): better than all and none at "
                         f"{useful.size} threshold(s), {span}")
        if self.difference is not None:
            lines.append(f"  difference {self.compare[0]} - {self.compare[1]}: "
                         f"{self.n_boot} bootstrap resamples, seed {self.seed}, "
                         f"{100 * self.confidence:g}% percentile band")
        return "\n".join(lines)


def _strategy_arrays(strategies: Any, n: int) -> dict[str, np.ndarray]:
    if not isinstance(strategies, Mapping) or not strategies:
        raise InputError("strategies: expected a non-empty mapping of names to risks or test "
                         f"results, got {type(strategies).__name__}")
    out = {}
    for name, values in strategies.items():
        if not isinstance(name, str) or name in (TREAT_ALL, TREAT_NONE) or not name.strip():
            raise InputError(f"strategies: names must be non-empty strings other than "
                             f"{TREAT_ALL!r} and {TREAT_NONE!r} (added by themselves), got "
                             f"{name!r}")
        r = _risk(values, f"strategies[{name!r}]")
        if r.size != n:
            raise InputError(f"strategies[{name!r}]: expected {n} values (one per patient of "
                             f"y_true), got {r.size}")
        out[name] = r
    return out


def _harms(harm: Any, names: list[str]) -> dict[str, float]:
    if isinstance(harm, Mapping):
        unknown = set(harm) - set(names)
        if unknown:
            raise InputError(f"harm: unknown strategies {sorted(map(str, unknown))}; expected "
                             f"some of {names}")
        out = {s: _harm(harm.get(s, 0.0), f"harm[{s!r}]") for s in names}
    else:
        h = _harm(harm)
        out = dict.fromkeys(names, h)
    out[TREAT_ALL] = out[TREAT_NONE] = 0.0
    return out


def _check_compare(compare: Any, names: tuple[str, ...]) -> tuple[str, str] | None:
    if compare is None:
        return None
    ok = (isinstance(compare, tuple | list) and len(compare) == 2
          and all(isinstance(c, str) and c in names for c in compare)
          and compare[0] != compare[1])
    if not ok:
        raise InputError(f"compare: expected two different strategies among {names}, got "
                         f"{compare!r}")
    return (compare[0], compare[1])


def _indicators(y: np.ndarray, r: np.ndarray, t: np.ndarray, odds: np.ndarray) -> np.ndarray:
    """Per patient and threshold, the patient's contribution to n x net benefit (without the
    harm): +1 for a true positive, -odds for a false positive, 0 when not treated; "all" is
    risk 1, "none" risk 0."""
    treated = r[:, None] >= t[None, :]
    return np.where(treated, np.where(y[:, None] == 1.0, 1.0, -odds[None, :]), 0.0)


def _risk_of(name: str, risks: dict, n: int) -> np.ndarray:
    if name == TREAT_ALL:
        return np.ones(n)
    if name == TREAT_NONE:
        return np.zeros(n)
    return risks[name]


def _bootstrap_difference(y, risks, t, odds, compare, harms, *, n_boot, seed, confidence):
    """Percentile band of NB(a) - NB(b) over `n_boot` resamples of patients (the same
    resample for both strategies: the comparison is paired). Resample b is
    ``numpy.random.default_rng(seed).integers(0, n, size=(n_boot, n))[b]``; the weights are how
    often each patient was drawn, so NB of a resample is weights @ contributions / n."""
    n = y.size
    a, b = compare
    contrib = (_indicators(y, _risk_of(a, risks, n), t, odds)
               - _indicators(y, _risk_of(b, risks, n), t, odds))
    point = contrib.sum(axis=0) / n - harms[a] + harms[b]
    draws = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    weights = np.zeros((n_boot, n))
    np.add.at(weights, (np.repeat(np.arange(n_boot), n), draws.ravel()), 1.0)
    boot = weights @ contrib / n - harms[a] + harms[b]
    alpha = 1.0 - confidence
    low, high = np.quantile(boot, [alpha / 2.0, 1.0 - alpha / 2.0], axis=0)
    return pd.DataFrame({"threshold": t, "difference": point, "ci_low": low, "ci_high": high})


def decision_curve(
    y_true: Any,
    strategies: Mapping[str, Any],
    *,
    thresholds: Any = DEFAULT_THRESHOLDS,
    harm: float | Mapping[str, float] = 0.0,
    compare: tuple[str, str] | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> DecisionCurveResult:
    """Decision curves of several strategies on the same patients, with "treat all" and "treat
    none", and the net-benefit difference of two strategies with a bootstrap band.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The outcome (osteoporosis by DXA).
    strategies : mapping of str to array-like
        {name: risks in [0, 1] or a binary test's results}, aligned with `y_true`. A rule such
        as "DXA if VBQ >= 2.9" is passed as the boolean ``vbq >= 2.9``; a model as its
        predicted risk. The names "all" and "none" are reserved: those strategies are added.
    thresholds : array-like of float, default 0.01, 0.02, ..., 0.99
        Threshold probabilities, in (0, 1).
    harm : float or mapping of str to float, default 0.0
        Harm of each strategy's test in net-benefit units (one number for all, or per
        strategy); "all" and "none" use no test and have none.
    compare : tuple of two str, optional
        (a, b): the net benefit of a minus that of b with a bootstrap band; either may be "all"
        or "none".
    n_boot : int, default 1000
        Bootstrap resamples for the band (at least 100).
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` for the resamples.
    confidence : float, default 0.95
        Level of the percentile band.

    Returns
    -------
    DecisionCurveResult

    Raises
    ------
    InputError
        Bad outcomes, risks, thresholds, harm, names or `compare`.
    DegenerateInputError
        No patient with the outcome and every strategy's value.

    Notes
    -----
    Patients missing the outcome or any strategy's value are left out of every curve, so that
    all curves are on the same patients (counted in ``n_missing``). Net benefit and
    interventions avoided are as in `net_benefit`. The band resamples patients with
    replacement (Efron's nonparametric bootstrap) and takes percentiles of the resampled
    differences at each threshold; it is pointwise, not a band for the whole curve.

    Validated against: dcurves 1.1.7 ``dca`` for every curve, and a plainly written loop of
    resamples for the band (tests/stats/test_decision.py).

    References
    ----------
    Vickers AJ, Elkin EB. Med Decis Making 2006;26:565-574.
    Vickers AJ, Cronin AM, Elkin EB, Gonen M. Extensions to decision curve analysis, a novel
    method for evaluating diagnostic tests, prediction models and molecular markers. BMC Med
    Inform Decis Mak 2008;8:53 (the bootstrap of net benefit).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> y = rng.random(200) < 0.25
    >>> vbq = 2.7 + 0.4 * y + rng.normal(0, 0.4, 200)
    >>> res = decision_curve(y, {"VBQ >= 2.9": vbq >= 2.9}, thresholds=[0.1, 0.2],
    ...                      compare=("VBQ >= 2.9", "all"), n_boot=200)
    >>> res.strategies
    ('VBQ >= 2.9', 'all', 'none')
    """
    y = _labels(y_true)
    risks = _strategy_arrays(strategies, y.size)
    t = _thresholds(thresholds)
    names = list(risks)
    harms = _harms(harm, names)
    all_names = (*names, TREAT_ALL, TREAT_NONE)
    pair = _check_compare(compare, all_names)
    n_boot = check_int(n_boot, "n_boot", minimum=100)
    seed = check_int(seed, "seed", minimum=0)
    confidence = check_confidence(confidence)
    keep = ~np.isnan(y)
    for r in risks.values():
        keep &= ~np.isnan(r)
    n = int(keep.sum())
    if n == 0:
        raise DegenerateInputError("no patient has the outcome and every strategy's value")
    y = y[keep]
    risks = {k: v[keep] for k, v in risks.items()}
    odds = t / (1.0 - t)
    frames = []
    for name in all_names:
        tp, fp = _positive_counts(y, _risk_of(name, risks, n), t)
        frames.append(pd.DataFrame({"strategy": name, "threshold": t,
                                    "net_benefit": _nb(tp, fp, n, odds, harms[name])}))
    curves = pd.concat(frames, ignore_index=True)
    treat_all = np.tile(curves.loc[curves["strategy"] == TREAT_ALL, "net_benefit"].to_numpy(),
                        len(all_names))
    curves["interventions_avoided"] = 100.0 * (curves["net_benefit"] - treat_all) / np.tile(
        odds, len(all_names))
    curves["harm"] = curves["strategy"].map(harms)
    difference = None
    if pair is not None:
        difference = _bootstrap_difference(y, risks, t, odds, pair, harms, n_boot=n_boot,
                                           seed=seed, confidence=confidence)
    return DecisionCurveResult(
        curves=curves, difference=difference, compare=pair, strategies=all_names,
        thresholds=frozen_array(t), harm=harms, n=n, n_events=int(y.sum()),
        n_missing=int(keep.size - n), n_boot=n_boot, seed=seed, confidence=confidence,
    )
