"""Replaying recorded ExecuteEventHandlers request bodies: now `engine.replay`
(partitions, local workers, Dask, baseline comparison, report; docs/replay.md).

This module keeps `replay()`, the in-memory form earlier code and tests use:
request lines in, response lines out, in order.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from ..replay import ReplayOptions, ReplaySummary, run_replay

__all__ = ["ReplaySummary", "replay"]


def replay(lines: Iterable[str | bytes], out: IO[str], handlers_dir: Path | str, *, workers: int = 1,
           partition_bytes: int | None = None, label: str = "lines",
           fixture: Path | str | None = None) -> ReplaySummary:
    """Run every request line through the handlers; write one response line
    each to `out`, in order (blank lines skipped; a bad line answered in
    place as `{"Error": "lines:N: ...", "File": ..., "Line": N}`)."""
    data = b"".join((line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line).rstrip(b"\r\n")
                    + b"\n" for line in lines)
    result = io.BytesIO()
    options = ReplayOptions(inputs=["-"], handlers_dir=handlers_dir, workers=workers,
                            partition_bytes=partition_bytes, stdin_label=label, fixture=fixture)
    summary = run_replay(options, result, stdin=io.BytesIO(data))
    out.write(result.getvalue().decode("utf-8"))
    return summary

