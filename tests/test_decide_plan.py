"""vbq.decide (decision curves of the cohort) and vbq.plan (the cohort against a sample size):
each composed result is compared with the vbq.stats call on the same patients, selected here
with plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import vbq
import vbq.decide
import vbq.plan
from vbq.errors import InputError


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return vbq.prepare_cohort(*vbq.demo.load()).table


def test_the_vbq_and_model_curves_are_those_of_vbq_stats(table):
    study = vbq.decide.decision_study(table, vbq_cutoff=2.9, group="control",
                                      thresholds=[0.1, 0.25], n_boot=200)
    rows = table[table["group"] == "control"]
    y = rows["dxa_status"].eq("osteoporosis").to_numpy()
    expected = vbq.stats.net_benefit(y, rows["vbq"].to_numpy() >= 2.9, [0.1, 0.25])
    np.testing.assert_allclose(study.result.curve("vbq")["net_benefit"],
                               expected["net_benefit"], atol=1e-12)
    model = vbq.stats.combined_marker(y, rows[["vbq", "age", "sex"]], seed=0)
    risk = 1 / (1 + np.exp(-model.linear_predictor))
    np.testing.assert_allclose(study.result.curve("model")["net_benefit"],
                               vbq.stats.net_benefit(y, risk, [0.1, 0.25])["net_benefit"],
                               atol=1e-12)
    assert study.result.n == len(rows) and study.result.compare == ("vbq", "all")
    assert "DXA if VBQ >= 2.9" in study.summary()


def test_without_the_model_the_comparison_falls_back(table):
    study = vbq.decide.decision_study(table, vbq_cutoff=2.6, target="osteopenia_or_worse",
                                      model=False, compare=("model", "vbq"),
                                      thresholds=[0.3], n_boot=100)
    assert study.result.strategies == ("vbq", "all", "none")
    assert study.result.compare == ("vbq", "all")


def test_cohort_size_counts_patients_with_vbq_and_dxa(table):
    have = vbq.plan.cohort_size(table, group="degenerative", target="osteoporosis")
    rows = table[(table["group"] == "degenerative") & table["vbq"].notna()
                 & table["dxa_status"].notna()]
    assert have.n == len(rows)
    assert have.n_cases == int((rows["dxa_status"] == "osteoporosis").sum())
    assert have.n_controls == have.n - have.n_cases


def test_check_cohort_uses_cases_and_controls_or_patients_and_events():
    have = vbq.plan.CohortSize(group="all", target="osteoporosis", n=235, n_cases=42,
                               n_controls=193)
    acc = vbq.stats.sample_size_accuracy(0.93, 0.654, half_width=0.07, prevalence=0.30)
    check = vbq.plan.check_cohort(acc, have)  # 52 cases needed, 42 there
    assert not check.enough and check.short_by == 10
    model = vbq.stats.sample_size_prediction_model(0.80, 0.25, 4)  # 289 patients, 73 events
    check = vbq.plan.check_cohort(model, have)
    assert not check.enough and check.short_by == max(289 - 235, 73 - 42)
    easy = vbq.stats.sample_size_auc(0.95, alternative="one-sided")
    assert vbq.plan.check_cohort(easy, have).enough
    with pytest.raises(InputError, match="^result:"):
        vbq.plan.check_cohort("254", have)
