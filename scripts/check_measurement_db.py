"""Check the measurement database on a real server (PostgreSQL, say) before pointing the app at it.

Runs what tests/test_measurements.py checks on SQLite against any SQLAlchemy URL: save, correction
history, deletion, CSV round trip (server -> CSV -> SQLite, exact), the merge reproducing the
spreadsheet VBQ, and concurrent writers (threads, then processes) losing nothing. The suite itself
runs on SQLite only, so that it needs no server.

It DROPS the vbq_* tables of that database first and between steps: use an empty scratch database.

Run: .venv/bin/python scripts/check_measurement_db.py --reset postgresql+psycopg://user@host/scratch
(needs the driver: pip install "psycopg[binary]")
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import threading
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import vbq
from tests.test_measurements import (
    DEMO_IDS,
    FULL,
    _check_nothing_lost,
    _demo_measurements,
    _writer,
    reading,
)
from vbq.measurements import MeasurementStore, merge_into_cohort


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of an empty scratch database")
    parser.add_argument("--reset", action="store_true", required=True,
                        help="confirm that the vbq_* tables of that database may be dropped")
    url = parser.parse_args().url

    def reset() -> None:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for table in ("vbq_roi_history", "vbq_roi_measurements", "vbq_meta"):
                conn.execute(sa.text(f"drop table if exists {table}"))
        engine.dispose()

    reset()
    store = MeasurementStore(url)
    print(f"{store.url}: schema version {store.schema_version}")
    store.save(reading("VBQ-001", csf_level="L2", **FULL))
    res = store.save(reading("VBQ-001", sis=(300.0, 325.0, 310.0, 330.0), csf_level="L2", **FULL),
                     reason="moved")
    assert (res.corrected, res.unchanged) == (1, 4), res
    assert store.delete("VBQ-001", observer="AB", session=1, level="CSF", reason="x") == 1
    assert store.history()["change"].tolist() == ["corrected", "deleted"]
    text = store.export_csv()
    lite = MeasurementStore("sqlite://")
    lite.import_csv(text)
    pd.testing.assert_frame_equal(lite.load(), store.load())
    assert lite.export_csv() == text
    print("save, correction, deletion, history, CSV round trip: ok")

    cohort, dxa = vbq.demo.load()
    reset()
    store = MeasurementStore(url)
    store.save(_demo_measurements(cohort, DEMO_IDS))
    merged = merge_into_cohort(cohort, store)
    got = vbq.prepare_cohort(merged.cohort, dxa).table["vbq"]
    pd.testing.assert_series_equal(got, vbq.prepare_cohort(cohort, dxa).table["vbq"])
    store.close()
    print("merge into the cohort reproduces the spreadsheet VBQ: ok")

    workers, n_patients, n_shared = 6, 8, 5
    for kind in ("threads", "processes"):
        reset()
        MeasurementStore(url).close()
        if kind == "threads":
            runs = [threading.Thread(target=_writer, args=(url, w, n_patients, n_shared))
                    for w in range(workers)]
        else:
            runs = [multiprocessing.get_context("spawn").Process(
                target=_writer, args=(url, w, n_patients, n_shared)) for w in range(workers)]
        for r in runs:
            r.start()
        for r in runs:
            r.join()
        _check_nothing_lost(url, workers, n_patients, n_shared)
        print(f"{workers} concurrent writers ({kind}): nothing lost")


if __name__ == "__main__":
    main()
