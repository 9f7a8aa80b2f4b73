"""The `crmscript` command line. Each command lives in a module of its own.

Exit status: 0 success, 1 the script or the handlers failed, 2 usage or bad input.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="crmscript",
    help="Write, check, run and test SuperOffice CRMScript event handlers offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Importing a command module registers its command on `app`.
from . import check, db, events, fire, lsp, replay, run, serve, test  # noqa: E402,F401


def main() -> None:
    import sys

    if not (sys.stdout.isatty() and sys.stderr.isatty()):
        # Piped or redirected (CI logs, `2>&1 | grep`): usage errors and help
        # as plain click text, not rich boxes drawn for a terminal.
        app.rich_markup_mode = None
    app()
