"""A settings file that cannot be settings never kills the session (issue 18): an age bound
outside the age slider's 40-100 in a settings JSON (the link's case is
tests/app/test_pages.py::test_an_age_bound_outside_the_slider_is_named_not_fatal), thresholds
at the bottom of the scale, 100,000 ``[`` and a 5,001-digit number, each uploaded through the
sidebar: a message naming what was refused, the settings in force unchanged, and every page
still opening."""

from __future__ import annotations

import html
import json

import pytest

import vbq

from .conftest import start

PAGES = ("app_pages/groups.py", "app_pages/thresholds.py", "app_pages/correlations.py",
         "app_pages/roc.py")


def _upload(at, name: str, data: bytes):
    at.file_uploader(key="sb_upload_settings").upload(name, data, "application/json")
    return at.run()


@pytest.mark.parametrize("change, named", [
    ({"age_min": 30}, "age_min"),
    ({"age_max": 101}, "age_max"),
    ({"age_min": 39.5, "age_max": 45}, "age_min"),
])
def test_an_age_bound_outside_the_slider_in_a_settings_file_is_named_not_fatal(change, named):
    at = start()
    data = json.loads(vbq.Settings().to_json())
    data.update(change)
    _upload(at, "view.json", json.dumps(data).encode())
    assert not at.exception, [e.value for e in at.exception]
    errors = [html.unescape(e.value) for e in at.error]
    assert any("view.json" in e and named in e and "40 to 100" in e for e in errors), errors
    assert at.session_state["settings"] == vbq.Settings()  # nothing of the file applied
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])


@pytest.mark.parametrize("data, words", [
    (b"[" * 100_000, "nests lists or objects too deeply"),  # was RecursionError
    (b'{"threshold_decimals": ' + b"9" * 5001 + b"}", "not valid settings"),  # was ValueError
])
def test_a_settings_file_too_deep_or_too_long_a_number_is_named_not_fatal(data, words):
    at = start()
    _upload(at, "bad.json", data)
    assert not at.exception, [e.value for e in at.exception]
    errors = [html.unescape(e.value) for e in at.error]
    assert any("bad.json" in e and words in e for e in errors), errors
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
