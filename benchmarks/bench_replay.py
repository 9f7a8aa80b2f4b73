"""Replay throughput: --workers 1, --workers 2 and a local Dask cluster of 2 workers.

Generates N events for the repository's handlers (benchmarks/gen_events.py)
and runs `crmscript replay EVENTS --out FILE` as a user would: a new process
each time, timed from start to exit (counting pass, join and start-up
included). Modes: `--workers 1`, `--workers 2`, and `--scheduler` on a
local Dask cluster (`dask scheduler` and two `dask worker --nthreads 1` on
127.0.0.1, started here once and warm before the first round). The modes
take turns over the rounds so a noisy neighbour hurts all alike; medians
are reported, with the load average. Beside the wall clock, the CPU time
of everything involved (the command, its worker processes, the Dask
cluster's processes) per event: what running in parallel costs in work.

Targets (issue 17): --workers 2 at least 1.7x --workers 1 on a 2-core
machine; Dask within 15% of --workers 2; identical output files.

    .venv/bin/python benchmarks/bench_replay.py [--events N] [--rounds R] [--no-dask]
    .venv/bin/python benchmarks/bench_replay.py --events 1000000 --rounds 3     # the issue's figures
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.gen_events import generate  # noqa: E402

HANDLERS = ROOT / "handlers"
TARGET_LOCAL, TARGET_DASK = 1.7, 0.85


def crmscript() -> list[str]:
    script = Path(sys.executable).with_name("crmscript")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from engine.cli import main; main()"]


def cpu_seconds() -> float:
    """CPU time (user + system) of everything this program started: finished
    commands with their worker processes, and the Dask cluster's processes."""
    import psutil

    finished = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = finished.ru_utime + finished.ru_stime
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def run_once(events: Path, results: Path, mode: list[str], count: int) -> tuple[float, float, str]:
    """(events/s of the whole command, CPU µs per event, its summary line)."""
    command = [*crmscript(), "replay", str(events), "--handlers", str(HANDLERS), "--out", str(results), *mode]
    cpu = cpu_seconds()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return count / seconds, cpu / count * 1e6, done.stderr.strip().splitlines()[-1]


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-dask", action="store_true", help="only --workers 1 and 2")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name, contextlib.ExitStack() as stack:
        folder = Path(name)
        events = folder / "events.jsonl"
        generate(events, args.events)
        modes = {"--workers 1": ["--workers", "1"], "--workers 2": ["--workers", "2"]}
        if not args.no_dask and importlib.util.find_spec("distributed") is None:
            print("no Dask here (pip install 'crmscript-sim[dask]'): --workers 1 and 2 only")
        elif not args.no_dask:
            from engine.replay.dask_cluster import local_cluster

            cluster = folder / "cluster"
            cluster.mkdir()
            address = stack.enter_context(local_cluster(cluster, workers=2))
            modes["Dask, 2 workers"] = ["--scheduler", address]
        print(f"{args.events:,} events ({events.stat().st_size / 2**20:,.0f} MiB), {args.rounds} rounds; "
              f"{os.cpu_count()} cores; load average before: {load()}", flush=True)
        rates: dict[str, list[float]] = {mode: [] for mode in modes}
        cpus: dict[str, list[float]] = {mode: [] for mode in modes}
        for round_number in range(1, args.rounds + 1):
            for mode, flags in modes.items():
                rate, cpu, summary = run_once(events, folder / f"results {mode}.jsonl", flags, args.events)
                rates[mode].append(rate)
                cpus[mode].append(cpu)
                print(f"round {round_number}: {mode:<16} {rate:>9,.0f} events/s  {cpu:6.1f} CPU µs/event  "
                      f"load {load()}  ({summary})", flush=True)
        outputs = [(folder / f"results {mode}.jsonl").read_bytes() for mode in modes]
        same = all(output == outputs[0] for output in outputs[1:])
        print(f"load average after: {load()}")

    median = {mode: statistics.median(values) for mode, values in rates.items()}
    cpu = {mode: statistics.median(values) for mode, values in cpus.items()}
    one, two = median["--workers 1"], median["--workers 2"]
    print(f"\nmedians of {args.rounds} rounds, {args.events:,} events, whole command timed:")
    for mode, rate in median.items():
        print(f"  {mode:<16} {rate:>10,.0f} events/s   {cpu[mode]:6.1f} CPU µs/event "
              f"({cpu[mode] / cpu['--workers 1']:.2f}x --workers 1's)")
    print(f"  --workers 2 / --workers 1: {two / one:.2f}x (scaling efficiency {two / one / 2:.0%})")
    verdicts = [two / one >= TARGET_LOCAL]
    if "Dask, 2 workers" in median:
        dask = median["Dask, 2 workers"]
        print(f"  Dask / --workers 2:        {dask / two:.2f} (scaling efficiency {dask / one / 2:.0%})")
        verdicts.append(dask / two >= TARGET_DASK)
    # The modes of one round ran back to back: their ratio is less hurt by a
    # burst of someone else's load than the ratio of medians taken over rounds.
    print("paired by round (the ratio within each round; median, then each round):")
    for name, top, bottom in (("--workers 2 / --workers 1", "--workers 2", "--workers 1"),
                              ("Dask / --workers 2", "Dask, 2 workers", "--workers 2")):
        if top in rates:
            ratios = [a / b for a, b in zip(rates[top], rates[bottom], strict=True)]
            print(f"  {name + ':':<26} {statistics.median(ratios):.2f}  ({', '.join(f'{r:.2f}' for r in ratios)})")
    print(f"  identical output files: {'yes' if same else 'NO'}")
    verdict = "met" if all(verdicts) and same else "NOT met"
    print(f"targets (2 workers >= {TARGET_LOCAL}x 1, Dask >= {TARGET_DASK:.0%} of 2 workers, same output): {verdict}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
