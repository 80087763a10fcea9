"""ROC page: Fig. 5 and Table 4. ROC curves with AUC and 95% CI, the Youden point, the cutoff table
(raw and adjusted), paired DeLong comparisons, PPV/NPV at a chosen prevalence and the bootstrap CI
of the cutoff."""

from __future__ import annotations

import streamlit as st

import vbq
from ui import binding, cache, display, page
from vbq import figures, present

GROUPS = {g: present.group_label(g) for g in ("control", "degenerative", "all")}
TARGETS = {t: present.target_label(t) for t in vbq.study.TARGETS}
ROUNDING = {"specific": "Toward the more specific side (paper)", "up": "Always up",
            "nearest": "Nearest", "down": "Always down"}

dataset, settings, prepared = page.start_analysis("ROC analysis")
table = prepared.table

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
    st.info(f"No ROC analysis: {display.plain(exc)}")
    st.stop()
for m, why in study.errors.items():
    st.warning(f"{vbq.study.MARKERS.get(m, (m,))[0]}: {why}")
if not study.results:
    st.stop()

st.caption(f"{GROUPS[group]}: {study.n} patients, {study.n_positive} with "
           f"{TARGETS[target].lower()} by DXA "
           f"({present.label(vbq.settings.DXA_SITES[settings.dxa_site])}).")
st.subheader("Fig. 5. ROC curves")
st.plotly_chart(figures.roc_curves(study.results, vbq.study.MARKERS), key="roc_curves",
                config=figures.export_config(f"vbq_fig5_{target}"))

st.subheader("Table 4. Cutoffs")
c = st.columns(2)
with c[0]:
    decimals = binding.view(st.number_input, "Adjusted cutoff decimals", "roc.decimals", 1,
                            key="roc_decimals", min_value=0, max_value=3, step=1)
with c[1]:
    rounding = binding.view(st.selectbox, "Adjustment", "roc.rounding", "specific", key="roc_rounding",
                            options=list(ROUNDING), format_func=ROUNDING.get)
display.show_table(present.table4(study, decimals=int(decimals), rounding=rounding),
                   key="roc_dl_table4")

if "vbq" in study.results:
    st.subheader("Beside a published meta-analysis")
    display.show_table(cache.meta_analysis(dataset.digest, settings, group, target,
                                           study.results["vbq"]), key="roc_dl_meta")

if study.combined is not None:
    cm = study.combined
    # the marker's label, not the model's design terms ("vbq, age, sex_M")
    st.markdown(f"**{vbq.study.MARKERS['combined'][0]}**: apparent AUC "
                f"{cm.apparent_auc:.3f} (on the patients the model was fitted to), "
                f"{cm.n_splits}-fold cross-validated AUC {cm.cv_auc:.3f} (seed {cm.seed}).")

if study.comparison is not None:
    st.subheader("Paired comparison of the AUCs")
    display.show_table(present.auc_comparison_table(study.comparison),
                       key="roc_dl_comparison")

strata = vbq.scanners.field_strengths(table).index.dropna()
field_options = [m for m in study.results if m != "combined"]
if len(strata) >= 2 and field_options:
    st.subheader("By MRI field strength")
    st.caption("VBQ is a ratio of T1 signal intensities, and T1 contrast depends on the "
               "scanner: each field strength is analysed on its own, and the unpaired DeLong "
               "test asks whether the AUC differs between them.")
    field_marker = binding.view(st.columns([1, 2])[0].selectbox, "Marker", "roc.field_marker",
                                field_options[0], key="roc_field_marker",
                                options=field_options,
                                format_func=lambda m: vbq.study.MARKERS[m][0])
    try:
        strat, field_table = cache.roc_by_field_strength(dataset.digest, settings, group,
                                                         target, field_marker, table)
    except (vbq.InputError, vbq.DegenerateInputError) as exc:
        st.info(f"No analysis by field strength: {exc}")
    else:
        if strat.results:
            st.plotly_chart(figures.roc_curves_by_field_strength(strat), key="roc_field_curves",
                            config=figures.export_config(f"vbq_roc_by_field_strength_{target}"))
        display.show_table(field_table, key="roc_dl_field_strength")

st.subheader("Predictive values at another prevalence")
prevalence = binding.view(st.slider, "Prevalence of the target (%)", "roc.prevalence", 20,
                          key="roc_prevalence", min_value=1, max_value=80)
display.show_table(present.predictive_values_table(study, prevalence / 100),
                   key="roc_dl_predictive")

st.subheader("Bootstrap CI of the cutoff")
boot_options = [m for m in study.results if m != "combined"]
boot_marker = (binding.view(st.selectbox, "Marker", "roc.boot_marker", boot_options[0],
                            key="roc_boot_marker", options=boot_options,
                            format_func=lambda m: vbq.study.MARKERS[m][0])
               if boot_options else None)
if boot_marker and st.button("Run 2000 bootstrap resamples", key="roc_boot_run"):
    bar = st.progress(0, text="Resampling...")
    boot = cache.bootstrap_cutoff(dataset.digest, settings, group, target, boot_marker, table)
    bar.progress(100, text="Done")
    display.show_table(present.bootstrap_cutoff_table(boot, marker=boot_marker),
                       key="roc_dl_bootstrap")
