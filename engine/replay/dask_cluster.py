"""Running partitions on a Dask cluster (`--scheduler tcp://HOST:PORT`).

The cluster is an ordinary one (`dask scheduler`, `dask worker`): the job
(handler tree, plugin names, fixture) is scattered to every worker once,
each worker builds its Engine from it once, and the partitions are Dask
tasks. Workers read their partitions from the input files themselves, so
the files must be readable at the same path where the workers run (a
shared file system); the responses come back to the command as bytes and
are written to the part files there. When a worker dies, the scheduler runs
its unfinished tasks (and any result lost with it) on the others: every
line is answered exactly once. Dask is an optional extra:
`pip install 'crmscript-sim[dask]'`.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .inputs import LineCount, Partition, ReplayError
from .job import ReplayJob
from .work import PartitionResult, PartitionTask, count_partition, run_partition

CONNECT_SECONDS = 30  # to reach the scheduler
WORKERS_SECONDS = 60  # for a first worker to join it


def connect(scheduler: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise ReplayError("--scheduler needs Dask: pip install 'crmscript-sim[dask]'", "") from None
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ReplayError(f"cannot reach the Dask scheduler at {scheduler}: {error}", "") from None
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except TimeoutError:
        client.close()
        raise ReplayError(f"the Dask scheduler at {scheduler} has no workers "
                          f"(none joined within {WORKERS_SECONDS} s): start some with `dask worker {scheduler}`",
                          "") from None
    return client


class DaskExecutor:
    writes_parts = False  # workers may run elsewhere: the responses come back as bytes

    def __init__(self, job: ReplayJob, scheduler: str):
        self.job = job
        self.scheduler = scheduler
        self.client = connect(scheduler)
        workers = self.client.nthreads()  # {address: threads} of every worker
        self._workers_at_start = set(workers)
        self.workers = sum(workers.values())  # tasks at once
        self.description = f"Dask at {scheduler}, {len(workers)} worker{'s' if len(workers) != 1 else ''}"
        self._job = self.client.scatter(job, broadcast=True, hash=False)
        self._futures: list[Any] = []

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._futures:
            self.client.cancel(self._futures)
        self.client.close()

    @property
    def workers_lost(self) -> int:
        """Workers that left the cluster since the run began (a restarted
        worker comes back under a new address, so it counts too)."""
        try:
            now = set(self.client.nthreads())
        except Exception:  # the scheduler itself went away: nothing to tell
            return 0
        return len(self._workers_at_start - now)

    def _keys(self, phase: str, count: int) -> list[str]:
        return [f"crmscript-replay-{self.job.key[:12]}-{phase}-{index}" for index in range(count)]

    def count(self, partitions: list[Partition], phase: str = "count") -> list[LineCount]:
        futures = self.client.map(count_partition, partitions, key=self._keys(phase, len(partitions)), pure=False)
        self._futures = futures
        try:
            return self.client.gather(futures)
        except Exception as error:
            raise _task_error(error) from None
        finally:
            self._futures = []

    def run(self, tasks: list[PartitionTask], on_done: Callable[[PartitionResult], None],
            on_events: Callable[[int], None]) -> None:
        from distributed import as_completed

        futures = self.client.map(_run_remote, tasks, key=self._keys("run", len(tasks)), pure=False, job=self._job)
        self._futures = futures
        events = 0
        try:
            for future, result in as_completed(futures, with_results=True, loop=self.client.loop):
                future.release()  # the bytes are written once they are here: nothing to keep on the cluster
                events += result.stats.events + result.stats.bad
                on_done(result)
                on_events(events)
        except Exception as error:
            raise _task_error(error) from None
        finally:
            self._futures = []


def _run_remote(task: PartitionTask, job: ReplayJob) -> PartitionResult:
    return run_partition(job, task)


def _task_error(error: Exception) -> Exception:
    """A CRMScript or replay error as it is; a task that killed its workers
    again and again as a ReplayError; anything else unchanged (a bug)."""
    from ..errors import CRMScriptError

    if isinstance(error, CRMScriptError):
        return error
    if type(error).__name__ == "KilledWorker":
        return ReplayError(f"the Dask workers running a partition died again and again ({error}); "
                           "look at the workers' logs (memory?)", "")
    return error


@contextlib.contextmanager
def local_cluster(folder: Path, workers: int = 2, start_seconds: float = 60) -> Iterator[str]:
    """A Dask cluster on 127.0.0.1 started with the standard commands (`dask
    scheduler`, `dask worker --nthreads 1`), in `folder`; yields the
    scheduler's address. For the tests and the benchmark."""
    from distributed import Client

    address_file = folder / "scheduler.json"
    address_file.unlink(missing_ok=True)
    processes = [_start_dask(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                              "--scheduler-file", str(address_file)], folder, "scheduler.log")]
    try:
        deadline = time.monotonic() + start_seconds
        while not address_file.exists():
            if time.monotonic() > deadline or processes[0].poll() is not None:
                raise RuntimeError(f"the Dask scheduler did not start: see {folder / 'scheduler.log'}")
            time.sleep(0.1)
        time.sleep(0.1)  # the file is written whole just after it appears
        address = json.loads(address_file.read_text())["address"]
        processes += [_start_dask(["worker", "--scheduler-file", str(address_file), "--nthreads", "1",
                                   "--no-dashboard", "--host", "127.0.0.1"], folder, f"worker{number}.log")
                      for number in range(1, workers + 1)]
        with Client(address, timeout=start_seconds) as client:
            client.wait_for_workers(workers, timeout=start_seconds)
        yield address
    finally:
        _stop(processes[1:])  # the workers first, while the scheduler can still see them go
        _stop(processes[:1])


def _start_dask(arguments: list[str], folder: Path, log: str) -> subprocess.Popen:
    with open(folder / log, "wb") as output:
        return subprocess.Popen([sys.executable, "-m", "dask", *arguments], cwd=folder, stdout=output,
                                stderr=subprocess.STDOUT)


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
