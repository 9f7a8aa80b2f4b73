"""Per-run state the runtime library reaches through `context=True` builtins,
and how library code without that argument finds it.

One RunContext exists per script run (or per handler chain): what the script
printed, the shared EventData, session variables, user settings, the
simulated clock and the step budget.
"""

from __future__ import annotations

import contextlib
import random
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import time as _real_time
from typing import Any

from ..errors import CRMScriptLimitError
from ..eventdata import EventData


@dataclass
class Settings:
    """What the caller's environment tells the script (HTTP headers, CLI flags)."""

    language: str = "en"  # SO-Language / Accept-Language
    culture: str = ""  # SO-Culture: number and date formatting
    timezone: str = ""  # SO-TimeZone (IANA name); "" = UTC
    # The request's headers, names in lower case, credentials left out (getHttpHeader, getCookie)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Limits:
    """The sandbox limits of a run (docs/limits.md: defaults, CLI flags, server settings)."""

    steps: int = 50_000_000  # loop back-edges + function entries; ~10 s of busy script
    recursion: int = 400  # nested CRMScript function calls
    string_length: int = 64 * 1024 * 1024  # characters in one String
    collection_size: int = 10_000_000  # elements in one array / Map / Vector / XMLNode's children / EventData map
    seconds: float = 10.0  # wall-clock time of one run (one handler); math.inf: none
    event_seconds: float = 30.0  # wall-clock time of one event's whole handler chain
    output_length: int = 16 * 1024 * 1024  # characters one run may print and log
    event_data_length: int = 64 * 1024 * 1024  # characters a handler chain may leave in the EventData (response)


# Shared defaults: a run that is given no Settings or Limits reads these.
# Treat them as read-only; pass your own instance to change a setting.
DEFAULT_SETTINGS = Settings()
DEFAULT_LIMITS = Limits()
# Seeding a Random from the OS costs 10-30 µs: runs share one unless given their own.
SHARED_RANDOM = random.Random()


def catalog_type_id(name: str) -> int:
    """getType() of a run nobody gave a catalog: the shipped trigger catalog's
    numeric id (CONTRACT: 1008 for SalesBeforeSaveSale, 0 when not in it)."""
    from ..catalog import default_catalog  # lazy: the catalog loads its data file once

    return default_catalog().type_id(name)


class _MadeOnFirstUse:
    """A class attribute that gives each instance its own new container the
    first time it is read. It is a non-data descriptor (no __set__): once the
    instance has its own value, plain attribute lookup finds that and this
    is never called again; assigning simply sets the instance's own value.
    (Unlike a __getattr__ hook, it does not slow down every other attribute.)"""

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> object:
        if instance is None:
            return self
        value = self.make()
        setattr(instance, self.name, value)  # not via __dict__: reading that materialises it (slow on 3.11+)
        return value


class _MadeFromContext(_MadeOnFirstUse):
    """Like _MadeOnFirstUse, but `make` receives the instance (what it makes
    depends on the context's other members)."""

    def __get__(self, instance: object, owner: type | None = None) -> object:
        if instance is None:
            return self
        value = self.make(instance)
        setattr(instance, self.name, value)
        return value


def _crm_session(ctx: RunContext) -> Any:
    """The run's CRM database session (engine/crm/store.py): nothing is copied
    until a query needs the data. (Imported on first use: a process whose runs
    never query never loads the CRM.)"""
    global _crm_session_class
    if _crm_session_class is None:
        from ..crm.store import Session

        _crm_session_class = Session
    chain = ctx.chain
    if chain is None:
        return _crm_session_class(ctx.fixture)
    session = chain.crm  # the handlers of a chain share one copy, made by the first that queries
    if session is None:
        session = chain.crm = _crm_session_class(ctx.fixture)
    return session


_crm_session_class: type | None = None


def _outbox(ctx: RunContext) -> list:
    """The run's outbox (engine/crm/outbox.py): a chain's handlers share one."""
    chain = ctx.chain
    return [] if chain is None else chain.outbox


class RunContext:
    """The state of one run (or one handler chain).

    One is made per event, so construction is on the hot path. Members a
    caller does not pass cost nothing: the shared read-only defaults are
    class attributes, and the per-run containers variables, log and
    global_variables are made on first use (most trigger runs never log).
    Reading and writing them looks the same as for any attribute.
    RunContext(e) costs about 0.18 µs (0.3 µs when __init__ set every member,
    with __slots__).
    """

    # Defaults shared by every context that was given nothing else (never
    # changed in place; assigning to a context sets that context's own).
    settings: Settings = DEFAULT_SETTINGS
    limits: Limits = DEFAULT_LIMITS
    # The run's clock (see now()): a fixed start instant (a fixture's `now`;
    # None: the real clock) plus the seconds sleep() added.
    clock_start: datetime | None = None
    clock_offset: float = 0.0
    fixture: Any = None  # the run's CRM (an engine.crm Fixture); None: the embedded demo CRM
    chain: Any = None  # the handler chain's ChainResult, whose `crm` its handlers share
    event_type_id: Callable[[str], int] = staticmethod(catalog_type_id)  # catalog lookup for getType()
    on_print: Callable[[str], None] | None = None  # live echo (trace)
    rng: random.Random = SHARED_RANDOM  # rand, makePassword
    script_executor: Callable[[str, object], str] | None = None  # executeScript resolver, if any
    # The run's deadline on the time.perf_counter() clock: set by whoever
    # starts the run (the chain: per handler and per event), else on the
    # first check from limits.seconds (runtime/limits.py, run_deadline).
    deadline: float | None = None
    deadline_is_event = False  # the deadline is the event's (its error names the event limit)
    deadline_is_lazy = False  # set at the run's first check: forgotten when the run ends
    output_used = 0  # characters printed and logged so far (limits.output_length)

    # Per-run containers, made when first read:
    variables: dict[str, str] = _MadeOnFirstUse(dict)  # getVariable / setVariable
    log: list[tuple[str, str]] = _MadeOnFirstUse(list)  # printDebug / log / logMessage: (level, text)
    global_variables: dict[str, str] = _MadeOnFirstUse(dict)
    # The database session (engine.crm Session), made when a query first needs it;
    # a chain gives all its handlers one.
    crm: Any = _MadeFromContext(_crm_session)
    # What the run sent (engine.crm.outbox.Sent): mail, SMS, notifications; a chain shares one.
    outbox: list = _MadeFromContext(_outbox)

    def __init__(
        self,
        event: EventData | None = None,
        settings: Settings | None = None,
        limits: Limits | None = None,
        output: list[str] | None = None,
        variables: dict[str, str] | None = None,
        clock_offset: float = 0.0,
        event_type_id: Callable[[str], int] | None = None,
        on_print: Callable[[str], None] | None = None,
        log: list[tuple[str, str]] | None = None,
        global_variables: dict[str, str] | None = None,
        rng: random.Random | None = None,
        script_executor: Callable[[str, object], str] | None = None,
        clock_start: datetime | None = None,
    ) -> None:
        self.event = event if event is not None else EventData()
        # Only what was given becomes the instance's own (see the class docstring).
        if settings is not None:
            self.settings = settings
        if limits is not None:
            self.limits = limits
        self.output = output if output is not None else []  # print() appends here; printed() reads it
        if variables is not None:
            self.variables = variables
        if clock_offset:
            self.clock_offset = clock_offset
        if event_type_id is not None:
            self.event_type_id = event_type_id
        if on_print is not None:
            self.on_print = on_print
        if log is not None:
            self.log = log
        if global_variables is not None:
            self.global_variables = global_variables
        if rng is not None:
            self.rng = rng
        if script_executor is not None:
            self.script_executor = script_executor
        if clock_start is not None:
            self.clock_start = clock_start

    # -- the run's one clock: getCurrentDateTime() and friends, declared
    # Date/DateTime/Time values and sleep() all go through these.

    def timestamp(self) -> float:
        """The run's current time in seconds since 1970-01-01 UTC:
        `clock_start` when set (a naive one is UTC), else the real clock,
        plus `clock_offset`."""
        start = self.clock_start
        if start is None:
            return _real_time() + self.clock_offset
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        return start.timestamp() + self.clock_offset

    def now(self) -> datetime:
        """The run's current instant, as a timezone-aware UTC datetime."""
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def advance_clock(self, seconds: float) -> None:
        """sleep(): the simulated clock moves on; nothing really waits."""
        self.clock_offset += seconds

    def write(self, text: str) -> None:
        used = self.output_used = self.output_used + len(text)
        if used > self.limits.output_length:
            raise output_limit_error(self.limits)
        self.output.append(text)
        if self.on_print is not None:
            self.on_print(text)

    def add_log(self, level: str, text: str) -> None:
        """printDebug / log / logMessage: the log counts against the same
        limit as printed output."""
        used = self.output_used = self.output_used + len(text)
        if used > self.limits.output_length:
            raise output_limit_error(self.limits)
        self.log.append((level, text))

    def printed(self) -> str:
        return "".join(self.output)


def output_limit_error(limits: Limits) -> CRMScriptLimitError:
    """(Here rather than in limits.py, which imports this module.)"""
    return CRMScriptLimitError(
        f"output limit exceeded: the script printed and logged more than {limits.output_length:,} characters")


_new_object = object.__new__


def context_for_event(event: EventData | None) -> RunContext:
    """`RunContext(event)` for the run boundary: the same object (every other
    member is a class default or made on first use; a test compares the two)
    without __init__'s eleven argument checks: 0.13 µs instead of 0.18."""
    ctx = _new_object(RunContext)
    ctx.event = event if event is not None else EventData()
    ctx.output = []
    return ctx


# ------------------------------------------------------ finding the run's context
# Library code that is not given the context (a declaration default such as
# `EventData ed;`, the JSON/XML size limits) finds it without any per-run
# cost: generated code runs in its Script's namespace, whose global `_ctx`
# (RUN_CONTEXT_SLOT, runtime/namespace.py) is the running RunContext
# (Script.run sets it for the run and clears it after), so the innermost
# frame on this thread's stack whose globals hold a RunContext in that slot
# is the current run (nested runs and threads included). Setting a
# ContextVar on every run cost 0.2 µs of a 1 µs trigger run. Outside a run,
# `bind_context` supplies one (tests, tools).

RUN_CONTEXT_SLOT = "_ctx"
_BOUND_CONTEXT: ContextVar[Any] = ContextVar("crmscript_active_context", default=None)


@contextlib.contextmanager
def bind_context(ctx: Any) -> Iterator[Any]:
    """Make `ctx` the context that declaration defaults (`EventData ed;`) and
    the JSON/XML size limits read outside a run."""
    token = _BOUND_CONTEXT.set(ctx)
    try:
        yield ctx
    finally:
        _BOUND_CONTEXT.reset(token)


def active_context() -> Any:
    """The RunContext of the innermost running script on this thread, else
    the one bound by `bind_context`, else None."""
    frame = sys._getframe(1)
    while frame is not None:
        ctx = frame.f_globals.get(RUN_CONTEXT_SLOT)
        if isinstance(ctx, RunContext):  # (None between runs; another module's `_ctx` is no run)
            return ctx
        frame = frame.f_back
    return _BOUND_CONTEXT.get()
