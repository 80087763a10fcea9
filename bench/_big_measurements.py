"""A large measurement CSV, written by seeded code, as `MeasurementStore.export_csv` writes one:
the lab-server case of issue 18 (104,000 ROI readings, about 100 MB).

Each ROI row carries every column of an export at full precision, with the longest plausible
provenance text (scanner names, the sequence, two series flags), so the file reaches the size
the issue reports. The benchmarks import this as ``from _big_measurements import write_csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from vbq.measurements import MEASUREMENT_COLUMNS

LEVELS = ("L1", "L2", "L3", "L4", "CSF")
OBSERVERS = ("AB", "CD", "EF", "GH")
HEADER = [("slice_number" if c == "slice_index" else c) for c in MEASUREMENT_COLUMNS]
MANUFACTURERS = ("SIEMENS HEALTHINEERS MAGNETIC RESONANCE DIVISION ERLANGEN GERMANY XX",
                 "GE MEDICAL SYSTEMS HEALTHCARE MAGNETIC RESONANCE WAUKESHA WISCONSIN X",
                 "PHILIPS MEDICAL SYSTEMS NEDERLAND BV MAGNETIC RESONANCE BEST THE NL X")
FLAGS = ";".join(["not_validated_sequence", "lossy_compression", "inversion_recovery",
                  "not_sagittal", "uncalibrated_intensity", "contrast_enhanced",
                  "fat_suppressed", "localizer_like", "unusual_field_strength",
                  "partial_coverage", "motion_artifact", "wrap_around", "low_snr_series",
                  "phase_oversampled"])


def rows(n_rows: int, seed: int = 0):
    """`n_rows` ROI rows (whole readings of five ROIs, patients read by up to four observers in
    two sessions; CD's first session made by accepting suggested ROIs, the others by hand), as
    lists of cells in `HEADER` order."""
    rng = np.random.default_rng(seed)
    per_patient = 5 * len(OBSERVERS) * 2
    n_patients = -(-n_rows // per_patient)
    written = 0
    for p in range(n_patients):
        pid = f"LAB-{p:06d}"
        maker = MANUFACTURERS[p % len(MANUFACTURERS)][:64]
        fingerprint = rng.bytes(64).hex()  # the longest the schema takes
        for observer in OBSERVERS:
            for session in (1, 2):
                # observer CD's first session accepted the suggested ROIs (Reliability's
                # suggested-vs-hand-placed comparison); every other reading is by hand
                source = "suggested" if (observer, session) == ("CD", 1) else "manual"
                sis = rng.normal(320.0, 40.0, 5)
                sis[4] = rng.normal(110.0, 10.0)
                for lv, si in zip(LEVELS, sis, strict=True):
                    if written == n_rows:
                        return
                    r, c = (float(v) for v in rng.uniform(60.0, 200.0, 2))
                    yield [pid, observer, session, lv, "L3" if lv == "CSF" else "",
                           int(rng.integers(6, 10)), repr(r), repr(c), repr(r * 0.9375),
                           repr(c * 0.9375), "8.0" if lv != "CSF" else "4.0", repr(float(si)),
                           repr(float(si) + float(rng.normal())), repr(abs(float(rng.normal(20.0, 4.0)))),
                           int(rng.integers(150, 260)), "no", fingerprint, "1.5", "520.0",
                           "12.0", f"2026-0{1 + p % 9}-1{p % 10}T10:{p % 60:02d}:00.000000Z",
                           "1.4.0", FLAGS, maker,
                           "MAGNETOM AVANTO FIT WITH TIM 4G AND DOT ENGINE LUMBAR SPINE COIL",
                           "SE\\IR\\GR\\EP\\RM SE\\IR\\GR\\EP\\RM SE\\IR\\GR\\EP\\RM SE\\IR\\GR",
                           "SK\\SP\\OSP\\MP\\SS\\TRSS SK\\SP\\OSP\\MP\\SS\\TRSS SK\\SP\\OSP\\MP", "", "130.0", "4.0",
                           source, "no"]
                    written += 1


def write_csv(path: Path, n_rows: int = 104_000, seed: int = 0) -> int:
    """Write the CSV; returns its size in bytes."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        out.writerows(rows(n_rows, seed))
    return Path(path).stat().st_size
