"""Sphinx configuration of the API reference, built from the docstrings (``make docs``).

Offline by design: no intersphinx inventories are fetched, the theme is Sphinx's own alabaster
(its assets ship with it), and no CDN script is referenced. ``tests/test_docs.py`` builds it with
``-W --keep-going``, so a broken public docstring fails the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

project = "VBQ Explorer"
author = "The VBQ Explorer developers"
copyright = "the VBQ Explorer developers"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc"]

html_theme = "alabaster"
html_static_path: list[str] = []
html_show_sourcelink = False
# formulas are plain text in the docstrings: a :math: role would bring MathJax from a CDN, which
# tests/test_docs.py refuses

# every function and class of a module's __all__ is listed, with or without a docstring (a constant
# only when it has one: autodoc skips undocumented module data)
autodoc_default_options = {"members": True, "undoc-members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections carry the types
autosummary_generate = False

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# numpydoc's validation of every documented public object (its codes:
# https://numpydoc.readthedocs.io/en/latest/validation.html); a failure is a Sphinx warning,
# which -W turns into an error. Every check is on except those listed after "all", which the
# docstrings do not meet yet (counts at the time this was written, for 15 public modules):
numpydoc_validation_checks = {
    "all",
    "ES01",  # no extended summary (217): many short docstrings need none
    "EX01",  # no Examples section (267): the runnable examples live in docs/usage.md
    "SA01",  # no See Also section (315)
    "GL08",  # no docstring (41): mostly to_frame/summary methods of result classes
    "RT01",  # no Returns section (128): many results are described in the summary line
    "RT03",  # return value without a description (22)
    "PR07",  # a parameter without a description (54): "a, b : array-like" pairs described once
    "SS05",  # summary in the third person ("Returns ...") (12)
    "SS06",  # summary longer than one line (63)
    "GL02",  # closing quotes on the last text line (34)
}
# PR01 (a parameter of the signature missing from the docstring) is enforced wherever a docstring
# has a Parameters section: such a section must list every parameter. A docstring that describes
# its parameters in prose, without the section, is not checked for them (168 objects, most of them
# result classes whose fields are their Attributes).
numpydoc_validation_overrides = {
    "PR01": [r"(?m)\A(?![\s\S]*^[ \t]*Parameters[ \t]*\n[ \t]*-{3,})"],
    # the fields of a NamedTuple carry Python's own docstring, "Alias for field number 0"
    "SS03": [r"\AAlias for field number \d+\Z"],
}
