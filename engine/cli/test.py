"""`crmscript test [PATH...]`: run handler test cases (`*.cases.yaml`) and report.

Exit status: 0 every selected case passed, 1 a case failed or could not run,
2 bad usage (a missing path, a bad -k, a broken case file, nothing to run).
See docs/testing.md.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from ..errors import CRMScriptError
from . import app
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    announce_tree,
    load_plugin_files,
    plugin_option,
    print_warnings,
    report,
    resolve_handlers_dir,
)
from .fixture_options import NOW_HELP, RECORD_HTTP_HELP, fixture_option, now_option, record_http_option

# Below this many cases a progress bar only flickers.
PROGRESS_BAR_MIN_CASES = 30
PIPED_WIDTH = 160


def _shown_path(path: Path) -> str:
    """A tree as the user would type it: relative to the current folder when below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@app.command("test")
def test_command(
    paths: list[Path] | None = typer.Argument(
        None, metavar="PATH", help="Case files (*.cases.yaml) or folders to search. Default: ./handlers when this folder has one, else the repository's."),
    keyword: str | None = typer.Option(
        None, "-k", help="Only cases whose name, file or event type matches: words, and/or/not, ( )."),
    handlers: Path | None = typer.Option(
        None, "--handlers", help="Run every case against this handler tree instead of its own."),
    junit_xml: Path | None = typer.Option(None, "--junit-xml", help="Also write the results as JUnit XML."),
    coverage: bool = typer.Option(False, "--coverage", help="Report which handler lines ran."),
    coverage_lcov: Path | None = typer.Option(
        None, "--coverage-lcov", help="Write line coverage as LCOV (implies --coverage)."),
    coverage_html: Path | None = typer.Option(
        None, "--coverage-html", help="Write line coverage as HTML pages into this folder (implies --coverage)."),
    trace: bool = typer.Option(False, "--trace", help="Show every executed handler line with variable values."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="List every case, not only failures."),
    plugins: list[Path] = plugin_option(),
    fixture: Path | None = typer.Option(
        None, "--fixture", help="The CRM of every case that names none (default: its tree's fixture.yaml, else the demo CRM)."),
    now: str | None = typer.Option(None, "--now", help=NOW_HELP),
    record_http: Path | None = typer.Option(None, "--record-http", metavar="FILE", help=RECORD_HTTP_HELP),
) -> None:
    """Run handler test cases and report pass/fail with a diff of expected vs actual EventData."""
    from ..testing.coverage import LineCoverage
    from ..testing.report import print_results, summary
    from ..testing.trace import LineTracer

    # Piped output (CI logs, files) has no width: do not crop the tables at 80.
    # markup=False: case names and paths may hold "[...]" (parametrised cases).
    console = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)
    # soft_wrap: an error is one line, whatever the terminal width (grep-able).
    errors = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)
    plugin_files = load_plugin_files(plugins, "test")
    clock = now_option(now, fixture_option(fixture, None, "test") if fixture else None, "test")
    collection = _collect(paths, keyword, handlers, errors, fixture)
    for tree in dict.fromkeys(case.handlers for case in collection.cases):
        announce_tree(tree)
    print_warnings(collection.warnings)
    line_coverage = LineCoverage() if (coverage or coverage_lcov or coverage_html) else None
    tracer = LineTracer() if trace else None
    runner = _case_runner(line_coverage, tracer, plugin_files, clock)
    started = time.perf_counter()
    with record_http_option(record_http, "test"):
        results = _run_cases(collection.cases, runner, tracer, console)
    seconds = time.perf_counter() - started

    print_results(results, console, verbose=verbose)
    for tree, message in runner.tree_warnings:
        errors.print(f"warning: {_shown_path(tree)}: {message}")
    if collection.deselected:
        console.print(f"{collection.deselected} deselected by -k", style="dim")
    if line_coverage is not None:
        _report_coverage(line_coverage, runner, coverage_lcov, coverage_html, console, errors)
    if junit_xml is not None:
        _write_junit(results, junit_xml, seconds, errors)
    console.print(summary(results, seconds))
    sys.stdout.flush()
    if collection.broken:
        # Bad input outranks failed cases (exit 2), and is named again below the report.
        names = ", ".join(broken.file for broken in collection.broken)
        errors.print(f"crmscript test: {len(collection.broken)} case file(s) not run, see above: {names}")
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_OK if all(r.ok for r in results) else EXIT_FAILED)


def _collect(paths: list[Path] | None, keyword: str | None, handlers: Path | None, errors: Console,
             fixture: Path | None = None) -> Any:
    """The selected cases; every way of having nothing to run is a usage error (exit 2)."""
    from ..testing.session import collect

    if handlers is not None and not handlers.is_dir():
        errors.print(f"crmscript test: --handlers: no such folder: {handlers}")
        raise typer.Exit(EXIT_USAGE)
    search = paths or [resolve_handlers_dir(None)]
    try:
        collection = collect(search, keyword, handlers, fixture)
    except CRMScriptError as error:
        report(error)
        raise typer.Exit(EXIT_USAGE) from None
    for broken in collection.broken:  # reported now; the other files still run
        report(broken)
    if not collection.files:
        errors.print(f"crmscript test: no case files (*.cases.yaml) under {', '.join(map(str, search))}")
        raise typer.Exit(EXIT_USAGE)
    if collection.broken and len(collection.broken) == len(collection.files):
        raise typer.Exit(EXIT_USAGE)  # each one said why, above
    if not collection.cases:
        if collection.deselected:
            errors.print(f"crmscript test: -k {keyword!r} selects none of {collection.deselected} cases")
        else:
            errors.print(f"crmscript test: the case files under {', '.join(map(str, search))} hold no cases")
        raise typer.Exit(EXIT_USAGE)
    return collection


def _case_runner(line_coverage: Any, tracer: Any, plugin_files: list[Path], clock: Any = None) -> Any:
    """A CaseRunner that switches line tracing on around each event for the
    recorders; `clock` (--now) is every case's."""
    from ..testing.linetrace import tracing
    from ..testing.runner import CaseRunner, real_engine_factory

    recorders = [recorder for recorder in (line_coverage, tracer) if recorder is not None]

    @contextmanager
    def around_event(case):
        with tracing(*recorders):
            yield

    return CaseRunner(partial(real_engine_factory, now=clock), around_event=around_event if recorders else None,
                      plugins=plugin_files)


def _run_cases(cases: list, runner: Any, tracer: Any, console: Console) -> list:
    """Run every case (a progress bar on a terminal for many), printing each trace."""
    from ..testing.trace import render_trace

    results = []
    show_progress = console.is_terminal and len(cases) >= PROGRESS_BAR_MIN_CASES and tracer is None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True, disable=not show_progress) as progress:
        task = progress.add_task("testing", total=len(cases))
        for case in cases:
            if tracer is not None:
                tracer.clear()
            result = runner.run(case)
            results.append(result)
            if tracer is not None and result.status != "error":
                console.print(Text.assemble(("trace of ", "bold"), (case.name, "bold"), f" ({case.event})"))
                console.print(render_trace(tracer.resolve(runner.engine_of(case))), end="", soft_wrap=True)
                for line in result.outcome.logged:
                    console.print(f"  logged: {line}", style="dim")
            progress.advance(task)
    return results


def _report_coverage(line_coverage: Any, runner: Any, lcov: Path | None, html: Path | None,
                     console: Console, errors: Console) -> None:
    from ..testing.coverage import print_coverage, write_html, write_lcov

    coverage_report = line_coverage.report(runner.engines())
    print_coverage(coverage_report, console)
    try:
        if lcov is not None:
            write_lcov(coverage_report, lcov)
            console.print(f"LCOV written to {lcov}", style="dim")
        if html is not None:
            write_html(coverage_report, html)
            console.print(f"HTML coverage written to {html}/index.html", style="dim")
    except OSError as error:
        errors.print(f"crmscript test: cannot write {error.filename or 'coverage'}: {error.strerror or error}")
        raise typer.Exit(EXIT_USAGE) from None


def _write_junit(results: list, path: Path, seconds: float, errors: Console) -> None:
    from ..testing.report import write_junit

    try:
        write_junit(results, path, seconds)
    except OSError as error:
        errors.print(f"crmscript test: cannot write {path}: {error.strerror}")
        raise typer.Exit(EXIT_USAGE) from None
