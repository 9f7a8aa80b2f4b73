"""`crmscript lsp`: the Language Server (pygls) over stdio or TCP.

Documents are synchronised incrementally. A change is analysed after a
short quiet time (the debounce, 50 ms unless the client's initialization
options say `{"debounceMs": N}`), and diagnostics are published with the
document's version; a change to a script other open documents include
re-analyses those too. Hover, definition, references, rename and the
outline first bring a document's analysis up to date; completion and
signature help read the current text and the last analysis, so typing
never waits for the checker.

Robustness: a request whose parameters do not fit the protocol is answered
with an InvalidParams error, a message that is not JSON with a ParseError,
a body that is not UTF-8 is read with U+FFFD for the bad bytes (and the
document gets a warning), and an exception inside a feature becomes an
error response or an "internal error" diagnostic. The server keeps serving.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from .analysis import script_text
from .document import Analyser, Document, Problem
from .positions import Lines, Locator, path_of, uri_of
from .tokens import TokenList

logger = logging.getLogger("crmscript.lsp")

DEBOUNCE_SECONDS = 0.05
# The garbage collector's full pass over the server's objects (every parsed
# statement of every open document) takes tens of milliseconds: it runs
# when the editor has been quiet this long, not in the middle of a change.
IDLE_COLLECT_SECONDS = 1.0
GC_YOUNG_THRESHOLD = 20_000  # allocations between young collections (Python's default: 700)
FULL_COLLECTIONS_ONLY_WHEN_IDLE = 1_000_000
SOURCE = "crmscript"
_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
             "hint": types.DiagnosticSeverity.Hint}


class _Ignored:
    """What a message that could not be read becomes: handle_message skips it."""

    jsonrpc = ""


class CRMScriptProtocol(LanguageServerProtocol):
    """pygls's protocol, answering requests it cannot read instead of
    dropping them (a client would wait for the answer for ever)."""

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                problem = JsonRpcInvalidParams(f"invalid parameters for {data.get('method')!r}") \
                    if isinstance(error, JsonRpcInvalidParams) else error
                self._send_response(data["id"], None, problem.to_response_error())
            return _Ignored()

    def handle_message(self, message):
        if isinstance(message, _Ignored) or not hasattr(message, "jsonrpc"):
            return None
        return super().handle_message(message)


class CRMScriptLanguageServer(LanguageServer):
    def __init__(self, *, debounce: float = DEBOUNCE_SECONDS, plugins: bool = True):
        super().__init__("crmscript", _version(), protocol_cls=CRMScriptProtocol,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = debounce
        self.analyser = Analyser(plugins=plugins)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._collect: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------ errors

    def report_server_error(self, error: Exception, source) -> None:
        if isinstance(error, (json.JSONDecodeError, UnicodeDecodeError)):
            # A body that is not JSON: JSON-RPC's Parse error, without an id.
            self.protocol._send_response(None, None, types.ResponseError(
                types.ErrorCodes.ParseError, f"the message is not JSON: {error}"))
            return
        logger.error("crmscript lsp: %s", error)

    # ------------------------------------------------------------ documents

    def locator(self) -> Locator:
        return Locator(self._text_of, self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def _text_of(self, file: str) -> str | None:
        uri = uri_of(file)
        if uri in self.workspace.text_documents:
            return self.workspace.get_text_document(uri).source
        return self.analyser.sources.text(Path(file))

    def is_open(self, uri: str) -> bool:
        return uri in self.workspace.text_documents

    def current(self, uri: str) -> Document | None:
        """The analysis of the document's current text (analysing it now if needed)."""
        if not self.is_open(uri):
            return None
        text_document = self.workspace.get_text_document(uri)
        document = self.analyser.documents.get(uri)
        if document is None or document.text != text_document.source:
            self.cancel(uri)
            document = self.analyse_and_publish(uri)
        return document

    def latest(self, uri: str) -> tuple[Document, TokenList] | None:
        """The last analysis and the tokens of the current text (for typing-time features)."""
        if not self.is_open(uri):
            return None
        document = self.analyser.documents.get(uri) or self.current(uri)
        if document is None:
            return None
        text = self.workspace.get_text_document(uri).source
        tokens = document.tokens if document.text == text else TokenList(script_text(text), document.tokens)
        return document, tokens

    def text_changed(self, uri: str) -> None:
        text_document = self.workspace.get_text_document(uri)
        path = path_of(uri)
        if path is not None:
            self.analyser.sources.open[str(path)] = text_document.source
        self.schedule(uri)

    def schedule(self, uri: str, delay: float | None = None) -> None:
        self.cancel(uri)
        loop = asyncio.get_event_loop()
        self._timers[uri] = loop.call_later(self.debounce if delay is None else delay, self._timer_fired, uri)

    def cancel(self, uri: str) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()

    def _timer_fired(self, uri: str) -> None:
        self._timers.pop(uri, None)
        if self.is_open(uri):
            self.analyse_and_publish(uri, recheck_includers=True)

    def analyse_and_publish(self, uri: str, *, recheck_includers: bool = False) -> Document | None:
        text_document = self.workspace.get_text_document(uri)
        path = path_of(uri)
        try:
            document = self.analyser.analyse(uri, path, text_document.source, text_document.version)
            diagnostics = [self._diagnostic(document, p) for p in document.problems]
        except Exception as error:  # a bug of the server: say so in the editor, keep serving
            logger.exception("analysis of %s failed", uri)
            document = None
            diagnostics = [types.Diagnostic(types.Range(types.Position(0, 0), types.Position(0, 1)),
                                            f"internal error of crmscript lsp ({type(error).__name__}: {error})",
                                            severity=types.DiagnosticSeverity.Error, source=SOURCE)]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri, diagnostics, version=text_document.version))
        if recheck_includers and document is not None and path is not None:
            self.recheck_includers(uri, str(path))
        self._collect_when_idle()
        return document

    def _collect_when_idle(self) -> None:
        if self._collect is not None:
            self._collect.cancel()
        self._collect = asyncio.get_event_loop().call_later(IDLE_COLLECT_SECONDS, gc.collect)

    def recheck_includers(self, uri: str, file: str) -> None:
        """Open documents that include `file` see its new text."""
        for other_uri, other in list(self.analyser.documents.items()):
            if other_uri != uri and file in other.include_files and self.is_open(other_uri) \
                    and other_uri not in self._timers:
                self.schedule(other_uri, delay=0)

    def _diagnostic(self, document: Document, problem: Problem) -> types.Diagnostic:
        locator = self.locator()
        lines = Lines(document.text)  # the text the problems were found in
        encoding = locator.encoding
        start = lines.position(problem.line, problem.column, encoding)
        if problem.end_line:
            end = lines.position(problem.end_line, problem.end_column, encoding)
        else:
            end = self._token_end(document, problem, lines, encoding)
        related = [types.DiagnosticRelatedInformation(
            locator.location(file, line, column, 1), message) for file, line, column, message in problem.related]
        return types.Diagnostic(types.Range(start, end), problem.message, severity=_SEVERITY[problem.severity],
                                source=SOURCE, related_information=related or None,
                                tags=[types.DiagnosticTag.Unnecessary] if problem.unnecessary else None)

    @staticmethod
    def _token_end(document: Document, problem: Problem, lines: Lines, encoding: str) -> types.Position:
        """A problem covers the token it points at, or up to the end of the
        next token on its line (a missing `;` is reported after a word), or
        one character."""
        tokens = document.tokens
        offset = tokens.offset(problem.line, problem.column)
        index = tokens.index_before(offset + 1)
        if index >= 0 and tokens.end(index) <= offset:
            index += 1
        if 0 <= index < len(tokens) and tokens[index].line == problem.line:
            return lines.position(*tokens.end_position(index), encoding)
        return lines.position(problem.line, problem.column + 1, encoding)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("crmscript-sim")
    except Exception:  # not installed as a distribution (a source checkout on sys.path)
        return "0"


class _Utf8Tolerant:
    """stdin for the server: a message body that is not UTF-8 is passed on
    with U+FFFD for the bad bytes instead of being lost."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream

    def readline(self) -> bytes:
        return self._stream.readline()

    def read(self, size: int) -> bytes:
        data = self._stream.read(size)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("utf-8", "replace").encode("utf-8")
        return data


def keep_collections_out_of_the_way() -> None:
    """What is loaded by now (library, grammar, catalog) lives as long as the
    server: out of the collector's way. Full collections run when idle."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, FULL_COLLECTIONS_ONLY_WHEN_IDLE)


def serve_stdio(server: CRMScriptLanguageServer) -> None:
    server.start_io(_Utf8Tolerant(sys.stdin.buffer), sys.stdout.buffer)


def serve_tcp(server: CRMScriptLanguageServer, port: int, host: str = "127.0.0.1") -> None:
    server.start_tcp(host, port)

