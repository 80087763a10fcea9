"""Risk calculator page: a patient's probability of osteoporosis by DXA from VBQ, age and sex
(L1 HU optional), with its CI; the model behind it with its optimism-corrected performance, the
calibration plot and whether the cohort is large enough to develop it (Riley et al.)."""

from __future__ import annotations

import math

import streamlit as st

import vbq
from ui import binding, cache, display, page
from vbq import figures, present

GROUPS = {g: present.group_label(g) for g in ("all", "control", "degenerative")}
TARGETS = {t: present.target_label(t) for t in vbq.study.TARGETS}
SEXES = {"F": present.value_label("sex", "F"), "M": present.value_label("sex", "M")}

dataset, settings, prepared = page.start_analysis("Risk calculator")
table = prepared.table
st.caption("A logistic model fitted to the cohort in use: it estimates a patient's probability of "
           "the DXA result from the MRI's VBQ score, age and sex. It is checked on the same "
           "cohort only (internal validation): before clinical use it needs validation in "
           "patients from elsewhere.")

c = st.columns([1, 1, 1])
with c[0]:
    group = binding.view(st.radio, "Patients", "risk.group", "all", key="risk_group",
                         options=list(GROUPS), format_func=GROUPS.get)
with c[1]:
    target = binding.view(st.radio, "Predicts (by DXA)", "risk.target", "osteoporosis",
                          key="risk_target", options=list(TARGETS), format_func=TARGETS.get)
with c[2]:
    include_hu = binding.view(st.checkbox, "Add L1 HU from CT as a predictor", "risk.hu", False,
                              key="risk_hu")
outcome = f"{TARGETS[target].lower()} by DXA"

try:
    with st.spinner("Fitting the model and refitting it on 200 bootstrap resamples..."):
        model = cache.risk_calculator(dataset.digest, settings, group, target, bool(include_hu),
                                      table)
except (vbq.InputError, vbq.DegenerateInputError) as exc:
    st.info(f"No risk model for these patients: {present.message(exc)}")
    st.stop()
if model.n_missing:
    st.caption(f"{model.n_missing} patient(s) left out for a missing value (" + ", ".join(
        f"{present.risk_term_label(k, model) if k != 'outcome' else 'DXA result'}: {v}"
        for k, v in model.missing_by_predictor.items() if v) + ").")

st.subheader("A patient's probability")
left, right = st.columns([3, 2], gap="large")
with left:
    inputs = st.columns(4 if include_hu else 3)
    with inputs[0]:
        vbq_value = st.number_input("VBQ score", key="risk_vbq", min_value=0.5, max_value=8.0,
                                    value=round(float(table["vbq"].median()), 2), step=0.05,
                                    format="%.2f")
    with inputs[1]:
        age = st.number_input("Age (years)", key="risk_age", min_value=18, max_value=110,
                              value=int(round(float(table["age"].median()))), step=1)
    with inputs[2]:
        sex = st.radio("Sex", key="risk_sex", options=[s for s in SEXES if s in
                                                        model.levels.get("sex", SEXES)],
                       format_func=SEXES.get, horizontal=True)
    patient = {"vbq": vbq_value, "age": age, "sex": sex}
    if include_hu:
        with inputs[3]:
            patient["hu_l1"] = st.number_input(
                "L1 HU (CT)", key="risk_hu_value", min_value=-200, max_value=600, step=1,
                value=int(round(float(table["hu_l1"].median()))))
with right:
    row = model.predict(patient).iloc[0]
    st.metric(f"Probability of {outcome}", f"{present.format_percent(row['probability'])}%")
    st.markdown(f"**{present.risk_ci_text(row, confidence=model.confidence)}**")
    st.caption("The CI is that of the model's estimate for patients with these values (delta "
               "method on the log-odds); it is not a range for this patient's DXA result.")
    if row["outside_range"]:
        st.warning("A value lies outside the range of the patients the model was fitted to ("
                   f"{present.risk_ranges_text(model)}): the model extrapolates there.")

st.subheader("Is the cohort large enough?")
(st.success if model.meets_riley_minimum else st.warning)(
    present.risk_sample_size_text(model, outcome=outcome))

st.subheader("The model")
display.show_table(present.risk_coefficients_table(model), key="risk_dl_model", title=True)
display.show_table(present.risk_performance_table(model), key="risk_dl_performance", title=True)

st.subheader("Calibration")
plot_col, text_col = st.columns([3, 2], gap="large")
with plot_col:
    st.plotly_chart(figures.calibration_plot(model, outcome=TARGETS[target].lower()),
                    key="risk_calibration", config=figures.export_config("vbq_risk_calibration"))
with text_col:
    slope = model.calibration_slope_corrected
    st.markdown(
        "Observed proportion of patients with the outcome against the model's predicted "
        "probability, smoothed (lowess), on the cohort itself (apparent) and corrected for "
        "optimism by the bootstrap (as the R package rms computes it). A curve on the diagonal "
        "means predictions match what is observed. Ticks along the bottom show each patient's "
        f"predicted probability. The corrected calibration slope is "
        f"{present.format_number(slope, 2)}"
        + (": predictions for new patients would be somewhat too extreme, and shrinking the "
           "coefficients would help." if slope < 0.9 and not math.isnan(slope) else "."))
