"""AppTest of every analysis page on the demo: renders, one interaction, numbers equal to vbq."""

from __future__ import annotations

import html
import re

import pytest

import vbq

from .conftest import metrics, start, table_notes, tables

PAGES = ["app_pages/data.py", "app_pages/groups.py", "app_pages/correlations.py", "app_pages/roc.py",
         "app_pages/thresholds.py", "app_pages/report.py", "app_pages/decide.py",
         "app_pages/plan.py"]


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
    result = vbq.study.table2(table)
    expected = vbq.present.table2(result).display()
    shown = next(t for t in tables(at) if "p adjusted for age" in t.columns)
    assert shown.reset_index(drop=True).equals(expected)  # the page shows vbq.present's table
    vbq_row = shown[shown["Characteristic"] == "VBQ score"].iloc[0]
    deg = vbq_row.index[1]
    assert deg == f"Degenerative (n = {m['Degenerative']})"
    c = result.continuous["vbq"]
    assert vbq_row[deg] == f"{c.mean[0]:.2f} ± {c.sd[0]:.2f}"
    p = result.adjusted["vbq"].p_between
    assert vbq_row["p adjusted for age"] == ("< 0.001" if p < 0.001 else f"{p:.3f}")
    # one row per yes/no variable, never "smoking: False" / "smoking: True"
    assert (shown["Characteristic"].str.strip() == "Smoking").sum() == 1
    assert not shown["Characteristic"].str.contains("_|True|False").any()
    assert at.query_params["criteria.min_vertebrae"] == "2"


def test_groups_criterion_listing_is_every_patient_as_vbq_says(demo):
    # issue 21: the listing is one escaped HTML table (it was a grid, whose code took a second
    # or more to load in the browser); every patient's row, criteria in full
    at = start("app_pages/groups.py")
    assert not any(t.columns[0] == "Patient ID" for t in tables(at))  # built only when asked for
    at.toggle(key="groups_detail").set_value(True).run()
    assert not at.exception
    assert not at.dataframe
    shown = next(t for t in tables(at) if t.columns[0] == "Patient ID")
    expected = vbq.present.degeneration_table(
        vbq.cohort.degeneration_summary(demo[0], vbq.Settings().criteria)).display()
    assert len(shown) == len(demo[0]) == 235
    assert shown.equals(expected.reset_index(drop=True))
    assert any(b.label == "Table CSV" for b in at.get("download_button"))


def test_threshold_slider_changes_prevalence(demo):
    at = start("app_pages/thresholds.py")
    before = next(t for t in tables(at) if "Measure" in t.columns).copy()
    at.radio(key="thr_mode").set_value("manual").run()
    at.slider(key="thr_osteoporosis").set_value(3.3).run()
    assert not at.exception
    after = next(t for t in tables(at) if "Measure" in t.columns)
    assert not before.equals(after)
    settings = vbq.Settings(vbq_osteoporosis=3.3,
                            vbq_osteopenia=min(3.3, vbq.prepare_cohort(*demo).thresholds.vbq_osteopenia))
    prepared = vbq.prepare_cohort(*demo, settings)
    result = vbq.study.prevalence(prepared.table)
    expected = vbq.present.prevalence_table(result, thresholds=prepared.thresholds).shown
    assert after.reset_index(drop=True).equals(expected)
    row = after[after["Measure"] == "Osteoporosis by VBQ (VBQ ≥ 3.3)"].iloc[0]
    e = result.test
    assert row["Control, n/N (%)"] == f"{e.counts[0, 1]}/{e.n[1]} ({e.percent[0, 1]:.1f}%)"


def test_roc_page_matches_vbq_and_marks_directions(demo):
    at = start("app_pages/roc.py")
    table = vbq.prepare_cohort(*demo).table
    study = vbq.study.roc_study(table, group="control", target="osteoporosis",
                                markers=("vbq", "hu_l1"))
    shown = next(t for t in tables(at) if "AUC (95% CI)" in t.columns)
    assert shown.reset_index(drop=True).equals(vbq.present.table4(study).display())
    res = study.results["vbq"]
    row = shown[shown["Marker and cutoff"].str.strip() == "VBQ"].iloc[0]
    assert row["AUC (95% CI)"] == f"{res.auc:.3f} ({res.auc_ci[0]:.3f} to {res.auc_ci[1]:.3f})"
    assert any("lower = positive" in c.value for c in at.caption)
    keys = [b.proto.id for b in at.get("download_button")]
    for stem in ("roc_dl_table4", "roc_dl_comparison", "roc_dl_predictive"):
        for form in ("shown", "data"):  # every table can be taken home in both forms
            assert any(k.endswith(f"{stem}_{form}_csv") for k in keys), keys
            assert any(k.endswith(f"{stem}_{form}_xlsx") for k in keys), keys


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
    """Markdown as the reader sees it: escapes and character references decoded, word joiners
    (ui.safe.text) dropped."""
    import html

    return html.unescape(re.sub(r"\\(.)", r"\1", markdown)).replace("\u2060", "")


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


def test_a_page_option_naming_a_choice_twice_is_named_in_the_box_not_an_internal_error():
    # issue 18: /groups?v.groups.covariates=age,age showed "covariates: expected distinct
    # columns, got ['age', 'age']" under Table 2 and nothing in the link's box
    at = start(query={"v.groups.covariates": "age,age", "age_min": "60"})
    at.switch_page("app_pages/groups.py").run()
    assert not at.exception
    text = _shown(next(w.value for w in at.warning if "could not be used" in w.value))
    assert "v.groups.covariates" in text and "age,age" in text and "more than once" in text
    assert not [e.value for e in at.error]
    assert at.multiselect(key="groups_covariates").value == ["age"]
    assert at.session_state["settings"].age_min == 60.0  # the rest of the link in force


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


def test_filters_and_tables_use_one_vocabulary():
    from ui.sidebar import DIAGNOSIS_LABELS, SEX_LABELS

    assert DIAGNOSIS_LABELS == vbq.schema.CATEGORY_LABELS["diagnosis"]
    assert SEX_LABELS == vbq.schema.CATEGORY_LABELS["sex"]
    assert vbq.present.value_label("diagnosis", "spondylolisthesis") == "Degenerative slip"


def test_table_cells_are_shown_as_text_not_markup():
    # a file name, a value or a label in a journal table must never become a link, formatting
    # or markup: every header and cell is escaped HTML text
    import lxml.html
    import pandas as pd

    from ui.safe import table_html

    values = ["[x](https://evil.example)", "**b**", "  - item", "a\nb", "0.045ᵃ",
              "<img src=x onerror=alert(1)>", "&amp; <b>bold</b>"]
    written = table_html(pd.DataFrame({"<h>[h](https://x.example)": values}))
    doc = lxml.html.fromstring(f"<div>{written}</div>")
    assert not doc.xpath("//a | //img | //b | //strong | //script")
    assert doc.xpath("//th")[0].text_content() == "<h>[h](https://x.example)"
    shown = [td.text_content() for td in doc.xpath("//tbody//td")]
    assert shown == ["[x](https://evil.example)", "**b**", "\u00a0\u00a0- item", "a b",
                     "0.045ᵃ", "<img src=x onerror=alert(1)>", "&amp; <b>bold</b>"]


def test_table_footnotes_are_text_in_the_tables_element():
    # issue 21: a table's footnotes are written in its HTML element (one element, not two);
    # they stay text, never markup or links
    import lxml.html
    import pandas as pd

    from ui.safe import table_html

    notes = ["ᵃ Student's t test; [x](https://evil.example)", "<b>bold</b> & <script>x</script>"]
    doc = lxml.html.fromstring(f"<div>{table_html(pd.DataFrame({'a': [1]}), notes=notes)}</div>")
    assert not doc.xpath("//a | //b | //script")
    assert [p.text_content() for p in doc.xpath("//div[@class='vbq-table-notes']/p")] == notes
    assert 'class="vbq-table-notes"' not in table_html(pd.DataFrame({"a": [1]}))


def test_a_long_table_scrolls_in_a_frame_of_the_height_asked():
    import pandas as pd

    from ui.safe import table_html

    frame = pd.DataFrame({"a": range(3)})
    assert "max-height: 300px" in table_html(frame, height=300)
    assert "max-height" not in table_html(frame)


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
    prepared = vbq.prepare_cohort(*demo)
    shift = vbq.study.prevalence(prepared.table)
    expected = vbq.present.prevalence_against_paper_table(shift, thresholds=prepared.thresholds)
    # shown through the same path as the page's other tables: vbq.present's table as it is
    beside = next(t for t in tables(at) if list(t.columns) == list(expected.shown.columns))
    assert beside.reset_index(drop=True).equals(expected.display())
    row = beside.set_index("Measure").loc["VBQ-positive among the DXA-negative"]
    e = shift.to_frame().set_index("measure").loc["test_among_reference_negative"]
    now = f"this analysis, VBQ ≥ {prepared.thresholds.vbq_osteoporosis:g} (%)"
    assert row[f"Degenerative: {now}"] == f"{e['percent_degenerative']:.1f}"
    assert row[f"Control: {now}"] == f"{e['percent_control']:.1f}"
    # the paper's Abstract: 46.9% vs 30.8%, at its VBQ >= 2.9
    paper = "Chen et al. 2023, VBQ ≥ 2.9 (%)"
    assert (row[f"Degenerative: {paper}"], row[f"Control: {paper}"]) == ("46.9", "30.8")
    assert any("a reference, not this result" in n for n in table_notes(at))  # its footnote
    # it downloads like the other tables, in both forms
    ids = [b.proto.id for b in at.get("download_button")]
    for form in ("shown_csv", "shown_xlsx", "data_csv", "data_xlsx"):
        assert any(i.endswith(f"thr_dl_vs_paper_{form}") for i in ids), form


def test_fig4_panels_state_r_and_colour_by_the_plotted_measure():
    at = start("app_pages/correlations.py")
    import json

    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(specs) == 2
    for spec in specs:
        title = spec["layout"]["title"]["subtitle"]["text"]  # under the title, as the paper
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


def _dataclass_fields(cls, seen=()):
    """Every dataclass field reachable from `cls`, with the class it belongs to."""
    import dataclasses
    import typing

    out = []
    for f in dataclasses.fields(cls):
        out.append((cls, f))
        hint = typing.get_type_hints(cls)[f.name]
        if dataclasses.is_dataclass(hint) and hint not in seen:
            out.extend(_dataclass_fields(hint, (*seen, cls)))
    return out


def test_cached_results_are_keyed_on_every_setting():
    # ui.cache hashes vbq.Settings by its repr (HASH_FUNCS): a field left out of the repr would
    # let two different views share one cached result
    from ui import cache

    assert cache.HASH_FUNCS[vbq.Settings] is repr
    fields = _dataclass_fields(vbq.Settings)
    assert len(fields) > 10
    assert [f"{c.__name__}.{f.name}" for c, f in fields if not f.repr] == []
    base = vbq.Settings()
    changed = vbq.Settings(criteria=vbq.GroupCriteria(min_vertebrae=2), osteoporosis_t=-2.4)
    assert repr(changed) != repr(base)


@pytest.mark.parametrize("query, label", [
    ({"age_min": "30"}, "Minimum age"),
    ({"age_max": "101"}, "Maximum age"),
    ({"age_min": "39.5", "age_max": "45"}, "Minimum age"),
])
def test_an_age_bound_outside_the_slider_is_named_not_fatal(query, label):
    # issue 18: /groups?age_min=30 made every page of the session fail (the age slider spans
    # 40-100 and Streamlit raised on a value below its minimum)
    at = start(query=query)
    box = [w.value for w in at.warning if "could not be used" in w.value]
    assert box and label in html.unescape(box[0]), [w.value for w in at.warning]
    assert "from 40 to 100" in html.unescape(box[0])
    for page in ("app_pages/groups.py", "app_pages/thresholds.py", "app_pages/correlations.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", [*PAGES, "app_pages/reliability.py"])
def test_every_analysis_page_opens_with_the_shared_prologue(page):
    # issue 17: title, dataset, banner and settings come from ui.page (one prologue, not six
    # copies); only the Data page places the banner itself, below its choice of data source
    import ast
    from pathlib import Path

    from .conftest import ROOT

    tree = ast.parse(Path(ROOT, page).read_text(encoding="utf-8"))
    calls = [ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert [c for c in calls if c in ("page.start", "page.start_analysis")], page
    assert "st.title" not in calls
    assert "get_dataset" not in calls
    assert ("dataset_banner" in calls) == (page == "app_pages/data.py")
