"""Cold start with the reference table: `crmscript run hello.crm`, and reading the table.

Each figure is a median over fresh processes (the machine is shared):
- run: the whole `crmscript run hello.crm` process (hello.crm prints one line);
  the table must not make it slower (issue 12: within 10% of before);
- load: `reference()` in a fresh process, reading engine/data/reference.json.gz;
- all members: taking every class and function of the table apart;
- with --against CHECKOUT: the same run with another checkout's engine
  (e.g. /work/main, through PYTHONPATH), the two alternating process by
  process, and the ratio (issue 12 phase 2: not slower by more than 10%).

    .venv/bin/python benchmarks/bench_reference.py [--runs N] [--against CHECKOUT]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

MEASURE_TABLE = """
import time
from engine.reference import reference
started = time.perf_counter()
ref = reference()
loaded = time.perf_counter()
count = sum(1 for _ in ref.members())
done = time.perf_counter()
print(loaded - started, done - loaded, count)
"""


def run_seconds(hello: Path, runs: int, checkouts: tuple[Path, ...] = (REPO_ROOT,)) -> list[float]:
    """Median seconds of `crmscript run hello.crm` per checkout, alternating between them."""
    command = [sys.executable, "-c", "from engine.cli import main; main()", "run", str(hello)]
    times: list[list[float]] = [[] for _ in checkouts]
    for _ in range(runs + 1):  # the first round warms the file cache and is not counted
        for index, checkout in enumerate(checkouts):
            env = {**os.environ, "PYTHONPATH": str(checkout)}
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=tempfile.gettempdir(), env=env)
            times[index].append(time.perf_counter() - started)
    return [statistics.median(found[1:]) for found in times]


def table_seconds(runs: int) -> tuple[float, float, int]:
    loads, builds, count = [], [], 0
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", MEASURE_TABLE], check=True, capture_output=True,
                             text=True, cwd=REPO_ROOT).stdout.split()
        loads.append(float(out[0]))
        builds.append(float(out[1]))
        count = int(out[2])
    return statistics.median(loads), statistics.median(builds), count


def main(argv: list[str]) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--runs", type=int, default=7)
    options.add_argument("--against", type=Path, help="another checkout to time side by side (e.g. /work/main)")
    args = options.parse_args(argv)
    checkouts = (REPO_ROOT, args.against) if args.against else (REPO_ROOT,)
    with tempfile.TemporaryDirectory() as folder:
        hello = Path(folder) / "hello.crm"
        hello.write_text('printLine("Hello, world");\n', encoding="utf-8")
        runs = run_seconds(hello, args.runs, checkouts)
    load, build, count = table_seconds(args.runs)
    print(f"crmscript run hello.crm   {runs[0] * 1000:8.1f} ms  (median of {args.runs} processes)")
    if args.against:
        print(f"  with {args.against}   {runs[1] * 1000:8.1f} ms  (alternating; ratio {runs[0] / runs[1]:.3f})")
    print(f"reference() load          {load * 1000:8.1f} ms")
    print(f"all {count} overloads     {build * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
