// Just enough of the VS Code API to run extension.js under plain Node, so a
// test can drive the extension's client against a real `crmscript lsp`
// (tests/test_lsp_vscode_client.py). Providers and events are recorded.

"use strict";

class Position { constructor(line, character) { this.line = line; this.character = character; } }
class Range { constructor(start, end) { this.start = start; this.end = end; } }
class Location { constructor(uri, range) { this.uri = uri; this.range = range; } }
class MarkdownString { constructor(value) { this.value = value; } }
class Hover { constructor(contents, range) { this.contents = contents; this.range = range; } }
class Diagnostic { constructor(range, message, severity) { Object.assign(this, { range, message, severity }); } }
class DiagnosticRelatedInformation { constructor(location, message) { Object.assign(this, { location, message }); } }
class CompletionItem { constructor(label, kind) { this.label = label; this.kind = kind; } }
class SignatureHelp {}
class SignatureInformation { constructor(label, documentation) { Object.assign(this, { label, documentation }); } }
class ParameterInformation { constructor(label) { this.label = label; } }
class DocumentSymbol {
  constructor(name, detail, kind, range, selectionRange) { Object.assign(this, { name, detail, kind, range, selectionRange }); }
}
class WorkspaceEdit {
  constructor() { this.edits = []; }
  replace(uri, range, newText) { this.edits.push({ uri: uri.toString(), range, newText }); }
}

const Uri = {
  parse: (text) => ({ toString: () => text, fsPath: decodeURIComponent(text.replace(/^file:\/\//, "")) }),
  file: (path) => Uri.parse("file://" + path),
};

function emitter() {
  const listeners = [];
  const event = (listener) => { listeners.push(listener); return { dispose() {} }; };
  event.fire = (value) => listeners.forEach((listener) => listener(value));
  return event;
}

const providers = {};
const register = (name) => (selector, provider) => { providers[name] = provider; return { dispose() {} }; };
const published = new Map();

module.exports = {
  Position, Range, Location, MarkdownString, Hover, Diagnostic, DiagnosticRelatedInformation, CompletionItem,
  SignatureHelp, SignatureInformation, ParameterInformation, DocumentSymbol, WorkspaceEdit, Uri,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  DiagnosticTag: { Unnecessary: 1 },
  providers,
  published,
  languages: {
    createDiagnosticCollection: () => ({
      set: (uri, diagnostics) => published.set(uri.toString(), diagnostics),
      delete: (uri) => published.delete(uri.toString()),
      dispose() {},
    }),
    registerHoverProvider: register("hover"),
    registerCompletionItemProvider: register("completion"),
    registerSignatureHelpProvider: register("signatureHelp"),
    registerDefinitionProvider: register("definition"),
    registerReferenceProvider: register("references"),
    registerDocumentSymbolProvider: register("symbols"),
    registerRenameProvider: register("rename"),
  },
  window: { createOutputChannel: () => ({ append() {}, appendLine() {}, dispose() {} }) },
  workspace: {
    textDocuments: [],
    workspaceFolders: undefined,
    getConfiguration: () => ({ get: (key) => ({ "server.command": process.env.CRMSCRIPT_COMMAND,
      "server.args": JSON.parse(process.env.CRMSCRIPT_ARGS || '["lsp"]'), debounceMs: 0 })[key] }),
    onDidOpenTextDocument: emitter(),
    onDidChangeTextDocument: emitter(),
    onDidCloseTextDocument: emitter(),
  },
};
