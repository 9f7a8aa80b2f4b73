"""The sandbox a compiled script runs in, and room on Python's stack.

A script reaches nothing but the runtime library:

* the generated code runs in the namespace of runtime/namespace.py: no
  Python builtins, only the names of the namespace contract; every script
  name is mangled (`v_x`), so no script name is a Python name;
* member access exists only through the signature table (the grammar has no
  syntax for Python attributes; struct fields are `v_`-prefixed slots);
* limits from `RunContext.limits` (engine/runtime/context.py):
  - steps: a C-level countdown (`itertools.repeat(None, n).__next__`, made
    per run by Script.run) ticked at every loop iteration and at the entry
    of a function that can recurse; it raises StopIteration when spent,
    which no CRMScript `catch` can catch;
  - recursion: the CRMScript call depth, passed to every script function as
    a hidden last argument and compared with the limit on entry;
  - string length after every String concatenation assignment, collection
    size after growing calls and array declarations.
  What exceeding each says is in runtime/limits.py.

Python's own recursion limit is raised, never lowered (other threads may be
deeper), by `ensure_recursion_limit`: for the CRMScript recursion limit of a
run, and for the checker and compiler, which walk deep scripts recursively.
"""

from __future__ import annotations

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
