"""Throughput and latency of ExecuteEventHandlers over HTTP, against a bare FastAPI endpoint.

Two servers with the same settings (uvicorn, one worker, one process each,
access log off): `api`, the real app (`create_app` on an Engine with one
trivial handler, request log on as `crmscript serve` has it, to /dev/null)
and `bare`, a FastAPI endpoint on the same path returning a constant. One
load generator drives both: a minimal asyncio HTTP/1.1 keep-alive client
with a fixed number of connections (lighter than httpx, so the client is
not the bottleneck). The targets are measured in turns over several rounds
so a noisy neighbour hurts both alike; the median round is reported, and
each server's own CPU time per request (from /proc), which a busy machine
disturbs much less than wall-clock throughput.

Target (issue 5): api throughput >= 0.5 x bare (aim 0.7).

    .venv/bin/python benchmarks/bench_api.py [--seconds S] [--rounds R] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PATH = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"
EVENT_TYPE = "TicketSave"
TRIVIAL = 'getEventData().setOutputValue("seen", "1");\n'
BODY = json.dumps({"EventData": {"Type": EVENT_TYPE}}).encode()
TARGET, AIM = 0.5, 0.7


# ------------------------------------------------------------------ servers


def serve(kind: str, port: int, handlers: str) -> None:
    """Run one server in this process (the benchmark starts two of these)."""
    import uvicorn

    if kind == "api":
        from engine.api.app import create_app
        from engine.api.middleware import LineWriter
        from engine.chain import Engine
        from engine.cli.serve import configure_logging

        # As `crmscript serve` runs it: one access line per request on stderr,
        # the handler files checked before every event (the default, --reload).
        configure_logging()
        app = create_app(Engine(handlers, check_interval=0.0), access_log=LineWriter(sys.stderr))
    else:
        from fastapi import FastAPI

        app = FastAPI()
        constant = {"Type": EVENT_TYPE, "OutputValues": {"seen": "1"}}

        @app.post(PATH)
        async def bare() -> dict:
            return constant

    gc.freeze()  # as `crmscript serve` does after start-up; the same for both servers
    uvicorn.run(app, host="127.0.0.1", port=port, workers=1, access_log=False, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(kind: str, handlers: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(port),
                                "--handlers", handlers], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the {kind} server did not start")


# ------------------------------------------------------------ load generator


def request_bytes(port: int) -> bytes:
    head = (f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Accept: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n")
    return head.encode() + BODY


async def connection(port: int, until: float, latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = request_bytes(port)
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(1)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def load(port: int, seconds: float, concurrency: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(connection(port, until, latencies, errors) for _ in range(concurrency)))
    return len(latencies) / (time.perf_counter() - started), latencies, len(errors)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(process: subprocess.Popen, port: int, seconds: float, concurrency: int):
    """(req/s, latencies, non-200 count, server CPU seconds per request)."""
    cpu_before = cpu_seconds(process.pid)
    throughput, latencies, errors = asyncio.run(load(port, seconds, concurrency))
    cpu_per_request = (cpu_seconds(process.pid) - cpu_before) / max(len(latencies), 1)
    return throughput, latencies, errors, cpu_per_request


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one measured round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16, help="open connections")
    parser.add_argument("--serve", choices=["api", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--handlers", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.handlers)
        return

    with tempfile.TemporaryDirectory() as handlers:
        (Path(handlers) / EVENT_TYPE).mkdir()
        (Path(handlers) / EVENT_TYPE / "10-trivial.crm").write_text(TRIVIAL)
        servers = {kind: start(kind, handlers) for kind in ("api", "bare")}
        try:
            rounds: dict[str, list[tuple]] = {"api": [], "bare": []}
            for _, port in servers.values():  # warm-up: compile, caches, connections
                asyncio.run(load(port, 1.0, args.concurrency))
            for _ in range(args.rounds):
                for kind, (process, port) in servers.items():
                    rounds[kind].append(measure(process, port, args.seconds, args.concurrency))
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=10)

    print(f"ExecuteEventHandlers vs bare FastAPI endpoint: uvicorn 1 worker each, {args.concurrency} keep-alive "
          f"connections, {args.rounds} rounds x {args.seconds:g} s, median round")
    medians, cpu = {}, {}
    for kind, results in rounds.items():
        median_round = sorted(results, key=lambda r: r[0])[len(results) // 2]
        medians[kind] = statistics.median(r[0] for r in results)
        cpu[kind] = statistics.median(r[3] for r in results)
        latencies = median_round[1]
        errors = sum(r[2] for r in results)
        print(f"  {kind:5} {medians[kind]:8.0f} req/s   p50 {percentile(latencies, 0.5) * 1000:6.2f} ms   "
              f"p99 {percentile(latencies, 0.99) * 1000:6.2f} ms   server CPU {cpu[kind] * 1e6:5.0f} us/request   "
              f"non-200: {errors}")
    ratio = medians["api"] / medians["bare"]
    verdict = "aim met" if ratio >= AIM else "target met" if ratio >= TARGET else "BELOW TARGET"
    print(f"  ratio api/bare: {ratio:.2f}  (target >= {TARGET}, aim {AIM}): {verdict}")
    if cpu["api"] > 0:
        # On a shared machine the throughput ratio moves with the neighbours'
        # load; the servers' own CPU per request does much less.
        print(f"  server CPU ratio bare/api: {cpu['bare'] / cpu['api']:.2f}  (the throughput ratio on an idle "
              f"machine where the server is the bottleneck)")


if __name__ == "__main__":
    main()
