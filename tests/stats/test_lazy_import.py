"""`import vbq.stats` is cheap: each module of vbq.stats is imported when one of its names is
first used (PEP 562), while ``__all__`` and ``dir()`` list every public name from the start."""

from __future__ import annotations

import subprocess
import sys

import vbq.stats

# the modules of vbq.stats that define public names
MODULES = ("roc", "delong", "cutoffs", "combined", "agreement", "bland_altman", "groups",
           "correlation", "prevalence", "sample_size", "decision", "risk")


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_importing_vbq_stats_imports_none_of_its_modules():
    # in a fresh interpreter: what `import vbq.stats` adds beyond `import vbq`
    out = _run("import sys, vbq; before = set(sys.modules); import vbq.stats; "
               "print(sorted(m for m in set(sys.modules) - before if m.startswith('vbq.stats.')))")
    assert out == "[]"


def test_a_name_imports_its_module_on_first_use():
    out = _run("import sys, vbq.stats; had = 'vbq.stats.agreement' in sys.modules; "
               "f = vbq.stats.icc; print(had, 'vbq.stats.agreement' in sys.modules, "
               "f.__module__)")
    assert out == "False True vbq.stats.agreement"


def test_every_public_name_is_listed_and_resolves():
    assert set(vbq.stats.__all__) <= set(dir(vbq.stats))
    for name in vbq.stats.__all__:
        value = getattr(vbq.stats, name)
        module = sys.modules[f"vbq.stats.{vbq.stats._WHERE[name]}"]
        assert vbq.stats._WHERE[name] in MODULES and getattr(module, name) is value


def test_a_module_and_its_function_of_one_name_resolve_to_the_function():
    # importing the module vbq.stats.bland_altman must not hide the function vbq.stats.bland_altman
    out = _run("import vbq.stats.bland_altman; import vbq.stats; "
               "print(callable(vbq.stats.bland_altman))")
    assert out == "True"
    assert callable(vbq.stats.bland_altman)
