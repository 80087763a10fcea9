"""Tests of vbq.stats.prevalence: prevalence by DXA and VBQ, reclassification, breakdowns.

Expected values come from R 4.2.2 (tests/reference/prevalence_reference.R, output in
prevalence_reference.out) on tests/reference/prevalence_data.csv, and from the paper's Results.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbq.errors import DegenerateInputError, InputError
from vbq.stats.groups import CHI2_METHOD, FISHER_METHOD
from vbq.stats.prevalence import prevalence_by, prevalence_shift, reclassification

REF = Path(__file__).resolve().parents[1] / "reference"
ABS = 1e-6
STATUS = ("normal", "osteopenia", "osteoporosis")


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "prevalence_data.csv")


def test_prevalence_shift_matches_r(data):
    res = prevalence_shift(data)
    assert res.groups == ("control", "degenerative")
    # R 4.2.2: table(dxa_status == "osteoporosis", group): TRUE 14 / 4, FALSE 73 / 57
    np.testing.assert_array_equal(res.reference.counts, [[14, 4], [73, 57]])
    # R 4.2.2: chisq.test(tb, correct = FALSE)
    assert res.reference.p_value == pytest.approx(0.0806680453235578, abs=ABS)
    assert res.reference.statistic == pytest.approx(3.05139060006217, abs=ABS)
    assert res.reference.n_missing == 2
    np.testing.assert_array_equal(res.test.counts, [[51, 30], [35, 31]])
    assert res.test.p_value == pytest.approx(0.224101196112327, abs=ABS)
    assert res.test.n_missing == 3
    # Among DXA-negative: R 4.2.2 table TRUE 37 / 27, FALSE 34 / 30; chisq.test(correct=FALSE)
    neg = res.test_among_reference_negative
    np.testing.assert_array_equal(neg.counts, [[37, 27], [34, 30]])
    assert neg.p_value == pytest.approx(0.593666075770131, abs=ABS)
    assert neg.method == CHI2_METHOD
    assert neg.percent[0] == pytest.approx([100 * 37 / 71, 100 * 27 / 57])
    frame = res.to_frame()
    assert frame["measure"].tolist() == ["reference", "test", "test_among_reference_negative"]
    assert frame.loc[1, "count_degenerative"] == 30
    assert "Pearson chi-square" in res.summary()


def test_prevalence_shift_low_bone_mass_matches_r(data):
    res = prevalence_shift(data, positive=("osteopenia", "osteoporosis"))
    np.testing.assert_array_equal(res.test.counts, [[64, 51], [22, 10]])
    # R 4.2.2: chisq.test(table(vbq_status %in% c(osteopenia, osteoporosis), group), correct=FALSE)
    assert res.test.p_value == pytest.approx(0.183502115071713, abs=ABS)
    # R 4.2.2: fisher.test(same table)
    forced = prevalence_shift(data, positive=("osteopenia", "osteoporosis"), test="fisher")
    assert forced.test.p_value == pytest.approx(0.225542604568085, abs=ABS)


def _paper_frame() -> pd.DataFrame:
    """Patients with the paper's published counts: degenerative 101 (20 osteoporotic by T-score,
    54 by VBQ; 38 of the 81 T-score-negative VBQ-positive), control 134 (27, 52; 33 of 107)."""
    rows = []
    for grp, n, dxa_pos, vbq_pos_among_pos, vbq_pos_among_neg in (
        ("degenerative", 101, 20, 16, 38), ("control", 134, 27, 19, 33)):
        for i in range(n):
            dxa = "osteoporosis" if i < dxa_pos else "normal"
            if i < dxa_pos:
                vbq = "osteoporosis" if i < vbq_pos_among_pos else "normal"
            else:
                vbq = "osteoporosis" if i - dxa_pos < vbq_pos_among_neg else "normal"
            rows.append((grp, dxa, vbq))
    return pd.DataFrame(rows, columns=["group", "dxa_status", "vbq_status"])


def test_prevalence_shift_reproduces_paper():
    res = prevalence_shift(_paper_frame(), order=["degenerative", "control"])
    # Chen et al. 2023 (Results, Abstract): 19.8% vs 20.1% by T-score; 53.5% vs 38.8% by VBQ,
    # p = 0.025; 46.9% vs 30.8% VBQ-positive among T-score-negative.
    np.testing.assert_allclose(res.reference.percent[0], [19.8, 20.1], atol=0.05)
    np.testing.assert_allclose(res.test.percent[0], [53.5, 38.8], atol=0.05)
    np.testing.assert_allclose(res.test_among_reference_negative.percent[0], [46.9, 30.8],
                               atol=0.05)
    # R 4.2.2: chisq.test(matrix(c(54, 47, 52, 82), 2), correct = FALSE)$p.value
    assert res.test.p_value == pytest.approx(0.0253710247023091, abs=ABS)
    assert round(res.test.p_value, 3) == 0.025
    # R 4.2.2: chisq.test(matrix(c(38, 43, 33, 74), 2), correct = FALSE)$p.value
    assert res.test_among_reference_negative.p_value == pytest.approx(0.0243861799805522, abs=ABS)
    # With Yates' correction the paper's 0.025 is not reproduced: R chisq.test(correct=TRUE)
    yates = prevalence_shift(_paper_frame(), correction=True)
    assert yates.test.p_value == pytest.approx(0.0354396255041239, abs=ABS)


def test_prevalence_by_diagnosis_matches_r(data):
    res = prevalence_by(data, "diagnosis")
    assert res.levels == ("disc_herniation", "scoliosis", "spondylolisthesis", "stenosis")
    # R 4.2.2: table(vbq_status == "osteoporosis", diagnosis): TRUE 14 3 13 51, FALSE 10 0 11 45
    np.testing.assert_array_equal(res.count, [14, 3, 13, 51])
    np.testing.assert_array_equal(res.n, [24, 3, 24, 96])
    # R 4.2.2: min expected 1.347 -> Fisher; fisher.test(tb)$p.value
    assert res.method == FISHER_METHOD
    assert res.p_value == pytest.approx(0.538800241846276, abs=ABS)
    assert res.comparison.chi2_p_value == pytest.approx(0.439226300814551, abs=ABS)
    assert len(res.to_frame()) == 4


def test_prevalence_by_age_matches_r(data):
    res = prevalence_by(data, data["age"] >= 60)
    assert res.by == "age" and res.levels == (False, True)
    np.testing.assert_array_equal(res.count, [43, 38])
    # R 4.2.2: chisq.test(table(vbq_status == "osteoporosis", age >= 60), correct = FALSE)
    assert res.p_value == pytest.approx(0.141457756738214, abs=ABS)
    arr = prevalence_by(data, (data["age"] >= 60).to_numpy())
    assert arr.by == "by" and arr.p_value == res.p_value


def test_reclassification_matches_r(data):
    res = reclassification(data)
    # R 4.2.2: table(factor(dxa_status, lv), factor(vbq_status, lv))
    np.testing.assert_array_equal(res.counts, [[28, 23, 28], [4, 9, 36], [0, 2, 16]])
    assert res.n == 146 and res.n_missing == 4
    assert res.crosstab().loc["osteopenia", "osteoporosis"] == 36
    tidy = res.to_frame()
    assert len(tidy) == 9 and tidy["count"].sum() == 146
    assert res.agreement == pytest.approx((28 + 9 + 16) / 146)


def _slow_prevalence(d: pd.DataFrame, col: str, positive: set) -> dict:
    """Oracle: loop over patients."""
    out: dict = {}
    for _, row in d.iterrows():
        if pd.isna(row[col]) or pd.isna(row["group"]):
            continue
        k, n = out.get(row["group"], (0, 0))
        out[row["group"]] = (k + (row[col] in positive), n + 1)
    return out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(STATUS + (None,)),
                          st.sampled_from(STATUS + (None,))), min_size=10, max_size=50))
def test_prevalence_properties(rows):
    d = pd.DataFrame(rows, columns=["group", "dxa_status", "vbq_status"])
    try:
        res = prevalence_shift(d)
    except DegenerateInputError:
        return
    slow = _slow_prevalence(d, "vbq_status", {"osteoporosis"})
    for j, g in enumerate(res.groups):
        assert (int(res.test.counts[0, j]), int(res.test.n[j])) == slow[g]
    assert res.test.n.sum() + res.test.n_missing == len(d)
    p = res.test.p_value
    assert 0 <= p <= 1 or (np.isnan(p) and res.test.method.startswith("not tested"))
    rc = reclassification(d)
    assert rc.n + rc.n_missing == len(d)
    assert rc.counts[:, 2].sum() == int((d.vbq_status == "osteoporosis").where(
        d.dxa_status.notna(), False).sum())


def test_degenerate_and_bad_inputs(data):
    nobody = data.assign(vbq_status="normal")
    # nobody VBQ-positive: the counts stay (0 of n in each group), the test is undefined and
    # says so (R's chisq.test gives NaN on a table with an empty row too)
    res = prevalence_shift(nobody)
    assert res.test.counts[0].tolist() == [0, 0] and np.isnan(res.test.p_value)
    assert res.test.method.startswith("not tested (") and "only 1 level" in res.test.method
    assert np.isfinite(res.reference.p_value)
    with pytest.raises(InputError, match="positive"):
        prevalence_shift(data, positive=("osteoprosis",))
    with pytest.raises(InputError, match="missing column"):
        prevalence_shift(data, test_col="vbq")
    with pytest.raises(InputError, match="same length"):
        prevalence_by(data, [True, False])
    with pytest.raises(InputError, match="not in order"):
        reclassification(data.assign(vbq_status="unknown"))
    one_group = data.assign(group="control")
    res = prevalence_shift(one_group)  # counts for the one group; no between-group test
    assert res.groups == ("control",) and np.isnan(res.reference.p_value)
    assert "only 1 group" in res.reference.method
