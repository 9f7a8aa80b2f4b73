"""`crmscript replay EVENTS... [--workers N | --scheduler tcp://HOST:PORT] [--out FILE | --out-dir DIR]
[--baseline OLD.jsonl] [--report report.html]`.

Runs recorded request bodies (one `{"EventData": {...}}` a line) through the
handler chain and writes one response a line, in input order (stdout
without --out). The summary goes to stderr. A bad line is answered in place
with its file and line and does not stop the run. See docs/replay.md.

Exit status: 0 every line ran and nothing differs from the baseline (handler
exceptions are results, not errors), 1 some lines were not valid requests
or responses differ from the baseline, 2 bad usage, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import re
import signal
import sys
from pathlib import Path

import typer

from . import app
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    describe,
    handler_tree_option,
    load_plugin_files,
    plugin_option,
)
from .fixture_options import FIXTURE_HELP, fixture_option

BAD_LINES_SHOWN = 20  # more bad lines are only counted
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C
_SIZE = re.compile(r"(\d+)\s*([kmg]i?b?)?", re.IGNORECASE)


@app.command("replay")
def replay_command(
    events: list[str] = typer.Argument(..., metavar="EVENTS",
                                       help="JSONL files or globs (.gz read through gzip): one request body "
                                            "{\"EventData\": {...}} a line; - for stdin."),
    handlers: Path | None = typer.Option(None, "--handlers", help="Handler tree (default: ./handlers when this folder has one, else the repository's)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes on this machine (1: this process)."),
    scheduler: str | None = typer.Option(None, "--scheduler", metavar="tcp://HOST:PORT",
                                         help="Run on this Dask cluster instead (pip install 'crmscript-sim[dask]')."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the responses here (default: stdout)."),
    out_dir: Path | None = typer.Option(None, "--out-dir", help="Write one file per partition here, not joined."),
    timings: bool = typer.Option(False, "--timings", help="Add each handler's time (µs) to each response line."),
    baseline: str | None = typer.Option(None, "--baseline", metavar="OLD.jsonl",
                                        help="Compare every response with this earlier run's; exit 1 if any differs."),
    ignore: list[str] = typer.Option([], "--ignore", metavar="MEMBER[.KEY]",
                                     help="A member (or one key) whose changes are expected; repeatable."),
    show: int = typer.Option(10, "--show", min=0, help="Differing events shown with their diff."),
    slower: float = typer.Option(50.0, "--slower", metavar="PERCENT", min=0,  # stats.DEFAULT_SLOWER_PERCENT
                                 help="Flag handlers whose p50 or p95 grew by more than this against the baseline."),
    report: Path | None = typer.Option(None, "--report", help="Write a self-contained HTML report here."),
    partition_size: str | None = typer.Option(None, "--partition-size", metavar="SIZE",
                                              help="Bytes of input per partition (e.g. 4M, 64M; default: "
                                                   "about 16 partitions a worker, 256k to 16M each)."),
    fixture: Path | None = typer.Option(None, "--fixture", help=FIXTURE_HELP),
    plugins: list[Path] = plugin_option(),
) -> None:
    """Replay recorded ExecuteEventHandlers requests; compare with a baseline run; write a report."""
    from ..replay import ReplayError, ReplayOptions, parse_ignore
    from ..replay.compare import CompareOptions

    if out is not None and out_dir is not None:
        _usage("--out and --out-dir: give one")
    if scheduler is not None and workers != 1:
        _usage("--workers and --scheduler: give one (the cluster has its own workers)")
    tree = handler_tree_option(handlers, "replay")
    fixture_option(fixture, tree, "replay")  # a bad fixture fails here, once, not in every worker
    plugin_files = load_plugin_files(plugins, "replay")  # and so does a plugin file that does not load
    try:
        compare = CompareOptions(parse_ignore(ignore), show)
    except ReplayError as error:
        _usage(error.message)
    options = ReplayOptions(inputs=list(events), handlers_dir=tree, workers=workers, scheduler=scheduler,
                            partition_bytes=None if partition_size is None else _size(partition_size), out=out, out_dir=out_dir, timings=timings,
                            baseline=baseline, compare=compare, measure=report is not None, fixture=fixture,
                            plugin_files=plugin_files)
    summary = _run(options)
    differs = _print_summary(summary, options, slower)
    if report is not None:
        _write_report(report, summary, options, slower)
    raise typer.Exit(EXIT_FAILED if summary.stats.bad or differs else EXIT_OK)


def _usage(message: str) -> None:
    print(f"crmscript replay: {message}", file=sys.stderr)
    raise typer.Exit(EXIT_USAGE)


def _size(text: str) -> int:
    match = _SIZE.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        _usage(f"--partition-size {text}: a size such as 16M, 512k or 1G")
    assert match is not None
    unit = (match.group(2) or "").lower()[:1]
    return int(match.group(1)) * {"": 1, "k": 2**10, "m": 2**20, "g": 2**30}[unit]


def _run(options):
    from ..errors import CRMScriptError
    from ..replay import ReplayInterrupted, run_replay
    from ..replay.progress import ProgressBar, wanted

    stream = sys.stdout.buffer if options.out is None and options.out_dir is None else None
    previous = signal.signal(signal.SIGTERM, _stop_like_ctrl_c)  # `kill`, a CI timeout: the same clean stop
    try:
        with ProgressBar(sys.stderr, wanted(sys.stderr)) as progress:
            return run_replay(options, stream, progress)
    except CRMScriptError as error:
        print(describe(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    except ReplayInterrupted as stop:
        print(f"crmscript replay: {stop.text()}", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except KeyboardInterrupt:
        print("crmscript replay: interrupted before any event ran; nothing written", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OSError as error:
        print(f"crmscript replay: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop_like_ctrl_c(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _print_summary(summary, options, slower: float) -> bool:
    """The summary on stderr; True when the responses differ from the baseline."""
    from ..replay.compare import summary_lines
    from ..replay.stats import timing_lines, timing_rows

    stats = summary.stats
    for file, number, problem in stats.bad_lines[:BAD_LINES_SHOWN]:
        print(f"{file}:{number}: bad request: {problem}", file=sys.stderr)
    if stats.bad > BAD_LINES_SHOWN:
        print(f"... and {stats.bad - BAD_LINES_SHOWN:,} more bad lines", file=sys.stderr)
    print(summary.text(), file=sys.stderr)
    if stats.timings is not None and (options.baseline is not None or options.measure):
        for line in timing_lines(timing_rows(stats.timings, stats.baseline_timings), slower):
            print(line, file=sys.stderr)
    if stats.diff is None:
        return False
    for line in summary_lines(stats.diff, summary.baseline or ""):
        print(line, file=sys.stderr)
    return stats.diff.any


def _write_report(path: Path, summary, options, slower: float) -> None:
    from ..replay.report import write_report

    try:
        write_report(path, summary, slower_percent=slower)
    except OSError as error:
        print(f"crmscript replay: cannot write {path}: {error.strerror}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    print(f"report: {path}", file=sys.stderr)
