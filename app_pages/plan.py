"""Plan a study page: how many patients a study of VBQ needs (sensitivity and specificity to a
precision, an AUC above a null value, two AUCs that differ, a risk model), and whether the loaded
cohort would have been large enough for each."""

from __future__ import annotations

import streamlit as st

import vbq
from ui import binding, cache, page
from ui import display as show
from vbq import present

GROUPS = {g: present.group_label(g) for g in ("all", "control", "degenerative")}
TARGETS = {t: present.target_label(t) for t in vbq.study.TARGETS}
SIDES = {"two-sided": "Two-sided", "one-sided": "One-sided (only an AUC above the null)"}
DESIGNS = {"paired": "Same patients, both tests", "independent": "Separate patients per test"}

dataset, settings, prepared = page.start_analysis("Plan a study")
st.markdown("How many patients does a study of your own need? Enter what you expect; each answer "
            "is set against the cohort loaded here, as if it were your study.")
c = st.columns(2)
with c[0]:
    target = binding.view(st.radio, "Condition (by DXA)", "plan.target", "osteoporosis",
                          key="plan_target", options=list(TARGETS), format_func=TARGETS.get,
                          horizontal=True)
with c[1]:
    group = binding.view(st.radio, "Patients of this cohort", "plan.group", "all",
                         key="plan_group", options=list(GROUPS), format_func=GROUPS.get,
                         horizontal=True)
have = cache.cohort_size(dataset.digest, settings, group, target, prepared.table)
condition = TARGETS[target].lower()
st.caption(f"This cohort: {have.n} patients with a VBQ and a DXA status, {have.n_cases} with "
           f"{condition} and {have.n_controls} without.")


def _pct(label: str, key: str, default: float, *, lo: float = 1.0, hi: float = 99.0,
         step: float = 1.0, help: str | None = None) -> float:
    """A percentage input; returns a fraction."""
    return binding.view(st.number_input, label, f"plan.{key}", default, key=f"plan_{key}",
                        min_value=lo, max_value=hi, step=step, format="%.1f", help=help) / 100


def _shortfall(check) -> str:
    """What the cohort lacks, in the terms the requirement counts: patients and events for a
    risk model, patients with and without the condition otherwise."""
    if check.needed_total is not None:  # a risk model (Riley et al.): patients and events
        return (f"it has {_patients(have.n)}, {have.n_cases} with {condition}; the model needs "
                f"{_patients(check.needed_total)}, {check.needed_events} with {condition}")
    return (f"it has {_patients(have.n_cases)} with {condition} and {have.n_controls} without; "
            f"the study needs {check.needed_cases} with and {check.needed_controls} without")


def _patients(n: int) -> str:
    return f"{n} patient{'' if n == 1 else 's'}"


def _verdict(result) -> None:
    check = vbq.plan.check_cohort(result, have)
    if check.enough:
        st.success("This cohort would have been large enough.", icon=":material/check_circle:")
    else:
        st.warning(f"This cohort would not have been large enough: {_shortfall(check)}.",
                   icon=":material/warning:")


results: dict = {}

st.subheader("Estimate sensitivity and specificity")
c = st.columns(4)
with c[0]:
    se = _pct("Expected sensitivity (%)", "se", 93.0)
with c[1]:
    sp = _pct("Expected specificity (%)", "sp", 65.4)
with c[2]:
    hw = _pct("Precision: CI ± (points)", "hw", 7.0, lo=0.5, hi=50.0, step=0.5,
              help="Half the width of the 95% confidence interval, in percentage points.")
with c[3]:
    prev = _pct(f"Expected prevalence of {condition} (%)", "prev", 30.0)
acc = cache.sample_size("accuracy", (se, sp), (("half_width", hw), ("prevalence", prev)))
results["accuracy"] = acc
c = st.columns([1, 3])
c[0].metric("Patients to recruit", f"{acc.n_total}")
with c[1]:
    st.markdown(f"To estimate a sensitivity of {100 * se:g}% and a specificity of {100 * sp:g}% "
                f"each to ± {100 * hw:g} points (95% CI), a study needs **{acc.n_cases} "
                f"patients with {condition}** and **{acc.n_controls} without**. At a prevalence "
                f"of {100 * prev:g}% that is **{acc.n_total} consecutive patients** (the "
                f"{acc.binding} sets the size). Buderer (1996).")
    _verdict(acc)

st.subheader("Show that VBQ's AUC beats a minimum")
c = st.columns(5)
with c[0]:
    auc = binding.view(st.number_input, "Expected AUC", "plan.auc", 0.80, key="plan_auc",
                       min_value=0.51, max_value=0.99, step=0.01, format="%.2f")
with c[1]:
    null = binding.view(st.number_input, "AUC to beat (null)", "plan.null", 0.70,
                        key="plan_null", min_value=0.50, max_value=0.98, step=0.01, format="%.2f",
                        help="0.50 is chance; a higher value asks whether VBQ beats a minimum "
                             "useful accuracy.")
with c[2]:
    sides = binding.view(st.selectbox, "Test", "plan.sides", "two-sided", key="plan_sides",
                         options=list(SIDES), format_func=SIDES.get)
with c[3]:
    power = _pct("Power (%)", "power", 80.0, lo=51.0, hi=99.0)
with c[4]:
    ratio = binding.view(st.number_input, "Ratio without : with", "plan.ratio", 1.0,
                         key="plan_ratio", min_value=0.1, max_value=20.0, step=0.5,
                         format="%.1f",
                         help=f"Patients without {condition} recruited per patient with it.")
if auc == null:
    st.info("The expected AUC and the AUC to beat are equal: no study can tell them apart. "
            "Change one of them.")
else:
    one = cache.sample_size("auc", (auc,), (("null_auc", null), ("alternative", sides),
                                            ("power", power), ("ratio", ratio)))
    results["auc"] = one
    c = st.columns([1, 3])
    c[0].metric("Patients to recruit", f"{one.n_total}")
    with c[1]:
        side = "above" if auc > null else "below"
        st.markdown(f"To show an AUC of {auc:g} is {side} {null:g} ({sides}, α 0.05, power "
                    f"{100 * power:g}%): **{one.n_cases} with {condition}** and "
                    f"**{one.n_controls} without** (exact requirement "
                    f"{one.n_cases_exact:.1f}, rounded up). Obuchowski (1998).")
        _verdict(one)

st.subheader("Show that two tests' AUCs differ")
c = st.columns(4)
with c[0]:
    auc1 = binding.view(st.number_input, "AUC of VBQ", "plan.auc1", 0.82, key="plan_auc1",
                        min_value=0.50, max_value=0.99, step=0.01, format="%.2f")
with c[1]:
    auc2 = binding.view(st.number_input, "AUC of the other test (CT HU, say)", "plan.auc2",
                        0.87, key="plan_auc2", min_value=0.50, max_value=0.99, step=0.01,
                        format="%.2f")
with c[2]:
    design = binding.view(st.selectbox, "Design", "plan.design", "paired", key="plan_design",
                          options=list(DESIGNS), format_func=DESIGNS.get)
with c[3]:
    corr = binding.view(st.number_input, "Correlation of the two AUCs", "plan.corr", 0.5,
                        key="plan_corr", min_value=0.0, max_value=0.95, step=0.05,
                        format="%.2f", disabled=design == "independent",
                        help="Only for the same patients: how closely the two tests agree "
                             "(0.3 to 0.6 is common). Independent samples have none.")
if auc1 == auc2:
    st.info("The two AUCs are equal: there is no difference to show. Change one of them.")
else:
    two = cache.sample_size("auc_difference", (auc1, auc2), (
        ("design", design), ("correlation", corr if design == "paired" else 0.0),
        ("power", power), ("ratio", ratio)))
    results["auc_difference"] = two
    c = st.columns([1, 3])
    c[0].metric("Patients to recruit", f"{two.n_total}")
    with c[1]:
        each = " in each of the two samples" if design == "independent" else ""
        st.markdown(f"To show AUCs of {auc1:g} and {auc2:g} differ (two-sided, α 0.05, power "
                    f"{100 * power:g}%, the power and ratio of the section above): "
                    f"**{two.n_cases} with {condition}** and **{two.n_controls} without**{each}. "
                    "Obuchowski (1998).")
        _verdict(two)

st.subheader("Develop a risk model")
c = st.columns(4)
with c[0]:
    cstat = binding.view(st.number_input, "Expected C statistic", "plan.c", 0.80, key="plan_c",
                         min_value=0.51, max_value=0.99, step=0.01, format="%.2f")
with c[1]:
    mprev = _pct(f"Expected prevalence of {condition} (%)", "mprev", 20.0)
with c[2]:
    params = binding.view(st.number_input, "Predictor parameters", "plan.params", 3,
                          key="plan_params", min_value=1, max_value=100, step=1,
                          help="VBQ, age and sex: 3. A categorical predictor of k levels "
                               "counts k − 1.")
with c[3]:
    shrink = binding.view(st.number_input, "Target shrinkage", "plan.shrink", 0.90,
                          key="plan_shrink", min_value=0.50, max_value=0.99, step=0.01,
                          format="%.2f", help="0.90: predictor effects at most 10% overfitted.")
try:
    model = cache.sample_size("prediction_model", (cstat, mprev, int(params)),
                              (("shrinkage", shrink),))
except vbq.InputError:
    model = None
    st.info(f"A C statistic of {cstat:g} at a prevalence of {100 * mprev:g}% explains more of "
            f"the outcome than a shrinkage of {shrink:g} allows: raise the target shrinkage.")
if model is not None:
    results["prediction_model"] = model
    c = st.columns([1, 3])
    c[0].metric("Patients to recruit", f"{model.n_total}")
    with c[1]:
        st.markdown(f"A logistic model with {int(params)} parameters and an expected C statistic "
                    f"of {cstat:g} needs at least **{model.n_total} patients** with "
                    f"**{model.n_events} with {condition}** ({model.events_per_parameter:.1f} "
                    f"per parameter). Criterion {model.binding} of Riley et al. (BMJ 2020) sets "
                    "the size.")
        _verdict(model)

st.subheader("All together")
checks = {k: vbq.plan.check_cohort(r, have) for k, r in results.items()}
show.show_table(present.sample_size_table(results, checks), key="plan_dl_table")
