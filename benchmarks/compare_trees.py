"""Run one benchmark alternately in two checkouts and compare the medians.

    .venv/bin/python benchmarks/compare_trees.py BASE_TREE [--rounds N] [--bench programs|events|run_boundary]

BASE_TREE is another checkout with its own .venv (e.g. a worktree of main:
`git worktree add ../base main && make -C ../base .venv/.installed`). Each
round runs the benchmark once in each checkout, in turns (the order flips
every round), so a busy machine hurts both sides alike; the report is the
median of every figure the benchmark prints, per side, and new/base.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

# What to read from each benchmark's output: (name, value) per line.
PATTERNS = {
    "programs": re.compile(r"(P\d .+?)\s{2,}[\d.]+ms\s+[\d.]+ms\s+([\d.]+)"),  # the CRMScript/Python ratio
    "events": re.compile(r"\s*(.+?)\s{2,}([\d.]+) us/event"),  # the best round, us/event
    "run_boundary": re.compile(r"(.+?)\s{2,}([\d.]+) µs"),
}


def run_once(tree: Path, bench: str) -> dict[str, float]:
    python = tree / ".venv" / "bin" / "python"
    out = subprocess.run([str(python), f"benchmarks/bench_{bench}.py"], cwd=tree,
                         capture_output=True, text=True, check=True).stdout
    return {m[1].strip(): float(m[2]) for line in out.splitlines() if (m := PATTERNS[bench].match(line))}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", type=Path)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--bench", choices=sorted(PATTERNS), default="programs")
    args = parser.parse_args()
    trees = {"base": args.base.resolve(), "new": HERE}
    figures: dict[str, dict[str, list[float]]] = {"base": {}, "new": {}}
    for round_ in range(args.rounds):
        for side in (("base", "new") if round_ % 2 == 0 else ("new", "base")):
            for name, value in run_once(trees[side], args.bench).items():
                figures[side].setdefault(name, []).append(value)
    what = "CRMScript/Python ratio" if args.bench == "programs" else "time"
    print(f"bench_{args.bench}.py, {args.rounds} rounds alternating, medians of the {what}:")
    for name, values in figures["base"].items():
        base, new = statistics.median(values), statistics.median(figures["new"].get(name, [float("nan")]))
        print(f"  {name:<44} base {base:8.3f}  new {new:8.3f}  new/base {new / base:5.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
