"""Benchmark of vbq.stats (roc, delong, cutoffs) against scikit-learn. Plain script; prints one table.

Run from the repository root: ``.venv/bin/python bench/bench_roc.py``.

Rows:
- ``roc_analysis`` (curve, AUC, DeLong CI, Youden cutoff and its metrics) against scikit-learn's
  ``roc_auc_score`` + ``roc_curve`` on the same data (which compute no CI), n = 1e3 ... 1e6;
- paired ``delong_test`` at n = 1e6 against two ``roc_auc_score`` calls;
- 2000 bootstrap resamples at n = 235 (the study's size): the AUC CI and ``bootstrap_cutoff``.

Times are medians of several repeats after one warm-up; ratio = ours / reference (< 1: faster).
Targets: ratio <= 1 at 1e6 for both comparisons; ``bootstrap_cutoff`` under 0.2 s.
"""

from __future__ import annotations

import numpy as np
from _timing import median_time
from sklearn.metrics import roc_auc_score, roc_curve

from vbq.stats import bootstrap_cutoff, delong_test, roc_analysis


def make_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(int)
    a = rng.normal(size=n) + 1.0 * y
    b = a + rng.normal(scale=0.7, size=n)
    return y, a, b


def main() -> None:
    rows: list[tuple[str, int, float, str, float]] = []
    for n in (10**3, 10**4, 10**5, 10**6):
        y, a, _ = make_data(n)
        repeats = 15 if n <= 10**5 else 5
        ours = median_time(lambda y=y, a=a: roc_analysis(y, a), repeats)
        ref = median_time(lambda y=y, a=a: (roc_auc_score(y, a), roc_curve(y, a)), repeats)
        rows.append(("roc_analysis (DeLong CI, Youden)", n, ours,
                     "sklearn roc_auc_score + roc_curve", ref))

    y, a, b = make_data(10**6, seed=1)
    ours = median_time(lambda: delong_test(y, a, b), 5)
    ref = median_time(lambda: (roc_auc_score(y, a), roc_auc_score(y, b)), 5)
    rows.append(("delong_test (paired)", 10**6, ours, "2 x sklearn roc_auc_score", ref))

    y, a, _ = make_data(235, seed=2)
    a = np.round(a + 2.8, 2)  # VBQ-like, 2 decimals: ties
    ours = median_time(lambda: roc_analysis(y, a, ci="bootstrap", n_boot=2000), 7)
    rows.append(("roc_analysis ci='bootstrap', 2000", 235, ours, "", float("nan")))
    ours = median_time(lambda: bootstrap_cutoff(y, a, n_boot=2000), 7)
    rows.append(("bootstrap_cutoff, 2000 (target < 0.2 s)", 235, ours, "", float("nan")))

    header = f"{'function':<42}{'n':>9}{'ours s':>11}  {'reference':<36}{'ref s':>9}{'ratio':>8}"
    print(header)
    print("-" * len(header))
    for name, n, t_ours, ref_name, t_ref in rows:
        ratio = t_ours / t_ref if t_ref == t_ref else float("nan")
        ref_cell = f"{t_ref:>9.4f}{ratio:>8.2f}" if t_ref == t_ref else f"{'':>9}{'':>8}"
        print(f"{name:<42}{n:>9}{t_ours:>11.4f}  {ref_name:<36}{ref_cell}")


if __name__ == "__main__":
    main()
