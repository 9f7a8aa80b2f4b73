"""Run every benchmarks/bench_*.py, one after the other, each in its own process.

    .venv/bin/python benchmarks/run.py            # all
    .venv/bin/python benchmarks/run.py programs   # only bench_programs.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    status = 0
    for bench in sorted(HERE.glob("bench_*.py")):
        if wanted and bench.stem.removeprefix("bench_") not in wanted:
            continue
        print(f"== {bench.name}", flush=True)
        status |= subprocess.call([sys.executable, str(bench)])
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
