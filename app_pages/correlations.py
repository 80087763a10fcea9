"""Correlations page: Table 3 (VBQ against DXA and CT measures, per group and overall, with the
Fisher z-test between groups) and Fig. 4 (scatter plots with regression lines and 95% bands)."""

from __future__ import annotations

import streamlit as st

import vbq
from ui import binding, cache, display
from ui.sidebar import dataset_banner
from ui.state import get_dataset, get_settings
from vbq import figures

MEASURES = {
    "bmd_l1_l4": "L1-4 BMD (g/cm²)",
    "t_l1_l4": "L1-4 T-score",
    "t_lowest": "Lowest T-score",
    "t_femoral_neck": "Femoral neck T-score",
    "t_total_hip": "Total hip T-score",
    "hu_l1": "L1 HU",
}
METHODS = {"pearson": "Pearson", "spearman": "Spearman"}

st.title("Correlations")
dataset = get_dataset()
dataset_banner(dataset)
settings = get_settings()
prepared = display.prepared_or_stop(dataset, settings)
table = prepared.table

method = binding.view(st.radio, "Coefficient", "corr.method", "pearson", key="corr_method",
                      options=list(METHODS), format_func=METHODS.get, horizontal=True)
st.subheader("Table 3. Correlation of VBQ with bone density")
try:
    t3 = cache.table3(dataset.digest, settings, method, table)
except (vbq.InputError, vbq.DegenerateInputError) as exc:
    st.info(f"Table 3 cannot be computed: {exc}")
    st.stop()
st.dataframe(display.format_table3(t3, MEASURES), hide_index=True, width="stretch")
display.downloads(t3, "table3", key="corr_dl_table3")
st.caption("r with 95% CI (Fisher z); strength as in the paper: |r| 0.1-0.3 weak, 0.3-0.5 "
           "moderate, above 0.5 strong. 'Groups differ p': Fisher z-test of two independent "
           "correlations (degenerative vs control).")

st.subheader("Fig. 4. VBQ against bone density")
y = binding.view(st.selectbox, "Measure", "corr.y", "t_l1_l4", key="corr_y",
                 options=[m for m in MEASURES if m in table.columns], format_func=MEASURES.get)
cols = st.columns(2)
for col, group in zip(cols, vbq.study.GROUP_ORDER, strict=True):
    part = table[table["group"] == group]
    with col:
        try:
            band = cache.fit_line(dataset.digest, settings, group, y, part)
        except (vbq.InputError, vbq.DegenerateInputError) as exc:
            st.info(f"{display.GROUP_LABELS[group]} group: no plot ({exc})")
            continue
        fig = figures.scatter_with_band(part, y, band.frame, title=f"{display.GROUP_LABELS[group]} "
                                       f"(n = {band.n})", y_label=MEASURES[y])
        st.plotly_chart(fig, key=f"corr_scatter_{group}")
        if band.n_missing:
            st.caption(f"{band.n_missing} patient(s) without {MEASURES[y]} not shown.")
