"""Streamlit's magic writes any bare expression of a page script to the page: a string literal
there (an attribute's docstring, a note to developers) appears on screen for the reader."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]


def _shown_strings(tree: ast.Module) -> list[int]:
    """Lines of bare string expressions that magic would display: every one except the first
    statement of the module, a function or a class (the docstrings, which magic skips)."""
    lines = []
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody", "handlers"):
            body = getattr(node, field, None)
            if not isinstance(body, list):
                continue
            for i, stmt in enumerate(body):
                docstring = i == 0 and field == "body" and isinstance(
                    node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                if (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
                        and isinstance(stmt.value.value, str) and not docstring):
                    lines.append(stmt.lineno)
    return lines


def test_no_page_shows_a_bare_string_literal():
    shown = {str(p.relative_to(ROOT)): lines for p in SCRIPTS
             if (lines := _shown_strings(ast.parse(p.read_text(encoding="utf-8"))))}
    assert not shown, shown


def test_the_check_finds_a_bare_string():
    tree = ast.parse('"""Page."""\nX = 1\n"""Shown by magic."""\ndef f():\n    """Doc."""\n'
                     '    with x:\n        "shown too"\n')
    assert _shown_strings(tree) == [3, 7]
