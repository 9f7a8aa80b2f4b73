"""ASGI middleware of the local WebAPI: ASP.NET-style paths and the access log."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from .models import REQUEST_MODELS

_ONE_LINE = str.maketrans({"\n": "\\n", "\r": "\\r"})
# The longest outcome and handler log line written (an Exception or a logged
# String can be megabytes), and the most log lines written for one request.
MAX_LOGGED = 1_000
MAX_LOG_LINES = 200


def _shortened(text: str) -> str:
    if len(text) <= MAX_LOGGED:
        return text
    return f"{text[:MAX_LOGGED]}... ({len(text) - MAX_LOGGED:,} more characters)"

# ASP.NET routing, which the WebAPI runs on, matches paths ignoring case and
# a trailing slash; clients written for it spell paths either way.
_METHOD_PATHS_BY_LOWER = {path.lower(): path for path in REQUEST_MODELS}


class AspNetPaths:
    """`/api/v1/agents/customerservice/executeeventhandlers/` reaches the
    route `/api/v1/Agents/CustomerService/ExecuteEventHandlers` (rather than
    a 404, or Starlette's 307 redirect for the slash, which most clients do
    not follow for a POST). Only the API methods' paths are matched this
    way; the exact spelling costs one dict lookup."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path not in REQUEST_MODELS:
                canonical = _METHOD_PATHS_BY_LOWER.get(path.rstrip("/").lower())
                if canonical is not None:
                    scope = {**scope, "path": canonical, "raw_path": canonical.encode("ascii")}
        await self.app(scope, receive, send)


class AccessLog:
    """One log line per request (method, path, event type, handlers run,
    milliseconds, status and outcome), given to `write`. Endpoints add their
    facts through `scope["state"]["log_facts"]` (Call.note)."""

    def __init__(self, app: Any, write: Callable[[str], None]) -> None:
        self.app = app
        self.write = write

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            milliseconds = (time.perf_counter() - started) * 1000
            facts = scope.get("state", {}).get("log_facts", {})
            self.write(access_line(scope, facts, milliseconds, status))
            logged = facts.get("log", ())  # what the handlers logged (printDebug, log, logMessage)
            for line in logged[:MAX_LOG_LINES]:
                self.write(f"  {_shortened(line)}".translate(_ONE_LINE))
            if len(logged) > MAX_LOG_LINES:
                self.write(f"  ... {len(logged) - MAX_LOG_LINES:,} more log lines")


def access_line(scope: dict, facts: dict, milliseconds: float, status: int) -> str:
    line = f"{scope['method']} {scope['path']}"
    if "type" in facts:
        line += f" {facts['type'] or '(no type)'}"
    if "handlers" in facts:
        line += f" handlers={facts['handlers']}"
    line += f" {milliseconds:.1f}ms {status}"
    if facts.get("outcome"):
        line += f" {_shortened(facts['outcome'])}"
    # One line, whatever the client put in field names or the handler in Exception.
    return line.translate(_ONE_LINE)


class LineWriter:
    """Writes access lines to a stream as `2026-11-25 13:06:57,231 INFO line`
    (the format of `crmscript serve`'s other log lines).

    A request line through the logging module costs about as much as a
    trivial handler run; this costs a tenth of it. Called on the event loop
    thread only."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self._second = -1
        self._stamp = ""

    def __call__(self, line: str) -> None:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        self.stream.write(f"{self._stamp},{int((now - second) * 1000):03d} INFO {line}\n")
        self.stream.flush()


def logger_writer(logger: logging.Logger) -> Callable[[str], None]:
    """Access lines to a logging.Logger at INFO."""
    def write(line: str) -> None:
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s", line)

    return write
