"""`crmscript events`: the trigger catalog (and, with --scripts, the handlers and their ids)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..catalog import default_catalog
from ..errors import CRMScriptError
from . import app
from .common import (
    EXIT_USAGE,
    describe,
    handler_tree_option,
    load_plugin_files,
    plugin_option,
)


def catalog_rows() -> list[dict]:
    return [{"name": t.name, "id": t.id, "phase": t.phase, "input_keys": len(t.input_keys),
             "open": t.open} for t in default_catalog()]


def _show_one(name: str, as_json: bool) -> None:
    """One trigger with the input keys it sends: what a handler author needs
    to write `--input` values and case files."""
    catalog = default_catalog()
    known = catalog.get(name)
    if known is None:
        hint = catalog.suggest(name)
        extra = f" (did you mean {hint}?)" if hint else " (crmscript events lists them)"
        print(f"crmscript events: unknown event type {name!r}{extra}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    if as_json:
        row = {"name": known.name, "id": known.id, "phase": known.phase,
               "input_keys": list(known.input_keys), "open": known.open}
        sys.stdout.write(json.dumps(row, indent=2) + "\n")
        return
    print(f"{known.name}  id {'-' if known.id is None else known.id}, phase {known.phase}")
    print(f"input keys ({len(known.input_keys)}):")
    for key in known.input_keys:
        print(f"  {key}")
    if known.open:
        print("  (and free-form keys of the form or the UI)")


@app.command("events")
def events_command(
    name: str | None = typer.Argument(None, metavar="EVENT_TYPE",
                                         help="Show one event type with the input keys it sends."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    scripts: bool = typer.Option(False, "--scripts", help="List the registered handlers and their ids (for ExecuteScriptAsEvent)."),
    handlers: Path | None = typer.Option(None, "--handlers", help="Handler tree for --scripts (default: ./handlers when this folder has one, else the repository's)."),
    plugins: list[Path] = plugin_option(),
) -> None:
    """List the known event types with their numeric ids; with EVENT_TYPE, its input keys."""
    if scripts:
        _list_scripts(handlers, as_json, plugins)
        return
    if name is not None:
        _show_one(name, as_json)
        return
    rows = catalog_rows()
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"CRMScript event types ({len(rows)})",
                  caption="crmscript events NAME shows one type's input keys (n+: also free-form keys)")
    table.add_column("name")
    table.add_column("id", justify="right")
    table.add_column("phase")
    table.add_column("input keys", justify="right")
    for row in rows:
        keys = f"{row['input_keys']}+" if row["open"] else str(row["input_keys"])
        table.add_row(row["name"], "-" if row["id"] is None else str(row["id"]), row["phase"], keys)
    Console(width=max(Console().width, 80)).print(table)


def _list_scripts(handlers: Path | None, as_json: bool, plugins: list[Path]) -> None:
    from ..chain import Engine

    plugin_files = load_plugin_files(plugins, "events")
    tree = handler_tree_option(handlers, "events")
    try:
        engine = Engine(tree, plugins=plugin_files,
                        on_warning=lambda m: print(f"warning: {m}", file=sys.stderr))
    except CRMScriptError as error:
        print(describe(error), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    catalog = engine.catalog
    rows = [{"id": h.id, "event_type": h.event_type, "type_id": catalog.type_id(h.event_type),
             "name": h.name, "origin": h.origin,
             "path": str(h.path) if h.path is not None else None}
            for h in engine.all_handlers()]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Handlers in {engine.handlers_dir} ({len(rows)})")
    for column in ("id", "event type", "type id", "handler", "origin"):
        table.add_column(column, justify="right" if "id" in column else "left")
    for row in rows:
        table.add_row(str(row["id"]), row["event_type"], str(row["type_id"]), row["name"], row["origin"])
    Console(width=max(Console().width, 100)).print(table)
