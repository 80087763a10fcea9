"""Contingency tables of a categorical variable by group: counts, column percentages, Pearson's
chi-square and Fisher's exact test. The kernel behind `vbq.stats.compare_categorical`,
`vbq.stats.modic_table` and the prevalence comparisons (`vbq.stats.prevalence_shift`,
`vbq.stats.prevalence_by`), shared here so none of them reaches into another's internals.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import gammaln

from ..errors import DegenerateInputError
from ._validation import check_choice, frozen_array, group_codes

__all__ = [
    "CHI2_METHOD",
    "FISHER_METHOD",
    "TESTS",
    "CategoricalComparison",
    "categorical_kernel",
    "check_test",
    "count_table",
]

CHI2_METHOD = "Pearson chi-square"
"""``method`` of a categorical comparison tested by Pearson's chi-square (no continuity correction)."""
FISHER_METHOD = "Fisher's exact test (expected count < 5)"
"""``method`` of a categorical comparison switched to Fisher's exact test by the expected-count rule."""

TESTS = ("auto", "chi2", "fisher")
# R fisher.test counts a table as "at least as extreme" when its probability is below the observed
# one times 1 + 1e-7 (relErr), so that tables of equal probability are not lost to rounding.
_FISHER_REL_ERR = 1e-7
# Work budget of the exact r x 2 enumeration (table cells evaluated); beyond it the p-value is
# estimated by Monte Carlo, and the method string says so.
_FISHER_BUDGET = 2_000_000
_MONTE_CARLO_RESAMPLES = 100_000
_MONTE_CARLO_SEED = 20230257


# --------------------------------------------------------------------------------------------
# chi-square / Fisher
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CategoricalComparison:
    """Counts of a categorical variable per group and a test of independence.

    Attributes
    ----------
    variable, between : str
    levels : tuple
        Levels of the variable (rows of `counts`), including levels never observed.
    groups : tuple
        Group labels (columns of `counts`).
    counts : ndarray of int, shape (levels, groups)
    percent : ndarray of float
        Column percentages: ``100 * counts / n`` of each group.
    n : ndarray of int
        Per-group analysed rows.
    n_missing : int
        Rows left out for a missing value or group label.
    expected : ndarray of float
        Expected counts under independence of the tested table (levels with no observation are
        left out of the test and have expected count 0 here).
    min_expected : float
    chi2, chi2_df, chi2_p_value : float
        Pearson chi-square statistic, its degrees of freedom and p, always computed.
    statistic, df, p_value : float
        Of the test that was used: the chi-square ones, or for Fisher's test NaN statistic and df
        (Fisher's test has no statistic of that kind) and the exact p.
    correction : bool
        Whether Yates' continuity correction was applied (2 x 2 chi-square only).
    method : str
        "Pearson chi-square", "Pearson chi-square with Yates' continuity correction",
        "Fisher's exact test (expected count < 5)", "Fisher's exact test", or a Monte Carlo
        variant that says so.
    """

    variable: str
    between: str
    levels: tuple
    groups: tuple
    counts: np.ndarray
    percent: np.ndarray
    n: np.ndarray
    n_missing: int
    expected: np.ndarray
    min_expected: float
    chi2: float
    chi2_df: float
    chi2_p_value: float
    statistic: float
    df: float
    p_value: float
    correction: bool
    method: str

    def to_frame(self) -> pd.DataFrame:
        """One row per level: ``count_<group>, percent_<group>, n_<group>``, then the test."""
        rows = []
        for i, lev in enumerate(self.levels):
            row: dict[str, Any] = {"variable": self.variable, "level": lev}
            for j, g in enumerate(self.groups):
                row[f"count_{g}"] = int(self.counts[i, j])
                row[f"percent_{g}"] = float(self.percent[i, j])
                row[f"n_{g}"] = int(self.n[j])
            row.update(
                statistic=self.statistic,
                df1=self.df,
                p_value=self.p_value,
                n=int(self.n.sum()),
                n_missing=self.n_missing,
                method=self.method,
            )
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        lines = [f"{self.variable} by {self.between} ({self.n_missing} row(s) missing)"]
        for i, lev in enumerate(self.levels):
            cells = [f"{g}: {int(self.counts[i, j])} ({self.percent[i, j]:.1f}%)"
                     for j, g in enumerate(self.groups)]
            lines.append(f"  {lev}: " + "; ".join(cells))
        stat = "" if math.isnan(self.statistic) else (
            f"chi2({self.df:.0f}) = {self.statistic:.4g}, ")
        lines.append(f"{self.method}: {stat}p = {self.p_value:.4g}")
        return "\n".join(lines)


def _fisher_rx2_exact(table: np.ndarray, budget: int = _FISHER_BUDGET) -> float | None:
    """Exact p of the Fisher-Freeman-Halton test of an r x 2 table, or None over budget.

    Written here because scipy 1.17 `fisher_exact` is exact only for 2 x 2 tables (larger tables
    get a Monte Carlo or permutation p). This is the network algorithm of Mehta & Patel (1983)
    specialised to two columns (`_FisherNetwork`): rows are enumerated one at a time; a subtree
    whose most probable completion is already no more probable than the observed table is added
    whole (its mass is ``C(rows left, count left)`` by Vandermonde's identity); the last two rows
    are evaluated as one vectorised array. Tables count when ``P <= P_obs * (1 + 1e-7)``, as in
    R's fisher.test.
    """
    t = np.asarray(table, dtype=np.int64)
    rows = t.sum(axis=1)
    keep = rows > 0
    t, rows = t[keep], rows[keep]
    idx = np.argsort(rows, kind="stable")  # small rows outside, the two largest vectorised
    t, rows = t[idx], rows[idx]
    m, total = int(t[:, 0].sum()), int(rows.sum())
    if rows.size < 2 or m in (0, total):
        return 1.0
    network = _FisherNetwork(t, budget)
    try:
        p = network.walker()(0, m, 0.0)
    except _OverBudget:
        return None
    return min(1.0, p)


class _FisherNetwork:
    """The network of r x 2 tables with the margins of `t` (rows sorted ascending), walked row
    by row from the first; see `_fisher_rx2_exact`."""

    def __init__(self, t: np.ndarray, budget: int) -> None:
        rows = t.sum(axis=1)
        self.r = rows.size
        m, total = int(t[:, 0].sum()), int(rows.sum())
        # log C(n_i, k) for every row i and k = 0..n_i
        self.logc = [gammaln(k + 1) - gammaln(np.arange(k + 1) + 1)
                     - gammaln(k - np.arange(k + 1) + 1) for k in rows.tolist()]
        self.logc_list = [row.tolist() for row in self.logc]
        self.log_norm = float(gammaln(total + 1) - gammaln(m + 1) - gammaln(total - m + 1))
        self.threshold = (float(sum(self.logc[i][t[i, 0]] for i in range(self.r)))
                          + math.log1p(_FISHER_REL_ERR))
        self.suffix = np.concatenate([np.cumsum(rows[::-1])[::-1], [0]]).tolist()
        self.nrow = rows.tolist()
        self.budget, self.work = budget, 0
        # per-network memos (k recurs across many paths)
        self.max_rest = functools.cache(self._max_rest)
        self.last_two = functools.cache(self._last_two)

    @staticmethod
    def _log_comb(n: int, k: int) -> float:
        return float(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1))

    def _max_rest(self, i: int, k: int) -> float:
        """Log weight of the most probable allocation of k among rows i..r-1: a separable
        concave maximisation, so start proportional, fill greedily, then swap single units
        until no swap improves."""
        ns = self.nrow[i:]
        ls = self.logc[i:]
        x = [min(n, (k * n) // self.suffix[i]) for n in ns]

        def up(j: int) -> float:
            return ls[j][x[j] + 1] - ls[j][x[j]] if x[j] < ns[j] else -math.inf

        def down(j: int) -> float:
            return ls[j][x[j]] - ls[j][x[j] - 1] if x[j] > 0 else math.inf

        for _ in range(k - sum(x)):
            x[max(range(len(ns)), key=up)] += 1
        while True:
            ju = max(range(len(ns)), key=up)
            jd = min(range(len(ns)), key=down)
            if ju == jd or up(ju) <= down(jd) + 1e-12:
                break
            x[ju] += 1
            x[jd] -= 1
        return float(sum(ls[j][x[j]] for j in range(len(ns))))

    def _last_two(self, k: int) -> tuple[list, list, float]:
        """The last two rows sharing k: their log weights sorted, with cumulative probability
        mass, so each visit is one binary search. Python lists: a scalar bisect on a list is
        ~10x cheaper than np.searchsorted."""
        r = self.r
        na, nb = self.nrow[r - 2], self.nrow[r - 1]
        lo, hi = max(0, k - nb), min(na, k)
        vals = np.sort(self.logc[r - 2][lo:hi + 1] + self.logc[r - 1][k - hi: k - lo + 1][::-1])
        self.work += vals.size
        if self.work > self.budget:
            raise _OverBudget
        top = float(vals[-1])
        cum = np.concatenate([[0.0], np.cumsum(np.exp(vals - top))])
        return vals.tolist(), cum.tolist(), top

    def walker(self):
        """``walk(i, k, w)``: probability mass of the tables at least as extreme, below row i
        with k left to allocate and log weight w so far. A closure over local names: the
        recursion is the hot path (attribute look-ups on self made it 40% slower)."""
        r, threshold, log_norm = self.r, self.threshold, self.log_norm
        suffix, nrow, logc_list = self.suffix, self.nrow, self.logc_list
        last_two, max_rest, log_comb = self.last_two, self.max_rest, self._log_comb

        def walk(i: int, k: int, w: float) -> float:
            if r - i == 2:
                vals, cum, top = last_two(k)
                hit = bisect.bisect_right(vals, threshold - w)
                return cum[hit] * math.exp(w + top - log_norm)
            self.work += 1
            if w + max_rest(i, k) <= threshold:  # every completion is as extreme: add it whole
                return math.exp(w + log_comb(suffix[i], k) - log_norm)
            acc = 0.0
            row = logc_list[i]
            for x in range(max(0, k - suffix[i + 1]), min(nrow[i], k) + 1):
                acc += walk(i + 1, k - x, w + row[x])
            return acc

        return walk


class _OverBudget(Exception):
    pass


def _fisher_p(table: np.ndarray) -> tuple[float, str]:
    """Fisher's exact p of a table with empty rows/columns removed; and a method suffix."""
    t = table if table.shape[1] == 2 else table.T if table.shape[0] == 2 else None
    if t is not None:
        p = _fisher_rx2_exact(t)
        if p is not None:
            return p, ""
    return _fisher_monte_carlo(table), (
        f", Monte Carlo p from {_MONTE_CARLO_RESAMPLES} tables (seed {_MONTE_CARLO_SEED})"
    )


def _fisher_monte_carlo(table: np.ndarray) -> float:
    """Monte Carlo p of Fisher's test: tables drawn with the observed margins, as R's
    ``fisher.test(simulate.p.value=TRUE)``: ``(1 + #{P(sim) <= P(obs)}) / (B + 1)``.

    Written here because scipy 1.17 ``fisher_exact(method=MonteCarloMethod())`` fails to reshape
    its resamples for tables with large totals and compares probabilities that underflow to 0;
    this compares log-probabilities of `scipy.stats.random_table`.
    """
    dist = stats.random_table(table.sum(axis=1), table.sum(axis=0))
    rng = np.random.default_rng(_MONTE_CARLO_SEED)
    limit = float(dist.logpmf(table)) + math.log1p(_FISHER_REL_ERR)
    sims = dist.rvs(size=_MONTE_CARLO_RESAMPLES, random_state=rng)
    hits = int((dist.logpmf(sims) <= limit).sum())
    return (1 + hits) / (_MONTE_CARLO_RESAMPLES + 1)


def _table_test(counts: np.ndarray, correction: bool, test: str, variable: str) -> dict:
    """Chi-square and, by the rule, Fisher on a levels x groups count table."""
    rows = counts.sum(axis=1) > 0
    cols = counts.sum(axis=0) > 0
    t = counts[np.ix_(rows, cols)]
    if t.shape[0] < 2:
        raise DegenerateInputError(
            f"{variable}: only {t.shape[0]} level observed; a test of independence needs two"
        )
    if t.shape[1] < 2:
        raise DegenerateInputError(
            f"{variable}: only {t.shape[1]} group has data; a test of independence needs two"
        )
    dof = (t.shape[0] - 1) * (t.shape[1] - 1)
    yates = bool(correction and dof == 1)
    # scipy applies Yates' correction (|O - E| shrunk by 0.5, never past zero, as R) only to
    # tables with one degree of freedom, which is what `yates` records.
    res = stats.chi2_contingency(t, correction=yates)
    e = res.expected_freq
    chi2 = float(res.statistic)
    expected = np.zeros(counts.shape)
    expected[np.ix_(rows, cols)] = e
    min_expected = float(e.min())
    use_fisher = test == "fisher" or (test == "auto" and min_expected < 5)
    out = dict(
        expected=frozen_array(expected),
        min_expected=min_expected,
        chi2=chi2,
        chi2_df=float(dof),
        chi2_p_value=float(res.pvalue),
        correction=yates,
    )
    if use_fisher:
        p, suffix = _fisher_p(t)
        base = FISHER_METHOD if test == "auto" else "Fisher's exact test"
        method = base[:-1] + suffix + ")" if suffix and base.endswith(")") else base + suffix
        out.update(statistic=math.nan, df=math.nan, p_value=p, method=method)
    else:
        method = CHI2_METHOD + (" with Yates' continuity correction" if yates else "")
        out.update(statistic=out["chi2"], df=out["chi2_df"], p_value=out["chi2_p_value"],
                   method=method)
    return out


def count_table(values: pd.Series, codes, ngroups, levels, variable) -> dict:
    """Levels x groups counts, column percentages (NaN for an empty group) and missing rows."""
    lev_codes, lev_labels = group_codes(values, levels, variable)
    ok = (codes >= 0) & (lev_codes >= 0)
    k, g = len(lev_labels), ngroups
    counts = np.bincount(lev_codes[ok] * g + codes[ok], minlength=k * g).reshape(k, g)
    n = counts.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = 100.0 * counts / n
    return dict(levels=lev_labels, counts=counts, percent=percent, n=n,
                n_missing=int(ok.size - ok.sum()))


def categorical_kernel(values: pd.Series, codes, groups, variable, between, levels, correction,
                        test, *, untestable_ok: bool = False) -> CategoricalComparison:
    """Counts and test. With `untestable_ok`, a table with a single observed level (everyone
    negative, say) keeps its counts with NaN statistic and p and a `method` that says why,
    instead of raising."""
    tab = count_table(values, codes, len(groups), levels, variable)
    lev_labels, counts, n, n_missing = tab["levels"], tab["counts"], tab["n"], tab["n_missing"]
    empty = [grp for grp, m in zip(groups, n, strict=True) if m == 0]
    if empty:
        raise DegenerateInputError(f"{variable}: group(s) {', '.join(map(str, empty))} have no "
                                    "non-missing value")
    percent = tab["percent"]
    try:
        tested = _table_test(counts, correction, test, variable)
    except DegenerateInputError as exc:
        if not untestable_ok:
            raise
        nan = math.nan
        tested = dict(expected=frozen_array(np.zeros(counts.shape)), min_expected=nan, chi2=nan,
                      chi2_df=nan, chi2_p_value=nan, correction=False, statistic=nan, df=nan,
                      p_value=nan, method=f"not tested ({exc})")
    return CategoricalComparison(
        variable=variable, between=between, levels=lev_labels, groups=groups,
        counts=frozen_array(counts), percent=frozen_array(percent), n=frozen_array(n), n_missing=n_missing,
        **tested,
    )


def check_test(test: str) -> str:
    """One of `TESTS` ("auto", "chi2", "fisher")."""
    return check_choice(test, "test", TESTS)
