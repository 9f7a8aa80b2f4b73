"""The simulated CRM (docs/crm.md): the database schema, fixtures, the store,
the embedded demo CRM, and the classes that reach them (SearchEngine, User).

    from engine.crm import load_fixture, Session
    fixture = load_fixture("crm.yaml")        # raises FixtureError (file:line:col)
    session = Session(fixture)                 # one run's copy, made on first use
    session.database.execute("SELECT ...")
    session.close()                            # back to the fixture's state

The names below are imported when first used: importing the runtime library
(which registers SearchEngine) must not load YAML or SQLite for runs that
never query.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

FIXTURE_FILE_NAME = "fixture.yaml"  # the handler tree's own fixture: DIR/fixture.yaml
DEMO_NAME = "the demo CRM"

_EXPORTS = {
    "Fixture": "fixture", "FixtureError": "fixture", "clock_start": "fixture", "demo_fixture": "fixture",
    "bind_fixture": "loading", "fixture_for_tree": "loading", "load_fixture": "loading",
    "Schema": "schema", "reference_schema": "schema", "Session": "store", "store_of": "store",
}

__all__ = ["DEMO_NAME", "FIXTURE_FILE_NAME", "resolve_fixture", *_EXPORTS]


def resolve_fixture(fixture: Any, handlers_dir: Path | str | None = None) -> Any:
    """What `fixture=` arguments accept: a Fixture, a path, or None (the tree's
    default: its fixture.yaml, else None for the demo CRM, loaded when a run
    first queries). A bad file raises FixtureError here, before anything runs."""
    if fixture is None and (handlers_dir is None or not (Path(handlers_dir) / FIXTURE_FILE_NAME).is_file()):
        return None
    from .loading import resolve_fixture as resolve

    return resolve(fixture, handlers_dir)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
