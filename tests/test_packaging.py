"""The package as others install it: one version, the declared dependencies, every file in the
wheel. (Installing that wheel into a fresh environment outside the checkout and running the
command line there is scripts/check_install.py, run by CI.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import vbq

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _declared() -> dict[str, Requirement]:
    specs = list(PROJECT["dependencies"])
    for extra in PROJECT["optional-dependencies"].values():
        specs += extra
    reqs = [Requirement(s) for s in specs]
    return {canonicalize_name(r.name): r for r in reqs
            if canonicalize_name(r.name) != canonicalize_name(PROJECT["name"])}


def _pinned(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_requirements_pin_exactly_what_the_package_declares_within_its_bounds():
    declared, pinned = _declared(), _pinned(ROOT / "requirements.txt")
    assert sorted(pinned) == sorted(declared)
    outside = {name: (pinned[name], str(req.specifier)) for name, req in declared.items()
               if not req.specifier.contains(pinned[name])}
    assert not outside


def test_every_entry_point_has_its_dependencies_declared():
    core = {canonicalize_name(Requirement(s).name) for s in PROJECT["dependencies"]}
    # the command line's report: figures (plotly), Word (python-docx), XLSX (openpyxl), and
    # --measurements through the measurement store (SQLAlchemy)
    assert {"plotly", "python-docx", "openpyxl", "sqlalchemy"} <= core
    imaging = {canonicalize_name(Requirement(s).name)
               for s in PROJECT["optional-dependencies"]["imaging"]}
    assert {"pydicom", "python-gdcm", "pylibjpeg", "pylibjpeg-openjpeg", "pylibjpeg-rle"} <= imaging
    app = [Requirement(s) for s in PROJECT["optional-dependencies"]["app"]]
    # Authlib: Streamlit's sign-in (st.login), which decides who may change the measurements
    assert {canonicalize_name(r.name) for r in app} == {"streamlit", "authlib", "vbq-explorer"}
    assert next(r for r in app if r.name == "vbq-explorer").extras == {"imaging"}


def test_one_version():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert PROJECT["dynamic"] == ["version"] and "version" not in PROJECT
    assert re.search(r'version = \{attr = "vbq.__version__"\}', pyproject)
    assert re.fullmatch(r"\d+\.\d+\.\d+", vbq.__version__)


def test_the_licence_is_the_declared_one():
    assert PROJECT["license"] == "MIT" and PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "VBQ Explorer contributors" in text


def _package_files() -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / "vbq").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


@pytest.mark.slow
def test_the_wheel_holds_every_file_of_the_package(tmp_path):
    # Built offline from a copy of what the wheel is made of (so the checkout gets no build/ or
    # egg-info), with the setuptools of requirements-dev.txt.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "vbq", src / "vbq",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index",
                          "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"),
                          str(src)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert wheel.name == f"vbq_explorer-{vbq.__version__}-py3-none-any.whl"
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_package_files() - names)
    assert not missing, f"in vbq/ but not in the wheel: {missing}"
    assert "vbq/_userdata.py" in names and "vbq/stats/__init__.py" in names
    assert f"vbq_explorer-{vbq.__version__}.dist-info/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith(("tests/", "data/", "app_pages/", "ui/"))]
