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
    # everything the repository needs is in it: no document refers to ../shared
    offenders = []
    for doc in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md"), *(ROOT / "bench").glob("*")]:
        if doc.is_file() and "../shared" in doc.read_text(encoding="utf-8", errors="replace"):
            offenders.append(str(doc.relative_to(ROOT)))
    assert not offenders, offenders
