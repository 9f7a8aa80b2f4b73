"""`crmscript test [PATH...]`: run handler test cases (`*.cases.yaml`) and report.

Exit status: 0 every selected case passed, 1 a case failed or could not run,
2 bad usage (a missing path, a bad -k, a broken case file, nothing to run).
See docs/testing.md.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from ..errors import CRMScriptError
from . import app
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, report, resolve_handlers_dir

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
    paths: Optional[List[Path]] = typer.Argument(
        None, metavar="PATH", help="Case files (*.cases.yaml) or folders to search. Default: the repository's handlers/."),
    keyword: Optional[str] = typer.Option(
        None, "-k", help="Only cases whose name, file or event type matches: words, and/or/not, ( )."),
    handlers: Optional[Path] = typer.Option(
        None, "--handlers", help="Run every case against this handler tree instead of its own."),
    junit_xml: Optional[Path] = typer.Option(None, "--junit-xml", help="Also write the results as JUnit XML."),
    coverage: bool = typer.Option(False, "--coverage", help="Report which handler lines ran."),
    coverage_lcov: Optional[Path] = typer.Option(
        None, "--coverage-lcov", help="Write line coverage as LCOV (implies --coverage)."),
    coverage_html: Optional[Path] = typer.Option(
        None, "--coverage-html", help="Write line coverage as HTML pages into this folder (implies --coverage)."),
    trace: bool = typer.Option(False, "--trace", help="Show every executed handler line with variable values."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="List every case, not only failures."),
) -> None:
    """Run handler test cases and report pass/fail with a diff of expected vs actual EventData."""
    from ..testing.linetrace import tracing
    from ..testing.coverage import LineCoverage, print_coverage, write_html, write_lcov
    from ..testing.runner import CaseRunner
    from ..testing.session import collect
    from ..testing.trace import LineTracer, render_trace
    from ..testing.report import print_results, summary, write_junit

    # Piped output (CI logs, files) has no width: do not crop the tables at 80.
    # markup=False: case names and paths may hold "[...]" (parametrised cases).
    console = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)
    # soft_wrap: an error is one line, whatever the terminal width (grep-able).
    errors = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)
    if handlers is not None and not handlers.is_dir():
        errors.print(f"crmscript test: --handlers: no such folder: {handlers}")
        raise typer.Exit(EXIT_USAGE)
    search = paths or [resolve_handlers_dir(None)]
    try:
        collection = collect(search, keyword, handlers)
    except CRMScriptError as error:
        report(error)
        raise typer.Exit(EXIT_USAGE)
    if not collection.files:
        errors.print(f"crmscript test: no case files (*.cases.yaml) under {', '.join(map(str, search))}")
        raise typer.Exit(EXIT_USAGE)
    if not collection.cases:
        if collection.deselected:
            errors.print(f"crmscript test: -k {keyword!r} selects none of {collection.deselected} cases")
        else:
            errors.print(f"crmscript test: the case files under {', '.join(map(str, search))} hold no cases")
        raise typer.Exit(EXIT_USAGE)

    line_coverage = LineCoverage() if (coverage or coverage_lcov or coverage_html) else None
    tracer = LineTracer() if trace else None
    recorders = [recorder for recorder in (line_coverage, tracer) if recorder is not None]

    @contextmanager
    def around_event(case):
        with tracing(*recorders):
            yield

    runner = CaseRunner(around_event=around_event if recorders else None)
    started = time.perf_counter()
    results = []
    show_progress = console.is_terminal and len(collection.cases) >= PROGRESS_BAR_MIN_CASES and not trace
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True, disable=not show_progress) as progress:
        task = progress.add_task("testing", total=len(collection.cases))
        for case in collection.cases:
            if tracer is not None:
                tracer.clear()
            result = runner.run(case)
            results.append(result)
            if tracer is not None and result.status != "error":
                console.print(Text.assemble(("trace of ", "bold"), (case.name, "bold"), f" ({case.event})"))
                console.print(render_trace(tracer.resolve(runner.engine_for(case.handlers))), end="", soft_wrap=True)
            progress.advance(task)
    seconds = time.perf_counter() - started

    print_results(results, console, verbose=verbose)
    for tree, message in runner.tree_warnings:
        errors.print(f"warning: {_shown_path(tree)}: {message}")
    if collection.deselected:
        console.print(f"{collection.deselected} deselected by -k", style="dim")
    if line_coverage is not None:
        coverage_report = line_coverage.report(runner.engines())
        print_coverage(coverage_report, console)
        try:
            if coverage_lcov is not None:
                write_lcov(coverage_report, coverage_lcov)
                console.print(f"LCOV written to {coverage_lcov}", style="dim")
            if coverage_html is not None:
                write_html(coverage_report, coverage_html)
                console.print(f"HTML coverage written to {coverage_html}/index.html", style="dim")
        except OSError as error:
            errors.print(f"crmscript test: cannot write {error.filename or 'coverage'}: {error.strerror or error}")
            raise typer.Exit(EXIT_USAGE)
    if junit_xml is not None:
        try:
            write_junit(results, junit_xml, seconds)
        except OSError as error:
            errors.print(f"crmscript test: cannot write {junit_xml}: {error.strerror}")
            raise typer.Exit(EXIT_USAGE)
    console.print(summary(results, seconds))
    sys.stdout.flush()
    raise typer.Exit(EXIT_OK if all(r.ok for r in results) else EXIT_FAILED)
