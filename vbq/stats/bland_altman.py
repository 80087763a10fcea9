"""Bland-Altman analysis of agreement between two measurements of the same quantity.

The study reports the reliability of VBQ as ICCs; a Bland-Altman analysis shows the same repeated
readings on the scale of the score itself: the mean difference between two readings (bias), the
95% limits of agreement within which most differences fall, and the uncertainty of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special, stats

from ..errors import DegenerateInputError, InputError

__all__ = ["BlandAltmanResult", "bland_altman"]

_COLUMNS = ("quantity", "estimate", "ci_low", "ci_high", "n", "n_missing", "method")


@dataclass(frozen=True)
class BlandAltmanResult:
    """Bias and limits of agreement of two paired measurements, with their confidence intervals.

    Attributes
    ----------
    bias : float
        Mean difference ``mean(a - b)``.
    sd : float
        Sample standard deviation of the differences (ddof = 1).
    loa_low, loa_high : float
        Limits of agreement ``bias -/+ multiplier * sd``.
    multiplier : float
        Normal quantile of the limits: 1.959964 for ``limits=0.95``.
    bias_ci : tuple of float
        (low, high) confidence interval of the bias: ``bias -/+ t * sd / sqrt(n)``.
    loa_low_ci, loa_high_ci : tuple of float
        Confidence intervals of the two limits: ``limit -/+ t * sqrt(3 sd^2 / n)``.
    t_quantile : float
        The t quantile used in the intervals, ``t_(1 - alpha/2, n - 1)``.
    n : int
        Complete pairs analysed.
    n_missing : int
        Pairs left out because either value is missing.
    limits : float
        Proportion of differences the limits of agreement are meant to contain (under
        normality; ``2 Phi(multiplier) - 1`` when `multiplier` was given).
    confidence : float
        Confidence level of the intervals.
    means, differences : ndarray
        Per complete pair, ``(a + b) / 2`` and ``a - b`` (read-only; the points of the plot).
    notes : tuple of str
        Why a value sits at a limit (all differences equal); empty normally.
    method : str
        How the values were computed.
    """

    bias: float
    sd: float
    loa_low: float
    loa_high: float
    multiplier: float
    bias_ci: tuple[float, float]
    loa_low_ci: tuple[float, float]
    loa_high_ci: tuple[float, float]
    t_quantile: float
    n: int
    n_missing: int
    limits: float
    confidence: float
    means: np.ndarray = field(compare=False, repr=False)
    differences: np.ndarray = field(compare=False, repr=False)
    notes: tuple[str, ...] = ()
    method: str = (
        "Bland & Altman (1986, 1999): bias and limits of agreement; t-based CIs, "
        "SE of a limit sqrt(3 s^2 / n)"
    )

    def to_frame(self) -> pd.DataFrame:
        """Three rows (``bias``, ``loa_low``, ``loa_high``) with ``quantity, estimate, ci_low,
        ci_high, n, n_missing, method``."""
        rows = [
            ("bias", self.bias, *self.bias_ci),
            ("loa_low", self.loa_low, *self.loa_low_ci),
            ("loa_high", self.loa_high, *self.loa_high_ci),
        ]
        return pd.DataFrame(
            [(*r, self.n, self.n_missing, self.method) for r in rows], columns=list(_COLUMNS)
        )

    def summary(self) -> str:
        """Readable text: bias, SD, limits and their CIs, sample and missing pairs."""
        pct = f"{100 * self.confidence:g}%"
        lines = [
            f"Bland-Altman agreement: n = {self.n} pairs; {self.n_missing} pair(s) with a "
            f"missing value left out",
            f"Bias (mean difference) {self.bias:.4g} ({pct} CI {self.bias_ci[0]:.4g} to "
            f"{self.bias_ci[1]:.4g}); SD of differences {self.sd:.4g}",
            f"{100 * self.limits:g}% limits of agreement {self.loa_low:.4g} to "
            f"{self.loa_high:.4g} (bias -/+ {self.multiplier:.4g} SD)",
            f"  lower limit {pct} CI {self.loa_low_ci[0]:.4g} to {self.loa_low_ci[1]:.4g}; "
            f"upper limit {pct} CI {self.loa_high_ci[0]:.4g} to {self.loa_high_ci[1]:.4g}",
        ]
        lines.extend(f"Note: {note}" for note in self.notes)
        lines.append(f"Method: {self.method}")
        return "\n".join(lines)


def bland_altman(
    a, b, *, limits: float = 0.95, confidence: float = 0.95, multiplier: float | None = None
) -> BlandAltmanResult:
    """Bland-Altman bias and limits of agreement of two paired measurements, with CIs.

    Parameters
    ----------
    a, b : array-like, 1-D, same length
        The two measurements per subject (e.g. VBQ by observer 1 and observer 2, or by one
        observer in two sessions). A pair with a missing value (NaN, None) on either side is
        left out and counted in ``n_missing``.
    limits : float, keyword-only
        Proportion of differences the limits of agreement should contain (0.95: the usual
        ``bias -/+ 1.96 SD``), in (0, 1).
    confidence : float, keyword-only
        Confidence level of the intervals of the bias and of the limits, in (0, 1).
    multiplier : float, optional, keyword-only
        SDs from the bias to each limit. Default: the normal quantile of `limits` (1.959964);
        2 reproduces Bland & Altman (1986), 1.96 R's BlandAltmanLeh. Overrides `limits`.

    Returns
    -------
    BlandAltmanResult
        ``bias, sd, loa_low, loa_high, multiplier, bias_ci, loa_low_ci, loa_high_ci,
        t_quantile, n, n_missing, limits, confidence, means, differences, notes, method``;
        ``to_frame()`` gives one row each for the bias and the two limits.

    Raises
    ------
    InputError
        `a` or `b` not 1-D, of different lengths or not numeric; an infinite value; `limits` or
        `confidence` outside (0, 1); `multiplier` not a positive number.
    DegenerateInputError
        Fewer than 2 complete pairs (the SD of the differences is undefined).

    Notes
    -----
    With differences d_i = a_i - b_i of n complete pairs, mean dbar and sample SD s
    (Bland & Altman 1986):

        bias = dbar;  limits of agreement = dbar -/+ z s,  z = Phi^-1((1 + limits) / 2)

    The CIs use t = t_((1 + confidence) / 2, n - 1) (Bland & Altman 1986, section 5; 1999,
    section 2.2): the bias has standard error s / sqrt(n), and each limit the approximate
    standard error sqrt(3 s^2 / n), from var(dbar + z s) = s^2 / n + z^2 s^2 / (2 (n - 1)),
    about 3 s^2 / n for z = 1.96. This is what R's BlandAltmanLeh package reports. When all
    differences are equal (s = 0) the limits equal the bias and every interval has zero width;
    ``notes`` says so.

    Validated against the worked example of Bland & Altman (1986) (peak expiratory flow by the
    Wright and mini Wright meters, 17 subjects: bias -2.1, SD 38.8, limits -79.7 to 75.5, CI of
    the bias -22.1 to 17.9, of the limits -114.3 to -45.1 and 40.9 to 110.1), and against R 4.2.2
    base functions (``mean``, ``sd``, ``qt``, ``qnorm``; ``tests/reference/bland_altman.R``) on
    seeded data, to 6 decimals.

    References
    ----------
    Bland JM, Altman DG. Statistical methods for assessing agreement between two methods of
    clinical measurement. Lancet 1986;1(8476):307-310.
    Bland JM, Altman DG. Measuring agreement in method comparison studies. Stat Methods Med Res
    1999;8(2):135-160.

    Examples
    --------
    >>> import vbq
    >>> cohort, _ = vbq.demo.load()
    >>> both = cohort.dropna(subset=["vbq_obs2"])
    >>> first = vbq.compute_vbq(both[["si_l1", "si_l2", "si_l3", "si_l4"]].to_numpy(),
    ...                         both["si_csf"].to_numpy()).vbq
    >>> res = bland_altman(first, both["vbq_obs2"])
    >>> res.n == len(both)
    True
    """
    for name, value in (("limits", limits), ("confidence", confidence)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float | np.floating)
            or not 0 < value < 1
        ):
            raise InputError(f"bland_altman: `{name}` must be a number in (0, 1), got {value!r}")
    va, vb = _as_float(a, "a"), _as_float(b, "b")
    if len(va) != len(vb):
        raise InputError(
            f"bland_altman: `a` and `b` must have the same length, got {len(va)} and {len(vb)}"
        )
    if np.isinf(va).any() or np.isinf(vb).any():
        raise InputError("bland_altman: `a` and `b` must be finite; an infinite value was given")
    complete = ~(np.isnan(va) | np.isnan(vb))
    n = int(complete.sum())
    n_missing = len(va) - n
    if n < 2:
        raise DegenerateInputError(
            f"bland_altman: need at least 2 complete pairs, got {n} "
            f"({n_missing} pair(s) with a missing value)"
        )
    x, y = va[complete], vb[complete]
    d = x - y
    bias = float(d.mean())
    sd = float(d.std(ddof=1))
    notes: list[str] = []
    # differences equal within rounding: the SD is exactly 0 in theory
    if sd <= 64 * np.finfo(float).eps * max(1.0, float(np.abs(d).max())):
        sd = 0.0
        notes.append(
            "all differences are equal: the SD is 0, the limits equal the bias and every "
            "interval has zero width"
        )
    if multiplier is None:
        z = float(special.ndtri((1 + limits) / 2))
    else:
        if isinstance(multiplier, bool) or not isinstance(multiplier, int | float | np.floating) \
                or not 0 < multiplier < np.inf:
            raise InputError(
                f"bland_altman: `multiplier` must be a positive number, got {multiplier!r}"
            )
        z = float(multiplier)
        limits = float(2 * special.ndtr(z) - 1)
    t = float(stats.t.ppf((1 + confidence) / 2, n - 1))
    se_bias = sd / np.sqrt(n)
    se_loa = np.sqrt(3 * sd**2 / n)
    lo, hi = bias - z * sd, bias + z * sd
    means = (x + y) / 2
    means.flags.writeable = False
    d.flags.writeable = False
    return BlandAltmanResult(
        bias=bias,
        sd=sd,
        loa_low=float(lo),
        loa_high=float(hi),
        multiplier=z,
        bias_ci=(float(bias - t * se_bias), float(bias + t * se_bias)),
        loa_low_ci=(float(lo - t * se_loa), float(lo + t * se_loa)),
        loa_high_ci=(float(hi - t * se_loa), float(hi + t * se_loa)),
        t_quantile=t,
        n=n,
        n_missing=n_missing,
        limits=float(limits),
        confidence=float(confidence),
        means=means,
        differences=d,
        notes=tuple(notes),
    )


def _as_float(x, name: str) -> np.ndarray:
    if isinstance(x, pd.DataFrame) or np.ndim(x) != 1:
        raise InputError(f"bland_altman: `{name}` must be 1-D, got shape {np.shape(x)}")
    series = pd.Series(x if hasattr(x, "__array__") or hasattr(x, "dtype") else list(x))
    if series.dtype == object:
        series = series.infer_objects()
        if series.isna().all():
            series = series.astype(float)
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        raise InputError(f"bland_altman: `{name}` must be numeric, got dtype {series.dtype}")
    return series.to_numpy(dtype=float, na_value=np.nan)
