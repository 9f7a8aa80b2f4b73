"""Running partitions on this machine: in this process, or in N worker processes.

With one worker everything runs in the command's own process (no pickling:
the honest baseline). With more, each worker process builds its Engine once
(pool initializer), reads its partitions from the input files and writes
their part files itself; the parent only hands out partitions and reads one
shared counter for the progress bar. A worker process that dies (the
out-of-memory killer, a kill) breaks the pool: a new pool runs every
partition that had not come back, so nothing is lost.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .inputs import LineCount, Partition, ReplayError
from .job import ReplayJob, engine_for
from .work import PartitionResult, PartitionTask, count_partition, run_partition

POLL_SECONDS = 0.2  # how often the parent looks at the progress counter
POOL_RESTARTS = 3  # new pools after worker processes died, before giving up


class LocalExecutor:
    writes_parts = True  # workers write their part files themselves

    def __init__(self, job: ReplayJob, workers: int):
        self.job = job
        self.workers = max(1, workers)
        self.description = f"{self.workers} worker{'s' if self.workers > 1 else ''}"
        self.restarts = 0
        self._finished_events = 0  # events of partitions that came back (progress across pool restarts)
        # fork: the workers start at once with the Engine the command built
        # (compiled handlers included); they are forked before the progress
        # bar's thread starts (__enter__).
        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._counter = self._context.Value("q", 0)
        self._pool: ProcessPoolExecutor | None = None
        self._stop = threading.Event()  # Ctrl-C came while the pool ran (see _signals_deferred)
        self._exits = contextlib.ExitStack()

    def __enter__(self) -> LocalExecutor:
        if self.workers > 1:
            self._stop = self._exits.enter_context(_signals_deferred())
            self._get_pool().submit(_ready).result()  # with fork, the first task starts every worker
            self._raise_if_stopped()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self._stop_pool()
        finally:
            self._exits.close()

    def _raise_if_stopped(self) -> None:
        if self._stop.is_set():
            raise KeyboardInterrupt

    # ------------------------------------------------------------ phases

    def count(self, partitions: list[Partition], phase: str = "count") -> list[LineCount]:
        if self.workers == 1 or len(partitions) < 2:
            return [count_partition(partition) for partition in partitions]
        counts = list(self._get_pool().map(count_partition, partitions))
        self._raise_if_stopped()
        return counts

    def run(self, tasks: list[PartitionTask], on_done: Callable[[PartitionResult], None],
            on_events: Callable[[int], None]) -> None:
        """Run every task; `on_done` gets each result as it comes (any order),
        `on_events` the number of events run so far, now and then."""
        if self.workers == 1:
            done = [0]

            def progress(events: int) -> None:
                done[0] += events
                on_events(done[0])

            for task in tasks:
                on_done(run_partition(self.job, task, progress))
            return
        remaining = {task.partition.index: task for task in tasks}
        while remaining:
            try:
                self._run_in_pool(remaining, on_done, on_events)
            except BrokenProcessPool:
                self._stop_pool()
                self.restarts += 1
                if self.restarts > POOL_RESTARTS:
                    raise ReplayError(f"worker processes died {self.restarts} times (out of memory?); "
                                      "try fewer --workers", "") from None

    def _run_in_pool(self, remaining: dict[int, PartitionTask], on_done: Callable[[PartitionResult], None],
                     on_events: Callable[[int], None]) -> None:
        pool = self._get_pool()
        with self._counter.get_lock():
            self._counter.value = 0  # events of unfinished partitions are run again
        base = self._finished_events
        futures = {pool.submit(_run_in_worker, task): index for index, task in remaining.items()}
        pending = set(futures)
        while pending and not self._stop.is_set():
            pending = self._poll(pending, futures, remaining, on_done)
            on_events(base + self._counter.value)
        self._raise_if_stopped()

    def _poll(self, pending: set[Future], futures: dict[Future, int], remaining: dict[int, PartitionTask],
              on_done: Callable[[PartitionResult], None]) -> set[Future]:
        """Wait a moment for partitions to come back, hand each to `on_done`;
        the futures still pending."""
        done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        for future in sorted(done, key=futures.__getitem__):
            result = future.result()  # BrokenProcessPool when a worker died
            del remaining[futures[future]]
            self._finished_events += result.stats.events + result.stats.bad
            on_done(result)
        return pending

    # ------------------------------------------------------------- pool

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=self._context, initializer=_start_worker,
                                             initargs=(self.job, self._counter))
        return self._pool

    def _stop_pool(self) -> None:
        """Stop the workers now (Ctrl-C, a broken pool): unfinished partitions
        are not waited for."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
        if terminate is not None:
            terminate()
        else:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[threading.Event]:
    """While the pool is in use, Ctrl-C (and a SIGTERM the command turns into
    one) sets a flag that the executor turns into KeyboardInterrupt at its
    own safe points: after each look at the workers (every POLL_SECONDS),
    after the counting pass. Raised at any moment, it could land inside
    concurrent.futures: in wait(), between acquiring the pending futures'
    locks (they stay held), or in submit(), halfway through a message to
    the pool's manager thread; either way the pool's shutdown then waits
    forever."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signals reach the main thread only: nothing to defer here
        return
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    deferred = [number for number, handler in previous.items() if callable(handler)]  # not SIG_DFL/SIG_IGN
    for number in deferred:
        signal.signal(number, lambda _number, _frame: stop.set())
    try:
        yield stop
    finally:
        for number in deferred:
            signal.signal(number, previous[number])


# ------------------------------------------------------- in the workers

_job: ReplayJob | None = None
_counter: Any = None


def _start_worker(job: ReplayJob, counter: Any) -> None:
    global _job, _counter
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle: it stops the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the pool stops workers with SIGTERM
    _die_with_the_command()
    _job, _counter = job, counter
    engine_for(job)


def _die_with_the_command() -> None:
    """A worker whose command was killed would wait for work forever (the
    pool's queue stays open in its siblings): on Linux, ask the kernel to
    end it with its parent."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own checks are all there is
        pass


def _ready() -> None:
    """A first task, so that the pool starts its workers now."""


def _add_events(events: int) -> None:
    with _counter.get_lock():
        _counter.value += events


def _run_in_worker(task: PartitionTask) -> PartitionResult:
    assert _job is not None
    return run_partition(_job, task, _add_events)
