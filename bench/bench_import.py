"""Benchmark: the cost of ``import vbq`` and ``python -m vbq --help`` against importing pandas.

Each command runs in a fresh interpreter (a subprocess: an import is paid once per process), the
three interleaved round by round so that a burst of load on the shared machine hits them alike;
the figure is the median wall time over the rounds, and the ratio to ``python -c "import pandas"``
measured in the same run is what the target is written in.

Run: .venv/bin/python bench/bench_import.py [--rounds 21] [--importtime]
``--importtime`` also prints the modules costing most under ``python -X importtime -c "import
vbq"`` (cumulative microseconds, as CPython reports them), to find what to make lazy.
Target (issue 17): ``import vbq`` and ``python -m vbq --help`` at most 1.3 x ``import pandas``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

TARGET = 1.3

COMMANDS: dict[str, list[str]] = {
    "import pandas (peer)": ["-c", "import pandas"],
    "import vbq": ["-c", "import vbq"],
    "python -m vbq --help": ["-m", "vbq", "--help"],
    "import vbq.imaging": ["-c", "import vbq.imaging"],
    "import vbq.measurements": ["-c", "import vbq.measurements"],
}
"""What is timed; the first is the peer the others are divided by. The target applies to the two
after it; imaging and measurements are shown so that a statistic creeping into them shows."""


def _run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(rounds: int) -> dict[str, float]:
    """Median seconds per command over `rounds` interleaved rounds (after one warm-up round that
    fills the operating system's file cache)."""
    for args in COMMANDS.values():
        _run(args)
    runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, args in COMMANDS.items():
            runs[name].append(_run(args))
    return {name: statistics.median(times) for name, times in runs.items()}


def importtime(top: int = 15) -> list[tuple[int, str]]:
    """The `top` modules by cumulative import time (microseconds) of ``import vbq``."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import vbq"],
                          check=True, capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        rows.append((int(cumulative), name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args(argv)
    medians = measure(args.rounds)
    peer = medians["import pandas (peer)"]
    print(f"{'command':<28}{'median s':>10}{'x pandas':>10}")
    for name, seconds in medians.items():
        print(f"{name:<28}{seconds:>10.3f}{seconds / peer:>10.2f}")
    worst = max(medians["import vbq"], medians["python -m vbq --help"]) / peer
    print(f"target: import vbq and --help at most {TARGET} x import pandas; worst {worst:.2f} "
          f"({'met' if worst <= TARGET else 'NOT met'}); {args.rounds} rounds")
    if args.importtime:
        print("\nslowest imports under `import vbq` (cumulative us):")
        for us, name in importtime():
            print(f"{us:>10}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
