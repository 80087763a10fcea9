"""AppTest of suggested ROIs on the MRI page (issue 19): a suggestion is shown, never saved until
accepted, accepted with one click as `vbq.imaging.suggest_rois` suggested it, and each saved ROI
records truthfully whether it was suggested, moved or placed by hand (``roi_source``)."""

from __future__ import annotations

import numpy as np
import pytest

from ui import measure
from vbq import imaging, phantom
from vbq.measurements import (
    MeasurementStore,
    ROIMeasurement,
    reliability,
    suggested_vs_manual_vbq,
)

from .conftest import start

PAGE = "app_pages/measure.py"


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'measurements.sqlite'}"
    monkeypatch.setenv(measure.URL_ENV, url)
    return url


@pytest.fixture(scope="module")
def phantom_series():
    datasets, truth = phantom.make_series(seed=0)
    return imaging.load_series(phantom.series_bytes(datasets)), truth


def roi_table(at):
    return next(d.value for d in at.dataframe if "mean SI" in d.value.columns).set_index("ROI")


def _save(at, patient="DEMO-010", observer="AB"):
    at.text_input(key="measure_patient_id").input(patient)
    at.text_input(key="measure_observer").input(observer)
    at.button(key="measure_save").click().run()
    assert not at.exception


def test_a_suggestion_is_never_saved_before_it_is_accepted(db_url, phantom_series):
    at = start(PAGE)
    at.button(key="measure_suggest").click().run()
    assert not at.exception
    assert any("Moderate confidence" in c.value for c in at.caption)
    assert any("No ROI placed yet" in i.value for i in at.info)  # nothing placed
    _save(at)
    assert any("missing" in e.value for e in at.error)
    with MeasurementStore(db_url) as store:
        assert store.load().empty
    at.button(key="measure_discard").click().run()
    assert not at.exception
    assert not any(b.key == "measure_accept" for b in at.button)


def test_one_click_accepts_the_suggestion_and_saving_records_it_as_suggested(db_url,
                                                                            phantom_series):
    series, truth = phantom_series
    expected = imaging.suggest_rois(series, slice_index=truth.mid_slice)
    at = start(PAGE)
    at.button(key="measure_suggest").click().run()
    at.button(key="measure_accept").click().run()
    assert not at.exception
    shown = roi_table(at)
    for name in ("L1", "L2", "L3", "L4", "CSF"):
        row, col = expected.centres[name]
        assert shown.loc[name, "centre row"] == pytest.approx(row, abs=0.005)
        assert shown.loc[name, "centre column"] == pytest.approx(col, abs=0.005)
        assert shown.loc[name, "radius (mm)"] == pytest.approx(expected.radii_mm[name], abs=0.05)
    assert any("as suggested" in c.value for c in at.caption)
    _save(at)
    with MeasurementStore(db_url) as store:
        rows = store.load().set_index("level")
    assert set(rows["roi_source"]) == {"suggested"} and len(rows) == 5
    # moving one ROI after accepting makes it "moved"; the others stay "suggested"
    fp = series.fingerprint[:12]
    at.segmented_control(key="measure_active").set_value("L2").run()
    at.number_input(key=f"measure_row_L2_{fp}").set_value(
        float(shown.loc["L2", "centre row"]) + 2.0).run()
    assert any("L2 suggested, then moved" in c.value for c in at.caption)
    _save(at)
    with MeasurementStore(db_url) as store:
        rows = store.load().set_index("level")
    assert rows.loc["L2", "roi_source"] == "moved"
    assert set(rows.drop(index="L2")["roi_source"]) == {"suggested"}


def test_a_vertebra_placed_by_hand_names_the_levels_and_stays_manual(db_url, phantom_series):
    series, truth = phantom_series
    fp = series.fingerprint[:12]
    at = start(PAGE)
    at.segmented_control(key="measure_active").set_value("L3").run()
    row, col = truth.centres["L3"][0] + 3.0, truth.centres["L3"][1] - 2.0
    at.number_input(key=f"measure_row_L3_{fp}").set_value(row).run()
    at.number_input(key=f"measure_col_L3_{fp}").set_value(col).run()
    assert at.button(key="measure_suggest").label == "Suggest the other ROIs from your L3"
    at.button(key="measure_suggest").click().run()
    assert any("vertebra you clicked" in c.value for c in at.caption)
    at.button(key="measure_accept").click().run()
    expected = imaging.suggest_rois(series, slice_index=truth.mid_slice,
                                    anchor=("L3", (row, col)))
    shown = roi_table(at)
    assert shown.loc["L3", "centre row"] == pytest.approx(row)  # the reader's own ROI kept
    assert shown.loc["L2", "centre row"] == pytest.approx(expected.centres["L2"][0], abs=0.005)
    _save(at, patient="DEMO-011")
    with MeasurementStore(db_url) as store:
        rows = store.load().set_index("level")
    assert rows.loc["L3", "roi_source"] == "manual"
    assert set(rows.drop(index="L3")["roi_source"]) == {"suggested"}


def _place(at, fp: str, level: str, row: float, col: float) -> None:
    """Type both coordinates of `level` (what a click on the image does)."""
    at.segmented_control(key="measure_active").set_value(level).run()
    at.number_input(key=f"measure_row_{level}_{fp}").set_value(row).run()
    at.number_input(key=f"measure_col_{level}_{fp}").set_value(col).run()
    assert not at.exception


def test_the_first_vertebra_brings_the_suggestion_without_a_further_click(db_url,
                                                                         phantom_series):
    # three clicks a study: the vertebra, Accept, Save (issue 19's target)
    series, truth = phantom_series
    fp = series.fingerprint[:12]
    at = start(PAGE)
    assert not any(b.key == "measure_accept" for b in at.button)  # nothing before a vertebra
    row, col = truth.centres["L3"][0] + 2.0, truth.centres["L3"][1] + 1.0
    _place(at, fp, "L3", row, col)
    assert any(b.key == "measure_accept" for b in at.button)  # offered, not asked for
    assert any("vertebra you clicked" in c.value for c in at.caption)
    at.button(key="measure_accept").click().run()
    expected = imaging.suggest_rois(series, slice_index=truth.mid_slice,
                                    anchor=("L3", (row, col)))
    shown = roi_table(at)
    for name in ("L1", "L2", "L4", "CSF"):
        assert shown.loc[name, "centre row"] == pytest.approx(expected.centres[name][0],
                                                              abs=0.005)
    _save(at, patient="DEMO-012")
    with MeasurementStore(db_url) as store:
        rows = store.load().set_index("level")
    assert rows.loc["L3", "roi_source"] == "manual"
    assert set(rows.drop(index="L3")["roi_source"]) == {"suggested"}


def test_a_discarded_offer_stays_away_and_the_toggle_turns_offers_off(db_url, phantom_series):
    series, truth = phantom_series
    fp = series.fingerprint[:12]
    at = start(PAGE)
    _place(at, fp, "L1", *truth.centres["L1"])
    at.button(key="measure_discard").click().run()
    _place(at, fp, "L1", truth.centres["L1"][0] + 1.0, truth.centres["L1"][1])  # moved
    assert not any(b.key == "measure_accept" for b in at.button)  # not offered again
    # removed, the slice is empty again; with the toggle off, a first vertebra brings nothing
    at.button(key="measure_remove").click().run()
    at.toggle(key="measure_suggest_auto").set_value(False).run()
    _place(at, fp, "L2", *truth.centres["L2"])
    _place(at, fp, "L3", *truth.centres["L3"])
    assert not any(b.key == "measure_accept" for b in at.button)
    _save(at, patient="DEMO-013")  # refused (L1, L4, CSF missing): nothing saved
    with MeasurementStore(db_url) as store:
        assert store.load().empty
    # on again, an empty slice and a first vertebra: offered
    at.toggle(key="measure_suggest_auto").set_value(True).run()
    for level in ("L2", "L3"):
        at.segmented_control(key="measure_active").set_value(level).run()
        at.button(key="measure_remove").click().run()
    _place(at, fp, "L2", *truth.centres["L2"])
    assert any(b.key == "measure_accept" for b in at.button)


def test_a_repeat_session_by_hand_is_recorded_as_placed_by_hand(db_url, phantom_series):
    # session 1 accepts the suggestion; session 2 of the same series, in the same browser
    # session, places every ROI by hand: none of them is "moved" from session 1's suggestion
    series, truth = phantom_series
    fp = series.fingerprint[:12]
    at = start(PAGE)
    at.button(key="measure_suggest").click().run()
    at.button(key="measure_accept").click().run()
    _save(at, patient="DEMO-014")
    at.number_input(key="measure_session").set_value(2).run()
    assert any("No ROI placed yet" in i.value for i in at.info)  # session 1's ROIs hidden
    at.toggle(key="measure_suggest_auto").set_value(False).run()
    for level in ("L1", "L2", "L3", "L4", "CSF"):
        _place(at, fp, level, truth.centres[level][0] + 1.0, truth.centres[level][1])
    _save(at, patient="DEMO-014")
    with MeasurementStore(db_url) as store:
        rows = store.load(session=2)
    assert len(rows) == 5 and set(rows["roi_source"]) == {"manual"}
    assert rows["blinded"].all()


def test_the_reliability_page_compares_suggestion_accepted_with_hand_placed_readings(db_url):
    # 12 patients read by hand (AB, session 1) and by accepting suggestions with L3 clicked
    # (CD, session 1), one reading with a suggestion moved (left out), written to the database
    rng = np.random.default_rng(7)
    with MeasurementStore(db_url) as store:
        for k in range(12):
            base = rng.normal(320, 30, 4)
            for observer, sources in (("AB", "hhhhh"), ("CD", "sshss")):
                values = [*(base + rng.normal(0, 6, 4)), rng.normal(110, 3)]
                store.save([ROIMeasurement(f"P-{k:02d}", observer, 1, lv, float(v),
                                           roi_source={"s": "suggested", "h": "manual"}[c])
                            for lv, v, c in zip(("L1", "L2", "L3", "L4", "CSF"), values,
                                                sources, strict=True)])
        store.save([ROIMeasurement("P-50", "CD", 1, lv, 300.0 if lv != "CSF" else 100.0,
                                   roi_source="moved") for lv in ("L1", "L2", "L3", "L4", "CSF")])
        expected = reliability(suggested_vs_manual_vbq(store))
    at = start("app_pages/reliability.py")
    at.radio(key="rel_comparison").set_value("suggested").run()
    assert not at.exception
    assert any("12 with the suggested ROIs accepted" in c.value and "1 with suggestions moved"
               in c.value for c in at.caption)
    shown = {m.label: m.value for m in at.metric}
    assert shown["ICC(2,1)"] == f"{expected.icc.form('ICC2').estimate:.3f}"
    assert shown["Patients"] == "12"
    assert len(at.get("plotly_chart")) == 1
    # the spreadsheet has no record of how ROIs were placed
    at.radio(key="rel_source").set_value("sheet").run()
    assert any("measurement database only" in i.value for i in at.info)
