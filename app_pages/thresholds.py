"""Thresholds and prevalence page: the VBQ thresholds (derived from the control group as the paper
did, set by hand, or the paper's 2.6 / 2.9), prevalence by DXA vs by VBQ per group, the share of
DXA-negative patients VBQ flags, breakdowns, the reclassification matrix, the threshold's point on
the ROC curve, and a two-cutoff grey zone."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import vbq
from ui import binding, cache, display, page
from ui.state import get_settings, set_settings
from vbq import figures, present

TARGETS = {t: present.target_label(t) for t in vbq.study.TARGETS}
SLIDER_RANGE = (1.0, 6.0)
MODES = {"derived": "Derived from the control group (rounded Youden, as the paper)",
         "manual": "Set by hand"}

dataset, settings, prepared = page.start_analysis("Thresholds and prevalence")
table = prepared.table
th = prepared.thresholds


def _set_mode() -> None:
    s = get_settings()
    if st.session_state["thr_mode"] == "derived":
        set_settings(s.replace(vbq_osteopenia=None, vbq_osteoporosis=None))
    else:
        set_settings(s.replace(vbq_osteopenia=th.vbq_osteopenia,
                               vbq_osteoporosis=th.vbq_osteoporosis))
    binding.write_url()


def _use(values: dict) -> None:
    set_settings(get_settings().replace(**values))
    binding.write_url()


def _in_force(name: str) -> float:
    """The threshold in force, on the sliders' grid of hundredths."""
    value = getattr(settings, f"vbq_{name}")
    return round(float(value if value is not None else getattr(th, f"vbq_{name}")), 2)


def _threshold_slider(name: str) -> None:
    """A slider of hundredths for one threshold, bounded by the other threshold so that it can
    only show a value the settings accept (a refused value snapped back while the browser was
    still sending arrow-key presses, and the slider was left showing a value not in force).
    Values are rounded to the step both ways, so the slider, the tables and the link read the
    same number."""
    lo, hi = SLIDER_RANGE
    other = _in_force("osteoporosis" if name == "osteopenia" else "osteopenia")
    value = _in_force(name)
    if name == "osteopenia":
        hi = other
        limit = f"At most the osteoporosis threshold ({other:.2f}): raise that one first."
    else:
        lo = other
        limit = f"At least the osteopenia threshold ({other:.2f}): lower that one first."
    lo, hi = min(lo, value), max(hi, value)
    if hi - lo < 0.01:  # both thresholds at an end of the range: room for one step
        lo, hi = (lo - 0.01, hi) if lo > SLIDER_RANGE[0] else (lo, hi + 0.01)
    binding.setting(st.slider, f"{name.capitalize()} threshold (VBQ ≥)", f"vbq_{name}",
                    key=f"thr_{name}", min_value=round(lo, 2), max_value=round(hi, 2),
                    step=0.01, format="%.2f",
                    to_widget=lambda v, n=name: _in_force(n),
                    from_widget=lambda v: round(float(v), 2))
    st.caption(limit)


manual = settings.vbq_osteopenia is not None or settings.vbq_osteoporosis is not None
st.session_state["thr_mode"] = "manual" if manual else "derived"
st.radio("VBQ thresholds", list(MODES), format_func=MODES.get, key="thr_mode",
         on_change=_set_mode, horizontal=True)
c = st.columns(2)
for col, name in zip(c, ("osteopenia", "osteoporosis"), strict=True):
    with col:
        if manual:
            _threshold_slider(name)
        else:
            youden = getattr(th, f"youden_{name}")
            st.metric(f"{name.capitalize()} threshold (VBQ ≥)", f"{getattr(th, 'vbq_' + name):g}",
                      help=getattr(th, f"source_{name}"))
            st.caption(f"Youden cutoff {youden:.3f} rounded up ({getattr(th, 'source_' + name)})"
                       if pd.notna(youden) else getattr(th, f"source_{name}"))
b = st.columns(3)
b[0].button("Control group's rounded Youden cutoffs", key="thr_reset_derived",
            on_click=_use, args=({"vbq_osteopenia": None, "vbq_osteoporosis": None},))
b[1].button("The paper's {vbq_osteopenia:g} / {vbq_osteoporosis:g}".format(
    **vbq.settings.PAPER_THRESHOLDS), key="thr_reset_paper", on_click=_use,
            args=(dict(vbq.settings.PAPER_THRESHOLDS),))

target = binding.view(st.radio, "Condition", "thr.target", "osteoporosis", key="thr_target",
                      options=list(TARGETS), format_func=TARGETS.get, horizontal=True)
if not display.two_groups_or_explain(prepared.counts):
    st.stop()

st.subheader("Prevalence by DXA and by VBQ")
try:
    shift = cache.prevalence(dataset.digest, settings, target, table)
except (vbq.InputError, vbq.DegenerateInputError) as exc:
    st.info(f"No prevalence comparison: {display.plain(exc)}")
    st.stop()
display.show_table(present.prevalence_table(shift, target=target, thresholds=th),
                   key="thr_dl_prevalence")
display.show_table(cache.prevalence_against_paper_table(dataset.digest, settings, target, shift, th),
                   key="thr_dl_vs_paper", title=True)

c = st.columns(2)
with c[0]:
    st.subheader("DXA status by VBQ status")
    recl = cache.reclassification(dataset.digest, settings, table)
    st.plotly_chart(figures.reclassification_heatmap(recl.crosstab()), key="thr_reclass",
                    config=figures.export_config("vbq_reclassification", height=380))
    display.downloads(present.reclassification_table(recl), key="thr_dl_reclass")
with c[1]:
    st.subheader("The threshold on the control ROC curve")
    try:
        point = cache.threshold_point(dataset.digest, settings, target, prepared)
    except (vbq.InputError, vbq.DegenerateInputError) as exc:
        st.info(f"No ROC curve: {display.plain(exc)}")
    else:
        res, thr, metrics = point
        st.plotly_chart(figures.roc_curves(
            {"vbq": res}, vbq.study.MARKERS,
            points={f"threshold {thr:g}": (1 - metrics.specificity, metrics.sensitivity)}),
            key="thr_roc", config=figures.export_config(f"vbq_threshold_roc_{target}"))
        st.caption(f"At VBQ ≥ {thr:g} in the control group: sensitivity "
                   f"{metrics.sensitivity:.1%}, specificity {metrics.specificity:.1%}.")

if len(vbq.scanners.field_strengths(table).index.dropna()) >= 2:
    st.subheader("Thresholds by MRI field strength")
    st.caption("A threshold derived at one field strength need not fit another: each field "
               "strength's control patients give their own Youden cutoff, rounded as the paper "
               "rounded its own, beside the threshold in force "
               f"(VBQ ≥ {th.for_target(target):g}).")
    try:
        _, field_table = cache.roc_by_field_strength(dataset.digest, settings, "control", target,
                                                     "vbq", table)
    except (vbq.InputError, vbq.DegenerateInputError) as exc:
        st.info(f"No thresholds by field strength: {exc}")
    else:
        display.show_table(field_table, key="thr_dl_field_strength")

st.subheader("Published thresholds")
st.caption("Thresholds other studies published, each applied to this cohort's control group "
           "beside its own; every number was read in the source named under the table.")
applicable = [t for t in vbq.published.PUBLISHED_THRESHOLDS
              if t.target == target and t.measure == "VBQ (L1-L4)"]
chosen = binding.view(st.multiselect, "Thresholds to apply", f"thr.published.{target}",
                      [t.key for t in applicable], key=f"thr_published_{target}",
                      options=[t.key for t in applicable],
                      format_func={t.key: t.label for t in applicable}.get)
used = dataset.measurements_used
fields = tuple(sorted(set(vbq.scanners.field_strengths(table[table["group"] == "control"])
                          .index.dropna()) | set(used.field_strengths if used else ())))
families = tuple(used.sequence_families) if used else ()
if chosen:
    shown_table, cautions = cache.published_thresholds(dataset.digest, settings, tuple(chosen),
                                                       fields, families, table)
    if cautions:
        st.warning("Scanner of a threshold and of the measurements in use:\n\n" + "\n".join(
            f"- **{display.plain('; '.join(labels))}**: {display.plain(why)}"
            for why, labels in cautions.items()), icon=":material/warning:")
    display.show_table(shown_table, key="thr_dl_published")
else:
    st.info("Choose at least one published threshold.")
with st.expander("The library: every published threshold, and the numbers left out"):
    st.markdown("\n".join(
        f"- **{display.plain(t.label)}**: {display.plain(t.citation)}; n = {t.n}; "
        f"{display.plain(t.population)}; {display.plain(t.reference)}; "
        + (f"{t.field_strength_t:g} T" if t.field_strength_t else "field strength not stated")
        + f"; {display.plain(t.sequence)}. {display.plain(t.note)}"
        for t in vbq.published.PUBLISHED_THRESHOLDS))
    st.markdown("**Looked for and not included** (not verified in a source):\n\n" + "\n".join(
        f"- {display.plain(u)}" for u in vbq.published.UNVERIFIED))

st.subheader("Breakdowns")
for name, res in cache.prevalence_breakdowns(dataset.digest, settings, target, table).items():
    title = {"diagnosis": "VBQ-positive by primary diagnosis",
             "age_60_dxa_negative": "VBQ-positive among DXA-negative, by age"}[name]
    st.markdown(f"**{title}**")
    if isinstance(res, vbq.study.Unavailable):
        st.info(res.reason)
    else:
        display.show_table(res, key=f"thr_dl_breakdown_{name}")

st.subheader("Grey zone: rule out, refer to DXA, rule in")
st.caption("Below the rule-out cutoff DXA could be spared, at or above the rule-in cutoff "
           f"{present.target_label(target).lower()} is called; between them the patient is "
           "referred to DXA.")
c = st.columns(3)
with c[0]:
    zone_group = binding.view(st.selectbox, "Group", "thr.zone_group", "all",
                              key="thr_zone_group", options=list(vbq.study.SUBSETS),
                              format_func=present.group_label)
with c[1]:
    rule_out = binding.view(st.number_input, "Rule out below", "thr.rule_out", 2.6,
                            key="thr_rule_out", min_value=0.5, max_value=8.0, step=0.05)
with c[2]:
    rule_in = binding.view(st.number_input, "Rule in at or above", "thr.rule_in", 3.2,
                           key="thr_rule_in", min_value=0.5, max_value=8.0, step=0.05)
try:
    zone = cache.grey_zone(dataset.digest, settings, float(rule_out), float(rule_in),
                           zone_group, target, table)
except (vbq.InputError, vbq.DegenerateInputError) as exc:
    st.info(f"No grey zone: {display.plain(exc)}")
else:
    display.show_table(present.grey_zone_table(zone, group=zone_group), key="thr_dl_grey_zone")
