"""notebooks/reproduce_the_paper.ipynb runs from top to bottom on the current code, in a kernel of
this very interpreter (a kernelspec written into a temporary folder), so it cannot rot."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import vbq

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "reproduce_the_paper.ipynb"
KERNEL = "vbq-test-python"


@pytest.fixture
def kernel_of_this_python(tmp_path, monkeypatch):
    """A kernelspec that starts ipykernel with `sys.executable` (never a `python` on the PATH)."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "VBQ test kernel", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the notebook imports this checkout's vbq
    return KERNEL


def _text(cell) -> str:
    out = []
    for o in cell.get("outputs", []):
        if "text" in o:
            out.append(o["text"])
        for key in ("text/plain", "text/html"):
            if key in o.get("data", {}):
                out.append(o["data"][key])
    return "\n".join(out)


@pytest.mark.slow
def test_the_notebook_runs_and_shows_the_study(kernel_of_this_python, tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    workdir = tmp_path / "run"
    workdir.mkdir()
    client = NotebookClient(nb, kernel_name=kernel_of_this_python, timeout=600,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    text = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    # the kernel ran this interpreter's vbq on the demo: its numbers are in the outputs
    prepared = vbq.prepare_cohort(*vbq.demo.load())
    roc = vbq.study.roc_study(prepared.table, group="control", target="osteoporosis",
                              markers=("vbq", "hu_l1"))
    assert f"{roc.results['vbq'].auc:.3f}" in text
    assert prepared.summary().splitlines()[0] in text
    for title in ("Table 1.", "Table 2.", "Table 3.", "Table 4.", "Table 5."):
        assert any(title in c.source for c in nb.cells) or title in text, title
    # beyond the paper (issues 19, 20): each field strength's ROC and the published thresholds
    strat = vbq.scanners.roc_by_field_strength(prepared.table)
    assert strat.summary().splitlines()[1] in text
    assert "Chen et al. 2023 (n = 134)" in text and "Yang D, Liu C, Hu Q" in text
    # the report it writes is the one vbq.report builds
    assert (workdir / "vbq_report.html").stat().st_size > 1e6
    assert (workdir / "vbq_tables.xlsx").exists() and (workdir / "vbq_tables.docx").exists()


def test_the_notebook_uses_only_the_public_api():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "vbq._" not in source and "ui." not in source and "streamlit" not in source
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored clean


BEYOND = ROOT / "notebooks" / "beyond_the_paper.ipynb"


@pytest.mark.slow
def test_the_beyond_the_paper_notebook_runs_and_shows_its_numbers(kernel_of_this_python,
                                                                  tmp_path):
    # issue 20: decision curves and sample sizes, executed as the first notebook is
    nb = nbformat.read(BEYOND, as_version=4)
    client = NotebookClient(nb, kernel_name=kernel_of_this_python, timeout=600,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    text = "\n".join(_text(c) for c in nb.cells if c.cell_type == "code")
    # the worked examples, and this interpreter's vbq on the demo
    assert "254" in text and "289 (73 events)" in text and "exact 97.37" in text
    prepared = vbq.prepare_cohort(*vbq.demo.load())
    study = vbq.decide.decision_study(prepared.table,
                                      vbq_cutoff=prepared.thresholds.vbq_osteoporosis)
    assert study.summary().splitlines()[1] in text
    table = vbq.present.decision_table(study, thresholds=(0.1, 0.2, 0.3, 0.4))
    assert table.shown.iloc[0, 1] in text  # the net benefit of VBQ at 10%, in the HTML table


def test_the_beyond_the_paper_notebook_uses_only_the_public_api():
    nb = nbformat.read(BEYOND, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "vbq._" not in source and "ui." not in source and "streamlit" not in source
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # stored clean
