"""`crmscript run` (not built yet)."""

from __future__ import annotations

import typer

from . import app


@app.command("run")
def run_command() -> None:
    """Not built yet."""
    typer.echo("crmscript run: not built yet", err=True)
    raise typer.Exit(2)
