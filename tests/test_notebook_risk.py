"""notebooks/risk_calculator.ipynb runs from top to bottom on the current code, in a kernel of this
very interpreter, as tests/test_notebook.py runs the paper's notebook (its kernelspec fixture)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import vbq

from .test_notebook import _text, kernel_of_this_python  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "risk_calculator.ipynb"


@pytest.mark.slow
def test_the_risk_notebook_runs_and_shows_the_model(kernel_of_this_python, tmp_path):  # noqa: F811
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel_of_this_python, timeout=600,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    text = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    table = vbq.prepare_cohort(*vbq.demo.load()).table
    model = vbq.study.risk_calculator(table)
    assert model.summary() in text
    assert f"{model.c_statistic_corrected:.3f} corrected for optimism" in text
    row = model.predict({"vbq": 3.4, "age": 72, "sex": "F"}).iloc[0]
    assert vbq.present.risk_prediction_text(row) in text
    assert vbq.present.risk_sample_size_text(model) in text
    assert "For the author" in text and "TRIPOD+AI checklist" in text
    assert (tmp_path / "risk_calibration.html").stat().st_size > 1e6


def test_the_risk_notebook_uses_only_the_public_api():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "vbq._" not in source and "ui." not in source and "streamlit" not in source
    assert "._" not in source.replace("vbq.study", "")  # no private name of any module
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored clean
