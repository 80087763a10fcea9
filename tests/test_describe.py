"""vbq.describe: what is in force, in words, and the paper's values as labelled references."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import vbq
from vbq.describe import MIN_THRESHOLD_CLASS, PAPER_PREVALENCE, prevalence_against_paper


@pytest.fixture(scope="module")
def demo():
    return vbq.demo.load()


def test_paper_settings_on_the_demo_read_as_the_paper_defines_them(demo):
    prepared = vbq.prepare_cohort(*demo)
    f = vbq.in_force(prepared)
    table = prepared.table
    n_deg = int((table["group"] == "degenerative").sum())
    n_ctl = int((table["group"] == "control").sum())
    assert f.groups == (f"n = {n_deg} degenerative, {n_ctl} control ({len(table)} of "
                        f"{len(demo[0])} cohort patients analysed)")
    assert f.criteria == ("Degenerative: ≥ 3 of L1-L4 with facet osteoarthritis grade ≥ 2, "
                          "Genant grade ≥ 2, UCLA grade ≥ III or osteophyte (C, D, E) > 2 mm")
    assert f.filters == "Filters: none"
    assert f.reference == ("Reference: DXA lowest T-score of L1-L4, femoral neck and total hip, "
                           "osteoporosis T ≤ -2.5, osteopenia T < -1")
    th = prepared.thresholds
    assert f.thresholds == (f"VBQ thresholds: osteopenia ≥ {th.vbq_osteopenia:g}, osteoporosis ≥ "
                            f"{th.vbq_osteoporosis:g}, both derived from the {n_ctl} control "
                            "patients (Youden cutoff, rounded)")
    assert f.warnings == ()
    for clause in (f.groups, f.criteria, f.filters, f.reference, f.thresholds):
        assert clause in f.line
    assert "\n" not in f.line


def test_filters_and_hand_set_thresholds_are_said(demo):
    s = vbq.Settings(sexes=("F",), age_min=60.0, age_max=75.0, diagnoses=("stenosis",),
                     vbq_osteopenia=2.7, vbq_osteoporosis=3.0, dxa_site="l1_l4")
    f = vbq.in_force(vbq.prepare_cohort(*demo, s))
    assert f.filters == "Filters: women only; age 60 to 75; diagnoses: spinal stenosis"
    assert f.thresholds == ("VBQ thresholds: osteopenia ≥ 2.7, osteoporosis ≥ 3, both set by "
                            "hand")
    assert f.reference.startswith("Reference: DXA L1-L4 T-score,")
    assert f.warnings == ()  # hand-set thresholds rest on no control group


def test_a_derived_threshold_on_few_patients_is_flagged_with_the_counts(demo):
    s = vbq.Settings(sexes=("F",), age_min=65.0)
    prepared = vbq.prepare_cohort(*demo, s)
    # counted by hand from the analysed table: the control patients positive by DXA
    ctl = prepared.table[prepared.table["group"] == "control"]
    n_porotic = int((ctl["dxa_status"] == "osteoporosis").sum())
    assert n_porotic == prepared.thresholds.n_control_positive_osteoporosis
    f = vbq.in_force(prepared)
    small = [w for w in f.warnings if w.startswith("The osteoporosis threshold")]
    assert min(n_porotic, len(ctl) - n_porotic) < MIN_THRESHOLD_CLASS
    assert len(small) == 1
    assert (f"derived from {len(ctl)} control patients, {n_porotic} with and "
            f"{len(ctl) - n_porotic} without osteoporosis by DXA") in small[0]


def test_no_criterion_enabled_is_said():
    s = vbq.Settings().replace(facet=False, genant=False, ucla=False, osteophyte=False)
    f = vbq.in_force(vbq.prepare_cohort(*vbq.demo.load(), s))
    assert f.criteria == "Degenerative: no criterion enabled (everyone is control)"


def test_in_force_refuses_what_is_not_a_prepared_cohort():
    with pytest.raises(vbq.InputError, match="prepared: expected a vbq.PreparedCohort"):
        vbq.in_force(vbq.demo.load()[0])


def test_prevalence_against_paper_puts_the_papers_numbers_beside_this_result(demo):
    prepared = vbq.prepare_cohort(*demo)
    shift = vbq.study.prevalence(prepared.table).to_frame()
    out = prevalence_against_paper(shift, target="osteoporosis")
    row = out.set_index("measure").loc["test_among_reference_negative"]
    # the paper's Abstract: 46.9% vs 30.8%
    assert (row["paper_degenerative"], row["paper_control"]) == (46.9, 30.8)
    e = shift.set_index("measure").loc["test_among_reference_negative"]
    assert row["degenerative"] == e["percent_degenerative"]
    assert row["control"] == e["percent_control"]
    assert set(out["measure"]) == set(PAPER_PREVALENCE)
    other = prevalence_against_paper(vbq.study.prevalence(
        prepared.table, target="osteopenia_or_worse").to_frame(), target="osteopenia_or_worse")
    assert np.isnan(other["paper_degenerative"]).all()  # the paper reports osteoporosis only
    with pytest.raises(vbq.InputError, match="target"):
        prevalence_against_paper(shift, target="fracture")


def test_readings_from_more_than_one_scanner_are_said_in_the_in_force_line(demo):
    # issue 19: when measurements from more than one field strength or manufacturer are in
    # use, the in-force line says so
    rois = ["L1", "L2", "L3", "L4", "CSF"]
    readings = pd.DataFrame({
        "patient_id": ["DEMO-001"] * 5 + ["DEMO-002"] * 5 + ["DEMO-003"] * 5,
        "observer": ["AB"] * 15, "session": [1] * 15, "level": rois * 3, "si_mean": [300.0] * 15,
        "field_strength_t": [1.5] * 10 + [3.0] * 5,
        "manufacturer": ["ACME"] * 5 + ["acme"] * 5 + ["Other"] * 5,
        "scanning_sequence": ["SE"] * 10 + ["IR\\SE"] * 5})
    merge = SimpleNamespace(measured=("DEMO-001", "DEMO-002", "DEMO-003"), replaced=(),
                            not_in_cohort=(), observer="AB", session=1, combine="primary")
    used = vbq.describe.measurements_in_use(merge, readings)
    assert used.field_strengths == (1.5, 3.0) and used.manufacturers == ("ACME", "Other")
    assert used.mixed and used.mixed_text == "1.5 T and 3 T; ACME and Other"
    line = vbq.in_force(vbq.prepare_cohort(*demo), measurements=used).line
    assert "readings from more than one scanner: 1.5 T and 3 T; ACME and Other" in line
    assert "1.5 T, ACME, spin echo (1 patient)" in used.series_text
    assert "3 T, Other, inversion recovery (1 patient)" in used.series_text
    one = vbq.describe.measurements_in_use(merge, readings.iloc[:5])
    assert not one.mixed and "more than one scanner" not in one.short
