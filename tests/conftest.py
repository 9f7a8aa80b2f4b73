"""What every test shares."""

from __future__ import annotations

import pytest

import engine

try:
    import resource
except ImportError:  # Windows: no process limits to restore
    resource = None  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _process_memory_limit_restored():
    """`crmscript serve` invoked in-process (CliRunner) sets this process's
    memory limit (serve --memory-limit, docs/limits.md); restore it, or every
    later subprocess of the pytest worker (Chromium, a Dask cluster) inherits it."""
    if resource is None:
        yield
        return
    before = resource.getrlimit(resource.RLIMIT_AS)
    yield
    if resource.getrlimit(resource.RLIMIT_AS) != before:
        resource.setrlimit(resource.RLIMIT_AS, before)


# The shared helpers of the language's tests (`from conftest import run, failure`).
SCRIPT_NAME = "t.crm"


def run(source: str, name: str = SCRIPT_NAME, **compile_options) -> str:
    """What a script prints."""
    return engine.compile_script(source, name, **compile_options).run().output


def failure(source: str, name: str = SCRIPT_NAME, **compile_options) -> engine.CRMScriptError:
    """The CRMScript error a script's compilation or run ends with."""
    with pytest.raises(engine.CRMScriptError) as caught:
        engine.compile_script(source, name, **compile_options).run()
    return caught.value
