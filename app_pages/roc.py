"""ROC page: Fig. 5 and Table 4. ROC curves with AUC and 95% CI, the Youden point, the cutoff table
(raw and adjusted), paired DeLong comparisons, PPV/NPV at a chosen prevalence and the bootstrap CI
of the cutoff."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import vbq
from ui import binding, cache, display
from ui.sidebar import dataset_banner
from ui.state import get_dataset, get_settings
from vbq import figures

GROUPS = {"control": "Control", "degenerative": "Degenerative", "all": "All patients"}
TARGETS = {"osteoporosis": "Osteoporosis", "osteopenia_or_worse": "Osteopenia or worse"}
ROUNDING = {"specific": "Toward the more specific side (paper)", "up": "Always up",
            "nearest": "Nearest", "down": "Always down"}

st.title("ROC analysis")
dataset = get_dataset()
dataset_banner(dataset)
settings = get_settings()
prepared = display.prepared_or_stop(dataset, settings)
table = prepared.table
display.in_force(prepared)

c = st.columns([1, 1, 2])
with c[0]:
    group = binding.view(st.radio, "Group", "roc.group", "control", key="roc_group",
                         options=list(GROUPS), format_func=GROUPS.get)
with c[1]:
    target = binding.view(st.radio, "Target (by DXA)", "roc.target", "osteoporosis",
                          key="roc_target", options=list(TARGETS), format_func=TARGETS.get)
with c[2]:
    markers = binding.view(st.multiselect, "Markers", "roc.markers", ["vbq", "hu_l1"],
                           key="roc_markers", options=list(vbq.study.MARKERS),
                           format_func=lambda m: vbq.study.MARKERS[m][0])
    st.caption("Direction is fixed, never flipped: " + "; ".join(
        f"{label}: {'higher' if hi else 'lower'} = positive"
        for m, (label, hi) in vbq.study.MARKERS.items() if m in markers))
if not markers:
    st.info("Choose at least one marker.")
    st.stop()

try:
    study = cache.roc_study(dataset.digest, settings, group, target, tuple(markers), table)
except (vbq.InputError, vbq.DegenerateInputError) as exc:
    st.info(f"No ROC analysis: {exc}")
    st.stop()
for m, why in study.errors.items():
    st.warning(f"{vbq.study.MARKERS.get(m, (m,))[0]}: {why}")
if not study.results:
    st.stop()

st.caption(f"{GROUPS[group]}: {study.n} patients, {study.n_positive} with "
           f"{TARGETS[target].lower()} by DXA ({settings.dxa_site} T-score).")
st.subheader("Fig. 5. ROC curves")
st.plotly_chart(figures.roc_curves(study.results, vbq.study.MARKERS), key="roc_curves")

st.subheader("Table 4. Cutoffs")
c = st.columns(2)
with c[0]:
    decimals = binding.view(st.number_input, "Adjusted cutoff decimals", "roc.decimals", 1,
                            key="roc_decimals", min_value=0, max_value=3, step=1)
with c[1]:
    rounding = binding.view(st.selectbox, "Adjustment", "roc.rounding", "specific", key="roc_rounding",
                            options=list(ROUNDING), format_func=ROUNDING.get)
frame = study.to_frame(decimals=int(decimals), rounding=rounding)
st.dataframe(display.format_cutoffs(frame, vbq.study.MARKERS), hide_index=True, width="stretch")
display.downloads(frame, "table4_cutoffs", key="roc_dl_table4")
st.caption("Youden cutoff: maximal sensitivity + specificity (pROC's convention, midpoints "
           "between observed values). Adjusted: rounded as chosen; the paper rounds 2.83 up to "
           "2.9. CIs: AUC by DeLong; sensitivity and specificity by Wilson.")

if study.combined is not None:
    cm = study.combined
    st.markdown(f"**Combined marker** (logistic: {', '.join(cm.predictors)}): apparent AUC "
                f"{cm.apparent_auc:.3f}, {cm.n_splits}-fold cross-validated AUC "
                f"{cm.cv_auc:.3f} (seed {cm.seed}).")

if study.comparison is not None:
    st.subheader("Paired comparison of the AUCs")
    comp = study.comparison.to_frame()
    st.dataframe(display.format_comparison(comp), hide_index=True, width="stretch")
    display.downloads(comp, "roc_auc_comparison", key="roc_dl_comparison")
    st.caption(f"Paired DeLong test (DeLong et al. 1988) on {study.comparison.n_pos} positive and "
               f"{study.comparison.n_neg} negative patients with every marker; p adjusted by "
               f"{study.comparison.correction} when more than two markers are compared.")

st.subheader("Predictive values at another prevalence")
prevalence = binding.view(st.slider, "Prevalence of the target (%)", "roc.prevalence", 20,
                          key="roc_prevalence", min_value=1, max_value=80)
rows = []
for m, res in study.results.items():
    pv = res.best.ppv_npv_at_prevalence(prevalence / 100)
    rows.append(display.pv_row(vbq.study.MARKERS[m][0], res, pv))
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

st.subheader("Bootstrap CI of the cutoff")
boot_options = [m for m in study.results if m != "combined"]
boot_marker = st.selectbox("Marker", boot_options, key="roc_boot_marker",
                           format_func=lambda m: vbq.study.MARKERS[m][0])
if boot_marker and st.button("Run 2000 bootstrap resamples", key="roc_boot_run"):
    bar = st.progress(0, text="Resampling...")
    boot = cache.bootstrap_cutoff(dataset.digest, settings, group, target, boot_marker, table)
    bar.progress(100, text="Done")
    st.dataframe(boot.to_frame(), hide_index=True, width="stretch")
    st.caption(boot.summary())
