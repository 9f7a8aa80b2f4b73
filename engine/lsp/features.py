"""The protocol methods the server answers, each a thin layer over the
feature modules (hover, completion, navigation) in CRMScript terms."""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .completion import complete, resolve, signature_help
from .hover import hover
from .navigation import RenameRefused, definition, document_symbols, references, rename, rename_target
from .positions import Lines, path_of
from .server import DEBOUNCE_SECONDS, CRMScriptLanguageServer, keep_collections_out_of_the_way

REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was understood and cannot be done


class RequestFailed(JsonRpcException):
    CODE = REQUEST_FAILED


def create_server(*, debounce: float = DEBOUNCE_SECONDS, plugins: bool = True) -> CRMScriptLanguageServer:
    """The server with every protocol method registered."""
    server = CRMScriptLanguageServer(debounce=debounce, plugins=plugins)
    register(server)
    keep_collections_out_of_the_way()
    return server


def _engine_position(ls: CRMScriptLanguageServer, uri: str, position: types.Position) -> tuple[int, int]:
    text = ls.workspace.get_text_document(uri).source
    return Lines(text).engine_position(position, ls.locator().encoding)


def register(server: CRMScriptLanguageServer) -> None:
    _register_documents(server)
    _register_reading(server)
    _register_navigation(server)


def _register_documents(server: CRMScriptLanguageServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: CRMScriptLanguageServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounceMs"), (int, float)):
            ls.debounce = max(float(options["debounceMs"]), 0.0) / 1000
        for problem in ls.analyser.startup_problems:
            ls.window_log_message(types.LogMessageParams(types.MessageType.Warning, problem))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CRMScriptLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        differs = False
        if path is not None:
            differs = not ls.analyser.sources.same_as_disk(path, params.text_document.text)
            ls.analyser.sources.open[str(path)] = params.text_document.text
        # An editor that opens a buffer with unsaved edits changes what its includers see.
        ls.analyse_and_publish(params.text_document.uri, recheck_includers=differs)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CRMScriptLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.text_changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CRMScriptLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = path_of(uri)
        ls.cancel(uri)
        document = ls.analyser.documents.get(uri)
        ls.analyser.forget(uri, path)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))
        if path is not None:
            ls.analyser.sources.open.pop(str(path), None)
            if document is not None:
                ls.recheck_includers(uri, str(path))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: CRMScriptLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
        for change in params.changes:
            path = path_of(change.uri)
            if path is not None:
                ls.recheck_includers(change.uri, str(path))


def _register_reading(server: CRMScriptLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: CRMScriptLanguageServer, params: types.HoverParams) -> types.Hover | None:
        document = ls.current(params.text_document.uri)
        if document is None:
            return None
        return hover(document, *_engine_position(ls, document.uri, params.position), ls.locator())

    @server.feature(types.COMPLETION_ITEM_RESOLVE)
    def on_resolve(ls: CRMScriptLanguageServer, item: types.CompletionItem) -> types.CompletionItem:
        return resolve(item, ls.analyser.view)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=[".", '"', "#"], resolve_provider=True))
    def on_completion(ls: CRMScriptLanguageServer, params: types.CompletionParams) -> types.CompletionList | None:
        found = ls.latest(params.text_document.uri)
        if found is None:
            return None
        document, tokens = found
        line, column = _engine_position(ls, params.text_document.uri, params.position)
        items = complete(document, tokens, tokens.offset(line, column))
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_SIGNATURE_HELP,
                    types.SignatureHelpOptions(trigger_characters=["(", ","], retrigger_characters=[","]))
    def on_signature_help(ls: CRMScriptLanguageServer,
                          params: types.SignatureHelpParams) -> types.SignatureHelp | None:
        found = ls.latest(params.text_document.uri)
        if found is None:
            return None
        document, tokens = found
        line, column = _engine_position(ls, params.text_document.uri, params.position)
        return signature_help(document, tokens, tokens.offset(line, column))


def _register_navigation(server: CRMScriptLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: CRMScriptLanguageServer, params: types.DefinitionParams) -> list[types.Location] | None:
        document = ls.current(params.text_document.uri)
        if document is None:
            return None
        return definition(document, *_engine_position(ls, document.uri, params.position), ls.locator()) or None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def on_references(ls: CRMScriptLanguageServer, params: types.ReferenceParams) -> list[types.Location] | None:
        document = ls.current(params.text_document.uri)
        if document is None:
            return None
        line, column = _engine_position(ls, document.uri, params.position)
        return references(document, line, column, params.context.include_declaration, ls.locator()) or None

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(ls: CRMScriptLanguageServer,
                   params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
        document = ls.current(params.text_document.uri)
        return document_symbols(document, ls.locator()) if document is not None else None

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def on_prepare_rename(ls: CRMScriptLanguageServer, params: types.PrepareRenameParams):
        document = ls.current(params.text_document.uri)
        if document is None:
            return None
        occurrence = _rename_target(ls, document, params.position)
        return ls.locator().span(occurrence.file, occurrence.line, occurrence.column, occurrence.length)

    @server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    def on_rename(ls: CRMScriptLanguageServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        document = ls.current(params.text_document.uri)
        if document is None:
            return None
        occurrence = _rename_target(ls, document, params.position)
        try:
            return rename(document, occurrence, params.new_name, ls.locator())
        except RenameRefused as refused:
            raise RequestFailed(str(refused)) from None


def _rename_target(ls: CRMScriptLanguageServer, document, position: types.Position):
    line, column = _engine_position(ls, document.uri, position)
    # A script of a tree's lib/ (no trigger of its own) or one an open document includes.
    library = document.context.tree is not None and document.context.trigger is None
    included = library or any(document.file in other.include_files
                              for uri, other in ls.analyser.documents.items() if uri != document.uri)
    try:
        return rename_target(document, line, column, included)
    except RenameRefused as refused:
        raise RequestFailed(str(refused)) from None
