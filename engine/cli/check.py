"""`crmscript check` (not built yet)."""

from __future__ import annotations

import typer

from . import app


@app.command("check")
def check_command() -> None:
    """Not built yet."""
    typer.echo("crmscript check: not built yet", err=True)
    raise typer.Exit(2)
