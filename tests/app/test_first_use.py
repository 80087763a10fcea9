"""What a clinician opening the app for the first time met on screen (the `newuser` review of
2026-12-07): words from the code instead of the reader's, and sentences not true of the numbers
beside them. Each test fails on the code before its fix."""

from __future__ import annotations

import vbq

from .conftest import start


def test_the_combined_marker_is_named_in_words_not_design_terms():
    # the ROC page wrote "Combined marker (logistic: vbq, age, sex_M)"
    at = start(query={"v.roc.markers": "vbq,hu_l1,combined"})
    at.switch_page("app_pages/roc.py").run()
    assert not at.exception
    line = next(m.value for m in at.markdown if "cross-validated AUC" in m.value)
    assert "sex_M" not in line and "vbq," not in line
    assert line.startswith(f"**{vbq.study.MARKERS['combined'][0]}**")


def test_the_plan_page_says_what_the_cohort_lacks_in_the_terms_each_question_counts(demo):
    # the risk model's verdict said "11 patients short in the scarcest group": the model needs
    # patients and events (Riley et al.), and its shortfall was 11 patients in all
    at = start()
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception
    have = vbq.plan.cohort_size(vbq.prepare_cohort(*demo).table)
    model = vbq.plan.check_cohort(vbq.stats.sample_size_prediction_model(0.8, 0.2, 3), have)
    accuracy = vbq.plan.check_cohort(
        vbq.stats.sample_size_accuracy(0.93, 0.654, half_width=0.07, prevalence=0.3), have)
    assert not model.enough and not accuracy.enough
    warnings = [w.value for w in at.warning]
    assert not any("scarcest group" in w for w in warnings)
    assert (f"it has {have.n} patients, {have.n_cases} with osteoporosis; the model needs "
            f"{model.needed_total} patients, {model.needed_events} with osteoporosis"
            in " ".join(warnings))
    assert (f"it has {have.n_cases} patients with osteoporosis and {have.n_controls} without; "
            f"the study needs {accuracy.needed_cases} with and {accuracy.needed_controls} "
            "without" in " ".join(warnings))


def test_the_grey_zone_says_whose_shares_and_which_condition_it_calls(demo):
    # with the control group chosen the footnote said "Shares of all patients", and with
    # osteopenia or osteoporosis as the condition the caption said "osteoporosis is called"
    from .conftest import table_notes

    at = start(query={"v.thr.zone_group": "control", "v.thr.target": "osteopenia_or_worse"})
    at.switch_page("app_pages/thresholds.py").run()
    assert not at.exception
    zone = vbq.study.grey_zone(vbq.prepare_cohort(*demo).table, rule_out=2.6, rule_in=3.2,
                               group="control", target="osteopenia_or_worse")
    assert zone.n_rule_out + zone.n_grey + zone.n_rule_in == 134  # the control group
    notes = table_notes(at)
    assert any(n.startswith("Shares of the control group;") for n in notes), notes
    assert not any("Shares of all patients" in n for n in notes)
    assert any("rule-in cutoff osteopenia or osteoporosis is called" in c.value
               for c in at.caption)


def test_the_reliability_choices_travel_in_the_link_and_across_pages():
    # the Reliability page's source, agreement and ICC form were in no link and were lost on a
    # page change: a shared link showed the (empty) database and ICC(2,1)
    at = start()
    at.switch_page("app_pages/reliability.py").run()
    at.radio(key="rel_source").set_value("sheet").run()
    at.selectbox(key="rel_form").set_value("ICC3").run()
    assert not at.exception
    query = dict(at.query_params)
    assert query == {"v.rel.source": "sheet", "v.rel.form": "ICC3"}
    at.switch_page("app_pages/groups.py").run()
    at.switch_page("app_pages/reliability.py").run()
    assert at.radio(key="rel_source").value == "sheet"
    fresh = start(query=query)
    fresh.switch_page("app_pages/reliability.py").run()
    assert fresh.radio(key="rel_source").value == "sheet"
    assert fresh.selectbox(key="rel_form").value == "ICC3"
    assert any(m.label == "ICC(3,1)" for m in fresh.metric)  # the spreadsheet's readings shown


def test_one_stored_reading_is_counted_in_the_singular():
    # the MRI page's stored measurements said "All 1 readings of patient DEMO-002."
    from ui.history import showing

    assert showing(1, 1, "readings of patient DEMO-002") == "1 reading of patient DEMO-002."
    assert showing(1, 1, "flagged readings") == "1 flagged reading."
    assert showing(1, 1, "changes") == "1 change."
    assert showing(0, 0, 'readings matching "p9"') == 'No readings matching "p9".'
    assert showing(3, 3, "changes") == "All 3 changes."
    assert showing(50, 20_800, "readings") == "Showing 50 of 20,800 readings."


def test_the_plan_page_counts_one_patient_in_the_singular():
    at = start(query={"sexes": "M", "age_min": "75"})  # 3 patients, 1 with osteoporosis
    at.switch_page("app_pages/plan.py").run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "it has 1 patient with osteoporosis and 2 without" in warnings
    assert "1 patients" not in warnings


def test_the_figure_caption_names_the_coefficient_table_3_shows():
    # with Spearman chosen the caption said "Spearman r" under a Table 3 of ρ
    from .conftest import tables

    at = start(query={"v.corr.method": "spearman"})
    at.switch_page("app_pages/correlations.py").run()
    assert not at.exception
    assert any("ρ (95% CI)" in t.columns for t in tables(at))
    caption = next(c.value for c in at.caption if "as in Table 3" in c.value)
    assert caption.startswith("Spearman's ρ with its 95% CI")
