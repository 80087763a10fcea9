"""House rules of the code's shape, checked on every run."""

from __future__ import annotations

import ast
from pathlib import Path

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
                  "reliability": "rel_"}[page.stem]
        tree = ast.parse(page.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "key":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    assert node.value.value.startswith(prefix), (page.name, node.value.value)
