"""Helpers shared by the CLI commands: printing CRMScript errors for humans."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import CRMScriptDiagnostics, CRMScriptError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_HANDLERS = REPO_ROOT / "handlers"


def each_error(error: CRMScriptError) -> list[CRMScriptError]:
    return list(error.errors) if isinstance(error, CRMScriptDiagnostics) else [error]


def report(error: CRMScriptError, source: str | None = None, stream=None) -> None:
    """Print `path:line:col: error: message`, one a line; on a terminal also the
    source line with a caret under the column."""
    stream = stream or sys.stderr
    show_source = source is not None and stream.isatty()
    lines = source.splitlines() if show_source else []
    for e in each_error(error):
        print(str(e), file=stream)
        if show_source and 1 <= e.line <= len(lines):
            text = lines[e.line - 1].expandtabs(4) if "\t" not in lines[e.line - 1] else lines[e.line - 1]
            print(f"    {text}", file=stream)
            print("    " + " " * max(e.column - 1, 0) + "^", file=stream)
