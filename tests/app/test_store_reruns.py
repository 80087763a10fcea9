"""The measurement database under load (issue 18): a rerun of the MRI or Reliability page that
changed nothing in the database asks it for its generation only (one primary-key lookup of
``vbq_meta``), never for a count, a GROUP BY or a reading; a write by anyone else (another
store on the same file stands for another server process) is seen at the next rerun; and
Reliability's comparison of suggestion-accepted with hand-placed readings never loads the
store.

Every SQL statement the app sends is recorded by a SQLAlchemy event on all engines."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
import sqlalchemy as sa

from ui import measure
from vbq.measurements import (
    MeasurementStore,
    ROIMeasurement,
    reliability,
    suggested_vs_manual_vbq,
)

from .conftest import start
from .test_measure_history import N_PATIENTS, lab_db  # noqa: F401 (a fixture)

MRI = "app_pages/measure.py"
RELIABILITY = "app_pages/reliability.py"
LEVELS = ("L1", "L2", "L3", "L4", "CSF")


@contextlib.contextmanager
def statements():
    """The SQL statements sent by every engine while the block runs (a list, filled)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def only_the_generation(sent: list[str]) -> bool:
    return bool(sent) and all(s.startswith("SELECT vbq_meta.value FROM vbq_meta WHERE")
                              for s in sent)


def stored_label(at) -> str:
    return next(e.label for e in at.expander if e.label.startswith("Stored measurements"))


def test_an_mri_page_rerun_that_changed_nothing_asks_only_for_the_generation(lab_db):  # noqa: F811
    at = start(MRI)
    at.number_input(key="measure_session").set_value(2).run()  # (each choice read once)
    with statements() as sent:
        at.number_input(key="measure_session").set_value(3).run()
        at.text_input(key="measure_observer").input("AB").run()
    assert not at.exception
    # d0f136a and the paged store before the cache: counts, GROUP BYs and the choices, each rerun
    assert only_the_generation(sent), [s[:80] for s in sent if "vbq_meta" not in s]
    assert f"({N_PATIENTS * 4 * 5:,} ROI readings)" in stored_label(at)


def test_a_write_by_another_process_is_seen_at_the_next_rerun(lab_db):  # noqa: F811
    at = start(MRI)
    assert f"({N_PATIENTS * 4 * 5:,} ROI readings)" in stored_label(at)
    with MeasurementStore(lab_db) as other:  # another server process, or a notebook
        other.save([ROIMeasurement("NEW-1", "EF", 1, lv, 300.0) for lv in LEVELS])
    with statements() as sent:
        at.number_input(key="measure_session").set_value(2).run()
    assert f"({N_PATIENTS * 4 * 5 + 5:,} ROI readings)" in stored_label(at)
    assert not only_the_generation(sent)  # counted again
    assert "EF" in at.selectbox(key="measure_use_obs").options
    with MeasurementStore(lab_db) as other:
        other.delete("NEW-1", observer="EF", session=1, reason="wrong patient")
    at.number_input(key="measure_session").set_value(1).run()
    assert f"({N_PATIENTS * 4 * 5:,} ROI readings)" in stored_label(at)
    assert "EF" not in at.selectbox(key="measure_use_obs").options


def _readings(pid: str, observer: str, session: int, rng, sources: str = "hhhhh"):
    words = {"s": "suggested", "h": "manual"}
    values = [*rng.normal(320, 30, 4), rng.normal(110, 3)]
    return [ROIMeasurement(pid, observer, session, lv, float(v), roi_source=words[c])
            for lv, v, c in zip(LEVELS, values, sources, strict=True)]


@pytest.fixture
def reliability_db(tmp_path, monkeypatch):
    """12 patients read by hand by AB in sessions 1 and 2, and by accepting suggestions (L3
    clicked) by CD in session 1."""
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    rng = np.random.default_rng(18)
    records = []
    for k in range(12):
        records += _readings(f"P-{k:02d}", "AB", 1, rng) + _readings(f"P-{k:02d}", "AB", 2, rng)
        records += _readings(f"P-{k:02d}", "CD", 1, rng, "sshss")
    with MeasurementStore(url) as store:
        store.save(records)
    return url


def test_a_reliability_rerun_that_changed_nothing_asks_only_for_the_generation(reliability_db):
    at = start(RELIABILITY)
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Patients"] == "12"
    with statements() as sent:
        at.selectbox(key="rel_form").set_value("ICC3").run()
    assert not at.exception
    # before the cache: the observers, the sessions and both sessions' readings on every rerun
    assert only_the_generation(sent), [s[:80] for s in sent if "vbq_meta" not in s]
    with MeasurementStore(reliability_db) as other:  # a 13th patient read twice, elsewhere
        rng = np.random.default_rng(0)
        other.save(_readings("P-99", "AB", 1, rng) + _readings("P-99", "AB", 2, rng))
    at.selectbox(key="rel_form").set_value("ICC2").run()
    assert {m.label: m.value for m in at.metric}["Patients"] == "13"


def test_the_suggested_comparison_never_loads_the_store(reliability_db, monkeypatch):
    with MeasurementStore(reliability_db) as store:
        expected = reliability(suggested_vs_manual_vbq(store.load()))  # the loaded way

    def no_load(*args, **kwargs):
        raise AssertionError("the Reliability page loaded the measurement store")

    at = start(RELIABILITY)  # (the intra-observer comparison loads AB's two sessions)
    monkeypatch.setattr(MeasurementStore, "load", no_load)
    at.radio(key="rel_comparison").set_value("suggested").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error]
    shown = {m.label: m.value for m in at.metric}
    assert shown["ICC(2,1)"] == f"{expected.icc.form('ICC2').estimate:.3f}"
    assert shown["Patients"] == "12"
    assert any("12 with the suggested ROIs accepted" in c.value for c in at.caption)
