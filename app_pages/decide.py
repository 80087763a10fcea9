"""Decide page: is using VBQ to decide who gets DXA worth it? Decision curves (net benefit
against the threshold probability) of DXA for all, for none, if VBQ is at or above a cut-off, and
by the risk model's probability; the DXAs avoided per 100 patients; the net-benefit difference
of two strategies with its bootstrap interval (Vickers & Elkin 2006)."""

from __future__ import annotations

import numpy as np
import streamlit as st

import vbq
from ui import binding, cache, display, page
from vbq import figures, present

GROUPS = {g: present.group_label(g) for g in ("all", "control", "degenerative")}
TARGETS = {t: present.target_label(t) for t in vbq.study.TARGETS}
THRESHOLD_OF = {"osteoporosis": "vbq_osteoporosis", "osteopenia_or_worse": "vbq_osteopenia"}
COMPARISONS = {
    "vbq-all": ("vbq", "all"), "model-vbq": ("model", "vbq"), "vbq-none": ("vbq", "none"),
    "model-all": ("model", "all"),
}

dataset, settings, prepared = page.start_analysis("Decide: who needs a DXA?")
table = prepared.table
st.markdown(
    "Would deciding who gets a DXA scan by VBQ do more good than harm? A **decision curve** "
    "answers for every **threshold probability**: the risk of osteoporosis at which you would "
    "send a patient for DXA. A threshold of 20% means you accept four unneeded DXAs to find "
    "one patient with the condition. The strategy with the highest **net benefit** at your "
    "threshold is the one to prefer.")

c = st.columns([1, 1, 1])
with c[0]:
    target = binding.view(st.radio, "Condition (by DXA)", "decide.target", "osteoporosis",
                          key="decide_target", options=list(TARGETS), format_func=TARGETS.get)
with c[1]:
    group = binding.view(st.radio, "Patients", "decide.group", "all", key="decide_group",
                         options=list(GROUPS), format_func=GROUPS.get)
with c[2]:
    in_force = float(getattr(prepared.thresholds, THRESHOLD_OF[target]))
    cutoff = binding.view(st.number_input, "VBQ cut-off (DXA if VBQ ≥)", "decide.cutoff",
                          round(in_force, 2), key="decide_cutoff", min_value=1.0,
                          max_value=6.0, step=0.05, format="%.2f",
                          help=f"The threshold in force for this condition is {in_force:g}.")
c = st.columns([1, 1, 1])
with c[0]:
    lo, hi = binding.view(st.slider, "Threshold probabilities shown (%)", "decide.range",
                          (5, 50), key="decide_range", min_value=1, max_value=99)
with c[1]:
    harm = binding.view(st.number_input, "Harm of using VBQ (net benefit)", "decide.harm", 0.0,
                        key="decide_harm", min_value=0.0, max_value=0.2, step=0.005,
                        format="%.3f",
                        help="0: the MRI exists already and reading VBQ costs nothing. A harm "
                             "of 0.01 counts using the test as bad as missing one patient with "
                             "the condition in 100.")
with c[2]:
    labels = {k: f"{present.strategy_label(a, cutoff)} vs {present.strategy_label(b, cutoff)}"
              for k, (a, b) in COMPARISONS.items()}
    pair = binding.view(st.selectbox, "Compare", "decide.compare", "vbq-all",
                        key="decide_compare", options=list(COMPARISONS), format_func=labels.get)

try:
    study = cache.decision_study(dataset.digest, settings, group, target, float(cutoff),
                                 float(harm), COMPARISONS[pair], table)
except (vbq.InputError, vbq.DegenerateInputError) as exc:
    st.info(f"No decision curves: {present.message(exc)}")
    st.stop()
for key, why in study.errors.items():
    st.warning(f"{present.strategy_label(key, cutoff)} is not drawn: {present.message(why)}")
res = study.result
if res.n_events == 0 or res.n_events == res.n:
    st.info(f"All or none of the {res.n} patients have {TARGETS[target].lower()} by DXA: "
            "decision curves need both.")
    st.stop()

x_range = (lo / 100, hi / 100)
st.subheader("Decision curves")
st.plotly_chart(figures.decision_curves(study, x_range=x_range), key="decide_curves",
                config=figures.export_config("vbq_decision_curves", height=520))
for key in [s for s in res.strategies if s in ("vbq", "model")]:
    useful = res.useful_thresholds(key)
    useful = useful[(useful >= x_range[0] - 1e-9) & (useful <= x_range[1] + 1e-9)]
    label = present.strategy_label(key, cutoff)
    if useful.size:
        st.markdown(f"**{label}** beats both DXA for all and DXA for none at threshold "
                    f"probabilities from {100 * useful.min():.0f}% to {100 * useful.max():.0f}% "
                    f"(of {lo}% to {hi}% shown).")
    else:
        st.markdown(f"**{label}** beats neither DXA for all nor DXA for none at any threshold "
                    f"probability from {lo}% to {hi}%.")

steps = np.unique(np.round(np.linspace(lo, hi, 4)) / 100)
display.show_table(present.decision_table(study, thresholds=tuple(steps)), key="decide_dl_table",
                   title=True)

st.subheader("Difference between two strategies")
st.plotly_chart(figures.net_benefit_difference(study, x_range=x_range), key="decide_difference",
                config=figures.export_config("vbq_net_benefit_difference", height=440))
display.show_table(present.difference_table(study, thresholds=tuple(steps)),
                   key="decide_dl_difference", title=True)
