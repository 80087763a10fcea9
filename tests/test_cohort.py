"""vbq.cohort: VBQ, DXA classification, degenerative grouping, prepare and its exclusion log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vbq
from vbq.cohort import assign_groups, classify_dxa, classify_vbq, compute_vbq, degeneration_detail

from .factories import make_tables


# -- compute_vbq -----------------------------------------------------------------------------
def test_vbq_is_median_over_csf():
    # median(300, 320, 310, 330) = (310 + 320) / 2 = 315; 315 / 110 = 2.863636...
    r = compute_vbq(np.array([[300.0, 320, 310, 330]]), np.array([110.0]))
    assert r.vbq[0] == pytest.approx(315 / 110, abs=1e-12)
    assert r.n_levels.tolist() == [4]
    assert r.level_notes == []


def test_collapsed_level_left_out_and_noted():
    si = np.array([[300.0, 900, 310, 330]])
    r = compute_vbq(si, np.array([100.0]), np.array([[False, True, False, False]]))
    assert r.vbq[0] == pytest.approx(3.10)  # median(300, 310, 330)
    assert r.n_levels[0] == 3
    assert r.level_notes == [(0, "L2", "collapsed: left out of the VBQ median")]


def test_too_few_levels_and_bad_csf_give_reasons_not_silent_nan():
    si = np.array([[300.0, np.nan, np.nan, 330], [300, 310, 320, 330], [300, 310, 320, 330]])
    r = compute_vbq(si, np.array([100.0, 0.0, np.nan]), min_levels=3)
    assert np.isnan(r.vbq).all()
    assert "only 2 evaluable level(s)" in r.reasons[0]
    assert "CSF SI must be > 0" in r.reasons[1]
    assert "CSF SI missing" in r.reasons[2]


def test_compute_vbq_shape_errors():
    with pytest.raises(vbq.InputError, match="si: expected shape"):
        compute_vbq(np.ones((3, 3)), np.ones(3))
    with pytest.raises(vbq.InputError, match="csf"):
        compute_vbq(np.ones((3, 4)), np.ones(2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(50, 2000), min_size=4, max_size=4), st.floats(20, 500),
       st.floats(0.1, 10))
def test_vbq_scale_invariant(si, csf, k):
    # VBQ is a ratio: scaling every SI by the same scanner gain leaves it unchanged
    a = compute_vbq(np.array([si]), np.array([csf])).vbq[0]
    b = compute_vbq(np.array(si)[None] * k, np.array([csf * k])).vbq[0]
    assert a == pytest.approx(b, rel=1e-9)
    assert a == pytest.approx(np.median(si) / csf, rel=1e-12)


# -- classification --------------------------------------------------------------------------
def test_who_classification_boundaries():
    # WHO 1994: osteoporosis T <= -2.5; osteopenia -2.5 < T < -1; normal T >= -1
    out = classify_dxa([-3.0, -2.5, -2.49, -1.01, -1.0, 0.5, np.nan])
    assert out.tolist() == ["osteoporosis", "osteoporosis", "osteopenia", "osteopenia",
                            "normal", "normal", None]


def test_vbq_classification_at_threshold_is_positive():
    assert classify_vbq([2.59, 2.6, 2.89, 2.9, np.nan]).tolist() == [
        "normal", "osteopenia", "osteopenia", "osteoporosis", None]


# -- degenerative grouping -------------------------------------------------------------------
def _one(**grades):
    row = {"patient_id": "X"}
    for lv in ("l1", "l2", "l3", "l4"):
        row.update({f"facet_{lv}": 0, f"genant_{lv}": 0, f"ucla_{lv}": 1,
                    f"osteophyte_dir_{lv}": "A", f"osteophyte_mm_{lv}": 0.0})
    row.update(grades)
    return pd.DataFrame([row])


@pytest.mark.parametrize(
    "grades, n_deg",
    [
        ({}, 0),
        ({"facet_l1": 2, "genant_l2": 2, "ucla_l3": 3}, 3),
        ({"facet_l1": 1, "genant_l2": 1, "ucla_l3": 2}, 0),  # grades below Table 1 thresholds
        ({"osteophyte_dir_l1": "C", "osteophyte_mm_l1": 2.5}, 1),
        ({"osteophyte_dir_l1": "C", "osteophyte_mm_l1": 2.0}, 0),  # "> 2 mm" is strict
        ({"osteophyte_dir_l1": "B", "osteophyte_mm_l1": 5.0}, 0),  # B is not C/D/E
        ({"facet_l1": 3, "genant_l1": 3}, 1),  # two criteria on one vertebra count once
    ],
)
def test_vertebra_counts(grades, n_deg):
    g = assign_groups(_one(**grades))
    assert g["n_degenerative"].iloc[0] == n_deg
    assert g["group"].iloc[0] == ("degenerative" if n_deg >= 3 else "control")


def test_criteria_are_configurable():
    c = _one(facet_l1=2, facet_l2=2)
    assert assign_groups(c)["group"].iloc[0] == "control"
    assert assign_groups(c, vbq.GroupCriteria(min_vertebrae=2))["group"].iloc[0] == "degenerative"
    assert assign_groups(c, vbq.GroupCriteria(facet=False, min_vertebrae=1))[
        "n_degenerative"].iloc[0] == 0
    assert assign_groups(c, vbq.GroupCriteria(levels=("L3", "L4"), min_vertebrae=1))[
        "n_degenerative"].iloc[0] == 0


def test_missing_grades_make_group_undetermined_only_when_they_could_tip_it():
    c = _one(facet_l1=2, facet_l2=2)
    c[["facet_l3", "genant_l3", "ucla_l3", "osteophyte_dir_l3", "osteophyte_mm_l3"]] = None
    g = assign_groups(c)
    assert g["group"].iloc[0] is None
    assert "2 degenerative and 1 ungradable" in g["reason"].iloc[0]
    # with 3 already degenerative, an ungradable fourth level cannot change the group
    c2 = _one(facet_l1=2, facet_l2=2, facet_l3=2)
    c2[["facet_l4", "genant_l4", "ucla_l4", "osteophyte_dir_l4", "osteophyte_mm_l4"]] = None
    assert assign_groups(c2)["group"].iloc[0] == "degenerative"


def test_degeneration_detail_long_table():
    d = degeneration_detail(_one(facet_l1=2, ucla_l1=4, osteophyte_dir_l2="D",
                                 osteophyte_mm_l2=3.0))
    assert list(d.columns) == ["patient_id", "level", "facet", "genant", "ucla", "osteophyte",
                               "degenerative"]
    assert d["level"].tolist() == ["L1", "L2", "L3", "L4"]
    assert d.loc[0, ["facet", "ucla", "degenerative"]].tolist() == [True, True, True]
    assert bool(d.loc[1, "osteophyte"]) and bool(d.loc[1, "degenerative"])
    assert not d.loc[2:, "degenerative"].any()


# -- prepare_cohort ------------------------------------------------------------------------
def test_prepare_columns_groups_and_reconciliation():
    cohort, dxa = make_tables(12)
    prepared = vbq.prepare_cohort(cohort, dxa)
    table = prepared.table
    for col in ("patient_id", "age", "sex", "group", "vbq", "hu_l1", "bmd_l1_l4", "t_l1_l4",
                "t_lowest", "dxa_status"):
        assert col in table.columns
    assert table.attrs == {}
    assert table["group"].value_counts().to_dict() == {"degenerative": 6, "control": 6}
    c = prepared.counts
    assert c.n_cohort == c.n_analysed + c.n_excluded == 12
    assert (c.n_dxa, c.n_dxa_matched, c.n_dxa_without_cohort) == (12, 12, 0)
    expected_low = dxa[["t_l1_l4", "t_femoral_neck", "t_total_hip"]].min(axis=1)
    assert np.allclose(table["t_lowest"], expected_low)
    assert set(table["dxa_status"]) <= {"normal", "osteopenia", "osteoporosis"}


def test_prepare_logs_every_exclusion_and_counts_reconcile():
    cohort, dxa = make_tables(12)
    cohort.loc[0, "collapsed_l2"] = True  # vertebra left out, patient kept
    cohort.loc[1, ["collapsed_l2", "collapsed_l3"]] = True  # too few levels: patient excluded
    cohort.loc[2, "si_csf"] = np.nan  # no CSF: excluded
    dxa = dxa[dxa["patient_id"] != "T004"]  # no DXA: excluded
    extra = dxa.iloc[[0]].assign(patient_id="ORPHAN")  # DXA without cohort row: listed
    dxa = pd.concat([dxa, extra], ignore_index=True)
    prepared = vbq.prepare_cohort(cohort, dxa)
    table, log, c = prepared.table, vbq.exclusion_log(prepared), prepared.counts
    assert c.n_analysed == 9 and c.n_excluded == 3 and c.n_no_dxa == 1
    assert c.n_analysed + c.n_excluded == c.n_cohort == 12
    # both files reconcile: 12 DXA rows = 11 matched + 1 without a cohort patient
    assert (c.n_dxa, c.n_dxa_matched, c.n_dxa_without_cohort) == (12, 11, 1)
    excluded = log[log["patient_excluded"]]
    assert sorted(excluded["patient_id"]) == ["T002", "T003", "T004"]  # one record each
    reasons = dict(zip(excluded["patient_id"], excluded["reason"], strict=False))
    assert "only 2 evaluable" in reasons["T002"]
    assert "CSF SI missing" in reasons["T003"]
    assert "no row for this patient_id in the DXA file" in reasons["T004"]
    notes = log[~log["patient_excluded"]]
    assert ((notes["patient_id"] == "T001") & (notes["level"] == "L2")).any()
    assert (notes["patient_id"] == "ORPHAN").any()
    assert not table["patient_id"].isin(["T002", "T003", "T004"]).any()
    assert c.n_levels_left_out == ((log["stage"] == "vbq") & ~log["patient_excluded"]).sum()


def test_dxa_file_larger_than_cohort_reconciles():
    # issue 8: 200 cohort patients, 235 DXA rows: 35 DXA rows have no cohort patient
    cohort, dxa = vbq.demo.load()
    prepared = vbq.prepare_cohort(cohort.iloc[:200], dxa)
    c = prepared.counts
    assert (c.n_cohort, c.n_analysed, c.n_excluded) == (200, 200, 0)
    assert (c.n_dxa, c.n_dxa_matched, c.n_dxa_without_cohort) == (235, 200, 35)
    log = prepared.exclusion_log()
    assert (log["stage"] == "merge").sum() == 35
    assert "35 without a cohort row" in prepared.summary()


def test_prepare_filters_are_logged():
    cohort, dxa = make_tables(12)
    s = vbq.Settings(sexes=("F",), age_min=55)
    prepared = vbq.prepare_cohort(cohort, dxa, s)
    table, log = prepared.table, prepared.exclusion_log()
    assert set(table["sex"]) == {"F"} and (table["age"] >= 55).all()
    n_filtered = (log["stage"] == "filter").sum()
    assert n_filtered == 12 - len(table)
    assert prepared.settings == s


def test_prepare_dxa_site_changes_status():
    cohort, dxa = make_tables(12)
    dxa["t_femoral_neck"] = -3.0
    a = vbq.prepare_cohort(cohort, dxa).table
    b = vbq.prepare_cohort(cohort, dxa, vbq.Settings(dxa_site="l1_l4")).table
    assert (a["dxa_status"] == "osteoporosis").all()
    assert b["dxa_status"].tolist() == classify_dxa(b["t_l1_l4"]).tolist()


def test_prepare_rejects_bad_tables_with_named_problems():
    cohort, dxa = make_tables(6)
    cohort = cohort.drop(columns=["si_csf"])
    cohort["age"] = cohort["age"].astype(object)
    cohort.loc[2, "age"] = "sixty"
    with pytest.raises(vbq.InputError) as exc:
        vbq.prepare_cohort(cohort, dxa)
    msg = str(exc.value)
    assert "missing required column 'si_csf'" in msg
    assert "row 4" in msg and "not a number" in msg  # DataFrame row 2 -> spreadsheet row 4


def test_prepare_without_validation_takes_canonical_tables_only():
    cohort, dxa = make_tables(12)
    c, _ = vbq.io.coerce_cohort(cohort)
    d, _ = vbq.io.coerce_dxa(dxa)
    fast = vbq.prepare_cohort(c, d, validate=False)
    full = vbq.prepare_cohort(cohort, dxa)
    pd.testing.assert_frame_equal(fast.table, full.table)
    assert fast.counts == full.counts
    assert repr(fast.thresholds) == repr(full.thresholds)  # NaN Youden: repr, not ==
    assert fast.warnings == ()
    with pytest.raises(vbq.InputError, match="patient_id"):
        vbq.prepare_cohort(c.drop(columns=["patient_id"]), d, validate=False)
    with pytest.raises(vbq.InputError, match="settings"):
        vbq.prepare_cohort(c, d, {"min_vertebrae": 3})


def test_exclusion_log_needs_prepared_cohort():
    with pytest.raises(vbq.InputError, match="PreparedCohort"):
        vbq.exclusion_log(pd.DataFrame())


def test_cohort_summary_counts():
    cohort, dxa = make_tables(12)
    table = vbq.prepare_cohort(cohort, dxa).table
    s = vbq.cohort_summary(table)
    assert s["group"].tolist() == ["degenerative", "control", "all"]
    assert s["n"].tolist() == [6, 6, 12]
    allrow = s.iloc[-1]
    assert allrow["age_mean"] == pytest.approx(table["age"].mean())
    assert allrow[["dxa_normal", "dxa_osteopenia", "dxa_osteoporosis"]].sum() == 12


def test_degeneration_summary_lists_criteria_per_level():
    c = _one(facet_l1=2, ucla_l1=3, genant_l2=2)
    c[["facet_l4", "genant_l4", "ucla_l4", "osteophyte_dir_l4", "osteophyte_mm_l4"]] = None
    s = vbq.cohort.degeneration_summary(c, vbq.GroupCriteria(min_vertebrae=2))
    row = s.iloc[0]
    assert (row["L1"], row["L2"], row["L3"], row["L4"]) == ("facet + UCLA", "Genant", "",
                                                           "ungradable")
    assert row["group"] == "degenerative" and row["n_ungradable"] == 1


def test_prepared_cohort_is_frozen_and_picklable():
    import dataclasses
    import pickle

    prepared = vbq.prepare_cohort(*make_tables(12))
    with pytest.raises(dataclasses.FrozenInstanceError):
        prepared.counts.n_analysed = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        prepared.table = None
    again = pickle.loads(pickle.dumps(prepared))  # Streamlit's cache pickles what it stores
    assert again.counts == prepared.counts
    assert repr(again.thresholds) == repr(prepared.thresholds)
    pd.testing.assert_frame_equal(again.table, prepared.table)
    pd.testing.assert_frame_equal(again.exclusion_log(), prepared.exclusion_log())


def test_modic_none_is_a_category_not_missing():
    c, d = make_tables(3)
    c["modic_type"] = ["none", None, "2"]
    table = vbq.prepare_cohort(c, d).table
    assert table["modic_type"].tolist()[0] == "none" and pd.isna(table["modic_type"].tolist()[1])


@pytest.mark.parametrize("seed", [1, 4])  # seed 4: no finite Youden cutoff for osteoporosis
def test_thresholds_derived_from_control_group_as_the_paper_did(seed):
    prepared = vbq.prepare_cohort(*make_tables(60, seed=seed))
    table, th = prepared.table, prepared.thresholds
    control = table[table["group"] == "control"]
    y = (control["dxa_status"] == "osteoporosis").to_numpy()
    assert y.any() and not y.all()
    res = vbq.stats.roc_analysis(y, control["vbq"].to_numpy())
    if np.isfinite(res.cutoff):
        assert th.youden_osteoporosis == res.cutoff
        assert th.vbq_osteoporosis == vbq.study.adjusted_cutoff(res.cutoff, rounding="up")
        assert th.vbq_osteoporosis == vbq.stats.round_cutoff(res.cutoff, higher_is_positive=True)
        assert th.source_osteoporosis == "control-group Youden"
    else:
        assert th.source_osteoporosis == "paper (fallback)"
        assert "no finite Youden cutoff" in th.note
    expected = classify_vbq(table["vbq"], osteopenia=th.vbq_osteopenia,
                            osteoporosis=th.vbq_osteoporosis)
    assert table["vbq_status"].tolist() == expected.tolist()


def test_thresholds_from_settings_and_fallback():
    cohort, dxa = make_tables(12)
    th = vbq.prepare_cohort(cohort, dxa, vbq.Settings(vbq_osteopenia=2.5,
                                                      vbq_osteoporosis=3.0)).thresholds
    assert (th.vbq_osteoporosis, th.source_osteoporosis) == (3.0, "settings")
    dxa[["t_l1_l4", "t_femoral_neck", "t_total_hip"]] = 0.5  # nobody osteoporotic
    th = vbq.prepare_cohort(cohort, dxa).thresholds
    assert th.vbq_osteoporosis == 2.9 and th.source_osteoporosis == "paper (fallback)"
    assert "0 positive" in th.note


def test_inverted_derived_thresholds_are_made_consistent_and_noted():
    th = vbq.prepare_cohort(*make_tables(80)).thresholds  # this factory cohort derives 2.9 / 2.8
    assert th.vbq_osteopenia <= th.vbq_osteoporosis
    if th.youden_osteopenia > th.youden_osteoporosis + 0.1:
        assert "came out above" in th.note


def test_prepare_and_analyse_with_only_the_required_columns():
    # optional columns (HU, Modic, comorbidities, repeated readings, hip DXA) may be absent
    # altogether, not only blank: prepare keeps what is there and analyse says what is missing
    from vbq.schema import COHORT_COLUMNS, DXA_COLUMNS

    cohort, dxa = vbq.demo.load()
    grades = [c.name for c in COHORT_COLUMNS if c.name.split("_l")[0] in
              ("facet", "genant", "ucla", "osteophyte_dir", "osteophyte_mm")
              and not c.name.endswith(("_repeat", "_obs2"))]
    cohort = cohort[[c.name for c in COHORT_COLUMNS if c.required] + grades]
    dxa = dxa[[c.name for c in DXA_COLUMNS if c.required]]
    prepared = vbq.prepare_cohort(cohort, dxa)
    assert "hu_l1" not in prepared.table.columns and len(prepared.table) > 0
    result = vbq.study.analyse(prepared)
    assert isinstance(result.table5, vbq.study.Unavailable) and "Modic" in result.table5.reason
    assert "L1 HU" in result.roc["osteoporosis"].errors["hu_l1"]
    assert result.reliability == {}
    assert isinstance(result.table2, vbq.stats.GroupComparison)
    assert result.counts == prepared.counts


def test_coinciding_thresholds_are_noted():
    # equal thresholds leave the VBQ osteopenia class empty: the user is told, not left to notice
    prepared = vbq.prepare_cohort(*make_tables(12), vbq.Settings(vbq_osteopenia=2.9,
                                                                 vbq_osteoporosis=2.9))
    table, th = prepared.table, prepared.thresholds
    assert "coincide (2.9)" in th.note
    assert not (table["vbq_status"] == "osteopenia").any()
    th = vbq.prepare_cohort(*make_tables(12), vbq.Settings(vbq_osteopenia=2.6,
                                                           vbq_osteoporosis=2.9)).thresholds
    assert th.note == ""


def test_a_subgroup_is_counted_apart_from_the_exclusions():
    # issue 16: filtering to women was counted as "Excluded: 89 - outside the filters"
    cohort, dxa = make_tables(12)
    cohort.loc[2, "si_csf"] = np.nan  # excluded: no VBQ (whatever the filters)
    dxa = dxa[dxa["patient_id"] != "T004"]  # excluded: no DXA row
    s = vbq.Settings(sexes=("F",))
    prepared = vbq.prepare_cohort(cohort, dxa, s)
    c, log = prepared.counts, prepared.exclusion_log()
    assert c.n_excluded == 2 and set(log.loc[log["patient_excluded"], "patient_id"]) == {
        "T003", "T004"}
    eligible = cohort[~cohort["patient_id"].isin(["T003", "T004"])]
    men = set(eligible.loc[eligible["sex"] == "M", "patient_id"])
    assert c.n_outside_subgroup == len(men) > 0 and c.subgroup
    outside = log[log["stage"] == "filter"]
    assert set(outside["patient_id"]) == men and not outside["patient_excluded"].any()
    assert c.n_cohort == c.n_excluded + c.n_eligible == 12
    assert c.n_eligible == c.n_analysed + c.n_outside_subgroup == len(eligible)
    assert set(prepared.table["sex"]) == {"F"}
    # without filters there is no subgroup
    c0 = vbq.prepare_cohort(cohort, dxa).counts
    assert (c0.n_outside_subgroup, c0.subgroup, c0.n_eligible) == (0, False, c0.n_analysed)
