"""pytest plugin (entry point `pytest11: crmscript`): case files as test items.

Plain `pytest` collects every `*.cases.yaml` / `*.cases.yml` file it meets
as a file of test items, one item per case (parametrised rows included). No
other YAML file is touched. A failing case reports the same diff as
`crmscript test`; a broken case file is a collection error naming the file,
the case and the field.

The engine is imported only when a case file is collected, so the plugin
costs nothing in test sessions without case files.
"""

from __future__ import annotations

from typing import Any

import pytest

_RUNNER_KEY = pytest.StashKey[Any]()
_COVERAGE_KEY = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("crmscript", "CRMScript handler cases (*.cases.yaml)")
    group.addoption("--crmscript-coverage", action="store_true", default=False,
                    help="report which CRMScript handler lines the cases ran")
    group.addoption("--crmscript-lcov", metavar="FILE", default=None,
                    help="write CRMScript line coverage as LCOV (implies --crmscript-coverage)")


def pytest_collect_file(parent: pytest.Collector, file_path):  # noqa: ANN001 - pytest hook
    if file_path.name.endswith((".cases.yaml", ".cases.yml")):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def _runner(config: pytest.Config) -> Any:
    """One CaseRunner per session: one Engine per handler tree for all items."""
    runner = config.stash.get(_RUNNER_KEY, None)
    if runner is None:
        from .runner import CaseRunner

        around_event = None
        if config.getoption("crmscript_coverage") or config.getoption("crmscript_lcov"):
            from .coverage import LineCoverage
            from .linetrace import tracing

            coverage = config.stash[_COVERAGE_KEY] = LineCoverage()
            around_event = lambda case: tracing(coverage)  # noqa: E731
        runner = config.stash[_RUNNER_KEY] = CaseRunner(around_event=around_event)
    return runner


class CaseFile(pytest.File):
    def collect(self):
        from ..errors import CRMScriptError
        from .model import load_case_file

        try:
            cases = load_case_file(self.path)
        except CRMScriptError as error:
            raise self.CollectError(str(error)) from None
        for case in cases:
            yield CaseItem.from_parent(self, name=case.name, case=case)


class CaseFailed(Exception):
    """Raised by a failing case; carries the result for repr_failure."""

    def __init__(self, result: Any) -> None:
        super().__init__(result.case.name)
        self.result = result


class CaseItem(pytest.Item):
    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.add_marker(pytest.mark.crmscript)

    def runtest(self) -> None:
        from .runner import PASSED, SKIPPED

        if self.case.skip is not None:
            pytest.skip(self.case.skip)
        result = _runner(self.config).run(self.case)
        if result.status == SKIPPED:
            pytest.skip(result.error or "")
        if result.status != PASSED:
            raise CaseFailed(result)

    def repr_failure(self, excinfo, style=None):  # noqa: ANN001 - pytest hook
        if isinstance(excinfo.value, CaseFailed):
            from .report import display_path, failure_text, one_line

            result = excinfo.value.result
            where = f"{display_path(result.case.file)}:{result.case.line}"
            return f"{one_line(result)}\n  case {result.case.name!r} ({where}, {result.case.event})\n" + failure_text(
                result).plain.rstrip()
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.case.line - 1, f"{self.case.event}: {self.case.name}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "crmscript: a CRMScript handler case from a *.cases.yaml file")


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:  # noqa: ANN001
    coverage = config.stash.get(_COVERAGE_KEY, None)
    runner = config.stash.get(_RUNNER_KEY, None)
    if coverage is None or runner is None:
        return
    import io
    from pathlib import Path

    from rich.console import Console

    from .coverage import print_coverage, write_lcov

    report = coverage.report(runner.engines())
    buffer = io.StringIO()
    print_coverage(report, Console(file=buffer, width=160, force_terminal=False, color_system=None))
    terminalreporter.write_sep("-", "CRMScript line coverage")
    terminalreporter.write(buffer.getvalue())
    lcov = config.getoption("crmscript_lcov")
    if lcov:
        write_lcov(report, Path(lcov))
        terminalreporter.write_line(f"LCOV written to {lcov}")
