"""`engine.Engine`: one ExecuteEventHandlers call = one run of the handler chain.

Chain semantics (docs/handlers.md):
1. One EventData is shared by the chain: every handler sees what the earlier
   ones left (last write wins). The caller's object is never changed; the
   chain works on a copy and returns it.
2. A handler that ends with an uncaught error (CRMScript exception, `throw`
   outside try, a limit, or a compile error) stops the chain; Exception is
   set to `<EventType>/<file>:<line>:<col>: <kind>: <message>` and everything
   set before the failure is kept.
3. No handler for the type: the request's EventData comes back unchanged.
4. getType() is the catalog's numeric id (0 if unknown).

BlockExecution does not stop the chain: it is a message to the caller
(SuperOffice runs every handler of the event), see docs/handlers.md.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from .catalog import Catalog, default_catalog
from .errors import CRMScriptError, CRMScriptLimitError
from .eventdata import EventData
from .handlers import Handler, HandlerRegistry, HandlerRun
from .plugins import (
    has_hook_impls,
    make_plugin_manager,
    plugin_handlers,
    plugin_include_folders,
    plugin_library,
)
from .runtime.context import Limits, RunContext, Settings
from .runtime.limits import check_event_data_size, event_data_size

log = logging.getLogger("crmscript.chain")


@dataclass
class ChainResult:
    """Everything one chain run did, for traces and tests."""

    event: EventData
    runs: list[HandlerRun] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed: Handler | None = None  # the handler that stopped the chain
    error: BaseException | None = None
    crm: Any = None  # the chain's database session, if a handler queried (run_chain(keep_crm=True) leaves it open)
    outbox: list = field(default_factory=list)  # what the handlers sent (engine/crm/outbox.py)
    fixture: Any = None  # the chain's own CRM (run_chain(fixture=...)), else the engine's
    http: Any = None  # the HTTP requests made and the recordings used (engine/crm/http_recordings.py)

    @property
    def output(self) -> str:
        return "".join(run.output for run in self.runs)

    def log_lines(self) -> list[str]:
        """What the handlers wrote with printDebug, log and logMessage, in order."""
        return [line for run in self.runs for line in run.log_lines()]


# The longest Exception text: an error message can quote a huge String
# (`throw s;`), and an 8 MB Exception once became an 8 MB response and log line.
MAX_EXCEPTION_TEXT = 10_000


def failure_message(handler: Handler, error: BaseException) -> str:
    """The Exception text: names the handler file, the line and the error."""
    if isinstance(error, CRMScriptError):
        if not error.line:  # no place in the script (a limit the chain checks after the run)
            text = f"{handler.name}: {error.kind}: {error.message}"
        elif error.file == handler.name:
            text = str(error)
        else:  # the error is located in an included file: name both
            text = f"{handler.name}: {error}"
    else:  # not a script problem: a bug in the engine or a plugin; still no traceback
        text = f"{handler.name}: internal error: {type(error).__name__}: {error}"
    if len(text) > MAX_EXCEPTION_TEXT:
        text = f"{text[:MAX_EXCEPTION_TEXT]}... ({len(text) - MAX_EXCEPTION_TEXT:,} more characters)"
    return text


class Engine:
    """Runs the handlers of a tree (plus plugins) for events.

    `plugins`: plugin modules or objects, or paths of plugin files (.py,
    imported and registered under the file's name), besides the installed
    ones (entry points, unless `load_entry_points=False`)."""

    def __init__(self, handlers_dir: os.PathLike | str = "handlers", *,
                 plugins: Iterable[Any] | None = None,
                 load_entry_points: bool = True,
                 catalog: Catalog | None = None,
                 check_interval: float = 0.0,
                 compile: Callable[..., Any] | None = None,
                 on_warning: Callable[[str], None] | None = None,
                 limits: Limits | None = None,
                 fixture: Any = None,
                 now: Any = None):
        from .crm import resolve_fixture

        # The CRM every event starts from (docs/crm.md): `fixture` (a Fixture or a
        # file), else the tree's fixture.yaml, else the demo CRM (None: loaded
        # when an event first queries it). A bad fixture raises FixtureError here.
        self.fixture = resolve_fixture(fixture, handlers_dir)
        self._now = now  # --now: the clock of every event, whatever the fixture says
        self.clock_start = now if now is not None else getattr(self.fixture, "now", None)
        self._fixture_zone = getattr(self.fixture, "timezone", "")
        self.catalog = catalog or default_catalog()
        self.plugin_manager = make_plugin_manager(plugins, load_entry_points=load_entry_points)
        self.library = plugin_library(self.plugin_manager)
        self.on_warning = on_warning
        self.limits = limits or Limits()  # sandbox limits of each handler run
        self.registry = HandlerRegistry(
            handlers_dir,
            plugin_handlers=plugin_handlers(self.plugin_manager),
            include_folders=plugin_include_folders(self.plugin_manager),
            library=self.library,
            compile=compile,
            check_interval=check_interval,
        )
        hook = self.plugin_manager.hook
        # Per-event hooks are only called when some plugin implements them.
        self._run_hooks = {
            name: getattr(hook, name) for name in (
                "crmscript_before_event", "crmscript_after_event", "crmscript_before_handler",
                "crmscript_after_handler", "crmscript_handler_error")
            if has_hook_impls(self.plugin_manager, name)
        }
        self._type_id = self.catalog.type_id
        # One random generator per engine: seeding a new one per handler from
        # the OS costs ~20 us, and rand/makePassword need no fresh seed per script.
        self.rng = random.Random()
        for warning in self.registry.warnings:
            self._warn(warning, None)
        for event_type in self.registry.event_types():
            if event_type not in self.catalog:
                hint = self.catalog.suggest(event_type)
                extra = f" (did you mean {hint}?)" if hint else ""
                self._warn(f"handlers for {event_type!r}, which is not an event type of the catalog{extra}", None)

    # ------------------------------------------------------------ queries

    @property
    def handlers_dir(self):
        return self.registry.root

    def has_handlers(self, event_type: str) -> bool:
        return self.registry.has_handlers(event_type)

    def handlers_for(self, event_type: str) -> list[Handler]:
        return list(self.registry.handlers_for(event_type))

    def handler(self, handler_id: int) -> Handler | None:
        return self.registry.handler(handler_id)

    def all_handlers(self) -> list[Handler]:
        return self.registry.all_handlers()

    def refresh(self) -> None:
        self.registry.refresh()

    # ---------------------------------------------------------- execution

    def execute(self, event: EventData, *, settings: Settings | None = None) -> EventData:
        """Run every handler of `event.Type` on one shared copy of `event`."""
        return self.run_chain(event, settings=settings).event

    def execute_script(self, handler_id: int, event: EventData, *,
                       settings: Settings | None = None) -> EventData:
        """ExecuteScriptAsEvent: run the one handler `handler_id` as a handler
        of `event.Type`. Raises KeyError for an unknown id."""
        handler = self.registry.handler(handler_id)
        if handler is None:
            raise KeyError(handler_id)
        return self.run_chain(event, settings=settings, handlers=[handler]).event

    def run_chain(self, event: EventData, *, settings: Settings | None = None,
                  handlers: list[Handler] | None = None,
                  on_print: Callable[[str], None] | None = None,
                  check_inputs: bool = True, keep_crm: bool = False, fixture: Any = None) -> ChainResult:
        """The chain with everything it did (ChainResult): `execute` plus the
        per-handler output, times and warnings, for traces and tests.

        The handlers share one copy of the fixture's database, made when one
        first queries it; it is given back (reset) when the chain ends, or
        left in `result.crm` with keep_crm (close it when done). `fixture`
        (an engine.crm Fixture: a test case's own) replaces the engine's for
        this chain, its clock too unless the engine was given `now`."""
        shared = event.copy_for_chain()
        result = ChainResult(shared)
        settings = settings or Settings()
        zone, clock = self._fixture_zone, self.clock_start
        if fixture is not None:
            from .crm import Session

            result.crm = Session(fixture)
            result.fixture = fixture
            zone, clock = fixture.timezone, self._now if self._now is not None else fixture.now
        if zone and not settings.timezone:  # the fixture's zone, unless the caller names one
            settings = replace(settings, timezone=zone)
        if check_inputs:
            for warning in self.catalog.warnings_for(shared.Type, shared.InputValues):
                self._warn(warning, result)
        if handlers is None:
            handlers = self.registry.handlers_for(shared.Type)
        hooks = self._run_hooks
        if hooks and not self._call_hook(result, None, "crmscript_before_event",
                                         event=shared, settings=settings):
            handlers = ()
        if handlers:
            # Exception reports this chain's failure; a value the request
            # carried must not read as one (with no handler the request
            # comes back unchanged, Exception included).
            shared.Exception = ""
        # getGlobalVariable/setGlobalVariable: "communication between different
        # scripts", so one set of global variables for the whole chain.
        global_variables: dict[str, str] = {}
        event_deadline = time.perf_counter() + self.limits.event_seconds  # the whole chain's time
        try:
            for handler in handlers:
                if not self._run_one(handler, shared, settings, result, on_print, global_variables,
                                     clock, event_deadline):
                    break
            if result.runs and event_data_size(shared) > self.limits.event_data_length:
                self._answer_too_large(result)
            if hooks:
                self._call_hook(result, None, "crmscript_after_event", event=shared, runs=result.runs)
        finally:
            if result.crm is not None and not keep_crm:  # the database copy goes back to the pool
                result.crm.close()
        return result

    def _run_one(self, handler: Handler, shared: EventData, settings: Settings,
                 result: ChainResult, on_print, global_variables: dict[str, str], clock: Any = None,
                 event_deadline: float = math.inf) -> bool:
        """Run one handler on the shared event; False when the chain must stop."""
        hooks = self._run_hooks
        if hooks and not self._call_hook(result, handler, "crmscript_before_handler",
                                         handler=handler, event=shared):
            return False
        context = RunContext(event=shared, settings=settings, event_type_id=self._type_id,
                             on_print=on_print, global_variables=global_variables, rng=self.rng,
                             limits=self.limits)
        context.chain = result  # one database copy for the whole chain (made when first queried)
        fixture = result.fixture if result.fixture is not None else self.fixture
        if fixture is not None:
            context.fixture = fixture
        if clock is not None:
            context.clock_start = clock
        started = time.perf_counter()
        try:
            script = handler.script if handler.script is not None else self.registry.script_for(handler)
            started = time.perf_counter()
            # The handler's own time limit, or what is left of the event's.
            context.deadline = started + self.limits.seconds
            if event_deadline < context.deadline:
                context.deadline, context.deadline_is_event = event_deadline, True
            script.run(shared, context=context)
        except Exception as error:  # CRMScriptError, or a bug: never a traceback
            run = HandlerRun(handler, context.printed(), time.perf_counter() - started, error, context.log)
            result.runs.append(run)
            self._fail(result, handler, error)
            return False
        run = HandlerRun(handler, context.printed(), time.perf_counter() - started, None, context.log)
        result.runs.append(run)
        if hooks:
            return self._call_hook(result, handler, "crmscript_after_handler", run=run, event=shared)
        return True

    def _answer_too_large(self, result: ChainResult) -> None:
        """The EventData the chain answers with passed the response size limit
        (checked once, after the chain): what it counts is dropped, and the
        last handler that ran fails with the limit error unless one failed already."""
        try:
            check_event_data_size(result.event, self.limits)
        except CRMScriptLimitError as error:
            if result.failed is None:
                self._fail(result, result.runs[-1].handler, error)

    def _fail(self, result: ChainResult, handler: Handler, error: BaseException) -> None:
        result.failed, result.error = handler, error
        result.event.Exception = failure_message(handler, error)
        if not isinstance(error, CRMScriptError):
            log.error("internal error in handler %s", handler.name, exc_info=error)
        if "crmscript_handler_error" in self._run_hooks:
            self._call_hook(result, None, "crmscript_handler_error",
                            handler=handler, event=result.event, error=error)

    def _call_hook(self, result: ChainResult, running: Handler | None, name: str,
                   **kwargs: Any) -> bool:
        """Call a run hook if implemented; a plugin that raises stops the chain."""
        hook = self._run_hooks.get(name)
        if hook is None:
            return True
        try:
            hook(**kwargs)
            return True
        except Exception as error:
            where = f"{running.name}: " if running is not None else ""
            result.event.Exception = f"{where}plugin hook {name} failed: {type(error).__name__}: {error}"
            result.error = error
            log.error("plugin hook %s failed", name, exc_info=error)
            return False

    def _warn(self, message: str, result: ChainResult | None) -> None:
        if result is not None:
            result.warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)
        else:
            log.warning("%s", message)
