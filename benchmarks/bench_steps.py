"""What the sandbox costs: steps per second of an empty CRMScript loop (the
figure behind Limits.steps and runtime.limits.STEPS_PER_SECOND), and how long a
minimal script run takes (the fixed cost of every trigger run).

    .venv/bin/python benchmarks/bench_steps.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_seconds  # noqa: E402

import engine  # noqa: E402
from engine.runtime.context import Limits, RunContext  # noqa: E402

LOOP = "Integer n = 0; while (n < 1000000) { n++; }"
CALLS = "Void f() { } for (Integer i = 0; i < 300000; i++) { f(); }"


def main() -> int:
    loop = engine.compile_script(LOOP, "loop.crm")
    calls = engine.compile_script(CALLS, "calls.crm")
    empty = engine.compile_script("", "empty.crm")
    event = engine.EventData()
    seconds = median_seconds(loop.run)
    print(f"empty while loop: {1_000_000 / seconds / 1e6:.1f} M iterations (steps) per second")
    seconds = median_seconds(calls.run)
    print(f"Void function calls: {300_000 * 2 / seconds / 1e6:.1f} M steps per second (call + loop)")
    default = Limits().steps
    print(f"default step limit {default:,}: about {default / (1_000_000 / median_seconds(loop.run)):.1f} s of looping")
    seconds = median_seconds(lambda: [empty.run(event) for _ in range(10_000)])
    print(f"empty script run: {seconds / 10_000 * 1e6:.2f} us (RunContext, namespace, limits)")
    context = RunContext()
    seconds = median_seconds(lambda: [empty.run(context=context) for _ in range(10_000)])
    print(f"empty script run with a given context: {seconds / 10_000 * 1e6:.2f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
