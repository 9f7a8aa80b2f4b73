"""What a replay counted and measured, per partition and merged.

Handler timings are DDSketch quantile sketches (1% relative accuracy):
small, mergeable across partitions and workers, and their p50/p95/p99 do not
depend on how the input was cut. An event's time is the sum of its
handlers' times (the same in a run and in a baseline's `Timings`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from ddsketch import DDSketch

from .compare import DiffSummary

RELATIVE_ACCURACY = 0.01
BAD_LINES_KEPT = 100  # bad lines kept with their message; more are only counted
QUANTILES = (0.5, 0.95, 0.99)


class HandlerTimes:
    """Per-handler sketches of run times, in microseconds."""

    def __init__(self) -> None:
        self.sketches: dict[str, DDSketch] = {}
        self.total: dict[str, float] = {}  # seconds spent in each handler

    def add(self, handler: str, seconds: float) -> None:
        sketch = self.sketches.get(handler)
        if sketch is None:
            sketch = self.sketches[handler] = DDSketch(RELATIVE_ACCURACY)
            self.total[handler] = 0.0
        sketch.add(seconds * 1e6)
        self.total[handler] += seconds

    def merge(self, other: HandlerTimes) -> None:
        for handler, sketch in other.sketches.items():
            mine = self.sketches.get(handler)
            if mine is None:
                self.sketches[handler] = sketch
                self.total[handler] = other.total[handler]
            else:
                mine.merge(sketch)
                self.total[handler] += other.total[handler]

    def handlers(self) -> list[str]:
        return sorted(self.sketches)

    def count(self, handler: str) -> int:
        return int(self.sketches[handler].count)

    def quantile(self, handler: str, q: float) -> float:
        """The q-quantile of the handler's time, in microseconds."""
        return float(self.sketches[handler].get_quantile_value(q) or 0.0)

    def events_per_second(self, handler: str) -> float:
        """How many events a second the handler alone could take."""
        total = self.total[handler]
        return self.count(handler) / total if total > 0 else 0.0


@dataclass(order=True)
class SlowEvent:
    seconds: float  # the sum of its handlers' times
    file: str = field(compare=False)
    line: int = field(compare=False)
    event_type: str = field(compare=False)
    handlers: tuple[tuple[str, float], ...] = field(compare=False)  # (handler, seconds)
    baseline_seconds: float | None = field(default=None, compare=False)


@dataclass
class PartitionStats:
    index: int = 0
    events: int = 0  # valid requests run
    blocked: int = 0  # responses with BlockExecution true
    exceptions: int = 0  # responses with an Exception (a handler failed)
    bad: int = 0  # lines that are not valid requests
    bad_lines: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, problem), the first ones
    worker: str = ""  # where it ran
    seconds: float = 0.0  # time the worker spent on it
    timings: HandlerTimes | None = None
    baseline_timings: HandlerTimes | None = None
    slowest: list[SlowEvent] = field(default_factory=list)  # a min-heap while running
    keep_slowest: int = 20
    diff: DiffSummary | None = None

    def add_bad(self, file: str, line: int, problem: str) -> None:
        self.bad += 1
        if len(self.bad_lines) < BAD_LINES_KEPT:
            self.bad_lines.append((file, line, problem))

    def add_slow(self, event: SlowEvent) -> None:
        if len(self.slowest) < self.keep_slowest:
            heapq.heappush(self.slowest, event)
        elif event > self.slowest[0]:
            heapq.heapreplace(self.slowest, event)


@dataclass
class RunStats(PartitionStats):
    """Every partition's stats, merged in input order."""

    partitions: int = 0
    workers_seen: set[str] = field(default_factory=set)

    def merge(self, later: PartitionStats) -> None:
        self.partitions += 1
        self.workers_seen.add(later.worker)
        self.events += later.events
        self.blocked += later.blocked
        self.exceptions += later.exceptions
        self.bad += later.bad
        self.bad_lines.extend(later.bad_lines[:max(0, BAD_LINES_KEPT - len(self.bad_lines))])
        self.timings = _merged(self.timings, later.timings)
        self.baseline_timings = _merged(self.baseline_timings, later.baseline_timings)
        for event in later.slowest:
            self.add_slow(event)
        if later.diff is not None:
            if self.diff is None:
                self.diff = DiffSummary(shown=later.diff.shown)
            self.diff.merge(later.diff)

    def slowest_events(self) -> list[SlowEvent]:
        return sorted(self.slowest, reverse=True)


def _merged(mine: HandlerTimes | None, theirs: HandlerTimes | None) -> HandlerTimes | None:
    if theirs is None:
        return mine
    if mine is None:
        mine = HandlerTimes()
    mine.merge(theirs)
    return mine


# ------------------------------------------------------- side by side

DEFAULT_SLOWER_PERCENT = 50.0  # short runs on a shared machine vary by 20-40% between two runs of the same tree
MIN_SAMPLES = 20  # fewer runs of a handler than this in a run: too few to call it slower


@dataclass
class TimingRow:
    handler: str
    current: tuple[int, float, float, float, float] | None  # count, p50, p95, p99 (µs), events/s
    baseline: tuple[int, float, float, float, float] | None

    def growth(self, position: int) -> float | None:
        """current / baseline of p50 (position 1) or p95 (2); None when not both measured."""
        if self.current is None or self.baseline is None or self.baseline[position] <= 0:
            return None
        if min(self.current[0], self.baseline[0]) < MIN_SAMPLES:
            return None
        return self.current[position] / self.baseline[position]

    def slower(self, percent: float) -> bool:
        limit = 1 + percent / 100
        return any((growth or 0) > limit for growth in (self.growth(1), self.growth(2)))


def _figures(times: HandlerTimes | None, handler: str) -> tuple[int, float, float, float, float] | None:
    if times is None or handler not in times.sketches:
        return None
    return (times.count(handler), *(times.quantile(handler, q) for q in QUANTILES), times.events_per_second(handler))


def timing_rows(current: HandlerTimes | None, baseline: HandlerTimes | None) -> list[TimingRow]:
    handlers = sorted({*(current.sketches if current else ()), *(baseline.sketches if baseline else ())})
    return [TimingRow(handler, _figures(current, handler), _figures(baseline, handler)) for handler in handlers]


def timing_lines(rows: list[TimingRow], percent: float) -> list[str]:
    """The per-handler table for a terminal: this run, and the baseline beside it."""
    if not rows:
        return []
    with_baseline = any(row.baseline is not None for row in rows)
    width = max(len(row.handler) for row in rows)
    head = f"{'handler (µs)':<{width}}  {'p50':>8} {'p95':>8} {'p99':>8} {'events/s':>10}"
    lines = [head + (f"   {'base p50':>8} {'p95':>8} {'p99':>8} {'events/s':>10}" if with_baseline else "")]
    for row in rows:
        line = f"{row.handler:<{width}}  {_cells(row.current)}"
        if with_baseline:
            line += f"   {_cells(row.baseline)}"
            if row.slower(percent):
                line += "  slower"
        lines.append(line)
    slower = [row for row in rows if row.slower(percent)]
    if with_baseline:
        lines.append(f"slower than the baseline by more than {percent:g}% (p50 or p95): "
                     + (", ".join(f"{row.handler} ({_growth_text(row)})" for row in slower) if slower else "none"))
    return lines


def _cells(figures: tuple[int, float, float, float, float] | None) -> str:
    if figures is None:
        return f"{'-':>8} {'-':>8} {'-':>8} {'-':>10}"
    _, p50, p95, p99, rate = figures
    return f"{p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {rate:>10,.0f}"


def _growth_text(row: TimingRow) -> str:
    parts = []
    for name, position in (("p50", 1), ("p95", 2)):
        growth = row.growth(position)
        if growth is not None:
            parts.append(f"{name} {growth - 1:+.0%}")
    return ", ".join(parts)
