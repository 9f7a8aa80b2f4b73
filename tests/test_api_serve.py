"""`crmscript serve` as a user runs it: a subprocess, real port, --reload, log lines."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

EXECUTE = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def handler(text: str) -> str:
    return f'getEventData().setOutputValue("says", "{text}");\n'


class Serve:
    def __init__(self, tree: Path, log: Path, *options: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from engine.cli import main; main()", "serve", "--handlers", str(tree),
             "--port", str(self.port), *options],
            stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(self.url + "/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"crmscript serve did not start:\n{log.read_text()}")
            time.sleep(0.1)

    def says(self, event_type: str = "SalesBeforeSaveSale") -> dict:
        response = httpx.post(self.url + EXECUTE, content=json.dumps({"EventData": {"Type": event_type}}),
                              headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["OutputValues"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def edit(path: Path, text: str) -> None:
    """Rewrite a file so that its stamp surely changes (size and mtime)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


@pytest.fixture
def tree(tmp_path) -> Path:
    (tmp_path / "handlers" / "SalesBeforeSaveSale").mkdir(parents=True)
    (tmp_path / "handlers" / "SalesBeforeSaveSale" / "10-a.crm").write_text(handler("first"))
    return tmp_path / "handlers"


def test_reload_picks_up_edits_new_and_removed_handlers(tree, tmp_path):
    server = Serve(tree, tmp_path / "serve.log", "--reload")
    try:
        assert server.says() == {"says": "first"}
        edit(tree / "SalesBeforeSaveSale" / "10-a.crm", handler("second version"))
        assert server.says() == {"says": "second version"}
        edit(tree / "SalesBeforeSaveSale" / "20-b.crm", 'getEventData().setOutputValue("b", "new file");\n')
        assert server.says() == {"says": "second version", "b": "new file"}
        (tree / "SalesBeforeSaveSale" / "20-b.crm").unlink()
        assert server.says() == {"says": "second version"}
        (tree / "TicketSave").mkdir()
        edit(tree / "TicketSave" / "10-t.crm", handler("new type"))
        assert server.says("TicketSave") == {"says": "new type"}
    finally:
        server.stop()
    lines = [line for line in (tmp_path / "serve.log").read_text().splitlines() if EXECUTE in line]
    assert len(lines) == 5  # one line per request
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO POST ", line) for line in lines)
    assert "SalesBeforeSaveSale handlers=1" in lines[0] and "ms 200 ok" in lines[0]
    assert "handlers=2" in lines[2] and "TicketSave handlers=1" in lines[4]


def test_plain_serve_picks_up_an_edited_handler(tree, tmp_path):
    # The README promises handlers recompile when their file changes: plain
    # `serve` watches the tree (one stat per file and folder per event).
    server = Serve(tree, tmp_path / "serve.log")
    try:
        assert server.says() == {"says": "first"}
        edit(tree / "SalesBeforeSaveSale" / "10-a.crm", handler("edited"))
        assert server.says() == {"says": "edited"}
    finally:
        server.stop()
    assert "reload on" in (tmp_path / "serve.log").read_text()


def test_with_no_reload_the_tree_is_read_once(tree, tmp_path):
    server = Serve(tree, tmp_path / "serve.log", "--no-reload")
    try:
        assert server.says() == {"says": "first"}
        edit(tree / "SalesBeforeSaveSale" / "10-a.crm", handler("edited"))
        assert server.says() == {"says": "first"}
    finally:
        server.stop()
