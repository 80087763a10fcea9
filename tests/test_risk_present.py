"""The risk calculator's tables, sentences and calibration figure (`vbq.present`'s risk
functions, `vbq.figures.calibration_plot`) show the numbers of `vbq.stats.risk_model`."""

from __future__ import annotations

import numpy as np
import pytest

import vbq
from vbq import figures, present


@pytest.fixture(scope="module")
def table():
    return vbq.prepare_cohort(*vbq.demo.load()).table


@pytest.fixture(scope="module")
def model(table):
    return vbq.study.risk_calculator(table)


def test_coefficients_table_shows_every_term_with_wald_cis(model):
    t = present.risk_coefficients_table(model)
    assert t.shown["Predictor"].tolist() == ["Intercept", "VBQ (per 1 unit)", "Age (per year)",
                                             "Male (vs female)"]
    vbq_row = model.coefficients.set_index("term").loc["vbq"]
    assert t.shown.iloc[1, 2] == (f"{vbq_row.odds_ratio:.2f} ({vbq_row.or_ci_low:.2f} to "
                                  f"{vbq_row.or_ci_high:.2f})")
    assert "Wald" in t.footnotes[0]
    assert t.data.equals(model.coefficients)


def test_performance_table_and_sample_size_sentence(model):
    t = present.risk_performance_table(model)
    assert t.shown["Measure"].tolist() == ["C statistic (AUC)", "Calibration slope",
                                           "Calibration-in-the-large", "Brier score"]
    assert t.shown.iloc[0, 3] == f"{model.c_statistic_corrected:.3f}"
    assert "200 resamples, seed 0" in t.footnotes[0]
    text = present.risk_sample_size_text(model)
    assert f"needs at least {model.riley_n_required} patients" in text
    assert ("meets this minimum" in text) == model.meets_riley_minimum


def test_a_small_cohort_is_said_to_be_below_the_minimum(table):
    small = table[table["group"] == "control"]
    m = vbq.study.risk_calculator(small, include_hu=True)
    assert not m.meets_riley_minimum and m.n < m.riley_n_required
    assert "is below this minimum" in present.risk_sample_size_text(m)


def test_prediction_sentence(model):
    row = model.predict({"vbq": 3.1, "age": 70, "sex": "F"}).iloc[0]
    text = present.risk_prediction_text(row)
    assert text == (f"Probability of osteoporosis by DXA: {100 * row.probability:.1f}% (95% CI "
                    f"{100 * row.ci_low:.1f}% to {100 * row.ci_high:.1f}%).")


def test_calibration_plot_draws_the_models_curves_and_every_patient(model):
    fig = figures.calibration_plot(model)
    by_name = {t.name: t for t in fig.data}
    np.testing.assert_array_equal(by_name["Apparent"].y, model.calibration_curve["observed"])
    corrected = next(t for n, t in by_name.items() if n.startswith("Corrected"))
    np.testing.assert_array_equal(corrected.y, model.calibration_curve["observed_corrected"])
    with_ = by_name["Patients with osteoporosis"]
    without = by_name["Patients without osteoporosis"]
    assert len(with_.x) == model.n_events and len(without.x) == model.n - model.n_events
    assert fig.layout.template.layout.paper_bgcolor == figures.TEMPLATE.layout.paper_bgcolor
