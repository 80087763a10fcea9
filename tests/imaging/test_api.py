"""The imaging names issue 11 calls public: they exist with these signatures, and the example of
docs/usage.md runs (every public name is in the API reference: tests/test_docs.py)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import vbq
from vbq import imaging, phantom

USAGE = (Path(__file__).resolve().parents[2] / "docs" / "usage.md").read_text()


def test_contract_signatures():
    assert list(inspect.signature(imaging.roi_stats).parameters) == [
        "pixels", "spacing_mm", "centre", "radius_mm"]
    assert list(inspect.signature(imaging.load_series).parameters)[0] == "sources"
    assert inspect.signature(phantom.make_series).parameters["seed"].default == 0
    assert vbq.imaging is imaging and vbq.phantom is phantom
    assert issubclass(imaging.RoiOutsideImageError, vbq.InputError)


def test_usage_imaging_block_runs():
    section = USAGE.split("### Measuring on DICOM (notebook)", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "docs/usage.md", "exec"), scope)  # our own documentation, run as written
    assert abs(scope["m"].vbq / scope["truth"].vbq - 1) < 0.01
    assert scope["shown"].dtype.name == "uint8"
