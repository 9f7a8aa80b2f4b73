"""`crmscript lsp` survives what editors and networks get wrong: requests
that do not fit the protocol, bodies that are not JSON or not UTF-8,
documents it never saw, positions past the end, included files that are
not UTF-8. Each is answered (an error, a null result or a diagnostic), and
the next ordinary request is answered as usual. Also: `--tcp PORT`."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest
from lsp_harness import REPO, SERVER_COMMAND, WAIT_SECONDS, Editor, RawPipe, span

INVALID_PARAMS, METHOD_NOT_FOUND, PARSE_ERROR = -32602, -32601, -32700


def initialize(pipe: RawPipe) -> dict:
    pipe.send({"jsonrpc": "2.0", "id": "init", "method": "initialize",
               "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    answer = pipe.answer("init")
    pipe.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    return answer


def open_document(pipe: RawPipe, uri: str, text: str) -> None:
    pipe.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": uri, "languageId": "crmscript", "version": 1, "text": text}}})


def hover(pipe: RawPipe, request_id, uri: str, line: int, character: int) -> dict:
    pipe.send({"jsonrpc": "2.0", "id": request_id, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": uri}, "position": {"line": line, "character": character}}})
    return pipe.answer(request_id)


def diagnostics_of(pipe: RawPipe, uri: str) -> list[dict]:
    message = pipe.receive_until(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                 and m["params"]["uri"] == uri)
    return message["params"]["diagnostics"]


@pytest.fixture
def pipe(tmp_path):
    server = RawPipe()
    assert "capabilities" in initialize(server)["result"]
    yield server
    assert server.close() == 0


def test_malformed_requests_are_answered_and_the_server_keeps_serving(pipe, tmp_path):
    uri = (tmp_path / "a.crm").as_uri()
    open_document(pipe, uri, "Integer count = 1;\nprintLine(count.toString());\n")
    assert diagnostics_of(pipe, uri) == []
    bad = [
        ({"textDocument": {"uri": uri}, "position": {"line": "two", "character": 0}}, INVALID_PARAMS),
        (None, INVALID_PARAMS),
        ([1, 2, 3], INVALID_PARAMS),
        ({"position": {"line": 0, "character": 0}}, INVALID_PARAMS),
    ]
    for number, (params, code) in enumerate(bad):
        pipe.send({"jsonrpc": "2.0", "id": number, "method": "textDocument/hover", "params": params})
        assert pipe.answer(number)["error"]["code"] == code
    pipe.send({"jsonrpc": "2.0", "id": "x", "method": "textDocument/noSuchThing", "params": {}})
    assert pipe.answer("x")["error"]["code"] == METHOD_NOT_FOUND
    pipe.send_bytes(b"{this is not json")
    assert pipe.answer(None)["error"]["code"] == PARSE_ERROR
    pipe.send_bytes(b'{"jsonrpc": "2.0", "id": "latin", "method": "shutdown" \xe6}')
    assert pipe.answer(None)["error"]["code"] == PARSE_ERROR
    # Documents it never saw and positions past the end: no answer to give.
    unseen = (tmp_path / "never-opened.crm").as_uri()
    pipe.send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": unseen, "version": 2}, "contentChanges": [{"text": "Integer b;"}]}})
    pipe.send({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": unseen}}})
    assert hover(pipe, "unseen", unseen, 0, 0)["result"] is None
    assert hover(pipe, "folder", tmp_path.as_uri(), 0, 0)["result"] is None
    assert hover(pipe, "far", uri, 99, 99)["result"] is None
    assert hover(pipe, "wide", uri, 1, 999)["result"] is None
    pipe.send({"jsonrpc": "2.0", "id": "resolve", "method": "completionItem/resolve",
               "params": {"label": "x", "data": {"receiver": ["Map", "two"], "name": "get"}}})
    assert pipe.answer("resolve")["result"]["label"] == "x"
    # ... and the next ordinary request is answered.
    answer = hover(pipe, "ok", uri, 1, 12)
    assert answer["result"]["contents"]["value"].startswith("```crmscript\nInteger count\n```")


def test_a_document_that_is_not_utf8_gets_a_warning(pipe, tmp_path):
    uri = (tmp_path / "latin1.crm").as_uri()
    message = {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "crmscript", "version": 1, "text": 'String s = "bl@";\nprintLine(s);\n'}}}
    pipe.send_bytes(json.dumps(message).encode("utf-8").replace(b"@", b"\xe5"))  # Latin-1 "blå"
    (warning,) = diagnostics_of(pipe, uri)
    assert warning["message"] == "the text holds a character that could not be read: is the file saved as UTF-8?"
    assert (warning["severity"], warning["range"]["start"]) == (2, {"line": 0, "character": 14})
    assert hover(pipe, "after", uri, 1, 10)["result"]["contents"]["value"].startswith("```crmscript\nString s")


def test_a_lone_surrogate_in_a_document_gets_a_warning(pipe, tmp_path):
    uri = (tmp_path / "surrogate.crm").as_uri()
    message = {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "crmscript", "version": 1, "text": 'String s = "@";\nprintLine(s);'}}}
    # JSON may escape half a UTF-16 pair; json.dumps itself never writes one.
    pipe.send_bytes(json.dumps(message).replace("@", "\\udc80").encode("ascii"))
    (warning,) = diagnostics_of(pipe, uri)
    assert warning["range"]["start"] == {"line": 0, "character": 12}
    assert hover(pipe, "after", uri, 1, 10)["result"] is not None


def test_an_included_file_that_is_not_utf8(tmp_path):
    tree = tmp_path / "handlers"
    (tree / "lib").mkdir(parents=True)
    (tree / "SalesBeforeSaveSale").mkdir()
    (tree / "lib" / "old.crm").write_bytes(b'String greeting() { return "hej p\xe5 dig"; }\n')
    handler = tree / "SalesBeforeSaveSale" / "10-greet.crm"
    handler.write_text('#include "old";\nprintLine(greeting());\n', encoding="utf-8")
    editor = Editor()
    try:
        (diagnostic,) = editor.wait_diagnostics(editor.open(handler), 1)
        assert span(diagnostic.range) == (0, 0, 0, 8)
        assert diagnostic.message == "in the include 'old' (old.crm:1:34): error: old.crm is not UTF-8 text " \
                                     "(save it as UTF-8)"
    finally:
        editor.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _frame(message: dict) -> bytes:
    body = json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(stream) -> dict:
    length = None
    while True:
        line = stream.readline()
        if line.strip() == b"" and length is not None:
            return json.loads(stream.read(length))
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])


def test_tcp_mode_on_loopback(tmp_path):
    port = _free_port()
    process = subprocess.Popen([*SERVER_COMMAND, "--tcp", str(port)], cwd=str(REPO),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=WAIT_SECONDS)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        with connection, connection.makefile("rb") as stream:
            connection.sendall(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                       "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
            assert _read_message(stream)["result"]["capabilities"]["hoverProvider"] is True
            uri = (tmp_path / "t.crm").as_uri()
            connection.sendall(_frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
                "textDocument": {"uri": uri, "languageId": "crmscript", "version": 1, "text": "Integer x = ;"}}}))
            published = _read_message(stream)
            assert published["method"] == "textDocument/publishDiagnostics"
            assert published["params"]["diagnostics"][0]["range"]["start"] == {"line": 0, "character": 12}
    finally:
        process.kill()
        process.wait(WAIT_SECONDS)


def test_bad_command_line_options():
    result = subprocess.run([*SERVER_COMMAND, "--tcp", "0"], cwd=str(REPO), capture_output=True, text=True,
                            timeout=WAIT_SECONDS)
    assert result.returncode == 2 and "--tcp: 0 is not a port number" in result.stderr
