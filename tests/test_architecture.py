"""House rules of the code's shape, checked on every run."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATS_LIBS = {"scipy", "statsmodels", "sklearn"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit():
    offenders = [p.relative_to(ROOT) for p in (ROOT / "vbq").rglob("*.py")
                 if "streamlit" in _imports(p)]
    assert not offenders


def test_pages_compute_no_statistics_themselves():
    files = [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    offenders = {str(p.relative_to(ROOT)): sorted(_imports(p) & STATS_LIBS) for p in files
                 if _imports(p) & STATS_LIBS}
    assert not offenders


def test_page_widget_keys_carry_the_page_prefix():
    for page in (ROOT / "app_pages").glob("*.py"):
        prefix = {"data": "data_", "groups": "groups_", "correlations": "corr_", "roc": "roc_",
                  "thresholds": "thr_", "report": "report_", "measure": "measure_",
                  "reliability": "rel_", "decide": "decide_", "plan": "plan_",
                  "risk": "risk_"}[page.stem]
        tree = ast.parse(page.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "key":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    assert node.value.value.startswith(prefix), (page.name, node.value.value)


HEAVY = {"scipy", "statsmodels", "sklearn", "plotly", "sqlalchemy", "pydicom", "openpyxl", "docx"}
"""Libraries that cost a second or more to import between them; each belongs to the modules that
use it (vbq/__init__.py says which)."""


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code` (from outside the checkout's
    root, so that only the installed or editable `vbq` is found)."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT / "tests", timeout=120)
    assert res.returncode == 0, res.stderr
    return set(json.loads(res.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted({m.split(".")[0] for m in modules} & HEAVY)


def test_import_vbq_loads_no_statistics_plotting_or_storage_library():
    # issue 17: `import vbq` loaded statsmodels and scipy (cohort imported vbq.stats at the top)
    loaded = _modules_after("import vbq")
    assert _heavy(loaded) == []
    assert not {"vbq.stats", "vbq.study", "vbq.figures", "vbq.report", "vbq.measurements",
                "vbq.imaging"} & loaded


def test_the_command_line_help_loads_no_command():
    # what `python -m vbq --help` runs, then the modules it left loaded
    loaded = _modules_after(
        "import runpy, sys\nsys.argv = ['vbq', '--help']\n"
        "try:\n    runpy.run_module('vbq', run_name='__main__')\nexcept SystemExit:\n    pass")
    assert "vbq.cli" in loaded
    assert _heavy(loaded) == []
    assert not {"vbq.stats", "vbq.study", "vbq.report", "vbq.measurements", "vbq.demo"} & loaded


@pytest.mark.parametrize("module", ["vbq.imaging", "vbq.measurements"])
def test_imaging_and_the_measurement_store_do_not_import_the_statistics(module):
    loaded = _modules_after(f"import {module}")
    assert "vbq.stats" not in loaded
    assert not {"statsmodels", "sklearn"} & {m.split(".")[0] for m in loaded}


def test_lazy_modules_resolve_and_are_listed():
    import vbq

    assert {"stats", "study", "report", "cli"} <= set(dir(vbq))
    assert vbq.stats.roc_analysis is __import__("vbq.stats", fromlist=["x"]).roc_analysis
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        vbq.nonesuch  # noqa: B018 - the attribute access is the test


# Imports inside a function, each for a reason written beside it (issue 17 counted 62): the
# command line imports a command's modules only when it runs (`--help` stays at pandas' cost),
# the threshold derivation brings the statistics, an XLSX brings openpyxl, and the workbook and
# Word file bring openpyxl and python-docx, which the HTML report does not need.
IMPORTS_IN_FUNCTIONS = {
    ("vbq/cli.py", "_sources"), ("vbq/cli.py", "_read_measurements"),
    ("vbq/cli.py", "_merge_measurements"), ("vbq/cli.py", "_cmd_report"),
    ("vbq/cohort.py", "vbq_thresholds"), ("vbq/io/_xlsx.py", "_workbook"),
    ("vbq/report.py", "build_workbook"), ("vbq/report.py", "build_docx"),
}


def test_imports_sit_at_the_top_of_modules_but_for_the_stated_few():
    found = set()
    for path in sorted((ROOT / "vbq").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and fn.name != "__getattr__":
                if any(isinstance(n, ast.Import | ast.ImportFrom) for n in ast.walk(fn)):
                    found.add((path.relative_to(ROOT).as_posix(), fn.name))
    assert found <= IMPORTS_IN_FUNCTIONS, sorted(found - IMPORTS_IN_FUNCTIONS)
