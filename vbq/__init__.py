"""VBQ Explorer core: the MRI vertebral bone quality score and its screening statistics.

Pure functions and small typed results; no Streamlit. Public names used from notebooks:

* `vbq.prepare_cohort(cohort, dxa, settings=None)` -> `PreparedCohort`: the analysis-ready table
  (one row per patient) with its exclusion log, counts and VBQ thresholds
* `vbq.Settings`, `vbq.GroupCriteria` -> analysis settings (defaults: the paper's)
* `vbq.compute_vbq`, `vbq.classify_dxa`, `vbq.classify_vbq` -> the score and the two
  classifications (`vbq.score`)
* `vbq.io.load_cohort`, `vbq.io.load_dxa` -> read and validate spreadsheets
* `vbq.demo.load()` -> the synthetic demo cohort
* `vbq.stats` -> the study's statistics; `vbq.study` -> the study's tables built from them
* `vbq.figures` -> the study's plotly figures (Fig. 4 panels, Fig. 5 ROC curves, reclassification)
* `vbq.imaging`, `vbq.phantom` -> DICOM series, ROI statistics, the synthetic MRI phantom
* `vbq.measurements` -> the measurement database (`MeasurementStore`, `merge_into_cohort`)
* `vbq.decide` -> decision curves of DXA strategies on the cohort; `vbq.plan` -> whether the
  cohort meets a sample-size requirement of `vbq.stats`
* `vbq.present` -> the study's tables as a journal prints them (`FormattedTable`)
* `vbq.export` -> CSV, XLSX (formula-safe) and the Word document of the tables
* `vbq.report` -> the study report (one offline HTML file) and the workbook; `python -m vbq`
  is the command line (`vbq.cli`)

What ``import vbq`` loads: numpy, pandas and the modules whose names are listed above as
attributes of `vbq` itself (`errors`, `schema`, `settings`, `score`, `io`, `cohort`, `describe`),
at about the cost of importing pandas (bench/bench_import.py). Everything else loads on first
use:

* the subpackages and modules `demo`, `stats`, `study`, `figures`, `imaging`, `phantom`,
  `measurements`, `present`, `export`, `report`, `cli`, `decide` and `plan` are imported when
  first named
  (``vbq.stats``, ``from vbq import stats`` or ``import vbq.stats``), by the module
  ``__getattr__`` below (PEP 562): `stats` and `study` bring scipy, statsmodels and
  scikit-learn; `figures` and `report` plotly; `imaging` and `phantom` pydicom;
  `measurements` SQLAlchemy; `export` openpyxl and python-docx;
* `prepare_cohort` and `vbq_thresholds` import `vbq.stats` on the first derivation of VBQ
  thresholds from the control group (the Youden cutoff of a ROC analysis).
"""

import importlib

from . import io, schema
from .cohort import (
    Counts,
    PreparedCohort,
    Thresholds,
    assign_groups,
    cohort_summary,
    degeneration_detail,
    exclusion_log,
    prepare_cohort,
)
from .describe import InForce, in_force
from .errors import DegenerateInputError, InputError
from .score import classify_dxa, classify_vbq, compute_vbq
from .settings import PAPER_SETTINGS, GroupCriteria, Settings

__version__ = "0.1.0"
"""The package's version, its one source: pyproject.toml reads it (setuptools ``dynamic``)."""

_LAZY = ("demo", "stats", "study", "scanners", "published", "figures", "imaging", "phantom",
         "measurements", "present", "export", "report", "cli", "decide", "plan")
"""Modules imported on first use (see the module docstring for what each brings)."""

__all__ = [
    "prepare_cohort",
    "PreparedCohort",
    "Counts",
    "Thresholds",
    "in_force",
    "InForce",
    "exclusion_log",
    "cohort_summary",
    "compute_vbq",
    "classify_dxa",
    "classify_vbq",
    "assign_groups",
    "degeneration_detail",
    "Settings",
    "GroupCriteria",
    "PAPER_SETTINGS",
    "InputError",
    "DegenerateInputError",
    "io",
    "schema",
    "demo",
    "stats",
    "study",
    "figures",
    "imaging",
    "phantom",
    "measurements",
    "present",
    "export",
    "report",
    "decide",
    "plan",
]


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'vbq' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
