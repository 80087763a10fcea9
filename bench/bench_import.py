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
import resource
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


def _run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(rounds: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds per command over `rounds` interleaved rounds (after one
    warm-up round that fills the operating system's file cache)."""
    for args in COMMANDS.values():
        _run(args)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, args in COMMANDS.items():
            runs[name].append(_run(args))
    return {name: (statistics.median(w for w, _ in times), statistics.median(c for _, c in times))
            for name, times in runs.items()}


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
    peer_wall, peer_cpu = medians["import pandas (peer)"]
    print(f"{'command':<28}{'wall s':>9}{'x pandas':>10}{'CPU s':>9}{'x pandas':>10}")
    for name, (wall, cpu) in medians.items():
        print(f"{name:<28}{wall:>9.3f}{wall / peer_wall:>10.2f}{cpu:>9.3f}{cpu / peer_cpu:>10.2f}")
    worst = max(medians[k][0] / peer_wall for k in ("import vbq", "python -m vbq --help"))
    print(f"target: import vbq and --help at most {TARGET} x import pandas (wall); worst {worst:.2f} "
          f"({'met' if worst <= TARGET else 'NOT met'}); medians of {args.rounds} rounds. "
          "CPU time (user + system) is shown beside it: steadier when the machine is shared.")
    if args.importtime:
        print("\nslowest imports under `import vbq` (cumulative us):")
        for us, name in importtime():
            print(f"{us:>10}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
