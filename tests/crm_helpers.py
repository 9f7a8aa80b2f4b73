"""Helpers of the CRM tests: fixtures from text, scripts run on them."""

from __future__ import annotations

import textwrap

import engine
from engine.crm.fixture import Fixture, parse_fixture


def fixture(text: str, name: str = "crm.yaml") -> Fixture:
    return parse_fixture(textwrap.dedent(text), name)


def run(source: str, fixture_text: str | Fixture | None = None, name: str = "t.crm"):
    """Run a script on a fixture (text or Fixture; None: the demo CRM); the RunResult.
    The run's database is given back before returning."""
    script = engine.compile_script(textwrap.dedent(source), name)
    if isinstance(fixture_text, str):
        fixture_text = fixture(fixture_text)
    result = script.run(fixture=fixture_text) if fixture_text is not None else script.run()
    result.context.crm.close()
    return result


def printed(source: str, fixture_text: str | Fixture | None = None) -> str:
    return run(source, fixture_text).output
