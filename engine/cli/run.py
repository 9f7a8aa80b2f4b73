"""`crmscript run FILE [--event TYPE] [--input K=V]... [--state K=V]...`

Runs one script standalone. What the script prints goes to stdout as it is
printed. With `--event` the script runs as a handler of that event type: its
EventData has that Type, the --input values as InputValues and the --state
values as StateValues, and after the run a short summary of what the handler
set (OutputValues, StateValues, Message, NavigateTo, BlockExecution, ...) is
written to stderr. docs/cli-run.md describes the command for users.

Exit status: 0 the script ran, 1 it did not compile or ended with an
uncaught error (`file:line:col: error: message` on stderr), 2 bad usage.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import typer

from ..catalog import default_catalog
from ..errors import CRMScriptError
from ..eventdata import EventData
from ..handlers import log_line
from ..includes import script_include_path
from ..runtime.context import RunContext
from ..script import compile_script
from ..textfile import NotUTF8, UnreadableFile, read_script_text
from . import app
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    apply_memory_limit,
    each_error,
    handler_tree_option,
    limits_from,
    load_plugin_files,
    memory_limit_option,
    plugin_option,
    report,
    resolve_handlers_dir,
    time_limit_option,
)
from .fixture_options import FIXTURE_HELP, NOW_HELP, RECORD_HTTP_HELP, fixture_option, now_option, record_http_option


def parse_pairs(values: list[str], option: str) -> dict[str, str]:
    """["a=1", "b=x=y"] -> {"a": "1", "b": "x=y"}; a value without '=' is bad usage."""
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{value!r} is not KEY=VALUE", param_hint=option)
        pairs[key.strip()] = text
    return pairs


def summary(before: EventData, after: EventData) -> list[str]:
    """Lines describing what a handler set on the EventData."""
    lines = [f"event {after.Type or '(no type)'}:"]
    if after.OutputValues:
        lines.append("  OutputValues:")
        lines.extend(f"    {k} = {v}" for k, v in after.OutputValues.items())
    if after.StateValues != before.StateValues:
        lines.append("  StateValues:")
        lines.extend(f"    {k} = {v}" for k, v in after.StateValues.items())
    for name in ("Message", "NavigateTo", "Exception", "ShowDialog"):
        value = getattr(after, name)
        if value:
            lines.append(f"  {name}: {value}")
    if after.BlockExecution:
        lines.append("  BlockExecution: true")
    if after.FieldProperties:
        lines.append("  FieldProperties:")
        for field, prop in after.FieldProperties.items():
            lines.append(f"    {field}: {prop.model_dump_json()}")
    if len(lines) == 1:
        lines.append("  (nothing set)")
    return lines


def _silence_stdout() -> None:
    """Point stdout at the null device so later writes and the final flush
    after a closed pipe raise nothing."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (tests): nothing to redirect
        pass
    finally:
        os.close(devnull)


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def _print_error(error: CRMScriptError) -> None:
    for e in each_error(error):
        print(f"{e.location()}: error: {e.message}", file=sys.stderr)


def _read_script(file: Path) -> str:
    """The script's text; a path that is no readable UTF-8 file is bad usage
    (exit 2) with a one-line reason."""
    def usage_error(reason: str):
        print(f"crmscript run: {file}: {reason}", file=sys.stderr)
        return typer.Exit(EXIT_USAGE)

    if file.is_dir():
        raise usage_error("is a folder, not a script file (crmscript check takes folders)")
    try:
        return read_script_text(file, str(file))
    except UnreadableFile as problem:
        if isinstance(problem.reason, FileNotFoundError):
            raise usage_error("no such file") from None
        raise usage_error(f"cannot read it: {problem.reason.strerror or problem.reason}") from None
    except NotUTF8 as problem:
        raise usage_error(f"the file is not UTF-8 text (line {problem.line}, column {problem.column}): "
                          "save it as UTF-8") from None


@app.command("run")
def run_command(
    file: Path = typer.Argument(..., metavar="FILE", help="The CRMScript file to run."),
    event: str | None = typer.Option(None, "--event", help="Run as a handler of this event type."),
    inputs: list[str] = typer.Option([], "--input", help="An input value KEY=VALUE (repeatable)."),
    states: list[str] = typer.Option([], "--state", help="A state value KEY=VALUE (repeatable)."),
    handlers: Path | None = typer.Option(
        None, "--handlers", help="Include from this handler tree's lib/ (and the plugins' folders), as the chain does."),
    trace: bool = typer.Option(False, "--trace", help="On stderr: each executed line with its variables."),
    time_limit: float = time_limit_option(),
    memory_limit: int = memory_limit_option(0),
    plugins: list[Path] = plugin_option(),
    fixture: Path | None = typer.Option(None, "--fixture", help=FIXTURE_HELP),
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
    record_http: Path | None = typer.Option(None, "--record-http", metavar="FILE", help=RECORD_HTTP_HELP),
) -> None:
    """Run one script; what it prints goes to stdout."""
    from ..crm import bind_fixture

    input_values = parse_pairs(inputs, "--input")
    state_values = parse_pairs(states, "--state")
    plugin_files = load_plugin_files(plugins, "run")
    tree = handler_tree_option(handlers, "run") if handlers is not None else None
    # The CRM: --fixture, else the fixture.yaml of the tree (--handlers, or the default one)
    crm = fixture_option(fixture, (tree or resolve_handlers_dir(None)) if fixture is None else None, "run")
    clock = now_option(now, crm, "run")
    source = _read_script(file)
    script = _compile(file, source, tree, plugin_files)

    catalog = default_catalog()
    carrier = EventData(Type=event or "", InputValues=input_values, StateValues=state_values)
    before = carrier.model_copy(deep=True)
    output = _Stdout()
    context = RunContext(event=carrier, event_type_id=catalog.type_id, on_print=output.write,
                         log=_LogToStderr(output), limits=limits_from(time_limit))
    bind_fixture(context, crm, clock)
    apply_memory_limit(memory_limit, "run")
    context.deadline = time.perf_counter() + context.limits.seconds  # the clock starts now
    with record_http_option(record_http, "run"):
        status = _run(script, context, output, trace, roots=[tree or file.resolve().parent])
    if output.reader_gone:
        raise typer.Exit(EXIT_FAILED)
    if event is not None:
        # The same warnings as fire and the API: an unknown type, input keys the trigger never sends.
        for warning in catalog.warnings_for(event, input_values):
            print(f"warning: {warning}", file=sys.stderr)
        for line in summary(before, context.event):
            print(line, file=sys.stderr)
    raise typer.Exit(status)


def _compile(file: Path, source: str, tree: Path | None, plugin_files: list[Path]) -> Any:
    """The compiled script, or exit 1 with its errors. Includes come from the
    tree's lib/ with --handlers (what the chain sees), else from the script's
    folder and the nearest lib/; then from the plugins' folders. The plugins'
    built-in functions and classes are there too, as in the chain."""
    from ..includes import tree_include_path
    from ..plugins import make_plugin_manager, plugin_include_folders, plugin_library

    try:
        manager = make_plugin_manager(plugin_files)
        library, folders = plugin_library(manager), plugin_include_folders(manager)
    except CRMScriptError as error:  # an installed plugin that does not load
        print(f"crmscript run: {error}", file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    includes = tree_include_path(tree, folders) if tree is not None else script_include_path(file, folders)
    try:
        return compile_script(source, str(file), includes=includes, library=library)
    except CRMScriptError as error:
        report(error, source)
        raise typer.Exit(EXIT_FAILED) from None


def _run(script: Any, context: RunContext, output: _Stdout, trace: bool, roots: list[Path]) -> int:
    """Run once (under the line tracer with --trace); the exit status."""
    tracer = None
    status = EXIT_OK
    if trace:
        from ..testing.trace import LineTracer

        tracer = LineTracer()
    try:
        if tracer is not None:
            with tracer.recording():
                script.run(context=context)
        else:
            script.run(context=context)
    except CRMScriptError as error:
        output.flush()
        _print_error(error)
        status = EXIT_FAILED
    output.flush()
    if tracer is not None:
        _print_trace(tracer, script, roots)
    return status


def _print_trace(tracer: Any, script: Any, roots: list[Path]) -> None:
    from rich.console import Console

    from ..testing.linetrace import compiled_program
    from ..testing.trace import render_trace

    steps = tracer.resolve_programs([compiled_program(script)], [*roots, Path.cwd()])
    Console(stderr=True, highlight=False, soft_wrap=True).print(render_trace(steps), end="")


class _Stdout:
    """What the script prints, to stdout as it is printed."""

    def __init__(self) -> None:
        self.reader_gone = False  # `crmscript run x.crm | head`: the pipe closed early

    def write(self, text: str) -> None:
        if self.reader_gone:
            return
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:  # a terminal that cannot show every character
            encoding = sys.stdout.encoding or "ascii"
            sys.stdout.write(text.encode(encoding, "replace").decode(encoding))
        except BrokenPipeError:
            # Not the script's fault: drop the rest of its output quietly (as
            # click does for the other commands) instead of an "internal error".
            self.reader_gone = True
            _silence_stdout()

    def flush(self) -> None:
        _flush_stdout()


class _LogToStderr(list):
    """The run's log (printDebug, log, logMessage): kept, and each entry
    written to stderr as it is made (stdout flushed first, so on a terminal
    the two appear in the order the script wrote them)."""

    def __init__(self, output: _Stdout) -> None:
        super().__init__()
        self._output = output

    def append(self, entry: tuple[str, str]) -> None:
        super().append(entry)
        self._output.flush()
        print(log_line(*entry), file=sys.stderr, flush=True)
