"""The sidebar shared by every page: dataset in use, common settings, sharing."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import vbq
from ui import binding
from ui.display import plain
from ui.state import Dataset, get_settings, set_settings

#: The page icon, a local image: a ":material/...:" page icon is fetched from fonts.gstatic.com
#: on every load. Resolved once, at import, not on every rerun of the router.
ICON = str(Path(__file__).resolve().parent / "icon.png")

DEMO_BANNER = (
    "**Synthetic demo data.** Every patient here is simulated by seeded code in VBQ Explorer, "
    "calibrated to Chen et al. 2023; none is a real person."
)
SITE_LABELS = {
    "lowest": "Lowest T-score (WHO)",
    "l1_l4": "L1-L4",
    "femoral_neck": "Femoral neck",
    "total_hip": "Total hip",
}
SEX_LABELS = vbq.schema.CATEGORY_LABELS["sex"]
DIAGNOSIS_LABELS = vbq.schema.CATEGORY_LABELS["diagnosis"]  # one vocabulary with the tables


def page_links(pages, *, current) -> None:
    """The page menu at the top of the sidebar: one link per page, each carrying the current
    settings and view options in its query string (`binding.url_params`)."""
    params = binding.url_params()
    with st.sidebar:
        with st.container(key="page_menu"):
            for page in pages:
                st.page_link(page, label=page.title, icon=page.icon, query_params=params,
                             width="stretch", disabled=False)
        st.divider()


def render(dataset: Dataset) -> None:
    with st.sidebar:
        if dataset.is_demo:
            st.markdown("### Dataset")
            st.markdown("**Synthetic demo cohort**")
            # the demo banner itself is on the page (dataset_banner): once is enough, and the
            # settings below stay above the fold at 1280 x 800
            st.caption(f"{dataset.n_cohort} cohort rows · {dataset.n_dxa} DXA rows; "
                       "simulated patients")
        else:
            st.markdown("### Your data")
            st.markdown(f"**Cohort file:** {plain(dataset.cohort_file)} "
                        f"({dataset.n_cohort} rows)  \n**DXA file:** {plain(dataset.dxa_file)} "
                        f"({dataset.n_dxa} rows)")
        if dataset.measurements:
            _measurements_in_use(dataset.measurements)
        _common_settings()
        _sharing()


def _measurements_in_use(choice: str) -> None:
    from ui import measure

    try:
        words = measure.choice_text(*measure.parse_choice(choice))
    except ValueError:
        words = choice
    st.info(f"**MRI measurements in use:** {plain(words)}. Their SIs replace the cohort's for "
            "the measured patients (MRI measurement page).", icon=":material/radiology:")
    report = st.session_state.get(measure.MERGE_REPORT_KEY)
    if report is not None and report.flagged:
        st.warning(f"{len(report.flagged)} measured patient(s) in use were read on a flagged "
                   "series (e.g. T1 FLAIR, lossy compression); see the MRI measurement page.",
                   icon=":material/flag:")


def _common_settings() -> None:
    st.markdown("### Reference standard")
    binding.setting(st.selectbox, "DXA reference site", "dxa_site", key="sb_dxa_site",
                    options=list(SITE_LABELS), format_func=SITE_LABELS.get,
                    help="Which DXA T-score defines osteoporosis. **Lowest T-score (WHO)**: the "
                         "lowest of the L1-L4, femoral neck and total hip T-scores, as the WHO "
                         "criteria and the paper use.")
    c1, c2 = st.columns(2)
    with c1:
        binding.setting(st.number_input, "Osteoporosis T ≤", "osteoporosis_t",
                        key="sb_osteoporosis_t", step=0.1, format="%.1f",
                        min_value=-5.0, max_value=0.0, explain=False)
    with c2:
        binding.setting(st.number_input, "Osteopenia T <", "osteopenia_t", key="sb_osteopenia_t",
                        step=0.1, format="%.1f", min_value=-5.0, max_value=1.0, explain=False)
    binding.explain_refusal("sb_osteoporosis_t", "sb_osteopenia_t")  # under both, full width
    st.markdown("### Filters")
    binding.setting(st.multiselect, "Sex", "sexes", key="sb_sexes", options=list(SEX_LABELS),
                    format_func=SEX_LABELS.get, to_widget=list, from_widget=tuple)
    settings = get_settings()
    low, high = (int(a) for a in vbq.settings.AGE_LIMITS)
    lo = low if settings.age_min is None else int(settings.age_min)
    hi = high if settings.age_max is None else int(settings.age_max)

    def age_changed() -> None:
        a, b = st.session_state["sb_age"]
        set_settings(get_settings().replace(age_min=None if a <= low else float(a),
                                            age_max=None if b >= high else float(b)))
        binding.write_url()

    st.slider("Age range (years)", low, high, key="sb_age", on_change=age_changed,
              help=f"The ends ({low}, {high}) mean no limit.",
              **binding.seed(st.slider, "sb_age", (lo, hi)))  # (why: binding.seed)
    binding.setting(st.multiselect, "Primary diagnosis", "diagnoses", key="sb_diagnoses",
                    options=list(DIAGNOSIS_LABELS), format_func=DIAGNOSIS_LABELS.get,
                    to_widget=list, from_widget=tuple)


def _sharing() -> None:
    st.markdown("### Share this view")
    settings = get_settings()
    st.caption("The address bar holds a link to this exact view; or save the settings as a file.")
    # in a popover: the browser mounts its content, and loads the uploader's code, only when it
    # is opened, not on every page of a new session (issue 21; docs/design.md)
    with st.popover("Settings file", icon=":material/save:", width="stretch"):
        st.download_button("Download settings (JSON)", settings.to_json(),
                           file_name="vbq_settings.json", mime="application/json",
                           key="sb_download_settings")
        upload = st.file_uploader("Load settings (JSON)", type=["json"],
                                  key="sb_upload_settings")
    if upload is not None:
        token = (upload.name, upload.size)
        if st.session_state.get("_settings_upload") != token:
            st.session_state["_settings_upload"] = token
            try:
                set_settings(vbq.Settings.from_json(upload.getvalue()))
            except vbq.InputError as exc:
                st.error(plain(f"{upload.name}: {exc}"))
            else:
                binding.write_url()
                st.rerun()
    if settings != vbq.Settings():
        if st.button("Reset to the paper's settings", key="sb_reset"):
            set_settings(vbq.Settings())
            binding.write_url()
            st.rerun()


def dataset_banner(dataset: Dataset) -> None:
    """The banner every page shows above its content: the demo's, or the user's file names with
    their row counts; and the request for the files when a shared link was made on uploaded
    data."""
    if not dataset.is_demo:
        st.success(f"**Your data.** Cohort file {plain(dataset.cohort_file)} ({dataset.n_cohort} "
                   f"rows), DXA file {plain(dataset.dxa_file)} ({dataset.n_dxa} rows).",
                   icon=":material/folder_open:")
    else:
        if st.session_state.get(binding.WANTS_UPLOAD):
            st.warning("This link was made on uploaded files, which a link cannot carry. Upload "
                       "the same cohort and DXA files on the Data page to see the shared view; "
                       "until then the synthetic demo is shown with the link's settings.",
                       icon=":material/upload_file:")
        st.info(DEMO_BANNER, icon=":material/science:")


