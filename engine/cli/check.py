"""`crmscript check [--syntax-only] PATH...`: parse (and statically check) scripts.

Files named on the command line are checked whatever their suffix; folders
are searched recursively for *.crm and *.crmscript. Every problem is printed
as `path:line:col: error: message` on stderr. Exit 0 when all is well, 1 when
any script has an error, 2 for a usage error (no path, a path that does not
exist).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import typer

from ..errors import CRMScriptError
from ..includes import resolver_for
from ..parser import parse_program
from . import app
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, each_error, report

SCRIPT_SUFFIXES = (".crm", ".crmscript")


def script_files(paths: List[Path]) -> Iterator[Path]:
    """Every script to check, in a stable order: explicit files as given,
    folders expanded to their *.crm / *.crmscript files, sorted."""
    for path in paths:
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.suffix in SCRIPT_SUFFIXES and p.is_file()]
            yield from sorted(found)
        else:
            yield path


def _load_checker() -> Optional[Callable]:
    """The static checker, when the engine has one (it is optional here so
    `--syntax-only` never depends on it)."""
    try:
        from ..checker import check_program
    except ImportError:
        return None
    return check_program


def check_file(path: Path, *, syntax_only: bool, checker: Optional[Callable]) -> tuple[list[CRMScriptError], Optional[str]]:
    """Problems in one script (empty when it is fine) and its source text."""
    name = str(path)
    try:
        source = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return [CRMScriptError(f"the file is not UTF-8 text (byte {exc.start})", name, 1, 1)], None
    except OSError as exc:
        return [CRMScriptError(f"cannot read the file: {exc.strerror or exc}", name, 1, 1)], None
    try:
        # --syntax-only judges the file's own text: an include that is not
        # found is the static check's business, not a syntax error.
        program = parse_program(source, name, includes=resolver_for(path), require_includes=not syntax_only)
        if not syntax_only and checker is not None:
            checker(program)
    except CRMScriptError as error:
        return each_error(error), source
    except RecursionError:  # the checker walks the tree recursively (as compile_script says too)
        return [CRMScriptError("the script nests too deeply (expressions or blocks) to be checked", name, 1, 1)], source
    except Exception as exc:  # a bug in the engine: say so, never a traceback
        return [CRMScriptError(f"internal error of the checker ({type(exc).__name__}: {exc})", name, 1, 1)], source
    return [], source


@app.command("check")
def check_command(
    paths: List[Path] = typer.Argument(..., help="Script files or folders (searched for *.crm, *.crmscript).", show_default=False),
    syntax_only: bool = typer.Option(False, "--syntax-only", help="Only parse; skip the static checks."),
) -> None:
    """Parse and statically check CRMScript scripts; print each problem as path:line:col: error: message."""
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"crmscript check: {path}: no such file or folder", file=sys.stderr)
    if missing:
        raise typer.Exit(EXIT_USAGE)

    checker = None if syntax_only else _load_checker()
    files = failed = 0
    for path in script_files(paths):
        files += 1
        errors, source = check_file(path, syntax_only=syntax_only, checker=checker)
        if errors:
            failed += 1
            for error in errors:
                report(error, source)
    if sys.stderr.isatty():
        print(f"{files} script(s) checked, {failed} with errors", file=sys.stderr)
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)
