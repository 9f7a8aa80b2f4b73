"""The engine gate: every engine call of the API passes here, one at a time.

Quick calls run inline on the event loop, slow or first-time ones on a
worker thread, so the loop stays free to answer (and refuse) other requests
meanwhile.
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class EngineGate:
    """Runs engine calls one at a time: inline on the event loop when the
    same kind of call was quick last time, else on a worker thread.

    Serialized because the engine's registry and compile cache are not
    thread-safe (and the GIL would not run CPU-bound scripts in parallel
    anyway); an asyncio.Lock does it, so waiting requests never block the
    loop. Handing a call to a thread and back costs more than a trivial
    handler takes, so quick calls run inline; a first call (which may
    compile) or one that was slow last time runs on the thread, and the
    server keeps answering other requests (401s, 400s, /docs) meanwhile.
    """

    QUICK_SECONDS = 0.005
    MAX_REMEMBERED = 1024  # kinds of call remembered (event types come from clients)

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        # Belt and braces: if a request is cancelled while its call runs on
        # the thread, the asyncio lock is released but the thread cannot be
        # stopped; this lock keeps the next call from entering the engine
        # until it is done.
        self._engine_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._quick: dict[Any, bool] = {}

    async def run(self, kind: Any, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self._quick.get(kind) and not self._lock.locked():
            # Fast path: nothing holds the engine, and nothing can interleave
            # with a call that never awaits.
            result, seconds = _timed(self._engine_lock, function, *args, **kwargs)
            self._remember(kind, seconds)
            return result
        async with self._lock:
            if self._quick.get(kind):
                result, seconds = _timed(self._engine_lock, function, *args, **kwargs)
            else:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crmscript-handlers")
                call = functools.partial(_timed, self._engine_lock, function, *args, **kwargs)
                result, seconds = await asyncio.get_running_loop().run_in_executor(self._pool, call)
            self._remember(kind, seconds)
        return result

    def _remember(self, kind: Any, seconds: float) -> None:
        if len(self._quick) >= self.MAX_REMEMBERED:
            self._quick.clear()
        self._quick[kind] = seconds < self.QUICK_SECONDS

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _timed(lock: threading.Lock, function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    with lock:
        started = time.perf_counter()
        result = function(*args, **kwargs)
        return result, time.perf_counter() - started
