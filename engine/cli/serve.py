"""`crmscript serve` (not built yet)."""

from __future__ import annotations

import typer

from . import app


@app.command("serve")
def serve_command() -> None:
    """Not built yet."""
    typer.echo("crmscript serve: not built yet", err=True)
    raise typer.Exit(2)
