"""AppTest of the Risk calculator page on the demo: the probability, the model's tables and the
sample-size statement are those of `vbq` for the same inputs."""

from __future__ import annotations

import pytest

import vbq

from .conftest import metrics, start, tables


@pytest.fixture(scope="module")
def model():
    cohort, dxa = vbq.demo.load()
    return vbq.study.risk_calculator(vbq.prepare_cohort(cohort, dxa).table)


def _probability(at) -> str:
    return next(v for k, v in metrics(at).items() if k.startswith("Probability of"))


def test_the_page_shows_vbqs_model_and_a_patients_probability(model):
    at = start("app_pages/risk.py")
    assert not at.exception and not at.error
    at.number_input(key="risk_vbq").set_value(3.4).run()
    at.number_input(key="risk_age").set_value(72).run()
    at.radio(key="risk_sex").set_value("M").run()
    assert not at.exception
    expected = model.predict({"vbq": 3.4, "age": 72, "sex": "M"}).iloc[0]
    assert _probability(at) == f"{100 * expected['probability']:.1f}%"
    ci = vbq.present.risk_ci_text(expected)
    assert ci == (f"95% CI {100 * expected['ci_low']:.1f}% to {100 * expected['ci_high']:.1f}%")
    assert any(m.value == f"**{ci}**" for m in at.markdown)
    shown = tables(at)
    coefficients = next(t for t in shown if "Odds ratio (95% CI)" in t.columns)
    assert coefficients.reset_index(drop=True).equals(
        vbq.present.risk_coefficients_table(model).display())
    performance = next(t for t in shown if "Corrected for optimism" in t.columns)
    assert performance.reset_index(drop=True).equals(
        vbq.present.risk_performance_table(model).display())
    assert any(s.value == vbq.present.risk_sample_size_text(model) for s in at.success)
    assert not at.warning  # the inputs lie within the cohort's ranges


def test_a_value_outside_the_cohort_is_flagged_and_hu_can_be_added():
    at = start("app_pages/risk.py")
    at.number_input(key="risk_vbq").set_value(7.5).run()
    assert any("outside the range" in w.value for w in at.warning)
    at.checkbox(key="risk_hu").check().run()
    assert not at.exception
    coefficients = next(t for t in tables(at) if "Odds ratio (95% CI)" in t.columns)
    assert "L1 HU (per 1 HU)" in coefficients["Predictor"].str.strip().tolist()
    assert at.number_input(key="risk_hu_value").value is not None
    assert at.query_params["v.risk.hu"] == "1"  # the link carries the option
