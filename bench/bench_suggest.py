"""How well and how fast `vbq.imaging.suggest_rois` suggests ROIs, on SYNTHETIC phantoms held out
while it was developed. Plain script; prints the figures the README reports.

Run from the repository root: ``.venv/bin/python bench/bench_suggest.py [--seeds dev]``.

Each phantom is `vbq.phantom.make_varied_series(seed)`: varied lordosis, tilt, body and disc
sizes, canal, noise, surface-coil bias, matrix and pixel spacing, a collapsed level in one in
five, a transitional L5-S1 in three in ten. With an anchor, the reader's click is on L1 ... L5 in
turn, up to 4 mm from the body's middle (`vbq.phantom._judge.anchor_click`).

Figures: with one anchor click and without, how often every level is labelled right, every body
ROI lies inside its body, the CSF ROI inside the canal behind L3, and the VBQ from the accepted
ROIs lies within 2% of the truth; time per series against `load_series` of the same series
(the peer, in the same run). Targets (issue 19): all held-out phantoms right with an anchor, VBQ
within 2%, under a second per series.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from vbq import phantom
from vbq.imaging import load_series
from vbq.phantom._judge import DEVELOPMENT_SEEDS, HELD_OUT_SEEDS, judge


def _line(name: str, judged: list) -> str:
    n = len(judged)
    errors = np.array([j.vbq_error for j in judged])
    ok = np.isfinite(errors)
    return (f"{name:<32} {sum(j.labels_right for j in judged):>3}/{n} labels right, "
            f"{sum(j.bodies_inside for j in judged):>3}/{n} body ROIs inside, "
            f"{sum(j.csf_inside for j in judged):>3}/{n} CSF inside, "
            f"{int(np.sum(np.abs(errors[ok]) <= 0.02)):>3}/{n} VBQ within 2% "
            f"(largest |error| {np.max(np.abs(errors[ok])) if ok.any() else np.nan:.2%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", choices=("held-out", "dev"), default="held-out")
    seeds = HELD_OUT_SEEDS if parser.parse_args().seeds == "held-out" else DEVELOPMENT_SEEDS
    anchored, free, t_ours, t_peer = [], [], [], []
    for seed in seeds:
        drawn = phantom.make_varied_series(seed, n_slices=3)
        raw = phantom.series_bytes(drawn[0])
        start = time.perf_counter()
        load_series(raw)
        t_peer.append(time.perf_counter() - start)
        anchored.append(judge(seed, drawn, anchored=True))
        free.append(judge(seed, drawn, anchored=False))
        t_ours.append(anchored[-1].seconds)
    print(f"SYNTHETIC phantoms, seeds {seeds.start}-{seeds.stop - 1} "
          f"({'held out while developing' if seeds is HELD_OUT_SEEDS else 'development'}), "
          f"n = {len(seeds)}")
    print(_line("with one anchor click", anchored))
    print(_line("without an anchor", free))
    for kind in phantom.TRANSITIONAL:
        part = [f for f in free if f.transitional == kind]
        if part:
            print(f"  without an anchor, transitional L5-S1 {kind!r:<17}: "
                  f"{sum(f.labels_right for f in part)}/{len(part)} labels right")
    collapsed = [f for f in anchored if f.collapsed]
    print(f"  with an anchor, a collapsed level: {sum(f.meets_targets for f in collapsed)}/"
          f"{len(collapsed)} meet every target")
    ours, peer = float(np.median(t_ours)), float(np.median(t_peer))
    print(f"time per series: suggest_rois median {ours * 1000:.0f} ms (max "
          f"{max(t_ours) * 1000:.0f} ms); load_series of the same 3-slice series median "
          f"{peer * 1000:.0f} ms; ratio {ours / peer:.2f}")


if __name__ == "__main__":
    main()
