"""AppTest of who may change the measurements on the MRI page (issue 18). Sign-in is simulated
as Streamlit's own tests do: ``AppTest.user`` seeds ``st.user`` and ``AppTest.secrets`` the
``[auth]`` and ``[vbq_access]`` sections the page reads (`ui.access`); no identity provider is
contacted. Expected answers come from the rule written out in tests/test_measurement_access.py.
"""

from __future__ import annotations

import html

import pytest
from streamlit.testing.v1 import AppTest

from ui import access, history, measure
from vbq.measurements import MeasurementStore, ROIMeasurement

from .conftest import APP, TIMEOUT

PAGE = "app_pages/measure.py"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "vbq", "client_secret": "s3cret",
        "server_metadata_url": "https://id.example.org/.well-known/openid-configuration"}
ACCESS = {"admins": ["head@lab.org"], "observers": {"jane@lab.org": "JD"}}


def _reading(pid: str, observer: str) -> list[ROIMeasurement]:
    return [ROIMeasurement(pid, observer, 1, lv, si) for lv, si in
            (("L1", 300.0), ("L2", 310.0), ("L3", 320.0), ("L4", 330.0), ("CSF", 110.0))]


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    store = MeasurementStore(url)
    store.save(_reading("P1", "AB") + _reading("P2", "JD"))
    monkeypatch.setenv(measure.URL_ENV, url)
    return store


def open_page(user: dict | None = None, *, auth: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if auth:
        at.secrets["auth"] = AUTH
        at.secrets[access.SECTION] = ACCESS
    if user is not None:
        at.user = user
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(elements) -> list[str]:
    """The texts as a reader sees them (`ui.safe.text` writes punctuation as character
    references and puts a word joiner into addresses, so none becomes a link)."""
    return [html.unescape(e.value).replace("\u2060", "") for e in elements]


def _save(at, patient: str) -> None:
    at.button(key="measure_reference").click().run()
    at.text_input(key="measure_patient_id").set_value(patient).run()
    at.button(key="measure_save").click().run()
    assert not at.exception


def _choose_reading(at, patient: str) -> None:
    at.text_input(key=history.SEARCH_KEY).set_value(patient).run()
    at.text_input(key="measure_delete_reason").set_value("wrong patient").run()
    at.checkbox(key="measure_delete_sure").check().run()


def test_without_sign_in_the_page_says_anyone_can_change_the_data(db):
    at = open_page(auth=False)
    assert access.OPEN_NOTICE in [w.value for w in at.warning]  # d0f136a: no such notice
    _choose_reading(at, "P1")
    assert not at.button(key="measure_delete").disabled  # anyone may, as the notice says


def test_signed_out_nothing_can_be_changed(db):
    at = open_page({"is_logged_in": False})
    assert access.OPEN_NOTICE not in [w.value for w in at.warning]
    assert any("Sign in to save" in i.value for i in at.info)
    assert at.button(key="measure_login")  # Streamlit's st.login behind it
    at.text_input(key="measure_observer").set_value("AB").run()
    _save(at, "P9")
    assert "Sign in to save measurements." in [e.value for e in at.error]
    assert db.count(patient_id="P9") == 0
    assert "Sign in to import measurements." in shown(at.caption)
    _choose_reading(at, "P1")
    assert at.button(key="measure_delete").disabled


def test_a_signed_in_observer_saves_under_their_own_code_and_deletes_only_their_own(db):
    at = open_page({"is_logged_in": True, "email": "Jane@Lab.org", "name": "Jane"})
    assert any("Signed in as jane@lab.org: observer JD" in c for c in shown(at.caption))
    field = at.text_input(key="measure_observer_signed_in")
    assert field.value == "JD" and field.disabled
    _save(at, "P9")
    assert set(db.load(patient_id="P9")["observer"]) == {"JD"}
    _choose_reading(at, "P1")  # observer AB's reading
    assert at.button(key="measure_delete").disabled
    assert any("the readings of observer(s) AB are someone else's" in c
               for c in shown(at.caption))
    _choose_reading(at, "P2")  # her own
    at.button(key="measure_delete").click().run()
    assert not at.exception
    assert db.count(patient_id="P2") == 0 and db.count(patient_id="P1") == 5


def test_an_administrator_may_delete_anyones_reading(db):
    at = open_page({"is_logged_in": True, "email": "head@lab.org"})
    assert any("(administrator)" in c for c in shown(at.caption))
    _choose_reading(at, "P1")
    at.button(key="measure_delete").click().run()
    assert not at.exception
    assert db.count(patient_id="P1") == 0
    assert db.history(patient_id="P1")["reason"].unique().tolist() == ["wrong patient"]
