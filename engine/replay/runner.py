"""A whole replay: plan, count, run, merge, compare.

1. The input files are cut into partitions (byte ranges; inputs.py).
2. Workers count each partition's lines (a quick pass), so every partition
   knows the number of its first line and where its responses go in the
   output; with `--baseline`, the baseline's partitions are counted too and
   each input partition gets the slice of the baseline that answers it.
3. Workers run the partitions and write one part file each (or send the
   bytes back from a cluster); stats come back with them.
4. Each part file is appended to `--out` (or stdout) as soon as every
   earlier one is there, or stays in `--out-dir`; the stats are merged in
   input order.

The parent never reads, parses or writes a line itself.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .compare import CompareOptions
from .inputs import (
    STDIN,
    STDIN_LABEL,
    InputFile,
    Partition,
    ReplayError,
    expand_inputs,
    partition_size,
    plan_partitions,
)
from .job import ReplayJob, build_job
from .progress import ProgressBar
from .stats import RunStats
from .work import BaselineSlice, PartitionResult, PartitionTask

PART_NAME = "part-{:05d}.jsonl"
MANIFEST = "manifest.json"


@dataclass
class ReplayOptions:
    inputs: list[str]
    handlers_dir: os.PathLike | str
    workers: int = 1
    scheduler: str | None = None  # tcp://HOST:PORT of a Dask scheduler
    partition_bytes: int | None = None  # None: partition_size() for the workers at hand
    out: Path | None = None  # None: the stream given to run_replay
    out_dir: Path | None = None  # one file per partition, not joined
    timings: bool = False  # per-handler timings in each response line
    baseline: str | None = None
    compare: CompareOptions = field(default_factory=CompareOptions)
    measure: bool = False  # per-handler timings for the summary and the report
    slowest: int = 20
    fixture: os.PathLike | str | None = None  # the simulated CRM (docs/crm.md); travels with the job
    plugin_files: list[os.PathLike | str] = field(default_factory=list)  # --plugin files; travel with the job too
    stdin_label: str = STDIN_LABEL  # how messages name the input `-`


@dataclass
class ReplaySummary:
    stats: RunStats
    files: list[InputFile]
    partitions: int
    executor: str  # "2 workers", "Dask at tcp://..., 2 workers"
    seconds: float = 0.0
    baseline: str | None = None  # the baseline's label
    workers_lost: int = 0
    pool_restarts: int = 0

    # The summary's counts, by their old names (engine.testing.replay).
    @property
    def count(self) -> int:
        return self.stats.events

    @property
    def blocked(self) -> int:
        return self.stats.blocked

    @property
    def exceptions(self) -> int:
        return self.stats.exceptions

    @property
    def bad_lines(self) -> list[tuple[str, int, str]]:
        return self.stats.bad_lines

    @property
    def events_per_second(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    @property
    def differs(self) -> bool:
        return self.stats.diff is not None and self.stats.diff.any

    def text(self) -> str:
        lost = f"; {self.workers_lost} worker{'s' if self.workers_lost > 1 else ''} lost, their work redone" \
            if self.workers_lost else ""
        restarted = f"; worker processes died, {self.pool_restarts} new pool(s)" if self.pool_restarts else ""
        return (f"{self.count:,} events, {self.blocked:,} blocked, {self.exceptions:,} with exceptions, "
                f"{self.stats.bad:,} bad lines; {self.seconds:.2f}s, {self.events_per_second:,.0f} events/s "
                f"({self.executor}, {self.partitions} partition{'s' if self.partitions != 1 else ''}){lost}{restarted}")


class ReplayInterrupted(Exception):
    """Ctrl-C: what was done, and what the output holds."""

    def __init__(self, events_done: int, events_total: int, partitions_done: int, partitions: int,
                 written: int, target: str, in_order: bool = True):
        super().__init__("interrupted")
        self.events_done, self.events_total = events_done, events_total
        self.partitions_done, self.partitions = partitions_done, partitions
        self.written, self.target = written, target
        self.in_order = in_order  # the output is a prefix of the whole (not so: --out-dir's part files)

    def text(self) -> str:
        held = f"the first {self.written:,}" if self.in_order else f"{self.written:,} of them"
        return (f"interrupted: {self.events_done:,} of {self.events_total:,} lines answered "
                f"({self.partitions_done} of {self.partitions} partitions whole); {self.target} holds {held}")


def run_replay(options: ReplayOptions, stream: IO[bytes] | None = None, progress: ProgressBar | None = None,
               stdin: IO[bytes] | None = None) -> ReplaySummary:
    """Run the replay `options` describe; the responses go to `options.out`,
    `options.out_dir` or `stream`. An input `-` reads `stdin` (copied to a
    file first: workers read files)."""
    if STDIN not in options.inputs:
        return _run(options, stream, progress or ProgressBar(), None)
    with tempfile.NamedTemporaryFile(prefix="crmscript-replay-stdin-", suffix=".jsonl") as copy:
        shutil.copyfileobj(stdin if stdin is not None else sys.stdin.buffer, copy, 1 << 20)
        copy.flush()
        return _run(options, stream, progress or ProgressBar(), copy.name)


def _run(options: ReplayOptions, stream: IO[bytes] | None, progress: ProgressBar,
         stdin_copy: str | None) -> ReplaySummary:
    started = time.perf_counter()
    files = expand_inputs(options.inputs, stdin_copy, options.stdin_label)
    baseline = _baseline_file(options.baseline)
    job = build_job(options.handlers_dir, ship=options.scheduler is not None, fixture=options.fixture,
                    plugin_files=options.plugin_files,
                    timings=options.measure or baseline is not None, write_timings=options.timings,
                    compare=options.compare if baseline is not None else None, slowest=options.slowest)
    results: dict[int, PartitionResult] = {}
    interrupted = False
    with _executor(options, job) as executor:
        if options.partition_bytes:  # the user's size, for every partition
            partitions = plan_partitions(files, options.partition_bytes)
        else:
            size = partition_size(files, executor.workers)
            tail = size * executor.workers if executor.workers > 1 else 0  # one worker waits for nobody
            partitions = plan_partitions(files, size, tail_bytes=tail)
        progress.phase("counting lines", None)
        plan = _Plan(partitions, executor.count(partitions))
        if baseline is not None:
            base_parts = plan_partitions([baseline], options.partition_bytes or partition_size([baseline],
                                                                                              executor.workers))
            plan.add_baseline(base_parts, executor.count(base_parts, "count-baseline"))
        output = _Output(options, stream)

        def done(result: PartitionResult) -> None:
            plan.check(result)
            results[result.stats.index] = result
            output.add(result.stats.index, result.data)

        progress.phase("replaying", plan.total_events)
        try:
            executor.run(plan.tasks(output.parts_dir if executor.writes_parts else None), done, progress.set)
        except KeyboardInterrupt:
            interrupted = True
        except BaseException:
            output.close(failed=True)
            raise
        summary = ReplaySummary(RunStats(keep_slowest=options.slowest), files, len(partitions),
                                executor.description, baseline=baseline.label if baseline else None,
                                workers_lost=getattr(executor, "workers_lost", 0),
                                pool_restarts=getattr(executor, "restarts", 0))
    output.close()
    if interrupted:
        raise _interrupted(options, plan, results, output)
    for index in sorted(results):
        summary.stats.merge(results[index].stats)
    if summary.stats.diff is not None:
        summary.stats.diff.extra_baseline = max(0, plan.baseline_events - plan.total_events)
    if options.out_dir is not None:
        _write_manifest(options.out_dir, plan)
    summary.seconds = time.perf_counter() - started
    return summary


def _executor(options: ReplayOptions, job: ReplayJob) -> Any:
    if options.scheduler is not None:
        from .dask_cluster import DaskExecutor

        return DaskExecutor(job, options.scheduler)
    from .local import LocalExecutor

    return LocalExecutor(job, options.workers)


def _baseline_file(name: str | None) -> InputFile | None:
    if name is None:
        return None
    files = expand_inputs([name])
    if len(files) != 1:
        raise ReplayError(f"--baseline names {len(files)} files; give one", name)
    return files[0]


class _Plan:
    """Where each partition's lines and responses are, in the files and in the output."""

    def __init__(self, partitions: list[Partition], counts: list[Any]):
        self.partitions = partitions
        self.counts = counts
        self.first_lines: list[int] = []
        self.first_outputs: list[int] = []
        line_in_file: dict[str, int] = {}
        output = 0
        for partition, count in zip(partitions, counts, strict=True):
            self.first_lines.append(line_in_file.get(partition.file.path, 1))
            line_in_file[partition.file.path] = self.first_lines[-1] + count.lines
            self.first_outputs.append(output)
            output += count.events
        self.total_events = output  # response lines: every non-blank input line
        self.baseline_events = 0
        self._slices: list[BaselineSlice | None] = [None] * len(partitions)

    def add_baseline(self, parts: list[Partition], counts: list[Any]) -> None:
        starts, first_lines, line, events = [], [], 1, 0
        for count in counts:
            starts.append(events)
            first_lines.append(line)
            line += count.lines
            events += count.events
        self.baseline_events = events
        for index, (first, count) in enumerate(zip(self.first_outputs, self.counts, strict=True)):
            take = min(count.events, max(0, events - first))
            if take == 0:
                continue
            q = bisect.bisect_right(starts, first) - 1  # the last partition starting at or before it: holds it
            self._slices[index] = BaselineSlice(parts[q], first_lines[q], first - starts[q], take)

    def tasks(self, parts_dir: Path | None) -> list[PartitionTask]:
        return [PartitionTask(partition, first_line, self._slices[index],
                              None if parts_dir is None else str(parts_dir / PART_NAME.format(index)))
                for index, (partition, first_line) in enumerate(zip(self.partitions, self.first_lines, strict=True))]

    def check(self, result: PartitionResult) -> None:
        """Every non-blank line of a partition answered once, never a short
        or doubled output (the likely cause: the file changed meanwhile)."""
        expected = self.counts[result.stats.index].events
        got = result.stats.events + result.stats.bad
        if got != expected:
            partition = self.partitions[result.stats.index]
            raise ReplayError(f"changed while the replay ran? {partition.describe()} held {expected:,} requests "
                              f"when counted and {got:,} when run", partition.file.label)


class _Output:
    """Where the responses go. With --out-dir, the part files stay there.
    Else each part file is appended to the output (--out, or the stream) and
    removed as soon as every earlier one is there: the output grows in
    input order while the run goes on, and the end has nothing left to join."""

    def __init__(self, options: ReplayOptions, stream: IO[bytes] | None):
        self.out = options.out
        self.target: Any = None
        self.written = 0  # partitions in the output, from the first
        self._ready: set[int] = set()
        if options.out_dir is not None:
            options.out_dir.mkdir(parents=True, exist_ok=True)
            for stale in options.out_dir.glob("part-*.jsonl*"):
                stale.unlink()
            self.parts_dir, self.temporary = options.out_dir, False
            return
        near = options.out.resolve().parent if options.out is not None else None
        self.parts_dir, self.temporary = Path(tempfile.mkdtemp(prefix=".crmscript-replay-", dir=near)), True
        self.target = open(options.out, "wb") if options.out is not None else stream

    def part(self, index: int) -> Path:
        return self.parts_dir / PART_NAME.format(index)

    def add(self, index: int, data: bytes | None) -> None:
        """Partition `index` is whole (its part file written, or its bytes given)."""
        if data is not None:
            partial = self.part(index).with_name(PART_NAME.format(index) + ".partial")
            partial.write_bytes(data)
            os.replace(partial, self.part(index))
        if self.target is None:
            return
        self._ready.add(index)
        while self.written in self._ready:
            with open(self.part(self.written), "rb") as part:
                shutil.copyfileobj(part, self.target, 1 << 20)
            self.part(self.written).unlink()
            self.written += 1

    def close(self, failed: bool = False) -> None:
        """Done, or interrupted (what is written stays: a prefix of the full
        output), or `failed` (a half --out file is removed: not a result)."""
        for stray in self.parts_dir.glob("*.partial"):  # a partition a stopped worker was writing
            stray.unlink()
        if self.temporary:
            shutil.rmtree(self.parts_dir, ignore_errors=True)
        if self.target is not None:
            if self.out is not None:
                self.target.close()
            else:
                self.target.flush()
        if self.out is not None and failed:
            self.out.unlink(missing_ok=True)


def _write_manifest(folder: Path, plan: _Plan) -> None:
    parts = [{"part": PART_NAME.format(index), "input": partition.file.label, "start": partition.start,
              "end": partition.end, "first_line": plan.first_lines[index], "lines": plan.counts[index].lines,
              "responses": plan.counts[index].events}
             for index, partition in enumerate(plan.partitions)]
    (folder / MANIFEST).write_text(json.dumps({"parts": parts}, indent=1) + "\n", encoding="utf-8")


def _interrupted(options: ReplayOptions, plan: _Plan, results: dict[int, PartitionResult],
                 output: _Output) -> ReplayInterrupted:
    """What is whole stays: every part file in --out-dir, else the
    partitions from the first up to the first unfinished one, in the output."""
    if options.out_dir is not None:
        # every part file there is whole (a worker renames it when done), also
        # one whose worker finished as the run stopped, before the command heard
        whole = [index for index in range(len(plan.partitions)) if output.part(index).exists()]
        written = sum(plan.counts[index].events for index in whole)
        target = f"{options.out_dir} ({len(whole)} part files)"
    else:
        written = sum(plan.counts[index].events for index in range(output.written))
        target = str(options.out) if options.out is not None else "the output"
    done = sum(result.stats.events + result.stats.bad for result in results.values())
    return ReplayInterrupted(done, plan.total_events, len(results), len(plan.partitions), written, target,
                             in_order=options.out_dir is None)
