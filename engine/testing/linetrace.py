"""What coverage and trace share: telling CRMScript code from Python code, and
mapping the compiler's line numbers back to CRMScript files and lines.

The compiler (engine/compiler.py) gives every generated code object the
main script's name as `co_filename` and encodes `file_index * LINE_STRIDE +
line` as the Python line number, where `CompiledProgram.files[file_index]`
is the main script (0) or an included file. A handler's script names itself
`<EventType>/<file>.crm`, relative to its handler tree.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType
from typing import Any

CRMSCRIPT_SUFFIXES = (".crm", ".crmscript")


def is_crmscript_code(code: CodeType) -> bool:
    """True for code compiled from a CRMScript file (the only frames we trace)."""
    return code.co_filename.endswith(CRMSCRIPT_SUFFIXES)


def compiled_program(script: Any) -> Any:
    """The CompiledProgram behind a compiled Script (None if it has none)."""
    if script is None:
        return None
    if hasattr(script, "code_objects") and hasattr(script, "files"):
        return script
    for attribute in ("program", "compiled", "_compiled", "_program"):
        value = getattr(script, attribute, None)
        if value is not None and hasattr(value, "code_objects") and hasattr(value, "files"):
            return value
    return None


def handler_scripts(engine: Any, *, broken: list | None = None) -> Iterator[tuple[Any, Any]]:
    """(handler, CompiledProgram) for every handler of an Engine, compiling
    the ones that have not run yet. A handler that does not compile is
    skipped (and appended to `broken` as (handler, error) when given)."""
    from ..errors import CRMScriptError

    for handler in engine.all_handlers():
        script = handler.script
        if script is None:
            try:
                script = engine.registry.script_for(handler)
            except CRMScriptError as error:
                if broken is not None:
                    broken.append((handler, error))
                continue
        program = compiled_program(script)
        if program is not None:
            yield handler, program


def split_line(program: Any, lineno: int) -> tuple[str, int]:
    """(file name, CRMScript line) of a generated line number."""
    file, line, _column = program.position_of(lineno, 0)
    return file, line


def resolve_file(name: str, roots: Iterable[Path]) -> Path | None:
    """The file on disk a script name refers to: absolute, or relative to a
    handler tree (or its lib/ folder); None for a plugin's in-memory handler."""
    path = Path(name)
    if path.is_absolute():
        return path if path.is_file() else None
    for root in roots:
        for candidate in (root / path, root / "lib" / path):
            if candidate.is_file():
                return candidate.resolve()
    if path.is_file():
        return path.resolve()
    return None


@contextmanager
def tracing(*recorders: Any) -> Iterator[None]:
    """Switch `sys.settrace` on for the recorders (each has `on_call`, a
    settrace global function) and restore the previous trace function after.

    Python has one trace function per thread, so coverage and trace running
    together share it: each frame gets the local tracers of both.
    """
    calls = [recorder.on_call for recorder in recorders]
    if len(calls) == 1:
        global_function = calls[0]
    else:
        def global_function(frame, event, arg):
            local_functions = [f for f in (call(frame, event, arg) for call in calls) if f is not None]
            if len(local_functions) <= 1:
                return local_functions[0] if local_functions else None

            def both(frame, event, arg):
                for local in local_functions:
                    local(frame, event, arg)
                return both

            return both
    previous = sys.gettrace()
    sys.settrace(global_function)
    try:
        yield
    finally:
        sys.settrace(previous)
