"""`--fixture` and `--now`: the simulated CRM of run, fire, serve, test and replay.

`--fixture FILE` is a fixture (YAML, or a SQLite file from `crmscript db
init`); without it a command uses the handler tree's fixture.yaml, else the
embedded demo CRM (docs/crm.md). A fixture that does not load is bad input:
its `file:line:col: error: message` on stderr, exit status 2, nothing runs.
`--now` is the run's clock (overriding the fixture's `now`).
"""

from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path
from typing import Any

import typer

from .common import EXIT_USAGE, describe, tree_label

FIXTURE_HELP = "The simulated CRM: a fixture (YAML or SQLite). Default: the handler tree's fixture.yaml, else the demo CRM."
NOW_HELP = ("The run's clock, e.g. 2026-05-04T10:00:00 (in the fixture's time zone unless it has an offset). "
            "Default: the fixture's now, else the real time.")


RECORD_HTTP_HELP = ("Perform the HTTP class's requests for real (httpx) and write them to FILE as fixture http: "
                    "entries, secret headers masked; the next run replays them (docs/http.md).")


def record_http_option(path: Path | None, command: str) -> Any:
    """`--record-http FILE`: a context manager around the runs (nothing when not given).
    The file is written when the block ends; a file that cannot be written is exit 2."""
    from contextlib import contextmanager

    from ..crm.http_record import RecordError, recording

    @contextmanager
    def recorded():
        try:
            with recording(path) as recorder:
                yield recorder
        except RecordError as error:
            print(f"crmscript {command}: {error.message}", file=sys.stderr)
            raise typer.Exit(EXIT_USAGE) from None
        if path is not None:
            print(f"recorded HTTP: {tree_label(Path(path))}", file=sys.stderr)

    return recorded()


def fixture_option(fixture: Path | None, handlers_dir: Path | None, command: str) -> Any:
    """The fixture a command runs on (None: the demo CRM, loaded when first
    queried). A fixture file in use is named on stderr (`using fixture:
    ./handlers/fixture.yaml`), as the handler tree is."""
    from ..crm import resolve_fixture
    from ..errors import CRMScriptError

    try:
        loaded = resolve_fixture(fixture, handlers_dir)
    except CRMScriptError as error:
        print(f"crmscript {command}: {describe(error)}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    if loaded is not None:
        print(f"using fixture: {tree_label(Path(loaded.name))}", file=sys.stderr)
    return loaded


def now_option(now: str | None, fixture: Any, command: str) -> _dt.datetime | None:
    """`--now` as the clock's start (None when not given)."""
    if now is None:
        return None
    from ..crm import clock_start

    try:
        return clock_start(now, getattr(fixture, "timezone", "") or "")
    except ValueError as error:
        print(f"crmscript {command}: --now: {error}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
