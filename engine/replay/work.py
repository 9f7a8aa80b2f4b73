"""What a worker does with one partition: count its lines, or run them.

`count_partition` is the cheap first pass (lines and events per partition,
so every partition knows its first line number and its place in the
output). `run_partition` reads the partition's lines from the input file,
runs each request through the job's Engine, writes one response a line
(to its own part file, or into the bytes it returns to a remote client),
and counts, measures and compares with the baseline as the job asks.
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import CRMScriptError
from ..eventdata import event_from_request, response_dict
from .compare import TIMINGS_MEMBER, DiffSummary, compare_response
from .inputs import (
    LineCount,
    Partition,
    ReplayError,
    count_lines,
    is_blank,
    lines_after,
    partition_lines,
)
from .job import ReplayJob, engine_for
from .stats import HandlerTimes, PartitionStats, SlowEvent

PROGRESS_EVERY = 256  # events between two progress reports of a worker

Progress = Callable[[int], None]


@dataclass(frozen=True)
class BaselineSlice:
    partition: Partition  # the baseline partition the slice starts in
    first_line: int  # line number of that partition's first line
    skip: int  # events (non-blank lines) of it that come before the slice
    take: int  # events in the slice


@dataclass(frozen=True)
class PartitionTask:
    partition: Partition
    first_line: int  # number of its first line in its file
    baseline: BaselineSlice | None = None
    part_path: str | None = None  # write the responses here; None: return them


@dataclass
class PartitionResult:
    stats: PartitionStats
    data: bytes | None = None  # the responses, when the task had no part_path


def count_partition(partition: Partition) -> LineCount:
    return count_lines(partition)


def run_partition(job: ReplayJob, task: PartitionTask, progress: Progress | None = None) -> PartitionResult:
    started = time.perf_counter()
    engine = engine_for(job)
    stats = PartitionStats(index=task.partition.index, worker=worker_name(), keep_slowest=job.slowest)
    if job.timings:
        stats.timings = HandlerTimes()
    if job.compare is not None:
        stats.diff = DiffSummary(shown=job.compare.shown)
    if task.part_path is None:
        sink: Any = io.BytesIO()
        _run_lines(engine, job, task, stats, sink.write, progress)
        data = sink.getvalue()
    else:
        partial = task.part_path + ".partial"
        with open(partial, "wb") as sink:
            _run_lines(engine, job, task, stats, sink.write, progress)
        os.replace(partial, task.part_path)  # a part file is whole or absent
        data = None
    stats.seconds = time.perf_counter() - started
    return PartitionResult(stats, data)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _run_lines(engine: Any, job: ReplayJob, task: PartitionTask, stats: PartitionStats,
               write: Callable[[bytes], Any], progress: Progress | None) -> None:
    label = task.partition.file.label
    baseline = _baseline_lines(task.baseline) if task.baseline is not None else None
    done = 0
    for number, raw in enumerate(partition_lines(task.partition), task.first_line):
        if is_blank(raw):
            continue
        body, event_type, runs = _answer(engine, job, raw, label, number, stats)
        write(_one_line_json(body))
        old = next(baseline, None) if baseline is not None else None
        if runs:
            _measure(stats, runs, label, number, event_type, _baseline_seconds(stats, old))
        if baseline is not None:
            _compare(stats, job, old, body, label, number, event_type)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
    if progress is not None and done % PROGRESS_EVERY:
        progress(done % PROGRESS_EVERY)


def _answer(engine: Any, job: ReplayJob, raw: bytes, label: str, number: int,
            stats: PartitionStats) -> tuple[dict, str, list]:
    """(response body, event type, handler runs) for one request line; a bad
    line's body is `{"Error": "FILE:LINE: problem", "File": ..., "Line": ...}`."""
    try:
        event = event_from_request(raw.rstrip(b"\r\n"), source=f"{label}:{number}")
        result = engine.run_chain(event) if job.timings else None
        answer = result.event if result is not None else engine.execute(event)
    except CRMScriptError as error:
        problem = error.message
    except Exception as error:  # an engine bug must not end a replay of a million lines
        problem = f"internal error: {type(error).__name__}: {error}"
    else:
        stats.events += 1
        stats.blocked += bool(answer.BlockExecution)
        stats.exceptions += bool(answer.Exception)
        body = response_dict(answer)
        runs = result.runs if result is not None else []
        if job.write_timings:
            body[TIMINGS_MEMBER] = {run.handler.name: round(run.seconds * 1e6, 1) for run in runs}
        return body, event.Type, runs
    stats.add_bad(label, number, problem)
    return {"Error": f"{label}:{number}: {problem}", "File": label, "Line": number}, "", []


def _measure(stats: PartitionStats, runs: list, label: str, number: int, event_type: str,
             baseline_seconds: float | None) -> None:
    assert stats.timings is not None
    total = 0.0
    for run in runs:
        stats.timings.add(run.handler.name, run.seconds)
        total += run.seconds
    if len(stats.slowest) < stats.keep_slowest or total > stats.slowest[0].seconds:
        handlers = tuple((run.handler.name, run.seconds) for run in runs)
        stats.add_slow(SlowEvent(total, label, number, event_type, handlers, baseline_seconds))


def _baseline_seconds(stats: PartitionStats, old: dict | None) -> float | None:
    """The baseline's time for this event (the sum of its Timings), which
    also go into the baseline's handler sketches; None without timings."""
    timings = old.get(TIMINGS_MEMBER) if old is not None else None
    if not isinstance(timings, dict) or not timings:
        return None
    if stats.baseline_timings is None:
        stats.baseline_timings = HandlerTimes()
    total = 0.0
    for handler, micro in timings.items():
        seconds = _micro(micro) / 1e6
        stats.baseline_timings.add(str(handler), seconds)
        total += seconds
    return total


def _compare(stats: PartitionStats, job: ReplayJob, old: dict | None, body: dict,
             label: str, number: int, event_type: str) -> None:
    assert stats.diff is not None and job.compare is not None
    if old is None:
        stats.diff.record_missing(label, number, event_type)
    else:
        stats.diff.record(label, number, event_type, compare_response(body, old, job.compare.ignore))


def _micro(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _baseline_lines(part: BaselineSlice) -> Iterator[dict]:
    """The responses of the slice's baseline lines, blank lines skipped."""
    label = part.partition.file.label
    skipped = taken = 0
    for number, raw in enumerate(lines_after(part.partition), part.first_line):
        if taken >= part.take:
            return
        if is_blank(raw):
            continue
        if skipped < part.skip:
            skipped += 1
            continue
        taken += 1
        try:
            body = json.loads(raw)
        except ValueError as error:
            raise ReplayError(f"not a response line of a replay: {error}", label, number) from None
        if not isinstance(body, dict):
            raise ReplayError("not a response line of a replay (a JSON object)", label, number)
        yield body


def _one_line_json(body: dict) -> bytes:
    """Compact JSON and a newline, UTF-8, non-ASCII kept as is; \\u escapes only
    when the text holds lone surrogates (valid JSON escapes, but not UTF-8)."""
    text = json.dumps(body, ensure_ascii=False)
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(body) + "\n").encode("ascii")
