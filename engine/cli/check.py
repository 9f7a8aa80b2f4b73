"""`crmscript check [--syntax-only] PATH...`: parse (and statically check) scripts.

Files named on the command line are checked whatever their suffix (except
case files, *.cases.yaml, which a shell glob brings along: skipped with a
note); folders
are searched recursively for *.crm and *.crmscript. Every problem is printed
as `path:line:col: error: message` on stderr. Exit 0 when all is well, 1 when
any script has an error, 2 for a usage error (no path, a path that does not
exist, a folder without scripts, an installed plugin that does not load). Installed plugins' include
folders and built-in classes count, as they do for `serve` and `fire`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import typer

from ..errors import CRMScriptError, CRMScriptWarning
from ..includes import script_include_path
from ..inputkeys import input_key_warnings, trigger_of
from ..parser import parse_program
from ..testing.model import is_case_file
from ..textfile import read_script_text
from . import app
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    each_error,
    load_plugin_files,
    plugin_option,
    print_warnings,
    report,
)

SCRIPT_SUFFIXES = (".crm", ".crmscript")


def script_files(paths: list[Path]) -> Iterator[Path]:
    """Every script to check, in a stable order: explicit files as given,
    folders expanded to their *.crm / *.crmscript files, sorted."""
    for path in paths:
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.suffix in SCRIPT_SUFFIXES and p.is_file()]
            yield from sorted(found)
        else:
            yield path


def _load_checker() -> Callable | None:
    """The static checker, when the engine has one (it is optional here so
    `--syntax-only` never depends on it)."""
    try:
        from ..checker import check_program
    except ImportError:
        return None
    return check_program


def _plugin_setup(with_library: bool, plugin_files: Sequence[Path] = ()) -> tuple[Any, list[tuple[str, Path]]]:
    """What the plugins (installed ones and --plugin files) add, so `check`
    agrees with `serve` and `fire`: their built-in functions and classes (a
    library copy, or None when no plugin extends it) and their include folders."""
    from ..plugins import make_plugin_manager, plugin_include_folders, plugin_library

    manager = make_plugin_manager(plugin_files)
    return (plugin_library(manager) if with_library else None), plugin_include_folders(manager)


def _list_simulated(plugins: Sequence[Path]) -> None:
    """Print the simulation table (with the plugins' members) and exit."""
    from ..documented import simulation_listing
    from ..runtime.table import LIBRARY

    try:
        library, _ = _plugin_setup(True, load_plugin_files(plugins, "check"))
    except CRMScriptError as error:
        print(f"crmscript check: plugin error: {error.message}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    print("\n".join(simulation_listing(library or LIBRARY)))
    raise typer.Exit(EXIT_OK)


def check_file(
    path: Path,
    *,
    syntax_only: bool,
    checker: Callable | None,
    library: Any = None,
    extra_include_folders: Sequence[tuple[str, Path]] = (),
    warnings: list[CRMScriptWarning] | None = None,
) -> tuple[list[CRMScriptError], str | None]:
    """Problems in one script (empty when it is fine) and its source text;
    the checker's and the lints' warnings are appended to `warnings` when given."""
    name = str(path)
    try:
        source = read_script_text(path, name)
    except CRMScriptError as error:
        return [error], None
    try:
        # --syntax-only judges the file's own text: an include that is not
        # found is the static check's business, not a syntax error.
        resolver = script_include_path(path, extra_include_folders)
        # Classes a plugin adds are type names too (`Thing("x")` constructs).
        plugin_classes = list(getattr(library, "classes", None) or ()) if library is not None else ()
        program = parse_program(
            source, name, includes=resolver, require_includes=not syntax_only, type_names=plugin_classes
        )
        if not syntax_only and checker is not None:
            checker(program, library, warnings=warnings)
            trigger = trigger_of(path)
            if warnings is not None and trigger is not None:
                warnings.extend(input_key_warnings(program, trigger))
    except CRMScriptError as error:
        return each_error(error), source
    except RecursionError:  # the checker walks the tree recursively (as compile_script says too)
        return [CRMScriptError("the script nests too deeply (expressions or blocks) to be checked", name, 1, 1)], source
    except Exception as exc:  # a bug in the engine: say so, never a traceback
        return [CRMScriptError(f"internal error of the checker ({type(exc).__name__}: {exc})", name, 1, 1)], source
    return [], source


@app.command("check")
def check_command(
    paths: list[Path] = typer.Argument(None, metavar="PATH", help="Script files or folders (searched for *.crm, *.crmscript).", show_default=False),
    syntax_only: bool = typer.Option(False, "--syntax-only", help="Only parse; skip the static checks."),
    list_simulated: bool = typer.Option(
        False, "--list-simulated",
        help="List, per documented class, the members the simulator runs and those that only type-check."),
    plugins: list[Path] = plugin_option(),
) -> None:
    """Parse and statically check CRMScript scripts; print each problem as path:line:col: error: message."""
    if list_simulated:
        _list_simulated(plugins)
    if not paths:
        print("crmscript check: give the scripts or folders to check (or --list-simulated)", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE)
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"crmscript check: {path}: no such file or folder", file=sys.stderr)
    if missing:
        raise typer.Exit(EXIT_USAGE)

    # A folder without scripts is usually a wrong path: saying nothing and
    # exiting 0 would look like a clean check.
    empty = [p for p in paths if p.is_dir() and next(script_files([p]), None) is None]
    for path in empty:
        print(f"crmscript check: {path}: no CRMScript files (*.crm, *.crmscript) in this folder", file=sys.stderr)
    if empty:
        raise typer.Exit(EXIT_USAGE)

    checker = None if syntax_only else _load_checker()
    try:
        library, plugin_folders = _plugin_setup(checker is not None, load_plugin_files(plugins, "check"))
    except CRMScriptError as error:  # a plugin that does not load
        print(f"crmscript check: plugin error: {error.message}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    files = failed = 0
    for path in script_files(paths):
        if is_case_file(path):
            # `crmscript check handlers/*/*` names the case files beside the
            # handlers too: they are YAML, not scripts to report errors in.
            print(f"crmscript check: {path}: skipped, a case file (crmscript test runs it)", file=sys.stderr)
            continue
        files += 1
        warnings: list[CRMScriptWarning] = []
        errors, source = check_file(
            path, syntax_only=syntax_only, checker=checker, library=library, extra_include_folders=plugin_folders,
            warnings=warnings,
        )
        print_warnings(warnings, source)
        if errors:
            failed += 1
            for error in errors:
                report(error, source)
    if sys.stderr.isatty():
        print(f"{files} script(s) checked, {failed} with errors", file=sys.stderr)
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)
