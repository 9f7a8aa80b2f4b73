"""Helpers shared by the CLI commands: printing CRMScript errors for humans."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import CRMScriptDiagnostics, CRMScriptError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HANDLERS = REPO_ROOT / "handlers"


def resolve_handlers_dir(option: os.PathLike | str | None) -> Path:
    """`--handlers` for the CLI: the given folder; else the repository's
    handlers/ (DEFAULT_HANDLERS), the embedded default that CONTRACT.md
    fixes; an installed package has no tree of its own, so then the nearest
    `handlers/` in the current folder or above it (also from inside
    `handlers/<EventType>/`); else ./handlers (the Engine warns that it is
    missing). Your own tree in a checkout: pass --handlers (or, for
    `crmscript test`, the case files' folder)."""
    if option is not None:
        return Path(option)
    if DEFAULT_HANDLERS.is_dir():
        return DEFAULT_HANDLERS
    here = Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / "handlers"
        if candidate.is_dir():
            return Path(os.path.relpath(candidate, here)) if folder == here else candidate
    return Path("handlers")


def handler_tree_option(handlers: Path | None, command: str) -> Path:
    """The tree a command runs on. A `--handlers` the user typed that does not
    exist is a usage error (exit 2): usually a typo, and running on an empty
    tree would answer every event unchanged with exit 0. Without the option
    the default tree is used even when missing (the Engine warns)."""
    if handlers is not None and not handlers.is_dir():
        import typer

        print(f"crmscript {command}: --handlers: no such folder: {handlers}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    return resolve_handlers_dir(handlers)


def each_error(error: CRMScriptError) -> list[CRMScriptError]:
    return list(error.errors) if isinstance(error, CRMScriptDiagnostics) else [error]


def describe(error: CRMScriptError) -> str:
    """One line for the user: `path:line:col: kind: message`; an error with no
    position in a file (a missing path, a bad option) leaves the position out
    (`nope.json: error: ...`) rather than printing a meaningless `:0:0`."""
    if error.line:
        return str(error)
    if error.file in ("", "<script>"):
        return f"{error.kind}: {error.message}"
    return f"{error.file}: {error.kind}: {error.message}"


def report(error: CRMScriptError, source: str | None = None, stream=None) -> None:
    """Print `path:line:col: error: message`, one a line; on a terminal also the
    source line with a caret under the column."""
    stream = stream or sys.stderr
    show_source = source is not None and stream.isatty()
    lines = source.splitlines() if show_source else []
    for e in each_error(error):
        print(describe(e), file=stream)
        if show_source and 1 <= e.line <= len(lines):
            text = lines[e.line - 1].expandtabs(4) if "\t" not in lines[e.line - 1] else lines[e.line - 1]
            print(f"    {text}", file=stream)
            print("    " + " " * max(e.column - 1, 0) + "^", file=stream)
