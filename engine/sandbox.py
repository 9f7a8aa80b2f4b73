"""The sandbox a compiled script runs in, and room on Python's stack.

A script reaches nothing but the runtime library:

* the generated code runs in the namespace of runtime/namespace.py: no
  Python builtins, only the names of the namespace contract; every script
  name is mangled (`v_x`), so no script name is a Python name;
* member access exists only through the signature table (the grammar has no
  syntax for Python attributes; struct fields are `v_`-prefixed slots);
* limits from `RunContext.limits` (engine/runtime/context.py):
  - steps and time: a C-level countdown (runtime/limits.step_ticker, made
    per run by Script.run) ticked at every loop iteration and at the entry
    of a function that can recurse; it raises StopIteration when spent,
    which no CRMScript `catch` can catch, and looks at the run's deadline
    every 1,024 steps (long library calls look at it themselves);
  - recursion: the CRMScript call depth, passed to every script function as
    a hidden last argument and compared with the limit on entry;
  - string length on every String concatenation, collection size in
    growing calls and array declarations, printed output in RunContext.write.
  What exceeding each says is in runtime/limits.py.

Python's own recursion limit is raised, never lowered (other threads may be
deeper), by `ensure_recursion_limit`: for the CRMScript recursion limit of a
run, and for the checker and compiler, which walk deep scripts recursively.

Memory: the size limits bound each String and collection, not their sum; a
long-running process (`crmscript serve`) also limits its address space
(`limit_process_memory`, RLIMIT_AS), so that an allocation past it fails
with MemoryError inside the script that asked for it, which the run boundary
turns into "memory limit exceeded", before the system's OOM killer would end
the whole process.
"""

from __future__ import annotations

import os
import sys
import threading

from .runtime.context import Limits

# Python's own recursion limit must leave room for the CRMScript limit:
# one Python frame per CRMScript call, plus library frames and the caller's.
PYTHON_FRAMES_PER_CALL = 1
PYTHON_STACK_SLACK = 200

# Python frames the checker and compiler may use: they walk the tree
# recursively, a few frames per level, and a generated script with a few
# hundred `else if` branches is that deep (the default limit of 1000 stopped
# at about 300).
DEEP_SCRIPT_FRAMES = 8_000

_recursion_lock = threading.Lock()


def python_recursion_limit(limits: Limits) -> int:
    """The Python recursion limit a run with these limits needs."""
    return limits.recursion * PYTHON_FRAMES_PER_CALL + PYTHON_STACK_SLACK


def ensure_recursion_limit(frames: int) -> None:
    """Python's recursion limit is at least `frames` (raised, never lowered)."""
    if sys.getrecursionlimit() >= frames:  # the usual case: no lock
        return
    with _recursion_lock:
        if sys.getrecursionlimit() < frames:
            sys.setrecursionlimit(frames)


# A process's address space holds more than its data: thread stacks and
# malloc's per-thread arenas are reserved, not used. No default below this.
MIN_DEFAULT_MEMORY = 4 * 1024 ** 3


def default_memory_limit() -> int:
    """Half the machine's memory, at least MIN_DEFAULT_MEMORY (0: unknown, no limit)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 0
    return max(total // 2, MIN_DEFAULT_MEMORY)


def limit_process_memory(size: int) -> None:
    """Limit this process's address space to `size` bytes (RLIMIT_AS; only
    lowered below a hard limit the system already set). Raises OSError or
    ValueError when the system refuses; nothing where it has no such limit."""
    try:
        import resource
    except ImportError:  # not on this system (Windows): nothing to set
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        size = min(size, hard)
    resource.setrlimit(resource.RLIMIT_AS, (size, hard))
