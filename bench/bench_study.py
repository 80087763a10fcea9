"""Benchmark: the complete study analysis as issue 3 lists it (`vbq.study.analyse(...,
reliability=False)`: Table 2 with ANCOVA, Table 3, both ROC targets for VBQ and HU with paired
DeLong, prevalence shift, Table 5), and with the ICC reliability added, on the 235-patient demo
and scaled to 100,000 patients (demo rows resampled with new IDs). Medians of repeated runs.

Run: .venv/bin/python bench/bench_study.py
Target (issue 3): under 50 ms at n = 235; near-linear growth to 100,000.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd

import vbq


def _time(f, repeat: int) -> float:
    f()  # warm-up
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def scaled(cohort: pd.DataFrame, dxa: pd.DataFrame, n: int, seed: int = 0):
    """`n` patients resampled from the demo, with fresh pseudonymous IDs."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(cohort), n)
    ids = [f"S{i:07d}" for i in range(n)]
    c = cohort.iloc[idx].reset_index(drop=True).assign(patient_id=ids)
    d = dxa.set_index("patient_id").loc[cohort["patient_id"].iloc[idx]].reset_index(drop=True)
    return c, d.assign(patient_id=ids)


def main() -> None:
    cohort, dxa = vbq.demo.load()
    cohort, _ = vbq.io.coerce_cohort(cohort)
    dxa, _ = vbq.io.coerce_dxa(dxa)
    print(f"{'n':>8} {'prepare (s)':>12} {'analyse (s)':>12} {'+ ICC (s)':>10} "
          f"{'analyse / n (us)':>17}")
    base = None
    for n in (235, 1_000, 10_000, 100_000):
        c, d = (cohort, dxa) if n == 235 else scaled(cohort, dxa, n)
        table = vbq.prepare(c, d)
        repeat = 40 if n <= 1_000 else 5 if n <= 10_000 else 3
        tp = _time(lambda c=c, d=d: vbq.prepare(c, d), max(1, repeat // 2))
        ta = _time(lambda t=table: vbq.study.analyse(t, reliability=False), repeat)
        tr = _time(lambda t=table: vbq.study.analyse(t), repeat)
        per = ta / n * 1e6
        base = base or per
        print(f"{n:>8} {tp:>12.4f} {ta:>12.4f} {tr:>10.4f} {per:>17.2f}")
    print("target: analyse under 0.050 s at n = 235; per-patient time should not grow with n")


if __name__ == "__main__":
    main()
