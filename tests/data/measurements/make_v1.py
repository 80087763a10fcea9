"""How ``v1.sqlite`` was made: a measurement database written by VBQ Explorer at commit 7ddef1d
(layout version 1, before each reading's provenance was stored), kept so that a test opens it
with today's code (`tests/test_measurements.py::test_a_version_1_database_is_upgraded...`).

Run with that commit's ``vbq`` first on the path (``git archive 7ddef1d vbq | tar -x -C OLD``,
then ``PYTHONPATH=OLD python tests/data/measurements/make_v1.py OUT.sqlite``). Two readings of
one synthetic patient, a correction (one history row) and a deletion; every value is made up.
"""

import datetime as dt
import sqlite3
import sys

from vbq.measurements import SCHEMA_VERSION, MeasurementStore, ROIMeasurement

assert SCHEMA_VERSION == 1
when = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
rows = [ROIMeasurement("VBQ-001", "AB", 1, lv, si, csf_level="L3" if lv == "CSF" else None,
                       slice_index=7, radius_mm=8.0, series_fingerprint="ab" * 32,
                       field_strength_t=1.5, tr_ms=600.0, te_ms=10.0, measured_at=when,
                       software_version="0.1.0")
        for lv, si in [("L1", 300.0), ("L2", 320.0), ("L3", 310.0), ("L4", 330.0),
                       ("CSF", 110.0)]]
with MeasurementStore(sys.argv[1]) as store:
    store.save(rows)
    store.save([ROIMeasurement("VBQ-001", "AB", 1, "L2", 325.0, measured_at=when,
                               software_version="0.1.0")], reason="ROI moved off a vein")
    store.save([ROIMeasurement("VBQ-002", "CD", 2, "L1", 280.0, measured_at=when,
                               software_version="0.1.0")])
    store.delete("VBQ-002", observer="CD", session=2, reason="wrong patient")
con = sqlite3.connect(sys.argv[1])
con.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
con.execute("VACUUM")
con.close()
