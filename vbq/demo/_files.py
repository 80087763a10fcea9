"""The shipped files of the package: the SYNTHETIC demo CSVs and the empty templates.

They are package data (``vbq/demo/data/``), read with `importlib.resources` so they are found in
an installed wheel as in a checkout, whatever the working directory.
"""

from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..schema import COHORT_COLUMNS, DXA_COLUMNS
from ._generate import generate
from ._model import DEFAULT_SEED

__all__ = ["DATA", "COHORT_FILE", "DXA_FILE", "TEMPLATES", "load", "write"]

DATA: Traversable = files(__package__).joinpath("data")
"""The package's data folder (`importlib.resources`): the demo CSVs, their README, templates/."""

COHORT_FILE: Traversable = DATA.joinpath("demo_cohort.csv")
"""The shipped SYNTHETIC cohort file (`generate` with `DEFAULT_SEED`, written by `write`)."""

DXA_FILE: Traversable = DATA.joinpath("demo_dxa.csv")
"""The shipped SYNTHETIC DXA file."""

TEMPLATES: Traversable = DATA.joinpath("templates")
"""Empty cohort and DXA templates (``cohort_template.csv``, ``dxa_template.csv`` and
``vbq_template.xlsx``), written by `vbq.io.write_templates`."""


def load() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The SYNTHETIC demo cohort as shipped in the package (raw tables, as pandas reads the CSVs).

    Returns
    -------
    cohort : DataFrame
        The cohort file read with `pandas.read_csv`; pass both tables to `vbq.prepare_cohort`,
        which validates and types them.
    dxa : DataFrame
        The DXA file, read the same way.

    Raises
    ------
    InputError
        If a file is missing from the installation (run ``python -m vbq.demo`` to write them).

    Examples
    --------
    >>> import vbq
    >>> cohort, dxa = load()
    >>> vbq.prepare_cohort(cohort, dxa).table["group"].value_counts().to_dict()
    {'control': 134, 'degenerative': 101}
    """
    return _read(COHORT_FILE), _read(DXA_FILE)


def _read(resource: Traversable) -> pd.DataFrame:
    if not resource.is_file():
        raise InputError(f"{resource.name}: demo file not found in the installed package; run "
                         "`python -m vbq.demo` to write it")
    with resource.open("rb") as fh:
        return pd.read_csv(fh)


def _package_folder() -> Path:
    if not isinstance(DATA, Path):
        raise InputError("the package's data folder is not a plain folder here; give write() a "
                         "folder")
    return DATA


_DECIMALS = {"age": 0, "bmi": 1, "si_csf": 1, "hu_l1": 1, "vbq_repeat": 3, "vbq_obs2": 3,
             "field_strength_t": 1}


def _decimals(name: str) -> int:
    if name in _DECIMALS:
        return _DECIMALS[name]
    if name.startswith("si_") or name.startswith("osteophyte_mm"):
        return 1
    if name.startswith("bmd_"):
        return 3
    if name.startswith("t_"):
        return 1
    raise KeyError(name)


def _to_text(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Every cell as the text written to the CSV: yes/no, fixed decimals, blank when missing."""
    out = {}
    for col in columns:
        s = frame[col.name]
        if col.kind == "bool":
            text = [("yes" if v else "no") if not pd.isna(v) else "" for v in s]
        elif col.kind == "float":
            d = _decimals(col.name)
            text = ["" if pd.isna(v) else f"{float(v):.{d}f}" for v in s]
        elif col.kind == "int":
            text = ["" if pd.isna(v) else str(int(v)) for v in s]
        else:
            text = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in s]
        out[col.name] = text
    return pd.DataFrame(out)


def write(folder: str | os.PathLike | None = None, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Generate the demo cohort and write ``demo_cohort.csv`` and ``demo_dxa.csv`` to `folder`.

    Booleans are written as yes/no, missing values as empty cells, numbers with the decimals they
    were rounded to, so the bytes are the same on every platform.

    Parameters
    ----------
    folder : str or path-like, optional
        Where to write (created if missing); by default the package's own data folder, which is
        what a checkout ships (``python -m vbq.demo`` and ``make demo`` write there).
    seed : int, keyword-only
        Seed of `generate`; the shipped files use `DEFAULT_SEED`.

    Returns
    -------
    list of Path
        The two files written.

    Raises
    ------
    InputError
        Without `folder` when the package is not installed as plain files (e.g. from a zip).
    """
    folder = _package_folder() if folder is None else Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cohort, dxa = generate(seed)
    paths = []
    for frame, columns, name in ((cohort, COHORT_COLUMNS, COHORT_FILE.name),
                                 (dxa, DXA_COLUMNS, DXA_FILE.name)):
        path = folder / name
        _to_text(frame, columns).to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths
