"""The seeded data -> R script -> R output -> test chain is mechanical (issue 12).

- every R script in tests/reference has its output beside it, and the output records the session
  that produced it (``sessionInfo()``: R 4.2.2 and the package versions);
- every data file an R script reads has the Python script that writes it;
- every long number written in a statistics test (5 or more significant digits: a value copied
  from R) is one R printed, in the output of that test's R script, to the last digit written
  (the few from elsewhere are listed in `NOT_FROM_R` with their source).

Regenerate an output with ``Rscript tests/reference/<name>.R > tests/reference/<name>.out`` from
the repository root (``make reference`` runs them all).
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest

from .r_reference import REFERENCE, r_numbers

TESTS = Path(__file__).resolve().parent
SCRIPTS = sorted(REFERENCE.glob("*.R"))

# test module -> the R outputs its literals come from
SOURCES = {
    "stats/test_roc.py": ["roc_reference"],
    "stats/test_groups.py": ["groups_reference"],
    "stats/test_correlation.py": ["correlation_reference"],
    "stats/test_prevalence.py": ["prevalence_reference"],
    "stats/test_agreement.py": ["agreement_icc", "agreement_kappa"],
    "stats/test_bland_altman.py": ["bland_altman"],
    "test_study.py": ["study_fit_line"],
    "test_scanners.py": ["strata_reference"],
    "stats/test_risk.py": ["risk_reference"],
    "stats/test_sample_size.py": ["sample_size_reference"],
}
# R scripts that read no data file: their inputs are published numbers written in the script
# (sample sizes from the worked examples' parameters; Riley's R2 from a seeded simulation)
NO_DATA_FILE = {"sample_size_reference"}
MIN_DIGITS = 5
# long numbers that come from elsewhere, each with its source
NOT_FROM_R = {
    ("stats/test_agreement.py", "3.2626"): "SAS PROC FREQ printout (published, 4 decimals)",
    ("stats/test_agreement.py", "3.2971"): "SAS PROC FREQ printout (published, 4 decimals)",
    ("stats/test_roc.py", "104.37"): "an input of round_cutoff (an L1 HU cutoff), not a result",
    ("test_study.py", "104.37"): "an input of adjusted_cutoff (an L1 HU cutoff), not a result",
}


def test_the_reference_scripts_are_the_ones_listed():
    assert {s.stem for s in SCRIPTS} == {stem for stems in SOURCES.values() for stem in stems}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_every_r_script_has_an_output_recording_its_session(script):
    out = script.with_suffix(".out")
    assert out.exists(), f"{out.name} missing: run Rscript tests/reference/{script.name}"
    assert "sessionInfo()" in script.read_text()
    text = out.read_text()
    head, _, session = text.partition("# sessionInfo()")
    assert session, f"{out.name} does not end with sessionInfo()"
    assert "R version 4.2.2" in session
    for package in re.findall(r"library\((\w+)\)", script.read_text()):
        assert re.search(rf"\b{package}_[\d.-]+", session), f"{package} version not recorded"
    assert "Error" not in head and "Warning" not in head  # stderr stays out of the output


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_every_data_file_an_r_script_reads_has_its_generator(script):
    makers = {p.name: p.read_text() for p in REFERENCE.glob("*_make_data.py")}
    read = re.findall(r'read\.csv\("tests/reference/([\w.]+)"[,)]', script.read_text())
    if script.stem in NO_DATA_FILE:
        assert not read, f"{script.name} reads a data file: take it off NO_DATA_FILE"
        return
    assert read, f"{script.name} reads no data file from tests/reference"
    for name in read:
        assert (REFERENCE / name).exists(), name
        writers = [m for m, text in makers.items() if name in text]
        assert writers, f"no *_make_data.py writes {name}"


def _significant(token: str) -> int:
    mantissa = token.lower().lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


def _printed(printed: np.ndarray, token: str, value: float) -> bool:
    """Whether `value`, written as `token`, is one of the `printed` numbers (either sign: tests
    negate a difference) rounded to the significant digits of `token`."""
    half_unit = 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - _significant(token) + 1)
    return bool(np.any(np.abs(np.abs(printed) - abs(value)) <= half_unit * (1 + 1e-9)))


def _long_literals(path: Path) -> list[tuple[int, str, float]]:
    source = path.read_text()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, float):
            token = ast.get_source_segment(source, node)
            if token and _significant(token) >= MIN_DIGITS:
                found.append((node.lineno, token, node.value))
    return found


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_long_literals_are_numbers_r_printed(module):
    printed = np.array([v for stem in SOURCES[module] for v in r_numbers(stem)
                        if math.isfinite(v)])
    literals = _long_literals(TESTS / module)
    stray = []
    for line, token, value in literals:
        if (module, token) in NOT_FROM_R:
            continue
        # R's value rounded to the digits written (a literal may carry fewer digits than R)
        if not _printed(printed, token, value):
            stray.append(f"{module}:{line}: {token}")
    assert not stray, ("numbers not in the R output of this test (copy them from the .out, or "
                       f"compute them in the test): {stray}")


def test_the_literal_check_can_fail():
    printed = np.array(r_numbers("roc_reference"))  # holds auc = 0.778181818181818
    assert _printed(printed, "0.778181818181818", 0.778181818181818)
    assert _printed(printed, "0.7781818", 0.7781818)  # fewer digits, correctly rounded
    assert not _printed(printed, "0.778181818181828", 0.778181818181828)  # a typo
    assert not _printed(printed, "0.7781819", 0.7781819)  # wrongly rounded
    assert len(_long_literals(TESTS / "stats/test_roc.py")) > 50


def test_the_exceptions_are_still_in_their_tests():
    # an entry of NOT_FROM_R whose number left its test would silently widen the check
    for module, token in NOT_FROM_R:
        assert token in [t for _, t, _ in _long_literals(TESTS / module)], (module, token)
