"""`crmscript lsp`: the Language Server for editors (docs/editors.md).

    crmscript lsp                 speak LSP on stdin/stdout (what editors start)
    crmscript lsp --tcp 2087      listen on 127.0.0.1:2087 instead

Diagnostics (the checker's errors, the input-key warnings), hover, completion,
signature help, go to definition, references, rename and the outline of
CRMScript files. Log lines go to stderr (stdout is the protocol's).
"""

from __future__ import annotations

import logging
import sys

import typer

from . import app
from .common import EXIT_USAGE


@app.command("lsp")
def lsp_command(
    tcp: int | None = typer.Option(None, "--tcp", metavar="PORT",
                                      help="Listen on 127.0.0.1:PORT instead of speaking on stdio."),
    debounce_ms: float = typer.Option(50, "--debounce-ms", metavar="MS",
                                      help="Quiet time after a change before it is checked."),
    log_level: str = typer.Option("warning", "--log-level", help="Log level on stderr (debug, info, warning)."),
) -> None:
    """Run the CRMScript Language Server (for VS Code, Neovim, Emacs: docs/editors.md)."""
    if tcp is not None and not 0 < tcp < 65536:
        print(f"crmscript lsp: --tcp: {tcp} is not a port number (1-65535)", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    level = getattr(logging, log_level.upper(), None)
    if not isinstance(level, int):
        print(f"crmscript lsp: --log-level: unknown level {log_level!r}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")

    from ..lsp.features import create_server
    from ..lsp.server import serve_stdio, serve_tcp

    server = create_server(debounce=max(debounce_ms, 0) / 1000)
    if tcp is None:
        serve_stdio(server)
    else:
        serve_tcp(server, tcp)
