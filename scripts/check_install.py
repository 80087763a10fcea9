"""Does VBQ Explorer work installed, not only checked out? (issue 17; run by CI: .ci/run)

Builds the wheel from a copy of the package's files, installs it with only the dependencies it
declares (no extra: what ``pip install vbq-explorer`` gives; versions constrained to the pins of
requirements.txt, the versions the suite ran on) into a fresh virtual environment in a temporary
folder, and there, from a working folder that is not the checkout, runs:

* ``python -m vbq validate`` (exit code 0: the demo files shipped in the package are clean),
* ``python -m vbq report --out report.html`` (exit code 0 and the file written),
* ``python -c "import vbq; vbq.demo.load()"``,

each checked to have used the installed package, not the checkout. Prints what it ran; exit code
0 when everything passed, 1 otherwise.

Run: .venv/bin/python scripts/check_install.py [--keep] [--source TREE]   (``make check-install``)
Installing needs the package index (or the pip cache) for the dependencies; the checks after
it run offline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECKS: tuple[tuple[str, list[str]], ...] = (
    ("the installed package is the one imported",
     ["-c", "import vbq, pathlib, sys; p = pathlib.Path(vbq.__file__).resolve(); "
            f"sys.exit(0 if 'site-packages' in p.parts and not p.is_relative_to({str(ROOT)!r}) "
            "else f'vbq imported from {p}')"]),
    ("python -m vbq validate", ["-m", "vbq", "validate"]),
    ("python -m vbq report --out report.html", ["-m", "vbq", "report", "--out", "report.html"]),
    ("import vbq; vbq.demo.load()",
     ["-c", "import vbq; cohort, dxa = vbq.demo.load(); assert len(cohort) and len(dxa)"]),
)


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run(cmd, text=True, capture_output=True, **kwargs)


def build_wheel(workdir: Path, source: Path = ROOT) -> Path:
    """The wheel, built offline (no build isolation: the setuptools of requirements-dev.txt) from a
    copy of pyproject.toml, README.md, LICENSE and vbq/, so the checkout stays clean."""
    src = workdir / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(source / name, src / name)
    shutil.copytree(source / "vbq", src / "vbq", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    res = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index",
                "--no-build-isolation", "--wheel-dir", str(workdir / "dist"), str(src)])
    if res.returncode:
        raise SystemExit(f"building the wheel failed:\n{res.stdout}\n{res.stderr}")
    (wheel,) = (workdir / "dist").glob("*.whl")
    return wheel


def install(wheel: Path, workdir: Path) -> Path:
    """A fresh virtual environment with the wheel and the dependencies it declares; its python."""
    env_dir = workdir / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    res = _run([str(python), "-m", "pip", "install", "--quiet", "--constraint",
                str(ROOT / "requirements.txt"), str(wheel)])
    if res.returncode:
        raise SystemExit(f"installing the wheel failed:\n{res.stdout}\n{res.stderr}")
    return python


def run_checks(python: Path, workdir: Path) -> list[str]:
    """The checks from an empty folder outside the checkout; the names of those that failed."""
    here = workdir / "elsewhere"
    here.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["VBQ_DATA_DIR"] = str(workdir / "userdata")  # never the user's own folder
    failed = []
    for name, args in CHECKS:
        res = _run([str(python), *args], cwd=here, env=env, timeout=600)
        ok = res.returncode == 0 and "Traceback" not in res.stderr
        if name.startswith("python -m vbq report"):
            ok = ok and (here / "report.html").stat().st_size > 100_000
        print(f"  {'ok' if ok else 'FAILED'}: {name} (exit code {res.returncode})")
        if not ok:
            print(res.stdout[-3000:], res.stderr[-3000:], sep="\n")
            failed.append(name)
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Install the wheel outside the checkout and "
                                                 "run the command line there.")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="the tree to build (default: this checkout)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="vbq-install-"))
    try:
        wheel = build_wheel(workdir, args.source.resolve())
        python = install(wheel, workdir)
        failed = run_checks(python, workdir)
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if failed:
        print(f"check-install: {len(failed)} check(s) failed: {', '.join(failed)}")
        return 1
    print(f"check-install: {wheel.name} works installed outside the checkout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
