"""AppTest: text from a file name, a file or a link is shown as text (no live link), and a
hostile upload gives a message, never a traceback (issue 10)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ..factories import make_tables
from .conftest import APP, TIMEOUT, start

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
EVIL = "[x](https://evil.example)"
# a Markdown link: ]( not preceded by the backslash that escapes it
LIVE_LINK = re.compile(r"(?<!\\)\]\s*\(|(?<!\\)<a\s|https?://evil|www\.evil")


def _shown_texts(at: AppTest) -> list[str]:
    """The Markdown source of every element that renders a string as Markdown."""
    out = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "header",
                 "subheader", "exception"):
        for el in getattr(at, kind):
            out.append(str(getattr(el, "value", "")))
    for el in at.expander:
        out.append(str(el.label))
    for el in at.metric:
        out.append(str(el.label))
    for kind in ("markdown", "caption", "error", "warning", "info", "success"):
        for el in getattr(at.sidebar, kind):
            out.append(str(el.value))
    return out


def _no_live_link(at: AppTest) -> None:
    texts = _shown_texts(at)
    live = [t for t in texts if LIVE_LINK.search(t)]
    assert not live, live


def _upload(at: AppTest, cohort_name: str, cohort: bytes, dxa_name: str, dxa: bytes) -> AppTest:
    at.radio(key="data_source").set_value("Upload my files").run()
    at.file_uploader(key="data_upload_cohort").upload(cohort_name, cohort, "text/csv")
    at.file_uploader(key="data_upload_dxa").upload(dxa_name, dxa, "text/csv")
    return at.run()


def test_a_file_named_like_a_markdown_link_is_shown_as_text_on_every_page():
    cohort, dxa = make_tables(10)
    at = start()
    _upload(at, f"{EVIL}.csv", cohort.to_csv(index=False).encode(), "www.evil.example <a href=x>.csv",
            dxa.to_csv(index=False).encode())
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["dataset"].name == f"{EVIL}.csv + www.evil.example <a href=x>.csv"
    # the name is shown (escaped), not dropped
    assert any("[x](https://evil.example)" in html.unescape(t).replace("\u2060", "")
               for t in _shown_texts(at))
    _no_live_link(at)
    for page in ("app_pages/groups.py", "app_pages/correlations.py", "app_pages/roc.py",
                 "app_pages/thresholds.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        _no_live_link(at)


def test_a_file_with_errors_and_a_hostile_name_shows_the_name_as_text():
    cohort, dxa = make_tables(6)
    cohort = cohort.astype(object)
    cohort.loc[2, "age"] = "[click](https://evil.example)"
    at = start()
    _upload(at, f"{EVIL}.csv", cohort.to_csv(index=False).encode(), "d.csv",
            dxa.to_csv(index=False).encode())
    assert not at.exception
    assert any("error(s) block the analysis" in e.value for e in at.error)
    _no_live_link(at)


def test_a_link_value_in_the_url_is_shown_as_text():
    at = start(query={"dxa_site": "[url](https://evil.example)"})
    warnings = [w.value for w in at.warning] + [w.value for w in at.sidebar.warning]
    assert any("not understood" in w for w in warnings), warnings
    _no_live_link(at)


def test_a_zip_renamed_xlsx_gives_a_message_not_a_traceback():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    _, dxa = make_tables(6)
    _upload(at, "cohort.xlsx", (BAD / "cohort_zip_renamed.xlsx").read_bytes(), "d.csv",
            dxa.to_csv(index=False).encode())
    assert not at.exception, [e.value for e in at.exception]
    errors = html.unescape(" ".join(e.value for e in at.error))
    assert "cohort" in errors and "not an Excel workbook" in errors
    assert "Traceback" not in errors and "KeyError" not in errors
    assert at.session_state["dataset"].is_demo  # the demo stays in use


# issue 18: a file name that is Markdown and HTML at once, uploaded, then every page visited
MARKUP_NAME = "**bold**_[x](http://e)<b>"
ALL_PAGES = ("app_pages/data.py", "app_pages/groups.py", "app_pages/correlations.py",
             "app_pages/roc.py", "app_pages/thresholds.py", "app_pages/reliability.py",
             "app_pages/measure.py", "app_pages/report.py")
ACTIVE_MARKUP = ("**bold**", "_[x]", "](http", "<b>")


def _reader_sees(source: str) -> str:
    return html.unescape(source).replace("\u2060", "")


def test_a_file_name_in_markdown_and_html_is_shown_literally_wherever_it_is_shown():
    cohort, dxa = make_tables(10)
    cohort = cohort.drop(columns=[c for c in cohort.columns if c.endswith(("_obs2", "_repeat"))])
    at = start()
    _upload(at, f"{MARKUP_NAME}.csv", cohort.to_csv(index=False).encode(),
            f"{MARKUP_NAME}_dxa.csv", dxa.to_csv(index=False).encode())
    assert not at.exception, [e.value for e in at.exception]
    literal_on = []
    for page in ALL_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        texts = _shown_texts(at)
        # the Markdown source holds none of the name's markup as markup...
        active = [t for t in texts if any(m in t for m in ACTIVE_MARKUP)]
        assert not active, (page, active)
        # ...and where the name is shown, the reader sees it exactly as it was typed
        if any(MARKUP_NAME in _reader_sees(t) for t in texts):
            literal_on.append(page)
    # the name is shown (not dropped) on the data page's header and the reliability page's note
    assert {"app_pages/data.py", "app_pages/reliability.py"} <= set(literal_on), literal_on


def test_a_file_name_in_markdown_is_literal_where_the_mri_page_names_the_data(tmp_path,
                                                                             monkeypatch):
    # issue 18 audit: the MRI page names the data the measurements go into (d0f136a: as
    # Markdown, measure.py line 366) only once readings are stored, and after they are used
    # every page names the merged data: the walk above, on an empty database, never got there
    from ui import measure
    from vbq.measurements import MeasurementStore, ROIMeasurement

    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    cohort, dxa = make_tables(10)
    with MeasurementStore(url) as store:
        store.save([ROIMeasurement(str(cohort["patient_id"].iloc[0]), "AB", 1, lv, si)
                    for lv, si in (("L1", 300.0), ("L2", 320.0), ("L3", 310.0), ("L4", 330.0),
                                   ("CSF", 110.0))])
    at = start()
    _upload(at, f"{MARKUP_NAME}.csv", cohort.to_csv(index=False).encode(),
            f"{MARKUP_NAME}_dxa.csv", dxa.to_csv(index=False).encode())
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception, [e.value for e in at.exception]
    texts = _shown_texts(at)
    assert any(MARKUP_NAME in _reader_sees(t) for t in texts)  # the caption naming the data
    assert not [t for t in texts if any(m in t for m in ACTIVE_MARKUP)]
    at.button(key="measure_use").click().run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ALL_PAGES:  # now every page analyses "<name> + MRI measurements (...)"
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        texts = _shown_texts(at)
        assert not [t for t in texts if any(m in t for m in ACTIVE_MARKUP)], page
    assert at.session_state["dataset"].measurements  # (the measurements were in use)
