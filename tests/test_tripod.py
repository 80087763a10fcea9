"""The TRIPOD+AI checklist (`vbq.tripod`), its table (`vbq.present.tripod_checklist_table`) and
the report's risk model section and workbook sheets (`vbq.report`)."""

from __future__ import annotations

import html
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

import vbq
from vbq import present, report, tripod


@pytest.fixture(scope="module")
def prepared():
    return vbq.prepare_cohort(*vbq.demo.load())


@pytest.fixture(scope="module")
def model(prepared):
    return vbq.study.risk_calculator(prepared.table)


@pytest.fixture(scope="module")
def rows(prepared, model):
    return {r.item: r for r in tripod.tripod_ai_checklist(prepared, model, synthetic=True)}


def test_every_item_of_the_statement_in_its_order(prepared, model):
    # TRIPOD+AI (Collins et al., BMJ 2024;385:e078378): 27 numbered items, 52 with their parts
    rows = tripod.tripod_ai_checklist(prepared, model)
    items = [r.item for r in rows]
    assert len(items) == 52 and len(set(items)) == 52
    assert len({i.rstrip("abcdefg") for i in items}) == 27
    assert items[:6] == ["1", "2", "3a", "3b", "3c", "4"]
    assert items[-3:] == ["27a", "27b", "27c"]
    statuses = {tripod.FROM_APP, tripod.PARTLY, tripod.FOR_AUTHOR, tripod.NOT_APPLICABLE}
    assert {r.status for r in rows} <= statuses
    # what only the authors know stays theirs, with nothing written in their place
    for item in ("1", "2", "3a", "5b", "6a", "8c", "17", "18a", "18b", "19", "25", "26"):
        row = next(r for r in rows if r.item == item)
        assert row.status == tripod.FOR_AUTHOR and row.text == "", item


def test_items_filled_from_the_app_carry_the_models_numbers(rows, model, prepared):
    assert rows["10"].text == present.risk_sample_size_text(model)
    assert f"{model.riley_n_required} patients" in rows["10"].text
    assert "Complete-case" in rows["11"].text and f"({model.n_missing} patients" in rows["11"].text
    for r in model.coefficients.itertuples():
        assert present.format_number(r.estimate, 4) in rows["22"].text
    assert f"refitted on {model.n_boot} resamples (seed {model.seed}" in rows["12c"].text
    perf = model.performance.set_index("measure")
    assert present.format_number(perf.loc["c_statistic", "corrected"], 3) in rows["23a"].text
    assert rows["23a"].status == tripod.PARTLY  # no CIs of the corrected measures
    assert "T ≤ −2.5" in rows["8a"].text
    assert f"{model.n_events} of {model.n}" in rows["20a"].text
    assert "synthetic demo cohort" in rows["5a"].text
    treated = int(prepared.table["antiresorptive"].sum())
    assert f"{treated} on antiresorptive" in rows["6c"].text


def test_without_a_model_the_items_say_why(prepared):
    rows = {r.item: r for r in tripod.tripod_ai_checklist(prepared, None, why="too few events")}
    for item in ("10", "11", "12c", "22", "23a"):
        assert rows[item].status == tripod.FOR_AUTHOR and "too few events" in rows[item].text
    with pytest.raises(vbq.InputError, match="prepared"):
        tripod.tripod_ai_checklist(pd.DataFrame())


def test_checklist_table_and_frame_share_the_rows(prepared, model):
    rows = tripod.tripod_ai_checklist(prepared, model)
    t = present.tripod_checklist_table(rows)
    assert len(t.shown) == 52 and t.data.equals(tripod.checklist_frame(rows))
    blank = t.shown["What the app reports"] == "–"
    assert blank.sum() == sum(r.text == "" for r in rows)


def test_report_has_the_risk_section_with_its_checklist(prepared, model):
    text = html.unescape(report.build_report(prepared, timestamp="t"))
    section = text.split('<h2 id="risk">', 1)[1].split("</section>", 1)[0]
    assert "Risk model (TRIPOD+AI)" in section
    assert present.risk_sample_size_text(model) in section
    assert 'id="fig-risk-calibration"' in section
    assert section.count("<tr>") >= 52 + 4 + 5  # the checklist, the performance, the model
    for row in tripod.tripod_ai_checklist(prepared, model):
        if row.text:
            assert row.text in section, row.item


def test_workbook_has_the_risk_model_and_the_checklist(prepared):
    data = report.build_workbook(prepared)
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    for sheet in ("Risk model", "Risk model performance", "TRIPOD+AI checklist"):
        assert sheet in names and f"{sheet} data" in names
    checklist = pd.read_excel(io.BytesIO(data), sheet_name="TRIPOD+AI checklist data")
    assert checklist["item"].astype(str).tolist()[:3] == ["1", "2", "3a"]
    coefficients = pd.read_excel(io.BytesIO(data), sheet_name="Risk model data")
    expected = vbq.study.risk_calculator(prepared.table).coefficients["estimate"].to_numpy()
    np.testing.assert_allclose(coefficients["estimate"].to_numpy(), expected, rtol=1e-12)
