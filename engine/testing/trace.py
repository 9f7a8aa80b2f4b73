"""Trace: every executed CRMScript line with the script's variables after it ran.

The offline counterpart of SuperOffice's "Trace script": a list of steps
(file, line, call depth, variables), shown as the source lines with the
variables each line changed.

Use from other commands (e.g. `crmscript fire --trace`):

    from engine.testing.trace import trace_chain, render_trace
    result, steps = trace_chain(engine, event, settings=settings)   # engine.chain.Engine
    console.print(render_trace(steps))                               # rich Text

or, around any code that runs handlers:

    tracer = LineTracer()
    with tracer.recording():
        result = engine.run_chain(event)
    steps = tracer.resolve(engine)

Only frames of CRMScript code are traced (`co_filename` ends in .crm /
.crmscript); Python names are demangled back to CRMScript names (`v_total`
-> `total`, `g_count` -> `count`) and compiler temporaries are hidden.
"""

from __future__ import annotations

import json
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from rich.text import Text

from ..compiler import MAIN_FUNCTION
from .coverage import parse_file, statement_lines, top_level_lines
from .linetrace import (
    handler_scripts,
    is_crmscript_code,
    resolve_file,
    split_line,
    tracing,
)

MAX_VALUE_CHARS = 80  # a longer value is cut with "..."
MAX_ITEMS = 12  # elements of an array / Map shown
MAX_STEPS = 20_000  # steps kept per recording: a long loop must not eat the memory


@dataclass
class TraceStep:
    """One executed line. `variables` is the full set of CRMScript variables
    visible in its frame after the line ran (name -> value as text)."""

    file: str  # script name: `<EventType>/<file>.crm` or an included file
    line: int
    depth: int  # 0 = the script's top level, 1 = inside a function it called, ...
    function: str  # CRMScript function name, "" at top level
    variables: dict[str, str] = field(default_factory=dict)
    source: str = ""  # the line's text (stripped), when the file is on disk

    def changed(self, before: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in self.variables.items() if before.get(k) != v}


@dataclass
class _RawStep:
    code: CodeType
    lineno: int
    depth: int
    variables: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------- values


def format_value(value: Any) -> str:
    """A runtime value as a CRMScript author reads it: "text", 12, true, [1, 2], {k: v}."""
    text = _format(value, 0)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def _format(value: Any, depth: int) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return repr(value)
    if depth > 2:
        return "..."
    if isinstance(value, list):
        items = [_format(v, depth + 1) for v in value[:MAX_ITEMS]]
        return "[" + ", ".join(items) + (", ..." if len(value) > MAX_ITEMS else "") + "]"
    items_of = getattr(value, "items", None)
    if callable(items_of) and type(value).__name__ == "Map":
        pairs = list(items_of())
        shown = ", ".join(f"{_format(k, depth + 1)}: {_format(v, depth + 1)}" for k, v in pairs[:MAX_ITEMS])
        return "{" + shown + (", ..." if len(pairs) > MAX_ITEMS else "") + "}"
    fields = getattr(type(value), "__crm_fields__", None)
    if fields is not None:
        name = getattr(type(value), "__crm_name__", type(value).__name__)
        shown = ", ".join(f"{f}={_format(getattr(value, 'v_' + f, None), depth + 1)}" for f, _type in fields)
        return f"{name}{{{shown}}}"
    if type(value).__str__ is not object.__str__:  # dates and times print as CRMScript shows them
        return str(value)
    return type(value).__name__.removesuffix("Object")  # e.g. EventData: a handle, no value to show


# ---------------------------------------------------------------- names

_MANGLED = re.compile(r"^([vg])_(.+)$")
_SHADOW_SUFFIX = re.compile(r"^(.+)_(\d+)$")


def demangle(python_name: str, sibling_names) -> str | None:
    """The CRMScript name of a compiled variable, None for a compiler temporary.

    The compiler names variables `v_<name>` (locals) and `g_<name>` (script
    globals used by functions); a second variable of the same name in one
    function gets `v_<name>_2`. `v_x_2` is therefore `x` only if `v_x` exists
    beside it (`sibling_names`), otherwise it is a variable called `x_2`.
    """
    match = _MANGLED.match(python_name)
    if match is None:
        return None
    prefix, name = match.groups()
    shadow = _SHADOW_SUFFIX.match(name)
    if shadow and f"{prefix}_{shadow.group(1)}" in sibling_names:
        return shadow.group(1)
    return name


def _function_name(code: CodeType) -> str:
    name = code.co_name
    if name.startswith("f_"):
        return name[2:]
    if name.startswith("m_"):  # m_<Struct>_<method>
        return name[2:].replace("_", ".", 1)
    return ""


def _snapshot(frame: FrameType) -> dict[str, str]:
    variables: dict[str, str] = {}
    for scope in (frame.f_globals, frame.f_locals):
        for python_name, value in list(scope.items()):
            crm_name = demangle(python_name, scope)
            if crm_name is not None:
                variables[crm_name] = format_value(value)
    return variables


# --------------------------------------------------------------- tracer


def _call_depth(frame: FrameType) -> int:
    """How many CRMScript function calls enclose `frame`: 0 for the script's
    top level (`_crm_main`, called by the module code), 1 in a function it calls."""
    depth = 0
    caller = frame.f_back
    while caller is not None:
        if is_crmscript_code(caller.f_code) and caller.f_code.co_name != "<module>":
            depth += 1
        caller = caller.f_back
    return depth


class LineTracer:
    """Records the executed CRMScript lines and the variables after each one."""

    def __init__(self, max_steps: int = MAX_STEPS) -> None:
        self.max_steps = max_steps
        self.truncated = False  # more lines ran than max_steps
        self.raw: list[_RawStep] = []
        self._pending: dict[int, _RawStep] = {}  # id(frame) -> its step still running

    def clear(self) -> None:
        self.truncated = False
        self.raw = []
        self._pending = {}

    def on_call(self, frame, event, arg):
        if not is_crmscript_code(frame.f_code):
            return None
        depth = _call_depth(frame)

        def on_event(frame, event, arg):
            key = id(frame)
            if event == "line":
                self._finish(key, frame)
                if len(self.raw) >= self.max_steps:
                    self.truncated = True
                    return on_event
                step = _RawStep(frame.f_code, frame.f_lineno, depth)
                self.raw.append(step)
                self._pending[key] = step
            elif event == "return":
                self._finish(key, frame)
            return on_event

        return on_event

    def _finish(self, key: int, frame: FrameType) -> None:
        step = self._pending.pop(key, None)
        if step is not None:
            step.variables = _snapshot(frame)

    def recording(self) -> AbstractContextManager[None]:
        """Trace CRMScript frames while the `with` block runs."""
        return tracing(self)

    def resolve(self, engine: Any) -> list[TraceStep]:
        """The recorded steps as CRMScript files and lines (needs the engine that ran them)."""
        programs = [program for _handler, program in handler_scripts(engine)]
        return self.resolve_programs(programs, [Path(engine.handlers_dir)])

    def resolve_programs(self, programs: list[Any], roots: list[Path]) -> list[TraceStep]:
        """The recorded steps as CRMScript files and lines, given the compiled
        programs that ran and the folders their file names are relative to."""
        program_of: dict[CodeType, Any] = {code: program for program in programs for code in program.code_objects}
        sources: dict[str, list[str]] = {}
        statements: dict[str, set[int] | None] = {}
        top_level: dict[str, set[int]] = {}
        steps: list[TraceStep] = []
        for raw in self.raw:
            if raw.code.co_name == "<module>":
                continue  # the module only defines the functions and calls the top level
            program = program_of.get(raw.code)
            if program is not None:
                file, line = split_line(program, raw.lineno)
            else:
                file, line = raw.code.co_filename, raw.lineno
            if line == 0:
                continue
            if file not in sources:
                path = resolve_file(file, roots)
                try:
                    sources[file] = path.read_text(encoding="utf-8-sig").splitlines() if path else []
                except (OSError, UnicodeDecodeError):
                    sources[file] = []
                syntax_tree = parse_file(path) if path else None
                statements[file] = statement_lines(syntax_tree) if syntax_tree is not None else None
                top_level[file] = top_level_lines(syntax_tree) if syntax_tree is not None else set()
            if statements[file] is not None and line not in statements[file]:
                continue  # the compiler's bookkeeping placed on a comment or brace line
            if (raw.code.co_name == MAIN_FUNCTION and raw.lineno == raw.code.co_firstlineno
                    and statements[file] is not None and line not in top_level[file]):
                continue  # the top level's set-up, placed on the script's first line
            function = _function_name(raw.code)
            previous = steps[-1] if steps else None
            if previous and (previous.file, previous.line, previous.depth, previous.function) == (
                    file, line, raw.depth, function):
                previous.variables = raw.variables  # a loop header tested twice: one step
                continue
            lines = sources[file]
            text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            steps.append(TraceStep(file, line, raw.depth, function, raw.variables, text))
        if self.truncated:
            steps.append(TraceStep("", 0, 0, "", {}, f"... trace stopped after {self.max_steps} steps"))
        return steps


def trace_chain(engine: Any, event: Any, **run_chain_options: Any) -> tuple[Any, list[TraceStep]]:
    """Run `engine.run_chain(event, ...)` with tracing on; return (ChainResult, steps)."""
    tracer = LineTracer()
    with tracer.recording():
        result = engine.run_chain(event, **run_chain_options)
    return result, tracer.resolve(engine)


# ------------------------------------------------------------ rendering


def render_trace(steps: list[TraceStep]) -> Text:
    """`file:line  source  -> changed variables`, indented by call depth."""
    text = Text()
    last_file = None
    before: dict[tuple[str, int], dict[str, str]] = {}
    for step in steps:
        if not step.file:  # the note that the trace was cut
            text.append(f"  {step.source}\n", style="yellow")
            continue
        if step.file != last_file:
            text.append(f"  {step.file}\n", style="bold")
            last_file = step.file
        indent = "  " * step.depth
        text.append(f"  {step.line:>5} ", style="dim")
        text.append(f"{indent}{step.source or '(line ' + str(step.line) + ')'}")
        frame_key = (step.function, step.depth)
        changed = step.changed(before.get(frame_key, {}))
        before[frame_key] = step.variables
        if changed:
            text.append("   ")
            text.append(", ".join(f"{k} = {v}" for k, v in changed.items()), style="cyan")
        text.append("\n")
    return text
