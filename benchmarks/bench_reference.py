"""Cold start with the reference table: `crmscript run hello.crm`, and reading the table.

Each figure is a median over fresh processes (the machine is shared):
- run: the whole `crmscript run hello.crm` process (hello.crm prints one line);
  the table must not make it slower (issue 12: within 10% of before);
- load: `reference()` in a fresh process, reading engine/data/reference.json.gz;
- all members: taking every class and function of the table apart.

    .venv/bin/python benchmarks/bench_reference.py [--runs N]
"""

from __future__ import annotations

import argparse
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


def run_seconds(hello: Path, runs: int) -> float:
    command = [sys.executable, "-c", "from engine.cli import main; main()", "run", str(hello)]
    times = []
    for _ in range(runs + 1):  # the first run warms the file cache and is not counted
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=tempfile.gettempdir())
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


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
    args = options.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        hello = Path(folder) / "hello.crm"
        hello.write_text('printLine("Hello, world");\n', encoding="utf-8")
        run = run_seconds(hello, args.runs)
    load, build, count = table_seconds(args.runs)
    print(f"crmscript run hello.crm   {run * 1000:8.1f} ms  (median of {args.runs} processes)")
    print(f"reference() load          {load * 1000:8.1f} ms")
    print(f"all {count} overloads     {build * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
