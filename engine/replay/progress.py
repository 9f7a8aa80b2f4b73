"""The progress bar: events done, events/s and the time left, on a terminal.

Shown only when stderr is a terminal and not in CI (`CI` set) nor on a dumb
terminal: logs and pipes get the summary line at the end and nothing else.
"""

from __future__ import annotations

import os
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


def wanted(stream: IO[str]) -> bool:
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class EventsDone(ProgressColumn):
    def render(self, task: Any) -> Text:
        total = "?" if task.total is None else f"{int(task.total):,}"
        return Text(f"{int(task.completed):,}/{total} events", style="progress.download")


class EventsPerSecond(ProgressColumn):
    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} events/s", style="progress.data.speed")


class ProgressBar:
    """Phases and events; a no-op when not `shown`."""

    def __init__(self, stream: IO[str] | None = None, shown: bool = False):
        self._progress: Progress | None = None
        self._task: Any = None
        if shown:
            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                                      EventsDone(), EventsPerSecond(), TimeRemainingColumn(),
                                      console=Console(file=stream), transient=True)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.stop()

    def phase(self, description: str, total: int | None) -> None:
        """A new phase. The bar (and its drawing thread) starts with the first
        one: worker processes are forked before that."""
        if self._progress is None:
            return
        if self._task is None:
            self._progress.start()
        else:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total)

    def set(self, done: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done)
