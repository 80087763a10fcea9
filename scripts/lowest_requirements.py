"""Print the lower bound of every dependency pyproject.toml declares (core and extras) as an exact
pin, one a line: the oldest set of versions the package claims to work with.

``make test-lowest`` installs them (with the test tools of requirements-dev.txt) into
.venv-lowest and runs the suite there, so a lower bound in pyproject.toml is a version the suite
has passed on, not a guess.

Run: python scripts/lowest_requirements.py > lowest.txt
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lowest_pins(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """``name==lower bound`` for every declared requirement; a requirement without a ``>=`` lower
    bound is an error (its oldest version is unknown)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += [s for s in extra if not s.startswith(project["name"])]
    pins = []
    for spec in specs:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][0-9A-Za-z.]*)\s*", spec)
        if match is None:
            raise SystemExit(f"pyproject.toml: {spec!r} has no plain '>=' lower bound")
        pins.append(f"{match[1]}=={match[2]}")
    return pins


if __name__ == "__main__":
    sys.stdout.write("".join(f"{pin}\n" for pin in lowest_pins()))
