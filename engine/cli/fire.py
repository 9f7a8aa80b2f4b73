"""`crmscript fire` (not built yet)."""

from __future__ import annotations

import typer

from . import app


@app.command("fire")
def fire_command() -> None:
    """Not built yet."""
    typer.echo("crmscript fire: not built yet", err=True)
    raise typer.Exit(2)
