"""vbq.study's composed tables checked value by value against an independent computation on the
demo (issue 12): each expected value is computed here from the prepared table with numpy,
pandas, scipy, scikit-learn or statsmodels, never with vbq.stats."""

from __future__ import annotations

import math
from itertools import product

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.special import gammaln
from sklearn.metrics import cohen_kappa_score, roc_auc_score
from statsmodels.formula.api import ols

import vbq
from vbq.cohort import assign_groups


@pytest.fixture(scope="module")
def demo():
    cohort, dxa = vbq.demo.load()
    return cohort, vbq.prepare_cohort(cohort, dxa).table


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return ci.low, ci.high


def _youden_by_brute_force(x: np.ndarray, y: np.ndarray, higher: bool) -> float:
    """Every midpoint between distinct values (and +/-inf) tried in turn; the highest
    sensitivity + specificity, ties to the highest sensitivity (pROC's candidates)."""
    u = np.unique(x)
    candidates = np.concatenate(([-np.inf], (u[:-1] + u[1:]) / 2, [np.inf]))
    best, best_key = None, None
    for c in candidates:
        pos = x >= c if higher else x <= c
        sens, spec = pos[y].mean(), (~pos[~y]).mean()
        key = (round(sens + spec, 12), sens)
        if best_key is None or key > best_key:
            best, best_key = c, key
    return float(best)


def test_cutoff_table_against_direct_counts(demo):
    _, table = demo
    study = vbq.study.roc_study(table, group="control", target="osteoporosis",
                                markers=("vbq", "hu_l1"))
    frame = vbq.study.cutoff_table(study.results)
    ctl = table[table["group"] == "control"]
    y = (ctl["dxa_status"] == "osteoporosis").to_numpy()
    assert set(frame["marker"]) == {"vbq", "hu_l1"} and len(frame) == 4
    for marker, higher in (("vbq", True), ("hu_l1", False)):
        x = ctl[marker].to_numpy(dtype=float)
        rows = frame[frame["marker"] == marker].set_index("kind")
        # sklearn: the AUC of the score in its direction
        auc = roc_auc_score(y, x if higher else -x)
        assert rows["auc"].tolist() == pytest.approx([auc, auc], abs=1e-12)
        assert rows.loc["Youden", "cutoff"] == pytest.approx(
            _youden_by_brute_force(x, y, higher), abs=1e-12)
        # toward the more specific side: VBQ up to one decimal (the paper's 2.83 -> 2.9), HU
        # (lower is positive) down, so that neither adjustment calls more patients positive
        youden = rows.loc["Youden", "cutoff"]
        rounded = (math.ceil if higher else math.floor)(round(youden * 10, 9)) / 10
        assert rows.loc["adjusted", "cutoff"] == rounded
        assert rows.loc["adjusted", "specificity"] >= rows.loc["Youden", "specificity"]
        assert abs(rows.loc["adjusted", "cutoff"] - rows.loc["Youden", "cutoff"]) <= 0.1
        for kind in ("Youden", "adjusted"):
            row = rows.loc[kind]
            pos = x >= row["cutoff"] if higher else x <= row["cutoff"]
            tp, fp = int((pos & y).sum()), int((pos & ~y).sum())
            fn, tn = int((~pos & y).sum()), int((~pos & ~y).sum())
            assert (row["tp"], row["fp"], row["tn"], row["fn"]) == (tp, fp, tn, fn)
            sens, spec = tp / (tp + fn), tn / (tn + fp)
            assert (row["sensitivity"], row["specificity"]) == pytest.approx((sens, spec))
            assert (row["sensitivity_ci_low"], row["sensitivity_ci_high"]) == pytest.approx(
                _wilson(tp, tp + fn), abs=1e-12)
            assert (row["specificity_ci_low"], row["specificity_ci_high"]) == pytest.approx(
                _wilson(tn, tn + fp), abs=1e-12)
            assert (row["ppv"], row["npv"]) == pytest.approx((tp / (tp + fp), tn / (tn + fn)))
            assert (row["lr_pos"], row["lr_neg"]) == pytest.approx(
                (sens / (1 - spec), (1 - sens) / spec))


def test_grouping_kappa_against_sklearn(demo):
    cohort, _ = demo
    result = vbq.study.grouping_kappa(cohort)
    assert set(result) == {"intra", "inter"}
    primary = assign_groups(cohort)["group"].to_numpy()
    for name, rater in (("intra", "repeat"), ("inter", "obs2")):
        cols = [c for c in cohort.columns if c.endswith(f"_{rater}") and not c.startswith("vbq")]
        graded = cohort[cols].notna().any(axis=1).to_numpy()
        other = assign_groups(cohort, rater=rater)["group"].to_numpy()
        a, b = primary[graded], other[graded]
        both = pd.notna(a) & pd.notna(b)
        # scikit-learn's kappa and a 2 x 2 table by hand
        expected = cohen_kappa_score(a[both].astype(str), b[both].astype(str))
        cross = pd.crosstab(a[both], b[both]).reindex(index=["degenerative", "control"],
                                                      columns=["degenerative", "control"],
                                                      fill_value=0).to_numpy()
        n = cross.sum()
        po = np.trace(cross) / n
        pe = (cross.sum(axis=1) @ cross.sum(axis=0)) / n**2
        res = result[name]
        assert res.estimate == pytest.approx(expected, abs=1e-12)
        assert res.estimate == pytest.approx((po - pe) / (1 - pe), abs=1e-12)
        assert (res.n, res.n_missing) == (int(both.sum()), int((~both).sum()))
        assert res.table.tolist() == cross.tolist()


def test_vbq_reliability_against_anova_mean_squares(demo):
    _, table = demo
    result = vbq.study.vbq_reliability(table)
    assert set(result) == {"intra", "inter"}
    for name, col in (("intra", "vbq_repeat"), ("inter", "vbq_obs2")):
        pairs = table[["patient_id", "vbq", col]].dropna()
        long = pairs.melt(id_vars="patient_id", var_name="rater", value_name="rating")
        # statsmodels two-way ANOVA (targets + raters) for the mean squares
        aov = sm.stats.anova_lm(ols("rating ~ C(patient_id) + C(rater)", data=long).fit())
        msr = aov.loc["C(patient_id)", "sum_sq"] / aov.loc["C(patient_id)", "df"]
        msc = aov.loc["C(rater)", "sum_sq"] / aov.loc["C(rater)", "df"]
        mse = aov.loc["Residual", "sum_sq"] / aov.loc["Residual", "df"]
        n, k = len(pairs), 2
        msw = (aov.loc["C(rater)", "sum_sq"] + aov.loc["Residual", "sum_sq"]) / (n * (k - 1))
        # Shrout & Fleiss (1979), Table 1
        expected = {
            "ICC1": (msr - msw) / (msr + (k - 1) * msw),
            "ICC2": (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n),
            "ICC3": (msr - mse) / (msr + (k - 1) * mse),
            "ICC1k": (msr - msw) / msr,
            "ICC2k": (msr - mse) / (msr + (msc - mse) / n),
            "ICC3k": (msr - mse) / msr,
        }
        res = result[name]
        assert (res.n, res.n_excluded) == (n, len(table) - n)
        for form, value in expected.items():
            assert res.form(form).estimate == pytest.approx(value, abs=1e-10), form
        assert res.form("ICC3").statistic == pytest.approx(msr / mse, rel=1e-10)


def _fisher_r_by_2_by_enumeration(counts: np.ndarray) -> float:
    """Freeman-Halton p of a 2 x c table by listing every table with its margins (the first
    row's cells range over all splits of its total): sum of P(table) <= P(observed)."""
    cols = counts.sum(axis=0)
    k, total = int(counts[0].sum()), int(cols.sum())

    def logp(first: tuple[int, ...]) -> float:
        return float(sum(gammaln(c + 1) - gammaln(x + 1) - gammaln(c - x + 1)
                         for c, x in zip(cols, first, strict=True))
                     - (gammaln(total + 1) - gammaln(k + 1) - gammaln(total - k + 1)))

    observed = logp(tuple(counts[0]))
    p = 0.0
    for head in product(*[range(int(c) + 1) for c in cols[:-1]]):
        last = k - sum(head)
        if 0 <= last <= cols[-1]:
            lp = logp((*head, last))
            if lp <= observed + math.log1p(1e-7):
                p += math.exp(lp)
    return p


def test_prevalence_breakdowns_against_crosstabs(demo):
    _, table = demo
    result = vbq.study.prevalence_breakdowns(table)
    positive = table["vbq_status"] == "osteoporosis"
    # by diagnosis, everyone: positive / all per diagnosis
    dx = pd.crosstab(positive, table["diagnosis"]).reindex([True, False])
    res = result["diagnosis"]
    assert list(res.levels) == list(dx.columns)
    assert res.count.tolist() == dx.loc[True].tolist()
    assert res.n.tolist() == dx.sum().tolist()
    expected_counts = stats.contingency.expected_freq(dx.to_numpy())
    assert expected_counts.min() < 5  # so the rule switches to Fisher's exact test
    assert "Fisher" in res.method
    assert res.p_value == pytest.approx(_fisher_r_by_2_by_enumeration(dx.to_numpy()), abs=1e-9)
    # by age 60 among the DXA-negative (status present and not osteoporosis)
    negative = table[table["dxa_status"].notna() & (table["dxa_status"] != "osteoporosis")]
    band = np.where(negative["age"] >= 60, "60 and over", "under 60")
    age = pd.crosstab(negative["vbq_status"] == "osteoporosis", band).reindex([True, False])
    res = result["age_60_dxa_negative"]
    assert list(res.levels) == ["60 and over", "under 60"]
    assert res.count.tolist() == age.loc[True].tolist()
    assert res.n.tolist() == age.sum().tolist()
    assert np.allclose(res.percent, 100 * age.loc[True] / age.sum())
    chi2 = stats.chi2_contingency(age.to_numpy(), correction=False)
    assert chi2.expected_freq.min() >= 5 and res.method == "Pearson chi-square"
    assert res.p_value == pytest.approx(chi2.pvalue, abs=1e-12)
