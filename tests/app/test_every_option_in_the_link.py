"""Every option of the analysis pages is in the address (README: "Every setting lives in the
address: copy it to share the exact view"): changing any one of them changes the link, and a
new session opened on that link shows it.

A new user found four that were not (the Decide page's range of threshold probabilities, the
ROC page's field-strength and bootstrap markers, the Report page's table preview): a shared
link showed the defaults. The widgets left out below are actions or working state, each with
the reason."""

from __future__ import annotations

import html

import pytest
from streamlit.testing.v1.element_tree import Block

from .conftest import start

PAGES = ["data", "groups", "correlations", "roc", "thresholds", "risk", "reliability", "decide",
         "plan", "report"]
KINDS = ("selectbox", "radio", "multiselect", "slider", "number_input", "toggle", "checkbox")
NOT_OPTIONS = {  # widget key -> why a link does not carry it
    "data_source": "choosing to upload files is an action; a link to uploaded data carries "
                   "data=uploaded and asks the recipient for the files",
    "report_preview": "opens the whole report (megabytes) in the page; a link opens the page "
                      "without it, as the Report page's first view",
    "risk_vbq": "a patient's own values: an address is kept in browser histories and server "
                "logs",
    "risk_age": "a patient's own values (as risk_vbq)",
    "risk_sex": "a patient's own values (as risk_vbq)",
}


def _widgets(at):
    def walk(node):
        for child in node.children.values():
            yield child
            if isinstance(child, Block):
                yield from walk(child)
    return [w for w in walk(at.main) if getattr(w, "type", "") in KINDS and w.key]


def _pick(w, index: int):
    """Choose option `index` of radio `w` as the browser does (it sends the option's label):
    AppTest's radio is set by value, and a page's values sit behind a format function."""
    cls = type(w)
    w.__class__ = type(f"Picked{cls.__name__}", (cls,), {"index": property(lambda self: index)})
    w._value = None  # no longer the initial value: the state above is sent
    return w


def _index(w) -> int:
    """The option shown: AppTest finds it by formatting the value, which fails for a value
    read back from the session (already the option's label)."""
    try:
        return w.index
    except (ValueError, KeyError, TypeError):
        return w.options.index(w.value)


def _change(w):
    """Give widget `w` a value other than its current one, that it can take; return it."""
    kind, value = w.type, w.value
    if kind in ("selectbox", "radio"):
        if len(w.options) < 2:  # one choice left by an earlier change: nothing to choose
            return None
        return _pick(w, 1 if _index(w) == 0 else 0)
    if kind == "multiselect":
        return w.unselect(value[-1]) if value else None
    if kind in ("toggle", "checkbox"):
        return w.set_value(not value)
    step = getattr(w.proto, "step", None) or 1
    if isinstance(value, tuple):  # a range slider: its upper end down one step
        return w.set_range(value[0], value[1] - step)
    highest = w.proto.max if getattr(w.proto, "has_max", True) else None
    return w.set_value(value + step if highest is None or value + step <= highest
                       else value - step)


@pytest.mark.parametrize("page", PAGES)
def test_every_option_on_the_page_changes_the_link_and_comes_back_from_it(page):
    at = start(f"app_pages/{page}.py")
    not_carried = []
    # from the foot of the page up: an option higher up can narrow the choices below it
    for key in reversed([w.key for w in _widgets(at) if w.key not in NOT_OPTIONS]):
        w = next((x for x in _widgets(at) if x.key == key), None)
        if w is None or w.disabled:  # gone or greyed out after an earlier change
            continue
        before, was = dict(at.query_params), w.value
        changed = _change(w)
        if changed is None:  # nothing else it can take now
            continue
        changed.run()
        assert not at.exception, (key, [e.value for e in at.exception])
        shown = next(x for x in _widgets(at) if x.key == key).value
        if shown == was:  # refused with the options in force (fewer levels than required)
            continue
        link = dict(at.query_params)
        if link == before:
            not_carried.append(key)
            continue
        fresh = start(f"app_pages/{page}.py", query={k: v if isinstance(v, str) else v[0]
                                                     for k, v in link.items()})
        again = next((x for x in _widgets(fresh) if x.key == key), None)
        assert again is not None and again.value == shown, (key, link)
    assert not not_carried, f"{page}: options a link does not carry: {not_carried}"


@pytest.mark.parametrize(("text", "why"), [
    ("60,10", "has its first end above its second"),
    ("0,50", "is outside 1 to 99"),
    ("5", "expected 2 whole numbers separated by commas"),
    ("five,fifty", "expected 2 whole numbers separated by commas"),
])
def test_a_range_a_link_gets_wrong_is_named_and_the_default_shown(text, why):
    at = start("app_pages/decide.py", query={"v.decide.range": text})
    assert at.slider(key="decide_range").value == (5, 50)
    problems = html.unescape(" ".join(w.value for w in at.warning))  # escaped for Markdown
    assert "v.decide.range" in problems and why in problems, problems
