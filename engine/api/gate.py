"""The engine gate: every engine call of the API passes here, and none runs on
the event loop.

Engine calls (a handler chain, a has-handlers query, and the encoding of the
answer that goes with them) run on a pool of worker threads, so the event
loop stays free to answer and refuse other requests (401s, 400s, /docs)
while a handler runs, however long it takes until its deadline.

Several calls may run at once (`threads`, 8 by default): a slow handler
holds one thread, and other events still get theirs. The engine is safe for
that (the registry lists and compiles under its lock; each call has its own
EventData copy and RunContext; a Script hands each run a namespace of its
own). The GIL shares the CPU between them: a quick handler beside a
CPU-bound one gets the CPU every few milliseconds (Python's switch interval),
so it is answered in milliseconds, not after the slow one.

What it costs: the hand-over to a thread and back, under load, about 250 us
of CPU per request on the benchmark machine (thread wake-ups and the GIL
passing between the loop and the worker; docs/api.md, "Concurrency"). The
inline fast path this replaced was cheaper for quick handlers, and let one
slow run of a kind of call block every request.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

DEFAULT_ENGINE_THREADS = 8


class EngineGate:
    """Runs engine calls on worker threads, never on the event loop."""

    def __init__(self, threads: int = DEFAULT_ENGINE_THREADS) -> None:
        self.threads = max(1, threads)
        self._pool: ThreadPoolExecutor | None = None

    async def run(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="crmscript-engine")
        call = functools.partial(function, *args, **kwargs) if args or kwargs else function
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
