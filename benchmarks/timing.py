"""Timing helpers shared by the benchmark programs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def seconds(fn: Callable[[], object]) -> float:
    """The wall time of one call of fn."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_seconds(fn: Callable[[], object], repeats: int = 5) -> float:
    """The median wall time of `repeats` calls of fn."""
    return statistics.median(seconds(fn) for _ in range(repeats))
