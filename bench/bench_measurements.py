"""Benchmark: the measurement database (`vbq.measurements`) on a SQLite file of 1,000 patients read
three times each (15,000 ROI rows), the size of a large reliability study.

Each operation beside a peer measured in the same run (the machines are shared and noisy; a ratio
is steadier than a time):

* save one reading (5 ROIs: validation, correction check, history, one transaction) vs a plain
  SQLAlchemy Core insert of the same 5 rows in one transaction, no validation;
* load every row into a typed DataFrame vs ``pandas.read_sql_table``;
* CSV export of every row vs ``DataFrame.to_csv``; CSV import (validated, saved in one
  transaction, every row unchanged) vs ``pandas.read_csv`` alone;
* merge of the demo cohort's 235 patients' measurements into the cohort, and VBQ per reading.

Run: .venv/bin/python bench/bench_measurements.py
Budget: saving a reading well under the 300 ms of a page rerun (issue 11).
"""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from _timing import median_time

import vbq
from vbq.measurements import (
    MeasurementStore,
    ROIMeasurement,
    merge_into_cohort,
    reading_vbq,
)

LEVELS = ("L1", "L2", "L3", "L4", "CSF")




def _reading(pid: str, observer: str, session: int, rng) -> list[ROIMeasurement]:
    sis = rng.normal(320, 40, 5)
    sis[4] = rng.normal(110, 10)
    return [ROIMeasurement(pid, observer, session, lv, float(si), slice_index=7,
                           centre_row_px=100.0, centre_col_px=80.0, radius_mm=6.0,
                           si_median=float(si), si_sd=20.0, pixel_count=230,
                           series_fingerprint="ab" * 32, field_strength_t=1.5, tr_ms=520.0,
                           te_ms=12.0) for lv, si in zip(LEVELS, sis, strict=True)]


def main() -> None:
    rng = np.random.default_rng(0)
    folder = Path(tempfile.mkdtemp())
    store = MeasurementStore(folder / "bench.sqlite")
    rows = []
    for i in range(1000):
        for observer, session in (("AB", 1), ("AB", 2), ("CD", 1)):
            rows += _reading(f"P{i:04d}", observer, session, rng)
    t0 = time.perf_counter()
    store.save(rows)
    print(f"fill: 15,000 ROI rows in one transaction: {time.perf_counter() - t0:.2f} s")

    counter = iter(range(10**6))

    def save_one():
        store.save(_reading(f"N{next(counter):06d}", "AB", 1, rng))

    peer_engine = sa.create_engine(f"sqlite:///{folder / 'peer.sqlite'}")
    meta = sa.MetaData()
    peer_table = sa.Table("rois", meta, *[sa.Column(c.name, c.type) for c in
                                          store_table_columns()])
    meta.create_all(peer_engine)
    peer_rows = [dict(r.__dict__) for r in _reading("X", "AB", 1, rng)]

    def peer_save():
        with peer_engine.begin() as conn:
            conn.execute(sa.insert(peer_table), peer_rows)

    t_save, t_peer = median_time(save_one, 20), median_time(peer_save, 20)
    print(f"save one reading: {1000 * t_save:.1f} ms; plain Core insert {1000 * t_peer:.1f} ms "
          f"({t_save / t_peer:.1f}x)")

    t_load = median_time(store.load, 5)
    t_peer = median_time(lambda: pd.read_sql_table("vbq_roi_measurements", store.engine), 5)
    print(f"load {len(store.load()):,} rows: {1000 * t_load:.0f} ms; pandas.read_sql_table "
          f"{1000 * t_peer:.0f} ms ({t_load / t_peer:.1f}x)")

    frame = store.load()
    text = store.export_csv()
    t_exp = median_time(store.export_csv, 3)
    t_peer = median_time(lambda: frame.to_csv(index=False), 3)
    print(f"export CSV: {1000 * t_exp:.0f} ms; DataFrame.to_csv {1000 * t_peer:.0f} ms "
          f"({t_exp / t_peer:.1f}x)")
    t_imp = median_time(lambda: store.import_csv(text.encode()), 3)
    t_peer = median_time(lambda: pd.read_csv(io.StringIO(text)), 3)
    print(f"import CSV (validated, all unchanged): {1000 * t_imp:.0f} ms; pandas.read_csv "
          f"{1000 * t_peer:.0f} ms ({t_imp / t_peer:.1f}x)")

    cohort, dxa = vbq.demo.load()
    demo = MeasurementStore("sqlite://")
    demo_rows = []
    for _, r in cohort.iterrows():
        sis = [r["si_l1"], r["si_l2"], r["si_l3"], r["si_l4"], r["si_csf"]]
        demo_rows += [ROIMeasurement(r["patient_id"], "AB", 1, lv, float(si))
                      for lv, si in zip(LEVELS, sis, strict=True)]
    demo.save(demo_rows)
    measured = demo.load()
    t_merge = median_time(lambda: merge_into_cohort(cohort, measured), 5)
    t_vbq = median_time(lambda: reading_vbq(frame), 5)
    print(f"merge 235 demo patients into the cohort: {1000 * t_merge:.0f} ms; VBQ of 3,000 "
          f"readings: {1000 * t_vbq:.0f} ms")
    store.close()


def store_table_columns():
    from vbq.measurements._store import _rois

    return list(_rois.columns)


if __name__ == "__main__":
    main()
