"""AppTest of every analysis page on the demo: renders, one interaction, numbers equal to vbq."""

from __future__ import annotations

import re

import pytest

import vbq

from .conftest import metrics, start

PAGES = ["app_pages/data.py", "app_pages/groups.py", "app_pages/correlations.py", "app_pages/roc.py",
         "app_pages/thresholds.py"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo(page):
    at = start(page)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("Synthetic demo data" in i.value for i in at.info)


def test_groups_min_vertebrae_changes_groups_and_table2_as_vbq(demo):
    at = start("app_pages/groups.py")
    at.slider(key="groups_min_vertebrae").set_value(2).run()
    assert not at.exception
    settings = vbq.Settings().replace(min_vertebrae=2)
    table = vbq.prepare_cohort(*demo, settings).table
    m = metrics(at)
    assert m["Degenerative"] == str((table["group"] == "degenerative").sum())
    assert m["Control"] == str((table["group"] == "control").sum())
    assert int(m["Degenerative"]) > 101  # a looser rule admits more patients
    expected = vbq.study.table2(table).to_frame()
    shown = next(d.value for d in at.dataframe if "ANCOVA p" in d.value.columns)
    vbq_row = shown[shown["variable"] == "vbq"].iloc[0]
    exp_row = expected[expected["variable"] == "vbq"].iloc[0]
    assert vbq_row["Degenerative"] == f"{exp_row['mean_degenerative']:.3g} ± " \
                                      f"{exp_row['sd_degenerative']:.3g}"
    p = exp_row["p_value_ancova"]
    assert vbq_row["ANCOVA p"] == ("< 0.001" if p < 0.001 else f"{p:.3f}")
    assert at.query_params["criteria.min_vertebrae"] == "2"


def test_threshold_slider_changes_prevalence(demo):
    at = start("app_pages/thresholds.py")
    before = next(d.value for d in at.dataframe if "measure" in d.value.columns).copy()
    at.radio(key="thr_mode").set_value("manual").run()
    at.slider(key="thr_osteoporosis").set_value(3.3).run()
    assert not at.exception
    after = next(d.value for d in at.dataframe if "measure" in d.value.columns)
    assert not before.equals(after)
    settings = vbq.Settings(vbq_osteoporosis=3.3,
                            vbq_osteopenia=min(3.3, vbq.prepare_cohort(*demo).thresholds.vbq_osteopenia))
    expected = vbq.study.prevalence(vbq.prepare_cohort(*demo, settings).table).to_frame()
    row = after[after["measure"] == "Positive by VBQ"].iloc[0]
    e = expected[expected["measure"] == "test"].iloc[0]
    assert row["Control"] == f"{e['count_control']}/{e['n_control']} ({e['percent_control']:.1f}%)"


def test_roc_page_matches_vbq_and_marks_directions(demo):
    at = start("app_pages/roc.py")
    table = vbq.prepare_cohort(*demo).table
    study = vbq.study.roc_study(table, group="control", target="osteoporosis",
                                markers=("vbq", "hu_l1"))
    shown = next(d.value for d in at.dataframe if "AUC (95% CI)" in d.value.columns)
    auc = study.results["vbq"].auc
    assert shown.iloc[0]["AUC (95% CI)"].startswith(f"{auc:.3f}")
    assert any("lower = positive" in c.value for c in at.caption)
    keys = [b.proto.id for b in at.get("download_button")]
    for stem in ("roc_dl_table4", "roc_dl_comparison"):  # every table can be taken home
        assert any(k.endswith(f"{stem}_csv") for k in keys), keys
        assert any(k.endswith(f"{stem}_xlsx") for k in keys), keys


def test_query_string_round_trip_restores_settings_and_view():
    # sidebar widgets on the first run only: AppTest 1.67 drops the entry script's sidebar from
    # its tree after any rerun under st.navigation (the browser test covers the live sidebar)
    at = start()
    at.selectbox(key="sb_dxa_site").set_value("l1_l4").run()
    at.switch_page("app_pages/groups.py").run()
    at.slider(key="groups_min_vertebrae").set_value(2).run()
    at.switch_page("app_pages/roc.py").run()
    at.radio(key="roc_group").set_value("all").run()
    query = dict(at.query_params)
    assert query == {"criteria.min_vertebrae": "2", "dxa_site": "l1_l4", "v.roc.group": "all"}
    fresh = start(query=query)
    assert fresh.selectbox(key="sb_dxa_site").value == "l1_l4"
    fresh.switch_page("app_pages/roc.py").run()
    assert fresh.radio(key="roc_group").value == "all"
    fresh.switch_page("app_pages/groups.py").run()
    assert fresh.slider(key="groups_min_vertebrae").value == 2
    assert vbq.Settings.from_query(query) == vbq.Settings(dxa_site="l1_l4").replace(
        min_vertebrae=2)


def test_settings_survive_switching_pages():
    at = start("app_pages/groups.py")
    at.slider(key="groups_min_vertebrae").set_value(4).run()
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/groups.py").run()
    assert at.slider(key="groups_min_vertebrae").value == 4


def test_tiny_group_explains_instead_of_failing():
    at = start("app_pages/groups.py")
    at.multiselect(key="groups_levels").set_value(["L1"]).run()
    at.slider(key="groups_min_vertebrae").set_value(1).run()
    at.toggle(key="groups_facet").set_value(False).run()
    at.toggle(key="groups_genant").set_value(False).run()
    at.toggle(key="groups_ucla").set_value(False).run()
    at.toggle(key="groups_osteophyte").set_value(False).run()
    assert not at.exception
    assert any("No between-group comparison" in i.value for i in at.info)
    assert any("No criterion is enabled" in w.value for w in at.warning)


def _shown(markdown: str) -> str:
    """Markdown as the reader sees it: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_bad_link_names_every_bad_parameter_at_the_top_and_keeps_the_good_ones():
    query = {"dxa_site": "moon", "criteria.min_vertebrae": "abc", "age_min": "60",
             "sexes": "F", "utm": "x"}
    at = start(query=query)  # the data page is the default
    assert not at.exception
    # at the top of the page, above its title: the first element of the main area
    first = at.main.children[0]
    while not hasattr(first, "value") and getattr(first, "children", None):
        first = list(first.children.values())[0] if isinstance(first.children, dict) \
            else first.children[0]
    assert first.type == "warning" and "could not be used" in first.value, first
    text = _shown(first.value)
    assert "3 settings" in text
    for words in ("DXA reference site", "moon", "Degenerative vertebrae at least", "abc",
                  "utm"):
        assert words in text, words
    assert "is not a valid" not in text and "float" not in text
    # the valid parameters of the link are in force, the bad ones at their defaults
    wanted = vbq.Settings(age_min=60.0, sexes=("F",))
    assert at.session_state["settings"] == wanted
    assert {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()} \
        == wanted.to_query()
    cohort, dxa = vbq.demo.load()
    assert metrics(at)["Analysed"] == str(vbq.prepare_cohort(cohort, dxa, wanted).counts.n_analysed)
    # nothing in the sidebar
    assert not any("could not be used" in w.value for w in at.sidebar.warning)


def test_bad_page_option_in_a_link_is_named_and_the_default_used():
    at = start(query={"v.roc.group": "moon", "v.roc.decimals": "9", "v.roc.prevalence": "x"})
    at.switch_page("app_pages/roc.py").run()
    assert not at.exception
    assert at.radio(key="roc_group").value == "control"
    assert at.number_input(key="roc_decimals").value == 1
    text = _shown(next(w.value for w in at.warning if "could not be used" in w.value))
    assert "v.roc.group" in text and "moon" in text and "v.roc.decimals" in text
    assert "v.roc.prevalence" in text
    assert "v.roc.group" not in at.query_params


def test_settings_file_upload_applies_and_bad_file_is_explained():
    at = start()
    wanted = vbq.Settings(dxa_site="total_hip").replace(min_vertebrae=2)
    at.file_uploader(key="sb_upload_settings").upload(
        "view.json", wanted.to_json().encode(), "application/json")
    at.run()
    assert not at.exception
    assert at.session_state["settings"] == wanted
    assert at.query_params["dxa_site"] == "total_hip"
    bad = start()
    bad.file_uploader(key="sb_upload_settings").upload("bad.json", b"{nope", "application/json")
    bad.run()
    assert not bad.exception
    assert bad.session_state["settings"] == vbq.Settings()


def test_link_made_on_uploaded_data_asks_for_the_files():
    from ..factories import make_tables

    at = start()
    at.radio(key="data_source").set_value("Upload my files").run()
    cohort, dxa = make_tables(10)
    at.file_uploader(key="data_upload_cohort").upload(
        "c.csv", cohort.to_csv(index=False).encode(), "text/csv")
    at.file_uploader(key="data_upload_dxa").upload(
        "d.csv", dxa.to_csv(index=False).encode(), "text/csv")
    at.run()
    assert at.query_params["data"] == "uploaded"
    fresh = start(query=dict(at.query_params))
    assert fresh.radio(key="data_source").value == "Upload my files"
    assert any("made on uploaded files" in w.value for w in fresh.warning)
    assert fresh.session_state["dataset"].is_demo  # the demo until the files come


def test_data_uploaded_survives_page_changes_until_the_demo_is_chosen():
    at = start(query={"data": "uploaded", "criteria.min_vertebrae": "2"})
    for page in ("app_pages/groups.py", "app_pages/roc.py", "app_pages/data.py"):
        at.switch_page(page).run()
        assert at.query_params["data"] == "uploaded", page
        assert at.query_params["criteria.min_vertebrae"] == "2", page
    at.radio(key="data_source").set_value("Synthetic demo cohort").run()
    assert "data" not in at.query_params
    assert at.query_params["criteria.min_vertebrae"] == "2"


@pytest.mark.parametrize("page", PAGES[1:])
def test_every_analysis_page_says_what_is_in_force(page, demo):
    query = {"sexes": "F", "age_min": "65"}  # a small control group: derived thresholds wobble
    at = start(page, query=query)
    settings = vbq.Settings.from_query(query)
    expected = vbq.in_force(vbq.prepare_cohort(*demo, settings))
    assert any(c.value == f"**In force:** {expected.line}" for c in at.caption), page
    assert "Filters: women only; age ≥ 65" in expected.line
    shown = [w.value for w in at.warning]
    assert expected.warnings and all(w in shown for w in expected.warnings), page


def test_thresholds_page_shows_the_papers_value_as_a_labelled_reference(demo):
    at = start("app_pages/thresholds.py")
    # no caption presents the paper's number as this result
    assert not any("46.9" in c.value for c in at.caption)
    beside = next(t.value for t in at.table if "measure" in t.value.columns)
    row = beside[beside["measure"] == "VBQ-positive among DXA-negative"].iloc[0]
    prepared = vbq.prepare_cohort(*demo)
    th = prepared.thresholds
    e = vbq.study.prevalence(prepared.table).to_frame().set_index("measure") \
        .loc["test_among_reference_negative"]
    now = f"This analysis (VBQ ≥ {th.vbq_osteopenia:g} / ≥ {th.vbq_osteoporosis:g})"
    assert row[f"{now}: degenerative"] == f"{e['percent_degenerative']:.1f}%"
    assert row[f"{now}: control"] == f"{e['percent_control']:.1f}%"
    paper = "Paper, Chen et al. 2023 (VBQ ≥ 2.6 / ≥ 2.9)"
    assert (row[f"{paper}: degenerative"], row[f"{paper}: control"]) == ("46.9%", "30.8%")


def test_fig4_panels_state_r_and_colour_by_the_plotted_measure():
    at = start("app_pages/correlations.py")
    import json

    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == 2
    for spec in specs:
        title = spec["layout"]["title"]["text"]
        assert "95% CI" in title and "p < 0.001" in title
        # the default measure's own status names the colours
        assert spec["layout"]["legend"]["title"]["text"] == "DXA status (L1-4 T-score):"
    assert specs[0]["layout"]["yaxis"]["range"] == specs[1]["layout"]["yaxis"]["range"]


def test_a_setting_that_does_not_fit_is_explained_in_words():
    at = start("app_pages/groups.py")
    at.multiselect(key="groups_levels").set_value(["L1", "L2"]).run()  # 3 vertebrae of 2 levels
    assert not at.exception
    text = _shown(next(w.value for w in at.warning if "Not applied" in w.value))
    assert 'Levels considered: "L1,L2" does not fit with degenerative vertebrae at least 3' in text
    assert "min_vertebrae" not in text and "criteria." not in text
    assert at.session_state["settings"] == vbq.Settings()  # nothing half-applied
