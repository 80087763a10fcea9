"""Benchmark: the complete study analysis as issue 3 lists it (`vbq.study.analyse(...,
reliability=False)`: Table 2 with ANCOVA, Table 3, both ROC targets for VBQ and HU with paired
DeLong, prevalence shift, Table 5), and with the ICC reliability added, on the 235-patient demo
and scaled to 100,000 patients (demo rows resampled with new IDs). Medians of repeated runs.

Beside it, in the same run, a peer: the same tests as a straightforward script would write them
with the libraries' front ends (scipy.stats t-test, chi-square and Fisher 2 x 2, statsmodels
formula ANCOVA with Type III sums of squares, scipy pearsonr, scikit-learn ROC AUC and curve).
The peer computes less (no DeLong CI or paired test, no Wilson CIs, no exact r x 2 Fisher, no
Zou CI), so the ratio understates the difference; it is there because the machines are shared and
noisy, and a ratio measured in one run is steadier than a time.

Run: .venv/bin/python bench/bench_study.py
Target (issue 3): under 50 ms at n = 235; near-linear growth to 100,000.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from _timing import median_time
from scipy import stats
from sklearn.metrics import roc_auc_score, roc_curve

import vbq


def scaled(cohort: pd.DataFrame, dxa: pd.DataFrame, n: int, seed: int = 0):
    """`n` patients resampled from the demo, with fresh pseudonymous IDs."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(cohort), n)
    ids = [f"S{i:07d}" for i in range(n)]
    c = cohort.iloc[idx].reset_index(drop=True).assign(patient_id=ids)
    d = dxa.set_index("patient_id").loc[cohort["patient_id"].iloc[idx]].reset_index(drop=True)
    return c, d.assign(patient_id=ids)


def peer(table: pd.DataFrame) -> None:
    """The study's tests through the libraries' public front ends, one call per test."""
    groups = table["group"].astype(object)
    deg, ctl = (groups == "degenerative").to_numpy(), (groups == "control").to_numpy()
    _peer_table2_continuous(table, groups, deg, ctl)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _peer_categorical(table, groups)
        _peer_table3(table, deg, ctl)
    _peer_roc(table[ctl])
    for col in ("dxa_status", "vbq_status"):  # prevalence shift
        stats.chi2_contingency(pd.crosstab(table[col].isin(["osteoporosis"]), groups),
                               correction=False)


def _peer_table2_continuous(table: pd.DataFrame, groups: pd.Series, deg: np.ndarray,
                            ctl: np.ndarray) -> None:
    """Table 2's continuous rows: t-test, and the age-adjusted Type III ANCOVA."""
    for var in vbq.study.TABLE2_CONTINUOUS:
        y = table[var].to_numpy(dtype=float, na_value=np.nan)
        stats.ttest_ind(y[deg], y[ctl], nan_policy="omit")
        if var != "age":
            d = pd.DataFrame({"y": y, "g": groups, "age": table["age"]}).dropna()
            fit = smf.ols("y ~ C(g, Sum) + age", data=d).fit()
            sm.stats.anova_lm(fit, typ=3)


def _peer_categorical(table: pd.DataFrame, groups: pd.Series) -> None:
    """Table 2's categorical rows and Table 5: chi-square, and Fisher's test for 2 x 2."""
    for var in [*vbq.study.TABLE2_CATEGORICAL, "modic_type", "modic_levels", "modic_grade"]:
        ct = pd.crosstab(table[var].astype(object), groups)
        if ct.shape[0] > 1:
            stats.chi2_contingency(ct, correction=False)
            if ct.shape == (2, 2):
                stats.fisher_exact(ct)


def _peer_table3(table: pd.DataFrame, deg: np.ndarray, ctl: np.ndarray) -> None:
    """Table 3: Pearson's r per group and overall."""
    for y in vbq.study.TABLE3_Y:
        for rows in (deg, ctl, deg | ctl):
            d = table.loc[rows, ["vbq", y]].dropna()
            stats.pearsonr(d["vbq"], d[y])


def _peer_roc(sub: pd.DataFrame) -> None:
    """The control group's ROC: both targets, both markers (AUC and curve)."""
    for positive in vbq.study.TARGETS.values():
        lab = sub["dxa_status"].isin(positive).to_numpy(dtype=bool, na_value=False)
        for marker, sign in (("vbq", 1), ("hu_l1", -1)):
            score = sign * sub[marker].to_numpy(dtype=float, na_value=np.nan)
            ok = ~np.isnan(score)
            roc_auc_score(lab[ok], score[ok])
            roc_curve(lab[ok], score[ok])


def main() -> None:
    cohort, dxa = vbq.demo.load()
    cohort, _ = vbq.io.coerce_cohort(cohort)
    dxa, _ = vbq.io.coerce_dxa(dxa)
    table = vbq.prepare_cohort(cohort, dxa).table
    ours = median_time(lambda: vbq.study.analyse(table, reliability=False), 40)
    theirs = median_time(lambda: peer(table), 10)
    print(f"n = 235: vbq.study.analyse {ours:.4f} s; peer (library front ends, fewer results) "
          f"{theirs:.4f} s; ratio {ours / theirs:.2f}\n")
    print(f"{'n':>8} {'prepare (s)':>12} {'analyse (s)':>12} {'+ ICC (s)':>10} "
          f"{'analyse / n (us)':>17}")
    base = None
    for n in (235, 1_000, 10_000, 100_000):
        c, d = (cohort, dxa) if n == 235 else scaled(cohort, dxa, n)
        table = vbq.prepare_cohort(c, d).table
        repeat = 40 if n <= 1_000 else 5 if n <= 10_000 else 3
        tp = median_time(lambda c=c, d=d: vbq.prepare_cohort(c, d), max(1, repeat // 2))
        ta = median_time(lambda t=table: vbq.study.analyse(t, reliability=False), repeat)
        tr = median_time(lambda t=table: vbq.study.analyse(t), repeat)
        per = ta / n * 1e6
        base = base or per
        print(f"{n:>8} {tp:>12.4f} {ta:>12.4f} {tr:>10.4f} {per:>17.2f}")
    print("target: analyse under 0.050 s at n = 235; per-patient time should not grow with n")


if __name__ == "__main__":
    main()
