"""vbq.present: every formatted cell equals the result value formatted by hand here, labels come
from the data dictionary, and no internal name or raw float reaches an "as shown" table."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import vbq
import vbq.present as P

MINUS = "\u2212"
SUP = "ᵃᵇᶜᵈᵉᶠ"


def fmt(x: float, d: int) -> str:
    """The hand formatting the tests expect: fixed decimals, a true minus sign."""
    text = f"{x:.{d}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def fmt_p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@pytest.fixture(scope="module")
def study():
    cohort, dxa = vbq.demo.load()
    prepared = vbq.prepare_cohort(cohort, dxa)
    analysis = vbq.study.analyse(prepared)
    return cohort, prepared, analysis


# ---------------------------------------------------------------------------------------------
# numbers and labels


@pytest.mark.parametrize("p, text", [
    (0.0, "< 0.001"), (0.000999, "< 0.001"), (0.001, "0.001"), (0.0494, "0.049"),
    (0.0495, "0.050"), (0.5, "0.500"), (1.0, "1.000"), (float("nan"), "–"), (None, "–"),
])
def test_format_p(p, text):
    assert P.format_p(p) == text


@pytest.mark.parametrize("x, d, text", [
    (-1.5, 2, "−1.50"), (-0.0004, 3, "0.000"), (2.834, 1, "2.8"), (1e6, 0, "1000000"),
    (float("inf"), 2, "∞"), (float("-inf"), 2, "−∞"), (pd.NA, 1, "–"),
])
def test_format_number(x, d, text):
    assert P.format_number(x, d) == text


def test_labels_come_from_the_data_dictionary_with_units():
    assert P.label("bmi") == "BMI (kg/m²)"
    assert P.label("hu_l1") == "L1 CT attenuation (HU)"
    assert P.label("bmd_l1_l4") == "L1-4 BMD (g/cm²)"
    assert P.label("t_lowest") == "Lowest T-score"
    assert P.label("age") == "Age (years)" and P.label("age", unit=False) == "Age"
    assert P.label("si_l3") == "L3 signal intensity (a.u.)"
    assert P.label("osteophyte_mm_l2_obs2") == "L2 osteophyte length, observer 2 (mm)"
    assert P.value_label("diagnosis", "disc_herniation") == "Disc herniation"
    assert P.value_label("dxa_status", "osteopenia") == "Osteopenia"
    assert P.group_label("control") == "Control"
    assert P.marker_label("hu_l1") == vbq.study.MARKERS["hu_l1"][0]
    assert P.target_label("osteopenia_or_worse") == "Osteopenia or osteoporosis"


def test_every_column_has_a_label_in_words():
    from vbq import schema

    for col in schema.COHORT_COLUMNS + schema.DXA_COLUMNS + schema.DERIVED:
        assert col.label, col.name
        assert "_" not in col.heading, col.name
        if col.kind == "float":
            assert col.decimals is not None, col.name


# ---------------------------------------------------------------------------------------------
# Table 2

# decimals as the paper's Table 2 prints each variable (Chen et al. 2023): age and BMI 61.8 ± 8.1,
# HU 109.7 ± 37.6, BMD 1.015 ± 0.172, T-score -0.69 ± 1.50; VBQ to two decimals (Table 4's 2.56)
DECIMALS = {"age": 1, "bmi": 1, "vbq": 2, "hu_l1": 1, "bmd_l1_l4": 3, "t_l1_l4": 2,
            "bmd_femoral_neck": 3, "t_femoral_neck": 2, "bmd_total_hip": 3, "t_total_hip": 2,
            "bmd_lowest": 3, "t_lowest": 2}
LABELS = {"age": "Age (years)", "bmi": "BMI (kg/m²)", "vbq": "VBQ score",
          "hu_l1": "L1 CT attenuation (HU)", "bmd_l1_l4": "L1-4 BMD (g/cm²)",
          "t_l1_l4": "L1-4 T-score", "bmd_femoral_neck": "Femoral neck BMD (g/cm²)",
          "t_femoral_neck": "Femoral neck T-score", "bmd_total_hip": "Total hip BMD (g/cm²)",
          "t_total_hip": "Total hip T-score", "bmd_lowest": "Lowest BMD (g/cm²)",
          "t_lowest": "Lowest T-score"}
BINARY = {"smoking": "Smoking", "alcohol": "Alcohol consumption", "diabetes": "Diabetes",
          "hypertension": "Hypertension", "rheumatic_disease": "Rheumatic disease",
          "antiresorptive": "Antiresorptive medication", "anabolic": "Anabolic medication",
          "prior_osteo_dx": "Osteopenia/osteoporosis diagnosed before",
          "current_osteo_dx": "Osteopenia/osteoporosis diagnosed at this visit"}


def _marks(ft: P.FormattedTable) -> dict[str, str]:
    """Superscript -> the footnote's text."""
    return {n[0]: n[2:].rstrip(".") for n in ft.footnotes if n[:1] in SUP}


def test_table2_cells_equal_the_result_formatted_by_hand(study):
    _, prepared, analysis = study
    res = analysis.table2
    ft = P.table2(res)
    shown = ft.shown.set_index("Characteristic")
    table = prepared.table
    n = table["group"].value_counts()
    deg, ctl = f"Degenerative (n = {n['degenerative']})", f"Control (n = {n['control']})"
    assert list(ft.shown.columns) == ["Characteristic", deg, ctl, "p", "p adjusted for age"]
    marks = _marks(ft)
    for var, lab in LABELS.items():
        d = DECIMALS[var]
        c = res.continuous[var]
        row = shown.loc[lab]
        assert row[deg] == f"{fmt(c.mean[0], d)} ± {fmt(c.sd[0], d)}"
        assert row[ctl] == f"{fmt(c.mean[1], d)} ± {fmt(c.sd[1], d)}"
        assert row["p"][:-1] == fmt_p(c.p_value) and marks[row["p"][-1]] == c.method
        if var == "age":
            assert row["p adjusted for age"] == "–"
        else:
            assert row["p adjusted for age"] == fmt_p(res.adjusted[var].p_between)
    # sex is one row, female n (%); counted here from the table itself
    for g, col in (("degenerative", deg), ("control", ctl)):
        part = table[table["group"] == g]
        k = int((part["sex"] == "F").sum())
        assert shown.loc["Female", col] == f"{k} ({100 * k / len(part):.1f}%)"
    # a yes/no variable is ONE row: n (%) of yes
    for var, lab in BINARY.items():
        assert (ft.shown["Characteristic"] == lab).sum() == 1, lab
        for g, col in (("degenerative", deg), ("control", ctl)):
            part = table.loc[table["group"] == g, var].dropna()
            k = int(part.astype(bool).sum())
            assert shown.loc[lab, col] == f"{k} ({100 * k / len(part):.1f}%)"
        cat = res.categorical[var]
        assert shown.loc[lab, "p"][:-1] == fmt_p(cat.p_value)
        assert marks[shown.loc[lab, "p"][-1]] == cat.method
    assert "Smoking: False" not in ft.to_text() and "True" not in ft.to_text()
    # one p per comparison: a p on every variable row, none on section rows
    sections = ft.shown[ft.shown["Characteristic"].isin(["Comorbidities",
                                                         "Osteoporosis treatment"])]
    assert (sections["p"] == "").all()
    assert ft.footnotes[0] == "Values are mean ± SD or n (%)."
    assert ft.data.equals(res.to_frame())


def test_table2_multilevel_variable_has_its_p_on_its_own_row(study):
    _, prepared, _ = study
    res = vbq.stats.compare_groups(prepared.table, between="group", continuous=["age"],
                                   categorical=["diagnosis"], order=("degenerative", "control"))
    ft = P.table2(res)
    rows = ft.shown.set_index("Characteristic")
    assert rows.loc["Primary diagnosis", "p"][:-1] == fmt_p(res.categorical["diagnosis"].p_value)
    levels = [P.value_label("diagnosis", lv) for lv in res.categorical["diagnosis"].levels]
    assert (rows.loc[levels, "p"] == "").all()
    i = list(ft.shown["Characteristic"]).index("Primary diagnosis")
    assert ft.indent[i] == 0 and all(k == 1 for k in ft.indent[i + 1:i + 1 + len(levels)])


# ---------------------------------------------------------------------------------------------
# Table 3, 4, 5


def test_table3_one_between_group_p_per_measure(study):
    _, _, analysis = study
    frame = analysis.table3
    ft = P.table3(frame)
    diff = "Degenerative vs control, p"
    assert diff in ft.shown.columns
    measures = frame["y"].unique()
    assert (ft.shown[diff] != "").sum() == len(measures)
    for y in measures:
        i = list(ft.shown["Measure"]).index(P.label(y))
        p = frame.loc[frame["y"] == y, "p_difference"].iloc[0]
        assert ft.shown[diff].iloc[i] == fmt_p(p)
        block = ft.shown.iloc[i + 1:i + 4]
        for (_, row), g in zip(block.iterrows(), ("degenerative", "control", "all"),
                               strict=True):
            r = frame[(frame["y"] == y) & (frame["group"] == g)].iloc[0]
            assert row["Measure"] == P.group_label(g)
            assert row["r (95% CI)"] == (f"{fmt(r['estimate'], 3)} ({fmt(r['ci_low'], 3)} to "
                                         f"{fmt(r['ci_high'], 3)})")
            assert row["p"] == fmt_p(r["p_value"]) and row["n"] == str(r["n"])
            assert row["Strength"] == r["strength"].capitalize()
    assert "ci_low" not in " ".join(ft.shown.columns)


def test_table4_cells_equal_the_roc_results(study):
    _, _, analysis = study
    roc = analysis.roc["osteoporosis"]
    ft = P.table4(roc)
    rows = ft.shown
    vbq_res = roc.results["vbq"]
    i = list(rows["Marker and cutoff"]).index("VBQ")
    lo, hi = vbq_res.auc_ci
    assert rows["AUC (95% CI)"].iloc[i] == f"{vbq_res.auc:.3f} ({lo:.3f} to {hi:.3f})"
    youden = rows.iloc[i + 1]
    m = vbq_res.at(vbq_res.cutoff)
    assert youden["Marker and cutoff"] == "Youden"
    assert youden["Cutoff"] == f"≥\u00a0{vbq_res.cutoff:.3f}"  # never broken from its number
    s_lo, s_hi = m.sensitivity_ci
    assert youden["Sensitivity, % (95% CI)"] == (f"{100 * m.sensitivity:.1f} "
                                                 f"({100 * s_lo:.1f} to {100 * s_hi:.1f})")
    assert youden["PPV, %"] == f"{100 * m.ppv:.1f}" and youden["LR+"] == f"{m.lr_pos:.2f}"
    adjusted = rows.iloc[i + 2]
    cut = vbq.study.adjusted_cutoff(vbq_res.cutoff)
    assert adjusted["Cutoff"] == f"≥\u00a0{cut:.1f}"
    j = list(rows["Marker and cutoff"]).index(vbq.study.MARKERS["hu_l1"][0])
    assert rows["Cutoff"].iloc[j + 1].startswith("≤\u00a0")  # lower HU is positive
    # the study's mapping: one section per target
    both = P.table4(analysis.roc)
    assert {"Osteoporosis", "Osteopenia or osteoporosis"} <= set(both.shown["Marker and cutoff"])
    assert set(both.data["target"]) == set(vbq.study.TARGETS)


def test_table5_reproduces_the_papers_table5_layout(study):
    _, _, analysis = study
    res = analysis.table5
    ft = P.table5(res)
    rows = ft.shown.set_index("Characteristic")
    deg, ctl = ft.shown.columns[1], ft.shown.columns[2]
    for i, lev in enumerate(res.type.levels):
        lab = P.value_label("modic_type", lev)
        assert rows.loc[lab, deg] == (f"{res.type.counts[i, 0]} "
                                      f"({100 * res.type.counts[i, 0] / res.n_with_modic[0]:.1f}%)")
        assert rows.loc[lab, ctl] == (f"{res.type.counts[i, 1]} "
                                      f"({100 * res.type.counts[i, 1] / res.n_with_modic[1]:.1f}%)")
    # the percentages to one decimal, never 7.1429
    assert not ft.shown.apply(lambda c: c.str.contains(r"\d\.\d{2,}%")).any().any()
    assert (ft.shown["p"] != "").sum() == 3
    assert rows.loc["Modic type", "p"][:-1] == fmt_p(res.type.p_value)
    assert rows.loc["Levels with Modic change", "p"][:-1] == fmt_p(res.levels.p_value)
    assert rows.loc["Modic grade", "p"][:-1] == fmt_p(res.grade.p_value)


def test_kappa_and_icc_tables_have_human_headers(study):
    cohort, _, analysis = study
    kappas = vbq.study.grouping_kappa(cohort)
    ft = P.kappa_table(kappas)
    assert list(ft.shown.columns) == ["Reading", "n", "κ (95% CI)", "Observed agreement, %", "p"]
    k = kappas["intra"]
    assert ft.shown["κ (95% CI)"].iloc[0] == (f"{k.estimate:.3f} ({max(k.ci_low, -1):.3f} to "
                                              f"{min(k.ci_high, 1):.3f})")
    icc = P.icc_table(analysis.reliability)
    form = analysis.reliability["inter"].form("ICC2")
    assert icc.shown["ICC (95% CI)"].iloc[1] == (f"{form.estimate:.3f} ({form.ci_low:.3f} to "
                                                 f"{form.ci_high:.3f})")
    unavailable = P.kappa_table({"intra": vbq.study.Unavailable("one class only")})
    assert unavailable.shown.iloc[0]["κ (95% CI)"] == "–"
    assert any("one class only" in n for n in unavailable.footnotes)


def test_kappa_interval_is_clipped_and_says_so():
    a = ["x"] * 4 + ["y"] * 4
    b = ["x"] * 4 + ["y"] * 3 + ["x"]
    k = vbq.stats.cohen_kappa(a, b)
    assert k.ci_high > 1  # the Wald interval of 7/8 agreement on 8 pairs passes 1
    ft = P.kappa_table({"inter": k})
    assert ft.shown["κ (95% CI)"].iloc[0].endswith("to 1.000)")
    assert any("clipped" in n and fmt(k.ci_high, 3) in n for n in ft.footnotes)


# ---------------------------------------------------------------------------------------------
# This analysis beside the paper (Thresholds page)


# Chen et al. 2023: Results (osteoporosis by T-score 19.8% vs 20.1%, by VBQ 53.5% vs 38.8%) and
# Abstract (VBQ-positive among those not osteoporotic by T-score 46.9% vs 30.8%), VBQ >= 2.9
PAPER_PERCENT = {"Osteoporosis by DXA": ("19.8", "20.1"), "Osteoporosis by VBQ": ("53.5", "38.8"),
                 "VBQ-positive among the DXA-negative": ("46.9", "30.8")}


def test_prevalence_against_paper_cells_equal_the_patients_counted_by_hand(study):
    _, prepared, _ = study
    table, th = prepared.table, prepared.thresholds
    ft = P.prevalence_against_paper_table(vbq.study.prevalence(table), thresholds=th)
    ours = f"this analysis, VBQ ≥ {th.vbq_osteoporosis:g} (%)"
    paper = "Chen et al. 2023, VBQ ≥ 2.9 (%)"
    assert list(ft.shown.columns) == [
        "Measure", f"Degenerative: {ours}", f"Degenerative: {paper}", f"Control: {ours}",
        f"Control: {paper}"]
    shown = ft.shown.set_index("Measure")
    assert list(shown.index) == list(PAPER_PERCENT)
    for g in ("degenerative", "control"):
        # counted from the prepared table with pandas, not through vbq.study
        t = table[table["group"] == g]
        dxa = t["dxa_status"] == "osteoporosis"
        test = t["vbq"] >= th.vbq_osteoporosis
        expected = {"Osteoporosis by DXA": 100 * dxa.mean(),
                    "Osteoporosis by VBQ": 100 * test.mean(),
                    "VBQ-positive among the DXA-negative": 100 * test[~dxa].mean()}
        for measure, pct in expected.items():
            assert shown.loc[measure, f"{g.capitalize()}: {ours}"] == fmt(pct, 1), (g, measure)
    for measure, (deg, ctrl) in PAPER_PERCENT.items():
        assert (shown.loc[measure, f"Degenerative: {paper}"],
                shown.loc[measure, f"Control: {paper}"]) == (deg, ctrl)
    assert any("a reference, not this result" in n for n in ft.footnotes)
    # the data form: full precision, the paper's numbers as numbers
    data = ft.data.set_index("measure")
    assert list(ft.data.columns) == ["measure", "percent_degenerative", "percent_control",
                                     "paper_percent_degenerative", "paper_percent_control"]
    assert data.loc["test_among_reference_negative", "paper_percent_control"] == 30.8
    g = table[table["group"] == "control"]
    neg = g["dxa_status"] != "osteoporosis"
    assert data.loc["test_among_reference_negative", "percent_control"] == pytest.approx(
        100 * (g.loc[neg, "vbq"] >= th.vbq_osteoporosis).mean(), abs=1e-12)


def test_prevalence_against_paper_says_the_paper_has_no_osteopenia_figures(study):
    _, prepared, _ = study
    target = "osteopenia_or_worse"
    ft = P.prevalence_against_paper_table(vbq.study.prevalence(prepared.table, target=target),
                                          target=target, thresholds=prepared.thresholds)
    paper = [c for c in ft.shown.columns if "Chen et al. 2023" in c]
    assert paper == ["Degenerative: Chen et al. 2023 (%)", "Control: Chen et al. 2023 (%)"]
    assert (ft.shown[paper] == P.NOT_APPLICABLE).all().all()
    assert any("osteoporosis only" in n for n in ft.footnotes)
    assert f"VBQ ≥ {prepared.thresholds.vbq_osteopenia:g}" in ft.shown.columns[1]
    assert ft.shown["Measure"].iloc[0] == "Osteopenia or osteoporosis by DXA"
    with pytest.raises(vbq.InputError, match="target"):
        P.prevalence_against_paper_table(vbq.study.prevalence(prepared.table), target="fracture")


def test_prevalence_against_paper_without_thresholds_names_none():
    cohort, dxa = vbq.demo.load()
    ft = P.prevalence_against_paper_table(
        vbq.study.prevalence(vbq.prepare_cohort(cohort, dxa).table))
    assert ft.shown.columns[1] == "Degenerative: this analysis (%)"


# ---------------------------------------------------------------------------------------------
# Every "as shown" table of the demo


SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
RAW_FLOAT = re.compile(r"\d\.\d{5,}")


def _all_tables(study) -> list[P.FormattedTable]:
    cohort, prepared, analysis = study
    table = prepared.table
    out = P.study_tables(analysis, prepared, kappas=vbq.study.grouping_kappa(cohort))
    roc = vbq.study.roc_study(table, markers=("vbq", "hu_l1", "combined"))
    out += [P.table4(roc), P.auc_comparison_table(roc.comparison),
            P.predictive_values_table(roc, 0.2)]
    out += [P.breakdown_table(b) for b in vbq.study.prevalence_breakdowns(table).values()]
    out += [P.prevalence_against_paper_table(vbq.study.prevalence(table, target=t), target=t,
                                             thresholds=prepared.thresholds)
            for t in ("osteoporosis", "osteopenia_or_worse")]
    out.append(P.reclassification_table(vbq.study.reclassification(table)))
    out.append(P.grey_zone_table(vbq.study.grey_zone(table, rule_out=2.6, rule_in=3.2)))
    out.append(P.cohort_summary_table(vbq.cohort_summary(table)))
    out.append(P.exclusion_table(prepared.exclusion_log()))
    out.append(P.degeneration_table(vbq.cohort.degeneration_summary(cohort)))
    boot = vbq.stats.bootstrap_cutoff(*[np.asarray(v) for v in (
        table["dxa_status"] == "osteoporosis", table["vbq"])], n_boot=50, seed=0)
    out.append(P.bootstrap_cutoff_table(boot))
    return out


def test_no_internal_name_or_raw_float_in_any_shown_table(study):
    for ft in _all_tables(study):
        cells = [ft.title, *map(str, ft.shown.columns), *ft.footnotes]
        skip = {"Patient ID"}  # the patient's ID is data
        for col in ft.shown.columns:
            if col not in skip:
                cells += ft.shown[col].tolist()
        for text in cells:
            assert isinstance(text, str)
            assert not SNAKE.search(text), (ft.key, text)
            assert not RAW_FLOAT.search(text), (ft.key, text)
            assert text not in ("nan", "None", "NaN", "<NA>"), (ft.key, text)
        assert ft.key and ft.title
        assert all(isinstance(v, str) for v in ft.shown.to_numpy().ravel()), ft.key
        if ft.indent:
            assert len(ft.indent) == len(ft.shown)


def test_data_form_keeps_full_precision_and_documented_columns(study):
    _, _, analysis = study
    ft = P.table3(analysis.table3)
    assert ft.data["estimate"].dtype == float
    assert np.array_equal(ft.data["estimate"].to_numpy(), analysis.table3["estimate"].to_numpy())
    assert {"estimate", "ci_low", "ci_high", "p_value"} <= set(ft.data.columns)


def test_unavailable_parts_are_tables_that_say_why(study):
    cohort, dxa = vbq.demo.load()
    prepared = vbq.prepare_cohort(cohort.drop(columns=["modic_type", "modic_levels",
                                                       "modic_grade"]), dxa)
    tables = {t.key: t for t in P.study_tables(vbq.study.analyse(prepared), prepared)}
    assert tables["table5"].shown.empty
    assert "Modic" in tables["table5"].footnotes[0]


def test_display_indents_and_html_escapes(study):
    _, _, analysis = study
    ft = P.table5(analysis.table5)
    shown = ft.display(indent="__")
    assert shown.iloc[1, 0].startswith("__") and not shown.iloc[0, 0].startswith("__")
    html = P.FormattedTable(key="x", title="<b>t</b>", shown=pd.DataFrame({"a": ["< 0.001"]}),
                            data=pd.DataFrame()).to_html()
    assert "&lt;b&gt;" in html and "&lt; 0.001" in html and "<b>" not in html
    lines = ft.to_text().splitlines()
    assert lines[0] == ft.title and lines[-1] == ft.footnotes[-1]
    assert lines[2].startswith("Characteristic") and lines[5].startswith("  Type 1")


def test_table1_follows_the_settings():
    default = P.table1(vbq.Settings())
    d = default.data.set_index(["criterion", "grade"])
    assert d.loc[("facet", 2), "counts_as_degenerative"]
    assert not d.loc[("facet", 1), "counts_as_degenerative"]
    assert d.loc[("osteophyte", "C"), "counts_as_degenerative"]
    stricter = P.table1(vbq.Settings().replace(facet_min=3, osteophyte=False))
    s = stricter.data.set_index(["criterion", "grade"])
    assert not s.loc[("facet", 2), "counts_as_degenerative"]
    assert not s.loc[("osteophyte", "C"), "counts_as_degenerative"]
    assert "Not used" in stricter.shown["Degenerative"].tolist()


def test_messages_from_the_statistics_are_in_a_readers_words():
    assert P.message("the table has no 'modic_type' column") == "the table has no Modic type column"
    assert P.message("vbq_status: only 1 group has data") == "VBQ status: only 1 group has data"
    assert P.message("n_pos = 1 for osteopenia_or_worse") == "positives = 1 for osteopenia or " \
                                                             "osteoporosis"
    assert P.message("some_new_term failed") == "some new term failed"


def test_the_cross_validation_refusal_is_said_in_a_readers_words():
    # the Decide page said "each class needs at least n splits = 5 patients for stratified CV;
    # received positives = 1, negatives = 2" for men aged 75 and over (a new user's walk)
    y = np.array([1, 0, 0, 1, 0, 0, 0, 0])
    X = pd.DataFrame({"vbq": np.linspace(2.0, 3.4, 8), "age": np.arange(60, 68)})
    with pytest.raises(vbq.DegenerateInputError) as raised:
        vbq.stats.combined_marker(y, X, n_splits=5)
    said = P.message(raised.value)
    assert ("5-fold cross-validation, which needs at least 5 patients with the condition and 5 "
            "without; the patients chosen have 2 with it and 6 without") in said, said
    assert not re.search(r"n_?splits|n splits|\bCV\b|positives", said), said


@pytest.mark.parametrize("n", [6, 8, 30])
def test_small_cohorts_give_tables_that_say_why_in_words(n):
    # hand-made cohorts without Modic columns, with too few patients for some ROC analyses
    from .factories import make_tables

    cohort, dxa = make_tables(n)
    prepared = vbq.prepare_cohort(cohort, dxa)
    tables = P.study_tables(vbq.study.analyse(prepared), prepared,
                            kappas=vbq.study.grouping_kappa(cohort))
    assert [t.key for t in tables][:5] == ["table1", "table2", "table3", "table4", "table5"]
    for ft in tables:
        text = " ".join([ft.title, *map(str, ft.shown.columns), *ft.footnotes,
                         *ft.shown.to_numpy().ravel().tolist()])
        assert not SNAKE.search(text), (ft.key, SNAKE.findall(text))
    assert any("Modic" in note for note in tables[4].footnotes)
    import io

    import docx

    from vbq.export import study_docx

    doc = docx.Document(io.BytesIO(study_docx(vbq.study.analyse(prepared), prepared)))
    assert any(p.text.startswith("Table 5. ") for p in doc.paragraphs)
    assert any("Not computed" in p.text for p in doc.paragraphs)


def test_exclusion_reasons_are_in_a_readers_words_and_the_data_keeps_them():
    log = pd.DataFrame({"patient_id": ["A1", "A2"], "level": ["", "L2"],
                        "stage": ["merge", "vbq"],
                        "reason": ["no row for this patient_id in the DXA file",
                                   "collapsed: left out of the VBQ median"],
                        "patient_excluded": [True, False]})
    ft = P.exclusion_table(log)
    assert ft.shown["Reason"].tolist() == ["No row for this Patient ID in the DXA file",
                                           "Collapsed: left out of the VBQ median"]
    assert ft.shown["Step"].tolist() == ["Joining the files", "VBQ score"]
    assert ft.data["reason"].tolist() == log["reason"].tolist()  # the data form as vbq wrote it


def test_problems_table_has_human_headers_and_no_none():
    from vbq.io import Problem

    probs = [Problem(severity="error", file="c.csv", sheet=None, row=5, column="age",
                     message="not a number", value="sixty"),
             Problem(severity="warning", file="c.csv", sheet=None, row=None, column=None,
                     message="title row skipped", value=None)]
    ft = P.problems_table(probs)
    assert list(ft.shown.columns) == ["Severity", "File", "Row", "Column", "Problem", "Value"]
    assert ft.shown.iloc[0].tolist() == ["Error", "c.csv", "5", "age", "not a number", "sixty"]
    assert ft.shown.iloc[1].tolist() == ["Warning", "c.csv", "", "", "title row skipped", ""]
    assert list(ft.data.columns) == ["severity", "file", "sheet", "row", "column", "message",
                                     "value"]


def test_every_data_column_is_documented(study):
    # docs/exports.md documents the "data" form of every table, column by column
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "exports.md").read_text()
    tables = _all_tables(study) + [P.problems_table([])]
    for ft in tables:
        assert f"## {ft.key}" in doc or f", {ft.key}" in doc or f"{ft.key}:" in doc, ft.key
        for col in ft.data.columns:
            name = col.replace("degenerative", "<g>").replace("control", "<g>")
            assert f"`{col}`" in doc or f"`{name}`" in doc, (ft.key, col)


def test_number_formats_round_trip():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 4),
           st.floats(min_value=0, max_value=1))
    def check(x, d, p):
        text = P.format_number(x, d)
        assert "-" not in text  # a true minus sign, never a hyphen (no spreadsheet formula)
        if float(f"{x:.{d}f}") == 0:
            assert not text.startswith(MINUS)  # never "−0.00"
        assert float(text.replace(MINUS, "-")) == float(f"{x:.{d}f}")
        shown = P.format_p(p)
        assert shown == "< 0.001" if p < 0.001 else float(shown) == float(f"{p:.3f}")

    check()


def test_bland_altman_table_shows_the_result_to_its_decimals():
    # Bland & Altman (1986) PEFR data, first 8 subjects (Wright vs mini Wright meters)
    wright = [494, 395, 516, 434, 476, 557, 413, 442]
    mini = [512, 430, 520, 428, 500, 600, 364, 380]
    res = vbq.stats.bland_altman(wright, mini)
    t = P.bland_altman_table(res, first="Wright", second="mini Wright", decimals=1)
    shown = t.shown.set_index("")
    assert list(t.shown.columns) == ["", "Estimate", "95% CI", "p"]
    bias = "Bias (mean difference, Wright minus mini Wright)"
    assert shown.loc[bias, "Estimate"] == P.format_number(np.mean(np.subtract(wright, mini)), 1)
    assert shown.loc[bias, "95% CI"] == P.format_ci(*res.bias_ci, 1)
    assert shown.loc["Lower 95% limit of agreement", "Estimate"] == P.format_number(res.loa_low, 1)
    assert shown.loc["Upper 95% limit of agreement", "95% CI"] == P.format_ci(*res.loa_high_ci, 1)
    assert shown.loc[bias, "p"] == ""  # a p belongs to the trend only
    assert shown.loc["Trend: slope of the difference on the mean", "p"] == P.format_p(
        res.trend_p_value)
    assert t.footnotes[0] == "8 patients with both readings."
    pd.testing.assert_frame_equal(t.data, res.to_frame())


def test_bland_altman_table_names_the_cis_of_the_limits_it_shows():
    # the footnote names the interval actually computed (issue 16): the general formula by
    # default, Carkeet's exact intervals when asked
    wright = [494, 395, 516, 434, 476, 557, 413, 442]
    mini = [512, 430, 520, 428, 500, 600, 364, 380]
    approx = P.bland_altman_table(vbq.stats.bland_altman(wright, mini))
    exact = P.bland_altman_table(vbq.stats.bland_altman(wright, mini, limits_ci="exact"))
    assert "approximate (Bland & Altman 1999)" in approx.footnotes[1]
    assert "exact (Carkeet 2015)" in exact.footnotes[1]
    assert "Carkeet" not in approx.footnotes[1]


def test_reliability_words_are_a_readers():
    # issue 16: the page said vbq_repeat comes "from the repeat SI columns" (it is a VBQ column)
    words = P.reliability_missing("vbq_repeat")
    assert "VBQ score, observer 1 repeated" in words and "SI" not in words
    assert "Measure at least 30 patients twice" in words
    # the statistics' own messages become what to do
    for call in (lambda: vbq.stats.bland_altman([1.0, None], [1.0, 2.0]),
                 lambda: vbq.stats.icc(pd.DataFrame({"t": ["a", "b", "b"], "r": [1, 1, 2],
                                                     "v": [1.0, 2.0, 3.0]}), "t", "r", "v")):
        with pytest.raises(vbq.DegenerateInputError) as err:
            call()
        text = P.reliability_reason(err.value, intra=True)
        assert text == P.reliability_too_few(1, intra=True)
        assert "only 1 patient has both readings" in text and "icc" not in text.lower()
    # the report's ICC table says the same in its footnotes, with the caution under 30
    unavailable = vbq.study.Unavailable(
        "icc: need at least 2 targets rated by every rater, got 0 (5 incomplete target(s) "
        "excluded)")
    foot = " ".join(P.icc_table({"intra": unavailable}).footnotes)
    assert "no patient has both readings" in foot and "icc:" not in foot
    rng = np.random.default_rng(2)
    a = rng.normal(3, 0.4, 12)
    res = vbq.stats.icc(vbq.stats.to_long(pd.DataFrame(
        {"p": range(12), "x": a, "y": a + rng.normal(0, 0.1, 12)}), "p", ["x", "y"]),
        "p", "rater", "rating")
    assert any("Only 12 patients carry this estimate" in f
               for f in P.icc_table({"intra": res}).footnotes)
