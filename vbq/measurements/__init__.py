"""The measurement database: ROI readings made on MRI, stored through SQLAlchemy, and their analysis.

One row per ROI reading: a patient's L1-L4 bodies and CSF, read by one observer in one session
(a repeat number), with where the ROI was (slice, centre, radius), what it measured (mean,
median, SD, pixel count), whether the level was marked collapsed, and where it came from: a
series fingerprint (never a DICOM UID), the series' flags, the scanner (field strength,
manufacturer, model; never its station name, serial number or institution) and the sequence
(scanning sequence and variant, TR, TE, TI, pixel bandwidth, slice thickness), how the ROIs were
placed and whether the reading was blinded. Patients are keyed by the pseudonymous study ID the
user assigns; nothing identifying from the DICOM files is stored.

* `MeasurementStore` (or `open_store`): the database. By default the SQLite file
  ``measurements.sqlite`` in the per-user data folder (`default_url`, ``DEFAULT_PATH``), any
  SQLAlchemy URL or Engine otherwise (the app passes the engine of
  ``st.connection("measurements", type="sql")``). Saving is atomic, concurrent writers lose
  nothing, a re-save of the same (patient, observer, session, level) is a correction whose old
  value goes to a history table, deletion is explicit and recorded too. An older database is
  upgraded when opened (`SCHEMA_VERSION`).
* CSV export/import (`MeasurementStore.export_csv`, `MeasurementStore.import_csv`,
  `read_measurements`): the way to carry measurements off an ephemeral disk; exports are safe to
  open in a spreadsheet (`vbq.export.neutralise_frame`), imports are validated cell by cell and
  reported by row and column. Slices are numbered from 1 in every export and on every screen
  (``slice_number``, `with_slice_numbers`), as PACS viewers count images; the database and
  `ROIMeasurement` keep ``slice_index``, counted from 0, and an older CSV with ``slice_index``
  is read as the same slice.
* Who may change what (`may_change`, `Editor`, `editor_for`, `observer_code`): with sign-in
  configured, each person saves under their own observer code and imports or deletes only
  their own readings, unless they administer the database; without it, anyone can.
* `to_cohort_si` / `merge_into_cohort`: measured SIs as the cohort's ``si_l1..si_l4, si_csf,
  csf_level, collapsed_l1..l4`` columns, so a measured patient and a spreadsheet patient go
  through `vbq.prepare_cohort` identically: one primary reading per patient by default, or the
  mean; readings from flagged series marked or left out; the rules in words (`CohortMerge`).
* `blinding`, `reading_status`, `session_seed`: reading a worklist blind (issue 19): whether a
  reading is made blind and which earlier readings of the patient are hidden from its reader,
  each study's status for one observer and session ("not read", "read", "flagged"), and the
  seed of a repeat session's shuffled order.
* `reading_vbq`, `vbq_wide`, `intra_observer_vbq`, `inter_observer_vbq`, `reliability`: VBQ per
  reading and the intra- and inter-observer agreement (`vbq.stats.icc`,
  `vbq.stats.bland_altman`) computed from the stored readings; `reading_placement` and
  `suggested_vs_manual_vbq` (`PLACEMENTS`): readings made by accepting suggested ROIs against
  hand-placed ones, for the same agreement.

The subpackage's private modules: ``_records`` (one reading), ``_csv`` (the fields, validation,
the CSV), ``_import`` (the import read in slices, its limits), ``_access`` (who may change what),
``_store`` (the SQL store), ``_merge`` (into the cohort), ``_blinding`` and ``_reliability``.
Importing
`vbq.measurements` loads neither `vbq.export`/`vbq.present` nor `vbq.stats`: the reliability names
load ``_reliability`` (which imports `vbq.stats`) when first used (PEP 562 ``__getattr__``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..schema import SEQUENCE_FAMILIES, sequence_family
from ._access import ACTIONS, Editor, Permission, editor_for, may_change, observer_code
from ._blinding import STATUSES, Blinding, blinding, reading_status, session_seed
from ._csv import (
    HISTORY_COLUMNS,
    MEASUREMENT_COLUMNS,
    read_measurements,
    validate_measurements,
    with_slice_numbers,
    write_measurements,
)
from ._import import IMPORT_MAX_BYTES, IMPORT_MAX_ROWS
from ._merge import (
    COHORT_SI_COLUMNS,
    COMBINE,
    CohortMerge,
    describe_flags,
    merge_into_cohort,
    to_cohort_si,
)
from ._records import (
    KEY_COLUMNS,
    ROI_LEVELS,
    ROI_SOURCES,
    ROIMeasurement,
    SaveResult,
    reading_from_rois,
    series_provenance,
)
from ._store import SCHEMA_VERSION, MeasurementStore, _default_path, default_url, open_store

if TYPE_CHECKING:  # loaded on first use, see __getattr__
    from ._reliability import (
        PLACEMENTS,
        ReliabilityResult,
        inter_observer_vbq,
        intra_observer_vbq,
        reading_placement,
        reading_vbq,
        reliability,
        suggested_vs_manual_vbq,
        vbq_wide,
    )

__all__ = [
    "SCHEMA_VERSION",
    "ROI_LEVELS",
    "MEASUREMENT_COLUMNS",
    "KEY_COLUMNS",
    "HISTORY_COLUMNS",
    "DEFAULT_PATH",
    "default_url",
    "ROI_SOURCES",
    "ROIMeasurement",
    "reading_from_rois",
    "series_provenance",
    "SEQUENCE_FAMILIES",
    "sequence_family",
    "SaveResult",
    "MeasurementStore",
    "open_store",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "ACTIONS",
    "Editor",
    "Permission",
    "editor_for",
    "may_change",
    "observer_code",
    "validate_measurements",
    "read_measurements",
    "write_measurements",
    "with_slice_numbers",
    "COHORT_SI_COLUMNS",
    "to_cohort_si",
    "merge_into_cohort",
    "CohortMerge",
    "COMBINE",
    "describe_flags",
    "blinding",
    "Blinding",
    "reading_status",
    "STATUSES",
    "session_seed",
    "reading_vbq",
    "vbq_wide",
    "intra_observer_vbq",
    "inter_observer_vbq",
    "reliability",
    "ReliabilityResult",
    "reading_placement",
    "suggested_vs_manual_vbq",
    "PLACEMENTS",
]

DEFAULT_PATH: Path  # given by __getattr__ below, each time it is read
"""Path of the default SQLite database, ``measurements.sqlite`` in the per-user data folder
(see `default_url`); computed when read, so it follows ``VBQ_DATA_DIR`` at that time."""

_RELIABILITY = frozenset({"reading_vbq", "vbq_wide", "intra_observer_vbq", "inter_observer_vbq",
                          "reliability", "ReliabilityResult", "reading_placement",
                          "suggested_vs_manual_vbq", "PLACEMENTS"})


def __getattr__(name: str) -> Any:
    # DEFAULT_PATH follows the environment at the time it is read, so setting VBQ_DATA_DIR after
    # `import vbq` (a notebook, a test, a server's start script) is obeyed
    if name == "DEFAULT_PATH":
        return _default_path()
    if name in _RELIABILITY:
        value = getattr(importlib.import_module("._reliability", __name__), name)
        globals()[name] = value  # once loaded, an ordinary attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
