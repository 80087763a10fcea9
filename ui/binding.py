"""Widgets bound to the shared settings and view, mirrored in the URL.

Streamlit drops a widget's state when its page is not shown, so no page owns a setting: the value
lives in `st.session_state` (`vbq.Settings` under "settings", page options under "view") and each
widget is re-seeded from there whenever it is created. A change goes through a callback that
updates the stored value and rewrites `st.query_params`, so the address bar always holds a link to
the exact view (settings that differ from the paper's defaults, and non-default page options).

Streamlit clears the query string on every page switch (the sidebar's navigation, `st.switch_page`
without `query_params`, the back button to an entry without one), so the router also calls
`write_url()` at the start of every run: whichever way a page is reached, its address carries the
session's settings, view options and ``data=uploaded``.

A link's parameters are read once per session (`load_url_once`). A bad parameter is left at its
default and named, in words, in a message at the top of the page; the link's good parameters stay
in force.

Each bound widget is also created with the value in force as its own default (`seed`): the
browser shows a widget's default whenever it draws one it holds no value for, and the server
cannot always tell when that happens (a page switch before the browser drew the sidebar; see
`seed`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import vbq
from ui.display import plain
from ui.state import get_settings, set_settings

VIEW_KEY = "view"
VIEW_PREFIX = "v."
URL_LOADED = "_url_loaded"
DATA_PARAM = "data"
MEAS_PARAM = "meas"  # MRI measurements in use, "observer:session" (ui.measure)
LINK_MEAS = "_link_measurements"
WANTS_UPLOAD = "_link_wants_upload"
LINK_PROBLEMS = "_link_problems"
LINK_BOX = "_link_box"
LINK_PAGE = "_link_page"
CURRENT_PAGE = "_current_page"
LAST_WRITTEN = "_url_written"
STREAMLIT_PARAMS = ("embed", "embed_options")  # Streamlit's own, left alone


def _settings_value(flat: str) -> Any:
    value = get_settings().to_dict()[flat]
    return tuple(value) if isinstance(value, list) else value


REFUSED = "_settings_refused"  # widget key -> why its value was not applied (shown beside it)
BOUNDS = "_setting_bounds"  # widget key -> (min_value, max_value, step) it was last made with


def _set_setting(flat: str, value: Any, key: str) -> None:
    data = get_settings().to_dict()
    data[flat] = list(value) if isinstance(value, tuple | list) else value
    try:
        set_settings(vbq.Settings.from_dict(data))
    except vbq.InputError as exc:
        st.session_state.setdefault(REFUSED, {})[key] = _worded(flat, value, exc)
    write_url()


def _worded(flat: str, value: Any, exc: Exception) -> str:
    """Why a widget's value was not applied, in the words of `Settings.parse_query`."""
    query = dict(get_settings().to_query())
    query[flat] = _query_text(value)
    problems = [p.message for p in vbq.Settings.parse_query(query).problems if p.key == flat]
    return "Not applied: " + (" ".join(problems) if problems else str(exc))


def _query_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(map(str, value)) or "-"
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def setting(widget: Callable, label: str, flat: str, *, key: str,
            to_widget: Callable[[Any], Any] | None = None,
            from_widget: Callable[[Any], Any] | None = None, explain: bool = True,
            **kwargs) -> Any:
    """Create `widget` bound to the settings field `flat` (e.g. "dxa_site",
    "criteria.min_vertebrae"); return the widget's value.

    A value the settings refuse (the osteoporosis T-score above the osteopenia one) is not
    applied: the widget returns to the value in force and the reason is shown right below it,
    where the user is looking. The widget's state is written only when it differs from the
    settings (a refusal, a reset, a link) or when its bounds change, so a value the browser is
    still sending is never overwritten by the previous one. With ``explain=False`` the caller
    says it with `explain_refusal` (under a row of narrow columns, say)."""
    to_widget = to_widget or (lambda v: v)
    from_widget = from_widget or (lambda v: v)
    current = to_widget(_settings_value(flat))
    # Streamlit makes a new widget when a slider's min_value, max_value or step change (even
    # with a key), and a new widget without a value set starts at its minimum: write it then too
    bounds = tuple(kwargs.get(k) for k in ("min_value", "max_value", "step"))
    seen = st.session_state.setdefault(BOUNDS, {})
    renewed = seen.get(key, bounds) != bounds
    seen[key] = bounds

    def changed() -> None:
        _set_setting(flat, from_widget(st.session_state[key]), key)

    value = widget(label, key=key, on_change=changed,
                   **seed(widget, key, current, force=renewed, options=kwargs.get("options")),
                   **kwargs)
    if explain:
        explain_refusal(key)
    return value


def explain_refusal(*keys: str) -> None:
    """Say why the value of each widget in `keys` was not applied, here (once)."""
    for key in keys:
        refused = st.session_state.get(REFUSED, {}).pop(key, None)
        if refused:
            st.warning(plain(refused), icon=":material/block:")


def get_view(name: str, default: Any) -> Any:
    view = st.session_state.setdefault(VIEW_KEY, {})
    if name not in view:
        return default
    value = view[name]
    if isinstance(value, str) and not isinstance(default, str):  # from the URL: typed on first use
        typed = _coerce_like(value, default)
        if typed is None:
            _add_link_problem(f'Page option "{VIEW_PREFIX}{name}": "{value}" is not understood; '
                              f"expected {_kind(default)}. The default ({default}) is shown.")
            view.pop(name)
            write_url()
            return default
        value = view[name] = typed
    return value


def set_view(name: str, value: Any, default: Any) -> None:
    view = st.session_state.setdefault(VIEW_KEY, {})
    if value == default:
        view.pop(name, None)
    else:
        view[name] = value
    write_url()


def view(widget: Callable, label: str, name: str, default: Any, *, key: str, **kwargs) -> Any:
    """Create `widget` bound to the page option `name` (persisted across pages and in the URL as
    ``v.<name>``); return its value. Values must be str, int, float, bool, lists of str or a
    tuple of whole numbers (a range slider's two ends, ``v.<name>=5,50``).

    A value from a link that the widget cannot take (not among its `options`, outside its
    `min_value`/`max_value`) is named at the top of the page and the default is used."""
    current = get_view(name, default)
    why = _unusable(current, kwargs)
    if why:
        _add_link_problem(f'Page option "{VIEW_PREFIX}{name}": "{_show(current)}" {why}. The '
                          f"default ({_show(default)}) is shown.")
        st.session_state[VIEW_KEY].pop(name, None)
        write_url()
        current = default
    def changed() -> None:
        set_view(name, st.session_state[key], default)

    return widget(label, key=key, on_change=changed,
                  **seed(widget, key, current, options=kwargs.get("options")), **kwargs)


def seed(widget: Callable, key: str, current: Any, *, force: bool = False,
         options: Any = None) -> dict[str, Any]:
    """Make the widget `key` show `current`; return the keyword arguments to create it with.

    When the widget's state differs from `current` (a link, a reset, a refused value, the back
    button) or `force`, the state is written: the browser is sent the value. Otherwise it is
    left alone, so a value the browser is still sending is never overwritten by the previous
    one, and `current` is made the widget's default (`value`, `index` or `default`, by kind).

    Why the default too: the browser shows a widget's default whenever it draws a widget it
    holds no value for, and the server's memory of the widget's state can say otherwise. On a
    page switch Streamlit keeps only the widgets the browser reported in its rerun request
    (`ScriptRunner._run_script`: "Clear widget state on page change"); a menu click while the
    browser was still drawing the previous run (it loads a widget's code on first use) reports
    the sidebar without its number inputs, multiselects and slider. Their state is dropped, but
    the value written into `st.session_state[key]` in the run before survives it, so here the
    state equals `current` and nothing is sent; with Streamlit's defaults the browser then drew
    them at their minimum / empty (-5.0, no sex, no diagnosis, the first DXA site), sent those
    on the next click, and the change callbacks made them the settings
    (tests/app/test_settings_navigation.py reproduces it, tests/browser/test_navigation.py
    walks it in Chromium). With `current` as the default, a widget drawn afresh shows the value
    in force whatever the server remembers.

    The default is not passed in a run that writes the state (Streamlit warns when a widget has
    both); the state then carries the value to the browser.
    """
    if force or st.session_state.get(key) != current:
        st.session_state[key] = current
        return {}
    kind = getattr(widget, "__name__", "")
    if kind in ("selectbox", "radio"):
        return {"index": list(options).index(current)}
    if kind == "multiselect":
        return {"default": list(current)}
    return {"value": current}


def _unusable(value: Any, kwargs: dict) -> str | None:
    options = kwargs.get("options")
    if options is not None:
        values = value if isinstance(value, list | tuple) else [value]
        bad = [v for v in values if v not in list(options)]
        if bad:
            return "is not one of the choices"
        if len(set(map(str, values))) < len(values):
            return "names a choice more than once"
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")
    numbers = list(value) if _is_range(value) else [value]
    for v in numbers:
        if isinstance(v, int | float) and not isinstance(v, bool):
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                return f"is outside {lo} to {hi}"
    if _is_range(value) and value[0] > value[1]:
        return "has its first end above its second"
    return None


def _is_range(value: Any) -> bool:
    """Whether `value` is a range slider's value: a tuple of whole numbers."""
    return (isinstance(value, tuple) and bool(value)
            and all(isinstance(v, int) and not isinstance(v, bool) for v in value))


def _show(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def url_params() -> dict[str, str]:
    """The query parameters of the current view: settings that differ from the paper's, page
    options that differ from their defaults, and ``data=uploaded`` when the analysis uses (or the
    opening link asked for) uploaded files."""
    params: dict[str, str] = dict(get_settings().to_query())
    dataset = st.session_state.get("dataset")
    if (dataset is not None and not dataset.is_demo) or st.session_state.get(WANTS_UPLOAD):
        params[DATA_PARAM] = "uploaded"  # the recipient is asked for the files
    if dataset is not None and getattr(dataset, "measurements", ""):
        params[MEAS_PARAM] = dataset.measurements
    for name, value in st.session_state.get(VIEW_KEY, {}).items():
        if isinstance(value, list | tuple):
            params[VIEW_PREFIX + name] = ",".join(map(str, value)) or "-"
        elif isinstance(value, bool):
            params[VIEW_PREFIX + name] = "1" if value else "0"
        else:
            params[VIEW_PREFIX + name] = str(value)
    return params


def write_url() -> None:
    """Mirror settings and view options in the address bar (only when it differs, so an unchanged
    view sends nothing to the browser)."""
    params = url_params()
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != params:
        st.query_params.from_dict(params)
    st.session_state[LAST_WRITTEN] = params


def follow_history() -> None:
    """After the back or forward button, take the settings of the address stepped to.

    Only a run the browser marks as a step in its history (``is_history_navigation``) is
    followed. A menu link's query string is not: it holds the view of the run that drew the
    link, and a link clicked while a change was still being applied (a T-score typed and
    Enter pressed, then the menu clicked before the rerun redrew it) carries the view before
    the change; taken as a history step, it undid the change (tests/browser/test_navigation.py;
    once the address kept the new value while the sidebar showed the old one).
    `write_url` then puts the view in force in the address.
    """
    ctx = get_script_run_ctx()
    if ctx is None or not ctx.is_history_navigation:
        return
    last = st.session_state.get(LAST_WRITTEN)
    query = {k: st.query_params.get(k) for k in st.query_params}
    if last is None or query == last:
        return
    set_settings(vbq.Settings.parse_query(query).settings)
    st.session_state[VIEW_KEY] = {k[len(VIEW_PREFIX):]: v for k, v in query.items()
                                  if k.startswith(VIEW_PREFIX)}


def load_url_once() -> None:
    """On a session's first run, take settings and view options from the URL.

    A malformed link does not break the app: every parameter that is understood is used, and each
    one that is not is named in a message at the top of the page (`show_link_problems`).
    """
    if st.session_state.get(URL_LOADED):
        return
    st.session_state[URL_LOADED] = True
    query = {k: st.query_params.get(k) for k in st.query_params}
    parsed = vbq.Settings.parse_query(query)
    set_settings(parsed.settings)
    problems = [p.message for p in parsed.problems]
    data = query.get(DATA_PARAM)
    if data == "uploaded":
        st.session_state[WANTS_UPLOAD] = True
    elif data not in (None, "", "demo"):
        problems.append(f'Data: "{data}" is not understood; expected "uploaded" (a link made on '
                        "uploaded files) or nothing (the demo cohort).")
    if query.get(MEAS_PARAM):
        st.session_state[LINK_MEAS] = query[MEAS_PARAM]  # applied by the router (ui.measure)
    known = set(vbq.Settings().to_dict()) | {DATA_PARAM, MEAS_PARAM, *STREAMLIT_PARAMS}
    for key in query:
        if key not in known and not key.startswith(VIEW_PREFIX):
            problems.append(f'"{key}" is not a setting of VBQ Explorer; it was ignored.')
    st.session_state[LINK_PROBLEMS] = problems
    raw_view = {k[len(VIEW_PREFIX):]: v for k, v in query.items() if k.startswith(VIEW_PREFIX)}
    st.session_state[VIEW_KEY] = raw_view


def link_problems_box(page_key: str) -> None:
    """Reserve the top of the page for the link's problems and show them there.

    Called by the router before the page runs, so the message sits above the page's title. The
    problems stay on the page where they were found and are dropped on the next switch to another
    page (the address bar no longer holds them by then).
    """
    problems = st.session_state.get(LINK_PROBLEMS)
    if problems:
        shown_on = st.session_state.setdefault(LINK_PAGE, page_key)
        if shown_on != page_key:
            st.session_state[LINK_PROBLEMS] = problems = []
    st.session_state[LINK_BOX] = st.empty()
    st.session_state[CURRENT_PAGE] = page_key
    _render_link_problems()


def _add_link_problem(message: str) -> None:
    problems = st.session_state.setdefault(LINK_PROBLEMS, [])
    if message not in problems:
        problems.append(message)
    st.session_state[LINK_PAGE] = st.session_state.get(CURRENT_PAGE)  # shown where it was found
    _render_link_problems()


def _render_link_problems() -> None:
    box = st.session_state.get(LINK_BOX)
    problems = st.session_state.get(LINK_PROBLEMS)
    if box is None:
        return
    if not problems:
        box.empty()
        return
    n = len(problems)
    lines = "\n".join(f"- {plain(m)}" for m in problems)
    which = "settings that could not be used.** They were left at their" if n > 1 else \
        "setting that could not be used.** It was left at its"
    box.warning(f"**This link has {n} {which} default; every other setting of the link is in "
                f"force.\n\n{lines}", icon=":material/link_off:")


def _kind(default: Any) -> str:
    if isinstance(default, bool):
        return "1 (on) or 0 (off)"
    if isinstance(default, int):
        return "a whole number"
    if isinstance(default, float):
        return "a number"
    if _is_range(default):
        return f"{len(default)} whole numbers separated by commas"
    return "a list separated by commas"


def _coerce_like(text: str, default: Any) -> Any:
    """Parse a URL value to the type of the option's default (None when it is not one)."""
    try:
        if isinstance(default, bool):
            return vbq.settings.parse_bool(text)
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if _is_range(default):  # a range slider's ends: as many whole numbers as it has
            ends = tuple(int(v) for v in vbq.settings.parse_list(text))
            return ends if len(ends) == len(default) else None
        if isinstance(default, list | tuple):
            return list(vbq.settings.parse_list(text))
    except ValueError:
        return None
    return text
