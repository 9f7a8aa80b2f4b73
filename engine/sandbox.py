"""The sandbox a compiled script runs in: its namespace and its limits.

A script reaches nothing but the runtime library:

* the generated code runs with `{"__builtins__": {}}` plus the helper names
  the compiler put into its namespace (`CompiledProgram.namespace`); every
  script name is mangled (`v_x`), so no script name is a Python name;
* member access exists only through the signature table (the grammar has no
  syntax for Python attributes; struct fields are `v_`-prefixed slots);
* limits from `RunContext.limits` (engine/runtime/context.py):
  - steps: a C-level countdown (`itertools.repeat(None, n).__next__`) ticked
    at every loop iteration and function entry; it raises StopIteration when
    spent, which no CRMScript `catch` can catch;
  - recursion: the CRMScript call depth, passed to every script function as
    a hidden last argument and compared with the limit on entry;
  - string length after every String concatenation assignment, collection
    size after growing calls and array declarations.

Every limit ends the run with a CRMScriptLimitError naming the limit; the
run boundary (engine/script.py) adds the script's file, line and column.
"""

from __future__ import annotations

import itertools
import math
import sys
import threading
from typing import Any, Callable

from .errors import CRMScriptLimitError
from .runtime.context import Limits

# Python's own recursion limit must leave room for the CRMScript limit:
# one Python frame per CRMScript call, plus library frames and the caller's.
PYTHON_FRAMES_PER_CALL = 1
PYTHON_STACK_SLACK = 200

# Roughly how many steps this machine runs per second (measured with
# benchmarks/bench_steps.py: an empty CRMScript while loop); used only to
# explain the step limit in its error message.
STEPS_PER_SECOND = 12_000_000


def step_budget(limits: Limits) -> Callable[[], None]:
    """A zero-cost-ish countdown: each call takes one step; StopIteration when spent."""
    return itertools.repeat(None, max(int(limits.steps), 0)).__next__


def step_limit_error(limits: Limits) -> CRMScriptLimitError:
    seconds = limits.steps / STEPS_PER_SECOND
    return CRMScriptLimitError(
        f"step limit exceeded: the script ran more than {limits.steps:,} steps "
        f"(loop iterations and function calls, about {seconds:.1f} s); an endless loop?")


def recursion_limit_error(limits: Limits) -> CRMScriptLimitError:
    return CRMScriptLimitError(
        f"recursion limit exceeded: more than {limits.recursion} nested function calls; an endless recursion?")


def string_limit_error(limits: Limits) -> CRMScriptLimitError:
    return CRMScriptLimitError(f"string length limit exceeded: a String longer than {limits.string_length:,} characters")


def collection_limit_error(limits: Limits) -> CRMScriptLimitError:
    return CRMScriptLimitError(
        f"collection size limit exceeded: more than {limits.collection_size:,} elements in one array, Map or Vector")


def memory_limit_error() -> CRMScriptLimitError:
    return CRMScriptLimitError("memory limit exceeded: the script ran out of memory")


def python_recursion_limit(limits: Limits) -> int:
    """The Python recursion limit a run with these limits needs."""
    return limits.recursion * PYTHON_FRAMES_PER_CALL + PYTHON_STACK_SLACK


def _limit_helper(make_error):
    def fail(ctx) -> None:
        raise make_error(ctx.limits)
    return fail


# Names the generated code calls when a limit check fails (with `_ctx`).
LIMIT_HELPERS = {
    "_string_limit": _limit_helper(string_limit_error),
    "_collection_limit": _limit_helper(collection_limit_error),
    "_recursion_limit": _limit_helper(recursion_limit_error),
}


def raise_python_recursion_limit(limits: Limits) -> None:
    """Make room on Python's stack for the CRMScript recursion limit (never
    lowered: other threads may be deeper)."""
    needed = python_recursion_limit(limits)
    with _recursion_lock:
        if sys.getrecursionlimit() < needed:
            sys.setrecursionlimit(needed)


_recursion_lock = threading.Lock()


def check_array_size(sizes: list, limits_size: int) -> None:
    """Refuse `Integer[100000][100000] a;` before allocating it."""
    total = math.prod(max(s, 0) for s in sizes if s is not None) if any(s is not None for s in sizes) else 0
    if total > limits_size:
        raise CRMScriptLimitError(
            f"collection size limit exceeded: an array of {total:,} elements (the limit is {limits_size:,})")
