"""Groups page: the degenerative-group rule editor, live group sizes, which vertebra met which
criterion, Table 2 (with the age-adjusted ANCOVA column), Table 5 (Modic) and the kappa of the
grouping."""

from __future__ import annotations

import streamlit as st

import vbq
from ui import binding, cache, display, page

# the settings in force: a criterion changed below is applied by its widget's callback before
# this run, so they are current here (ui.binding.setting)
dataset, settings = page.start("Degenerative groups")

UCLA = {1: "I", 2: "II", 3: "III", 4: "IV"}
COVARIATES = {"age": "Age", "sex": "Sex", "bmi": "BMI"}

st.markdown(
    "A vertebra is **degenerative** when it meets any enabled criterion (Table 1 of the paper "
    "by default); a patient is in the **degenerative group** with at least the set number of "
    "degenerative vertebrae among the levels considered."
)
c = st.columns(4)
with c[0]:
    binding.setting(st.toggle, "Facet osteoarthritis", "criteria.facet", key="groups_facet")
    binding.setting(st.selectbox, "Facet grade at least", "criteria.facet_min",
                    key="groups_facet_min", options=[1, 2, 3])
with c[1]:
    binding.setting(st.toggle, "Genant (height loss)", "criteria.genant", key="groups_genant")
    binding.setting(st.selectbox, "Genant grade at least", "criteria.genant_min",
                    key="groups_genant_min", options=[1, 2, 3],
                    help="1: 20-25%, 2: 25-40%, 3: > 40% height loss")
with c[2]:
    binding.setting(st.toggle, "UCLA disc space", "criteria.ucla", key="groups_ucla")
    binding.setting(st.selectbox, "UCLA grade at least", "criteria.ucla_min",
                    key="groups_ucla_min", options=[2, 3, 4], format_func=UCLA.get)
with c[3]:
    binding.setting(st.toggle, "Osteophyte", "criteria.osteophyte", key="groups_osteophyte")
    binding.setting(st.multiselect, "Directions", "criteria.osteophyte_dirs",
                    key="groups_osteophyte_dirs", options=list("ABCDEF"),
                    to_widget=list, from_widget=tuple,
                    help="Table 1: C bridge, D away from the disc, E horizontal")
    binding.setting(st.number_input, "Longer than (mm)", "criteria.osteophyte_min_mm",
                    key="groups_osteophyte_mm", min_value=0.0, max_value=40.0, step=0.5)
c = st.columns([1, 2])
with c[0]:
    binding.setting(st.slider, "Degenerative vertebrae at least", "criteria.min_vertebrae",
                    key="groups_min_vertebrae", min_value=1, max_value=4)
with c[1]:
    binding.setting(st.multiselect, "Levels considered", "criteria.levels", key="groups_levels",
                    options=list(vbq.schema.LEVELS), to_widget=list, from_widget=tuple)
with st.expander("Table 1. Criteria for a degenerative vertebra (the grades in force)"):
    display.show_table(cache.table1(settings), key="groups_dl_table1")

prepared = display.prepared_or_stop(dataset, settings)
table = prepared.table
counts = prepared.counts
m = st.columns(4 if counts.subgroup else 3)
m[0].metric("Degenerative", counts.n_degenerative)
m[1].metric("Control", counts.n_control)
m[2].metric("Excluded", counts.n_excluded, help="Cohort patients left out, each with a reason "
            "(Data page, exclusion log).")
if counts.subgroup:
    m[3].metric("Not in subgroup", counts.n_outside_subgroup,
                help="Eligible patients the filters leave out of this analysis "
                     f"({vbq.describe.subgroup_text(settings)}): a subgroup, not an exclusion.")
display.in_force(prepared)
kappas = cache.kappa_table(dataset.digest, settings, dataset.cohort)
if not settings.criteria.any_enabled:
    st.warning("No criterion is enabled: no vertebra can be degenerative, so every patient "
               "falls in the control group.")

# built only when asked for: at 100,000 patients the listing is a third of the page's first run.
# A listing in a scrolling frame, not a grid: its criteria wrap instead of being cut, and the
# grid's code, loaded on a session's first grid, made the toggle take 1.1-1.3 s in Chromium.
if binding.view(st.toggle, "Show which vertebra met which criterion", "groups.detail", False,
                key="groups_detail"):
    display.show_table(cache.degeneration_table(dataset.digest, settings, dataset.cohort),
                       key="groups_dl_detail", height=420)

if not kappas.empty:
    st.subheader("Reliability of the grouping")
    display.show_table(kappas, key="groups_dl_kappa")

st.subheader("Table 2. Characteristics of the groups")
covs = binding.view(st.multiselect, "ANCOVA covariates", "groups.covariates", ["age"],
                    key="groups_covariates", options=list(COVARIATES),
                    format_func=COVARIATES.get)
if not display.two_groups_or_explain(counts):
    st.stop()
try:
    result = cache.table2(dataset.digest, settings, tuple(covs), table)
except vbq.InputError as exc:
    st.error(display.plain(exc))
else:
    display.show_table(result, key="groups_dl_table2")

st.subheader("Table 5. Modic changes")
try:
    modic = cache.table5(dataset.digest, settings, table)
except (vbq.InputError, vbq.DegenerateInputError) as exc:
    st.info(f"Table 5 cannot be computed: {display.plain(exc)}")
else:
    display.show_table(modic, key="groups_dl_table5")
