"""What exceeding a sandbox limit says (the limits themselves are
`context.Limits`, part of every RunContext).

Every limit ends the run with a CRMScriptLimitError naming the limit, which
no CRMScript `catch` catches; the run boundary (engine/script.py) adds the
script's file, line and column. The generated code calls the `fail_*`
functions when one of its inline checks fails (they are in the namespace
contract, runtime/namespace.py); library members check through
`strings.check_string_length` and `collections.check_collection_size`.
"""

from __future__ import annotations

from typing import Any

from ..errors import CRMScriptLimitError
from .context import Limits

# Roughly how many steps this machine runs per second (measured with
# benchmarks/bench_steps.py: an empty CRMScript while loop); used only to
# explain the step limit in its error message.
STEPS_PER_SECOND = 12_000_000


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


def fail_string_limit(ctx: Any) -> None:
    raise string_limit_error(ctx.limits)


def fail_collection_limit(ctx: Any) -> None:
    raise collection_limit_error(ctx.limits)


def fail_recursion_limit(ctx: Any) -> None:
    raise recursion_limit_error(ctx.limits)
