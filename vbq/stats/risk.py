"""A clinical prediction model of DXA osteoporosis on VBQ, age and sex (HU optional), with its
internal validation as TRIPOD+AI asks (`risk_model`).

The model is an unpenalized logistic regression; its performance (C statistic, calibration slope,
calibration-in-the-large, Brier score) is reported on the development data (apparent) and
corrected for optimism by the Efron-Harrell bootstrap, as ``rms::validate`` does; the smoothed
calibration curve is ``rms::calibrate``'s (lowess, apparent and bias-corrected). A frozen result
predicts a new patient's probability with its confidence interval.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from vbq.errors import DegenerateInputError, InputError

from ._lowess import lowess_sorted
from ._roc_kernels import _delong_group_placements, _group_counts, _prepare
from ._threads import one_blas_thread
from ._validation import as_float_1d, check_confidence, check_int, check_same_length
from .combined import _fit_logit
from .sample_size import sample_size_prediction_model

__all__ = [
    "RiskModelResult",
    "risk_model",
]

MEASURES = ("c_statistic", "calibration_slope", "calibration_in_the_large", "brier")
"""The performance measures of `RiskModelResult.performance`, in its row order."""


# --------------------------------------------------------------------------------------------
# the result
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class RiskModelResult:
    """Result of `risk_model`.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        One row per term (``intercept`` then the design terms): term, estimate (log-odds),
        ci_low, ci_high (Wald), odds_ratio, or_ci_low, or_ci_high, statistic (Wald z), p_value,
        n, method.
    performance : pandas.DataFrame
        One row per measure (``c_statistic``, ``calibration_slope``,
        ``calibration_in_the_large``, ``brier``): measure, apparent, optimism, corrected,
        n_boot (resamples used), method.
    calibration_curve : pandas.DataFrame
        predicted (50 probabilities from the 5th smallest to the 5th largest fitted one),
        observed (apparent lowess curve) and observed_corrected (bias-corrected), as
        ``rms::calibrate``.
    predictors : tuple of str
        The input columns, in order.
    terms : tuple of str
        The design terms (a categorical column ``sex`` with levels F, M gives ``sex_M``).
    levels : dict
        For each categorical predictor, its levels (the first is the reference).
    ranges : dict
        For each numeric predictor, the (min, max) of the development data.
    n, n_events, n_missing : int
        Patients analysed, of them with the outcome, and left out for a missing value.
    missing_by_predictor : dict
        Patients with a missing value in each input column (and ``outcome``).
    n_parameters : int
        Regression coefficients besides the intercept.
    events_per_parameter : float
        min(events, non-events) / n_parameters.
    riley_n_required, riley_events_required : int
        Riley et al.'s minimum sample size (and its events) for this model, from the
        optimism-corrected C statistic, the observed prevalence and `n_parameters`, with a
        target shrinkage of 0.9.
    meets_riley_minimum : bool
        ``n >= riley_n_required``.
    n_boot, n_boot_failed, seed : int
        Resamples asked for, of them whose model could not be fitted (left out, as rms does),
        and the seed of ``numpy.random.default_rng``.
    confidence : float
    params, covariance : numpy.ndarray
        The estimates (intercept first) and their covariance (inverse information).
    linear_predictor : numpy.ndarray
        Fitted log-odds per input row (NaN where a value was missing).
    outcome : numpy.ndarray
        The outcome per input row as 0.0/1.0 (NaN where the patient was left out).
    """

    coefficients: pd.DataFrame
    performance: pd.DataFrame
    calibration_curve: pd.DataFrame
    predictors: tuple[str, ...]
    terms: tuple[str, ...]
    levels: dict
    ranges: dict
    n: int
    n_events: int
    n_missing: int
    missing_by_predictor: dict
    n_parameters: int
    events_per_parameter: float
    riley_n_required: int
    riley_events_required: int
    meets_riley_minimum: bool
    n_boot: int
    n_boot_failed: int
    seed: int
    confidence: float
    params: np.ndarray = field(repr=False)
    covariance: np.ndarray = field(repr=False)
    linear_predictor: np.ndarray = field(repr=False)
    outcome: np.ndarray = field(repr=False)

    def _measure(self, name: str, column: str) -> float:
        return float(self.performance.set_index("measure").loc[name, column])

    @property
    def c_statistic(self) -> float:
        """Apparent C statistic (AUC of the fitted risks on the development data)."""
        return self._measure("c_statistic", "apparent")

    @property
    def c_statistic_corrected(self) -> float:
        """Optimism-corrected C statistic (Efron-Harrell bootstrap)."""
        return self._measure("c_statistic", "corrected")

    @property
    def calibration_slope_corrected(self) -> float:
        """Optimism-corrected calibration slope (the apparent one is 1 by construction)."""
        return self._measure("calibration_slope", "corrected")

    @property
    def brier(self) -> float:
        """Apparent Brier score."""
        return self._measure("brier", "apparent")

    @property
    def prevalence(self) -> float:
        """Proportion of the analysed patients with the outcome."""
        return self.n_events / self.n

    def predict(self, patients: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
        """Probability of the outcome for new patients, with its confidence interval.

        Parameters
        ----------
        patients : pandas.DataFrame or mapping
            One column (or key) per predictor; a mapping of scalars is one patient.

        Returns
        -------
        pandas.DataFrame
            One row per patient: probability, ci_low, ci_high, linear_predictor, se (of the
            linear predictor), outside_range (a numeric value outside the development data's
            range: the model extrapolates there).

        Raises
        ------
        InputError
            A predictor missing, a value missing or not a number, or a level the model has not
            seen.

        Notes
        -----
        The CI is computed on the log-odds and transformed back (delta method on the linear
        predictor): eta = x'b, se(eta) = sqrt(x' V x) with V the inverse information,
        p = expit(eta), CI = expit(eta -/+ z se). It stays within (0, 1). It is the CI of the
        risk of patients like this one (the model's uncertainty), not a range for the outcome.
        """
        frame = _as_patients(patients, self.predictors)
        design, outside = _encode_new(frame, self.predictors, self.levels, self.ranges)
        eta = design @ self.params
        se = np.sqrt(np.einsum("ij,jk,ik->i", design, self.covariance, design))
        z = stats.norm.ppf(0.5 + self.confidence / 2)
        return pd.DataFrame(
            {
                "probability": special.expit(eta),
                "ci_low": special.expit(eta - z * se),
                "ci_high": special.expit(eta + z * se),
                "linear_predictor": eta,
                "se": se,
                "outside_range": outside,
            },
            index=frame.index,
        )

    def to_frame(self) -> pd.DataFrame:
        """Coefficients, then the performance measures (estimate = optimism-corrected)."""
        perf = pd.DataFrame(
            {
                "term": self.performance["measure"],
                "estimate": self.performance["corrected"],
                "n": self.n,
                "method": self.performance["method"],
            }
        )
        return pd.concat([self.coefficients, perf], ignore_index=True)

    def summary(self) -> str:
        """Readable text."""
        meets = "meets" if self.meets_riley_minimum else "is below"
        return (
            f"Logistic model on {', '.join(self.terms)} ({self.n} patients, {self.n_events} with "
            f"the outcome, {self.n_missing} left out for a missing value): C statistic "
            f"{self.c_statistic:.3f} apparent, {self.c_statistic_corrected:.3f} corrected for "
            f"optimism ({self.n_boot - self.n_boot_failed} bootstrap resamples, seed "
            f"{self.seed}); calibration slope {self.calibration_slope_corrected:.3f} corrected; "
            f"{self.events_per_parameter:.1f} events per parameter; the sample {meets} Riley "
            f"et al.'s minimum of {self.riley_n_required} patients."
        )


# --------------------------------------------------------------------------------------------
# encoding the predictors
# --------------------------------------------------------------------------------------------
def _is_numeric(s: pd.Series) -> bool:
    return s.dtype.kind in "biuf" or pd.api.types.is_bool_dtype(s.dtype)


def _levels_and_ranges(X: pd.DataFrame) -> tuple[dict, dict]:
    """Levels of each categorical column (sorted; the first is the reference) and the range of
    each numeric one, from the complete cases."""
    levels, ranges = {}, {}
    for col in X.columns:
        s = X[col]
        if _is_numeric(s):
            v = s.to_numpy(dtype=float)
            ranges[col] = (float(v.min()), float(v.max()))
        else:
            cats = (s.cat.categories[s.cat.categories.isin(s.unique())] if
                    isinstance(s.dtype, pd.CategoricalDtype) else sorted(s.unique(), key=str))
            levels[col] = tuple(cats)
    return levels, ranges


def _design(X: pd.DataFrame, predictors, levels: dict) -> tuple[np.ndarray, tuple[str, ...]]:
    """Intercept, then each predictor: numeric as it is, categorical as 0/1 columns for every
    level but the first (pandas.get_dummies' drop_first naming, ``sex_M``)."""
    cols, terms = [np.ones(len(X))], []
    for col in predictors:
        if col in levels:
            values = X[col].to_numpy(dtype=object)
            for level in levels[col][1:]:
                cols.append((values == level).astype(float))
                terms.append(f"{col}_{level}")
        else:
            cols.append(X[col].to_numpy(dtype=float))
            terms.append(str(col))
    return np.column_stack(cols), tuple(terms)


def _as_patients(patients: Any, predictors) -> pd.DataFrame:
    if isinstance(patients, Mapping):
        try:
            frame = pd.DataFrame({k: np.atleast_1d(v) for k, v in patients.items()})
        except ValueError as exc:
            raise InputError(f"patients: the values must be scalars or arrays of one length: "
                             f"{exc}") from exc
    elif isinstance(patients, pd.DataFrame):
        frame = patients
    else:
        raise InputError(f"patients: expected a DataFrame or a mapping of predictor to value, "
                         f"got {type(patients).__name__}")
    missing = [p for p in predictors if p not in frame.columns]
    if missing:
        raise InputError(f"patients: missing predictor(s) {missing}; the model uses "
                         f"{list(predictors)}")
    return frame


def _encode_new(frame: pd.DataFrame, predictors, levels: dict, ranges: dict):
    """Design matrix of new patients and whether each lies outside the development ranges."""
    outside = np.zeros(len(frame), dtype=bool)
    for col in predictors:
        if col in levels:
            bad = ~frame[col].isin(levels[col]).to_numpy()
            if bad.any():
                raise InputError(f"{col}: expected one of {list(levels[col])}, got "
                                 f"{frame[col][bad].iloc[0]!r}")
        else:
            try:
                v = frame[col].to_numpy(dtype=float)
            except (TypeError, ValueError) as exc:
                raise InputError(f"{col}: expected a number: {exc}") from exc
            if np.isnan(v).any():
                raise InputError(f"{col}: a value is missing")
            lo, hi = ranges[col]
            outside |= (v < lo) | (v > hi)
    design, _ = _design(frame, predictors, levels)
    return design, outside


# --------------------------------------------------------------------------------------------
# performance measures and the Efron-Harrell bootstrap
# --------------------------------------------------------------------------------------------
def _bootstrap_indices(n: int, n_boot: int, seed: int) -> np.ndarray:
    """The resamples (rows of 0-based indices), drawn with ``numpy.random.default_rng(seed)``:
    one source, so that tests/reference can hand the same resamples to R."""
    return np.random.default_rng(seed).integers(0, n, size=(n_boot, n))


def _auc(y: np.ndarray, lp: np.ndarray) -> float:
    return _delong_group_placements(_group_counts(y, lp))[2]


def _citl(y: np.ndarray, lp: np.ndarray) -> float:
    """Calibration-in-the-large: a in logit P(y) = a + offset(lp), the root of the score
    sum(y - expit(a + lp)) = 0 (monotone in a; brentq on a bracket that widens until it holds)."""
    def score(a: float) -> float:
        return float(np.sum(y - special.expit(a + lp)))

    width = 8.0
    while score(-width) * score(width) > 0 and width < 1e3:
        width *= 2
    return optimize.brentq(score, -width, width, xtol=1e-14)


def _newton_logit_stack(y: np.ndarray, X: np.ndarray, *, tol: float = 1e-10,
                        max_iter: int = 50) -> np.ndarray:
    """Maximum-likelihood logistic coefficients by Newton-Raphson from zero, for a stack of
    problems at once: outcomes ``y`` (B, n), designs ``X`` (B, n, p) -> estimates (B, p), a row
    of NaN where a problem has no estimate.

    Written out for the bootstrap's 2 x n_boot refits: statsmodels' ``Logit`` (used for the
    reported model, with its Wald inference) spent 10 ms a fit in building the model and
    checking for perfect prediction. Each problem takes the steps it would take alone (from
    zero, stopping once its largest step is under `tol`); separation shows as non-finite
    estimates or no convergence in `max_iter` steps, and a singular information matrix, either
    of which leaves the problem (the resample) out. One Newton iteration serves the whole stack
    with batched matrix products: 200 refits of the demo's model took 0.1 s one at a time and
    take 0.02 s so (issue 21). The estimates agree with one-at-a-time refits to rounding
    (test_risk.py, against a slow loop) and with rms through the tests of `risk_model`."""
    beta = np.zeros(X.shape[::2])
    failed = np.zeros(len(beta), dtype=bool)
    active = np.arange(len(beta))
    for _ in range(max_iter):
        if not active.size:
            return np.where(failed[:, None], np.nan, beta)
        Xa = X[active]
        Xt = Xa.transpose(0, 2, 1)
        p = special.expit(Xa @ beta[active][:, :, None])[:, :, 0]
        hessian = (Xt * (p * (1.0 - p))[:, None, :]) @ Xa
        score = (Xt @ (y[active] - p)[:, :, None])[:, :, 0]
        step, singular = _solve_stack(hessian, score)
        beta[active] = beta[active] + step
        moving = ~singular & np.all(np.isfinite(beta[active]), axis=1)
        failed[active[~moving]] = True
        active = active[moving & ~(np.max(np.abs(step), axis=1) < tol)]
    failed[active] = True  # no convergence in max_iter steps (separation)
    return np.where(failed[:, None], np.nan, beta)


def _solve_stack(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solutions of the systems a[i] x = b[i] and which of them are singular (solution NaN)."""
    try:
        return np.linalg.solve(a, b[..., None])[..., 0], np.zeros(len(a), dtype=bool)
    except np.linalg.LinAlgError:  # one of them: solved one by one to know which
        out, singular = np.full(b.shape, np.nan), np.zeros(len(a), dtype=bool)
        for i in range(len(a)):
            try:
                out[i] = np.linalg.solve(a[i], b[i])
            except np.linalg.LinAlgError:
                singular[i] = True
        return out, singular


def _test_measures(y: np.ndarray, lp: np.ndarray, slope: float) -> np.ndarray:
    """C statistic, calibration slope, calibration-in-the-large and Brier score of the
    linear predictor `lp` on outcomes `y` (rms ``validate.lrm``'s test-sample measures); the
    slope (of logit P(y) on `lp`) is fitted by the caller, for all resamples at once."""
    brier = float(np.mean((special.expit(lp) - y) ** 2))
    return np.array([_auc(y, lp), float(slope), _citl(y, lp), brier])


def _train_measures(y: np.ndarray, lp: np.ndarray) -> np.ndarray:
    """The same measures on the sample the model was fitted to: slope 1 and intercept 0 by
    construction of the maximum-likelihood fit (rms sets them so, without a refit)."""
    return np.array([_auc(y, lp), 1.0, 0.0, float(np.mean((special.expit(lp) - y) ** 2))])


def _calibration_grid(p: np.ndarray) -> np.ndarray:
    """rms::calibrate's default `predy`: 50 points from the 5th smallest to the 5th largest
    fitted probability."""
    s = np.sort(p)
    return np.linspace(s[4], s[-5], 50)


def _smoothed(p: np.ndarray, y: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Observed proportion against predicted probability at `grid`: R's ``lowess(p, y,
    iter = 0)`` (f = 2/3, delta = 1% of the range, R's defaults; `._lowess.lowess_sorted`,
    statsmodels' ``lowess(..., it=0)`` to the last bit, all points of a curve at once) read off
    by linear interpolation, NaN outside the smoothed range (R's ``approx(..., ties =
    function(x) x[1])`` as ``rms::calibrate`` calls it)."""
    fitted = lowess_sorted(y, p, frac=2.0 / 3.0, delta=0.01 * float(np.ptp(p)))
    x, first = np.unique(fitted[:, 0], return_index=True)
    return np.interp(grid, x, fitted[first, 1], left=np.nan, right=np.nan)


def _refits(y: np.ndarray, X: np.ndarray, rows: np.ndarray):
    """The model refitted on each resample (rows of `rows`) and the calibration slope of each
    refit on the original data: (estimates (B, p), slopes (B,)), NaN where a fit fails (one
    outcome class in the resample, separation, no convergence), as rms leaves such resamples
    out."""
    yb = y[rows]
    both = yb.min(axis=1) != yb.max(axis=1)
    beta = np.full((len(rows), X.shape[1]), np.nan)
    beta[both] = _newton_logit_stack(yb[both], X[rows[both]])
    fitted = np.all(np.isfinite(beta), axis=1)
    lp_test = beta[fitted] @ X.T
    slopes = np.full(len(rows), np.nan)
    design = np.stack([np.ones_like(lp_test), lp_test], axis=2)
    slopes[fitted] = _newton_logit_stack(np.broadcast_to(y, lp_test.shape), design)[:, 1]
    return beta, slopes


def _resample(y: np.ndarray, X: np.ndarray, rows: np.ndarray, beta: np.ndarray, slope: float,
              grid: np.ndarray):
    """Training and test measures, and calibration errors, of one bootstrap resample whose
    refit is `beta` (and calibration slope on the original data `slope`)."""
    yb, Xb = y[rows], X[rows]
    lp_train, lp_test = Xb @ beta, X @ beta
    test = _test_measures(y, lp_test, slope)
    train = _train_measures(yb, lp_train)
    cal_train = _smoothed(special.expit(lp_train), yb, grid) - grid
    cal_test = _smoothed(special.expit(lp_test), y, grid) - grid
    return train, test, cal_train, cal_test


def _optimism(y, X, lp, n_boot, seed):
    """Efron-Harrell optimism of each measure and of the calibration curve, averaged over the
    resamples whose measure is defined (as rms's predab.resample), with the apparent values."""
    grid = _calibration_grid(special.expit(lp))
    apparent = _train_measures(y, lp)
    curve = _smoothed(special.expit(lp), y, grid)
    resamples = _bootstrap_indices(y.size, n_boot, seed)
    betas, slopes = _refits(y, X, resamples)
    ok = [_resample(y, X, rows, beta, slope, grid)
          for rows, beta, slope in zip(resamples, betas, slopes, strict=True)
          if np.isfinite(slope)]
    if len(ok) < max(10, n_boot // 2):
        raise DegenerateInputError(
            f"the model could be refitted on only {len(ok)} of {n_boot} bootstrap resamples "
            f"(separation or too few patients with the outcome): no optimism correction")
    train, test, cal_train, cal_test = (np.array(a) for a in zip(*ok, strict=True))
    optimism = np.mean(train - test, axis=0)
    with warnings.catch_warnings():  # a grid point no resample covers stays NaN (said below)
        warnings.simplefilter("ignore", RuntimeWarning)
        cal_optimism = np.nanmean(cal_train - cal_test, axis=0)
    calibration = pd.DataFrame({"predicted": grid, "observed": curve,
                                "observed_corrected": curve - cal_optimism})
    return apparent, optimism, calibration, n_boot - len(ok)


# --------------------------------------------------------------------------------------------
# Riley et al.'s minimum sample size
# --------------------------------------------------------------------------------------------
def _riley_minimum(c_statistic: float, prevalence: float, n_parameters: int,
                   shrinkage: float = 0.9) -> tuple[int, int]:
    """(patients, events) needed to develop the model (Riley et al., BMJ 2020, binary outcome):
    `vbq.stats.sample_size_prediction_model` at the model's own C statistic and prevalence.
    A model no better than chance (C <= 0.5) has no such minimum: refused as degenerate."""
    if not c_statistic > 0.5:
        raise DegenerateInputError(
            f"the model's C statistic corrected for optimism is {c_statistic:.3f}, no better "
            "than chance: Riley et al.'s minimum sample size is not defined")
    need = sample_size_prediction_model(c_statistic, prevalence, n_parameters,
                                        shrinkage=shrinkage)
    return need.n_total, need.n_events


# --------------------------------------------------------------------------------------------
# risk_model
# --------------------------------------------------------------------------------------------
def _complete(y_true: Any, X: Any):
    if not isinstance(X, pd.DataFrame) or X.shape[1] == 0:
        raise InputError(f"X: expected a pandas DataFrame with at least one column, got "
                         f"{type(X).__name__}")
    y = as_float_1d(y_true, "y_true")
    check_same_length(("y_true", y), ("X", X))
    missing = {str(c): int(X[c].isna().sum()) for c in X.columns}
    missing["outcome"] = int(np.isnan(y).sum())
    keep = ~np.isnan(y) & ~X.isna().any(axis=1).to_numpy()
    return y, keep, missing


def _coefficients(fit, terms, n, confidence) -> pd.DataFrame:
    params = np.asarray(fit.params)
    ci = np.asarray(fit.conf_int(alpha=1.0 - confidence))
    return pd.DataFrame(
        {
            "term": ("intercept",) + terms,
            "estimate": params,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "odds_ratio": np.exp(params),
            "or_ci_low": np.exp(ci[:, 0]),
            "or_ci_high": np.exp(ci[:, 1]),
            "statistic": np.asarray(fit.tvalues),
            "p_value": np.asarray(fit.pvalues),
            "n": n,
            "method": "logistic regression, Wald CI",
        }
    )


def _performance(apparent, optimism, n_used) -> pd.DataFrame:
    methods = ("AUC of the linear predictor (Somers' Dxy / 2 + 1/2)",
               "slope of logit(outcome) on the linear predictor",
               "intercept of logit(outcome) with the linear predictor as offset",
               "mean squared error of the predicted probability")
    return pd.DataFrame({"measure": MEASURES, "apparent": apparent, "optimism": optimism,
                         "corrected": apparent - optimism, "n_boot": n_used,
                         "method": [f"{m}; Efron-Harrell bootstrap" for m in methods]})


@one_blas_thread
def risk_model(
    y_true: Any,
    X: pd.DataFrame,
    *,
    n_boot: int = 200,
    seed: int = 0,
    confidence: float = 0.95,
) -> RiskModelResult:
    """Logistic prediction model of a binary outcome (DXA osteoporosis) with Efron-Harrell
    internal validation, a smoothed calibration curve and Riley et al.'s sample-size check.

    Parameters
    ----------
    y_true : array-like of 0/1 or bool
        The outcome (1 = osteoporosis by DXA). Missing values leave the patient out (counted).
    X : pandas.DataFrame
        The predictors, one column each (VBQ, age, sex; optionally HU). Numeric and boolean
        columns enter linearly; other columns (sex) as 0/1 indicators against their first level
        in sorted order. Patients with a missing value are left out and counted
        (complete-case analysis).
    n_boot : int, default 200
        Bootstrap resamples for the optimism correction (at least 200: Steyerberg 2019 advises
        200 or more).
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` that draws the resamples.
    confidence : float, default 0.95
        Level of the coefficients' and the predictions' CIs.

    Returns
    -------
    RiskModelResult

    Raises
    ------
    InputError
        X not a DataFrame, lengths differ, a column neither numeric nor categorical,
        n_boot < 200.
    DegenerateInputError
        An outcome class with fewer than 5 patients, a predictor constant, perfect separation
        or no convergence, or fewer than half the resamples refitted.

    Notes
    -----
    Model: logit P(y = 1) = b0 + sum_k b_k x_k, unpenalized maximum likelihood (statsmodels
    ``Logit``, Newton). CIs of the coefficients are Wald intervals, b -/+ z se(b), on the
    log-odds scale; odds ratios are their exponentials.

    Performance on the development data (apparent): the C statistic is the AUC of the linear
    predictor (ties count 1/2); the calibration slope is the slope of logit P(y) on the linear
    predictor (1 by construction); calibration-in-the-large is a in logit P(y) = a +
    offset(linear predictor) (0 by construction); the Brier score is mean((p - y)^2).

    Optimism (Efron-Harrell; Harrell, Lee & Mark 1996): for each resample b the model is refitted
    on the resample, its measures computed on the resample (training) and on the original data
    (test); optimism = mean over b of (training - test); corrected = apparent - optimism.
    Resamples whose model cannot be fitted are left out and counted (``n_boot_failed``), as in
    ``rms``.

    Calibration curve (``rms::calibrate``): observed proportion against predicted probability
    by ``lowess(p, y, iter = 0)``, read at 50 points between the 5th smallest and 5th largest
    fitted probability; the bias-corrected curve subtracts the mean over resamples of the
    difference between the resample's curve error on itself and on the original data.

    Sample size: events per parameter = min(events, non-events) / parameters; Riley et al.'s
    minimum (three criteria, target shrinkage 0.9) is computed with the optimism-corrected C
    statistic and the observed prevalence as the anticipated values.

    Validated against: R 4.2.2, rms 6.5-0 ``lrm`` (coefficients, Wald CIs) and
    ``predict(se.fit = TRUE)``; ``validate`` and ``calibrate`` run on the same bootstrap
    resamples (exported from Python); calibration-in-the-large by ``glm(offset = )`` on them
    (tests/reference/risk_reference.R).

    References
    ----------
    Harrell FE, Lee KL, Mark DB. Multivariable prognostic models. Stat Med 1996;15:361-87.
    Steyerberg EW. Clinical Prediction Models. 2nd ed. Springer; 2019 (ch. 15 and 17).
    Van Calster B, et al. Calibration: the Achilles heel of predictive analytics. BMC Med
    2019;17:230.
    Riley RD, et al. Calculating the sample size required for developing a clinical prediction
    model. BMJ 2020;368:m441.
    Collins GS, et al. TRIPOD+AI statement. BMJ 2024;385:e078378.

    Examples
    --------
    >>> import vbq
    >>> cohort, dxa = vbq.demo.load()
    >>> table = vbq.prepare_cohort(cohort, dxa).table
    >>> y = table["dxa_status"] == "osteoporosis"
    >>> m = risk_model(y, table[["vbq", "age", "sex"]], n_boot=200, seed=0)
    >>> m.terms
    ('vbq', 'age', 'sex_M')
    >>> p = m.predict({"vbq": 3.2, "age": 65, "sex": "F"})
    >>> bool(p.loc[0, "ci_low"] < p.loc[0, "probability"] < p.loc[0, "ci_high"])
    True
    """
    n_boot = check_int(n_boot, "n_boot", minimum=200)
    seed = check_int(seed, "seed", minimum=0)
    confidence = check_confidence(confidence)
    y, keep, missing = _complete(y_true, X)
    yk, _, _ = _prepare(y[keep], (np.zeros(int(keep.sum())), "y_true"))
    yk = yk.astype(float)
    events = int(yk.sum())
    if min(events, yk.size - events) < 5:
        raise DegenerateInputError(
            f"a prediction model needs at least 5 patients with and without the outcome; "
            f"received {events} with and {yk.size - events} without")
    data = X.loc[keep]
    levels, ranges = _levels_and_ranges(data)
    design, terms = _design(data, tuple(X.columns), levels)
    if not np.isfinite(design).all():
        raise InputError("X: expected finite numbers, got +/-inf")
    constant = [t for t, col in zip(terms, design[:, 1:].T, strict=True) if np.ptp(col) == 0]
    if constant:
        raise DegenerateInputError(f"predictor(s) {constant} take one value only")
    fit = _fit_logit(yk, design)
    lp_kept = design @ np.asarray(fit.params)
    apparent, optimism, calibration, failed = _optimism(yk, design, lp_kept, n_boot, seed)
    performance = _performance(apparent, optimism, n_boot - failed)
    n_par = len(terms)
    riley_n, riley_events = _riley_minimum(float(performance.loc[0, "corrected"]),
                                           events / yk.size, n_par)
    lp = np.full(y.shape[0], np.nan)
    lp[keep] = lp_kept
    return RiskModelResult(
        coefficients=_coefficients(fit, terms, int(yk.size), confidence),
        performance=performance,
        calibration_curve=calibration,
        predictors=tuple(str(c) for c in X.columns),
        terms=terms,
        levels=levels,
        ranges=ranges,
        n=int(yk.size),
        n_events=events,
        n_missing=int(np.count_nonzero(~keep)),
        missing_by_predictor=missing,
        n_parameters=n_par,
        events_per_parameter=min(events, yk.size - events) / n_par,
        riley_n_required=riley_n,
        riley_events_required=riley_events,
        meets_riley_minimum=bool(yk.size >= riley_n),
        n_boot=n_boot,
        n_boot_failed=failed,
        seed=seed,
        confidence=confidence,
        params=np.asarray(fit.params, dtype=float),
        covariance=np.asarray(fit.cov_params(), dtype=float),
        linear_predictor=lp,
        outcome=np.where(keep, y, np.nan),
    )
