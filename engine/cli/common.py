"""Helpers shared by the CLI commands: which handler tree, printing errors and warnings."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import CRMScriptDiagnostics, CRMScriptError, CRMScriptWarning

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
OWN_TREE = Path("handlers")  # a user's project: the handlers/ of the current folder


def _embedded_default() -> Path:
    """The repository's handlers/; an installed wheel carries a copy as
    engine/_handlers (pyproject's force-include), as it does the grammar."""
    checkout = REPO_ROOT / "handlers"
    return checkout if checkout.is_dir() else PACKAGE_ROOT / "_handlers"


DEFAULT_HANDLERS = _embedded_default()


def resolve_handlers_dir(option: os.PathLike | str | None) -> Path:
    """The tree a command uses (docs/handlers.md): `--handlers` when given; else
    `./handlers` when the current folder has one (a user's own project);
    else the embedded default, the repository's handlers/. Nothing else is
    looked for: the rule is simple enough to predict, and every command
    names the tree it uses (announce_tree)."""
    if option is not None:
        return Path(option)
    if OWN_TREE.is_dir():
        return OWN_TREE
    return DEFAULT_HANDLERS


def tree_label(tree: Path) -> str:
    """How a tree is named to the user: as typed or relative to the current
    folder (`./handlers`), and the default said to be one."""
    if tree == DEFAULT_HANDLERS and not OWN_TREE.is_dir():
        return f"{tree} (the default: no ./handlers in this folder)"
    shown = tree
    if tree.is_absolute():
        try:
            shown = tree.relative_to(Path.cwd())
        except ValueError:
            return str(tree)
    text = shown.as_posix()
    return text if text.startswith((".", "/")) else f"./{text}"


def announce_tree(tree: Path) -> None:
    """`using handlers: ./handlers` on stderr, as a command starts to use it."""
    print(f"using handlers: {tree_label(tree)}", file=sys.stderr)


def handler_tree_option(handlers: Path | None, command: str) -> Path:
    """The tree a command runs on, named on stderr (announce_tree). A
    `--handlers` the user typed that does not exist is a usage error (exit
    2): usually a typo, and running on an empty tree would answer every
    event unchanged with exit 0. Without the option the default tree is used
    even when missing (the Engine warns)."""
    if handlers is not None and not handlers.is_dir():
        import typer

        print(f"crmscript {command}: --handlers: no such folder: {handlers}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    tree = resolve_handlers_dir(handlers)
    announce_tree(tree)
    return tree


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


def print_warnings(warnings: Iterable[CRMScriptWarning], source: str | None = None, stream=None) -> None:
    """Every warning as `path:line:col: warning: message` on stderr (on a
    terminal with the source line and a caret, as errors). Warnings never
    change an exit status."""
    for warning in warnings:
        report(warning, source, stream)


def plugin_option() -> Any:
    """`--plugin FILE.py` (repeatable), the same on every command."""
    import typer

    return typer.Option(
        [], "--plugin", metavar="FILE.py",
        help="A plugin file (a Python module with @hookimpl functions), loaded as an installed plugin is (repeatable).")


def load_plugin_files(files: Iterable[Path], command: str) -> list[Path]:
    """Import every --plugin file now, so one that is missing or does not
    import is a usage error (exit 2) before anything runs; returns the files
    (the engines register the loaded modules, engine.plugins keeps them)."""
    from ..plugins import load_plugin_file

    files = list(files)
    for file in files:
        try:
            load_plugin_file(file)
        except CRMScriptError as error:
            import typer

            print(f"crmscript {command}: --plugin {error}", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE) from None
    return files


# ------------------------------------------------------------------ limits


def time_limit_option() -> Any:
    """`--time-limit SECONDS`: the wall-clock time of one handler run (Limits.seconds)."""
    import typer

    from ..runtime.context import DEFAULT_LIMITS

    return typer.Option(DEFAULT_LIMITS.seconds, "--time-limit", metavar="SECONDS", min=0.0,
                        help="Wall-clock time one script (one handler) may run; 0: no limit.")


def event_time_limit_option() -> Any:
    """`--event-time-limit SECONDS`: the time of one event's whole handler chain (Limits.event_seconds)."""
    import typer

    from ..runtime.context import DEFAULT_LIMITS

    return typer.Option(DEFAULT_LIMITS.event_seconds, "--event-time-limit", metavar="SECONDS", min=0.0,
                        help="Wall-clock time all handlers of one event may run together; 0: no limit.")


def memory_limit_option(default: int) -> Any:
    """`--memory-limit MB`: the process's address space (sandbox.limit_process_memory)."""
    import typer

    shown = "half the machine's memory, at least 4096" if default < 0 else str(default)
    return typer.Option(default, "--memory-limit", metavar="MB", show_default=False,
                        help=f"Address space the process may use, in MB (default: {shown}); a script that "
                             "passes it ends with 'memory limit exceeded'; 0: no limit.")


def limits_from(time_limit: float, event_time_limit: float | None = None) -> Any:
    """The Limits of a command's runs: the defaults with the time limits given (0 = none)."""
    from dataclasses import replace

    from ..runtime.context import DEFAULT_LIMITS

    limits = replace(DEFAULT_LIMITS, seconds=time_limit or float("inf"))
    if event_time_limit is not None:
        limits.event_seconds = event_time_limit or float("inf")
    return limits


def apply_memory_limit(megabytes: int, command: str) -> None:
    """Set the process's memory limit (a negative value: the default); a
    limit the system refuses is a usage error."""
    from ..sandbox import default_memory_limit, limit_process_memory

    size = default_memory_limit() if megabytes < 0 else megabytes * 1024 * 1024
    if not size:
        return
    try:
        limit_process_memory(size)
    except (OSError, ValueError) as error:
        import typer

        print(f"crmscript {command}: --memory-limit: {error}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
