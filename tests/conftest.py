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


def check_errors(source: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of each error compiling a script reports."""
    with pytest.raises(engine.CRMScriptError) as caught:
        engine.compile_script(source, SCRIPT_NAME)
    errors = getattr(caught.value, "errors", [caught.value])
    return [(e.line, e.column, e.message) for e in errors]


# The CLI's tests: one handler that echoes an input, and the app in-process.
SEEN_HANDLER = 'EventData ed = getEventData();\ned.setOutputValue("seen", ed.getInputValue("who"));\n'


@pytest.fixture
def seen_tree(tmp_path):
    """A handler tree with SalesBeforeSaveSale/10-seen.crm (OutputValues.seen = InputValues.who)."""
    root = tmp_path / "tree"
    (root / "SalesBeforeSaveSale").mkdir(parents=True)
    (root / "SalesBeforeSaveSale" / "10-seen.crm").write_text(SEEN_HANDLER)
    return root


def invoke_cli(*args: str, input: str | None = None):
    """`crmscript ARGS` in this process (typer's CliRunner)."""
    from typer.testing import CliRunner

    from engine.cli import app

    return CliRunner().invoke(app, list(args), input=input)


def write_cases(tree, text: str | bytes):
    """SalesBeforeSaveSale/seen.cases.yaml of the tree, with this text."""
    path = tree / "SalesBeforeSaveSale" / "seen.cases.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def assert_one_clean_line(result, *fragments: str) -> None:
    """A usage error: exit 2, one line on stderr, no traceback, no `:0:0`."""
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message, message
    assert ":0:0" not in message, message
    for fragment in fragments:
        assert fragment in message, message


# A plugin file: a library function `shout` and a handler of its own that uses it.
SHOUT_PLUGIN = '''
from engine.hookspecs import HandlerSource, hookimpl
from engine.runtime.table import builtin


@hookimpl
def crmscript_library(library):
    @builtin("String shout(String s)", library=library)
    def shout(s):
        return s.upper() + "!"


@hookimpl
def crmscript_handlers():
    return [HandlerSource("SalesBeforeSaveSale", "50-plugin.crm", 'getEventData().setMessage(shout("from plugin"));')]
'''
SHOUT_HANDLER = 'getEventData().setOutputValue("seen", shout("mine"));\n'
