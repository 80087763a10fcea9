"""Benchmark of the demo generator. Plain script; prints one table.

Run from the repository root: ``.venv/bin/python bench/bench_demo.py``.

`vbq.demo.generate()` makes the 235-patient demo cohort on every fresh session that has not read
the shipped files, and the calibration report checks it against the paper's 126 targets. The
peer in the same run is `pandas.read_csv` of the two shipped files (what `vbq.demo.load` does):
generation should stay within a small multiple of reading. Target: under 1 s.
"""

from __future__ import annotations

import pandas as pd
from _timing import median_time

from vbq import demo


def main() -> None:
    gen = median_time(demo.generate)
    read = median_time(lambda: (pd.read_csv(demo.COHORT_FILE), pd.read_csv(demo.DXA_FILE)))
    report = median_time(lambda: demo.calibration_report(*demo.load()), repeats=3)
    print(f"{'what':<40}{'seconds':>10}{'ratio to read_csv':>20}")
    print(f"{'demo.generate() (235 patients)':<40}{gen:>10.3f}{gen / read:>20.1f}")
    print(f"{'pandas.read_csv of the shipped files':<40}{read:>10.3f}{1.0:>20.1f}")
    print(f"{'demo.calibration_report (134 targets)':<40}{report:>10.3f}{report / read:>20.1f}")
    print(f"target: generate under 1 s -> {'met' if gen < 1.0 else 'NOT met'}")


if __name__ == "__main__":
    main()
