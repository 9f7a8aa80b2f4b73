"""Drive `crmscript lsp` as an editor would: a real process on stdio.

`Editor` wraps pygls's LanguageClient (its event loop on a thread of its
own) with blocking calls, so tests read like editor sessions; `RawPipe`
writes bytes the protocol does not allow, to see the server survive them.
"""

from __future__ import annotations

import asyncio
import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

SERVER_COMMAND = [sys.executable, "-c", "from engine.cli import main; main()", "lsp"]
REPO = Path(__file__).resolve().parents[1]
WAIT_SECONDS = 30  # for an answer; a healthy server needs milliseconds


class Editor:
    """One server process and the documents this 'editor' has open."""

    def __init__(self, *args: str, debounce_ms: float = 0, encodings: list[str] | None = None):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = LanguageClient("crmscript-tests", "1")
        self.diagnostics: dict[str, list[types.PublishDiagnosticsParams]] = {}
        self.log: list[str] = []
        self.stderr = bytearray()
        self._published = threading.Condition()
        self.versions: dict[str, int] = {}
        self._opened_at: dict[str, int] = {}  # publications of the uri before it was last opened

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            with self._published:
                self.diagnostics.setdefault(params.uri, []).append(params)
                self._published.notify_all()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.log.append(params.message)

        self._run(self.client.start_io(*SERVER_COMMAND, *args, cwd=str(REPO)))
        self._run(self._drain_stderr())
        capabilities = types.ClientCapabilities(
            general=types.GeneralClientCapabilities(position_encodings=encodings) if encodings else None,
            text_document=types.TextDocumentClientCapabilities(
                hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
                document_symbol=types.DocumentSymbolClientCapabilities(
                    hierarchical_document_symbol_support=True),
                rename=types.RenameClientCapabilities(prepare_support=True)))
        self.initialized = self.call(self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, process_id=None, root_uri=None,
            initialization_options={"debounceMs": debounce_ms})))
        self.client.initialized(types.InitializedParams())

    # ------------------------------------------------------------ plumbing

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(WAIT_SECONDS)

    async def _drain_stderr(self) -> None:
        async def drain():
            stream = self.client._server.stderr
            while chunk := await stream.read(4096):
                self.stderr.extend(chunk)

        asyncio.ensure_future(drain())

    def call(self, coroutine):
        """Send a request and wait for its answer."""
        return self._run(coroutine)

    def close(self) -> None:
        try:
            self.call(self.client.shutdown_async(None))
            self.client.exit(None)
            self._run(asyncio.wait_for(self.client.stop(), WAIT_SECONDS))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(WAIT_SECONDS)

    # ------------------------------------------------------------ documents

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        if uri in self.versions:
            self.close_document(uri)
        self._opened_at[uri] = self.publications(uri)
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri, language_id="crmscript", version=1,
            text=path.read_text(encoding="utf-8") if text is None else text)))
        return uri

    def edit(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> int:
        """Replace the 0-based range start..end by `text`; returns the new version."""
        self.versions[uri] += 1
        change = types.TextDocumentContentChangePartial(
            types.Range(types.Position(*start), types.Position(*end)), text)
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]), [change]))
        return self.versions[uri]

    def replace_all(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [types.TextDocumentContentChangeWholeDocument(text)]))
        return self.versions[uri]

    def close_document(self, uri: str) -> None:
        self.versions.pop(uri, None)
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))

    def wait_diagnostics(self, uri: str, version: int | None = None,
                         after: int | None = None) -> list[types.Diagnostic]:
        """The diagnostics published for `uri` since it was opened (for
        `version`, or the `after`+1-th publication), waiting for them."""
        if after is None:
            after = self._opened_at.get(uri, 0)
        deadline = time.monotonic() + WAIT_SECONDS
        with self._published:
            while True:
                published = self.diagnostics.get(uri, [])
                for params in published[after:]:
                    if version is None or params.version == version:
                        return list(params.diagnostics)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no diagnostics for {uri} version {version}")
                self._published.wait(remaining)

    def publications(self, uri: str) -> int:
        with self._published:
            return len(self.diagnostics.get(uri, []))

    # ------------------------------------------------------------ requests

    @staticmethod
    def _at(uri: str, line: int, character: int) -> dict:
        return {"text_document": types.TextDocumentIdentifier(uri), "position": types.Position(line, character)}

    def hover(self, uri: str, line: int, character: int) -> types.Hover | None:
        return self.call(self.client.text_document_hover_async(types.HoverParams(**self._at(uri, line, character))))

    def complete(self, uri: str, line: int, character: int) -> list[types.CompletionItem]:
        result = self.call(self.client.text_document_completion_async(
            types.CompletionParams(**self._at(uri, line, character))))
        if result is None:
            return []
        return list(result.items if isinstance(result, types.CompletionList) else result)

    def resolve(self, item: types.CompletionItem) -> types.CompletionItem:
        return self.call(self.client.completion_item_resolve_async(item))

    def signature_help(self, uri: str, line: int, character: int) -> types.SignatureHelp | None:
        return self.call(self.client.text_document_signature_help_async(
            types.SignatureHelpParams(**self._at(uri, line, character))))

    def definition(self, uri: str, line: int, character: int) -> list[types.Location]:
        result = self.call(self.client.text_document_definition_async(
            types.DefinitionParams(**self._at(uri, line, character))))
        return [] if result is None else result if isinstance(result, list) else [result]

    def references(self, uri: str, line: int, character: int, declaration: bool = True) -> list[types.Location]:
        return self.call(self.client.text_document_references_async(types.ReferenceParams(
            context=types.ReferenceContext(declaration), **self._at(uri, line, character)))) or []

    def prepare_rename(self, uri: str, line: int, character: int):
        return self.call(self.client.text_document_prepare_rename_async(
            types.PrepareRenameParams(**self._at(uri, line, character))))

    def rename(self, uri: str, line: int, character: int, new_name: str) -> types.WorkspaceEdit | None:
        return self.call(self.client.text_document_rename_async(
            types.RenameParams(new_name=new_name, **self._at(uri, line, character))))

    def symbols(self, uri: str) -> list[types.DocumentSymbol]:
        return self.call(self.client.text_document_document_symbol_async(
            types.DocumentSymbolParams(types.TextDocumentIdentifier(uri)))) or []


def span(location_or_range) -> tuple[int, int, int, int]:
    """(start line, start character, end line, end character) of a Range or Location."""
    r = getattr(location_or_range, "range", location_or_range)
    return r.start.line, r.start.character, r.end.line, r.end.character


class RawPipe:
    """A server process spoken to in bytes: for messages no client library would send."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen([*SERVER_COMMAND, *args], cwd=str(REPO), stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                if line.strip() == b"" and length is not None:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def send_bytes(self, body: bytes) -> None:
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def send(self, message: dict) -> None:
        self.send_bytes(json.dumps(message).encode("utf-8"))

    def receive_until(self, predicate) -> dict:
        """The next message `predicate` accepts (others in between are skipped)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            message = self.messages.get(timeout=max(deadline - time.monotonic(), 0.01))
            if message is None:
                raise EOFError("the server closed its output")
            if predicate(message):
                return message

    def answer(self, request_id) -> dict:
        return self.receive_until(lambda m: "method" not in m and m.get("id") == request_id)

    def close(self) -> int:
        try:
            self.send({"jsonrpc": "2.0", "id": "bye", "method": "shutdown"})
            self.answer("bye")
            self.send({"jsonrpc": "2.0", "method": "exit"})
            self.process.stdin.close()
            return self.process.wait(WAIT_SECONDS)
        finally:
            if self.process.poll() is None:
                self.process.kill()
