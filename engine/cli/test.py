"""`crmscript test` (not built yet)."""

from __future__ import annotations

import typer

from . import app


@app.command("test")
def test_command() -> None:
    """Not built yet."""
    typer.echo("crmscript test: not built yet", err=True)
    raise typer.Exit(2)
