"""Benchmark: formatting and exporting the study's tables (`vbq.present.study_tables`,
`vbq.export.tables_xlsx`, `vbq.export.study_docx`) and exporting a long listing
(`vbq.export.frame_csv` / `frame_xlsx` of the analysis table), on the 235-patient demo and at
10,000 patients (demo rows resampled with new IDs, as bench_study.py).

The peer, measured in the same run, is the analysis itself (`vbq.study.analyse`), so the figures
say what presentation adds to computing the study, and pandas' own ``DataFrame.to_csv`` for the
listing. Medians of repeated runs.

Run: .venv/bin/python bench/bench_present.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_time
from bench_study import scaled

import vbq
import vbq.export as export
import vbq.present as present


def main() -> None:
    cohort, dxa = vbq.demo.load()
    for n in (235, 10_000):
        c, d = (cohort, dxa) if n == 235 else scaled(cohort, dxa, n)
        prepared = vbq.prepare_cohort(c, d)
        analysis = vbq.study.analyse(prepared, reliability=False)
        repeat = 5 if n == 235 else 3
        t_analyse = median_time(lambda p=prepared: vbq.study.analyse(p, reliability=False), repeat)
        t_tables = median_time(lambda a=analysis, p=prepared: present.study_tables(a, p), repeat)
        tables = present.study_tables(analysis, prepared)
        t_xlsx = median_time(lambda t=tables: export.tables_xlsx(t), repeat)
        t_docx = median_time(lambda a=analysis, p=prepared: export.study_docx(a, p), repeat)
        table = prepared.table
        t_pandas = median_time(lambda t=table: t.to_csv(index=False), repeat)
        t_csv = median_time(lambda t=table: export.frame_csv(t), repeat)
        t_big = median_time(lambda t=table: export.frame_xlsx(t), 1 if n > 235 else repeat)
        print(f"n = {n:>6}: analyse {1e3 * t_analyse:7.1f} ms | study_tables "
              f"{1e3 * t_tables:6.1f} ms | tables_xlsx {1e3 * t_xlsx:6.1f} ms | study_docx "
              f"{1e3 * t_docx:6.1f} ms")
        print(f"           analysis table {table.shape[0]} x {table.shape[1]}: frame_csv "
              f"{1e3 * t_csv:7.1f} ms (pandas to_csv {1e3 * t_pandas:7.1f} ms, ratio "
              f"{t_csv / t_pandas:.2f}) | frame_xlsx {1e3 * t_big:8.1f} ms")


if __name__ == "__main__":
    main()
