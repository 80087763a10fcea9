"""VBQ Explorer core: the MRI vertebral bone quality score and its screening statistics.

Pure functions and small typed results; no Streamlit. Public names used from notebooks:

* `vbq.prepare_cohort(cohort, dxa, settings=None)` -> `PreparedCohort`: the analysis-ready table
  (one row per patient) with its exclusion log, counts and VBQ thresholds
* `vbq.Settings`, `vbq.GroupCriteria` -> analysis settings (defaults: the paper's)
* `vbq.io.load_cohort`, `vbq.io.load_dxa` -> read and validate spreadsheets
* `vbq.demo.load()` -> the synthetic demo cohort
* `vbq.stats` -> the study's statistics
* `vbq.figures` -> the study's plotly figures (Fig. 4 panels, Fig. 5 ROC curves, reclassification)
* `vbq.imaging`, `vbq.phantom` -> DICOM series, ROI statistics, the synthetic MRI phantom
* `vbq.measurements` -> the measurement database (`MeasurementStore`, `merge_into_cohort`)
* `vbq.present` -> the study's tables as a journal prints them (`FormattedTable`)
* `vbq.export` -> CSV, XLSX (formula-safe) and the Word document of the tables
* `vbq.report` -> the study report (one offline HTML file) and the workbook; `python -m vbq`
  is the command line (`vbq.cli`)
"""

from . import io, schema
from .cohort import (
    Counts,
    PreparedCohort,
    Thresholds,
    assign_groups,
    classify_dxa,
    classify_vbq,
    cohort_summary,
    compute_vbq,
    degeneration_detail,
    exclusion_log,
    prepare,
    prepare_cohort,
)
from .describe import InForce, in_force
from .errors import DegenerateInputError, InputError
from .settings import PAPER_SETTINGS, GroupCriteria, Settings

__version__ = "0.1.0"

__all__ = [
    "prepare_cohort",
    "PreparedCohort",
    "Counts",
    "Thresholds",
    "prepare",
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
]


def __getattr__(name: str):
    # demo, stats, study, figures, imaging, phantom, measurements, present, export and report
    # import lazily: stats pulls in statsmodels and scikit-learn, figures plotly, imaging and
    # phantom pydicom, measurements SQLAlchemy, export openpyxl and python-docx
    if name in ("demo", "stats", "study", "figures", "imaging", "phantom", "measurements",
                "present", "export", "report"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'vbq' has no attribute {name!r}")
