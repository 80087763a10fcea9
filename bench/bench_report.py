"""Benchmark: the study report (`vbq.report.build_report`) on the 235-patient demo and at 10,000
patients (demo rows resampled with new IDs, as bench_study does), with its size.

Beside it, in the same run, two peers: the analysis alone (`vbq.study.analyse`, which the report
includes), so the share the layout and the figures add is a ratio; and the figures written the
obvious way (`plotly.io.to_html(..., include_plotlyjs=True)` per figure), which embeds plotly's
JavaScript once per figure instead of once per file.

Run: .venv/bin/python bench/bench_report.py
Targets (issue 9): under 3 s and under 10 MB for the demo.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import plotly.io as pio

import vbq
import vbq.report

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_study import scaled  # a sibling script, not a package


def _time(f, repeat: int) -> tuple[float, object]:
    out = f()  # warm-up, and the value
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), out


def main() -> None:
    cohort, dxa = vbq.demo.load()
    print(f"{'n':>7} {'prepare':>9} {'analyse':>9} {'report':>9} {'report/analyse':>15} "
          f"{'size MB':>8} {'figure pts':>10} {'naive figs MB':>14}")
    for n, repeat in ((235, 5), (10_000, 2)):
        c, d = (cohort, dxa) if n == 235 else scaled(cohort, dxa, n)
        tp, prepared = _time(lambda c=c, d=d: vbq.prepare_cohort(c, d), repeat)
        ta, analysis = _time(lambda p=prepared: vbq.study.analyse(p), repeat)
        tr, html = _time(lambda p=prepared: vbq.report.build_report(
            p, timestamp="bench"), repeat)
        figs = vbq.report._figures(prepared, analysis)
        points = sum(len(tr_.x) for _, _, f in figs for tr_ in f.data if tr_.x is not None)
        naive = sum(len(pio.to_html(f, include_plotlyjs=True, full_html=True).encode())
                    for _, _, f in figs)
        size = len(html.encode("utf-8")) / 1e6
        print(f"{n:>7} {tp:>9.3f} {ta:>9.3f} {tr:>9.3f} {tr / ta:>15.1f} {size:>8.2f} "
              f"{points:>10} {naive / 1e6:>14.1f}")
    print("report = build_report from a prepared cohort (it runs the analysis, the tables, the "
          "figures and writes the HTML); targets: demo under 3 s and 10 MB")


if __name__ == "__main__":
    main()
