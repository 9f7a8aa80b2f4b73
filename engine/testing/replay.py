"""Replay: run recorded ExecuteEventHandlers request bodies again, fast.

Input: a JSONL file, one request body `{"EventData": {...}}` a line (blank
lines are skipped). Output: one response a line, in input order, each the
compact JSON of `engine.eventdata.response_dict` (the same members and order
as the HTTP API's response, on one line). A line that is not a valid request
gives `{"Error": "...", "Line": n}` in its place, so output line k always
answers input request k, and the run goes on.

Workers are processes (`ProcessPoolExecutor`); each builds its own Engine
once (pool initializer) and gets chunks of lines, so the parent only reads
and writes text. With one worker everything runs in this process: no
pickling, the honest baseline.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, Optional

from ..errors import CRMScriptError
from ..eventdata import event_from_request, response_dict

CHUNK_LINES = 250  # lines per task sent to a worker: large enough to hide the pickling
IN_FLIGHT_PER_WORKER = 4  # chunks queued per worker: bounded memory, workers never idle

# Result kinds, counted in the summary.
OK, BLOCKED_FLAG, EXCEPTION_FLAG, BAD = 0, 1, 2, 4


@dataclass
class ReplaySummary:
    count: int = 0  # requests run (bad lines excluded)
    blocked: int = 0  # responses with BlockExecution true
    exceptions: int = 0  # responses with an Exception (a handler failed)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)  # (line number, problem)
    seconds: float = 0.0
    workers: int = 1

    @property
    def events_per_second(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0

    def text(self) -> str:
        return (f"{self.count} events, {self.blocked} blocked, {self.exceptions} with exceptions, "
                f"{len(self.bad_lines)} bad lines; {self.seconds:.2f}s, "
                f"{self.events_per_second:,.0f} events/s ({self.workers} worker{'s' if self.workers > 1 else ''})")


# ---------------------------------------------------------------- worker

_worker_engine: Any = None


# A replay runs against the tree as it is when it starts: the engine looks
# at the handler files once per event type, not before every event.
FILES_CHECKED_EVERY_SECONDS = float("inf")


def _make_engine(handlers_dir: str, fixture: Optional[str] = None) -> Any:
    """An engine for the tree; `fixture` (a file) is the CRM every event starts
    from (each worker process loads it: events never share a database)."""
    from ..chain import Engine

    return Engine(handlers_dir, on_warning=lambda message: None, check_interval=FILES_CHECKED_EVERY_SECONDS,
                  fixture=fixture)


def _init_worker(handlers_dir: str, fixture: Optional[str] = None) -> None:
    global _worker_engine
    _worker_engine = _make_engine(handlers_dir, fixture)


def _run_lines(engine: Any, chunk: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    """(line number, kind flags, response line) for each request line of the chunk."""
    out = []
    for number, text in chunk:
        try:
            event = event_from_request(text, source=f"line {number}")
            result = engine.execute(event)
            response = _one_line_json(response_dict(result))
        except CRMScriptError as error:
            out.append((number, BAD, error.message))
            continue
        except Exception as error:  # an engine bug must not end a replay of 100,000 lines
            out.append((number, BAD, f"internal error: {type(error).__name__}: {error}"))
            continue
        flags = (BLOCKED_FLAG if result.BlockExecution else 0) | (EXCEPTION_FLAG if result.Exception else 0)
        out.append((number, flags, response))
    return out


def _one_line_json(body: dict) -> str:
    """Compact JSON, non-ASCII kept as is; \\u escapes only when the text holds
    lone surrogates (valid JSON escapes, but not encodable as UTF-8)."""
    text = json.dumps(body, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(body)
    return text


def _run_chunk_in_worker(chunk: list[tuple[int, str]]) -> list[tuple[int, int, str]]:
    return _run_lines(_worker_engine, chunk)


# ---------------------------------------------------------------- parent


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        chunk.append((number, line))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def replay(lines: Iterable[str], out: IO[str], handlers_dir: Path | str, *, workers: int = 1,
           chunk_lines: int = CHUNK_LINES,
           on_progress: Optional[Callable[[int], None]] = None,
           fixture: Optional[str] = None) -> ReplaySummary:
    """Run every request line through the handlers; write one response line each to `out`."""
    summary = ReplaySummary(workers=workers)
    started = time.perf_counter()

    def write(results: list[tuple[int, int, str]]) -> None:
        for number, flags, text in results:
            if flags & BAD:
                summary.bad_lines.append((number, text))
                out.write(json.dumps({"Error": f"line {number}: {text}", "Line": number}, ensure_ascii=False))
            else:
                summary.count += 1
                summary.blocked += bool(flags & BLOCKED_FLAG)
                summary.exceptions += bool(flags & EXCEPTION_FLAG)
                out.write(text)
            out.write("\n")
        if on_progress is not None:
            on_progress(len(results))

    if workers <= 1:
        engine = _make_engine(str(handlers_dir), fixture)
        for chunk in _chunks(lines, chunk_lines):
            write(_run_lines(engine, chunk))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                 initargs=(str(handlers_dir), fixture)) as pool:
            pending: deque = deque()
            for chunk in _chunks(lines, chunk_lines):
                pending.append(pool.submit(_run_chunk_in_worker, chunk))
                if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    write(pending.popleft().result())
            while pending:
                write(pending.popleft().result())
    summary.seconds = time.perf_counter() - started
    return summary


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
