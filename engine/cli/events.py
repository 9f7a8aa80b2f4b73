"""`crmscript events` (not built yet)."""

from __future__ import annotations

import typer

from . import app


@app.command("events")
def events_command() -> None:
    """Not built yet."""
    typer.echo("crmscript events: not built yet", err=True)
    raise typer.Exit(2)
