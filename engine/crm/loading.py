"""Where a run's fixture comes from: a file (YAML or SQLite, told by its
header), the handler tree's fixture.yaml, or the demo CRM; and binding one
to a run (its data, clock and time zone)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import FIXTURE_FILE_NAME
from .fixture import Fixture, FixtureError, parse_fixture
from .schema import Schema
from .store import fixture_from_sqlite


def load_fixture(path: Path | str, schema: Schema | None = None) -> Fixture:
    """Read and check a fixture file (YAML, or SQLite by its header)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FixtureError(f"cannot read the fixture: {error.strerror}", str(path)) from None
    if data.startswith(b"SQLite format 3\x00"):
        return fixture_from_sqlite(path, data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FixtureError("the fixture is not UTF-8 text (nor a SQLite file)", str(path), 1, 1) from None
    return parse_fixture(text, str(path), schema)


def fixture_for_tree(handlers_dir: Path | str | None) -> Fixture | None:
    """The default fixture of a handler tree: DIR/fixture.yaml; None when it has
    none (the demo CRM then, loaded when a run first needs it)."""
    if handlers_dir is not None:
        own = Path(handlers_dir) / FIXTURE_FILE_NAME
        if own.is_file():
            return load_fixture(own)
    return None


def resolve_fixture(fixture: Fixture | Path | str | None, handlers_dir: Path | str | None = None) -> Fixture | None:
    """What `fixture=` arguments accept: a Fixture, a path, or None (the tree's
    default: its fixture.yaml, else None for the demo CRM). A bad file raises
    FixtureError here, before anything runs."""
    if isinstance(fixture, Fixture):
        return fixture
    if fixture is None:
        return fixture_for_tree(handlers_dir)
    return load_fixture(fixture)


def bind_fixture(context: Any, fixture: Fixture | Path | str | None, now: _dt.datetime | None = None) -> None:
    """Make `fixture` the CRM of a run: its data, its clock (`now` overrides it),
    its time zone (unless the caller's settings name one)."""
    fixture = resolve_fixture(fixture)
    context.fixture = fixture
    start = now or (fixture.now if fixture is not None else None)
    if start is not None:
        context.clock_start = start
    if fixture is not None and fixture.timezone and not context.settings.timezone:
        context.settings = replace(context.settings, timezone=fixture.timezone)
