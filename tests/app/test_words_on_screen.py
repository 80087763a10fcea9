"""Words on screen: no page shows text its author did not mean to show (issue 16; STYLE 22).

Streamlit's magic renders a bare string (or any bare value) on a line of a script: two developer
notes once showed above the Data page's title. `.streamlit/config.toml` turns magic off
(tests/test_config.py keeps it off), and this test keeps the code free of bare expressions, so a
page stays right even where magic is on (an embedding app, `streamlit run` with other options):
a note is a comment, and docstrings stay only where Python reads them (first statement of a
module, class or function).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                out.add(id(first))
    return out


def bare_expressions(source: str) -> list[tuple[int, str]]:
    """(line, code) of every expression statement that magic would render: anything but a call,
    an await or a yield, and not a docstring."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    return [(node.lineno, ast.unparse(node.value)[:60]) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and id(node) not in docs
            and not isinstance(node.value, ast.Call | ast.Await | ast.Yield | ast.YieldFrom)]


def test_the_check_finds_what_magic_would_show():
    source = ('"""module doc"""\nX = 1\n"""a note after X"""\ndef f():\n    """doc"""\n'
              '    "a string"\n    x\n    st.write(x)\n')
    assert [line for line, _ in bare_expressions(source)] == [3, 6, 7]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_bare_expression_in_the_app(path):
    assert bare_expressions(path.read_text(encoding="utf-8")) == []


def test_the_dead_display_helpers_are_gone():
    # issue 17: ui.display's PROBLEM_COLUMNS, problem_table and arrow_safe had no caller
    import ui.display

    for name in ("PROBLEM_COLUMNS", "problem_table", "arrow_safe"):
        assert not hasattr(ui.display, name), name


@pytest.mark.parametrize("page", ["app_pages/data.py", "app_pages/thresholds.py",
                                  "app_pages/reliability.py"])
def test_the_demo_banner_is_shown_once(page):
    # issue 16: it was on the page and again in the sidebar, pushing the settings below the fold
    from .conftest import start

    at = start(page)
    boxes = [*at.info, *at.warning, *at.success, *at.error]
    assert sum("Synthetic demo data" in b.value for b in boxes) == 1
    assert not any("Synthetic demo data" in b.value for b in at.sidebar.warning)


@pytest.mark.parametrize("page", ["app_pages/data.py", "app_pages/groups.py",
                                  "app_pages/correlations.py", "app_pages/roc.py",
                                  "app_pages/thresholds.py", "app_pages/reliability.py",
                                  "app_pages/measure.py", "app_pages/report.py",
                                    "app_pages/decide.py", "app_pages/plan.py",
                                    "app_pages/risk.py"])
def test_no_page_names_a_module_or_a_column_pattern_in_its_text(page):
    # issue 16: "(`vbq.demo`)" in the demo banner, "(`vbq.phantom`)", "*_repeat, *_obs2" and
    # "the modality LUT" were words for developers on a clinician's screen
    from tests.app.conftest import start

    at = start(page)
    texts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
             for e in getattr(at, kind)]
    for text in texts:
        for word in ("`vbq.", "(vbq.", "*_repeat", "*_obs2", "modality LUT"):
            assert word not in text, (page, word, text[:200])
