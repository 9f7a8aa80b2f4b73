"""What exceeding a sandbox limit says (the limits themselves are
`context.Limits`, part of every RunContext), and the run's clock: its
deadline and the step ticker that checks it.

Every limit ends the run with a CRMScriptLimitError naming the limit, which
no CRMScript `catch` catches; the run boundary (engine/script.py) adds the
script's file, line and column. The generated code calls the `fail_*`
functions when one of its inline checks fails (they are in the namespace
contract, runtime/namespace.py); library members check through
`strings.check_string_length` and `collections.check_collection_size`,
and a member whose work grows with its input checks the deadline
(`check_deadline`) before a long piece of work.

The deadline (docs/limits.md): `Limits.seconds` of wall-clock time per run
(per handler; the chain also caps the whole event at `Limits.event_seconds`).
The step budget's tick (`step_ticker`) stays a C-level iterator: it hands
out the budget in chunks of STEP_CHUNK steps and looks at the clock between
chunks, so a loop pays nothing per step for the deadline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import chain, repeat
from time import perf_counter as clock
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


def time_limit_error(ctx: Any) -> CRMScriptLimitError:
    limits = ctx.limits
    if ctx.deadline_is_event:
        return CRMScriptLimitError(
            f"time limit exceeded: the event's handlers ran longer than {limits.event_seconds:g} s together")
    return CRMScriptLimitError(
        f"time limit exceeded: the script ran longer than {limits.seconds:g} s "
        "(an endless loop, or calls that take too long?)")


# ------------------------------------------------------------------ the clock

# Steps between two looks at the clock. A step is one loop iteration or
# recursive call; library calls on large input check the clock themselves,
# so a chunk of steps takes well under a millisecond or so. Looking at the
# clock costs ~0.2 us a chunk (0.2 ns a step).
STEP_CHUNK = 1024


def run_deadline(ctx: Any) -> float:
    """The run's deadline on the perf_counter clock. A run nobody gave one
    (Script.run called directly) gets it at its first check: what ran before
    is straight-line code of quick calls. Such a deadline is the run's own:
    Script.run forgets it when the run ends (`deadline_is_lazy`), so a
    context used for another run later gets a new one."""
    deadline = ctx.deadline
    if deadline is None:
        deadline = ctx.deadline = clock() + ctx.limits.seconds
        ctx.deadline_is_lazy = True
    return deadline


def check_deadline(ctx: Any) -> None:
    """End the run with the time limit error if its deadline has passed
    (nothing when there is no run)."""
    if ctx is not None and clock() > run_deadline(ctx):
        raise time_limit_error(ctx)


def seconds_left(ctx: Any) -> float:
    """Seconds until the run's deadline (at least 0); inf outside a run."""
    if ctx is None:
        return float("inf")
    return max(run_deadline(ctx) - clock(), 0.0)


def step_ticker(ctx: Any, steps: int) -> Callable[[], Any]:
    """The `_tick` of a run: each call takes one step of the budget; it
    raises StopIteration when `steps` are spent (the step limit, see
    Script.run) and the time limit error once the deadline has passed,
    looked at every STEP_CHUNK steps."""
    return chain.from_iterable(_step_chunks(ctx, steps)).__next__


def _step_chunks(ctx: Any, steps: int) -> Iterator[Iterator[None]]:
    deadline = run_deadline(ctx)
    remaining = steps
    while remaining > 0:
        count = STEP_CHUNK if remaining > STEP_CHUNK else remaining
        remaining -= count
        yield repeat(None, count)
        if clock() > deadline:
            raise time_limit_error(ctx)
        check_event_growth(ctx)


def check_event_growth(ctx: Any) -> None:
    """The EventData maps are plain dicts the generated code writes inline
    (setOutputValue is one C call): their size is checked at every look at
    the clock, and by the chain after each handler."""
    event = ctx.event
    limit = ctx.limits.collection_size
    if (len(event.OutputValues) > limit or len(event.StateValues) > limit
            or len(event.InputValues) > limit):
        raise collection_limit_error(ctx.limits)


def fail_string_limit(ctx: Any) -> None:
    raise string_limit_error(ctx.limits)


def fail_collection_limit(ctx: Any) -> None:
    raise collection_limit_error(ctx.limits)


def fail_recursion_limit(ctx: Any) -> None:
    raise recursion_limit_error(ctx.limits)


def event_data_size(event: Any) -> int:
    """Characters a handler chain can leave in the EventData it answers with:
    the keys and values of OutputValues and StateValues, Message and NavigateTo.
    (A loop over the items: 0.3 us for a few, half of what sum(map(len, ...)) costs.)"""
    size = len(event.Message) + len(event.NavigateTo)
    for key, value in event.OutputValues.items():
        size += len(key) + len(value)
    for key, value in event.StateValues.items():
        size += len(key) + len(value)
    return size


def check_event_data_size(event: Any, limits: Limits) -> None:
    """After a handler chain: the answer stays under `limits.event_data_length`.
    What the limit counts is emptied when it is passed, so that the answer
    carries the error, not the gigabytes (20 OutputValues of 32 million
    characters once made a 671 MB response)."""
    limit = limits.event_data_length
    size = event_data_size(event)
    if size > limit:
        event.OutputValues.clear()
        event.StateValues.clear()
        event.Message = event.NavigateTo = ""
        raise CRMScriptLimitError(
            f"response size limit exceeded: the handlers left {size:,} characters in the EventData "
            f"(OutputValues, StateValues, Message, NavigateTo); the limit is {limit:,}; they are dropped")
