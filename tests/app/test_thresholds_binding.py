"""The Thresholds page's sliders and the settings they drive never disagree (issue 16).

Seen once: after ten quick arrow-key presses the osteoporosis slider showed 2.89 while the
tables, the ROC marker and the address used 2.9. A value the settings refused (osteoporosis
below osteopenia) was written back into the widget while the browser was still sending presses,
and a float off the slider's grid would be written back on every run. Now each slider is bounded
by the other threshold (it cannot show a refused value), values are rounded to its step both
ways, and a refusal elsewhere is said beside its control (tests/browser/test_thresholds.py
presses the keys in Chromium).
"""

from __future__ import annotations

import html

import vbq

from .conftest import start

LINK = {"vbq_osteopenia": "2.85", "vbq_osteoporosis": "2.9"}


def test_each_slider_stops_at_the_other_threshold():
    at = start("app_pages/thresholds.py", query=LINK)
    osteopenia, osteoporosis = at.slider(key="thr_osteopenia"), at.slider(key="thr_osteoporosis")
    assert osteoporosis.value == 2.9 and osteoporosis.min == 2.85
    assert osteopenia.value == 2.85 and osteopenia.max == 2.9
    captions = [c.value for c in at.caption]
    assert any("At least the osteopenia threshold (2.85)" in c for c in captions)
    assert any("At most the osteoporosis threshold (2.90)" in c for c in captions)


def test_a_value_off_the_grid_is_rounded_to_the_step_everywhere():
    # what the browser's arithmetic can send for 2.9 - 0.01
    at = start("app_pages/thresholds.py", query=LINK)
    at.slider(key="thr_osteoporosis").set_value(2.8899999999999997).run()
    assert not at.exception
    settings = at.session_state["settings"]
    assert settings.vbq_osteoporosis == 2.89
    assert at.query_params["vbq_osteoporosis"] in ("2.89", ["2.89"])
    assert at.slider(key="thr_osteoporosis").value == 2.89
    assert any("At VBQ ≥ 2.89 in the control group" in c.value for c in at.caption)


def test_a_refused_setting_is_explained_beside_its_control():
    # the sidebar's T-score cut-offs: osteoporosis must stay below osteopenia (-1 by default)
    at = start("app_pages/thresholds.py")
    at.number_input(key="sb_osteoporosis_t").set_value(-0.5).run()
    assert not at.exception
    assert at.session_state["settings"] == vbq.Settings()  # not applied
    # right under the two T-score inputs, before the next section of the sidebar (it was at
    # the bottom of the sidebar, out of view)
    shown = [(e.type, html.unescape(str(getattr(e, "value", "")))) for e in at.sidebar]
    warning = next(i for i, (t, v) in enumerate(shown)
                   if t == "warning" and v.startswith("Not applied"))
    inputs = max(i for i, (t, _) in enumerate(shown) if t == "number_input")
    assert warning == inputs + 1 and shown[warning + 1] == ("markdown", "### Filters")
    assert "Osteoporosis T-score cut-off" in shown[warning][1]
    assert at.number_input(key="sb_osteoporosis_t").value == -2.5  # back to the value in force


def test_thresholds_at_the_bottom_of_the_scale_from_a_link_keep_every_page_working():
    # issue 18: /thresholds?vbq_osteopenia=0.5&vbq_osteoporosis=0.6 made every page of the
    # session fail with Streamlit's generic error
    at = start("app_pages/thresholds.py", query={"vbq_osteopenia": "0.5",
                                                 "vbq_osteoporosis": "0.6"})
    assert at.slider(key="thr_osteopenia").value == 0.5
    assert at.slider(key="thr_osteoporosis").value == 0.6
    for page in ("app_pages/roc.py", "app_pages/groups.py", "app_pages/report.py",
                 "app_pages/thresholds.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
