"""Latency of other requests while handlers run until their deadline (issue 11).

`crmscript serve` (a subprocess, bearer auth, --time-limit T) serves a tree
with a handler that loops until its deadline (`Slow`) and a trivial one
(`TicketSave`). `--slow N` client threads keep N slow events in flight the
whole time; meanwhile one client sends, in turns, a quick event, a request
without credentials (401), /docs and /openapi.json, and records each
answer's latency. The same samples without the slow load come first, for
comparison. Acceptance: every kind answers within 100 ms under the load.

    .venv/bin/python benchmarks/bench_slow_handler.py [--seconds S] [--slow N] [--time-limit T]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token"
PATH = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(tree: Path, port: int, time_limit: float, threads: int) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("crmscript")), "serve", "--handlers", str(tree),
               "--port", str(port), "--auth", f"bearer:{TOKEN}", "--time-limit", str(time_limit),
               "--engine-threads", str(threads), "--no-reload"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def requests(base: str) -> dict[str, callable]:
    client = httpx.Client(base_url=base, timeout=60)
    quick = {"EventData": {"Type": "TicketSave"}}
    return {
        "quick event": lambda: client.post(PATH, json=quick, headers=AUTH),
        "401": lambda: client.post(PATH, json=quick),
        "/docs": lambda: client.get("/docs"),
        "/openapi.json": lambda: client.get("/openapi.json"),
    }


def sample(calls: dict, seconds: float) -> dict[str, list[float]]:
    expected = {"quick event": 200, "401": 401, "/docs": 200, "/openapi.json": 200}
    times: dict[str, list[float]] = {name: [] for name in calls}
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for name, call in calls.items():
            started = time.perf_counter()
            response = call()
            times[name].append(time.perf_counter() - started)
            assert response.status_code == expected[name], (name, response.status_code)
            time.sleep(0.01)
    return times


def report(title: str, times: dict[str, list[float]]) -> float:
    print(title)
    worst = 0.0
    for name, values in times.items():
        values = sorted(values)
        p95 = values[int(len(values) * 0.95) - 1] if len(values) >= 20 else values[-1]
        worst = max(worst, values[-1])
        print(f"  {name:<14} n={len(values):<4} median {statistics.median(values) * 1000:6.1f} ms  "
              f"p95 {p95 * 1000:6.1f} ms  max {values[-1] * 1000:6.1f} ms")
    return worst


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--slow", type=int, default=2, help="slow events kept in flight")
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--engine-threads", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder)
        (tree / "Slow").mkdir()
        (tree / "Slow" / "10-spin.crm").write_text("Integer i;\nwhile (true) {\n  i = i + 1;\n  if (i > 1000) { i = 0; }\n}\n")
        (tree / "TicketSave").mkdir()
        (tree / "TicketSave" / "10-quick.crm").write_text('getEventData().setOutputValue("seen", "1");\n')
        port = free_port()
        server = start_server(tree, port, args.time_limit, args.engine_threads)
        try:
            base = f"http://127.0.0.1:{port}"
            calls = requests(base)
            report("without slow handlers", sample(calls, min(args.seconds, 3.0)))
            stop = threading.Event()
            slow_answers: list[str] = []

            def keep_slow_in_flight() -> None:
                client = httpx.Client(base_url=base, timeout=120)
                while not stop.is_set():
                    answer = client.post(PATH, json={"EventData": {"Type": "Slow"}}, headers=AUTH).json()
                    slow_answers.append(answer["Exception"])

            workers = [threading.Thread(target=keep_slow_in_flight, daemon=True) for _ in range(args.slow)]
            for worker in workers:
                worker.start()
            time.sleep(0.5)  # the slow events are running
            worst = report(f"with {args.slow} handlers looping until their {args.time_limit:g} s deadline "
                           f"({args.engine_threads} engine threads)", sample(calls, args.seconds))
            stop.set()
            for worker in workers:
                worker.join()
            limited = sum("time limit exceeded" in text for text in slow_answers)
            print(f"slow events answered: {len(slow_answers)}, each with the time limit error: "
                  f"{limited == len(slow_answers)}")
            print(f"worst latency under load: {worst * 1000:.1f} ms (acceptance: 100 ms) "
                  f"{'ok' if worst < 0.1 else 'MISS'}; load average {os.getloadavg()[0]:.2f}")
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
