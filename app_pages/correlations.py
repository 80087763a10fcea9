"""Correlations page: Table 3 (VBQ against DXA and CT measures, per group and overall, with the
Fisher z-test between groups) and Fig. 4 (scatter plots with regression lines and 95% bands)."""

from __future__ import annotations

import streamlit as st

import vbq
from ui import binding, cache, display, page
from vbq import figures, present

MEASURES = {m: present.label(m) for m in vbq.study.TABLE3_Y}
METHODS = {"pearson": "Pearson", "spearman": "Spearman"}

dataset, settings, prepared = page.start_analysis("Correlations")
table = prepared.table

method = binding.view(st.radio, "Coefficient", "corr.method", "pearson", key="corr_method",
                      options=list(METHODS), format_func=METHODS.get, horizontal=True)
st.subheader("Table 3. Correlation of VBQ with bone density")
try:
    t3 = cache.table3(dataset.digest, settings, method, table)
except (vbq.InputError, vbq.DegenerateInputError) as exc:
    st.info(f"Table 3 cannot be computed: {display.plain(exc)}")
    st.stop()
display.show_table(present.table3(t3), key="corr_dl_table3")

st.subheader("Fig. 4. VBQ against bone density")
y = binding.view(st.selectbox, "Measure", "corr.y", "t_l1_l4", key="corr_y",
                 options=[m for m in MEASURES if m in table.columns], format_func=MEASURES.get)
bands, notes = {}, {}
for group in vbq.study.GROUP_ORDER:
    part = table[table["group"] == group]
    try:
        band = cache.fit_line(dataset.digest, settings, group, y, part)
    except (vbq.InputError, vbq.DegenerateInputError) as exc:
        notes[group] = f"{display.GROUP_LABELS[group]} group: no plot ({exc})"
        continue
    bands[group] = band
panels = figures.correlation_panels(
    table, y, bands={g: b.frame for g, b in bands.items()}, correlations=t3, settings=settings,
    y_label=MEASURES[y],
    group_labels={g: f"{display.GROUP_LABELS[g]} (n = {b.n})" for g, b in bands.items()})
for col, group in zip(st.columns(2), vbq.study.GROUP_ORDER, strict=True):
    with col:
        if group in notes:
            st.info(notes[group])
            continue
        st.plotly_chart(panels[group], key=f"corr_scatter_{group}",
                        config=figures.export_config(f"vbq_fig4_{y}_{group}", height=560))
        if bands[group].n_missing:
            st.caption(f"{bands[group].n_missing} patient(s) without {MEASURES[y]} not shown.")
status_label = figures.status_for(y, settings)[1]
# the coefficient by the symbol Table 3 heads it with ("Spearman r" sat under a table of ρ)
COEFFICIENT = {"pearson": "Pearson's r", "spearman": "Spearman's ρ"}
st.caption(f"{COEFFICIENT[method]} with its 95% CI and p as in Table 3; both panels share their "
           f"axes. Points are coloured by the DXA status of the {status_label} (WHO: "
           f"osteoporosis T ≤ {settings.osteoporosis_t:g}, osteopenia T < "
           f"{settings.osteopenia_t:g}).")
