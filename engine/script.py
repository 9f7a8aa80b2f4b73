"""The Python API of one script: `compile_script` and `Script.run`.

    script = engine.compile_script(source, name="x.crm")   # parse + check + compile, cached
    result = script.run(event=engine.EventData(...))       # -> RunResult(.output, .event)

A `Script` holds one compiled code object; running it never parses or
compiles again. Each run gets a namespace of its own (runtime/namespace.py:
the contract's names, the script's own, and the run's context and limits in
the per-run slots), so runs share nothing.

The run boundary is here: whatever escapes the generated code becomes a
CRMScriptError located at the script's file, line and column (found in the
traceback's frames of the script's own code objects).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from . import nodes as N
from .compiler import CompiledProgram, compile_program
from .errors import CRMScriptCheckError, CRMScriptError, CRMScriptRuntimeError, CRMScriptWarning, ScriptExit
from .eventdata import EventData
from .runtime.context import RunContext, context_for_event
from .runtime.limits import memory_limit_error, recursion_limit_error, step_limit_error, step_ticker
from .runtime.namespace import CTX, LIMITS, MAIN, MAX_COLLECTION, MAX_DEPTH, MAX_STRING, TICK, fresh_namespace
from .runtime.table import LIBRARY, Library
from .sandbox import ensure_recursion_limit, python_recursion_limit


@dataclass(slots=True)
class RunResult:
    output: str  # everything the script printed
    event: EventData  # the EventData after the run (the context's, changed in place)
    context: RunContext  # the whole run state (variables, clock, output parts)


_new_object = object.__new__


class Script:
    """A compiled, reusable CRMScript script."""

    def __init__(self, name: str, source: str, compiled: CompiledProgram) -> None:
        self.name = name
        self.source = source
        self._compiled = compiled
        self._code = compiled.code
        self._namespace = fresh_namespace(compiled.namespace, self.error_location)
        self._pool: list[dict] = []  # namespaces ready for a run (see run)
        self._global_names = tuple(compiled.global_names)
        # A script without loops or recursive functions never ticks: its runs
        # need no step budget (making one costs 0.12 µs of a 1 µs trigger run).
        self._counts_steps = any(TICK in names for names in _names_used(compiled.code_objects))
        self.warnings: tuple[CRMScriptWarning, ...] = ()  # the checker's (set by compile_script)
        self._include_files: tuple[str, ...] = ()  # files of its #includes (set by compile_script)
        self._include_stamp: Any = ()  # their size/mtime when compiled

    def _new_namespace(self) -> dict:
        namespace = self._namespace.copy()
        exec(self._code, namespace)  # defines the functions, runs nothing
        return namespace

    @property
    def python_source(self) -> str:
        """The generated Python code (for debugging the compiler)."""
        return self._compiled.python_source

    # ------------------------------------------------------------------ run

    def run(self, event: EventData | None = None, *, context: RunContext | None = None,
            fixture: Any = None) -> RunResult:
        """Run the script once. An uncaught CRMScript error propagates as
        CRMScriptRuntimeError / CRMScriptLimitError with file, line and
        column; the context keeps what was printed before it.

        `fixture` (an engine.crm Fixture or a fixture file) is the CRM the
        script sees, with its clock; without it, the context's (by default
        the embedded demo CRM). `result.context.crm` holds the database
        after the run (`.close()` gives it back)."""
        if context is None:
            context = context_for_event(event)
        elif event is not None:
            context.event = event
        if fixture is not None:
            _bind_fixture(context, fixture)
        limits = context.limits
        # A namespace holds the script's functions (made once per namespace)
        # and the per-run names. A run takes one from the pool, so runs in
        # parallel threads or nested runs never share one. Its CTX slot is also
        # how library code finds the running context (runtime.context.active_context).
        pool = self._pool
        try:  # (not `if pool:` then pop: another thread may take the last one between the two)
            namespace = pool.pop()
        except IndexError:
            namespace = self._new_namespace()
        namespace[CTX] = context
        if self._counts_steps:  # the step budget and the deadline: C-level, StopIteration when spent
            namespace[TICK] = step_ticker(context, limits.steps if limits.steps > 0 else 0)
        if namespace[LIMITS] is not limits:  # a pooled namespace keeps its last limits
            namespace[LIMITS] = limits
            namespace[MAX_STRING] = limits.string_length
            namespace[MAX_COLLECTION] = limits.collection_size
            namespace[MAX_DEPTH] = limits.recursion
            ensure_recursion_limit(python_recursion_limit(limits))
        try:
            namespace[MAIN]()
        except CRMScriptError as error:
            self._locate(error, error.__traceback__)
            raise
        except ScriptExit:  # exitWithMessage(): a finished run
            pass
        except StopIteration as stop:
            raise self._located(step_limit_error(limits), stop.__traceback__) from None
        except RecursionError as deep:
            raise self._located(recursion_limit_error(limits), deep.__traceback__) from None
        except MemoryError as full:
            raise self._located(memory_limit_error(), full.__traceback__) from None
        except Exception as bug:  # a runtime library bug: still a located CRMScript error
            error = CRMScriptRuntimeError(f"internal error: {type(bug).__name__}: {bug}")
            raise self._located(error, bug.__traceback__) from bug
        finally:
            namespace[CTX] = None  # keep nothing of this run alive
            if context.deadline_is_lazy:  # a deadline this run set itself is this run's only
                context.deadline, context.deadline_is_lazy = None, False
            if self._global_names:  # most triggers have none (no empty loop then)
                for name in self._global_names:
                    namespace[name] = None
            pool.append(namespace)
        # RunResult(context.printed(), context.event, context), built without
        # the call overheads: 0.1 µs of a 1 µs trigger run.
        result = _new_object(RunResult)
        output = context.output
        result.output = "".join(output) if output else ""
        result.event = context.event
        result.context = context
        return result

    # ------------------------------------------------------------ locations

    def error_location(self, error: CRMScriptError) -> str:
        """What `errorLocation` holds inside catch: "file:line"."""
        self._locate(error, error.__traceback__)
        return f"{error.file}:{error.line}"

    def _located(self, error: CRMScriptError, tb: TracebackType | None) -> CRMScriptError:
        self._locate(error, tb)
        return error

    def _locate(self, error: CRMScriptError, tb: TracebackType | None) -> None:
        """Fill in file/line/column from the deepest frame of this script's code."""
        if error.line:
            return
        position = self.position_in(tb)
        if position is not None:
            error.file, error.line, error.column = position
        else:
            error.file = self.name

    def position_in(self, tb: TracebackType | None) -> tuple[str, int, int] | None:
        codes = self._compiled.code_objects
        found = None
        while tb is not None:
            if tb.tb_frame.f_code in codes:
                found = tb
            tb = tb.tb_next
        if found is None:
            return None
        code = found.tb_frame.f_code
        lineno, col = found.tb_lineno, None
        for index, position in enumerate(code.co_positions()):
            if index == found.tb_lasti // 2:
                if position[0] is not None:
                    lineno, col = position[0], position[2]
                break
        return self._compiled.position_of(lineno, col)


def _bind_fixture(context: RunContext, fixture: Any) -> None:
    """engine.crm.bind_fixture, imported on first use (runs without a fixture never load the CRM)."""
    global _bind_fixture
    from .crm import bind_fixture

    _bind_fixture = bind_fixture
    bind_fixture(context, fixture)


def _names_used(codes) -> list:
    """co_names of every code object, nested ones (lambdas, comprehensions) included."""
    names, stack = [], list(codes)
    while stack:
        code = stack.pop()
        names.append(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, type(code)))
    return names


# --------------------------------------------------------------- compiling

_CACHE: dict[tuple, Script] = {}
_CACHE_LIMIT = 512
_cache_lock = threading.Lock()


def _includes_key(includes: Any) -> Any:
    if includes is None:
        return None
    if isinstance(includes, Mapping):
        return tuple(sorted((str(k), _digest(str(v))) for k, v in includes.items()))
    if isinstance(includes, (list, tuple)):
        return tuple(str(p) for p in includes)
    folders = getattr(includes, "folders", None)  # engine.includes.IncludePath
    if folders is not None:
        return ("folders",) + tuple(str(f) for f in folders)
    return includes  # any other resolver: the object itself (kept alive by the key)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def compile_script(source: str, name: str = "x.crm", *, includes: Any = None,
                   library: Library | None = None) -> Script:
    """Parse, check and compile `source` (raises a CRMScriptError on problems).

    Cached by the source's hash, the name, the includes and the library, so
    compiling the same script again is a dictionary look-up."""
    if not isinstance(source, str):
        raise CRMScriptError("the script source must be text", name, 0, 0)
    key = (_digest(source), name, _includes_key(includes), library)
    cached = _CACHE.get(key)
    if cached is not None and cached._include_stamp == _include_stamp(cached._include_files):
        return cached
    script = _build(source, name, includes, library)
    with _cache_lock:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = script
    return script


def _included_files(program: N.Program) -> tuple[str, ...]:
    """The files of every #include of `program`, nested ones too."""
    return tuple(sorted({node.program.file for node in N.walk(program, includes=True)
                         if isinstance(node, N.Include) and node.program is not None}))


def _include_stamp(files: tuple[str, ...]) -> Any:
    """Include files read from disk can change under a cached script: their
    modification stamps are part of the cache check."""
    stamps = []
    for path in files:
        try:
            stat = os.stat(path)
            stamps.append((path, stat.st_mtime_ns, stat.st_size))
        except (OSError, ValueError, TypeError):
            stamps.append((path, None, None))
    return tuple(stamps)


def _build(source: str, name: str, includes: Any, library: Library | None) -> Script:
    from .checker import check_program
    from .parser import parse_program

    try:
        # A plugin's classes are type names too (`Thing t = Thing("x");`), as
        # `crmscript check` already parsed them: check and run agree.
        type_names = list(library.classes) if library is not None else ()
        program = parse_program(source, name, includes=includes, type_names=type_names)
        warnings = check_program(program, library=library)
        compiled = compile_program(program, library=library or LIBRARY, script_name=name)
    except RecursionError:  # every stage walks the tree recursively
        raise CRMScriptCheckError("the script nests too deeply (expressions or blocks) to be compiled",
                                  name, 1, 1) from None
    script = Script(name, source, compiled)
    script.warnings = tuple(warnings)
    script._include_files = _included_files(program)
    script._include_stamp = _include_stamp(script._include_files)
    return script


