"""Read expected values from the R outputs in tests/reference/*.out, so tests take R's numbers
from the file R wrote rather than from literals copied by hand.

The R scripts print values as ``name = v1, v2, ...`` lines under ``# section`` headings (their
``p()`` helper); `r_values` returns one such line as floats.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"
NUMBER = re.compile(
    r"(?<![A-Za-z_0-9.])(-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|-?Inf|NaN|NA)(?![A-Za-z_])"
)
_SPECIAL = {"Inf": float("inf"), "-Inf": float("-inf"), "NaN": float("nan"), "NA": float("nan")}


def _to_float(token: str) -> float:
    return _SPECIAL[token] if token in _SPECIAL else float(token)


@cache
def r_output(stem: str) -> str:
    """The text of tests/reference/<stem>.out up to its sessionInfo() block."""
    return (REFERENCE / f"{stem}.out").read_text().split("# sessionInfo()")[0]


@cache
def _lines(stem: str) -> tuple[tuple[str, str, tuple[float, ...]], ...]:
    out, section = [], ""
    for line in r_output(stem).splitlines():
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
        elif " = " in line:
            name, _, rest = line.partition(" = ")
            values = tuple(_to_float(t) for t in NUMBER.findall(rest))
            out.append((section, name.strip(), values))
    return tuple(out)


def r_values(stem: str, name: str, section: str | None = None) -> list[float]:
    """The values of the line ``name = ...`` of tests/reference/<stem>.out (in the section whose
    heading starts with `section`, when given). Exactly one line must match."""
    hits = [v for s, n, v in _lines(stem) if n == name and (section is None
                                                             or s.startswith(section))]
    if len(hits) != 1:
        raise LookupError(f"{stem}.out: {len(hits)} lines named {name!r}"
                          f"{'' if section is None else f' in section {section!r}'}")
    return list(hits[0])


def r_numbers(stem: str) -> list[float]:
    """Every number printed in tests/reference/<stem>.out (before its sessionInfo())."""
    return [_to_float(t) for t in NUMBER.findall(r_output(stem))]
