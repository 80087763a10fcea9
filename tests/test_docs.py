"""The documentation a user reads: the README starts with the two commands and its notebook
example runs; docs/usage.md's examples are run by the tests of their modules."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first = re.search(r"```sh\n(.*?)```", README, re.S)
    assert README.index("```sh") < README.index("\n## ")  # before anything else
    commands = [line.split("#")[0].strip() for line in first.group(1).splitlines()]
    assert commands == ["make run", "make test"]


def test_readme_notebook_example_runs(monkeypatch, tmp_path):
    section = README.split("## From a notebook", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # our own documentation, run as written
    assert scope["prepared"].counts.n_analysed == len(scope["prepared"].table)
    assert scope["analysis"].table2 is not None


def test_every_relative_link_in_the_docs_resolves():
    # a link to a file of the repository that has moved or gone is a dead end for a reader
    missing = []
    for doc in [ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            if not (doc.parent / target).exists():
                missing.append(f"{doc.relative_to(ROOT)} -> {target}")
    assert not missing, missing


def test_nothing_points_outside_the_repository():
    # everything the repository needs is in it: no document refers to the folder beside the
    # checkout that the developers' notes live in (the path is assembled here, so that this test
    # is not itself a file that points there)
    outside = "/".join(("..", "shared"))
    offenders = []
    for doc in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "bench").glob("*")]:
        if doc.is_file() and outside in doc.read_text(encoding="utf-8", errors="replace"):
            offenders.append(str(doc.relative_to(ROOT)))
    assert not offenders, offenders


# --- the API reference, generated from the docstrings (docs/api, Sphinx + numpydoc) ------------

import importlib  # noqa: E402
import inspect  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

API = ROOT / "docs" / "api"
PUBLIC = ["vbq", "vbq.io", "vbq.schema", "vbq.settings", "vbq.stats", "vbq.study", "vbq.scanners",
          "vbq.published", "vbq.figures", "vbq.present", "vbq.export", "vbq.report", "vbq.tripod",
          "vbq.imaging", "vbq.phantom", "vbq.measurements", "vbq.demo", "vbq.cli", "vbq.decide",
          "vbq.plan"]


def _sphinx(source: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    # as `make docs` does: fresh environment, every warning an error, all of them reported
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html", *extra,
         str(source), str(out)], capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("api")
    return _sphinx(API, out), out


def test_the_api_reference_builds_without_a_warning(built):
    # a docstring that docutils cannot parse, or that numpydoc's checks refuse (a Parameters
    # section that does not match the signature, ...), is a warning, and -W makes it an error
    result, _ = built
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_api_reference_documents_every_public_function_and_class(built):
    from sphinx.util.inventory import InventoryFile

    _, out = built
    with open(out / "objects.inv", "rb") as fh:
        inventory = InventoryFile.load(fh, "", lambda base, uri: uri)
    documented = {name for role, names in inventory.items() if role.startswith("py:")
                  for name in names}
    import vbq

    missing = []
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        assert (API / f"{module_name.removeprefix('vbq.') if '.' in module_name else 'vbq'}.rst"
                ).exists(), module_name
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or f"{module_name}.{name}" in documented:
                continue
            if not (inspect.isclass(obj) or callable(obj)):
                continue  # a constant is listed when it has a docstring (autodoc skips the rest)
            if getattr(vbq, name, None) is obj and f"vbq.{name}" in documented:
                continue  # a re-export of a name documented at the top (vbq.io.InputError)
            missing.append(f"{module_name}.{name}")
    assert not missing, missing


def test_the_api_reference_fetches_nothing(built):
    # it opens offline: no CDN script, font or stylesheet (no intersphinx, no MathJax)
    _, out = built
    outside = []
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        outside += [f"{page.name}: {m}" for m in
                    re.findall(r'<(?:script|link)[^>]*(?:src|href)="(?:https?:)?//[^"]*"', html)]
    assert not outside, outside


def test_a_broken_docstring_fails_the_build(tmp_path):
    # the same configuration on a module whose docstrings are broken in two ways: a parameter
    # documented that the signature does not have (numpydoc PR02), and an RST error
    package = tmp_path / "src"
    package.mkdir()
    (package / "broken.py").write_text(
        'def scale(x, factor):\n'
        '    """Scale `x`.\n\n'
        '    Parameters\n    ----------\n    x : float\n        The value.\n'
        '    factor : float\n        The factor.\n    offset : float\n        Not a parameter.\n'
        '    """\n\n\n'
        'def norm(x):\n    """The norm, |x|."""\n')
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text(
        f"exec(open({str(API / 'conf.py')!r}).read())\n"
        f"import sys; sys.path.insert(0, {str(package)!r})\n")
    (docs / "index.rst").write_text("Broken\n======\n\n.. automodule:: broken\n   :members:\n")
    result = _sphinx(docs, tmp_path / "out")
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "PR02" in log and "offset" in log  # numpydoc's check of Parameters
    assert "substitution" in log.lower()  # docutils: |x| is read as a substitution
