"""AppTest of the router and the data page: demo at start, uploads, validation errors."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import vbq

from ..factories import make_tables
from .conftest import tables

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _shown(markdown: str) -> str:
    """A Markdown cell as the reader sees it: escapes and character references decoded, word
    joiners (ui.safe.text) dropped."""
    import re

    return html.unescape(re.sub(r"\\(.)", r"\1", str(markdown))).replace("\u2060", "")


def _metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_starts_on_the_synthetic_demo(at):
    table = vbq.prepare_cohort(*vbq.demo.load()).table
    m = _metrics(at)
    assert m["Analysed"] == str(len(table))
    assert m["Degenerative"] == str((table["group"] == "degenerative").sum())
    assert m["Control"] == str((table["group"] == "control").sum())
    banners = [w.value for w in at.sidebar.warning] + [i.value for i in at.info]
    assert any("Synthetic demo data" in b for b in banners)
    assert at.radio(key="data_source").value == "Synthetic demo cohort"


def _upload(at: AppTest, cohort: bytes, dxa: bytes) -> AppTest:
    at.radio(key="data_source").set_value("Upload my files").run()
    at.file_uploader(key="data_upload_cohort").upload("my_cohort.csv", cohort, "text/csv")
    at.file_uploader(key="data_upload_dxa").upload("my_dxa.csv", dxa, "text/csv")
    return at.run()


def test_bad_upload_shows_errors_not_a_traceback(at):
    cohort, dxa = make_tables(8)
    cohort = cohort.astype(object)
    cohort.loc[3, "age"] = "sixty"
    cohort = cohort.drop(columns=["si_csf"])
    dxa.loc[0, "bmd_l1_l4"] = 990.0
    _upload(at, cohort.to_csv(index=False).encode(), dxa.to_csv(index=False).encode())
    assert not at.exception
    errors = _shown(" ".join(e.value for e in at.error))
    assert "my_cohort.csv" in errors and "error(s) block the analysis" in errors
    assert "my_dxa.csv" in errors
    shown = tables(at) + [d.value for d in at.dataframe]
    problems = next(d for d in shown if "Problem" in d.columns and (d["File"] == "my_cohort.csv").any())
    row5 = problems[(problems["Row"] == "5") & (problems["Problem"] == "not a number")]
    assert len(row5) == 1 and row5["Column"].iloc[0] == "age"
    assert (problems["Problem"].str.startswith("missing required column 'si_csf'")).any()
    assert "Sheet" not in problems.columns  # CSV files have no sheet: no column of "None"
    assert not (problems == "None").any().any()
    # the demo stays in use while the upload is broken (AppTest 1.67 drops the entry script's
    # sidebar from its tree after a rerun under st.navigation, so read the session state)
    assert at.session_state["dataset"].is_demo


def test_good_upload_replaces_the_demo_and_matches_vbq(at):
    cohort, dxa = make_tables(10)
    dxa = dxa[dxa["patient_id"] != "T010"]
    _upload(at, cohort.to_csv(index=False).encode(), dxa.to_csv(index=False).encode())
    assert not at.exception
    expected = vbq.prepare_cohort(cohort, dxa).table
    m = _metrics(at)
    assert m["Cohort rows"] == "10" and m["Analysed"] == str(len(expected)) == "9"
    assert m["Excluded"] == "1"
    assert any("only one file" in w.value for w in at.warning)
    assert at.session_state["dataset"].name == "my_cohort.csv + my_dxa.csv"
    # back to the demo with one click
    at.radio(key="data_source").set_value("Synthetic demo cohort").run()
    assert _metrics(at)["Cohort rows"] == "235"


def test_exclusion_log_is_a_table_whose_reasons_read_in_full(at):
    # a static table (its reasons wrap), never a grid that cuts them: the log of vbq, in words
    cohort, dxa = make_tables(10)
    dxa = dxa[dxa["patient_id"] != "T010"]
    orphan = dxa.iloc[[0]].assign(patient_id="X999")
    dxa = pd.concat([dxa, orphan])
    _upload(at, cohort.to_csv(index=False).encode(), dxa.to_csv(index=False).encode())
    assert not at.exception
    log = next(t for t in tables(at) if "Reason" in t.columns)
    assert not any("Reason" in d.value.columns for d in at.dataframe)
    expected = vbq.present.exclusion_table(vbq.prepare_cohort(cohort, dxa).exclusion_log())
    assert log.reset_index(drop=True).equals(expected.shown)
    reasons = dict(zip(log["Patient ID"], log["Reason"], strict=True))
    assert reasons["T010"] == "No row for this Patient ID in the DXA file"
    assert reasons["X999"] == ("Row of the DXA file with no patient in the cohort file (not a "
                               "cohort patient: not counted among the cohort rows)")


def test_mapping_editor_fixes_an_unrecognised_column(at):
    import hashlib

    cohort, dxa = make_tables(8)
    data = cohort.rename(columns={"si_l1": "Vertebra one"}).to_csv(index=False).encode()
    _upload(at, data, dxa.to_csv(index=False).encode())
    errors = _shown(" ".join(e.value for e in at.error))
    assert "my_cohort.csv" in errors  # si_l1 is missing until mapped
    editor = next(d for d in at.data_editor if "maps to" in d.value.columns)
    row = editor.value.index[editor.value["file column"] == "Vertebra one"][0]
    no_overrides = hashlib.sha256(repr([]).encode()).hexdigest()[:8]
    key = f"data_mapping_editor_cohort_{hashlib.sha256(data).hexdigest()[:12]}_{no_overrides}"
    at.session_state[key] = {"edited_rows": {int(row): {"maps to": "si_l1"}},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert not [e.value for e in at.error if "my_cohort.csv" in html.unescape(e.value)]
    assert at.session_state["dataset"].name == "my_cohort.csv + my_dxa.csv"
    expected = vbq.prepare_cohort(cohort, dxa).table
    assert _metrics(at)["Analysed"] == str(len(expected))
    mapping = next(iter(at.session_state["data_mapping_cohort"].values()))
    assert mapping == {"Vertebra one": "si_l1"}  # and nothing else was remapped


@pytest.mark.parametrize("page", ["app_pages/groups.py", "app_pages/correlations.py",
                                  "app_pages/roc.py", "app_pages/thresholds.py"])
def test_minimal_upload_every_page_runs_and_says_what_is_missing(at, page):
    # Only the required columns and the degeneration grades: no HU, no Modic, no repeated
    # readings, no comorbidities, no hip DXA. Every page must still run, show what it can and
    # say what it cannot.
    from vbq.schema import COHORT_COLUMNS, DXA_COLUMNS

    cohort, dxa = vbq.demo.load()
    grades = ("facet", "genant", "ucla", "osteophyte_dir", "osteophyte_mm")
    keep = [c.name for c in COHORT_COLUMNS if c.required] + [
        f"{g}_l{i}" for g in grades for i in range(1, 5)]
    cohort = cohort[keep]
    dxa = dxa[[c.name for c in DXA_COLUMNS if c.required]]
    _upload(at, cohort.to_csv(index=False).encode(), dxa.to_csv(index=False).encode())
    assert not at.session_state["dataset"].is_demo
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    said = " ".join(x.value for x in [*at.info, *at.warning, *at.caption])
    if page == "app_pages/groups.py":
        assert "Modic" in said  # Table 5 cannot be made, and the page says so
    if page == "app_pages/roc.py":
        assert "L1 HU" in said  # the HU marker has no values


def _all_text(app: AppTest) -> str:
    """Everything a user can read on the page: text elements, labels and table cells."""
    parts = [df.to_csv() for df in [*(d.value for d in app.dataframe), *tables(app)]]
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header",
                 "subheader", "text", "code", "exception", "metric", "expander"):
        for el in app.get(kind):
            parts += [str(getattr(el, "value", "")), str(getattr(el, "label", ""))]
    return _shown("\n".join(parts))


def _upload_named(app: AppTest, names: tuple[str, str], cohort: bytes, dxa: bytes) -> AppTest:
    app.radio(key="data_source").set_value("Upload my files").run()
    app.file_uploader(key="data_upload_cohort").upload(names[0], cohort, "text/csv")
    app.file_uploader(key="data_upload_dxa").upload(names[1], dxa, "text/csv")
    return app.run()


def test_one_users_file_names_and_text_never_reach_another_session():
    # issue 10: the cached prepared table carried the warnings (file name, cell text) of
    # whoever uploaded those cells first. Two sessions in one process share Streamlit's caches.
    cohort, dxa = make_tables(12)
    cells, dxa_bytes = cohort.to_csv(index=False).encode(), dxa.to_csv(index=False).encode()
    alice = AppTest.from_file(APP, default_timeout=TIMEOUT)
    alice.run()
    _upload_named(alice, ("alice_SECRETNAME_cohort.csv", "alice_dxa.csv"),
                  b"CONFIDENTIAL Dr Alice ward 7 list,,\n" + cells, dxa_bytes)
    assert not alice.exception
    assert "CONFIDENTIAL" in _all_text(alice)  # her own title-row warning is shown to her

    bob = AppTest.from_file(APP, default_timeout=TIMEOUT)
    bob.run()
    _upload_named(bob, ("bob_cohort.csv", "bob_dxa.csv"), cells, dxa_bytes)
    assert not bob.exception
    seen = _all_text(bob)
    assert bob.session_state["dataset"].name == "bob_cohort.csv + bob_dxa.csv"
    for secret in ("SECRETNAME", "CONFIDENTIAL", "Alice", "alice_dxa"):
        assert secret not in seen, secret
    assert _metrics(bob)["Analysed"] == _metrics(alice)["Analysed"] == "12"

    # a different file under the same name as Alice's: Bob sees his own numbers
    carol = AppTest.from_file(APP, default_timeout=TIMEOUT)
    carol.run()
    small_cohort, small_dxa = make_tables(7)
    _upload_named(carol, ("alice_SECRETNAME_cohort.csv", "alice_dxa.csv"),
                  small_cohort.to_csv(index=False).encode(), small_dxa.to_csv(index=False).encode())
    assert _metrics(carol)["Analysed"] == "7"
    assert "CONFIDENTIAL" not in _all_text(carol)


def _texts(app: AppTest) -> list[str]:
    """Every heading, banner and caption a reader sees (sidebar included), escapes removed."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "success", "error"):
        out += [_shown(e.value) for e in app.get(kind)]
    return out


def test_uploading_the_demo_files_themselves_switches_the_app_to_your_data(at):
    cohort = vbq.demo.COHORT_FILE.read_bytes()
    dxa = vbq.demo.DXA_FILE.read_bytes()
    at.radio(key="data_source").set_value("Upload my files").run()
    at.file_uploader(key="data_upload_cohort").upload("my_cohort.csv", cohort, "text/csv")
    at.file_uploader(key="data_upload_dxa").upload("my_dxa.csv", dxa, "text/csv")
    at.run()
    assert not at.exception
    dataset = at.session_state["dataset"]
    assert not dataset.is_demo  # same content as the demo, but the user's files
    texts = _texts(at)
    assert not any("Synthetic demo" in t for t in texts), [t for t in texts if "Synthetic" in t]
    assert any("my_cohort.csv (235 rows)" in t and "my_dxa.csv (235 rows)" in t for t in texts)
    assert any(t.startswith("Your data") for t in (h.value for h in at.header))
    for page in ("app_pages/groups.py", "app_pages/roc.py"):
        at.switch_page(page).run()
        texts = _texts(at)
        assert not any("Synthetic demo" in t for t in texts), page
        assert any("Your data." in t and "my_cohort.csv (235 rows)" in t for t in texts), page


def test_coming_back_to_the_data_page_says_your_files_are_still_in_use(at):
    cohort, dxa = make_tables(10)
    _upload(at, cohort.to_csv(index=False).encode(), dxa.to_csv(index=False).encode())
    at.switch_page("app_pages/groups.py").run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    assert not at.session_state["dataset"].is_demo
    texts = _texts(at)
    assert not any("demo cohort stays in use" in t for t in texts)
    assert any("In use: Your data: cohort file my_cohort.csv (10 rows)" in t for t in texts)


def test_a_large_cohort_previews_its_first_rows_and_lists_them_all_in_the_downloads():
    """A cohort larger than the preview: the grids show their first rows and say so (every row
    was sent to the browser on every rerun), the metrics and downloads still count them all."""
    import numpy as np

    from app_pages import data as data_page
    from ui import display
    from ui.state import DATASET_KEY, uploaded_dataset

    cohort, dxa = vbq.demo.load()
    n = data_page.PREVIEW_ROWS + 200
    rows = np.arange(n) % len(cohort)
    ids = [f"S{i:05d}" for i in range(n)]
    big = cohort.iloc[rows].reset_index(drop=True).assign(patient_id=ids)
    big_dxa = (dxa.set_index("patient_id").loc[cohort["patient_id"].iloc[rows]]
               .reset_index(drop=True).assign(patient_id=ids))
    c, _ = vbq.io.coerce_cohort(big)
    d, _ = vbq.io.coerce_dxa(big_dxa)
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.session_state[DATASET_KEY] = uploaded_dataset(c, d, cohort_file="big.csv",
                                                      dxa_file="big_dxa.csv")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert _metrics(app)["Cohort rows"] == str(n)
    previews, said = [], []
    for table in ("analysis", "cohort", "dxa"):  # one preview at a time
        app.radio(key="data_preview").set_value(table).run()
        assert not app.exception, [e.value for e in app.exception]
        previews += [df.value for df in app.dataframe if len(df.value) == data_page.PREVIEW_ROWS]
        said += [c.value for c in app.caption]
    assert len(previews) == 3  # the analysis table, the cohort file and the DXA file
    assert list(previews[1].iloc[:3, 0]) == ids[:3]
    assert sum(f"The first {data_page.PREVIEW_ROWS:,} of {n:,} rows" in s for s in said) == 3
    app.switch_page("app_pages/groups.py").run()  # its per-vertebra listing: its first rows
    assert not app.exception, [e.value for e in app.exception]
    assert not any(t.columns[0] == "Patient ID" for t in tables(app))  # built only when asked
    app.toggle(key="groups_detail").set_value(True).run()
    listing = [t for t in tables(app) if t.columns[0] == "Patient ID"]
    assert [len(t) for t in listing] == [display.GRID_ROWS]
    assert list(listing[0]["Patient ID"][:3]) == ids[:3]
    assert any(f"The first {display.GRID_ROWS:,} of {n:,} rows" in c.value for c in app.caption)
