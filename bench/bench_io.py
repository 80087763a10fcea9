"""Benchmark: loading a large cohort, and the whole pipeline at 100,000 patients (issue 10).

1. `vbq.io.load_cohort` on a cohort CSV of 50,000 and 250,000 patients (the demo's rows
   resampled under new IDs, every column present) beside `pandas.read_csv` of the same bytes in
   the same run (the peer: a parse with type inference and no validation).
   Target: loading 50,000 rows within 3x `pandas.read_csv`.
2. The pipeline a user runs at 100,000 patients: load both files, validate, cross-check,
   `vbq.prepare_cohort`, `vbq.study.analyse`. Target: a few seconds.

Run: .venv/bin/python bench/bench_io.py [--quick]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_study import scaled

import vbq
import vbq.study


def files(n: int) -> tuple[bytes, bytes]:
    cohort, dxa = vbq.demo.load()
    c, d = scaled(cohort, dxa, n)
    return c.to_csv(index=False).encode(), d.to_csv(index=False).encode()


def load_vs_read_csv(n: int, repeat: int) -> None:
    """Both timed in alternation, `repeat` times each: wall time (best and median) and CPU time
    of this process (median; steadier on a shared machine, where the wall time also counts the
    waits for a core), with the load average when the runs ended."""
    cohort, _ = files(n)
    ours, peer, ours_cpu, peer_cpu = [], [], [], []

    def load() -> None:
        vbq.io.load_cohort(cohort, name="cohort.csv")

    def read() -> None:
        pd.read_csv(io.BytesIO(cohort))

    load(), read()  # warm-up
    for _ in range(repeat):
        for fn, wall, cpu in ((load, ours, ours_cpu), (read, peer, peer_cpu)):
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    med = statistics.median
    print(f"load_cohort {n:>7,} rows ({len(cohort) / 2**20:5.1f} MB): median {med(ours):5.2f} s "
          f"(best {min(ours):.2f})   pandas.read_csv median {med(peer):5.2f} s (best "
          f"{min(peer):.2f})   ratio of medians {med(ours) / med(peer):3.1f}x, of bests "
          f"{min(ours) / min(peer):3.1f}x, of CPU medians {med(ours_cpu) / med(peer_cpu):3.1f}x"
          f"   (load average {os.getloadavg()[0]:.1f})")


def pipeline(n: int, repeat: int) -> None:
    cohort_csv, dxa_csv = files(n)
    small = files(300)  # warm-up: imports (vbq.study loads scikit-learn, statsmodels) not timed
    c, _ = vbq.io.load_cohort(small[0])
    d, _ = vbq.io.load_dxa(small[1])
    vbq.study.analyse(vbq.prepare_cohort(c, d).table, reliability=False)
    steps: dict[str, list[float]] = {}

    def run() -> None:
        t = time.perf_counter()
        marks = []
        cohort, cr = vbq.io.load_cohort(cohort_csv, name="cohort.csv")
        dxa, dr = vbq.io.load_dxa(dxa_csv, name="dxa.csv")
        marks.append(("load + validate", time.perf_counter()))
        vbq.io.cross_check(cohort, dxa, cohort_rows=cr.rows, dxa_rows=dr.rows)
        marks.append(("cross-check", time.perf_counter()))
        prepared = vbq.prepare_cohort(cohort, dxa, validate=False)
        marks.append(("prepare_cohort", time.perf_counter()))
        vbq.study.analyse(prepared.table, reliability=False)
        marks.append(("study.analyse", time.perf_counter()))
        for name, m in marks:
            steps.setdefault(name, []).append(m - t)
            t = m

    for _ in range(repeat):
        run()
    total = sum(statistics.median(v) for v in steps.values())
    parts = ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in steps.items())
    print(f"pipeline {n:,} patients: {total:.2f} s ({parts})")


def main() -> None:
    quick = "--quick" in sys.argv
    load_vs_read_csv(50_000, 7)
    if not quick:
        load_vs_read_csv(250_000, 5)
        pipeline(100_000, 1)


if __name__ == "__main__":
    main()
