"""Running test cases: fire each case's event through its handler tree and compare.

One Engine is built per handler tree and reused by every case that tests
that tree. `Engine.run_chain` returns what each handler printed (its
`runs`), also for a handler that failed half-way.

The engine is reached through `EngineFactory` so tests of this package can
run against a fake engine; the default factory builds `engine.chain.Engine`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..errors import CRMScriptError, CRMScriptNotSimulatedError
from ..eventdata import EventData
from .diff import Mismatch, compare
from .model import TestCase

PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"


class CaseEngine(Protocol):
    """What the runner needs of an engine (engine.chain.Engine has it)."""

    handlers_dir: Any

    def run_chain(self, event: EventData) -> Any:
        """-> an object with `.event` (EventData) and `.runs` (each `.handler`, `.output`)."""


EngineFactory = Callable[..., CaseEngine]  # (handlers_dir) or (handlers_dir, plugin files)


def real_engine_factory(handlers_dir: Path, plugins: tuple[Path, ...] = (), now: Any = None) -> CaseEngine:
    """An Engine for a tree; `now` (--now) is the clock of every case."""
    from ..chain import Engine

    # Warnings are not failures of a case. Those of the tree itself (a type
    # folder that is not in the catalog: usually a typo that would never fire
    # in a CRM) are kept for the report; per-event ones (an input key the
    # trigger does not document) stay in ChainResult.warnings.
    startup: list[str] = []
    engine = Engine(handlers_dir, plugins=plugins, on_warning=startup.append, now=now)
    engine.on_warning = lambda message: None
    engine.startup_warnings = startup
    return engine


@dataclass
class Outcome:
    event: EventData
    printed: str
    logged: list[str] = field(default_factory=list)  # printDebug / log / logMessage lines of the handlers


@dataclass
class CaseResult:
    case: TestCase
    status: str
    mismatches: list[Mismatch] = field(default_factory=list)
    outcome: Outcome | None = None
    error: str | None = None  # why the case could not run (status ERROR)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in (PASSED, SKIPPED)


def request_event(case: TestCase) -> EventData:
    """The EventData a case sends: its event type and input, state and caller values."""
    return EventData(
        Type=case.event,
        InputValues=dict(case.input),
        StateValues=dict(case.state),
        OutputValues=dict(case.request.output),
        Message=case.request.message,
        NavigateTo=case.request.navigate_to,
        BlockExecution=case.request.block,
    )


class CaseRunner:
    """Runs cases, building one engine per handler tree (and set of plugin files).

    `around_event` (optional) wraps every `execute` call: coverage and trace
    recorders use it to switch line tracing on only while handlers run.
    `plugins`: plugin files every engine loads (--plugin), before a case
    file's own `plugins:`.
    """

    def __init__(
        self,
        factory: EngineFactory | None = None,
        around_event: Callable[[TestCase]] | None = None,
        plugins: Iterable[Path] = (),
    ) -> None:
        self._factory = factory or real_engine_factory
        self._around_event = around_event or (lambda case: nullcontext())
        self._plugins = tuple(plugins)
        self._engines: dict[tuple[Path, tuple[Path, ...]], CaseEngine] = {}
        self._broken_trees: dict[tuple[Path, tuple[Path, ...]], str] = {}
        # (tree, message) of each handler tree's start-up warnings, once per tree
        self.tree_warnings: list[tuple[Path, str]] = []

    def engines(self) -> list[CaseEngine]:
        """Every engine built so far (one per handler tree), for coverage reports."""
        return list(self._engines.values())

    def engine_of(self, case: TestCase) -> CaseEngine:
        """The engine a case runs on: its tree, with the runner's and the case's plugins."""
        return self.engine_for(case.handlers, case.plugins)

    def engine_for(self, handlers_dir: Path, plugins: tuple[Path, ...] = ()) -> CaseEngine:
        plugins = tuple(dict.fromkeys((*self._plugins, *plugins)))
        key = (handlers_dir, plugins)
        if key in self._broken_trees:
            raise _TreeError(self._broken_trees[key])
        if key not in self._engines:
            if not handlers_dir.is_dir():
                message = f"handler tree not found: {handlers_dir}"
                self._broken_trees[key] = message
                raise _TreeError(message)
            try:
                engine = self._factory(handlers_dir, plugins) if plugins else self._factory(handlers_dir)
            except CRMScriptError as e:
                self._broken_trees[key] = str(e)
                raise _TreeError(str(e)) from None
            self._engines[key] = engine
            if not any(tree == handlers_dir for tree, _ in self.tree_warnings):
                self.tree_warnings.extend((handlers_dir, m) for m in getattr(engine, "startup_warnings", ()))
        return self._engines[key]

    def run(self, case: TestCase) -> CaseResult:
        if case.skip is not None:
            return CaseResult(case, SKIPPED, error=case.skip)
        started = time.perf_counter()
        try:
            engine = self.engine_of(case)
            options: dict[str, Any] = {}
            if case.only is not None:
                options["handlers"] = _chosen_handlers(engine, case)
            if case.settings is not None:
                options["settings"] = _settings(case)
            if case.fixture is not None:  # the case's own CRM (fixture:, rows:)
                options["fixture"] = case.fixture
            if case.db is not None:  # expect: db: reads the chain's database afterwards
                options["keep_crm"] = True
            with self._around_event(case):
                chain = engine.run_chain(request_event(case), **options)
        except _TreeError as e:
            return CaseResult(case, ERROR, error=str(e), seconds=time.perf_counter() - started)
        except CRMScriptError as e:
            return CaseResult(case, ERROR, error=str(e), seconds=time.perf_counter() - started)
        logged = [line for run in chain.runs for line in getattr(run, "log_lines", list)()]
        outcome = Outcome(chain.event, "".join(run.output for run in chain.runs), logged)
        if isinstance(getattr(chain, "error", None), CRMScriptNotSimulatedError):
            # What the handler would have done is unknown: the case can neither
            # pass (not even one expecting an Exception) nor fail on its values.
            return CaseResult(case, ERROR, outcome=outcome, error=chain.event.Exception,
                              seconds=time.perf_counter() - started)
        mismatches = compare(case.expect, chain.event, outcome.printed)
        if case.db is not None:
            mismatches += _db_mismatches(case, engine, chain)
        if case.http is not None or case.outbox is not None:
            mismatches += _sent_mismatches(case, chain)
        return CaseResult(case, FAILED if mismatches else PASSED, mismatches, outcome,
                          seconds=time.perf_counter() - started)

    def run_all(self, cases: Iterable[TestCase]) -> list[CaseResult]:
        return [self.run(case) for case in cases]


def _db_mismatches(case: TestCase, engine: CaseEngine, chain: Any) -> list[Mismatch]:
    """`expect: db:` on the chain's database (the fixture's, if no handler touched it)."""
    from ..crm import Session
    from ..crm.cases import check_db

    session = chain.crm or Session(case.fixture or getattr(engine, "fixture", None))
    try:
        return [Mismatch(field, expected, actual, note) for field, expected, actual, note in check_db(case.db, session)]
    finally:
        session.close()


def _sent_mismatches(case: TestCase, chain: Any) -> list[Mismatch]:
    """`expect: http:` on the calls the chain made, `expect: outbox:` on what it sent."""
    from ..crm.http_cases import check_calls, check_sent

    problems = []
    if case.http is not None:
        exchange = getattr(chain, "http", None)
        problems += check_calls(case.http, exchange.calls if exchange is not None else [])
    if case.outbox is not None:
        problems += check_sent(case.outbox, getattr(chain, "outbox", []))
    return [Mismatch(field, expected, actual, note) for field, expected, actual, note in problems]


def _settings(case: TestCase) -> Any:
    from ..runtime.context import Settings

    given = case.settings.model_dump(exclude_none=True)
    return Settings(**given)


def _chosen_handlers(engine: CaseEngine, case: TestCase) -> list:
    """The handlers a case's `only:` names, in chain order."""
    available = engine.handlers_for(case.event)
    names = {handler.file_name for handler in available}
    # `SalesBeforeSaveSale/10-a.crm`, as traces and Exception texts name a
    # handler, means the file `10-a.crm` of the case's type.
    wanted = [name.removeprefix(f"{case.event}/") for name in case.only]
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise _TreeError(f"only: no handler {', '.join(map(repr, unknown))} for {case.event} in {case.handlers} "
                         f"(there are: {', '.join(sorted(names)) or 'none'})")
    return [handler for handler in available if handler.file_name in wanted]


class _TreeError(Exception):
    """The case's handler tree is missing or its engine could not be built."""
