"""`crmscript replay EVENTS.jsonl [--handlers DIR] [--workers N] [--out RESULTS.jsonl]`.

Runs recorded request bodies (one `{"EventData": {...}}` a line) through
the handler chain in worker processes and writes one response a line, in
input order (stdout without --out). The summary goes to stderr. A bad line
is reported with its number and does not stop the run.

Exit status: 0 every line ran (handler exceptions are results, not errors),
1 some lines were not valid requests, 2 bad usage. See docs/testing.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from . import app
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, describe, handler_tree_option
from .fixture_options import FIXTURE_HELP, fixture_option

BAD_LINES_SHOWN = 20  # more bad lines are only counted


@app.command("replay")
def replay_command(
    events: Path = typer.Argument(..., metavar="EVENTS.jsonl", help="JSONL file: one request body {\"EventData\": {...}} a line; - for stdin."),
    handlers: Optional[Path] = typer.Option(None, "--handlers", help="Handler tree (default: the repository's handlers/)."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes (1: run in this process)."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the responses here (default: stdout)."),
    fixture: Path | None = typer.Option(None, "--fixture", help=FIXTURE_HELP),
) -> None:
    """Replay recorded ExecuteEventHandlers requests; write the responses and a summary."""
    from ..errors import CRMScriptError
    from ..testing.replay import _make_engine, replay

    tree = handler_tree_option(handlers, "replay")
    fixture_option(fixture, tree, "replay")  # a bad fixture fails here, once, not in every worker
    crm = str(fixture) if fixture is not None else None
    try:
        _make_engine(str(tree), crm)  # a broken tree fails here, once, not in every worker
    except CRMScriptError as error:
        print(describe(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    try:
        # Lines are read as bytes and decoded one by one (event_from_request):
        # a line that is not UTF-8 is one bad line, answered in place, not
        # the end of the whole replay.
        source = sys.stdin.buffer if str(events) == "-" else events.open("rb")
    except OSError as error:
        print(f"crmscript replay: cannot read {events}: {error.strerror}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    try:
        target = sys.stdout if out is None else out.open("w", encoding="utf-8", newline="\n")
    except OSError as error:
        print(f"crmscript replay: cannot write {out}: {error.strerror}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    try:
        summary = replay(source, target, tree, workers=workers, fixture=crm)
    finally:
        if source is not sys.stdin.buffer:
            source.close()
        if target is not sys.stdout:
            target.close()
        else:
            target.flush()
    for number, problem in summary.bad_lines[:BAD_LINES_SHOWN]:
        print(f"{events}:{number}: bad request: {problem}", file=sys.stderr)
    if len(summary.bad_lines) > BAD_LINES_SHOWN:
        print(f"... and {len(summary.bad_lines) - BAD_LINES_SHOWN} more bad lines", file=sys.stderr)
    print(summary.text(), file=sys.stderr)
    raise typer.Exit(EXIT_FAILED if summary.bad_lines else EXIT_OK)
