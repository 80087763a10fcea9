"""The imaging names issue 11 calls public: they exist with these signatures, and every public
function of `vbq.imaging` and `vbq.phantom` is documented in the README."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import vbq
from vbq import imaging, phantom

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_contract_signatures():
    assert list(inspect.signature(imaging.roi_stats).parameters) == [
        "pixels", "spacing_mm", "centre", "radius_mm"]
    assert list(inspect.signature(imaging.load_series).parameters)[0] == "sources"
    assert inspect.signature(phantom.make_series).parameters["seed"].default == 0
    assert vbq.imaging is imaging and vbq.phantom is phantom
    assert issubclass(imaging.RoiOutsideImageError, vbq.InputError)


def test_every_public_function_is_in_the_readme():
    missing = []
    for module in (imaging, phantom):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or not callable(obj):
                continue  # results are documented by the functions that return them
            if f"{module.__name__}.{name}" not in README:
                missing.append(f"{module.__name__}.{name}")
    assert not missing


def test_readme_imaging_block_runs():
    section = README.split("### Measuring on DICOM (notebook)", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)  # our own documentation, run as written
    assert abs(scope["m"].vbq / scope["truth"].vbq - 1) < 0.01
    assert scope["shown"].dtype.name == "uint8"
