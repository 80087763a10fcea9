"""Widgets bound to the shared settings and view, mirrored in the URL.

Streamlit drops a widget's state when its page is not shown, so no page owns a setting: the value
lives in `st.session_state` (`vbq.Settings` under "settings", page options under "view") and each
widget is re-seeded from there whenever it is created. A change goes through a callback that
updates the stored value and rewrites `st.query_params`, so the address bar always holds a link to
the exact view (settings that differ from the paper's defaults, and non-default page options).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

import vbq
from ui import safe
from ui.state import get_settings, set_settings

VIEW_KEY = "view"
VIEW_PREFIX = "v."
URL_LOADED = "_url_loaded"
DATA_PARAM = "data"
WANTS_UPLOAD = "_link_wants_upload"


def _settings_value(flat: str) -> Any:
    value = get_settings().to_dict()[flat]
    return tuple(value) if isinstance(value, list) else value


def _set_setting(flat: str, value: Any) -> None:
    data = get_settings().to_dict()
    data[flat] = list(value) if isinstance(value, tuple | list) else value
    try:
        set_settings(vbq.Settings.from_dict(data))
    except vbq.InputError as exc:
        st.session_state["_settings_error"] = str(exc)
    write_url()


def setting(widget: Callable, label: str, flat: str, *, key: str,
            to_widget: Callable[[Any], Any] | None = None,
            from_widget: Callable[[Any], Any] | None = None, **kwargs) -> Any:
    """Create `widget` bound to the settings field `flat` (e.g. "dxa_site",
    "criteria.min_vertebrae"); return the widget's value."""
    to_widget = to_widget or (lambda v: v)
    from_widget = from_widget or (lambda v: v)
    current = to_widget(_settings_value(flat))
    if st.session_state.get(key) != current:
        st.session_state[key] = current

    def changed() -> None:
        _set_setting(flat, from_widget(st.session_state[key]))

    return widget(label, key=key, on_change=changed, **kwargs)


def get_view(name: str, default: Any) -> Any:
    view = st.session_state.setdefault(VIEW_KEY, {})
    if name not in view:
        return default
    value = view[name]
    if isinstance(value, str) and not isinstance(default, str):
        value = view[name] = _coerce_like(value, default)  # from the URL: typed on first use
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
    ``v.<name>``); return its value. Values must be str, int, float, bool or lists of str."""
    current = get_view(name, default)
    if st.session_state.get(key) != current:
        st.session_state[key] = current

    def changed() -> None:
        set_view(name, st.session_state[key], default)

    return widget(label, key=key, on_change=changed, **kwargs)


def write_url() -> None:
    """Mirror settings and view options in the address bar."""
    params: dict[str, str] = dict(get_settings().to_query())
    dataset = st.session_state.get("dataset")
    if dataset is not None and not dataset.is_demo:
        params[DATA_PARAM] = "uploaded"  # the recipient is asked for the files
    for name, value in st.session_state.get(VIEW_KEY, {}).items():
        if isinstance(value, list | tuple):
            params[VIEW_PREFIX + name] = ",".join(map(str, value)) or "-"
        elif isinstance(value, bool):
            params[VIEW_PREFIX + name] = "1" if value else "0"
        else:
            params[VIEW_PREFIX + name] = str(value)
    st.query_params.from_dict(params)


def load_url_once() -> None:
    """On a session's first run, take settings and view options from the URL.

    A malformed link does not break the app: the problem is shown once and defaults are used.
    """
    if st.session_state.get(URL_LOADED):
        return
    st.session_state[URL_LOADED] = True
    query = {k: st.query_params.get(k) for k in st.query_params}
    try:
        set_settings(vbq.Settings.from_query(query))
    except vbq.InputError as exc:
        st.session_state["_settings_error"] = f"The link's settings were not understood: {exc}"
    if query.get(DATA_PARAM) == "uploaded":
        st.session_state[WANTS_UPLOAD] = True
    raw_view = {k[len(VIEW_PREFIX):]: v for k, v in query.items() if k.startswith(VIEW_PREFIX)}
    st.session_state[VIEW_KEY] = raw_view


def _coerce_like(text: str, default: Any) -> Any:
    """Parse a URL value to the type of the option's default (a bad value gives the default)."""
    try:
        if isinstance(default, bool):
            return text.lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, list | tuple):
            return [t for t in text.split(",") if t and t != "-"]
    except ValueError:
        return default
    return text


def show_settings_error() -> None:
    msg = st.session_state.pop("_settings_error", None)
    if msg:
        st.warning(safe.text(msg))
