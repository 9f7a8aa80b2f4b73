"""The simulated CRM (docs/crm.md): the database schema, fixtures, the store,
the embedded demo CRM, and the classes that reach them (SearchEngine).

    from engine.crm import load_fixture, Session
    fixture = load_fixture("crm.yaml")        # raises FixtureError (file:line:col)
    session = Session(fixture)                 # one run's copy, made on first use
    session.database.execute("SELECT ...")
    session.close()                            # back to the fixture's state
"""

from .fixture import (
    DEMO_NAME,
    FIXTURE_FILE_NAME,
    Fixture,
    FixtureError,
    bind_fixture,
    clock_start,
    demo_fixture,
    fixture_for_tree,
    load_fixture,
    resolve_fixture,
)
from .schema import Schema, reference_schema
from .store import Session

__all__ = [
    "DEMO_NAME",
    "FIXTURE_FILE_NAME",
    "Fixture",
    "FixtureError",
    "Schema",
    "Session",
    "bind_fixture",
    "clock_start",
    "demo_fixture",
    "fixture_for_tree",
    "load_fixture",
    "reference_schema",
    "resolve_fixture",
]
