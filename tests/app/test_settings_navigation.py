"""Settings survive a page switch made before the browser drew the sidebar.

Found in Chromium: open a deep link, click another page in the menu while the browser is still
drawing the first run (it loads a widget's code on first use), then click a third page: about
one time in three the sidebar came back with the osteoporosis T-score at -5.0, no sex, no
diagnosis and the first DXA site, and those became the settings (the URL said so and every
group was empty). The cause, reproduced here without a browser: on a page switch Streamlit
keeps the state of only the widgets the browser reported in its rerun request; the sidebar's
widgets it had not drawn yet were dropped, while the value written into their session state
survived, so `ui.binding` sent them with no value, and a browser draws a widget it holds no
value for at its default. Each test below sends what such a browser sends.
"""

from __future__ import annotations

from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from streamlit.testing.v1 import AppTest

import vbq

from .conftest import APP, TIMEOUT, metrics

# several settings away from the paper's: a looser group rule, another DXA site, another
# osteoporosis cut-off, women only, two diagnoses, patients of 50 to 80
LINK = {"criteria.min_vertebrae": "2", "dxa_site": "l1_l4", "osteoporosis_t": "-2.8",
        "sexes": "F", "diagnoses": "stenosis,scoliosis", "age_min": "50.0", "age_max": "80.0"}
SIDEBAR = ("sb_dxa_site", "sb_osteoporosis_t", "sb_osteopenia_t", "sb_sexes", "sb_age",
           "sb_diagnoses")


def _bound(at: AppTest) -> dict:
    """The bound widgets on screen (the sidebar's and the page's), by key."""
    widgets = [*at.number_input, *at.slider, *at.selectbox, *at.radio, *at.multiselect,
               *at.toggle, *at.checkbox]
    return {w.key: w for w in widgets if w.key}


def _drawn(widget) -> WidgetState:
    """What a browser that holds no value for `widget` reports once it has drawn it: the value
    sent with it if any, else its default (as Streamlit's frontend does)."""
    p = widget.proto
    state = WidgetState(id=widget.id)
    kind = type(p).__name__
    if kind == "NumberInput":
        state.double_value = p.value if p.set_value else p.default
    elif kind == "Slider":
        state.double_array_value.data[:] = p.value if p.set_value else p.default
    elif kind in ("Selectbox", "Radio"):
        state.string_value = p.raw_value if p.set_value else p.options[p.default]
    elif kind == "MultiSelect":
        state.string_array_value.data[:] = (p.raw_values if p.set_value
                                            else [p.options[i] for i in p.default])
    elif kind == "Checkbox":
        state.bool_value = p.value if p.set_value else p.default
    else:
        raise AssertionError(f"no rule for {kind}")
    return state


def _browser_states(at: AppTest, *, undrawn: tuple[str, ...]) -> WidgetStates:
    """The rerun request of a browser that has not drawn the widgets `undrawn` yet."""
    states = at._tree.get_widget_states()
    kept = [s for s in states.widgets if not s.id.endswith(tuple("-" + k for k in undrawn))]
    return WidgetStates(widgets=kept)


def _first_run() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in LINK.items():
        at.query_params[k] = v
    at.run()  # the link's first run (the router sends it on to the Data page)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _query(at: AppTest) -> dict[str, str]:
    return {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_a_widget_the_browser_draws_afresh_after_a_page_switch_shows_the_setting():
    at = _first_run()
    at.switch_page("app_pages/groups.py")
    at._run(_browser_states(at, undrawn=SIDEBAR))  # the menu click, sidebar not drawn yet
    assert not at.exception, [e.value for e in at.exception]
    widgets = _bound(at)
    expected = {"sb_dxa_site": "L1-L4", "sb_osteoporosis_t": -2.8, "sb_osteopenia_t": -1.0,
                "sb_sexes": ["Female"], "sb_age": [50.0, 80.0],
                "sb_diagnoses": ["Spinal stenosis", "Degenerative scoliosis"]}
    drawn = {}
    for key in SIDEBAR:
        state = _drawn(widgets[key])
        value = getattr(state, state.WhichOneof("value"))
        drawn[key] = value if isinstance(value, str | float) else list(value.data)
    assert drawn == expected


def test_settings_survive_the_next_click_of_a_browser_that_drew_the_sidebar_afresh():
    at = _first_run()
    before = at.session_state["settings"]
    assert before.to_query() == LINK
    at.switch_page("app_pages/groups.py")
    at._run(_browser_states(at, undrawn=SIDEBAR))
    groups = metrics(at)
    # the browser draws the sidebar, then the reader clicks Thresholds, then Correlations,
    # each time before the browser drew the new page's widgets
    for page in ("app_pages/thresholds.py", "app_pages/correlations.py", "app_pages/groups.py"):
        shown = _bound(at)
        states = WidgetStates(widgets=[_drawn(w) for w in shown.values()])
        at.switch_page(page)
        at._run(states)
        assert not at.exception, (page, [e.value for e in at.exception])
        assert at.session_state["settings"] == before, page
        assert _query(at) == LINK, page
    assert metrics(at) == groups
    assert int(groups["Degenerative"]) > 0 and int(groups["Control"]) > 0, groups
    assert vbq.Settings() != before  # (the link is not the paper's settings)
