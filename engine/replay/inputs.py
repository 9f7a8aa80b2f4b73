"""Replay input: which files, and how they are cut into partitions.

Inputs are JSONL files of request bodies (one `{"EventData": {...}}` a
line), named as paths or globs; a name ending in `.gz` is read through gzip.
A partition is a byte range of one file that begins at the start of a line
and ends at the start of a line (or at the end of the file), so each worker
reads its own lines straight from the file: nothing is read twice, nothing
is lost, and the parent never touches a line. Planning reads one line per
boundary to find where it falls, nothing more.

A gzip stream can only be read from its beginning, so a `.gz` file is one
partition: many `.gz` files spread over the workers, one big one does not
(docs/replay.md).
"""

from __future__ import annotations

import glob
import gzip
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import CRMScriptError

# Without --partition-size: about PARTITIONS_PER_WORKER partitions for each
# worker (a worker that finishes early takes the next one, so the last
# partitions end close together; a lost worker costs little), each between
# the two bounds (per-partition costs vanish; a partition's responses fit in memory).
PARTITIONS_PER_WORKER = 16
MIN_PARTITION_BYTES = 256 * 1024
MAX_PARTITION_BYTES = 16 * 1024 * 1024
# ... and the last partitions of the input (as many as there are workers)
# cut TAIL_SPLIT times finer: the run ends when the slowest worker ends.
TAIL_SPLIT = 4
GZIP_SUFFIX = ".gz"
_GLOB_CHARACTERS = frozenset("*?[")


class ReplayError(CRMScriptError):
    """Something the user gave `crmscript replay` cannot be used (a missing
    input, a broken baseline, an unreachable cluster)."""

    def __reduce__(self) -> tuple:  # raised in workers: arrives whole in the command
        return (type(self), (self.message, self.file, self.line, self.column))

    def __str__(self) -> str:
        if self.line:  # a line of an input or baseline file: no column
            return f"{self.file}:{self.line}: {self.kind}: {self.message}"
        return f"{self.file}: {self.kind}: {self.message}" if self.file else f"{self.kind}: {self.message}"


@dataclass(frozen=True)
class InputFile:
    path: str  # what a worker opens (absolute: workers may run in other folders)
    label: str  # how messages and the output name it: as the user wrote it
    size: int

    @property
    def compressed(self) -> bool:
        return self.path.endswith(GZIP_SUFFIX)


@dataclass(frozen=True)
class Partition:
    index: int  # position in the whole run: partition k's lines come before partition k+1's
    file: InputFile
    start: int  # byte offset of its first line
    end: int | None  # byte offset after its last line; None: to the end of the file

    def describe(self) -> str:
        end = "end" if self.end is None else f"{self.end:,}"
        return f"{self.file.label} bytes {self.start:,}-{end}"


STDIN = "-"
STDIN_LABEL = "<stdin>"


def expand_inputs(specs: list[str], stdin_copy: str | None = None, stdin_label: str = STDIN_LABEL) -> list[InputFile]:
    """The files that `specs` name, in the order given (a glob's matches
    sorted); `-` is standard input, copied to the file `stdin_copy` first."""
    files: list[InputFile] = []
    for spec in specs:
        if spec == STDIN and stdin_copy is not None:
            files.append(InputFile(str(Path(stdin_copy).resolve()), stdin_label, Path(stdin_copy).stat().st_size))
        elif _GLOB_CHARACTERS & set(spec):
            matches = sorted(glob.glob(spec, recursive=True))
            matches = [match for match in matches if os.path.isfile(match)]
            if not matches:
                raise ReplayError("no file matches this pattern", spec)
            files.extend(_input_file(match) for match in matches)
        else:
            files.append(_input_file(spec))
    return files


def _input_file(name: str) -> InputFile:
    path = Path(name)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ReplayError(f"cannot read it: {error.strerror}", name) from None
    if not path.is_file():
        raise ReplayError("not a file", name)
    return InputFile(str(path.resolve()), name, size)


def open_input(file: InputFile) -> IO[bytes]:
    try:
        return gzip.open(file.path, "rb") if file.compressed else open(file.path, "rb")
    except OSError as error:
        raise ReplayError(f"cannot read it: {error.strerror}", file.label) from None


def partition_size(files: list[InputFile], workers: int) -> int:
    """The partition size for `workers` when the user gave none."""
    share = sum(file.size for file in files) // max(1, workers * PARTITIONS_PER_WORKER)
    return min(MAX_PARTITION_BYTES, max(MIN_PARTITION_BYTES, share))


def plan_partitions(files: list[InputFile], partition_bytes: int, tail_bytes: int = 0) -> list[Partition]:
    """Cut every file into line-aligned byte ranges of about `partition_bytes`;
    the last `tail_bytes` of the whole input into ranges TAIL_SPLIT times
    smaller, so that the workers' last partitions end close together (a
    worker waits at most a short partition for the others, not a whole one)."""
    partitions: list[Partition] = []
    fine_from = _fine_tail_starts(files, tail_bytes)
    for file, fine in zip(files, fine_from, strict=True):
        if file.compressed:
            partitions.append(Partition(len(partitions), file, 0, None))
            continue
        if file.size == 0:
            continue
        step = max(1, partition_bytes)
        offsets = [*range(0, min(fine, file.size), step), *range(fine, file.size, max(1, step // TAIL_SPLIT))]
        with open_input(file) as stream:
            starts = sorted({_line_start_at_or_after(stream, offset) for offset in offsets})
        starts = [start for start in starts if start < file.size]
        for start, end in zip(starts, [*starts[1:], file.size], strict=True):
            partitions.append(Partition(len(partitions), file, start, end))
    return partitions


def _fine_tail_starts(files: list[InputFile], tail_bytes: int) -> list[int]:
    """For each file, the offset from which it is cut finer: the last
    `tail_bytes` of the input, counted back from the last file (a .gz file
    is one partition whatever its place)."""
    starts = []
    for file in reversed(files):
        share = 0 if file.compressed else min(file.size, tail_bytes)
        tail_bytes -= share
        starts.append(file.size - share)
    return starts[::-1]


def _line_start_at_or_after(stream: IO[bytes], offset: int) -> int:
    if offset == 0:
        return 0
    stream.seek(offset - 1)
    stream.readline()  # the rest of the line that holds byte offset-1 (just "\n" if a line starts at offset)
    return stream.tell()


def partition_lines(partition: Partition) -> Iterator[bytes]:
    """The lines of a partition as bytes, the end of line included."""
    yield from _read(partition, partition.end)


def lines_after(partition: Partition) -> Iterator[bytes]:
    """The lines from the partition's start to the end of its file (a
    baseline slice may run past the partition it starts in)."""
    yield from _read(partition, None)


def _read(partition: Partition, end: int | None) -> Iterator[bytes]:
    with open_input(partition.file) as stream:
        try:
            yield from _lines_from(stream, partition.start, end)
        except (OSError, EOFError, zlib.error) as error:  # a truncated or corrupt .gz, a failing disk
            raise ReplayError(f"cannot read it: {error}", partition.file.label) from None


def _lines_from(stream: IO[bytes], start: int, end: int | None) -> Iterator[bytes]:
    if start:
        stream.seek(start)
    if end is None:
        yield from stream
        return
    remaining = end - start
    readline = stream.readline
    while remaining > 0:
        line = readline()
        if not line:
            return
        remaining -= len(line)
        yield line


@dataclass(frozen=True)
class LineCount:
    lines: int  # every line, blank ones too: line numbers
    events: int  # lines that are not blank: one response each


def count_lines(partition: Partition) -> LineCount:
    """How many lines the partition holds and how many are not blank."""
    lines = events = 0
    for line in partition_lines(partition):
        lines += 1
        if not is_blank(line):
            events += 1
    return LineCount(lines, events)


def is_blank(line: bytes) -> bool:
    return not line.strip()
