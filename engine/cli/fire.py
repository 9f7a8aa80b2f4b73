"""`crmscript fire [--handlers DIR] [--trace] [REQUEST.json]`: one ExecuteEventHandlers call.

Reads the request body `{"EventData": {...}}` from the file (or stdin, or
`-`), runs the handler chain and prints the response body on stdout: the
bytes the HTTP API returns (engine.eventdata.response_json). Warnings about
the request (unknown type, unexpected input keys) go to stderr, never into
the response. Exit status: 0 the chain ran, 1 a handler failed (the response
still carries Exception), 2 bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from ..errors import CRMScriptError
from ..eventdata import event_from_request, response_bytes, response_json
from ..handlers import log_line
from . import app
from .common import (
    EXIT_FAILED,
    EXIT_USAGE,
    describe,
    event_time_limit_option,
    handler_tree_option,
    limits_from,
    load_plugin_files,
    plugin_option,
    time_limit_option,
)
from .fixture_options import FIXTURE_HELP, NOW_HELP, RECORD_HTTP_HELP, fixture_option, now_option, record_http_option


def _read_request(request: Path | None) -> tuple[bytes, str]:
    if request is None and sys.stdin.isatty():
        # Waiting silently for a body typed at the terminal looks like a hang.
        raise CRMScriptError("no request: give a REQUEST.json file, or pipe the body "
                             "(echo '{\"EventData\": {...}}' | crmscript fire)", "crmscript fire")
    if request is None or str(request) == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        return request.read_bytes(), str(request)
    except OSError as error:
        raise CRMScriptError(f"cannot read request: {error.strerror}", str(request)) from None


def print_trace(result, stream=None) -> None:
    """Which handlers ran, how long each took and what each printed."""
    stream = stream or sys.stderr
    if not result.runs:
        print(f"trace: no handler for {result.event.Type!r}", file=stream)
    for run in result.runs:
        status = "FAILED" if run.error is not None else "ok"
        print(f"trace: {run.handler.name} [id {run.handler.id}] {status} "
              f"{run.seconds * 1000:.3f} ms", file=stream)
        for line in run.output.splitlines():
            print(f"trace:   | {line}", file=stream)
        for channel, text in run.log:
            print(f"trace:   {log_line(channel, text)}", file=stream)
    if result.event.Exception and result.failed is not None:
        print(f"trace: chain stopped: {result.event.Exception}", file=stream)


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _fire(engine: Any, event: Any, trace: bool) -> Any:
    if not trace:
        return engine.run_chain(event)
    from rich.console import Console

    from ..testing.trace import render_trace, trace_chain

    result, steps = trace_chain(engine, event)
    print_trace(result)
    Console(stderr=True, highlight=False, soft_wrap=True).print(render_trace(steps))
    return result


@app.command("fire")
def fire_command(
    request: Path | None = typer.Argument(None, metavar="REQUEST.json", help="Request body JSON file ({\"EventData\": {...}}); stdin if omitted or -."),
    handlers: Path | None = typer.Option(None, "--handlers", help="Handler tree (default: ./handlers when this folder has one, else the repository's)."),
    trace: bool = typer.Option(False, "--trace", help="On stderr: handlers run, their time, what they printed, and each executed line with its variables."),
    time_limit: float = time_limit_option(),
    event_time_limit: float = event_time_limit_option(),
    plugins: list[Path] = plugin_option(),
    fixture: Path | None = typer.Option(None, "--fixture", help=FIXTURE_HELP),
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
    record_http: Path | None = typer.Option(None, "--record-http", metavar="FILE", help=RECORD_HTTP_HELP),
) -> None:
    """Run the handler chain for one ExecuteEventHandlers request body."""
    from ..chain import Engine  # imports the whole runtime: only when firing

    try:
        body, source = _read_request(request)
        event = event_from_request(body, source)
    except CRMScriptError as error:
        print(describe(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    plugin_files = load_plugin_files(plugins, "fire")
    tree = handler_tree_option(handlers, "fire")
    crm = fixture_option(fixture, tree, "fire")
    clock = now_option(now, crm, "fire")
    try:
        engine = Engine(tree, plugins=plugin_files, on_warning=_warn, fixture=crm, now=clock,
                        limits=limits_from(time_limit, event_time_limit))
    except CRMScriptError as error:
        print(describe(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    with record_http_option(record_http, "fire"):
        result = _fire(engine, event, trace)
    sys.stdout.flush()
    sys.stdout.buffer.write(response_bytes(response_json(result.event)))
    sys.stdout.buffer.flush()
    if result.failed is not None or result.error is not None:
        raise typer.Exit(EXIT_FAILED)
