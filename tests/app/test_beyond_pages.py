"""The Decide and Plan a study pages (issue 20): each renders on the demo, takes one interaction,
and shows what the same `vbq` call returns."""

from __future__ import annotations

import numpy as np

import vbq
import vbq.decide
import vbq.plan

from .conftest import start, tables


def _decision(demo, **kwargs):
    prepared = vbq.prepare_cohort(*demo)
    kwargs.setdefault("vbq_cutoff", prepared.thresholds.vbq_osteoporosis)
    return prepared, vbq.decide.decision_study(prepared.table, **kwargs)


def test_decide_page_shows_the_net_benefit_of_vbq(demo):
    at = start("app_pages/decide.py")
    assert not at.exception and not at.error
    prepared, study = _decision(demo)
    shown = tables(at)[0]
    vbq_row = shown[shown["Strategy"].str.startswith("Net benefit: DXA if VBQ")].iloc[0]
    # the 20% column: the page's thresholds 5, 20, 35, 50%
    nb = study.result.curve("vbq").set_index("threshold")["net_benefit"]
    assert vbq_row["At 20%"] == vbq.present.format_number(nb.loc[0.2], 3).replace("-", "−")
    assert len(at.get("plotly_chart")) == 2


def test_decide_page_follows_the_harm_and_the_cutoff(demo):
    at = start("app_pages/decide.py")
    at.number_input(key="decide_harm").set_value(0.02).run()
    at.number_input(key="decide_cutoff").set_value(3.2).run()
    assert not at.exception and not at.error
    _, study = _decision(demo, vbq_cutoff=3.2, harm=0.02)
    shown = tables(at)[0]
    row = shown[shown["Strategy"] == "Net benefit: DXA if VBQ ≥ 3.20"].iloc[0]
    nb = study.result.curve("vbq").set_index("threshold")["net_benefit"]
    assert row["At 35%"] == vbq.present.format_number(nb.loc[0.35], 3)
    # harm lowers the test's net benefit by exactly its value
    _, free = _decision(demo, vbq_cutoff=3.2)
    free_nb = free.result.curve("vbq")["net_benefit"].to_numpy()
    np.testing.assert_allclose(study.result.curve("vbq")["net_benefit"], free_nb - 0.02)


def test_plan_page_gives_the_papers_numbers_and_checks_the_cohort(demo):
    at = start("app_pages/plan.py")
    assert not at.exception and not at.error
    shown = [m.value for m in at.metric]
    # Buderer with the paper's VBQ accuracy (93%, 65.4%), +/- 7 points, prevalence 30%: 254
    assert shown[0] == "254"
    prepared = vbq.prepare_cohort(*demo)
    have = vbq.plan.cohort_size(prepared.table)
    acc = vbq.stats.sample_size_accuracy(0.93, 0.654, half_width=0.07, prevalence=0.30)
    check = vbq.plan.check_cohort(acc, have)
    table = tables(at)[-1]
    assert table.loc[0, "Large enough?"] == ("Yes" if check.enough
                                             else f"No: {check.short_by} short")
    assert table.loc[0, "This cohort has"].startswith(f"{have.n_cases} with and "
                                                      f"{have.n_controls} without")


def test_plan_page_follows_an_input(demo):
    at = start("app_pages/plan.py")
    at.number_input(key="plan_params").set_value(10).run()
    assert not at.exception and not at.error
    expected = vbq.stats.sample_size_prediction_model(0.80, 0.20, 10)
    assert [m.value for m in at.metric][3] == str(expected.n_total)
    at.selectbox(key="plan_sides").set_value("one-sided").run()
    one = vbq.stats.sample_size_auc(0.80, null_auc=0.70, alternative="one-sided")
    assert [m.value for m in at.metric][1] == str(one.n_total)


def test_plan_page_explains_inputs_that_have_no_answer():
    at = start("app_pages/plan.py")
    at.number_input(key="plan_null").set_value(0.80).run()  # the expected AUC is 0.80
    at.number_input(key="plan_c").set_value(0.99).run()
    at.number_input(key="plan_mprev").set_value(50.0).run()
    at.number_input(key="plan_shrink").set_value(0.50).run()
    assert not at.exception and not at.error
    infos = [i.value for i in at.info]
    assert any("no study can tell them apart" in i for i in infos)
    assert any("raise the target shrinkage" in i for i in infos)
    # the other questions are still answered, and the summary lists only those
    assert tables(at)[-1]["Question"].tolist() == ["Estimate sensitivity and specificity",
                                                   "Show two AUCs differ"]
