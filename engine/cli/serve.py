"""`crmscript serve`: the local WebAPI (engine/api) on uvicorn.

    crmscript serve [--handlers DIR] [--host H] [--port P] [--auth MODE] [--no-reload] [--max-body BYTES]
                    [--time-limit S] [--event-time-limit S] [--memory-limit MB] [--engine-threads N]

By default the engine checks before every event whether a handler file, an
included file or a type folder changed (one stat each) and recompiles what
changed: edit a handler, send the request again, no restart (as the README
promises). With --no-reload the tree is read once at start (a little faster;
edits need a restart).

One log line per request on stderr: method, path, event type, handlers run,
milliseconds, status and outcome.

Limits (docs/limits.md): each handler gets --time-limit seconds, an event's
chain --event-time-limit; the process's address space is limited to
--memory-limit MB (default half the machine's memory), so a script that
allocates past it fails, not the server. Engine calls run on
--engine-threads worker threads, never on the event loop (docs/api.md).
"""

from __future__ import annotations

import gc
import logging
import math
import sys
from pathlib import Path

import typer

from ..errors import CRMScriptError
from . import app
from .common import (
    EXIT_USAGE,
    apply_memory_limit,
    describe,
    event_time_limit_option,
    handler_tree_option,
    limits_from,
    load_plugin_files,
    memory_limit_option,
    plugin_option,
    time_limit_option,
)
from .fixture_options import FIXTURE_HELP, fixture_option

SWITCH_INTERVAL = 0.001  # seconds (see serve_command)


def configure_logging() -> None:
    """INFO lines with a timestamp on stderr (warnings, uvicorn's messages;
    the per-request lines go through the cheaper api.middleware.LineWriter). Skips
    what the Python docs' logging "Optimization" section says to skip when
    unused (caller frames, thread and process names)."""
    logging._srcfile = None  # type: ignore[attr-defined]  # no sys._getframe() per record
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)


@app.command("serve")
def serve_command(
    handlers: Path | None = typer.Option(None, "--handlers", help="Handler tree (default: ./handlers when this folder has one, else the repository's)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on.", min=1, max=65535),
    auth: str | None = typer.Option(
        None, "--auth",
        help="Require a credential: basic:USER:PASS, bearer:TOKEN or soticket:TICKET (default: open)."),
    reload: bool = typer.Option(
        True, "--reload/--no-reload",
        help="Pick up handler edits without a restart (one stat per file per event); --no-reload reads the tree once."),
    max_body: int = typer.Option(1024 * 1024, "--max-body", help="Largest request body in bytes (413 above).", min=1),
    time_limit: float = time_limit_option(),
    event_time_limit: float = event_time_limit_option(),
    memory_limit: int = memory_limit_option(-1),
    engine_threads: int | None = typer.Option(
        None, "--engine-threads", min=1, max=64, show_default=False,
        help="Engine calls (handler chains) that may run at once (default: 8, api/gate.py)."),
    plugins: list[Path] = plugin_option(),
    fixture: Path | None = typer.Option(None, "--fixture", help=FIXTURE_HELP),
) -> None:
    """Serve the HTTP API (ExecuteEventHandlers and friends) for a handler tree."""
    import uvicorn

    from ..api.app import create_app
    from ..api.auth import AuthConfigError, make_authenticator
    from ..api.gate import DEFAULT_ENGINE_THREADS
    from ..api.middleware import LineWriter
    from ..chain import Engine

    try:
        authenticator = make_authenticator(auth)
    except AuthConfigError as error:
        typer.echo(f"crmscript serve: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None

    # A --handlers folder that does not exist is a usage error (as for fire
    # and test): serving an empty tree would answer every event unchanged.
    plugin_files = load_plugin_files(plugins, "serve")
    handlers_dir = handler_tree_option(handlers, "serve")
    crm = fixture_option(fixture, handlers_dir, "serve")
    configure_logging()
    # check_interval 0: look for changed files before every event; inf: never.
    try:
        engine = Engine(handlers_dir, plugins=plugin_files, check_interval=0.0 if reload else math.inf,
                        fixture=crm, limits=limits_from(time_limit, event_time_limit))
    except CRMScriptError as error:  # an installed plugin that does not load
        typer.echo(f"crmscript serve: {describe(error)}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    apply_memory_limit(memory_limit, "serve")
    api = create_app(engine, auth=authenticator, max_body=max_body, access_log=LineWriter(sys.stderr),
                     engine_threads=engine_threads or DEFAULT_ENGINE_THREADS)
    mode = "open" if authenticator is None else authenticator.scheme
    if authenticator is None and host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"crmscript serve: warning: {host} is reachable from other machines and --auth is not set: "
                   "anyone who can connect can run your handlers", err=True)
    typer.echo(f"crmscript serve: http://{host}:{port}/docs; reload {'on' if reload else 'off'}, auth {mode}",
               err=True)
    # Everything built so far lives as long as the server: keep the garbage
    # collector from rescanning it (about 5 us a request with a trivial handler).
    gc.freeze()
    # Handlers run on engine threads and may keep the CPU until their
    # deadline; Python hands the GIL to a waiting thread (the event loop)
    # after the switch interval. 5 ms by default: a request needs the loop
    # several times, so it waited tens of milliseconds behind a busy handler.
    sys.setswitchinterval(SWITCH_INTERVAL)
    uvicorn.run(api, host=host, port=port, access_log=False, log_level="info")
