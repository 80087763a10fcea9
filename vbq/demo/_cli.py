"""``python -m vbq.demo``: write the shipped SYNTHETIC files and print the calibration table."""

from __future__ import annotations

import argparse

import pandas as pd

from ._calibrate import calibration_report
from ._files import write
from ._generate import generate
from ._model import DEFAULT_SEED

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """``python -m vbq.demo [--out FOLDER] [--seed N]``: write the files, print the calibration.

    Returns 0 when every target of `CALIBRATION_TARGETS` is met, 1 otherwise. Without ``--out``
    the files go to the package's data folder (what a checkout ships).
    """
    parser = argparse.ArgumentParser(prog="python -m vbq.demo", description=main.__doc__)
    parser.add_argument("--out", default=None,
                        help="folder to write the CSV files to (default: the package's data folder)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths = write(args.out, seed=args.seed)
    for p in paths:
        print(f"wrote {p} (SYNTHETIC data, seed {args.seed})")
    report = calibration_report(*generate(args.seed))
    with pd.option_context("display.max_rows", None, "display.width", 160,
                           "display.max_colwidth", 48):
        print(report[["group", "key", "source", "target", "achieved", "tolerance", "ok"]]
              .to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    bad = int((~report["ok"]).sum())
    print(f"{len(report) - bad} of {len(report)} targets within tolerance")
    return 0 if bad == 0 else 1
