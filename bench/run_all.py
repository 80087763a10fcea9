"""Run every benchmark in bench/ in turn (make bench)."""

from __future__ import annotations

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script in sorted(HERE.glob("bench_*.py")):
    print(f"\n=== {script.name} ===")
    runpy.run_path(str(script), run_name="__main__")
